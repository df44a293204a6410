"""Condensed and expanded copies: pieces joined over a one-sided gap.

A condensed copy keeps pieces of its source and leaves out the text between
them; an expanded copy adds text between pieces of its source. Seen as one
region, either is sparse: most of it is a long gap on one side, and scoring
the whole rectangle (as :mod:`detector.align` scores every region) fails
and loses the pieces. So the pieces are scored, not the gap:

* a **piece** is a passage that stands on its own as a borrowing (at least
  ``SHORT_BORROWING_WORDS`` words, a near-copy or a strongly matching
  sentence; :func:`detector.align._to_passage`), or a long exact seed run
  that would be one;
* two pieces are **linked** when they follow each other in reading order on
  both sides, with a gap of at most :data:`SHORT_GAP` words on one side
  (the pieces touch: nothing new in between) and at most
  :data:`LONG_GAP_FACTOR` ``x max_gap_words`` on the other (what was left
  out or added);
* a chain of linked pieces is one passage: its spans run from the first
  piece to the last, its ``words`` is the shorter side, and its score and
  kind come from the pieces (words-weighted mean score; the pieces' kind,
  ``verbatim`` becoming ``edited`` since text was cut or added).

Two passages whose B sides (and A sides) are both separated by unmatched
text -- two separate pastes, or an expansion with new material on both
sides -- are never linked: one side must touch. Pieces are borrowings,
which are reported whatever ``min_words`` is, so a joined passage is too,
and a smaller ``--min-words`` still never finds less.

This module imports nothing from :mod:`detector.align`; the aligner passes
in the functions that build piece passages and word operations.
Positions are token indices.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from detector.schema import Passage, Span, WordOp

if TYPE_CHECKING:
    from detector.params import Params
    from detector.tokens import Tokens

__all__ = [
    "LONG_GAP_FACTOR", "SHORT_GAP", "Occupancy", "Piece", "gap_taken", "join_pieces", "link_chains", "split_taken", "with_joined",
]

# The touching side: at most this many unmatched tokens between two pieces
# (a connective, "and", "but": the copy reads on without new material).
SHORT_GAP = 3
# The other side: at most this many times ``max_gap_words`` tokens left out
# (condensed) or added (expanded) between two pieces.
LONG_GAP_FACTOR = 5
# Successors compared per piece (keeps repetitive text linear).
_CANDIDATES = 64

Rect = tuple[int, int, int, int]  # (a0, a1, b0, b1), token indices


@dataclass(frozen=True)
class Piece:
    """One piece of a joined passage.

    Attributes:
        rect: token ranges ``(a0, a1, b0, b1)``.
        passage: the piece as a passage on its own.
    """

    rect: Rect
    passage: Passage


def _link_cost(p: Rect, q: Rect, slack: int, short: int, long: int, min_long: int) -> int | None:
    """Cost (total gap) of ``q`` following ``p``, or None when they are not linked.

    Overlap of up to ``slack`` tokens, or a quarter of the shorter piece,
    counts as touching (edge extension may run one piece a word or two into
    the next). The long side must exceed
    ``min_long``: pieces closer than that on both sides are chaining's
    business (:func:`detector.chains.chain`), which joins them or has a
    reason not to (a repeat). O(1).
    """
    ga, gb = q[0] - p[1], q[2] - p[3]
    if q[1] <= p[1] or q[3] <= p[3]:
        return None
    # touching pieces may overlap by a few words (an edited piece's edge grew
    # over the next piece's first words), never by half of either
    if ga < -max(slack, min(p[1] - p[0], q[1] - q[0]) // 4) or gb < -max(slack, min(p[3] - p[2], q[3] - q[2]) // 4):
        return None
    ga, gb = max(ga, 0), max(gb, 0)
    if min(ga, gb) > short or not min_long < max(ga, gb) <= long:
        return None
    return ga + gb


def link_chains(
    rects: Sequence[Rect],
    slack: int,
    short: int,
    long: int,
    *,
    min_long: int = SHORT_GAP,
) -> list[list[int]]:
    """Chains (indices into ``rects``) of two or more linked pieces.

    Each piece gets at most one successor and one predecessor; links are
    taken cheapest first, so of two copies of a repeated piece the one that
    touches its neighbour wins. The long side of a link is in
    ``(min_long, long]``, the short side at most ``short`` tokens (see
    :func:`_link_cost`). O(R log R + R * K) for R pieces and
    K <= ``_CANDIDATES`` successors compared each: one side touches, so
    successors are looked up in two narrow windows, by start in A and by
    start in B.
    """
    by_a = sorted(range(len(rects)), key=lambda k: rects[k][0])
    by_b = sorted(range(len(rects)), key=lambda k: rects[k][2])
    starts_a = [rects[k][0] for k in by_a]
    starts_b = [rects[k][2] for k in by_b]
    links: list[tuple[int, int, int]] = []
    for k, p in enumerate(rects):
        seen = set()
        for order, starts, end, size in ((by_a, starts_a, p[1], p[1] - p[0]), (by_b, starts_b, p[3], p[3] - p[2])):
            lo = bisect.bisect_left(starts, end - max(slack, size // 4))
            hi = bisect.bisect_right(starts, end + short)
            for m in order[lo : min(hi, lo + _CANDIDATES)]:
                if m == k or m in seen:
                    continue
                seen.add(m)
                cost = _link_cost(p, rects[m], slack, short, long, min_long)
                if cost is not None:
                    links.append((cost, k, m))
    succ: dict[int, int] = {}
    pred: dict[int, int] = {}
    for _, k, m in sorted(links):
        if k not in succ and m not in pred:
            succ[k], pred[m] = m, k
    chains = []
    for k in by_a:
        if k in pred or k not in succ:
            continue
        run = [k]
        while run[-1] in succ:
            run.append(succ[run[-1]])
        chains.append(run)
    return chains


# Occupants up to this many tokens long (on a side) are found by their start
# in a window before the gap; longer ones (few: whole copied passages) are
# checked one by one.
_SHORT_SPAN = 256


class Occupancy:
    """Occupants (candidates and exact runs) indexed on both sides, so the
    occupants of a gap are found by bisection. Build O(N log N)."""

    def __init__(self, occupants: Sequence[Rect]) -> None:
        self._sides = []
        for side in (0, 2):
            short = sorted((o for o in occupants if o[side + 1] - o[side] <= _SHORT_SPAN), key=lambda o: o[side])
            longer = [o for o in occupants if o[side + 1] - o[side] > _SHORT_SPAN]
            self._sides.append((short, [o[side] for o in short], longer))

    def in_gap(self, side: int, g0: int, g1: int) -> list[Rect]:
        """Occupants covering more than :data:`SHORT_GAP` tokens of ``[g0, g1)``
        on ``side`` (0 for A, 2 for B). O(log N + occupants near the gap + long ones)."""
        short, starts, longer = self._sides[side // 2]
        lo = bisect.bisect_left(starts, g0 - _SHORT_SPAN)
        hi = bisect.bisect_left(starts, g1 - SHORT_GAP)
        return [
            o for o in itertools.chain(short[lo:hi], longer)
            if min(o[side + 1], g1) - max(o[side], g0) > SHORT_GAP
        ]


def _chain_bounds(chain: Sequence[Rect]) -> list[tuple[list[int], list[int]]]:
    """Starts and ends of the chain's pieces on A and on B (increasing)."""
    return [([r[side] for r in chain], [r[side + 1] for r in chain]) for side in (0, 2)]


