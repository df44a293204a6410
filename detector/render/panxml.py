"""PAN text-alignment XML, so PAN's scorers (``pan09-plagiarism-detection-perfmeasures.py``
and successors) can evaluate ``detector compare`` output directly.

One ``<document reference=SUSPICIOUS>`` element with a
``<feature name="detected-plagiarism" ...>`` per passage; offsets and lengths
are in characters, ``this_*`` on the suspicious document (B) and
``source_*`` on the source document (A), as PAN defines them. Ids are
made well-formed XML 1.0 first (:func:`detector.render.sanitize.xml_safe`):
control characters become visible stand-ins, never raw bytes in the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from detector.render.sanitize import xml_safe

if TYPE_CHECKING:
    from detector.schema import CompareResult

__all__ = ["render_compare_pan_xml"]


def _reference(doc_id: str) -> str:
    """PAN's file name for a document id; characters XML 1.0 forbids are replaced."""
    doc_id = xml_safe(doc_id)
    return doc_id if doc_id.endswith(".txt") else f"{doc_id}.txt"


def render_compare_pan_xml(result: CompareResult) -> str:
    """PAN detection XML for the pair (B is the suspicious document, A the source)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<document reference={quoteattr(_reference(result.b.id))}>",
    ]
    for p in result.passages:
        lines.append(
            '  <feature name="detected-plagiarism"'
            f' this_offset="{p.b.start}" this_length="{p.b.end - p.b.start}"'
            f" source_reference={quoteattr(_reference(result.a.id))}"
            f' source_offset="{p.a.start}" source_length="{p.a.end - p.a.start}"'
            f' kind="{p.kind}" score="{p.score:.4f}"/>'
        )
    lines.append("</document>")
    return "\n".join(lines) + "\n"
