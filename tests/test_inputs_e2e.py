"""End to end: saved pages, Telegram exports, outlet folders, --meta, Parquet, extras, -o.

The fixtures under tests/data/inputs/ are written by hand to imitate real
material: news pages with cookie banners, menus, share bars, related links,
comments and footers; a Telegram Desktop export with entities, service
messages, a photo without caption and a forward; an outlet folder tree with a
metadata sidecar.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.cli import main
from detector.load import iter_documents

DATA = Path(__file__).parent / "data" / "inputs"
OUTLETS = DATA / "outlets"
TELEGRAM = DATA / "telegram" / "result.json"
META = DATA / "outlets-meta.csv"
CHROME = (
    "cookie",
    "Subscribe",
    "All rights reserved",
    "Related articles",
    "Politics",
    "Share:",
    "Most read",
    "comments",
    "Advertisement",
    "Privacy",
)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.pass_context
def _entry(ctx: click.Context) -> None:
    main(ctx.args)


def run(args: list[str], input: str | bytes | None = None):
    return CliRunner().invoke(_entry, [str(a) for a in args], input=input)


def run_without(module: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter where ``module`` cannot be imported."""
    code = (
        f"import sys; sys.modules[{module!r}] = None; "
        "from detector.cli import main; main(sys.argv[1:])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120
    )


