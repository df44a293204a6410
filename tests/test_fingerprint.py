"""Fingerprints: the vectorised window signatures equal datasketch's own MinHash."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.fingerprint import (
    distinct_sorted,
    document_minhash,
    estimate_containment,
    minhash_signature,
    shingle_hashes,
    signature_jaccard,
    window_signatures,
    window_starts,
)
from detector.params import Params
from detector.tokens import tokenize


def _reference_minhash(hashes: np.ndarray, params: Params) -> np.ndarray:
    """The slow, obviously correct path: datasketch's per-item update."""
    from datasketch import MinHash

    m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=int)
    for h in np.unique(hashes & np.uint64(0xFFFFFFFF)).tolist():
        m.update(h)
    return m.hashvalues


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=200), st.integers(5, 40))
def test_window_signatures_match_datasketch(values: list[int], window: int) -> None:
    params = Params(num_perm=32)
    hashes = np.array(values, dtype=np.uint64)
    starts = window_starts(len(hashes), window, max(1, window // 2))
    sigs = window_signatures(hashes, starts, window, params)
    for row, start in enumerate(starts.tolist()):
        expected = _reference_minhash(hashes[start : start + window], params)
        assert np.array_equal(sigs[row], expected)


def test_windows_cover_the_tail() -> None:
    starts = window_starts(100, 30, 20)
    assert starts[0] == 0 and starts[-1] == 70
    assert window_starts(10, 30, 20).tolist() == [0]
    assert window_starts(0, 30, 20).tolist() == []


def test_shingles_are_order_sensitive_and_reproducible(seeds: dict[str, str]) -> None:
    ids = tokenize("the programme of coordinated actions").ids
    rev = ids[::-1].copy()
    assert shingle_hashes(ids, 5)[0] != shingle_hashes(rev, 5)[0]
    text = next(iter(seeds.values()))
    h1 = shingle_hashes(tokenize(text).ids, 5)
    h2 = shingle_hashes(tokenize(text).ids, 5)
    assert np.array_equal(h1, h2)


def test_minhash_jaccard_estimates_the_real_jaccard(seeds: dict[str, str]) -> None:
    params = Params(num_perm=256)
    text = seeds["001_260e159f90c48a13"]
    words = text.split()
    a = " ".join(words[: len(words) * 2 // 3])
    b = " ".join(words[len(words) // 3 :])
    ha = np.unique(shingle_hashes(tokenize(a).ids, 5))
    hb = np.unique(shingle_hashes(tokenize(b).ids, 5))
    exact = len(np.intersect1d(ha, hb)) / len(np.union1d(ha, hb))
    estimate = document_minhash(ha, params).jaccard(document_minhash(hb, params))
    assert abs(estimate - exact) < 0.1
    ca, cb = estimate_containment(estimate, len(ha), len(hb))
    assert 0.0 <= ca <= 1.0 and 0.0 <= cb <= 1.0
    assert estimate_containment(0.5, 0, 10) == (0.0, 0.0)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=300), st.integers(1, 2**31))
def test_minhash_signature_equals_datasketch(values: list[int], seed: int) -> None:
    params = Params(num_perm=64, seed=seed)
    hashes = np.array(values, dtype=np.uint64)
    assert np.array_equal(minhash_signature(hashes, params), document_minhash(hashes, params).hashvalues)


def test_signature_jaccard_equals_datasketch_jaccard(seeds: dict[str, str]) -> None:
    params = Params()
    texts = list(seeds.values())
    ha = shingle_hashes(tokenize(texts[0]).ids, 5)
    hb = shingle_hashes(tokenize(texts[0][: len(texts[0]) // 2] + texts[1]).ids, 5)
    expected = document_minhash(ha, params).jaccard(document_minhash(hb, params))
    assert signature_jaccard(minhash_signature(ha, params), minhash_signature(hb, params)) == expected


def test_in_sorted_matches_isin() -> None:
    from detector.fingerprint import in_sorted

    rng = np.random.default_rng(5)
    members = np.unique(rng.integers(0, 50, 20).astype(np.uint64))
    values = rng.integers(0, 60, 200).astype(np.uint64)
    assert np.array_equal(in_sorted(values, members), np.isin(values, members))
    assert not in_sorted(values, members[:0]).any()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=40))
def test_window_counts_equal_the_number_of_window_starts(window: int, step: int) -> None:
    from detector.fingerprint import window_counts

    n = np.arange(-3, 400)
    want = [len(window_starts(int(x), window, step)) for x in n]
    assert window_counts(n, window, step).tolist() == want


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=40), max_size=14), max_size=40),
    st.integers(min_value=1, max_value=6),
)
def test_shingle_hashes_many_equal_one_at_a_time(lists: list[list[int]], k: int) -> None:
    from detector.fingerprint import shingle_hashes, shingle_hashes_many, shingle_hashes_memo

    arrays = [np.array(x, dtype=np.uint64) for x in lists]
    for ids, got in zip(arrays, shingle_hashes_many(arrays, k), strict=True):
        want = shingle_hashes(ids, k)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
    with shingle_hashes_memo(arrays, (k,)):
        for ids in arrays:
            # the memo answers for these very arrays, and a copy computes the same
            assert shingle_hashes(ids, k).tolist() == shingle_hashes(ids.copy(), k).tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=90), max_size=30),
    st.sampled_from(["uint32", "uint64"]),
)
def test_distinct_sorted_many_equal_one_at_a_time(lists: list[list[int]], dtype: str) -> None:
    from detector.fingerprint import distinct_sorted_many

    arrays = [np.array(x, dtype=dtype) for x in lists]
    for values, got in zip(arrays, distinct_sorted_many(arrays), strict=True):
        want = distinct_sorted(values)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
