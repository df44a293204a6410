"""Passage alignment between two tokenised texts: seed, chain, merge, extend, score.

The method follows the seed-and-extend family used for text reuse (Smith et
al.'s passim; Sanchez-Perez et al., PAN 2014 text alignment):

1. **Seeds** (:mod:`detector.seeds`). Shared n-grams of normalised token
   forms (frequent ones paired by rank, so repeated text stays linear), and
   similar sentence pairs (tf-idf cosine and Dice, PAN 2014), so rewritten
   sentences are found too.
2. **Chains and merging** (:mod:`detector.chains`). Exact runs are chained
   along diagonals with gap rules (edited and spun text stays one passage);
   chains close in both texts are merged whatever their diagonals
   (reordered sentences). Both are sweeps by position: O(n log n).
3. **Edges.** A region grows over exactly matching neighbour words and over
   nearly matching edge windows; its ends are then cut only at genuinely
   unmatched stretches (:func:`detector.coverage.dense_bounds`): a gap much longer than the
   region's usual gaps with little matched text beyond it. A sparse but
   uniform chain (human paraphrase) keeps its ends.
4. **Score.** The two token runs are aligned (rapidfuzz Levenshtein opcodes
   on token ids; long regions piecewise between exact anchors, so a 1 MB
   copy aligns in linear time) into word operations, a score and a kind.
   Passages too short or too dissimilar are dropped -- except a strongly
   matching single sentence of at least :data:`SHORT_BORROWING_WORDS` words,
   which is kept below ``min_words`` -- and overlapping passages (a repeat
   inside one document) keep only the strongest.
5. **Condensed and expanded copies** (:mod:`detector.gaps`). Borrowings
   that touch on one side and leave a long gap on the other are joined into
   one passage, scored from its pieces, not from the sparse whole.

All positions inside this module are token indices; passages leave it with
character spans into the original texts.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from detector.chains import Region, chain, merge_close
from detector.charsim import url_tokens
from detector.coverage import bag_dice, covered_len, covered_runs, dense_bounds
from detector.gaps import with_joined
from detector.schema import Passage, Span, WordOp
from detector.seeds import fragments, ngram_seeds, sentence_seeds
from detector.wordalign import (
    DIRECT_LIMIT,
    Block,
    best_prefix,
    fused_blocks,
    op_counts,
    region_blocks,
    word_ops,
)

if TYPE_CHECKING:
    from detector.params import Params
    from detector.tokens import Tokens

__all__ = ["SHORT_BORROWING_WORDS", "AlignmentStats", "align_passages"]

# A strongly matching single sentence of at least this many words is a
# passage even when shorter than ``min_words`` (see :func:`_short_borrowing`).
SHORT_BORROWING_WORDS = 10
# Sentence seeds are computed only when some exact run is at least this long
# (one shared n-gram: a paraphrase keeps a few short runs -- names, a figure,
# "Africa Union" -- and rarely one of 8 words, which was the earlier gate and
# lost most rewritten headlines and sentences). A constant (not ``min_words``)
# so that region building never depends on the reporting threshold.
_SENTENCE_ANCHOR = 3


@dataclass
class AlignmentStats:
    """Why candidates were kept or dropped, for "nothing found" explanations."""

    seeds: int = 0
    sentence_seeds: int = 0
    candidates: int = 0
    too_short: int = 0
    low_score: int = 0
    overlapping: int = 0
    kept: int = 0


# ---------------------------------------------------------------- extension


def _extend_exact(region: Region, ida: np.ndarray, idb: np.ndarray) -> bool:
    """Grow both ends over neighbouring words equal on both sides (the diagonal
    continues). O(extension)."""
    grown = False
    a0, b0 = region.a0, region.b0
    while a0 > 0 and b0 > 0 and ida[a0 - 1] == idb[b0 - 1]:
        a0, b0 = a0 - 1, b0 - 1
    if a0 < region.a0:
        region.add_member((a0, region.a0, b0, region.b0))
        region.a0, region.b0, grown = a0, b0, True
    a1, b1 = region.a1, region.b1
    while a1 < len(ida) and b1 < len(idb) and ida[a1] == idb[b1]:
        a1, b1 = a1 + 1, b1 + 1
    if a1 > region.a1:
        region.add_member((region.a1, a1, region.b1, b1))
        region.a1, region.b1, grown = a1, b1, True
    return grown



def _extend(region: Region, ta: Tokens, tb: Tokens, window: int = 8) -> bool:
    """Grow the edges over nearly matching words (at least half of them equal).

    A spun passage often starts or ends with a substituted word before the
    first shared n-gram; exact seeds alone would cut it off.
    """

    ida, idb = ta.ids, tb.ids
    # left edge: align the reversed windows just before the region
    wa = ida[max(0, region.a0 - window) : region.a0][::-1].tolist()
    wb = idb[max(0, region.b0 - window) : region.b0][::-1].tolist()
    ext_a, ext_b = best_prefix(fused_blocks(wa, wb))
    if ext_a or ext_b:
        region.add_member((region.a0 - ext_a, region.a0, region.b0 - ext_b, region.b0))
    region.a0 -= ext_a
    region.b0 -= ext_b
    grown = ext_a or ext_b
    wa = ida[region.a1 : region.a1 + window].tolist()
    wb = idb[region.b1 : region.b1 + window].tolist()
    ext_a, ext_b = best_prefix(fused_blocks(wa, wb))
    if ext_a or ext_b:
        region.add_member((region.a1, region.a1 + ext_a, region.b1, region.b1 + ext_b))
    region.a1 += ext_a
    region.b1 += ext_b
    return bool(grown or ext_a or ext_b)


# ---------------------------------------------------------------- scoring


def _same_forms(ta: Tokens, tb: Tokens, a0: int, a1: int, b0: int, b1: int) -> bool:
    """True if the two token runs have identical unstemmed normalised forms.

    Matching ids are stemmed ("ministry" = "ministries"), so equal ids alone
    do not make a passage verbatim. O(tokens).
    """
    from detector.tokens import normalize_token

    if a1 - a0 != b1 - b0:
        return False
    text_a, text_b = ta.text, tb.text
    if text_a[int(ta.starts[a0]) : int(ta.ends[a1 - 1])] == text_b[
        int(tb.starts[b0]) : int(tb.ends[b1 - 1])
    ]:
        return True  # the same characters (the usual verbatim copy)
    for x, y in zip(range(a0, a1), range(b0, b1), strict=True):
        wa = text_a[int(ta.starts[x]) : int(ta.ends[x])]
        wb = text_b[int(tb.starts[y]) : int(tb.ends[y])]
        if wa != wb and wa.casefold() != wb.casefold() and normalize_token(wa, False) != normalize_token(wb, False):
            return False
    return True


def _kind(words: int, kept: int, subst: int, indel: int, sentence_backed: bool) -> str:
    """Passage kind from the word operations (``verbatim`` is decided by the caller)."""
    changed = subst + indel
    # Rewritten sentence by sentence: found by sentence similarity, and most
    # words differ -- not an edit of the same wording.
    if sentence_backed and kept < 0.5 * words:
        return "paraphrased"
    # Spinning swaps words in place: many substitutions, few pure insertions.
    if subst >= 0.12 * words and subst >= 2 * indel:
        return "spun"
    if changed <= 0.5 * words:
        return "edited"
    return "spun" if subst >= indel else "edited"


def _seed_coverage(region: Region, a0: int, a1: int, b0: int, b1: int) -> float:
    """Share of the passage's tokens (the smaller side) covered by exact seeds. O(M log M) for M seed runs."""
    n_a, n_b = a1 - a0, b1 - b0
    if n_a <= 0 or n_b <= 0:
        return 0.0
    members = region.members
    on_a = covered_len(sorted(members), 0, a0, a1)
    on_b = covered_len(sorted(members, key=lambda m: m[2]), 2, b0, b1)
    return min(on_a / n_a, on_b / n_b)


