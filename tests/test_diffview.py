"""The side-by-side diff view: layout, golden output, hostile text, widths, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from detector.render.diffview import (
    _context,
    _uncovered,
    render_diff,
    render_diff_to_string,
)
from detector.schema import (
    CompareResult,
    Document,
    FramingSpan,
    Passage,
    Similarity,
    Span,
    WordOp,
)

SGR = re.compile(r"\x1b\[[0-9;]*m")
# Everything display_text must keep from the terminal: C0 but TAB/LF, DEL, C1,
# bidi embeddings/overrides/isolates and marks, line/paragraph separators.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
COLOR_SYSTEMS = [None, "truecolor"]


class TextSnapshot(SingleFileSnapshotExtension):
    """Golden files as plain UTF-8 text (``cat`` one to see the view)."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def golden(snapshot):
    return snapshot.use_extension(TextSnapshot)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    # Golden output must not depend on the developer's terminal settings.
    for var in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TERM", "TTY_COMPATIBLE"):
        monkeypatch.delenv(var, raising=False)


def find(text: str, words: str, after: int = 0) -> Span:
    start = text.index(words, after)
    return Span(start, start + len(words))


def op(kind: str, a: str, a_words: str, b: str, b_words: str, a_at: int = 0, b_at: int = 0):
    sa = find(a, a_words, a_at) if a_words else Span(a_at, a_at)
    sb = find(b, b_words, b_at) if b_words else Span(b_at, b_at)
    return WordOp(kind, sa, sb)


A_TEXT = (
    "Minsk, 12 March.\n"
    "The ministers met in the capital.\n"
    "Officials spoke to reporters.\n"
    "In a bold statement of his vision, Alexander Lukashenko laid out plans to deepen "
    "the integration between Belarus and Russia. The table below summarises it.\n"
    "Weather was cold.\n"
    "The meeting ended at noon with a joint statement on security.\n"
    "Other news follows here.\n"
    "More other news.\n"
    "And the last line of the source.\n"
)
B_TEXT = (
    "Breaking: our desk reports.\n"
    "In a daring assertion of his imaginative and prescient, Alexander Lukashenko has "
    "laid out plans to deepen the mixing between Belarus and Russia. The desk under "
    "summarises it.\n"
    "Advertisement.\n"
    "The assembly ended at noon with a statement on security.\n"
    "Subscribe to our channel for more.\n"
)


def spun_result() -> CompareResult:
    """Two passages: a spun one with every kind of operation, and an edited one."""
    a, b = A_TEXT, B_TEXT
    p1a = Span(a.index("In a bold"), a.index("it.\n") + 3)
    p1b = Span(b.index("In a daring"), b.index("it.\n") + 3)
    ops1 = (
        op("keep", a, "In a", b, "In a"),
        op("substitute", a, "bold statement", b, "daring assertion"),
        op("keep", a, "of his", b, "of his"),
        op("substitute", a, "vision", b, "imaginative and prescient"),
        op("keep", a, "Alexander Lukashenko", b, "Alexander Lukashenko"),
        op("insert", a, "", b, "has", a_at=a.index(" laid")),
        op("keep", a, "laid out plans to deepen the", b, "laid out plans to deepen the"),
        op("substitute", a, "integration", b, "mixing"),
        op("keep", a, "between Belarus and Russia. The", b, "between Belarus and Russia. The"),
        op("substitute", a, "table below", b, "desk under"),
        op("keep", a, "summarises it", b, "summarises it"),
    )
    p2a = Span(a.index("The meeting"), a.index("security.") + 9)
    p2b = Span(b.index("The assembly"), b.index("security.") + 9)
    ops2 = (
        op("keep", a, "The", b, "The", p2a.start, p2b.start),
        op("substitute", a, "meeting", b, "assembly"),
        op("keep", a, "ended at noon with a", b, "ended at noon with a"),
        op("delete", a, "joint", b, "", b_at=b.index(" statement on")),
        op("keep", a, "statement on security", b, "statement on security", p2a.start, p2b.start),
    )
    framing = (
        FramingSpan(
            "b",
            b.index("Alexander"),
            b.index("Russia.") + 7,
            "integration",
            0.81,
            (find(b, "mixing"),),
        ),
        FramingSpan("a", a.index("Weather"), a.index("cold.") + 5, "weather-talk", 0.6),
    )
    return CompareResult(
        Document("seed-source", a),
        Document("spun-copy", b),
        Similarity(0.3125, 0.5, 0.4211, 0.41, 0.52),
        (
            Passage(p1a, p1b, 24, 0.71, "spun", ops1),
            Passage(p2a, p2b, 10, 0.9, "edited", ops2),
        ),
        framing,
        ("2 candidate passage(s) below min_score=0.45 not reported",),
    )


