"""Translated passages across a whole corpus (Russian <-> English), without
embedding the corpus.

:func:`translated_passages` is what a corpus report calls with
``cross_lingual=True``. Three stages, each on less text than the one before:

1. **Candidates** (:func:`detector.anchors.cross_candidates`): a
   Cyrillic-script document and a Latin-script one that share rare numbers,
   dates, transliterated names, URLs or hashtags *close together on both
   sides*. Each candidate names a region of either document (the shared
   anchors plus ``AnchorParams.window`` characters, widened to sentence
   boundaries). Cost: regexes over the corpus and a sparse product.
2. **Probe**: only the sentences that hold a shared anchor are embedded; a
   candidate goes on when one of its anchor sentences has a cosine of at
   least ``probe_sim`` with one of the partner's (a translation's anchor
   sentences are translations of each other, about 0.7-0.9; sentences that
   merely share a year or a name rarely reach 0.5).
3. **Alignment**: the remaining sentences of the surviving regions are
   embedded (each sentence of the corpus at most once), and
   :func:`detector.crosslingual.align_embedded` runs on every region pair.

Measured (``benchmarks/crosslingual_corpus.py``; 2-core machine shared with
other jobs, so times are inflated): see README.md, section "Translated
reuse across a corpus".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from detector.crosslingual import (
    _WORD,
    DEFAULT_CROSS_PARAMS,
    CrossParams,
    CrossStats,
    DocEmbedding,
    _encoder,
    _non_overlapping,
    _units,
    align_embedded,
)
from detector.schema import Passage, Span

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from detector.anchors import AnchorParams, CrossCandidate
    from detector.schema import Document
    from detector.semantic import SentenceEncoder

__all__ = ["CORPUS_CROSS_PARAMS", "PROBE_SIM", "CorpusStats", "translated_passages"]

PROBE_SIM = 0.5
"""Lowest best cosine between the anchor sentences of a candidate pair."""

CORPUS_CROSS_PARAMS = DEFAULT_CROSS_PARAMS.with_(min_score=0.65)
"""Alignment tuning across a corpus: a passage needs a mean cosine of 0.65
(0.6 for one pair in ``compare``). Read on real human translations (Debian
history pages, English and Russian), the passages between 0.6 and 0.65 were
two-sentence matches of pages on the same subject, not translations."""


@dataclass
class CorpusStats:
    """Counters and wall times of one :func:`translated_passages` run.

    Attributes:
        candidates: cross-language document pairs from the anchors.
        probed_sentences: anchor sentences embedded for the probe.
        after_probe: candidates whose anchor sentences matched.
        docs_embedded: documents with at least one sentence embedded.
        chars_segmented: characters of the regions cut into sentences.
        sentences_embedded: sentences sent to the encoder (probe included).
        pair_units_embedded: adjacent-sentence pairs embedded for 2-1/1-2 merges.
        region_pairs: region pairs aligned.
        passages: translated passages returned.
        seconds: wall time per stage (``candidates``, ``probe``, ``embed``, ``align``).
    """

    candidates: int = 0
    probed_sentences: int = 0
    after_probe: int = 0
    docs_embedded: int = 0
    chars_segmented: int = 0
    sentences_embedded: int = 0
    pair_units_embedded: int = 0
    region_pairs: int = 0
    passages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


_CUT = regex.compile(r"[.!?…]+[\"'»”’)\]]*\s+|\n")


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to the nearest rough sentence boundaries (at most 400 characters)."""
    if start > 0:
        cuts = [m.end() for m in _CUT.finditer(text, max(start - 400, 0), start)]
        start = cuts[-1] if cuts else start
    if end < len(text):
        m = _CUT.search(text, end, min(end + 400, len(text)))
        end = m.start() + 1 if m else end
    return start, min(end, len(text))


def _rough_sentence(text: str, offset: int) -> tuple[int, int]:
    """The rough sentence (between ``_CUT`` boundaries, at most 300 characters either side) around ``offset``."""
    lo = max(offset - 300, 0)
    cuts = [m.end() for m in _CUT.finditer(text, lo, offset)]
    start = cuts[-1] if cuts else lo
    m = _CUT.search(text, offset, min(offset + 300, len(text)))
    end = m.start() + 1 if m else min(offset + 300, len(text))
    return start, end


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@dataclass
class _Region:
    """One region of one document: its sentences and (lazily) their vectors."""

    doc: int
    start: int
    end: int
    spans: list[Span]
    vecs: np.ndarray | None = None  # (n, d); rows of unembedded sentences are NaN
    emb: DocEmbedding | None = None


