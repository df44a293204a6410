"""Character n-gram sentence similarity (detector.charsim)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.charsim import char_pair_scores, url_tokens
from detector.tokens import tokenize


def _score(a: str, b: str) -> tuple[float, float]:
    ta, tb = tokenize(a), tokenize(b)
    cos, dice = char_pair_scores(ta, [(0, len(ta))], tb, [(0, len(tb))], np.array([0]), np.array([0]))
    return float(cos[0]), float(dice[0])


def test_identical_sentences_score_one() -> None:
    s = "Комитет одобрил предложение после продолжительного обсуждения вчера вечером"
    cos, dice = _score(s, s)
    assert cos > 0.999 and dice > 0.999


def test_unrelated_sentences_score_low() -> None:
    cos, dice = _score(
        "Комитет одобрил предложение после продолжительного обсуждения вчера вечером",
        "Сильный снегопад закрыл горные дороги северных провинций этой ночью",
    )
    assert cos < 0.2 and dice < 0.2


def test_reinflected_russian_scores_higher_than_stems() -> None:
    # derivation and re-inflection: few shared Snowball stems, many shared pieces
    a = "Правительство приняло решение о закрытии границы для иностранных граждан"
    b = "Правительственное решение закрыло границу иностранным гражданам"
    ta, tb = tokenize(a), tokenize(b)
    shared_stems = len(set(ta.forms) & set(tb.forms)) / len(set(ta.forms) | set(tb.forms))
    cos, dice = _score(a, b)
    assert dice > shared_stems
    assert cos > 0.4


def test_ocr_debris_scores_zero() -> None:
    # one- to three-letter debris makes no grams: two debris lines never match
    assert _score("I II Ill' I - I ill iii", "i ill Ik m,w i iii ll") == (0.0, 0.0)


def test_english_makes_no_grams() -> None:
    # Snowball handles English inflection; the channel is for Cyrillic text
    s = "The committee approved the proposal after a lengthy discussion yesterday"
    assert _score(s, s) == (0.0, 0.0)


def test_web_addresses_make_no_grams() -> None:
    t = tokenize("смотрите https://www.youtube.com/watch?v=abc подробности")
    mask = url_tokens(t)
    assert [f for f, m in zip(t.forms, mask.tolist(), strict=True) if m][:3] == ["https", "www", "youtub"]
    cos, _ = _score(
        "смотрите https://сайт.рф/новости/правительство-приняло-решение-закрытии-границы",
        "читайте https://сайт.рф/новости/правительство-приняло-решение-закрытии-границы",
    )
    assert cos == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["правительство", "решение", "граница", "закрытие", "граждане",
                                 "иностранный", "министерство", "объявило", "вторник", "чиновники"]),
                min_size=4, max_size=12),
       st.lists(st.sampled_from(["правительственный", "решили", "границы", "закрыли", "гражданам",
                                 "погода", "футбол", "концерт", "вторника", "гавань"]),
                min_size=4, max_size=12))
def test_scores_are_symmetric_and_bounded(a: list[str], b: list[str]) -> None:
    x, y = " ".join(a), " ".join(b)
    c1, d1 = _score(x, y)
    c2, d2 = _score(y, x)
    assert abs(c1 - c2) < 1e-9 and abs(d1 - d2) < 1e-9
    assert -1e-9 <= c1 <= 1 + 1e-9 and 0 <= d1 <= 1


def test_character_channel_makes_a_reinflected_sentence_strong(monkeypatch) -> None:
    from detector import seeds
    from detector.params import Params

    a = "Правительство приняло решение о закрытии границы для иностранных граждан. Погода была хорошая."
    b = "Правительственное решение закрыло границу для иностранных граждан страны. Футбол отменили."
    ta, tb = tokenize(a), tokenize(b)
    assert seeds.sentence_seeds(ta, tb, Params()) == [(0, 9, 0, 8, True)]
    monkeypatch.setattr(seeds, "_CHAR_REACH", 99.0)  # words alone: a weak pair
    assert seeds.sentence_seeds(ta, tb, Params()) == [(0, 9, 0, 8, False)]


def test_small_and_vector_paths_agree() -> None:
    from detector import charsim
    from detector.seeds import _sentence_index

    texts = [
        "Правительство приняло решение о закрытии границы для иностранных граждан. "
        "Погода была хорошая, и граждане гуляли по набережной до позднего вечера. "
        "Министерство иностранных дел объявило о закрытии посольства в столице.",
        "Правительственное решение закрыло границу для иностранных граждан страны. "
        "Министерство объявило о закрытии посольства в столице на неопределенный срок. "
        "Футбольный матч перенесли из-за погоды на следующую неделю.",
    ]
    ta, tb = tokenize(texts[0]), tokenize(texts[1])
    ra, rb = _sentence_index(ta).ranges, _sentence_index(tb).ranges
    rows = np.repeat(np.arange(len(ra)), len(rb))
    cols = np.tile(np.arange(len(rb)), len(ra))
    small = charsim._small_pair_scores(ta, ra, tb, rb, rows, cols)
    vector = charsim._vector_pair_scores(ta, ra, tb, rb, rows, cols)
    assert np.allclose(small[0], vector[0]) and np.allclose(small[1], vector[1])
    assert small[0].max() > 0.3  # the pairs share grams: the comparison is not vacuous