def plain(out: str) -> str:
    return SGR.sub("", out)


# --------------------------------------------------------------------------
# Layout helpers


def test_uncovered_ranges_are_the_complement_of_the_spans():
    spans = [Span(10, 20), Span(15, 30), Span(40, 50)]
    assert _uncovered(spans, 60) == [(0, 10), (30, 40), (50, 60)]
    assert _uncovered([], 5) == [(0, 5)]
    assert _uncovered([Span(0, 5)], 5) == []


def test_context_keeps_lines_next_to_passages():
    text = "l1\nl2\nl3\nl4\nl5"
    # after a passage: the first two lines; before one: the last two
    assert _context(text, 0, len(text), 2, head=True, tail=False) == (6, len(text))
    assert _context(text, 0, len(text), 2, head=False, tail=True) == (0, text.index("l4"))
    assert _context(text, 0, len(text), 0, head=True, tail=True) == (0, len(text))


def test_long_context_lines_are_cut_at_a_space():
    text = "word " * 200
    head_end, _ = _context(text, 0, len(text), 1, head=True, tail=False)
    assert head_end <= 120
    assert text[head_end] == " "


# --------------------------------------------------------------------------
# What the view shows


def test_header_shows_ids_lengths_and_similarity():
    out = render_diff_to_string(spun_result(), 160, None)
    assert "A seed-source" in out and "B spun-copy" in out
    assert f"{len(A_TEXT):,} chars" in out and f"{len(B_TEXT):,} chars" in out
    assert "jaccard 0.312" in out
    assert "A in B 0.500, B in A 0.421" in out
    assert "2 passages" in out
    assert "legend:" in out
    assert "below min_score=0.45" in out  # notes are shown


def test_substitutions_are_marked_on_both_sides_without_colour():
    out = render_diff_to_string(spun_result(), 160, None)
    assert "[~vision~]" in out
    assert "[~imaginative and prescient~]" in out
    assert "{+has+}" in out
    assert "[-joint-]" in out
    assert "<<Alexander" in out and "Russia.>>[integration]" in out


def test_substitutions_are_styled_on_both_sides_in_colour():
    out = render_diff_to_string(spun_result(), 160, "truecolor")
    substitute = "\x1b[1;35m"  # bold magenta
    assert substitute + "vision" in out
    assert substitute + "imaginative and prescient" in out
    assert "\x1b[9;31mjoint" in out  # deleted: red strike
    assert "[~" not in out  # ASCII marks only without colour
    assert "\x1b[3;36m[integration]" in out  # the framing label


def test_gutter_shows_number_kind_and_score():
    lines = render_diff_to_string(spun_result(), 100, None).splitlines()
    gutters = [line[:9].strip() for line in lines]
    first = gutters.index("#1")
    assert gutters[first + 1 : first + 4] == ["spun", "0.71", "24w"]
    second = gutters.index("#2")
    assert gutters[second + 1 : second + 3] == ["edited", "0.90"]


def test_text_between_passages_is_collapsed_beyond_context():
    out = render_diff_to_string(spun_result(), 160, None, context=1)
    # Before passage 1 in A: 3 lines; context 1 keeps the last, hides 2 lines.
    hidden = len("Minsk, 12 March.\nThe ministers met in the capital.\n")
    assert f"… {hidden} chars …" in out
    assert "Officials spoke to reporters." in out
    assert "The ministers met" not in out
    # After the last passage: one line kept, the rest hidden.
    assert "Other news follows here." in out
    assert "And the last line" not in out


def test_context_zero_hides_all_text_between_passages():
    out = render_diff_to_string(spun_result(), 160, None, context=0)
    assert "Officials spoke" not in out and "Advertisement" not in out
    assert "… " in out


def test_more_context_shows_more():
    out = render_diff_to_string(spun_result(), 160, None, context=5)
    assert "Minsk, 12 March." in out and "And the last line of the source." in out


