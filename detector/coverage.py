"""Overlap measures of token runs used to score passages (:mod:`detector.align`).

* :func:`bag_dice`: multiset Dice of two token-id runs;
* :func:`covered_runs`, :func:`covered_len`: the union of seed runs over a
  token range, as runs or as a length;
* :func:`dense_bounds`: the ends of one side of a passage after cutting
  genuinely unmatched edges.

Each fast path keeps its slow, obviously correct reference
(``*_reference``) as the test oracle. Positions are token indices.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

__all__ = [
    "bag_dice", "bag_dice_reference", "covered_len", "covered_runs", "covered_runs_reference",
    "dense_bounds",
]


def bag_dice(a_ids: np.ndarray, b_ids: np.ndarray) -> float:
    """Multiset Dice of two token-id runs (order-free similarity, 0..1).

    Short runs (the usual passage) by counting in Python, longer ones by
    numpy: each token keyed by (id, its occurrence number among equal ids),
    so the multiset intersection is a set intersection. O(n log n); equal to
    :func:`bag_dice_reference` (test).
    """
    n_a, n_b = len(a_ids), len(b_ids)
    if n_a == 0 or n_b == 0:
        return 0.0
    if n_a + n_b <= 120:
        inter = sum((Counter(a_ids.tolist()) & Counter(b_ids.tolist())).values())
    else:
        m = max(n_a, n_b) + 1
        inter = np.intersect1d(_ranked(np.sort(a_ids), m), _ranked(np.sort(b_ids), m), assume_unique=True).size
    return float(2 * inter / (n_a + n_b))


def _ranked(ids: np.ndarray, m: int) -> np.ndarray:
    """Sorted ids keyed ``id * m + k`` for the k-th occurrence of the id (k < m)."""
    idx = np.arange(len(ids))
    start = np.empty(len(ids), dtype=bool)
    start[0] = True
    np.not_equal(ids[1:], ids[:-1], out=start[1:])
    first = np.maximum.accumulate(np.where(start, idx, 0))
    return ids.astype(np.int64) * m + (idx - first)


def bag_dice_reference(a_ids: np.ndarray, b_ids: np.ndarray) -> float:
    """:func:`bag_dice` by ``np.unique`` counts (the test oracle)."""
    if len(a_ids) == 0 or len(b_ids) == 0:
        return 0.0
    ua, ca = np.unique(a_ids, return_counts=True)
    ub, cb = np.unique(b_ids, return_counts=True)
    common, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    inter = np.minimum(ca[ia], cb[ib]).sum() if len(common) else 0
    return float(2 * inter / (len(a_ids) + len(b_ids)))


def covered_len(members: list[tuple[int, int, int, int]], side: int, lo: int, hi: int) -> int:
    """Tokens of ``[lo, hi)`` covered by the members' ``[m[side], m[side + 1])``,
    members sorted by ``m[side]``: one sweep, O(M) (the total length of
    :func:`covered_runs`, without building the runs)."""
    total, end = 0, lo
    for m in members:
        s, e = m[side], m[side + 1]
        if s < end:
            s = end
        if e > hi:
            e = hi
        if e > s:
            total += e - s
            end = e
    return total


def covered_runs(members: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs ``[start, end)`` of tokens in ``[lo, hi)`` covered by ``members``.

    Interval union by sorting: O(m log m) for m members, whatever the
    region's length (:func:`covered_runs_reference` marks every token).
    """
    runs: list[tuple[int, int]] = []
    clipped = [(max(s, lo), min(e, hi)) for s, e in members]
    for start, end in sorted([iv for iv in clipped if iv[1] > iv[0]]):
        if runs and start <= runs[-1][1]:
            if end > runs[-1][1]:
                runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def covered_runs_reference(members: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """:func:`covered_runs` by marking tokens (the test oracle)."""
    cover = np.zeros(hi - lo, dtype=bool)
    for start, end in members:
        if end > lo and start < hi:
            cover[max(start - lo, 0) : max(end - lo, 0)] = True
    if not cover.any():
        return []
    padded = np.concatenate(([False], cover, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(lo + int(x), lo + int(y)) for x, y in zip(edges[::2], edges[1::2], strict=True)]


# An edge is cut only at a gap of at least this many unmatched tokens ...
_CUT_MIN_GAP = 8
# ... that is this many times longer than the region's median gap.
_CUT_GAP_RATIO = 2.5


def _cut_from_start(runs: list[tuple[int, int]], cut: float, half: int) -> int:
    """Index of the first run kept when walking in from ``runs[0]`` (see :func:`dense_bounds`)."""
    covered = edge = 0
    for k in range(len(runs) - 1):
        covered += runs[k][1] - runs[k][0]
        g = runs[k + 1][0] - runs[k][1]
        if runs[k + 1][0] - runs[0][0] > half:
            break
        if g >= cut and covered * 2 < g:
            edge, covered = k + 1, 0
    return edge


def dense_bounds(runs: list[tuple[int, int]]) -> tuple[int, int]:
    """First and last matched token of one side, after cutting unmatched edges.

    Walking in from an edge, the edge moves past a gap when the gap is
    genuinely unmatched -- at least ``_CUT_MIN_GAP`` tokens and
    ``_CUT_GAP_RATIO`` times the median gap between matched runs -- and the
    matched text between the edge and the gap is less than half the gap: a
    short shared formula glued to the passage by the gap tolerance. A sparse
    but uniform chain (paraphrase: a few shared words every few words) has no
    such gap and keeps its ends. Only the outer half of the range may be
    cut. O(runs log runs).
    """
    if len(runs) < 2:
        return runs[0] if runs else (0, 0)
    gaps = [s1 - e0 for (_, e0), (s1, _) in itertools.pairwise(runs)]
    median = sorted(gaps)[len(gaps) // 2]
    cut = max(_CUT_MIN_GAP, _CUT_GAP_RATIO * median)
    half = (runs[-1][1] - runs[0][0]) // 2
    left = _cut_from_start(runs, cut, half)
    right = _cut_from_start([(-e, -s) for s, e in reversed(runs)], cut, half)
    start, end = runs[left][0], runs[len(runs) - 1 - right][1]
    if end <= start:
        return runs[0][0], runs[-1][1]
    return start, end
