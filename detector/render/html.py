"""A single self-contained HTML report: no network, inline CSS, JS and SVG.

Document text is escaped by jinja2's autoescape after slicing by offsets
(never before, so offsets stay valid), and every string from the data (ids,
outlets, dates, labels, heatmap tooltips) is passed through
:func:`detector.render.sanitize.display_text` first, so control characters
never reach the page. The JSON embedded for the script has ``<``, ``>``,
``&`` and the JavaScript line separators written as ``\\uXXXX`` escapes, so
``</script>`` inside a document cannot end the script element.

Content-Security-Policy: no network fetch (``default-src 'none'``), the one
inline script allowed by its SHA-256 hash (no ``'unsafe-inline'`` for
scripts), ``base-uri 'none'`` and ``form-action 'none'``.

Size is bounded: the top ``top`` reuse clusters and ``top // 2``
boilerplate clusters are laid out ("M more in the JSON" says what was left
out), each with its first ``_EAGER_MEMBERS`` members in full; the rest of a
cluster's members (up to ``_LAZY_MAX``) are written as compact data and
rendered by the script only when asked ("show N more"). In each member laid
out in full, the words that differ from the cluster's source member are
marked (substituted, inserted: :func:`word_ops`). Document URLs are links only for http and
https. The outlet filter applies to every section: clusters, repeats,
duplicate groups, phrases, the framing table (flags in the chosen outlet)
and the heatmap (other rows and columns dimmed).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter, defaultdict
from importlib import resources
from typing import TYPE_CHECKING, Any

from detector.render.common import chart_date, duplicate_groups, fold_repeats, safe_http_url
from detector.render.sanitize import display_text

if TYPE_CHECKING:
    from detector.schema import Cluster, Member, Report, WordOp

__all__ = ["escape_json_for_script", "render_report_html", "script_hash", "word_ops"]

_CONTEXT = 160  # characters shown before and after a member's span
_MAX_MARK = 1500  # longest highlighted text shown whole (characters)
_MAX_DIFF = 30_000  # longest source member a shown member is word-diffed against (characters)
_LAZY_TEXT = 200  # characters of a lazily rendered member's text
_LAZY_MAX = 100  # members of a cluster written for lazy rendering (the rest: in the JSON)
_EAGER_MEMBERS = 8  # members of a cluster laid out in full
TOP_CLUSTERS = 100  # reuse clusters laid out (boilerplate: half as many)
TOP_ROWS = 200  # phrases, repeats and duplicate groups laid out
_HEATMAP_OUTLETS = 20
_OP_CLASS = {"substitute": "sub", "insert": "ins", "delete": "del"}


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


def _script() -> str:
    return resources.files("detector.render").joinpath("templates/report.js").read_text("utf-8")


def script_hash(script: str) -> str:
    """The CSP source expression (``'sha256-…'``) that allows exactly ``script``."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _outlets_attr(names: Any) -> str:
    """A ``data-outlets`` value: the sanitised names (as the filter shows them)."""
    return json.dumps(sorted({display_text(o) for o in names if o}), ensure_ascii=False)


