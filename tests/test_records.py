"""Record rules: the fast path for plain records gives what the full rules give."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.inputs import records
from detector.inputs.raw import BadRecord

_VALUES = st.none() | st.text(max_size=8) | st.integers() | st.floats() | st.booleans() | st.just("")
_DATES = st.sampled_from(["", "2024-01-02", "9999-12-31T23:59:59-05:00", "2024-01-02T10:00:00Z", "yesterday"])
_KEYS = st.sampled_from(["id", "text", "outlet", "date", "url", "lang", "series", "title"])


def _full_rules(record, **kw):
    original = records._plain_document
    records._plain_document = lambda *a, **k: None
    try:
        return records.make_document(record, **kw)
    finally:
        records._plain_document = original


def _outcome(fn, record, **kw):
    try:
        doc = fn(record, **kw)
    except BadRecord as bad:
        return ("bad", bad.reason)
    return ("ok", {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc)})


@given(
    st.dictionaries(_KEYS, _VALUES | _DATES, max_size=7),
    st.sampled_from([("id", "text"), ("url", "text"), ("id", "body")]),
    st.none() | st.text(max_size=4),
)
def test_fast_path_equals_full_rules(record, fields, folder_outlet) -> None:
    id_field, text_field = fields
    kw = {"path": "p.jsonl", "line": 3, "id_field": id_field, "text_field": text_field, "outlet": folder_outlet}
    assert _outcome(records.make_document, record, **kw) == _outcome(_full_rules, record, **kw)


@pytest.mark.parametrize(
    "record",
    [
        {"id": "a", "text": "t", "outlet": "o", "date": "2024-01-02", "url": "u", "lang": "en"},
        {"id": "a", "text": "t", "outlet": "", "date": ""},
        {"id": "a", "text": "t", "date": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_plain_records_take_the_fast_path(record) -> None:
    kw = {"path": "p", "line": 1, "id_field": "id", "text_field": "text", "outlet": "folder"}
    if "9999" in record["date"]:
        with pytest.raises(BadRecord):
            records._plain_document(record, record["id"], **kw)
        return
    doc = records._plain_document(record, record["id"], **kw)
    assert doc is not None
    assert _outcome(records.make_document, record, **kw) == _outcome(_full_rules, record, **kw)
