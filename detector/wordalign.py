"""Word-level alignment of two token runs: rapidfuzz blocks and word operations.

Used by :mod:`detector.align` to grow, trim and score passages:

* :func:`fused_blocks`: Levenshtein opcodes on token ids with adjacent edits fused,
  so a spinner's one-to-three-word swap is one block;
* :func:`region_blocks`: the blocks of a region; a long one piecewise between
  its exact anchors, so a 1 MB copy aligns in linear time and memory;
* :func:`best_prefix`: how far a nearly matching edge window extends a region;
* :func:`word_ops` / :func:`op_counts`: the passage's word operations with
  character spans, or only their counts (kept, substituted, indel).

All positions are token indices relative to the runs given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detector.schema import Span, WordOp

if TYPE_CHECKING:
    import numpy as np

    from detector.chains import Region
    from detector.tokens import Tokens

__all__ = [
    "DIRECT_LIMIT", "Block", "best_prefix", "fused_blocks", "monotone", "op_counts", "op_size", "region_blocks",
    "word_ops",
]

# Regions up to this many tokens a side are aligned in one rapidfuzz call;
# longer ones piecewise between exact anchors (:func:`region_blocks`).
DIRECT_LIMIT = 3000

Block = tuple[bool, int, int, int, int]  # (equal?, a_start, a_end, b_start, b_end)


def fused_blocks(a_ids: list[int], b_ids: list[int]) -> list[Block]:
    """rapidfuzz Levenshtein opcodes with adjacent non-equal opcodes fused.

    A spinner's one-to-three-word swap then appears as one block, not as a
    replace followed by an insert. O(len(a) * len(b) / 64) (bit-parallel).
    """
    from rapidfuzz.distance import Levenshtein

    out: list[Block] = []
    # as plain tuples: reading Opcode attributes cost as much as the loop
    for tag, src_start, src_end, dest_start, dest_end in Levenshtein.opcodes(a_ids, b_ids).as_list():
        equal = tag == "equal"
        if out and not equal and not out[-1][0]:
            _, sa, _, sb, _ = out[-1]
            out[-1] = (False, sa, src_end, sb, dest_end)
        else:
            out.append((equal, src_start, src_end, dest_start, dest_end))
    return out


def monotone(anchors: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Longest chain of anchors increasing in both texts (patience LIS on B starts).

    O(m log m) for m anchors.
    """
    import bisect

    items = sorted(set(anchors))
    tails: list[int] = []  # b0 of the last item of the best chain of each length
    tail_idx: list[int] = []
    prev = [-1] * len(items)
    for k, (_, _, b0, _) in enumerate(items):
        pos = bisect.bisect_left(tails, b0)
        if pos == len(tails):
            tails.append(b0)
            tail_idx.append(k)
        else:
            tails[pos] = b0
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    out = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(items[k])
        k = prev[k]
    return out[::-1]


