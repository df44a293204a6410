"""Side-by-side terminal diff of two documents, aligned passage by passage.

The view lays out what :func:`detector.compare.compare` found and nothing
else: a header with both ids, lengths and similarity figures, a legend, then
one row per reused passage (gutter | text of A | text of B) with the text
between passages dimmed and collapsed. Word-level operations of each passage
and framing flags are styled by character offset with ``Text.stylize``; no
document text is ever parsed as rich markup, and every string from a document
goes through :func:`detector.render.sanitize.display_text` first, so control
sequences in a document never reach the terminal.

When the console has no colour (``color_system`` None, ``NO_COLOR``), the
styles are backed by ASCII marks (wdiff-like ``[-deleted-]``, ``{+inserted+}``)
so a piped diff is still readable.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from detector.render.sanitize import display_text
from detector.schema import CompareResult, Passage, Span, WordOp

__all__ = ["MARKS", "STYLES", "DiffView", "render_diff", "render_diff_to_string"]

STYLES: dict[str, str] = {
    "keep": "none",
    "substitute": "bold magenta",
    "delete": "red strike",
    "insert": "bold green",
    "gap": "dim",
    "collapsed": "dim italic",
    "framing": "underline",
    "cue": "bold underline",
    "label": "italic cyan",
    "header": "bold",
    "note": "italic",
    "verbatim": "green",
    "edited": "yellow",
    "spun": "magenta",
    "paraphrased": "blue",
    "translated": "cyan",
}

# ASCII open/close marks used when the console shows no colour.
MARKS: dict[str, tuple[str, str]] = {
    "substitute": ("[~", "~]"),
    "delete": ("[-", "-]"),
    "insert": ("{+", "+}"),
    "framing": ("<<", ">>"),
}

# Emoji presentation selectors and joiners make rich count a cluster as one
# wide glyph while many terminals (tmux 3.3, libc wcwidth) count its parts,
# which shifts every later column of the row. Swapping them 1:1 for a
# zero-width space gives one answer everywhere (offsets unchanged).
_STABLE_WIDTH = str.maketrans({"\ufe0f": "\u200b", "\u200d": "\u200b"})


def _shown(text: str) -> str:
    """Display-safe, width-stable text with the same length (offsets stay valid)."""
    return display_text(text, keep_cr=True).translate(_STABLE_WIDTH)


GUTTER_WIDTH = 8  # cells; fits "verbatim"
MIN_WIDTH = 60  # cells; the layout is designed for this width and up
_LINE_CHARS = 120  # a context "line" longer than this (characters) is cut
_MIN_HIDDEN = 24  # hide no fewer characters than this: the marker would not save space
_SNAP_CHARS = 20  # cut a long line at a space this close to the limit (characters)


@dataclass(frozen=True)
class _Mark:
    """A styled character range ``[start, end)`` of one document."""

    start: int
    end: int
    kind: str
    label: str | None = None  # framing label, shown after the range's end


@dataclass(frozen=True)
class _Side:
    """One document as the view needs it: display-safe text and its marks."""

    text: str  # display_text of the original: same length, same offsets
    marks: tuple[_Mark, ...]  # framing sentences and cues, whole document


@dataclass(frozen=True)
class _Row:
    gutter: Text
    a: Text
    b: Text
    joined: bool = False  # continues the previous row's passage: no rule between them


# --------------------------------------------------------------------------
# Cells: one contiguous range of one document, styled by offsets.


def _cell(side: _Side, start: int, end: int, marks: Iterable[_Mark], *, plain: bool) -> Text:
    """Text of ``side.text[start:end]`` with ``marks`` styled (clipped to the range).

    O(length + marks) characters.
    """
    marks = [m for m in marks if (m.start < end and m.end > start) or _chip_in(m, start, end)]
    text = Text(side.text[start:end], overflow="fold")
    for m in marks:
        lo, hi = max(m.start, start) - start, min(m.end, end) - start
        if hi > lo:
            text.stylize(STYLES[m.kind], lo, hi)
    inserts = _insertions(marks, start, end, plain=plain)
    if not inserts:
        return text
    offsets = sorted(inserts)
    pieces = text.divide([o - start for o in offsets])
    out = Text(overflow="fold")
    out.append_text(pieces[0])
    for offset, piece in zip(offsets, pieces[1:], strict=True):
        for extra in inserts[offset]:
            out.append_text(extra)
        out.append_text(piece)
    return out


def _chip_in(mark: _Mark, start: int, end: int) -> bool:
    return mark.label is not None and start < mark.end <= end


def _insertions(
    marks: Sequence[_Mark], start: int, end: int, *, plain: bool
) -> dict[int, list[Text]]:
    """Strings to insert at original offsets: ASCII marks (plain only) and labels."""
    closes: dict[int, list[Text]] = {}
    opens: dict[int, list[Text]] = {}
    for m in marks:
        lo, hi = max(m.start, start), min(m.end, end)
        if plain and m.kind in MARKS and hi > lo:
            opens.setdefault(lo, []).append(Text(MARKS[m.kind][0]))
            closes.setdefault(hi, []).insert(0, Text(MARKS[m.kind][1]))
        if _chip_in(m, start, end):
            chip = Text(f"[{_shown(m.label or '')}]", style=STYLES["label"])
            closes.setdefault(m.end, []).append(chip)
    keys = set(closes) | set(opens)
    return {k: closes.get(k, []) + opens.get(k, []) for k in keys}


# --------------------------------------------------------------------------
# Text between passages.


def _uncovered(spans: Sequence[Span], length: int) -> list[tuple[int, int]]:
    """Character ranges of a document covered by no span, in order. O(n log n) spans."""
    ranges, cursor = [], 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.start > cursor:
            ranges.append((cursor, span.start))
        cursor = max(cursor, span.end)
    if cursor < length:
        ranges.append((cursor, length))
    return ranges


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _context(
    text: str, start: int, end: int, lines: int, *, head: bool, tail: bool
) -> tuple[int, int]:
    """Where the hidden middle of a gap starts and ends.

    ``head`` keeps the first ``lines`` lines (after a passage), ``tail`` the
    last ``lines`` lines (before a passage); each kept part is at most
    ``lines * _LINE_CHARS`` characters. O(kept characters).
    """
    head_end, tail_start = start, end
    if head and lines > 0:
        for _ in range(lines):
            found = text.find("\n", head_end, end)
            head_end = end if found < 0 else found + 1
        if head_end > start + lines * _LINE_CHARS:
            head_end = _snap(text, start + lines * _LINE_CHARS, -1)
    if tail and lines > 0:
        cut = end
        for _ in range(lines):
            cut = text.rfind("\n", start, cut)
            if cut < 0:
                break
        tail_start = start if cut < 0 else cut + 1
        if tail_start < end - lines * _LINE_CHARS:
            tail_start = _snap(text, end - lines * _LINE_CHARS, +1)
    return head_end, tail_start


def _snap(text: str, pos: int, direction: int) -> int:
    """``pos`` moved to a nearby space (backwards for -1, forwards for +1), if any."""
    if direction < 0:
        found = text.rfind(" ", pos - _SNAP_CHARS, pos)
    else:
        found = text.find(" ", pos, pos + _SNAP_CHARS)
    return pos if found < 0 else found


def _gap_cell(
    side: _Side, rng: tuple[int, int] | None, lines: int, *, head: bool, tail: bool, plain: bool
) -> Text:
    """Dimmed text of an uncovered range, its middle collapsed to ``… N chars …``."""
    if rng is None:
        return Text()
    start, end = _strip(side.text, *rng)
    if start >= end:
        return Text()
    cut_start, cut_end = _context(side.text, start, end, lines, head=head, tail=tail)
    short = cut_end - cut_start < _MIN_HIDDEN and "\n" not in side.text[cut_start:cut_end]
    if cut_start >= cut_end or (short and lines > 0):
        parts = [_cell(side, start, end, side.marks, plain=plain)]
    else:
        first = _cell(side, *_strip(side.text, start, cut_start), side.marks, plain=plain)
        last = _cell(side, *_strip(side.text, cut_end, end), side.marks, plain=plain)
        marker = Text(f"… {cut_end - cut_start:,} chars …", style=STYLES["collapsed"])
        parts = [p for p in (first, marker, last) if p.plain]
    cell = Text("\n", overflow="fold").join(parts)
    cell.stylize_before(STYLES["gap"])
    return cell


# --------------------------------------------------------------------------
# Rows.


def _op_marks(passage: Passage, side: str) -> list[_Mark]:
    marks = []
    for op in passage.ops:
        span = op.a if side == "a" else op.b
        if op.op != "keep" and len(span) > 0:
            marks.append(_Mark(span.start, span.end, op.op))
    return marks


def _gutter(number: int, passage: Passage) -> Text:
    gutter = Text(overflow="fold")
    gutter.append(f"#{number}", style="bold")
    gutter.append("\n")
    gutter.append(passage.kind, style=STYLES[passage.kind])
    gutter.append(f"\n{passage.score:.2f}\n{passage.words}w")
    return gutter


def _passage_row(number: int, passage: Passage, a: _Side, b: _Side, *, plain: bool) -> _Row:
    a_marks = [*_op_marks(passage, "a"), *a.marks]
    b_marks = [*_op_marks(passage, "b"), *b.marks]
    return _Row(
        _gutter(number, passage),
        _cell(a, passage.a.start, passage.a.end, a_marks, plain=plain),
        _cell(b, passage.b.start, passage.b.end, b_marks, plain=plain),
    )


_CHUNK_CHARS = 360  # a passage row is cut at the next sentence end after this many characters of A


def _cuts(passage: Passage, a_text: str, b_text: str) -> list[tuple[int, int]]:
    """Where to cut a long passage into rows so its two columns stay level.

    Cuts are op boundaries ``(a offset, b offset)`` — the same word on both
    sides — at the first boundary after each line break of A, and after a
    sentence end once a row holds ``_CHUNK_CHARS`` characters of A. Each row
    then starts both columns on the same word, so a column can run ahead of
    the other by at most one row's wrapping. O(ops).
    """
    cuts: list[tuple[int, int]] = []
    last = passage.a.start
    for op in _split_keeps_at_breaks(passage, a_text, b_text):
        if op.a.start <= last or len(op.a) == 0 or len(op.b) == 0:
            continue
        before = a_text[last : op.a.start]
        broke = "\n" in before
        long_enough = op.a.start - last >= _CHUNK_CHARS and before.rstrip()[-1:] in ".!?…»”\""
        if broke or long_enough:
            # back to the start of the word run (an opening quote stays with its word)
            cut_a, cut_b = _word_start(a_text, op.a.start, last), _word_start(b_text, op.b.start, cuts[-1][1] if cuts else passage.b.start)
            if cut_a > last:
                cuts.append((cut_a, cut_b))
                last = cut_a
    return cuts


def _split_keeps_at_breaks(passage: Passage, a_text: str, b_text: str) -> list[WordOp]:
    """The passage's ops, a ``keep`` op that spans a line break of A cut in two
    there (kept words are the same words, so B is cut after as many words)."""
    out: list[WordOp] = []
    for op in passage.ops:
        if op.op != "keep" or "\n" not in a_text[op.a.start : op.a.end]:
            out.append(op)
            continue
        a_lo, b_lo = op.a.start, op.b.start
        for m in re.finditer(r"\n\s*", a_text[op.a.start : op.a.end]):
            a_cut = op.a.start + m.end()
            words = len(a_text[a_lo:a_cut].split())
            b_cut = b_lo
            for w in re.finditer(r"\S+\s*", b_text[b_lo : op.b.end]):
                if words == 0:
                    break
                b_cut = b_lo + w.end()
                words -= 1
            if a_lo < a_cut < op.a.end and b_lo < b_cut < op.b.end:
                out.append(WordOp("keep", Span(a_lo, a_cut), Span(b_lo, b_cut)))
                a_lo, b_lo = a_cut, b_cut
        out.append(WordOp("keep", Span(a_lo, op.a.end), Span(b_lo, op.b.end)))
    return out


def _word_start(text: str, pos: int, floor: int) -> int:
    """``pos`` moved back over non-space characters, not below ``floor``."""
    while pos > floor and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _chunked_rows(number: int, passage: Passage, a: _Side, b: _Side, *, plain: bool) -> list[_Row]:
    """A passage as one or more rows cut at shared words (see :func:`_cuts`)."""
    a_marks = [*_op_marks(passage, "a"), *a.marks]
    b_marks = [*_op_marks(passage, "b"), *b.marks]
    bounds = [(passage.a.start, passage.b.start), *_cuts(passage, a.text, b.text), (passage.a.end, passage.b.end)]
    rows = []
    for k in range(len(bounds) - 1):
        (lo_a, lo_b), (hi_a, hi_b) = bounds[k], bounds[k + 1]
        lo_a, hi_a = _strip(a.text, lo_a, hi_a)
        lo_b, hi_b = _strip(b.text, lo_b, hi_b)
        gutter = _gutter(number, passage) if k == 0 else Text()
        rows.append(
            _Row(
                gutter,
                _cell(a, lo_a, hi_a, a_marks, plain=plain),
                _cell(b, lo_b, hi_b, b_marks, plain=plain),
                joined=k > 0,
            )
        )
    return rows


def _passage_rows(number: int, passage: Passage, a: _Side, b: _Side, *, plain: bool) -> list[_Row]:
    """One row per passage, or for a ``translated`` passage one row per aligned
    sentence pair (sentence against sentence; a row runs from the end of the
    previous pair to the end of its own, so skipped sentences stay visible)."""
    pairs = passage.sentence_pairs
    if not pairs:
        return _chunked_rows(number, passage, a, b, plain=plain)
    rows = []
    lo_a, lo_b = passage.a.start, passage.b.start
    for k, pair in enumerate(pairs):
        last = k == len(pairs) - 1
        hi_a = passage.a.end if last else pair.a.end
        hi_b = passage.b.end if last else pair.b.end
        gutter = _gutter(number, passage) if k == 0 else Text(f"{pair.score:.2f}", style="dim")
        # whitespace between two pairs (paragraph breaks) would show as blank lines
        lo_a = hi_a - len(a.text[lo_a:hi_a].lstrip())
        lo_b = hi_b - len(b.text[lo_b:hi_b].lstrip())
        rows.append(
            _Row(gutter, _cell(a, lo_a, hi_a, a.marks, plain=plain), _cell(b, lo_b, hi_b, b.marks, plain=plain))
        )
        lo_a, lo_b = hi_a, hi_b
    return rows


def _take(free: list[tuple[int, int]], end: int) -> tuple[int, int] | None:
    """Remove and return the range of ``free`` that ends at ``end``, if any."""
    found = _ending_at(free, end)
    if found is not None:
        free.remove(found)
    return found


def _ending_at(ranges: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    return next((r for r in ranges if r[1] == pos), None)


def _starting_at(ranges: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    return next((r for r in ranges if r[0] == pos), None)


class _Layout:
    """The rows of a view: passages in the given order with the gaps between them."""

    def __init__(self, result: CompareResult, context: int, *, plain: bool) -> None:
        self.result, self.context, self.plain = result, context, plain
        self.a = _side(result, "a")
        self.b = _side(result, "b")
        self.gaps_a = _uncovered([p.a for p in result.passages], len(self.a.text))
        self.gaps_b = _uncovered([p.b for p in result.passages], len(self.b.text))

    def gap_row(
        self, ra: tuple[int, int] | None, rb: tuple[int, int] | None, *, only: str = ""
    ) -> _Row | None:
        """A row for one uncovered range per side; ``only`` = "head"/"tail" limits context."""
        cells = []
        for side, rng in ((self.a, ra), (self.b, rb)):
            head = rng is not None and rng[0] > 0 and only != "tail"
            tail = rng is not None and rng[1] < len(side.text) and only != "head"
            cells.append(_gap_cell(side, rng, self.context, head=head, tail=tail, plain=self.plain))
        if not (cells[0].plain or cells[1].plain):
            return None
        return _Row(Text(), cells[0], cells[1])

    def all_rows(self) -> list[_Row]:
        rows: list[_Row | None] = []
        free_a, free_b = list(self.gaps_a), list(self.gaps_b)
        for number, p in enumerate(self.result.passages, 1):
            ra, rb = _take(free_a, p.a.start), _take(free_b, p.b.start)
            rows += [
                self.gap_row(ra, rb),
                *_passage_rows(number, p, self.a, self.b, plain=self.plain),
            ]
        # Every uncovered range ends where a passage starts or at the end of
        # its document, so what is left here is the tail after the last passage.
        rows.append(self.gap_row(_take(free_a, len(self.a.text)), _take(free_b, len(self.b.text))))
        return [r for r in rows if r is not None]

    def one_passage(self, number: int) -> list[_Row]:
        p = self.result.passages[number - 1]
        before = self.gap_row(
            _ending_at(self.gaps_a, p.a.start), _ending_at(self.gaps_b, p.b.start), only="tail"
        )
        after = self.gap_row(
            _starting_at(self.gaps_a, p.a.end), _starting_at(self.gaps_b, p.b.end), only="head"
        )
        rows = [before, *_passage_rows(number, p, self.a, self.b, plain=self.plain), after]
        return [r for r in rows if r is not None]


def _side(result: CompareResult, side: str) -> _Side:
    doc = result.a if side == "a" else result.b
    names = {side, doc.id}
    if side == "b" and result.a.id == result.b.id:
        names = {"b"}
    marks: list[_Mark] = []
    for f in result.framing:
        if f.doc in names:
            marks.append(_Mark(f.start, f.end, "framing", f.label))
            marks += [_Mark(c.start, c.end, "cue") for c in f.cues]
    return _Side(_shown(doc.text), tuple(marks))


# --------------------------------------------------------------------------
# Header, legend, table.


def _header(result: CompareResult) -> Text:
    sim = result.similarity
    text = Text(overflow="fold")
    text.append("jaccard ", style=STYLES["header"])
    text.append(f"{sim.jaccard:.3f}")
    text.append("  containment ", style=STYLES["header"])
    text.append(f"A in B {sim.containment_a:.3f}, B in A {sim.containment_b:.3f}")
    text.append("  coverage ", style=STYLES["header"])
    text.append(f"A {sim.coverage_a:.3f}, B {sim.coverage_b:.3f}")
    text.append(f"  {len(result.passages)} passage{'s' if len(result.passages) != 1 else ''}")
    return text


def _legend(*, plain: bool) -> Text:
    def sample(kind: str, word: str) -> Text:
        open_, close = MARKS.get(kind, ("", "")) if plain else ("", "")
        return Text.assemble(open_, (word, STYLES[kind]), close)

    parts = [
        sample("keep", "kept"),
        sample("substitute", "substituted"),
        sample("delete", "deleted"),
        sample("insert", "inserted"),
        Text.assemble(sample("framing", "framing"), ("[label]", STYLES["label"])),
        Text("… N chars … hidden", style=STYLES["collapsed"]),
    ]
    return Text.assemble(("legend: ", "bold"), Text("  ").join(parts))


def _doc_heading(name: str, doc_id: str, chars: int) -> Text:
    return Text.assemble(
        (f"{name} ", "bold"), (_shown(doc_id), "bold"), f"\n{chars:,} chars", overflow="fold"
    )


def _table(result: CompareResult, rows: list[_Row], width: int) -> Table:
    table = Table(
        box=box.MINIMAL,
        show_header=False,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        expand=True,
        width=width,
    )
    table.add_column(width=GUTTER_WIDTH, no_wrap=True, overflow="crop")
    table.add_column(ratio=1, overflow="fold")
    table.add_column(ratio=1, overflow="fold")
    table.add_row(
        Text(),
        _doc_heading("A", result.a.id, len(result.a.text)),
        _doc_heading("B", result.b.id, len(result.b.text)),
        end_section=True,
    )
    for number, row in enumerate(rows, 1):
        following = rows[number] if number < len(rows) else None
        table.add_row(
            row.gutter, row.a, row.b, end_section=following is not None and not following.joined
        )
    return table


class DiffView:
    """A rich renderable: the side-by-side diff of one :class:`CompareResult`.

    Built lazily at render time, because the width (console width unless
    given) and whether ASCII marks are needed (no colour) depend on the
    console. Rendering is O(total characters of both documents + operations).
    """

    def __init__(
        self,
        result: CompareResult,
        *,
        width: int | None = None,
        context: int = 2,
        passage: int | None = None,
    ) -> None:
        if passage is not None and not 1 <= passage <= len(result.passages):
            raise ValueError(f"passage {passage} is out of range: there are {len(result.passages)}")
        if context < 0:
            raise ValueError(f"context must be >= 0 lines, got {context}")
        self.result, self.width, self.context, self.passage = result, width, context, passage

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        plain = console.color_system is None or console.no_color
        layout = _Layout(self.result, self.context, plain=plain)
        rows = layout.all_rows() if self.passage is None else layout.one_passage(self.passage)
        parts: list[Text | Table] = [_header(self.result), _legend(plain=plain)]
        parts += [Text(_shown(note), style=STYLES["note"]) for note in self.result.notes]
        if not self.result.passages:
            parts.append(Text("no reused passages found", style=STYLES["note"]))
        parts.append(_table(self.result, rows, width))
        yield from console.render(Group(*parts), options.update_width(width))


def render_diff(
    result: CompareResult, *, width: int | None = None, context: int = 2, passage: int | None = None
) -> DiffView:
    """The side-by-side diff view of a comparison, as a rich renderable.

    Args:
        result: what ``compare`` found; only its spans are laid out.
        width: total width in terminal cells (default: the console's); the
            layout is designed for 60 cells and more (narrower still fits,
            but the columns get very thin).
        context: lines of the text around each passage kept visible (before
            and after); the rest of the text between passages collapses to
            ``… N chars …``.
        passage: show only this passage (1-based) with its context.

    Returns:
        A renderable for ``Console.print``.

    Raises:
        ValueError: ``passage`` is out of range or ``context`` negative.
    """
    return DiffView(result, width=width, context=context, passage=passage)


def render_diff_to_string(
    result: CompareResult,
    width: int = 100,
    color_system: str | None = None,
    *,
    context: int = 2,
    passage: int | None = None,
) -> str:
    """Render the diff view to a string (tests, captures).

    Args:
        width: console width in cells.
        color_system: ``None`` for plain text (with ASCII marks), or one of
            rich's systems (``"standard"``, ``"256"``, ``"truecolor"``).
    """
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=color_system,  # type: ignore[arg-type]
        force_terminal=color_system is not None,
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(render_diff(result, width=width, context=context, passage=passage))
    return console.file.getvalue()  # type: ignore[attr-defined]


def export_captures(result: CompareResult, svg_path: str, txt_path: str, width: int = 100) -> None:
    """Write the README captures: an SVG of the colour view, the plain text view."""
    console = Console(
        file=io.StringIO(),
        record=True,
        width=width,
        color_system="truecolor",
        force_terminal=True,
        legacy_windows=False,
        highlight=False,
    )
    console.print(render_diff(result, width=width))
    console.save_svg(svg_path, title="detector diff source.txt spun.txt")
    with open(txt_path, "w", encoding="utf-8") as fh:
        fh.write(render_diff_to_string(result, width, None))


if __name__ == "__main__":  # python -m detector.render.diffview A B SVG TXT
    import sys

    from detector.compare import compare
    from detector.load import load_document

    a_path, b_path, svg, txt = sys.argv[1:5]
    result = compare(load_document(a_path), load_document(b_path), framing=True)
    export_captures(result, svg, txt)