def _encode_chunk(texts: list[str]) -> np.ndarray:
    """Worker task: vectors of ``texts`` with this process's encoder."""
    from detector.semantic import get_encoder

    return get_encoder().encode(texts)


def _worker_init() -> None:
    from detector.workers import die_with_parent

    die_with_parent()


def _encode(
    texts: list[str],
    enc: SentenceEncoder,
    workers: int,
    progress: Callable[[str, int, int | None], None] | None,
    stage: str,
    chunk: int = 512,
) -> np.ndarray:
    """Vectors of ``texts``, in chunks, in-process or over ``workers`` processes."""
    import numpy as np

    chunks = [texts[k : k + chunk] for k in range(0, len(texts), chunk)]
    parts: list[np.ndarray] = []
    if workers > 1 and len(chunks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
            for part in pool.map(_encode_chunk, chunks):
                parts.append(part)
                if progress is not None:
                    progress(stage, len(part), len(texts))
    else:
        for texts_k in chunks:
            parts.append(enc.encode(texts_k))
            if progress is not None:
                progress(stage, len(texts_k), len(texts))
    if not parts:
        return np.zeros((0, getattr(enc, "dimensions", 512)), dtype=np.float32)
    return np.concatenate(parts)


def _fill(
    wanted: list[tuple[_Region, int]],
    docs: Sequence[Document],
    enc: SentenceEncoder,
    workers: int,
    progress: Callable[[str, int, int | None], None] | None,
    stage: str,
) -> int:
    """Embed the sentences ``(region, index)`` not embedded yet; returns how many."""
    import numpy as np

    todo = []
    seen = set()
    for reg, k in wanted:
        assert reg.vecs is not None
        if (id(reg), k) not in seen and np.isnan(reg.vecs[k, 0]):
            seen.add((id(reg), k))
            todo.append((reg, k))
    texts = [reg.spans[k].text(docs[reg.doc].text) for reg, k in todo]
    vecs = _encode(texts, enc, workers, progress, stage)
    for (reg, k), v in zip(todo, vecs, strict=True):
        assert reg.vecs is not None
        reg.vecs[k] = v
    return len(todo)


def translated_passages(
    docs: Sequence[Document],
    params: CrossParams = CORPUS_CROSS_PARAMS,
    *,
    anchor_params: AnchorParams | None = None,
    probe_sim: float = PROBE_SIM,
    workers: int | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    stats: CorpusStats | None = None,
    encoder: Any = None,
) -> list[tuple[int, int, Passage]]:
    """Translated (Russian <-> English) passages between the documents of a corpus.

    Args:
        docs: the corpus; languages are told apart by script (``lang`` when
            given; see :func:`detector.anchors.script_of`).
        params: alignment tuning (:class:`detector.crosslingual.CrossParams`).
        anchor_params: candidate tuning (:class:`detector.anchors.AnchorParams`).
        probe_sim: lowest best cosine between the candidates' anchor sentences.
        workers: processes for the anchors (corpora over 2,000 documents)
            and the encoder (None or 1: in-process; each encoder process
            loads the model, about 1.5 s, and only pays off on thousands of
            sentences).
        progress: optional ``progress(stage, advance, total)`` callback,
            stages ``cross-lingual: probe`` and ``cross-lingual: embedding``
            (sentences) and ``cross-lingual: alignment`` (candidate pairs).
        stats: filled with counters and per-stage seconds.
        encoder: an object with ``encode(texts) -> (n, d) unit vectors``
            (tests); default the process-wide USE encoder.

    Returns:
        ``(i, j, passage)`` triples with ``i < j`` indices into ``docs``:
        ``passage.a`` is a span of ``docs[i].text``, ``passage.b`` of
        ``docs[j].text``, ``kind="translated"``, ``score`` the mean cosine of
        its aligned units, ``words`` the shorter side's word count, the
        aligned sentences in ``sentence_pairs``. A pair's passages never
        overlap each other. Sorted by ``(i, j, passage.a.start)``. Which
        side is the original is left to the caller (dates).

    Raises:
        MissingExtraError: ``reuse-detector[semantic]`` is not installed
            (raised first, before any work).

    Cost: linear in the corpus for the anchors, then the encoder on the
    anchor sentences of the candidates and on the regions of the candidates
    that pass the probe, never on the rest of the corpus.
    """
    import numpy as np

    from detector.anchors import DEFAULT_ANCHOR_PARAMS, cross_candidates
    from detector.semantic import available

    if encoder is None and not available():
        from detector.semantic import MissingExtraError

        raise MissingExtraError()
    enc = _encoder(encoder)
    nworkers = workers or 1
    ap = anchor_params or DEFAULT_ANCHOR_PARAMS
    st = stats if stats is not None else CorpusStats()
    t0 = time.perf_counter()
    cands = cross_candidates(docs, ap, workers=nworkers)
    st.candidates = len(cands)
    t1 = time.perf_counter()
    st.seconds["candidates"] = t1 - t0

    # Probe: the rough sentences around the co-located anchors only.
    probe_keys: dict[tuple[int, int, int], int] = {}
    probes: list[tuple[list[int], list[int]]] = []
    for c in cands:
        sides = []
        for k, offsets in ((c.i, c.offsets_i), (c.j, c.offsets_j)):
            rows = []
            for o in offsets:
                key = (k, *_rough_sentence(docs[k].text, o))
                rows.append(probe_keys.setdefault(key, len(probe_keys)))
            sides.append(rows)
        probes.append((sides[0], sides[1]))
    probe_texts = [docs[k].text[s:e] for k, s, e in probe_keys]
    pv = _encode(probe_texts, enc, nworkers, progress, "cross-lingual: probe")
    st.probed_sentences = len(probe_texts)
    survivors: list[CrossCandidate] = []
    for c, (pi, pj) in zip(cands, probes, strict=True):
        if pi and pj and float((pv[pi] @ pv[pj].T).max()) >= probe_sim:
            survivors.append(c)
    st.after_probe = len(survivors)
    t2 = time.perf_counter()
    st.seconds["probe"] = t2 - t1

    # Regions of the survivors, snapped to sentence boundaries, merged, cut into sentences.
    wanted: dict[int, list[tuple[int, int]]] = {}
    for c in survivors:
        for k, regs in ((c.i, c.regions_i), (c.j, c.regions_j)):
            wanted.setdefault(k, []).extend(_snap(docs[k].text, s, e) for s, e in regs)
    regions: dict[int, list[_Region]] = {}
    dims = pv.shape[1] if len(pv) else getattr(enc, "dimensions", 512)
    for k, ranges in wanted.items():
        doc = docs[k]
        for s, e in _merge(ranges):
            spans = [Span(sp.start + s, sp.end + s) for sp in _units(doc.text[s:e], doc.lang, params.engine)]
            vecs = np.full((len(spans), dims), np.nan, dtype=np.float32)
            regions.setdefault(k, []).append(_Region(k, s, e, spans, vecs))
            st.chars_segmented += e - s

    def regions_of(k: int, ranges: tuple[tuple[int, int], ...]) -> list[_Region]:
        return [
            r for r in regions.get(k, ())
            if r.spans and any(s < r.end and r.start < e for s, e in ranges)
        ]

    # Embed the rest of the surviving regions (each sentence once).
    pairs = [(c, regions_of(c.i, c.regions_i), regions_of(c.j, c.regions_j)) for c in survivors]
    todo = [(r, k) for _c, ri, rj in pairs for r in (*ri, *rj) for k in range(len(r.spans))]
    st.sentences_embedded = st.probed_sentences + _fill(
        todo, docs, enc, nworkers, progress, "cross-lingual: embedding"
    )
    used = {id(r): r for _c, ri, rj in pairs for r in (*ri, *rj)}
    st.docs_embedded = len({r.doc for r in used.values()} | {k for k, _s, _e in probe_keys})
    for r in used.values():
        text = docs[r.doc].text
        r.emb = DocEmbedding(
            text=text,
            spans=tuple(r.spans),
            vecs=r.vecs,  # type: ignore[arg-type]
            words=tuple(len(_WORD.findall(sp.text(text))) for sp in r.spans),
        )
    t3 = time.perf_counter()
    st.seconds["embed"] = t3 - t2

    out: list[tuple[int, int, Passage]] = []
    cstats = CrossStats()
    for c, ri, rj in pairs:
        found: list[tuple[float, Passage]] = []
        for ra in ri:
            for rb in rj:
                st.region_pairs += 1
                ea, eb = ra.emb, rb.emb
                assert ea is not None and eb is not None
                before = len(ea._pairs) + len(eb._pairs)
                found.extend(
                    (p.score * p.words, p) for p in align_embedded(ea, eb, params, encoder=enc, stats=cstats)
                )
                st.pair_units_embedded += len(ea._pairs) + len(eb._pairs) - before
        out.extend((c.i, c.j, p) for p in _non_overlapping(found))
        if progress is not None:
            progress("cross-lingual: alignment", 1, len(pairs))
    st.seconds["align"] = time.perf_counter() - t3
    st.passages = len(out)
    return sorted(out, key=lambda t: (t[0], t[1], t[2].a.start))
