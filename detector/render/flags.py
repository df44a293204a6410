"""Renderings of framing flags (``detector flag``): terminal and JSON.

Each flagged sentence is shown with the words that carried the frame
underlined, styled by character offset on sanitised text (never markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detector.render.sanitize import display_text
from detector.schema import framing_to_dict

if TYPE_CHECKING:
    from rich.console import RenderableType

    from detector.schema import Document, FramingSpan

__all__ = ["FLAG_SCHEMA", "flags_to_dict", "render_flags"]

FLAG_SCHEMA = "detector.flag/1"


def flags_to_dict(
    documents: list[Document], flags: list[FramingSpan]
) -> dict[str, Any]:
    """JSON form: every document with its flags (``detector.flag/1``)."""
    by_doc: dict[str, list[dict[str, Any]]] = {d.id: [] for d in documents}
    texts = {d.id: d.text for d in documents}
    for f in flags:
        by_doc.setdefault(f.doc, []).append(framing_to_dict(f, texts.get(f.doc, "")))
    return {
        "schema": FLAG_SCHEMA,
        "documents": [
            {"id": d.id, "chars": len(d.text), "framing": by_doc[d.id]} for d in documents
        ],
    }


def render_flags(documents: list[Document], flags: list[FramingSpan]) -> RenderableType:
    """One table per document: label, probability, stance, sentence with cue words underlined."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    texts = {d.id: d.text for d in documents}
    parts: list[RenderableType] = []
    for doc in documents:
        mine = [f for f in flags if f.doc == doc.id]
        table = Table(
            title=Text(f"{display_text(doc.id)}: {len(mine)} framing flag(s)"),
            show_lines=True,
            expand=True,
        )
        table.add_column("label", no_wrap=True)
        table.add_column("score", justify="right")
        table.add_column("stance", no_wrap=True)
        table.add_column("chars", no_wrap=True)
        table.add_column("sentence (cue words underlined)", ratio=3)
        table.add_column("cues", ratio=1)
        for f in mine:
            text = texts[doc.id]
            sentence = Text(display_text(text[f.start : f.end]))
            for cue in f.cues:
                lo, hi = cue.start - f.start, cue.end - f.start
                if 0 <= lo < hi <= len(sentence):
                    sentence.stylize("bold underline", lo, hi)
            # the cue words again as plain text: underlines vanish without colour
            cues = Text(" · ".join(display_text(text[c.start : c.end]) for c in f.cues))
            # only a promoted frame is counted; a rebuttal or denial is shown as such
            stance = Text(f.stance, style="" if f.stance == "promoted" else "dim italic")
            table.add_row(f.label, f"{f.score:.2f}", stance, f"{f.start}–{f.end}", sentence, cues)
        parts.append(table if mine else Text(f"{display_text(doc.id)}: no framing flagged"))
    return Group(*parts)
