"""Group pairwise passages into clusters: one piece of text and every place it appears.

A cluster is a *star*: a representative text (in its earliest document) and
the places that copy it, each aligned against it (or against a copy that is
itself aligned against it: depth two at most). Transitive grouping of
overlapping spans is exactly what must not happen: on real news, where
every story overlaps some other, A~B, B~C, C~D... chains whole corpora into
one "cluster" of unrelated texts. See :func:`star_clusters`.

Boilerplate occurrence groups (:mod:`detector.boilerplate`) become clusters
of their own (:func:`boilerplate_clusters`). Pure functions over plain data,
so the local and Spark engines and the index share them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import regex

from detector.schema import Cluster, DocInfo, Member, Passage, Repeat, Span

__all__ = [
    "MIN_OVERLAP",
    "boilerplate_clusters",
    "earliest_note",
    "find_repeats",
    "merge_overlapping",
    "number_clusters",
    "parse_date",
    "star_clusters",
]

_WORD = regex.compile(r"\w+")

MIN_OVERLAP = 0.5
"""Two spans in one document are the same text when they overlap by this
share of the longer one."""


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
    for k, i in enumerate(order):
        if k and spans[i] == spans[order[k - 1]]:  # equal spans: one check, not k
            uf.union(i, order[k - 1])
            continue
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


_WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")


def _trim_chrome(span: tuple[int, int], chrome: Sequence[tuple[int, int]], text: str) -> tuple[int, int]:
    """``span`` without chrome that covers its start or its end (then from a word to a word).

    A chrome span counts as covering an end when no letter or digit of the
    span lies beyond it. O(k) for k chrome spans of the document.
    """
    start, end = span
    changed = True
    while changed and end > start:
        changed = False
        for cs, ce in chrome:
            if ce <= start or cs >= end:
                continue
            if cs > start and not _WORD_CHAR.search(text, ce, end):
                end, changed = cs, True
            elif cs <= start and ce < end and not _WORD_CHAR.search(text, start, cs):
                start, changed = ce, True
            elif cs <= start and ce >= end:
                return start, start
    if end <= start:
        return start, start
    first = _WORD_CHAR.search(text, start, end)
    if first is None:
        return start, start
    last = end
    while last > first.start() and not _WORD_CHAR.match(text, last - 1):
        last -= 1
    # closing punctuation right after the last word belongs to the text
    while last < end and text[last] in '.!?…»"”)]':
        last += 1
    return first.start(), last


def earliest_note(members: Sequence[Member]) -> str | None:
    """What an analyst must know about a cluster's ``earliest``: a tie, or undated members."""
    dated = [(parse_date(m.date), m.doc) for m in members]
    known = [d for d, _ in dated if d is not None]
    docs = {m.doc for m in members}
    undated = len({doc for d, doc in dated if d is None})
    if not known:
        return "no member has a usable date: no earliest"
    first = min(known)
    tied = len({doc for d, doc in dated if d == first})
    notes = []
    if tied > 1:
        notes.append(f"tie: {tied} documents share the earliest date")
    if undated:
        notes.append(f"{undated} of {len(docs)} documents undated")
    return "; ".join(notes) or None


def _make_cluster(
    members: list[tuple[int, Member]],
    ranks: Sequence[int],
    *,
    kind: str,
    passages: int,
    scores: Sequence[float],
    kinds: Counter[str],
) -> Cluster:
    """An unnumbered cluster from ``(doc index, member)`` pairs, members in time order.

    Among reuse members tied at the earliest time (same day on day-dated
    papers), the most central one comes first: see :func:`_central_first`.
    """
    ordered = sorted(members, key=lambda x: (int(ranks[x[0]]), x[1].start))
    if kind == "reuse":  # chrome has no text to represent: its order is time order
        ordered = _central_first(ordered)
    first = ordered[0][1]
    dated = parse_date(first.date) is not None
    outlets = tuple(sorted({m.outlet for _, m in members if m.outlet is not None}))
    cluster = Cluster(
        id=0,
        kind=kind,  # type: ignore[arg-type]
        members=tuple(m for _, m in ordered),
        earliest=first.doc if dated else None,
        earliest_date=first.date if dated else None,
        outlets=outlets,
        passages=passages,
        score=sum(scores) / len(scores) if scores else 1.0,
        kinds=dict(kinds),
        earliest_note=earliest_note([m for _, m in ordered]),
    )
    return cluster


