"""Reuse detection on REAL human paraphrase, scored the PAN way.

Human-written sentence paraphrases (a paraphrase corpus of sentence pairs)
are embedded in unrelated real host documents with known spans: runs of 1-4
consecutive paraphrase pairs become one reused passage, the first sentences
pasted into one host (the source document), their paraphrases into another
(the suspicious document). PAN text-alignment corpora can be scored as they
are. The data is NOT shipped (licences); give its path:

    python benchmarks/paraphrase_eval.py --msrp msr_paraphrase_test.txt --hosts shared
    python benchmarks/paraphrase_eval.py --pairs ru_pairs.tsv --lang ru
    python benchmarks/paraphrase_eval.py --pan-dir PAN13DIR

* ``--msrp``: the Microsoft Research Paraphrase Corpus file (tab-separated:
  Quality, #1 ID, #2 ID, #1 String, #2 String; Quality 1 = paraphrase).
  Published with the corpus (Dolan & Brockett 2005); copies sit in many
  public repositories.
* ``--pairs``: any sentence-pair corpus as ``label<TAB>sentence1<TAB>sentence2``
  (label 1 = paraphrase, 0 = not), e.g. ParaPhraser (Russian, Pivovarova et
  al. 2017) converted from its XML (``class`` 1 -> 1, -1 -> 0, 0 skipped).
* ``--pan-dir``: a PAN 2013/2014 text-alignment corpus directory.

Non-paraphrase pairs (label 0) are embedded the same way as a control: they
are related sentences (same story) that are not the same text; detections on
them are counted, not scored.

``--hosts shared`` takes the hosts from ``../shared/`` (seed texts and 1916
front pages for English, Telegram posts for Russian) instead of the bundled
prose; two hosts that share an 8-word sequence are never paired (their own
reuse would count against precision).

Scores: character-level macro precision, recall, granularity and plagdet per
kind (``human-sentence``: one sentence pair; ``human-passage``: 2-4), and the
kinds the detector gave to what it found. Thresholds are the library
defaults; nothing here tunes them.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evalgen as ev  # private module beside this script

SCHEMA = "detector.paraphrase_eval/1"


def read_msrp(path: Path) -> list[tuple[int, str, str]]:
    """``(label, sentence1, sentence2)`` rows of an MSRP file."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for n, rec in enumerate(reader, 1):
            if n == 1 and rec and not rec[0].strip().isdigit():
                continue  # header
            if len(rec) < 5:
                raise SystemExit(f"{path}:{n}: expected 5 tab-separated fields, got {len(rec)}")
            rows.append((int(rec[0]), rec[3].strip(), rec[4].strip()))
    return rows


