"""Machine-readable report outputs: JSON (``detector.report/1``), JSON Lines, CSV.

Text is written as data (JSON strings, CSV fields), never interpreted.

CSV injection guard: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-``, ``@``, tab or CR as a formula. Every such text cell that is not a
number is prefixed with an apostrophe (``'=1+2``; ``-3.5`` stays a number).
Because some locales read CSV with ``;`` as the separator (and tab-separated
readers split at tabs), the same guard is applied after every ``;`` and tab
inside a cell: ``a;=cmd()`` is written ``a;'=cmd()``. The guard changes the
``text`` column's copy of the document text only where it applies; the
``start``/``end`` offsets always index the original text.

JSON key order is canonical (``passage_kinds`` in the order verbatim, edited,
spun, then any other kind by name), so every engine writes the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from json.encoder import encode_basestring as _encode_str  # the C escaper when available
from typing import TYPE_CHECKING, Any

from detector.schema import REPORT_SCHEMA, framing_to_dict

if TYPE_CHECKING:
    from detector.schema import Cluster, DocInfo, Report

__all__ = [
    "canonical_kinds",
    "cluster_to_dict",
    "guard_cell",
    "iter_json",
    "iter_jsonl",
    "render_csv",
    "render_json",
    "render_jsonl",
    "report_to_dict",
]

CSV_COLUMNS = (
    "cluster", "kind", "doc", "outlet", "date", "url", "start", "end", "words",
    "earliest", "cluster_documents", "cluster_outlets", "text",
)

KIND_ORDER = ("verbatim", "edited", "spun")


def canonical_kinds(kinds: Any) -> dict[str, int]:
    """``kinds`` as a dict in canonical key order (verbatim, edited, spun, then by name)."""
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return {k: kinds[k] for k in sorted(kinds, key=lambda k: (rank.get(k, len(rank)), k))}


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
        "passage_kinds": canonical_kinds(c.kinds),
        "frames": list(c.frames),
        "earliest_note": c.earliest_note,
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
    return {
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in _report_fields(report).items()
    }


def _report_fields(report: Report) -> dict[str, Any]:
    """:func:`report_to_dict` with its lists as generators, built one element at a time."""
    texts = report.texts
    return {
        "schema": REPORT_SCHEMA,
        "documents": (_document_dict(d) for d in report.documents),
        "clusters": (cluster_to_dict(c) for c in report.clusters),
        "repeats": (
            {
                "doc": r.doc,
                "words": r.words,
                "text": r.text,
                "spans": [{"start": s.start, "end": s.end} for s in r.spans],
            }
            for r in report.repeats
        ),
        "phrases": (
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
        ),
        "framing": (framing_to_dict(f, texts.get(f.doc, "")) for f in report.framing),
        "framing_counts": (
            {
                "label": f.label,
                "flags": f.flags,
                "documents": f.documents,
                "outlets": f.outlets,
                "independent": f.independent,
                "reposted": f.reposted,
            }
            for f in report.framing_counts
        ),
        "duplicates": (
            {
                "id": g.id,
                "documents": list(g.documents),
                "outlets": list(g.outlets),
                "earliest": g.earliest if g.earliest is not None else "unknown",
                "earliest_date": g.earliest_date,
                "similarity": round(g.similarity, 4),
                "earliest_note": g.earliest_note,
            }
            for g in report.duplicates
        ),
        "skipped": report.skipped,
        "errors": list(report.errors),
        "candidates": report.candidates,
        "notes": list(report.notes),
    }


def render_json(report: Report) -> str:
    """The whole report as one JSON document (ends with a newline)."""
    return "".join(iter_json(report))


def iter_json(report: Report) -> Iterator[str]:
    """:func:`render_json` in pieces, one list element at a time.

    The same characters as ``json.dumps(report_to_dict(report),
    ensure_ascii=False, indent=2) + "\\n"`` (tested), without holding the
    whole string or every element's dict: a million-document report was a
    440 MB string and 3 GB of dicts at once. O(1) memory beyond one element.
    """

    fields = _report_fields(report)
    yield "{"
    for k, (key, value) in enumerate(fields.items()):
        yield ("," if k else "") + "\n  " + _encode_str(key) + ": "
        if not isinstance(value, Iterator):
            yield _indented(value, "  ")
            continue
        if key == "documents":  # a million short records: rows laid out directly, no dict each
            rows = (_document_json(d) if not d.extra else _indented(_document_dict(d), "    ") for d in report.documents)
        else:
            rows = (_indented(element, "    ") for element in value)
        first = True
        for row in rows:
            yield ("[\n    " if first else ",\n    ") + row
            first = False
        yield "[]" if first else "\n  ]"
    yield "\n}\n"


def _document_dict(d: DocInfo) -> dict[str, Any]:
    """One ``documents`` row of the JSON report."""
    return {
        "id": d.id,
        "outlet": d.outlet,
        "date": d.date,
        "url": d.url,
        "lang": d.lang,
        "chars": d.chars,
        "words": d.words,
        **({"extra": dict(d.extra)} if d.extra else {}),
    }


def _document_json(d: DocInfo) -> str:
    """One ``documents`` row without ``extra``, exactly as :func:`_indented` lays it out
    at indentation four: about 3x faster than building and walking its dict."""

    def opt(value: str | None) -> str:
        return "null" if value is None else _encode_str(value)

    return (
        '{\n      "id": ' + _encode_str(d.id)
        + ',\n      "outlet": ' + opt(d.outlet)
        + ',\n      "date": ' + opt(d.date)
        + ',\n      "url": ' + opt(d.url)
        + ',\n      "lang": ' + opt(d.lang)
        + ',\n      "chars": ' + int.__repr__(d.chars)
        + ',\n      "words": ' + int.__repr__(d.words)
        + "\n    }"
    )


def _encode_float(value: float) -> str:
    """A float as :mod:`json` writes it (``allow_nan``: NaN, Infinity)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _indented(value: Any, pad: str) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` laid out at indentation ``pad``.

    The stdlib falls back to its pure-Python encoder whenever ``indent`` is
    set; this writes the same characters with the C string escaper and no
    generator per token, about 3x faster on a report's rows. Types JSON
    cannot hold are handed to :func:`json.dumps`, which raises as before.
    """
    if isinstance(value, str):
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _encode_float(value)
    inner = pad + "  "
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if not value:
            return "{}"
        items = ",\n".join(f"{inner}{_encode_str(k)}: {_indented(v, inner)}" for k, v in value.items())
        return "{\n" + items + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _indented(v, inner) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)


def render_jsonl(report: Report) -> str:
    """One cluster per line (``{"schema": ..., "cluster": {...}}``), for big corpora."""
    return "".join(iter_jsonl(report))


def iter_jsonl(report: Report) -> Iterator[str]:
    """:func:`render_jsonl` a line at a time."""
    for c in report.clusters:
        yield json.dumps({"schema": REPORT_SCHEMA, **cluster_to_dict(c)}, ensure_ascii=False) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PART_RE = re.compile(r"(?<=[;\t])(?=[=+\-@\t\r])")


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def guard_cell(value: Any) -> Any:
    """The CSV injection guard (see the module docstring); non-strings pass through."""
    if not isinstance(value, str) or not value:
        return value
    if ";" in value or "\t" in value:
        # a part that starts a cell under a ';' or tab separator gets the guard
        value = _PART_RE.sub(lambda m: "" if _is_number(_part_at(value, m.start())) else "'", value)
    if value[:1] in _FORMULA_START and not _is_number(value):
        return "'" + value
    return value


def _part_at(value: str, start: int) -> str:
    """The ``;``/tab-separated part of ``value`` that begins at ``start``."""
    end = len(value)
    for sep in (";", "\t"):
        found = value.find(sep, start + 1)
        if found >= 0:
            end = min(end, found)
    return value[start:end]


def render_csv(report: Report) -> str:
    """One row per cluster member (see ``CSV_COLUMNS``), with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    urls = {d.id: d.url or "" for d in report.documents}
    for c in report.clusters:
        for m in c.members:
            writer.writerow(
                [
                    guard_cell(x)
                    for x in (
                        c.id, c.kind, m.doc, m.outlet or "", m.date or "", urls.get(m.doc, ""),
                        m.start, m.end,
                        m.words, c.earliest or "unknown", c.documents, ";".join(c.outlets),
                        m.text,
                    )
                ]
            )
    return buf.getvalue()
