"""Hostile and careless input files (issue 15, items 1-4, 13 and the smaller silent behaviours).

Each case runs the real command line and checks the standard: a one-line
error naming the file (and line), exit status 2, no traceback; with
``--skip-bad`` the problem is counted, never dropped silently.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import require_tool

from detector.cli import main
from detector.index import Index
from detector.load import MAX_DOCUMENT_CHARS
from detector.report import build_report
from detector.schema import Document

PARAGRAPH = (
    "The delegation discussed trade, energy supplies and the construction of a new border "
    "crossing near the river, and agreed that a joint commission would meet every quarter "
    "to review progress on the project and report to both governments. "
)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.pass_context
def _entry(ctx: click.Context) -> None:
    main(ctx.args)


def run(args: list[object], input: bytes | None = None):
    return CliRunner().invoke(_entry, [str(a) for a in args], input=input)


def one_line_error(output: str, *needles: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("detector: error:") and "Traceback" not in output, output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def rec(ident: str, **fields: object) -> str:
    return json.dumps({"id": ident, "text": PARAGRAPH * 2, **fields}, ensure_ascii=False)


# 1. dates that overflow on conversion to UTC


@pytest.mark.parametrize("date", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_overflowing_date_is_a_bad_record(tmp_path: Path, date: str) -> None:
    path = jsonl(
        tmp_path / "c.jsonl",
        [rec("a", outlet="x", date="2024-01-01"), rec("b", outlet="y", date=date), rec("c", outlet="z")],
    )
    for fmt in ("json", "csv", "text"):
        result = run(["report", path, "--no-framing", "--format", fmt])
        assert result.exit_code == 2, result.output
        one_line_error(result.output, f"{path}:2", "out of range once converted to UTC")
    result = run(["report", path, "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["skipped"] == 1 and [d["id"] for d in data["documents"]] == ["a", "c"]
    result = run(["compare", f"{path}#b", f"{path}#a"])
    assert result.exit_code == 2


OVERFLOWING_DATES = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"]
REPORT_FORMATS = ["text", "json", "jsonl", "csv", "markdown", "html", "gexf", "sqlite", "parquet"]


def _dated_corpus(seeds: dict[str, str], date: str) -> list[Document]:
    """Three real-text hosts sharing one passage; the middle one has ``date``."""
    texts = list(seeds.values())
    shared = texts[0][1000:2500]
    return [
        Document(id=f"d{i}", text=texts[i + 1][:1200] + "\n" + shared + "\n" + texts[i + 1][1200:2400],
                 outlet=outlet, date=when)
        for i, (outlet, when) in enumerate([("x", "2024-01-01"), ("y", date), ("z", "2024-01-02")])
    ]


def _check_every_format(args: list[object], tmp_path: Path) -> None:
    """``args`` + each report format: exit 0, and the dated member's date is unknown, not a crash."""
    for fmt in REPORT_FORMATS:
        if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
            continue
        out = tmp_path / f"r.{fmt}"
        out.unlink(missing_ok=True)
        result = run([*args, "--format", fmt, "-o", out])
        assert result.exit_code == 0, (fmt, result.output)
        assert "Traceback" not in result.output and out.stat().st_size > 0, fmt
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    reuse = [c for c in data["clusters"] if c["kind"] == "reuse"]
    assert reuse and {m["doc"] for m in reuse[0]["members"]} == {"d0", "d1", "d2"}
    assert reuse[0]["earliest"] == "d0"  # the unusable date never wins "earliest"