def _heatmap(report: Report) -> str:
    from markupsafe import escape

    names, counts = report.outlet_matrix()
    names = names[:_HEATMAP_OUTLETS]
    if not names:
        return ""
    shown = [display_text(n) for n in names]
    labels = [s if len(s) <= 24 else s[:23] + "…" for s in shown]
    cell, left, topm = 26, 160, 150
    # column labels are rotated -60°: each reaches cos(60°) of its length to
    # the right of its column, so the canvas is widened to keep the last one
    longest = max(len(label) for label in labels)
    right = int(longest * 7 * 0.5) + 12
    size_w = left + cell * len(names) + right
    size_h = topm + cell * len(names) + 10
    peak = max(counts.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_w}" height="{size_h}" '
        f'role="img" aria-label="outlet by outlet reuse heatmap" id="heatmap">'
    ]
    for i, label in enumerate(labels):
        attr = escape(shown[i])
        y = topm + i * cell + cell * 0.65
        parts.append(
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" data-row="{attr}">'
            f"{escape(label)}<title>{attr}</title></text>"
        )
        x = left + i * cell + cell * 0.6
        parts.append(
            f'<text x="{x:.1f}" y="{topm - 6}" transform="rotate(-60 {x:.1f} {topm - 6})" '
            f'data-col="{attr}">{escape(label)}<title>{attr}</title></text>'
        )
    for i, x in enumerate(names):
        for j, y in enumerate(names):
            v = counts.get((x, y), 0)
            shade = 0.08 + 0.92 * v / peak if v else 0.0
            fill = f"rgba(200,60,0,{shade:.2f})" if v else "#f1f2f5"
            title = escape(f"{shown[i]} → {shown[j]}: {v:,}")
            parts.append(
                f'<g data-from="{escape(shown[i])}" data-to="{escape(shown[j])}">'
                f'<rect x="{left + j * cell}" y="{topm + i * cell}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{fill}"><title>{title}</title></rect>'
            )
            if v:
                parts.append(
                    f'<text x="{left + j * cell + cell / 2 - 1}" y="{topm + i * cell + cell * 0.62}" '
                    f'text-anchor="middle">{v}</text>'
                )
            parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _timeline(cluster: Cluster) -> str:
    """Inline SVG: each dated member as a dot on a time axis, labelled by outlet."""
    from markupsafe import escape

    dated = [(chart_date(m.date), m) for m in cluster.members]
    dated = [(d, m) for d, m in dated if d is not None][:40]
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
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{colour}">'
            f"<title>{escape(display_text(m.date or ''))}</title></circle>"
        )
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 4}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _segments(text: str, start: int, end: int, ops: Any) -> list[tuple[str, str]]:
    """``text[start:end]`` cut into (class, text) pieces by word operations.

    ``ops`` are :class:`detector.schema.WordOp` whose ``b`` spans index this
    member's document (the member is side b of its alignment with the
    cluster's representative). Class "" is kept text. O(length + ops).
    """
    marks = sorted(
        (op.b.start, op.b.end, _OP_CLASS[op.op])
        for op in ops or ()
        if op.op in _OP_CLASS and op.b.end > op.b.start and start <= op.b.start and op.b.end <= end
    )
    out: list[tuple[str, str]] = []
    cursor = start
    for lo, hi, cls in marks:
        if lo < cursor:
            continue
        if lo > cursor:
            out.append(("", display_text(text[cursor:lo])))
        out.append((cls, display_text(text[lo:hi])))
        cursor = hi
    if cursor < end:
        out.append(("", display_text(text[cursor:end])))
    return out


def _source_member(cluster: Cluster) -> Member | None:
    """The member the others are compared with: the earliest document's, else the first."""
    for m in cluster.members:
        if m.doc == cluster.earliest:
            return m
    return cluster.members[0] if cluster.members else None


_WINDOW_SLACK = 20  # words of the source kept on each side of the member's counterpart


