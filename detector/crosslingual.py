"""Translated passages: sentence alignment across languages (Russian <-> English).

Both documents are cut into sentences (:func:`detector.sentences.sentence_spans`,
razdel for Cyrillic, pysbd otherwise). Every sentence, and every pair of
adjacent sentences joined, is embedded with the multilingual sentence encoder
(:mod:`detector.semantic`), so three cosine matrices describe the pair: 1-1
(``S``), 2-1 (two sentences of A against one of B) and 1-2.

Alignment is local and monotone, in the spirit of vecalign and bertalign but
for reuse rather than whole-document alignment: a Smith-Waterman dynamic
programme over the sentence grid whose moves are 1-1, 2-1 and 1-2 alignments
(gain ``weight * (cosine - min_sim)``, weight 1 for 1-1 and 1.5 for merges,
which consume three sentences) and 1-0 / 0-1 skips (a sentence left out of
the translation, cost ``gap``). Each local optimum traced back is one
passage: a run of consecutive aligned sentences, with its character spans in
both documents (from the first aligned sentence to the last), the mean
cosine of its aligned units as ``score``, ``kind="translated"``, and the
aligned units as :class:`~detector.schema.SentencePair` evidence. Rows and
columns of a reported passage are then blocked and the programme re-run, so
one document pair can hold several passages.

The programme only runs inside *boxes* around seed cells (a 1-1, 2-1 or 1-2
cosine of at least ``seed_sim``; merged units approximated by the sum of
their sentence vectors), seeds at most ``2 * box_margin`` sentences apart
sharing a box, so its cost follows the shared text, not
``len(A) * len(B)``; the cosine matrices themselves are one matrix product.

Costs (measured on WMT24 news paragraphs, 2-core machine under load): the
encoder is about 90% of the time; for two 1,000-word articles the whole
alignment is about 0.3-0.5 s once the model is loaded (1.5 s, once).

Library entry points: :func:`embed_document` / :func:`embed_documents`
(sentence vectors, computed once per document and reusable across pairs),
:func:`align_translated` (one pair -> passages), and :func:`cross_lingual_hook`
(what :func:`detector.compare.compare` calls). The corpus search (anchor
candidates, then this alignment on them) is
:func:`detector.crosscorpus.translated_passages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import regex

from detector.schema import Document, Passage, SentencePair, Span

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

    from detector.semantic import SentenceEncoder

__all__ = [
    "DEFAULT_CROSS_PARAMS",
    "CrossParams",
    "CrossStats",
    "DocEmbedding",
    "align_embedded",
    "align_translated",
    "cross_lingual_hook",
    "embed_document",
    "embed_documents",
    "embed_pairs",
    "languages_differ",
]

_WORD = regex.compile(r"\w+")


@dataclass(frozen=True)
class CrossParams:
    """Tuning of the cross-language alignment (cosines are in [-1, 1]).

    Attributes:
        min_sim: break-even cosine; an aligned unit gains ``cos - min_sim``.
        seed_sim: a cell at or above this cosine starts a search box.
        merge_weight: gain multiplier of 2-1 and 1-2 alignments.
        gap: cost of leaving one sentence unaligned inside a passage.
        box_margin: sentences added around seed cells when building boxes.
        min_pairs: fewest aligned units in a reported passage.
        min_words: fewest words (shorter side) in a reported passage.
        min_score: lowest mean cosine of a reported passage.
        min_gain: lowest total alignment gain of a reported passage.
        engine: sentence segmenter (see :func:`detector.sentences.sentence_spans`).
    """

    min_sim: float = 0.5
    seed_sim: float = 0.6
    merge_weight: float = 1.5
    gap: float = 0.25
    box_margin: int = 3
    min_pairs: int = 2
    min_words: int = 15
    min_score: float = 0.6
    min_gain: float = 0.3
    engine: str = "auto"

    def with_(self, **changes: object) -> CrossParams:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_CROSS_PARAMS = CrossParams()


@dataclass
class CrossStats:
    """Counters of one or more alignments, for notes and benchmarks."""

    sentences_a: int = 0
    sentences_b: int = 0
    seeds: int = 0
    candidates: int = 0
    too_short: int = 0
    low_score: int = 0
    kept: int = 0


@dataclass(frozen=True)
class DocEmbedding:
    """A document's sentences and their vectors (unit length, float32).

    Vectors of two adjacent sentences joined (for 2-1 and 1-2 alignments)
    are computed on demand by :meth:`pair_vectors`, only for the sentences
    inside seed boxes, and cached here: that halves the encoder work on
    documents that share little.

    Attributes:
        text: the document text the spans index.
        spans: sentence spans into ``text``, in order.
        vecs: ``(n, d)`` vectors of the sentences.
        words: word count of each sentence.
    """

    text: str = field(repr=False)
    spans: tuple[Span, ...]
    vecs: np.ndarray = field(repr=False)
    words: tuple[int, ...] = ()
    _pairs: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.spans)

    def pair_text(self, i: int) -> str:
        """Sentences ``i`` and ``i + 1`` with the text between them."""
        return self.text[self.spans[i].start : self.spans[i + 1].end]

    def missing_pairs(self, indices: Sequence[int]) -> list[int]:
        """The pair indices among ``indices`` not embedded yet."""
        return [i for i in indices if i not in self._pairs and 0 <= i < len(self.spans) - 1]

    def store_pairs(self, indices: Sequence[int], vecs: np.ndarray) -> None:
        """Cache pair vectors computed elsewhere (one batch for many documents)."""
        for i, v in zip(indices, vecs, strict=True):
            self._pairs[i] = v

    def pair_vectors(self, lo: int, hi: int) -> np.ndarray:
        """``(hi - lo, d)`` vectors of pairs ``lo..hi-1`` (all must be stored)."""
        import numpy as np

        return np.stack([self._pairs[i] for i in range(lo, hi)]) if hi > lo else self.vecs[:0]


def _units(text: str, lang: str | None, engine: str) -> list[Span]:
    from detector.sentences import sentence_spans

    return sentence_spans(text, lang, engine=engine)  # type: ignore[arg-type]


def _encoder(encoder: SentenceEncoder | None) -> SentenceEncoder:
    if encoder is not None:
        return encoder
    from detector.semantic import get_encoder

    return get_encoder()


def embed_documents(
    docs: Sequence[Document | str],
    *,
    params: CrossParams = DEFAULT_CROSS_PARAMS,
    encoder: SentenceEncoder | None = None,
) -> list[DocEmbedding]:
    """Embed the sentences of many documents in one encoder batch.

    Cost: O(total characters) for segmentation plus the encoder on every
    sentence (about 1-3 ms a sentence). Raises
    :class:`~detector.semantic.MissingExtraError` without the extra.
    """
    enc = _encoder(encoder)
    pieces: list[tuple[str, list[Span], int]] = []
    texts: list[str] = []
    for doc in docs:
        text = doc.text if isinstance(doc, Document) else doc
        lang = doc.lang if isinstance(doc, Document) else None
        spans = _units(text, lang, params.engine)
        pieces.append((text, spans, len(texts)))
        texts.extend(s.text(text) for s in spans)
    vecs = enc.encode(texts)
    return [
        DocEmbedding(
            text=text,
            spans=tuple(spans),
            vecs=vecs[first : first + len(spans)],
            words=tuple(len(_WORD.findall(s.text(text))) for s in spans),
        )
        for text, spans, first in pieces
    ]


def embed_pairs(
    requests: Sequence[tuple[DocEmbedding, Sequence[int]]],
    encoder: SentenceEncoder | None = None,
) -> None:
    """Embed (in one batch) and cache the adjacent-sentence pairs each request names."""
    todo = [(emb, emb.missing_pairs(idx)) for emb, idx in requests]
    texts = [emb.pair_text(i) for emb, idx in todo for i in idx]
    if not texts:
        return
    vecs = _encoder(encoder).encode(texts)
    pos = 0
    for emb, idx in todo:
        emb.store_pairs(idx, vecs[pos : pos + len(idx)])
        pos += len(idx)


def embed_document(
    doc: Document | str,
    *,
    params: CrossParams = DEFAULT_CROSS_PARAMS,
    encoder: SentenceEncoder | None = None,
) -> DocEmbedding:
    """:func:`embed_documents` for one document."""
    return embed_documents([doc], params=params, encoder=encoder)[0]


# ------------------------------------------------------------------ alignment

# Move codes of the dynamic programme: (di, dj) consumed in A and B.
_STOP, _M11, _M21, _M12, _SKIP_A, _SKIP_B = range(6)
_STEP = {_M11: (1, 1), _M21: (2, 1), _M12: (1, 2), _SKIP_A: (1, 0), _SKIP_B: (0, 1)}


def _boxes(seed: np.ndarray, margin: int) -> list[tuple[int, int, int, int]]:
    """Bounding boxes ``(i0, i1, j0, j1)`` (half-open) of seed clusters, grown by ``margin``.

    Two seed cells join one cluster when they are at most ``2 * margin``
    rows and columns apart (what dilating each by ``margin`` and labelling
    the overlap would give). Union-find over the seeds, O(k^2) numpy
    comparisons in blocks of 512 rows for k seeds (k is small: cells at or
    above ``seed_sim``); numpy only, since importing scipy.ndimage costs
    about 0.7 s.
    """
    import numpy as np

    n, m = seed.shape
    ii, jj = np.nonzero(seed)
    k = len(ii)
    parent = np.arange(k)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    reach = 2 * margin
    for lo in range(0, k, 512):
        hi = min(lo + 512, k)
        near = (np.abs(ii[lo:hi, None] - ii[None, :]) <= reach) & (
            np.abs(jj[lo:hi, None] - jj[None, :]) <= reach
        )
        for x, y in zip(*np.nonzero(near), strict=True):
            rx, ry = find(int(x) + lo), find(int(y))
            if rx != ry:
                parent[rx] = ry
    roots = np.array([find(x) for x in range(k)], dtype=np.int64)
    boxes = []
    for r in np.unique(roots):
        sel = roots == r
        boxes.append(
            (
                max(int(ii[sel].min()) - margin, 0),
                min(int(ii[sel].max()) + margin + 1, n),
                max(int(jj[sel].min()) - margin, 0),
                min(int(jj[sel].max()) + margin + 1, m),
            )
        )
    return boxes


def _dp(
    s11: np.ndarray,
    s21: np.ndarray,
    s12: np.ndarray,
    blocked_a: np.ndarray,
    blocked_b: np.ndarray,
    p: CrossParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Smith-Waterman over one box; returns gains ``H`` and back pointers, both (n+1, m+1).

    ``s21[i, j]`` is the cosine of A sentences ``i, i+1`` against B sentence
    ``j`` (box-local indices; NaN outside). O(n * m) Python steps, run only
    on seed boxes.
    """
    import numpy as np

    n, m = s11.shape
    g11 = s11 - p.min_sim
    g21 = p.merge_weight * (s21 - p.min_sim)
    g12 = p.merge_weight * (s12 - p.min_sim)
    # Blocked sentences (already in a reported passage) cannot be aligned again.
    g11[blocked_a, :] = -np.inf
    g11[:, blocked_b] = -np.inf
    # A merge starting at i also covers i + 1 (the last row/column of the
    # box has no valid merge: its cosine is the -1 filler).
    ba2 = blocked_a.copy()
    ba2[:-1] |= blocked_a[1:]
    bb2 = blocked_b.copy()
    bb2[:-1] |= blocked_b[1:]
    g21[ba2, :] = -np.inf
    g21[:, blocked_b] = -np.inf
    g12[blocked_a, :] = -np.inf
    g12[:, bb2] = -np.inf
    h = np.zeros((n + 1, m + 1))
    back = np.zeros((n + 1, m + 1), dtype=np.int8)
    g11l, g21l, g12l = g11.tolist(), g21.tolist(), g12.tolist()
    hl = h.tolist()
    bl = back.tolist()
    gap = p.gap
    for i in range(1, n + 1):
        row, prev = hl[i], hl[i - 1]
        prev2 = hl[i - 2] if i > 1 else None
        brow = bl[i]
        g11r = g11l[i - 1]
        g21r = g21l[i - 2] if i > 1 else None
        g12r = g12l[i - 1] if m > 1 else None
        for j in range(1, m + 1):
            best, move = 0.0, _STOP
            v = prev[j - 1] + g11r[j - 1]
            if v > best:
                best, move = v, _M11
            if prev2 is not None:
                v = prev2[j - 1] + g21r[j - 1]
                if v > best:
                    best, move = v, _M21
            if g12r is not None and j > 1:
                v = prev[j - 2] + g12r[j - 2]
                if v > best:
                    best, move = v, _M12
            v = prev[j] - gap
            if v > best:
                best, move = v, _SKIP_A
            v = row[j - 1] - gap
            if v > best:
                best, move = v, _SKIP_B
            row[j] = best
            brow[j] = move
    return np.array(hl), np.array(bl, dtype=np.int8)