def _trim_edges(region: Region, ida: np.ndarray, idb: np.ndarray) -> tuple[tuple[int, int, int, int], list[Block]]:
    """Cut unmatched edges on each side (:func:`detector.coverage.dense_bounds`), then keep the sides consistent.

    Matched words are those of exact seed runs plus those the sequence
    alignment keeps (in spun text most kept words sit between substitutions,
    outside any intact n-gram). Coverage is judged per side, so a passage
    whose sentences were reordered is not cut. A match whose counterpart was
    cut from the other side no longer holds an edge: the cut is repeated
    with the matches inside both sides (at most three rounds; each round
    only shrinks), so a passage never starts on one side with words whose
    match lies outside it on the other.

    Returns the box before the cut and its alignment blocks: when nothing
    was cut, :func:`_to_passage` scores with them instead of aligning again.
    """
    before = (region.a0, region.a1, region.b0, region.b1)
    blocks = region_blocks(ida, idb, region, *before)
    kept = [
        (region.a0 + sa, region.a0 + ea, region.b0 + sb, region.b0 + eb)
        for equal, sa, ea, sb, eb in blocks
        if equal
    ]
    matched = region.members + kept
    # in a strongly matching sentence pair every shared word is matched, in
    # whatever order the rewrite put it: (sentence pair, its A words, its B words)
    strong = []
    for a0, a1, b0, b1 in region.strong:
        common = np.intersect1d(ida[a0:a1], idb[b0:b1])
        words_a = [(a0 + int(x), a0 + int(x) + 1) for x in np.flatnonzero(np.isin(ida[a0:a1], common))]
        words_b = [(b0 + int(x), b0 + int(x) + 1) for x in np.flatnonzero(np.isin(idb[b0:b1], common))]
        strong.append(((a0, a1, b0, b1), words_a, words_b))
    box = (region.a0, region.a1, region.b0, region.b1)
    for _round in range(3):
        ba0, ba1, bb0, bb1 = box
        inside = [m for m in matched if ba0 <= m[0] and m[1] <= ba1 and bb0 <= m[2] and m[3] <= bb1]
        spans_a = [(m[0], m[1]) for m in inside]
        spans_b = [(m[2], m[3]) for m in inside]
        for (a0, a1, b0, b1), words_a, words_b in strong:
            if a0 < ba1 and ba0 < a1 and b0 < bb1 and bb0 < b1:  # the pair still faces itself
                spans_a += [w for w in words_a if ba0 <= w[0] and w[1] <= ba1]
                spans_b += [w for w in words_b if bb0 <= w[0] and w[1] <= bb1]
        runs_a = covered_runs(spans_a, ba0, ba1)
        runs_b = covered_runs(spans_b, bb0, bb1)
        if not (runs_a and runs_b):
            break
        new = (*dense_bounds(runs_a), *dense_bounds(runs_b))
        if new == box:
            break
        box = new
    region.a0, region.a1, region.b0, region.b1 = box
    return before, blocks


