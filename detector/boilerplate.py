"""Corpus-level recurrence without document pairs: boilerplate, repeats, shared phrasing.

Three kinds of recurring text are found by counting, not by alignment, so
they scale linearly and are immune to the LSH bucket cap:

* **Boilerplate**: a *segment* (a line, or a sentence within a line) whose
  normalised words recur in at least ``min_docs`` documents of one outlet is
  that outlet's chrome (headers, paywall lines, subscription footers,
  Telegram's "Please open Telegram to view this post"). Adjacent
  boilerplate segments shared by the same documents merge into one block.
* **Repeats**: stretches repeated inside one document (exact runs of
  ``n``-grams, and repeated segments).
* **Shared phrasing**: 3-12-word formulae ("foreign minister Sergey Lavrov",
  "the Union State") whose 3-grams recur in several documents of several
  outlets. Occurrences inside one reuse or boilerplate cluster count once,
  so a reprint does not make a formula look widespread.

Every function is pure (arrays in, arrays or lists out) so both engines
call the same code.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from detector.schema import DocInfo, Phrase, PhraseExample

if TYPE_CHECKING:
    import numpy as np

    from detector.tokens import Tokens

__all__ = [
    "PHRASE_MAX_GRAMS",
    "PHRASE_MAX_WORDS",
    "PHRASE_MIN_WORDS",
    "PhraseSeq",
    "aggregate_phrases",
    "boilerplate_groups",
    "find_phrases",
    "phrase_grams",
    "phrase_occurrences",
    "phrase_seq",
    "repeat_runs",
    "segments",
    "select_phrase_grams",
]

EDGE_SEGMENTS = 3
"""Segments at each end of a document where chrome sits (see :func:`boilerplate_groups`)."""

PHRASE_MIN_WORDS = 3
PHRASE_MAX_WORDS = 12
PHRASE_MAX_GRAMS = 5000
"""Most phrase 3-grams looked up in documents: the most widespread ones. The
report lists a few hundred phrases, each at most ten 3-grams long, and in a
large corpus chance 3-grams of common words clear the count thresholds by
the tens of thousands (85,000 in 10,000 news-like documents), each costing
per-occurrence work later."""

# A segment ends at a line break, or after sentence-final punctuation.
# ... but not after an abbreviation or an initial ("Mr. Lavrov", "В. Путин").
_BOUNDARY_RE = regex.compile(
    r"\n|(?<=[.!?…])(?<!\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|St|Jr|Sr|No|vs|etc|Inc|Ltd|Co|"
    r"ул|г|гг|им|т|д|стр|руб|млн|млрд|тыс|проф|ген)\.)(?<!\b\p{Lu}\.)\s+"
)
_WORD_RE = regex.compile(r"[\p{L}\p{N}]")

# Function words: a phrase never starts or ends with one ("of the Union" is
# not a formula, "the Union State" trimmed to "Union State" would be).
_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our
    ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours also said says
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
    даже для до его ее ей ему если есть еще же за здесь и из или им их к как ко когда кто
    ли либо мне может мы на над надо наш не него нее нет ни них но ну о об однако он она
    они оно от очень по под при с со так также такой там те тем то того тоже той только
    том ты у уже хотя чего чей чем что чтобы чье чья эта эти это этот я""".split()
)


