"""Chaining seed fragments into candidate regions, and merging close regions.

A *fragment* is a maximal exact run ``(a0, a1, b0, b1)`` of shared tokens on
one diagonal (see :func:`detector.seeds.fragments`). Fragments are chained in
reading order when the gaps on both sides are small and the diagonal drifts
little (an edited or spun passage stays one passage); chains lying close in
*both* texts are then merged whatever their diagonals (reordered sentences).

Both steps are sweeps by position in A: each item is compared with a bounded
number of recent, still-open regions (``_ACTIVE_LIMIT``), so the cost is
O(n log n) for n fragments however repetitive the text is. All positions are
token indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detector.params import Params

__all__ = ["REPEAT_RUN", "Region", "chain", "merge_close"]

Member = tuple[int, int, int, int]

# Open regions a new fragment is compared with; in ordinary text fewer than
# ten are open at once (a region closes ``max_gap_words`` tokens after it
# ends), so the limit only bites on heavily repeated text, where it keeps the
# sweep linear.
_ACTIVE_LIMIT = 64
# A seed run at least this long covering the same text of one side as a run
# of another region, but other text on the other side, marks two copies of
# one text (never merged). A constant, not ``min_words``: region building
# must not depend on the reporting threshold, so that a smaller
# ``--min-words`` never finds less.
REPEAT_RUN = 20
# Long runs of a region compared by the repeat check (the most recent ones).
_REPEAT_CHECK = 16


@dataclass(slots=True)
class Region:
    """A rectangle of tokens [a0, a1) x [b0, b1) supported by seeds.

    Slotted: the chaining and merging sweeps read its fields millions of
    times on a large corpus.
    """

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int  # tokens covered by exact seeds (A side)
    seeds: int
    sentence_seeds: int = 0
    strong_sentences: int = 0
    diag: int = 0
    # exact n-gram runs only; sentence seeds are fuzzy rectangles and are
    # kept out of the repeat and coverage checks
    members: list[Member] = field(default_factory=list)
    # members of at least REPEAT_RUN tokens, in the order they were added
    long_runs: list[Member] = field(default_factory=list)
    # sentence-seed rectangles (fuzzy evidence), kept for scoring
    sentences: list[Member] = field(default_factory=list)
    # the strongly matching ones among them (see detector.seeds.STRONG_COSINE)
    strong: list[Member] = field(default_factory=list)

    def add_member(self, m: Member) -> None:
        self.members.append(m)
        if m[1] - m[0] >= REPEAT_RUN:
            self.long_runs.append(m)


def chain(frags: list[Member], params: Params) -> list[Region]:
    """Chain fragments along diagonals with gap rules (reading order in A).

    O(F log F + F * K) for F fragments and K <= ``_ACTIVE_LIMIT`` open chains.
    """
    gap, drift = params.max_gap_words, params.max_diagonal_drift
    slack = params.seed_ngram
    chains: list[Region] = []
    active: list[Region] = []
    for a0, a1, b0, b1 in sorted(frags):
        diag = (b0 + b1 - a0 - a1) // 2
        active = [c for c in active[-_ACTIVE_LIMIT:] if c.a1 + gap >= a0]
        best, best_cost = None, None
        for c in active:
            da, db = a0 - c.a1, b0 - c.b1
            if da < -slack or db < -slack or da > gap or db > gap:
                continue
            if a1 <= c.a1 and b1 <= c.b1:
                continue  # contained: an inner repeat, not progress
            if abs(diag - c.diag) > drift:
                continue
            cost = max(da, 0) + max(db, 0) + abs(diag - c.diag)
            if best_cost is None or cost < best_cost:
                best, best_cost = c, cost
        if best is None:
            region = Region(a0, a1, b0, b1, matched=a1 - a0, seeds=1, diag=diag)
            region.add_member((a0, a1, b0, b1))
            chains.append(region)
            active.append(region)
        else:
            best.matched += max(0, a1 - max(a0, best.a1))
            best.a1, best.b1 = max(best.a1, a1), max(best.b1, b1)
            best.b0 = min(best.b0, b0)
            best.seeds += 1
            best.diag = diag
            best.add_member((a0, a1, b0, b1))
    return chains


def _gap(x0: int, x1: int, y0: int, y1: int) -> int:
    """Distance in tokens between intervals [x0, x1) and [y0, y1) (0 if they overlap)."""
    return max(0, max(x0, y0) - min(x1, y1))


def _absorb(o: Region, r: Region) -> None:
    o.a0, o.a1 = min(o.a0, r.a0), max(o.a1, r.a1)
    o.b0, o.b1 = min(o.b0, r.b0), max(o.b1, r.b1)
    o.matched += r.matched
    o.seeds += r.seeds
    o.sentence_seeds += r.sentence_seeds
    o.strong_sentences += r.strong_sentences
    o.members.extend(r.members)
    o.long_runs.extend(r.long_runs)
    o.sentences.extend(r.sentences)
    o.strong.extend(r.strong)


def _sweep(regions: list[Region], gap: int) -> tuple[list[Region], bool]:
    """One pass in A order: merge each region into a close open one. O(R log R + R * K)."""
    regions.sort(key=lambda r: (r.a0, r.b0))
    out: list[Region] = []
    active: list[Region] = []
    changed = False
    for r in regions:
        active = [o for o in active[-_ACTIVE_LIMIT:] if o.a1 + gap >= r.a0]
        rb0, rb1 = r.b0, r.b1
        for o in reversed(active):
            # _gap(r.b0, r.b1, o.b0, o.b1) <= gap, inlined: the hot loop of the merge
            if gap >= 0 and max(rb0, o.b0) - min(rb1, o.b1) <= gap and not _is_repeat(r, o):
                _absorb(o, r)
                changed = True
                break
        else:
            out.append(r)
            active.append(r)
    return out, changed


def merge_close(regions: list[Region], params: Params) -> list[Region]:
    """Merge regions close in both texts, whatever their diagonals (reordering).

    Only regions with real support (two seeds, a sentence seed, or one run of
    at least ``2 * seed_ngram`` tokens) take part, so isolated shared formulae
    are never glued together. Sweeps by position until stable (at most four
    passes; in practice one or two): O(R log R) for R regions.
    """

    def supported(r: Region) -> bool:
        return r.seeds >= 2 or r.sentence_seeds > 0 or r.matched >= 2 * params.seed_ngram

    strong = [r for r in regions if supported(r)]
    weak = [r for r in regions if not supported(r)]
    for _ in range(4):
        strong, changed = _sweep(strong, params.max_gap_words)
        if not changed:
            break
    return strong + weak


def _is_repeat(r: Region, o: Region) -> bool:
    """True if a long seed run of ``r`` covers the same A text as one of ``o``
    but other B text (or the reverse): two copies of one text, not one passage.

    Only runs of at least ``REPEAT_RUN`` tokens count (a three-word formula
    occurring twice is not a copy of the text), and only the most recent
    ``_REPEAT_CHECK`` of each region, which keeps the check O(1). Checked on
    member runs, not bounding boxes: after reordered sentences merge, the box
    of the merged region legitimately contains the others.
    """
    for ra0, ra1, rb0, rb1 in r.long_runs[-_REPEAT_CHECK:]:
        for oa0, oa1, ob0, ob1 in o.long_runs[-_REPEAT_CHECK:]:
            half = min(ra1 - ra0, oa1 - oa0) / 2
            a_overlap = min(ra1, oa1) - max(ra0, oa0)
            b_overlap = min(rb1, ob1) - max(rb0, ob0)
            # a copy covers much of the same text on one side and none of
            # it on the other; a word shared at the seam of two reordered
            # sentences is not a copy
            if (a_overlap >= half and b_overlap <= 0) or (b_overlap >= half and a_overlap <= 0):
                return True
    return False
