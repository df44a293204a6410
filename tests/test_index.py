"""Tests of the incremental SQLite index: idempotence, crash safety, readers, query, report."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tg_slice import report_json, tg_news_slice

from detector.bucketruns import BucketRuns
from detector.candidates import band_keys
from detector.errors import InputError
from detector.index import (
    SCHEMA_VERSION,
    Index,
    IndexFileError,
    decode_passages,
    encode_passages,
)
from detector.params import DEFAULT_PARAMS
from detector.schema import Document

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "benchmarks" / "data" / "texts.jsonl"


def _words() -> list[list[str]]:
    return [json.loads(line)["text"].split() for line in TEXTS.read_text("utf-8").splitlines()]


def synthetic_corpus(n: int, *, words: int = 150, seed: int = 7) -> list[Document]:
    """``n`` unrelated documents: random ``words``-word slices of the bundled real texts."""
    rng = random.Random(seed)
    pool = _words()
    docs = []
    for i in range(n):
        src = pool[rng.randrange(len(pool))]
        off = rng.randrange(max(1, len(src) - words))
        # shuffle the slice's sentences-worth of words so slices of one text do not align
        body = src[off : off + words]
        rng.shuffle(body)
        docs.append(
            Document(
                id=f"d{i:05d}",
                text=" ".join(body),
                outlet=f"outlet{i % 7}",
                date=f"2024-01-{1 + i % 28:02d}",
            )
        )
    return docs


def write_jsonl(path: Path, docs: list[Document]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            rec = {"id": d.id, "text": d.text, "outlet": d.outlet, "date": d.date}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def check_consistent(db_path: Path) -> None:
    """Every stored document has all its windows and band keys; SQLite is intact."""
    with Index(db_path) as ix:
        assert ix.integrity_check() == []
    con = sqlite3.connect(db_path)
    try:
        # a half-written document would lack some of its bucket entries: every
        # distinct key of its windows' signatures must be stored for it
        runs = BucketRuns(con)
        docs = con.execute("SELECT seq, n_tokens FROM documents").fetchall()
        for seq, n_tokens in docs:
            sigs = [
                np.frombuffer(r[0], dtype="<u4")
                for r in con.execute("SELECT signature FROM windows WHERE doc=? ORDER BY window", (seq,))
            ]
            if n_tokens == 0:
                continue
            assert sigs
            keys = np.unique(band_keys(np.stack(sigs), DEFAULT_PARAMS).view(np.int64))
            found_keys, found_docs = runs.lookup(keys)
            assert np.array_equal(np.unique(found_keys[found_docs == seq]), keys)
        assert runs.entries() == sum(1 for _ in _all_entries(con))
    finally:
        con.close()


def _all_entries(con: sqlite3.Connection):
    for k, _ in con.execute("SELECT keys, docs FROM bucket_blocks"):
        yield from np.frombuffer(k, dtype="<i8").tolist()


# --------------------------------------------------------------------------- basics


def test_add_is_idempotent_and_replaces_changed(tmp_path: Path) -> None:
    docs = synthetic_corpus(30)
    src = write_jsonl(tmp_path / "a.jsonl", docs)
    db = tmp_path / "ix.db"
    with Index(db) as ix:
        first = ix.add([src])
        assert (first.added, first.unchanged, first.replaced) == (30, 0, 0)
        windows = ix.stats().windows
        again = ix.add([src])
        assert (again.added, again.unchanged, again.replaced) == (0, 30, 0)
        assert ix.stats().windows == windows
        changed = Document(id="d00003", text=docs[3].text + " " + docs[4].text, outlet="x")
        third = ix.add([changed])
        assert (third.added, third.replaced) == (0, 1)
        assert ix.document("d00003").text == changed.text
        assert ix.document("d00003").outlet == "x"
        assert len(ix) == 30
        assert ix.stats().windows > windows  # the longer text has more windows
        assert ix.integrity_check() == []
    check_consistent(db)


def test_schema_version_params_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index(db) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION
    with pytest.raises(IndexFileError, match="num_perm"):
        Index(db, DEFAULT_PARAMS.with_(num_perm=64))
    with Index(db) as ix:  # stored parameters are used when none are given
        assert ix.params == DEFAULT_PARAMS
    con = sqlite3.connect(db)
    stored = json.loads(con.execute("SELECT value FROM meta WHERE key='params'").fetchone()[0])
    del stored["lsh_shingle_size"]  # as written by a detector that predates the parameter
    con.execute("UPDATE meta SET value=? WHERE key='params'", (json.dumps(stored),))
    con.commit()
    with pytest.raises(IndexFileError, match="older detector"):
        Index(db)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(IndexFileError, match="newer"):
        Index(db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexFileError):
        Index(junk)


def test_version_1_index_migrates_then_asks_for_a_rebuild(tmp_path: Path) -> None:
    from detector.index.database import MIGRATIONS as _MIGRATIONS

    db = tmp_path / "v1.db"
    con = sqlite3.connect(db)
    con.executescript(_MIGRATIONS[0])
    old = {k: v for k, v in json.loads(json.dumps(DEFAULT_PARAMS.__dict__)).items() if not k.startswith("lsh_")}
    old |= {"lsh_shingle_size": 3, "lsh_threshold": 0.2}  # the version 1 parameters
    con.execute("INSERT INTO meta(key, value) VALUES ('params', ?)", (json.dumps(old),))
    con.execute("PRAGMA user_version=1")
    con.commit()
    con.close()
    # the schema moves to the current version in one transaction, but keys
    # made under other LSH parameters are never reused: a clear error
    with pytest.raises(IndexFileError, match="lsh_threshold"):
        Index(db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"bucket_runs", "bucket_blocks", "framing_flags"} <= tables and "band_keys" not in tables
    con.close()


def test_skip_bad_counts_and_bad_input_raises(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "ok", "text": "one two three four"}\n{"id": "broken"\n', "utf-8")
    with Index(tmp_path / "ix.db") as ix:
        with pytest.raises(InputError):
            ix.add([src])
        # the good record before the bad line was committed or not, never half
        assert ix.integrity_check() == []
        stats = ix.add([src], skip_bad=True)
        assert stats.skipped == 1 and len(stats.errors) == 1
        assert "ok" in ix


def test_passage_codec_round_trip(seeds: dict[str, str]) -> None:
    from detector.candidates import align_pair

    a = Document(id="a", text=seeds["002_df50dd13ef8d3d9a"])
    b = Document(id="b", text="Intro words here. " + a.text[300:1500] + " Outro.")
    passages = align_pair(a, b, DEFAULT_PARAMS)
    assert passages
    assert decode_passages(encode_passages(passages)) == passages


# --------------------------------------------------------------------------- query


def test_flag_codec_keeps_the_stance_and_refuses_rows_without_it() -> None:
    from detector.index.codecs import decode_flags, encode_flags
    from detector.schema import FramingSpan, Span

    flags = [
        FramingSpan("d", 3, 40, "multipolarity", 0.61, (Span(5, 9),), "denied"),
        FramingSpan("d", 50, 90, "sovereignty", 0.9, (), "promoted"),
    ]
    assert decode_flags(encode_flags(flags), "d") == flags
    assert decode_flags("[]", "d") == []
    # written before flags kept their stance: to be flagged again, never read as promoted
    assert decode_flags('[[3,40,"multipolarity",0.61,[[5,9]]]]', "d") is None


def test_query_finds_reused_article_with_spans(tmp_path: Path, seeds: dict[str, str]) -> None:
    archive = synthetic_corpus(60)
    source = Document(
        id="source", text=seeds["004_25d9c6ebddf93f77"], outlet="mag", date="2024-06-20"
    )
    reprint = Document(
        id="reprint", text="Reprinted. " + source.text, outlet="r", date="2024-06-22"
    )
    with Index(tmp_path / "ix.db") as ix:
        ix.add([*archive[:30], reprint, source, *archive[30:]])
        start = source.text.index("Lavrov")
        start = source.text.rfind(".", 0, start) + 1
        end = source.text.find(".", start + 600) + 1
        paragraph = source.text[start:end].strip()
        filler = archive[0].text[:400]
        new = Document(id="new", text=f"{filler}\n\nAs the minister said: {paragraph}\n\nEnd.")
        matches = ix.query(new)
    ids = [m.document.id for m in matches]
    # earliest first: the filler's source (January), then the source, then the reprint
    assert ids[0] == "d00000"
    assert ids.index("source") < ids.index("reprint")
    dates = [m.document.date for m in matches]
    assert dates == sorted(dates)
    match = matches[ids.index("source")]
    best = max(match.passages, key=lambda p: p.words)
    got_a = source.text[best.a.start : best.a.end]
    got_b = new.text[best.b.start : best.b.end]
    # the passage covers the quoted paragraph on both sides; the aligner may
    # take in a few edge words ("As the minister said:"), never much more
    pa, pb = source.text.index(paragraph), new.text.index(paragraph)
    assert best.a.start - 80 <= pa and best.a.end + 80 >= pa + len(paragraph)
    assert pa - best.a.start < 80 and best.a.end - (pa + len(paragraph)) < 80
    assert best.b.start - 80 <= pb and best.b.end + 80 >= pb + len(paragraph)
    assert pb - best.b.start < 80 and best.b.end - (pb + len(paragraph)) < 80
    assert got_a.strip() and got_b.strip()
    # the paragraph's words are kept verbatim: a keep op maps it exactly
    keeps = [op for op in best.ops if op.op == "keep"]
    assert any(
        new.text[op.b.start : op.b.end] == source.text[op.a.start : op.a.end]
        and op.b.end - op.b.start > 0.8 * len(paragraph)
        for op in keeps
    )
    # spans point at the original characters
    assert match.document.text == source.text


def test_query_of_unrelated_text_finds_nothing(tmp_path: Path, seeds: dict[str, str]) -> None:
    with Index(tmp_path / "ix.db") as ix:
        ix.add(synthetic_corpus(20))
        assert ix.query(Document(id="q", text=seeds["001_260e159f90c48a13"])) == []


# --------------------------------------------------------------------------- crash safety

_ADD_SCRIPT = """
import sys
from detector.index import Index
with Index(sys.argv[1]) as ix:
    ix.add([sys.argv[2]])
