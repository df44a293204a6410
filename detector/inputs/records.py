"""One decoded record (JSONL, CSV, Parquet row) to a :class:`Document`: the field rules.

Rules, the same for every record format:

* ``id``: a non-empty string, or an integer (made a string);
* ``text``: a string of at most :data:`~detector.inputs.raw.MAX_DOCUMENT_CHARS`
  characters;
* ``outlet`` (or passim's ``series``), ``date``, ``url``, ``lang``: a string,
  a finite number (made a string) or null/empty (unknown);
* ``date``: when it is an ISO 8601 date-time with a UTC offset, converting it
  to UTC must give a year in 1..9999 (``9999-12-31T23:59:59-05:00`` does not):
  such a date is a bad record, never a crash later in the report. Dates that
  are not ISO 8601 are kept as given and treated as unknown when ordering;
* every other field goes to ``Document.extra`` unchanged.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from detector.inputs.raw import MAX_DOCUMENT_CHARS, BadRecord, json_type, too_long
from detector.schema import Document

__all__ = ["META_FIELDS", "check_date", "check_text", "make_document"]

META_FIELDS = ("outlet", "date", "url", "lang")


def check_date(value: str) -> None:
    """Refuse an ISO 8601 date-time whose conversion to UTC leaves years 1..9999.

    Raises:
        BadRecord: e.g. ``9999-12-31T23:59:59-05:00`` or
            ``0001-01-01T00:00:00+05:00``. Strings that are not ISO 8601
            dates pass (they are kept, and unknown for ordering).
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return
    if parsed.tzinfo is None:
        return
    try:
        parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise BadRecord(
            f"date {value!r} is out of range once converted to UTC (years 1-9999)"
        ) from None


def check_text(text: str) -> None:
    """Refuse a text over the document size limit."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise BadRecord(too_long(len(text)))


def meta_value(key: str, value: Any) -> str | None:
    """A metadata field as a string (None when null or empty).

    Raises:
        BadRecord: a non-finite number (NaN, Infinity), a boolean, an array
            or an object.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRecord(f"{key!r} must be a string, not {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # e.g. a year given as a number
    raise BadRecord(f"{key!r} must be a string, not {json_type(value)}")


def make_document(
    record: dict[str, Any],
    *,
    path: str,
    line: int | None,
    id_field: str,
    text_field: str,
    outlet: str | None = None,
) -> Document:
    """Build a Document from one decoded JSONL/CSV/Parquet record.

    Args:
        outlet: the outlet to use when the record names none (its outlet
            folder).

    Raises:
        BadRecord: missing/empty/ill-typed ``id``, missing or non-string
            ``text``, a text over the size limit, a metadata field that is
            neither string nor finite number, or a date out of range.
    """
    ident = record.get(id_field)
    fast = _plain_document(record, ident, path=path, line=line, id_field=id_field, text_field=text_field, outlet=outlet)
    if fast is not None:
        return fast
    if ident is None:
        raise BadRecord(
            f"missing {id_field!r} field" if id_field not in record else f"{id_field!r} is null"
        )
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        raise BadRecord(f"{id_field!r} must be a string or an integer, not {json_type(ident)}")
    if isinstance(ident, int):
        ident = str(ident)
    elif not ident:
        raise BadRecord(f"empty {id_field!r}")
    text = record.get(text_field)
    if not isinstance(text, str):
        if text_field not in record:
            raise BadRecord(f"missing {text_field!r} field")
        raise BadRecord(f"{text_field!r} must be a string, not {json_type(text)}")
    check_text(text)

    used = {id_field, text_field}
    meta: dict[str, str | None] = {}
    for name in META_FIELDS:
        key = name
        if name == "outlet" and record.get("outlet") in (None, "") and "series" in record:
            key = "series"  # passim's name for the outlet
            used.add("outlet")  # an empty "outlet" beside "series" is not extra data
        if key in record:
            used.add(key)
        meta[name] = meta_value(key, record.get(key))
    if meta["date"] is not None:
        check_date(meta["date"])
    if meta["outlet"] is None:
        meta["outlet"] = outlet
    extra = {k: v for k, v in record.items() if k not in used}
    return Document(
        id=ident,
        text=text,
        extra=extra,
        source=path,
        line=line,
        **meta,  # type: ignore[arg-type]
    )


def _plain_document(
    record: dict[str, Any],
    ident: Any,
    *,
    path: str,
    line: int | None,
    id_field: str,
    text_field: str,
    outlet: str | None,
) -> Document | None:
    """:func:`make_document` of the common record: a string id and text, string or null
    metadata, no other field; None for any other record (the full rules decide).

    The same Document as the full rules give (tested); it skips their per-field
    checks, about half of the loading time of a million short records.
    """
    text = record.get(text_field)
    if (
        type(ident) is not str
        or not ident
        or type(text) is not str
        or len(text) > MAX_DOCUMENT_CHARS
        or id_field in _META_SET
        or text_field in _META_SET
    ):
        return None
    source_outlet = record.get("outlet")
    date = record.get("date")
    url = record.get("url")
    lang = record.get("lang")
    present = 2
    for value in (source_outlet, date, url, lang):
        if value is not None:
            if type(value) is not str:
                return None
            present += 1
    if len(record) != present:  # an extra field, a null metadata field, or passim's "series"
        return None
    if date:
        check_date(date)
    return Document(
        id=ident,
        text=text,
        outlet=source_outlet or outlet,
        date=date or None,
        url=url or None,
        lang=lang or None,
        extra={},
        source=path,
        line=line,
    )


_META_SET = frozenset(META_FIELDS)
