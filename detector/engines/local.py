"""The local engine: every stage of the report on this machine's cores.

Documents are loaded once (streamed from the input, kept as one list of
texts); the worker processes are then *forked*, so they read the texts of
their shard from inherited memory instead of receiving pickled copies, and
each task is only a range of document indices or a list of index pairs. No
all-pairs matrix is ever built. Where ``fork`` is unavailable, or for one
worker or a small corpus, the same functions run in-process.

Each worker owns a fixed shard (chunk ``c`` of the corpus always goes to
worker ``c % workers``), so what one pass computes for a document stays in
the worker that computed it:

1. first pass: tokens, segments, phrase 3-grams, repeats and shingles; only
   what the corpus-level counting needs goes back to the main process
   (shingle sets, phrase grams, segments, repeats);
2. the main process picks the masked shingles
   (:func:`detector.candidates.shingle_mask`) and the phrase grams
   (:func:`detector.boilerplate.select_phrase_grams`) and sends them to each
   worker once;
3. second pass, in the same workers, from the arrays they kept: window
   signatures, band keys and phrase occurrences; each worker then sorts its
   shard's bucket entries (:func:`detector.candidates.bucket_entries`), and
   the main process merges the sorted runs one key range at a time
   (:func:`detector.candidates.link_entries`), never holding every entry;
4. alignment and framing tasks go to whichever worker is free. Alignment
   tasks hold runs of pairs with the same first document and each worker
   keeps a bounded LRU cache of tokenised documents, so a document is
   tokenised about once per worker rather than once per pair.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from detector.params import DEFAULT_PARAMS, Params
from detector.schema import Document

if TYPE_CHECKING:
    import numpy as np

    from detector.boilerplate import PhraseSeq
    from detector.engines.packing import FactsChunk
    from detector.schema import FramingSpan, Passage, Report
    from detector.stages import DocFacts, ProgressCallback
    from detector.tokens import Tokens

__all__ = ["align_pairs", "build_report_local", "load_corpus", "phrase_occurrences_of"]

_DOCS: list[Document] = []  # the corpus, inherited by forked workers
_PARAMS: Params = DEFAULT_PARAMS
_FRAMING: Any = None
_MIN_PARALLEL_DOCS = 64  # below this, forking costs more than it saves
_TOKEN_CACHE: OrderedDict[int, Tokens] = OrderedDict()  # per process, across tasks
_TOKEN_CACHE_SIZE = 2048  # documents; ~40 KB each for news-length text
# per process: first-pass arrays of this shard's documents, until the second pass
_PENDING: dict[int, tuple[int, np.ndarray, PhraseSeq]] = {}
# per process: distinct band keys of this shard's documents, until sorted
_SHARD_KEYS: list[list[tuple[int, np.ndarray]]] = []  # per key range: (doc, keys)
# per process: (mask, selected phrase grams, their document frequencies,
# key ranges, time ranks, which documents are duplicate-group representatives)
_SECOND_PASS: tuple[Any, ...] = (None, None, None, 1, None, None)


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


def _keep_tokens(i: int, tokens: Tokens) -> None:
    """Keep the first pass's tokens of document ``i`` in this process's LRU cache:
    alignment tasks then find them instead of tokenising again (for 1916 pages,
    tokenising was a sixth of the alignment stage)."""
    _TOKEN_CACHE[i] = tokens
    _TOKEN_CACHE.move_to_end(i)
    if len(_TOKEN_CACHE) > _TOKEN_CACHE_SIZE:
        _TOKEN_CACHE.popitem(last=False)


def _facts_task(bounds: tuple[int, int]) -> FactsChunk:
    """First pass over a range: facts for the corpus counts; shingles and phrase 3-grams kept here.

    The facts travel column-wise (:class:`detector.engines.packing.FactsChunk`).
    """
    from detector.engines.packing import FactsChunk
    from detector.stages import analyse_documents

    start, end = bounds
    out = analyse_documents(start, _DOCS[start:end], _PARAMS, defer_keys=True, keep_tokens=_keep_tokens)
    for facts in out:
        _PENDING[facts.index] = (facts.info.words, facts.shingles, facts.phrase_seq)  # type: ignore[assignment]
    # the ordered shingles and phrase 3-grams stay here for the second pass
    return FactsChunk(out, omit=("shingles", "phrase_seq"))


def _second_pass_setup(args: tuple[Any, ...]) -> None:
    """Receive the mask, phrase selection, key ranges and time ranks (once per worker)."""
    global _SECOND_PASS
    _SECOND_PASS = args
    _SHARD_KEYS[:] = [[] for _ in range(args[3])]


def _keys_task(bounds: tuple[int, int]) -> list[tuple[int, int, int, int, int]]:
    """Second pass over a range: band keys (kept here) and phrase occurrences (returned).

    Works from the first pass's arrays of the same worker; nothing is
    tokenised again. Only duplicate-group representatives are banded, each
    under its time rank, so a bucket's lowest number is its earliest document.
    """
    from detector.boilerplate import find_phrases
    from detector.candidates import band_keys, key_range, min_window_shingles, sketch_shingles
    from detector.fingerprint import distinct_sorted

    mask, selected, df, parts, ranks, is_rep = _SECOND_PASS
    occurrences: list[tuple[int, int, int, int, int]] = []
    pending = [_PENDING.pop(i) for i in range(*bounds)]
    # which documents hold a selected phrase gram at all, in one lookup for
    # the range: most short posts hold none and are never looked at again
    with_phrases = _holds_selected([seq for _, _, seq in pending], selected)
    # under a mask, sketch_shingles keeps only windows with at least this
    # many unmasked shingles: a shorter document has none to band
    fewest = min_window_shingles(_PARAMS) if mask is not None and len(mask) else 0
    for i, (words, shingles, seq), phrased in zip(range(*bounds), pending, with_phrases, strict=True):
        if is_rep[i] and len(shingles) >= fewest:
            sketch = sketch_shingles(_DOCS[i].id, words, shingles, _PARAMS, mask=mask)
            keys = distinct_sorted(band_keys(sketch.signatures, _PARAMS)) if len(sketch.signatures) else ()
            # kept split by key range, so each range is sorted and sent on its own
            for part in range(parts if len(keys) else 0):
                piece = keys[key_range(keys, part, parts)]
                if len(piece):
                    _SHARD_KEYS[part].append((int(ranks[i]), piece))
        if phrased:
            occurrences.extend((i, *o) for o in find_phrases(seq, selected, df))
    return occurrences


def _holds_selected(seqs: Sequence[PhraseSeq], selected: np.ndarray) -> list[bool]:
    """Per document, whether :func:`detector.boilerplate.find_phrases` can find anything in it:
    a usable 3-gram (``ok``) among the ``selected`` ones. O(g log m) for the g grams of all."""
    import numpy as np

    from detector.fingerprint import in_sorted

    if not seqs or len(selected) == 0:
        return [False] * len(seqs)
    lengths = np.array([len(s.grams) for s in seqs], dtype=np.int64)
    hit = np.concatenate([s.ok for s in seqs]) & in_sorted(np.concatenate([s.grams for s in seqs]), selected)
    ends = np.cumsum(lengths)
    hits_before = np.concatenate(([0], np.cumsum(hit)))
    return (hits_before[ends] > hits_before[ends - lengths]).tolist()


def _entries_task(part: int) -> tuple[np.ndarray, np.ndarray]:
    """This worker's bucket entries of one key range, sorted; dropped here once sent."""
    from detector.candidates import bucket_entries

    items, _SHARD_KEYS[part] = _SHARD_KEYS[part], []
    return bucket_entries(items)


