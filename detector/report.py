"""The corpus report: per-document facts, then corpus-level assembly.

``build_report`` is the library call behind ``detector report``. The work is
split into pure, engine-neutral pieces so the local (multiprocessing) engine
and the Spark engine run the same code:

1. :func:`analyse_document` (per document, in workers): tokens, passage-
   window LSH band keys, segment keys (boilerplate), phrase 3-grams and the
   document's internal repeats. With ``defer_keys=True`` it keeps the
   document's shingles instead of band keys, so that
   :func:`detector.candidates.shingle_mask` (corpus) can drop chrome and
   corpus-wide formulae before :func:`with_band_keys` (per document) signs
   the windows.
2. :func:`detector.candidates.candidate_pairs` (corpus): pairs sharing a
   bucket; :func:`detector.candidates.align_pair` (per pair, in workers).
3. :func:`assemble_clusters` (corpus): boilerplate groups and clusters.
4. :func:`detector.boilerplate.phrase_occurrences` and framing (per
   document, in workers), then :func:`assemble_report` (corpus).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from detector.params import DEFAULT_PARAMS, Params
from detector.schema import (
    Cluster,
    DocInfo,
    Document,
    FramingCount,
    FramingSpan,
    Passage,
    Phrase,
    Repeat,
    Report,
)

if TYPE_CHECKING:
    import numpy as np

    from detector.boilerplate import PhraseSeq

__all__ = [
    "DocFacts",
    "ProgressCallback",
    "analyse_document",
    "assemble_clusters",
    "assemble_report",
    "build_report",
    "doc_info",
    "framing_counts",
    "unit_index",
    "with_band_keys",
]

ProgressCallback = Callable[[str, int, "int | None"], None]
"""``progress(stage, advance, total)``: ``advance`` items of ``stage`` done
(``total`` known, or None); called from the main process only."""


@dataclass(frozen=True, eq=False)
class DocFacts:
    """What the corpus stages need from one document (its text stays out).

    Attributes:
        index: position of the document in the input.
        info: its metadata.
        keys: ``uint64`` LSH band keys ``(n_windows, bands)``.
        segments: ``(keys, starts, ends, words)`` of its lines/sentences.
        grams: distinct phrase 3-gram hashes (None once the corpus counts
            are taken).
        repeats: text repeated inside it.
        shingles: with deferred keys, its ``uint32`` shingle hashes in text
            order (else None).
        shingle_set: with deferred keys, the distinct ones
            (:func:`detector.candidates.shingle_set`; else None).
        phrase_seq: with deferred keys, its phrase 3-grams in text order
            (:func:`detector.boilerplate.phrase_seq`), so phrases are found
            in the second pass without tokenising again (else None).
    """

    index: int
    info: DocInfo
    keys: np.ndarray
    segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    grams: np.ndarray | None
    repeats: tuple[Repeat, ...]
    shingles: np.ndarray | None = None
    shingle_set: np.ndarray | None = None
    phrase_seq: PhraseSeq | None = None


def doc_info(doc: Document, words: int) -> DocInfo:
    """The report metadata of a document with ``words`` tokens."""
    return DocInfo(
        id=doc.id,
        outlet=doc.outlet,
        date=doc.date,
        url=doc.url,
        lang=doc.lang,
        chars=len(doc.text),
        words=words,
        extra=dict(doc.extra),
    )


def analyse_document(
    index: int,
    doc: Document,
    params: Params = DEFAULT_PARAMS,
    *,
    mask: np.ndarray | None = None,
    defer_keys: bool = False,
) -> DocFacts:
    """Everything the corpus stages need from one document, in one tokenisation.

    Args:
        index: position of the document in the input.
        doc: the document.
        params: tuning parameters.
        mask: sorted ``uint32`` shingles left out of the window signatures
            (:func:`detector.candidates.shingle_mask`); None masks nothing.
        defer_keys: leave ``keys`` empty and keep ``shingles`` and
            ``shingle_set`` instead, for the two-pass flow (mask from every
            document's ``shingle_set``, then :func:`with_band_keys`).

    O(n) in the text plus O(n * num_perm) for the window signatures; about
    1.5 ms for a 600-word article, most of it tokenising.
    """
    import numpy as np

    from detector.boilerplate import phrase_seq, repeat_runs, segments
    from detector.candidates import band_keys, shingle_set, sketch_shingles
    from detector.cluster import find_repeats
    from detector.fingerprint import distinct_sorted, shingle_hashes, to_uint32
    from detector.tokens import tokenize

    tokens = tokenize(doc.text, stem=params.stem)
    hashes = shingle_hashes(tokens.ids, params.lsh_shingle_size)
    seg = segments(tokens)
    seq = phrase_seq(tokens)
    facts = DocFacts(
        index=index,
        info=doc_info(doc, len(tokens)),
        keys=np.zeros((0, 0), dtype=np.uint64),
        segments=seg,
        grams=distinct_sorted(seq.grams[seq.ok]),
        repeats=tuple(find_repeats(doc.id, doc.text, repeat_runs(tokens, seg))),
    )
    if defer_keys:
        return replace(
            facts, shingles=to_uint32(hashes), shingle_set=shingle_set(hashes), phrase_seq=seq
        )
    sketch = sketch_shingles(doc.id, len(tokens), hashes, params, mask=mask)
    return replace(facts, keys=band_keys(sketch.signatures, params))


def with_band_keys(facts: DocFacts, params: Params, mask: np.ndarray | None) -> DocFacts:
    """The second pass: band keys from deferred shingles, shingles dropped.

    Args:
        facts: from ``analyse_document(..., defer_keys=True)``.
        params: tuning parameters (the same as the first pass).
        mask: sorted ``uint32`` shingles to leave out (or None).

    Returns:
        ``facts`` with ``keys`` set and ``shingles``/``shingle_set``/``phrase_seq`` None;
        identical to ``analyse_document(..., mask=mask)``. O(s * num_perm).
    """
    from detector.candidates import band_keys, sketch_shingles

    if facts.shingles is None:
        raise ValueError(f"document {facts.info.id!r} has no deferred shingles")
    sketch = sketch_shingles(facts.info.id, facts.info.words, facts.shingles, params, mask=mask)
    return replace(
        facts,
        keys=band_keys(sketch.signatures, params),
        shingles=None,
        shingle_set=None,
        phrase_seq=None,
    )


def assemble_clusters(
    facts: Sequence[DocFacts],
    passages: Iterable[tuple[int, int, Passage]],
    texts: Callable[[int], str],
    *,
    min_boilerplate_docs: int = 3,
) -> list[Cluster]:
    """Boilerplate groups from segment counts, then clusters of everything.

    Args:
        facts: per-document facts, ``facts[i].index == i``.
        passages: ``(doc index A, doc index B, passage)`` from alignment.
        texts: document text by index.
        min_boilerplate_docs: documents of one outlet a segment must recur
            in to be boilerplate.
    """
    from detector.boilerplate import boilerplate_groups
    from detector.cluster import build_clusters

    infos = [f.info for f in facts]
    groups = boilerplate_groups(
        ((f.index, *f.segments) for f in facts),
        [i.outlet for i in infos],
        texts,
        min_docs=min_boilerplate_docs,
    )

    class _Texts(dict):  # member text by id without holding a copy of the corpus
        def get(self, key: Any, default: Any = None) -> Any:
            return texts(index_of[key])

    index_of = {i.id: n for n, i in enumerate(infos)}
    return build_clusters(passages, infos, _Texts(), boilerplate=groups)


def unit_index(
    clusters: Sequence[Cluster], documents: Sequence[DocInfo], *, kinds: tuple[str, ...] = ("reuse", "boilerplate")
) -> Callable[[int, int, int], Hashable]:
    """``unit_of(doc index, start, end)``: the cluster the span lies in, else the document.

    A span belongs to a cluster member when at least half of it lies inside
    the member. Used to count phrases and frames once per cluster.
    """
    by_doc: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for c in clusters:
        if c.kind in kinds:
            for m in c.members:
                by_doc[m.doc].append((m.start, m.end, c.id))

    def unit_of(doc: int, start: int, end: int) -> Hashable:
        doc_id = documents[doc].id
        length = max(end - start, 1)
        for s, e, cid in by_doc.get(doc_id, ()):
            if min(e, end) - max(s, start) >= 0.5 * length:
                return ("cluster", cid)
        return ("doc", doc_id)

    return unit_of


def framing_counts(
    flags: Sequence[FramingSpan], clusters: Sequence[Cluster], documents: Sequence[DocInfo]
) -> tuple[list[FramingCount], list[Cluster]]:
    """Per-label recurrence, and clusters annotated with the labels inside them.

    A flag inside a reuse cluster counts once per cluster (``independent``);
    the other copies are ``reposted``.
    """
    index_of = {d.id: n for n, d in enumerate(documents)}
    unit_of = unit_index(clusters, documents, kinds=("reuse",))
    per_label: dict[str, list[tuple[FramingSpan, Hashable]]] = defaultdict(list)
    labels_in: dict[int, set[str]] = defaultdict(set)
    for f in flags:
        unit = unit_of(index_of[f.doc], f.start, f.end)
        per_label[f.label].append((f, unit))
        if unit[0] == "cluster":  # type: ignore[index]
            labels_in[unit[1]].add(f.label)  # type: ignore[index]
    counts = []
    for label, items in sorted(per_label.items()):
        docs = {f.doc for f, _ in items}
        in_clusters = [u for _, u in items if u[0] == "cluster"]  # type: ignore[index]
        counts.append(
            FramingCount(
                label=label,
                flags=len(items),
                documents=len(docs),
                outlets=len({documents[index_of[d]].outlet for d in docs} - {None}),
                independent=len({u for _, u in items}),
                reposted=len(in_clusters) - len(set(in_clusters)),
            )
        )
    counts.sort(key=lambda c: (-c.independent, c.label))
    annotated = [
        replace(c, frames=tuple(sorted(labels_in[c.id]))) if c.id in labels_in else c
        for c in clusters
    ]
    return counts, annotated


def assemble_report(
    facts: Sequence[DocFacts],
    clusters: Sequence[Cluster],
    phrases: Sequence[Phrase],
    flags: Sequence[FramingSpan],
    texts: dict[str, str],
    *,
    skipped: int = 0,
    errors: Sequence[str] = (),
    candidates: int = 0,
    stages: dict[str, float] | None = None,
    notes: Sequence[str] = (),
) -> Report:
    """The final :class:`Report` from the outputs of every stage."""
    documents = [f.info for f in facts]
    counts, annotated = framing_counts(flags, clusters, documents)
    repeats = [r for f in facts for r in f.repeats]
    return Report(
        documents=tuple(documents),
        clusters=tuple(annotated),
        repeats=tuple(repeats),
        phrases=tuple(phrases),
        framing=tuple(flags),
        framing_counts=tuple(counts),
        skipped=skipped,
        errors=tuple(errors),
        candidates=candidates,
        stages=dict(stages or {}),
        notes=tuple(notes),
        texts=texts,
    )


def build_report(
    sources_or_documents: Iterable[str] | Iterable[Document],
    params: Params = DEFAULT_PARAMS,
    *,
    workers: int | None = None,
    skip_bad: bool = False,
    framing: bool = True,
    progress: ProgressCallback | None = None,
    max_bucket: int | None = None,
    mask_shingles: bool = True,
) -> Report:
    """Find reuse clusters, boilerplate, repeats, shared phrasing and framing in a corpus.

    Args:
        sources_or_documents: paths as on the command line (files, folders,
            JSONL/CSV, ``-``), or :class:`Document` objects.
        params: tuning parameters (windows, LSH threshold, alignment).
        workers: processes to use (default: every core); 1 runs in-process.
        skip_bad: skip and count bad input records instead of raising.
        framing: flag framing sentences (when the framing model is
            available; otherwise a note says why not).
        progress: optional ``progress(stage, advance, total)`` callback.
        max_bucket: LSH bucket cap (see :func:`detector.candidates.candidate_pairs`).
        mask_shingles: leave shingles of one outlet's chrome and of
            corpus-wide formulae out of the candidate search
            (:func:`detector.candidates.shingle_mask`); boilerplate is still
            reported from segment counts. False: every shingle is banded (the
            behaviour before masking, and what an engine without the mask pass
            computes).

    Returns:
        A :class:`Report`. Time is linear in the corpus plus the candidate
        pairs; memory holds the texts, band keys and results, never a pair
        matrix.

    Raises:
        InputError: bad input, unless ``skip_bad``.
    """
    from detector.engines.local import build_report_local

    return build_report_local(
        sources_or_documents,
        params,
        workers=workers,
        skip_bad=skip_bad,
        framing=framing,
        progress=progress,
        max_bucket=max_bucket,
        mask_shingles=mask_shingles,
    )
