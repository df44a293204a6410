"""Measure translated-passage detection (Russian <-> English) the PAN way, on real parallel news.

    python benchmarks/crosslingual_eval.py            # both directions, negatives, timings
    python benchmarks/crosslingual_eval.py --json     # machine-readable

Parallel text: ``benchmarks/data/wmt24_enru_news.jsonl``, seven news articles
of the WMT24 general test set, English originals with their human Russian
reference translation, paragraph-aligned (``wmt-conference/wmt24-news-systems``,
``txt-ts/sources/en-ru.txt`` and ``txt-ts/references/en-ru.refA.txt``; see
``benchmarks/data/PROVENANCE-crosslingual.md``). WMT21 (kept for evaluation)
is not used.

Cases: runs of consecutive paragraphs of one article, 60-250 words in the
source language, are pasted (their other-language version) at a paragraph
boundary of an unrelated host text:

* ``en->ru``: source = the English article (A); suspicious = a Russian host
  made of real Telegram news posts (``../shared/corpora/tg-news-ru``, news
  channels, 4-6 posts) with the Russian translation pasted in (B);
* ``ru->en``: source = the Russian translation of the article (A);
  suspicious = an English host cut from the seed texts (``../shared/seeds``,
  Russia-Belarus foreign-policy news) with the English original pasted in.

The system under test is ``detector.compare.compare(A, B, cross_lingual=True)``.
Scores: character-level macro precision, recall, granularity and plagdet
(``_evalgen.pan_scores``, Potthast et al. 2010) per direction.

Negatives (target: 0 passages): every article against hosts of the other
language with nothing pasted, and Russian Telegram posts about Russian
affairs (posts naming one of :data:`TOPIC_WORDS`, five at a time) against the
English seed texts (Russia-Belarus foreign policy).

Time per pair is wall time of ``compare`` after the model is loaded; the
load is reported once. Timings depend on machine load: say so when quoting.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evalgen as ev  # private module beside this script

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "wmt24_enru_news.jsonl"
SHARED = ROOT.parent.parent / "shared"
TG = SHARED / "corpora" / "tg-news-ru.dev.jsonl.gz"
SEEDS = SHARED / "seeds"
SCHEMA = "detector.crosslingual_eval/1"
# Russian posts on the subjects of the articles and seeds (foreign policy, Ukraine,
# the US, Germany, economy), for hosts and same-topic negatives.
TOPIC_WORDS = (
    "МИД", "Лавров", "Захаров", "Белорус", "Минск", "Украин", "США", "Герман", "Байден",
    "Трамп", "биткоин", "забастов", "санкци", "Евросоюз", "НАТО", "экономик",
)


def _words(text: str) -> int:
    return len(text.split())


def load_articles() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def _tg_posts() -> list[dict[str, Any]]:
    with gzip.open(TG, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def russian_hosts(posts: list[dict[str, Any]], rng: random.Random, n: int) -> list[str]:
    """Hosts of 4-6 real Russian news posts (>= 40 words each), blank-line separated."""
    pool = [
        p["text"].strip()
        for p in posts
        if _words(p["text"]) >= 40 and any(w in p["text"] for w in TOPIC_WORDS)
    ]
    hosts = []
    for _ in range(n):
        hosts.append("\n\n".join(rng.sample(pool, rng.randint(4, 6))))
    return hosts


def english_hosts(rng: random.Random, n: int) -> list[str]:
    """Hosts of 350-700 words cut at paragraph boundaries from the seed texts."""
    paras: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        paras += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    hosts = []
    for _ in range(n):
        start = rng.randrange(len(paras))
        chunk: list[str] = []
        i = start
        while _words("\n\n".join(chunk)) < rng.randint(350, 700):
            chunk.append(paras[i % len(paras)])
            i += 1
        hosts.append("\n\n".join(chunk))
    return hosts


def chunks(article: dict[str, Any], lang: str, rng: random.Random) -> list[tuple[int, int]]:
    """Non-overlapping paragraph runs ``[lo, hi)`` of 60-250 words (in ``lang``)."""
    paras = article[lang]
    out = []
    i = 0
    while i < len(paras):
        target = rng.randint(60, 250)
        j, words = i, 0
        while j < len(paras) and words + _words(paras[j]) <= 250:
            words += _words(paras[j])
            j += 1
            if words >= target:
                break
        if words >= 60:
            out.append((i, j))
            i = j
        else:
            i = max(j, i + 1)
    return out


def _join(paras: list[str]) -> tuple[str, list[int]]:
    """Paragraphs joined by blank lines, with each paragraph's start offset."""
    starts, pos = [], 0
    for p in paras:
        starts.append(pos)
        pos += len(p) + 2
    return "\n\n".join(paras), starts


def _paste(host: str, passage: str, rng: random.Random) -> tuple[str, int, int]:
    cuts = [0] + [k + 2 for k in range(len(host)) if host.startswith("\n\n", k)] + [len(host) + 2]
    at = rng.choice(cuts)
    if at >= len(host):
        text = host + "\n\n" + passage
        start = len(host) + 2
    else:
        text = host[:at] + passage + "\n\n" + host[at:]
        start = at
    return text, start, start + len(passage)


