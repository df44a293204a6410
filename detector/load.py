"""Load documents from every input kind: the first stage of the pipeline.

It turns what a user points at into :class:`~detector.schema.Document`
objects. For text inputs (``.txt``, JSON Lines, CSV, Parquet, Telegram
exports) ``text`` is exactly the decoded content (a leading UTF-8 byte-order
mark is the one thing dropped; CRLF, control characters and surrounding
blanks stay); for saved web pages it is the main text trafilatura extracts.
Every later span indexes that text.

Inputs (the readers live in :mod:`detector.inputs`, one module each):

* a ``.txt`` file: one document, id = the file name without ``.txt``;
* a saved web page, ``.html``/``.htm`` (:mod:`detector.inputs.html`);
* JSON Lines (``.jsonl``, ``.ndjson``, ``.json``): one object per line with
  ``id``, ``text`` and optionally ``outlet`` (passim's ``series``), ``date``,
  ``url``, ``lang``; other fields go to ``Document.extra``
  (:mod:`detector.inputs.jsonl`);
* a Telegram Desktop export (``result.json``), recognised by its content
  (:mod:`detector.inputs.telegram`);
* CSV with a header row naming the same columns (:mod:`detector.inputs.csvfile`);
* Parquet with the same columns, when pyarrow is installed
  (:mod:`detector.inputs.parquet`);
* a folder: recursed in sorted order; ``FOLDER/OUTLET/...`` gives outlet and
  path ids (:mod:`detector.inputs.folders`);
* ``-`` for stdin: JSON Lines if the data starts with ``{`` (or is a JSON
  array, which is refused with a hint), otherwise one plain-text document.

Any text input may be gzip-compressed (``a.jsonl.gz``). A ``--meta``
sidecar (:mod:`detector.inputs.meta`) sets outlet, date and url by id.

Problems raise :class:`~detector.errors.InputError` with a one-line reason
naming the file and line. With ``skip_bad=True`` a bad record, or a whole
unreadable file, is skipped and counted in :class:`LoadStats`. A load that
yields no document at all is an error (saying which files were skipped).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from detector.errors import InputError
from detector.inputs.folders import (
    CSV,
    HTML,
    JSONL,
    PARQUET,
    SNIFF,
    TEXT,
    Entry,
    WalkCounts,
    expand,
    split_name,
)
from detector.inputs.meta import current_session
from detector.inputs.raw import (
    MAX_DOCUMENT_CHARS,
    STDIN,
    BadRecord,
    Input,
    quote,
    too_long,
    utf8_error,
)
from detector.schema import Document

__all__ = ["MAX_DOCUMENT_CHARS", "STDIN", "LoadStats", "iter_documents", "load_document"]


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
        ignored_by_ext: those files per extension (``{".md": 2}``).
        nonregular: FIFOs, sockets and devices met in folders (not read).
        notes: remarks to show the user (skipped page folders, Telegram
            messages that are not documents, ...).
    """

    documents: int = 0
    skipped: int = 0
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    ignored: int = 0
    ignored_by_ext: dict[str, int] = field(default_factory=dict)
    nonregular: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


ErrorHandler = Callable[[InputError], None]


def _text_document(inp: Input, doc_id: str, outlet: str | None) -> Document:
    """The whole input as one document (O(n) memory in its bytes)."""
    size = inp.regular_size()
    if size is not None and size > 4 * MAX_DOCUMENT_CHARS + 3:
        raise InputError(
            inp.path,
            f"file is {size:,} bytes, over the limit of {MAX_DOCUMENT_CHARS:,} characters "
            "for a document even at 4 bytes a character; split it into smaller documents",
        )
    data = inp.read_all(limit=4 * MAX_DOCUMENT_CHARS)
    if len(data) > 4 * MAX_DOCUMENT_CHARS:
        raise InputError(inp.path, f"document is over {4 * MAX_DOCUMENT_CHARS:,} bytes; split it")
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(inp.path, "binary file, not text (NUL byte)", byte=inp.start + nul)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise utf8_error(inp.path, exc, base=inp.start) from None
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(inp.path, too_long(len(text)))
    return Document(id=doc_id, text=text, outlet=outlet, source=inp.path)