def _align_task(pairs: Sequence[tuple[int, int]]) -> list[list[Passage]]:
    """Passages of each pair, empty lists included."""
    from detector.align import align_passages

    return [align_passages(_tokens(i), _tokens(j), _PARAMS) for i, j in pairs]


def _report_align_task(pairs: Sequence[tuple[int, int]]) -> list[list[Passage]]:
    """:func:`_align_task` without word operations: the report reads only spans,
    words, score and kind, and building and pickling the operations of long OCR
    passages cost more than the rest of a passage."""
    from detector.align import align_passages

    return [align_passages(_tokens(i), _tokens(j), _PARAMS, ops=False) for i, j in pairs]


def _dup_task(pairs: Sequence[tuple[int, int]]) -> list[np.ndarray]:
    """Span maps of duplicates against their representatives (:func:`detector.duplicates.span_map`)."""
    from detector.duplicates import span_map

    return [span_map(_DOCS[r].text, _DOCS[d].text) for r, d in pairs]


def _phrases_task(
    args: tuple[Sequence[int], np.ndarray, np.ndarray],
) -> list[tuple[int, int, int, int, int]]:
    """Phrase occurrences ``(doc index, key, start, end, words)`` of some documents."""
    from detector.boilerplate import phrase_occurrences

    indices, selected, df = args
    return [(i, *o) for i in indices for o in phrase_occurrences(_tokens(i), selected, df)]