def _trace(back: np.ndarray, i: int, j: int) -> list[tuple[int, int, int]]:
    """Aligned units ``(move, i, j)`` (box-local start sentences) ending at cell (i, j)."""
    units = []
    while i > 0 and j > 0:
        move = int(back[i, j])
        if move == _STOP:
            break
        di, dj = _STEP[move]
        i, j = i - di, j - dj
        if move in (_M11, _M21, _M12):
            units.append((move, i, j))
    units.reverse()
    return units


def _word_count(words: Sequence[int], lo: int, hi: int) -> int:
    return sum(words[lo:hi])


def align_embedded(
    ea: DocEmbedding,
    eb: DocEmbedding,
    params: CrossParams = DEFAULT_CROSS_PARAMS,
    *,
    encoder: SentenceEncoder | None = None,
    stats: CrossStats | None = None,
) -> list[Passage]:
    """Translated passages between two embedded documents, ordered by position in A.

    Passages never overlap on either side. Cost: one (n x m) matrix product
    plus the dynamic programme on seed boxes (see module docstring).
    """
    import numpy as np

    p = params
    st = stats if stats is not None else CrossStats()
    n, m = len(ea), len(eb)
    st.sentences_a += n
    st.sentences_b += m
    if n == 0 or m == 0:
        return []
    s11 = ea.vecs @ eb.vecs.T
    # Seeds: 1-1 cosines, and merged units approximated by the normalised
    # sum of the two sentence vectors (exact merged vectors come next, for
    # the boxes only).
    seed = s11 >= p.seed_sim
    if n > 1:
        approx = ea.vecs[:-1] + ea.vecs[1:]
        approx /= np.maximum(np.linalg.norm(approx, axis=1, keepdims=True), 1e-9)
        seed[:-1] |= approx @ eb.vecs.T >= p.seed_sim
    if m > 1:
        approx = eb.vecs[:-1] + eb.vecs[1:]
        approx /= np.maximum(np.linalg.norm(approx, axis=1, keepdims=True), 1e-9)
        seed[:, :-1] |= ea.vecs @ approx.T >= p.seed_sim
    st.seeds += int(seed.sum())
    if not seed.any():
        return []
    boxes = _boxes(seed, p.box_margin)
    rows = sorted({i for i0, i1, _, _ in boxes for i in range(i0, i1 - 1)})
    cols = sorted({j for _, _, j0, j1 in boxes for j in range(j0, j1 - 1)})
    embed_pairs([(ea, rows), (eb, cols)], encoder)
    s21 = np.full((n, m), -1.0, dtype=np.float32)
    s12 = np.full((n, m), -1.0, dtype=np.float32)
    for i0, i1, j0, j1 in boxes:
        if i1 - i0 > 1:
            s21[i0 : i1 - 1, j0:j1] = ea.pair_vectors(i0, i1 - 1) @ eb.vecs[j0:j1].T
        if j1 - j0 > 1:
            s12[i0:i1, j0 : j1 - 1] = ea.vecs[i0:i1] @ eb.pair_vectors(j0, j1 - 1).T
    blocked_a = np.zeros(n, bool)
    blocked_b = np.zeros(m, bool)
    found: list[tuple[float, Passage]] = []
    for i0, i1, j0, j1 in boxes:
        while True:
            h, back = _dp(
                s11[i0:i1, j0:j1].astype(np.float64),
                s21[i0:i1, j0:j1].astype(np.float64),
                s12[i0:i1, j0:j1].astype(np.float64),
                blocked_a[i0:i1],
                blocked_b[j0:j1],
                p,
            )
            flat = int(np.argmax(h))
            bi, bj = divmod(flat, h.shape[1])
            gain = float(h[bi, bj])
            if gain < p.min_gain:
                break
            units = _trace(back, bi, bj)
            st.candidates += 1
            passage = _passage(units, i0, j0, s11, s21, s12, ea, eb)
            a_lo = units[0][1] + i0
            b_lo = units[0][2] + j0
            a_hi, b_hi = bi + i0, bj + j0
            # Whatever happens to it, its sentences are consumed.
            blocked_a[a_lo:a_hi] = True
            blocked_b[b_lo:b_hi] = True
            if len(units) < p.min_pairs or passage.words < p.min_words:
                st.too_short += 1
                continue
            if passage.score < p.min_score:
                st.low_score += 1
                continue
            found.append((gain, passage))
    kept = _non_overlapping(found)
    st.kept += len(kept)
    return kept


