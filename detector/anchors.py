"""Cross-language candidate pairs from language-independent anchors (Russian <-> English).

A translated passage keeps what translation does not change: numbers,
dates, proper names (in another script), URLs and hashtags. This module
extracts those *anchors* from every document, and pairs a Cyrillic-script
document with a Latin-script one when they share enough rare anchors, so
that the sentence encoder (:mod:`detector.crosslingual`) only runs on the
few places of the few documents that can hold a translation, never on the
whole corpus.

Anchors (each a string key, with the character offsets where it occurs):

* ``n:`` numbers of two or more digits, separators normalised
  ("1 500", "1,500" -> ``1500``; "3,5", "3.5" -> ``3.5``);
* ``d:`` dates with a month name, day-month ("12 апреля", "April 12",
  "12th April" -> ``d:04-12``) and numeric ``12.04.2024``;
* ``p:`` proper names: capitalised words not at the start of a sentence
  or line, Cyrillic ones transliterated by the ``iuliia`` library (Wikipedia
  scheme: "Зеленского" -> "Zelenskogo"), reduced to a consonant skeleton
  of at most four letters (``slns`` for Zelensky/Зеленского, ``bdn`` for
  Biden/Байдена, ``mskv`` for Moscow/Москве) so case endings and spelling
  conventions mostly drop out; acronyms (НАТО/NATO) as ``a:``;
* ``u:`` URLs (host and path, lower-cased, no scheme or ``www.``) and
  ``h:`` hashtags (lower-cased).

A pair's score is the sum over its shared anchors of the mean of the two
sides' inverse document frequencies, ``log(1 + max(N, 1000) / df)`` among
the Cyrillic and among the Latin documents (only anchors within ``window``
characters of each other on both sides count); anchors in more than
``max_df`` of either side's documents are ignored (they pair everything). A pair is
kept when it shares ``min_shared`` distinct anchors, scores at least
``min_score``, and is among the ``top_k`` best of both its documents.

Each kept pair carries *regions*: character ranges of both documents
within ``window`` characters of a shared anchor (merged), where the
alignment will look. Cost: O(total characters) for extraction (regex;
transliteration cached per word) plus a sparse product over the anchors
kept, which is proportional to the candidate pairs it yields.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from collections.abc import Sequence

    from detector.schema import Document

__all__ = [
    "DEFAULT_ANCHOR_PARAMS",
    "AnchorParams",
    "AnchorStats",
    "CrossCandidate",
    "cross_candidates",
    "doc_anchors",
    "is_cyrillic",
    "name_key",
    "script_of",
]


@dataclass(frozen=True)
class AnchorParams:
    """Tuning of the cross-language candidate search.

    Attributes:
        max_df: anchors in more than this share of either side's documents
            (Cyrillic, Latin) are ignored (at least ``min_df_cap`` documents
            are always allowed).
        min_df_cap: an anchor in at most this many documents is always used.
        min_shared: fewest distinct shared anchors of a candidate pair.
        min_score: lowest summed IDF of the shared anchors.
        top_k: a pair is kept when it is among the ``top_k`` best of
            both of its documents (``mutual``) or of either.
        mutual: require the ``top_k`` rank on both sides.
        window: characters around a shared anchor that the alignment reads.
    """

    max_df: float = 0.05
    min_df_cap: int = 20
    min_shared: int = 2
    min_score: float = 12.0
    top_k: int = 3
    mutual: bool = True
    window: int = 1000

    def with_(self, **changes: object) -> AnchorParams:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_ANCHOR_PARAMS = AnchorParams()


@dataclass
class AnchorStats:
    """Counters of one candidate search (for notes and benchmarks)."""

    cyrillic_docs: int = 0
    latin_docs: int = 0
    anchors: int = 0
    anchors_used: int = 0
    pairs_sharing: int = 0
    candidates: int = 0


@dataclass(frozen=True)
class CrossCandidate:
    """A Cyrillic/Latin document pair that may hold a translation.

    Attributes:
        i: index of the first document (``i < j``) in the input sequence.
        j: index of the second document.
        score: summed IDF of the shared anchors.
        shared: the shared anchor keys, sorted.
        regions_i: merged ``(start, end)`` character ranges of document ``i``
            around the shared anchors.
        regions_j: the same for document ``j``.
        offsets_i: where the co-located shared anchors sit in document ``i``.
        offsets_j: the same for document ``j``.
    """

    i: int
    j: int
    score: float
    shared: tuple[str, ...] = field(repr=False)
    regions_i: tuple[tuple[int, int], ...]
    regions_j: tuple[tuple[int, int], ...]
    offsets_i: tuple[int, ...] = field(default=(), repr=False)
    offsets_j: tuple[int, ...] = field(default=(), repr=False)


# ------------------------------------------------------------------ extraction

_CYR = regex.compile(r"\p{Cyrillic}+")
_LET = regex.compile(r"\p{L}+")
_GROUPED = regex.compile(r"\d{1,3}(?:[ ,]\d{3})+")
_URL = regex.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"'«»]+", regex.IGNORECASE)
_HASHTAG = regex.compile(r"(?<![\w#])#(\w{2,})")
_NUMBER = regex.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?)(?![\w])"
)
_RU_MONTHS = (
    "январ", "феврал", "март", "апрел", "ма[йя]", "июн", "июл", "август",
    "сентябр", "октябр", "ноябр", "декабр",
)
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_RU = regex.compile(
    r"\b(\d{1,2})\s+(" + "|".join(_RU_MONTHS) + r")\p{L}*", regex.IGNORECASE
)
_EN_MONTH_WORD = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE_EN_DM = regex.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _EN_MONTH_WORD)
_DATE_EN_MD = regex.compile(r"\b" + _EN_MONTH_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_DATE_NUM = regex.compile(r"\b(\d{1,2})[./](\d{1,2})[./](?:\d{4}|\d{2})\b")
# A capitalised word is a name unless the text before it ends a sentence or
# line: the previous non-space character must continue a sentence.
_NAME = regex.compile(r"(?<=[\p{Ll}\p{N},;\-–—(][ \t\u00a0]{1,3})\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)*")
_ACRONYM = regex.compile(r"\b\p{Lu}{3,6}\b")
_SCRIPT_SAMPLE = 4000
_MIN_CORPUS = 1000
"""IDF is computed as if the corpus had at least this many documents, so a
small corpus (two documents compared) is not told that every anchor is common."""
_VOWELS = str.maketrans("", "", "aeiouyh")
_LETTER_MAP = str.maketrans({"c": "k", "q": "k", "w": "v", "z": "s", "j": "y", "x": "k"})


def is_cyrillic(doc: Document | str) -> bool:
    """True when most letters are Cyrillic (or ``lang`` says a Cyrillic language).

    O(len(text)); no model.
    """
    from detector.lang import CYRILLIC_LANGUAGES

    text = doc if isinstance(doc, str) else doc.text
    lang = None if isinstance(doc, str) else doc.lang
    if lang:
        return lang in CYRILLIC_LANGUAGES
    return script_of(text) == "cyrillic"


def script_of(text: str) -> str:
    """``"cyrillic"`` (over half the letters, URLs left out), ``"latin"`` (under a fifth), else ``"mixed"``.

    Russian posts full of links, code and English product names stay
    ``cyrillic``; a document in between is ``mixed`` and is not paired.
    Reads the first 4,000 characters: O(1) per document.
    """
    bare = _URL.sub(" ", text[:_SCRIPT_SAMPLE])
    letters = sum(map(len, _LET.findall(bare)))
    if not letters:
        return "mixed"
    share = sum(map(len, _CYR.findall(bare))) / letters
    return "cyrillic" if share > 0.5 else "latin" if share < 0.2 else "mixed"


@lru_cache(maxsize=1)
def _wikipedia_schema():  # type: ignore[no-untyped-def]
    import iuliia

    return iuliia.WIKIPEDIA


@lru_cache(maxsize=200_000)
def _latin(word: str) -> str:
    """ASCII lower-case form: Cyrillic transliterated by iuliia, accents dropped."""
    if _CYR.search(word):
        word = _wikipedia_schema().translate(word)
    folded = unicodedata.normalize("NFKD", word)
    return "".join(c for c in folded if c.isascii() and c.isalpha()).lower()


@lru_cache(maxsize=200_000)
def name_key(word: str) -> str | None:
    """The consonant skeleton of a proper name in either script, or None if too weak.

    Transliterate (iuliia, Wikipedia scheme), map ``c q x -> k``, ``w -> v``,
    ``z -> s``, ``j -> y``, drop vowels and ``h``, collapse repeats, keep
    the first four letters; names under four letters or with fewer than
    two consonants give None. ``name_key("Байдена") == name_key("Biden")``.
    """
    if len(word) < 4:
        return None
    latin = _latin(word)
    skel = latin.replace("ph", "f").replace("ck", "k").translate(_LETTER_MAP).translate(_VOWELS)
    out: list[str] = []
    for ch in skel:
        if not out or out[-1] != ch:
            out.append(ch)
    key = "".join(out[:4])
    return key if len(key) >= 2 else None


def _number_key(raw: str) -> str | None:
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if _GROUPED.fullmatch(s):
        s = s.replace(" ", "").replace(",", "")
    else:
        s = s.replace(",", ".")
    digits = s.replace(".", "").lstrip("0")
    return s if len(digits) >= 2 else None


def _blank(text: str, pattern: regex.Pattern[str]) -> str:
    """``text`` with ``pattern``'s matches replaced by spaces (offsets kept)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def doc_anchors(text: str, script: str | None = None) -> dict[str, list[int]]:
    """Anchor key -> character offsets in ``text`` (see the module docstring).

    ``script`` (``"cyrillic"`` / ``"latin"``, default: both) only selects
    which month names are looked for. O(len(text)) regex work; each
    distinct capitalised word is transliterated once per process (cached).
    """
    out: dict[str, list[int]] = defaultdict(list)
    for m in _URL.finditer(text):
        url = regex.sub(r"^(?:https?://)?(?:www\.)?", "", m.group().lower()).rstrip("/.,;:!?")
        if url:
            out["u:" + url].append(m.start())
    rest = _blank(text, _URL)
    for m in _HASHTAG.finditer(rest):
        out["h:" + m.group(1).lower()].append(m.start())
    rest = _blank(rest, _HASHTAG)
    for m in _DATE_RU.finditer(rest) if script != "latin" else ():
        month = next(k for k, pat in enumerate(_RU_MONTHS, 1) if regex.match(pat, m.group(2).lower()))
        out[f"d:{month:02d}-{int(m.group(1)):02d}"].append(m.start())
    for m in _DATE_EN_DM.finditer(rest) if script != "cyrillic" else ():
        month = _EN_MONTHS.index(m.group(2).lower()[:3]) + 1
        out[f"d:{month:02d}-{int(m.group(1)):02d}"].append(m.start())
    for m in _DATE_EN_MD.finditer(rest) if script != "cyrillic" else ():
        month = _EN_MONTHS.index(m.group(1).lower()[:3]) + 1
        out[f"d:{month:02d}-{int(m.group(2)):02d}"].append(m.start())
    for m in _DATE_NUM.finditer(rest):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            out[f"d:{month:02d}-{day:02d}"].append(m.start())
    for m in _NUMBER.finditer(rest):
        key = _number_key(m.group())
        if key is not None:
            out["n:" + key].append(m.start())
    for m in _ACRONYM.finditer(rest):
        latin = _latin(m.group())
        if len(latin) >= 3:
            out["a:" + latin].append(m.start())
    for m in _NAME.finditer(rest):
        key = name_key(m.group())
        if key is not None:
            out["p:" + key].append(m.start())
    return dict(out)


