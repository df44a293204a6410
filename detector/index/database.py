"""The index's SQLite file: schema, migrations, connection settings, transactions, checks.

Schema version :data:`SCHEMA_VERSION` lives in ``PRAGMA user_version``;
migrations run in order, each in the same transaction as its version bump,
so a crash mid-migration leaves the previous version intact. Before
migrating, the tables present must be exactly those of the recorded
version: a hand-edited version or someone else's SQLite file is refused
with one line instead of failing half-way through a migration.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterator

from detector.bucketruns import SCHEMA as _BUCKET_SCHEMA
from detector.index.errors import IndexDamagedError, IndexFileError, translate

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "check_schema",
    "connect",
    "expected_tables",
    "migrate",
    "sqlite_check",
    "translating",
    "write_transaction",
]

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE documents (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    hash     TEXT NOT NULL,
    outlet   TEXT,
    date     TEXT,
    url      TEXT,
    lang     TEXT,
    text     TEXT NOT NULL,
    extra    TEXT NOT NULL DEFAULT '{}',
    n_tokens INTEGER NOT NULL,
    shingles BLOB NOT NULL,
    segments BLOB NOT NULL,
    grams    BLOB NOT NULL,
    repeats  TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE windows (
    doc       INTEGER NOT NULL REFERENCES documents(seq),
    window    INTEGER NOT NULL,
    tok_start INTEGER NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (doc, window)
) WITHOUT ROWID;
CREATE TABLE band_keys (
    band INTEGER NOT NULL,
    key  INTEGER NOT NULL,
    doc  INTEGER NOT NULL REFERENCES documents(seq),
    PRIMARY KEY (band, key, doc)
) WITHOUT ROWID;
CREATE TABLE alignments (
    doc_a    INTEGER NOT NULL REFERENCES documents(seq),
    doc_b    INTEGER NOT NULL REFERENCES documents(seq),
    passages TEXT NOT NULL,
    PRIMARY KEY (doc_a, doc_b)
) WITHOUT ROWID;
CREATE INDEX alignments_b ON alignments(doc_b);
"""

# v2: bucket entries as sorted runs of blocks (detector.bucketruns) instead of
# one B-tree row per entry; framing flags cached per document and model.
_V2 = (
    """
DROP TABLE band_keys;
"""
    + _BUCKET_SCHEMA
    + """
CREATE TABLE framing_flags (
    doc   INTEGER NOT NULL REFERENCES documents(seq),
    model TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (doc, model)
) WITHOUT ROWID;
"""
)

# v3: each document's chrome (detector.chrome.chrome_occurrences) stored at
# add time, so a report never tokenises the archive again. Rows of an older
# index keep NULL until the next report computes and stores theirs.
_V3 = """
ALTER TABLE documents ADD COLUMN chrome BLOB;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
"""``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)
"""Schema version this code writes (``PRAGMA user_version``)."""


def _statements(script: str) -> Iterator[str]:
    for statement in script.split(";"):
        if statement.strip():
            yield statement


@functools.cache
def expected_tables(version: int) -> frozenset[str]:
    """The tables of schema ``version``, and their columns as ``table.column``
    (built once in memory from the migrations)."""
    db = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS[:version]:
            for statement in _statements(script):
                db.execute(statement)
        return _tables(db)
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> frozenset[str]:
    """Table names, plus ``table.column`` for each column (a migration may only add columns)."""
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    columns = [
        f"{name}.{col}"
        for name in names
        for (col,) in db.execute("SELECT name FROM pragma_table_info(?)", (name,))
    ]
    return frozenset(names + columns)


@contextlib.contextmanager
def translating(path: str) -> Iterator[None]:
    """Re-raise SQLite failures on the index at ``path`` as one-line index errors."""
    try:
        yield
    except sqlite3.Error as exc:
        mapped = translate(exc, path)
        if mapped is None:
            raise
        raise mapped from exc


@contextlib.contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any exception.

    SQLite rolls a transaction back by itself on some errors (a full disk,
    an I/O error): the rollback is then skipped, so the error that matters
    is the one raised (never "cannot rollback - no transaction is active").
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def connect(path: str, timeout: float) -> sqlite3.Connection:
    """Open ``path`` (created if missing) in WAL mode with the index's settings."""
    with translating(path):
        try:
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise IndexFileError(f"{path}: not a usable SQLite database ({exc})") from exc
        # NORMAL is durable against process crashes in WAL mode (only a power
        # cut can lose the last commits, never consistency).
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # bucket keys are random, so inserts touch pages all over the B-tree:
        # a 128 MB page cache (default 2 MB) keeps large adds from thrashing
        db.execute("PRAGMA cache_size=-131072")
    return db


def _version_and_tables(db: sqlite3.Connection) -> tuple[int, frozenset[str]]:
    """Both from one read snapshot (another process may be migrating)."""
    db.execute("BEGIN")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        return version, _tables(db)
    finally:
        db.execute("COMMIT")


def check_schema(path: str, version: int, tables: frozenset[str]) -> None:
    """Raise unless ``tables`` are exactly those of schema ``version``."""
    if version > SCHEMA_VERSION:
        raise IndexFileError(
            f"{path}: index schema version {version} is newer than this "
            f"detector supports ({SCHEMA_VERSION}); upgrade detector"
        )
    if version < 0:
        raise IndexDamagedError(f"{path}: schema version {version} is not a detector index version")
    expected = expected_tables(version)
    known = frozenset().union(*(expected_tables(v) for v in range(SCHEMA_VERSION + 1)))
    # tables of the user's own are tolerated; tables of another schema version are not
    missing, foreign = sorted(expected - tables), sorted((tables - expected) & known)
    core = frozenset.intersection(*(expected_tables(v) for v in range(1, SCHEMA_VERSION + 1)))
    if version == 0 and tables and not tables >= core:
        raise IndexFileError(
            f"{path}: not a detector index (an SQLite database with other tables: "
            f"{', '.join(sorted(t for t in tables if '.' not in t)[:5])})"
        )
    if not missing and not foreign:
        return
    detail = "; ".join(
        part
        for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unexpected {', '.join(foreign)}" if foreign else "",
        )
        if part
    )
    raise IndexDamagedError(
        f"{path}: schema version {version} (PRAGMA user_version) does not match the tables "
        f"({detail}); the version was edited or the file is damaged; restore a copy or "
        "rebuild the index"
    )


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Check the schema against its recorded version, then apply pending migrations."""
    version, tables = _version_and_tables(db)
    check_schema(path, version, tables)
    while version < SCHEMA_VERSION:
        with write_transaction(db):
            # re-read under the write lock: another process may have migrated
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current == version:
                for statement in _statements(MIGRATIONS[version]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={version + 1}")
        version, tables = _version_and_tables(db)
        check_schema(path, version, tables)


def sqlite_check(db: sqlite3.Connection, *, quick: bool = False, limit: int = 100) -> list[str]:
    """SQLite's own check of every page: ``integrity_check`` or the cheaper ``quick_check``.

    Returns the problems (empty when the file is intact), at most ``limit``.
    ``quick_check`` skips index-content and UNIQUE checks; both read the whole
    file, O(file size). A check that cannot even run is one problem.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in db.execute(f"PRAGMA {pragma}({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [f"{pragma} could not run: {exc}"]
    return [r for r in rows if r != "ok"]