"""


@pytest.mark.slow
def test_sigkill_during_add_then_resume_with_concurrent_reader(tmp_path: Path) -> None:
    docs = synthetic_corpus(1500, words=120)
    src = write_jsonl(tmp_path / "big.jsonl", docs)
    db = tmp_path / "ix.db"
    Index(db).close()  # create the schema first so the reader can poll
    proc = subprocess.Popen(
        [sys.executable, "-c", _ADD_SCRIPT, str(db), str(src)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seen: list[int] = []
    try:
        reader = sqlite3.connect(db, timeout=30)
        deadline = time.monotonic() + 120
        # a concurrent reader sees only whole batches while the writer works
        while time.monotonic() < deadline:
            reader.execute("BEGIN")  # one snapshot for both reads
            stored = [
                seq for seq, t in reader.execute("SELECT seq, n_tokens FROM documents") if t > 0
            ]
            keyed = set(BucketRuns(reader).docs())
            reader.execute("COMMIT")
            n = len(stored)
            assert set(stored) <= keyed
            seen.append(n)
            if n >= 300:
                break
            time.sleep(0.02)
        reader.close()
        assert proc.poll() is None, "the add finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert max(seen) >= 300 and max(seen) < len(docs)
    check_consistent(db)
    with Index(db) as ix:
        partial = len(ix)
        assert 300 <= partial < len(docs)
        stats = ix.add([src])
        assert stats.unchanged == partial
        assert stats.added == len(docs) - partial
        assert len(ix) == len(docs)
    check_consistent(db)


# --------------------------------------------------------------------------- report equality


def _cluster_view(report) -> list[tuple]:
    return [
        (c.kind, tuple((m.doc, m.start, m.end) for m in c.members), c.earliest, c.passages)
        for c in report.clusters
    ]


def test_three_daily_batches_equal_one_batch_report(tmp_path: Path) -> None:
    from detector.report import build_report

    lines = (ROOT / "corpora" / "sample" / "sample.jsonl").read_text("utf-8").splitlines()
    days = []
    for k in range(3):
        day = tmp_path / f"day{k}.jsonl"
        day.write_text("".join(line + "\n" for line in lines[k::3]), "utf-8")
        days.append(day)
    with Index(tmp_path / "ix.db") as ix:
        for day in days:
            ix.add([day])
            ix.report()  # caches the day's alignments; the next day must still be exact
        incremental = ix.report()
        assert ix.stats().alignments > 0
    batch = build_report([str(d) for d in days], DEFAULT_PARAMS, framing=False, workers=1)
    assert len(batch.clusters) >= 5
    assert {c.kind for c in batch.clusters} == {"reuse", "boilerplate"}
    assert _cluster_view(incremental) == _cluster_view(batch)
    assert incremental.clusters == batch.clusters
    assert incremental.documents == batch.documents
    assert incremental.repeats == batch.repeats
    assert incremental.phrases == batch.phrases
    assert incremental.candidates == batch.candidates
    assert batch.duplicates and incremental.duplicates == batch.duplicates
    assert report_json(incremental) == report_json(batch)


def _no_tokenising(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the per-document analysis fail, in this process and in forked workers."""
    import detector.stages

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("index report tokenised a document for its facts")

    monkeypatch.setattr(detector.stages, "analyse_document", refuse)


