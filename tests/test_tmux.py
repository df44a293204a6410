"""The diff view in a real terminal: tmux at 100 columns, separators found by tmux itself.

Comparing captured text with what rich rendered proves that nothing wrapped;
the column of every separator is read from tmux's copy mode (its own cell
grid), so a character that rich and the terminal measure differently would
show up as a separator out of line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from conftest import require_tool

from detector.render.diffview import render_diff_to_string
from detector.schema import CompareResult, Document, Passage, Similarity, Span, WordOp

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 100, 50
SGR = re.compile(r"\x1b\[[0-9;]*m")
SEPARATOR = "│"

BODY_A = (
    "Министры иностранных дел Беларуси и России провели совместное заседание коллегий. "
    "两国外长会晤讨论了双边关系 and the talks 🙂 went on ❤️ for ☝️ hours 👨‍👩‍👧 🇷🇺🇧🇾 🎙️ 🎉🎉🎉. "
    "The vision of the Union State was discussed at length in Minsk."
)
BODY_B = (
    "Министры иностранных дел Беларуси и России провели общее заседание коллегий. "
    "两国外长会晤讨论了双边关系 and the talks 🙂 went on ❤️ for ☝️ hours 👨‍👩‍👧 🇷🇺🇧🇾 🎙️ 🎉🎉🎉. "
    "The imaginative and prescient of the Union State was discussed at length in Minsk."
)


def terminal_result() -> CompareResult:
    """A spun passage mixing Cyrillic, CJK and emoji, with text around it."""
    a = "Вступление.\n" * 4 + BODY_A + "\nКонец.\n"
    b = "Intro 中文.\n" + BODY_B + "\n" + "Footer 🙂.\n" * 4
    pa = Span(a.index(BODY_A), a.index(BODY_A) + len(BODY_A))
    pb = Span(b.index(BODY_B), b.index(BODY_B) + len(BODY_B))
    ops = (
        WordOp("substitute", _find(a, "совместное"), _find(b, "общее")),
        WordOp("substitute", _find(a, "vision"), _find(b, "imaginative and prescient")),
    )
    return CompareResult(
        Document("ru-zh-a", a),
        Document("ru-zh-b", b),
        Similarity(0.6, 0.8, 0.7, 0.9, 0.8),
        (Passage(pa, pb, 40, 0.93, "spun", ops),),
    )


def _find(text: str, words: str) -> Span:
    start = text.index(words)
    return Span(start, start + len(words))


class Tmux:
    """A private tmux server (its own socket) running one command in a detached pane."""

    def __init__(self) -> None:
        self.socket = f"detector-test-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        for var in ("NO_COLOR", "COLUMNS", "LINES", "TMUX"):
            self.env.pop(var, None)

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    def run(self, command: str) -> None:
        """Run ``command`` in a 100x50 pane and wait until it has finished."""
        script = f"{command}; tmux -L {self.socket} wait-for -S done; sleep 60"
        self("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(ROOT), script)
        self("set-option", "-g", "history-limit", "5000")
        self("wait-for", "done")

    def lines(self) -> list[str]:
        """Every line the command printed (history included), trailing blanks dropped."""
        text = self("capture-pane", "-p", "-S", "-", "-E", "-")
        lines = [line.rstrip() for line in text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def columns_of(self, needle: str, count: int) -> list[int]:
        """Cell columns (tmux's own measure) of the first ``count`` matches of ``needle``."""
        self("set-option", "-g", "wrap-search", "off")
        self("copy-mode", "-t", "0")
        self("send-keys", "-t", "0", "-X", "history-top")
        columns = []
        for _ in range(count):
            self("send-keys", "-t", "0", "-X", "search-forward-text", needle)
            columns.append(int(self("display-message", "-t", "0", "-p", "#{copy_cursor_x}")))
        return columns

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            env=self.env,
            capture_output=True,
            timeout=30,
        )


@pytest.fixture
def tmux():
    require_tool(shutil.which("tmux") is not None, "tmux")
    session = Tmux()
    try:
        yield session
    finally:
        session.close()


def expected_lines(result: CompareResult) -> list[str]:
    """What rich renders at 100 columns in colour, without the styling."""
    out = SGR.sub("", render_diff_to_string(result, WIDTH, "standard"))
    return [line.rstrip() for line in out.splitlines()]


def separator_cells(lines: list[str]) -> set[int]:
    from rich.cells import cell_len

    return {cell_len(line[:i]) for line in lines for i, ch in enumerate(line) if ch == SEPARATOR}


def check_columns(tmux: Tmux, expected: list[str]) -> None:
    captured = tmux.lines()
    assert captured == expected  # nothing wrapped, nothing lost
    count = sum(line.count(SEPARATOR) for line in expected)
    columns = tmux.columns_of(SEPARATOR, count)
    # tmux reports copy-mode columns from its own grid; one constant offset
    # (where the cursor lands on a match) is allowed, a per-row shift is not.
    offset = min(columns) - min(separator_cells(expected))
    assert {c - offset for c in columns} == separator_cells(expected)
    assert len(separator_cells(expected)) == 2
    assert max(columns) - offset < WIDTH


def test_render_diff_lines_up_in_tmux(tmux, tmp_path):
    script = tmp_path / "show.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from rich.console import Console
            from test_tmux import terminal_result
            from detector.render.diffview import render_diff
            Console(force_terminal=True, color_system="standard").print(
                render_diff(terminal_result())
            )
            """
        ),
        encoding="utf-8",
    )
    tmux.run(f"{sys.executable} {script}")
    check_columns(tmux, expected_lines(terminal_result()))


PAIR = ROOT / "tests" / "data" / "diff"


def pair_result() -> CompareResult:
    from detector.compare import compare
    from detector.load import load_document

    return compare(load_document(str(PAIR / "source.txt")), load_document(str(PAIR / "spun.txt")))


def test_cli_diff_lines_up_in_tmux(tmux):
    source, spun = PAIR / "source.txt", PAIR / "spun.txt"
    command = f"{sys.executable} -m detector diff {source} {spun} --no-pager --color always"
    tmux.run(command)
    check_columns(tmux, expected_lines(pair_result()))


def test_cli_diff_pages_with_styles_on_a_terminal(tmux, tmp_path):
    paged = tmp_path / "paged.txt"
    tmux.env["PAGER"] = f"tee {paged}"
    source, spun = PAIR / "source.txt", PAIR / "spun.txt"
    tmux.run(f"{sys.executable} -m detector diff {source} {spun} --color always")
    text = paged.read_text(encoding="utf-8")
    assert "\x1b[" in text  # styles reach the pager (less -R shows them)
    assert SGR.sub("", text).splitlines()[0].startswith("jaccard")


def test_cli_diff_no_pager_on_a_terminal(tmux, tmp_path):
    paged = tmp_path / "paged.txt"
    tmux.env["PAGER"] = f"tee {paged}"
    source, spun = PAIR / "source.txt", PAIR / "spun.txt"
    tmux.run(f"{sys.executable} -m detector diff {source} {spun} --no-pager")
    assert not paged.exists()
    assert tmux.lines()[0].startswith("jaccard")