# Share of a passage's matched words that must be words of three or more
# characters outside web addresses. In English and Russian prose about 70% of words are; in OCR
# debris of scanned pages ("i . I 1 ll ii") under 10%, and such runs chain
# into long spurious "spun" passages. Fixed a priori from that gap (measured
# on 1916 front pages: debris passages 0.00-0.10, wire reprints 0.67-0.84),
# not tuned on an evaluation set.
_MIN_CONTENT_SHARE = 0.3


def _content_share(blocks: list[Block], t: Tokens, base: int) -> float:
    """Share of the kept (equal) tokens of side A that are words of 3+
    characters outside web addresses (two posts linking to one site share
    "https site ru p utm_source tg utm_medium social", not text). O(blocks)
    from the text's running count of content tokens (:func:`_content_running`)."""
    spans = [(sa, ea) for equal, sa, ea, _, _ in blocks if equal]
    if not spans:
        return 1.0
    running = _content_running(t)
    first, last = np.array(spans, dtype=np.int64).T
    kept = int((last - first).sum())
    return int((running[base + last] - running[base + first]).sum()) / kept if kept else 1.0


_CONTENT_RUNNING: weakref.WeakKeyDictionary[Tokens, np.ndarray] = weakref.WeakKeyDictionary()


def _content_running(t: Tokens) -> np.ndarray:
    """Running count of content tokens (3+ characters, outside web addresses) before each
    token, cached per text: a document meets many regions in many pairs. O(tokens) once."""
    got = _CONTENT_RUNNING.get(t)
    if got is None:
        content = ((t.ends - t.starts) >= 3) & ~url_tokens(t)
        got = _CONTENT_RUNNING[t] = np.concatenate(([0], np.cumsum(content)))
    return got


