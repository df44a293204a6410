"""The ``--meta FILE`` sidecar, and the input session that carries it through a run.

A sidecar is CSV (with a header) or JSON Lines with an ``id`` and any of
``outlet``, ``date``, ``url``, ``lang``; other columns are added to the
document's ``extra``. It sets those fields on the documents with that id,
whatever kind of input they came from (``.txt`` files, pages, Telegram
messages, records), over what the input said. Empty cells change nothing.
The whole sidecar is read and checked when the session opens, before any
document is: a bad row (no id, a repeated id, a date out of range) is an
:class:`~detector.errors.InputError` naming the file and line.

An *input session* (:func:`input_session`) is a context in which every
:func:`detector.load.iter_documents` call applies the sidecar and collects
notes (files that are not regular files, Telegram messages that are not
documents, ...). The CLI opens one around a command, so the engines need no
extra argument; afterwards :meth:`InputSession.unmatched` lists the sidecar
ids that matched no document.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from detector.errors import InputError
from detector.inputs.raw import JSON_WS, BadRecord, Input, json_type, quote, utf8_error
from detector.inputs.records import META_FIELDS, check_date, meta_value
from detector.schema import Document

__all__ = ["InputSession", "MetaTable", "current_session", "input_session", "read_meta"]


@dataclass(frozen=True)
class MetaTable:
    """A decoded sidecar.

    Attributes:
        path: the sidecar file.
        fields: per document id, the fields to set (non-empty values only;
            ``extra`` maps to a dict of additional fields).
        lines: per document id, the line it was given on.
    """

    path: str
    fields: dict[str, dict[str, Any]]
    lines: dict[str, int]

    def apply(self, doc: Document) -> Document:
        """``doc`` with the sidecar's fields for its id (unchanged if none)."""
        row = self.fields.get(doc.id)
        if row is None:
            return doc
        changes = {k: v for k, v in row.items() if k != "extra"}
        if row.get("extra"):
            changes["extra"] = {**doc.extra, **row["extra"]}
        return replace(doc, **changes)


def _row_fields(record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ident = record.get("id")
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        raise BadRecord(
            "missing 'id'" if ident in (None, "") else f"'id' must be a string, not {json_type(ident)}"
        )
    ident = str(ident)
    row: dict[str, Any] = {}
    for name in META_FIELDS:
        value = meta_value(name, record.get(name))
        if value is not None:
            row[name] = value
    if "date" in row:
        check_date(row["date"])
    extra = {k: v for k, v in record.items() if k not in ("id", *META_FIELDS) and v not in (None, "")}
    if extra:
        row["extra"] = extra
    return ident, row


def _rows_jsonl(inp: Input) -> Iterator[tuple[int, dict[str, Any]]]:
    from detector.inputs.jsonl import loads_strict

    for lineno, offset, raw in inp.lines():
        if not raw.strip(JSON_WS):
            continue
        try:
            try:
                record = loads_strict(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise BadRecord(utf8_error(inp.path, exc, base=offset, line=lineno).reason) from None
            except (json.JSONDecodeError, RecursionError) as exc:
                raise BadRecord(f"malformed JSON ({getattr(exc, 'msg', 'nested too deeply')})") from None
            if not isinstance(record, dict):
                raise BadRecord(f"JSON line is not an object (got {json_type(record)})")
        except BadRecord as bad:
            raise InputError(inp.path, bad.reason, line=lineno) from None
        yield lineno, record


def _rows_csv(inp: Input) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = inp.read_all().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise utf8_error(inp.path, exc, base=inp.start) from None
    import io

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        if "id" not in header:
            shown = ", ".join(quote(h, 30) for h in header[:12])
            raise InputError(inp.path, f"metadata CSV has no 'id' column (columns: {shown})", line=1)
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(
                    inp.path,
                    f"record has {len(row)} fields but the header has {len(header)}",
                    line=start,
                )
            yield start, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        raise InputError(inp.path, f"malformed CSV ({exc})", line=reader.line_num) from None


def read_meta(path: str) -> MetaTable:
    """Read and check a sidecar (CSV, or JSON Lines if it starts with ``{``).

    Raises:
        InputError: unreadable file, a row without an id, a repeated id, a
            bad field value; naming the file and line.

    O(rows) time and memory.
    """
    inp = Input(path)
    try:
        rows = _rows_jsonl(inp) if inp.first_nonblank() == b"{" else _rows_csv(inp)
        fields: dict[str, dict[str, Any]] = {}
        lines: dict[str, int] = {}
        for lineno, record in rows:
            try:
                ident, row = _row_fields(record)
            except BadRecord as bad:
                raise InputError(path, bad.reason, line=lineno) from None
            if ident in lines:
                raise InputError(
                    path, f"id {quote(ident)} given twice (first on line {lines[ident]})", line=lineno
                )
            fields[ident] = row
            lines[ident] = lineno
    finally:
        inp.close()
    return MetaTable(path=path, fields=fields, lines=lines)


@dataclass
class InputSession:
    """What every load inside :func:`input_session` shares.

    Attributes:
        meta: the sidecar, if one was given.
        notes: remarks met while loading, one line each.
        matched: sidecar ids that matched a document.
    """

    meta: MetaTable | None = None
    notes: list[str] = field(default_factory=list)
    matched: set[str] = field(default_factory=set)

    def apply(self, doc: Document) -> Document:
        """``doc`` with the sidecar's fields, recording the match."""
        if self.meta is None or doc.id not in self.meta.fields:
            return doc
        self.matched.add(doc.id)
        return self.meta.apply(doc)

    def unmatched(self) -> list[str]:
        """Sidecar ids that matched no document, in sidecar order."""
        if self.meta is None:
            return []
        return [i for i in self.meta.fields if i not in self.matched]


_SESSION: ContextVar[InputSession | None] = ContextVar("detector_input_session", default=None)


def current_session() -> InputSession | None:
    """The open input session, if any."""
    return _SESSION.get()


def current_notes() -> list[str]:
    """The open session's notes list (a throwaway list without a session)."""
    session = _SESSION.get()
    return session.notes if session is not None else []


@contextmanager
def input_session(meta: str | None = None) -> Iterator[InputSession]:
    """Open an input session; the sidecar (if any) is read and checked at once.

    Raises:
        InputError: a bad sidecar (before any document is read).
    """
    session = InputSession(meta=read_meta(meta) if meta else None)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)
