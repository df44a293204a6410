"""Load documents from ``.txt`` files, folders, JSON Lines, CSV and stdin.

This is the first stage of the pipeline. It turns what a user points at into
:class:`~detector.schema.Document` objects whose ``text`` is exactly the
decoded file content (a leading UTF-8 byte-order mark is the one thing
dropped; CRLF, control characters and surrounding blanks stay), so every later
span indexes the original text.

Inputs (see ``DESIGN.md``, "Commands"):

* a ``.txt`` file: one document, id = the file name without ``.txt``;
* a folder: recursed in sorted order, dot-files skipped; it may hold ``.txt``,
  ``.jsonl``, ``.ndjson``, ``.json`` (read as JSON Lines) and ``.csv`` files;
* JSON Lines: one object per line with ``id`` and ``text`` and optionally
  ``outlet`` (passim's ``series`` is accepted as an alias), ``date``, ``url``
  and ``lang``; every other field is kept in ``Document.extra``;
* CSV with a header row naming the same columns;
* ``-`` for stdin: JSON Lines if the first non-blank character is ``{``,
  otherwise one plain-text document with id ``stdin``.

Any of these files may be gzip-compressed (``a.jsonl.gz``); gzip data is
recognised by its header, and a ``.gz`` name without one is an error.

Everything is streamed: files are read line by line (a ``.txt`` document is
read whole, since it is one document), so memory is bounded by the largest
single document, plus one dictionary entry per document id for the
duplicate-id check.

Problems with the input raise :class:`~detector.errors.InputError` with a
one-line reason naming the file, the line and, for decoding errors, the byte
offset (in the decompressed data for gzip input). With ``skip_bad=True`` a bad
record, or a whole unreadable file, is skipped and counted in
:class:`LoadStats` instead; nothing is dropped silently except blank lines of
JSON Lines and CSV, which are not records.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

from detector.errors import InputError
from detector.schema import Document

__all__ = ["STDIN", "LoadStats", "iter_documents", "load_document"]

STDIN = "-"
"""The source name that means standard input."""

_HEAD_BYTES = 8192  # bytes inspected for NUL (binary) and for stdin sniffing
_BOM = codecs.BOM_UTF8
_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_TEXT, _JSONL, _CSV, _SNIFF = "text", "jsonl", "csv", "sniff"
_FORMATS = {".txt": _TEXT, ".jsonl": _JSONL, ".ndjson": _JSONL, ".json": _JSONL, ".csv": _CSV}
_META_FIELDS = ("outlet", "date", "url", "lang")
_JSON_WS = b" \t\r\n"

# A JSON escape of a UTF-16 surrogate; only lines containing one can decode to
# an unpaired surrogate, so the (rare) full check runs only for them.
_SURROGATE_ESCAPE_RE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

_csv_limit_raised = False


@dataclass
class LoadStats:
    """Counters filled in while :func:`iter_documents` is consumed.

    Attributes:
        documents: documents yielded.
        skipped: bad records, duplicate ids and unreadable files skipped
            (only with ``skip_bad=True``).
        errors: the skipped problems, in the order met.
        files: files read: opened, and found to be text (stdin counts as
            one); a missing, binary or non-gzip ``.gz`` file is not counted.
        ignored: files inside folders skipped because their extension is not
            an input format (e.g. ``README.md``, images); dot-files are not
            counted.
    """

    documents: int = 0
    skipped: int = 0
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    ignored: int = 0


class _BadRecord(Exception):
    """A record-level problem; the caller adds path and line."""

    def __init__(self, reason: str, byte: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.byte = byte


# --------------------------------------------------------------------------- helpers


def _quote(value: str, limit: int = 60) -> str:
    """``repr`` of user text for messages: escapes controls, bounds the length."""
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def _json_type(value: Any) -> str:
    """JSON's name for the type of a decoded value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _split_name(path: str) -> tuple[str | None, str]:
    """Format and base name of ``path``.

    Returns:
        ``(format, stem)``: format is ``"text"``, ``"jsonl"``, ``"csv"`` or
        None for an unknown extension (judged after removing ``.gz``); stem
        is the file name without ``.gz`` and, for ``.txt``, without ``.txt``.
    """
    name = os.path.basename(path)
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, ext = os.path.splitext(name)
    fmt = _FORMATS.get(ext.lower())
    return fmt, (stem if fmt == _TEXT else name)