def _iter_entry(
    entry: Entry,
    *,
    id_field: str,
    text_field: str,
    on_error: ErrorHandler,
    stats: LoadStats,
) -> Iterator[Document]:
    """Documents of one file (or stdin); closes it when done."""
    path, fmt = entry.path, entry.fmt
    if fmt == PARQUET:
        from detector.inputs.parquet import iter_parquet

        stats.files += 1
        yield from iter_parquet(
            path, id_field=id_field, text_field=text_field, on_error=on_error, outlet=entry.outlet
        )
        return
    if fmt == HTML:
        from detector.inputs.html import require_trafilatura

        require_trafilatura()  # a missing extra is an error even with skip_bad
    inp = Input(path, check_nul=fmt != HTML)
    stats.files += 1
    try:
        if fmt == SNIFF:
            fmt = JSONL if inp.sniff_json() else TEXT
        if fmt == TEXT:
            yield _text_document(inp, entry.doc_id, entry.outlet)
        elif fmt == HTML:
            from detector.inputs.html import html_document

            try:
                yield html_document(inp, entry.doc_id, outlet=entry.outlet)
            except BadRecord as bad:
                on_error(InputError(path, bad.reason, byte=bad.byte))
        elif fmt == JSONL:
            from detector.inputs.jsonl import iter_jsonl

            yield from iter_jsonl(
                inp,
                id_field=id_field,
                text_field=text_field,
                on_error=on_error,
                outlet=entry.outlet,
                notes=stats.notes,
            )
        else:
            assert fmt == CSV
            from detector.inputs.csvfile import iter_csv

            yield from iter_csv(
                inp, id_field=id_field, text_field=text_field, on_error=on_error, outlet=entry.outlet
            )
    finally:
        inp.close()


def _empty_error(sources: list[str], stats: LoadStats) -> InputError:
    """The error for a load that found no document, saying what was skipped."""
    parts = []
    if stats.ignored:
        by_ext = ", ".join(
            f"{ext} {n}" for ext, n in sorted(stats.ignored_by_ext.items(), key=lambda x: (-x[1], x[0]))
        )
        parts.append(f"{stats.ignored} file(s) of other types skipped ({by_ext})")
    if stats.nonregular:
        parts.append(f"{len(stats.nonregular)} non-regular file(s) skipped")
    if stats.skipped:
        parts.append(f"{stats.skipped} bad record(s) skipped")
    if stats.files:
        parts.append(f"{stats.files} input file(s) read")
    detail = "; ".join(parts) if parts else "no input files found"
    readable = ".txt, .html, .jsonl, .json, .csv, .parquet (optionally .gz)"
    where = sources[0] if len(sources) == 1 else f"{sources[0]} (and {len(sources) - 1} more)"
    return InputError(where, f"no documents to read: {detail}; inputs are {readable}")