_CENTRAL_CANDIDATES = 16
_CENTRAL_SAMPLE = 32


def _grams3(text: str) -> set[tuple[str, ...]]:
    """Word 3-grams of lower-cased surface words (no stemming: 3x cheaper, and
    centrality among scans of one story needs no morphology)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)} or ({tuple(words)} if words else set())


def _central_first(ordered: list[tuple[int, Member]]) -> list[tuple[int, Member]]:
    """Put first the tied-earliest member whose text most members share.

    When several members share the earliest time (papers dated by day, or
    an undated corpus), none is known to be the source, and input order
    would make an arbitrary one (often the worst OCR scan) the
    representative that every member is read against. The member whose
    word 3-grams most members overlap by half (either way) is the text the
    cluster is about. Ties keep time-then-input order.

    Cost: O(c x s) set intersections for at most c = 16 candidates against
    s = 32 members (the earliest in time order): bounded per cluster, never
    the square of its copies.
    """
    if len(ordered) < 3:
        return ordered
    when = parse_date(ordered[0][1].date)
    tied = [k for k, (_, m) in enumerate(ordered[:_CENTRAL_CANDIDATES]) if parse_date(m.date) == when]
    if len(tied) < 2:
        return ordered
    sample = ordered[:_CENTRAL_SAMPLE]
    grams = [_grams3(m.text) for _, m in sample]

    def support(k: int) -> int:
        rep = grams[k]
        n = 0
        for g in grams:
            shared = len(g & rep)
            n += bool(g and rep and (2 * shared >= len(g) or 2 * shared >= len(rep)))
        return n

    best = max(tied, key=lambda k: (support(k), -k))
    if best == 0:
        return ordered
    return [ordered[best], *ordered[:best], *ordered[best + 1 :]]


def _members_of(
    spans: Iterable[tuple[int, int, int, int]],
    documents: Sequence[DocInfo],
    texts: Callable[[int], str],
) -> list[tuple[int, Member]]:
    """Members from ``(doc, start, end, words)`` spans of one cluster.

    The spans are all places of one text, so spans of one document that
    overlap at all, or are separated only by spaces and punctuation, are one
    member (two passages that each caught part of one copy). A copy printed
    twice in a document (a summary deck and the story) stays two members.
    O(k log k) for k spans.
    """
    by_doc: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for doc, start, end, words in spans:
        by_doc[doc].append((start, end, words))
    out: list[tuple[int, Member]] = []
    for doc, items in by_doc.items():
        info = documents[doc]
        text = texts(doc)
        if len(items) == 1:  # the common case: nothing to merge
            start, end, words = items[0]
            out.append((doc, Member(info.id, start, end, info.outlet, info.date, words, text[start:end])))
            continue
        items.sort()
        runs: list[list[int]] = []  # [start, end, words, parts]
        for start, end, words in items:
            if runs and (start <= runs[-1][1] or not _WORD_CHAR.search(text, runs[-1][1], start)):
                run = runs[-1]
                run[1] = max(run[1], end)
                run[2] = max(run[2], words)
                run[3] += 1
            else:
                runs.append([start, end, words, 1])
        for start, end, words, parts in runs:
            if parts > 1:  # the union is longer than any one passage: count its words
                words = max(words, len(_WORD.findall(text, start, end)))
            out.append((doc, Member(info.id, start, end, info.outlet, info.date, words, text[start:end])))
    return out


def _one_day(members: Iterable[Member]) -> bool:
    """Whether every member is dated and all fall on one calendar day."""
    days = set()
    for m in members:
        when = parse_date(m.date)
        if when is None:
            return False
        days.add(when.date())
    return len(days) == 1


def star_clusters(
    passages: Iterable[tuple[int, int, Passage]],
    documents: Sequence[DocInfo],
    texts: Callable[[int], str],
    ranks: Sequence[int],
    *,
    chrome: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    copies: Mapping[int, Sequence[tuple[int, Callable[[int, int], tuple[int, int] | None]]]] | None = None,
    share: float = MIN_OVERLAP,
) -> list[Cluster]:
    """Reuse clusters as stars around their earliest text, never chains of overlaps.

    Each passage is oriented from its earlier document (lower ``ranks``) to
    the later one. Inside each *source* document, passage spans overlapping
    by ``share`` of the longer span are one *text*; the passages' later
    sides are that text's members. A text whose source document is itself a
    member of an earlier *root* text, over a span overlapping the text by
    ``share``, joins that root (an edited copy that others copied in turn);
    a root never joins anything, so every member is at most two alignments
    from the representative and a chain A-B, B-C, C-D... cannot form.

    Args:
        passages: ``(doc index, doc index, passage)`` from alignment.
        documents: metadata by doc index.
        texts: document text by index.
        ranks: time rank of each document (:func:`detector.duplicates.time_ranks`).
        chrome: per document, character spans of its boilerplate; chrome
            at either end of a passage's span is cut off, and a passage that
            loses half of either side that way is left out (boilerplate
            clusters report that text).
        copies: per representative document, its near-identical duplicates
            as ``(doc index, map)`` where ``map(start, end)`` carries a span
            of the representative into the duplicate (None when it falls in
            changed text): every member in a representative gets a member
            in each of its duplicates.
        share: overlap share that makes two spans of a document one text.

    Returns:
        Reuse clusters, not yet numbered (``id`` 0; see
        :func:`number_clusters`). O(P log P) for P passages.
    """
    chrome = chrome or {}
    copies = copies or {}
    by_src: dict[int, list[int]] = defaultdict(list)
    rows: list[tuple[int, tuple[int, int], int, tuple[int, int], int, float, str]] = []
    for i, j, p in passages:
        a, b = (p.a.start, p.a.end), (p.b.start, p.b.end)
        if ranks[j] < ranks[i]:
            i, j, a, b = j, i, b, a
        # chrome at either end of a span (a channel footer after a reposted
        # line) is not part of the text that travelled: cut it off; a passage
        # that is mostly chrome is left to the boilerplate clusters
        a2 = _trim_chrome(a, chrome.get(i, ()), texts(i))
        b2 = _trim_chrome(b, chrome.get(j, ()), texts(j))
        if 2 * (a2[1] - a2[0]) < a[1] - a[0] or 2 * (b2[1] - b2[0]) < b[1] - b[0]:
            continue
        a, b = a2, b2
        by_src[i].append(len(rows))
        rows.append((i, a, j, b, p.words, p.score, p.kind))
    # texts: merged source spans of each source document
    text_of_row: dict[int, int] = {}
    text_src: list[int] = []
    text_span: list[tuple[int, int]] = []
    for src in sorted(by_src, key=lambda d: int(ranks[d])):
        items = by_src[src]
        for group in merge_overlapping([rows[r][1] for r in items], share=share):
            t = len(text_src)
            text_src.append(src)
            text_span.append(
                (min(rows[items[k]][1][0] for k in group), max(rows[items[k]][1][1] for k in group))
            )
            for k in group:
                text_of_row[items[k]] = t
    member_spans: dict[int, list[tuple[int, tuple[int, int]]]] = defaultdict(list)  # doc -> (text, span)
    for r, (_, _, j, b, *_rest) in enumerate(rows):
        member_spans[j].append((text_of_row[r], b))
    root = list(range(len(text_src)))
    for t in range(len(text_src)):  # texts are numbered in time order of their sources
        best, best_overlap = -1, 0
        span = text_span[t]
        for other, b in member_spans.get(text_src[t], ()):
            if root[other] != other or other == t:
                continue
            inter = min(span[1], b[1]) - max(span[0], b[0])
            if inter > best_overlap and _overlaps(span, b, share):
                best, best_overlap = other, inter
        if best >= 0:
            root[t] = best
    groups: dict[int, list[int]] = defaultdict(list)
    for r in range(len(rows)):
        groups[root[text_of_row[r]]].append(r)
    out: list[Cluster] = []
    for row_ids in groups.values():
        spans: list[tuple[int, int, int, int]] = []
        for r in row_ids:
            i, a, j, b, words, _, _ = rows[r]
            tt = text_of_row[r]
            spans.append((text_src[tt], *text_span[tt], words))
            spans.append((j, *b, words))
        spans = list(dict.fromkeys(spans))  # a hub's text is in every one of its passages
        for doc, start, end, words in list(spans):
            for dup, carry in copies.get(doc, ()):
                mapped = carry(start, end)
                if mapped is not None:
                    spans.append((dup, *mapped, words))
        members = _members_of(spans, documents, texts)
        if len({d for d, _ in members}) < 2:
            continue
        kinds = Counter(rows[r][6] for r in row_ids)
        outlets = {m.outlet for _, m in members}
        # one outlet's posts that only resemble each other word for word in
        # places (spun, paraphrased), on different days, share a template,
        # not a text; on one day they are editions of one text whose OCR or
        # corrections differ (two editions of a paper)
        template = (
            len(outlets) == 1
            and None not in outlets
            and not (kinds.keys() & {"verbatim", "edited"})
            and not _one_day(m for _, m in members)
        )
        out.append(
            _make_cluster(
                members,
                ranks,
                kind="boilerplate" if template else "reuse",
                passages=len(row_ids),
                scores=[rows[r][5] for r in row_ids],
                kinds=kinds,
            )
        )
    return out


def _order_key(c: Cluster) -> tuple[int, int, str, int]:
    """Report order: most documents, then most characters, then position."""
    docs = len({m.doc for m in c.members})
    size = sum(m.end - m.start for m in c.members)
    return (-docs, -size, c.members[0].doc, c.members[0].start)


def boilerplate_clusters(
    groups: Iterable[Sequence[tuple[int, int, int, int]]],
    documents: Sequence[DocInfo],
    texts: Callable[[int], str],
    ranks: Sequence[int],
    *,
    min_members: int = 2,
) -> list[Cluster]:
    """One boilerplate cluster per chrome text (:func:`detector.boilerplate.boilerplate_groups`,
    or :func:`detector.chrome.chrome_occurrences` grouped across documents).

    Args:
        groups: occurrence lists ``(doc index, start, end, words)``.
        documents, texts, ranks: as for :func:`star_clusters`.
        min_members: fewest occurrences of a cluster (1 for chrome that a
            document's own lines or an interface phrase reveal).
    """
    out = []
    for occurrences in groups:
        # occurrences of one document that overlap (a line and the sentence
        # inside it with the same words) or touch are one member
        members = _members_of(occurrences, documents, texts)
        if len(members) < min_members:
            continue
        out.append(
            _make_cluster(
                members, ranks, kind="boilerplate", passages=len(members), scores=[1.0], kinds=Counter()
            )
        )
    return out


def number_clusters(clusters: Iterable[Cluster]) -> list[Cluster]:
    """Clusters in report order (most documents, then most characters), numbered from 1."""
    from dataclasses import replace

    return [replace(c, id=n) for n, c in enumerate(sorted(clusters, key=_order_key), 1)]


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
