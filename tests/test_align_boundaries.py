"""Exact passage boundaries, monotone thresholds, repetition and short borrowings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.align import AlignmentStats, align_passages
from detector.compare import compare
from detector.params import DEFAULT_PARAMS
from detector.tokens import tokenize

SEEDS = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "seeds"


def _seed_words() -> list[str]:
    words: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        words += path.read_text(encoding="utf-8").split()
    return words


WORDS = _seed_words()
# vocabularies of made-up words: host text shares nothing with the passage, and
# the two hosts share nothing with each other (a host word equal on both sides
# next to the passage would rightly extend it: the passage ends on the last
# *matching* word)
FILLER_A = [f"zq{i}x" for i in range(400)]
FILLER_B = [f"zq{i}y" for i in range(400)]


def test_identical_text_gives_the_full_span() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        result = compare(text, text)
        assert len(result.passages) == 1
        p = result.passages[0]
        first, last = tokenize(text).char_span(0, len(tokenize(text)))
        assert (p.a.start, p.b.start) == (first, first)
        assert p.a.end >= last and p.b.end >= last
        assert p.kind == "verbatim"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, len(WORDS) - 200),
    length=st.integers(25, 150),
    left_a=st.integers(0, 60),
    left_b=st.integers(0, 60),
    right=st.integers(0, 60),
    seed=st.integers(0, 10_000),
)
def test_copied_passage_is_recovered_word_for_word(
    start: int, length: int, left_a: int, left_b: int, right: int, seed: int
) -> None:
    """A passage pasted into unrelated text is found from its first to its last word."""
    import random

    rng = random.Random(seed)
    passage = WORDS[start : start + length]
    host_a = [rng.choice(FILLER_A) for _ in range(left_a + right)]
    host_b = [rng.choice(FILLER_B) for _ in range(left_b + right)]
    a_words = host_a[:left_a] + passage + host_a[left_a:]
    b_words = host_b[:left_b] + passage + host_b[left_b:]
    a, b = " ".join(a_words), " ".join(b_words)
    ta, tb = tokenize(a), tokenize(b)
    pa, pb = tokenize(" ".join(host_a[:left_a])), tokenize(" ".join(host_b[:left_b]))
    n_pass = len(tokenize(" ".join(passage)))
    want_a = ta.char_span(len(pa), len(pa) + n_pass)
    want_b = tb.char_span(len(pb), len(pb) + n_pass)
    passages = align_passages(ta, tb, DEFAULT_PARAMS)
    if n_pass < DEFAULT_PARAMS.min_words:
        return
    covering = [p for p in passages if p.tok_a[0] <= len(pa) < p.tok_a[1]]
    assert len(covering) == 1, passages
    p = covering[0]
    assert p.tok_a == (len(pa), len(pa) + n_pass)
    assert p.tok_b == (len(pb), len(pb) + n_pass)
    # the span is the words, plus at most the punctuation opening and closing them
    for text, span, want in ((a, p.a, want_a), (b, p.b, want_b)):
        assert 0 <= want[0] - span.start <= 3 and 0 <= span.end - want[1] <= 3
        assert not any(ch.isalnum() for ch in text[span.start : want[0]] + text[want[1] : span.end])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.integers(0, 4),
    y=st.integers(0, 4),
    cut=st.integers(0, 3000),
    small=st.integers(1, 30),
    extra=st.integers(1, 30),
)
def test_smaller_min_words_never_finds_less(
    x: int, y: int, cut: int, small: int, extra: int
) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    a = texts[x]
    b = texts[y][:2000] + a[cut : cut + 1500] + texts[(y + 1) % 5][:1000]
    ta, tb = tokenize(a), tokenize(b)
    lo = {(p.tok_a, p.tok_b) for p in align_passages(ta, tb, DEFAULT_PARAMS.with_(min_words=small))}
    hi = {
        (p.tok_a, p.tok_b)
        for p in align_passages(ta, tb, DEFAULT_PARAMS.with_(min_words=small + extra))
    }
    assert hi <= lo


def test_repeated_sentence_aligns_with_its_copy() -> None:
    sentence = "The ministry said the talks would continue next week in Geneva. "
    a = sentence * 2000
    b = "An unrelated opening line here. " + sentence * 2000
    result = compare(a, b)
    assert len(result.passages) == 1
    p = result.passages[0]
    assert p.a.start == 0 and p.a.end == len(a.rstrip())
    assert b[p.b.start : p.b.end] == a.rstrip()
    assert not any("share no text" in n for n in result.notes)


def test_notes_never_deny_shared_text() -> None:
    sentence = "Officials confirmed the figures on Monday. "
    result = compare(sentence * 50, "Other words entirely. " + sentence * 5)
    assert result.passages
    assert not any("share no text" in n for n in result.notes)


def test_short_borrowing_below_min_words_is_reported() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    borrowed = (
        "The settling companies would also assign their possible claims against the underwriters."
    )
    a = texts[0][:1500] + " " + borrowed + " " + texts[0][1500:3000]
    b = texts[2][:1500] + " " + borrowed + " " + texts[2][1500:3000]
    stats = AlignmentStats()
    passages = align_passages(tokenize(a), tokenize(b), DEFAULT_PARAMS, stats=stats)
    hits = [p for p in passages if borrowed[:20] in a[p.a.start : p.a.end]]
    assert len(hits) == 1 and 10 <= hits[0].words < DEFAULT_PARAMS.min_words
    assert a[hits[0].a.start : hits[0].a.end].rstrip(".") == borrowed.rstrip(".")


def test_unrelated_seed_texts_share_no_long_passage() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            if i != j:
                assert all(p.words < 20 for p in compare(a, b).passages)


def test_verbatim_needs_identical_words() -> None:
    a = (
        "Russian Foreign Ministry said on Monday that the talks in Geneva had produced "
        "no result and that new sanctions would follow soon enough."
    )
    b = a.replace("Foreign Ministry", "foreign ministries")
    (p,) = compare(a, b).passages
    assert p.kind == "edited"
    (q,) = compare(a, a.upper()).passages
    assert q.kind == "verbatim"


@pytest.mark.slow
def test_one_megabyte_pair_is_linear() -> None:
    import time

    rep = " ".join(WORDS)
    a = (rep + " ") * (1_000_000 // len(rep) + 1)
    b = "Preface words. " + a[: len(a) // 2]
    start = time.perf_counter()
    result = compare(a, b)
    assert time.perf_counter() - start < 60  # generous: shared, loaded machines
    assert result.passages


def test_phrase_repeated_before_a_copy_does_not_stretch_it() -> None:
    """A phrase of the copied passage that also occurs just before it in the
    source (a refrain, a formula) is not part of the copy: the passage still
    starts on the first copied word and stays verbatim."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    words = texts[4].split()[200:320]
    refrain = "and the minister said unto them"
    copied = " ".join(words[:60] + refrain.split() + words[60:])
    lead = " ".join(texts[1].split()[:40])
    a = (
        texts[0][:1200]
        + "\n\n"
        + lead
        + " "
        + refrain
        + " "
        + " ".join(texts[2].split()[:6])
        + "\n\n"
        + copied
        + "\n\n"
        + texts[0][1200:2400]
    )
    b = texts[3][:1500] + "\n\n" + copied + "\n\n" + texts[3][1500:3000]
    at = a.index(copied)
    hits = [p for p in compare(a, b).passages if p.a.end > at and p.a.start < at + len(copied)]
    assert len(hits) == 1, hits
    p = hits[0]
    assert p.a.start == at and p.kind == "verbatim"
