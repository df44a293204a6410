"""Group pairwise passages into clusters: one piece of text and every place it appears.

Each pairwise passage gives two *nodes* (a character span in each of its two
documents) joined by an edge. Inside one document, nodes whose spans overlap
by at least half of the *longer* span are the same text and are merged. The
connected components are the clusters, and each group of merged nodes in one
document is one member.

This is deliberately not transitive chaining of document pairs: if A and B
share paragraph 1 and B and C share paragraph 2, B's two nodes do not
overlap, so the result is two clusters, not one cluster of A, B and C.
Measuring overlap against the longer span matters for containment: when B
reprints A whole and C and D each quote a different paragraph of A, the
whole-article node in A contains both quote nodes; merging by the shorter
span would chain the reprint and both quotes into one cluster (and, over a
corpus, every quote of every reprinted story into one giant cluster).

Pure functions over plain data, so the local and Spark engines share them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from detector.schema import Cluster, DocInfo, Member, Passage, Repeat, Span

__all__ = [
    "MIN_OVERLAP",
    "Node",
    "build_clusters",
    "find_repeats",
    "merge_overlapping",
    "parse_date",
]

MIN_OVERLAP = 0.5
"""Two spans in one document are the same text when they overlap by this
share of the longer one."""


@dataclass(frozen=True)
class Node:
    """One side of a passage: a span of one document (document index, characters)."""

    doc: int
    start: int
    end: int
    words: int
    group: int  # the passage (or boilerplate group) it came from


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _overlaps(a: tuple[int, int], b: tuple[int, int], share: float) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return inter > 0 and inter >= share * max(longer, 1)


def merge_overlapping(
    spans: Sequence[tuple[int, int]], *, share: float = MIN_OVERLAP
) -> list[list[int]]:
    """Indices of ``spans`` grouped by overlap of ``share`` of the longer span.

    Spans are character ranges of one document. Sweep over spans sorted by
    start: O(k log k + overlapping pairs).
    """
    uf = _UnionFind(len(spans))
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    active: list[int] = []
    for i in order:
        start = spans[i][0]
        active = [j for j in active if spans[j][1] > start]
        for j in active:
            if _overlaps(spans[i], spans[j], share):
                uf.union(i, j)
        active.append(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(spans)):
        groups[uf.find(i)].append(i)
    return list(groups.values())


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as a naive UTC datetime; None if unusable."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # e.g. 9999-12-31T23:59:59-05:00 is past year 9999 in UTC
            return None
    return parsed


def _kind(outlets: set[str | None], docs: set[int], boilerplate_nodes: int, nodes: int) -> str:
    known = {o for o in outlets if o is not None}
    if len(docs) >= 2 and len(known) == 1 and None not in outlets:
        return "boilerplate"
    if boilerplate_nodes * 2 >= nodes:
        return "boilerplate"
    return "reuse"


def build_clusters(
    passages: Iterable[tuple[int, int, Passage]],
    documents: Sequence[DocInfo],
    texts: Mapping[str, str],
    *,
    boilerplate: Iterable[Sequence[tuple[int, int, int, int]]] = (),
    share: float = MIN_OVERLAP,
) -> list[Cluster]:
    """Clusters from pairwise passages and boilerplate occurrence groups.

    Args:
        passages: ``(doc index of A, doc index of B, passage)`` triples.
        documents: document metadata, indexed by the doc indices above.
        texts: document texts by id (members carry their text).
        boilerplate: groups of occurrences ``(doc index, start, end, words)``
            of one boilerplate text (from :mod:`detector.boilerplate`); the
            occurrences of a group belong together.
        share: overlap share that makes two spans of a document one member.

    Returns:
        Clusters ordered by number of documents, then total characters
        (largest first), numbered from 1. Kind: ``boilerplate`` when every
        member is in one known outlet (or most of its occurrences came from
        the boilerplate stage), else ``reuse``. O(N log N) for N nodes.
    """
    nodes: list[Node] = []
    scores: list[float] = []
    passage_kinds: list[str] = []
    group = 0
    for ia, ib, p in passages:
        nodes.append(Node(ia, p.a.start, p.a.end, p.words, group))
        nodes.append(Node(ib, p.b.start, p.b.end, p.words, group))
        scores.append(p.score)
        passage_kinds.append(p.kind)
        group += 1
    first_boiler = group
    for occurrences in boilerplate:
        for doc, start, end, words in occurrences:
            nodes.append(Node(doc, start, end, words, group))
        scores.append(1.0)
        passage_kinds.append("verbatim")
        group += 1
    if not nodes:
        return []
    uf = _UnionFind(len(nodes))
    local = _UnionFind(len(nodes))  # overlap merges only: members
    first_of_group: dict[int, int] = {}
    for n, node in enumerate(nodes):
        first = first_of_group.setdefault(node.group, n)
        uf.union(first, n)
    by_doc: dict[int, list[int]] = defaultdict(list)
    for n, node in enumerate(nodes):
        by_doc[node.doc].append(n)
    for members in by_doc.values():
        spans = [(nodes[n].start, nodes[n].end) for n in members]
        for merged in merge_overlapping(spans, share=share):
            for k in merged[1:]:
                uf.union(members[merged[0]], members[k])
                local.union(members[merged[0]], members[k])
    components: dict[int, list[int]] = defaultdict(list)
    for n in range(len(nodes)):
        components[uf.find(n)].append(n)

    clusters: list[tuple[tuple[int, int], Cluster]] = []
    for component in components.values():
        member_nodes: dict[int, list[int]] = defaultdict(list)
        for n in component:
            member_nodes[local.find(n)].append(n)
        members: list[tuple[int, Member]] = []
        for group_nodes in member_nodes.values():
            doc_index = nodes[group_nodes[0]].doc
            info = documents[doc_index]
            start = min(nodes[n].start for n in group_nodes)
            end = max(nodes[n].end for n in group_nodes)
            words = max(nodes[n].words for n in group_nodes)
            text = texts.get(info.id, "")[start:end]
            members.append(
                (doc_index, Member(info.id, start, end, info.outlet, info.date, words, text))
            )
        docs = {d for d, _ in members}
        if len(members) < 2:
            continue
        groups = {nodes[n].group for n in component}
        boiler_groups = sum(1 for g in groups if g >= first_boiler)
        dated = [(parse_date(m.date), d, m) for d, m in members]
        with_date = [x for x in dated if x[0] is not None]
        earliest = earliest_date = None
        if with_date:
            _, _, first_member = min(with_date, key=lambda x: (x[0], x[1], x[2].start))
            earliest, earliest_date = first_member.doc, first_member.date
        ordered = sorted(
            dated,
            key=lambda x: (x[0] is None, x[0] or datetime.min, x[1], x[2].start),
        )
        kind = _kind({m.outlet for _, m in members}, docs, boiler_groups, len(groups))
        outlets = tuple(sorted({m.outlet for _, m in members if m.outlet is not None}))
        group_scores = [scores[g] for g in groups]
        kinds = Counter(passage_kinds[g] for g in groups if g < first_boiler)
        cluster = Cluster(
            id=0,
            kind=kind,  # type: ignore[arg-type]
            members=tuple(m for _, _, m in ordered),
            earliest=earliest,
            earliest_date=earliest_date,
            outlets=outlets,
            passages=len(groups),
            score=sum(group_scores) / len(group_scores),
            kinds=dict(kinds),
        )
        size = sum(m.end - m.start for _, m in members)
        clusters.append(((len(docs), size), cluster))
    clusters.sort(key=lambda x: (-x[0][0], -x[0][1], x[1].members[0].doc, x[1].members[0].start))
    return [_renumber(c, i) for i, (_, c) in enumerate(clusters, 1)]


def _renumber(cluster: Cluster, number: int) -> Cluster:
    from dataclasses import replace

    return replace(cluster, id=number)


def find_repeats(
    doc_id: str,
    text: str,
    runs: Iterable[tuple[int, int, int, int, int]],
    *,
    share: float = MIN_OVERLAP,
) -> list[Repeat]:
    """Repeats inside one document from pairs of equal stretches.

    Args:
        doc_id: the document's id.
        text: its original text.
        runs: ``(start1, end1, start2, end2, words)``: two character spans
            of the document holding the same text.
        share: overlap share that makes two occurrences one.

    Returns:
        One :class:`Repeat` per repeated text with all its occurrences
        (a text met three times gives one repeat with three spans).
    """
    spans: list[tuple[int, int]] = []
    words: list[int] = []
    for s1, e1, s2, e2, w in runs:
        spans += [(s1, e1), (s2, e2)]
        words += [w, w]
    if not spans:
        return []
    uf = _UnionFind(len(spans))
    for i in range(0, len(spans), 2):
        uf.union(i, i + 1)
    for merged in merge_overlapping(spans, share=share):
        for k in merged[1:]:
            uf.union(merged[0], k)
    local = _UnionFind(len(spans))
    for merged in merge_overlapping(spans, share=share):
        for k in merged[1:]:
            local.union(merged[0], k)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(spans)):
        groups[uf.find(i)].append(i)
    out: list[Repeat] = []
    for members in groups.values():
        occ: dict[int, list[int]] = defaultdict(list)
        for i in members:
            occ[local.find(i)].append(i)
        if len(occ) < 2:
            continue
        merged_spans = [
            Span(a, b)
            for a, b in sorted(
                (min(spans[i][0] for i in g), max(spans[i][1] for i in g)) for g in occ.values()
            )
        ]
        first = merged_spans[0]
        out.append(
            Repeat(
                doc=doc_id,
                spans=tuple(merged_spans),
                words=max(words[i] for i in members),
                text=text[first.start : first.end],
            )
        )
    out.sort(key=lambda r: r.spans[0].start)
    return out
