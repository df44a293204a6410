"""Report outputs (issue 14): GEXF, SQLite, CSV, HTML, Markdown, terminal, stderr summaries.

Most tests use a report built by hand (fast, known numbers); the CLI tests
run the bundled sample corpus (generated text: it checks the plumbing, not
the detection quality).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.schema import (
    Cluster,
    DocInfo,
    FramingCount,
    FramingSpan,
    Member,
    Phrase,
    Repeat,
    Report,
    Span,
    WordOp,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample" / "sample.jsonl"
SEP = "\n\n"


def _doc(i: str, outlet: str | None, date: str | None, url: str | None, text: str) -> DocInfo:
    return DocInfo(i, outlet, date, url, "en", len(text), len(text.split()))


def make_report(n_clusters: int = 3, members: int = 3, outlets: list[str] | None = None) -> Report:
    """A report with ``n_clusters`` reuse clusters over ``outlets`` (known counts)."""
    outlets = outlets or ["wire", "daily", "weekly"]
    body = "The ministers discussed the programme of coordinated actions in foreign policy."
    texts: dict[str, str] = {}
    docs: list[DocInfo] = []
    clusters: list[Cluster] = []
    for c in range(n_clusters):
        ms = []
        for k in range(members):
            doc_id = f"c{c}-d{k}"
            outlet = outlets[k % len(outlets)]
            text = f"Intro {c} {k}.{SEP}{body}{SEP}Footer {doc_id}."
            texts[doc_id] = text
            url = ["https://example.org/a", "javascript:alert(1)", None][k % 3]
            date = f"2024-01-{k + 1:02d}"
            docs.append(_doc(doc_id, outlet, date, url, text))
            start = text.index(body)
            ms.append(Member(doc_id, start, start + len(body), outlet, date, 12, body))
        clusters.append(
            Cluster(
                id=c + 1, kind="reuse", members=tuple(ms), earliest=ms[0].doc,
                earliest_date=ms[0].date, outlets=tuple(sorted({m.outlet for m in ms})),
                passages=members - 1, score=0.9, kinds={"spun": 1, "verbatim": members - 2},
            )
        )
    rep_text = texts["c0-d0"]
    return Report(
        documents=tuple(docs),
        clusters=tuple(clusters),
        repeats=(
            Repeat("c0-d0", (Span(0, 30), Span(40, 70)), 6, rep_text[0:30]),
            Repeat("c0-d0", (Span(5, 15), Span(45, 55)), 2, rep_text[5:15]),  # nested
        ),
        phrases=(Phrase("coordinated actions in", 3, 3, 3, 2, ("daily", "wire")),),
        framing=(FramingSpan("c0-d0", 0, 10, "multipolarity", 0.9),),
        framing_counts=(FramingCount("multipolarity", 1, 1, 1, 1, 0),),
        texts=texts,
    )


# ---------------------------------------------------------------- GEXF


def test_gexf_outlet_network_reads_in_networkx(tmp_path: Path) -> None:
    import networkx as nx

    from detector.render.gexf import render_gexf

    report = make_report(n_clusters=4, members=3)
    path = tmp_path / "r.gexf"
    path.write_text(render_gexf(report), encoding="utf-8")
    g = nx.read_gexf(path)
    labels = {n: d["label"] for n, d in g.nodes(data=True)}
    by_label = {d["label"]: d for _, d in g.nodes(data=True)}
    assert by_label["wire"]["documents"] == 4 and by_label["daily"]["documents"] == 4
    assert by_label["wire"]["start"] == "2024-01-01"
    _, counts = report.outlet_matrix()
    edges = {(labels[a], labels[b]): d for a, b, d in g.edges(data=True)}
    assert {k: int(d["weight"]) for k, d in edges.items()} == counts
    assert ("wire", "daily") in edges and ("daily", "wire") not in edges  # earliest -> later
    assert edges[("wire", "daily")]["start"] == "2024-01-01"
    assert g.is_directed()


def test_gexf_document_level_and_hostile_names(tmp_path: Path) -> None:
    import networkx as nx

    from detector.render.gexf import render_gexf

    report = make_report(n_clusters=2, members=3, outlets=["a\x1b]52;c;eA==\x07", "b\x00", "c"])
    path = tmp_path / "d.gexf"
    path.write_text(render_gexf(report, level="document"), encoding="utf-8")
    g = nx.read_gexf(path)  # well-formed despite ESC, BEL and NUL in outlet names
    assert g.number_of_nodes() == 6
    assert g.number_of_edges() == 4  # a star around each cluster's earliest document
    text = path.read_text("utf-8")
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text


# ---------------------------------------------------------------- SQLite


def test_sqlite_tables_keys_and_views(tmp_path: Path) -> None:
    sqlite_utils = pytest.importorskip("sqlite_utils")
    from detector.render.sqlite import write_report_sqlite

    report = make_report(n_clusters=3, members=3)
    path = tmp_path / "report.db"
    path.write_text("old")  # replaced atomically
    write_report_sqlite(report, str(path))
    db = sqlite_utils.Database(path)
    counts = {t.name: t.count for t in db.tables}
    assert counts["documents"] == 9 and counts["clusters"] == 3 and counts["members"] == 9
    assert counts["phrases"] == 1 and counts["framing"] == 1 and counts["repeats"] == 2
    assert "duplicates" in counts
    assert db["documents"].pks == ["id"] and db["members"].pks == ["cluster", "n"]
    fks = {(fk.column, fk.other_table) for fk in db["members"].foreign_keys}
    assert fks == {("cluster", "clusters"), ("doc", "documents")}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {"outlet_reuse", "document_reuse", "cluster_overview", "framing_by_outlet"} <= set(db.view_names())
    _, counts_matrix = report.outlet_matrix()
    rows = {(r["from_outlet"], r["to_outlet"]): r["clusters"] for r in db["outlet_reuse"].rows}
    assert rows == counts_matrix
    cluster = next(db["clusters"].rows)
    assert (cluster["verbatim"], cluster["spun"]) == (1, 1)
    assert not list(tmp_path.glob(".detector-*"))


def test_cli_sqlite_needs_output_and_writes(tmp_path: Path) -> None:
    res = _cli("report", str(SAMPLE), "--no-framing", "--format", "sqlite")
    assert res.returncode == 2 and "-o FILE" in res.stderr
    out = tmp_path / "r.db"
    res = _cli("report", str(SAMPLE), "--no-framing", "--format", "sqlite", "-o", str(out))
    assert res.returncode == 0, res.stderr
    import sqlite3

    with sqlite3.connect(out) as db:
        assert db.execute("select count(*) from documents").fetchone()[0] == 41


# ---------------------------------------------------------------- CSV


def test_csv_url_column_and_formula_guard() -> None:
    from detector.render.tabular import render_csv

    report = make_report(n_clusters=1, members=3, outlets=["=HYPERLINK(1)", "-2", "@x;+y"])
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [r["url"] for r in rows] == ["https://example.org/a", "javascript:alert(1)", ""]
    by_doc = {r["doc"]: r for r in rows}
    assert by_doc["c0-d0"]["outlet"] == "'=HYPERLINK(1)"
    assert by_doc["c0-d1"]["outlet"] == "-2"  # a number stays a number
    assert by_doc["c0-d2"]["outlet"] == "'@x;'+y"  # every ;-part guarded


def test_csv_read_with_semicolons_has_no_formula_cell() -> None:
    from detector.render.tabular import render_csv

    report = make_report(n_clusters=2, members=3, outlets=["-news", "+wire", "@tg", "=calc"])
    text = render_csv(report)
    bad = [
        cell
        for row in csv.reader(io.StringIO(text), delimiter=";")
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[-+]?[\d.]+", cell)
    ]
    assert bad == []


# ---------------------------------------------------------------- HTML


def test_html_links_only_http_and_repeats_shown() -> None:
    from detector.render.html import render_report_html

    page = render_report_html(make_report())
    assert '<a href="https://example.org/a"' in page
    assert "javascript:" not in page.split('<script type="application/json"')[0]
    assert "Repeats inside documents (1)" in page  # the nested repeat is folded


def test_html_csp_hash_matches_the_inline_script() -> None:
    from detector.render.html import render_report_html, script_hash

    page = render_report_html(make_report())
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1)
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "unsafe-inline" not in script_src
    assert "base-uri 'none'" in csp and "form-action 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1 and script_src.strip() == script_hash(scripts[0])


def test_html_filter_covers_every_section_and_matches_sanitised_options() -> None:
    from detector.render.html import render_report_html

    page = render_report_html(make_report(outlets=["ev\x1bil\x07", "daily", "weekly"]))
    assert "\x1b" not in page and "\x07" not in page
    options = re.findall(r'<option value="([^"]*)">', page)
    evil = next(o for o in options if o.startswith("ev"))
    attrs = re.findall(r'data-outlets="([^"]*)"', page)
    import html as html_lib

    assert any(evil in json.loads(html_lib.unescape(a)) for a in attrs)
    assert 'data-from="' in page  # heatmap cells can be dimmed
    assert '<tr data-outlets="' in page  # phrase and repeat rows can be hidden
    assert 'id="framing"' in page


def test_html_size_is_bounded_and_says_what_is_left_out() -> None:
    from detector.render.html import render_report_html

    top = render_report_html(make_report(n_clusters=100, members=20))
    more_clusters = render_report_html(make_report(n_clusters=400, members=20))
    assert "300 more reuse clusters in the JSON" in more_clusters
    assert "show 12 more members" in top
    assert len(more_clusters) < 1.05 * len(top)  # 4x the clusters, the same page
    huge = render_report_html(make_report(n_clusters=20, members=600))
    assert "492 more members in the JSON" in huge
    assert len(huge) < 2_500_000  # 12,000 members


def test_html_last_heatmap_column_label_fits() -> None:
    from detector.render.html import _heatmap

    names = [f"outlet-with-a-long-name-{i:02d}" for i in range(6)]
    svg = _heatmap(make_report(n_clusters=6, members=6, outlets=names))
    width = float(re.search(r'width="(\d+)"', svg).group(1))
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="144" transform', svg)]
    label = 24 * 7  # the longest label (24 characters) at ~7 px per character
    assert max(xs) + label * 0.5 <= width


def test_html_highlights_word_operations_when_members_carry_them() -> None:
    from detector.render.html import _member_view

    report = make_report(n_clusters=1, members=2)
    c = report.clusters[0]
    m = c.members[1]
    word = m.start + m.text.index("programme")
    ops = (WordOp("substitute", Span(0, 0), Span(word, word + len("programme"))),)
    member = SimpleNamespace(**{**m.__dict__, "ops": ops})
    view = _member_view(report, c, member, {})
    assert ("sub", "programme") in view["segments"]


# ---------------------------------------------------------------- terminal, markdown


def test_terminal_matrix_says_how_many_outlets_and_never_truncates() -> None:
    from detector.render.terminal import make_console, render_report

    names = [f"minsk-{i:02d}-outlet-name" for i in range(15)]
    report = make_report(n_clusters=15, members=15, outlets=names)
    buf = io.StringIO()
    make_console(color="never", file=buf, width=200).print(render_report(report))
    out = buf.getvalue()
    assert "12 of 15 outlets shown" in out
    for name in names[:12]:
        assert name in out
    assert "mi…" not in out


def test_markdown_shows_folded_repeats() -> None:
    from detector.render.markdown import render_report_markdown

    md = render_report_markdown(make_report())
    assert "## Repeats inside documents (1 of 1" in md


# ---------------------------------------------------------------- CLI


def _cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "detector", *args],
        capture_output=True, text=True, input=stdin, timeout=300, check=False,
        env={**os.environ, **(env or {})},
    )


def test_report_summary_wording_and_gexf_cli(tmp_path: Path) -> None:
    out = tmp_path / "r.gexf"
    res = _cli("report", str(SAMPLE), "--no-framing", "--format", "gexf", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert re.search(r"\d+ reuse clusters, \d+ boilerplate,", res.stderr)
    assert "clusters (" not in res.stderr
    import networkx as nx

    assert nx.read_gexf(out).number_of_nodes() == 15


def test_compare_text_keeps_marks_without_colour_and_summarises(tmp_path: Path, seeds) -> None:
    text = seeds["000"] if "000" in seeds else next(iter(seeds.values()))
    words = text.split()
    spun = list(words)
    for i in range(5, min(len(spun), 300), 7):
        spun[i] = "zzword"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(" ".join(words[:300]), encoding="utf-8")
    b.write_text(" ".join(spun[:300]), encoding="utf-8")
    res = _cli("compare", str(a), str(b), env={"NO_COLOR": "1"})
    assert res.returncode == 0, res.stderr
    assert "[~" in res.stdout and "~]" in res.stdout
    assert re.search(r"detector: \d+ passage\(s\)", res.stderr)
    assert len(res.stderr.strip().splitlines()) == 1


def test_flag_prints_one_line_summary(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("The West imposes illegitimate sanctions against our country.", encoding="utf-8")
    res = _cli("flag", str(f))
    assert res.returncode == 0, res.stderr
    assert re.search(r"framing flag\(s\) in \d+ of 1 document", res.stderr)


def test_diff_width_below_60_is_refused() -> None:
    res = _cli("diff", str(SAMPLE) + "#x", str(SAMPLE) + "#y", "--width", "59")
    assert res.returncode == 2
    assert "--width" in res.stderr and "60" in res.stderr
    assert "Traceback" not in res.stderr


# ---------------------------------------------------------------- diff


def test_diff_long_passage_rows_start_level_on_both_sides() -> None:
    """A long passage is cut into rows at shared words, so the columns cannot drift apart."""
    from detector.compare import compare
    from detector.load import load_document
    from detector.render.diffview import _Layout, render_diff_to_string

    for other in ("ert-000-reprint", "nfh-000-spun"):
        result = compare(
            load_document(f"{SAMPLE}#000_aed676f35e158f01"), load_document(f"{SAMPLE}#{other}")
        )
        rows = [r for r in _Layout(result, 2, plain=True).all_rows() if r.joined]
        assert len(rows) >= 5, other
        same = sum(
            r.a.plain.split()[:1] == r.b.plain.split()[:1] for r in rows if r.a.plain and r.b.plain
        )
        assert same >= 0.8 * len(rows), other
        text = render_diff_to_string(result, 100)
        assert not re.search(r"… \d{4,} chars …", text)  # thousands separators everywhere
        assert not any(line.strip() == "#" for line in text.splitlines())


def test_report_progress_shows_an_eta(monkeypatch) -> None:
    from rich.progress import TimeRemainingColumn

    from detector import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = cli._report_progress()
    progress = bar.__enter__()
    try:
        assert progress is not None
        progress("aligning", 1, 10)
        assert any(isinstance(c, TimeRemainingColumn) for c in bar.bar.columns)
    finally:
        bar.__exit__(None, None, None)


def test_html_marks_substituted_words_of_a_real_spun_copy(tmp_path: Path, seeds) -> None:
    """A real report (seed text, an edited copy, an unrelated host): the copy's changed words are marked."""
    import html as html_lib

    texts = list(seeds.values())
    passage = texts[0][2000:3500]
    edited = passage.replace("meeting", "assembly").replace("the ", "THE ", 1)
    assert edited.count("assembly") >= 1
    lines = [
        {"id": "src", "text": texts[0], "outlet": "wire", "date": "2024-01-01"},
        {"id": "copy", "text": texts[1][:1500] + "\n" + edited + "\n" + texts[1][1500:3000],
         "outlet": "daily", "date": "2024-01-02"},
    ]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "r.html"
    res = _cli("report", str(corpus), "--no-framing", "--format", "html", "-o", str(out))
    assert res.returncode == 0, res.stderr
    page = html_lib.unescape(out.read_text(encoding="utf-8"))
    body = page.split("Legend inside highlighted text", 1)[1].split("</p>", 1)[1]
    subs = re.findall(r'<span class="sub">([^<]*)</span>', body)
    assert subs == ["assembly"], subs  # case changes are not marked
    assert '<span class="ins">' not in body


