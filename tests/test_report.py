"""Tests of the corpus report: candidates, clusters, boilerplate, phrases, outputs, CLI."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from detector.candidates import (
    align_pair,
    band_keys,
    band_shape,
    candidate_pairs,
    sketch_document,
)
from detector.params import DEFAULT_PARAMS
from detector.schema import Document

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "benchmarks" / "data" / "texts.jsonl"
FAST = DEFAULT_PARAMS.with_(sentence_seeds=False)


def _real_texts() -> list[str]:
    return [json.loads(line)["text"] for line in TEXTS.read_text("utf-8").splitlines() if line]


def _edit(words: list[str], rng: random.Random) -> list[str]:
    """Light edits: drop or duplicate about one word in fifteen."""
    out = []
    for w in words:
        r = rng.random()
        if r < 0.04:
            continue
        out.append(w)
        if r > 0.97:
            out.append(w)
    return out


def generated_corpus(n_base: int = 16, n_derived: int = 14, seed: int = 3) -> list[Document]:
    """Unrelated 250-word base texts and derived texts quoting 45-120 words of a base."""
    rng = random.Random(seed)
    words = [t.split() for t in _real_texts()]
    docs: list[Document] = []
    bases: list[list[str]] = []
    for i in range(n_base):
        src = words[i % len(words)]
        off = 260 * (i // len(words))
        body = src[off : off + 250]
        bases.append(body)
        docs.append(Document(id=f"base{i}", text=" ".join(body), outlet=f"o{i % 4}"))
    for j in range(n_derived):
        host = words[(n_base + j) % len(words)][300:560]
        donor = bases[rng.randrange(n_base)]
        length = rng.randint(45, 120)
        at = rng.randrange(0, len(donor) - length)
        quote = _edit(donor[at : at + length], rng)
        cut = rng.randrange(20, len(host) - 20)
        text = " ".join(host[:cut] + quote + host[cut:])
        docs.append(Document(id=f"derived{j}", text=text, outlet=f"o{(j + 1) % 4}"))
    return docs


def test_band_shape_matches_datasketch() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=DEFAULT_PARAMS.lsh_threshold, num_perm=DEFAULT_PARAMS.num_perm)
    assert band_shape(DEFAULT_PARAMS.lsh_threshold, DEFAULT_PARAMS.num_perm) == (lsh.b, lsh.r)


def test_sketch_and_band_keys_are_stable_and_shaped() -> None:
    doc = Document(id="x", text=" ".join(_real_texts()[0].split()[:400]))
    sk = sketch_document(doc, DEFAULT_PARAMS)
    assert sk.signatures.dtype == np.uint32
    assert sk.signatures.shape == (len(sk.starts), DEFAULT_PARAMS.num_perm)
    keys = band_keys(sk.signatures, DEFAULT_PARAMS)
    bands, _ = band_shape(DEFAULT_PARAMS.lsh_threshold, DEFAULT_PARAMS.num_perm)
    assert keys.shape == (len(sk.starts), bands) and keys.dtype == np.uint64
    again = band_keys(sketch_document(doc, DEFAULT_PARAMS).signatures, DEFAULT_PARAMS)
    assert np.array_equal(keys, again)
    # windows whose signatures agree on a band share its key, and only there
    other = sk.signatures.copy()
    other[:, 0] ^= 1
    changed = band_keys(other, DEFAULT_PARAMS)
    assert not np.array_equal(changed[:, 0], keys[:, 0])
    assert np.array_equal(changed[:, 1:], keys[:, 1:])


def test_candidate_pairs_buckets_and_cap() -> None:
    keys = [
        (0, np.array([[1, 2]], dtype=np.uint64)),
        (1, np.array([[1, 3]], dtype=np.uint64)),
        (2, np.array([[4, 3], [4, 3]], dtype=np.uint64)),
        (3, np.array([[9]], dtype=np.uint64)),
    ]
    assert candidate_pairs(keys, max_bucket=10) == {(0, 1), (1, 2)}
    crowd = [(i, np.array([7, 100 + i], dtype=np.uint64)) for i in range(6)]
    assert len(candidate_pairs(crowd, max_bucket=10)) == 15
    assert candidate_pairs(crowd, max_bucket=3, chain_oversized=False) == set()
    assert candidate_pairs(crowd, max_bucket=3) == {(i, i + 1) for i in range(5)}
    assert candidate_pairs([], max_bucket=3) == set()


def test_lsh_recall_against_exhaustive_alignment() -> None:
    # the slow, obviously complete reference: align every pair; passages of
    # 40+ words (the generator quotes 45-120; the real texts also share a
    # few shorter formulaic sentences, e.g. Debian release notes)
    reference = FAST.with_(min_words=40)
    hits = total = candidates = pairs = 0
    for seed in range(3, 8):
        docs = generated_corpus(seed=seed)
        truth = {
            (i, j)
            for i, j in itertools.combinations(range(len(docs)), 2)
            if align_pair(docs[i], docs[j], reference)
        }
        keys = [
            (i, band_keys(sketch_document(d, FAST).signatures, FAST)) for i, d in enumerate(docs)
        ]
        found = candidate_pairs(keys)
        hits += len(truth & found)
        total += len(truth)
        candidates += len(found)
        pairs += len(docs) * (len(docs) - 1) // 2
    assert total >= 50  # the generator made reuse to find
    assert hits / total >= 0.95, (hits, total)
    # candidates narrow the search: far fewer than all pairs
    assert candidates < 0.25 * pairs
