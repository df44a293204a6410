"""Is each cluster one text? A check an analyst (and the test suite) can run on any report.

A cluster is *coherent* when every member is the representative's text: its
word 3-grams lie at least half inside the representative's, or it contains
at least half of the representative's (a member may quote part of the text,
or reprint it whole inside a longer article). A chain of overlaps (A~B,
B~C, C~D ...) fails this at once: D shares nothing with A.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detector.schema import Cluster, Report

__all__ = ["Coherence", "cluster_coherence", "report_coherence"]


def _grams(text: str, n: int = 3) -> set[tuple[str, ...]]:
    from detector.tokens import tokenize

    forms = tokenize(text).forms
    return {forms[i : i + n] for i in range(len(forms) - n + 1)} or ({tuple(forms)} if forms else set())


def cluster_coherence(cluster: Cluster, *, n: int = 3) -> tuple[int, int]:
    """``(coherent members, members)`` of one cluster against its first member.

    The first member is the representative (earliest in time order).
    ``n``: gram length in words (stemmed matching forms); 3 by default. On
    OCR text, where one misread letter breaks three 3-grams, ``n=1``
    (shared vocabulary) separates one story in many scans from a chain.
    O(characters of the members).
    """
    members = cluster.members
    rep = _grams(members[0].text, n)
    good = 1
    for m in members[1:]:
        g = _grams(m.text, n)
        shared = len(g & rep)
        if g and rep and (2 * shared >= len(g) or 2 * shared >= len(rep)):
            good += 1
    return good, len(members)


@dataclass(frozen=True)
class Coherence:
    """Coherence of a report's reuse clusters.

    Attributes:
        share: coherent members / members, over clusters of at least
            ``min_members`` members (1.0 when there are none).
        members: members counted.
        clusters: clusters counted.
        worst: ``(cluster id, its share)`` of the least coherent clusters.
    """

    share: float
    members: int
    clusters: int
    worst: tuple[tuple[int, float], ...]


def report_coherence(
    report: Report, *, min_members: int = 3, kinds: tuple[str, ...] = ("reuse",), n: int = 3
) -> Coherence:
    """:func:`cluster_coherence` (``n``-grams) over a report's clusters of ``min_members`` or more."""
    good = total = clusters = 0
    per: dict[int, float] = {}
    for c in report.clusters:
        if c.kind not in kinds or len(c.members) < min_members:
            continue
        g, t = cluster_coherence(c, n=n)
        good += g
        total += t
        clusters += 1
        per[c.id] = g / t
    worst = tuple(sorted(per.items(), key=lambda x: x[1])[:5])
    return Coherence(share=good / total if total else 1.0, members=total, clusters=clusters, worst=worst)
