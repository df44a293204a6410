"""Opening one input: a file or stdin, gzip undone, binary and encoding checked.

Nothing here decodes records; :class:`Input` hands out bytes (the first
block, whole lines, or everything) and every reader decodes them itself, so
that errors can name the line and the byte offset.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator
from typing import IO, Any

from detector.errors import InputError

__all__ = [
    "HEAD_BYTES",
    "JSON_WS",
    "MAX_DOCUMENT_CHARS",
    "STDIN",
    "BadRecord",
    "Input",
    "json_type",
    "quote",
    "utf8_error",
]

STDIN = "-"
"""The source name that means standard input."""

HEAD_BYTES = 8192  # bytes inspected for binary data and for sniffing the format
JSON_WS = b" \t\r\n"

MAX_DOCUMENT_CHARS = 10_000_000
"""Largest document accepted, in characters (10 million: 10-20 MB of UTF-8).

A longer document is a bad record (``--skip-bad`` counts it): alignment and
the report keep several arrays per character and per token of a document, so
one 50 MB document would need several gigabytes. Split such a text first.
"""

_BOM = codecs.BOM_UTF8
_GZIP_MAGIC = b"\x1f\x8b"
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)  # before UTF-16: FF FE 00 00
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class BadRecord(Exception):
    """A record-level problem; the caller adds path and line."""

    def __init__(self, reason: str, byte: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.byte = byte


def quote(value: str, limit: int = 60) -> str:
    """``repr`` of user text for messages: escapes controls, bounds the length."""
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def json_type(value: Any) -> str:
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


def utf8_error(
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


def too_long(chars: int) -> str:
    """The reason given for a document over :data:`MAX_DOCUMENT_CHARS`."""
    return (
        f"document is {chars:,} characters, over the limit of {MAX_DOCUMENT_CHARS:,}; "
        "split it into smaller documents"
    )


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


class Input:
    """One opened input: decompressed if gzip, checked for binary, BOM dropped.

    Attributes:
        path: the path given (``"-"`` for stdin).
        head: the first bytes of the (decompressed) data, BOM removed.
        start: byte offset of ``head`` in the decompressed data (3 after a
            BOM, else 0).
    """

    def __init__(self, path: str, *, check_nul: bool = True) -> None:
        self.path = path
        self._owned: list[IO[bytes]] = []
        self._check_nul = check_nul
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
        head = self._read(raw, HEAD_BYTES)
        self.stream: IO[bytes]
        self.gzipped = head[:2] == _GZIP_MAGIC
        if self.gzipped:
            self.stream = gzip.GzipFile(fileobj=io.BufferedReader(_Prefixed(head, raw)), mode="rb")
            self._owned.append(self.stream)
            head = self._read(self.stream, HEAD_BYTES)
        elif head and self.path.lower().endswith(".gz"):
            raise InputError(self.path, "not a gzip file (no gzip header), although named .gz")
        else:
            self.stream = raw
        if head.startswith(_UTF32_BOMS):
            raise InputError(self.path, "UTF-32 text, not UTF-8; convert the file to UTF-8")
        if head.startswith(_UTF16_BOMS):
            raise InputError(self.path, "UTF-16 text, not UTF-8; convert the file to UTF-8")
        if self._check_nul and b"\0" in head:
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

    def first_nonblank(self, n: int = 1) -> bytes:
        """The first ``n`` bytes after JSON whitespace (fewer at the end of the data).

        Reads further than the head only while the data is all blank.
        """
        while len(self.head.lstrip(JSON_WS)) < n:
            more = self._read(self.stream, HEAD_BYTES)
            if not more:
                break
            self.head += more
        return self.head.lstrip(JSON_WS)[:n]

    def sniff_json(self) -> bool:
        """True when the data starts like JSON records: ``{`` or ``[`` then ``{``."""
        first = self.first_nonblank()
        if first == b"{":
            return True
        if first != b"[":
            return False
        rest = self.head.lstrip(JSON_WS)[1:]
        while not rest.lstrip(JSON_WS):
            more = self._read(self.stream, HEAD_BYTES)
            if not more:
                return False
            self.head += more
            rest = self.head.lstrip(JSON_WS)[1:]
        return rest.lstrip(JSON_WS)[:1] == b"{"

    def read_all(self, limit: int | None = None) -> bytes:
        """Every remaining byte (head included).

        Args:
            limit: stop after ``limit + 1`` bytes (the caller refuses data
                that long without holding all of it).
        """
        if limit is None:
            return self.head + self._read(self.stream)
        if len(self.head) > limit:
            return self.head[: limit + 1]
        return self.head + self._read(self.stream, limit + 1 - len(self.head))

    def regular_size(self) -> int | None:
        """Size in bytes of a plain (not gzip) regular file, else None."""
        if self.gzipped or self.path == STDIN or not self._owned:
            return None
        try:
            st = os.fstat(self._owned[0].fileno())
        except (OSError, ValueError):
            return None
        import stat

        return st.st_size if stat.S_ISREG(st.st_mode) else None

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
