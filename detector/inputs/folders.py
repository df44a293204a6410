"""What a command-line source stands for: files, folders, outlet folders, their ids.

A folder is recursed in sorted order; dot-files and dot-folders are skipped.
Files directly in it keep the ids they would have alone (a ``.txt`` file's
name without ``.txt``, a record's ``id``). Files under ``FOLDER/OUTLET/...``
get:

* ``outlet`` = ``OUTLET``, the first folder level below the given folder
  (a record's or a Telegram channel's own outlet wins; a page's site name
  does not);
* for one-document files (``.txt``, ``.html``) the id = the path below the
  given folder without the extension, with ``/`` separators
  (``minsk-daily/2024/story``), so ``a/story.txt`` and ``b/story.txt`` no
  longer clash.

Only regular files are read from folders: a FIFO, socket or device inside a
folder is skipped and listed (reading a FIFO would wait forever). The
``NAME_files`` folder a browser saves beside ``NAME.html`` holds the page's
scripts, styles and frames, not documents: it is skipped and listed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from detector.errors import InputError

__all__ = ["CSV", "HTML", "JSONL", "PARQUET", "SNIFF", "TEXT", "Entry", "expand", "split_name"]

TEXT, JSONL, CSV, HTML, PARQUET, SNIFF = "text", "jsonl", "csv", "html", "parquet", "sniff"
FORMATS = {
    ".txt": TEXT,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".json": JSONL,
    ".csv": CSV,
    ".html": HTML,
    ".htm": HTML,
    ".parquet": PARQUET,
}
SINGLE = (TEXT, HTML)  # formats holding one document per file

ErrorHandler = Callable[[InputError], None]


@dataclass(frozen=True)
class Entry:
    """One input file to read.

    Attributes:
        path: its path (``"-"`` for stdin).
        fmt: ``text``, ``jsonl``, ``csv``, ``html``, ``parquet`` or ``sniff``.
        doc_id: the id of a one-document file.
        outlet: the outlet folder's name, or None.
    """

    path: str
    fmt: str
    doc_id: str
    outlet: str | None = None


def split_name(path: str) -> tuple[str | None, str]:
    """Format and base name of ``path``.

    Returns:
        ``(format, stem)``: format as in :data:`FORMATS` or None for an
        unknown extension (judged after removing ``.gz``); stem is the file
        name without ``.gz`` and, for one-document formats, without their
        extension.
    """
    name = os.path.basename(path)
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, ext = os.path.splitext(name)
    fmt = FORMATS.get(ext.lower())
    if fmt == PARQUET and os.path.basename(path).lower().endswith(".gz"):
        fmt = None  # Parquet compresses inside; a .parquet.gz is not read
    return fmt, (stem if fmt in SINGLE else name)


def extension(name: str) -> str:
    """The extension used to describe a skipped file (``.md``, ``.pdf.gz``, ``(none)``)."""
    base = name.lower()
    gz = base.endswith(".gz")
    if gz:
        base = base[:-3]
    ext = os.path.splitext(base)[1]
    return (ext or "(none)") + (".gz" if gz else "")


@dataclass
class WalkCounts:
    """Files met in folders and not read, for messages."""

    ignored: dict[str, int]
    nonregular: list[str]
    page_folders: list[str]


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "not a regular file"


def _walk(
    root: str,
    folder: str,
    *,
    on_error: ErrorHandler,
    counts: WalkCounts,
    visited: set[str],
) -> Iterator[Entry]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        on_error(InputError(folder, f"cannot list folder: {exc.strerror or exc}"))
        return
    names = {e.name for e in entries}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            st = entry.stat()  # follows symlinks
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            page = entry.name[: -len("_files")] if entry.name.endswith("_files") else None
            if page and any(page + ext in names for ext in (".html", ".htm")):
                counts.page_folders.append(entry.path)
                continue
            real = os.path.realpath(entry.path)
            if real not in visited:
                visited.add(real)
                yield from _walk(root, entry.path, on_error=on_error, counts=counts, visited=visited)
            continue
        if st is not None and not stat.S_ISREG(st.st_mode):
            counts.nonregular.append(f"{entry.path} ({_kind(st.st_mode)})")
            continue
        fmt, stem = split_name(entry.name)
        if fmt is None:
            ext = extension(entry.name)
            counts.ignored[ext] = counts.ignored.get(ext, 0) + 1
            continue
        rel = os.path.relpath(entry.path, root).split(os.sep)
        if len(rel) == 1:
            yield Entry(entry.path, fmt, stem)
            continue
        doc_id = "/".join([*rel[:-1], stem]) if fmt in SINGLE else stem
        yield Entry(entry.path, fmt, doc_id, outlet=rel[0])


def expand(source: str, *, on_error: ErrorHandler, counts: WalkCounts) -> Iterator[Entry]:
    """The input files a command-line source stands for.

    An explicitly named file is read whatever it is (a FIFO such as
    ``<(zcat x.gz)`` included); a named file of unknown type is plain text.
    """
    from detector.inputs.raw import STDIN

    if source == STDIN:
        yield Entry(source, SNIFF, "stdin")
    elif os.path.isdir(source):
        yield from _walk(
            source, source, on_error=on_error, counts=counts, visited={os.path.realpath(source)}
        )
    else:
        fmt, stem = split_name(source)
        yield Entry(source, fmt or TEXT, stem)
