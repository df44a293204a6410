"""The Spark engine: the same report as the local engine (clusters, duplicates, phrases), Parquet I/O.

One SparkSession (local mode, 127.0.0.1, no UI) serves the whole test run.
Without pyspark or Java the tests skip on a developer machine and fail in CI
(``tests/conftest.py``: ``require_tool``).
"""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from tg_slice import report_json, tg_news_slice

from detector.params import DEFAULT_PARAMS
from detector.schema import Document

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample" / "sample.jsonl"

pytestmark = [pytest.mark.slow, pytest.mark.spark]


def _java_ok() -> bool:
    java = shutil.which("java")
    if java is None:
        return False
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test run."""
    require_tool(importlib.util.find_spec("pyspark") is not None, "pyspark")
    require_tool(_java_ok(), "Java (17) for Spark")
    from detector.engines.spark import spark_session

    session = spark_session("local[2]", app_name="detector-tests", shuffle_partitions=4)
    yield session
    session.stop()


def _same_clusters(a, b) -> None:
    """Equal clusters; the mean score may differ in its last bit (summation order)."""
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.id, x.kind, x.members, x.earliest, x.earliest_date, x.outlets, x.passages) == (
            y.id,
            y.kind,
            y.members,
            y.earliest,
            y.earliest_date,
            y.outlets,
            y.passages,
        )
        assert dict(x.kinds) == dict(y.kinds)
        assert x.frames == y.frames
        assert x.score == pytest.approx(y.score, rel=1e-12, abs=1e-12)


def test_spark_and_local_give_the_same_report(spark) -> None:
    from detector.engines.spark import build_report_spark
    from detector.report import build_report

    local = build_report([str(SAMPLE)], DEFAULT_PARAMS, framing=True, workers=1)
    remote = build_report_spark([str(SAMPLE)], DEFAULT_PARAMS, framing=True, session=spark)
    assert len(local.clusters) >= 5  # the sample corpus has real reuse
    assert {c.kind for c in local.clusters} == {"reuse", "boilerplate"}
    assert local.duplicates  # and a duplicate group
    _same_clusters(local.clusters, remote.clusters)
    assert local.candidates == remote.candidates
    assert local.duplicates == remote.duplicates
    assert local.documents == remote.documents
    assert local.repeats == remote.repeats
    assert local.phrases == remote.phrases
    assert local.texts == remote.texts
    # framing runs in the executors with the same model: same flags, same counts
    assert local.framing == remote.framing
    assert local.framing_counts == remote.framing_counts
    assert local.notes == remote.notes
    assert report_json(remote) == report_json(local)


def test_spark_equals_local_on_real_telegram_posts(spark, tmp_path: Path) -> None:
    """300 real posts (reposts, duplicates, channel footers): the same JSON report."""
    from detector.engines.spark import build_report_spark
    from detector.report import build_report

    src = tg_news_slice(tmp_path)
    local = build_report([str(src)], DEFAULT_PARAMS, framing=False, workers=2)
    remote = build_report_spark([str(src)], DEFAULT_PARAMS, framing=False, session=spark)
    kinds = {c.kind for c in local.clusters}
    assert kinds == {"reuse", "boilerplate"} and local.duplicates and local.candidates > 0
    assert report_json(remote) == report_json(local)


def test_star_candidate_pairs_match_local(spark) -> None:
    """candidate_pairs_spark gives candidate_pairs' stars on the same keys, numbered in any order."""
    from detector.candidates import band_keys, candidate_pairs, sketch_document
    from detector.engines.spark import candidate_pairs_spark
    from detector.load import iter_documents

    docs = list(iter_documents([str(SAMPLE)]))
    numbers = list(range(len(docs)))
    random.Random(3).shuffle(numbers)  # hubs are the lowest numbers, not the first rows
    keys = [
        (numbers[i], band_keys(sketch_document(d, DEFAULT_PARAMS).signatures, DEFAULT_PARAMS))
        for i, d in enumerate(docs)
    ]
    rows = []
    for i, k in keys:
        for key in k.ravel().view("int64").tolist():  # repeated keys must count once
            rows.append((key, 0, i))
    frame = spark.createDataFrame(rows, "key long, band long, idx long")
    for need in (1, 2, 3):  # pairs sharing at least `need` buckets, counted the same way
        expected = candidate_pairs(keys, min_shared=need)
        got = {(r.i, r.j) for r in candidate_pairs_spark(frame, min_shared=need).collect()}
        assert got == expected, need
    assert candidate_pairs(keys, min_shared=3) < candidate_pairs(keys, min_shared=1)
    # a bucket of k documents is a star of k - 1 pairs around its lowest number
    star = spark.createDataFrame(
        [(7, 0, d) for d in (9, 4, 12, 5)], "key long, band long, idx long"
    )
    assert {(r.i, r.j) for r in candidate_pairs_spark(star).collect()} == {(4, 5), (4, 9), (4, 12)}


