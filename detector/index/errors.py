"""The index's errors, and the mapping of SQLite failures onto them.

Every SQLite failure that is not a bug of this code becomes one of these,
so the CLI prints one line (``detector.cli.main``): a file that is not an
index, a damaged page, a full disk, a lock held too long.
"""

from __future__ import annotations

import sqlite3

from detector.errors import DetectorError, EngineError

__all__ = ["IndexDamagedError", "IndexFileError", "IndexFullError", "IndexLockedError", "translate"]


class IndexFileError(DetectorError):
    """The index file cannot be used: newer schema, other parameters, not SQLite."""


class IndexDamagedError(IndexFileError):
    """The database is damaged (a malformed page, a schema that does not match its version)."""


class IndexFullError(EngineError):
    """The disk (or the database's page limit) is full; the batch in flight was not written."""


class IndexLockedError(EngineError):
    """Another process held the write lock longer than the timeout."""


# primary SQLite result codes (the low byte of an extended code)
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26


def translate(exc: sqlite3.Error, path: str) -> DetectorError | None:
    """The one-line error for a SQLite failure on the index at ``path``, or None (a bug).

    Uses the SQLite result code where Python gives it (3.11+), else the message.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    lower = text.lower()
    if primary == _SQLITE_FULL or "disk is full" in lower:
        return IndexFullError(
            f"{path}: database or disk is full; the batch in flight was not written and "
            "what was committed is intact; free space and run the command again"
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in lower:
        return IndexDamagedError(
            f"{path}: the index is damaged ({text}); 'detector index check {path}' "
            "lists the damage; restore a copy or rebuild the index"
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in lower:
        return IndexLockedError(f"{path}: {text} (another process is writing to it)")
    if primary in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM) or "readonly" in lower:
        return IndexFileError(f"{path}: {text}")
    if primary == _SQLITE_IOERR:
        return IndexFileError(f"{path}: {text}")
    if type(exc) is sqlite3.DatabaseError:  # e.g. "file is not a database"
        return IndexFileError(f"{path}: not a usable SQLite database ({text})")
    return None
