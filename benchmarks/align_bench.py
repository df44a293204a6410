"""Scale and repetition of the aligner on REAL text: time and peak memory.

Each case runs ``detector.compare.compare`` in a fresh subprocess and reports
wall time of the call, peak RSS of the process (``ru_maxrss``, so imports are
included: about 100 MB) and what was found:

* ``pair-1mb`` / ``pair-5mb`` / ``pair-10mb``: two documents made of real
  1916 front pages (``../shared/corpora/chronam-1916-04.jsonl.gz``, OCR
  English), each of the given size; B is other pages with a quarter of A's
  pages pasted in (real wire text shared at known places).
* ``repeat-100k``: one sentence repeated 100,000 times against a copy with an
  extra opening line (the seed-frequency cap must not silence it).
* ``self-repeat``: a real seed text compared with itself after one of its
  sentences was inserted 12 more times (the issue's "no shared text" case).
* ``over-limit``: ``detector compare`` on two files over the document size
  limit must refuse in one line with the limit stated (exit status 2).

    python benchmarks/align_bench.py [--cases pair-1mb,repeat-100k] [--json]

Timings depend on the machine; a shared, loaded machine inflates them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CHRONAM = SHARED / "corpora" / "chronam-1916-04.jsonl.gz"
SEEDS = ROOT / "benchmarks" / "data" / "seeds"

_CHILD = """
import json, resource, sys, time
from detector.compare import compare
a = open(sys.argv[1], encoding='utf-8').read()
b = open(sys.argv[2], encoding='utf-8').read()
t = time.perf_counter()
r = compare(a, b)
elapsed = time.perf_counter() - t
print(json.dumps({
    'seconds': round(elapsed, 2),
    'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    'passages': len(r.passages),
    'words': sum(p.words for p in r.passages),
    'kinds': sorted({p.kind for p in r.passages}),
    'coverage_a': round(r.similarity.coverage_a, 3),
    'coverage_b': round(r.similarity.coverage_b, 3),
    'notes': list(r.notes),
}))
"""


def _pages() -> list[str]:
    with gzip.open(CHRONAM, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def make_pair(size: int, pages: list[str]) -> tuple[str, str, int]:
    """A and B of about ``size`` characters each from disjoint real pages, B
    holding a quarter of A's pages (every fourth). Returns the shared characters."""
    a_pages: list[str] = []
    k = 0
    while sum(map(len, a_pages)) < size:
        a_pages.append(pages[k % len(pages)])
        k += 1
    shared = a_pages[::4]
    b_pages: list[str] = []
    while sum(map(len, b_pages)) + sum(map(len, shared)) < size:
        b_pages.append(pages[k % len(pages)])
        k += 1
    step = max(1, len(b_pages) // max(1, len(shared)))
    mixed: list[str] = []
    for n, page in enumerate(b_pages):
        mixed.append(page)
        if n % step == 0 and shared:
            mixed.append(shared.pop(0))
    mixed += shared
    return "\n\n".join(a_pages), "\n\n".join(mixed), sum(map(len, a_pages[::4]))


def run_child(a: str, b: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        pa, pb = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        pa.write_text(a, encoding="utf-8")
        pb.write_text(b, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(pa), str(pb)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
    return json.loads(out.stdout)


def over_limit() -> dict[str, object]:
    from detector.inputs.raw import MAX_DOCUMENT_CHARS

    with tempfile.TemporaryDirectory() as tmp:
        pa, pb = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        text = ("The same wire story ran in many papers that week. " * 1_000_000)[
            : 5 * MAX_DOCUMENT_CHARS
        ]
        pa.write_text(text, encoding="utf-8")
        pb.write_text(text, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-m", "detector", "compare", str(pa), str(pb)],
            capture_output=True, text=True, cwd=ROOT,
        )
    return {
        "bytes": 5 * MAX_DOCUMENT_CHARS,
        "exit": out.returncode,
        "stderr_lines": len(out.stderr.strip().splitlines()),
        "message": out.stderr.strip()[:300],
    }


def main(argv: list[str] | None = None) -> int:
    cases_all = ["pair-1mb", "pair-5mb", "pair-10mb", "repeat-100k", "self-repeat", "over-limit"]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="pair-1mb,pair-5mb,repeat-100k,self-repeat,over-limit")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results: dict[str, object] = {}
    pages: list[str] | None = None
    for case in args.cases.split(","):
        if case not in cases_all:
            raise SystemExit(f"unknown case {case!r}; one of {', '.join(cases_all)}")
        if case.startswith("pair-"):
            pages = pages or _pages()
            size = int(case.split("-")[1].removesuffix("mb")) * 1_000_000
            a, b, shared = make_pair(size, pages)
            res = run_child(a, b)
            res.update(chars_a=len(a), chars_b=len(b), shared_chars=shared)
        elif case == "repeat-100k":
            sentence = "The ministry said the talks would continue next week in Geneva. "
            a = sentence * 100_000
            res = run_child(a, "An unrelated opening line here. " + a)
            res.update(chars_a=len(a))
        elif case == "self-repeat":
            text = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
            sentence = "The ministers discussed coordinated foreign policy actions for 2024-2026. "
            cut = len(text) // 2
            a = text[:cut] + sentence * 12 + text[cut:]
            res = run_child(a, a)
            res.update(chars_a=len(a))
        else:
            res = over_limit()
        results[case] = res
        if not args.json:
            print(case, json.dumps(res, ensure_ascii=False), flush=True)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
