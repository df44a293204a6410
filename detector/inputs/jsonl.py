"""JSON Lines records, and a whole JSON document when the file holds one (Telegram).

A line is one record. Strict JSON is asked for where Python's ``json`` is
lenient: a repeated key, ``NaN``/``Infinity`` and numbers that do not fit
(integers over 4,300 digits, floats that overflow to infinity) make the
record bad instead of being kept silently or crashing a later stage. A raw
NUL byte anywhere in a line is binary data, a bad record.

A file whose first non-blank line is a lone ``{`` is a pretty-printed JSON
document: if it is a Telegram Desktop export it is read as one
(:mod:`detector.inputs.telegram`), otherwise the error says JSON Lines needs
one object per line. A one-line Telegram export is recognised too.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from detector.errors import InputError
from detector.inputs.raw import (
    JSON_WS,
    MAX_DOCUMENT_CHARS,
    BadRecord,
    Input,
    json_type,
    quote,
    utf8_error,
)
from detector.inputs.records import make_document
from detector.schema import Document

__all__ = ["MAX_JSON_DOCUMENT_BYTES", "iter_jsonl", "json_array_error", "loads_strict"]

ErrorHandler = Callable[[InputError], None]

MAX_LINE_BYTES = 8 * MAX_DOCUMENT_CHARS
"""A JSON line longer than this (bytes) is refused unparsed: even with every
character escaped as ``\\uXXXX`` its text would be over the size limit."""

MAX_JSON_DOCUMENT_BYTES = 1 << 30
"""Largest whole JSON document (a Telegram export) read: 1 GiB."""

# A JSON escape of a UTF-16 surrogate; only lines containing one can decode to
# an unpaired surrogate, so the (rare) full check runs only for them.
_SURROGATE_ESCAPE_RE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BadRecord(f"duplicate key {quote(key)} in a JSON object")
            seen.add(key)
    return record


def _constant(name: str) -> Any:
    raise BadRecord(f"{name} is not valid JSON (use null or a string)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRecord(f"number {quote(text, 30)} is too large for a float")
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_constant=_constant, parse_float=_float, strict=False
)


def loads_strict(text: str) -> Any:
    """``json.loads`` that refuses repeated keys, NaN/Infinity and oversized numbers.

    Raises:
        BadRecord: those cases, with a reason.
        json.JSONDecodeError: malformed JSON.
        RecursionError: nesting too deep.
    """
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int() over sys.get_int_max_str_digits()
        if "digits" in str(exc):
            raise BadRecord("an integer with more than 4,300 digits") from None
        raise BadRecord(f"malformed JSON ({exc})") from None


def _find_lone_surrogate(value: Any) -> tuple[str, int] | None:
    """First unpaired surrogate in a decoded JSON value (strings, keys, nested)."""
    if isinstance(value, str):
        m = _SURROGATE_RE.search(value)
        return (m.group(), m.start()) if m else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _find_lone_surrogate(k) or _find_lone_surrogate(v)
            if found:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _find_lone_surrogate(v)
            if found:
                return found
    return None


def json_array_error(path: str, line: int) -> InputError:
    """The whole file is one JSON array (a common mix-up with JSON Lines)."""
    return InputError(
        path,
        "a JSON array, not JSON Lines (one object per line); convert it with: jq -c '.[]'",
        line=line,
    )


def _pretty_printed(inp: Input) -> int | None:
    """Line number of a lone ``{`` starting the data, or None."""
    head = inp.head
    stripped = head.lstrip(JSON_WS)
    first_line = stripped.split(b"\n", 1)[0].strip(JSON_WS)
    if first_line != b"{":
        return None
    return head.count(b"\n", 0, len(head) - len(stripped)) + 1


def _whole_document(
    inp: Input, line: int, *, on_error: ErrorHandler, notes: list[str] | None
) -> Iterator[Document]:
    """A pretty-printed JSON document: a Telegram export, or an error."""
    from detector.inputs import telegram

    data = inp.read_all(limit=MAX_JSON_DOCUMENT_BYTES)
    if len(data) > MAX_JSON_DOCUMENT_BYTES:
        raise InputError(
            inp.path, f"a JSON document over {MAX_JSON_DOCUMENT_BYTES:,} bytes", line=line
        )
    if b"\0" in data:
        raise InputError(inp.path, "binary file, not text", byte=inp.start + data.index(b"\0"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise utf8_error(inp.path, exc, base=inp.start) from None
    try:
        value = loads_strict(text)
    except BadRecord as bad:
        raise InputError(inp.path, bad.reason, line=line) from None
    except (json.JSONDecodeError, RecursionError):
        value = None
    if telegram.is_export(value):
        yield from telegram.documents(value, path=inp.path, on_error=on_error, notes=notes)
        return
    raise InputError(
        inp.path,
        "malformed JSON: a pretty-printed object? JSON Lines needs one object per line",
        line=line,
    )


def iter_jsonl(
    inp: Input,
    *,
    id_field: str,
    text_field: str,
    on_error: ErrorHandler,
    outlet: str | None = None,
    notes: list[str] | None = None,
) -> Iterator[Document]:
    """Documents of a JSON Lines input, one per non-blank line. O(1) memory per line.

    Args:
        outlet: outlet of records that name none (their outlet folder).
        notes: where a Telegram export says what was not a document.
    """
    path = inp.path
    pretty = _pretty_printed(inp)
    if pretty is not None:
        yield from _whole_document(inp, pretty, on_error=on_error, notes=notes)
        return
    first = True
    for lineno, offset, raw in inp.lines():
        if not raw.strip(JSON_WS):
            continue  # a blank line is not a record
        try:
            if len(raw) > MAX_LINE_BYTES:
                raise BadRecord(
                    f"line is {len(raw):,} bytes; a document may have at most "
                    f"{MAX_DOCUMENT_CHARS:,} characters"
                )
            nul = raw.find(b"\0")
            if nul >= 0:
                raise BadRecord("NUL byte: binary data, not text", offset + nul)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                err = utf8_error(path, exc, base=offset, line=lineno)
                raise BadRecord(err.reason, err.byte) from None
            try:
                record = loads_strict(line)
            except json.JSONDecodeError as exc:
                if first and raw.lstrip(JSON_WS)[:1] == b"[":
                    raise json_array_error(path, lineno) from None
                hint = ""
                if raw.strip(JSON_WS) == b"{":
                    hint = "; a pretty-printed object? JSON Lines needs one object per line"
                raise BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno}){hint}") from None
            except RecursionError:
                raise BadRecord("malformed JSON: nested too deeply") from None
            if not isinstance(record, dict):
                if first and record and isinstance(record, list) and isinstance(record[0], dict):
                    raise json_array_error(path, lineno)
                raise BadRecord(f"JSON line is not an object (got {json_type(record)})")
            if first and text_field not in record:
                from detector.inputs import telegram

                if telegram.is_export(record):  # a Telegram export on one line
                    yield from telegram.documents(record, path=path, on_error=on_error, notes=notes)
                    return
            if _SURROGATE_ESCAPE_RE.search(raw):
                found = _find_lone_surrogate(record)
                if found:
                    ch, index = found
                    raise BadRecord(
                        f"unpaired surrogate escape \\u{ord(ch):04x} (character {index} of its "
                        "string); it is not valid Unicode text"
                    )
            doc = make_document(
                record,
                path=path,
                line=lineno,
                id_field=id_field,
                text_field=text_field,
                outlet=outlet,
            )
        except BadRecord as bad:
            first = False
            on_error(InputError(path, bad.reason, line=lineno, byte=bad.byte))
            continue
        first = False
        yield doc
