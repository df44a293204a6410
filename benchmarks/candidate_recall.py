"""Candidate recall and candidate volume of LSH banding choices, measured.

The corpus report aligns only candidate pairs, so the LSH step decides both
what can be found and what the alignment stage costs. This script measures,
for several banding choices (band shape and the number of bucket keys a
pair must share, ``Params.lsh_min_bands``):

* **recall per obfuscation**: the share of generated reuse pairs
  (``_evalgen``: real English and Russian passages of 50-250 words,
  verbatim, lightly edited, spun, reordered, reposted as Telegram posts,
  pasted into unrelated real hosts) whose two documents would be a
  candidate pair;
* **negatives**: the share of real-text pairs sharing no passage (all seed
  pairs among them) that would be candidates anyway;
* **candidate pairs** in a corpus of generated news-like documents
  (``report_bench.generate``: about 25% carry reuse), against the pairs that
  really share a passage there (found by aligning the candidates of the most
  permissive choice).

Window signatures (with the corpus mask) are computed once; each choice only
re-bands them.

Usage: python benchmarks/candidate_recall.py [--n 40] [--seed S] [--only spun] [--docs 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import _evalgen as ev  # noqa: E402

from detector.params import DEFAULT_PARAMS, Params  # noqa: E402

# (label, bands, rows, min_shared); 28x2 is datasketch's optimum for Jaccard 0.2
# (detector.candidates.band_shape(0.2, 128)), the shape used before 64x2
CHOICES = [
    ("28x2, 1 shared", 28, 2, 1),
    ("28x2, 2 shared", 28, 2, 2),
    ("42x2, 2 shared", 42, 2, 2),
    ("50x2, 2 shared", 50, 2, 2),
    ("64x2, 2 shared", 64, 2, 2),
    ("64x2, 3 shared", 64, 2, 3),
    ("42x3, 1 shared", 42, 3, 1),
    ("32x3, 1 shared", 32, 3, 1),
]


def _signatures(text: str, params: Params):  # type: ignore[no-untyped-def]
    from detector.candidates import sketch_document
    from detector.schema import Document

    return sketch_document(Document(id="x", text=text), params).signatures


def _shared(keys_a, keys_b) -> int:  # type: ignore[no-untyped-def]
    import numpy as np

    return len(np.intersect1d(np.unique(keys_a), np.unique(keys_b)))


def pair_recall(
    n: int, params: Params, *, seed: int = 20240615, only: tuple[str, ...] = ev.OBFUSCATIONS
) -> dict[str, dict[str, float]]:
    """Share of generated pairs that are candidates, per obfuscation and choice."""
    from detector.candidates import mix_bands

    pairs = ev.generate(n, seed=seed, obfuscations=only)
    hit: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for pair in pairs:
        sa, sb = _signatures(pair.src_text, params), _signatures(pair.susp_text, params)
        total[pair.obfuscation] += 1
        for label, bands, rows, need in CHOICES:
            if _shared(mix_bands(sa, bands, rows), mix_bands(sb, bands, rows)) >= need:
                hit[(pair.obfuscation, label)] += 1
    return {
        obf: {label: hit[(obf, label)] / total[obf] for label, *_ in CHOICES} for obf in total
    }


def corpus_volume(n_docs: int, params: Params) -> dict[str, tuple[int, int]]:
    """(candidate pairs, of them sharing a passage) per choice on a generated corpus."""
    import multiprocessing

    from report_bench import generate

    from detector.candidates import candidate_pairs, mix_bands, shingle_mask
    from detector.engines import local

    docs = generate(n_docs)
    local._DOCS, local._PARAMS = docs, params
    with multiprocessing.get_context("fork").Pool(2) as pool:
        facts = [f for part in pool.imap(local._facts_task, local._chunks(len(docs), 64)) for f in part]
        mask = shingle_mask(((f.index, f.shingle_set) for f in facts), [f.info.outlet for f in facts])
        sigs = pool.map(_masked_signatures, [(f.info.id, f.info.words, f.shingles, mask) for f in facts])
        per_choice = {}
        for label, bands, rows, need in CHOICES:
            per_choice[label] = candidate_pairs(
                ((i, mix_bands(s, bands, rows)) for i, s in enumerate(sigs)), min_shared=need
            )
        union = sorted(set().union(*per_choice.values()))
        real = set()
        for part in pool.imap(local._align_task, [union[i : i + 256] for i in range(0, len(union), 256)]):
            real.update((i, j) for i, j, _ in part)
    return {label: (len(found), len(found & real)) for label, found in per_choice.items()} | {
        "(pairs sharing a passage, any choice)": (len(real), len(real))
    }


def _masked_signatures(args):  # type: ignore[no-untyped-def]
    from detector.candidates import sketch_shingles
    from detector.engines import local

    doc_id, words, shingles, mask = args
    return sketch_shingles(doc_id, words, shingles, local._PARAMS, mask=mask).signatures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="generated pairs per obfuscation")
    ap.add_argument("--seed", type=int, default=20240615, help="pair generator seed")
    ap.add_argument("--only", action="append", choices=ev.OBFUSCATIONS, help="obfuscations to generate")
    ap.add_argument("--docs", type=int, default=10000, help="documents in the volume corpus (0: skip)")
    args = ap.parse_args()
    params = DEFAULT_PARAMS
    t = time.perf_counter()
    recall = pair_recall(args.n, params, seed=args.seed, only=tuple(args.only or ev.OBFUSCATIONS))
    labels = [c[0] for c in CHOICES]
    print(f"== candidate recall, {args.n} generated pairs per obfuscation ({time.perf_counter() - t:.0f} s)")
    print(f"{'obfuscation':<12}" + "".join(f"{lab:>16}" for lab in labels))
    for obf, row in recall.items():
        print(f"{obf:<12}" + "".join(f"{row[lab]:>16.3f}" for lab in labels))
    if args.docs:
        t = time.perf_counter()
        volume = corpus_volume(args.docs, params)
        print(f"== {args.docs:,} generated news-like documents ({time.perf_counter() - t:.0f} s)")
        for label, (found, real) in volume.items():
            print(f"{label:<40} {found:>9,} candidate pairs, {real:>7,} sharing a passage")


if __name__ == "__main__":
    main()