@pytest.mark.parametrize("date", OVERFLOWING_DATES)
def test_overflowing_date_in_a_cluster_every_format_and_index_report(
    tmp_path: Path, seeds: dict[str, str], date: str
) -> None:
    """Documents that bypass the loader (library, an older index) keep the date; it counts as unknown."""
    docs = _dated_corpus(seeds, date)
    report = build_report(docs, framing=False, workers=1)
    member_dates = {m.doc: m.date for c in report.clusters for m in c.members}
    assert member_dates.get("d1") == date  # kept as given, shown as given
    assert next(c.earliest for c in report.clusters if c.kind == "reuse") == "d0"
    db = tmp_path / "archive.db"
    with Index(db) as index:
        index.add(docs, workers=1)
    _check_every_format(["index", "report", db, "--no-framing"], tmp_path)
    if date != OVERFLOWING_DATES[0]:
        return
    # the same corpus from a file: the loader refuses the date, every format alike
    records = [{"id": d.id, "text": d.text, "outlet": d.outlet, "date": d.date} for d in docs]
    path = jsonl(tmp_path / "c.jsonl", [json.dumps(r, ensure_ascii=False) for r in records])
    for fmt in REPORT_FORMATS:
        out = tmp_path / f"f.{fmt}"
        result = run(["report", path, "--no-framing", "--format", fmt, "-o", out])
        assert result.exit_code == 2, (fmt, result.output)
        one_line_error(result.output, f"{path}:2", "out of range once converted to UTC")
        assert not out.exists()
    result = run(["report", path, "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["skipped"] == 1


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize("date", OVERFLOWING_DATES[:1])
def test_overflowing_date_on_the_spark_engine(seeds: dict[str, str], date: str) -> None:
    require_tool(importlib.util.find_spec("pyspark") is not None, "pyspark")
    require_tool(shutil.which("java") is not None, "Java (17) for Spark")
    from detector.engines.spark import build_report_spark

    docs = _dated_corpus(seeds, date)
    report = build_report_spark(docs, framing=False, master="local[2]")
    assert next(c.earliest for c in report.clusters if c.kind == "reuse") == "d0"


# 2. integers over 4,300 digits


def test_huge_integer_is_a_bad_record(tmp_path: Path) -> None:
    big = "9" * 5000
    path = tmp_path / "c.jsonl"
    path.write_text(rec("a") + "\n" + rec("b")[:-1] + f', "n": {big}}}\n' + rec("c") + "\n")
    result = run(["report", path, "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:2", "more than 4,300 digits")
    result = run(["report", path, "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped"] == 1
    result = run(["compare", f"{path}#b", f"{path}#a"])
    assert result.exit_code == 2
    one_line_error(result.output, "4,300 digits")
    result = run(["index", "add", tmp_path / "ix.db", path])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:2", "4,300 digits")
    result = run(["index", "add", tmp_path / "ix2.db", path, "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 replaced, 0 unchanged, 1 bad records skipped" in result.stderr


def test_train_with_a_huge_integer_is_one_line(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    good = json.dumps({"text": "The West applies double standards.", "labels": [], "lang": "en"})
    labels.write_text(good + "\n" + good[:-1] + ', "n": ' + "9" * 5000 + "}\n" + good + "\n")
    result = run(["train", labels, "-o", tmp_path / "m.npz"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{labels}:2", "4,300 digits")


# 3. CSV with an unterminated quote


def test_csv_unterminated_quote_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    para = PARAGRAPH.replace(",", "")
    path.write_text(
        f'id,text\nq0,{para}\nq1,"unterminated\nq2,{para}\nq3,{para}\n',
        encoding="utf-8",
    )
    result = run(["report", path, "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:3", "never closed")
    result = run(["report", path, "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["id"] for d in data["documents"]] == ["q0"] and data["skipped"] == 1


# 4. FIFOs and other non-regular files in a folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_in_a_folder_is_skipped_and_listed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe2.jsonl")
    done = subprocess.run(
        [sys.executable, "-m", "detector", "report", str(tmp_path), "--no-framing", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [d["id"] for d in json.loads(done.stdout)["documents"]] == ["a"]
    assert "2 non-regular file(s)" in done.stderr and "pipe.txt (FIFO)" in done.stderr
    done = subprocess.run(  # --skip-bad neither hangs nor hides them
        [sys.executable, "-m", "detector", "report", str(tmp_path), "--no-framing", "--skip-bad",
         "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2 non-regular file(s)" in done.stderr and "pipe2.jsonl (FIFO)" in done.stderr


# 13. document size limit


def test_document_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = "слово " * (MAX_DOCUMENT_CHARS // 6 + 1)
    assert len(big) > MAX_DOCUMENT_CHARS
    txt = tmp_path / "big.txt"
    txt.write_text(big, encoding="utf-8")
    result = run(["report", txt, "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, str(txt), "over the limit of 10,000,000")
    path = tmp_path / "c.jsonl"
    path.write_text(rec("a") + "\n" + json.dumps({"id": "b", "text": big}) + "\n" + rec("c") + "\n")
    result = run(["report", path, "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:2", "over the limit")
    result = run(["report", path, "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["skipped"] == 1


# Smaller silent behaviours


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "b", "text": "one", "text": "two"}', "duplicate key 'text'"),
        ('{"id": "b", "text": "t", "outlet": NaN}', "NaN is not valid JSON"),
        ('{"id": "b", "text": "t", "date": Infinity}', "Infinity is not valid JSON"),
        ('{"id": "b", "text": "t", "date": -Infinity}', "-Infinity is not valid JSON"),
        ('{"id": "b", "text": "t", "score": 1e400}', "too large for a float"),
    ],
)
def test_lenient_json_is_refused(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(rec("a") + "\n" + line + "\n", encoding="utf-8")
    result = run(["report", path, "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:2", reason)


def test_nul_after_the_first_8_kb_is_refused(tmp_path: Path) -> None:
    txt = tmp_path / "a.txt"
    txt.write_bytes(PARAGRAPH.encode() * 100 + b"\0tail")
    result = run(["report", txt])
    assert result.exit_code == 2
    one_line_error(result.output, str(txt), "binary", f"byte {len(PARAGRAPH) * 100}")
    path = tmp_path / "c.jsonl"
    path.write_bytes((rec("a") + "\n").encode() * 1 + b" " * 9000 + b"\n" + b'{"id": "b", "text": "x\0y"}\n')
    result = run(["report", path])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:3", "NUL byte")


def test_utf32_is_named_utf32(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("hello".encode("utf-32"))
    result = run(["compare", path, path])
    assert result.exit_code == 2
    one_line_error(result.output, "UTF-32 text")


def test_compare_refuses_a_record_id_given_twice(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "f.jsonl", [rec("d1"), rec("d2"), rec("d1")])
    result = run(["compare", f"{path}#d1", f"{path}#d2"])
    assert result.exit_code == 2
    one_line_error(result.output, f"{path}:3", "duplicate id 'd1'")
    assert run(["report", path]).exit_code == 2


def test_json_array_on_stdin_is_refused(tmp_path: Path) -> None:
    data = json.dumps([{"id": "a", "text": PARAGRAPH}, {"id": "b", "text": PARAGRAPH}]).encode()
    result = run(["report", "-"], input=b"  \n" + data)
    assert result.exit_code == 2
    one_line_error(result.output, "<stdin>", "JSON array", "jq -c")
    # plain text that merely starts with a bracket is still plain text
    result = run(["report", "-", "--no-framing", "--format", "json"], input=b"[Photo] " + PARAGRAPH.encode())
    assert result.exit_code == 0, result.output
