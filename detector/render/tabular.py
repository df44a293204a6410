"""Machine-readable report outputs: JSON (``detector.report/1``), JSON Lines, CSV.

Text is written as data (JSON strings, CSV fields), never interpreted. CSV
cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or CR) are prefixed with an apostrophe, the usual CSV
injection guard.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from detector.schema import REPORT_SCHEMA, framing_to_dict

if TYPE_CHECKING:
    from detector.schema import Cluster, Report

__all__ = ["cluster_to_dict", "render_csv", "render_json", "render_jsonl", "report_to_dict"]

CSV_COLUMNS = (
    "cluster", "kind", "doc", "outlet", "date", "start", "end", "words",
    "earliest", "cluster_documents", "cluster_outlets", "text",
)


def cluster_to_dict(c: Cluster) -> dict[str, Any]:
    """JSON form of one cluster."""
    return {
        "id": c.id,
        "kind": c.kind,
        "earliest": c.earliest if c.earliest is not None else "unknown",
        "earliest_date": c.earliest_date,
        "documents": c.documents,
        "outlets": list(c.outlets),
        "passages": c.passages,
        "score": round(c.score, 4),
        "passage_kinds": dict(c.kinds),
        "frames": list(c.frames),
        "members": [
            {
                "doc": m.doc,
                "start": m.start,
                "end": m.end,
                "outlet": m.outlet,
                "date": m.date,
                "words": m.words,
                "text": m.text,
            }
            for m in c.members
        ],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """JSON form of a report, schema ``detector.report/1``."""
    texts = report.texts
    return {
        "schema": REPORT_SCHEMA,
        "documents": [
            {
                "id": d.id,
                "outlet": d.outlet,
                "date": d.date,
                "url": d.url,
                "lang": d.lang,
                "chars": d.chars,
                "words": d.words,
                **({"extra": dict(d.extra)} if d.extra else {}),
            }
            for d in report.documents
        ],
        "clusters": [cluster_to_dict(c) for c in report.clusters],
        "repeats": [
            {
                "doc": r.doc,
                "words": r.words,
                "text": r.text,
                "spans": [{"start": s.start, "end": s.end} for s in r.spans],
            }
            for r in report.repeats
        ],
        "phrases": [
            {
                "text": p.text,
                "words": p.words,
                "documents": p.documents,
                "independent": p.independent,
                "outlets": p.outlets,
                "outlet_names": list(p.outlet_names),
                "examples": [{"doc": e.doc, "start": e.start, "end": e.end} for e in p.examples],
            }
            for p in report.phrases
        ],
        "framing": [framing_to_dict(f, texts.get(f.doc, "")) for f in report.framing],
        "framing_counts": [
            {
                "label": f.label,
                "flags": f.flags,
                "documents": f.documents,
                "outlets": f.outlets,
                "independent": f.independent,
                "reposted": f.reposted,
            }
            for f in report.framing_counts
        ],
        "skipped": report.skipped,
        "errors": list(report.errors),
        "candidates": report.candidates,
        "notes": list(report.notes),
    }


def render_json(report: Report) -> str:
    """The whole report as one JSON document (ends with a newline)."""
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


def render_jsonl(report: Report) -> str:
    """One cluster per line (``{"schema": ..., "cluster": {...}}``), for big corpora."""
    lines = [
        json.dumps({"schema": REPORT_SCHEMA, **cluster_to_dict(c)}, ensure_ascii=False)
        for c in report.clusters
    ]
    return "".join(line + "\n" for line in lines)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(report: Report) -> str:
    """One row per cluster member (see ``CSV_COLUMNS``), with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in report.clusters:
        for m in c.members:
            writer.writerow(
                [
                    _cell(x)
                    for x in (
                        c.id, c.kind, m.doc, m.outlet or "", m.date or "", m.start, m.end,
                        m.words, c.earliest or "unknown", c.documents, ";".join(c.outlets),
                        m.text,
                    )
                ]
            )
    return buf.getvalue()