def _to_passage(
    region: Region,
    ta: Tokens,
    tb: Tokens,
    params: Params,
    stats: AlignmentStats,
    aligned: tuple[tuple[int, int, int, int], list[Block]] | None = None,
    *,
    with_ops: bool = True,
) -> tuple[Passage, float] | None:
    """The region as a passage, with the largest ``min_words`` that still reports it.

    ``aligned``: a box and its blocks from :func:`_trim_edges`, used when the
    region's box is still that box. ``with_ops=False`` leaves the passage's
    ``ops`` empty (its kind is the same). Returns None (counted in ``stats``)
    when it is too short or too weak.
    """
    from rapidfuzz.distance import Indel

    a0, a1, b0, b1 = region.a0, region.a1, region.b0, region.b1
    words = min(a1 - a0, b1 - b0)
    short = words < params.min_words
    if short and words < SHORT_BORROWING_WORDS:
        stats.too_short += 1
        return None
    if aligned is not None and aligned[0] == (a0, a1, b0, b1):
        blocks = aligned[1]
    else:
        blocks = region_blocks(ta.ids, tb.ids, region, a0, a1, b0, b1)
    if a1 - a0 <= DIRECT_LIMIT and b1 - b0 <= DIRECT_LIMIT:
        seq_sim = Indel.normalized_similarity(ta.ids[a0:a1].tolist(), tb.ids[b0:b1].tolist())
    else:
        equal = sum(ea - sa for eq, sa, ea, _, _ in blocks if eq)
        seq_sim = 2 * equal / ((a1 - a0) + (b1 - b0))
    bag = bag_dice(ta.ids[a0:a1], tb.ids[b0:b1])
    coverage = _seed_coverage(region, a0, a1, b0, b1)
    sentence_backed = (
        region.sentence_seeds >= 2 or region.strong_sentences >= 1
    ) and bag >= params.min_score
    # a short borrowing: one strongly matching sentence (or a near-copy) of
    # SHORT_BORROWING_WORDS or more words, reported whatever min_words is
    borrowing = words >= SHORT_BORROWING_WORDS and (
        seq_sim >= 0.8 or (region.strong_sentences >= 1 and bag >= 0.5)
    )
    if short and not borrowing:
        stats.too_short += 1
        return None
    elif seq_sim < params.min_score and coverage < 0.5 and not sentence_backed:
        stats.low_score += 1
        return None
    if _content_share(blocks, ta, a0) < _MIN_CONTENT_SHARE:
        stats.low_score += 1  # OCR debris ("i . I 1 ll"): chance matches of letters
        return None
    if with_ops:
        ops, kept, subst, indel = word_ops(blocks, a1 - a0, b1 - b0, ta, tb, a0, b0)
    else:
        ops, (kept, subst, indel) = (), op_counts(blocks)
    if subst == 0 and indel == 0 and _same_forms(ta, tb, a0, a1, b0, b1):
        kind = "verbatim"
    else:
        kind = _kind(words, kept, subst, indel, region.sentence_seeds > 0)
        if kind == "verbatim":
            kind = "edited"
    passage = Passage(
        a=_with_punctuation(ta, a0, a1),
        b=_with_punctuation(tb, b0, b1),
        words=words,
        score=float(max(seq_sim, bag)),
        kind=kind,  # type: ignore[arg-type]
        ops=ops,
        tok_a=(a0, a1),
        tok_b=(b0, b1),
    )
    return passage, (float("inf") if borrowing else words)


