"""Analysing a run of documents at once gives each document's facts exactly as alone.

The oracle is the one-document computation written out plainly from the
stages' own functions (tokenise, hash, segment, ...); the batched code paths
(:func:`detector.tokens.tokenize_many`, :func:`detector.fingerprint.shingle_hashes_many`,
:func:`detector.fingerprint.distinct_sorted_many`, :func:`detector.stages.analyse_documents`)
must agree with it array for array.
"""

from __future__ import annotations

import random
from dataclasses import fields
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.params import DEFAULT_PARAMS
from detector.schema import Document
from detector.stages import DocFacts, analyse_documents, doc_info

ROOT = Path(__file__).resolve().parents[1]


def _reference(index: int, doc: Document, params=DEFAULT_PARAMS, *, defer_keys: bool) -> DocFacts:
    """One document alone, from the stages' functions (the code before batching)."""
    from detector.boilerplate import phrase_seq, repeat_runs, segments
    from detector.candidates import band_keys, shingle_set, sketch_shingles
    from detector.chrome import chrome_occurrences
    from detector.cluster import find_repeats
    from detector.duplicates import doc_signature
    from detector.fingerprint import distinct_sorted, shingle_hashes, to_uint32
    from detector.tokens import tokenize

    tokens = tokenize(doc.text, stem=params.stem)
    hashes = shingle_hashes(tokens.ids, params.lsh_shingle_size)
    seg = segments(tokens)
    seq = phrase_seq(tokens)
    common = {
        "index": index,
        "info": doc_info(doc, len(tokens)),
        "segments": seg,
        "grams": distinct_sorted(seq.grams[seq.ok]),
        "repeats": tuple(find_repeats(doc.id, doc.text, repeat_runs(tokens, seg))),
        "chrome": chrome_occurrences(tokens),
    }
    if defer_keys:
        distinct = shingle_set(hashes)
        return DocFacts(
            keys=np.zeros((0, 0), dtype=np.uint64),
            shingles=to_uint32(hashes),
            shingle_set=distinct,
            phrase_seq=seq,
            dup_sig=doc_signature(distinct, params),
            **common,
        )
    sketch = sketch_shingles(doc.id, len(tokens), hashes, params)
    return DocFacts(keys=band_keys(sketch.signatures, params), **common)


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))  # type: ignore[arg-type]
    return a == b


def _check(docs: list[Document], *, defer_keys: bool = True) -> None:
    batch = analyse_documents(7, docs, DEFAULT_PARAMS, defer_keys=defer_keys)
    assert len(batch) == len(docs)
    for n, (doc, got) in enumerate(zip(docs, batch, strict=True)):
        want = _reference(7 + n, doc, defer_keys=defer_keys)
        for f in fields(DocFacts):
            assert _same(getattr(want, f.name), getattr(got, f.name)), (doc.id, f.name)


def _corpus() -> list[Document]:
    from detector.load import iter_documents

    return list(iter_documents([str(ROOT / "corpora" / "sample" / "sample.jsonl")], skip_bad=False))


def test_a_run_of_real_documents_equals_each_alone() -> None:
    docs = _corpus()
    _check(docs)
    _check(docs[:9], defer_keys=False)


def test_short_empty_and_odd_documents() -> None:
    rng = random.Random(3)
    pieces = ["Hello", "world", "don't", "Rоssiа", "\u200b", "\u0301", "Заметили ошибку?", "a.", "\n", "1,5", "’"]
    docs = [Document(id="empty", text=""), Document(id="marks", text="\u0301 \u200b")]
    for i in range(120):
        words = [rng.choice(pieces) for _ in range(rng.randint(0, 14))]
        docs.append(Document(id=f"p{i}", text=" ".join(words), outlet=f"o{i % 3}"))
    _check(docs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ab ёЁ.\n'\u200b1", max_size=40), min_size=1, max_size=12))
def test_any_texts(texts: list[str]) -> None:
    _check([Document(id=f"d{i}", text=t) for i, t in enumerate(texts)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=40), st.booleans())
def test_a_document_shorter_than_a_window_has_no_window_under_a_mask(values: list[int], masked: bool) -> None:
    """The local engine's second pass skips such documents (engines/local.py _keys_task)."""
    from detector.candidates import min_window_shingles, sketch_shingles

    hashes = np.array(values, dtype=np.uint32)
    mask = np.array(sorted({values[0]} if masked and values else {7}), dtype=np.uint32)
    sketch = sketch_shingles("d", len(values) + 2, hashes, DEFAULT_PARAMS, mask=mask)
    if len(hashes) < min_window_shingles(DEFAULT_PARAMS):
        assert len(sketch.signatures) == 0


def test_runs_cut_by_size_give_the_same_facts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import detector.stages

    monkeypatch.setattr(detector.stages, "RUN_CHARS", 200)
    docs = _corpus()[:12]
    assert any(len(d.text) > 200 for d in docs)
    _check(docs)


@given(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=300))
def test_a_single_line_has_no_chrome_whatever_its_words(text) -> None:
    """chrome_occurrences returns early on one line: the full rules find nothing there either."""
    from detector.chrome import chrome_lines, chrome_occurrences, line_affixes
    from detector.tokens import tokenize

    tokens = tokenize(text)
    assert chrome_occurrences(tokens) == ()
    assert line_affixes(tokens) == [] and chrome_lines(tokens) == []
