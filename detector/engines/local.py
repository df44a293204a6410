"""The local engine: every stage of the report on this machine's cores.

Documents are loaded once (streamed from the input, kept as one list of
texts); the worker processes are then *forked*, so they read the texts of
their shard from inherited memory instead of receiving pickled copies, and
each task is only a range of document indices or a list of index pairs.
Workers send back compact results: shingles, band keys and segment keys as
numpy arrays, passages, phrase occurrences, framing flags. No all-pairs
matrix is ever built. Where ``fork`` is unavailable, or for one worker or a
small corpus, the same functions run in-process.

Sketching takes two passes: the first returns each document's shingles, the
corpus-level :func:`detector.candidates.shingle_mask` picks the chrome and
formulae to leave out, and the second signs the windows (the shingles travel
back with the task, a few kilobytes per document). Each worker keeps a
bounded LRU cache of tokenised documents across tasks, and alignment tasks
hold runs of pairs with the same first document, so a document is tokenised
about once per worker rather than once per pair.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from detector.params import DEFAULT_PARAMS, Params
from detector.schema import Document

if TYPE_CHECKING:
    import numpy as np

    from detector.boilerplate import PhraseSeq
    from detector.report import DocFacts, ProgressCallback
    from detector.schema import FramingSpan, Passage, Report
    from detector.tokens import Tokens

__all__ = ["build_report_local", "load_corpus"]

_DOCS: list[Document] = []  # the corpus, inherited by forked workers
_PARAMS: Params = DEFAULT_PARAMS
_FRAMING: Any = None
_MIN_PARALLEL_DOCS = 64  # below this, forking costs more than it saves
_TOKEN_CACHE: OrderedDict[int, Tokens] = OrderedDict()  # per process, across tasks
_TOKEN_CACHE_SIZE = 2048  # documents; ~40 KB each for news-length text


def load_corpus(
    sources_or_documents: Iterable[str] | Iterable[Document], *, skip_bad: bool
) -> tuple[list[Document], int, list[str]]:
    """Documents of paths or Document objects, with the skipped count and reasons."""
    from detector.errors import InputError
    from detector.load import LoadStats, iter_documents

    items = list(sources_or_documents) if not isinstance(sources_or_documents, list) else sources_or_documents
    if items and all(isinstance(x, Document) for x in items):
        docs: list[Document] = []
        seen: set[str] = set()
        skipped, errors = 0, []
        for doc in items:
            if doc.id in seen:
                err = InputError(doc.source or "<documents>", f"duplicate id {doc.id!r}", line=doc.line)
                if not skip_bad:
                    raise err
                skipped += 1
                errors.append(str(err))
                continue
            seen.add(doc.id)
            docs.append(doc)
        return docs, skipped, errors
    stats = LoadStats()
    docs = list(iter_documents([str(x) for x in items], skip_bad=skip_bad, stats=stats))
    return docs, stats.skipped, [str(e) for e in stats.errors]


# ---------------------------------------------------------------- worker tasks


def _tokens(i: int) -> Tokens:
    """Tokens of document ``i`` from this process's LRU cache (tokenised on a miss)."""
    tokens = _TOKEN_CACHE.get(i)
    if tokens is not None:
        _TOKEN_CACHE.move_to_end(i)
        return tokens
    from detector.tokens import tokenize

    tokens = tokenize(_DOCS[i].text, stem=_PARAMS.stem)
    _TOKEN_CACHE[i] = tokens
    if len(_TOKEN_CACHE) > _TOKEN_CACHE_SIZE:
        _TOKEN_CACHE.popitem(last=False)
    return tokens


def _facts_task(bounds: tuple[int, int]) -> list[DocFacts]:
    from detector.report import analyse_document

    return [analyse_document(i, _DOCS[i], _PARAMS, defer_keys=True) for i in range(*bounds)]


def _keys_task(
    args: tuple[list[tuple[int, str, int, np.ndarray, PhraseSeq]], np.ndarray | None, Any, Any],
) -> list[tuple[np.ndarray, list[tuple[int, int, int, int]]]]:
    """Band keys and phrase occurrences of documents from their first-pass arrays.

    Items are ``(index, id, tokens, shingles, phrase_seq)``; nothing is
    tokenised again.
    """
    from detector.boilerplate import find_phrases
    from detector.candidates import band_keys, sketch_shingles

    items, mask, selected, df = args
    return [
        (
            band_keys(sketch_shingles(doc_id, n, sh, _PARAMS, mask=mask).signatures, _PARAMS),
            find_phrases(seq, selected, df) if len(selected) else [],
        )
        for _, doc_id, n, sh, seq in items
    ]


def _align_task(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int, Passage]]:
    from detector.align import align_passages

    out = []
    for i, j in pairs:
        for p in align_passages(_tokens(i), _tokens(j), _PARAMS):
            out.append((i, j, p))
    return out


def _framing_task(bounds: tuple[int, int]) -> list[FramingSpan]:
    """Framing flags of a range of documents."""
    flags: list[FramingSpan] = []
    for i in range(*bounds):
        doc = _DOCS[i]
        flags.extend(_FRAMING.explain_spans(doc.text, doc=doc.id, lang=doc.lang))
    return flags


def _pair_tasks(pairs: Sequence[tuple[int, int]], size: int) -> list[list[tuple[int, int]]]:
    """Pairs (sorted) cut into tasks of about ``size``, never splitting a first document's run.

    Every pair of one first document lands in the same task, so that
    document is tokenised once there (the worker's cache keeps it).
    """
    tasks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for pair in pairs:
        if len(current) >= size and pair[0] != current[-1][0]:
            tasks.append(current)
            current = []
        current.append(pair)
    if current:
        tasks.append(current)
    return tasks