def test_chaining_does_not_merge_unrelated_texts(spark) -> None:
    """A-B share one paragraph and B-C another: two clusters in both engines."""
    from detector.engines.spark import build_report_spark
    from detector.report import build_report

    words = [
        json.loads(line)["text"].split()
        for line in (ROOT / "benchmarks" / "data" / "texts.jsonl").read_text("utf-8").splitlines()
    ]
    p1, p2 = " ".join(words[0][:90]), " ".join(words[1][:90])
    f = [" ".join(words[k][200:300]) for k in (2, 3, 4)]
    docs = [
        Document(id="A", text=f"{f[0]}\n\n{p1}", outlet="a"),
        Document(id="B", text=f"{p1}\n\n{f[1]}\n\n{p2}", outlet="b"),
        Document(id="C", text=f"{p2}\n\n{f[2]}", outlet="c"),
    ]
    local = build_report(docs, DEFAULT_PARAMS, framing=False, workers=1)
    remote = build_report_spark(docs, DEFAULT_PARAMS, framing=False, session=spark)
    assert len(local.clusters) == 2
    assert [sorted(m.doc for m in c.members) for c in local.clusters] in (
        [["A", "B"], ["B", "C"]],
        [["B", "C"], ["A", "B"]],
    )
    _same_clusters(local.clusters, remote.clusters)


def test_reprints_are_one_duplicate_group_in_both_engines(spark) -> None:
    """40 copies of one story (with tiny edits) in 40 outlets: one group, aligned 39 times."""
    from detector.engines.spark import build_report_spark
    from detector.report import build_report

    lines = (ROOT / "benchmarks" / "data" / "texts.jsonl").read_text("utf-8").splitlines()
    story = " ".join(json.loads(lines[5])["text"].split()[:300])
    other = [" ".join(json.loads(lines[k])["text"].split()[:200]) for k in (6, 7, 8)]
    docs = [
        Document(
            id=f"copy{k:02d}",
            text=f"Outlet {k} reports. {story}",
            outlet=f"o{k}",
            date=f"2024-05-{1 + k % 28:02d}T{k % 24:02d}:00:00+00:00",
        )
        for k in range(40)
    ] + [Document(id=f"other{k}", text=t, outlet="x") for k, t in enumerate(other)]
    local = build_report(docs, DEFAULT_PARAMS, framing=False, workers=1)
    remote = build_report_spark(docs, DEFAULT_PARAMS, framing=False, session=spark)
    assert len(local.duplicates) == 1 and len(local.duplicates[0].documents) == 40
    assert report_json(remote) == report_json(local)


def test_parquet_input_and_report_round_trip(spark, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from detector.engines.spark import build_report_spark, write_report_parquet
    from detector.load import iter_documents
    from detector.schema import REPORT_SCHEMA

    docs = list(iter_documents([str(SAMPLE)]))
    table = pa.table(
        {
            "id": [d.id for d in docs],
            "text": [d.text for d in docs],
            "series": [d.outlet for d in docs],  # passim's name for the outlet
            "date": [d.date for d in docs],
            "url": [d.url for d in docs],
            "lang": [d.lang for d in docs],
        }
    )
    src = tmp_path / "corpus.parquet"
    pq.write_table(table, src)
    from_parquet = build_report_spark([str(src)], DEFAULT_PARAMS, framing=False, session=spark)
    from_jsonl = build_report_spark([str(SAMPLE)], DEFAULT_PARAMS, framing=False, session=spark)
    _same_clusters(from_parquet.clusters, from_jsonl.clusters)

    out = tmp_path / "report.parquet"
    rows = write_report_parquet(from_jsonl, out)
    assert rows == sum(len(c.members) for c in from_jsonl.clusters) > 0
    back = pq.read_table(out)
    assert back.schema.metadata[b"detector.schema"] == REPORT_SCHEMA.encode()
    records = back.to_pylist()
    expected = [
        (c.id, c.kind, m.doc, m.start, m.end, m.text, c.earliest)
        for c in from_jsonl.clusters
        for m in c.members
    ]
    assert [
        (r["cluster"], r["kind"], r["doc"], r["start"], r["end"], r["text"], r["earliest"])
        for r in records
    ] == expected
    # Spark reads it back too (the form a cluster job would consume)
    assert spark.read.parquet(str(out)).count() == rows


def test_bad_input_is_an_input_error_and_skip_bad_counts(spark, tmp_path: Path) -> None:
    from detector.engines.spark import build_report_spark
    from detector.errors import InputError

    src = tmp_path / "bad.jsonl"
    src.write_text(SAMPLE.read_text("utf-8").splitlines()[0] + "\n{broken\n", "utf-8")
    with pytest.raises(InputError):
        build_report_spark([str(src)], DEFAULT_PARAMS, framing=False, session=spark)
    report = build_report_spark(
        [str(src)], DEFAULT_PARAMS, framing=False, session=spark, skip_bad=True
    )
    assert report.skipped == 1 and len(report.documents) == 1


def test_cli_engine_spark_json_equals_local(spark, tmp_path: Path) -> None:
    """`detector report --engine spark` writes the same detector.report/1 JSON as local."""
    import os
    import sys

    def run(*extra: str) -> dict:
        out = tmp_path / f"{'-'.join(extra) or 'local'}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "detector",
                "report",
                str(SAMPLE),
                "--no-framing",
                "--format",
                "json",
                "-o",
                str(out),
                *extra,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return json.loads(out.read_text("utf-8"))

    local = run("--engine", "local")
    remote = run("--engine", "spark", "--master", "local[2]")
    assert local["schema"] == "detector.report/1"
    assert remote == local
