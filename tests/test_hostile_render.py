"""Issue 15, output side: hostile ids, outlets and file names never reach a
terminal, page, Markdown renderer or XML parser as control codes, markup or
live links; a full disk is one line; JSON key order is canonical."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import in_ci
from test_render_outputs import make_report

from detector.schema import Cluster, CompareResult, Document, Passage, Similarity, Span

HOSTILE = "id\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]8;;http://evil/\x1b\\x\x00\x9b"
RAW = ("\x1b", "\x07", "\x00", "\x9b")


def _cli(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detector", *args],
        capture_output=True, text=True, timeout=300, check=False, cwd=cwd, input=stdin,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


# ---------------------------------------------------------------- 7: terminal


def test_compare_notes_with_hostile_ids_are_sanitised(tmp_path: Path) -> None:
    hostile = HOSTILE.replace("\x00", "")  # argv cannot carry NUL
    src = tmp_path / "docs.jsonl"
    src.write_text(
        json.dumps({"id": hostile, "text": "short"}) + "\n"
        + json.dumps({"id": "b", "text": "also short text"}) + "\n",
        encoding="utf-8",
    )
    res = _cli("compare", f"{src}#{hostile}", f"{src}#b", "--color", "always")
    assert res.returncode == 0, res.stderr
    assert "note" in res.stdout
    assert "\x07" not in res.stdout and "\x9b" not in res.stdout
    assert "\x1b]52" not in res.stdout and "\x1b]8" not in res.stdout and "\x1b[2J" not in res.stdout
    assert _clean(res.stderr)


def test_flag_skip_bad_lists_hostile_file_names_sanitised(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("The sanctions are illegitimate.", encoding="utf-8")
    (folder / "bad\x1b]52;c;eA==\x07.txt").write_bytes(b"\xff\xfe\xfa bad utf-8 \xc3")
    res = _cli("flag", str(folder), "--skip-bad")
    assert "skipped" in res.stderr, res.stderr
    assert "\x1b]52" not in res.stderr and "\x07" not in res.stderr


def test_index_query_summary_with_hostile_ids_is_sanitised(tmp_path: Path, seeds) -> None:
    hostile = HOSTILE.replace("\x00", "")
    text = next(iter(seeds.values()))[:3000]
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": hostile, "text": text, "outlet": hostile}) + "\n", encoding="utf-8")
    db = tmp_path / "ix.db"
    res = _cli("index", "add", str(db), str(src))
    assert res.returncode == 0, res.stderr
    query = tmp_path / "query.jsonl"
    query.write_text(json.dumps({"id": hostile + "-q", "text": text}) + "\n", encoding="utf-8")
    for fmt in ("text", "json"):
        res = _cli("index", "query", str(db), f"{query}#{hostile}-q", "--format", fmt, "--color", "always")
        assert res.returncode == 0, res.stderr
        assert _clean(res.stderr), repr(res.stderr)
        assert res.stderr.startswith("1 archived documents share passages with id")
        assert len(res.stderr.splitlines()) == 1
        if fmt == "text":  # the match (the hostile archived id and outlet) is listed, sanitised
            assert "\x1b]52" not in res.stdout and "\x07" not in res.stdout and "\x1b[2J" not in res.stdout
            assert "ZXZpbA==" in res.stdout
        else:
            assert json.loads(res.stdout)["matches"][0]["doc"]["id"] == hostile


def test_cli_messages_go_through_one_sanitiser() -> None:
    from detector.render.sanitize import display_line

    assert display_line(HOSTILE).isprintable()
    assert "\n" not in display_line("a\nb")


# ---------------------------------------------------------------- 8: HTML


def test_heatmap_tooltips_and_filter_data_are_sanitised() -> None:
    from detector.render.html import render_report_html

    page = render_report_html(make_report(outlets=["ev\x1bil\x07\x00", "daily", "weekly"]))
    assert _clean(page)
    assert "<title>ev␛il␇␀ → " in page  # the tooltip shows the outlet, made visible
    assert '"ev␛il␇␀"' in page.replace("&#34;", '"')  # data-outlets = the option's value


# ---------------------------------------------------------------- 9: Markdown


def test_markdown_urls_and_emails_stay_text_in_github_renderer() -> None:
    try:
        import cmarkgfm
    except ImportError:
        if in_ci():
            raise
        pytest.skip("cmarkgfm not installed")
    from detector.render.markdown import render_compare_markdown

    body = (
        "Visit https://evil%2Eexample/login or http://2130706433/x or www.evil.example/a "
        "and write to boss@evil.example, xmpp:me@evil.example, mailto:x@evil.example; "
        "<https://evil.example> [x](https://evil.example) ![i](https://evil.example/i.png) "
    ) * 3
    a = Document("a", body)
    b = Document("b\x1b[2J", body)
    p = Passage(Span(0, len(body)), Span(0, len(body)), 60, 1.0, "verbatim")
    result = CompareResult(a, b, Similarity(1, 1, 1, 1, 1), (p,))
    html = cmarkgfm.github_flavored_markdown_to_html(render_compare_markdown(result))
    assert "<a " not in html and "<img" not in html
    assert "https://evil%2Eexample/login" in html  # still readable


# ---------------------------------------------------------------- 10: PAN XML


def test_pan_xml_is_well_formed_with_control_characters_in_ids() -> None:
    from detector.render.panxml import render_compare_pan_xml

    text = "one two three four five"
    p = Passage(Span(0, len(text)), Span(0, len(text)), 5, 1.0, "verbatim")
    result = CompareResult(
        Document("src\x00\x01\x0b\x1b", text), Document("susp\x07\ud800\uffff", text),
        Similarity(1, 1, 1, 1, 1), (p,),
    )
    xml = render_compare_pan_xml(result)
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "document" and len(root) == 1


def test_cli_pan_xml_with_control_character_id(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl"
    text = "the ministers discussed the programme of coordinated actions " * 5
    src.write_text(
        json.dumps({"id": "a\x01", "text": text}) + "\n" + json.dumps({"id": "b\x1b", "text": text}) + "\n",
        encoding="utf-8",
    )
    res = _cli("compare", f"{src}#a\x01", f"{src}#b\x1b", "--format", "pan-xml")
    assert res.returncode == 0, res.stderr
    ET.fromstring(res.stdout.encode("utf-8"))


# ---------------------------------------------------------------- 11: CSV


def test_csv_outlet_list_parts_are_guarded() -> None:
    from detector.render.tabular import guard_cell

    assert guard_cell("wire;=cmd|'/c calc'!A0;-x;+1") == "wire;'=cmd|'/c calc'!A0;'-x;+1"


# ---------------------------------------------------------------- 6: full disk


def test_output_onto_full_disk_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from detector import cli

    target = tmp_path / "out.json"
    target.write_text("old")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        fh = real_fdopen(fd, *args, **kwargs)
        fh.write = full  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", str(Path(__file__).parent.parent / "corpora/sample/sample.jsonl"),
                  "--no-framing", "--format", "json", "-o", str(target)])
    err = capsys.readouterr().err
    assert exc.value.code == 3
    lines = [line for line in err.splitlines() if line.startswith("detector: error")]
    assert len(lines) == 1 and "no space left on device" in lines[0]
    assert "Traceback" not in err
    assert target.read_text() == "old"
    assert not list(tmp_path.glob(".detector-*"))


def test_sqlite_onto_full_disk_is_enospc(tmp_path: Path, monkeypatch) -> None:
    import sqlite3

    from detector.render import sqlite as sq

    def boom(db, report):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(sq, "_fill", boom)
    with pytest.raises(OSError) as exc:
        sq.write_report_sqlite(make_report(), str(tmp_path / "r.db"))
    assert exc.value.errno == errno.ENOSPC
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- 16: canonical JSON


def test_passage_kinds_key_order_is_canonical() -> None:
    from detector.render.tabular import cluster_to_dict

    base = make_report().clusters[0]
    one = Cluster(**{**base.__dict__, "kinds": {"spun": 2, "verbatim": 1, "edited": 3}})
    two = Cluster(**{**base.__dict__, "kinds": {"edited": 3, "verbatim": 1, "spun": 2}})
    a, b = json.dumps(cluster_to_dict(one)), json.dumps(cluster_to_dict(two))
    assert a == b
    assert list(cluster_to_dict(one)["passage_kinds"]) == ["verbatim", "edited", "spun"]
