"""Saved web pages (``.html``, ``.htm``): the main text and metadata, by trafilatura.

trafilatura (the ``html`` extra) drops the page chrome — navigation, cookie
banners, share buttons, related links, comments, footers — and returns the
article text; the document's ``text`` is that extracted text, so every span
indexes it and reports show and slice it. From the page metadata:

* ``title`` (in ``extra``), ``url`` (the canonical URL), ``date`` (the
  publication date: ``YYYY-MM-DD``, or a date-time with its UTC offset when
  the page gives one) and ``outlet`` (the site name, else the host name);
* an outlet folder (``CORPUS/OUTLET/page.html``) and a ``--meta`` sidecar
  both take precedence over the page's own site name.

The page's bytes are given to trafilatura undecoded: it honours the page's
declared charset (a ``windows-1251`` page is read correctly). A page with no
main text (fewer than :data:`MIN_PAGE_WORDS` words extracted), or one
trafilatura cannot parse, is a bad record.
"""

from __future__ import annotations

from typing import Any

from detector.errors import InputError
from detector.inputs.raw import MAX_DOCUMENT_CHARS, BadRecord, Input, too_long
from detector.inputs.records import check_date
from detector.schema import Document

__all__ = ["EXTRA", "MODULE", "html_document", "require_trafilatura"]

EXTRA = "html"
MODULE = "trafilatura"
_MAX_PAGE_BYTES = 20 * MAX_DOCUMENT_CHARS  # markup is mostly chrome: be generous
MIN_PAGE_WORDS = 10
"""Fewer extracted words than this is "no main text": trafilatura falls back to
whatever text a page has, e.g. the menu of a page that is all navigation."""


def require_trafilatura() -> Any:
    """Import trafilatura's extractor, or raise a one-line error naming the extra.

    Raises:
        InputError: trafilatura is missing or cannot be imported.
    """
    try:
        from trafilatura import bare_extraction
    except ImportError as exc:
        raise InputError(
            "html",
            f"reading .html pages needs the '{EXTRA}' extra: pip install 'reuse-detector[{EXTRA}]' "
            f"({exc.__class__.__name__}: {exc})",
        ) from None
    return bare_extraction


def _date(value: str | None) -> str | None:
    if not value:
        return None
    if value.endswith("T00:00:00"):  # htmldate's padding when only the day is known
        value = value[: -len("T00:00:00")]
    elif len(value) > 19 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]  # +0300 -> +03:00 (ISO 8601 extended)
    try:
        check_date(value)
    except BadRecord:
        return None
    return value


def html_document(inp: Input, doc_id: str, *, outlet: str | None = None) -> Document:
    """The main text of one saved page as a document.

    Args:
        doc_id: the document id (file name without extension, or the path
            below the corpus folder).
        outlet: the outlet folder's name, which wins over the site name.

    Raises:
        BadRecord: no main text, unparsable markup, a page over the size limit.
        InputError: trafilatura is not installed.
    """
    extract = require_trafilatura()
    data = inp.read_all(limit=_MAX_PAGE_BYTES)
    if len(data) > _MAX_PAGE_BYTES:
        raise BadRecord(f"page is over {_MAX_PAGE_BYTES:,} bytes")
    if b"\0" in data:
        raise BadRecord("binary file, not text", inp.start + data.index(b"\0"))
    try:
        result = extract(
            data,
            with_metadata=True,
            include_comments=False,
            date_extraction_params={
                "original_date": True,
                "extensive_search": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken markup
        raise BadRecord(f"cannot parse the page ({exc.__class__.__name__}: {exc})") from None
    text = getattr(result, "text", None) if result is not None else None
    words = len(text.split()) if text else 0
    if words < MIN_PAGE_WORDS:
        raise BadRecord(
            f"no main text found in the page ({words} words extracted; empty, or only "
            "navigation and chrome)"
        )
    if len(text) > MAX_DOCUMENT_CHARS:
        raise BadRecord(too_long(len(text)))
    extra: dict[str, Any] = {}
    title = getattr(result, "title", None)
    if title:
        extra["title"] = title
    site = getattr(result, "sitename", None) or getattr(result, "hostname", None)
    return Document(
        id=doc_id,
        text=text,
        outlet=outlet or site or None,
        date=_date(getattr(result, "date", None)),
        url=getattr(result, "url", None) or None,
        extra=extra,
        source=inp.path,
    )
