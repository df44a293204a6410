"""The framing features' fast paths against slow, obviously correct references."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from detector.framing_features import ENTITY_FORM, _char_grams


def _char_grams_reference(folded: str, lo: int, hi: int) -> tuple[str, ...]:
    if folded == ENTITY_FORM:
        return ()
    padded = f" {folded} "
    grams: list[str] = []
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            grams.append(padded[i : i + n])
    return tuple(grams)


@given(st.text(max_size=20), st.integers(1, 4), st.integers(0, 4))
def test_char_grams_equal_the_reference(folded: str, lo: int, extra: int) -> None:
    hi = lo + extra
    assert _char_grams.__wrapped__(folded, lo, hi) == _char_grams_reference(folded, lo, hi)


def test_char_ids_equal_lookups_one_by_one() -> None:
    from detector.framing import load_default_model

    model = load_default_model()
    feats = [v for v in vars(model).values() if hasattr(v, "char_ids")]
    if not feats:  # the featurizer sits one level down
        feats = [w for v in vars(model).values() if hasattr(v, "__dict__") for w in vars(v).values() if hasattr(w, "char_ids")]
    feat = feats[0]
    lo, hi = feat.char_ngram
    for form in ["multipolar", "многополярный", "двойные", "x", "", "стандарты", "nato", "zzzq"]:
        expected = [feat.char_index[g] for g in _char_grams_reference(form, lo, hi) if g in feat.char_index]
        assert feat.char_ids(form).tolist() == expected
