"""Measure reuse-detection quality the PAN way on generated or PAN-format pairs.

    python benchmarks/reuse_eval.py                      # ~40 pairs per obfuscation
    python benchmarks/reuse_eval.py --n 10 --json        # machine-readable
    python benchmarks/reuse_eval.py --only spun --only reordered
    python benchmarks/reuse_eval.py --write-pan /tmp/pan # write the pairs in PAN layout, then stop
    python benchmarks/reuse_eval.py --pan-dir PAN13DIR   # score a real PAN text-alignment corpus

Pairs are made by ``_evalgen.generate`` from real text (``benchmarks/data``,
see its PROVENANCE.md): passages of 50–250 words cut from a source document,
obfuscated (verbatim, light_edit, spun, reordered, telegram) and pasted into
an unrelated host document, plus negative pairs sharing no text (all ordered
pairs of the five seed texts among them). The system under test is
``detector.compare.compare(source_text, suspicious_text)``; its passages'
``a`` spans are taken as source spans and ``b`` spans as suspicious spans.

Scores (Potthast et al. 2010): character-level macro precision and recall,
granularity and plagdet per obfuscation and overall; for negatives, the
number of detections and of detections with 25 or more words (target: 0).
Wall time of each ``compare`` call is measured too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evalgen as ev  # private module beside this script

SCHEMA = "detector.reuse_eval/1"


def detect(compare: Callable[[str, str], Any], pair: ev.Pair) -> tuple[list[ev.Detection], float]:
    """Run ``compare`` on one pair; return its detections and the wall time in seconds."""
    t0 = time.perf_counter()
    result = compare(pair.src_text, pair.susp_text)
    dt = time.perf_counter() - t0
    dets = [
        ev.Detection((p.a.start, p.a.end), (p.b.start, p.b.end), int(p.words))
        for p in result.passages
    ]
    return dets, dt


def _timing(times: Sequence[float]) -> dict[str, float]:
    if not times:
        return {"mean_ms": 0.0, "median_ms": 0.0, "max_ms": 0.0}
    return {
        "mean_ms": 1000 * statistics.fmean(times),
        "median_ms": 1000 * statistics.median(times),
        "max_ms": 1000 * max(times),
    }


def _scores_dict(s: ev.PanScores) -> dict[str, float]:
    return {
        "cases": s.cases,
        "detected_cases": s.detected_cases,
        "detections": s.detections,
        "precision": s.precision,
        "recall": s.recall,
        "granularity": s.granularity,
        "plagdet": s.plagdet,
    }


def evaluate(
    pairs: Sequence[ev.Pair],
    compare: Callable[[str, str], Any],
    *,
    long_words: int = 25,
    progress: bool = False,
) -> dict[str, Any]:
    """Score ``compare`` on ``pairs``; returns the JSON-ready report.

    The first pair is run once untimed before the measured runs.
    Complexity: one ``compare`` call per pair plus O(cases × detections).
    """
    runs: list[tuple[ev.Pair, list[ev.Detection], float]] = []
    if pairs:  # untimed warm-up: lazy imports and caches would bill the first pair
        compare(pairs[0].src_text, pairs[0].susp_text)
    for i, pair in enumerate(pairs, 1):
        dets, dt = detect(compare, pair)
        runs.append((pair, dets, dt))
        if progress:
            print(f"\r{i}/{len(pairs)} {pair.id:<40}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)

    by_obf: dict[str, list] = defaultdict(list)
    for run in runs:
        by_obf[run[0].obfuscation].append(run)
    report: dict[str, Any] = {"schema": SCHEMA, "pairs": len(runs), "obfuscations": {}}
    positives = [r for r in runs if r[0].obfuscation != "negative"]
    for obf, group in sorted(by_obf.items()):
        if obf == "negative":
            continue
        scores = ev.pan_scores((p.cases, d) for p, d, _ in group)
        report["obfuscations"][obf] = {
            "pairs": len(group),
            **_scores_dict(scores),
            **_timing([t for *_, t in group]),
        }
    if positives:
        report["overall"] = {
            "pairs": len(positives),
            **_scores_dict(ev.pan_scores((p.cases, d) for p, d, _ in positives)),
            **_timing([t for *_, t in positives]),
        }
        for lang in sorted({p.lang for p, _, _ in positives if p.lang}):
            sub = [r for r in positives if r[0].lang == lang]
            report[f"overall_{lang}"] = {
                "pairs": len(sub),
                **_scores_dict(ev.pan_scores((p.cases, d) for p, d, _ in sub)),
                **_timing([t for *_, t in sub]),
            }
    negatives = by_obf.get("negative", [])
    if negatives:
        report["negative"] = _negative_summary(negatives, long_words)
        seeds = [r for r in negatives if r[0].subset == "seeds"]
        if seeds:
            report["negative_seeds"] = _negative_summary(seeds, long_words)
    report["timing"] = _timing([t for *_, t in runs])
    report["details"] = [
        {
            "id": p.id,
            "obfuscation": p.obfuscation,
            "lang": p.lang,
            "src": p.src_id,
            "susp": p.susp_id,
            "cases": [{"src": list(c.src), "susp": list(c.susp), **c.info} for c in p.cases],
            "detections": [
                {"src": list(d.src), "susp": list(d.susp), "words": d.words} for d in dets
            ],
            "ms": round(1000 * dt, 2),
            **({"plagdet": ev.pan_scores([(p.cases, dets)]).plagdet} if p.cases else {}),
        }
        for p, dets, dt in runs
    ]
    return report


def _negative_summary(runs: Sequence[tuple], long_words: int) -> dict[str, Any]:
    dets = [d for _, ds, _ in runs for d in ds]
    long = [d for d in dets if d.words >= long_words]
    return {
        "pairs": len(runs),
        "detections": len(dets),
        f"detections_{long_words}_plus_words": len(long),
        "pairs_with_long_detection": sum(
            1 for _, ds, _ in runs if any(d.words >= long_words for d in ds)
        ),
        "max_words": max((d.words for d in dets), default=0),
        **_timing([t for *_, t in runs]),
    }


def render(report: dict[str, Any], long_words: int = 25) -> str:
    """The report as a plain-text table."""
    head = (
        f"{'obfuscation':<14}{'pairs':>6}{'cases':>7}{'prec':>8}{'rec':>8}{'gran':>8}"
        f"{'plagdet':>9}{'ms/pair':>9}"
    )
    lines = [head, "-" * len(head)]

    def row(name: str, r: dict[str, Any]) -> str:
        return (
            f"{name:<14}{r['pairs']:>6}{r['cases']:>7}{r['precision']:>8.3f}{r['recall']:>8.3f}"
            f"{r['granularity']:>8.3f}{r['plagdet']:>9.3f}{r['mean_ms']:>9.1f}"
        )

    for name, r in report["obfuscations"].items():
        lines.append(row(name, r))
    if "overall" in report:
        lines.append("-" * len(head))
        lines.append(row("overall", report["overall"]))
        for key in sorted(k for k in report if k.startswith("overall_")):
            lines.append(row("  " + key.split("_", 1)[1], report[key]))
    for key, label in (("negative", "negative"), ("negative_seeds", "  seeds")):
        if key in report:
            n = report[key]
            lines.append(
                f"{label:<14}{n['pairs']:>6}  detections {n['detections']}, "
                f"{long_words}+ words {n[f'detections_{long_words}_plus_words']} "
                f"(in {n['pairs_with_long_detection']} pairs, longest {n['max_words']} words), "
                f"{n['mean_ms']:.1f} ms/pair"
            )
    t = report["timing"]
    lines.append(
        f"time per pair: mean {t['mean_ms']:.1f} ms, median {t['median_ms']:.1f} ms, "
        f"max {t['max_ms']:.1f} ms over {report['pairs']} pairs"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=40, help="pairs per obfuscation (default 40)")
    ap.add_argument("--seed", type=int, default=20240615, help="random seed of the generator")
    ap.add_argument(
        "--only",
        action="append",
        choices=ev.OBFUSCATIONS,
        metavar="OBF",
        help=f"only these obfuscations (repeatable): {', '.join(ev.OBFUSCATIONS)}",
    )
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--details", action="store_true", help="keep per-pair details in --json")
    ap.add_argument("--pan-dir", type=Path, help="score a PAN text-alignment corpus instead")
    ap.add_argument(
        "--write-pan",
        type=Path,
        metavar="DIR",
        help="write the generated pairs in PAN layout to DIR and stop",
    )
    ap.add_argument(
        "--long-words",
        type=int,
        default=25,
        help="negatives: count detections of at least this many words (default 25)",
    )
    ap.add_argument("--progress", action="store_true", help="show progress on stderr")
    args = ap.parse_args(argv)

    if args.pan_dir:
        pairs = ev.read_pan(args.pan_dir)
    else:
        pairs = ev.generate(args.n, seed=args.seed, obfuscations=args.only or ev.OBFUSCATIONS)
    if args.write_pan:
        ev.write_pan(pairs, args.write_pan)
        print(f"wrote {len(pairs)} pairs to {args.write_pan}", file=sys.stderr)
        return 0

    from detector.compare import compare

    report = evaluate(pairs, compare, long_words=args.long_words, progress=args.progress)
    report["generator"] = (
        {"pan_dir": str(args.pan_dir)} if args.pan_dir else {"n": args.n, "seed": args.seed}
    )
    if not args.details:
        report.pop("details")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(render(report, args.long_words))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
