"""rich renderables for results on a terminal.

Document text always enters rich as ``Text`` built from
:func:`detector.render.sanitize.display_text` (never as markup), so a
document cannot style, link, or send control sequences to the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detector.render.common import duplicate_groups, fold_repeats
from detector.render.sanitize import display_text

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from detector.schema import CompareResult, Passage, Report

__all__ = ["excerpt", "make_console", "render_compare", "render_report"]

KIND_STYLES = {
    "verbatim": "bold green",
    "edited": "bold yellow",
    "spun": "bold magenta",
    "paraphrased": "bold blue",
    "translated": "bold cyan",
}
OP_STYLES = {
    "keep": "",
    "substitute": "black on bright_yellow",
    "insert": "black on bright_green",
    "delete": "black on bright_red",
}


def make_console(
    *, color: str = "auto", stderr: bool = False, width: int | None = None, file=None
) -> Console:
    """A rich Console honouring ``--color auto|always|never``.

    ``auto`` leaves NO_COLOR, FORCE_COLOR, TERM=dumb and TTY detection to rich.
    """
    from rich.console import Console

    kwargs: dict = {"stderr": stderr, "width": width, "highlight": False, "soft_wrap": False}
    if file is not None:
        kwargs["file"] = file
    if color == "always":
        kwargs["force_terminal"] = True
    elif color == "never":
        kwargs["no_color"] = True
        kwargs["color_system"] = None
    return Console(**kwargs)


def excerpt(text: str, start: int, end: int, limit: int = 400) -> Text:
    """Sanitised ``text[start:end]`` as rich Text, middle elided beyond ``limit`` chars."""
    from rich.text import Text

    piece = display_text(text[start:end])
    if len(piece) > limit:
        half = limit // 2
        omitted = len(piece) - 2 * half
        return Text.assemble(piece[:half], (f" … {omitted:,} chars … ", "dim"), piece[-half:])
    return Text(piece)


MARKS = {"substitute": ("[~", "~]"), "delete": ("[-", "-]"), "insert": ("{+", "+}")}


def _passage_side(
    text: str, passage: Passage, side: str, limit: int = 600, *, plain: bool = False
) -> Text:
    """One side of a passage with its word operations highlighted by offset.

    ``plain`` (no colour): the operations are also marked with the ASCII
    marks of ``detector diff`` (``[~x~]``, ``[-x-]``, ``{+x+}``), so the
    evidence survives a pipe, ``NO_COLOR`` and ``-o``.
    """
    from rich.text import Text

    span = passage.a if side == "a" else passage.b
    if span.end - span.start > limit:
        return excerpt(text, span.start, span.end, limit)
    ops = []
    for op in passage.ops:
        op_span = op.a if side == "a" else op.b
        if OP_STYLES[op.op] and op_span.end > op_span.start:
            ops.append((max(op_span.start, span.start), min(op_span.end, span.end), op.op))
    body = Text()
    cursor = span.start
    for lo, hi, kind in sorted(ops):
        if lo < cursor or hi <= lo:
            continue
        body.append(display_text(text[cursor:lo]))
        open_, close = MARKS[kind] if plain else ("", "")
        body.append(open_ + display_text(text[lo:hi]) + close, style=OP_STYLES[kind])
        cursor = hi
    body.append(display_text(text[cursor : span.end]))
    return body


class _CompareView:
    """``render_compare`` as a renderable that learns at print time whether
    the console has colour (marks are added when it has none)."""

    def __init__(self, result: CompareResult, show_text: bool) -> None:
        self.result, self.show_text = result, show_text

    def __rich_console__(self, console: Console, options):  # type: ignore[no-untyped-def]
        plain = console.color_system is None or console.no_color
        yield _compare_group(self.result, show_text=self.show_text, plain=plain)


def render_compare(result: CompareResult, *, show_text: bool = True) -> RenderableType:
    """Summary, passages table, each passage side by side, framing and notes.

    Without colour the word operations carry ASCII marks (see :func:`_passage_side`).
    """
    return _CompareView(result, show_text)


def _compare_group(result: CompareResult, *, show_text: bool, plain: bool) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    a, b, sim = result.a, result.b, result.similarity
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    header.add_row("A", Text(f"{display_text(a.id)}  ({len(a.text):,} chars)"))
    header.add_row("B", Text(f"{display_text(b.id)}  ({len(b.text):,} chars)"))
    header.add_row(
        "similarity",
        Text(
            f"jaccard {sim.jaccard:.3f} · containment A→B {sim.containment_a:.3f} · "
            f"B→A {sim.containment_b:.3f} · text in passages A {sim.coverage_a:.0%} "
            f"· B {sim.coverage_b:.0%}"
        ),
    )
    header.add_row("passages", Text(str(len(result.passages))))
    parts: list[RenderableType] = [Panel(header, title="detector compare", expand=False)]

    if result.passages:
        table = Table(title="Reused passages", show_lines=False)
        for col in ("#", "kind", "score", "words", "A chars", "B chars", "substitutions"):
            table.add_column(col, justify="right" if col in ("#", "score", "words") else "left")
        for n, p in enumerate(result.passages, 1):
            subs = p.substitutions(a.text, b.text)
            shown = "; ".join(f"{x} → {y}" for x, y in subs[:3])
            if len(subs) > 3:
                shown += f"; +{len(subs) - 3} more"
            table.add_row(
                str(n),
                Text(p.kind, style=KIND_STYLES[p.kind]),
                f"{p.score:.2f}",
                str(p.words),
                f"{p.a.start}–{p.a.end}",
                f"{p.b.start}–{p.b.end}",
                Text(display_text(shown)),
            )
        parts.append(table)
        if show_text:
            for n, p in enumerate(result.passages, 1):
                grid = Table.grid(expand=True, padding=(0, 1))
                grid.add_column(ratio=1)
                grid.add_column(ratio=1)
                grid.add_row(Text("A", style="bold"), Text("B", style="bold"))
                grid.add_row(
                    _passage_side(a.text, p, "a", plain=plain),
                    _passage_side(b.text, p, "b", plain=plain),
                )
                title = Text.assemble(f"passage {n} · ", (p.kind, KIND_STYLES[p.kind]))
                title.append(f" · score {p.score:.2f} · {p.words} words")
                parts.append(Panel(grid, title=title, title_align="left"))
            def sample(kind: str, words: str) -> tuple[str, str]:
                open_, close = MARKS[kind] if plain else ("", "")
                return (open_ + words + close, OP_STYLES[kind])

            parts.append(
                Text.assemble(
                    "legend: ",
                    sample("substitute", "substituted"),
                    " ",
                    sample("insert", "inserted in B"),
                    " ",
                    sample("delete", "deleted from A"),
                    style="dim",
                )
            )
    else:
        parts.append(Text("No reused passage found.", style="bold"))

    if result.framing:
        frames = Table(title="Framing")
        for col in ("doc", "label", "score", "sentence"):
            frames.add_column(col)
        texts = {"a": a.text, "b": b.text}
        for f in result.framing:
            sentence = excerpt(texts.get(f.doc, ""), f.start, f.end, 160)
            for cue in f.cues:
                lo, hi = cue.start - f.start, cue.end - f.start
                if 0 <= lo < hi <= len(sentence.plain) and f.end - f.start <= 160:
                    sentence.stylize("underline bold", lo, hi)
            frames.add_row(display_text(f.doc), display_text(f.label), f"{f.score:.2f}", sentence)
        parts.append(frames)
    for note in result.notes:
        parts.append(Text(f"note: {display_text(note)}", style="dim"))
    return Group(*parts)


# ---------------------------------------------------------------- corpus report


def _group_ids(group: object) -> list[str]:
    docs = getattr(group, "documents", None) or getattr(group, "members", None) or ()
    return [d if isinstance(d, str) else getattr(d, "doc", getattr(d, "id", "")) for d in docs]


def _outlet_matrix(
    names: list[str], counts: dict[tuple[str, str], int], *, limit: int = 12
) -> RenderableType:
    """The outlet x outlet table: columns are numbered, rows carry the full names.

    A column header is the outlet's number in the row list, so two outlets
    whose names start alike never look the same; the title says how many of
    the outlets are shown.
    """
    from rich.table import Table
    from rich.text import Text

    shown = names[:limit]
    title = (
        f"Reuse between outlets ({len(shown)} of {len(names)} outlets shown; "
        "row = earlier outlet, column = reusing outlet)"
    )
    matrix = Table(title=title)
    matrix.add_column("from \\ to")
    for n in range(1, len(shown) + 1):
        matrix.add_column(str(n), justify="right")
    for i, x in enumerate(shown, 1):
        cells = [f"{counts[(x, y)]:,}" if (x, y) in counts else "" for y in shown]
        cells[i - 1] = "·"
        matrix.add_row(Text(f"{i} {display_text(x)}"), *cells)
    return matrix


def render_report(report: Report, *, top: int = 20) -> RenderableType:
    """Summary, top clusters, outlet x outlet reuse matrix, boilerplate, phrases, framing."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    reuse = [c for c in report.clusters if c.kind == "reuse"]
    boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    outlets = {d.outlet for d in report.documents if d.outlet}
    header = Text(
        f"{len(report.documents):,} documents · {len(outlets):,} outlets · "
        f"{len(reuse):,} reuse clusters · {len(boiler):,} boilerplate · "
        f"{len(report.repeats):,} repeats · {len(report.phrases):,} shared phrases · "
        f"{report.skipped:,} bad records skipped"
    )
    parts: list[RenderableType] = [Panel(header, title="detector report", expand=False)]

    if reuse:
        table = Table(title=f"Top reuse clusters ({min(top, len(reuse))} of {len(reuse)})")
        for col in ("#", "docs", "outlets", "earliest", "words", "score", "text"):
            table.add_column(col, justify="right" if col in ("#", "docs", "words", "score") else "left")
        for c in reuse[:top]:
            first = c.members[0]
            table.add_row(
                str(c.id),
                str(c.documents),
                Text(display_text(", ".join(c.outlets) or "—")),
                Text(display_text(c.earliest or "unknown")),
                str(max(m.words for m in c.members)),
                f"{c.score:.2f}",
                excerpt(first.text, 0, len(first.text), 120),
            )
        parts.append(table)
    else:
        parts.append(Text("No reuse between documents found.", style="bold"))

    names, counts = report.outlet_matrix()
    if names:
        parts.append(_outlet_matrix(names, counts, limit=12))

    if boiler:
        table = Table(title=f"Boilerplate ({len(boiler)})")
        for col in ("#", "outlets", "docs", "text"):
            table.add_column(col)
        for c in boiler[:top]:
            first = c.members[0]
            table.add_row(
                str(c.id),
                Text(display_text(", ".join(c.outlets) or "—")),
                str(c.documents),
                excerpt(first.text, 0, len(first.text), 100),
            )
        parts.append(table)

    if report.phrases:
        table = Table(title=f"Shared phrasing across outlets ({len(report.phrases)})")
        for col in ("phrase", "docs", "independent", "outlets"):
            table.add_column(col, justify="left" if col == "phrase" else "right")
        for p in report.phrases[:top]:
            table.add_row(Text(display_text(p.text)), str(p.documents), str(p.independent), str(p.outlets))
        parts.append(table)

    if report.framing_counts:
        table = Table(title="Framing (flags inside one reuse cluster count once)")
        for col in ("label", "flags", "independent", "reposted", "docs", "outlets"):
            table.add_column(col, justify="left" if col == "label" else "right")
        for f in report.framing_counts:
            table.add_row(f.label, str(f.flags), str(f.independent), str(f.reposted), str(f.documents), str(f.outlets))
        parts.append(table)

    groups = duplicate_groups(report)
    if groups:
        table = Table(title=f"Duplicate groups: near-identical documents ({min(top, len(groups))} of {len(groups)})")
        for col in ("docs", "outlets", "earliest", "documents"):
            table.add_column(col, justify="right" if col == "docs" else "left")
        for g in groups[:top]:
            ids = _group_ids(g)
            shown = ", ".join(ids[:4]) + (f", … {len(ids) - 4} more" if len(ids) > 4 else "")
            outlets = getattr(g, "outlets", None) or ()
            table.add_row(
                str(len(ids)),
                Text(display_text(", ".join(outlets) or "—")),
                Text(display_text(getattr(g, "earliest", None) or "unknown")),
                Text(display_text(shown)),
            )
        parts.append(table)

    repeats = fold_repeats(report.repeats)
    if repeats:
        table = Table(
            title=f"Repeats inside documents ({min(top, len(repeats))} of {len(repeats)}; "
            "nested repeats folded into the longest)"
        )
        for col in ("doc", "times", "words", "text"):
            table.add_column(col, justify="right" if col in ("times", "words") else "left")
        for r in repeats[:top]:
            table.add_row(
                Text(display_text(r.doc)), str(len(r.spans)), str(r.words),
                excerpt(r.text, 0, len(r.text), 100),
            )
        parts.append(table)
    for err in report.errors[:10]:
        parts.append(Text(f"skipped: {display_text(err)}", style="dim"))
    for note in report.notes:
        parts.append(Text(f"note: {display_text(note)}", style="dim"))
    return Group(*parts)
