"""The aligner's fast paths equal their slow, obviously correct references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import seeds
from detector.tokens import tokenize

SEEDS = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "seeds"
_VOCAB = ["the", "minister", "said", "on", "monday", "talks", "will", "go", "on", ".", "a", "deal"]


def _same_ngram_seeds(ta, tb, n: int, max_df: int) -> None:
    fast = seeds.ngram_seeds(ta, tb, n, max_df)
    ref = seeds._ngram_seeds_reference(ta, tb, n, max_df)
    assert np.array_equal(fast[0], ref[0]) and np.array_equal(fast[1], ref[1])


def _same_sentence_scores(ta, tb) -> None:
    fa, fb = seeds._sentence_index(ta), seeds._sentence_index(tb)
    ra, rb = seeds._sentence_index_reference(ta), seeds._sentence_index_reference(tb)
    for f, r in ((fa, ra), (fb, rb)):
        assert f.ranges == r.ranges
        assert np.array_equal(f.rows, r.rows) and np.array_equal(f.ids, r.ids)
    if fa.ranges and fb.ranges:
        fast = seeds._sentence_pair_scores(fa, fb)
        ref = seeds._sentence_pair_scores_reference(ra, rb)
        assert np.array_equal(fast[0], ref[0]) and np.array_equal(fast[1], ref[1])
        assert np.allclose(fast[2], ref[2]) and np.allclose(fast[3], ref[3])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_VOCAB), min_size=0, max_size=120),
    st.lists(st.sampled_from(_VOCAB), min_size=0, max_size=120),
    st.integers(1, 4),
    st.integers(1, 9),
)
def test_fast_paths_equal_references_on_repetitive_text(a, b, n, max_df) -> None:
    # a twelve-word vocabulary: every n-gram repeats, many exceed max_df
    ta, tb = tokenize(" ".join(a)), tokenize(" ".join(b))
    _same_ngram_seeds(ta, tb, n, max_df)
    _same_sentence_scores(ta, tb)


@pytest.mark.parametrize("k", range(6))
def test_fast_paths_equal_references_on_seed_texts(k: int) -> None:
    texts = sorted(SEEDS.glob("*.txt"))
    a, b = texts[k % len(texts)], texts[(k + 3) % len(texts)]
    ta, tb = tokenize(a.read_text(encoding="utf-8")), tokenize(b.read_text(encoding="utf-8"))
    for max_df in (1, 8):
        _same_ngram_seeds(ta, tb, 3, max_df)
        _same_ngram_seeds(ta, ta, 3, max_df)
    _same_sentence_scores(ta, tb)
    _same_sentence_scores(ta, ta)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=12),
    st.integers(0, 30),
    st.integers(0, 40),
)
def test_covered_runs_equal_reference(members, lo, width) -> None:
    from detector.coverage import covered_runs, covered_runs_reference

    hi = lo + width
    assert covered_runs(members, lo, hi) == covered_runs_reference(members, lo, hi)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=0, max_size=200),
    st.lists(st.integers(0, 12), min_size=0, max_size=200),
)
def test_bag_dice_equals_its_reference(a: list[int], b: list[int]) -> None:
    from detector.coverage import bag_dice, bag_dice_reference

    # both paths: short runs are counted in Python, long ones by numpy
    x, y = np.array(a, dtype=np.int32), np.array(b, dtype=np.int32)
    assert bag_dice(x, y) == bag_dice_reference(x, y)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 20), st.integers(0, 60), st.integers(1, 20)),
        min_size=0, max_size=30,
    ),
    st.integers(0, 40),
    st.integers(0, 60),
)
def test_covered_len_equals_the_runs_it_sums(raw: list, lo: int, width: int) -> None:
    from detector.coverage import covered_len, covered_runs_reference

    members = [(a, a + la, b, b + lb) for a, la, b, lb in raw]
    hi = lo + width
    for side in (0, 2):
        spans = [(m[side], m[side + 1]) for m in members]
        want = sum(e - s for s, e in covered_runs_reference(spans, lo, hi)) if hi > lo else 0
        assert covered_len(sorted(members, key=lambda m: m[side]), side, lo, hi) == want
