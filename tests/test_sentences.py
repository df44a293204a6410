"""Sentence spans: exact slicing, order, coverage; language detection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.lang import detect_language, dominant_script, stemmer_for
from detector.sentences import sentence_spans, sentences


def check_spans(text: str, spans: list) -> None:
    covered = [False] * len(text)
    prev_end = 0
    for sp in spans:
        assert 0 <= sp.start < sp.end <= len(text)
        assert sp.start >= prev_end, "spans overlap or are out of order"
        piece = text[sp.start : sp.end]
        assert piece == piece.strip(), "span not stripped"
        for i in range(sp.start, sp.end):
            covered[i] = True
        prev_end = sp.end
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i], f"non-blank character {ch!r} at {i} outside every span"


# Text built from pieces that stress the splitters: abbreviations, quotes,
# newlines of every kind, Cyrillic, emoji, combining marks, control codes.
_PIECES = st.sampled_from(
    [
        ". ",
        "! ",
        "? ",
        "...",
        "…",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "\u2028",
        "\x0b",
        " ",
        "Mr. ",
        "U.S. ",
        "“",
        "”",
        "«",
        "»",
        '"',
        "(",
        ")",
        "☝️",
        "🇷🇺",
        "e\u0301",
        "Hello world",
        "the West",
        "Привет, мир",
        "т.е. ",
        "Лавров",
        "1944.",
        "#UnionState",
        "\u200b",
        "\t",
        "a",
        "Б",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from([None, "en", "ru"]))
def test_spans_slice_cover_and_order(text: str, lang: str | None) -> None:
    check_spans(text, sentence_spans(text, lang))


@settings(max_examples=100, deadline=None)
@given(_TEXT)
def test_razdel_engine_same_invariants(text: str) -> None:
    check_spans(text, sentence_spans(text, engine="razdel"))


def test_english_example() -> None:
    text = (
        "Mr. Lavrov met Mr. Ryzhenkov in Minsk on Monday. They discussed the U.S. "
        "sanctions!\nHeadline without a full stop\n\n  Is this a question?  "
    )
    assert sentences(text) == [
        "Mr. Lavrov met Mr. Ryzhenkov in Minsk on Monday.",
        "They discussed the U.S. sanctions!",
        "Headline without a full stop",
        "Is this a question?",
    ]


def test_russian_example() -> None:
    text = "Сергей Лавров, т.е. министр, прибыл в Минск. Переговоры прошли 1 июля 2024 г. в МИД.\n#Россия"
    assert sentences(text) == [
        "Сергей Лавров, т.е. министр, прибыл в Минск.",
        "Переговоры прошли 1 июля 2024 г. в МИД.",
        "#Россия",
    ]


def test_hard_wrapped_lines_are_joined_but_lines_with_stops_are_not() -> None:
    text = "The ministers agreed on\na joint programme. Next sentence.\nlower case after stop\nNew Line"
    assert sentences(text) == [
        "The ministers agreed on\na joint programme.",
        "Next sentence.",
        "lower case after stop",
        "New Line",
    ]


def test_mixed_language_paragraphs() -> None:
    text = (
        "Double standards have no place here. We agree.\nЗаметили ошибку? Пожалуйста, выделите её."
    )
    assert sentences(text) == [
        "Double standards have no place here.",
        "We agree.",
        "Заметили ошибку?",
        "Пожалуйста, выделите её.",
    ]


@pytest.mark.parametrize("name", ["001_260e159f90c48a13", "004_25d9c6ebddf93f77"])
def test_seed_text(name: str, seeds: dict[str, str]) -> None:
    text = seeds[name]
    spans = sentence_spans(text)
    check_spans(text, spans)
    got = [s.text(text) for s in spans]
    if name.startswith("001"):
        assert "Forwarded from Russian MFA 🇷🇺" in got
        assert "#RussiaBelarus #UnionState" in got
        assert "We wish them well-being and prosperity." in got
    else:
        assert got[-2:] == ["Заметили ошибку?", "Пожалуйста, выделите её и нажмите Ctrl+Enter"]


def test_empty_and_blank() -> None:
    assert sentence_spans("") == []
    assert sentence_spans(" \n\t \r\n ") == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", "und"),
        ("12345 !!! 🇷🇺", "und"),
        ("Western countries apply double standards to everyone else.", "en"),
        ("Западные страны применяют двойные стандарты.", "ru"),
        ("Україна і Європа підписали нову угоду про співпрацю.", "uk"),
        ("Die Bundesregierung hat neue Sanktionen beschlossen.", "de"),
        ("Le gouvernement français a annoncé de nouvelles sanctions.", "fr"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_dominant_script() -> None:
    assert dominant_script("Привет") == "cyrillic"
    assert dominant_script("Hello") == "latin"
    assert dominant_script("Hello Привет") == "mixed"
    assert dominant_script("123 !") == "none"


def test_stemmers() -> None:
    assert stemmer_for("en").stemWord("sanctions") == "sanction"
    assert stemmer_for("ru").stemWord("санкции") == "санкц"
    assert stemmer_for("ru") is stemmer_for("ru")
    assert stemmer_for("de") is None
    assert stemmer_for(None) is None
