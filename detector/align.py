"""Passage alignment between two tokenised texts: seed, chain, merge, extend, score.

The method follows the seed-and-extend family used for text reuse (Smith et
al.'s passim; Sanchez-Perez et al., PAN 2014 text alignment):

1. **Seeds.** Shared n-grams (``Params.seed_ngram`` tokens) of normalised
   token forms; n-grams too frequent inside either text are ignored so
   repeated boilerplate cannot blow up the seed set. Optionally, sentence
   pairs with tf-idf cosine > 0.30 and Dice > 0.33 (the PAN 2014 winning
   thresholds) are added as seeds, so rewritten sentences are found too.
2. **Fragments.** Overlapping n-gram seeds on one diagonal (``b_pos - a_pos``)
   form maximal exact runs.
3. **Chains.** Fragments are chained in reading order when the gaps on both
   sides are at most ``max_gap_words`` and the diagonal drifts by at most
   ``max_diagonal_drift`` tokens: this is what keeps an edited or spun
   passage (words swapped, dropped or inserted) one passage.
4. **Merge.** Chains that lie close in *both* texts are merged whatever their
   diagonals, so a passage whose sentences were reordered stays one passage.
5. **Extend and score.** Edges are extended over nearly-matching words, the
   two token sequences are aligned with rapidfuzz (Levenshtein opcodes on
   token ids) to give word operations, a score and a kind; passages that
   are too short or too dissimilar are dropped, and overlapping passages
   (a repeat inside one document) keep only the strongest.

All positions inside this module are token indices; passages leave it with
character spans into the original texts.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from detector.fingerprint import distinct_sorted, shingle_hashes
from detector.schema import Passage, Span, WordOp

if TYPE_CHECKING:
    from detector.params import Params
    from detector.tokens import Tokens

__all__ = ["AlignmentStats", "align_passages"]


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


@dataclass
class _Region:
    """A rectangle of tokens [a0, a1) x [b0, b1) supported by seeds."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int  # tokens covered by exact seeds (A side)
    seeds: int
    sentence_seeds: int = 0
    diag: int = 0
    # exact n-gram runs only; sentence seeds are fuzzy rectangles and are
    # kept out of the repeat and coverage checks
    members: list[tuple[int, int, int, int]] = field(default_factory=list)


# ---------------------------------------------------------------- seeds


