"""Condensed and expanded copies, scored the PAN way (granularity above all).

    python benchmarks/align_bench_condensed.py            # 60 cases of each kind
    python benchmarks/align_bench_condensed.py --n 20 --json

Cases are built from real text (``benchmarks/data``: the seed texts and the
bundled prose, see its PROVENANCE.md), whole sentences at a time:

* ``condensed``: a run of consecutive source sentences; the copy keeps some
  of them (each of 10+ words) and leaves out one to three sentences between
  kept ones (as a summary or a shortened reprint does);
* ``expanded``: three to five consecutive source sentences; the copy adds one
  to three sentences of another document between two of them;
* ``separate``: two sentence runs of one source 2-5 sentences apart, pasted
  into the host with host text between them -- two cases, which must stay two
  passages (a gap rule that glues them loses precision here).

Source segment and copy are pasted between paragraphs of unrelated host
documents (same language, other groups than the source; the two hosts and
the added text are different documents, of different groups where there are
enough). A case's source span is the whole
segment (left-out sentences included) and its suspicious span runs from the
first kept word to the last (added sentences included), as PAN annotates
summary obfuscation. The system under test is
``detector.compare.compare(A, B)``. Scores: ``_evalgen.pan_scores`` per kind
(precision, recall, granularity, plagdet) and passages per case. Nothing here
tunes a threshold.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evalgen as ev  # private module beside this script

KINDS = ("condensed", "expanded", "separate")


def _sentences(doc: ev.TextDoc) -> list[str]:
    out = []
    for s, e in ev.sentences(doc.text):
        text = " ".join(doc.text[s:e].split())
        if len(text.split()) >= 10:
            out.append(text)
    return out


def _host(
    docs: list[ev.TextDoc], src: ev.TextDoc, rng: random.Random, *avoid: ev.TextDoc
) -> tuple[ev.TextDoc, list[str]]:
    """A document of the source's language from another group, and its sentences;
    from a group none of ``avoid`` is in when there is one (Russian has two groups)."""
    pool = [d for d in docs if d.lang == src.lang and d.group != src.group and d not in avoid]
    apart = [d for d in pool if d.group not in {a.group for a in avoid}]
    doc = rng.choice(apart or pool)
    return doc, _sentences(doc)


def _case(kind: str, docs: list[ev.TextDoc], rng: random.Random) -> tuple[str, str, list[ev.Case]] | None:
    src = rng.choice(docs)
    sents = _sentences(src)
    doc_a, host_a = _host(docs, src, rng)
    doc_b, host_b = _host(docs, src, rng, doc_a)
    if len(sents) < 12 or len(host_a) < 8 or len(host_b) < 8:
        return None
    pre_a, post_a = " ".join(host_a[:4]), " ".join(host_a[4:8])
    pre_b, post_b = " ".join(host_b[:4]), " ".join(host_b[4:8])
    if kind == "condensed":
        start = k = rng.randrange(0, len(sents) - 11)
        kept = []
        for _ in range(rng.choice((2, 3))):
            kept.append(k)
            k += 1 + rng.choice((1, 2, 3))
        src_text = " ".join(sents[start : kept[-1] + 1])
        copy = " ".join(sents[i] for i in kept)
        cases_src = [(0, len(src_text))]
        cases_b = [(0, len(copy))]
    elif kind == "expanded":
        k = rng.randrange(0, len(sents) - 5)
        seg = sents[k : k + rng.choice((3, 4, 5))]
        cut = rng.randrange(1, len(seg))
        _, extra = _host(docs, src, rng, doc_a, doc_b)
        added = extra[: rng.choice((1, 2, 3))]
        src_text = " ".join(seg)
        copy = " ".join(seg[:cut] + added + seg[cut:])
        cases_src = [(0, len(src_text))]
        cases_b = [(0, len(copy))]
    else:  # separate
        k = rng.randrange(0, len(sents) - 11)
        one = sents[k : k + 2]
        j = k + 2 + rng.choice((2, 3, 4, 5))
        two = sents[j : j + 2]
        src_text = " ".join(sents[k : j + 2])
        mid = " ".join(host_b[8:10]) or "Meanwhile other news came in."
        copy = " ".join(one) + " " + mid + " " + " ".join(two)
        s_one, s_two = " ".join(one), " ".join(two)
        cases_src = [(0, len(s_one)), (src_text.index(s_two), src_text.index(s_two) + len(s_two))]
        cases_b = [(0, len(s_one)), (copy.index(s_two), copy.index(s_two) + len(s_two))]
    a = f"{pre_a}\n\n{src_text}\n\n{post_a}"
    b = f"{pre_b}\n\n{copy}\n\n{post_b}"
    oa, ob = len(pre_a) + 2, len(pre_b) + 2
    cases = [
        ev.Case((oa + s0, oa + s1), (ob + t0, ob + t1), kind)
        for (s0, s1), (t0, t1) in zip(cases_src, cases_b, strict=True)
    ]
    return a, b, cases


def evaluate(n: int, seed: int) -> dict[str, dict[str, float]]:
    """PAN scores per kind over ``n`` generated cases of each kind."""
    from detector.compare import compare

    docs = ev.load_texts()
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        rng = random.Random(f"{seed}-{kind}")
        items, passages, made = [], 0, 0
        while made < n:
            built = _case(kind, docs, rng)
            if built is None:
                continue
            a, b, cases = built
            dets = [ev.Detection((p.a.start, p.a.end), (p.b.start, p.b.end), p.words) for p in compare(a, b).passages]
            items.append((cases, dets))
            passages += len(dets)
            made += 1
        s = ev.pan_scores(items)
        out[kind] = {
            "cases": s.cases, "detected": s.detected_cases, "precision": round(s.precision, 3),
            "recall": round(s.recall, 3), "granularity": round(s.granularity, 3),
            "plagdet": round(s.plagdet, 3), "passages_per_pair": round(passages / n, 3),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="cases per kind (default 60)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = evaluate(args.n, args.seed)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"{'kind':<11}{'cases':>6}{'found':>6}{'prec':>7}{'rec':>7}{'gran':>7}{'plagdet':>8}{'pass/pair':>10}")
    for kind, s in out.items():
        print(
            f"{kind:<11}{s['cases']:>6}{s['detected']:>6}{s['precision']:>7.3f}{s['recall']:>7.3f}"
            f"{s['granularity']:>7.3f}{s['plagdet']:>8.3f}{s['passages_per_pair']:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