def gap_taken(
    p: Rect,
    q: Rect,
    occupancy: Occupancy,
    chain: Sequence[Rect],
    bounds: list[tuple[list[int], list[int]]] | None = None,
) -> bool:
    """True if the text between pieces ``p`` and ``q`` of ``chain`` is matched elsewhere.

    An occupant (another candidate or exact run) covering more than
    :data:`SHORT_GAP` tokens of the gap on one side means the gap holds
    reused text of its own (a paragraph moved, another story interleaved,
    a repeat), not text left out or added: no link. Except a rival
    alignment of the chain's own text: an occupant whose other side is text
    a piece of the chain already pairs (a repeated piece matched to its
    second copy). Chain pieces start and end in increasing order on both
    sides, so the pieces an occupant meets are found by bisection:
    O(log N + log C) per occupant in the gap, for C chain pieces (given
    ``bounds``, the chain's :func:`_chain_bounds`; else O(C) more).
    """
    bounds = _chain_bounds(chain) if bounds is None else bounds
    for side in (0, 2):
        other = 2 - side
        starts, ends = bounds[other // 2]
        for o in occupancy.in_gap(side, p[side + 1], q[side]):
            if o in (p, q):
                continue
            i = bisect.bisect_right(ends, o[other])
            j = bisect.bisect_left(starts, o[other + 1])
            if not any(
                min(r[other + 1], o[other + 1]) - max(r[other], o[other]) > SHORT_GAP for r in chain[i:j]
            ):
                return True
    return False


def split_taken(run: list[int], rects: Sequence[Rect], occupancy: Occupancy) -> list[list[int]]:
    """``run`` (a chain of indices into ``rects``) cut at every link whose gap is
    taken (:func:`gap_taken`); the parts of two or more pieces."""
    chain = [rects[k] for k in run]
    bounds = _chain_bounds(chain)
    parts, cur = [], [run[0]]
    for k in run[1:]:
        if gap_taken(rects[cur[-1]], rects[k], occupancy, chain, bounds):
            parts.append(cur)
            cur = [k]
        else:
            cur.append(k)
    parts.append(cur)
    return [part for part in parts if len(part) >= 2]


def _joined_kind(pieces: Sequence[Piece]) -> str:
    """Kind of a joined passage from its pieces: the kind covering most words,
    ``verbatim`` counted as ``edited`` (words were left out or added)."""
    weight: dict[str, int] = {}
    for piece in pieces:
        kind = "edited" if piece.passage.kind == "verbatim" else piece.passage.kind
        weight[kind] = weight.get(kind, 0) + piece.passage.words
    return max(sorted(weight), key=lambda k: weight[k])


def join_pieces(
    pieces: Sequence[Piece],
    ops_of: Callable[[int, int, int, int], tuple[WordOp, ...]],
    gap_op: Callable[[int, int, int, int], WordOp],
) -> Passage:
    """One passage from a chain of linked pieces (see the module docstring).

    ``ops_of(a0, a1, b0, b1)`` aligns a token rectangle into word operations
    (used when a piece overlaps the previous one and is clipped);
    ``gap_op(a0, a1, b0, b1)`` is the operation for the unmatched text
    between two pieces. O(words of the pieces).
    """
    first, last = pieces[0], pieces[-1]
    ops: list[WordOp] = list(first.passage.ops)
    _, pa1, _, pb1 = first.rect
    for piece in pieces[1:]:
        a0, a1, b0, b1 = piece.rect
        if a0 > pa1 or b0 > pb1:
            ops.append(gap_op(pa1, max(a0, pa1), pb1, max(b0, pb1)))
        if a0 >= pa1 and b0 >= pb1:
            ops.extend(piece.passage.ops)
        else:  # overlaps the previous piece by a word or two: align the rest
            ops.extend(ops_of(max(a0, pa1), a1, max(b0, pb1), b1))
        pa1, pb1 = a1, b1
    a0, b0 = first.rect[0], first.rect[2]
    a1, b1 = last.rect[1], last.rect[3]
    total = sum(p.passage.words for p in pieces)
    fused: list[WordOp] = []
    for op in ops:  # the gap beside a clipped piece's own deletion or insertion: one operation
        prev = fused[-1] if fused else None
        if prev is not None and op.op == prev.op and op.op in ("delete", "insert"):
            fused[-1] = WordOp(op.op, Span(prev.a.start, op.a.end), Span(prev.b.start, op.b.end))
        else:
            fused.append(op)
    ops = fused
    return Passage(
        a=Span(first.passage.a.start, last.passage.a.end),
        b=Span(first.passage.b.start, last.passage.b.end),
        words=min(a1 - a0, b1 - b0),
        score=sum(p.passage.score * p.passage.words for p in pieces) / total,
        kind=_joined_kind(pieces),  # type: ignore[arg-type]
        ops=tuple(ops),
        tok_a=(a0, a1),
        tok_b=(b0, b1),
    )


def with_joined(
    passages: list[tuple[Passage, float]],
    runs: Sequence[Rect],
    regions: Sequence[Rect],
    ta: Tokens,
    tb: Tokens,
    params: Params,
    run_piece: Callable[[Rect], Passage | None],
    ops_of: Callable[[int, int, int, int], tuple[WordOp, ...]],
    min_piece: int,
) -> list[tuple[Passage, float]]:
    """Candidate passages (each with the largest ``min_words`` reporting it) plus
    the joined passages of condensed and expanded copies.

    Pieces are the candidates reported whatever ``min_words`` is (borrowings)
    and the exact seed runs of ``min_piece`` or more tokens, which
    ``run_piece`` turns into a passage (None when it is no borrowing on its
    own). ``regions`` are the aligner's scored rectangles of ``min_piece`` or
    more words (built the same way whatever ``min_words`` is): they occupy
    gaps like pieces do. A joined passage contained in a piece or region
    adds nothing and is left out; a candidate lying inside a joined passage on one side and scoring
    lower (a sentence-level match pairing a repeated piece with the wrong copy
    of it) gives way to it. O(P log P) for P pieces; ``run_piece`` is called
    only for runs in a chain found on the raw rectangles, so a pair without
    condensed text pays one sort.
    """
    inf = float("inf")
    pieces = {p.tok_a + p.tok_b: p for p, limit in passages if limit == inf}
    long_runs = [r for r in runs if r[1] - r[0] >= min_piece]
    long_runs = [r for r in long_runs if r not in pieces]
    if len(pieces) + len(long_runs) < 2:
        return passages  # the usual case: nothing to join, one pass over the runs
    rects = list(pieces) + long_runs
    # only what is built the same way whatever min_words is takes part (pieces,
    # long runs, the regions of 10+ words), so the joins are the same for every
    # min_words and a smaller --min-words never finds less
    boxes = list(pieces) + list(regions)
    if boxes:  # every piece inside one candidate (a copy and its own runs): any chain is too
        big = max(boxes, key=lambda r: r[1] - r[0])
        if all(big[0] <= r[0] and r[1] <= big[1] and big[2] <= r[2] and r[3] <= big[3] for r in rects):
            return passages
    slack, long = params.seed_ngram, LONG_GAP_FACTOR * params.max_gap_words
    occupancy = Occupancy(rects + list(regions))

    def contained(run: list[int]) -> bool:  # inside one candidate: adds nothing
        a0, a1 = min(rects[k][0] for k in run), max(rects[k][1] for k in run)
        b0, b1 = min(rects[k][2] for k in run), max(rects[k][3] for k in run)
        return any(r[0] <= a0 and a1 <= r[1] and r[2] <= b0 and b1 <= r[3] for r in boxes)

    # raw rectangles first (runs not yet extended over their edges: a wider touch)
    gap = params.max_gap_words
    chains = [
        part
        for c in link_chains(rects, slack, SHORT_GAP + slack, long, min_long=gap - slack)
        for part in split_taken(c, rects, occupancy)
        if not contained(part)
    ]
    if not chains:
        return passages
    for k in sorted({k for c in chains for k in c if k >= len(pieces)}):
        piece = run_piece(rects[k])
        if piece is not None:
            pieces.setdefault(piece.tok_a + piece.tok_b, piece)
    rects = list(pieces)
    occupancy = Occupancy(rects + long_runs + list(regions))

    def gap_op(a0: int, a1: int, b0: int, b1: int) -> WordOp:
        kind = "substitute" if a1 > a0 and b1 > b0 else "delete" if a1 > a0 else "insert"
        return WordOp(kind, Span(*ta.char_span(a0, a1)), Span(*tb.char_span(b0, b1)))  # type: ignore[arg-type]

    out = list(passages)
    for c in link_chains(rects, slack, SHORT_GAP, long, min_long=gap):
        for run in split_taken(c, rects, occupancy):
            if contained(run):
                continue
            joined = join_pieces([Piece(rects[k], pieces[rects[k]]) for k in run], ops_of, gap_op)
            (a0, a1), (b0, b1) = joined.tok_a, joined.tok_b
            out = [
                (q, limit)
                for q, limit in out
                if q.score >= joined.score
                or not ((a0 <= q.tok_a[0] and q.tok_a[1] <= a1) or (b0 <= q.tok_b[0] and q.tok_b[1] <= b1))
            ]
            out.append((joined, inf))
    return out
