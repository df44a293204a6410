"""LSH bucket entries on disk as sorted runs of blocks: the index's bucket table.

A query asks which archived documents share bucket keys with a new article;
:class:`detector.index.Index` needs ``key -> documents`` lookups over every
(key, document) entry of the archive, about 1,150 entries per news article.
Stored as one SQLite row per entry in a B-tree keyed by the (random) key,
every insert lands on a random page: measured here at 0.2 million rows/s
while the table is still small, and slower once it outgrows the page cache,
so adding documents cost more than the whole batch report.

So entries are kept the way log-structured merge trees keep them (O'Neil et
al. 1996; Bigtable's SSTables): each write adds an immutable *run*, sorted
by key and cut into blocks of about :data:`BLOCK_ENTRIES` entries; a block is
one row ``(run, first_key, keys, docs)`` whose two BLOBs are little-endian
``int64`` arrays. Appending a run writes a few large rows in key order, never
touching older pages. When a level holds :data:`FANOUT` runs they are merged
(numpy, in memory) into one run of the next level, so a document's entries
are rewritten about ``log_FANOUT(archive / batch)`` times in all, and a
lookup visits at most ``FANOUT - 1`` runs per level. Each run's block fences
(``first_key``) are read once per connection and cached: runs never change
except when an entry is removed (a replaced document), which rewrites only
the blocks holding it.

Everything happens inside the caller's transactions (the index writes a
batch of documents and its run in one), so a crash leaves whole runs or
none. Keys are the signed 64-bit view of :func:`detector.candidates.band_keys`
(SQLite's integer order), documents are the index's ``seq`` numbers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BLOCK_ENTRIES", "FANOUT", "SCHEMA", "BucketRuns"]

BLOCK_ENTRIES = 256
"""Entries per block: a lookup reads one 4 KB block per distinct block hit."""

FANOUT = 8
"""Runs of one level merged into one run of the next."""

SCHEMA = """
CREATE TABLE bucket_runs (
    run     INTEGER PRIMARY KEY AUTOINCREMENT,
    level   INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
CREATE TABLE bucket_blocks (
    run       INTEGER NOT NULL REFERENCES bucket_runs(run),
    first_key INTEGER NOT NULL,
    keys      BLOB NOT NULL,
    docs      BLOB NOT NULL,
    PRIMARY KEY (run, first_key)
) WITHOUT ROWID;
"""
"""Tables (created by the index's schema migrations)."""


def _sorted_entries(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries ordered by (key, doc), repeats dropped."""
    import numpy as np

    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    if len(keys) > 1:
        fresh = np.concatenate(([True], (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])))
        keys, docs = keys[fresh], docs[fresh]
    return keys, docs


class BucketRuns:
    """The runs of bucket entries in one SQLite database.

    Args:
        db: an open connection (the caller owns transactions and closing).
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._fences: dict[int, np.ndarray] = {}

    # ---- writing (inside the caller's transaction)

    def append(self, keys: np.ndarray, docs: np.ndarray, *, level: int = 0) -> int | None:
        """Write entries as one new run; returns its id (None when empty).

        Args:
            keys: ``int64`` (signed view of the ``uint64`` band keys).
            docs: ``int64`` document of each key.
            level: merge level of the run (0 for new documents).

        O(E log E) for E entries, written as E / BLOCK_ENTRIES rows.
        """
        import numpy as np

        keys, docs = _sorted_entries(
            np.asarray(keys, dtype=np.int64), np.asarray(docs, dtype=np.int64)
        )
        return self._write_run(keys, docs, level)

    def _write_run(self, keys: np.ndarray, docs: np.ndarray, level: int) -> int | None:
        """Write entries already sorted by key as one run."""
        if len(keys) == 0:
            return None
        # AUTOINCREMENT: a run id is never reused, so fences another
        # connection cached for a merged-away run can never describe a new one
        cur = self._db.execute(
            "INSERT INTO bucket_runs(level, entries) VALUES (?,?)", (level, len(keys))
        )
        run = int(cur.lastrowid)  # type: ignore[arg-type]
        self._db.executemany(
            "INSERT INTO bucket_blocks(run, first_key, keys, docs) VALUES (?,?,?,?)",
            ((run, int(k[0]), k.astype("<i8").tobytes(), d.astype("<i8").tobytes()) for k, d in _blocks(keys, docs)),
        )
        return run

    def compact(self, *, fanout: int = FANOUT) -> int:
        """Merge full levels, lowest first, until no level holds ``fanout`` runs.

        Call inside a write transaction. Returns the number of merges done.
        Each merge reads its runs, merges them in memory (O(E log r) for E
        entries of r runs) and writes one run of the next level.
        """
        import numpy as np

        merges = 0
        while True:
            full = self._db.execute(
                "SELECT level FROM bucket_runs GROUP BY level HAVING count(*) >= ? ORDER BY level LIMIT 1",
                (fanout,),
            ).fetchone()
            if full is None:
                return merges
            level = int(full[0])
            runs = [r[0] for r in self._db.execute(
                "SELECT run FROM bucket_runs WHERE level=? ORDER BY run LIMIT ?", (level, fanout)
            )]
            marks = ",".join("?" * len(runs))
            keys: list[np.ndarray] = []
            docs: list[np.ndarray] = []
            for k, d in self._db.execute(
                f"SELECT keys, docs FROM bucket_blocks WHERE run IN ({marks})", runs
            ):
                keys.append(np.frombuffer(k, dtype="<i8"))
                docs.append(np.frombuffer(d, dtype="<i8"))
            self._db.execute(f"DELETE FROM bucket_blocks WHERE run IN ({marks})", runs)
            self._db.execute(f"DELETE FROM bucket_runs WHERE run IN ({marks})", runs)
            for run in runs:
                self._fences.pop(run, None)
            if keys:
                # each run is sorted: a stable sort by key merges them in
                # O(E log r) (timsort), and runs hold disjoint entries
                all_keys = np.concatenate(keys)
                order = np.argsort(all_keys, kind="stable")
                self._write_run(all_keys[order], np.concatenate(docs)[order], level + 1)
            merges += 1

    def remove(self, keys: np.ndarray, doc: int) -> int:
        """Delete a document's entries under ``keys``; returns how many were removed.

        Rewrites only the blocks that hold them. O(runs * blocks hit).
        """
        import numpy as np

        from detector.fingerprint import in_sorted

        wanted = np.unique(np.asarray(keys, dtype=np.int64))
        removed = 0
        for run in self._runs():
            for first, k, d in self._blocks_for(run, wanted):
                drop = in_sorted(k, wanted) & (d == doc)
                if not drop.any():
                    continue
                removed += int(drop.sum())
                if drop.all():
                    self._db.execute(
                        "DELETE FROM bucket_blocks WHERE run=? AND first_key=?", (run, first)
                    )
                    self._fences.pop(run, None)
                else:
                    # first_key stays: still a lower bound of the block's keys
                    self._db.execute(
                        "UPDATE bucket_blocks SET keys=?, docs=? WHERE run=? AND first_key=?",
                        (k[~drop].astype("<i8").tobytes(), d[~drop].astype("<i8").tobytes(), run, first),
                    )
                self._db.execute(
                    "UPDATE bucket_runs SET entries = entries - ? WHERE run=?", (int(drop.sum()), run)
                )
        return removed

    # ---- reading

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every stored entry whose key is in ``keys``: ``(keys, docs)`` arrays.

        O(runs * log blocks) fence searches plus one block read per distinct
        block hit; independent of the archive size otherwise.
        """
        import numpy as np

        wanted = np.unique(np.asarray(keys, dtype=np.int64))
        if len(wanted) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # one read transaction: the run list and the blocks come from the same
        # snapshot even while another process merges runs
        own = not self._db.in_transaction
        if own:
            self._db.execute("BEGIN")
        try:
            return self._lookup(wanted)
        finally:
            if own:
                self._db.execute("COMMIT")

    def _lookup(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        found_k: list[np.ndarray] = []
        found_d: list[np.ndarray] = []
        for run in self._runs():
            blocks = sorted(self._blocks_for(run, wanted), key=lambda b: b[0])
            if not blocks:
                continue
            # blocks in fence order concatenate into one sorted array: two
            # binary searches find every wanted key's entries at once
            k = np.concatenate([b[1] for b in blocks])
            d = np.concatenate([b[2] for b in blocks])
            lo = np.searchsorted(k, wanted, side="left")
            hi = np.searchsorted(k, wanted, side="right")
            sizes = hi - lo
            if sizes.any():
                idx = np.repeat(lo, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
                found_k.append(k[idx])
                found_d.append(d[idx])
        if not found_k:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_k), np.concatenate(found_d)

    def entries(self) -> int:
        """Number of stored entries."""
        return int(self._db.execute("SELECT coalesce(sum(entries), 0) FROM bucket_runs").fetchone()[0])

    def docs(self) -> Iterator[int]:
        """Every document with at least one entry (each once, ascending). Reads every block."""
        import numpy as np

        seen: set[int] = set()
        for (d,) in self._db.execute("SELECT docs FROM bucket_blocks"):
            seen.update(np.unique(np.frombuffer(d, dtype="<i8")).tolist())
        yield from sorted(seen)

    def _runs(self) -> list[int]:
        runs = [r[0] for r in self._db.execute("SELECT run FROM bucket_runs ORDER BY run")]
        for gone in set(self._fences) - set(runs):
            del self._fences[gone]
        return runs

    def _blocks_for(self, run: int, wanted: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """``(first_key, keys, docs)`` of the blocks of ``run`` that may hold ``wanted`` keys."""
        import numpy as np

        from detector.fingerprint import distinct_sorted

        fences = self._fences.get(run)
        if fences is None:
            fences = np.array(
                [r[0] for r in self._db.execute(
                    "SELECT first_key FROM bucket_blocks WHERE run=? ORDER BY first_key", (run,)
                )],
                dtype=np.int64,
            )
            self._fences[run] = fences
        if len(fences) == 0:
            return
        at = np.searchsorted(fences, wanted, side="right") - 1
        firsts = distinct_sorted(fences[at[at >= 0]]).tolist()
        for i in range(0, len(firsts), 500):
            chunk = firsts[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for first, k, d in self._db.execute(
                f"SELECT first_key, keys, docs FROM bucket_blocks WHERE run=? AND first_key IN ({marks})",
                (run, *chunk),
            ):
                yield first, np.frombuffer(k, dtype="<i8"), np.frombuffer(d, dtype="<i8")


def _blocks(keys: np.ndarray, docs: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Cut sorted entries into blocks of about BLOCK_ENTRIES, never splitting one key's entries.

    Equal keys stay in one block so that every block's first key is distinct
    within the run and a key is found by one fence search.
    """
    import numpy as np

    n = len(keys)
    start = 0
    while start < n:
        end = min(start + BLOCK_ENTRIES, n)
        if end < n:
            # move the cut forward past entries of the key it would split
            end = int(np.searchsorted(keys, keys[end - 1], side="right"))
        yield keys[start:end], docs[start:end]
        start = end
