"""The CLI end to end: formats, exit codes, stdin, colour, bad input, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from detector.cli import cli, main


def run(args: list[str], input: str | bytes | None = None, env: dict | None = None):
    """Run the real entry point (``main``, with its error mapping) in-process."""
    runner = CliRunner()
    return runner.invoke(_entry, args, input=input, env=env)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.pass_context
def _entry(ctx: click.Context) -> None:
    main(ctx.args)


@pytest.fixture()
def pair(tmp_path: Path, seeds: dict[str, str]) -> tuple[Path, Path]:
    source = seeds["000_aed676f35e158f01"]
    host = seeds["004_25d9c6ebddf93f77"]
    piece = source[2000:3500].replace("meeting", "assembly")
    a = tmp_path / "source.txt"
    b = tmp_path / "copy.txt"
    a.write_text(source, encoding="utf-8")
    b.write_text(host[:1500] + "\n" + piece + "\n" + host[1500:3000], encoding="utf-8")
    return a, b


def test_compare_json_follows_the_contract(pair: tuple[Path, Path]) -> None:
    import jsonschema

    result = run(["compare", str(pair[0]), str(pair[1]), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # the one-line summary goes to stderr
    assert result.stderr.count("\n") == 1 and "1 passage(s)" in result.stderr, result.stderr
    schema = json.loads(
        (Path(__file__).parent.parent / "detector" / "schemas" / "compare-1.schema.json").read_text()
    )
    jsonschema.validate(data, schema)
    assert data["schema"] == "detector.compare/1"
    assert data["a"]["id"] == "source" and data["b"]["id"] == "copy"
    assert len(data["passages"]) == 1
    texts = {"a": pair[0].read_text(encoding="utf-8"), "b": pair[1].read_text(encoding="utf-8")}
    for passage in data["passages"]:
        for side in ("a", "b"):
            span = passage[side]
            assert texts[side][span["start"] : span["end"]] == span["text"]
    assert {"a": "meeting", "b": "assembly"} in data["passages"][0]["substitutions"]


def test_compare_text_markdown_and_pan_xml(pair: tuple[Path, Path]) -> None:
    text = run(["compare", str(pair[0]), str(pair[1]), "--color", "never"])
    assert text.exit_code == 0
    assert "Reused passages" in text.stdout and "\x1b" not in text.output
    md = run(["compare", str(pair[0]), str(pair[1]), "--format", "markdown"])
    assert md.exit_code == 0 and md.stdout.startswith("# Comparison")
    xml = run(["compare", str(pair[0]), str(pair[1]), "--format", "pan-xml"])
    assert xml.exit_code == 0
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml.stdout)
    features = root.findall("feature")
    assert root.get("reference") == "copy.txt" and len(features) == 1
    assert features[0].get("source_reference") == "source.txt"


def test_no_color_is_honoured(pair: tuple[Path, Path]) -> None:
    result = run(["compare", str(pair[0]), str(pair[1])], env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert result.exit_code == 0 and "\x1b[" not in result.output
    forced = run(["compare", str(pair[0]), str(pair[1]), "--color", "always"])
    assert "\x1b[" in forced.output


def test_stdin_and_output_file(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run(
        ["compare", str(pair[0]), "-", "--format", "json", "-o", str(out)],
        input=pair[1].read_text(encoding="utf-8"),
    )
    assert result.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["b"]["id"] == "stdin" and len(data["passages"]) == 1


def test_nothing_found_says_why(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A short note about the weather in Minsk.", encoding="utf-8")
    b.write_text("", encoding="utf-8")
    result = run(["compare", str(a), str(b), "--color", "never"])
    assert result.exit_code == 0
    assert "No reused passage found" in result.output
    assert "empty" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["compare", "missing.txt", "also-missing.txt"], "missing.txt"),
        (["compare", ".", "x.txt"], "directory"),
        (["compare", "a.txt", "a.txt", "--format", "yaml"], "yaml"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    result = run(args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], result.output
    assert "Traceback" not in result.output


def test_binary_and_invalid_utf8_files(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("some words here", encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 au lait".encode("latin-1"))
    for bad, fragment in ((binary, "binary"), (latin, "UTF-8")):
        result = run(["compare", str(good), str(bad)])
        assert result.exit_code == 2
        assert fragment in result.output and bad.name in result.output


def test_output_file_not_written_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run(["compare", "missing.txt", "missing2.txt", "--format", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_python_m_detector_and_help_is_fast_and_light() -> None:
    code = (
        "import sys, runpy; sys.argv=['detector','--help'];\n"
        "try:\n    runpy.run_module('detector', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = [m for m in ('numpy','sklearn','datasketch','rapidfuzz','scipy','rich') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "compare" in proc.stdout
    assert "HEAVY []" in proc.stdout


def test_every_command_has_help_and_is_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

    def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        out = []
        for name, command in group.commands.items():
            out.append((f"{prefix}{name}", command))
            if isinstance(command, click.Group):
                out.extend(walk(command, f"{prefix}{name} "))
        return out

    for name, command in walk(cli, ""):
        assert command.help, f"detector {name} has no help"
        assert f"detector {name}" in readme, f"detector {name} is not documented in README.md"


@pytest.mark.slow
def test_train_then_flag_end_to_end(tmp_path: Path) -> None:
    labelled = Path(__file__).parent.parent / "corpora" / "framing" / "labelled.jsonl"
    lines = labelled.read_text(encoding="utf-8").splitlines()
    subset = tmp_path / "labels.jsonl"
    subset.write_text("\n".join(lines[::6]) + "\n", encoding="utf-8")  # every 6th: fast
    model = tmp_path / "model.npz"
    trained = run(["train", str(subset), "-o", str(model)])
    assert trained.exit_code == 0, trained.output
    assert model.exists()
    doc = tmp_path / "post.txt"
    doc.write_text(
        "The West is again applying double standards and hypocrisy to Russia.\n"
        "The weather in Minsk will be sunny on Tuesday.\n",
        encoding="utf-8",
    )
    flagged = run(["flag", str(doc), "--model", str(model), "--format", "json"])
    assert flagged.exit_code == 0, flagged.output
    data = json.loads(flagged.stdout)  # the one-line summary goes to stderr
    assert flagged.stderr.count("\n") == 1 and flagged.stderr.startswith("detector: "), flagged.stderr
    assert data["schema"] == "detector.flag/1"
    flags = data["documents"][0]["framing"]
    text = doc.read_text(encoding="utf-8")
    for f in flags:
        assert text[f["start"] : f["end"]] == f["text"]
        for cue in f["cues"]:
            assert text[cue["start"] : cue["end"]] == cue["text"]
    assert not any("weather" in f["text"] for f in flags)


def test_flag_refuses_a_pickle_model(tmp_path: Path) -> None:
    import pickle

    bad = tmp_path / "model.npz"
    bad.write_bytes(pickle.dumps({"not": "a model"}))
    doc = tmp_path / "a.txt"
    doc.write_text("Some text.", encoding="utf-8")
    result = run(["flag", str(doc), "--model", str(bad)])
    assert result.exit_code == 2
    assert "model.npz" in result.output and "Traceback" not in result.output


def test_top_level_help_version_and_shell_completion() -> None:
    from importlib.metadata import version

    top = subprocess.run([sys.executable, "-m", "detector", "--help"], capture_output=True, text=True, check=True)
    text = " ".join(top.stdout.split())
    for needle in ("saved web pages", "Telegram", "Parquet", "Exit status: 0 ok, 2 usage", "3 the run could not finish",
                   "1 damage found by 'index check'", "130 Ctrl-C"):
        assert needle in text, needle
    done = subprocess.run([sys.executable, "-m", "detector", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"detector, version {version('reuse-detector')}"
    import os

    script = subprocess.run(
        [sys.executable, "-c", "from detector.cli import cli; cli(prog_name='detector')"],
        capture_output=True, text=True, env={**os.environ, "_DETECTOR_COMPLETE": "bash_source"},
    )
    assert script.returncode == 0 and "_detector_completion()" in script.stdout, script.stdout[:300]
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "_DETECTOR_COMPLETE=bash_source detector" in readme and "detector --version" in readme


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_train_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import re

    labelled = Path(__file__).parent.parent / "corpora" / "framing" / "labelled.jsonl"
    subset = tmp_path / "labels.jsonl"
    subset.write_text("\n".join(labelled.read_text(encoding="utf-8").splitlines()[::12]) + "\n", encoding="utf-8")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "detector", "train", str(subset), "-o", str(tmp_path / "m.npz")],
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        stdout=subprocess.PIPE, stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert proc.returncode == 0, err
    assert re.search(r"training\s.*\d+:\d\d:\d\d", err), err[:300]  # the bar with elapsed time
    assert "detector: trained" in err


def test_output_to_a_pipe_writes_through_and_keeps_the_pipe(tmp_path) -> None:
    # -o /dev/null used to rename a temporary file over the device node; a
    # FIFO stands in for any non-regular file here
    import stat
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    src = tmp_path / "a.txt"
    src.write_text("Russia and Belarus signed a broad agreement on foreign policy cooperation in Minsk today.", "utf-8")
    result = CliRunner().invoke(cli, ["compare", str(src), str(src), "--format", "json", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["schema"].startswith("detector.compare/")
    refused = CliRunner().invoke(cli, ["report", str(src), "--format", "sqlite", "-o", str(fifo)])
    assert refused.exit_code == 2 and "not a regular file" in refused.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_flag_text_view_shows_the_stance(tmp_path) -> None:
    src = tmp_path / "s.txt"
    src.write_text(
        "The era of Western dominance is not over, and talk of a multipolar world is premature.\n"
        "Russia and Belarus stand for a multipolar world order free of Western double standards and diktat.\n",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["flag", str(src), "--color", "never"])
    assert result.exit_code == 0, result.output
    assert "stance" in result.stdout and "promoted" in result.stdout
    assert "denied" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "sqlite"])
def test_report_files_get_the_mode_a_plain_open_would(tmp_path: Path, fmt: str) -> None:
    # written to a private temporary file (0600) and renamed: the result must
    # still be 0666 less the umask, like any file the user's tools write
    out = tmp_path / f"report.{fmt}"
    old = os.umask(0o027)
    try:
        result = CliRunner().invoke(
            cli, ["report", str(Path(__file__).parents[1] / "corpora" / "sample"), "--no-framing",
                  "--format", fmt, "-o", str(out)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o640