_OPENING = frozenset("\"'«“‘„([¿¡")
_CLOSING = frozenset(".,;:!?…\"'»”’)]")


def _with_punctuation(t: Tokens, tok_start: int, tok_end: int) -> Span:
    """Character span of a token range, taking in the punctuation that opens
    and closes it ("“We note ... arena,”"), so a passage reads as a quotation
    rather than stopping before its full stop. At most 3 characters a side,
    never past a neighbouring token. O(1).
    """
    start, end = t.char_span(tok_start, tok_end)
    text = t.text
    floor = int(t.ends[tok_start - 1]) if tok_start > 0 else 0
    ceiling = int(t.starts[tok_end]) if tok_end < len(t) else len(text)
    for _ in range(3):
        if start > floor and text[start - 1] in _OPENING:
            start -= 1
        if end < ceiling and text[end] in _CLOSING:
            end += 1
    return Span(start, end)


def _inside(p: Passage, q: Passage) -> bool:
    """True if ``p``'s token ranges lie inside ``q``'s on both sides."""
    return q.tok_a[0] <= p.tok_a[0] and p.tok_a[1] <= q.tok_a[1] and q.tok_b[0] <= p.tok_b[0] and p.tok_b[1] <= q.tok_b[1]


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return max(0, min(x[1], y[1]) - max(x[0], y[0]))


def _drop_overlapping(
    passages: list[tuple[Passage, float]], stats: AlignmentStats
) -> list[Passage]:
    """Keep the strongest of passages that overlap on either side.

    A text repeated inside one document (an FAQ restating an article, a
    scrape that doubles every post) would otherwise give the same passage
    twice. Each passage comes with the largest ``min_words`` that reports it;
    passages reported under larger thresholds are placed first, then longer
    ones, then higher scores. So a passage found only under a smaller
    ``min_words`` never displaces one found under a larger: a smaller
    ``--min-words`` never finds less. O(P log P) for P passages.
    """
    import bisect

    kept: list[Passage] = []
    # kept intervals per side, sorted by start, for overlap look-ups
    starts_a: list[tuple[int, int]] = []
    starts_b: list[tuple[int, int]] = []

    def clashes(iv: tuple[int, int], index: list[tuple[int, int]]) -> bool:
        length = iv[1] - iv[0]
        k = bisect.bisect_left(index, (iv[0], -1))
        # neighbours on both sides; passages kept never overlap much, so a
        # few on each side are enough
        for s, e in index[max(0, k - 4) : k + 4]:
            if _overlap(iv, (s, e)) > 0.2 * length:
                return True
        return False

    ranked = sorted(passages, key=lambda x: (-x[1], -x[0].words, -x[0].score, x[0].tok_a, x[0].tok_b))
    for p, _ in ranked:
        if clashes(p.tok_a, starts_a) or clashes(p.tok_b, starts_b):
            stats.overlapping += 1
            continue
        kept.append(p)
        bisect.insort(starts_a, p.tok_a)
        bisect.insort(starts_b, p.tok_b)
    return sorted(kept, key=lambda p: (p.a.start, p.b.start))