def test_single_passage():
    out = render_diff_to_string(spun_result(), 160, None, passage=2)
    assert "#2" in out and "#1" not in out
    assert "[~meeting~]" in out
    assert "vision" not in out
    assert "Weather was cold." in out  # context before passage 2


@pytest.mark.parametrize("bad", [0, 3, -1])
def test_passage_out_of_range(bad):
    with pytest.raises(ValueError, match="out of range"):
        render_diff(spun_result(), passage=bad)


def test_negative_context_rejected():
    with pytest.raises(ValueError, match="context"):
        render_diff(spun_result(), context=-1)


def test_lays_out_the_spans_it_is_given():
    # A passage whose sides are not similar at all is still shown as given:
    # the renderer never re-aligns.
    a = Document("a", "alpha beta gamma delta")
    b = Document("b", "one two three four five")
    passage = Passage(Span(6, 16), Span(4, 13), 2, 0.5, "edited")
    result = CompareResult(a, b, Similarity(0, 0, 0), (passage,))
    out = render_diff_to_string(result, 80, None, context=0)
    row = next(line for line in out.splitlines() if line.startswith("#1"))
    assert "beta gamma" in row and "two three" in row
    assert "alpha" not in out and "five" not in out


def test_no_passages():
    a, b = Document("a", "one text\n" * 5), Document("b", "another\n" * 5)
    result = CompareResult(a, b, Similarity(0, 0, 0), (), (), ("the documents share no text",))
    out = render_diff_to_string(result, 60, None)
    assert "no reused passages found" in out
    assert "the documents share no text" in out
    assert "… 44 chars …" in out and "… 39 chars …" in out


def test_crossing_passages_show_every_gap_once():
    # Passage order follows A; in B the second passage comes first.
    a = Document("a", "AAAA one two three XXXX four five six ZZZZ")
    b = Document("b", "BBBB four five six YYYY one two three WWWW")
    p1 = Passage(find(a.text, "one two three"), find(b.text, "one two three"), 3, 1.0, "verbatim")
    p2 = Passage(find(a.text, "four five six"), find(b.text, "four five six"), 3, 1.0, "verbatim")
    out = render_diff_to_string(CompareResult(a, b, Similarity(0, 0, 0), (p1, p2)), 80, None)
    for gap in ("AAAA", "XXXX", "ZZZZ", "BBBB", "YYYY", "WWWW"):
        assert out.count(gap) == 1, gap


def test_width_defaults_to_the_console():
    from io import StringIO

    from rich.console import Console

    console = Console(file=StringIO(), width=72, color_system=None, legacy_windows=False)
    console.print(render_diff(spun_result()))
    lines = console.file.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) == 72


@pytest.mark.parametrize("width", [30, 45, 59])
def test_narrower_than_sixty_still_fits(width):
    lines = render_diff_to_string(spun_result(), width, None).splitlines()
    assert max(cell_len(line) for line in lines) == width


# --------------------------------------------------------------------------
# Golden output (update with: pytest tests/test_diffview.py --snapshot-update)


@pytest.mark.parametrize("color_system", COLOR_SYSTEMS, ids=["none", "truecolor"])
@pytest.mark.parametrize("width", [60, 100, 160])
def test_golden(golden, width, color_system):
    assert render_diff_to_string(spun_result(), width, color_system) == golden


@pytest.mark.parametrize("color_system", COLOR_SYSTEMS, ids=["none", "truecolor"])
def test_golden_single_passage(golden, color_system):
    out = render_diff_to_string(spun_result(), 100, color_system, passage=1, context=1)
    assert out == golden


# --------------------------------------------------------------------------
# Hostile text

HOSTILE = (
    "Plain start [bold red]x[/] and [link=https://evil.example]click[/link] :smile:\n"
    "CSI \x1b[2J\x1b[31mred\x1b[0m and cursor \x1b[10;10H moves.\n"
    "OSC 8 \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 here.\n"
    "OSC 52 \x1b]52;c;ZXZpbA==\x07 clipboard \x1b]52;c;ZXZpbA==\x1b\\ too.\n"
    "Bell \x07 C1 \x9b31m \x9d0;title\x9c and \x85 next-line.\n"
    "Bidi \u202etxt.exe\u202c and \u2066isolate\u2069 \u200f mark \u2028 sep.\n"
    "Backspace \x08 DEL \x7f NUL \x00 CR \r end.\n"
)