def _passage(
    units: list[tuple[int, int, int]],
    i0: int,
    j0: int,
    s11: np.ndarray,
    s21: np.ndarray,
    s12: np.ndarray,
    ea: DocEmbedding,
    eb: DocEmbedding,
) -> Passage:
    pairs = []
    for move, i, j in units:
        gi, gj = i + i0, j + j0
        di, dj = _STEP[move]
        cos = {_M11: s11, _M21: s21, _M12: s12}[move][gi, gj]
        pairs.append(
            SentencePair(
                a=Span(ea.spans[gi].start, ea.spans[gi + di - 1].end),
                b=Span(eb.spans[gj].start, eb.spans[gj + dj - 1].end),
                score=float(cos),
            )
        )
    first, last = units[0], units[-1]
    a_lo, b_lo = first[1] + i0, first[2] + j0
    a_hi = last[1] + i0 + _STEP[last[0]][0]
    b_hi = last[2] + j0 + _STEP[last[0]][1]
    words = min(_word_count(ea.words, a_lo, a_hi), _word_count(eb.words, b_lo, b_hi))
    score = max(0.0, min(1.0, sum(sp.score for sp in pairs) / len(pairs)))
    return Passage(
        a=Span(ea.spans[a_lo].start, ea.spans[a_hi - 1].end),
        b=Span(eb.spans[b_lo].start, eb.spans[b_hi - 1].end),
        words=words,
        score=score,
        kind="translated",
        sentence_pairs=tuple(pairs),
    )


