"""Alignment seeds: shared word n-grams and similar sentence pairs.

Two kinds of evidence start an alignment (see :mod:`detector.align`):

* **n-gram seeds** -- token positions ``(i, j)`` where the same
  ``seed_ngram``-token sequence starts in A and in B. An n-gram occurring
  more than ``max_seed_df`` times in either text is not paired all-to-all
  (which would grow with the square of the copies) but by rank: its k-th
  occurrence in A with its k-th occurrence in B, and likewise counting from
  the end. A text made of one sentence repeated 100,000 times therefore
  still aligns with its copy, at linear cost.
* **sentence seeds** -- pairs of rough sentences whose stemmed-word tf-idf
  cosine and Dice pass thresholds (PAN 2014); stems absorb inflection
  ("ministry" = "ministries", "закрыли" = "закрыт"), or whose character
  n-gram cosine and Dice pass the same thresholds (:mod:`detector.charsim`:
  derivation, re-inflection and OCR damage that stems miss).

All positions are token indices.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detector.fingerprint import distinct_sorted, run_starts, shingle_hashes

if TYPE_CHECKING:
    from detector.params import Params
    from detector.tokens import Tokens

__all__ = ["fragments", "ngram_seeds", "sentence_seeds"]


def _join(
    ha: np.ndarray, pos_a: np.ndarray, hb: np.ndarray, pos_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(pos_a[x], pos_b[y])`` with ``ha[x] == hb[y]``. O((A + B) log A + pairs)."""
    order = np.argsort(ha, kind="stable")
    sorted_a = ha[order]
    left = np.searchsorted(sorted_a, hb, side="left")
    counts = np.searchsorted(sorted_a, hb, side="right") - left
    has = counts > 0
    if not has.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    j = np.repeat(pos_b[has], counts[has])
    starts = np.repeat(left[has], counts[has])
    within = np.arange(len(j)) - np.repeat(np.cumsum(counts[has]) - counts[has], counts[has])
    return pos_a[order][starts + within].astype(np.int64), j.astype(np.int64)


def _ranks(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable order of ``h``, each entry's rank among equal values, and the group sizes."""
    order = np.argsort(h, kind="stable")
    sh = h[order]
    first = np.concatenate(([True], sh[1:] != sh[:-1])) if len(sh) else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(sh)), 0))
    rank = np.arange(len(sh)) - group_start
    sizes = np.diff(np.concatenate((np.flatnonzero(first), [len(sh)])))
    size = np.repeat(sizes, sizes)
    return order, rank, size


