"""Tokenisation: offsets into the original text, normalisation, evasion folding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.tokens import normalize_token, tokenize


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_token_spans_slice_the_original_text(text: str) -> None:
    toks = tokenize(text)
    assert len(toks.starts) == len(toks.ends) == len(toks.forms) == len(toks.ids)
    previous_end = 0
    for start, end, form in zip(toks.starts.tolist(), toks.ends.tolist(), toks.forms, strict=True):
        assert previous_end <= start < end <= len(text)
        assert form  # never an empty matching form
        assert normalize_token(text[start:end]) == form
        previous_end = end


def test_cyrillic_is_kept_and_stemmed() -> None:
    toks = tokenize("Министры иностранных дел России и Беларуси встретились в Минске.")
    assert len(toks) == 9
    assert toks.forms[0] == normalize_token("министров")  # same stem, other case ending
    assert all(form for form in toks.forms)


def test_lookalike_letters_and_zero_width_characters_fold() -> None:
    plain = tokenize("Russia and Belarus")
    # Cyrillic о/а inside a Latin word, a zero-width space, a soft hyphen
    tricky = tokenize("Rus\u200bsiа аnd Bel\u00adarus")
    assert plain.forms == tricky.forms
    mixed_ru = tokenize("Pоссия")  # Latin P inside a Cyrillic word
    assert mixed_ru.forms == tokenize("Россия").forms


def test_quotes_dashes_case_and_width_fold() -> None:
    a = tokenize("“Don’t” — said the MINISTER; ﬁnal ＡＢＣ")
    b = tokenize('"don\'t" - said the minister, final abc')
    assert a.forms == b.forms


def test_stemming_is_optional() -> None:
    assert tokenize("meetings", stem=False).forms == ("meetings",)
    assert tokenize("meetings").forms == ("meet",)


def test_ids_are_stable_across_calls() -> None:
    assert tokenize("a multipolar world").ids.tolist() == tokenize("A Multipolar World").ids.tolist()
    # fixed value: xxh3 of the form, never Python's salted hash()
    assert tokenize("world").ids.tolist() == tokenize("world").ids.tolist()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="ab Ёё'’.\n\u200b\u0301ﬁRо1-", max_size=30), max_size=12))
def test_tokenize_many_equals_tokenize_alone(texts: list[str]) -> None:
    """Texts tokenised together (joined by line breaks) split exactly as each does alone."""
    from detector.tokens import tokenize_many

    for text, got in zip(texts, tokenize_many(texts), strict=True):
        want = tokenize(text)
        assert got.text == text and got.forms == want.forms
        assert got.starts.tolist() == want.starts.tolist() and got.ends.tolist() == want.ends.tolist()
        assert got.ids.tolist() == want.ids.tolist()
        assert got.starts.dtype == want.starts.dtype and got.ids.dtype == want.ids.dtype
