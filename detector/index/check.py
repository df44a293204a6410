"""``detector index check``: is an index file intact?

Two layers: SQLite's own check of every page (``PRAGMA integrity_check``,
or the cheaper ``quick_check``, which skips index contents), then the
index's invariants (:meth:`detector.index.store.Index.invariant_problems`:
every document has its windows and bucket keys, nothing belongs to a
missing document). The SQLite layer runs on a plain connection, so a file
too damaged to open as an index still gets a list of problems.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from detector.index.database import sqlite_check
from detector.index.errors import IndexDamagedError, IndexFileError

__all__ = ["CheckResult", "check_index"]


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check_index` found.

    Attributes:
        problems: one line per problem (empty: intact).
        method: ``"integrity_check"`` or ``"quick_check"``.
        documents: documents stored (0 when the file could not be read as an index).
    """

    problems: tuple[str, ...]
    method: str
    documents: int


def check_index(path: str, *, quick: bool = False, limit: int = 100) -> CheckResult:
    """Check the index at ``path``; at most ``limit`` SQLite problems are listed.

    Raises :class:`IndexFileError` when the file is not an SQLite database
    or not a detector index (nothing to check). O(file size).
    """
    from detector.index.store import Index

    method = "quick_check" if quick else "integrity_check"
    db = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            if "malformed" not in str(exc):
                raise IndexFileError(f"{path}: not a usable SQLite database ({exc})") from None
        problems = sqlite_check(db, quick=quick, limit=limit)
    finally:
        db.close()
    if problems:
        return CheckResult(tuple(problems), method, 0)
    try:
        with Index(path) as ix:
            return CheckResult(tuple(ix.invariant_problems()), method, len(ix))
    except IndexDamagedError as exc:
        return CheckResult((str(exc),), method, 0)
