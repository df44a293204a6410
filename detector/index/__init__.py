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
  report needs (segment keys and spans, phrase 3-grams, chrome occurrences:
  raw little-endian integer bytes; internal repeats: JSON spans), so a report
  never re-tokenises the archive for them (rows written before schema
  version 3 have no chrome: the next report computes and stores it);
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

Damage and limits: every SQLite failure that is not a bug becomes a one-line
error (:mod:`detector.index.errors`): a full disk (the batch in flight is
rolled back, what was committed stays), a damaged page, a schema version
that does not match the tables, a lock held too long.
:meth:`Index.integrity_check` runs SQLite's own check of every page and the
index's invariants (``detector index check``).

Sketching workers exit when the process that started them dies, even by
SIGKILL (:func:`detector.workers.die_with_parent`).

Equality with the batch engines: sketches come from
:func:`detector.candidates.sketch_tokens`, bucket keys from
:func:`detector.candidates.band_keys`, candidate pairs from
:func:`detector.candidates.candidate_pairs` over the documents in ``seq``
order, and the report from the same grouping as :func:`detector.report.build_report`.

Modules: :mod:`~detector.index.store` (the :class:`Index`: open, add, query,
stats, check), :mod:`~detector.index.report` (the corpus report over the
index), :mod:`~detector.index.database` (schema, migrations, transactions),
:mod:`~detector.index.codecs` (row formats), :mod:`~detector.index.sketch`
(sketching on every core), :mod:`~detector.index.errors`.
"""


from __future__ import annotations

from detector.index.codecs import decode_passages, encode_passages
from detector.index.database import SCHEMA_VERSION
from detector.index.errors import (
    IndexDamagedError,
    IndexFileError,
    IndexFullError,
    IndexLockedError,
)
from detector.index.store import AddStats, Index, IndexMatch, IndexStats

__all__ = [
    "SCHEMA_VERSION",
    "AddStats",
    "Index",
    "IndexDamagedError",
    "IndexFileError",
    "IndexFullError",
    "IndexLockedError",
    "IndexMatch",
    "IndexStats",
    "decode_passages",
    "encode_passages",
]
