"""The report as a SQLite database, for Datasette, ``sqlite-utils`` and SQL.

Tables (primary keys first; ``→`` marks a foreign key):

- ``documents(id, outlet, date, url, lang, chars, words, extra)``;
- ``clusters(id, kind, earliest → documents, earliest_date, documents,
  outlets, passages, score, verbatim, edited, spun, frames)``;
- ``members(cluster → clusters, n, doc → documents, start, end, outlet,
  date, words, text)``: one row per place a cluster's text appears;
- ``phrases(id, text, words, documents, independent, outlets,
  outlet_names)`` and ``phrase_examples(phrase → phrases, n, doc →
  documents, start, end)``;
- ``framing(id, doc → documents, start, end, label, score, text)`` and
  ``framing_counts(label, flags, documents, outlets, independent, reposted)``;
- ``repeats(id, doc → documents, words, times, text)`` and
  ``repeat_spans(repeat → repeats, n, start, end)``;
- ``duplicates(group_id, n, doc → documents, outlet, date, earliest)``: the
  report's duplicate groups (near-identical documents), empty when it has
  none;
- ``report(key, value)``: schema, counts, notes and skipped-record errors.

Views: ``outlet_reuse`` (earlier outlet, reusing outlet, clusters: the
outlet matrix), ``document_reuse`` (per document: reuse clusters it is in,
and in how many it is the earliest), ``cluster_overview`` (each cluster
with its first member's text), ``framing_by_outlet`` (flags per outlet and
label). Lists (outlets, frames) are JSON arrays, ``extra`` a JSON object.

Offsets are character offsets into the original text, as everywhere. The
file is written to a temporary name beside ``path`` and renamed into place,
so a failed write never leaves a half-written database.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import tempfile
from typing import TYPE_CHECKING, Any

from detector.render.common import duplicate_groups, publish_file

if TYPE_CHECKING:
    from detector.schema import Report

__all__ = ["SCHEMA_SQL", "write_report_sqlite"]

SCHEMA_SQL = """
CREATE TABLE report (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE documents (
  id TEXT PRIMARY KEY, outlet TEXT, date TEXT, url TEXT, lang TEXT,
  chars INTEGER NOT NULL, words INTEGER NOT NULL, extra TEXT
);
CREATE TABLE clusters (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, earliest TEXT REFERENCES documents(id),
  earliest_date TEXT, documents INTEGER NOT NULL, outlets TEXT NOT NULL,
  passages INTEGER NOT NULL, score REAL NOT NULL,
  verbatim INTEGER NOT NULL, edited INTEGER NOT NULL, spun INTEGER NOT NULL, frames TEXT NOT NULL
);
CREATE TABLE members (
  cluster INTEGER NOT NULL REFERENCES clusters(id), n INTEGER NOT NULL,
  doc TEXT NOT NULL REFERENCES documents(id), start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  outlet TEXT, date TEXT, words INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (cluster, n)
);
CREATE INDEX members_doc ON members(doc);
CREATE TABLE phrases (
  id INTEGER PRIMARY KEY, text TEXT NOT NULL, words INTEGER NOT NULL,
  documents INTEGER NOT NULL, independent INTEGER NOT NULL, outlets INTEGER NOT NULL,
  outlet_names TEXT NOT NULL
);
CREATE TABLE phrase_examples (
  phrase INTEGER NOT NULL REFERENCES phrases(id), n INTEGER NOT NULL,
  doc TEXT NOT NULL REFERENCES documents(id), start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  PRIMARY KEY (phrase, n)
);
CREATE TABLE framing (
  id INTEGER PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(id),
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT NOT NULL, score REAL NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX framing_doc ON framing(doc);
CREATE TABLE framing_counts (
  label TEXT PRIMARY KEY, flags INTEGER NOT NULL, documents INTEGER NOT NULL,
  outlets INTEGER NOT NULL, independent INTEGER NOT NULL, reposted INTEGER NOT NULL
);
CREATE TABLE repeats (
  id INTEGER PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(id),
  words INTEGER NOT NULL, times INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE TABLE repeat_spans (
  repeat INTEGER NOT NULL REFERENCES repeats(id), n INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, PRIMARY KEY (repeat, n)
);
CREATE TABLE duplicates (
  group_id INTEGER NOT NULL, n INTEGER NOT NULL, doc TEXT NOT NULL REFERENCES documents(id),
  outlet TEXT, date TEXT, earliest INTEGER NOT NULL, PRIMARY KEY (group_id, n)
);
CREATE VIEW outlet_reuse AS
  SELECT src.outlet AS from_outlet, m.outlet AS to_outlet, COUNT(DISTINCT c.id) AS clusters
  FROM clusters c
  JOIN members src ON src.cluster = c.id AND src.doc = c.earliest
  JOIN members m ON m.cluster = c.id
  WHERE c.kind = 'reuse' AND src.outlet IS NOT NULL AND m.outlet IS NOT NULL
    AND m.outlet != src.outlet
  GROUP BY src.outlet, m.outlet
  ORDER BY clusters DESC, from_outlet, to_outlet;
CREATE VIEW document_reuse AS
  SELECT d.id AS doc, d.outlet, d.date,
    COUNT(DISTINCT c.id) AS reuse_clusters,
    COUNT(DISTINCT CASE WHEN c.earliest = d.id THEN c.id END) AS earliest_in
  FROM documents d
  JOIN members m ON m.doc = d.id
  JOIN clusters c ON c.id = m.cluster AND c.kind = 'reuse'
  GROUP BY d.id
  ORDER BY reuse_clusters DESC, d.id;
CREATE VIEW cluster_overview AS
  SELECT c.id, c.kind, c.documents, c.outlets, c.earliest, c.earliest_date, c.score,
    substr(m.text, 1, 300) AS text
  FROM clusters c JOIN members m ON m.cluster = c.id AND m.n = 1
  ORDER BY c.id;
CREATE VIEW framing_by_outlet AS
  SELECT d.outlet, f.label, COUNT(*) AS flags, COUNT(DISTINCT f.doc) AS documents
  FROM framing f JOIN documents d ON d.id = f.doc
  GROUP BY d.outlet, f.label
  ORDER BY flags DESC, d.outlet, f.label;
"""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fill(db: sqlite3.Connection, report: Report) -> None:
    from detector.render.tabular import canonical_kinds
    from detector.schema import REPORT_SCHEMA

    db.executescript(SCHEMA_SQL)
    texts = report.texts
    db.executemany(
        "INSERT INTO report VALUES (?, ?)",
        [
            ("schema", REPORT_SCHEMA),
            ("documents", str(len(report.documents))),
            ("skipped", str(report.skipped)),
            ("candidates", str(report.candidates)),
            ("errors", _json(list(report.errors))),
            ("notes", _json(list(report.notes))),
        ],
    )
    db.executemany(
        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (d.id, d.outlet, d.date, d.url, d.lang, d.chars, d.words,
             _json(dict(d.extra)) if d.extra else None)
            for d in report.documents
        ),
    )
    for c in report.clusters:
        kinds = canonical_kinds(c.kinds)
        db.execute(
            "INSERT INTO clusters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.id, c.kind, c.earliest, c.earliest_date, c.documents, _json(list(c.outlets)),
                c.passages, round(c.score, 4), kinds.get("verbatim", 0), kinds.get("edited", 0),
                kinds.get("spun", 0), _json(list(c.frames)),
            ),
        )
        db.executemany(
            "INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (c.id, n, m.doc, m.start, m.end, m.outlet, m.date, m.words, m.text)
                for n, m in enumerate(c.members, 1)
            ),
        )
    for i, p in enumerate(report.phrases, 1):
        db.execute(
            "INSERT INTO phrases VALUES (?, ?, ?, ?, ?, ?, ?)",
            (i, p.text, p.words, p.documents, p.independent, p.outlets, _json(list(p.outlet_names))),
        )
        db.executemany(
            "INSERT INTO phrase_examples VALUES (?, ?, ?, ?, ?)",
            ((i, n, e.doc, e.start, e.end) for n, e in enumerate(p.examples, 1)),
        )
    db.executemany(
        "INSERT INTO framing VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (i, f.doc, f.start, f.end, f.label, round(f.score, 4), texts.get(f.doc, "")[f.start : f.end])
            for i, f in enumerate(report.framing, 1)
        ),
    )
    db.executemany(
        "INSERT INTO framing_counts VALUES (?, ?, ?, ?, ?, ?)",
        ((f.label, f.flags, f.documents, f.outlets, f.independent, f.reposted) for f in report.framing_counts),
    )
    for i, r in enumerate(report.repeats, 1):
        db.execute("INSERT INTO repeats VALUES (?, ?, ?, ?, ?)", (i, r.doc, r.words, len(r.spans), r.text))
        db.executemany(
            "INSERT INTO repeat_spans VALUES (?, ?, ?, ?)",
            ((i, n, s.start, s.end) for n, s in enumerate(r.spans, 1)),
        )
    info = {d.id: d for d in report.documents}
    for g, group in enumerate(duplicate_groups(report), 1):
        docs = getattr(group, "documents", None) or getattr(group, "members", None) or ()
        ids = [d if isinstance(d, str) else getattr(d, "doc", getattr(d, "id", "")) for d in docs]
        earliest = getattr(group, "earliest", None)
        db.executemany(
            "INSERT INTO duplicates VALUES (?, ?, ?, ?, ?, ?)",
            (
                (g, n, i, getattr(info.get(i), "outlet", None), getattr(info.get(i), "date", None),
                 int(i == earliest))
                for n, i in enumerate(ids, 1)
            ),
        )


def write_report_sqlite(report: Report, path: str) -> None:
    """Write ``report`` to a new SQLite database at ``path`` (replaced atomically).

    O(total rows). Raises OSError (e.g. ENOSPC) with the old file kept and no
    temporary file left behind.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".detector-", suffix=".db", dir=directory)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            with db:
                _fill(db, report)
        except sqlite3.OperationalError as exc:
            if "full" in str(exc):  # "database or disk is full"
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path) from exc
            raise
        finally:
            db.close()
        publish_file(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