def test_chrome_is_stored_at_add_and_the_report_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector.index.codecs import unpack_chrome
    from detector.load import iter_documents
    from detector.report import build_report
    from detector.stages import analyse_document

    sample = ROOT / "corpora" / "sample" / "sample.jsonl"
    docs = list(iter_documents([str(sample)], skip_bad=False))
    expected = {d.id: analyse_document(0, d, DEFAULT_PARAMS).chrome for d in docs}
    assert sum(1 for c in expected.values() if c) >= 10  # the sample has chrome to store
    with Index(tmp_path / "ix.db") as ix:
        ix.add([sample])
        stored = dict(ix._db.execute("SELECT id, chrome FROM documents"))
        assert {k: unpack_chrome(v) for k, v in stored.items()} == expected
        _no_tokenising(monkeypatch)
        incremental = ix.report()
    monkeypatch.undo()
    batch = build_report([str(sample)], DEFAULT_PARAMS, framing=False, workers=1)
    assert report_json(incremental) == report_json(batch)


def _as_version_2(db: Path) -> None:
    """Turn a current index into what schema version 2 wrote: no chrome column."""
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE documents DROP COLUMN chrome")
    con.execute("PRAGMA user_version=2")
    con.commit()
    con.close()


def test_version_2_index_is_migrated_and_its_chrome_computed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector.report import build_report

    sample = ROOT / "corpora" / "sample" / "sample.jsonl"
    db = tmp_path / "ix.db"
    with Index(db) as ix:
        ix.add([sample])
    _as_version_2(db)
    with Index(db) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION == 3
        assert ix._db.execute("SELECT count(*) FROM documents WHERE chrome IS NULL").fetchone()[0] == len(ix)
        migrated = ix.report()  # computes the old rows' chrome and stores it
        assert ix._db.execute("SELECT count(*) FROM documents WHERE chrome IS NULL").fetchone()[0] == 0
        _no_tokenising(monkeypatch)
        again = ix.report()
    monkeypatch.undo()
    batch = build_report([str(sample)], DEFAULT_PARAMS, framing=False, workers=1)
    assert report_json(migrated) == report_json(batch) == report_json(again)


