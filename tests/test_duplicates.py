"""Duplicate groups: the vectorised band keys against a plain reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.duplicates import DUP_BANDS, DUP_PERM, DUP_THRESHOLD, find_duplicates


def reference_groups(signatures, ranks, threshold=DUP_THRESHOLD, bands=DUP_BANDS):
    """The obvious version: band keys are the bands' bytes, candidates compared one by one."""
    n = len(signatures)
    rep = list(range(n))
    tables = [{} for _ in range(bands)]
    members = {}
    for i in sorted(range(n), key=lambda k: (int(ranks[k]), k)):
        sig = signatures[i]
        if sig is None:
            continue
        width = len(sig) // bands
        keys = [sig[b * width : (b + 1) * width].tobytes() for b in range(bands)]
        best, best_sim, seen = -1, threshold, set()
        for b, key in enumerate(keys):
            for r in tables[b].get(key, ()):
                if r in seen:
                    continue
                seen.add(r)
                sim = float(np.count_nonzero(signatures[r] == sig)) / len(sig)
                if sim >= best_sim and (best < 0 or sim > best_sim or ranks[r] < ranks[best]):
                    best, best_sim = r, sim
        if best >= 0:
            rep[i] = best
            members.setdefault(best, [best]).append(i)
            continue
        for b, key in enumerate(keys):
            tables[b].setdefault(key, []).append(i)
    return rep, sorted(tuple(g) for g in members.values())


@st.composite
def signature_sets(draw):
    """Signatures of a few stories, each copied with a few values changed, some documents unsigned."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    stories = [rng.integers(0, 2**32, DUP_PERM, dtype=np.uint32) for _ in range(draw(st.integers(1, 5)))]
    sigs = []
    for _ in range(draw(st.integers(1, 40))):
        if draw(st.booleans()) and draw(st.booleans()):
            sigs.append(None)
            continue
        sig = stories[draw(st.integers(0, len(stories) - 1))].copy()
        changed = draw(st.integers(0, 24))
        at = rng.choice(DUP_PERM, changed, replace=False)
        sig[at] = rng.integers(0, 2**32, changed, dtype=np.uint32)
        sigs.append(sig)
    ranks = np.array(draw(st.permutations(list(range(len(sigs))))), dtype=np.int64)
    return sigs, ranks


@settings(max_examples=200, deadline=None)
@given(signature_sets())
def test_find_duplicates_matches_reference(case):
    sigs, ranks = case
    got = find_duplicates(sigs, ranks)
    rep, groups = reference_groups(sigs, ranks)
    assert got.rep.tolist() == rep
    assert sorted(got.groups) == groups
    for g in got.groups:  # a star: every member near-identical to the representative itself
        for d in g[1:]:
            assert np.count_nonzero(sigs[g[0]] == sigs[d]) / DUP_PERM >= DUP_THRESHOLD


def test_no_signatures_no_groups():
    got = find_duplicates([None, None], np.array([1, 0]))
    assert got.groups == () and got.rep.tolist() == [0, 1]


def reference_map_offset(blocks, offset, *, end):
    """The first version: a linear walk over the blocks."""
    if len(blocks) == 0:
        return 0
    rows = [tuple(int(x) for x in r) for r in blocks]
    if end:
        before = [r for r in rows if r[0] < offset]
        if not before:
            return rows[0][1]
        s, t, length = before[-1]
        return t + min(offset - s, length)
    for s, t, length in rows:
        if s <= offset < s + length:
            return t + offset - s
        if s > offset:
            return t
    return rows[-1][1] + rows[-1][2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abc ", max_size=40), st.text(alphabet="abc ", max_size=40), st.data())
def test_offset_map_matches_reference(a, b, data):
    from detector.duplicates import OffsetMap, map_offset, span_map

    blocks = span_map(a, b)
    to = OffsetMap(blocks)
    for offset in range(len(a) + 1):
        for end in (False, True):
            expected = reference_map_offset(blocks, offset, end=end)
            assert to(offset, end=end) == map_offset(blocks, offset, end=end) == expected
    start = data.draw(st.integers(0, len(a)))
    stop = data.draw(st.integers(start, len(a)))
    s, e = to(start, end=False), to(stop, end=True)
    assert to.span(start, stop) == ((s, e) if e > s else None)