def region_blocks(
    ida: np.ndarray, idb: np.ndarray, region: Region, a0: int, a1: int, b0: int, b1: int
) -> list[Block]:
    """Fused alignment blocks of tokens ``[a0, a1) x [b0, b1)`` (relative offsets).

    Up to :data:`DIRECT_LIMIT` tokens a side: one rapidfuzz call. Longer:
    the region's exact runs form a monotone chain of anchors and only the
    stretches between anchors are aligned (a stretch too long for that is one
    substitution), so a 1 MB copy costs linear time and memory.
    """
    a_run, b_run = ida[a0:a1], idb[b0:b1]
    if len(a_run) <= DIRECT_LIMIT and len(b_run) <= DIRECT_LIMIT:
        return fused_blocks(a_run.tolist(), b_run.tolist())
    anchors = []
    for m0, m1, n0, _ in region.members:
        # clip the run to the rectangle, staying on its diagonal
        x0, y0 = m0 - a0, n0 - b0
        lo = max(0, a0 - m0, b0 - n0)
        hi = min(m1 - m0, a1 - m0, b1 - n0)
        if hi > lo:
            anchors.append((x0 + lo, x0 + hi, y0 + lo, y0 + hi))
    out: list[Block] = []

    def add(block: Block) -> None:
        if block[2] == block[1] and block[4] == block[3]:
            return
        if out and out[-1][0] == block[0] and out[-1][2] == block[1] and out[-1][4] == block[3]:
            out[-1] = (block[0], out[-1][1], block[2], out[-1][3], block[4])
        else:
            out.append(block)

    def gap(pa: int, x0: int, pb: int, y0: int) -> None:
        if x0 - pa <= DIRECT_LIMIT and y0 - pb <= DIRECT_LIMIT:
            for eq, sa, ea, sb, eb in fused_blocks(a_run[pa:x0].tolist(), b_run[pb:y0].tolist()):
                add((eq, pa + sa, pa + ea, pb + sb, pb + eb))
        else:
            add((False, pa, x0, pb, y0))

    pa = pb = 0
    for x0, x1, y0, y1 in monotone(anchors):
        shift = max(pa - x0, pb - y0, 0)
        x0, y0 = x0 + shift, y0 + shift
        if x1 <= x0:
            continue
        gap(pa, x0, pb, y0)
        add((True, x0, x1, y0, y1))
        pa, pb = x1, y1
    gap(pa, len(a_run), pb, len(b_run))
    return out


def op_size(len_a: int, len_b: int) -> int:
    """Weight of an edit block: a substitution counts its shorter side, since a
    spinner's one-to-three-word swap ("vision" -> "imaginative and prescient")
    is one change; pure insertions and deletions count every word."""
    return min(len_a, len_b) if len_a and len_b else max(len_a, len_b)


def best_prefix(blocks: list[Block]) -> tuple[int, int]:
    """Longest block prefix ending in a 2+ word match, with match ratio >= 1/2."""
    best = (0, 0)
    matched = total = 0
    for equal, sa, ea, sb, eb in blocks:
        size = op_size(ea - sa, eb - sb)
        total += size
        if equal:
            matched += size
            # end on two shared words at least: one shared "the" beside a
            # different word is chance, not the passage going on
            if matched * 2 >= total and size >= 2:
                best = (ea, eb)
    return best


def op_span(t: Tokens, base: int, start: int, end: int, length: int) -> Span:
    """Character span of tokens ``base + [start, end)``, kept inside the passage.

    An empty range (the missing side of an insertion or deletion) becomes an
    empty span at the nearest passage boundary or between two passage tokens.
    """
    if end > start:
        return Span(*t.char_span(base + start, base + end))
    if start >= length:  # after the last passage token
        pos = int(t.ends[base + length - 1]) if length else t.char_span(base, base)[0]
    else:
        pos = int(t.starts[base + start])
    return Span(pos, pos)


def word_ops(
    blocks: list[Block], n_a: int, n_b: int, ta: Tokens, tb: Tokens, a0: int, b0: int
) -> tuple[tuple[WordOp, ...], int, int, int]:
    """Word operations from fused alignment blocks, and counts (kept, substituted, indel).

    Adjacent non-equal opcodes are already fused (:func:`fused_blocks`), so a
    one-word-to-three-words swap is one ``substitute`` ("vision" ->
    "imaginative and prescient") rather than a replace plus an insert.
    """
    ops: list[WordOp] = []
    for equal, sa, ea, sb, eb in blocks:
        kind = "keep" if equal else "substitute" if ea > sa and eb > sb else "delete" if ea > sa else "insert"
        ops.append(
            WordOp(
                kind,  # type: ignore[arg-type]
                op_span(ta, a0, sa, ea, n_a),
                op_span(tb, b0, sb, eb, n_b),
            )
        )
    return (tuple(ops), *op_counts(blocks))


def op_counts(blocks: list[Block]) -> tuple[int, int, int]:
    """Kept, substituted (A side) and inserted or deleted words of fused alignment blocks."""
    kept = subst = indel = 0
    for equal, sa, ea, sb, eb in blocks:
        if equal:
            kept += ea - sa
        elif ea > sa and eb > sb:
            subst += ea - sa
        else:
            indel += (ea - sa) or (eb - sb)
    return kept, subst, indel