def make_cases(seed: int) -> tuple[dict[str, list[ev.Pair]], list[tuple[str, str, str]]]:
    rng = random.Random(seed)
    articles = load_articles()
    posts = _tg_posts()
    ru_hosts = russian_hosts(posts, rng, 40)
    en_hosts = english_hosts(rng, 40)
    pairs: dict[str, list[ev.Pair]] = {"en->ru": [], "ru->en": []}
    negatives: list[tuple[str, str, str]] = []
    for direction, src_lang, dst_lang, hosts in (
        ("en->ru", "en", "ru", ru_hosts),
        ("ru->en", "ru", "en", en_hosts),
    ):
        for art in articles:
            src_text, src_starts = _join(art[src_lang])
            for lo, hi in chunks(art, src_lang, rng):
                passage = "\n\n".join(art[dst_lang][lo:hi])
                host = rng.choice(hosts)
                susp, s0, s1 = _paste(host, passage, rng)
                a0 = src_starts[lo]
                a1 = src_starts[hi - 1] + len(art[src_lang][hi - 1])
                case = ev.Case(src=(a0, a1), susp=(s0, s1), obfuscation="translated")
                pairs[direction].append(
                    ev.Pair(
                        id=f"{direction}-{art['id']}-{lo}",
                        obfuscation="translated",
                        lang=dst_lang,
                        src_id=art["id"],
                        susp_id="host",
                        src_text=src_text,
                        susp_text=susp,
                        cases=(case,),
                    )
                )
            negatives.append((f"{art['id']}:{src_lang}-vs-host", src_text, rng.choice(hosts)))
    # Same-topic negatives: Russian foreign-policy posts against the English seeds.
    topical = [
        p["text"] for p in posts if any(w in p["text"] for w in TOPIC_WORDS) and _words(p["text"]) >= 40
    ]
    rng.shuffle(topical)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for k in range(0, min(len(topical), 100), 5):
        ru = "\n\n".join(topical[k : k + 5])
        negatives.append((f"tg-topical-{k}-vs-seed-{k % len(seeds)}", ru, seeds[(k // 5) % len(seeds)]))
    return pairs, negatives


def run(seed: int) -> dict[str, Any]:
    from detector.compare import compare
    from detector.semantic import get_encoder

    t0 = time.perf_counter()
    get_encoder()
    load_s = time.perf_counter() - t0
    pairs, negatives = make_cases(seed)
    out: dict[str, Any] = {"schema": SCHEMA, "seed": seed, "model_load_s": round(load_s, 3)}
    for direction, items in pairs.items():
        scored, times = [], []
        for pair in items:
            t = time.perf_counter()
            res = compare(pair.src_text, pair.susp_text, cross_lingual=True)
            times.append(time.perf_counter() - t)
            dets = [
                ev.Detection(src=(p.a.start, p.a.end), susp=(p.b.start, p.b.end), words=p.words)
                for p in res.passages
            ]
            scored.append((pair.cases, dets))
        s = ev.pan_scores(scored)
        out[direction] = {
            "pairs": len(items),
            "cases": s.cases,
            "detections": s.detections,
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "granularity": round(s.granularity, 4),
            "plagdet": round(s.plagdet, 4),
            "mean_s_per_pair": round(statistics.mean(times), 4),
            "max_s_per_pair": round(max(times), 4),
        }
    neg_hits: list[dict[str, Any]] = []
    for name, a, b in negatives:
        res = compare(a, b, cross_lingual=True)
        for p in res.passages:
            neg_hits.append(
                {"pair": name, "words": p.words, "score": round(p.score, 3),
                 "a": a[p.a.start : p.a.end][:200], "b": b[p.b.start : p.b.end][:200]}
            )
    out["negatives"] = {"pairs": len(negatives), "passages": len(neg_hits), "examples": neg_hits[:10]}
    return out


def render(r: dict[str, Any]) -> str:
    lines = [
        f"model load {r['model_load_s']:.2f} s (once per process)",
        f"{'direction':<9}{'pairs':>6}{'dets':>6}{'P':>8}{'R':>8}{'gran':>7}{'plagdet':>9}{'s/pair':>8}",
    ]
    for d in ("en->ru", "ru->en"):
        x = r[d]
        lines.append(
            f"{d:<9}{x['pairs']:>6}{x['detections']:>6}{x['precision']:>8.3f}{x['recall']:>8.3f}"
            f"{x['granularity']:>7.3f}{x['plagdet']:>9.3f}{x['mean_s_per_pair']:>8.3f}"
        )
    n = r["negatives"]
    lines.append(f"negatives: {n['pairs']} unrelated pairs, {n['passages']} passages reported (target 0)")
    for e in n["examples"]:
        lines.append(f"  {e['pair']}: {e['words']}w {e['score']} | {e['a'][:80]!r} | {e['b'][:80]!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    r = run(args.seed)
    print(json.dumps(r, ensure_ascii=False, indent=2) if args.json else render(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
