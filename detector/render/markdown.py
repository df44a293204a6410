"""Markdown renderings, for pasting into newsroom notes and issue trackers.

Document text is placed in blockquotes with Markdown and HTML metacharacters
escaped, and control characters made visible, so a document cannot inject
links, images or raw HTML into the rendered note. The triggers of
GitHub-flavoured autolinks are escaped too: ``:`` (so ``https://`` and
``http://2130706433/x`` stay text), ``.`` (``www.``) and ``@`` (e-mail
addresses); a backslash before ASCII punctuation is invisible once rendered.
GitHub links e-mail addresses even when ``@`` is escaped, so in an
e-mail-like string a WORD JOINER (U+2060, invisible) follows the ``@``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from detector.render.common import duplicate_groups, fold_repeats
from detector.render.sanitize import display_text

if TYPE_CHECKING:
    from detector.schema import CompareResult, Report

__all__ = ["md_escape", "render_compare_markdown", "render_report_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~:@])")


_EMAIL_AT = re.compile(r"(?<=[\w.+\-])\\@(?=[\w\\])")


def md_escape(text: str) -> str:
    """Escape Markdown/HTML metacharacters and autolink triggers; newlines become spaces. O(n)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", display_text(text)).replace("\n", " ")
    return _EMAIL_AT.sub("\\\\@\u2060", escaped)


def _quote(text: str, limit: int = 1200) -> str:
    if len(text) > limit:
        text = text[: limit // 2] + f" … [{len(text) - limit:,} chars] … " + text[-limit // 2 :]
    return "> " + md_escape(text)


def render_compare_markdown(result: CompareResult) -> str:
    """A Markdown report of one comparison (summary, passages, framing, notes)."""
    a, b, sim = result.a, result.b, result.similarity
    lines = [
        f"# Comparison: {md_escape(a.id)} ↔ {md_escape(b.id)}",
        "",
        "| | A | B |",
        "|---|---|---|",
        f"| document | {md_escape(a.id)} | {md_escape(b.id)} |",
        f"| characters | {len(a.text)} | {len(b.text)} |",
        f"| containment (share of own shingles in the other) | {sim.containment_a:.3f} "
        f"| {sim.containment_b:.3f} |",
        f"| share of text in passages | {sim.coverage_a:.1%} | {sim.coverage_b:.1%} |",
        "",
        f"MinHash Jaccard similarity: **{sim.jaccard:.3f}**; reused passages: "
        f"**{len(result.passages)}**.",
        "",
    ]
    for n, p in enumerate(result.passages, 1):
        lines += [
            f"## Passage {n}: {p.kind}, score {p.score:.2f}, {p.words} words",
            "",
            f"A characters {p.a.start}–{p.a.end}:",
            "",
            _quote(p.a.text(a.text)),
            "",
            f"B characters {p.b.start}–{p.b.end}:",
            "",
            _quote(p.b.text(b.text)),
            "",
        ]
        subs = p.substitutions(a.text, b.text)
        if subs:
            lines += ["Substitutions (A → B):", ""]
            lines += [f"- {md_escape(x)} → {md_escape(y)}" for x, y in subs]
            lines.append("")
    if result.framing:
        texts = {"a": a.text, "b": b.text}
        lines += ["## Framing", "", "| doc | label | score | sentence |", "|---|---|---|---|"]
        for f in result.framing:
            sentence = texts.get(f.doc, "")[f.start : f.end]
            lines.append(f"| {md_escape(f.doc)} | {md_escape(f.label)} | {f.score:.2f} | {md_escape(sentence)} |")
        lines.append("")
    for note in result.notes:
        lines.append(f"*Note: {md_escape(note)}*")
    return "\n".join(lines).rstrip() + "\n"


def render_report_markdown(report: Report, *, top: int = 50) -> str:
    """A Markdown summary of a corpus report: clusters, boilerplate, phrases, framing."""
    reuse = [c for c in report.clusters if c.kind == "reuse"]
    boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    lines = [
        "# Corpus report",
        "",
        f"{len(report.documents)} documents; {len(reuse)} reuse clusters; "
        f"{len(boiler)} boilerplate texts; {len(report.repeats)} repeats inside documents; "
        f"{len(report.phrases)} shared phrases; {report.skipped} bad records skipped.",
        "",
    ]
    for title, group in (("Reuse clusters", reuse), ("Boilerplate", boiler)):
        if not group:
            continue
        lines += [f"## {title}", ""]
        for c in group[:top]:
            lines += [
                f"### Cluster {c.id}: {c.documents} documents, earliest "
                f"{md_escape(c.earliest or 'unknown')}",
                "",
                "| document | outlet | date | characters |",
                "|---|---|---|---|",
            ]
            for m in c.members:
                lines.append(
                    f"| {md_escape(m.doc)} | {md_escape(m.outlet or '—')} | "
                    f"{md_escape(m.date or '—')} | {m.start}–{m.end} |"
                )
            lines += ["", _quote(c.members[0].text), ""]
    groups = duplicate_groups(report)
    if groups:
        lines += ["## Duplicate groups (near-identical documents)", "", "| documents | outlets | earliest | members |", "|---|---|---|---|"]
        for g in groups[:top]:
            docs = getattr(g, "documents", None) or getattr(g, "members", None) or ()
            ids = [d if isinstance(d, str) else getattr(d, "doc", getattr(d, "id", "")) for d in docs]
            shown = ", ".join(md_escape(i) for i in ids[:10]) + (f" … {len(ids) - 10} more" if len(ids) > 10 else "")
            outlets = ", ".join(md_escape(o) for o in (getattr(g, "outlets", None) or ()))
            lines.append(f"| {len(ids)} | {outlets} | {md_escape(getattr(g, 'earliest', None) or 'unknown')} | {shown} |")
        lines.append("")
    repeats = fold_repeats(report.repeats)
    if repeats:
        lines += [
            f"## Repeats inside documents ({min(top, len(repeats))} of {len(repeats)}; nested repeats folded into the longest)",
            "",
            "| document | times | words | text |",
            "|---|---|---|---|",
        ]
        for r in repeats[:top]:
            text = r.text if len(r.text) <= 300 else r.text[:299] + "…"
            lines.append(f"| {md_escape(r.doc)} | {len(r.spans)} | {r.words} | {md_escape(text)} |")
        lines.append("")
    if report.phrases:
        lines += ["## Shared phrasing", "", "| phrase | documents | independent | outlets |", "|---|---|---|---|"]
        for p in report.phrases[:top]:
            lines.append(f"| {md_escape(p.text)} | {p.documents} | {p.independent} | {p.outlets} |")
        lines.append("")
    if report.framing_counts:
        lines += ["## Framing", "", "| label | flags | independent | reposted | outlets |", "|---|---|---|---|---|"]
        for f in report.framing_counts:
            lines.append(f"| {md_escape(f.label)} | {f.flags} | {f.independent} | {f.reposted} | {f.outlets} |")
        lines.append("")
    for note in report.notes:
        lines.append(f"*Note: {md_escape(note)}*")
    return "\n".join(lines).rstrip() + "\n"