def _rank_pairs(
    ha: np.ndarray, pos_a: np.ndarray, hb: np.ndarray, pos_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pair occurrences of frequent n-grams by rank, from the start and from the end.

    The k-th occurrence of an n-gram in A meets the k-th in B, and the k-th
    from last the k-th from last: a copied stretch of repeated text keeps its
    diagonal however often it repeats, and the cost is linear.
    """
    oa, _, _ = _ranks(ha)
    ob, rb, nb = _ranks(hb)
    sa, sb = ha[oa], hb[ob]
    pa, pb = pos_a[oa], pos_b[ob]
    out_i, out_j = [], []
    left = np.searchsorted(sa, sb, side="left")
    size_a = np.searchsorted(sa, sb, side="right") - left
    for from_end in (False, True):
        key_b = nb - 1 - rb if from_end else rb
        ok = key_b < size_a
        # rank k from the start sits at index k of A's group, from the end at size - 1 - k
        idx = left[ok] + (size_a[ok] - 1 - key_b[ok] if from_end else key_b[ok])
        out_i.append(pa[idx])
        out_j.append(pb[ok])
    i = np.concatenate(out_i).astype(np.int64)
    j = np.concatenate(out_j).astype(np.int64)
    if len(i) == 0:
        return i, j
    # distinct (i, j) in (i, j) order, as np.unique(axis=0) gives them
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    fresh = np.ones(len(i), dtype=bool)
    fresh[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    return i[fresh], j[fresh]


@dataclass(frozen=True)
class _Shingles:
    """One text's n-gram hashes, sorted once for every pair the text is in."""

    order: np.ndarray  # stable argsort of the n-gram hashes (int32: kept for every text of a corpus)
    count: np.ndarray  # occurrences in the text of the n-gram at each token (int32)


_SHINGLES: weakref.WeakKeyDictionary[Tokens, dict[int, _Shingles]] = weakref.WeakKeyDictionary()


def _shingles(t: Tokens, n: int) -> _Shingles:
    per_n = _SHINGLES.setdefault(t, {})
    got = per_n.get(n)
    if got is None:
        h = shingle_hashes(t.ids, n)
        order = np.argsort(h, kind="stable")
        ordered = h[order]
        count = np.empty(len(h), dtype=np.int32)
        starts = run_starts(ordered)
        sizes = np.diff(np.append(starts, len(h)))
        count[order] = np.repeat(sizes, sizes)
        got = per_n[n] = _Shingles(order.astype(np.int32), count)
    return got


def _occurrences(
    sa: _Shingles, sorted_a: np.ndarray, sb: _Shingles, sorted_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each token of B: the first index of its n-gram in A's sorted n-grams and
    how many times A has it. Searches with B's sorted n-grams (several times
    faster than unsorted needles) and scatters back to B's token order."""
    lo = np.searchsorted(sorted_a, sorted_b, side="left")
    hi = np.searchsorted(sorted_a, sorted_b, side="right")
    left = np.empty_like(lo)
    count = np.empty_like(lo)
    left[sb.order] = lo
    count[sb.order] = hi - lo
    return left, count


def ngram_seeds(ta: Tokens, tb: Tokens, n: int, max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Token positions ``(i, j)`` where the same n-gram starts in A and B.

    N-grams occurring at most ``max_df`` times in both texts are paired
    all-to-all; more frequent ones by rank (:func:`_rank_pairs`), so
    repeated text never goes silent and never costs the square of its
    copies. Each text's n-grams are hashed and sorted once (cached with its
    tokens); a pair then costs O(Lb log La + La log Lb + S) for S seeds,
    S <= max_df * (La + Lb). Same seeds, in the same order, as
    :func:`_ngram_seeds_reference`.
    """
    if len(ta) < n or len(tb) < n:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    sa, sb = _shingles(ta, n), _shingles(tb, n)
    # hashing again is cheaper than keeping 8 bytes a token for every text of a corpus
    ga, gb = shingle_hashes(ta.ids, n), shingle_hashes(tb.ids, n)
    sorted_a, sorted_b = ga[sa.order], gb[sb.order]
    left, in_a = _occurrences(sa, sorted_a, sb, sorted_b)  # per B token: where in A, how many
    _, in_b = _occurrences(sb, sorted_b, sa, sorted_a)
    # an n-gram frequent in either text is frequent for both
    rare_a = (sa.count <= max_df) & (in_b <= max_df)
    rare_b = (sb.count <= max_df) & (in_a <= max_df)
    has = rare_b & (in_a > 0)
    counts = in_a[has]
    j = np.repeat(np.flatnonzero(has), counts)
    within = np.arange(len(j)) - np.repeat(np.cumsum(counts) - counts, counts)
    i = sa.order[np.repeat(left[has], counts) + within]
    i, j = i.astype(np.int64), j.astype(np.int64)
    if not (rare_a.all() and rare_b.all()):
        fa, fb = np.flatnonzero(~rare_a), np.flatnonzero(~rare_b)
        if len(fa) and len(fb):
            ri, rj = _rank_pairs(ga[fa], fa, gb[fb], fb)
            i, j = np.concatenate((i, ri)), np.concatenate((j, rj))
    return i, j


def _ngram_seeds_reference(ta: Tokens, tb: Tokens, n: int, max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """The first, self-contained version of :func:`ngram_seeds` (test oracle).

    N-grams occurring at most ``max_df`` times in both texts are paired
    all-to-all; more frequent ones by rank (:func:`_rank_pairs`), so
    repeated text never goes silent and never costs the square of its
    copies. O((La + Lb) log(La + Lb) + S) for S seeds, S <= max_df * (La + Lb).
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
    # an n-gram rare in one text but frequent in the other is frequent for both
    frequent = np.union1d(ga[~ok_a], gb[~ok_b])
    rare_a = ok_a & ~np.isin(ga, frequent)
    rare_b = ok_b & ~np.isin(gb, frequent)
    pos_a, pos_b = np.flatnonzero(rare_a), np.flatnonzero(rare_b)
    i, j = _join(ga[pos_a], pos_a, gb[pos_b], pos_b)
    if len(frequent):
        fa, fb = np.flatnonzero(~rare_a), np.flatnonzero(~rare_b)
        if len(fa) and len(fb):
            ri, rj = _rank_pairs(ga[fa], fa, gb[fb], fb)
            i, j = np.concatenate((i, ri)), np.concatenate((j, rj))
    return i, j


def fragments(i: np.ndarray, j: np.ndarray, n: int) -> list[tuple[int, int, int, int]]:
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
    rows: np.ndarray  # int32
    lengths: np.ndarray  # tokens of each sentence
    vocab: np.ndarray  # sorted distinct ids of the text's sentences
    df: np.ndarray  # sentences containing each vocab id
    column: np.ndarray  # vocab index of each entry of ``ids``
    by_id: np.ndarray  # entry numbers in the order of (id, sentence)
    first_of: np.ndarray  # per vocab id, where its entries start in ``by_id``

    @property
    def ids(self) -> np.ndarray:
        """The id of each entry (not stored: ``vocab[column]``)."""
        return self.vocab[self.column]


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
    cuts = distinct_sorted(cuts[(cuts > 0) & (cuts < n)])
    return np.concatenate(([0], cuts)), np.concatenate((cuts, [n]))


def _sentence_index(t: Tokens) -> _SentenceIndex:
    """Rough sentences of 5+ tokens and their distinct ids, with the per-text
    parts of the sentence join (cached per text). Vectorised: O(T log T) for
    T tokens; :func:`_sentence_index_reference` is the plain loop it must equal."""
    cached = _SENTENCE_INDEX.get(t)
    if cached is not None:
        return cached
    s0, s1 = _rough_sentences(t)
    long = (s1 - s0) >= 5
    s0, s1 = s0[long], s1[long]
    ranges = list(zip(s0.tolist(), s1.tolist(), strict=True))
    lengths = (s1 - s0).astype(np.int64)
    tok = np.repeat(s0, lengths) + (
        np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    sent = np.repeat(np.arange(len(ranges), dtype=np.int64), lengths)
    ids = np.asarray(t.ids, dtype=np.uint64)[tok.astype(np.int64)]
    order = np.lexsort((ids, sent))
    ids, sent = ids[order], sent[order]
    fresh = np.ones(len(ids), dtype=bool)
    fresh[1:] = (ids[1:] != ids[:-1]) | (sent[1:] != sent[:-1])
    index = _with_join_parts(ranges, sent[fresh], ids[fresh], lengths)
    _SENTENCE_INDEX[t] = index
    return index


def _with_join_parts(
    ranges: list[tuple[int, int]], rows: np.ndarray, ids: np.ndarray, lengths: np.ndarray
) -> _SentenceIndex:
    vocab, column, df = np.unique(ids, return_inverse=True, return_counts=True)
    by_id = np.lexsort((rows, column))
    first_of = np.searchsorted(column[by_id], np.arange(len(vocab)))
    # int32: these stay in memory for every document of a corpus
    return _SentenceIndex(
        ranges, rows.astype(np.int32), lengths, vocab, df.astype(np.int32),
        column.astype(np.int32), by_id.astype(np.int32), first_of.astype(np.int32),
    )


def _sentence_index_reference(t: Tokens) -> _SentenceIndex:
    """The plain per-sentence loop :func:`_sentence_index` replaces (test oracle)."""
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
    return _with_join_parts(
        ranges,
        np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint64),
        np.array([y - x for x, y in ranges], dtype=np.int64),
    )


# A word in more than this many sentences of either text is left out of the
# sentence-pair join (its idf is low, and joining on it would pair every
# sentence with every other: the square of the repeats). Texts of up to this
# many sentences -- every news article -- are scored exactly.
_JOIN_DF_CAP = 64


def _df_at(vocab: np.ndarray, df: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Sentence frequency in a text (``vocab``/``df``) of each of ``ids`` (0 when absent)."""
    if not len(vocab):
        return np.zeros(len(ids), dtype=np.int64)
    pos = np.minimum(np.searchsorted(vocab, ids), len(vocab) - 1)
    return np.where(vocab[pos] == ids, df[pos], 0)


def _sentence_pair_scores(
    sa: _SentenceIndex, sb: _SentenceIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """tf-idf cosine and Dice of every sentence pair sharing a word.

    Returns ``(rows, cols, cosine, dice)`` for pairs sharing a word that
    occurs in at most ``_JOIN_DF_CAP`` sentences of each text; idf and the
    norms are computed over all words of the sentences of both texts (so a
    capped word only lowers the figures of long, repetitive texts). The
    per-text parts (distinct ids, sentence frequencies, entries sorted by id)
    are cached with each text's :class:`_SentenceIndex`, so a pair costs
    O(V log V + P) for V distinct words and P (sentence, sentence, shared
    word) triples; :func:`_sentence_pair_scores_reference` is the same
    computation done from scratch.
    """
    n_a, n_b = len(sa.ranges), len(sb.ranges)
    df_b_at_a = _df_at(sb.vocab, sb.df, sa.vocab)
    df_a_at_b = _df_at(sa.vocab, sa.df, sb.vocab)
    total = n_a + n_b + 1
    idf2_a = (np.log(total / (sa.df + df_b_at_a + 1)) + 1.0) ** 2
    idf2_b = (np.log(total / (sb.df + df_a_at_b + 1)) + 1.0) ** 2
    norm_a = np.sqrt(np.bincount(sa.rows, weights=idf2_a[sa.column], minlength=n_a)) + 1e-12
    norm_b = np.sqrt(np.bincount(sb.rows, weights=idf2_b[sb.column], minlength=n_b)) + 1e-12
    len_a = np.bincount(sa.rows, minlength=n_a)
    len_b = np.bincount(sb.rows, minlength=n_b)
    # the join: each joinable word of A meets B's entries of the same word
    joinable = (sa.df <= _JOIN_DF_CAP) & (df_b_at_a > 0) & (df_b_at_a <= _JOIN_DF_CAP)
    pos_b = np.searchsorted(sb.vocab, sa.vocab)
    ent_a = np.flatnonzero(joinable[sa.column])
    word = sa.column[ent_a]
    counts = df_b_at_a[word]
    lo = sb.first_of[pos_b[word]]
    a_entry = np.repeat(ent_a, counts)
    offsets = np.arange(len(a_entry)) - np.repeat(np.cumsum(counts) - counts, counts)
    b_entry = sb.by_id[np.repeat(lo, counts) + offsets]
    cell = sa.rows[a_entry].astype(np.int64) * n_b + sb.rows[b_entry]
    weight = idf2_a[sa.column[a_entry]]
    cells, inverse = _distinct_runs(cell)
    dot = np.bincount(inverse, weights=weight)
    inter = np.bincount(inverse)
    rows, cols = cells // n_b, cells % n_b
    cosine = dot / (norm_a[rows] * norm_b[cols])
    dice = 2 * inter / (len_a[rows] + len_b[cols])
    return rows, cols, cosine, dice


def _distinct_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by a stable sort.

    The join's cells arrive as ascending runs (each A entry meets B's
    sentences in order), which a stable sort (timsort) merges in about half
    the time of ``np.unique``'s sort. O(n log n), less on sorted runs.
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    fresh = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=fresh[1:])
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(fresh) - 1
    return ordered[fresh], inverse


def _sentence_pair_scores_reference(
    sa: _SentenceIndex, sb: _SentenceIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first, self-contained version of :func:`_sentence_pair_scores` (test oracle).

    Returns ``(rows, cols, cosine, dice)`` for pairs sharing a word that
    occurs in at most ``_JOIN_DF_CAP`` sentences of each text; idf and the
    norms are computed over all words of the sentences of both texts (so a
    capped word only lowers the figures of long, repetitive texts). Pairs are
    found by joining the two (sentence, word) lists on the word with numpy:
    O(E * cap) for E (sentence, word) entries, linear in the text.
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
    joinable = (df_a <= _JOIN_DF_CAP) & (df_b <= _JOIN_DF_CAP)
    ent_a = np.flatnonzero(joinable[col_a])
    ent_b = np.flatnonzero(joinable[col_b])
    ja, jb = col_a[ent_a], col_b[ent_b]
    order = np.argsort(jb, kind="stable")
    sorted_b = jb[order]
    lo = np.searchsorted(sorted_b, ja, side="left")
    hi = np.searchsorted(sorted_b, ja, side="right")
    counts = hi - lo
    a_entry = ent_a[np.repeat(np.arange(len(ja)), counts)]
    offsets = np.arange(len(a_entry)) - np.repeat(np.cumsum(counts) - counts, counts)
    b_entry = ent_b[order[np.repeat(lo, counts) + offsets]]
    cell = sa.rows[a_entry].astype(np.int64) * n_b + sb.rows[b_entry]
    weight = idf[col_a[a_entry]] ** 2
    cells, inverse = np.unique(cell, return_inverse=True)
    dot = np.bincount(inverse, weights=weight)
    inter = np.bincount(inverse)
    rows, cols = cells // n_b, cells % n_b
    cosine = dot / (norm_a[rows] * norm_b[cols])
    dice = 2 * inter / (len_a[rows] + len_b[cols])
    return rows, cols, cosine, dice


# A sentence pair this similar (tf-idf cosine, Dice of distinct stems) is a
# "strong" match: a borrowed sentence, reported even below ``min_words``
# (see :data:`detector.align.SHORT_BORROWING_WORDS`). Fixed a priori, not tuned.
STRONG_COSINE = 0.6
STRONG_DICE = 0.5
# The character channel scores only pairs whose word cosine reaches this share
# of ``params.sentence_cosine``: on same-topic real pairs (1916 pages) that is
# 1 sentence pair in 10, which bounds its cost; every paraphrase pair it
# rescued on the development data had a word cosine of 0.2 or more.
_CHAR_REACH = 2 / 3


def sentence_seeds(
    ta: Tokens, tb: Tokens, params: Params
) -> list[tuple[int, int, int, int, bool]]:
    """Token rectangles ``(a0, a1, b0, b1, strong)`` of similar sentence pairs.

    A pair qualifies when its tf-idf cosine and Dice pass
    ``params.sentence_cosine`` / ``params.sentence_dice``; ``strong`` when
    they pass :data:`STRONG_COSINE` / :data:`STRONG_DICE`. Sentences are rough
    ones (:func:`_rough_sentences`, cached per document). O(P) for P
    (sentence, sentence, shared word) triples.
    """
    sa, sb = _sentence_index(ta), _sentence_index(tb)
    if not sa.ranges or not sb.ranges:
        return []
    from detector.charsim import char_pair_scores, has_cyrillic

    rows, cols, cosine, dice = _sentence_pair_scores(sa, sb)
    if not (has_cyrillic(ta) and has_cyrillic(tb)):
        # no character channel: only pairs passing the word thresholds can be
        # kept, so the rest are dropped before the tests below (same result)
        passes = ((cosine >= STRONG_COSINE) & (dice >= STRONG_DICE)) | (
            (cosine > params.sentence_cosine) & (dice > params.sentence_dice)
        )
        rows, cols, cosine, dice = rows[passes], cols[passes], cosine[passes], dice[passes]
    # a paraphrased sentence keeps roughly its length; a pairing with a
    # much longer "sentence" (a splitter failure, a list) is topic overlap
    len_a, len_b = sa.lengths[rows], sb.lengths[cols]
    fits = np.maximum(len_a, len_b) <= 1.5 * np.minimum(len_a, len_b)
    rows, cols, cosine, dice = rows[fits], cols[fits], cosine[fits], dice[fits]
    strong = (cosine >= STRONG_COSINE) & (dice >= STRONG_DICE)
    keep = (cosine > params.sentence_cosine) & (dice > params.sentence_dice)
    # the character channel: same thresholds on character n-grams, for the
    # pairs within reach of the word channel (a cost bound, not a tuned one)
    near = ~strong & (cosine >= _CHAR_REACH * params.sentence_cosine)
    if near.any():
        c_cos, c_dice = char_pair_scores(ta, sa.ranges, tb, sb.ranges, rows[near], cols[near])
        strong[near] |= (c_cos >= STRONG_COSINE) & (c_dice >= STRONG_DICE)
        keep[near] |= (c_cos > params.sentence_cosine) & (c_dice > params.sentence_dice)
    keep |= strong
    out = []
    for r, c, s in zip(rows[keep].tolist(), cols[keep].tolist(), strong[keep].tolist(), strict=True):
        (a0, a1), (b0, b1) = sa.ranges[r], sb.ranges[c]
        out.append((a0, a1, b0, b1, bool(s)))
    return sorted(out)