def _ngram_seeds(ta: Tokens, tb: Tokens, n: int, max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Token positions ``(i, j)`` where the same n-gram starts in A and B.

    O((La + Lb) log La + S) for S seeds.
    """
    if len(ta) < n or len(tb) < n:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    ga = shingle_hashes(ta.ids, n)
    gb = shingle_hashes(tb.ids, n)
    _, inv_a, ca = np.unique(ga, return_inverse=True, return_counts=True)
    _, inv_b, cb = np.unique(gb, return_inverse=True, return_counts=True)
    ok_a = ca[inv_a] <= max_df
    ok_b = cb[inv_b] <= max_df
    pos_a = np.flatnonzero(ok_a)
    pos_b = np.flatnonzero(ok_b)
    order = np.argsort(ga[pos_a], kind="stable")
    sorted_a = ga[pos_a][order]
    left = np.searchsorted(sorted_a, gb[pos_b], side="left")
    right = np.searchsorted(sorted_a, gb[pos_b], side="right")
    counts = right - left
    has = counts > 0
    if not has.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    j = np.repeat(pos_b[has], counts[has])
    starts = np.repeat(left[has], counts[has])
    within = np.arange(len(j)) - np.repeat(np.cumsum(counts[has]) - counts[has], counts[has])
    i = pos_a[order][starts + within]
    return i.astype(np.int64), j.astype(np.int64)


def _fragments(i: np.ndarray, j: np.ndarray, n: int) -> list[tuple[int, int, int, int]]:
    """Merge n-gram seeds on one diagonal into maximal runs ``(a0, a1, b0, b1)``."""
    if len(i) == 0:
        return []
    d = j - i
    order = np.lexsort((i, d))
    i, d = i[order], d[order]
    breaks = np.flatnonzero((np.diff(d) != 0) | (np.diff(i) > n)) + 1
    bounds = np.concatenate(([0], breaks, [len(i)]))
    frags = []
    for s, e in itertools.pairwise(bounds):
        a0 = int(i[s])
        a1 = int(i[e - 1]) + n
        b0 = a0 + int(d[s])
        frags.append((a0, a1, b0, b0 + (a1 - a0)))
    return frags


_SENTENCE_INDEX: weakref.WeakKeyDictionary[Tokens, _SentenceIndex] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _SentenceIndex:
    """Sentences of one text as token ranges, and their distinct token ids.

    ``rows[k]`` is the sentence of ``ids[k]``; cached per :class:`Tokens`
    object, so a document aligned against many others (a corpus) is split
    into sentences once.
    """

    ranges: list[tuple[int, int]]
    rows: np.ndarray
    ids: np.ndarray


def _rough_sentences(t: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Token ranges ``[s0, s1)`` of the text's rough sentences (see :func:`rough_sentence_cuts`).

    Seeds only need approximate boundaries: on ``benchmarks/reuse_eval.py``
    (four generator seeds) these give the same scores to three decimals as
    razdel's sentences, at 0.05 ms instead of about 1.4 ms per news article,
    which was a third of the corpus alignment stage.
    """
    from detector.sentences import rough_sentence_cuts

    n = len(t.starts)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cuts = np.searchsorted(t.starts, rough_sentence_cuts(t.text), side="left")
    cuts = np.unique(cuts[(cuts > 0) & (cuts < n)])
    return np.concatenate(([0], cuts)), np.concatenate((cuts, [n]))


def _sentence_index(t: Tokens) -> _SentenceIndex:
    cached = _SENTENCE_INDEX.get(t)
    if cached is not None:
        return cached

    ranges: list[tuple[int, int]] = []
    rows: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    s0, s1 = _rough_sentences(t)
    if len(s0):
        for x, y in zip(s0.tolist(), s1.tolist(), strict=True):
            if y - x >= 5:
                unique = distinct_sorted(t.ids[x:y])
                rows.append(np.full(len(unique), len(ranges), dtype=np.int64))
                ids.append(unique)
                ranges.append((x, y))
    index = _SentenceIndex(
        ranges,
        np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint64),
    )
    _SENTENCE_INDEX[t] = index
    return index


# Above this many (sentence of A, sentence of B, shared word) triples the
# pair-join below would use too much memory; sparse matrix products take over.
_DENSE_JOIN_LIMIT = 400_000