def hostile_result() -> CompareResult:
    a_text = "Intro.\n" + HOSTILE + "Middle.\n" + HOSTILE
    b_text = HOSTILE + "\x1b[5mblink\x1b[0m\n" + HOSTILE
    first_a, first_b = a_text.index("CSI"), b_text.index("CSI")
    ops = (
        WordOp("substitute", find(a_text, "red", first_a), find(b_text, "red", first_b)),
        WordOp("keep", find(a_text, "link", first_a), find(b_text, "link", first_b)),
    )
    passage = Passage(
        Span(first_a, a_text.index("Middle.")),
        Span(first_b, b_text.index("\x1b[5m")),
        40,
        0.8,
        "edited",
        ops,
    )
    framing = (FramingSpan("a", 0, 30, "\x1b]52;c;bGFiZWw=\x07[red]label", 0.9, (Span(8, 12),)),)
    return CompareResult(
        Document("id\x1b]8;;https://x\x07[b]x[/b]\u202e", a_text),
        Document("b\x1b[2J\x9b", b_text),
        Similarity(0.5, 0.5, 0.5),
        (passage,),
        framing,
        ("note \x1b[31m[bold]x[/] \x07",),
    )


@pytest.mark.parametrize("width", [60, 100, 160])
def test_hostile_text_without_colour_has_no_escape_at_all(width):
    out = render_diff_to_string(hostile_result(), width, None, context=10)
    assert "\x1b" not in out
    assert not FORBIDDEN.search(out.replace("\n", ""))


@pytest.mark.parametrize("color_system", ["standard", "256", "truecolor"])
@pytest.mark.parametrize("width", [60, 100, 160])
def test_hostile_text_in_colour_has_only_rich_sgr(width, color_system):
    out = render_diff_to_string(hostile_result(), width, color_system, context=10)
    assert "\x1b" in out  # styles are on
    assert "\x1b" not in SGR.sub("", out)  # and every ESC starts a well-formed SGR
    assert not FORBIDDEN.search(SGR.sub("", out).replace("\n", ""))


@pytest.mark.parametrize("color_system", COLOR_SYSTEMS)
def test_markup_in_documents_is_shown_literally(color_system):
    out = plain(render_diff_to_string(hostile_result(), 160, color_system, context=10))
    flat = re.sub(r"\s*│\s*|\n\s*", " ", out)
    assert "[bold red]x[/]" in flat
    assert "[link=https://evil.example]click[/link]" in flat
    assert ":smile:" in flat  # no emoji code replacement either
    assert "[b]x[/b]" in flat  # in the id
    assert "[red]label" in flat  # in a framing label
    assert "␛[2J␛[31mred" in flat  # ESC shown as a visible symbol, offsets kept


# --------------------------------------------------------------------------
# Widths: ASCII, Russian, emoji, CJK

SCRIPTS = {
    "ascii": "The ministers agreed on a joint programme of coordinated actions for the years ahead",
    "russian": "Министры договорились о совместной программе согласованных действий на ближайшие годы",
    "emoji": "Министры 🙂 agreed 🇷🇺🇧🇾 on a 👨‍👩‍👧 joint ❤️ programme 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 done",
    "cjk": "两国外长会晤讨论了双边关系和国际问题以及联合国框架内的合作事项两国外长会晤讨论了双边关系",
    "combining": "Cafe\u0301 na\u0308ive zero\u200bwidth tab\tafter sentences re\u0301sume\u0301 again",
}


def script_result(body: str) -> CompareResult:
    a_text = f"{body}\n{body} {body}\n{body}\n"
    b_text = f"{body} {body}\n{body}\n{body}{body}\n"
    pa = Span(len(body) + 1, 3 * len(body) + 2)
    pb = Span(0, 2 * len(body) + 1)
    words_a = [m.span() for m in re.finditer(r"\S+", a_text[pa.start : pa.end])]
    words_b = [m.span() for m in re.finditer(r"\S+", b_text[pb.start : pb.end])]
    ops = tuple(
        WordOp(
            "keep" if i % 3 else "substitute",
            Span(pa.start + wa[0], pa.start + wa[1]),
            Span(pb.start + wb[0], pb.start + wb[1]),
        )
        for i, (wa, wb) in enumerate(zip(words_a, words_b, strict=False))
    )
    framing = (FramingSpan("b", 0, len(body), "label", 0.7, ()),)
    passage = Passage(pa, pb, len(words_a), 0.66, "spun", ops)
    return CompareResult(
        Document(body[:12], a_text),
        Document(body[-12:], b_text),
        Similarity(0.5, 0.5, 0.5),
        (passage,),
        framing,
    )


