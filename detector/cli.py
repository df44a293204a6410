"""The ``detector`` command: parse arguments, call one library function, render.

Nothing here computes results. Library input errors (:class:`InputError`)
and usage errors become one line on stderr and exit status 2; Ctrl-C exits
130; ``--debug`` shows the full traceback instead. Heavy modules (numpy,
rich, datasketch, scikit-learn) are imported inside the commands, so
``detector --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from detector.errors import DetectorError, EngineError, ExitCode

FORMATS_COMPARE = ("text", "json", "markdown", "pan-xml")


class _DetectorGroup(click.Group):
    """A click group whose failures are one line on stderr (see :func:`main`)."""


def _write_output(data: str, output: str | None) -> None:
    """Write ``data`` to stdout, or atomically to ``output`` (never half-written)."""
    if output is None or output == "-":
        click.echo(data, nl=False)
        return
    import stat

    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        # a device or a pipe (-o /dev/null, -o fifo): renaming a temporary
        # file over it would replace the device node itself, so write through
        with _disk_full_is_one_line(output), open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        return
    directory = os.path.dirname(os.path.abspath(output))
    import tempfile

    with _disk_full_is_one_line(output):
        fd, tmp = tempfile.mkstemp(prefix=".detector-", dir=directory)
    try:
        with _disk_full_is_one_line(output), os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain
        # open() would, i.e. 0666 less the user's umask
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _disk_full_is_one_line:  # lower-case: used like a function in a with statement
    """Turn ENOSPC/EDQUOT while writing ``output`` into a one-line EngineError (exit 3)."""

    def __init__(self, output: str | None) -> None:
        self.output = output

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        import errno

        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            from detector.render.sanitize import display_line

            raise EngineError(
                f"{display_line(self.output)}: no space left on device; nothing was written "
                "(an existing file is kept)"
            ) from exc


def _say(message: str) -> None:
    """One line on stderr; ids, outlets and paths in it pass through the sanitiser."""
    from detector.render.sanitize import display_line

    click.echo(display_line(message), err=True)


def _output_folder_exists(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse ``-o`` into a missing folder while parsing, before any work."""
    if value and value != "-":
        folder = os.path.dirname(os.path.abspath(value))
        if not os.path.isdir(folder):
            from detector.render.sanitize import display_text

            raise click.BadParameter(
                f"folder {display_text(os.path.dirname(value) or folder)!r} does not exist",
                ctx=ctx,
                param=param,
            )
    return value


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    callback=_output_folder_exists,
    help="Write to FILE (atomically).",
)

meta_option = click.option(
    "--meta",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV or JSONL sidecar with id, outlet, date, url: sets them for documents of any input.",
)


def _open_inputs(paths: Any, meta: str | None) -> Any:
    """Check extras for PATHS and open an input session (the --meta sidecar) for this command."""
    from detector.inputs.extras import check_sources
    from detector.inputs.meta import input_session

    check_sources(paths)
    return click.get_current_context().with_resource(input_session(meta))


def _input_notes(session: Any) -> None:
    """Print the load notes and unmatched --meta ids on stderr, one line each."""
    from detector.render.sanitize import display_text

    for note in session.notes:
        click.echo(f"detector: {display_text(note)}", err=True)
    unmatched = session.unmatched()
    if unmatched:
        shown = ", ".join(repr(display_text(i)) for i in unmatched[:10])
        more = f" and {len(unmatched) - 10} more" if len(unmatched) > 10 else ""
        click.echo(
            f"detector: --meta {display_text(session.meta.path)}: {len(unmatched)} id(s) match "
            f"no document: {shown}{more}",
            err=True,
        )

min_words_option = click.option(
    "--min-words",
    type=click.IntRange(1),
    default=None,
    help="Smallest passage reported, in words of the shorter side (default 20). "
    "A strongly matching single sentence of 10 or more words (a short borrowing) "
    "is reported even below it; a smaller value never finds less.",
)