@pytest.mark.slow
def test_index_report_equals_batch_on_real_telegram_posts(tmp_path: Path) -> None:
    """300 real posts added in two batches (reposts, duplicates, footers): the same JSON report."""
    from detector.report import build_report

    src = tg_news_slice(tmp_path)
    lines = src.read_text("utf-8").splitlines(keepends=True)
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    halves[0].write_text("".join(lines[:150]), "utf-8")
    halves[1].write_text("".join(lines[150:]), "utf-8")
    with Index(tmp_path / "ix.db") as ix:
        ix.add([halves[0]])
        ix.report()  # caches the first half's alignments
        ix.add([halves[1]])
        incremental = ix.report()
    batch = build_report([str(src)], DEFAULT_PARAMS, framing=False, workers=2)
    kinds = {c.kind for c in batch.clusters}
    assert kinds == {"reuse", "boilerplate"} and batch.duplicates and batch.candidates > 0
    assert report_json(incremental) == report_json(batch)


# --------------------------------------------------------------------------- CLI


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detector", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_framing_flags_stored_once_per_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detector.framing import FramingClassifier
    from detector.report import build_report

    sample = ROOT / "corpora" / "sample" / "sample.jsonl"
    batch = build_report([str(sample)], DEFAULT_PARAMS, framing=True, workers=1)
    assert batch.framing  # the sample corpus carries frames
    calls: list[str] = []  # ids of the documents the classifier saw
    original = FramingClassifier.flag_documents

    def counting(self, documents, *args, **kwargs):  # type: ignore[no-untyped-def]
        documents = list(documents)
        calls.extend(d.id for d in documents)
        return original(self, documents, *args, **kwargs)

    monkeypatch.setattr(FramingClassifier, "flag_documents", counting)
    with Index(tmp_path / "ix.db") as ix:
        ix.add([sample])
        first = ix.report(framing=True)
        assert len(calls) == len(ix)
        second = ix.report(framing=True)
        assert len(calls) == len(ix)  # every flag came from the index
        assert first.framing == second.framing == batch.framing
        assert second.framing_counts == batch.framing_counts
        # a changed document is flagged again, the others are not
        doc = next(ix.documents())
        ix.add([Document(doc.id, doc.text + " A new closing sentence.", outlet=doc.outlet, date=doc.date)])
        ix.report(framing=True)
        assert calls[-1] == doc.id and len(calls) == len(ix) + 1