def test_word_ops_spans_index_the_member_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from detector.render.html import word_ops

    words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "Ωmega", "x1"]), min_size=1, max_size=30)

    @settings(max_examples=200, deadline=None)
    @given(a=words, b=words, offset=st.integers(0, 50))
    def check(a: list[str], b: list[str], offset: int) -> None:
        source, text = " ".join(a), " ".join(b)
        prev = offset
        for op in word_ops(source, text, offset):
            assert offset <= op.b.start <= op.b.end <= offset + len(text)
            assert op.b.start >= prev  # in order, never overlapping
            prev = op.b.end
            if op.op == "delete":
                assert op.b.start == op.b.end
            else:
                assert text[op.b.start - offset : op.b.end - offset].strip() == text[op.b.start - offset : op.b.end - offset]
        if a == b:
            assert word_ops(source, text, offset) == []

    check()


def test_duplicate_groups_shown_in_every_format(tmp_path: Path) -> None:
    """The sample corpus has one group of near-identical documents: every format shows it."""
    import sqlite3

    outs = {}
    for fmt in ("json", "html", "markdown", "text", "sqlite"):
        out = tmp_path / f"r.{fmt}"
        res = _cli("report", str(SAMPLE), "--no-framing", "--format", fmt, "-o", str(out), env={"COLUMNS": "200"})
        assert res.returncode == 0, res.stderr
        outs[fmt] = out
    groups = json.loads(outs["json"].read_text(encoding="utf-8"))["duplicates"]
    assert len(groups) == 1
    docs = groups[0]["documents"]
    assert len(docs) >= 2
    page = outs["html"].read_text(encoding="utf-8")
    assert "Duplicate groups (1)" in page and "1 duplicate groups" in page
    section = page.split("Duplicate groups (1)", 1)[1].split("</section>", 1)[0]
    assert all(d in section for d in docs)
    assert f"<td>{groups[0]['similarity']:.2f}</td>" in section  # the group's similarity is shown
    md = outs["markdown"].read_text(encoding="utf-8")
    from detector.render.markdown import md_escape

    assert "## Duplicate groups" in md
    assert all(md_escape(d) in md.split("## Duplicate groups", 1)[1] for d in docs)
    assert "Duplicate groups" in outs["text"].read_text(encoding="utf-8")
    with sqlite3.connect(outs["sqlite"]) as db:
        rows = db.execute("SELECT doc, earliest FROM duplicates ORDER BY n").fetchall()
    assert [r[0] for r in rows] == docs
    assert sum(r[1] for r in rows) == (1 if groups[0]["earliest"] != "unknown" else 0)


