"""Precision on REAL same-topic pairs that share no copied text: passages per pair.

Pairs of real documents from ``../shared/corpora`` about the same topic
(word tf-idf cosine at least ``--min-cosine``) but from different outlets,
published at least ``--days`` days apart, and sharing no 8-word sequence.
They share vocabulary, names and formulae, not text: every passage the
aligner finds on them is either a paraphrased retelling (true reuse, which
a reader can confirm) or a false passage. The script prints passages per
pair, passages of 20+ words per pair, and a random sample of the passages
to read and judge (``--show``).

    python benchmarks/align_bench_topics.py --corpus tg-news-ru --pairs 300 --show 10

Nothing here tunes a threshold; the library defaults are used.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evalgen as ev  # private module beside this script

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
CORPORA = {"tg-news-ru": "tg-news-ru.dev.jsonl.gz", "chronam": "chronam-1916-04.jsonl.gz"}


def _date(rec: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(rec.get("date"))[:10])
    except ValueError:
        return None


def same_topic_pairs(
    corpus: str,
    n_pairs: int,
    min_cosine: float,
    days: int,
    seed: int,
    min_chars: int = 400,
    per_outlet_pair: int = 5,
) -> list[tuple[dict, dict, float]]:
    """Up to ``n_pairs`` ``(doc, doc, cosine)`` same-topic pairs sharing no 8-word sequence."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    with gzip.open(SHARED / CORPORA[corpus], "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    recs = [r for r in recs if len(r["text"]) >= min_chars and _date(r) is not None]
    matrix = TfidfVectorizer(min_df=2, max_df=0.2, sublinear_tf=True).fit_transform(
        r["text"] for r in recs
    )
    sims = (matrix @ matrix.T).tocoo()
    rng = random.Random(seed)
    cands = [
        (i, j, float(v))
        for i, j, v in zip(sims.row.tolist(), sims.col.tolist(), sims.data.tolist(), strict=True)
        if i < j and v >= min_cosine
    ]
    rng.shuffle(cands)
    out: list[tuple[dict, dict, float]] = []
    used: set[int] = set()
    per_outlets: dict[tuple[str, str], int] = {}
    for i, j, v in cands:
        a, b = recs[i], recs[j]
        if i in used or j in used or a.get("outlet") == b.get("outlet"):
            continue
        # a few pairs per pair of outlets, so that one network's templated
        # posts do not make up the sample
        key = tuple(sorted((str(a.get("outlet")), str(b.get("outlet")))))
        if per_outlets.get(key, 0) >= per_outlet_pair:  # type: ignore[arg-type]
            continue
        if abs((_date(a) - _date(b)).days) < days:  # type: ignore[operator]
            continue
        if set(ev._shingles(a["text"])) & set(ev._shingles(b["text"])):
            continue
        out.append((a, b, v))
        per_outlets[key] = per_outlets.get(key, 0) + 1  # type: ignore[index]
        used.update((i, j))
        if len(out) == n_pairs:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="tg-news-ru")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--min-cosine", type=float, default=0.2)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=10, help="print N random passages to read")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from detector.compare import compare

    pairs = same_topic_pairs(args.corpus, args.pairs, args.min_cosine, args.days, args.seed)
    found = []
    for a, b, cos in pairs:
        for p in compare(a["text"], b["text"]).passages:
            found.append((a, b, cos, p))
    n = max(1, len(pairs))
    out = {
        "corpus": args.corpus,
        "pairs": len(pairs),
        "passages": len(found),
        "passages_per_pair": round(len(found) / n, 4),
        "passages_20_words": sum(p.words >= 20 for *_, p in found),
        "pairs_with_a_passage": len({(a["id"], b["id"]) for a, b, _, _ in found}),
        "kinds": {k: sum(p.kind == k for *_, p in found) for k in sorted({p.kind for *_, p in found})},
    }
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(json.dumps(out, ensure_ascii=False))
    rng = random.Random(args.seed)
    for a, b, cos, p in rng.sample(found, min(args.show, len(found))):
        print(f"--- {a['id']} ({a.get('outlet')}) vs {b['id']} ({b.get('outlet')}), cosine {cos:.2f}:"
              f" {p.kind}, {p.words} words, score {p.score:.2f}")
        print("  A:", a["text"][p.a.start : p.a.end].replace("\n", " ")[:400])
        print("  B:", b["text"][p.b.start : p.b.end].replace("\n", " ")[:400])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