def _non_overlapping(found: list[tuple[float, Passage]]) -> list[Passage]:
    """Strongest first, dropping any passage that overlaps a kept one on either side."""
    kept: list[Passage] = []
    for _gain, p in sorted(found, key=lambda gp: -gp[0]):
        if any(
            (p.a.start < q.a.end and q.a.start < p.a.end)
            or (p.b.start < q.b.end and q.b.start < p.b.end)
            for q in kept
        ):
            continue
        kept.append(p)
    return sorted(kept, key=lambda q: (q.a.start, q.b.start))


def align_translated(
    a: Document | str,
    b: Document | str,
    params: CrossParams = DEFAULT_CROSS_PARAMS,
    *,
    encoder: SentenceEncoder | None = None,
    stats: CrossStats | None = None,
) -> list[Passage]:
    """Passages of A that appear translated in B (``kind="translated"``).

    Embeds both documents in one encoder batch, then :func:`align_embedded`.
    Raises :class:`~detector.semantic.MissingExtraError` without the
    ``reuse-detector[semantic]`` extra.
    """
    ea, eb = embed_documents([a, b], params=params, encoder=encoder)
    return align_embedded(ea, eb, params, encoder=encoder, stats=stats)


# ------------------------------------------------------------------ compare hook


_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LETTER = regex.compile(r"\p{L}")


