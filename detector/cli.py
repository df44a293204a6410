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

import click

from detector.cli_index import index
from detector.cli_support import (
    FORMATS_COMPARE,
    FORMATS_REPORT,
    _check_report_output,
    _DetectorGroup,
    _emit_report,
    _input_notes,
    _load_model,
    _open_inputs,
    _output_folder_exists,
    _params,
    _print_renderable,
    _render_text,
    _report_progress,
    _report_summary,
    _say,
    _write_output,
    color_option,
    common_params,
    gexf_level_option,
    meta_option,
    min_words_option,
    output_option,
    xl_option,
)
from detector.errors import DetectorError, EngineError, ExitCode


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



cli.add_command(index)


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