def common_params(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by commands that align text (``compare``, ``diff``)."""
    func = min_words_option(func)
    func = click.option(
        "--min-score",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help="Smallest passage similarity reported, 0..1 (default 0.45).",
    )(func)
    func = click.option(
        "--no-stem", is_flag=True, help="Match exact word forms instead of Snowball stems."
    )(func)
    return func


def _params(min_words: int | None, min_score: float | None, no_stem: bool) -> Any:
    from detector.params import DEFAULT_PARAMS

    changes: dict[str, Any] = {}
    if min_words is not None:
        changes["min_words"] = min_words
    if min_score is not None:
        changes["min_score"] = min_score
    if no_stem:
        changes["stem"] = False
    return DEFAULT_PARAMS.with_(**changes) if changes else DEFAULT_PARAMS


xl_option = click.option(
    "--cross-lingual",
    is_flag=True,
    help="Also find translated passages (Russian <-> English) with the multilingual "
    "sentence encoder (needs reuse-detector[semantic]).",
)


color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour output; 'auto' honours NO_COLOR, FORCE_COLOR and TERM=dumb.",
)


@click.group(cls=_DetectorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reuse-detector", prog_name="detector")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find reused text, boilerplate and recurring framing in news and state-media text.

    Inputs are .txt files, saved web pages (.html), Telegram Desktop exports,
    folders (FOLDER/OUTLET/...), JSON Lines, CSV or Parquet (id, text, outlet,
    date, url, lang), .gz transparently, or '-' for stdin. Data goes to stdout,
    messages to stderr. Exit status: 0 ok, 2 usage or input error, 3 the run
    could not finish (a worker died, the disk is full), 1 damage found by
    'index check', 130 Ctrl-C.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_COMPARE),
    default="text",
    show_default=True,
    help="text: rich terminal view; json: the detector.compare/1 contract; "
    "markdown; pan-xml: PAN text-alignment detections (B = suspicious, A = source).",
)
@output_option
@click.option("--framing/--no-framing", default=False, help="Also flag framing sentences.")
@click.option("--model", type=click.Path(dir_okay=False), help="Framing model file.")
@common_params
@xl_option
@color_option
def compare(
    a: str,
    b: str,
    fmt: str,
    output: str | None,
    framing: bool,
    model: str | None,
    min_words: int | None,
    min_score: float | None,
    no_stem: bool,
    cross_lingual: bool,
    color: str,
) -> None:
    """Find every passage of A reused in B, with character spans in both.

    A and B are .txt files, '-' for stdin, or one record of a JSONL/CSV file
    written as FILE.jsonl#ID.
    """
    from detector.compare import compare as compare_documents
    from detector.load import load_document

    doc_a = load_document(a)
    doc_b = load_document(b)
    clf = _load_model(model) if model else None
    result = compare_documents(
        doc_a,
        doc_b,
        _params(min_words, min_score, no_stem),
        framing=framing or model is not None,
        model=clf,
        cross_lingual=cross_lingual,
    )
    kinds = ", ".join(
        f"{n} {k}" for k in dict.fromkeys(p.kind for p in result.passages)
        if (n := sum(1 for p in result.passages if p.kind == k))
    )
    _say(
        f"detector: {len(result.passages)} passage(s)" + (f" ({kinds})" if kinds else "")
        + f" between {doc_a.id} and {doc_b.id}; text in passages: A {result.similarity.coverage_a:.0%}, "
        f"B {result.similarity.coverage_b:.0%}"
    )
    if fmt == "json":
        import json

        from detector.schema import compare_to_dict

        _write_output(json.dumps(compare_to_dict(result), ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "markdown":
        from detector.render.markdown import render_compare_markdown

        _write_output(render_compare_markdown(result), output)
    elif fmt == "pan-xml":
        from detector.render.panxml import render_compare_pan_xml

        _write_output(render_compare_pan_xml(result), output)
    else:
        _print_renderable(_render_text(result), output, color)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@output_option
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Flag a label at this probability or above (default: the model's per-label thresholds, "
    "chosen by cross-validation and raised on real negatives; reports use the same).",
)
@click.option("--model", type=click.Path(dir_okay=False), help="Model file from 'detector train'.")
@click.option("--skip-bad", is_flag=True, help="Skip unreadable records, counting them.")
@meta_option
@color_option
def flag(
    files: tuple[str, ...],
    fmt: str,
    output: str | None,
    min_score: float | None,
    model: str | None,
    skip_bad: bool,
    meta: str | None,
    color: str,
) -> None:
    """Flag framing sentences (multipolarity, double standards, ...) and the words behind them.

    FILES are .txt files, folders, JSONL or CSV, or '-' for stdin.
    """
    from detector.framing import flag_documents, load_default_model
    from detector.load import LoadStats, iter_documents

    session = _open_inputs(files, meta)
    stats = LoadStats()
    documents = list(iter_documents(files, skip_bad=skip_bad, stats=stats))
    _input_notes(session)
    clf = _load_model(model) if model else load_default_model()
    flags = flag_documents(documents, model=clf, min_score=min_score)
    if stats.skipped:
        _say(f"detector: skipped {stats.skipped} bad record(s)")
        for error in stats.errors:
            _say(f"  {error}")
    flagged = len({f.doc for f in flags})
    _say(f"detector: {len(flags):,} framing flag(s) in {flagged:,} of {len(documents):,} document(s)")
    if fmt == "json":
        import json

        from detector.render.flags import flags_to_dict

        _write_output(
            json.dumps(flags_to_dict(documents, flags), ensure_ascii=False, indent=2) + "\n", output
        )
    else:
        from detector.render.flags import render_flags

        _print_renderable(render_flags(documents, flags), output, color)


@cli.command()
@click.argument("labels", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="framing-model.npz",
    show_default=True,
    callback=_output_folder_exists,
    help="Where to write the model (a safe npz + JSON file, never a pickle).",
)
def train(labels: str, output: str) -> None:
    """Retrain the framing classifier on your own labelled sentences (JSONL: text, labels, lang)."""
    from detector.framing import train_model
    from detector.render.train import cv_table

    with _report_progress() as bar:

        def progress(stage: str, done: int, total: int) -> None:
            if bar is not None:
                bar("training", 1, total)
            else:
                _say(f"detector: training: {stage} done ({done}/{total})")

        model = train_model(labels, output, progress=progress)
    click.echo(cv_table(model))
    _say(f"detector: trained {len(model.labels_)} labels; wrote {output}")



def _check_report_output(fmt: str, output: str | None) -> None:
    """Refuse impossible output choices before any work is done."""
    if fmt in ("parquet", "sqlite") and (not output or output == "-"):
        raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")
    if fmt in ("parquet", "sqlite") and os.path.exists(output) and not os.path.isfile(output):  # type: ignore[arg-type]
        # the file is written whole and renamed into place: never over a device or a pipe
        raise click.UsageError(f"--format {fmt} writes a file: -o {output} is not a regular file")
    if fmt == "parquet":
        from detector.inputs.extras import require_extra

        require_extra("parquet", "--format parquet")


def _report_summary(result: Any) -> str:
    """The one-line stderr summary of a report (``report`` and ``index report``)."""
    n_reuse = sum(1 for c in result.clusters if c.kind == "reuse")
    n_boiler = len(result.clusters) - n_reuse
    return (
        f"{len(result.documents):,} docs, {n_reuse:,} reuse clusters, {n_boiler:,} boilerplate, "
        f"{result.skipped:,} bad records skipped"
    )


def _emit_report(
    result: Any, fmt: str, output: str | None, color: str, top: int, gexf_level: str = "outlet"
) -> None:
    """Render a Report in ``fmt`` to stdout or ``output`` (shared by report commands)."""
    if fmt == "parquet":
        from detector.engines.spark import write_report_parquet  # pyarrow only, no Spark

        with _disk_full_is_one_line(output):
            write_report_parquet(result, output)
        return
    if fmt == "sqlite":
        from detector.render.sqlite import write_report_sqlite

        with _disk_full_is_one_line(output):
            write_report_sqlite(result, output)
        return
    if fmt == "gexf":
        from detector.render.gexf import render_gexf

        _write_output(render_gexf(result, level=gexf_level), output)
        return
    if fmt == "text":
        from detector.render.terminal import render_report

        _print_renderable(render_report(result, top=top), output, color)
        return
    if fmt == "json":
        from detector.render.tabular import render_json as render
    elif fmt == "jsonl":
        from detector.render.tabular import render_jsonl as render
    elif fmt == "csv":
        from detector.render.tabular import render_csv as render
    elif fmt == "markdown":
        from detector.render.markdown import render_report_markdown as render
    else:
        from detector.render.html import render_report_html as render
    _write_output(render(result), output)

def _render_text(result: Any) -> Any:
    from detector.render.terminal import render_compare

    return render_compare(result)


def _print_renderable(renderable: Any, output: str | None, color: str) -> None:
    """Print a rich renderable to stdout, or as plain text to ``output``."""
    from detector.render.terminal import make_console

    if output and output != "-":
        import io

        buffer = io.StringIO()
        make_console(color="never", file=buffer, width=120).print(renderable)
        _write_output(buffer.getvalue(), output)
    else:
        make_console(color=color).print(renderable)


def _load_model(path: str) -> Any:
    from detector.persist import load_model

    return load_model(path)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--width",
    type=click.IntRange(60),
    default=None,
    help="Total width in columns, at least 60 (default: the terminal's).",
)
@click.option(
    "--context",
    type=click.IntRange(0),
    default=2,
    show_default=True,
    help="Lines of text shown before and after each passage; the rest collapses "
    "to '… N chars …'.",
)
@click.option(
    "--passage", type=click.IntRange(1), default=None, help="Show only passage N (1-based)."
)
@click.option(
    "--no-pager", is_flag=True, help="Print directly (the pager is only used on a terminal)."
)
@click.option(
    "--framing/--no-framing",
    default=False,
    help="Also flag framing sentences (underlined, with their label).",
)
@click.option("--model", type=click.Path(dir_okay=False), help="Framing model file.")
@common_params
@xl_option
@color_option
def diff(
    a: str,
    b: str,
    width: int | None,
    context: int,
    passage: int | None,
    no_pager: bool,
    framing: bool,
    model: str | None,
    min_words: int | None,
    min_score: float | None,
    no_stem: bool,
    cross_lingual: bool,
    color: str,
) -> None:
    """Show A and B side by side, aligned passage by passage.

    Kept words are plain, substituted words are highlighted on both sides,
    deleted and inserted words have their own styles; text between passages
    is dimmed and collapsed. Without colour (piped, NO_COLOR, --color never)
    the styles become marks: [~substituted~] [-deleted-] {+inserted+}
    <<framing>>[label]. Pages on a terminal unless --no-pager.
    """
    from detector.compare import compare as compare_documents
    from detector.load import load_document
    from detector.render.diffview import render_diff
    from detector.render.terminal import make_console

    result = compare_documents(
        load_document(a),
        load_document(b),
        _params(min_words, min_score, no_stem),
        framing=framing or model is not None,
        model=_load_model(model) if model else None,
        cross_lingual=cross_lingual,
    )
    if passage is not None and passage > len(result.passages):
        found = len(result.passages)
        raise click.BadParameter(f"{passage}: only {found} passage(s) found", param_hint="--passage")
    view = render_diff(result, width=width, context=context, passage=passage)
    console = make_console(color=color, width=width)
    if no_pager or not sys.stdout.isatty():
        console.print(view)
        return
    # less needs -R for colours; git's default (FRX) also exits on short output
    os.environ.setdefault("LESS", "FRX")
    with console.pager(styles=True):
        console.print(view)


FORMATS_REPORT = ("text", "json", "jsonl", "html", "markdown", "csv", "parquet", "gexf", "sqlite")

gexf_level_option = click.option(
    "--gexf-level",
    type=click.Choice(["outlet", "document"]),
    default="outlet",
    show_default=True,
    help="With --format gexf: a network of outlets, or of documents.",
)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_REPORT),
    default="text",
    show_default=True,
    help="text: rich tables; json: the detector.report/1 contract; jsonl: one cluster "
    "per line; html: self-contained offline page; markdown; csv: one row per member; "
    "parquet: one row per member (needs -o FILE and pyarrow); gexf: reuse network for "
    "Gephi; sqlite: tables and views for Datasette (needs -o FILE).",
)
@output_option
@gexf_level_option
@click.option(
    "--workers", type=click.IntRange(1), default=None, help="Processes to use (default: all cores)."
)
@click.option("--skip-bad", is_flag=True, help="Skip and count bad records instead of stopping.")
@click.option("--no-framing", is_flag=True, help="Do not flag framing sentences.")
@min_words_option
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: this machine's cores; spark: a Spark cluster (needs pyspark).",
)
@click.option("--master", default=None, help="Spark master URL (with --engine spark).")
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="Rows per table (text).")
@meta_option
@xl_option
@color_option
def report(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    workers: int | None,
    skip_bad: bool,
    no_framing: bool,
    min_words: int | None,
    engine: str,
    master: str | None,
    top: int,
    color: str,
    gexf_level: str,
    meta: str | None,
    cross_lingual: bool,
) -> None:
    """Find reused passages, boilerplate and shared phrasing across a corpus.

    PATH... are .txt files, saved web pages (.html), Telegram Desktop
    exports (result.json), folders (FOLDER/OUTLET/... gives the outlet),
    JSON Lines, CSV or Parquet files (id, text, outlet, date, url, lang),
    .gz transparently, or '-' for stdin. Prints a progress bar and a
    one-line summary on stderr.
    """
    _check_report_output(fmt, output)
    if engine == "spark":
        from detector.inputs.extras import require_extra

        require_extra("spark", "--engine spark")
    if cross_lingual:
        from detector.semantic import MissingExtraError, available

        if not available():
            raise MissingExtraError("--cross-lingual")
        if engine == "spark":
            raise click.UsageError("--cross-lingual runs on the local engine only")
    session = _open_inputs(paths, meta)
    params = _params(min_words, None, False)
    with _report_progress() as progress:
        if engine == "spark":
            from detector.engines.spark import build_report_spark

            result = build_report_spark(
                list(paths),
                params,
                master=master,
                skip_bad=skip_bad,
                framing=not no_framing,
                progress=progress,
            )
        else:
            from detector.report import build_report

            result = build_report(
                list(paths),
                params,
                workers=workers,
                skip_bad=skip_bad,
                framing=not no_framing,
                progress=progress,
                cross_lingual=cross_lingual,
            )
    click.echo(_report_summary(result), err=True)
    _input_notes(session)
    _emit_report(result, fmt, output, color, top, gexf_level)


class _report_progress:  # lower-case: used like a function in a with statement
    """A transient rich progress bar on stderr; a no-op when stderr is not a terminal."""

    def __enter__(self) -> Any:
        self.bar = None
        if not sys.stderr.isatty():
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from detector.render.terminal import make_console

        self.bar = Progress(
            TextColumn("{task.description:>16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=make_console(stderr=True),
            transient=True,
        )
        self.bar.start()
        tasks: dict[str, Any] = {}

        def progress(stage: str, advance: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = self.bar.add_task(stage, total=total)
            self.bar.update(tasks[stage], advance=advance, total=total)

        return progress

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@cli.group(cls=_DetectorGroup)
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map errors to one line and an exit status."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="detector", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("detector: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("detector: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.UsageError as exc:
        if debug:
            raise
        hint = f" (see 'detector {exc.ctx.command_path.partition(' ')[2]} --help')".replace(
            "detector  --help", "detector --help"
        ) if exc.ctx is not None else ""
        click.echo(f"detector: error: {exc.format_message()}{hint}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)
    except click.ClickException as exc:
        if debug:
            raise
        click.echo(f"detector: error: {exc.format_message()}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)
    except EngineError as exc:
        if debug:
            raise
        click.echo(f"detector: error: {exc}", err=True)
        sys.exit(ExitCode.RUN_FAILED)
    except DetectorError as exc:
        if debug:
            raise
        from detector.render.sanitize import display_text

        # file names and ids come from the user's data: no control sequences
        message = display_text(str(exc)).replace("\n", " ")
        click.echo(f"detector: error: {message}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)
    except BrokenPipeError:
        # stdout closed early (e.g. `| head`): not an error worth a traceback
        sys.stderr.close()
        sys.exit(ExitCode.OK)
    sys.exit(ExitCode.OK)
