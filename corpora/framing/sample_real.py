"""Sample real sentences to label from the shared development corpora.

Deterministic (seeded); run from the project root::

    python corpora/framing/sample_real.py OUT_DIR

writes ``OUT_DIR/{train,heldout}_candidates.jsonl`` (one sentence per line with
``text``, ``lang``, ``source`` = ``"<corpus>:<doc id>"``, ``outlet``, ``group``).
The labels were then added by hand following ``GUIDELINES.md`` (see
``REAL.md``). Split: per outlet of ``tg-news-ru.dev``, the latest 30% of posts
(by date) feed the held-out split and the rest the training split, so no post
gives sentences to both; chronam pages split the same way by page id hash.

Groups sampled per split (Russian): ``tech`` (programming channels, Хабр,
Naked Science), ``city`` (Moscow channels), ``news`` (112, Mash, ТОПОР:
half of them sentences with a political keyword, which is where frames and
hard negatives live); English: ``chronam`` (1916 front pages, OCR; real
negatives with war, sanctions-era and diplomatic vocabulary).
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from detector.sentences import sentence_spans  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
TECH = {
    "Библиотека Go разработчика | Golang",
    "Типичный программист",
    "Библиотека питониста | Python, Django, Flask",
    "Библиотека программиста | программирование, кодинг, разработка",
    "Хабр",
    "Naked Science",
}
NEWS = {"112", "Mash", "ТОПОР - Горячие новости", "Топор+"}
POLITICAL = regex.compile(
    r"русофоб|нацис|фашис|санкци|многополяр|стандарт|Запад|НАТО|Киев|Украин|ВСУ|США|"
    r"Зеленск|Байден|Путин|Лавров|Захаров|Песков|Белорус|Лукашенк|Побед|войн|МИД|Европ|Польш|"
    r"Прибалт|Литв|Латви|Эстони|Молдав|Грузи|Израил|Палестин|Иран|Китай|БРИКС|митинг|оппозиц",
    regex.I,
)
# per split: (group, number of sentences)
PLAN = {
    "train": {"tech": 130, "city": 80, "news_pol": 110, "news": 50, "chronam": 70},
    "heldout": {"tech": 80, "city": 50, "news_pol": 60, "news": 25, "chronam": 40},
}


def _group(outlet: str) -> str:
    if outlet in TECH:
        return "tech"
    if outlet in NEWS:
        return "news"
    return "city"


def _good(sent: str) -> bool:
    words = regex.findall(r"\p{L}+", sent)
    return 25 <= len(sent) <= 400 and len(words) >= 4


def _tg_split() -> dict[str, list[dict]]:
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(SHARED / "tg-news-ru.dev.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            by_outlet[rec["outlet"]].append(rec)
    split: dict[str, list[dict]] = {"train": [], "heldout": []}
    for _outlet, recs in sorted(by_outlet.items()):
        recs.sort(key=lambda r: (r["date"], r["id"]))
        cut = int(len(recs) * 0.7)
        split["train"].extend(recs[:cut])
        split["heldout"].extend(recs[cut:])
    return split


def _chronam_split() -> dict[str, list[dict]]:
    import zlib

    split: dict[str, list[dict]] = {"train": [], "heldout": []}
    with gzip.open(SHARED / "chronam-1916-04.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            key = "heldout" if zlib.crc32(rec["id"].encode()) % 10 < 3 else "train"
            split[key].append(rec)
    return split


def _sentences(recs: list[dict], lang: str, corpus: str):
    for rec in recs:
        for sp in sentence_spans(rec["text"], lang):
            sent = " ".join(rec["text"][sp.start : sp.end].split())
            if _good(sent):
                yield {
                    "text": sent,
                    "lang": lang,
                    "source": f"{corpus}:{rec['id']}",
                    "outlet": rec.get("outlet") or "",
                }


def _chronam_ok(sent: str) -> bool:
    # OCR noise: keep lines that are mostly words of 2+ letters
    toks = sent.split()
    wordy = sum(1 for t in toks if regex.fullmatch(r"[A-Za-z][a-z]+[,.;:]?", t))
    return len(toks) >= 6 and wordy >= 0.8 * len(toks)


def main(out_dir: str) -> None:
    rng = random.Random(13)
    tg = _tg_split()
    ch = _chronam_split()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for split, plan in PLAN.items():
        pools: dict[str, list[dict]] = defaultdict(list)
        for s in _sentences(tg[split], "ru", "tg-news-ru.dev"):
            g = _group(s["outlet"])
            if g == "news" and POLITICAL.search(s["text"]):
                g = "news_pol"
            pools[g].append(s)
        pools["chronam"] = [
            s for s in _sentences(ch[split], "en", "chronam-1916-04") if _chronam_ok(s["text"])
        ]
        rows = []
        for group, n in plan.items():
            pool = pools[group]
            rng.shuffle(pool)
            taken = 0
            for s in pool:
                key = s["text"].casefold()
                if key in seen:
                    continue
                seen.add(key)
                rows.append({**s, "group": group})
                taken += 1
                if taken == n:
                    break
        with open(out / f"{split}_candidates.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(split, len(rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpora/framing/candidates")