def _counterpart(source: list[str], member: list[str]) -> tuple[int, int]:
    """The range of ``source`` words a (much shorter) ``member`` copies.

    Each word 3-gram the member shares with the source votes for an offset
    (source position minus member position); the median offset, widened by
    :data:`_WINDOW_SLACK` words each side, is the range. O(n + m).
    """
    if len(source) <= len(member) + 2 * _WINDOW_SLACK:
        return 0, len(source)
    where: dict[tuple[str, ...], int] = {}
    for i in range(len(source) - 2):
        where.setdefault(tuple(source[i : i + 3]), i)
    votes = sorted(
        where[g] - i for i in range(len(member) - 2) if (g := tuple(member[i : i + 3])) in where
    )
    if not votes:
        return 0, 0
    shift = votes[len(votes) // 2]
    return max(0, shift - _WINDOW_SLACK), min(len(source), shift + len(member) + _WINDOW_SLACK)


def word_ops(source: str, text: str, offset: int = 0) -> list[WordOp]:
    """Word-level operations that turn ``source`` into ``text`` (b spans shifted by ``offset``).

    A word diff (Levenshtein opcodes over the matching forms of
    :func:`detector.tokens.tokenize`, so case and inflection do not count
    as changes) of a cluster member against the cluster's source member.
    A source member much longer than the member (a star cluster's source
    spans what all its copies took) is first cut to the member's
    counterpart (:func:`_counterpart`), so a copy of one part is not
    diffed against the whole. ``substitute`` and ``insert`` spans index
    ``text`` (plus ``offset``); ``delete`` spans are empty at the place of
    the deleted words; words of the source outside the counterpart are not
    reported. Nothing when fewer than half of the member's words are kept
    (another language, or text that only shares a passage boundary), since
    marking almost every word says nothing. O(n + m + w·m/64) for n source
    and m member words and a window of w (bit-parallel), about 1 ms for two
    250-word passages.
    """
    from rapidfuzz.distance import Levenshtein

    from detector.schema import Span, WordOp
    from detector.tokens import tokenize

    ta, tb = tokenize(source), tokenize(text)
    if not len(ta) or not len(tb):
        return []
    forms_a, forms_b = list(ta.forms), list(tb.forms)
    lo, hi = _counterpart(forms_a, forms_b)
    if hi <= lo:
        return []
    ops = Levenshtein.opcodes(forms_a[lo:hi], forms_b)
    kept = sum(op.src_end - op.src_start for op in ops if op.tag == "equal")
    # source words before the first and after the last kept word are outside the copy
    equal = [k for k, op in enumerate(ops) if op.tag == "equal"]
    if not equal or 2 * kept < min(hi - lo, len(tb)):
        return []
    out: list[WordOp] = []
    names = {"replace": "substitute", "insert": "insert", "delete": "delete"}
    for k, op in enumerate(ops):
        if op.tag == "equal" or (op.tag == "delete" and (k < equal[0] or k > equal[-1])):
            continue
        a0, a1 = ta.char_span(lo + op.src_start, lo + op.src_end)
        b0, b1 = tb.char_span(op.dest_start, op.dest_end)
        out.append(WordOp(names[op.tag], Span(a0, a1), Span(b0 + offset, b1 + offset)))
    return out


def _member_view(
    report: Report,
    cluster: Cluster,
    m: Member,
    urls: dict[str, str],
    source: Member | None = None,
) -> dict[str, Any]:
    text = report.texts.get(m.doc, "")
    if not text:
        text, start, end = m.text, 0, len(m.text)
    else:
        start, end = m.start, m.end
    ops = getattr(m, "ops", None)
    if (
        ops is None
        and source is not None
        and source is not m
        and cluster.kind == "reuse"
        and end - start <= _MAX_MARK
        and len(source.text) <= _MAX_DIFF
    ):
        ops = word_ops(source.text, text[start:end], start)
    if end - start > _MAX_MARK:
        cut = end - start - _MAX_MARK
        segments = [
            ("", display_text(text[start : start + _MAX_MARK - 300])),
            ("gap", f" … {cut:,} chars … "),
            ("", display_text(text[end - 300 : end])),
        ]
    else:
        segments = _segments(text, start, end, ops)
    return {
        "doc": display_text(m.doc),
        "url": urls.get(m.doc),
        "outlet": display_text(m.outlet or "outlet unknown"),
        "date": display_text(m.date or "date unknown"),
        "start": m.start,
        "end": m.end,
        "before": display_text(text[max(0, start - _CONTEXT) : start]),
        "segments": segments,
        "after": display_text(text[end : end + _CONTEXT]),
        "source": m.doc == cluster.earliest,
    }


def _lazy_member(m: Member, cluster: Cluster, urls: dict[str, str]) -> dict[str, Any]:
    text = m.text if len(m.text) <= _LAZY_TEXT else m.text[: _LAZY_TEXT - 1] + "…"
    return {
        "doc": display_text(m.doc),
        "url": urls.get(m.doc),
        "outlet": display_text(m.outlet or "outlet unknown"),
        "date": display_text(m.date or "date unknown"),
        "span": f"{m.start:,}–{m.end:,}",
        "text": display_text(text),
        "source": m.doc == cluster.earliest,
    }


def _framing_by_outlet(report: Report) -> dict[str, dict[str, int]]:
    """Promoted flags per label and (sanitised) outlet, for the filtered framing table
    (a rebutted, denied or discussed frame is not counted, as in ``framing_counts``)."""
    outlet_of = {d.id: d.outlet for d in report.documents}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.framing:
        if getattr(f, "stance", "promoted") != "promoted":
            continue
        outlet = outlet_of.get(f.doc)
        if outlet:
            out[f.label][display_text(outlet)] += 1
    return {label: dict(c) for label, c in out.items()}


def _more(shown: int, total: int, what: str) -> str:
    return f"{total - shown:,} more {what} in the JSON report (--format json)" if total > shown else ""


def render_report_html(report: Report, *, top: int = TOP_CLUSTERS) -> str:
    """The report as one offline HTML page (clusters side by side, heatmap, timelines).

    Args:
        report: what ``build_report`` found.
        top: reuse clusters laid out (boilerplate: ``top // 2``); the rest are
            counted ("M more in the JSON").

    Returns:
        The page. Its size is bounded by ``top`` and the row limits, not by
        the corpus: O(top · members shown · characters shown).
    """
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("detector.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    urls = {d.id: u for d in report.documents if (u := safe_http_url(d.url))}
    all_reuse = [c for c in report.clusters if c.kind == "reuse"]
    all_boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    reuse, boiler = all_reuse[:top], all_boiler[: max(1, top // 2)]
    lazy: dict[str, list[dict[str, Any]]] = {}

    def view(c: Cluster) -> dict[str, Any]:
        rest = c.members[_EAGER_MEMBERS : _EAGER_MEMBERS + _LAZY_MAX]
        if rest:
            lazy[str(c.id)] = [_lazy_member(m, c, urls) for m in rest]
        return {
            "id": c.id,
            "kind": c.kind,
            "documents": c.documents,
            "outlets": [display_text(o) for o in c.outlets],
            "outlets_attr": _outlets_attr(c.outlets),
            "earliest": display_text(c.earliest or "unknown"),
            "frames": [display_text(f) for f in c.frames],
            "kinds": ", ".join(f"{n} {display_text(k)}" for k, n in c.kinds.items() if n),
            "timeline": Markup(_timeline(c)),
            "members": [
                _member_view(report, c, m, urls, _source_member(c)) for m in c.members[:_EAGER_MEMBERS]
            ],
            "more": len(rest),
            "more_json": _more(_EAGER_MEMBERS + len(rest), len(c.members), "members"),
        }

    outlet_of = {d.id: d.outlet for d in report.documents}
    repeats = fold_repeats(report.repeats)
    repeat_rows = [
        {
            "doc": display_text(r.doc),
            "url": urls.get(r.doc),
            "outlets_attr": _outlets_attr([outlet_of.get(r.doc)]),
            "times": len(r.spans),
            "words": r.words,
            "spans": ", ".join(f"{s.start:,}–{s.end:,}" for s in r.spans[:6])
            + (" …" if len(r.spans) > 6 else ""),
            "text": display_text(r.text if len(r.text) <= 300 else r.text[:299] + "…"),
        }
        for r in repeats[:TOP_ROWS]
    ]
    duplicates = [_duplicate_view(g, outlet_of, urls) for g in duplicate_groups(report)[:TOP_ROWS]]
    outlets = sorted({display_text(d.outlet) for d in report.documents if d.outlet})
    n_dups = len(duplicate_groups(report))
    summary = (
        f"{len(report.documents):,} documents · {len(outlets):,} outlets · "
        f"{len(all_reuse):,} reuse clusters · {len(all_boiler):,} boilerplate · "
        + (f"{n_dups:,} duplicate groups · " if n_dups else "")
        + f"{len(repeats):,} repeats inside documents · "
        f"{len(report.phrases):,} shared phrases · {report.skipped:,} bad records skipped"
    )
    data = {
        "schema": "detector.report/1",
        "clusters": len(reuse) + len(boiler),
        "documents": len(report.documents),
        "outlet_documents": dict(
            Counter(display_text(d.outlet) for d in report.documents if d.outlet)
        ),
        "more": lazy,
        "framing": _framing_by_outlet(report),
    }
    script = _script()
    return template.render(
        summary=summary,
        csp_script=Markup(script_hash(script)),  # base64 and quotes only
        script=Markup(script),
        outlets=outlets,
        heatmap=Markup(_heatmap(report)),
        groups=[
            ("Reuse clusters", [view(c) for c in reuse], _more(len(reuse), len(all_reuse), "reuse clusters")),
            ("Boilerplate", [view(c) for c in boiler], _more(len(boiler), len(all_boiler), "boilerplate clusters")),
        ],
        duplicates=duplicates,
        duplicates_more=_more(len(duplicates), n_dups, "duplicate groups"),
        duplicates_total=f"{n_dups:,}",
        repeats=repeat_rows,
        repeats_more=_more(len(repeat_rows), len(repeats), "repeats"),
        phrases=[
            {
                "text": display_text(p.text),
                "documents": p.documents,
                "independent": p.independent,
                "outlets": p.outlets,
                "outlet_names": [display_text(o) for o in p.outlet_names],
                "outlets_attr": _outlets_attr(p.outlet_names),
            }
            for p in report.phrases[:TOP_ROWS]
        ],
        phrases_total=len(report.phrases),
        phrases_more=_more(min(len(report.phrases), TOP_ROWS), len(report.phrases), "phrases"),
        framing_counts=[
            {**f.__dict__, "label": display_text(f.label)} for f in report.framing_counts
        ],
        notes=[display_text(n) for n in report.notes],
        data_json=Markup(escape_json_for_script(data)),
    )


def _duplicate_view(group: Any, outlet_of: dict[str, str | None], urls: dict[str, str]) -> dict[str, Any]:
    """A duplicate group for the page: its documents, outlets and earliest document.

    Reads ``documents`` (ids) or ``members`` (ids or objects with ``doc``),
    ``earliest`` and ``outlets`` when present.
    """
    docs = getattr(group, "documents", None) or getattr(group, "members", None) or ()
    ids = [d if isinstance(d, str) else getattr(d, "doc", getattr(d, "id", "")) for d in docs]
    outlets = getattr(group, "outlets", None) or sorted({o for i in ids if (o := outlet_of.get(i))})
    earliest = getattr(group, "earliest", None)
    return {
        "docs": [{"doc": display_text(i), "url": urls.get(i)} for i in ids[:50]],
        "more": max(0, len(ids) - 50),
        "size": len(ids),
        "outlets": [display_text(o) for o in outlets],
        "outlets_attr": _outlets_attr(outlets),
        "earliest": display_text(earliest or "unknown"),
        "similarity": f"{sim:.2f}" if isinstance(sim := getattr(group, "similarity", None), float) else "",
        "note": display_text(getattr(group, "earliest_note", None) or ""),
    }
