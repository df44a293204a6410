"""Sketching documents for the index, on every core.

One tokenisation per document gives its sketch (passage-window signatures),
its distinct LSH bucket keys and the per-document facts the report needs.
Sketching is CPU-bound and per document; writing stays in the one main
process, so the database has one writer and batches stay atomic.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from detector.params import Params
from detector.schema import Document

__all__ = ["SKETCH_RUN", "sketch_for_index", "sketch_pool", "sketch_run"]

SKETCH_RUN = 16
"""Documents a pool task sketches at once (:func:`sketch_run`)."""


def sketch_for_index(doc: Document, params: Params) -> tuple[Any, Any, Any]:
    """One document's sketch, distinct bucket keys (signed) and report facts (one tokenisation).

    The report's facts keep the ordered shingles (the report re-bands them
    under the corpus mask); the unmasked window signatures are what a query
    looks up. O(tokens).
    """
    return sketch_run([doc], params)[0]


def sketch_run(docs: Sequence[Document], params: Params) -> list[tuple[Any, Any, Any]]:
    """:func:`sketch_for_index` of each document, the run analysed at once.

    :func:`detector.stages.analyse_documents` tokenises and hashes the run
    together (a quarter less CPU a Telegram post in runs of 16). Top-level
    so a process pool can run it.
    """
    import numpy as np

    from detector.candidates import band_keys, sketch_shingles
    from detector.fingerprint import distinct_sorted
    from detector.stages import analyse_documents

    out = []
    for doc, facts in zip(docs, analyse_documents(0, docs, params, defer_keys=True), strict=True):
        sketch = sketch_shingles(doc.id, facts.info.words, facts.shingles, params)
        # distinct keys as SQLite's signed integers (same bits), computed here
        # rather than in the one writing process
        keys = distinct_sorted(band_keys(sketch.signatures, params)).view(np.int64)
        # only what the index stores travels back from the pool
        out.append((sketch, keys, replace(facts, index=0, shingle_set=None, phrase_seq=None, dup_sig=None)))
    return out


@contextlib.contextmanager
def sketch_pool(workers: int | None) -> Iterator[Any]:
    """A process pool for sketching (None when one process is asked for or usable).

    Its workers exit when this process dies, even by SIGKILL
    (:func:`detector.workers.die_with_parent`).
    """
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1:
        yield None
        return
    import concurrent.futures
    import multiprocessing

    from detector.workers import die_with_parent

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=die_with_parent
    ) as pool:
        yield pool
