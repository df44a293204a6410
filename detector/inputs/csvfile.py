"""CSV records with a header row naming ``id``, ``text`` and optional metadata columns.

Quoted fields may hold newlines; ``Document.line`` is the line a record
starts on. Python's csv reader, at the end of the data inside a quoted field,
silently ends the field there: one stray quote would swallow the rest of the
file into one record. An end marker fed after the last line shows that case,
and it is an error naming the line where the quote opened.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator

from detector.errors import InputError
from detector.inputs.raw import BadRecord, Input, quote, utf8_error
from detector.inputs.records import make_document
from detector.schema import Document

__all__ = ["iter_csv"]

ErrorHandler = Callable[[InputError], None]

# fed after the last line: a quoted field still open at the end swallows it
_END = "\ufdd0detector-end-of-data\ufdd0"
_limit_raised = False


def _maximize_field_size_limit() -> None:
    """Let CSV fields be as long as the platform allows (default is 128 KiB)."""
    global _limit_raised
    if _limit_raised:
        return
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            break
        except OverflowError:  # C long is 32-bit on Windows
            limit //= 2
    _limit_raised = True


def _split_cr(line: bytes) -> Iterator[bytes]:
    """Split a ``\\n``-ended line after each lone ``\\r`` too.

    This makes line boundaries those of ``open(..., newline="")``, which the
    csv module expects (old Mac files end lines with a bare ``\\r``).
    """
    i = line.find(b"\r")
    while 0 <= i < len(line) - 1 and line[i + 1] != 0x0A:
        yield line[: i + 1]
        line = line[i + 1 :]
        i = line.find(b"\r")
    yield line


def _text_lines(inp: Input) -> Iterator[str]:
    """Decoded physical lines of a CSV input, terminators kept, then the end marker."""
    count = 0
    last = ""
    for _, offset, raw in inp.lines():
        nul = raw.find(b"\0")
        if nul >= 0:
            raise InputError(inp.path, "NUL byte: binary data, not text", line=count + 1, byte=offset + nul)
        for piece in _split_cr(raw) if b"\r" in raw else (raw,):
            count += 1
            try:
                last = piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise utf8_error(inp.path, exc, base=offset, line=count) from None
            yield last
            offset += len(piece)
    if last and not last.endswith(("\n", "\r")):
        yield "\n"  # so that the marker is a line of its own
    yield _END + "\n"


def iter_csv(
    inp: Input,
    *,
    id_field: str,
    text_field: str,
    on_error: ErrorHandler,
    outlet: str | None = None,
) -> Iterator[Document]:
    """Documents of a CSV input with a header row. O(1) memory per record.

    Invalid UTF-8, malformed quoting or a quote never closed ends the file
    (the csv reader cannot resume), with the line in the error.
    """
    _maximize_field_size_limit()
    path = inp.path
    reader = csv.reader(_text_lines(inp))
    start = 1

    def next_row() -> list[str] | None:
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV ({exc})", line=reader.line_num) from None
        if row and _END in row[-1]:
            if row == [_END]:
                return None
            raise InputError(
                path,
                "a quoted field is never closed: its quote runs to the end of the file",
                line=start,
            )
        return row

    header = next_row()
    while header == []:  # blank lines before the header
        header = next_row()
    if header is None:
        return
    for name in (text_field, id_field):
        if name not in header:
            shown = ", ".join(quote(h, 30) for h in header[:12])
            more = ", …" if len(header) > 12 else ""
            raise InputError(
                path, f"CSV has no {name!r} column (columns: {shown}{more})", line=reader.line_num
            )
        if header.count(name) > 1:
            raise InputError(path, f"CSV header names {name!r} twice", line=reader.line_num)
    width = len(header)
    while True:
        start = reader.line_num + 1
        row = next_row()
        if row is None:
            return
        if not row:
            continue  # a blank line is not a record
        try:
            if len(row) != width:
                raise BadRecord(f"record has {len(row)} fields but the header has {width}")
            doc = make_document(
                dict(zip(header, row, strict=True)),
                path=path,
                line=start,
                id_field=id_field,
                text_field=text_field,
                outlet=outlet,
            )
        except BadRecord as bad:
            on_error(InputError(path, bad.reason, line=start))
            continue
        yield doc
