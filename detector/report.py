"""``detector report``: reuse clusters, duplicates, boilerplate, repeats, phrasing and framing of a corpus.

:func:`build_report` is the library call behind the command. It runs the
stages of :mod:`detector.stages` on an engine (:mod:`detector.engines`);
this module only picks the engine, so the data flows one way: stages ->
engines -> report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from detector.params import DEFAULT_PARAMS, Params
from detector.stages import (
    DocFacts,
    ProgressCallback,
    analyse_document,
    assemble_clusters,
    assemble_report,
    doc_info,
    framing_counts,
    unit_index,
    with_band_keys,
)

if TYPE_CHECKING:
    from detector.schema import Document, Report

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


def build_report(
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
    """Find reuse clusters, duplicate groups, boilerplate, repeats, shared phrasing and framing.

    Args:
        sources_or_documents: paths as on the command line (files, folders,
            JSONL/CSV, ``-``), or :class:`Document` objects.
        params: tuning parameters (windows, LSH threshold, alignment).
        workers: processes to use (default: every core); 1 runs in-process.
        skip_bad: skip and count bad input records instead of raising.
        framing: flag framing sentences (when the framing model is
            available; otherwise a note says why not).
        progress: optional ``progress(stage, advance, total)`` callback.
        mask_shingles: leave shingles of one outlet's chrome and of
            corpus-wide formulae out of the candidate search
            (:func:`detector.candidates.shingle_mask`); boilerplate is still
            reported from segment counts.
        cross_lingual: also find translated passages between Russian and
            English documents (:func:`detector.crosscorpus.translated_passages`;
            needs ``reuse-detector[semantic]``); they join the clusters like
            any other passage, so a cluster may mix languages.

    Returns:
        A :class:`Report`. Near-identical documents are grouped first and
        aligned once against their earliest copy; the passage search then
        pairs each text's copies with its earliest holder only (stars), so
        time and memory grow with the corpus and the text it shares, never
        with the square of a text's copies.

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
        mask_shingles=mask_shingles,
        cross_lingual=cross_lingual,
    )