def one_line_error(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("detector: error:"), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# ----------------------------------------------------------------- pages, Telegram, folders, meta


def test_report_on_pages_telegram_and_outlet_folders_with_meta(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run(
        ["report", OUTLETS, TELEGRAM, "--meta", META, "--format", "json", "-o", out, "--no-framing"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    docs = {d["id"]: d for d in report["documents"]}
    assert sorted(docs) == [
        "eastern-herald/border-talks",
        "eastern-herald/weather-notes",
        "minsk-daily/2024/grain-exports",
        "minsk-daily/2024/minister-meets",
        "Вестник Союза/2",
        "Вестник Союза/4",
        "Вестник Союза/6",
    ]
    # outlet = first folder level (it wins over the page's site name), channel name for Telegram
    assert docs["minsk-daily/2024/minister-meets"]["outlet"] == "minsk-daily"
    assert docs["Вестник Союза/4"]["outlet"] == "Вестник Союза"
    # page metadata: canonical URL, publication date, title
    page = docs["minsk-daily/2024/minister-meets"]
    assert page["url"] == "https://minsk-daily.example/news/2024/03/05/minister-meets-delegation"
    assert page["date"] == "2024-03-05"
    assert docs["eastern-herald/border-talks"]["date"] == "2024-03-06"
    # the sidecar sets date and url of a .txt file and the date of a page; empty cells change nothing
    assert docs["eastern-herald/weather-notes"]["date"] == "2024-03-07"
    assert docs["eastern-herald/weather-notes"]["url"].endswith("/notes-week-10/")
    assert docs["minsk-daily/2024/grain-exports"]["date"] == "2024-03-01T14:10:00+03:00"
    assert docs["minsk-daily/2024/grain-exports"]["outlet"] == "minsk-daily"
    # Telegram: UTC date from date_unixtime, forwarded_from kept
    assert docs["Вестник Союза/2"]["date"] == "2024-03-05T07:15:00+00:00"
    assert "no-such/document" in result.output and "match no document" in result.output
    assert "2 service message(s) and 1 message(s) without text" in result.output

    reuse = [c for c in report["clusters"] if c["kind"] == "reuse"]
    assert len(reuse) == 1
    members = {m["doc"] for m in reuse[0]["members"]}
    assert members == {
        "minsk-daily/2024/minister-meets",
        "eastern-herald/border-talks",
        "Вестник Союза/2",
    }
    texts = {d.id: d.text for d in iter_documents([OUTLETS, TELEGRAM])}
    for cluster in report["clusters"]:
        for m in cluster["members"]:
            assert texts[m["doc"]][m["start"] : m["end"]] == m["text"]  # spans index extracted text
            for chrome in CHROME:
                assert chrome not in m["text"], (chrome, m["doc"])
            assert "<" not in m["text"]


def test_page_chrome_never_reaches_the_text() -> None:
    for doc in iter_documents([OUTLETS]):
        if doc.source.endswith(".html"):
            for chrome in CHROME:
                assert chrome not in doc.text, (chrome, doc.id)
            assert doc.extra["title"]


def test_compare_two_pages_aligns_extracted_text() -> None:
    a = OUTLETS / "minsk-daily" / "2024" / "minister-meets.html"
    b = OUTLETS / "eastern-herald" / "border-talks.html"
    result = run(["compare", a, b, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["a"]["id"] == "minister-meets" and data["b"]["id"] == "border-talks"
    assert len(data["passages"]) == 1
    passage = data["passages"][0]
    assert "The foreign minister met a delegation" in passage["a"]["text"]
    assert "<p>" not in passage["a"]["text"] and "<p>" not in passage["b"]["text"]
    assert passage["words"] >= 80
    substitutions = {(s["a"], s["b"]) for s in passage["substitutions"]}
    assert ("lorries", "trucks") in substitutions


def test_telegram_export_is_recognised_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "vestnik-2024-03.json"
    shutil.copy(TELEGRAM, renamed)
    one_line = tmp_path / "dump.jsonl"
    one_line.write_text(
        json.dumps(json.loads(TELEGRAM.read_text(encoding="utf-8")), ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    for source in (renamed, one_line):
        docs = list(iter_documents([source]))
        assert [d.id for d in docs] == ["Вестник Союза/2", "Вестник Союза/4", "Вестник Союза/6"]
        assert docs[1].extra["forwarded_from"] == "Союзное Вече"
        assert docs[2].text == (
            "Вечерняя сводка: погода — дожди и сильный ветер в западных районах, "
            "https://meteo.example/west"
        )
    result = run(["compare", f"{renamed}#Вестник Союза/2", OUTLETS / "eastern-herald" / "border-talks.html", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["passages"]) == 1
    result = run(["report", "-", "--format", "json", "--no-framing"], input=TELEGRAM.read_bytes())
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["documents"]) == 3


def test_same_file_name_in_two_outlet_folders(tmp_path: Path) -> None:
    text = "The story of the day, told in a few words. " * 5
    (tmp_path / "outlet" / "a").mkdir(parents=True)
    (tmp_path / "other" / "b").mkdir(parents=True)
    (tmp_path / "outlet" / "a" / "story.txt").write_text(text, encoding="utf-8")
    (tmp_path / "other" / "b" / "story.txt").write_text(text, encoding="utf-8")
    (tmp_path / "top.txt").write_text("Directly in the corpus folder.", encoding="utf-8")
    result = run(["report", tmp_path, "--format", "json", "--no-framing"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)["documents"]
    assert [(d["id"], d["outlet"]) for d in docs] == [
        ("other/b/story", "other"),
        ("outlet/a/story", "outlet"),
        ("top", None),
    ]


def test_empty_corpus_is_an_error_naming_skipped_extensions(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "scan2.pdf").write_bytes(b"%PDF-1.4")
    result = run(["report", tmp_path])
    assert result.exit_code == 2
    one_line_error(result.output, "no documents to read", "3 file(s)", ".pdf 2", ".md 1")


def test_page_without_main_text_is_a_bad_record(tmp_path: Path) -> None:
    shutil.copytree(OUTLETS, tmp_path / "c")
    bad = tmp_path / "c" / "minsk-daily" / "menu.html"
    bad.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav></body></html>",
        encoding="utf-8",
    )
    result = run(["report", tmp_path / "c", "--no-framing"])
    assert result.exit_code == 2
    one_line_error(result.output, str(bad), "no main text")
    result = run(["report", tmp_path / "c", "--no-framing", "--skip-bad", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "1 bad records skipped" in result.output


def test_saved_page_asset_folder_is_skipped(tmp_path: Path) -> None:
    shutil.copy(OUTLETS / "eastern-herald" / "border-talks.html", tmp_path / "page.html")
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "ad-frame.html").write_text(
        "<html><body><p>" + "Buy now and save big on everything. " * 20 + "</p></body></html>",
        encoding="utf-8",
    )
    result = run(["report", tmp_path, "--format", "json", "--no-framing"])
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads(result.stdout)["documents"]] == ["page"]
    assert "page_files" in result.output


def test_meta_sidecar_errors(tmp_path: Path) -> None:
    meta = tmp_path / "m.jsonl"
    meta.write_text('{"id": "a", "outlet": "x"}\n{"id": "a", "outlet": "y"}\n', encoding="utf-8")
    result = run(["report", OUTLETS, "--meta", meta])
    assert result.exit_code == 2
    one_line_error(result.output, f"{meta}:2", "given twice")


# ----------------------------------------------------------------- Parquet and extras


def test_parquet_on_the_local_engine(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    texts = [d.text for d in iter_documents([OUTLETS / "eastern-herald", OUTLETS / "minsk-daily"])]
    table = pa.table(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "text": texts,
            "outlet": ["eh", "eh", "md", "md"],
            "date": pa.array([None, None, None, None], pa.timestamp("s")),
        }
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    result = run(["report", path, "--format", "json", "--no-framing"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["id"] for d in data["documents"]] == ["p1", "p2", "p3", "p4"]
    assert any(c["kind"] == "reuse" for c in data["clusters"])


def test_spark_reads_parquet_through_the_inputs_module(tmp_path: Path) -> None:
    """The Spark engine's Parquet reader is the loader's: same documents, same dates."""
    pa = pytest.importorskip("pyarrow")
    import datetime as dt

    import pyarrow.parquet as pq

    from detector.engines.spark import read_parquet_documents

    table = pa.table(
        {
            "id": ["p1", "p2"],
            "text": ["one text here", "another text"],
            "outlet": ["eh", None],
            "series": [None, "md"],
            "date": pa.array([dt.datetime(2024, 5, 1, 12, 30), None], pa.timestamp("s")),
            "views": [3, 4],
        }
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    local = list(iter_documents([str(path)]))
    spark = list(read_parquet_documents([str(path)]))
    assert spark == local
    assert local[0].date == "2024-05-01T12:30:00"  # ISO 8601, as the loader writes it
    assert [d.outlet for d in local] == ["eh", "md"]


def test_missing_extras_are_one_line_errors(tmp_path: Path) -> None:
    page = OUTLETS / "eastern-herald" / "border-talks.html"
    done = run_without("trafilatura", ["report", OUTLETS])
    assert done.returncode == 2
    one_line_error(done.stderr, "'html' extra", "pip install 'reuse-detector[html]'")
    done = run_without("trafilatura", ["compare", page, page])
    assert done.returncode == 2
    one_line_error(done.stderr, "'html' extra")
    done = run_without("pyarrow", ["report", OUTLETS, "--format", "parquet", "-o", tmp_path / "r.parquet"])
    assert done.returncode == 2
    one_line_error(done.stderr, "--format parquet", "'parquet' extra")
    (tmp_path / "x.parquet").write_bytes(b"PAR1")
    done = run_without("pyarrow", ["report", tmp_path])
    assert done.returncode == 2
    one_line_error(done.stderr, "x.parquet", "'parquet' extra")
    done = run_without("pyspark", ["report", OUTLETS, "--engine", "spark"])
    assert done.returncode == 2
    one_line_error(done.stderr, "--engine spark", "'spark' extra")


@pytest.mark.parametrize("command", ["compare", "report", "flag"])
def test_output_into_missing_folder_fails_before_work(tmp_path: Path, command: str) -> None:
    a = OUTLETS / "eastern-herald" / "weather-notes.txt"
    args = [command, a, a] if command == "compare" else [command, OUTLETS]
    result = run([*args, "-o", tmp_path / "missing" / "out.json"])
    assert result.exit_code == 2
    one_line_error(result.output, "does not exist")


def test_declared_dependencies_are_used() -> None:
    """Every core dependency in pyproject.toml is imported by the package (no skops, no snowballstemmer)."""
    tomllib = pytest.importorskip("tomllib")
    import re

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    modules = {"pystemmer": "Stemmer", "scikit-learn": "sklearn"}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "detector").rglob("*.py"))
    imported = set(re.findall(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)", source, re.M))
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
        module = modules.get(name, name.replace("-", "_"))
        assert module in imported, f"{name} is declared but never imported"
    html_extra = " ".join(project["optional-dependencies"]["html"])
    assert "trafilatura" in html_extra and "trafilatura" in imported


def test_index_add_applies_the_meta_sidecar(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = run(["index", "add", db, OUTLETS, "--meta", META])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"4 added, 0 replaced, 0 unchanged, 0 bad records skipped; 4 documents in {db}",
        f"detector: --meta {META}: 1 id(s) match no document: 'no-such/document'",
    ]
    result = run(["index", "report", db, "--format", "json", "--no-framing"])
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in json.loads(result.stdout)["documents"]}
    assert docs["eastern-herald/weather-notes"]["date"] == "2024-03-07"
    assert docs["eastern-herald/weather-notes"]["outlet"] == "eastern-herald"


_PART = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda kind, text: {"type": kind, "text": text},
        st.sampled_from(["bold", "italic", "link", "hashtag", "mention", "plain"]),
        st.text(max_size=20),
    ),
    st.builds(
        lambda text: {"type": "text_link", "text": text, "href": "https://example.org/x"},
        st.text(max_size=20),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_PART, max_size=8))
def test_property_telegram_text_is_the_parts_joined(tmp_path: Path, parts: list[object]) -> None:
    expected = "".join(p if isinstance(p, str) else p["text"] for p in parts)  # type: ignore[index]
    export = {
        "name": "chan",
        "type": "public_channel",
        "id": 1,
        "messages": [
            {"id": 1, "type": "service", "text": ""},
            {"id": 7, "type": "message", "date_unixtime": "1709622900", "text": parts},
            {"id": 8, "type": "message", "text": "kept so the export is never empty"},
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    docs = list(iter_documents([path]))
    if expected.strip():
        assert docs[0].id == "chan/7" and docs[0].text == expected
        assert docs[0].date == "2024-03-05T07:15:00+00:00"
    else:
        assert [d.id for d in docs] == ["chan/8"]