# ---------------------------------------------------------------- driver


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(s, min(s + size, n)) for s in range(0, n, size)]


class _Runner:
    """Maps tasks over a forked pool, or in-process."""

    def __init__(self, workers: int) -> None:
        self.pool = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context("fork").Pool(workers)

    def map(self, func: Any, tasks: Sequence[Any]) -> Iterator[Any]:
        if self.pool is None:
            return map(func, tasks)
        return self.pool.imap(func, tasks)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def terminate(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _load_framing(framing: bool, notes: list[str]) -> Any:
    if not framing:
        return None
    try:
        from detector.framing import load_default_model

        return load_default_model()
    except Exception as exc:  # the report stands without framing; say why
        notes.append(f"framing not run: {type(exc).__name__}: {exc}")
        return None


def build_report_local(
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
    """:func:`detector.report.build_report` on local processes (see there)."""
    global _DOCS, _PARAMS, _FRAMING
    from detector.boilerplate import aggregate_phrases, select_phrase_grams
    from detector.candidates import DEFAULT_MAX_BUCKET, candidate_pairs, shingle_mask
    from detector.report import assemble_clusters, assemble_report, unit_index

    def tick(stage: str, advance: int, total: int | None) -> None:
        if progress is not None:
            progress(stage, advance, total)

    stages: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    docs, skipped, errors = load_corpus(sources_or_documents, skip_bad=skip_bad)
    stages["load"] = time.perf_counter() - t0
    n = len(docs)
    workers = max(1, workers or os.cpu_count() or 1)
    if n < _MIN_PARALLEL_DOCS:
        workers = 1
    _DOCS, _PARAMS = docs, params
    _TOKEN_CACHE.clear()  # indices name other documents in a new corpus
    _FRAMING = _load_framing(framing, notes)  # loaded before forking: shared
    runner = _Runner(workers)
    try:
        t = time.perf_counter()
        facts: list[DocFacts] = []
        size = max(1, min(64, n // (workers * 8) or 1))
        for part in runner.map(_facts_task, _chunks(n, size)):
            facts.extend(part)
            tick("sketch", len(part), n)
        stages["sketch"] = time.perf_counter() - t

        t = time.perf_counter()
        mask = (
            shingle_mask(((f.index, f.shingle_set) for f in facts), [f.info.outlet for f in facts])
            if mask_shingles
            else None
        )
        selected, df = select_phrase_grams(
            ((f.index, f.grams) for f in facts), [f.info.outlet for f in facts]
        )
        stages["mask"] = time.perf_counter() - t

        t = time.perf_counter()
        occurrences: list[tuple[int, int, int, int, int]] = []
        key_tasks = [
            (
                [(f.index, f.info.id, f.info.words, f.shingles, f.phrase_seq) for f in facts[a:b]],
                mask,
                selected,
                df,
            )
            for a, b in _chunks(n, size)
        ]
        for (items, *_), results in zip(key_tasks, runner.map(_keys_task, key_tasks), strict=True):
            for (i, *_), (keys, occ) in zip(items, results, strict=True):
                facts[i] = replace(
                    facts[i], keys=keys, shingles=None, shingle_set=None, phrase_seq=None
                )
                occurrences.extend((i, *o) for o in occ)
            tick("bands", len(items), n)
        del key_tasks
        stages["bands"] = time.perf_counter() - t

        t = time.perf_counter()
        pairs = sorted(
            candidate_pairs(
                ((f.index, f.keys) for f in facts),
                max_bucket=max_bucket if max_bucket is not None else DEFAULT_MAX_BUCKET,
                min_shared=params.lsh_min_bands,
            )
        )
        stages["candidates"] = time.perf_counter() - t

        t = time.perf_counter()
        passages: list[tuple[int, int, Passage]] = []
        psize = max(1, min(128, len(pairs) // (workers * 8) or 1))
        tasks = _pair_tasks(pairs, psize)
        for task, part in zip(tasks, runner.map(_align_task, tasks), strict=True):
            passages.extend(part)
            tick("align", len(task), len(pairs))
        stages["align"] = time.perf_counter() - t

        t = time.perf_counter()

        def text_of(i: int) -> str:
            return docs[i].text

        clusters = assemble_clusters(facts, passages, text_of)
        stages["cluster"] = time.perf_counter() - t

        t = time.perf_counter()
        flags: list[FramingSpan] = []
        if _FRAMING is not None:
            chunks = _chunks(n, size)
            for bounds, fl in zip(chunks, runner.map(_framing_task, chunks), strict=True):
                flags.extend(fl)
                tick("framing", bounds[1] - bounds[0], n)
        stages["framing"] = time.perf_counter() - t

        t = time.perf_counter()
        documents = [f.info for f in facts]
        phrases = aggregate_phrases(
            occurrences, documents, text_of, unit_index(clusters, documents)
        )
        stages["phrases"] = time.perf_counter() - t
        runner.close()
    except BaseException:
        runner.terminate()
        raise
    finally:
        _FRAMING = None
    texts = {d.id: d.text for d in docs}
    _DOCS = []
    _TOKEN_CACHE.clear()
    stages["total"] = time.perf_counter() - t0
    return assemble_report(
        facts,
        clusters,
        phrases,
        flags,
        texts,
        skipped=skipped,
        errors=errors,
        candidates=len(pairs),
        stages=stages,
        notes=notes,
    )