def iter_documents(
    sources: Iterable[str],
    *,
    skip_bad: bool = False,
    stats: LoadStats | None = None,
    id_field: str = "id",
    text_field: str = "text",
    allow_empty: bool = False,
) -> Iterator[Document]:
    """Stream the documents of files, folders, record files and stdin.

    Args:
        sources: paths as given on the command line (see the module
            docstring), or ``"-"`` for stdin.
        skip_bad: skip bad records, duplicate ids and unreadable files
            (counting them in ``stats``) instead of raising on the first.
        stats: counters to fill in while iterating.
        id_field: name of the id field/column of JSONL, CSV and Parquet records.
        text_field: name of the text field/column.
        allow_empty: yield nothing, quietly, when there is no document
            (otherwise that is an InputError, even with ``skip_bad``).

    Yields:
        Documents in input order; ``source`` is the file path and ``line``
        the 1-based line of the record (for CSV, the line it starts on). In
        an input session (:func:`detector.inputs.meta.input_session`) the
        ``--meta`` sidecar's fields are applied.

    Raises:
        InputError: the first problem, unless ``skip_bad`` is set. Duplicate
            ids across the whole load are a problem: the message names where
            the id was first seen.

    Time is linear in the input size; memory holds one line (one ``.txt``
    or page document) at a time plus one entry per document id.
    """
    if stats is None:
        stats = LoadStats()
    session = current_session()
    seen: dict[str, str] = {}
    counts = WalkCounts(ignored=stats.ignored_by_ext, nonregular=stats.nonregular, page_folders=[])
    given: list[str] = []

    def on_error(err: InputError) -> None:
        if not skip_bad:
            raise err
        stats.skipped += 1
        stats.errors.append(err)

    notes_before = len(stats.notes)
    for source in sources:
        source = os.fspath(source)
        given.append(source)
        for entry in expand(source, on_error=on_error, counts=counts):
            stats.ignored = sum(stats.ignored_by_ext.values())
            docs = _iter_entry(
                entry, id_field=id_field, text_field=text_field, on_error=on_error, stats=stats
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
                path = entry.path
                where = path if doc.line is None else f"{path}:{doc.line}"
                first = seen.setdefault(doc.id, where)
                if first is not where:
                    on_error(
                        InputError(
                            path,
                            f"duplicate id {quote(doc.id)} (first seen at {first})",
                            line=doc.line,
                        )
                    )
                    continue
                if session is not None:
                    doc = session.apply(doc)
                stats.documents += 1
                yield doc
    stats.ignored = sum(stats.ignored_by_ext.values())
    if stats.nonregular:
        shown = ", ".join(stats.nonregular[:5]) + (" …" if len(stats.nonregular) > 5 else "")
        stats.notes.append(f"skipped {len(stats.nonregular)} non-regular file(s): {shown}")
    if counts.page_folders:
        shown = ", ".join(counts.page_folders[:3]) + (" …" if len(counts.page_folders) > 3 else "")
        stats.notes.append(
            f"skipped {len(counts.page_folders)} saved-page asset folder(s) (NAME_files): {shown}"
        )
    if session is not None:
        session.notes.extend(stats.notes[notes_before:])
    if stats.documents == 0 and given and not allow_empty:
        raise _empty_error(given, stats)


def _raise(err: InputError) -> None:
    raise err


def load_document(
    source: str, *, id: str | None = None, id_field: str = "id", text_field: str = "text"
) -> Document:
    """Load the one document that ``detector compare`` is given.

    Args:
        source: a text file (id = file name without ``.txt``); a saved page
            (its extracted main text); ``"-"`` for stdin (id ``stdin``; a
            single JSON Lines record if the data starts with ``{``);
            ``PATH#ID`` for the record with that id in a JSONL, CSV,
            Parquet or Telegram export file; or such a file holding exactly
            one record. An existing file whose name contains ``#`` is taken
            as it is.
        id: replace the document's id with this one.
        id_field: name of the id field/column of records.
        text_field: name of the text field/column.

    Returns:
        The document; an empty file gives an empty text.

    Raises:
        InputError: missing file, a folder, binary data, invalid UTF-8, a
            bad record, an unknown record id, an id given twice in the file
            (as ``report`` refuses it), or several records and no ``#ID``.

    A record is found by scanning the whole file (to refuse duplicates):
    O(n) time, O(1) memory per line plus one entry per id.
    """
    source = os.fspath(source)
    path, record_id = source, None
    if "#" in source and source != STDIN and not os.path.exists(source):
        path, _, record_id = source.rpartition("#")
        if not record_id:
            raise InputError(source, "no record id after '#'")
    if path == STDIN:
        entry = Entry(path, SNIFF, "stdin")
    else:
        if os.path.isdir(path):
            raise InputError(path, "is a directory; compare needs a file")
        fmt, stem = split_name(path)
        fmt = fmt or TEXT
        if record_id is not None and fmt in (TEXT, HTML):
            if not os.path.exists(path):
                raise InputError(source, "no such file or directory")
            raise InputError(
                path, f"is not a JSON Lines or CSV file, so '#{record_id}' selects nothing"
            )
        entry = Entry(path, fmt, stem)

    stats = LoadStats()
    docs = _iter_entry(entry, id_field=id_field, text_field=text_field, on_error=_raise, stats=stats)
    try:
        if record_id is not None:
            found: Document | None = None
            scanned = 0
            for doc in docs:
                scanned += 1
                if doc.id == record_id:
                    if found is not None:
                        where = path if found.line is None else f"{path}:{found.line}"
                        raise InputError(
                            path,
                            f"duplicate id {quote(record_id)} (first seen at {where})",
                            line=doc.line,
                        )
                    found = doc
            if found is None:
                raise InputError(
                    path, f"no record with id {quote(record_id)} ({scanned} records in the file)"
                )
            doc = found
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
    session = current_session()
    if session is not None:
        doc = session.apply(doc)
    if id is not None:
        doc = replace(doc, id=id)
    return doc
