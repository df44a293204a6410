"""Character n-gram similarity of sentence pairs: a channel that survives morphology.

Word stems (Snowball) absorb inflection, but not derivation ("закрыли" /
"закрытие", "invade" / "invasion") nor OCR damage ("unhappily" / "unliappih");
a paraphrase that re-inflects most of its words shares few stems. Character
n-grams of the word forms do share: each sentence becomes the set of
``GRAM``-character pieces of its words (a word is padded with a leading space,
so word starts count), weighted by idf over the sentences of both texts, and a
pair is scored by the cosine and Dice of those sets (the character n-gram
measure of PAN 2014 text-alignment systems; Sanchez-Perez et al. 2014 used
words, Glinos 2014 characters).

Only Cyrillic words make grams (see :data:`_CYRILLIC_WORD` for why).
Only candidate pairs are scored (pairs already found by the word join), so
the cost is O(sum of the candidates' gram counts), independent of the rest
of the texts. Gram sets are computed once per document and cached on its
:class:`~detector.tokens.Tokens` object.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from detector.tokens import Tokens

__all__ = ["GRAM", "char_pair_scores", "has_cyrillic", "url_tokens"]

# 4 characters: long enough that a shared piece is rarely chance (3-grams of
# English function words are everywhere), short enough that a Russian stem of
# 4-6 letters still yields two or three pieces.
GRAM = 4
# Forms shorter than this (mostly function words: "и", "не", "для") and
# forms with digits or other non-letters add no grams; they carry no topic,
# and debris ("ill", "i1l", "iii") would otherwise match debris.
_MIN_FORM = 4
# Only Cyrillic words make grams. Snowball's English stems already join the
# inflections of English, and on English text the channel mostly linked
# same-topic neighbours: measured on the development data, it bridged a
# copied paragraph into the next (different) paragraph on the same subject
# and made a 19-word restatement of one fact between two unrelated seed texts
# a passage. Russian, with six cases and rich derivation, is where stems fail.
_CYRILLIC_WORD = re.compile(r"[а-яё]+")
_ANY_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
# A sentence with fewer distinct grams than this (one or two content words)
# scores 0: two such sentences match by chance.
_MIN_GRAMS = 10

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ru|com|org|net|io|me|tech|info|by|ua)/\S*")
_URL_TOKENS: weakref.WeakKeyDictionary[Tokens, np.ndarray] = weakref.WeakKeyDictionary()


def url_tokens(t: Tokens) -> np.ndarray:
    """Boolean mask of the tokens inside web addresses (cached per text). O(text)."""
    cached = _URL_TOKENS.get(t)
    if cached is None:
        cached = np.zeros(len(t.starts), dtype=bool)
        # every address the pattern matches holds "/" or "www." (a scanned
        # page rarely does): the text scan is skipped for the others
        if "/" not in t.text and "www." not in t.text:
            _URL_TOKENS[t] = cached
            return cached
        for m in _URL.finditer(t.text):
            lo, hi = np.searchsorted(t.starts, [m.start(), m.end()], side="left")
            cached[lo:hi] = True
        _URL_TOKENS[t] = cached
    return cached



_WORD_GRAMS: dict[str, tuple[int, ...]] = {}
_WORD_GRAMS_LIMIT = 500_000


def _grams(form: str) -> tuple[int, ...]:
    """Hashes of the ``GRAM``-character pieces of ``" " + form`` (cached; in-process hashes)."""
    got = _WORD_GRAMS.get(form)
    if got is None:
        padded = " " + form
        if len(padded) <= GRAM:
            got = (hash(padded),)
        else:
            got = tuple(hash(padded[k : k + GRAM]) for k in range(len(padded) - GRAM + 1))
        if len(_WORD_GRAMS) < _WORD_GRAMS_LIMIT:
            _WORD_GRAMS[form] = got
    return got


@dataclass(frozen=True)
class _GramIndex:
    """Distinct gram hashes of each sentence of one text, and their sentence frequencies.

    ``grams[ptr[k]:ptr[k + 1]]`` are the grams of sentence ``k``; ``vocab``
    (sorted) and ``df`` count in how many sentences each gram occurs.
    """

    ptr: np.ndarray
    grams: np.ndarray
    vocab: np.ndarray
    df: np.ndarray


_INDEX: weakref.WeakKeyDictionary[Tokens, _GramIndex] = weakref.WeakKeyDictionary()


def _gram_index(t: Tokens, ranges: list[tuple[int, int]]) -> _GramIndex:
    """Gram sets of the sentences ``ranges`` of ``t`` (cached per text). O(tokens * grams a word).

    Grams are looked up once per distinct form and expanded to tokens with
    numpy; a (sentence, gram) pair is kept once.
    """
    cached = _INDEX.get(t)
    if cached is not None and len(cached.ptr) == len(ranges) + 1:
        return cached
    n_sent = len(ranges)
    sent_of = np.full(len(t.forms), -1, dtype=np.int64)
    for k, (x, y) in enumerate(ranges):
        sent_of[x:y] = k
    usable = (sent_of >= 0) & ~url_tokens(t)
    distinct, inverse = np.unique(t.ids, return_inverse=True)
    first = np.zeros(len(distinct), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    per_form: list[tuple[int, ...]] = []
    for k in first.tolist():
        f = t.forms[k]
        per_form.append(_grams(f) if len(f) >= _MIN_FORM and _CYRILLIC_WORD.fullmatch(f) else ())
    lengths = np.fromiter((len(g) for g in per_form), dtype=np.int64, count=len(per_form))
    flat = np.fromiter((h for g in per_form for h in g), dtype=np.int64, count=int(lengths.sum()))
    starts = np.cumsum(lengths) - lengths
    tok = np.flatnonzero(usable & (lengths[inverse] > 0))
    tok_len = lengths[inverse[tok]]
    within = np.arange(int(tok_len.sum())) - np.repeat(np.cumsum(tok_len) - tok_len, tok_len)
    grams = flat[np.repeat(starts[inverse[tok]], tok_len) + within]
    sents = np.repeat(sent_of[tok], tok_len)
    order = np.lexsort((grams, sents))
    grams, sents = grams[order], sents[order]
    fresh = np.ones(len(grams), dtype=bool)
    fresh[1:] = (grams[1:] != grams[:-1]) | (sents[1:] != sents[:-1])
    grams, sents = grams[fresh], sents[fresh]
    # sentences with too few grams (debris, a name or two) score 0
    sizes = np.bincount(sents, minlength=n_sent)
    small = sizes < _MIN_GRAMS
    if small.any():
        grams, sents = grams[~small[sents]], sents[~small[sents]]
        sizes[small] = 0
    vocab, df = np.unique(grams, return_counts=True)
    index = _GramIndex(np.concatenate(([0], np.cumsum(sizes))), grams, vocab, df)
    _INDEX[t] = index
    return index


def _gather(index: _GramIndex, sents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(pair number, gram)`` for every gram of every listed sentence (vectorised)."""
    lo, hi = index.ptr[sents], index.ptr[sents + 1]
    lengths = hi - lo
    total = int(lengths.sum())
    pair = np.repeat(np.arange(len(sents)), lengths)
    offset = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pair, index.grams[np.repeat(lo, lengths) + offset]