def _sentence_pair_scores(
    sa: _SentenceIndex, sb: _SentenceIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """tf-idf cosine and Dice of every sentence pair sharing a word.

    Returns ``(rows, cols, cosine, dice)`` for pairs with a shared word; idf
    is computed over the sentences of both texts. For news-length texts the
    pairs are found by joining the two (sentence, word) lists on the word
    with numpy (no per-call sparse-matrix set-up, which dominated the cost of
    aligning a corpus); for long texts, where frequent words would make the
    join large, sparse products are used. Both give the same figures.
    """
    n_a, n_b = len(sa.ranges), len(sb.ranges)
    vocab, columns = np.unique(np.concatenate([sa.ids, sb.ids]), return_inverse=True)
    col_a, col_b = columns[: len(sa.ids)], columns[len(sa.ids) :]
    df_a = np.bincount(col_a, minlength=len(vocab))
    df_b = np.bincount(col_b, minlength=len(vocab))
    idf = np.log((n_a + n_b + 1) / (df_a + df_b + 1)) + 1.0
    norm_a = np.sqrt(np.bincount(sa.rows, weights=idf[col_a] ** 2, minlength=n_a)) + 1e-12
    norm_b = np.sqrt(np.bincount(sb.rows, weights=idf[col_b] ** 2, minlength=n_b)) + 1e-12
    len_a = np.bincount(sa.rows, minlength=n_a)
    len_b = np.bincount(sb.rows, minlength=n_b)
    if int(np.dot(df_a.astype(np.int64), df_b)) <= _DENSE_JOIN_LIMIT:
        order = np.argsort(col_b, kind="stable")
        sorted_b = col_b[order]
        lo = np.searchsorted(sorted_b, col_a, side="left")
        hi = np.searchsorted(sorted_b, col_a, side="right")
        counts = hi - lo
        a_entry = np.repeat(np.arange(len(col_a)), counts)
        offsets = np.arange(len(a_entry)) - np.repeat(np.cumsum(counts) - counts, counts)
        b_entry = order[np.repeat(lo, counts) + offsets]
        cell = sa.rows[a_entry] * n_b + sb.rows[b_entry]
        weight = idf[col_a[a_entry]] ** 2
        cells, inverse = np.unique(cell, return_inverse=True)
        dot = np.bincount(inverse, weights=weight)
        inter = np.bincount(inverse)
        rows, cols = cells // n_b, cells % n_b
    else:
        from scipy import sparse

        xa = sparse.csr_matrix((idf[col_a], (sa.rows, col_a)), shape=(n_a, len(vocab)))
        xb = sparse.csr_matrix((idf[col_b], (sb.rows, col_b)), shape=(n_b, len(vocab)))
        ba = sparse.csr_matrix((np.ones(len(col_a)), (sa.rows, col_a)), shape=(n_a, len(vocab)))
        bb = sparse.csr_matrix((np.ones(len(col_b)), (sb.rows, col_b)), shape=(n_b, len(vocab)))
        # idf weights are >= 1, so both products have the same non-zeros (the
        # sentence pairs sharing a word) and, in canonical CSR form, the same
        # order: shared-word counts come from one more product, not from
        # fancy-indexing rows (which took seconds on 50,000-word texts)
        products = (xa @ xb.T).tocsr()
        products.sum_duplicates()
        shared = (ba @ bb.T).tocsr()
        shared.sum_duplicates()
        coo = products.tocoo()
        rows, cols, dot = coo.row, coo.col, coo.data
        if np.array_equal(products.indptr, shared.indptr) and np.array_equal(
            products.indices, shared.indices
        ):
            inter = shared.data
        else:  # never seen; kept so a SciPy change cannot misalign the counts
            inter = np.asarray(ba[rows].multiply(bb[cols]).sum(axis=1)).ravel()
    cosine = dot / (norm_a[rows] * norm_b[cols])
    dice = 2 * inter / (len_a[rows] + len_b[cols])
    return rows, cols, cosine, dice


def _sentence_seeds(
    ta: Tokens, tb: Tokens, params: Params
) -> list[tuple[int, int, int, int]]:
    """Token rectangles of sentence pairs with tf-idf cosine and Dice above thresholds.

    Sentences are rough ones (:func:`_rough_sentences`, cached per
    document). O(P) for P (sentence, sentence, shared word) triples.
    """
    sa, sb = _sentence_index(ta), _sentence_index(tb)
    if not sa.ranges or not sb.ranges:
        return []
    rows, cols, cosine, dice = _sentence_pair_scores(sa, sb)
    keep = (cosine > params.sentence_cosine) & (dice > params.sentence_dice)
    out = []
    for r, c in zip(rows[keep].tolist(), cols[keep].tolist(), strict=True):
        (a0, a1), (b0, b1) = sa.ranges[r], sb.ranges[c]
        # a paraphrased sentence keeps roughly its length; a pairing with a
        # much longer "sentence" (a splitter failure, a list) is topic overlap
        if max(a1 - a0, b1 - b0) <= 1.5 * min(a1 - a0, b1 - b0):
            out.append((a0, a1, b0, b1))
    return sorted(out)


# ---------------------------------------------------------------- chaining


def _chain(frags: list[tuple[int, int, int, int]], params: Params) -> list[_Region]:
    """Chain fragments along diagonals with gap rules (reading order in A).

    O(F * C) for F fragments and C chains active within ``max_gap_words``.
    """
    gap, drift = params.max_gap_words, params.max_diagonal_drift
    slack = params.seed_ngram
    chains: list[_Region] = []
    active: list[_Region] = []
    for a0, a1, b0, b1 in sorted(frags):
        diag = (b0 + b1 - a0 - a1) // 2
        active = [c for c in active if c.a1 + gap >= a0]
        best, best_cost = None, None
        for c in active:
            da, db = a0 - c.a1, b0 - c.b1
            if da < -slack or db < -slack or da > gap or db > gap:
                continue
            if a1 <= c.a1 and b1 <= c.b1:
                continue  # contained: an inner repeat, not progress
            if abs(diag - c.diag) > drift:
                continue
            cost = max(da, 0) + max(db, 0) + abs(diag - c.diag)
            if best_cost is None or cost < best_cost:
                best, best_cost = c, cost
        if best is None:
            region = _Region(a0, a1, b0, b1, matched=a1 - a0, seeds=1, diag=diag)
            region.members.append((a0, a1, b0, b1))
            chains.append(region)
            active.append(region)
        else:
            best.matched += max(0, a1 - max(a0, best.a1))
            best.a1, best.b1 = max(best.a1, a1), max(best.b1, b1)
            best.b0 = min(best.b0, b0)
            best.seeds += 1
            best.diag = diag
            best.members.append((a0, a1, b0, b1))
    return chains


def _gap(x0: int, x1: int, y0: int, y1: int) -> int:
    """Distance in tokens between intervals [x0, x1) and [y0, y1) (0 if they overlap)."""
    return max(0, max(x0, y0) - min(x1, y1))


def _merge_close(regions: list[_Region], params: Params) -> list[_Region]:
    """Merge regions close in both texts, whatever their diagonals (reordering).

    Only regions with real support (two seeds, or one run of at least
    ``2 * seed_ngram`` tokens) take part, so isolated shared formulae are
    never glued together. Repeats until stable; O(R^2) per pass for R regions
    that are few after chaining.
    """
    def supported(r: _Region) -> bool:
        return r.seeds >= 2 or r.sentence_seeds > 0 or r.matched >= 2 * params.seed_ngram

    strong = [r for r in regions if supported(r)]
    weak = [r for r in regions if not supported(r)]
    gap = params.max_gap_words
    changed = True
    while changed:
        changed = False
        strong.sort(key=lambda r: (r.a0, r.b0))
        out: list[_Region] = []
        for r in strong:
            for o in out:
                if (
                    _gap(r.a0, r.a1, o.a0, o.a1) <= gap
                    and _gap(r.b0, r.b1, o.b0, o.b1) <= gap
                    # never merge two copies of one text: A ranges overlapping
                    # while B ranges are disjoint (or vice versa) is a repeat
                    and not _is_repeat(r, o, params.min_words)
                ):
                    o.a0, o.a1 = min(o.a0, r.a0), max(o.a1, r.a1)
                    o.b0, o.b1 = min(o.b0, r.b0), max(o.b1, r.b1)
                    o.matched += r.matched
                    o.seeds += r.seeds
                    o.sentence_seeds += r.sentence_seeds
                    o.members.extend(r.members)
                    changed = True
                    break
            else:
                out.append(r)
        strong = out
    return strong + weak


def _is_repeat(r: _Region, o: _Region, min_run: int) -> bool:
    """True if some seed run of ``r`` covers the same A text as a run of ``o``
    but other B text (or the reverse): two copies of one text, not one passage.

    Only runs of at least ``min_run`` tokens count: a three-word formula
    occurring twice is not a copy of the text.

    Checked on member seeds, not bounding boxes: after reordered sentences
    merge, the box of the merged region legitimately contains the others.
    """
    long_r = [m for m in r.members if m[1] - m[0] >= min_run]
    long_o = [m for m in o.members if m[1] - m[0] >= min_run]
    for ra0, ra1, rb0, rb1 in long_r:
        for oa0, oa1, ob0, ob1 in long_o:
            half = min(ra1 - ra0, oa1 - oa0) / 2
            a_overlap = min(ra1, oa1) - max(ra0, oa0)
            b_overlap = min(rb1, ob1) - max(rb0, ob0)
            # a copy covers much of the same text on one side and none of
            # it on the other; a word shared at the seam of two reordered
            # sentences is not a copy
            if (a_overlap >= half and b_overlap <= 0) or (b_overlap >= half and a_overlap <= 0):
                return True
    return False


# ---------------------------------------------------------------- extension


def _extend(region: _Region, ta: Tokens, tb: Tokens, window: int = 8) -> bool:
    """Grow the edges over nearly matching words (at least half of them equal).

    A spun passage often starts or ends with a substituted word before the
    first shared n-gram; exact seeds alone would cut it off.
    """

    ida, idb = ta.ids, tb.ids
    # left edge: align the reversed windows just before the region
    wa = ida[max(0, region.a0 - window) : region.a0][::-1].tolist()
    wb = idb[max(0, region.b0 - window) : region.b0][::-1].tolist()
    ext_a, ext_b = _best_prefix(_blocks(wa, wb))
    if ext_a or ext_b:
        region.members.append((region.a0 - ext_a, region.a0, region.b0 - ext_b, region.b0))
    region.a0 -= ext_a
    region.b0 -= ext_b
    grown = ext_a or ext_b
    wa = ida[region.a1 : region.a1 + window].tolist()
    wb = idb[region.b1 : region.b1 + window].tolist()
    ext_a, ext_b = _best_prefix(_blocks(wa, wb))
    if ext_a or ext_b:
        region.members.append((region.a1, region.a1 + ext_a, region.b1, region.b1 + ext_b))
    region.a1 += ext_a
    region.b1 += ext_b
    return bool(grown or ext_a or ext_b)


Block = tuple[bool, int, int, int, int]  # (equal?, a_start, a_end, b_start, b_end)


def _blocks(a_ids: list[int], b_ids: list[int]) -> list[Block]:
    """rapidfuzz Levenshtein opcodes with adjacent non-equal opcodes fused.

    A spinner's one-to-three-word swap then appears as one block, not as a
    replace followed by an insert. O(len(a) * len(b) / 64) (bit-parallel).
    """
    from rapidfuzz.distance import Levenshtein

    out: list[Block] = []
    for op in Levenshtein.opcodes(a_ids, b_ids):
        equal = op.tag == "equal"
        if out and not equal and not out[-1][0]:
            _, sa, _, sb, _ = out[-1]
            out[-1] = (False, sa, op.src_end, sb, op.dest_end)
        else:
            out.append((equal, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return out


def _op_size(len_a: int, len_b: int) -> int:
    """Weight of an edit block: a substitution counts its shorter side, since a
    spinner's one-to-three-word swap ("vision" -> "imaginative and prescient")
    is one change; pure insertions and deletions count every word."""
    return min(len_a, len_b) if len_a and len_b else max(len_a, len_b)


def _best_prefix(blocks: list[Block]) -> tuple[int, int]:
    """Longest block prefix ending in a 2+ word match, with match ratio >= 1/2."""
    best = (0, 0)
    matched = total = 0
    for equal, sa, ea, sb, eb in blocks:
        size = _op_size(ea - sa, eb - sb)
        total += size
        if equal:
            matched += size
            # end on two shared words at least: one shared "the" beside a
            # different word is chance, not the passage going on
            if matched * 2 >= total and size >= 2:
                best = (ea, eb)
    return best


# ---------------------------------------------------------------- scoring


def _op_span(t: Tokens, base: int, start: int, end: int, length: int) -> Span:
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


def _word_ops(
    a_ids: list[int], b_ids: list[int], ta: Tokens, tb: Tokens, a0: int, b0: int
) -> tuple[tuple[WordOp, ...], int, int, int]:
    """Word operations between two token runs, and counts (kept, substituted, indel).

    Adjacent non-equal rapidfuzz opcodes are fused into one operation, so a
    one-word-to-three-words swap is one ``substitute`` ("vision" ->
    "imaginative and prescient") rather than a replace plus an insert.
    """
    from rapidfuzz.distance import Levenshtein

    ops: list[WordOp] = []
    kept = subst = indel = 0
    pending: list[int] | None = None  # [sa, ea, sb, eb] of fused non-equal ops

    def flush() -> None:
        nonlocal pending, subst, indel
        if pending is None:
            return
        sa, ea, sb, eb = pending
        if ea > sa and eb > sb:
            kind = "substitute"
            subst += ea - sa
        elif ea > sa:
            kind = "delete"
            indel += ea - sa
        else:
            kind = "insert"
            indel += eb - sb
        ops.append(
            WordOp(
                kind,  # type: ignore[arg-type]
                _op_span(ta, a0, sa, ea, len(a_ids)),
                _op_span(tb, b0, sb, eb, len(b_ids)),
            )
        )
        pending = None

    for op in Levenshtein.opcodes(a_ids, b_ids):
        if op.tag == "equal":
            flush()
            kept += op.src_end - op.src_start
            ops.append(
                WordOp(
                    "keep",
                    _op_span(ta, a0, op.src_start, op.src_end, len(a_ids)),
                    _op_span(tb, b0, op.dest_start, op.dest_end, len(b_ids)),
                )
            )
        elif pending is None:
            pending = [op.src_start, op.src_end, op.dest_start, op.dest_end]
        else:
            pending[1], pending[3] = op.src_end, op.dest_end
    flush()
    return tuple(ops), kept, subst, indel


def _kind(words: int, kept: int, subst: int, indel: int) -> str:
    if subst == 0 and indel == 0:
        return "verbatim"
    changed = subst + indel
    # Spinning swaps words in place: many substitutions, few pure insertions.
    if subst >= 0.12 * words and subst >= 2 * indel:
        return "spun"
    if changed <= 0.5 * words:
        return "edited"
    return "spun" if subst >= indel else "edited"


def _bag_dice(a_ids: np.ndarray, b_ids: np.ndarray) -> float:
    """Multiset Dice of two token-id runs (order-free similarity, 0..1)."""
    if len(a_ids) == 0 or len(b_ids) == 0:
        return 0.0
    ua, ca = np.unique(a_ids, return_counts=True)
    ub, cb = np.unique(b_ids, return_counts=True)
    common, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    inter = np.minimum(ca[ia], cb[ib]).sum() if len(common) else 0
    return float(2 * inter / (len(a_ids) + len(b_ids)))


def _seed_coverage(region: _Region, n_a: int, n_b: int) -> float:
    """Share of the region's tokens (the smaller side) covered by exact seeds."""
    cover_a = np.zeros(n_a, dtype=bool)
    cover_b = np.zeros(n_b, dtype=bool)
    for a0, a1, b0, b1 in region.members:
        cover_a[max(a0 - region.a0, 0) : a1 - region.a0] = True
        cover_b[max(b0 - region.b0, 0) : b1 - region.b0] = True
    return float(min(cover_a.mean() if n_a else 0.0, cover_b.mean() if n_b else 0.0))


def _covered_runs(members: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs ``[start, end)`` of tokens in ``[lo, hi)`` covered by ``members``."""
    cover = np.zeros(hi - lo, dtype=bool)
    for start, end in members:
        cover[max(start - lo, 0) : max(end - lo, 0)] = True
    if not cover.any():
        return []
    padded = np.concatenate(([False], cover, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(lo + int(x), lo + int(y)) for x, y in zip(edges[::2], edges[1::2], strict=True)]


def _dense_bounds(runs: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int]:
    """Bounds after cutting sparse edges off ``[lo, hi)``.

    Walking from an edge over the covered runs, the edge is cut at a gap when
    the text from the (current) edge through that gap is covered less than
    half: a short shared formula beside the passage, glued to it by the gap
    tolerance, is cut off, while a spun passage (many short runs with short
    gaps) keeps its ends. Only the outer half of the range may be cut.
    """
    if not runs:
        return lo, hi
    # uncovered ends come from sentence-seed rectangles whose sentences run
    # on past the reused text; the passage ends where shared words end
    if len(runs) < 2:
        return runs[0]
    half = (hi - lo) // 2

    left = None
    edge, covered = runs[0][0], 0
    for (s0, e0), (s1, _) in itertools.pairwise(runs):
        covered += e0 - s0
        if s1 - lo > half:
            break
        if covered * 2 < s1 - edge:  # [edge, s1) is mostly uncovered
            left, edge, covered = s1, s1, 0
    right = None
    edge, covered = runs[-1][1], 0
    for (s0, e0), (_, e1) in itertools.pairwise(reversed(runs)):
        covered += e0 - s0
        if hi - e1 > half:
            break
        if covered * 2 < edge - e1:  # [e1, edge) is mostly uncovered
            right, edge, covered = e1, e1, 0
    return (runs[0][0] if left is None else left), (runs[-1][1] if right is None else right)


def _trim_edges(region: _Region, ta: Tokens, tb: Tokens) -> None:
    """Cut sparse edges on each side independently, by exact-seed coverage.

    Chaining tolerates gaps so that spun text stays one passage, but the same
    tolerance can glue a shared formula lying just outside the passage
    ("foreign minister Sergei Lavrov") onto it. Coverage is judged per side,
    so a passage whose sentences were reordered is not cut.
    """
    if not region.members:
        return
    # words matched by exact seeds, plus words the sequence alignment keeps:
    # in spun text most kept words sit between substitutions, outside any
    # intact n-gram, and judging density by seeds alone would cut good ends
    blocks = _blocks(ta.ids[region.a0 : region.a1].tolist(), tb.ids[region.b0 : region.b1].tolist())
    kept = [
        (region.a0 + sa, region.a0 + ea, region.b0 + sb, region.b0 + eb)
        for equal, sa, ea, sb, eb in blocks
        if equal
    ]
    matched = region.members + kept
    runs_a = _covered_runs([(m[0], m[1]) for m in matched], region.a0, region.a1)
    runs_b = _covered_runs([(m[2], m[3]) for m in matched], region.b0, region.b1)
    region.a0, region.a1 = _dense_bounds(runs_a, region.a0, region.a1)
    region.b0, region.b1 = _dense_bounds(runs_b, region.b0, region.b1)


def _to_passage(
    region: _Region, ta: Tokens, tb: Tokens, params: Params, stats: AlignmentStats
) -> Passage | None:
    from rapidfuzz.distance import Indel

    a_run = ta.ids[region.a0 : region.a1]
    b_run = tb.ids[region.b0 : region.b1]
    words = min(len(a_run), len(b_run))
    if words < params.min_words:
        stats.too_short += 1
        return None
    a_list, b_list = a_run.tolist(), b_run.tolist()
    seq_sim = Indel.normalized_similarity(a_list, b_list)
    bag = _bag_dice(a_run, b_run)
    coverage = _seed_coverage(region, len(a_run), len(b_run))
    sentence_backed = region.sentence_seeds >= 2 and bag >= params.min_score
    if seq_sim < params.min_score and coverage < 0.5 and not sentence_backed:
        stats.low_score += 1
        return None
    ops, kept, subst, indel = _word_ops(a_list, b_list, ta, tb, region.a0, region.b0)
    return Passage(
        a=_with_punctuation(ta, region.a0, region.a1),
        b=_with_punctuation(tb, region.b0, region.b1),
        words=words,
        score=float(max(seq_sim, bag)),
        kind=_kind(words, kept, subst, indel),  # type: ignore[arg-type]
        ops=ops,
        tok_a=(region.a0, region.a1),
        tok_b=(region.b0, region.b1),
    )


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


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return max(0, min(x[1], y[1]) - max(x[0], y[0]))


def _drop_overlapping(passages: list[Passage], stats: AlignmentStats) -> list[Passage]:
    """Keep the strongest of passages that overlap on either side.

    A text repeated inside one document (an FAQ restating an article, a
    scrape that doubles every post) would otherwise give the same passage
    twice. Strength = words x score. O(P^2) for P passages.
    """
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: (-p.words * p.score, p.tok_a, p.tok_b)):
        clash = False
        for q in kept:
            oa, ob = _overlap(p.tok_a, q.tok_a), _overlap(p.tok_b, q.tok_b)
            la = p.tok_a[1] - p.tok_a[0]
            lb = p.tok_b[1] - p.tok_b[0]
            if oa > 0.2 * la or ob > 0.2 * lb:
                clash = True
                break
        if clash:
            stats.overlapping += 1
        else:
            kept.append(p)
    return sorted(kept, key=lambda p: (p.a.start, p.b.start))


def align_passages(
    ta: Tokens, tb: Tokens, params: Params, *, stats: AlignmentStats | None = None
) -> list[Passage]:
    """Find every reused passage between two tokenised texts.

    Args:
        ta, tb: tokens of A and B (see :func:`detector.tokens.tokenize`).
        params: seed length, gap rules, thresholds (see :class:`Params`).
        stats: optional accumulator of what was kept and dropped, and why.

    Returns:
        Passages ordered by position in A, with character spans into both
        original texts and word operations. Symmetric: ``align_passages(tb,
        ta)`` gives the same passages with the sides swapped. Typically
        O(L log L + S) for L tokens and S seeds; two 50,000-word texts take
        well under a second.
    """
    stats = stats if stats is not None else AlignmentStats()
    # Seeds, chains and edge rules break ties by position (in repetitive text
    # several diagonals fit equally well), so the pair is always aligned in
    # one canonical order and mirrored when given the other way round.
    if (len(tb), tb.text) < (len(ta), ta.text):
        mirrored = [_mirror(p) for p in _align_ordered(tb, ta, params, stats)]
        return sorted(mirrored, key=lambda p: (p.a.start, p.a.end, p.b.start, p.b.end))
    return _align_ordered(ta, tb, params, stats)


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


def _align_ordered(ta: Tokens, tb: Tokens, params: Params, stats: AlignmentStats) -> list[Passage]:
    """:func:`align_passages` with A and B taken as given."""
    n = params.seed_ngram
    i, j = _ngram_seeds(ta, tb, n, params.max_seed_df)
    stats.seeds = len(i)
    frags = _fragments(i, j, n)
    regions = _chain(frags, params)
    sentence_frags: list[tuple[int, int, int, int]] = []
    # Sentence similarity is the costly seed (a sentence split and a tf-idf
    # product per pair); it only extends real evidence, so a pair whose exact
    # seeds never chain to a passage-sized run is not worth it. In a corpus most
    # candidate pairs are of that kind.
    anchor = max(2 * n, params.min_words)
    if params.sentence_seeds and any(r.matched >= anchor for r in regions):
        sentence_frags = _sentence_seeds(ta, tb, params)
    stats.sentence_seeds = len(sentence_frags)
    for a0, a1, b0, b1 in sentence_frags:
        region = _Region(a0, a1, b0, b1, matched=0, seeds=1, sentence_seeds=1)
        region.diag = (b0 + b1 - a0 - a1) // 2
        regions.append(region)
    regions = _merge_close(regions, params)
    stats.candidates = len(regions)
    passages = []
    for region in regions:
        if region.seeds < 2 and region.matched < params.min_words:
            stats.too_short += 1
            continue
        if region.members:
            # sentence seeds bridge gaps inside a passage but do not set its
            # ends: their sentences may run on past the reused text
            region.a0 = min(m[0] for m in region.members)
            region.a1 = max(m[1] for m in region.members)
            region.b0 = min(m[2] for m in region.members)
            region.b1 = max(m[3] for m in region.members)
        for _ in range(8):  # grow over spun edge words, a window at a time
            if not _extend(region, ta, tb):
                break
        _trim_edges(region, ta, tb)
        passage = _to_passage(region, ta, tb, params, stats)
        if passage is not None:
            passages.append(passage)
    result = _drop_overlapping(passages, stats)
    stats.kept = len(result)
    return result