def test_cli_add_query_report_stats(tmp_path: Path) -> None:
    sample = ROOT / "corpora" / "sample" / "sample.jsonl"
    db = tmp_path / "archive.db"
    first = _run("index", "add", str(db), str(sample))
    assert first.returncode == 0, first.stderr
    summary = "{} added, 0 replaced, {} unchanged, 0 bad records skipped; 41 documents in " + str(db)
    assert first.stderr.splitlines() == [summary.format(41, 0)]
    again = _run("index", "add", str(db), str(sample))
    assert again.stderr.splitlines() == [summary.format(0, 41)]

    quote = next(
        json.loads(line)
        for line in sample.read_text("utf-8").splitlines()
        if '"bo-000-quote"' in line
    )
    q = tmp_path / "new.txt"
    q.write_text(quote["text"], "utf-8")
    out = _run("index", "query", str(db), str(q), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["schema"] == "detector.index-query/1"
    ids = [m["doc"]["id"] for m in data["matches"]]
    assert "000_aed676f35e158f01" in ids and "bo-000-quote" in ids
    dates = [m["doc"]["date"] for m in data["matches"]]
    assert dates == sorted(dates)
    for m in data["matches"]:
        for p in m["passages"]:
            assert p["b"]["text"] == quote["text"][p["b"]["start"] : p["b"]["end"]]

    rep = _run("index", "report", str(db), "--no-framing", "--format", "json")
    assert rep.returncode == 0, rep.stderr
    data = json.loads(rep.stdout)
    assert data["schema"] == "detector.report/1"
    reuse = sum(c["kind"] == "reuse" for c in data["clusters"])
    boiler = sum(c["kind"] == "boilerplate" for c in data["clusters"])
    [line] = rep.stderr.splitlines()  # one summary line, in the words of `report`
    assert line.startswith(f"41 docs, {reuse} reuse clusters, {boiler} boilerplate,"), line
    stats = _run("index", "stats", str(db), "--format", "json")
    assert json.loads(stats.stdout)["documents"] == 41
    text = _run("index", "query", str(db), str(q), "--color", "never")
    assert text.returncode == 0 and "000_aed676f35e158f01" in text.stdout

    missing = _run("index", "query", str(tmp_path / "nope.db"), str(q))
    assert missing.returncode == 2
    assert "no such index" in missing.stderr


def test_query_with_oversized_bucket_links_latest_document(
    tmp_path: Path, seeds: dict[str, str]
) -> None:
    """A story reprinted more often than the bucket cap still leads a query to a copy."""
    story = seeds["004_25d9c6ebddf93f77"]
    copies = [Document(id=f"copy{i:02d}", text=f"Copy {i}. {story}") for i in range(6)]
    with Index(tmp_path / "ix.db", max_bucket=3) as ix:
        ix.add([*synthetic_corpus(10), *copies])
        matches = ix.query(Document(id="new", text="Today. " + story[:3000]))
    ids = [m.document.id for m in matches]
    assert ids, "an oversized bucket must still yield a candidate"
    assert set(ids) <= {c.id for c in copies}
    assert "copy05" in ids  # the latest copy, as the batch engines chain it
    assert len(ids) < len(copies)  # the cap bounds the candidates