def separator_columns(line: str) -> list[int]:
    """Cell positions of the column separators on one table line."""
    return [cell_len(line[:i]) for i, ch in enumerate(line) if ch in "│┼"]


@pytest.mark.parametrize("color_system", [*COLOR_SYSTEMS, "256"])
@pytest.mark.parametrize("width", [60, 61, 77, 100, 160])
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_line_fits_and_columns_line_up(script, width, color_system):
    out = plain(render_diff_to_string(script_result(SCRIPTS[script]), width, color_system))
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    table = [line for line in lines if "│" in line or "┼" in line]
    assert len(table) > 5
    assert len({tuple(separator_columns(line)) for line in table}) == 1
    assert len(separator_columns(table[0])) == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a_text=st.text(min_size=1, max_size=300),
    b_text=st.text(min_size=1, max_size=300),
    data=st.data(),
    width=st.integers(min_value=60, max_value=130),
)
def test_any_text_any_spans_fit_and_stay_clean(a_text, b_text, data, width):
    def span(text: str) -> Span:
        start = data.draw(st.integers(0, len(text)))
        return Span(start, data.draw(st.integers(start, len(text))))

    pa, pb = span(a_text), span(b_text)
    ops = (
        WordOp("substitute", span(a_text), span(b_text)),
        WordOp("delete", span(a_text), Span(0, 0)),
    )
    framing = (
        FramingSpan("a", *(lambda s: (s.start, s.end))(span(a_text)), "lbl", 0.5, (span(a_text),)),
    )
    result = CompareResult(
        Document("a", a_text),
        Document("b", b_text),
        Similarity(0, 0, 0),
        (Passage(pa, pb, 1, 0.5, "spun", ops),),
        framing,
    )
    for color_system in COLOR_SYSTEMS:
        out = render_diff_to_string(result, width, color_system)
        stripped = SGR.sub("", out)
        assert "\x1b" not in stripped
        assert not FORBIDDEN.search(stripped.replace("\n", ""))
        assert max(cell_len(line) for line in stripped.splitlines()) <= width


def test_emoji_joiners_and_selectors_become_zero_width_spaces():
    # rich counts "❤️" and a ZWJ family as one wide glyph, tmux 3.3 and libc
    # wcwidth count their parts; 1:1 zero-width spaces give one answer.
    body = "love ❤️ family 👨‍👩‍👧 point ☝️ end"
    out = render_diff_to_string(script_result(body), 100, "truecolor")
    assert "\ufe0f" not in out and "\u200d" not in out
    assert "❤\u200b" in out and "👨\u200b👩\u200b👧" in out


# --------------------------------------------------------------------------
# Real comparisons (detector.compare) and the CLI

PAIR = Path(__file__).parent / "data" / "diff"


def column_text(out: str, column: int) -> str:
    """The text of one column (1 = A, 2 = B) of a plain render, lines joined by spaces."""
    cells = [line.split("│")[column].strip() for line in out.splitlines() if line.count("│") == 2]
    return " ".join(cell for cell in cells if cell)


def spin_seed_pair(seeds) -> tuple[Document, Document]:
    source = seeds["004_25d9c6ebddf93f77"]
    paragraph = next(p for p in source.split("\n") if len(p.split()) > 60)
    spun = paragraph.replace("meeting", "assembly").replace("President", "Chief")
    spun = spun.replace("international", "worldwide")
    return Document("seed-004", paragraph), Document("spun", f"Lead-in line.\n{spun}\nFooter.")


def test_real_comparison_marks_every_substitution_on_both_sides(seeds):
    from detector.compare import compare

    a, b = spin_seed_pair(seeds)
    result = compare(a, b)
    assert len(result.passages) == 1
    pairs = result.passages[0].substitutions(a.text, b.text)
    assert ("meeting", "assembly") in pairs and ("President", "Chief") in pairs
    out = render_diff_to_string(result, 120, None)
    left, right = column_text(out, 1), column_text(out, 2)
    for old, new in pairs:
        assert f"[~{old}~]" in left and f"[~{new}~]" in right
    assert "Lead-in line." in right and "Footer." in right