def _framing_task(bounds: tuple[int, int]) -> list[FramingSpan]:
    """Framing flags of a range of documents, classified as one batch.

    One batch of all the range's sentences is 1.6x faster than a call per
    document, with the same flags (the classifier treats sentences alone).
    """
    return _FRAMING.flag_documents(_DOCS[bounds[0] : bounds[1]])


def _pair_tasks(pairs: Sequence[tuple[int, int]], workers: int) -> list[list[tuple[int, int]]]:
    """Sorted pairs cut into about 8 tasks per worker (at most 128 pairs each),
    never splitting a first document's run.

    Every pair of one first document lands in the same task, so that
    document is tokenised once there (the worker's cache keeps it).
    """
    size = max(1, min(128, len(pairs) // (workers * 8) or 1))
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


def _serve(conn: Any) -> None:
    """Worker loop: run ``(func, arg)`` messages, reply ``(ok, result or exception)``."""
    from detector.workers import die_with_parent

    die_with_parent()  # a SIGKILLed parent never sends EOF: siblings hold the pipes
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        func, arg = message
        try:
            reply = (True, func(arg))
        except BaseException as exc:  # the main process re-raises it
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an exception that does not pickle
            conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {exc}")))


class _Workers:
    """Forked worker processes, each with a fixed shard; or the main process alone.

    A worker gets a new task only when idle (it is then blocked reading its
    pipe), so a large task can never meet a large reply in a full pipe.
    """

    def __init__(self, workers: int) -> None:
        self.conns: list[Any] = []
        self.procs: list[Any] = []
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            for _ in range(workers):
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(child,), daemon=True)
                proc.start()
                child.close()
                self.conns.append(parent)
                self.procs.append(proc)

    def sharded(self, func: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        """Results of ``func(tasks[c])``, in task order, task ``c`` run by worker ``c % workers``."""
        return self._run(func, tasks, sharded=True)

    def any(self, func: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        """Results of ``func(task)`` in task order, each task run by the next free worker."""
        return self._run(func, tasks, sharded=False)

    def each(self, func: Callable[[Any], Any], arg: Any) -> list[Any]:
        """``func(arg)`` once in every worker (in-process: once here)."""
        return list(self.sharded(func, [arg] * max(1, len(self.conns))))

    def _run(self, func: Callable[[Any], Any], tasks: Sequence[Any], *, sharded: bool) -> Iterator[Any]:
        if not self.conns:
            yield from map(func, tasks)
            return
        from multiprocessing.connection import wait

        n, width = len(tasks), len(self.conns)
        queues = [deque(range(w, n, width)) for w in range(width)] if sharded else None
        shared = deque(range(n))
        busy: dict[int, int] = {}  # worker -> task index
        done: dict[int, Any] = {}
        worker_of = {id(c): w for w, c in enumerate(self.conns)}

        def feed(w: int) -> None:
            source = queues[w] if queues is not None else shared
            if source:
                c = source.popleft()
                self.conns[w].send((func, tasks[c]))
                busy[w] = c

        for w in range(width):
            feed(w)
        emitted = 0
        while emitted < n:
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
            if emitted >= n:
                break
            for conn in wait([self.conns[w] for w in busy]):
                w = worker_of[id(conn)]
                try:
                    ok, value = conn.recv()
                except (EOFError, OSError):
                    from detector.errors import EngineError

                    raise EngineError(
                        "a worker process died (killed, or out of memory?); "
                        "try fewer --workers or a smaller corpus"
                    ) from None
                done[busy.pop(w)] = value
                if not ok:
                    raise value
                feed(w)

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for proc in self.procs:
            proc.join()

    def terminate(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.join()


def _worker_count(workers: int | None, n_docs: int) -> int:
    """Processes to use: as asked (default every core), one for a small corpus."""
    if n_docs < _MIN_PARALLEL_DOCS:
        return 1
    return max(1, workers or os.cpu_count() or 1)


@contextlib.contextmanager
def _corpus_workers(
    docs: Sequence[Document], params: Params, workers: int, *, framing: Any = None
) -> Iterator[_Workers]:
    """``workers`` processes forked with ``docs`` (and a framing model) as what they read.

    Per-process state of an earlier corpus is cleared first (indices name
    other documents now) and again on the way out.
    """
    global _DOCS, _PARAMS, _FRAMING, _SECOND_PASS
    _DOCS, _PARAMS, _FRAMING = list(docs), params, framing
    _TOKEN_CACHE.clear()
    _PENDING.clear()
    _SHARD_KEYS.clear()
    # The corpus and the per-document results are millions of long-lived
    # objects: frozen, the cyclic GC stops re-scanning them (about 8% of the
    # run at 10,000 documents), and forked workers do not touch their pages.
    gc.freeze()
    pool = _Workers(workers)
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        gc.unfreeze()
        _DOCS, _FRAMING, _SECOND_PASS = [], None, (None, None, None, 1, None, None)
        _TOKEN_CACHE.clear()
        _PENDING.clear()
        _SHARD_KEYS.clear()


def align_pairs(
    docs: Sequence[Document],
    pairs: Sequence[tuple[int, int]],
    params: Params = DEFAULT_PARAMS,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, int, list[Passage]]]:
    """Align document pairs on this machine's cores: ``(i, j, passages)`` per pair, in (i, j) order.

    Args:
        docs: the documents the pair indices refer to.
        pairs: ``(i, j)`` index pairs; runs of one first document stay in
            one task, so it is tokenised once there.
        params: alignment parameters.
        workers: processes (default: every core).
        progress: called with the number of pairs done after each task.

    Forked workers read ``docs`` from inherited memory. Streams results, so
    a caller can store them as they come.
    """
    n = _worker_count(workers, len(docs))
    tasks = _pair_tasks(sorted(pairs), n)
    with _corpus_workers(docs, params, n) as pool:
        for task, found in zip(tasks, pool.any(_align_task, tasks), strict=True):
            for (i, j), passages in zip(task, found, strict=True):
                yield i, j, passages
            if progress is not None:
                progress(len(task))


def phrase_occurrences_of(
    docs: Sequence[Document],
    indices: Sequence[int],
    selected: np.ndarray,
    df: np.ndarray,
    params: Params = DEFAULT_PARAMS,
    *,
    workers: int | None = None,
) -> list[tuple[int, int, int, int, int]]:
    """:func:`detector.boilerplate.phrase_occurrences` of ``docs[i]`` for each ``i``, on all cores.

    Returns ``(doc index, key, start, end, words)`` rows, in document order.
    """
    chunks = [(list(indices[k : k + 64]), selected, df) for k in range(0, len(indices), 64)]
    out: list[tuple[int, int, int, int, int]] = []
    with _corpus_workers(docs, params, _worker_count(workers, len(docs))) as pool:
        for rows in pool.any(_phrases_task, chunks):
            out.extend(rows)
    return out


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
    mask_shingles: bool = True,
    cross_lingual: bool = False,
) -> Report:
    """:func:`detector.report.build_report` on local processes (see there)."""
    import numpy as np

    from detector.boilerplate import select_phrase_grams
    from detector.candidates import key_partitions, link_entries, pairs_from_links
    from detector.fingerprint import window_counts
    from detector.stages import (
        assemble_clusters,
        assemble_report,
        corpus_phrases,
        plan_corpus,
    )

    def tick(stage: str, advance: int, total: int | None) -> None:
        if progress is not None:
            progress(stage, advance, total)

    stages: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    docs, skipped, errors = load_corpus(sources_or_documents, skip_bad=skip_bad)
    stages["load"] = time.perf_counter() - t0
    n = len(docs)
    workers = _worker_count(workers, n)
    model = _load_framing(framing, notes)  # loaded before forking: shared
    with _corpus_workers(docs, params, workers, framing=model) as pool:
        t = time.perf_counter()
        facts: list[DocFacts] = []
        size = max(1, min(64, n // (workers * 8) or 1))
        chunks = _chunks(n, size)
        for part in pool.sharded(_facts_task, chunks):
            facts.extend(part)
            tick("sketch", len(part), n)
        stages["sketch"] = time.perf_counter() - t
        gc.freeze()

        t = time.perf_counter()
        outlets = [f.info.outlet for f in facts]
        plan = plan_corpus(facts, mask_shingles=mask_shingles)
        selected, df = select_phrase_grams(((f.index, f.grams) for f in facts), outlets)
        for f in facts:
            # what the counting needed is no longer: free it before the next pass
            f.forget_counts()
        is_rep = plan.dups.rep == np.arange(n)
        stages["mask"] = time.perf_counter() - t

        t = time.perf_counter()
        # key ranges for the candidate merge, from the expected number of
        # bucket entries, so each range's sort stays a bounded size
        words = np.array([f.info.words for f in facts], dtype=np.int64)
        shingles = np.maximum(0, words - params.lsh_shingle_size + 1)
        windows = int(window_counts(shingles, params.window_words, params.window_step)[is_rep].sum())
        parts = key_partitions(windows * params.lsh_bands)
        pool.each(_second_pass_setup, (plan.mask, selected, df, parts, plan.ranks, is_rep))
        occurrences: list[tuple[int, int, int, int, int]] = []
        for (a, b), occ in zip(chunks, pool.sharded(_keys_task, chunks), strict=True):
            occurrences.extend(occ)
            tick("bands", b - a, n)
        stages["bands"] = time.perf_counter() - t

        t = time.perf_counter()
        # each worker sorts its shard's entries of one key range at a time and
        # the main process merges them, so nobody holds every entry sorted
        links = [link_entries(pool.each(_entries_task, part)) for part in range(parts)]
        # bucket entries carry time ranks: back to document indices, earlier first
        pairs = plan.pairs_in_index_order(pairs_from_links(links, min_shared=params.lsh_min_bands))
        del links
        stages["candidates"] = time.perf_counter() - t

        t = time.perf_counter()
        passages: list[tuple[int, int, Passage]] = []
        tasks = _pair_tasks(pairs, workers)
        for task, found in zip(tasks, pool.any(_report_align_task, tasks), strict=True):
            for (i, j), ps in zip(task, found, strict=True):
                passages.extend((i, j, p) for p in ps)
            tick("align", len(task), len(pairs))
        dup_pairs = plan.duplicate_pairs()
        blocks: dict[int, np.ndarray] = {}
        dup_tasks = [dup_pairs[k : k + 32] for k in range(0, len(dup_pairs), 32)]
        for task, maps in zip(dup_tasks, pool.any(_dup_task, dup_tasks), strict=True):
            for (_, d), bl in zip(task, maps, strict=True):
                blocks[d] = bl
        stages["align"] = time.perf_counter() - t
        if cross_lingual:
            from detector.crosscorpus import translated_passages

            t = time.perf_counter()
            # its own sentence embedding pool: run after the alignment workers are idle
            passages.extend(translated_passages(docs, workers=workers, progress=progress))
            stages["cross-lingual"] = time.perf_counter() - t
        gc.freeze()

        t = time.perf_counter()

        def text_of(i: int) -> str:
            return docs[i].text

        clusters = assemble_clusters(facts, passages, text_of, plan, blocks)
        stages["cluster"] = time.perf_counter() - t

        t = time.perf_counter()
        flags: list[FramingSpan] = []
        if model is not None:
            for (a, b), fl in zip(chunks, pool.any(_framing_task, chunks), strict=True):
                flags.extend(fl)
                tick("framing", b - a, n)
        stages["framing"] = time.perf_counter() - t

        t = time.perf_counter()
        phrases = corpus_phrases(occurrences, facts, clusters, text_of)
        stages["phrases"] = time.perf_counter() - t
    texts = {d.id: d.text for d in docs}
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
        plan=plan,
    )
