"""Benchmark the engines on one corpus: local vs Spark report, index add and query.

The corpus is ``report_bench.generate`` (news-length generated documents
with injected quotes, reprints and per-outlet footers), or a given JSONL
corpus (``--corpus``, optionally ``--slice START:SIZE`` of its documents in
(date, id) order). Each measurement runs in its own process so peak memory
is that run's alone:

* ``local``: :func:`detector.report.build_report` (all cores);
* ``spark``: :func:`detector.engines.spark.build_report_spark` in
  ``local[*]`` (session start-up timed separately);
* ``index-add``: :meth:`detector.index.Index.add` of the whole corpus into a
  fresh database (documents/s, compared with the local report's);
* ``index-report``: :meth:`detector.index.Index.report` of that database
  (first report: nothing cached);
* ``index-query``: :meth:`detector.index.Index.query` of new articles (each
  quoting an archived document) against that database: median and worst
  latency.

Peak memory is the benchmarked process's maximum resident set; for Spark the
largest child process (the JVM, or a Python worker) is printed too, since
the driver's figure leaves the JVM out.

The Spark and index reports are checked to equal the local one: the
SHA-256 of their JSON form (``report_to_dict``, which holds no timings).

Usage: python benchmarks/engines_bench.py --docs 2000 [--no-spark] [--index-only] [--queries 20]
       python benchmarks/engines_bench.py --corpus ../shared/corpora/tg-news-ru.dev.jsonl.gz --slice 6500:300
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def _jvm_peak_mb(session) -> float:
    """Peak resident memory (VmHWM) of the Spark driver JVM, in MB; 0 if unknown."""
    proc = getattr(session.sparkContext._gateway, "proc", None)
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (AttributeError, OSError, ValueError):
        pass
    return 0.0


def _report_key(report) -> dict:
    """SHA-256 of the report's JSON form (no timings in it) and its section sizes."""
    import hashlib

    from detector.render.tabular import report_to_dict

    data = json.dumps(report_to_dict(report), ensure_ascii=False, sort_keys=True)
    return {
        "sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(),
        "clusters": len(report.clusters),
        "duplicates": len(report.duplicates),
        "candidates": report.candidates,
    }


def fast_corpus(n: int, *, words: int = 600, seed: int = 7, outlets: int = 50):
    """``n`` documents of words drawn at random from the bundled texts' vocabulary.

    Much faster to make than ``report_bench.generate`` (numpy sampling, no
    word chain), for filling a large index; 10% of documents quote 60-150
    words of an earlier one, so queries have real matches.
    """
    import numpy as np

    from detector.schema import Document

    rng = np.random.default_rng(seed)
    vocab = sorted(
        {
            w
            for line in (ROOT / "benchmarks" / "data" / "texts.jsonl")
            .read_text("utf-8")
            .splitlines()
            for w in json.loads(line)["text"].split()
        }
    )
    vocab_arr = np.array(vocab, dtype=object)
    docs = []
    for i in range(n):
        body = list(vocab_arr[rng.integers(0, len(vocab), words)])
        if i and rng.random() < 0.1:
            donor = docs[int(rng.integers(0, i))].text.split()
            length = int(rng.integers(60, 150))
            at = int(rng.integers(0, max(1, len(donor) - length)))
            cut = int(rng.integers(0, len(body)))
            body = body[:cut] + donor[at : at + length] + body[cut:]
        outlet = f"outlet{i % outlets:02d}"
        day = 1 + (i * 365) // max(n, 1)
        date = f"2024-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}"
        docs.append(Document(id=f"d{i:06d}", text=" ".join(body), outlet=outlet, date=date))
    return docs


