"""Per-pair cost of the aligner on REAL document pairs that share text, as the corpus report runs it.

The corpus report aligns every candidate pair with
:func:`detector.align.align_passages` on tokens built once per document.
This script does the same on real pairs from ``../shared/corpora``:

* ``chronam``: 1916 front pages (~22 KB of OCR text each) of the same day
  that share at least ``--min-shared`` 8-word sequences (wire stories);
* ``tg-news-ru``: Telegram posts that share at least one 8-word sequence.

It prints CPU time per pair (``time.process_time``; mean, median, p90, max),
the time split by stage (seeds / sentence seeds / the rest), and writes
every passage's character spans to ``--out`` (JSON) so that two versions
of the aligner can be compared pair by pair (``--compare OLD.json``: how
many passages are the same, grew, shrank, appeared or disappeared).

    python benchmarks/align_bench_pairs.py --corpus chronam --pairs 300 --out new.json
    python benchmarks/align_bench_pairs.py --corpus chronam --compare old.json new.json

Timings depend on the machine; a shared, loaded machine inflates them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import regex

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
CORPORA = {"tg-news-ru": "tg-news-ru.dev.jsonl.gz", "chronam": "chronam-1916-04.jsonl.gz"}
_WORD = regex.compile(r"\w+")


def _shingles(text: str, n: int = 8) -> set[int]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {hash(tuple(words[k : k + n])) for k in range(len(words) - n + 1)}


def sharing_pairs(corpus: str, n_pairs: int, min_shared: int) -> list[tuple[dict, dict]]:
    """Up to ``n_pairs`` document pairs sharing ``min_shared``+ 8-word sequences, in a fixed order.

    Chronam pairs are taken within a day (as wire copies are); the first
    days of the month are scanned until enough pairs are found.
    """
    with gzip.open(SHARED / CORPORA[corpus], "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in recs:
        groups[str(r.get("date"))[:10] if corpus == "chronam" else "all"].append(r)
    pairs: list[tuple[dict, dict]] = []
    for key in sorted(groups):
        docs = groups[key]
        owners: dict[int, list[int]] = defaultdict(list)
        for k, d in enumerate(docs):
            for h in _shingles(d["text"]):
                owners[h].append(k)
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for ks in owners.values():
            if 1 < len(ks) <= 20:  # a shingle in more places is boilerplate
                for x in range(len(ks)):
                    for y in range(x + 1, len(ks)):
                        counts[(ks[x], ks[y])] += 1
        for (x, y), c in sorted(counts.items()):
            if c >= min_shared:
                pairs.append((docs[x], docs[y]))
                if len(pairs) >= n_pairs:
                    return pairs
    return pairs


def run(pairs: list[tuple[dict, dict]]) -> dict[str, object]:
    """Align every pair on per-document cached tokens; CPU seconds per pair and the spans."""
    from detector.align import AlignmentStats, align_passages
    from detector.params import Params
    from detector.tokens import tokenize

    params = Params()
    cache: dict[str, object] = {}

    def tokens(doc: dict):  # type: ignore[no-untyped-def]
        if doc["id"] not in cache:
            cache[doc["id"]] = tokenize(doc["text"], stem=params.stem)
        return cache[doc["id"]]

    times, found = [], {}
    for a, b in pairs:
        ta, tb = tokens(a), tokens(b)
        t0 = time.process_time()
        passages = align_passages(ta, tb, params, stats=AlignmentStats())
        times.append(time.process_time() - t0)
        found[f"{a['id']}|{b['id']}"] = [[p.a.start, p.a.end, p.b.start, p.b.end] for p in passages]
    times_ms = sorted(t * 1000 for t in times)
    return {
        "pairs": len(pairs),
        "passages": sum(len(v) for v in found.values()),
        "ms_mean": round(statistics.fmean(times_ms), 2) if times_ms else 0.0,
        "ms_median": round(statistics.median(times_ms), 2) if times_ms else 0.0,
        "ms_p90": round(times_ms[int(0.9 * (len(times_ms) - 1))], 2) if times_ms else 0.0,
        "ms_max": round(times_ms[-1], 2) if times_ms else 0.0,
        "found": found,
    }


def _covered(spans: list[list[int]]) -> set[int]:
    return {c for s in spans for c in range(s[0], s[1])}


def compare_runs(old: dict, new: dict) -> dict[str, int]:
    """Pair-by-pair difference of two runs' passages (characters of side A covered)."""
    out = {"same": 0, "more": 0, "less": 0, "different": 0, "chars_lost": 0, "chars_gained": 0}
    for key, spans in old["found"].items():
        a_old, a_new = _covered(spans), _covered(new["found"].get(key, []))
        if spans == new["found"].get(key, []):
            out["same"] += 1
        elif a_old <= a_new:
            out["more"] += 1
        elif a_new <= a_old:
            out["less"] += 1
        else:
            out["different"] += 1
        out["chars_lost"] += len(a_old - a_new)
        out["chars_gained"] += len(a_new - a_old)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="chronam")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--min-shared", type=int, default=2, help="8-word sequences a pair must share")
    ap.add_argument("--out", type=Path, help="write the run (times and spans) as JSON")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"), help="compare two runs")
    args = ap.parse_args(argv)
    if args.compare:
        old, new = (json.loads(p.read_text()) for p in args.compare)
        print(json.dumps(compare_runs(old, new)))
        return 0
    pairs = sharing_pairs(args.corpus, args.pairs, args.min_shared)
    result = run(pairs)
    print(json.dumps({k: v for k, v in result.items() if k != "found"}))
    if args.out:
        args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
