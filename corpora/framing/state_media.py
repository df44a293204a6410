"""Split the hand-labelled state-media sentences into a training part and a held-out file.

Run from the project root (no network, no shared corpora needed)::

    python corpora/framing/state_media.py
    python corpora/framing/build_labelled.py

Reads ``state_media.txt`` (see its header: documents, then ``labels | sentence``
lines labelled by ``GUIDELINES.md``), validates every record, and splits by
*story*: a document's group (documents that report the same statement share
one, e.g. the same Lavrov press conference at Vedomosti, RIA and Prime) or,
without one, the document URL. A story goes wholly to one side, so no
sentence, and no near-copy of a sentence, is on both sides. The side is
fixed by a hash of the story key (``sha1(key) % 100 < HELDOUT_SHARE``), never
by what a model does with it. A ``#! split heldout`` line sends every later
document to the held-out side (used for the second batch, see the file); a
``#! split train`` line sends every later document to the training side (the
third batch, labelled for training only). A training-only document whose story
is on the held-out side, or a document URL given twice, is an error naming
``file:line``.

Writes ``parts/state_train.jsonl`` (merged into ``labelled.jsonl``) and
``heldout_state.jsonl`` (evaluation only; ``build_labelled.py`` drops any of
its sentences from training). ``source`` of each record is the document URL,
followed by ``repository:path@commit`` when the text was read from a
repository.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

CODES = {
    "mp": "multipolarity",
    "is": "indivisible_security",
    "fu": "fraternal_unity",
    "ds": "double_standards",
    "sa": "illegitimate_sanctions",
    "cr": "colour_revolution",
    "hm": "historical_memory",
    "na": "nazism_analogy",
    "rp": "russophobia",
}

HELDOUT_SHARE = 60
"""Percent of stories (hash buckets) that go to the held-out file."""


def parse(path: Path) -> list[dict]:
    """Records of ``state_media.txt`` in file order; exits with ``file:line`` on a bad line."""
    out: list[dict] = []
    doc: dict | None = None
    forced = "hash"
    seen_urls: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{lineno}"
        if line.startswith("#! split "):
            forced = line[len("#! split ") :].strip()
            if forced not in ("heldout", "hash", "train"):
                raise SystemExit(f"{where}: '#! split' takes 'heldout', 'train' or 'hash'")
            continue
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            fields = [f.strip() for f in line[3:].split(" | ")]
            if len(fields) not in (3, 4) or fields[1] not in ("en", "ru"):
                raise SystemExit(f"{where}: document line needs 'url | en|ru | group [| repo:path@commit]'")
            url, lang, group = fields[:3]
            source = url if len(fields) == 3 else f"{url} ({fields[3]})"
            doc = {
                "url": url,
                "lang": lang,
                "story": url if group == "-" else group,
                "source": source,
                "heldout": forced == "heldout",
                "train_only": forced == "train",
                "where": where,
            }
            if url in seen_urls:
                raise SystemExit(f"{where}: document {url} already given at {seen_urls[url]}")
            seen_urls[url] = where
            continue
        if doc is None or " | " not in line:
            raise SystemExit(f"{where}: expected '<labels> | <sentence>' after a document line")
        codes, text = line.split(" | ", 1)
        labels = [] if codes == "-" else codes.split(",")
        bad = [c for c in labels if c not in CODES]
        if bad:
            raise SystemExit(f"{where}: unknown label code {bad[0]!r}")
        out.append(
            {
                "text": text.strip(),
                "labels": sorted({CODES[c] for c in labels}),
                "lang": doc["lang"],
                "source": doc["source"],
                "story": doc["story"],
                "heldout": doc["heldout"],
                "train_only": doc["train_only"],
                "where": doc["where"],
            }
        )
    _check_train_only(out)
    return out


def _check_train_only(records: list[dict]) -> None:
    """Exit naming ``file:line`` if a training-only document's story is on the held-out side."""
    held = {r["story"] for r in records if r["heldout"] or (not r["train_only"] and heldout_story(r["story"]))}
    for r in records:
        if r["train_only"] and r["story"] in held:
            raise SystemExit(f"{r['where']}: training-only document of story {r['story']!r}, which is held out")


def side(rec: dict) -> str:
    """``"heldout"`` or ``"train"`` for a parsed record (forced side, else the story hash)."""
    if rec["heldout"]:
        return "heldout"
    if rec["train_only"]:
        return "train"
    return "heldout" if heldout_story(rec["story"]) else "train"


def heldout_story(key: str) -> bool:
    """True when the story ``key`` belongs to the held-out side."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 100 < HELDOUT_SHARE


def main() -> None:
    records = parse(HERE / "state_media.txt")
    seen: set[str] = set()
    sides: dict[str, list[dict]] = {"train": [], "heldout": []}
    for rec in records:
        key = " ".join(rec["text"].split()).casefold()
        if key in seen:
            continue
        seen.add(key)
        sides[side(rec)].append(rec)
    targets = {"train": HERE / "parts" / "state_train.jsonl", "heldout": HERE / "heldout_state.jsonl"}
    for name, rows in sides.items():
        with open(targets[name], "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({k: r[k] for k in ("text", "labels", "lang", "source")}, ensure_ascii=False) + "\n")
        stories = len({r["story"] for r in rows})
        by_lang = Counter(r["lang"] for r in rows)
        framed = Counter(r["lang"] for r in rows if r["labels"])
        labels = Counter((r["lang"], lb) for r in rows for lb in r["labels"])
        print(f"{name}: {len(rows)} sentences from {stories} stories; "
              + ", ".join(f"{lg} {by_lang[lg]} ({framed[lg]} with a frame)" for lg in ("en", "ru")))
        for lb in CODES.values():
            print(f"  {lb:24} en {labels[('en', lb)]:3}  ru {labels[('ru', lb)]:3}")
    print(f"wrote {targets['train'].relative_to(HERE)} and {targets['heldout'].name}", file=sys.stderr)


if __name__ == "__main__":
    main()
