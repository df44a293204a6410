"""Small presentation helpers shared by the report renderers.

Nothing here finds anything: these choose what to show of a report (which
repeats, which link is safe to make clickable, which date a chart can place)
and format it. Every function is linear in what it is given unless stated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from detector.render.sanitize import CONTROL_RE

if TYPE_CHECKING:
    from detector.schema import Repeat, Report

__all__ = ["chart_date", "duplicate_groups", "fold_repeats", "publish_file", "safe_http_url"]


def safe_http_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address a page may link to, else None.

    Anything else (``javascript:``, ``data:``, relative paths, addresses with
    control characters or whitespace) is shown as text, never as a link.
    """
    if not url or CONTROL_RE.search(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def chart_date(value: str | None) -> datetime | None:
    """A member's date as a naive UTC datetime for charts; None when unusable.

    Dates that overflow on conversion to UTC (``9999-12-31T23:59:59-05:00``)
    are unusable here rather than an error: a chart just leaves them out.
    """
    from detector.cluster import parse_date

    try:
        return parse_date(value)
    except (OverflowError, ValueError):
        return None


def fold_repeats(repeats: Iterable[Repeat]) -> list[Repeat]:
    """Repeats to show: a repeat whose every occurrence lies inside occurrences
    of a longer repeat of the same document is folded into that one.

    Order: most words first, then document, then position. O(r log r + r·k)
    for r repeats, k kept repeats per document.
    """
    by_doc: dict[str, list[Repeat]] = defaultdict(list)
    for r in repeats:
        by_doc[r.doc].append(r)
    kept: list[Repeat] = []
    for items in by_doc.values():
        items.sort(key=lambda r: (-r.words, -max((s.end - s.start for s in r.spans), default=0)))
        mine: list[Repeat] = []
        for r in items:
            covers = [s for k in mine for s in k.spans]
            if covers and all(
                any(c.start <= s.start and s.end <= c.end for c in covers) for s in r.spans
            ):
                continue
            mine.append(r)
        kept += mine
    order = {}
    for r in repeats:
        order.setdefault(r.doc, len(order))
    kept.sort(key=lambda r: (-r.words, order[r.doc], r.spans[0].start if r.spans else 0))
    return kept


def duplicate_groups(report: Report) -> Sequence[Any]:
    """The report's duplicate groups (near-identical documents), or () when the
    report carries none (older libraries)."""
    return tuple(getattr(report, "duplicates", ()) or ())


def publish_file(tmp: str, path: str) -> None:
    """Give a finished temporary file the mode a plain ``open()`` would (0666
    less the user's umask; ``mkstemp`` makes it 0600) and rename it onto ``path``.

    The rename is atomic: a reader sees the old file or the whole new one.
    """
    import os

    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)
