"""The reuse network as GEXF 1.3, for Gephi (and networkx, igraph, sigma.js).

Outlet level (default): one node per outlet with its document count and the
dates of its first and last document; one directed, weighted edge per
(earlier outlet, reusing outlet) pair, its weight the number of reuse
clusters whose earliest member is in the first outlet and which also appear
in the second — the numbers of :meth:`detector.schema.Report.outlet_matrix`.
A cluster without dates adds one to both directions of each pair of its
outlets (as in the matrix); ``undated`` counts those.

Document level (``level="document"``): one node per document that is in a
reuse cluster (outlet, date, characters), and edges from each cluster's
earliest document to every other member document, weighted by the clusters
the two share. An undated cluster is a star around its first member with
``undated`` > 0 on its edges.

Where dates exist the graph is dynamic (``timeformat="date"``): nodes get
``start``/``end`` and edges ``start`` (the earliest date the reuse was seen),
so Gephi's timeline can replay the spread. Ids, labels and attribute values
pass through :func:`detector.render.sanitize.xml_safe`, so the file is
well-formed XML 1.0 whatever the corpus holds.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from detector.render.common import chart_date
from detector.render.sanitize import xml_safe

if TYPE_CHECKING:
    from detector.schema import Report

__all__ = ["GEXF_LEVELS", "render_gexf"]

GEXF_LEVELS = ("outlet", "document")
UNKNOWN_OUTLET = "(unknown outlet)"


def _attr(value: object) -> str:
    return quoteattr(xml_safe(str(value)))


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _min(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b < a) else a


def _max(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


class _Graph:
    """Nodes and weighted directed edges, collected before writing."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, object]] = {}
        self.weight: Counter[tuple[str, str]] = Counter()
        self.undated: Counter[tuple[str, str]] = Counter()
        self.start: dict[tuple[str, str], str | None] = {}

    def edge(self, source: str, target: str, day: str | None, *, undated: bool) -> None:
        key = (source, target)
        self.weight[key] += 1
        if undated:
            self.undated[key] += 1
        self.start[key] = _min(self.start.get(key), day)


def _outlet_graph(report: Report) -> _Graph:
    graph = _Graph()
    docs: Counter[str] = Counter()
    first: dict[str, str | None] = {}
    last: dict[str, str | None] = {}
    for d in report.documents:
        name = d.outlet or UNKNOWN_OUTLET
        docs[name] += 1
        day = _day(chart_date(d.date))
        first[name] = _min(first.get(name), day)
        last[name] = _max(last.get(name), day)
    clusters_in: Counter[str] = Counter()
    for c in report.clusters:
        if c.kind != "reuse":
            continue
        for o in c.outlets:
            clusters_in[o] += 1
        if len(c.outlets) < 2:
            continue
        source = next((m.outlet for m in c.members if m.doc == c.earliest), None)
        day = _day(chart_date(c.earliest_date))
        if source is not None:
            for o in c.outlets:
                if o != source:
                    graph.edge(source, o, day, undated=False)
        else:
            for x in c.outlets:
                for y in c.outlets:
                    if x != y:
                        graph.edge(x, y, None, undated=True)
    for name in sorted(docs, key=lambda n: (-docs[n], n)):
        graph.nodes[name] = {
            "label": name,
            "kind": "outlet",
            "documents": docs[name],
            "reuse_clusters": clusters_in[name],
            "start": first.get(name),
            "end": last.get(name),
        }
    return graph


def _document_graph(report: Report) -> _Graph:
    graph = _Graph()
    info = {d.id: d for d in report.documents}
    for c in report.clusters:
        if c.kind != "reuse":
            continue
        ids = list(dict.fromkeys(m.doc for m in c.members))
        if len(ids) < 2:
            continue
        hub = c.earliest if c.earliest is not None else ids[0]
        day = _day(chart_date(c.earliest_date))
        for doc in ids:
            if doc not in graph.nodes:
                d = info.get(doc)
                when = _day(chart_date(d.date)) if d is not None else None
                graph.nodes[doc] = {
                    "label": doc,
                    "kind": "document",
                    "outlet": (d.outlet if d is not None else None) or UNKNOWN_OUTLET,
                    "chars": d.chars if d is not None else 0,
                    "start": when,
                    "end": when,
                }
            if doc != hub:
                graph.edge(hub, doc, day, undated=c.earliest is None)
    return graph


def render_gexf(report: Report, *, level: str = "outlet") -> str:
    """The reuse network of ``report`` as a GEXF 1.3 document.

    Args:
        report: what ``build_report`` found.
        level: ``"outlet"`` (outlets and the reuse between them) or
            ``"document"`` (documents and the reuse between them).

    Returns:
        UTF-8 XML text ending with a newline. O(nodes + sum over reuse
        clusters of members, or of outlets squared for undated clusters).
    """
    if level not in GEXF_LEVELS:
        raise ValueError(f"level must be one of {GEXF_LEVELS}, got {level!r}")
    graph = _outlet_graph(report) if level == "outlet" else _document_graph(report)
    dynamic = any(v.get("start") for v in graph.nodes.values()) or any(graph.start.values())
    node_attrs = (
        [("documents", "integer"), ("reuse_clusters", "integer")]
        if level == "outlet"
        else [("outlet", "string"), ("chars", "integer")]
    )
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
        "  <meta>",
        "    <creator>detector</creator>",
        f"    <description>{escape(_description(level))}</description>",
        "  </meta>",
        f'  <graph defaultedgetype="directed"{mode}>',
        '    <attributes class="node">',
    ]
    for i, (title, kind) in enumerate(node_attrs):
        out.append(f'      <attribute id="{i}" title="{title}" type="{kind}"/>')
    out += [
        "    </attributes>",
        '    <attributes class="edge">',
        '      <attribute id="0" title="undated" type="integer"/>',
        "    </attributes>",
        "    <nodes>",
    ]
    ids = {name: f"n{i}" for i, name in enumerate(graph.nodes)}
    for name, node in graph.nodes.items():
        times = _times(node.get("start"), node.get("end")) if dynamic else ""
        out.append(f"      <node id=\"{ids[name]}\" label={_attr(node['label'])}{times}>")
        out.append("        <attvalues>")
        for i, (title, _) in enumerate(node_attrs):
            out.append(f'          <attvalue for="{i}" value={_attr(node[title])}/>')
        out += ["        </attvalues>", "      </node>"]
    out += ["    </nodes>", "    <edges>"]
    for k, (source, target) in enumerate(sorted(graph.weight, key=lambda e: (ids[e[0]], ids[e[1]]))):
        key = (source, target)
        start = graph.start.get(key)
        times = f' start="{start}"' if dynamic and start else ""
        out.append(
            f'      <edge id="e{k}" source="{ids[source]}" target="{ids[target]}" '
            f'weight="{graph.weight[key]}"{times}>'
        )
        out.append(
            f'        <attvalues><attvalue for="0" value="{graph.undated[key]}"/></attvalues>'
        )
        out.append("      </edge>")
    out += ["    </edges>", "  </graph>", "</gexf>"]
    return "\n".join(out) + "\n"


def _times(start: object, end: object) -> str:
    parts = []
    if start:
        parts.append(f' start="{start}"')
    if end:
        parts.append(f' end="{end}"')
    return "".join(parts)


def _description(level: str) -> str:
    if level == "outlet":
        return (
            "detector reuse network: nodes are outlets; an edge A -> B weighs the reuse "
            "clusters whose earliest member is in A and which also appear in B"
        )
    return (
        "detector reuse network: nodes are documents; an edge A -> B weighs the reuse "
        "clusters in which A is the earliest member and B another member"
    )