def _utf8_error(
    path: str, exc: UnicodeDecodeError, *, base: int, line: int | None = None
) -> InputError:
    """An :class:`InputError` for invalid UTF-8 at ``base + exc.start``."""
    bad = exc.object[exc.start]
    if line is None:
        line = exc.object.count(b"\n", 0, exc.start) + 1
    return InputError(
        path,
        f"not valid UTF-8 ({exc.reason}, byte 0x{bad:02x}); convert the file to UTF-8",
        line=line,
        byte=base + exc.start,
    )


def _maximize_csv_field_size_limit() -> None:
    """Let CSV fields be as long as the platform allows (default is 128 KiB)."""
    global _csv_limit_raised
    if _csv_limit_raised:
        return
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            break
        except OverflowError:  # C long is 32-bit on Windows
            limit //= 2
    _csv_limit_raised = True


def _find_lone_surrogate(value: Any) -> tuple[str, int] | None:
    """First unpaired surrogate in a decoded JSON value (strings, keys, nested).

    Returns:
        ``(character, index in its string)`` or None.
    """
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


# --------------------------------------------------------------------------- raw input


class _Prefixed(io.RawIOBase):
    """A byte stream that replays ``prefix`` and then continues with ``rest``.

    Used to hand gzip the bytes already read while sniffing its header, which
    matters for stdin, where nothing can be re-read.
    """

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Input:
    """One opened input: decompressed if gzip, checked for binary, BOM dropped.

    Attributes:
        path: the path given (``"-"`` for stdin).
        head: the first bytes of the (decompressed) data, BOM removed.
        start: byte offset of ``head`` in the decompressed data (3 after a
            BOM, else 0).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._owned: list[IO[bytes]] = []
        raw = self._open_raw()
        try:
            self._setup(raw)
        except BaseException:
            self.close()
            raise

    def _open_raw(self) -> IO[bytes]:
        if self.path == STDIN:
            buffer = getattr(sys.stdin, "buffer", None)
            if buffer is None:  # a text-only replacement of sys.stdin
                return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogatepass"))
            return buffer
        if os.path.isdir(self.path):
            raise InputError(self.path, "is a directory, not a file")
        try:
            raw = open(self.path, "rb")  # closed by close()
        except FileNotFoundError:
            raise InputError(self.path, "no such file or directory") from None
        except PermissionError:
            raise InputError(self.path, "permission denied") from None
        except OSError as exc:
            raise InputError(self.path, f"cannot open: {exc.strerror or exc}") from None
        self._owned.append(raw)
        return raw

    def _setup(self, raw: IO[bytes]) -> None:
        head = self._read(raw, _HEAD_BYTES)
        self.stream: IO[bytes]
        if head[:2] == _GZIP_MAGIC:
            self.stream = gzip.GzipFile(fileobj=io.BufferedReader(_Prefixed(head, raw)), mode="rb")
            self._owned.append(self.stream)
            head = self._read(self.stream, _HEAD_BYTES)
        elif head and self.path.lower().endswith(".gz"):
            raise InputError(self.path, "not a gzip file (no gzip header), although named .gz")
        else:
            self.stream = raw
        if head.startswith(_UTF16_BOMS):
            raise InputError(self.path, "UTF-16 text, not UTF-8; convert the file to UTF-8")
        if b"\0" in head:
            raise InputError(self.path, "binary file, not text", byte=head.index(b"\0"))
        self.start = 0
        if head.startswith(_BOM):
            head = head[len(_BOM) :]
            self.start = len(_BOM)
        self.head = head

    def _read(self, stream: IO[bytes], size: int = -1) -> bytes:
        try:
            return stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise self._read_error(exc, None) from exc

    def _read_error(self, exc: BaseException, line: int | None) -> InputError:
        if isinstance(exc, EOFError):
            reason = "truncated gzip data (compressed stream ends early)"
        elif isinstance(exc, (gzip.BadGzipFile, zlib.error)):
            reason = f"corrupt gzip data ({exc})"
        else:
            reason = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
        return InputError(self.path, reason, line=line)

    def first_nonblank(self) -> bytes:
        """The first byte that is not JSON whitespace (b"" if there is none).

        Reads further than the head only while the data is all blank.
        """
        while not self.head.lstrip(_JSON_WS):
            more = self._read(self.stream, _HEAD_BYTES)
            if not more:
                return b""
            self.head += more
        return self.head.lstrip(_JSON_WS)[:1]

    def read_all(self) -> bytes:
        """Every remaining byte (head included)."""
        return self.head + self._read(self.stream)

    def lines(self) -> Iterator[tuple[int, int, bytes]]:
        """``(line number, byte offset, line)`` for each ``b"\\n"``-ended line.

        Lines keep their terminator; numbers are 1-based, offsets count bytes
        of the decompressed data (BOM included). O(1) memory beyond one line.
        """
        lineno = 0
        offset = self.start
        head = self.head
        try:
            pos = 0
            while True:
                end = head.find(b"\n", pos) + 1
                if not end:
                    break
                lineno += 1
                yield lineno, offset, head[pos:end]
                offset += end - pos
                pos = end
            tail = head[pos:] + self.stream.readline() if pos < len(head) else b""
            if tail:
                lineno += 1
                yield lineno, offset, tail
                offset += len(tail)
            for line in self.stream:
                lineno += 1
                yield lineno, offset, line
                offset += len(line)
        except (OSError, EOFError, zlib.error) as exc:
            raise self._read_error(exc, lineno + 1) from exc

    def close(self) -> None:
        for f in reversed(self._owned):
            f.close()
        self._owned.clear()


# --------------------------------------------------------------------------- records


def _make_document(
    record: dict[str, Any], *, path: str, line: int, id_field: str, text_field: str
) -> Document:
    """Build a Document from one decoded JSONL/CSV record.

    Raises:
        _BadRecord: missing/empty/ill-typed ``id``, missing or non-string
            ``text``, or a metadata field that is neither string nor number.
    """
    ident = record.get(id_field)
    if ident is None:
        raise _BadRecord(
            f"missing {id_field!r} field" if id_field not in record else f"{id_field!r} is null"
        )
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        raise _BadRecord(f"{id_field!r} must be a string or an integer, not {_json_type(ident)}")
    if isinstance(ident, int):
        ident = str(ident)
    elif not ident:
        raise _BadRecord(f"empty {id_field!r}")
    text = record.get(text_field)
    if not isinstance(text, str):
        if text_field not in record:
            raise _BadRecord(f"missing {text_field!r} field")
        raise _BadRecord(f"{text_field!r} must be a string, not {_json_type(text)}")

    used = {id_field, text_field}
    meta: dict[str, str | None] = {}
    for name in _META_FIELDS:
        key = name
        if name == "outlet" and record.get("outlet") in (None, "") and "series" in record:
            key = "series"  # passim's name for the outlet
            used.add("outlet")  # an empty "outlet" beside "series" is not extra data
        value = record.get(key)
        if key in record:
            used.add(key)
        if value is None or value == "":
            meta[name] = None
        elif isinstance(value, str):
            meta[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            meta[name] = str(value)  # e.g. a year given as a number
        else:
            raise _BadRecord(f"{key!r} must be a string, not {_json_type(value)}")
    extra = {k: v for k, v in record.items() if k not in used}
    return Document(
        id=ident,
        text=text,
        extra=extra,
        source=path,
        line=line,
        **meta,  # type: ignore[arg-type]
    )


ErrorHandler = Callable[[InputError], None]


def _iter_jsonl(
    inp: _Input, *, id_field: str, text_field: str, on_error: ErrorHandler
) -> Iterator[Document]:
    """Documents of a JSON Lines input, one per non-blank line. O(1) memory per line."""
    path = inp.path
    first = True
    loads = json.loads
    for lineno, offset, raw in inp.lines():
        if not raw.strip(_JSON_WS):
            continue  # a blank line is not a record
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                err = _utf8_error(path, exc, base=offset, line=lineno)
                raise _BadRecord(err.reason, err.byte) from None
            try:
                record = loads(line, strict=False)
            except json.JSONDecodeError as exc:
                if first and raw.lstrip(_JSON_WS)[:1] == b"[":
                    raise _json_array_error(path, lineno) from None
                hint = ""
                if raw.strip(_JSON_WS) == b"{":
                    hint = "; a pretty-printed object? JSON Lines needs one object per line"
                raise _BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno}){hint}") from None
            except RecursionError:
                raise _BadRecord("malformed JSON: nested too deeply") from None
            if not isinstance(record, dict):
                if first and record and isinstance(record, list) and isinstance(record[0], dict):
                    raise _json_array_error(path, lineno)
                raise _BadRecord(f"JSON line is not an object (got {_json_type(record)})")
            if _SURROGATE_ESCAPE_RE.search(raw):
                found = _find_lone_surrogate(record)
                if found:
                    ch, index = found
                    raise _BadRecord(
                        f"unpaired surrogate escape \\u{ord(ch):04x} (character {index} of its "
                        "string); it is not valid Unicode text"
                    )
            doc = _make_document(
                record, path=path, line=lineno, id_field=id_field, text_field=text_field
            )
        except _BadRecord as bad:
            first = False
            on_error(InputError(path, bad.reason, line=lineno, byte=bad.byte))
            continue
        first = False
        yield doc


def _json_array_error(path: str, line: int) -> InputError:
    """The whole file is one JSON array (a common mix-up with JSON Lines)."""
    return InputError(
        path,
        "a JSON array, not JSON Lines (one object per line); convert it with: jq -c '.[]'",
        line=line,
    )


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


def _csv_text_lines(inp: _Input) -> Iterator[str]:
    """Decoded physical lines of a CSV input, terminators kept."""
    count = 0
    for _, offset, raw in inp.lines():
        for piece in _split_cr(raw) if b"\r" in raw else (raw,):
            count += 1
            try:
                yield piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _utf8_error(inp.path, exc, base=offset, line=count) from None
            offset += len(piece)


def _iter_csv(
    inp: _Input, *, id_field: str, text_field: str, on_error: ErrorHandler
) -> Iterator[Document]:
    """Documents of a CSV input with a header row. O(1) memory per record.

    Fields may hold newlines when quoted; ``Document.line`` is the line where
    the record starts. Invalid UTF-8 or malformed quoting ends the file (the
    csv reader cannot resume), with the line in the error.
    """
    _maximize_csv_field_size_limit()
    path = inp.path
    reader = csv.reader(_csv_text_lines(inp))

    def next_row() -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV ({exc})", line=reader.line_num) from None

    header = next_row()
    while header == []:  # blank lines before the header
        header = next_row()
    if header is None:
        return
    for name in (text_field, id_field):
        if name not in header:
            shown = ", ".join(_quote(h, 30) for h in header[:12])
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
                raise _BadRecord(f"record has {len(row)} fields but the header has {width}")
            doc = _make_document(
                dict(zip(header, row, strict=True)),
                path=path,
                line=start,
                id_field=id_field,
                text_field=text_field,
            )
        except _BadRecord as bad:
            on_error(InputError(path, bad.reason, line=start))
            continue
        yield doc


def _text_document(inp: _Input, doc_id: str) -> Document:
    """The whole input as one document (O(n) memory in its bytes)."""
    data = inp.read_all()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _utf8_error(inp.path, exc, base=inp.start) from None
    return Document(id=doc_id, text=text, source=inp.path)


def _iter_input(
    path: str, fmt: str, *, id_field: str, text_field: str, on_error: ErrorHandler, stats: LoadStats
) -> Iterator[Document]:
    """Documents of one file (or stdin) in format ``fmt``; closes it when done."""
    inp = _Input(path)
    stats.files += 1
    try:
        if fmt == _SNIFF:
            fmt = _JSONL if inp.first_nonblank() == b"{" else _TEXT
        if fmt == _TEXT:
            yield _text_document(inp, "stdin" if path == STDIN else _split_name(path)[1])
        elif fmt == _JSONL:
            yield from _iter_jsonl(inp, id_field=id_field, text_field=text_field, on_error=on_error)
        else:
            yield from _iter_csv(inp, id_field=id_field, text_field=text_field, on_error=on_error)
    finally:
        inp.close()


def _walk(
    root: str, *, on_error: ErrorHandler, stats: LoadStats, visited: set[str]
) -> Iterator[tuple[str, str]]:
    """``(path, format)`` of the input files under ``root``, sorted by name.

    Dot-files and dot-folders are skipped; files of other types are counted
    in ``stats.ignored``; symlinked folders are followed once (no loops).
    """
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        on_error(InputError(root, f"cannot list folder: {exc.strerror or exc}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            real = os.path.realpath(entry.path)
            if real not in visited:
                visited.add(real)
                yield from _walk(entry.path, on_error=on_error, stats=stats, visited=visited)
            continue
        fmt = _split_name(entry.name)[0]
        if fmt is None:
            stats.ignored += 1
        else:
            yield entry.path, fmt


def _expand(source: str, *, on_error: ErrorHandler, stats: LoadStats) -> Iterator[tuple[str, str]]:
    """``(path, format)`` of every input a command-line source stands for."""
    if source == STDIN:
        yield source, _SNIFF
    elif os.path.isdir(source):
        yield from _walk(source, on_error=on_error, stats=stats, visited={os.path.realpath(source)})
    else:
        # an explicitly named file of unknown type is read as plain text
        yield source, _split_name(source)[0] or _TEXT


# --------------------------------------------------------------------------- public API


def iter_documents(
    sources: Iterable[str],
    *,
    skip_bad: bool = False,
    stats: LoadStats | None = None,
    id_field: str = "id",
    text_field: str = "text",
) -> Iterator[Document]:
    """Stream the documents of files, folders, JSONL/CSV files and stdin.

    Args:
        sources: paths as given on the command line: ``.txt`` files, folders
            (recursed, sorted, dot-files skipped), JSON Lines (``.jsonl``,
            ``.ndjson``, ``.json``) and CSV files, each optionally ``.gz``, or
            ``"-"`` for stdin. A named file of another type is plain text.
        skip_bad: skip bad records, duplicate ids and unreadable files
            (counting them in ``stats``) instead of raising on the first.
        stats: counters to fill in while iterating (documents, skipped,
            errors, files, ignored).
        id_field: name of the id field/column of JSONL and CSV records.
        text_field: name of the text field/column.

    Yields:
        Documents in input order; ``source`` is the file path and ``line``
        the 1-based line of the record (for CSV, the line it starts on).

    Raises:
        InputError: the first problem, unless ``skip_bad`` is set. Duplicate
            ids across the whole load are a problem: the message names where
            the id was first seen.

    Time is linear in the input size; memory holds one line (one ``.txt``
    document) at a time plus one entry per document id.
    """
    if stats is None:
        stats = LoadStats()
    seen: dict[str, str] = {}

    def on_error(err: InputError) -> None:
        if not skip_bad:
            raise err
        stats.skipped += 1
        stats.errors.append(err)

    for source in sources:
        source = os.fspath(source)
        for path, fmt in _expand(source, on_error=on_error, stats=stats):
            docs = _iter_input(
                path,
                fmt,
                id_field=id_field,
                text_field=text_field,
                on_error=on_error,
                stats=stats,
            )
            while True:
                # Only errors raised by the loader are caught here, never ones
                # thrown by the consumer of this generator.
                try:
                    doc = next(docs)
                except StopIteration:
                    break
                except InputError as err:
                    on_error(err)  # the rest of this file cannot be read
                    break
                where = path if doc.line is None else f"{path}:{doc.line}"
                first = seen.setdefault(doc.id, where)
                if first is not where:
                    on_error(
                        InputError(
                            path,
                            f"duplicate id {_quote(doc.id)} (first seen at {first})",
                            line=doc.line,
                        )
                    )
                    continue
                stats.documents += 1
                yield doc


def _raise(err: InputError) -> None:
    raise err


def load_document(
    source: str, *, id: str | None = None, id_field: str = "id", text_field: str = "text"
) -> Document:
    """Load the one document that ``detector compare`` is given.

    Args:
        source: a text file (id = file name without ``.txt``); ``"-"`` for
            stdin (id ``stdin``; a single JSON Lines record if the data starts
            with ``{``); ``PATH#ID`` for the record with that id in a JSONL or
            CSV file; or a JSONL/CSV file holding exactly one record. Any of
            these may be gzip-compressed. An existing file whose name contains
            ``#`` is taken as it is.
        id: replace the document's id with this one.
        id_field: name of the id field/column of JSONL and CSV records.
        text_field: name of the text field/column.

    Returns:
        The document; an empty file gives an empty text.

    Raises:
        InputError: missing file, a folder, binary data, invalid UTF-8, a
            bad record, an unknown record id, or several records and no
            ``#ID`` to choose one.

    A record is found by scanning the file up to it: O(n) time in the bytes
    before it, O(1) memory per line.
    """
    source = os.fspath(source)
    path, record_id = source, None
    if "#" in source and source != STDIN and not os.path.exists(source):
        path, _, record_id = source.rpartition("#")
        if not record_id:
            raise InputError(source, "no record id after '#'")
    if path == STDIN:
        fmt = _SNIFF
    else:
        if os.path.isdir(path):
            raise InputError(path, "is a directory; compare needs a file")
        fmt = _split_name(path)[0] or _TEXT
        if record_id is not None and fmt == _TEXT:
            if not os.path.exists(path):
                raise InputError(source, "no such file or directory")
            raise InputError(
                path, f"is not a JSON Lines or CSV file, so '#{record_id}' selects nothing"
            )

    stats = LoadStats()
    docs = _iter_input(
        path, fmt, id_field=id_field, text_field=text_field, on_error=_raise, stats=stats
    )
    try:
        if record_id is not None:
            scanned = 0
            for doc in docs:
                if doc.id == record_id:
                    break
                scanned += 1
            else:
                raise InputError(
                    path, f"no record with id {_quote(record_id)} ({scanned} records in the file)"
                )
        else:
            first = next(docs, None)
            if first is None:
                raise InputError(path, "holds no records")
            second = next(docs, None)
            if second is not None:
                hint = (
                    "compare needs exactly one"
                    if path == STDIN
                    else f"choose one as {path}#ID (e.g. {path}#{first.id})"
                )
                raise InputError(path, f"holds more than one record; {hint}")
            doc = first
    finally:
        docs.close()
    if id is not None:
        doc = replace(doc, id=id)
    return doc