def _child(mode: str, corpus: str, db: str, queries: int) -> dict:
    from detector.params import DEFAULT_PARAMS

    out: dict = {"mode": mode}
    if mode == "local":
        from detector.report import build_report

        t = time.perf_counter()
        rep = build_report([corpus], DEFAULT_PARAMS, framing=False)
        out["seconds"] = time.perf_counter() - t
        out["stages"] = {k: round(v, 2) for k, v in rep.stages.items()}
        out["report"] = _report_key(rep)
    elif mode == "spark":
        from detector.engines.spark import build_report_spark, spark_session

        t = time.perf_counter()
        session = spark_session()
        out["startup"] = time.perf_counter() - t
        t = time.perf_counter()
        rep = build_report_spark([corpus], DEFAULT_PARAMS, framing=False, session=session)
        out["seconds"] = time.perf_counter() - t
        out["stages"] = {k: round(v, 2) for k, v in rep.stages.items()}
        out["report"] = _report_key(rep)
        out["jvm_peak_mb"] = _jvm_peak_mb(session)
        session.stop()
    elif mode == "index-add":
        from detector.index import Index

        t = time.perf_counter()
        with Index(db) as ix:
            stats = ix.add([corpus])
            out["size_mb"] = ix.stats().bytes / 1e6
        out["seconds"] = time.perf_counter() - t
        out["added"] = stats.added
    elif mode == "index-report":
        from detector.index import Index

        with Index(db) as ix:
            t = time.perf_counter()
            rep = ix.report(framing=False)
            out["seconds"] = time.perf_counter() - t
        out["stages"] = {k: round(v, 2) for k, v in rep.stages.items()}
        out["report"] = _report_key(rep)
    elif mode == "index-query":
        from detector.index import Index
        from detector.load import iter_documents
        from detector.schema import Document

        docs = list(iter_documents([corpus]))
        rng = random.Random(11)
        with Index(db) as ix:
            ix.query(Document(id="warm", text=docs[0].text))  # imports, caches
            times, found = [], 0
            for q in range(queries):
                src = rng.choice(docs)
                other = rng.choice(docs)
                words = src.text.split()
                at = rng.randrange(0, max(1, len(words) - 120))
                text = " ".join(other.text.split()[:200] + words[at : at + 100])
                t = time.perf_counter()
                matches = ix.query(Document(id=f"q{q}", text=text))
                times.append(time.perf_counter() - t)
                found += any(m.document.id == src.id for m in matches)
        out["median_ms"] = 1000 * statistics.median(times)
        out["max_ms"] = 1000 * max(times)
        out["found_source"] = f"{found}/{queries}"
    own, child = _peak_mb()
    out["peak_mb"] = own
    out["peak_child_mb"] = child
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--corpus", help="a JSONL/CSV corpus instead of the generated one")
    ap.add_argument(
        "--slice", help="START:SIZE: that many documents of --corpus in (date, id) order"
    )
    ap.add_argument(
        "--index-only", action="store_true", help="only index add and query (for large archives)"
    )
    ap.add_argument(
        "--child", nargs=4, metavar=("MODE", "CORPUS", "DB", "QUERIES"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        mode, corpus, db, queries = args.child
        print(json.dumps(_child(mode, corpus, db, int(queries))))
        return

    from report_bench import generate

    if args.index_only:
        generate = fast_corpus  # a large archive is made faster
    with tempfile.TemporaryDirectory(prefix="engines-bench-") as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        if args.corpus:
            from detector.load import iter_documents

            docs = list(iter_documents([args.corpus]))
            kind = os.path.basename(args.corpus)
            if args.slice:
                start, size = (int(x) for x in args.slice.split(":"))
                docs.sort(key=lambda d: (d.date or "", d.id))
                docs = docs[start : start + size]
                kind += f", documents {start}..{start + len(docs) - 1} in (date, id) order"
        else:
            docs = generate(args.docs)
            kind = "fast_corpus (random vocabulary)" if args.index_only else "report_bench.generate"
        with open(corpus, "w", encoding="utf-8") as fh:
            for d in docs:
                row = {"id": d.id, "text": d.text, "outlet": d.outlet, "date": d.date}
                row.update({k: v for k, v in (("url", d.url), ("lang", d.lang)) if v})
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        mb = os.path.getsize(corpus) / 1e6
        print(f"corpus: {len(docs)} documents, {mb:.1f} MB JSONL ({kind}), {os.cpu_count()} cores")
        db = os.path.join(tmp, "index.db")
        modes = ["local"] + ([] if args.no_spark else ["spark"])
        modes += ["index-add", "index-report", "index-query"]
        if args.index_only:
            modes = ["index-add", "index-query"]
        results = {}
        for mode in modes:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", mode, corpus, db, str(args.queries)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(f"{mode}: FAILED\n{proc.stderr[-2000:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results[mode] = r
            if mode in ("local", "spark", "index-report"):
                extra = f", session start {r['startup']:.1f} s" if "startup" in r else ""
                if "jvm_peak_mb" in r:
                    mem = f"driver peak {r['peak_mb']:.0f} MB + JVM peak {r['jvm_peak_mb']:.0f} MB"
                else:
                    mem = f"peak {r['peak_mb']:.0f} MB (largest worker {r['peak_child_mb']:.0f} MB)"
                mem += f"; {r['report']}"
                print(
                    f"{mode:>11}: {r['seconds']:.1f} s ({len(docs) / r['seconds']:.0f} docs/s, "
                    f"{mb / r['seconds']:.2f} MB/s){extra}; {mem}; stages {r['stages']}"
                )
            elif mode == "index-add":
                print(
                    f"  index-add: {r['seconds']:.1f} s ({r['added'] / r['seconds']:.0f} docs/s), "
                    f"db {r['size_mb']:.0f} MB; peak {r['peak_mb']:.0f} MB"
                )
            else:
                print(
                    f"index-query: median {r['median_ms']:.0f} ms, max {r['max_ms']:.0f} ms over "
                    f"{args.queries} queries against {len(docs)} documents; source found "
                    f"{r['found_source']}; peak {r['peak_mb']:.0f} MB"
                )
        for other in ("spark", "index-report"):
            if "local" in results and other in results:
                same = results["local"]["report"]["sha256"] == results[other]["report"]["sha256"]
                print(f"local and {other} JSON reports identical: {same}")
        if "local" in results and "index-add" in results:
            ratio = results["index-add"]["seconds"] / results["local"]["seconds"]
            print(f"index add time / local report time: {ratio:.2f}")


if __name__ == "__main__":
    main()
