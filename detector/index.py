"""An incremental reuse index on disk (stdlib ``sqlite3``), for the monitoring desk.

A desk adds each day's articles and asks what in the archive a new article
reuses, without recomputing the archive::

    index = Index("archive.db")
    index.add(["today.jsonl"])               # idempotent; unchanged documents skipped
    index.query(new_article)                 # archived documents sharing passages
    index.report()                           # the same Report as a batch run

Storage (schema version :data:`SCHEMA_VERSION`, migrations applied in order
and recorded in ``PRAGMA user_version``):

* ``documents``: one row per document: ``seq`` (order of first addition,
  which is the document order a batch report over the same inputs would
  see), ``id``, ``hash`` (xxh3-64 of the UTF-8 text, hex), metadata, the
  original text, ``extra`` as JSON, ``added_at`` (UTC, ISO 8601), and the
  per-document facts of :func:`detector.report.analyse_document` that the
  report needs (segment keys and spans, phrase 3-grams: raw little-endian
  integer bytes; internal repeats: JSON spans), so a report never
  re-tokenises the archive for them;
* ``windows``: one row per passage window: token start and the MinHash
  signature as raw little-endian ``uint32`` bytes (never a pickle);
* ``bucket_runs``/``bucket_blocks``: the LSH bucket keys of every document,
  as (key, document) entries in immutable sorted runs of 4 KB blocks,
  merged level by level (:mod:`detector.bucketruns`): adding a batch
  appends one run instead of scattering a thousand random B-tree inserts
  per document, and a lookup reads one block per run hit;
* ``framing_flags``: each document's framing flags under the fingerprint of
  the model that made them (:func:`detector.persist.model_fingerprint`),
  filled by :meth:`Index.report`, so the classifier runs once per document;
* ``alignments``: a cache of aligned candidate pairs (passages as compact
  JSON), filled by :meth:`Index.report` and dropped with either document;
* ``meta``: the parameters the index was built with. Signatures and band keys
  are only comparable under the same parameters, so an index refuses to be
  used with different ones.

Crash safety: the database runs in WAL mode, and each batch of documents
(its rows in ``documents`` and ``windows`` and its run of bucket entries) is written in one
``BEGIN IMMEDIATE`` transaction, so killing the process at any moment leaves
either all of a document or none of it; the next :meth:`Index.add` skips
what is already there and resumes. Readers (other connections, other
processes) see the last committed batch while an ``add`` runs. Merging runs
is a transaction of its own after a batch: interrupted, it leaves the runs
as they were.

Equality with the batch engines: sketches come from
:func:`detector.candidates.sketch_tokens`, bucket keys from
:func:`detector.candidates.band_keys`, candidate pairs from
:func:`detector.candidates.candidate_pairs` over the documents in ``seq``
order, and the report from the same grouping as :func:`detector.report.build_report`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from detector.bucketruns import SCHEMA as _BUCKET_SCHEMA
from detector.bucketruns import BucketRuns
from detector.errors import DetectorError
from detector.params import DEFAULT_PARAMS, Params
from detector.schema import Document, FramingSpan, Passage, Span, WordOp

if TYPE_CHECKING:
    import numpy as np

    from detector.candidates import DocSketch
    from detector.load import LoadStats
    from detector.schema import Report
    from detector.tokens import Tokens

__all__ = [
    "SCHEMA_VERSION",
    "AddStats",
    "Index",
    "IndexFileError",
    "IndexMatch",
    "IndexStats",
    "decode_passages",
    "encode_passages",
]


def _sketch_for_index(doc: Document, params: Params) -> tuple[Any, Any, Any]:
    """One document's sketch, distinct bucket keys (signed) and report facts (one tokenisation).

    The report's facts keep the ordered shingles (the report re-bands them
    under the corpus mask); the unmasked window signatures are what a query
    looks up. Top-level so a process pool can run it.
    """
    import numpy as np

    from detector.candidates import band_keys, sketch_shingles
    from detector.fingerprint import distinct_sorted
    from detector.report import analyse_document

    facts = analyse_document(0, doc, params, defer_keys=True)
    sketch = sketch_shingles(doc.id, facts.info.words, facts.shingles, params)
    # distinct keys as SQLite's signed integers (same bits), computed here
    # rather than in the one writing process
    keys = distinct_sorted(band_keys(sketch.signatures, params)).view(np.int64)
    # only what the index stores travels back from the pool
    return sketch, keys, replace(facts, shingle_set=None, phrase_seq=None)


@contextlib.contextmanager
def _sketch_pool(workers: int | None) -> Iterator[Any]:
    """A process pool for sketching (None when one process is asked for or usable).

    Sketching is CPU-bound and per document; writing stays in the main
    process, so the database has one writer and batches stay atomic.
    """
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1:
        yield None
        return
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
        yield pool


class IndexFileError(DetectorError):
    """The index file cannot be used: newer schema, other parameters, not SQLite."""


# --------------------------------------------------------------------------- schema

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

# Each migration takes the schema from version i to i + 1 and runs inside the
# same transaction as the ``user_version`` bump, so a crash mid-migration
# leaves the previous version intact.
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

_MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(_MIGRATIONS)
"""Schema version this code writes (``PRAGMA user_version``)."""

# Parameters that change signatures, band keys or passages: an index built
# with one set cannot answer for another.
_PARAM_FIELDS = tuple(sorted(asdict(DEFAULT_PARAMS)))

_BATCH_DOCS = 64  # documents per write transaction: amortises fsync, bounds lost work


# --------------------------------------------------------------------------- results


@dataclass
class AddStats:
    """What one :meth:`Index.add` did.

    Attributes:
        added: new documents written.
        replaced: documents whose id existed with a different text.
        unchanged: documents skipped because id and content hash matched.
        skipped: bad input records skipped (``skip_bad=True``).
        errors: the skipped input problems, as one-line messages.
    """

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndexMatch:
    """An archived document that shares passages with a queried one.

    Attributes:
        document: the archived document (text included).
        passages: passages with ``a`` = archived document, ``b`` = the
            queried one; character spans into both texts.
    """

    document: Document
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class IndexStats:
    """Sizes of an index.

    Attributes:
        path: the database file.
        schema_version: ``PRAGMA user_version``.
        documents: documents stored.
        windows: passage windows (signatures) stored.
        band_keys: LSH bucket entries stored.
        bucket_runs: sorted runs holding them (:mod:`detector.bucketruns`).
        alignments: cached aligned pairs.
        framing_flags: documents whose framing flags are stored (any model).
        outlets: distinct outlets.
        first_date, last_date: date range of dated documents, or None.
        bytes: database size on disk (main file plus WAL), in bytes.
    """

    path: str
    schema_version: int
    documents: int
    windows: int
    band_keys: int
    bucket_runs: int
    alignments: int
    framing_flags: int
    outlets: int
    first_date: str | None
    last_date: str | None
    bytes: int


# --------------------------------------------------------------------------- codecs


def _content_hash(text: str) -> str:
    import xxhash

    return xxhash.xxh3_64_hexdigest(text.encode("utf-8", "surrogatepass"))


def encode_passages(passages: Sequence[Passage]) -> str:
    """Compact, lossless JSON of passages (spans, words, score, kind, ops, token ranges).

    Floats survive exactly (JSON keeps ``repr`` precision). O(total ops).
    """
    rows = [
        [
            p.a.start,
            p.a.end,
            p.b.start,
            p.b.end,
            p.words,
            p.score,
            p.kind,
            [[o.op, o.a.start, o.a.end, o.b.start, o.b.end] for o in p.ops],
            list(p.tok_a),
            list(p.tok_b),
        ]
        for p in passages
    ]
    return json.dumps(rows, separators=(",", ":"))


def decode_passages(data: str) -> list[Passage]:
    """Inverse of :func:`encode_passages`."""
    out = []
    for a0, a1, b0, b1, words, score, kind, ops, tok_a, tok_b in json.loads(data):
        out.append(
            Passage(
                a=Span(a0, a1),
                b=Span(b0, b1),
                words=words,
                score=score,
                kind=kind,
                ops=tuple(WordOp(op, Span(x0, x1), Span(y0, y1)) for op, x0, x1, y0, y1 in ops),
                tok_a=(tok_a[0], tok_a[1]),
                tok_b=(tok_b[0], tok_b[1]),
            )
        )
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _date_key(doc: Document, seq: int) -> tuple[int, str, int]:
    """Earliest first: dated documents by date, then undated, ties by seq."""
    return (0, doc.date, seq) if doc.date else (1, "", seq)


# --------------------------------------------------------------------------- the index


class Index:
    """A reuse index in one SQLite file (created if missing).

    Args:
        path: database file.
        params: parameters to build with. A new index stores them; an
            existing one uses its stored parameters, and raises
            :class:`IndexFileError` if ``params`` is given and differs.
        max_bucket: LSH buckets larger than this are not expanded into all
            pairs (see :func:`detector.candidates.candidate_pairs`).
        timeout: seconds to wait for another writer's lock.

    One writer at a time (SQLite's rule); any number of readers, in this or
    other processes, while it writes. Use as a context manager or call
    :meth:`close`.
    """

    _pool: Any = None  # the sketching process pool, only during add()

    def __init__(
        self,
        path: str | os.PathLike[str],
        params: Params | None = None,
        *,
        max_bucket: int | None = None,
        timeout: float = 60.0,
    ) -> None:
        from detector.candidates import DEFAULT_MAX_BUCKET

        self.path = os.fspath(path)
        self.max_bucket = DEFAULT_MAX_BUCKET if max_bucket is None else max_bucket
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise IndexFileError(f"{self.path}: not a usable SQLite database ({exc})") from exc
        # NORMAL is durable against process crashes in WAL mode (only a power
        # cut can lose the last commits, never consistency).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # bucket keys are random, so inserts touch pages all over the B-tree:
        # a 128 MB page cache (default 2 MB) keeps large adds from thrashing
        self._db.execute("PRAGMA cache_size=-131072")
        self._migrate()
        self.params = self._check_params(params)
        self._runs = BucketRuns(self._db)

    # ---- lifecycle

    def close(self) -> None:
        """Close the connection (committed data is on disk already)."""
        self._db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise IndexFileError(
                f"{self.path}: index schema version {version} is newer than this "
                f"detector supports ({SCHEMA_VERSION}); upgrade detector"
            )
        while version < SCHEMA_VERSION:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # re-read under the write lock: another process may have migrated
                current = self._db.execute("PRAGMA user_version").fetchone()[0]
                if current == version:
                    for statement in _MIGRATIONS[version].split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={version + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            version = self._db.execute("PRAGMA user_version").fetchone()[0]

    def _check_params(self, params: Params | None) -> Params:
        row = self._db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        if row is None:
            chosen = params or DEFAULT_PARAMS
            self._db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('params', ?)",
                (json.dumps(asdict(chosen), sort_keys=True),),
            )
            row = self._db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        stored = json.loads(row[0])
        unknown = set(stored) - set(_PARAM_FIELDS)
        if unknown:
            raise IndexFileError(
                f"{self.path}: built by another detector version with parameters "
                f"{sorted(unknown)} this one does not use; rebuild the index"
            )
        missing = set(_PARAM_FIELDS) - set(stored)
        if missing:
            # a parameter added since the index was built may change what the
            # stored keys mean (e.g. the LSH shingle length): never guess
            raise IndexFileError(
                f"{self.path}: built by an older detector without parameters "
                f"{sorted(missing)}; rebuild the index"
            )
        built = DEFAULT_PARAMS.with_(**stored)
        if params is not None and params != built:
            diff = sorted(k for k in _PARAM_FIELDS if getattr(params, k) != getattr(built, k))
            raise IndexFileError(
                f"{self.path}: index was built with other parameters ({', '.join(diff)}); "
                "rebuild it or use the stored ones"
            )
        return built

    # ---- writing

    def add(
        self,
        sources: Iterable[str | os.PathLike[str]] | Iterable[Document],
        *,
        skip_bad: bool = False,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> AddStats:
        """Add documents from files/folders (as ``detector report`` reads them) or objects.

        Args:
            sources: paths (``.txt``, folders, JSONL, CSV, ``.gz``, ``-``) or
                :class:`Document` objects.
            skip_bad: skip bad input records, counting them, instead of
                raising :class:`~detector.errors.InputError`.
            progress: called with the number of documents processed so far
                after each committed batch.
            workers: processes that sketch documents (default: all cores);
                the main process alone writes to the database.

        Returns:
            Counts of added, replaced, unchanged and skipped documents.

        Idempotent: a document whose id and content hash are already stored
        is skipped without tokenising it; one whose text changed is replaced
        (its windows, band keys and cached alignments with it). Each batch of
        documents is one transaction: a crash loses at most the batch in
        flight, and the next call resumes. Time O(n) in the new text (about
        the sketching cost of the batch engine) plus O(keys log K) B-tree
        inserts.
        """
        from detector.load import LoadStats, iter_documents

        stats = AddStats()
        load_stats: LoadStats | None = None
        stream = iter(sources)
        first = next(stream, None)
        docs: Iterable[Document]
        if first is None:
            docs = ()
        elif isinstance(first, Document):
            # a stream of Document objects stays a stream (bounded memory)
            docs = itertools.chain([first], stream)  # type: ignore[list-item]
        else:
            load_stats = LoadStats()
            docs = iter_documents(
                [os.fspath(s) for s in itertools.chain([first], stream)],  # type: ignore[misc]
                skip_bad=skip_bad,
                stats=load_stats,
            )
        known = dict(self._db.execute("SELECT id, hash FROM documents").fetchall())
        batch: list[tuple[Document, str]] = []
        with _sketch_pool(workers) as pool:
            self._pool = pool
            try:
                self._add_stream(docs, known, batch, stats, progress)
            finally:
                self._pool = None
        if load_stats is not None:
            stats.skipped = load_stats.skipped
            stats.errors = [str(e) for e in load_stats.errors]
        return stats

    def _add_stream(
        self,
        docs: Iterable[Document],
        known: dict[str, str],
        batch: list[tuple[Document, str]],
        stats: AddStats,
        progress: Callable[[int], None] | None,
    ) -> int:
        """Batch the new and changed documents of ``docs`` and write each batch.

        Sketching is pipelined with writing: while the main process writes
        batch k (and merges bucket runs), the pool sketches batch k + 1.
        """
        done = 0
        in_flight: tuple[list[tuple[Document, str]], Iterator[Any]] | None = None

        def write(job: tuple[list[tuple[Document, str]], Iterator[Any]]) -> None:
            nonlocal done
            self._write_batch(job[0], job[1], stats)
            done += len(job[0])
            if progress is not None:
                progress(done)

        for doc in docs:
            digest = _content_hash(doc.text)
            old = known.get(doc.id)
            if old == digest:
                stats.unchanged += 1
                continue
            batch.append((doc, digest))
            known[doc.id] = digest
            if len(batch) >= _BATCH_DOCS:
                job = (batch, self._start_sketch(batch))
                if in_flight is not None:
                    write(in_flight)
                in_flight, batch = job, []
        if batch:
            job = (batch, self._start_sketch(batch))
            if in_flight is not None:
                write(in_flight)
            in_flight = job
        if in_flight is not None:
            write(in_flight)
        return done

    def _start_sketch(self, batch: list[tuple[Document, str]]) -> Iterator[Any]:
        """Sketches of a batch, in order: submitted to the pool now, or computed lazily here."""
        docs = [doc for doc, _ in batch]
        if self._pool is not None and len(docs) > 1:
            return self._pool.map(_sketch_for_index, docs, itertools.repeat(self.params), chunksize=8)
        return map(_sketch_for_index, docs, itertools.repeat(self.params))

    def _write_batch(
        self, batch: list[tuple[Document, str]], sketched: Iterator[Any], stats: AddStats
    ) -> None:
        """Write a sketched batch in one transaction, then merge bucket runs if due."""
        from concurrent.futures.process import BrokenProcessPool

        import numpy as np

        try:
            keyed = [
                (doc, digest, sketch, keys, facts)
                for (doc, digest), (sketch, keys, facts) in zip(batch, sketched, strict=True)
            ]
        except BrokenProcessPool:
            from detector.errors import EngineError

            raise EngineError(
                "a sketching process died (killed, or out of memory?); what was "
                "committed stays, and the next add resumes"
            ) from None
        db = self._db
        pending: dict[int, np.ndarray] = {}  # this batch's bucket keys by seq
        db.execute("BEGIN IMMEDIATE")
        try:
            for doc, digest, sketch, keys, facts in keyed:
                row = db.execute("SELECT seq FROM documents WHERE id=?", (doc.id,)).fetchone()
                values = (
                    digest,
                    doc.outlet,
                    doc.date,
                    doc.url,
                    doc.lang,
                    doc.text,
                    json.dumps(dict(doc.extra), ensure_ascii=False, default=str),
                    sketch.n_tokens,
                    np.ascontiguousarray(facts.shingles, dtype="<u4").tobytes(),
                    _pack_segments(facts.segments),
                    _pack_ints(facts.grams),
                    _pack_repeats(facts.repeats),
                    _now(),
                )
                if row is None:
                    cur = db.execute(
                        "INSERT INTO documents(hash, outlet, date, url, lang, text, extra, "
                        "n_tokens, shingles, segments, grams, repeats, added_at, id) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (*values, doc.id),
                    )
                    seq = int(cur.lastrowid)  # type: ignore[arg-type]
                    stats.added += 1
                else:
                    # keep seq: the document keeps its place in the corpus order
                    seq = int(row[0])
                    self._forget(seq)
                    pending.pop(seq, None)
                    db.execute(
                        "UPDATE documents SET hash=?, outlet=?, date=?, url=?, lang=?, text=?, "
                        "extra=?, n_tokens=?, shingles=?, segments=?, grams=?, repeats=?, "
                        "added_at=? "
                        "WHERE seq=?",
                        (*values, seq),
                    )
                    stats.replaced += 1
                self._write_windows(seq, sketch)
                pending[seq] = keys
            if pending:
                self._runs.append(
                    np.concatenate(list(pending.values())),
                    np.concatenate([np.full(len(k), s, dtype=np.int64) for s, k in pending.items()]),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        # merging runs is its own transaction: a crash here leaves the runs
        # as they were, and the next batch merges them
        db.execute("BEGIN IMMEDIATE")
        try:
            self._runs.compact()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _write_windows(self, seq: int, sketch: DocSketch) -> None:
        import numpy as np

        sigs = np.ascontiguousarray(sketch.signatures, dtype="<u4")
        self._db.executemany(
            "INSERT INTO windows(doc, window, tok_start, signature) VALUES (?,?,?,?)",
            ((seq, w, int(sketch.starts[w]), sigs[w].tobytes()) for w in range(sigs.shape[0])),
        )

    def _forget(self, seq: int) -> None:
        """Delete a document's windows, band keys and cached alignments (inside a transaction)."""
        import numpy as np

        from detector.candidates import band_keys

        rows = self._db.execute(
            "SELECT signature FROM windows WHERE doc=? ORDER BY window", (seq,)
        ).fetchall()
        if rows:
            sigs = np.stack([np.frombuffer(r[0], dtype="<u4") for r in rows])
            # bucket keys are recomputed from the stored signatures, so the
            # runs need no second index by document
            self._runs.remove(band_keys(sigs, self.params).view(np.int64), seq)
        self._db.execute("DELETE FROM windows WHERE doc=?", (seq,))
        self._db.execute("DELETE FROM alignments WHERE doc_a=? OR doc_b=?", (seq, seq))
        self._db.execute("DELETE FROM framing_flags WHERE doc=?", (seq,))

    # ---- reading

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def __contains__(self, doc_id: object) -> bool:
        return (
            self._db.execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone() is not None
        )

    def document(self, doc_id: str) -> Document:
        """The stored document with this id (KeyError if absent)."""
        row = self._db.execute(_DOC_SELECT + " WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return _row_document(row)[1]

    def documents(self) -> Iterator[Document]:
        """Every stored document in corpus order (``seq``), streamed."""
        for row in self._db.execute(_DOC_SELECT + " ORDER BY seq"):
            yield _row_document(row)[1]

    def _documents_by_seq(self, seqs: Iterable[int]) -> dict[int, Document]:
        out: dict[int, Document] = {}
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(_DOC_SELECT + f" WHERE seq IN ({marks})", chunk):
                seq, doc = _row_document(row)
                out[seq] = doc
        return out

    def _bucket_docs(self, keys: np.ndarray) -> dict[int, int]:
        """Archived documents sharing a bucket key, with how many keys each shares.

        A bucket holding more than ``max_bucket`` documents is frequent text
        (site chrome, a story reprinted everywhere). The batch engines chain
        such a bucket in corpus order, which links a newly added document to
        the bucket's latest one only; a query does the same, so its
        candidates stay bounded. One fence search per run and one block read
        per block hit (:meth:`detector.bucketruns.BucketRuns.lookup`).
        """
        import numpy as np

        from detector.fingerprint import run_starts

        shared: dict[int, int] = {}
        if keys.size == 0:
            return shared
        found_keys, found_docs = self._runs.lookup(np.asarray(keys, dtype=np.uint64).view(np.int64))
        if len(found_keys) == 0:
            return shared
        order = np.lexsort((found_docs, found_keys))
        found_keys, found_docs = found_keys[order], found_docs[order]
        starts = run_starts(found_keys)
        ends = np.append(starts[1:], len(found_keys))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            docs = found_docs[s:e].tolist() if e - s <= self.max_bucket else [int(found_docs[e - 1])]
            for d in docs:
                shared[d] = shared.get(d, 0) + 1
        return shared

    def query(self, document: Document | str, *, exclude_self: bool = True) -> list[IndexMatch]:
        """Archived documents that share passages with ``document``, earliest first.

        Args:
            document: the new article (a :class:`Document` or plain text).
            exclude_self: leave out an archived document with the same id.

        Returns:
            One :class:`IndexMatch` per archived document with at least one
            passage, ordered by date (undated last), then by order of
            addition. Passages have ``a`` in the archived document and ``b``
            in the queried one.

        Cost: one tokenisation and sketch of the query, O(K log N) index
        lookups for its K bucket keys, then one alignment per candidate;
        independent of the archive size except through the number of
        candidates (bounded by ``max_bucket`` per bucket).
        """
        from detector.align import align_passages
        from detector.candidates import band_keys, sketch_tokens
        from detector.tokens import tokenize

        doc = document if isinstance(document, Document) else Document(id="query", text=document)
        tokens = tokenize(doc.text, stem=self.params.stem)
        sketch = sketch_tokens(doc.id, tokens, self.params)
        keys = band_keys(sketch.signatures, self.params)
        shared = self._bucket_docs(keys)
        # the batch engines' rule: a pair needs lsh_min_bands shared buckets
        archived = self._documents_by_seq(
            d for d, n in shared.items() if n >= self.params.lsh_min_bands
        )
        matches: list[tuple[tuple[int, str, int], IndexMatch]] = []
        for seq, old in archived.items():
            if exclude_self and old.id == doc.id:
                continue
            passages = align_passages(_tokens(old, self.params), tokens, self.params)
            if passages:
                matches.append((_date_key(old, seq), IndexMatch(old, tuple(passages))))
        matches.sort(key=lambda m: m[0])
        return [m for _, m in matches]

    def stats(self) -> IndexStats:
        """Counts and sizes (one small aggregate query per table)."""
        one = lambda sql: self._db.execute(sql).fetchone()  # noqa: E731
        first, last = one("SELECT min(date), max(date) FROM documents WHERE date IS NOT NULL")
        size = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
        return IndexStats(
            path=self.path,
            schema_version=int(one("PRAGMA user_version")[0]),
            documents=int(one("SELECT count(*) FROM documents")[0]),
            windows=int(one("SELECT count(*) FROM windows")[0]),
            band_keys=self._runs.entries(),
            bucket_runs=int(one("SELECT count(*) FROM bucket_runs")[0]),
            alignments=int(one("SELECT count(*) FROM alignments")[0]),
            framing_flags=int(one("SELECT count(DISTINCT doc) FROM framing_flags")[0]),
            outlets=int(one("SELECT count(DISTINCT outlet) FROM documents")[0]),
            first_date=first,
            last_date=last,
            bytes=size,
        )

    def report(
        self,
        *,
        framing: bool = False,
        progress: Callable[[str, int, int | None], None] | None = None,
        mask_shingles: bool = True,
    ) -> Report:
        """The corpus report over every stored document, equal to a batch report.

        Args:
            framing: also flag framing sentences. Flags are stored per
                document and model, so the classifier runs only over
                documents not flagged by this model before.
            progress: optional ``progress(stage, advance, total)`` callback.
            mask_shingles: mask corpus-common shingles before banding, as the
                batch report does by default.

        Returns:
            The same :class:`~detector.schema.Report` that
            :func:`detector.report.build_report` gives for the stored
            documents in order of addition (``documents``, ``clusters``,
            ``repeats``, ``phrases``, ``candidates`` equal; ``stages`` differ).

        Per-document facts come from the database, candidate pairs are
        recomputed from the stored signatures (the bucket cap depends on the
        whole corpus, so yesterday's candidates may not be today's), and only
        pairs never aligned before are aligned; their passages are cached in
        the same transaction-safe way as ``add``.
        """
        import time

        import numpy as np

        from detector.boilerplate import aggregate_phrases, select_phrase_grams
        from detector.candidates import (
            band_keys,
            candidate_pairs,
            shingle_mask,
            shingle_set,
            sketch_shingles,
        )
        from detector.engines.local import phrase_occurrences_of
        from detector.fingerprint import in_sorted
        from detector.report import (
            DocFacts,
            assemble_clusters,
            assemble_report,
            doc_info,
            unit_index,
        )

        def tick(stage: str, advance: int, total: int | None) -> None:
            if progress is not None:
                progress(stage, advance, total)

        stages: dict[str, float] = {}
        t0 = time.perf_counter()
        seqs: list[int] = []
        docs: list[Document] = []
        facts: list[DocFacts] = []
        grams: list[np.ndarray] = []
        shingles: list[np.ndarray] = []
        empty = np.zeros(0, dtype=np.uint64)
        for row in self._db.execute(
            "SELECT seq, id, text, outlet, date, url, lang, extra, n_tokens, shingles, segments, "
            "grams, repeats FROM documents ORDER BY seq"
        ):
            seq, doc = _row_document(row[:8])
            n_tokens, sh, seg, gram, rep = row[8:]
            pos = len(docs)
            seqs.append(seq)
            docs.append(doc)
            grams.append(_unpack_ints(gram))
            shingles.append(np.frombuffer(sh, dtype="<u4").astype(np.uint32))
            facts.append(
                DocFacts(
                    index=pos,
                    info=doc_info(doc, n_tokens),
                    keys=empty,
                    segments=_unpack_segments(seg),
                    grams=empty,
                    repeats=_unpack_repeats(rep, doc.id, doc.text),
                )
            )
        stages["load"] = time.perf_counter() - t0

        # The batch report masks shingles common in the corpus as it is now
        # (outlet chrome, formulae) before banding, so the keys of a report
        # depend on the whole archive: they are recomputed from the stored
        # shingles (no tokenising), as the batch engine's second pass does.
        t = time.perf_counter()
        outlets = [d.outlet for d in docs]
        mask = (
            shingle_mask(((i, shingle_set(sh)) for i, sh in enumerate(shingles)), outlets)
            if mask_shingles
            else None
        )
        keys = [
            band_keys(
                sketch_shingles(d.id, f.info.words, sh, self.params, mask=mask).signatures,
                self.params,
            )
            for d, f, sh in zip(docs, facts, shingles, strict=True)
        ]
        del shingles
        pairs = sorted(
            candidate_pairs(
                enumerate(keys), max_bucket=self.max_bucket, min_shared=self.params.lsh_min_bands
            )
        )
        del keys
        stages["candidates"] = time.perf_counter() - t

        t = time.perf_counter()
        passages = self._aligned(pairs, seqs, docs, tick)
        stages["align"] = time.perf_counter() - t

        t = time.perf_counter()

        def text_of(i: int) -> str:
            return docs[i].text

        clusters = assemble_clusters(facts, passages, text_of)
        selected, df = select_phrase_grams(enumerate(grams), outlets)
        stages["cluster"] = time.perf_counter() - t

        t = time.perf_counter()
        occurrences: list[tuple[int, int, int, int, int]] = []
        flags: list[Any] = []
        notes: list[str] = []
        model = None
        if framing:
            try:
                from detector.framing import load_default_model

                model = load_default_model()
            except Exception as exc:  # the report stands without framing; say why
                notes.append(f"framing not run: {type(exc).__name__}: {exc}")
        if len(selected):
            # a document none of whose 3-grams was selected has no occurrence
            hits = [i for i in range(len(docs)) if in_sorted(grams[i], selected).any()]
            occurrences = phrase_occurrences_of(docs, hits, selected, df, self.params)
        if model is not None:
            flags = self._framing_flags(model, seqs, docs, tick)
        documents = [f.info for f in facts]
        phrases = aggregate_phrases(
            occurrences, documents, text_of, unit_index(clusters, documents)
        )
        stages["phrases+framing"] = time.perf_counter() - t
        stages["total"] = time.perf_counter() - t0
        return assemble_report(
            facts,
            clusters,
            phrases,
            flags,
            {d.id: d.text for d in docs},
            candidates=len(pairs),
            stages=stages,
            notes=notes,
        )

    def _framing_flags(
        self,
        model: Any,
        seqs: Sequence[int],
        docs: Sequence[Document],
        tick: Callable[[str, int, int | None], None],
    ) -> list[FramingSpan]:
        """Framing flags of every document: stored ones, the rest flagged now and stored.

        Flags are kept per document and model fingerprint
        (:func:`detector.persist.model_fingerprint`), so a report re-runs the
        classifier only on documents added since the last report (or on all
        of them after a model change). Written in batch transactions like
        ``add``.
        """
        from detector.persist import model_fingerprint

        fingerprint = model_fingerprint(model)
        stored: dict[int, str] = dict(
            self._db.execute("SELECT doc, flags FROM framing_flags WHERE model=?", (fingerprint,))
        )
        flags: list[FramingSpan] = []
        fresh: list[tuple[int, str, str]] = []

        def flush() -> None:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO framing_flags(doc, model, flags) "
                    "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM documents WHERE seq=?)",
                    ((seq, model_id, data, seq) for seq, model_id, data in fresh),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            fresh.clear()

        by_seq: dict[int, list[FramingSpan]] = {}
        missing = [(seq, doc) for seq, doc in zip(seqs, docs, strict=True) if seq not in stored]
        tick("framing", len(docs) - len(missing), len(docs))
        for start in range(0, len(missing), _BATCH_DOCS):
            batch = missing[start : start + _BATCH_DOCS]
            # one classifier batch for the batch's documents, split back by document
            found: dict[str, list[FramingSpan]] = {doc.id: [] for _, doc in batch}
            for flag in model.flag_documents([doc for _, doc in batch]):
                found[flag.doc].append(flag)
            for seq, doc in batch:
                by_seq[seq] = found[doc.id]
                fresh.append((seq, fingerprint, _encode_flags(found[doc.id])))
            flush()
            tick("framing", len(batch), len(docs))
        for seq, doc in zip(seqs, docs, strict=True):
            if seq in stored:
                flags.extend(_decode_flags(stored[seq], doc.id))
            else:
                flags.extend(by_seq[seq])
        return flags

    def _aligned(
        self,
        pairs: Sequence[tuple[int, int]],
        seqs: Sequence[int],
        docs: Sequence[Document],
        tick: Callable[[str, int, int | None], None],
    ) -> list[tuple[int, int, Passage]]:
        """Passages of every pair (positions), from the cache or aligned now and cached."""
        from detector.engines.local import align_pairs

        cached: dict[tuple[int, int], str] = {}
        for a, b, data in self._db.execute("SELECT doc_a, doc_b, passages FROM alignments"):
            cached[(a, b)] = data
        found: dict[tuple[int, int], list[Passage]] = {}
        todo: list[tuple[int, int]] = []
        for i, j in pairs:
            data = cached.get((seqs[i], seqs[j]))
            if data is None:
                todo.append((i, j))
            else:
                found[(i, j)] = decode_passages(data)
        tick("align", len(pairs) - len(todo), len(pairs))
        fresh: list[tuple[int, int, str]] = []
        # pairs never aligned before, on every core; stored as they come
        for i, j, passages in align_pairs(
            docs, todo, self.params, progress=lambda n: tick("align", n, len(pairs))
        ):
            found[(i, j)] = passages
            fresh.append((seqs[i], seqs[j], encode_passages(passages)))
            if len(fresh) >= 512:
                self._store_alignments(fresh)
                fresh = []
        if fresh:
            self._store_alignments(fresh)
        return [(i, j, p) for i, j in pairs for p in found[(i, j)]]

    def _store_alignments(self, rows: list[tuple[int, int, str]]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO alignments(doc_a, doc_b, passages) VALUES (?,?,?)", rows
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def integrity_check(self) -> list[str]:
        """Problems found: SQLite's own check plus the index's invariants (empty = ok).

        Invariants: every document with tokens has windows, and every window
        set has its band keys; no window or key belongs to a missing document.
        """
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        q = lambda sql: [r[0] for r in self._db.execute(sql)]  # noqa: E731
        for seq in q(
            "SELECT seq FROM documents d WHERE n_tokens > 0 AND NOT EXISTS "
            "(SELECT 1 FROM windows w WHERE w.doc = d.seq)"
        ):
            problems.append(f"document seq {seq} has no windows")
        keyed = set(self._runs.docs())
        for seq in q("SELECT DISTINCT doc FROM windows ORDER BY doc"):
            if seq not in keyed:
                problems.append(f"document seq {seq} has windows but no bucket keys")
        for seq in q(
            "SELECT DISTINCT doc FROM windows WHERE doc NOT IN (SELECT seq FROM documents)"
        ):
            problems.append(f"windows of missing document seq {seq}")
        known = set(q("SELECT seq FROM documents"))
        for seq in sorted(keyed - known):
            problems.append(f"bucket keys of missing document seq {seq}")
        return problems


_DOC_SELECT = "SELECT seq, id, text, outlet, date, url, lang, extra FROM documents"


def _row_document(row: tuple[Any, ...]) -> tuple[int, Document]:
    seq, doc_id, text, outlet, date, url, lang, extra = row
    return int(seq), Document(
        id=doc_id,
        text=text,
        outlet=outlet,
        date=date,
        url=url,
        lang=lang,
        extra=json.loads(extra),
    )


def _encode_flags(flags: Sequence[FramingSpan]) -> str:
    """Compact JSON of one document's flags (the document id is the row's)."""
    return json.dumps(
        [[f.start, f.end, f.label, f.score, [[c.start, c.end] for c in f.cues]] for f in flags],
        separators=(",", ":"),
    )


def _decode_flags(data: str, doc_id: str) -> list[FramingSpan]:
    return [
        FramingSpan(doc_id, int(s), int(e), str(label), float(score), tuple(Span(a, b) for a, b in cues))
        for s, e, label, score, cues in json.loads(data)
    ]


def _pack_ints(values: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(np.asarray(values).view(np.int64), dtype="<i8").tobytes()


def _unpack_ints(data: bytes, dtype: str = "uint64") -> np.ndarray:
    import numpy as np

    return np.frombuffer(data, dtype="<i8").astype(np.int64).view(dtype)


def _pack_segments(seg: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> bytes:
    """Segment keys, starts, ends and word counts as one ``(4, n)`` int64 block."""
    import numpy as np

    keys, starts, ends, words = seg
    block = np.stack(
        [np.asarray(keys, dtype=np.uint64).view(np.int64), starts, ends, words]
    ).astype("<i8")
    return block.tobytes()


def _unpack_segments(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    block = np.frombuffer(data, dtype="<i8").astype(np.int64).reshape(4, -1)
    return block[0].copy().view(np.uint64), block[1].copy(), block[2].copy(), block[3].copy()


def _pack_repeats(repeats: Sequence[Any]) -> str:
    return json.dumps(
        [[[s.start, s.end] for s in r.spans] + [r.words] for r in repeats], separators=(",", ":")
    )


def _unpack_repeats(data: str, doc_id: str, text: str) -> tuple[Any, ...]:
    from detector.schema import Repeat

    out = []
    for item in json.loads(data):
        *spans, words = item
        first = spans[0]
        out.append(
            Repeat(
                doc=doc_id,
                spans=tuple(Span(a, b) for a, b in spans),
                words=words,
                text=text[first[0] : first[1]],
            )
        )
    return tuple(out)


def _tokens(doc: Document, params: Params) -> Tokens:
    from detector.tokens import tokenize

    return tokenize(doc.text, stem=params.stem)
