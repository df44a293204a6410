"""A single self-contained HTML report: no network, inline CSS, JS and SVG.

Document text is escaped by jinja2's autoescape after slicing by offsets
(never before, so offsets stay valid). The JSON embedded for the script has
``<``, ``>``, ``&`` and the JavaScript line separators written as ``\\uXXXX``
escapes, so ``</script>`` inside a document cannot end the script element.
A Content-Security-Policy forbids every network fetch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from detector.render.sanitize import display_text

if TYPE_CHECKING:
    from detector.schema import Cluster, Report

__all__ = ["escape_json_for_script", "render_report_html"]

_CONTEXT = 160  # characters shown before and after a member's span
_MAX_MARK = 1500  # longest highlighted text shown whole (characters)
_MAX_CLUSTERS = 500


def escape_json_for_script(value: Any) -> str:
    """JSON text safe inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _heatmap(report: Report) -> str:
    from markupsafe import escape


    names, counts = report.outlet_matrix()
    names = names[:20]
    if not names:
        return ""
    cell, left, topm = 26, 150, 150
    size_w = left + cell * len(names) + 10
    size_h = topm + cell * len(names) + 10
    peak = max(counts.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_w}" height="{size_h}" '
        f'role="img" aria-label="outlet by outlet reuse heatmap">'
    ]
    for i, name in enumerate(names):
        label = escape(display_text(name[:24]))
        y = topm + i * cell + cell * 0.65
        parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end">{label}</text>')
        x = left + i * cell + cell * 0.6
        parts.append(
            f'<text x="{x:.1f}" y="{topm - 6}" transform="rotate(-60 {x:.1f} {topm - 6})">{label}</text>'
        )
    for i, x in enumerate(names):
        for j, y in enumerate(names):
            v = counts.get((x, y), 0)
            shade = 0.08 + 0.92 * v / peak if v else 0.0
            fill = f"rgba(200,60,0,{shade:.2f})" if v else "#f1f2f5"
            title = escape(f"{x} → {y}: {v}")
            parts.append(
                f'<rect x="{left + j * cell}" y="{topm + i * cell}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{fill}"><title>{title}</title></rect>'
            )
            if v:
                parts.append(
                    f'<text x="{left + j * cell + cell / 2 - 1}" y="{topm + i * cell + cell * 0.62}" '
                    f'text-anchor="middle">{v}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _timeline(cluster: Cluster) -> str:
    """Inline SVG: each dated member as a dot on a time axis, labelled by outlet."""
    from markupsafe import escape

    from detector.cluster import parse_date

    dated = [(parse_date(m.date), m) for m in cluster.members]
    dated = [(d, m) for d, m in dated if d is not None]
    if len(dated) < 3:
        return ""
    t0 = min(d for d, _ in dated)
    t1 = max(d for d, _ in dated)
    span = max((t1 - t0).total_seconds(), 1.0)
    width, left, row = 640, 10, 16
    height = 30 + row * len(dated)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 220}" height="{height}" '
        f'role="img" aria-label="timeline of cluster {cluster.id}">',
        f'<line x1="{left}" y1="{height - 14}" x2="{left + width}" y2="{height - 14}" stroke="#999"/>',
        f'<text x="{left}" y="{height - 2}">{escape(str(t0.date()))}</text>',
        f'<text x="{left + width}" y="{height - 2}" text-anchor="end">{escape(str(t1.date()))}</text>',
    ]
    for k, (d, m) in enumerate(sorted(dated, key=lambda x: x[0])):
        x = left + width * (d - t0).total_seconds() / span
        y = 10 + row * k
        colour = "#c83c00" if m.doc == cluster.earliest else "#1d2a44"
        label = escape(display_text(f"{m.outlet or '?'} · {m.doc}")[:60])
        parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{height - 14}" stroke="#ddd"/>')
        parts.append(f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{colour}"><title>{escape(m.date or "")}</title></circle>')
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 4}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _member_view(report: Report, cluster: Cluster) -> list[dict[str, Any]]:
    out = []
    for m in cluster.members:
        text = report.texts.get(m.doc, "")
        body = text[m.start : m.end] if text else m.text
        if len(body) > _MAX_MARK:
            body = body[: _MAX_MARK - 300] + f" … {len(body) - _MAX_MARK:,} chars … " + body[-300:]
        out.append(
            {
                "doc": display_text(m.doc),
                "outlet": display_text(m.outlet or "outlet unknown"),
                "date": display_text(m.date or "date unknown"),
                "start": m.start,
                "end": m.end,
                "before": display_text(text[max(0, m.start - _CONTEXT) : m.start]),
                "text": display_text(body),
                "after": display_text(text[m.end : m.end + _CONTEXT]),
                "source": m.doc == cluster.earliest,
            }
        )
    return out


def render_report_html(report: Report) -> str:
    """The report as one offline HTML page (clusters side by side, heatmap, timelines)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("detector.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    reuse = [c for c in report.clusters if c.kind == "reuse"][:_MAX_CLUSTERS]
    boiler = [c for c in report.clusters if c.kind == "boilerplate"][:_MAX_CLUSTERS]

    def view(c: Cluster) -> dict[str, Any]:
        return {
            "id": c.id,
            "kind": c.kind,
            "documents": c.documents,
            "outlets": [display_text(o) for o in c.outlets],
            "outlets_attr": json.dumps(list(c.outlets), ensure_ascii=False),
            "earliest": display_text(c.earliest or "unknown"),
            "frames": list(c.frames),
            "timeline": Markup(_timeline(c)),
            "members": _member_view(report, c),
        }

    outlets = sorted({d.outlet for d in report.documents if d.outlet})
    summary = (
        f"{len(report.documents):,} documents · {len(outlets):,} outlets · "
        f"{sum(1 for c in report.clusters if c.kind == 'reuse'):,} reuse clusters · "
        f"{sum(1 for c in report.clusters if c.kind == 'boilerplate'):,} boilerplate · "
        f"{len(report.phrases):,} shared phrases · {report.skipped:,} bad records skipped"
    )
    data = {
        "schema": "detector.report/1",
        "clusters": len(reuse) + len(boiler),
        "documents": [{"id": d.id, "outlet": d.outlet, "date": d.date} for d in report.documents],
    }
    return template.render(
        summary=summary,
        outlets=[display_text(o) for o in outlets],
        heatmap=Markup(_heatmap(report)),
        groups=[("Reuse clusters", [view(c) for c in reuse]), ("Boilerplate", [view(c) for c in boiler])],
        phrases=[
            {**p.__dict__, "text": display_text(p.text), "outlet_names": [display_text(o) for o in p.outlet_names]}
            for p in report.phrases
        ],
        framing_counts=list(report.framing_counts),
        notes=[display_text(n) for n in report.notes],
        data_json=Markup(escape_json_for_script(data)),
    )