def test_word_ops_of_a_copy_of_one_part_of_a_long_source(seeds) -> None:
    """A member copying one paragraph of a long source member is diffed against that paragraph only."""
    from detector.render.html import word_ops

    source = " ".join(seeds.values())  # ~25,000 characters of real text
    start = source.index(" ", len(source) // 2) + 1
    part = source[start : source.index(" ", start + 1200)]
    word = next(w for w in part.split()[10:] if w.isalpha() and len(w) > 5)
    copy = part.replace(word, "REPLACED", 1)
    ops = word_ops(source, copy)
    marked = [(op.op, copy[op.b.start : op.b.end]) for op in ops if op.op != "delete"]
    assert marked == [("substitute", "REPLACED")], marked
    assert word_ops(source, part) == []


def test_html_duplicate_heading_counts_every_group() -> None:
    from dataclasses import replace

    from detector.render.html import render_report_html
    from detector.schema import DuplicateGroup

    base = make_report(n_clusters=1, members=3)
    groups = tuple(
        DuplicateGroup(i + 1, ("c0-d0", "c0-d1"), ("daily", "wire"), "c0-d0", "2024-01-01", 0.91)
        for i in range(250)
    )
    page = render_report_html(replace(base, duplicates=groups))
    assert "Duplicate groups (250)" in page
    assert "50 more duplicate groups in the JSON report" in page
    assert page.count("<td>0.91</td>") == 200


def test_streamed_json_is_the_json_dump_character_for_character() -> None:
    import json as _json

    from detector.render.tabular import iter_json, iter_jsonl, render_jsonl, report_to_dict
    from detector.report import build_report
    from detector.schema import Document

    sample = Path(__file__).parents[1] / "corpora" / "sample"
    empty = build_report([Document(id="a", text="one two three")], framing=False)
    for report in (build_report([str(sample)], framing=False), empty):
        pieces = list(iter_json(report))
        assert len(pieces) > 3
        assert "".join(pieces) == _json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
        assert "".join(iter_jsonl(report)) == render_jsonl(report)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_indented_layout_equals_json_dumps(value) -> None:
    import json as _json

    from detector.render.tabular import _indented

    assert _indented(value, "") == _json.dumps(value, ensure_ascii=False, indent=2)


_OPTIONAL_TEXT = st.none() | st.text()


@given(
    st.text(min_size=1), _OPTIONAL_TEXT, _OPTIONAL_TEXT, _OPTIONAL_TEXT, _OPTIONAL_TEXT,
    st.integers(0, 10**9), st.integers(0, 10**8),
)
def test_document_row_fast_layout_equals_generic(ident, outlet, date, url, lang, chars, words) -> None:
    from detector.render.tabular import _document_dict, _document_json, _indented
    from detector.schema import DocInfo

    info = DocInfo(id=ident, outlet=outlet, date=date, url=url, lang=lang, chars=chars, words=words)
    assert _document_json(info) == _indented(_document_dict(info), "    ")