def segments(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lines and sentences of a text as normalised-word keys with character spans.

    Args:
        tokens: the tokenised document.

    Returns:
        ``(keys, starts, ends, words)``: ``uint64`` xxh3 keys of the
        segments' matching forms, character spans (first word start to last
        word end), and word counts. Segments of fewer than 3 words are left
        out. O(n) characters.
    """
    import numpy as np
    import xxhash

    text = tokens.text
    bounds = [0]
    bounds += [m.end() for m in _BOUNDARY_RE.finditer(text)]
    bounds.append(len(text))
    if len(tokens) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint64), empty, empty, empty
    first = np.searchsorted(tokens.starts, bounds[:-1], side="left")
    last = np.searchsorted(tokens.starts, bounds[1:], side="left")
    keys, starts, ends, words = [], [], [], []
    forms = tokens.forms
    for t0, t1 in zip(first.tolist(), last.tolist(), strict=True):
        if t1 - t0 < 3:
            continue
        keys.append(xxhash.xxh3_64_intdigest("\x1f".join(forms[t0:t1]).encode("utf-8", "surrogatepass")))
        starts.append(int(tokens.starts[t0]))
        ends.append(int(tokens.ends[t1 - 1]))
        words.append(t1 - t0)
    return (
        np.asarray(keys, dtype=np.uint64),
        np.asarray(starts, dtype=np.int64),
        np.asarray(ends, dtype=np.int64),
        np.asarray(words, dtype=np.int64),
    )


def boilerplate_groups(
    records: Iterable[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    outlets: Sequence[str | None],
    texts: Callable[[int], str],
    *,
    min_docs: int = 3,
    counted: Callable[[int], bool] | None = None,
    edge_segments: int = EDGE_SEGMENTS,
) -> list[list[tuple[int, int, int, int]]]:
    """Occurrence groups of chrome: text that recurs in the same role within an outlet.

    A segment is chrome when it occurs in at least ``min_docs`` counted
    documents of one outlet and, in most of its occurrences, sits among the
    first or last ``edge_segments`` segments of its document (mastheads,
    bylines, subscribe and paywall lines, footers). A sentence an outlet
    quotes in the middle of several stories is reuse, not chrome. The groups
    list every occurrence in every document, whatever the outlet, so a footer
    that sister channels share is one group across the network.

    Args:
        records: per document ``(doc index, keys, starts, ends, words)`` from
            :func:`segments`.
        outlets: outlet of each document index (None when unknown: such
            documents never define boilerplate, though they can contain it).
        texts: document text by index (to check that two segments are
            adjacent, i.e. only spaces and punctuation lie between them).
        min_docs: documents of one outlet a segment must recur in.
        counted: which documents count towards ``min_docs`` (default all);
            duplicate copies of one article must not make it chrome.
        edge_segments: how many segments at each end of a document are
            its edges.

    Returns:
        One list per boilerplate text of ``(doc index, start, end, words)``
        occurrences (in every document containing it, whatever the outlet).
        O(S log S) for S segments.
    """
    import numpy as np

    recs = list(records)
    if not recs:
        return []
    keys = np.concatenate([r[1] for r in recs]) if recs else np.zeros(0, np.uint64)
    if len(keys) == 0:
        return []
    # per segment: its document and whether it is among the document's first
    # or last ``edge_segments`` (vectorised: a million records are a million
    # small arrays otherwise)
    lens = np.fromiter((len(r[1]) for r in recs), dtype=np.int64, count=len(recs))
    doc_ids = np.fromiter((r[0] for r in recs), dtype=np.int64, count=len(recs))
    docs = np.repeat(doc_ids, lens)
    offsets = np.cumsum(lens) - lens
    pos = np.arange(len(keys), dtype=np.int64) - np.repeat(offsets, lens)
    edge = (pos < edge_segments) | (np.repeat(lens, lens) - 1 - pos < edge_segments)
    keys_all = keys  # every document's segments, for the blocks below
    if counted is not None:
        keep = np.fromiter((counted(int(r[0])) for r in recs), dtype=bool, count=len(recs))
        keep = np.repeat(keep, lens)
        keys, docs, edge = keys[keep], docs[keep], edge[keep]
    # an occurrence is at an edge when any copy of the key in that document is
    order = np.lexsort((~edge, docs, keys.view(np.int64)))
    keys, docs, edge = keys[order], docs[order], edge[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    pairs = np.stack((keys.view(np.int64)[first], docs[first]), axis=1)
    at_edge = edge[first]
    edge_share: dict[int, float] = {}
    uniq, counts = np.unique(pairs[:, 0], return_counts=True)
    frequent = set(uniq[counts >= min_docs].tolist())
    if not frequent:
        return []
    docs_of: dict[int, set[int]] = defaultdict(set)
    edges_of: dict[int, int] = defaultdict(int)
    for (key, doc), e in zip(pairs.tolist(), at_edge.tolist(), strict=True):
        if key in frequent:
            docs_of[key].add(doc)
            edges_of[key] += e
    for key, dset in docs_of.items():
        edge_share[key] = edges_of[key] / len(dset)
    boiler: dict[int, frozenset[int]] = {}
    for key, dset in docs_of.items():
        per_outlet: dict[str, int] = defaultdict(int)
        for d in dset:
            if outlets[d] is not None:
                per_outlet[outlets[d]] += 1  # type: ignore[index]
        if per_outlet and max(per_outlet.values()) >= min_docs and edge_share[key] > 0.5:
            boiler[key] = frozenset(dset)
    if not boiler:
        return []
    # blocks: adjacent boilerplate segments of a document with the same documents
    blocks: dict[tuple[int, ...], list[tuple[int, int, int, int]]] = defaultdict(list)
    # only the records holding a boilerplate key are visited
    hit = np.isin(keys_all.view(np.int64), np.fromiter(boiler, dtype=np.int64, count=len(boiler)))
    record_of = np.repeat(np.arange(len(recs)), lens)
    with_hit = np.flatnonzero(np.bincount(record_of[hit], minlength=len(recs)))
    for r in with_hit.tolist():
        doc, k, s, e, w = recs[r]
        rows = [
            (int(s[i]), int(e[i]), int(w[i]), int(k[i].view(np.int64)))
            for i in np.flatnonzero(hit[offsets[r] : offsets[r] + lens[r]]).tolist()
        ]
        if not rows:
            continue
        text = texts(doc)
        current: list[tuple[int, int, int, int]] = []
        for row in rows:
            if (
                current
                and boiler[row[3]] == boiler[current[-1][3]]
                and not _WORD_RE.search(text, current[-1][1], row[0])
            ):
                current.append(row)
                continue
            if current:
                _add_block(blocks, doc, current)
            current = [row]
        _add_block(blocks, doc, current)
    return [occ for _, occ in sorted(blocks.items(), key=lambda kv: (kv[1][0][0], kv[1][0][1]))]


def _add_block(
    blocks: dict[tuple[int, ...], list[tuple[int, int, int, int]]],
    doc: int,
    rows: list[tuple[int, int, int, int]],
) -> None:
    key = tuple(r[3] for r in rows)
    blocks[key].append((doc, rows[0][0], rows[-1][1], sum(r[2] for r in rows)))


def repeat_runs(
    tokens: Tokens,
    seg: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    *,
    n: int = 5,
    min_words: int = 10,
    max_occurrences: int = 50,
) -> list[tuple[int, int, int, int, int]]:
    """Stretches of a document that occur in it more than once.

    Args:
        tokens: the tokenised document.
        seg: its :func:`segments`, to also report repeated lines/sentences
            shorter than ``min_words``.
        n: exact n-gram length (tokens) that seeds a repeated run.
        min_words: shortest run (tokens) reported from n-gram seeds.
        max_occurrences: n-grams occurring more often are ignored (bounded
            work on pathological input).

    Returns:
        ``(start1, end1, start2, end2, words)`` character spans of pairs of
        equal stretches (the later one second). O(L log L) for L tokens.
    """
    import numpy as np

    from detector.fingerprint import shingle_hashes

    out: list[tuple[int, int, int, int, int]] = []
    if len(tokens) >= 2 * n:
        grams = shingle_hashes(tokens.ids, n)
        order = np.argsort(grams, kind="stable")
        sorted_grams = grams[order]
        same = sorted_grams[1:] == sorted_grams[:-1]
        if same.any():
            _, inv, counts = np.unique(sorted_grams, return_inverse=True, return_counts=True)
            ok = same & (counts[inv[1:]] <= max_occurrences)
            p1 = order[:-1][ok]
            p2 = order[1:][ok]
            keep = p2 - p1 >= n
            p1, p2 = p1[keep], p2[keep]
            if len(p1):
                d = p2 - p1
                o = np.lexsort((p1, d))
                p1, d = p1[o], d[o]
                breaks = np.flatnonzero((np.diff(d) != 0) | (np.diff(p1) != 1)) + 1
                bounds = np.concatenate(([0], breaks, [len(p1)]))
                for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
                    a0, dd = int(p1[s]), int(d[s])
                    a1 = int(p1[e - 1]) + n
                    a1 = min(a1, a0 + dd)  # an overlapping repeat ends where the next starts
                    if a1 - a0 < min_words:
                        continue
                    out.append(
                        (
                            int(tokens.starts[a0]),
                            int(tokens.ends[a1 - 1]),
                            int(tokens.starts[a0 + dd]),
                            int(tokens.ends[a1 - 1 + dd]),
                            a1 - a0,
                        )
                    )
    if seg is not None:
        keys, starts, ends, words = seg
        last: dict[int, int] = {}
        for i, key in enumerate(keys.tolist()):
            if key in last:
                j = last[key]
                out.append((int(starts[j]), int(ends[j]), int(starts[i]), int(ends[i]), int(words[i])))
            last[key] = i
    return out


@functools.lru_cache(maxsize=1)
def _stop_ids() -> np.ndarray:
    """Sorted token ids (``Tokens.ids``) of the function words, stemmed and not.

    A token is a function word when its matching form is that of one, so
    look-alike spellings ("thе" with a Cyrillic е) count too. Both stemmed
    and unstemmed forms are listed because ``Tokens`` does not record which
    was used; a content word whose stem equals a function word's ("others")
    is treated as one, which only trims a phrase edge.
    """
    import numpy as np

    from detector.tokens import tokenize

    words = " ".join(sorted(_STOPWORDS))
    ids = [tokenize(words, stem=stem).ids for stem in (True, False)]
    return np.unique(np.concatenate(ids))


def _stop_mask(tokens: Tokens) -> np.ndarray:
    import numpy as np

    stop = _stop_ids()
    ids = np.asarray(tokens.ids, dtype=np.uint64)
    pos = np.minimum(np.searchsorted(stop, ids), len(stop) - 1)
    return stop[pos] == ids


def _gram_hashes(tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """3-gram hashes and a mask of those not starting or ending with a function word."""
    import numpy as np

    from detector.fingerprint import shingle_hashes

    k = PHRASE_MIN_WORDS
    if len(tokens) < k:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    grams = shingle_hashes(tokens.ids, k)
    stop = _stop_mask(tokens)
    ok = ~stop[: len(grams)] & ~stop[k - 1 :]
    return grams, ok


def phrase_grams(tokens: Tokens) -> np.ndarray:
    """Distinct 3-gram hashes of a document usable as phrase seeds (``uint64``, sorted)."""

    grams, ok = _gram_hashes(tokens)
    from detector.fingerprint import distinct_sorted

    return distinct_sorted(grams[ok])


def select_phrase_grams(
    grams: Iterable[tuple[int, np.ndarray]],
    outlets: Sequence[str | None],
    *,
    min_docs: int = 3,
    min_outlets: int = 2,
    max_grams: int | None = PHRASE_MAX_GRAMS,
) -> tuple[np.ndarray, np.ndarray]:
    """3-grams in at least ``min_docs`` documents of at least ``min_outlets`` outlets.

    Args:
        grams: ``(doc index, phrase_grams(...))`` per document.
        outlets: outlet of each document index (None: unknown; counted as
            its own outlet per document, so it cannot inflate one outlet).
        max_grams: keep only this many, those in the most outlets (then the
            most documents, then by hash: deterministic); None keeps all.

    Returns:
        ``(selected, df)``: sorted ``uint64`` gram hashes and their document
        frequencies. Only 1-D sorts (per outlet, then of the union): O(G log G)
        for G grams.
    """
    import numpy as np

    from detector.fingerprint import distinct_sorted, sorted_counts

    parts = [(d, np.asarray(g, dtype=np.uint64)) for d, g in grams]
    empty = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    if not parts or not any(len(g) for _, g in parts):
        return empty
    uniq, counts = sorted_counts(np.concatenate([g for _, g in parts]))
    frequent = counts >= min_docs
    uniq, counts = uniq[frequent], counts[frequent]
    if len(uniq) == 0:
        return empty
    # each outlet's distinct grams once; a document without outlet is its own
    by_outlet: dict[str, list[np.ndarray]] = {}
    distinct: list[np.ndarray] = []
    for d, g in parts:
        if outlets[d] is None:
            distinct.append(g)
        else:
            by_outlet.setdefault(outlets[d], []).append(g)  # type: ignore[arg-type]
    distinct.extend(distinct_sorted(np.concatenate(gs)) for gs in by_outlet.values())
    wide, n_out = sorted_counts(np.concatenate(distinct))
    keep = n_out >= min_outlets
    wide, n_out = wide[keep], n_out[keep]
    chosen = np.intersect1d(uniq, wide, assume_unique=True)
    df = counts[np.searchsorted(uniq, chosen)]
    n_out = n_out[np.searchsorted(wide, chosen)]
    if max_grams is not None and len(chosen) > max_grams:
        top = np.lexsort((chosen, -df, -n_out))[:max_grams]
        chosen, df = chosen[top], df[top]
    order = np.argsort(chosen)
    return chosen[order], df[order].astype(np.int64)


@dataclass(frozen=True, eq=False)
class PhraseSeq:
    """A document's phrase 3-grams in text order, enough to find phrases without its tokens.

    Kept from the one tokenisation of the first corpus pass, so the phrase
    stage never tokenises a document again. About 17 bytes per token.

    Attributes:
        grams: ``uint64`` hash of the 3-gram starting at each token.
        ok: ``bool``, the 3-gram neither starts nor ends with a function word.
        starts, ends: character span of each 3-gram (first token's start,
            third token's end), ``int32`` (``int64`` for texts of 2**31
            characters or more).
    """

    grams: np.ndarray
    ok: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def phrase_seq(tokens: Tokens) -> PhraseSeq:
    """The :class:`PhraseSeq` of a tokenised document. O(n) tokens."""
    import numpy as np

    grams, ok = _gram_hashes(tokens)
    k = PHRASE_MIN_WORDS
    dtype = np.int32 if len(tokens.text) < 2**31 else np.int64
    n = len(grams)
    return PhraseSeq(
        grams=grams,
        ok=ok,
        starts=np.asarray(tokens.starts[:n], dtype=dtype),
        ends=np.asarray(tokens.ends[k - 1 : k - 1 + n], dtype=dtype),
    )


def find_phrases(
    seq: PhraseSeq, selected: np.ndarray, df: np.ndarray
) -> list[tuple[int, int, int, int]]:
    """Where the selected phrase grams occur in one document, joined into phrases.

    Consecutive selected 3-grams with the same document frequency are one
    phrase (they travel together), up to ``PHRASE_MAX_WORDS`` words.

    Args:
        seq: the document's :func:`phrase_seq`.
        selected, df: sorted gram hashes and their document frequencies
            (:func:`select_phrase_grams`).

    Returns:
        ``(key, start, end, words)``: a key of the phrase's matching forms
        (xxh3 of its 3-gram hashes, as a signed 64-bit int; equal for equal
        word sequences in any document, engine or run), and its character
        span. O(g log m) for g grams and m selected, plus O(h) for h hits.
    """
    import numpy as np
    import xxhash

    grams = seq.grams
    if len(grams) == 0 or len(selected) == 0:
        return []
    pos = np.searchsorted(selected, grams)
    pos = np.minimum(pos, len(selected) - 1)
    hit = seq.ok & (selected[pos] == grams)
    gdf = np.where(hit, df[pos], -1)
    out: list[tuple[int, int, int, int]] = []
    k = PHRASE_MIN_WORDS
    idx = np.flatnonzero(hit).tolist()
    i = 0
    while i < len(idx):
        j = i
        while (
            j + 1 < len(idx)
            and idx[j + 1] == idx[j] + 1
            and gdf[idx[j + 1]] == gdf[idx[i]]
            and idx[j + 1] - idx[i] + k <= PHRASE_MAX_WORDS
        ):
            j += 1
        g0, g1 = idx[i], idx[j]
        key = int(np.uint64(xxhash.xxh3_64_intdigest(grams[g0 : g1 + 1].tobytes())).view(np.int64))
        out.append((key, int(seq.starts[g0]), int(seq.ends[g1]), g1 - g0 + k))
        i = j + 1
    return out


def phrase_occurrences(
    tokens: Tokens, selected: np.ndarray, df: np.ndarray
) -> list[tuple[int, int, int, int]]:
    """:func:`find_phrases` of a tokenised document (see there)."""
    return find_phrases(phrase_seq(tokens), selected, df)


_URLISH = regex.compile(r"://|www\.|\]\(|[*/%=&@_#\\|]|\.(?:com|ru|org|net|io|me|tech|html?)\b", regex.I)
_DIGIT = regex.compile(r"\p{N}")
_PHRASE_WORD = regex.compile(r"[\p{L}\p{N}]+")
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("«", "»"), ("“", "”"), ("„", "“"))


def readable_phrase(text: str) -> bool:
    """Whether a phrase is one an analyst would read: words, not link or number pieces.

    False for web-address and query-string pieces, text with digits (dates,
    figures, percent-encodings), unbalanced brackets or quotes, and bare
    names (every word capitalised or a function word).
    """
    if _URLISH.search(text) or _DIGIT.search(text):
        return False
    for left, right in _PAIRS:
        if left == right:
            continue
        if text.count(left) != text.count(right) and not (left == "„" and text.count("„") == 0):
            return False
    if text.count('"') % 2:
        return False
    words = [w for w in regex.findall(r"[\p{L}]+", text) if w.casefold() not in _STOPWORDS]
    return any(w[:1].islower() for w in words)


def _expected_outlets(units: int, shares: Sequence[float]) -> float:
    """Outlets ``units`` independent occurrences would reach if they fell like documents do."""
    return sum(1.0 - (1.0 - p) ** units for p in shares) or 1.0


def aggregate_phrases(
    occurrences: Iterable[tuple[int, int, int, int, int]],
    documents: Sequence[DocInfo],
    texts: Callable[[int], str],
    unit_of: Callable[[int, int, int], Hashable],
    *,
    min_docs: int = 3,
    min_outlets: int = 2,
    limit: int = 300,
    chrome: Callable[[int, int, int], bool] | None = None,
) -> list[Phrase]:
    """Count phrase occurrences into :class:`Phrase` results.

    Args:
        occurrences: ``(doc index, key, start, end, words)``.
        documents: document metadata by index.
        texts: document text by index.
        unit_of: maps an occurrence ``(doc index, start, end)`` to its
            counting unit: a cluster it lies in, else its document.
        min_docs: independent units a phrase must occur in.
        min_outlets: outlets it must occur in.
        limit: most phrases returned.
        chrome: whether an occurrence lies in boilerplate (not counted).

    Returns:
        Readable (:func:`readable_phrase`), maximal phrases (none is part of
        a longer listed one), ranked by how unexpected their spread is: the
        outlets they reach over the outlets as many independent documents
        would reach by chance (outlet sizes as given), times log2(1 +
        independent occurrences). ``independent`` counts each document once
        (its first occurrence's unit), so it never exceeds ``documents``.
    """
    import math

    found: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for doc, key, start, end, words in occurrences:
        if chrome is not None and chrome(doc, start, end):
            continue
        found[key].append((doc, start, end, words))
    sizes: dict[str | None, int] = defaultdict(int)
    for d in documents:
        sizes[d.outlet] += 1
    total = max(1, len(documents))
    shares = [n / total for o, n in sizes.items() if o is not None]
    shares += [1 / total] * sizes.get(None, 0)
    scored: list[tuple[float, Phrase]] = []
    for occ in found.values():
        occ.sort()
        first_of: dict[int, tuple[int, int]] = {}
        for d, s, e, _ in occ:
            first_of.setdefault(d, (s, e))
        if len(first_of) < min_docs:  # fewer documents than units needed: no text to read
            continue
        d0, s0, e0, w0 = occ[0]
        text = texts(d0)[s0:e0]
        if not readable_phrase(text):
            continue
        docs = set(first_of)
        units = {unit_of(d, s, e) for d, (s, e) in first_of.items()}
        outlet_names = sorted({o for d in docs if (o := documents[d].outlet) is not None})
        known = len(outlet_names) + len({d for d in docs if documents[d].outlet is None})
        if len(units) < min_docs or known < min_outlets:
            continue
        seen_docs: list[PhraseExample] = []
        for d, s, e, _ in occ:
            if len(seen_docs) >= 5:
                break
            if all(x.doc != documents[d].id for x in seen_docs):
                seen_docs.append(PhraseExample(documents[d].id, s, e))
        phrase = Phrase(
            text=text,
            words=w0,
            documents=len(docs),
            independent=len(units),
            outlets=known,
            outlet_names=tuple(outlet_names),
            examples=tuple(seen_docs),
        )
        spread = known / _expected_outlets(len(units), shares)
        scored.append((spread * math.log2(1 + len(units)), phrase))
    # maximal: a phrase inside a longer one that is listed goes
    scored.sort(key=lambda x: (-x[1].words, -x[0], x[1].text))
    kept: list[tuple[float, Phrase]] = []
    inside: set[tuple[str, ...]] = set()  # every word run of a kept phrase
    for score, phrase in scored:
        words = tuple(_PHRASE_WORD.findall(phrase.text.casefold()))
        if words in inside:
            continue
        inside.update(words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1))
        kept.append((score, phrase))
    kept.sort(key=lambda x: (-x[0], -x[1].outlets, x[1].text))
    return [p for _, p in kept[:limit]]
