"""Facts packed column-wise (detector.engines.packing) come back equal, field by field."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from detector.engines.packing import FactsChunk, pack_column, unpack_column
from detector.load import iter_documents
from detector.schema import Document
from detector.stages import DocFacts, analyse_document

ROOT = Path(__file__).resolve().parents[1]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _facts() -> list[DocFacts]:
    docs = list(iter_documents([str(ROOT / "corpora" / "sample" / "sample.jsonl")], skip_bad=False))
    docs += [
        Document(id="empty", text=""),
        Document(id="short", text="Three words here", outlet="o", date="2024-01-01"),
        Document(id="extra", text="A post with an extra field.", extra={"views": 12}),
    ]
    return [replace(analyse_document(i, d, defer_keys=True), shingles=None, phrase_seq=None) for i, d in enumerate(docs)]


def test_facts_chunk_round_trip_is_field_by_field_equal() -> None:
    facts = _facts()
    assert any(f.dup_sig is None for f in facts) and any(f.dup_sig is not None for f in facts)
    assert any(f.chrome for f in facts) and any(f.repeats for f in facts)
    back = pickle.loads(pickle.dumps(FactsChunk(facts)))
    assert type(back) is list and len(back) == len(facts)
    for f, g in zip(facts, back, strict=True):
        assert type(g) is DocFacts
        for field in fields(DocFacts):
            assert _same(getattr(f, field.name), getattr(g, field.name)), field.name


def test_fields_do_not_share_a_buffer() -> None:
    """Dropping the shingle sets after the corpus counts must free them while segments stay."""
    back = pickle.loads(pickle.dumps(FactsChunk(_facts())))
    shingle_bases = {id(f.shingle_set.base) for f in back if f.shingle_set is not None}
    segment_bases = {id(f.segments[1].base) for f in back}
    assert len(shingle_bases) == 1 and len(segment_bases) == 1
    assert shingle_bases.isdisjoint(segment_bases)


@pytest.mark.parametrize(
    "values",
    [
        [np.arange(3, dtype=np.uint32), None, np.zeros(0, dtype=np.uint32)],
        [np.arange(3, dtype=np.uint32), np.arange(2, dtype=np.int64)],  # dtypes differ: a plain list
        [np.zeros((2, 2)), np.zeros((1, 2))],  # not 1-D: a plain list
        [None, None],
        [(np.arange(2), np.arange(2, dtype=np.uint64)), (np.arange(1), np.arange(1, dtype=np.uint64))],
        [(1, 2), (3, 4)],
        ["a", "b", None],
    ],
)
def test_columns_round_trip(values: list[object]) -> None:
    back = unpack_column(pickle.loads(pickle.dumps(pack_column(values))))
    assert len(back) == len(values)
    assert all(_same(a, b) for a, b in zip(values, back, strict=True))


def test_empty_chunk_is_an_empty_list() -> None:
    assert pickle.loads(pickle.dumps(FactsChunk([]))) == []


def test_omitted_fields_travel_as_none() -> None:
    facts = [analyse_document(i, Document(id=f"d{i}", text="one two three four five six"), defer_keys=True) for i in range(3)]
    assert all(f.shingles is not None and f.phrase_seq is not None for f in facts)
    chunk = FactsChunk(facts, omit=("shingles", "phrase_seq"))
    for got in (pickle.loads(pickle.dumps(chunk)), list(chunk)):
        assert [f.index for f in got] == [0, 1, 2]
        assert all(f.shingles is None and f.phrase_seq is None and f.shingle_set is not None for f in got)