def _df_in(index: _GramIndex, grams: np.ndarray) -> np.ndarray:
    """How many sentences of ``index``'s text contain each gram (0 when absent)."""
    if not len(index.vocab):
        return np.zeros(len(grams), dtype=np.int64)
    pos = np.minimum(np.searchsorted(index.vocab, grams), len(index.vocab) - 1)
    return np.where(index.vocab[pos] == grams, index.df[pos], 0)


_CYRILLIC_TEXT: weakref.WeakKeyDictionary[Tokens, bool] = weakref.WeakKeyDictionary()


def has_cyrillic(t: Tokens) -> bool:
    """Whether the text has a Cyrillic letter (cached per text; English pages skip the channel)."""
    got = _CYRILLIC_TEXT.get(t)
    if got is None:
        got = _CYRILLIC_TEXT[t] = _ANY_CYRILLIC.search(t.text) is not None
    return got


def char_pair_scores(
    ta: Tokens,
    ranges_a: list[tuple[int, int]],
    tb: Tokens,
    ranges_b: list[tuple[int, int]],
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Character n-gram tf-idf cosine and Dice of the sentence pairs ``(rows[k], cols[k])``.

    ``ranges_a``/``ranges_b`` are the token ranges of the two texts'
    sentences; idf is ``log((S + 1) / (df + 1)) + 1`` over the S sentences of
    both texts, as for the word channel. Returns two float arrays aligned
    with ``rows``. O(G log G) for the G grams of the listed sentences.
    """
    if not len(rows) or not (has_cyrillic(ta) and has_cyrillic(tb)):
        zero = np.zeros(len(rows), dtype=np.float64)
        return zero, zero
    if len(ta) <= _SMALL_TEXT and len(tb) <= _SMALL_TEXT:
        return _small_pair_scores(ta, ranges_a, tb, ranges_b, rows, cols)
    return _vector_pair_scores(ta, ranges_a, tb, ranges_b, rows, cols)


def _vector_pair_scores(
    ta: Tokens,
    ranges_a: list[tuple[int, int]],
    tb: Tokens,
    ranges_b: list[tuple[int, int]],
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`char_pair_scores` with numpy, for long texts."""
    ia, ib = _gram_index(ta, ranges_a), _gram_index(tb, ranges_b)
    n_sent = len(ranges_a) + len(ranges_b)
    pair_a, grams_a = _gather(ia, np.asarray(rows, dtype=np.int64))
    pair_b, grams_b = _gather(ib, np.asarray(cols, dtype=np.int64))
    vocab, inverse = np.unique(np.concatenate((grams_a, grams_b)), return_inverse=True)
    df = _df_in(ia, vocab) + _df_in(ib, vocab)
    idf2 = (np.log((n_sent + 1) / (df + 1)) + 1.0) ** 2
    col_a, col_b = inverse[: len(grams_a)], inverse[len(grams_a) :]
    n_pairs = len(rows)
    norm_a = np.sqrt(np.bincount(pair_a, weights=idf2[col_a], minlength=n_pairs)) + 1e-12
    norm_b = np.sqrt(np.bincount(pair_b, weights=idf2[col_b], minlength=n_pairs)) + 1e-12
    size_a = np.bincount(pair_a, minlength=n_pairs)
    size_b = np.bincount(pair_b, minlength=n_pairs)
    width = len(vocab)
    shared = np.intersect1d(pair_a * width + col_a, pair_b * width + col_b, assume_unique=True)
    pair = shared // width
    dot = np.bincount(pair, weights=idf2[shared % width], minlength=n_pairs)
    inter = np.bincount(pair, minlength=n_pairs)
    cosine = dot / (norm_a * norm_b)
    dice = 2 * inter / np.maximum(size_a + size_b, 1)
    return cosine, dice


# Texts of up to this many tokens (posts, news items) are scored with Python
# sets: numpy's per-call overhead made the channel cost 0.3 ms a pair on
# Telegram posts, about as much as the rest of their alignment. Both paths
# give the same figures (tests/test_charsim.py).
_SMALL_TEXT = 3000


@dataclass(frozen=True)
class _GramSets:
    """Gram sets of one text's sentences and their sentence frequencies (small texts)."""

    sets: list[frozenset[int]]
    df: Counter[int]


_SETS: weakref.WeakKeyDictionary[Tokens, _GramSets] = weakref.WeakKeyDictionary()


def _gram_sets(t: Tokens, ranges: list[tuple[int, int]]) -> _GramSets:
    cached = _SETS.get(t)
    if cached is not None and len(cached.sets) == len(ranges):
        return cached
    forms = t.forms
    in_url = url_tokens(t).tolist()
    sets: list[frozenset[int]] = []
    for x, y in ranges:
        pieces: set[int] = set()
        for k in range(x, y):
            f = forms[k]
            if len(f) >= _MIN_FORM and not in_url[k] and _CYRILLIC_WORD.fullmatch(f):
                pieces.update(_grams(f))
        sets.append(frozenset(pieces) if len(pieces) >= _MIN_GRAMS else frozenset())
    got = _GramSets(sets, Counter(g for piece in sets for g in piece))
    _SETS[t] = got
    return got


def _small_pair_scores(
    ta: Tokens,
    ranges_a: list[tuple[int, int]],
    tb: Tokens,
    ranges_b: list[tuple[int, int]],
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`char_pair_scores` with Python sets: O(grams of the listed sentences)."""
    sa, sb = _gram_sets(ta, ranges_a), _gram_sets(tb, ranges_b)
    total = len(ranges_a) + len(ranges_b) + 1
    weights: dict[int, float] = {}

    def idf2(g: int) -> float:
        w = weights.get(g)
        if w is None:
            w = weights[g] = (math.log(total / (sa.df.get(g, 0) + sb.df.get(g, 0) + 1)) + 1.0) ** 2
        return w

    cosine = np.zeros(len(rows), dtype=np.float64)
    dice = np.zeros(len(rows), dtype=np.float64)
    for k, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        x, y = sa.sets[r], sb.sets[c]
        shared = x & y
        if not shared:
            continue
        norm_x = math.sqrt(sum(idf2(g) for g in x)) + 1e-12
        norm_y = math.sqrt(sum(idf2(g) for g in y)) + 1e-12
        cosine[k] = sum(idf2(g) for g in shared) / (norm_x * norm_y)
        dice[k] = 2 * len(shared) / (len(x) + len(y))
    return cosine, dice