def read_pairs(path: Path) -> list[tuple[int, str, str]]:
    """``(label, sentence1, sentence2)`` rows of a ``label<TAB>s1<TAB>s2`` file."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[0].strip() not in {"0", "1"}:
                raise SystemExit(f"{path}:{n}: expected 'label<TAB>sentence1<TAB>sentence2'")
            rows.append((int(parts[0]), parts[1].strip(), parts[2].strip()))
    return rows


SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_hosts(lang: str, limit: int = 400, seed: int = 1) -> list[ev.TextDoc]:
    """Real host documents from ``../shared/``: the seed texts and 1916 front
    pages (English), or Telegram news posts of at least 400 characters
    (Russian). A fixed random sample of ``limit``; never modified."""
    import gzip

    rng = random.Random(seed)
    docs: list[ev.TextDoc] = []
    if lang == "en":
        for path in sorted((SHARED / "seeds").glob("*.txt")):
            docs.append(ev.TextDoc(path.stem, "en", "seeds", path.read_text(encoding="utf-8")))
        corpus = SHARED / "corpora" / "chronam-1916-04.jsonl.gz"
    else:
        corpus = SHARED / "corpora" / "tg-news-ru.dev.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    recs = [r for r in recs if len(r["text"]) >= 400]
    for r in rng.sample(recs, min(limit, len(recs))):
        docs.append(ev.TextDoc(r["id"], lang, r.get("outlet") or r["id"], r["text"]))
    return docs


def embed(
    rows: list[tuple[int, str, str]],
    lang: str,
    seed: int,
    max_run: int = 4,
    hosts: list[ev.TextDoc] | None = None,
) -> list[ev.Pair]:
    """Document pairs with the paraphrases pasted into unrelated real hosts."""
    rng = random.Random(seed)
    if hosts is None:
        hosts = [t for t in ev.load_texts() if t.lang == lang] or ev.load_texts()
    pairs: list[ev.Pair] = []
    positives = [r for r in rows if r[0] == 1 and r[1] and r[2]]
    negatives = [r for r in rows if r[0] == 0 and r[1] and r[2]]
    k = 0
    groups: list[tuple[str, list[tuple[int, str, str]]]] = []
    while k < len(positives):
        run = rng.randint(1, max_run)
        chunk = positives[k : k + run]
        k += run
        groups.append(("human-sentence" if len(chunk) == 1 else "human-passage", chunk))
    groups += [("negative", [r]) for r in negatives]
    shingles: dict[int, set[tuple[str, ...]]] = {}

    def share_text(x: int, y: int) -> bool:
        # hosts that share an 8-word sequence carry real reuse of their own
        # (the same 1916 wire story in two papers, a repost): it would count
        # against precision although it is reuse, so such pairs are not used
        for k in (x, y):
            if k not in shingles:
                shingles[k] = set(ev._shingles(hosts[k].text))
        return bool(shingles[x] & shingles[y])

    for n, (kind, chunk) in enumerate(groups):
        h1, h2 = rng.sample(range(len(hosts)), 2)
        while share_text(h1, h2) or hosts[h1].group == hosts[h2].group:
            h1, h2 = rng.sample(range(len(hosts)), 2)
        src_passage = " ".join(r[1] for r in chunk)
        susp_passage = " ".join(r[2] for r in chunk)
        src_text, (src_span,) = ev._paste(hosts[h1].text, [(src_passage, 0, len(src_passage))], rng)
        susp_text, (susp_span,) = ev._paste(
            hosts[h2].text, [(susp_passage, 0, len(susp_passage))], rng
        )
        cases = () if kind == "negative" else (ev.Case(src_span, susp_span, kind),)
        pairs.append(
            ev.Pair(
                f"{kind}-{n:04d}", kind, lang, hosts[h1].id, hosts[h2].id,
                src_text, susp_text, cases,
            )
        )
    return pairs


def evaluate(pairs: list[ev.Pair], show: int = 0) -> dict[str, object]:
    from detector.compare import compare

    per: dict[str, list[tuple[tuple[ev.Case, ...], list[ev.Detection]]]] = defaultdict(list)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    negatives = {"pairs": 0, "detections": 0, "detections_20_words": 0}
    shown = 0
    for pair in pairs:
        result = compare(pair.src_text, pair.susp_text)
        dets = [
            ev.Detection((p.a.start, p.a.end), (p.b.start, p.b.end), p.words)
            for p in result.passages
        ]
        if pair.obfuscation == "negative":
            negatives["pairs"] += 1
            negatives["detections"] += len(dets)
            negatives["detections_20_words"] += sum(d.words >= 20 for d in dets)
            continue
        per[pair.obfuscation].append((pair.cases, dets))
        for p in result.passages:
            for c in pair.cases:
                if p.b.start < c.susp[1] and c.susp[0] < p.b.end:
                    kinds[pair.obfuscation][p.kind] += 1
                    if shown < show:
                        shown += 1
                        print(f"--- {pair.id} {p.kind} {p.words} words score {p.score:.2f}")
                        print("  A:", pair.src_text[p.a.start : p.a.end][:300])
                        print("  B:", pair.susp_text[p.b.start : p.b.end][:300])
    out: dict[str, object] = {"schema": SCHEMA, "kinds": {}}
    for name, items in sorted(per.items()):
        s = ev.pan_scores(items)
        out["kinds"][name] = {  # type: ignore[index]
            "cases": s.cases, "detected": s.detected_cases, "precision": s.precision,
            "recall": s.recall, "granularity": s.granularity, "plagdet": s.plagdet,
            "found_as": dict(kinds[name]),
        }
    s = ev.pan_scores([it for items in per.values() for it in items])
    out["overall"] = {
        "cases": s.cases, "detected": s.detected_cases, "precision": s.precision,
        "recall": s.recall, "granularity": s.granularity, "plagdet": s.plagdet,
    }
    out["negative_controls"] = negatives
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--msrp", type=Path, help="MSRP file (msr_paraphrase_test.txt)")
    src.add_argument("--pairs", type=Path, help="label<TAB>s1<TAB>s2 file")
    src.add_argument("--pan-dir", type=Path, help="PAN text-alignment corpus directory")
    ap.add_argument("--lang", default="en", help="language of --pairs/--msrp text (hosts)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--hosts",
        choices=("bundled", "shared"),
        default="bundled",
        help="host documents: the bundled seeds and prose, or ../shared/ (seeds and "
        "1916 front pages for English, Telegram news posts for Russian)",
    )
    ap.add_argument("--show", type=int, default=0, help="print N found passages")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.pan_dir:
        pairs = ev.read_pan(args.pan_dir)
    else:
        rows = read_msrp(args.msrp) if args.msrp else read_pairs(args.pairs)
        hosts = shared_hosts(args.lang, seed=args.seed) if args.hosts == "shared" else None
        pairs = embed(rows, args.lang, args.seed, hosts=hosts)
    out = evaluate(pairs, args.show)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"{'kind':<16}{'cases':>6}{'found':>6}{'prec':>8}{'rec':>8}{'gran':>8}{'plagdet':>9}")
    rows_out = [*out["kinds"].items(), ("overall", out["overall"])]  # type: ignore[union-attr]
    for name, s in rows_out:
        print(
            f"{name:<16}{s['cases']:>6}{s['detected']:>6}{s['precision']:>8.3f}{s['recall']:>8.3f}"
            f"{s['granularity']:>8.3f}{s['plagdet']:>9.3f}  {s.get('found_as', '')}"
        )
    print("negative controls (related, not paraphrase):", out["negative_controls"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