def _cyrillic_share(doc: Document) -> float:
    from detector.lang import CYRILLIC_LANGUAGES

    if doc.lang:
        return 1.0 if doc.lang in CYRILLIC_LANGUAGES else 0.0
    letters = len(_LETTER.findall(doc.text))
    return len(_CYRILLIC.findall(doc.text)) / letters if letters else 0.5


def languages_differ(a: Document, b: Document) -> bool:
    """True when one document is mostly Cyrillic and the other mostly not.

    Uses the documents' ``lang`` when given, else the share of Cyrillic
    letters (no model load; Russian posts full of Latin links and names
    still count as Russian). O(len(text)).
    """
    sa, sb = _cyrillic_share(a), _cyrillic_share(b)
    return (sa > 0.5) != (sb > 0.5) and abs(sa - sb) > 0.2


def cross_lingual_hook(
    a: Document,
    b: Document,
    passages: tuple[Passage, ...],
    notes: tuple[str, ...],
    *,
    enabled: bool,
    params: CrossParams = DEFAULT_CROSS_PARAMS,
) -> tuple[tuple[Passage, ...], tuple[str, ...]]:
    """What ``compare(..., cross_lingual=...)`` adds to a monolingual result.

    Disabled: a note when the languages differ (cheap script test, nothing
    loaded). Enabled and the languages differ: translated passages that do
    not overlap the monolingual ones are added (ordered by position in A) and
    a note counts them. Enabled on two same-script documents: a note only.
    """
    if not enabled:
        if languages_differ(a, b):
            notes = (
                *notes,
                "the documents are in different languages: --cross-lingual "
                "(library: cross_lingual=True) may find translated passages",
            )
        return passages, notes
    if not languages_differ(a, b):
        return passages, (
            *notes,
            "cross-lingual alignment skipped: both documents are in the same script "
            "(it looks for Russian <-> English translation)",
        )
    stats = CrossStats()
    found = align_translated(a, b, params, stats=stats)
    fresh = [
        t
        for t in found
        if not any(t.a.start < q.a.end and q.a.start < t.a.end for q in passages)
    ]
    merged = tuple(sorted((*passages, *fresh), key=lambda q: (q.a.start, q.b.start)))
    msg = (
        f"cross-lingual alignment: {len(fresh)} translated passage(s) from "
        f"{stats.sentences_a} x {stats.sentences_b} sentences"
    )
    if stats.too_short:
        msg += (
            f"; {stats.too_short} shorter candidate(s) (under {params.min_pairs} aligned "
            f"sentences or {params.min_words} words) not reported"
        )
    if stats.low_score:
        msg += f"; {stats.low_score} below mean cosine {params.min_score} not reported"
    return merged, (*notes, msg)