def align_passages(
    ta: Tokens,
    tb: Tokens,
    params: Params,
    *,
    stats: AlignmentStats | None = None,
    ops: bool = True,
) -> list[Passage]:
    """Find every reused passage between two tokenised texts.

    Args:
        ta, tb: tokens of A and B (see :func:`detector.tokens.tokenize`).
        params: seed length, gap rules, thresholds (see :class:`Params`).
        stats: optional accumulator of what was kept and dropped, and why.
        ops: False leaves every passage's ``ops`` empty and is otherwise the
            same: the corpus report reads only spans, words, score and kind,
            and building (and sending back) the word operations of long OCR
            passages was a tenth of its alignment stage.

    Returns:
        Passages ordered by position in A, with character spans into both
        original texts and word operations. Symmetric: ``align_passages(tb,
        ta)`` gives the same passages with the sides swapped. O(L log L + S)
        for L tokens and S seeds (S is at most ``max_seed_df`` per token);
        two 1 MB texts take a few seconds.
    """
    stats = stats if stats is not None else AlignmentStats()
    # Seeds, chains and edge rules break ties by position (in repetitive text
    # several diagonals fit equally well), so the pair is always aligned in
    # one canonical order and mirrored when given the other way round.
    if (len(tb), tb.text) < (len(ta), ta.text):
        mirrored = [_mirror(p) for p in _align_ordered(tb, ta, params, stats, ops)]
        return sorted(mirrored, key=lambda p: (p.a.start, p.a.end, p.b.start, p.b.end))
    return _align_ordered(ta, tb, params, stats, ops)


_MIRROR_OP = {"keep": "keep", "substitute": "substitute", "insert": "delete", "delete": "insert"}


def _mirror(p: Passage) -> Passage:
    """The same passage seen from the other document (A and B swapped)."""
    return Passage(
        a=p.b,
        b=p.a,
        words=p.words,
        score=p.score,
        kind=p.kind,
        ops=tuple(WordOp(_MIRROR_OP[op.op], op.b, op.a) for op in p.ops),  # type: ignore[arg-type]
        tok_a=p.tok_b,
        tok_b=p.tok_a,
    )


