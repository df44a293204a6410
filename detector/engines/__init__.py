"""Execution engines for ``detector report``: ``local`` (multiprocessing) and ``spark``.

Both run the same pure stage functions of :mod:`detector.report`,
:mod:`detector.candidates`, :mod:`detector.cluster` and
:mod:`detector.boilerplate`; an engine only decides where they run.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

ENGINES = ("local", "spark")