# ------------------------------------------------------------------ pairing


def _regions(offsets: Sequence[int], window: int, length: int) -> tuple[tuple[int, int], ...]:
    """Merged ``[o - window, o + window)`` ranges around ``offsets``, clipped to the text."""
    spans = sorted((max(o - window, 0), min(o + window, length)) for o in offsets)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


_FORKED: tuple[Sequence[Document], list[str]] | None = None


def _anchors_range(bounds: tuple[int, int]) -> list[dict[str, list[int]]]:
    """Worker task: anchors of documents ``lo..hi`` of the forked corpus."""
    assert _FORKED is not None
    docs, script = _FORKED
    lo, hi = bounds
    return [doc_anchors(docs[k].text, script[k]) if script[k] != "mixed" else {} for k in range(lo, hi)]


def _all_anchors(docs: Sequence[Document], script: list[str], workers: int) -> list[dict[str, list[int]]]:
    """Anchors of every document, in-process or over ``workers`` forked processes."""
    global _FORKED
    n = len(docs)
    if workers <= 1 or n < 2000:
        return [doc_anchors(d.text, script[k]) if script[k] != "mixed" else {} for k, d in enumerate(docs)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from detector.workers import die_with_parent

    step = -(-n // (workers * 4))
    bounds = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    _FORKED = (docs, script)
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent) as pool:
            return [a for part in pool.map(_anchors_range, bounds) for a in part]
    finally:
        _FORKED = None


def _script(doc: Document) -> str:
    from detector.lang import CYRILLIC_LANGUAGES

    if doc.lang:
        return "cyrillic" if doc.lang in CYRILLIC_LANGUAGES else "latin"
    return script_of(doc.text)


def _best_window(
    events: Sequence[tuple[int, str]], allowed: set[str], weight: dict[str, float], span: int
) -> tuple[float, set[str], int, int]:
    """The ``span``-character window of ``events`` (sorted ``(offset, key)``) whose
    distinct allowed keys weigh most: ``(weight, keys, first offset, last offset)``.

    Two pointers over the sorted events, O(len(events) * distinct keys).
    """
    best: tuple[float, set[str], int, int] = (0.0, set(), 0, 0)
    ev = [(o, k) for o, k in events if k in allowed]
    lo = 0
    for hi in range(len(ev)):
        while ev[hi][0] - ev[lo][0] > span:
            lo += 1
        keys = {k for _o, k in ev[lo : hi + 1]}
        w = sum(weight[k] for k in keys)
        if w > best[0]:
            best = (w, keys, ev[lo][0], ev[hi][0])
    return best


def _colocated(
    ai: dict[str, list[int]],
    aj: dict[str, list[int]],
    shared: set[str],
    weight: dict[str, float],
    span: int,
) -> tuple[float, set[str], tuple[int, int], tuple[int, int]]:
    """Weight of the shared anchors that sit within ``span`` characters of each
    other on *both* sides (a translated passage keeps them together), with the
    anchor ranges on each side. Alternates best windows until the key set is stable.
    """
    ev_i = sorted((o, k) for k in shared for o in ai[k][:20])
    ev_j = sorted((o, k) for k in shared for o in aj[k][:20])
    keys = set(shared)
    wi = wj = (0.0, set(), 0, 0)
    for _ in range(3):
        wi = _best_window(ev_i, keys, weight, span)
        wj = _best_window(ev_j, wi[1], weight, span)
        if wj[1] == keys:
            break
        keys = wj[1]
    return wj[0], wj[1], (wi[2], wi[3]), (wj[2], wj[3])


def cross_candidates(
    docs: Sequence[Document],
    params: AnchorParams = DEFAULT_ANCHOR_PARAMS,
    *,
    stats: AnchorStats | None = None,
    workers: int = 1,
) -> list[CrossCandidate]:
    """Cyrillic/Latin document pairs sharing enough rare anchors close together, best first.

    ``workers`` > 1 extracts the anchors in that many forked processes
    (only for corpora over 2,000 documents).

    Same-script pairs are never returned (the monolingual detector covers
    them); ``mixed`` documents (see :func:`script_of`) are left out. Cost:
    anchor extraction O(total characters), then a sparse product (scipy) of
    the document-anchor matrices restricted to anchors found in both scripts
    and in at most ``max(max_df * N, min_df_cap)`` documents, then a window
    scan over the shared anchors of each pair passing the product's bound;
    memory is proportional to the pairs sharing an anchor.
    """
    import numpy as np
    from scipy import sparse

    st = stats if stats is not None else AnchorStats()
    n = len(docs)
    script = [_script(d) for d in docs]
    rows_c = [k for k in range(n) if script[k] == "cyrillic"]
    rows_l = [k for k in range(n) if script[k] == "latin"]
    st.cyrillic_docs, st.latin_docs = len(rows_c), len(rows_l)
    if not rows_c or not rows_l:
        return []
    anchors = _all_anchors(docs, script, workers)
    df_cyr: dict[str, int] = defaultdict(int)
    df_lat: dict[str, int] = defaultdict(int)
    for k in rows_c:
        for key in anchors[k]:
            df_cyr[key] += 1
    for k in rows_l:
        for key in anchors[k]:
            df_lat[key] += 1
    st.anchors = len(set(df_cyr) | set(df_lat))
    # Per side: an anchor common among the English documents (a year, "30")
    # says little even if rare among the Russian ones, and vice versa.
    n_c, n_l = len(rows_c), len(rows_l)
    cap_c = max(params.max_df * n_c, params.min_df_cap)
    cap_l = max(params.max_df * n_l, params.min_df_cap)
    vocab: dict[str, int] = {}
    weight: dict[str, float] = {}
    for key, dc in df_cyr.items():
        dl = df_lat.get(key, 0)
        if dl and dc <= cap_c and dl <= cap_l:
            vocab[key] = len(vocab)
            weight[key] = 0.5 * (
                math.log1p(max(n_c, _MIN_CORPUS) / dc) + math.log1p(max(n_l, _MIN_CORPUS) / dl)
            )
    st.anchors_used = len(vocab)
    if not vocab:
        return []
    idf = np.asarray([weight[k] for k in vocab], dtype=np.float64)

    def matrix(rows: list[int]) -> sparse.csr_matrix:
        r, c = [], []
        for local, k in enumerate(rows):
            for key in anchors[k]:
                col = vocab.get(key)
                if col is not None:
                    r.append(local)
                    c.append(col)
        data = np.ones(len(r), dtype=np.float64)
        return sparse.csr_matrix((data, (r, c)), shape=(len(rows), len(vocab)))

    bc, bl = matrix(rows_c), matrix(rows_l)
    bound = (bc @ sparse.diags(idf) @ bl.T).tocoo()
    st.pairs_sharing = bound.nnz
    good: list[tuple[float, int, int, set[str], tuple[int, int], tuple[int, int]]] = []
    for r, c, ub in zip(bound.row, bound.col, bound.data, strict=True):
        if ub < params.min_score:
            continue
        ac, al = anchors[rows_c[r]], anchors[rows_l[c]]
        shared = {k for k in ac if k in al and k in vocab}
        if len(shared) < params.min_shared:
            continue
        w, keys, rng_c, rng_l = _colocated(ac, al, shared, weight, params.window)
        if w >= params.min_score and len(keys) >= params.min_shared:
            good.append((w, int(r), int(c), keys, rng_c, rng_l))
    # top_k per document, on either side
    best_c: dict[int, list[tuple[float, int]]] = defaultdict(list)
    best_l: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for w, r, c, *_ in good:
        best_c[r].append((w, c))
        best_l[c].append((w, r))
    top_c: set[tuple[int, int]] = set()
    top_l: set[tuple[int, int]] = set()
    for r, lst in best_c.items():
        top_c.update((r, c) for _w, c in sorted(lst, reverse=True)[: params.top_k])
    for c, lst in best_l.items():
        top_l.update((r, c) for _w, r in sorted(lst, reverse=True)[: params.top_k])
    keep = top_c & top_l if params.mutual else top_c | top_l
    out = []
    for w, r, c, keys, rng_c, rng_l in sorted(good, key=lambda g: -g[0]):
        if (r, c) not in keep:
            continue
        kc, kl = rows_c[r], rows_l[c]
        reg_c = _regions([rng_c[0], rng_c[1]], params.window, len(docs[kc].text))
        reg_l = _regions([rng_l[0], rng_l[1]], params.window, len(docs[kl].text))
        off_c = tuple(sorted(o for k in keys for o in anchors[kc][k] if rng_c[0] <= o <= rng_c[1]))
        off_l = tuple(sorted(o for k in keys for o in anchors[kl][k] if rng_l[0] <= o <= rng_l[1]))
        shared = tuple(sorted(keys))
        if kc < kl:
            out.append(CrossCandidate(kc, kl, w, shared, reg_c, reg_l, off_c, off_l))
        else:
            out.append(CrossCandidate(kl, kc, w, shared, reg_l, reg_c, off_l, off_c))
    st.candidates = len(out)
    return out