def _mostly_copied(regions: list[Region], rects: list[tuple[int, int, int, int]]) -> list[bool]:
    """For each sentence pair ``(a0, a1, b0, b1)``: True if one exact seed run of
    ``regions`` spans half or more of it on either side: a copied sentence,
    whose ends the exact runs already give exactly (shared words would stretch
    them over neighbouring host text). A rewritten sentence keeps only short
    runs, however many. Vectorised over (sentence pair, run), in blocks of
    bounded size: O(S * M) for S pairs and M runs."""
    members = np.array([m for r in regions for m in r.members], dtype=np.int64).reshape(-1, 4)
    if not rects or not len(members):
        return [False] * len(rects)
    boxes = np.array(rects, dtype=np.int64).reshape(-1, 4)
    out = np.zeros(len(boxes), dtype=bool)
    step = max(1, (1 << 20) // len(members))
    for k in range(0, len(boxes), step):
        part = boxes[k : k + step]
        for side in (0, 2):  # the longest run overlapping the sentence, on each side
            lo, hi = members[:, side], members[:, side + 1]
            overlaps = (lo[None, :] < part[:, side + 1, None]) & (hi[None, :] > part[:, side, None])
            longest = np.where(overlaps, (hi - lo)[None, :], 0).max(axis=1)
            out[k : k + step] |= longest * 2 >= part[:, side + 1] - part[:, side]
    return out.tolist()


def _unshadowed(members: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Exact runs that set a region's ends: longest first, a run is left out when
    half of it on one side is text a longer run already pairs with other text
    (a phrase repeated in one document -- "And Naomi said unto her" -- met
    again inside the copied passage); it would stretch the passage over
    neighbouring text. O(M log M + covered tokens) for M runs."""
    if len(members) < 2:
        return members
    lo_a, hi_a = min(m[0] for m in members), max(m[1] for m in members)
    lo_b, hi_b = min(m[2] for m in members), max(m[3] for m in members)
    # byte masks: a region has few runs, and bytearray slices cost a fraction
    # of numpy calls at that size
    cov_a = bytearray(hi_a - lo_a)
    cov_b = bytearray(hi_b - lo_b)
    kept = []
    for m0, m1, n0, n1 in sorted(members, key=lambda m: m[0] - m[1]):
        x0, x1, y0, y1 = m0 - lo_a, m1 - lo_a, n0 - lo_b, n1 - lo_b
        on_a, on_b = cov_a.count(1, x0, x1), cov_b.count(1, y0, y1)
        if (2 * on_b >= y1 - y0 and not on_a) or (2 * on_a >= x1 - x0 and not on_b):
            continue
        cov_a[x0:x1] = b"\x01" * (x1 - x0)
        cov_b[y0:y1] = b"\x01" * (y1 - y0)
        kept.append((m0, m1, n0, n1))
    return kept


def _shared_word_bounds(
    rects: list[tuple[int, int, int, int]], ta: Tokens, tb: Tokens
) -> list[tuple[int, int, int, int]]:
    """For each sentence pair ``(a0, a1, b0, b1)``: the span from its first to
    its last word of three or more characters that occurs on both sides
    (stemmed), so that a rewritten sentence's passage starts and ends on
    matching words. O(tokens of the sentences)."""
    out = []
    for a0, a1, b0, b1 in rects:
        ia, ib = ta.ids[a0:a1], tb.ids[b0:b1]
        long_a = (ta.ends[a0:a1] - ta.starts[a0:a1]) >= 3
        long_b = (tb.ends[b0:b1] - tb.starts[b0:b1]) >= 3
        common = np.intersect1d(ia[long_a], ib[long_b])
        pa = np.flatnonzero(np.isin(ia, common) & long_a)
        pb = np.flatnonzero(np.isin(ib, common) & long_b)
        if len(pa) and len(pb):
            out.append((a0 + int(pa[0]), a0 + int(pa[-1]) + 1, b0 + int(pb[0]), b0 + int(pb[-1]) + 1))
    return out


def _with_joined(
    passages: list[tuple[Passage, float]],
    frags: list[tuple[int, int, int, int]],
    regions_seen: list[tuple[int, int, int, int]],
    ta: Tokens,
    tb: Tokens,
    params: Params,
    with_ops: bool,
) -> list[tuple[Passage, float]]:
    """Candidates plus condensed and expanded copies (:func:`detector.gaps.with_joined`),
    given this module's piece scoring and word alignment."""

    def run_piece(rect: tuple[int, int, int, int]) -> Passage | None:
        region = Region(*rect, matched=rect[1] - rect[0], seeds=1)
        region.add_member(rect)
        _extend_exact(region, ta.ids, tb.ids)
        found = _to_passage(region, ta, tb, params, AlignmentStats(), with_ops=with_ops)
        return found[0] if found is not None and found[1] == float("inf") else None

    def ops_of(a0: int, a1: int, b0: int, b1: int) -> tuple[WordOp, ...]:
        if not with_ops:
            return ()
        blocks = fused_blocks(ta.ids[a0:a1].tolist(), tb.ids[b0:b1].tolist())
        return word_ops(blocks, a1 - a0, b1 - b0, ta, tb, a0, b0)[0]

    return with_joined(passages, frags, regions_seen, ta, tb, params, run_piece, ops_of, SHORT_BORROWING_WORDS)


def _align_ordered(
    ta: Tokens, tb: Tokens, params: Params, stats: AlignmentStats, with_ops: bool = True
) -> list[Passage]:
    """:func:`align_passages` with A and B taken as given."""
    n = params.seed_ngram
    i, j = ngram_seeds(ta, tb, n, params.max_seed_df)
    stats.seeds = len(i)
    frags = fragments(i, j, n)
    regions = chain(frags, params)
    sentence_frags: list[tuple[int, int, int, int, bool]] = []
    # Sentence similarity is the costly seed (a sentence split and a tf-idf
    # product per pair); it only extends real evidence, so a pair whose exact
    # seeds never chain to a run of a few words is not worth it.
    if params.sentence_seeds and any(r.matched >= _SENTENCE_ANCHOR for r in regions):
        sentence_frags = sentence_seeds(ta, tb, params)
    stats.sentence_seeds = len(sentence_frags)
    strong_rects = [f[:4] for f in sentence_frags if f[4]]
    copied = dict(zip(strong_rects, _mostly_copied(regions, strong_rects), strict=True))
    for a0, a1, b0, b1, strong in sentence_frags:
        region = Region(a0, a1, b0, b1, matched=0, seeds=1, sentence_seeds=1)
        region.strong_sentences = int(strong)
        region.sentences.append((a0, a1, b0, b1))
        if strong and not copied[(a0, a1, b0, b1)]:
            region.strong.append((a0, a1, b0, b1))
        region.diag = (b0 + b1 - a0 - a1) // 2
        regions.append(region)
    regions = merge_close(regions, params)
    stats.candidates = len(regions)
    floor = min(params.min_words, SHORT_BORROWING_WORDS)
    passages = []
    regions_seen: list[tuple[int, int, int, int]] = []
    ida, idb = ta.ids, tb.ids
    for region in regions:
        if region.seeds < 2 and region.matched < floor and not region.strong_sentences:
            stats.too_short += 1
            continue
        if region.members:
            # sentence seeds bridge gaps inside a passage but do not set its
            # ends: their sentences may run on past the reused text. A
            # strongly matching sentence pair sets them at its first and last
            # shared word (a rewritten sentence has few exact runs)
            ends = _unshadowed(region.members) + _shared_word_bounds(region.strong, ta, tb)
            region.a0 = min(m[0] for m in ends)
            region.a1 = max(m[1] for m in ends)
            region.b0 = min(m[2] for m in ends)
            region.b1 = max(m[3] for m in ends)
        _extend_exact(region, ida, idb)
        for _ in range(8):  # grow over spun edge words, a window at a time
            if not _extend(region, ta, tb):
                break
            _extend_exact(region, ida, idb)
        if min(region.a1 - region.a0, region.b1 - region.b0) < floor:
            stats.too_short += 1  # trimming only shrinks it
            continue
        aligned = _trim_edges(region, ida, idb)
        if min(region.a1 - region.a0, region.b1 - region.b0) >= SHORT_BORROWING_WORDS and (
            region.seeds >= 2 or region.matched >= SHORT_BORROWING_WORDS or region.strong_sentences
        ):  # built the same way whatever min_words is: context for the gap rule
            regions_seen.append((region.a0, region.a1, region.b0, region.b1))
        found = _to_passage(region, ta, tb, params, stats, aligned, with_ops=with_ops)
        if found is not None:
            passage, limit = found
            # a lone short run only becomes a region when min_words <= its length
            if region.seeds < 2 and region.matched < SHORT_BORROWING_WORDS and not region.strong_sentences:
                limit = min(limit, region.matched)
            passages.append((passage, limit))
    found = {id(p) for p, _ in passages}
    passages = _with_joined(passages, frags, regions_seen, ta, tb, params, with_ops)
    result = _drop_overlapping(passages, stats)
    joined = [p for p in result if id(p) not in found]
    if joined:  # pieces inside a joined passage are not repeats: not counted as overlapping
        kept = {id(p) for p in result}
        stats.overlapping -= sum(
            1 for p, _ in passages
            if id(p) not in kept and any(_inside(p, j) for j in joined)
        )
    stats.kept = len(result)
    if not with_ops:  # a joined passage holds the operations of its gaps
        result = [replace(p, ops=()) if p.ops else p for p in result]
    return result
