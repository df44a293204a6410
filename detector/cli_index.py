"""``detector index``: the incremental SQLite reuse index, as a command group.

Parses arguments, calls :mod:`detector.index`, renders; registered on the
main group by :mod:`detector.cli`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from detector.cli_support import (
    FORMATS_REPORT,
    _check_report_output,
    _DetectorGroup,
    _emit_report,
    _input_notes,
    _open_inputs,
    _print_renderable,
    _report_progress,
    _report_summary,
    _write_output,
    color_option,
    gexf_level_option,
    meta_option,
    output_option,
)
from detector.errors import ExitCode


@click.group(cls=_DetectorGroup)
def index() -> None:
    """An incremental reuse index on disk (SQLite) for the daily monitoring desk.

    \b
    detector index add archive.db corpus/ today.jsonl
    detector index query archive.db new-article.txt
    detector index report archive.db --format html -o report.html
    detector index stats archive.db
    detector index check archive.db
    """


@index.command("add")
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True)
@click.option("--skip-bad", is_flag=True, help="Skip and count bad records instead of stopping.")
@click.option(
    "--no-check", is_flag=True, help="Skip the quick check of DB's pages (about 2 s per GB) first."
)
@meta_option
def index_add(
    db: str, paths: tuple[str, ...], skip_bad: bool, no_check: bool, meta: str | None
) -> None:
    """Add documents to DB (created if missing); unchanged documents are skipped.

    PATH... are read like `detector report` inputs. A document whose id is
    stored with the same text is skipped; one whose text changed is
    replaced. Each batch is committed on its own: an interrupted add keeps
    what was committed and the next add resumes.
    """
    from detector.index import Index

    session = _open_inputs(paths, meta)
    with Index(db) as ix, _report_progress() as bar:
        seen = 0

        def progress(done: int) -> None:
            nonlocal seen
            if bar is not None:
                bar("documents", done - seen, None)
            seen = done

        stats = ix.add(list(paths), skip_bad=skip_bad, progress=progress, check=not no_check)
        total = len(ix)
    click.echo(
        f"{stats.added} added, {stats.replaced} replaced, {stats.unchanged} unchanged, "
        f"{stats.skipped} bad records skipped; {total} documents in {db}",
        err=True,
    )
    _input_notes(session)


def _existing_index(db: str) -> Any:
    from detector.errors import InputError
    from detector.index import Index

    if not os.path.exists(db):
        raise InputError(db, "no such index (create it with 'detector index add')")
    return Index(db)


@index.command("query")
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("file")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one table per archived document; json: detector.index-query/1.",
)
@output_option
@color_option
def index_query(db: str, file: str, fmt: str, output: str | None, color: str) -> None:
    """Which archived documents share passages with FILE, earliest first.

    FILE is a .txt file, '-' for stdin, or one record of a JSONL/CSV file
    written as FILE.jsonl#ID. Spans are character offsets into the archived
    document (a) and FILE (b).
    """
    from detector.load import load_document

    doc = load_document(file)
    with _existing_index(db) as ix:
        matches = ix.query(doc)
    from detector.render.sanitize import display_text as _display

    click.echo(f"{len(matches)} archived documents share passages with {_display(doc.id)}", err=True)
    if fmt == "json":
        import json

        from detector.schema import passage_to_dict

        data = {
            "schema": "detector.index-query/1",
            "query": {"id": doc.id, "chars": len(doc.text)},
            "matches": [
                {
                    "doc": {
                        "id": m.document.id,
                        "outlet": m.document.outlet,
                        "date": m.document.date,
                        "url": m.document.url,
                        "chars": len(m.document.text),
                    },
                    "passages": [
                        passage_to_dict(p, m.document.text, doc.text) for p in m.passages
                    ],
                }
                for m in matches
            ],
        }
        _write_output(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
        return
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from detector.render.sanitize import display_text

    def snippet(text: str, start: int, end: int, limit: int = 160) -> Text:
        part = text[start:end]
        if len(part) > limit:
            part = part[: limit // 2] + " … " + part[-limit // 2 :]
        return Text(display_text(part.replace("\n", " ")))

    parts: list[Any] = []
    if not matches:
        parts.append(Text(f"No archived document shares a passage with {display_text(doc.id)}."))
    for m in matches:
        title = Text.assemble(
            (display_text(m.document.id), "bold"),
            f"  {display_text(m.document.outlet or 'unknown outlet')}"
            f"  {display_text(m.document.date or 'undated')}",
        )
        table = Table(title=title, title_justify="left", expand=True)
        table.add_column("archived (a)", ratio=1)
        table.add_column("query (b)", ratio=1)
        table.add_column("words", justify="right")
        table.add_column("kind")
        for p in m.passages:
            table.add_row(
                Text.assemble(f"{p.a.start}-{p.a.end}\n", snippet(m.document.text, p.a.start, p.a.end)),
                Text.assemble(f"{p.b.start}-{p.b.end}\n", snippet(doc.text, p.b.start, p.b.end)),
                str(p.words),
                p.kind,
            )
        parts.append(table)
    _print_renderable(Group(*parts), output, color)


@index.command("report")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_REPORT),
    default="text",
    show_default=True,
    help="The formats of `detector report`.",
)
@output_option
@gexf_level_option
@click.option("--no-framing", is_flag=True, help="Do not flag framing sentences.")
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="Rows per table (text).")
@color_option
def index_report(
    db: str, fmt: str, output: str | None, gexf_level: str, no_framing: bool, top: int, color: str
) -> None:
    """The `detector report` of every document in DB (only new pairs are aligned)."""
    _check_report_output(fmt, output)
    with _existing_index(db) as ix, _report_progress() as progress:
        result = ix.report(framing=not no_framing, progress=progress)
    click.echo(_report_summary(result), err=True)
    _emit_report(result, fmt, output, color, top, gexf_level)


@index.command("stats")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-check", is_flag=True, help="Skip the quick check of every page (about 2 s per GB).")
def index_stats(db: str, fmt: str, no_check: bool) -> None:
    """Documents, windows, bucket keys, cached alignments and size of DB.

    A quick check of every page (PRAGMA quick_check) runs first: a damaged
    index is a one-line error (exit 2); `detector index check` lists the damage.
    """
    from dataclasses import asdict

    with _existing_index(db) as ix:
        stats = asdict(ix.stats(check=not no_check))
    if fmt == "json":
        import json

        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    from detector.render.sanitize import display_text

    for key, value in stats.items():
        click.echo(f"{key:>15}: {display_text(str(value))}")


@index.command("check")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--quick", is_flag=True, help="PRAGMA quick_check (page structure) instead of integrity_check.")
def index_check(db: str, quick: bool) -> None:
    """Check DB: SQLite's check of every page, then the index's own invariants.

    Prints each problem found on stdout. Exit status: 0 intact, 1 damage
    found, 2 not a usable index (missing, not SQLite, other schema).
    """
    from detector.index.check import check_index
    from detector.render.sanitize import display_text

    if not os.path.exists(db):
        from detector.errors import InputError

        raise InputError(db, "no such index")
    result = check_index(db, quick=quick)
    for problem in result.problems:
        click.echo(display_text(problem).replace("\n", " "))
    if result.problems:
        click.echo(
            f"{display_text(db)}: {len(result.problems)} problems found ({result.method})", err=True
        )
        sys.exit(ExitCode.FINDINGS)
    click.echo(
        f"{display_text(db)}: ok ({result.method}, index invariants; {result.documents} documents)",
        err=True,
    )


