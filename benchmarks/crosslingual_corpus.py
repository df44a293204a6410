"""Corpus-scale translated-passage search: recall, precision and cost of
``detector.crosslingual.translated_passages`` on a real mixed corpus.

    python benchmarks/crosslingual_corpus.py                 # full corpus
    python benchmarks/crosslingual_corpus.py --english 300 --json out.json
    python benchmarks/crosslingual_corpus.py --show 10       # print found passages

The corpus:

* every post of ``../shared/corpora/tg-news-ru.dev.jsonl.gz`` (8,595 real
  Russian Telegram posts, 24 channels);
* ``--english`` real English documents: front pages of April 1916 US papers
  (``../shared/corpora/chronam-1916-04.jsonl.gz``, the first N) and the five
  English seed texts (``../shared/seeds``);
* real parallel news: the seven WMT24 en-ru articles of
  ``benchmarks/data/wmt24_enru_news.jsonl`` (English originals and their
  human Russian reference translation; WMT21 is held out and not used).
  Each article is cut into paragraph runs of 60-250 English words. Every
  run's Russian translation is pasted at a paragraph boundary of a real
  Telegram news post (the post keeps its id, date and channel, as a channel
  retelling a foreign article would); the English article is added whole,
  dated a day before. Every second run is also pasted (in English) into a
  slice of a 1916 front page, dated a day after the post (a translation back
  into English).
* a second, unplanted test: the Debian history pages in English and in
  their Russian translation shipped in the same Debian package
  (``benchmarks/data/texts.jsonl``, group ``debian-history``: 12 English and
  7 Russian documents of about 700 words, cut at different places, so only
  the document pairs are known, not the spans). Scored as the share of the
  Russian pages' characters inside a translated passage paired with an
  English Debian page ("coverage"; a small part of the Russian pages has no
  English counterpart in the sample), and passages between a Debian page and
  anything else (false positives).

Truth: every (post, English document) pair that holds the same run, with
the run's character spans on both sides. Anything else found is a false
positive: unrelated documents (8,595 posts against hundreds of English
pages sharing numbers, dates and names) must get no translated passage.

Scores:

* pair recall: truth pairs with at least one found passage overlapping
  the truth spans; candidate recall: truth pairs among the anchor candidates;
* character recall (per truth pair, macro) and precision (per found
  passage, macro) on both sides;
* false positives: found passages overlapping no truth span (listed);
* cost: candidates, sentences embedded (out of the corpus total, counted
  with the same segmenter on a sample), seconds per stage, model load apart.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "wmt24_enru_news.jsonl"
SHARED = ROOT.parent.parent / "shared"
TG = SHARED / "corpora" / "tg-news-ru.dev.jsonl.gz"
CHRONAM = SHARED / "corpora" / "chronam-1916-04.jsonl.gz"
SEEDS = SHARED / "seeds"
TEXTS = ROOT / "data" / "texts.jsonl"
SCHEMA = "detector.crosslingual_corpus/1"
NEWS_WORDS = ("МИД", "Украин", "США", "Росси", "заявил", "сообщ", "Москв", "президент")


@dataclass(frozen=True)
class Truth:
    ru: int
    en: int
    ru_span: tuple[int, int]
    en_span: tuple[int, int]
    run: str


def _words(text: str) -> int:
    return len(text.split())


def _read_jsonl_gz(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit is not None and len(out) >= limit:
                break
    return out


def runs(paras: list[str]) -> list[tuple[int, int]]:
    """Consecutive paragraph runs ``[lo, hi)`` of 60-250 words (greedy, non-overlapping)."""
    out, i = [], 0
    while i < len(paras):
        j, words = i, 0
        while j < len(paras) and words + _words(paras[j]) <= 250:
            words += _words(paras[j])
            j += 1
        if j == i:  # one paragraph over 250 words: skip it
            i += 1
            continue
        if words >= 60:
            out.append((i, j))
        i = j
    return out


def _paste(host: str, passage: str, rng: random.Random) -> tuple[str, int, int]:
    """``passage`` inserted at a random paragraph boundary of ``host`` (its span)."""
    cuts = [0] + [k + 2 for k in range(len(host) - 1) if host.startswith("\n\n", k)] + [len(host)]
    at = rng.choice(cuts)
    if at >= len(host):
        return host + "\n\n" + passage, len(host) + 2, len(host) + 2 + len(passage)
    return host[:at] + passage + "\n\n" + host[at:], at, at + len(passage)


def _shift(date: str | None, days: int) -> str | None:
    if not date:
        return None
    return (datetime.fromisoformat(date) + timedelta(days=days)).isoformat()


def build(english: int, seed: int) -> tuple[list[Any], list[Truth]]:
    """The corpus (``Document`` list) and its truth."""
    from detector.schema import Document

    rng = random.Random(seed)
    posts = _read_jsonl_gz(TG)
    docs: list[Document] = [
        Document(id=p["id"], text=p["text"], outlet=p.get("outlet"), date=p.get("date"), url=p.get("url"))
        for p in posts
    ]
    pages = _read_jsonl_gz(CHRONAM, english)
    for p in pages:
        docs.append(Document(id=p["id"], text=p["text"], outlet=p.get("outlet"), date=p.get("date")))
    for path in sorted(SEEDS.glob("*.txt")):
        docs.append(Document(id=path.stem, text=path.read_text(encoding="utf-8"), outlet="seed"))
    hosts = [
        k for k, p in enumerate(posts)
        if _words(p["text"]) >= 30 and any(w in p["text"] for w in NEWS_WORDS)
    ]
    rng.shuffle(hosts)
    for line in TEXTS.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["group"] == "debian-history":
            docs.append(Document(id=rec["id"], text=rec["text"], outlet="debian-history", lang=rec["lang"]))
    articles = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    truth: list[Truth] = []
    n_run = 0
    for art in articles:
        en_text = "\n\n".join(art["en"])
        en_starts, pos = [], 0
        for para in art["en"]:
            en_starts.append(pos)
            pos += len(para) + 2
        article_index = len(docs)
        docs.append(Document(id=f"wmt-en-{art['id']}", text=en_text, outlet="wmt24"))
        first_post_date = None
        for lo, hi in runs(art["en"]):
            k = hosts.pop()
            post = docs[k]
            ru_passage = "\n\n".join(art["ru"][lo:hi])
            text, r0, r1 = _paste(post.text, ru_passage, rng)
            docs[k] = Document(id=post.id, text=text, outlet=post.outlet, date=post.date, url=post.url)
            first_post_date = first_post_date or post.date
            e0, e1 = en_starts[lo], en_starts[hi - 1] + len(art["en"][hi - 1])
            run_id = f"{art['id']}:{lo}-{hi}"
            truth.append(Truth(k, article_index, (r0, r1), (e0, e1), run_id))
            if n_run % 2 == 1:
                page = rng.choice(pages)["text"]
                start = rng.randrange(max(len(page) - 3000, 1))
                host = page[start : start + 3000]
                host = host[host.find("\n") + 1 : host.rfind("\n")] if "\n" in host else host
                en_host, h0, h1 = _paste(host, en_text[e0:e1], rng)
                truth.append(Truth(k, len(docs), (r0, r1), (h0, h1), run_id))
                docs.append(Document(
                    id=f"en-host-{run_id}", text=en_host, outlet="host", date=_shift(post.date, 1)
                ))
            n_run += 1
        art_doc = docs[article_index]
        docs[article_index] = Document(
            id=art_doc.id, text=art_doc.text, outlet="wmt24", date=_shift(first_post_date, -1)
        )
    return docs, truth


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def score(docs: list[Any], truth: list[Truth], found: list[tuple[int, int, Any]]) -> dict[str, Any]:
    """Pair and character recall, passage precision, false positives."""
    from detector.anchors import is_cyrillic

    def sides(i: int, j: int, p: Any) -> tuple[int, int, tuple[int, int], tuple[int, int]]:
        a, b = (p.a.start, p.a.end), (p.b.start, p.b.end)
        return (i, j, a, b) if is_cyrillic(docs[i]) else (j, i, b, a)

    oriented = [sides(i, j, p) for i, j, p in found]
    by_pair: dict[tuple[int, int], list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    for ru, en, rs, es in oriented:
        by_pair.setdefault((ru, en), []).append((rs, es))
    recall_ru, recall_en, hit = [], [], 0
    for t in truth:
        got = by_pair.get((t.ru, t.en), [])
        got = [(rs, es) for rs, es in got if _overlap(rs, t.ru_span) and _overlap(es, t.en_span)]
        if got:
            hit += 1
        ru_cov = sum(_overlap(s, t.ru_span) for s in _union([rs for rs, _ in got]))
        en_cov = sum(_overlap(s, t.en_span) for s in _union([es for _, es in got]))
        recall_ru.append(ru_cov / (t.ru_span[1] - t.ru_span[0]))
        recall_en.append(en_cov / (t.en_span[1] - t.en_span[0]))
    prec_ru, prec_en, false_pos = [], [], []
    truth_by_pair: dict[tuple[int, int], list[Truth]] = {}
    for t in truth:
        truth_by_pair.setdefault((t.ru, t.en), []).append(t)
    for ru, en, rs, es in oriented:
        ts = truth_by_pair.get((ru, en), [])
        pr = sum(_overlap(rs, t.ru_span) for t in ts) / max(rs[1] - rs[0], 1)
        pe = sum(_overlap(es, t.en_span) for t in ts) / max(es[1] - es[0], 1)
        prec_ru.append(min(pr, 1.0))
        prec_en.append(min(pe, 1.0))
        if pr == 0 and pe == 0:
            false_pos.append((ru, en, rs, es))

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return {
        "truth_pairs": len(truth),
        "pairs_found": hit,
        "pair_recall": hit / len(truth) if truth else 0.0,
        "char_recall_ru": mean(recall_ru),
        "char_recall_en": mean(recall_en),
        "passages": len(found),
        "char_precision_ru": mean(prec_ru),
        "char_precision_en": mean(prec_en),
        "false_positives": len(false_pos),
        "false_positive_pairs": [
            {"ru": docs[ru].id, "en": docs[en].id, "ru_text": docs[ru].text[rs[0] : rs[1]][:300],
             "en_text": docs[en].text[es[0] : es[1]][:300]}
            for ru, en, rs, es in false_pos[:20]
        ],
    }


def _both_debian(docs: list[Any], f: tuple[int, int, Any]) -> bool:
    return docs[f[0]].outlet == docs[f[1]].outlet == "debian-history"


def debian_scores(docs: list[Any], found: list[tuple[int, int, Any]]) -> dict[str, Any]:
    """Coverage of the Russian Debian pages by passages paired with English Debian pages."""
    deb = {k for k, d in enumerate(docs) if d.outlet == "debian-history"}
    ru = {k for k in deb if docs[k].lang == "ru"}
    covered: dict[int, list[tuple[int, int]]] = {k: [] for k in ru}
    false_pos = 0
    for i, j, p in found:
        if (i in deb) != (j in deb):
            false_pos += 1
        elif i in deb and j in deb:
            if i in ru:
                covered[i].append((p.a.start, p.a.end))
            if j in ru:
                covered[j].append((p.b.start, p.b.end))
    total = sum(len(docs[k].text) for k in ru)
    inside = sum(e - s for k in ru for s, e in _union(covered[k]))
    return {
        "debian_ru_chars": total,
        "debian_coverage_ru": inside / total if total else 0.0,
        "debian_passages": sum(1 for i, j, _p in found if i in deb and j in deb),
        "debian_false_positives": false_pos,
    }


def corpus_sentences(docs: list[Any], sample: int, seed: int) -> int:
    """Estimated sentences in the whole corpus (segmenter run on a random sample)."""
    from detector.sentences import sentence_spans

    rng = random.Random(seed)
    picked = rng.sample(range(len(docs)), min(sample, len(docs)))
    n = sum(len(sentence_spans(docs[k].text, docs[k].lang)) for k in picked)
    return round(n * len(docs) / len(picked))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--english", type=int, default=300, help="1916 front pages added (default 300)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="print N random passages found between Debian pages")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)

    from detector.anchors import AnchorStats, cross_candidates
    from detector.crosscorpus import CorpusStats, translated_passages
    from detector.semantic import get_encoder

    t = time.perf_counter()
    get_encoder()
    load = time.perf_counter() - t
    docs, truth = build(args.english, args.seed)
    astats = AnchorStats()
    cands = cross_candidates(docs, stats=astats)
    cand_pairs = {(c.i, c.j) for c in cands}
    cand_hit = sum(1 for tr in truth if (min(tr.ru, tr.en), max(tr.ru, tr.en)) in cand_pairs)
    stats = CorpusStats()
    t = time.perf_counter()
    found = translated_passages(docs, workers=args.workers, stats=stats)
    wall = time.perf_counter() - t
    result = {
        "schema": SCHEMA,
        "docs": len(docs),
        "cyrillic_docs": astats.cyrillic_docs,
        "latin_docs": astats.latin_docs,
        "corpus_chars": sum(len(d.text) for d in docs),
        "corpus_sentences_estimate": corpus_sentences(docs, 400, args.seed),
        "anchors": astats.anchors,
        "anchors_used": astats.anchors_used,
        "pairs_sharing_an_anchor": astats.pairs_sharing,
        "candidates": stats.candidates,
        "candidate_recall": cand_hit / len(truth) if truth else 0.0,
        "docs_embedded": stats.docs_embedded,
        "chars_segmented": stats.chars_segmented,
        "probed_sentences": stats.probed_sentences,
        "after_probe": stats.after_probe,
        "sentences_embedded": stats.sentences_embedded,
        "pair_units_embedded": stats.pair_units_embedded,
        "region_pairs": stats.region_pairs,
        "seconds": {**{k: round(v, 2) for k, v in stats.seconds.items()}, "total": round(wall, 2)},
        "model_load_seconds": round(load, 2),
        "workers": args.workers,
        **score(docs, truth, [f for f in found if not _both_debian(docs, f)]),
        **debian_scores(docs, found),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "false_positive_pairs"}, indent=1))
    for fp in result["false_positive_pairs"]:
        print("FALSE POSITIVE", json.dumps(fp, ensure_ascii=False))
    if args.show:
        rng = random.Random(args.seed)
        natural = [f for f in found if _both_debian(docs, f)]
        for i, j, p in rng.sample(natural, min(args.show, len(natural))):
            print(f"\n=== {docs[i].id} <-> {docs[j].id}  score {p.score:.2f}  {p.words} words")
            for sp in p.sentence_pairs:
                print(f"  [{sp.score:.2f}] {docs[i].text[sp.a.start:sp.a.end]!r}")
                print(f"         {docs[j].text[sp.b.start:sp.b.end]!r}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
