"""Shared pieces of the ``detector`` command: output writing, common options, report rendering.

Used by :mod:`detector.cli` and :mod:`detector.cli_index`; nothing here
computes results. Heavy modules are imported inside the functions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from detector.errors import EngineError

FORMATS_COMPARE = ("text", "json", "markdown", "pan-xml")


class _DetectorGroup(click.Group):
    """A click group whose failures are one line on stderr (see :func:`main`)."""


def _write_output(data: str | Iterable[str], output: str | None) -> None:
    """Write ``data`` (a string, or pieces of one) to stdout, or atomically to
    ``output`` (never half-written). Pieces are written as they come, so a
    large report is never one string in memory."""
    pieces = (data,) if isinstance(data, str) else data
    if output is None or output == "-":
        for piece in pieces:
            click.echo(piece, nl=False)
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
            fh.writelines(pieces)
        return
    directory = os.path.dirname(os.path.abspath(output))
    import tempfile

    with _disk_full_is_one_line(output):
        fd, tmp = tempfile.mkstemp(prefix=".detector-", dir=directory)
    try:
        with _disk_full_is_one_line(output), os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.writelines(pieces)
        from detector.render.common import publish_file  # mkstemp made it 0600

        publish_file(tmp, output)
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
        from detector.render.tabular import iter_json

        _write_output(iter_json(result), output)  # streamed: one element at a time
        return
    if fmt == "jsonl":
        from detector.render.tabular import iter_jsonl

        _write_output(iter_jsonl(result), output)
        return
    if fmt == "csv":
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
    """The framing model at ``path`` and, in this process, the shipped stance
    model (``framing.load_model``), so forked report workers inherit both."""
    from detector.framing import load_model

    return load_model(path)



FORMATS_REPORT = ("text", "json", "jsonl", "html", "markdown", "csv", "parquet", "gexf", "sqlite")

gexf_level_option = click.option(
    "--gexf-level",
    type=click.Choice(["outlet", "document"]),
    default="outlet",
    show_default=True,
    help="With --format gexf: a network of outlets, or of documents.",
)



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