def test_real_comparison_fits_every_width(seeds):
    from detector.compare import compare

    result = compare(*spin_seed_pair(seeds))
    for width in (60, 100, 160):
        out = plain(render_diff_to_string(result, width, "truecolor"))
        assert max(cell_len(line) for line in out.splitlines()) <= width


@pytest.fixture
def run_cli():
    from click.testing import CliRunner

    from detector.cli import cli

    def run(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(cli, ["diff", *args], env=env, catch_exceptions=False)

    return run


def pair_args() -> list[str]:
    return [str(PAIR / "source.txt"), str(PAIR / "spun.txt")]


def test_cli_diff_plain_when_piped(run_cli):
    result = run_cli(*pair_args(), "--width", "100")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b" not in out
    assert "A source" in out and "B spun" in out
    assert "[~President~]" in column_text(out, 1) and "[~Chief~]" in column_text(out, 2)
    assert "{+as reported earlier+}" in column_text(out, 2)
    assert "[-He noted that such" in column_text(out, 1)
    assert max(cell_len(line) for line in out.splitlines()) <= 100


def test_cli_diff_colour_always(run_cli):
    out = run_cli(*pair_args(), "--width", "100", "--color", "always").output
    assert "\x1b[" in out and "[~" not in out
    assert "\x1b" not in SGR.sub("", out)


def test_cli_diff_colour_never_beats_force_color(run_cli):
    out = run_cli(*pair_args(), "--color", "never", env={"FORCE_COLOR": "1"}).output
    assert "\x1b" not in out


def test_cli_diff_no_color_env(run_cli):
    out = run_cli(*pair_args(), env={"NO_COLOR": "1", "FORCE_COLOR": ""}).output
    assert "\x1b" not in out and "[~Chief~]" in out


@pytest.mark.parametrize("width", ["60", "160"])
def test_cli_diff_width(run_cli, width):
    out = run_cli(*pair_args(), "--width", width, "--no-pager").output
    assert max(cell_len(line) for line in out.splitlines()) == int(width)


def test_cli_diff_context(run_cli):
    wide = run_cli(*pair_args(), "--width", "160", "--context", "5").output
    narrow = run_cli(*pair_args(), "--width", "160", "--context", "0").output
    assert "By Vladimir Khromov" in wide and "By Vladimir Khromov" not in narrow
    assert len(narrow.splitlines()) < len(wide.splitlines())


def test_cli_diff_passage(run_cli):
    out = run_cli(*pair_args(), "--passage", "1", "--width", "100").output
    assert "#1" in out
    missing = run_cli(*pair_args(), "--passage", "9")
    assert missing.exit_code == 2
    assert "--passage" in missing.output and "only 1 passage" in missing.output


def test_cli_diff_bad_options(run_cli):
    assert run_cli(*pair_args(), "--context", "-1").exit_code == 2
    assert run_cli(*pair_args(), "--color", "sometimes").exit_code == 2
    assert run_cli(*pair_args(), "--passage", "0").exit_code == 2


def test_cli_diff_hostile_files(run_cli, tmp_path):
    a, b = tmp_path / "a\x1b[31m.txt", tmp_path / "b.txt"
    body = "In a bold statement of his vision the minister laid out plans to deepen ties " * 3
    text = HOSTILE.replace("\x00", "")  # the loader rejects NUL as binary
    a.write_text(text + body + text, encoding="utf-8")
    b.write_text(
        text + body.replace("vision", "imaginative and prescient") + text, encoding="utf-8"
    )
    for color in ("never", "always"):
        out = run_cli(str(a), str(b), "--color", color, "--context", "9").output
        stripped = SGR.sub("", out)
        assert "\x1b" not in stripped
        assert not FORBIDDEN.search(stripped.replace("\n", ""))
        assert "imaginative" in stripped


def test_cli_diff_help_documents_every_option(run_cli):
    out = run_cli("--help").output
    for option in ("--width", "--context", "--passage", "--no-pager", "--color", "--min-words"):
        assert option in out


def test_export_captures(tmp_path):
    from detector.render.diffview import export_captures

    svg, txt = tmp_path / "diff.svg", tmp_path / "diff.txt"
    export_captures(spun_result(), str(svg), str(txt), width=100)
    assert txt.read_text(encoding="utf-8") == render_diff_to_string(spun_result(), 100, None)
    image = svg.read_text(encoding="utf-8")
    assert image.startswith("<svg") and "imaginative" in image and "\x1b" not in image
