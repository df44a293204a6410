"""Rewritten passages with only short shared runs, and OCR debris that is not reuse."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.compare import compare

SEEDS = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "seeds"

# Hand-written for this test: three news sentences and a rewording of each
# that keeps no run of more than four words (names, figures, a short formula).
SOURCE_RU = (
    "Приставы начнут собирать отпечатки пальцев у российских должников уже в этом году. "
    "Москвичи смогут забронировать через интернет место на городском кладбище. "
    "Премьер Эфиопии возглавил Африканский союз на ближайший год."
)
REWRITE_RU = (
    "В этом году судебные приставы станут снимать отпечатки пальцев у злостных должников. "
    "Жители Москвы получат возможность бронировать место на кладбище онлайн. "
    "Премьер-министр Эфиопии на год возглавил Африканский союз."
)
SOURCE_EN = (
    "Romanian port authorities said two ships that sank during the war had resurfaced "
    "as water levels fell and could block river traffic. The operating revenues were "
    "1.45 billion dollars, an increase over last year's result of 1.38 billion."
)
REWRITE_EN = (
    "Port authorities in Romania reported that two vessels sunk in the war had resurfaced "
    "because water levels fell, and could block the river traffic. Operating revenues "
    "rose to 1.45 billion dollars from 1.38 billion a year earlier."
)


def _host(k: int, cut: int) -> tuple[str, str]:
    text = sorted(SEEDS.glob("*.txt"))[k].read_text(encoding="utf-8")
    return text[:cut], text[cut : cut + 2500]


def test_rewritten_sentences_with_short_shared_runs_are_found() -> None:
    for source, rewrite in ((SOURCE_RU, REWRITE_RU), (SOURCE_EN, REWRITE_EN)):
        a_head, a_tail = _host(0, 1500)
        b_head, b_tail = _host(2, 1200)
        a = a_head + "\n\n" + source + "\n\n" + a_tail
        b = b_head + "\n\n" + rewrite + "\n\n" + b_tail
        start_a, start_b = len(a_head) + 2, len(b_head) + 2
        hits = [
            p
            for p in compare(a, b).passages
            if p.a.start < start_a + len(source) and start_a < p.a.end
        ]
        assert len(hits) == 1, hits
        p = hits[0]
        # the passage lies within the pasted text on both sides, and covers most of it
        assert start_a <= p.a.start and p.a.end <= start_a + len(source)
        assert start_b <= p.b.start and p.b.end <= start_b + len(rewrite)
        assert p.b.end - p.b.start >= 0.6 * len(rewrite)
        assert p.kind != "verbatim"


_DEBRIS = ["i", "I", "1", "ll", "ii", "l", "t", "'", ".", ",", "I.", "li", "il", "11", "-", "!", "a"]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(300, 1500))
def test_ocr_debris_is_not_a_passage(seed: int, n: int) -> None:
    """Scanned-page debris of one- and two-letter tokens matches by chance, not reuse."""
    rng = random.Random(seed)
    a = " ".join(rng.choice(_DEBRIS) for _ in range(n))
    b = " ".join(rng.choice(_DEBRIS) for _ in range(n))
    assert compare(a, b).passages == ()


def test_debris_does_not_hide_a_real_copy_inside_it() -> None:
    rng = random.Random(5)
    copied = sorted(SEEDS.glob("*.txt"))[4].read_text(encoding="utf-8")[:1200]
    debris = lambda: " ".join(rng.choice(_DEBRIS) for _ in range(400))  # noqa: E731
    a = debris() + "\n" + copied + "\n" + debris()
    b = debris() + "\n" + copied + "\n" + debris()
    (p,) = compare(a, b).passages
    assert copied.strip()[:40] in a[p.a.start : p.a.end]


# One rewritten sentence of 10-19 words: only 3-word runs survive, reordered.
SHORT_REWRITES = (
    (
        "Городские власти закрыли на ремонт старый мост через реку Исеть до конца лета.",
        "Старый мост через Исеть закрыт на ремонт до конца лета по решению мэрии.",
    ),
    (
        "The city council closed the historic bridge across the river for repairs until the end of the summer.",
        "Until the end of the summer the old river bridge will stay shut for repairs, the council said.",
    ),
)


def test_short_rewritten_borrowing_is_found_below_min_words() -> None:
    """A strongly matching rewritten sentence is a short borrowing: found even
    below ``min_words``, from its first to its last shared word, not verbatim."""
    hosts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for source, rewrite in SHORT_REWRITES:
        a = hosts[1][:1500] + "\n\n" + source + "\n\n" + hosts[1][1500:3000]
        b = hosts[3][:1500] + "\n\n" + rewrite + "\n\n" + hosts[3][1500:3000]
        at, bt = a.index(source), b.index(rewrite)
        hits = [p for p in compare(a, b).passages if p.a.start < at + len(source) and at < p.a.end]
        assert len(hits) == 1, hits
        p = hits[0]
        assert 10 <= p.words < 20 and p.kind != "verbatim"
        assert at <= p.a.start and p.a.end <= at + len(source)
        assert bt <= p.b.start and p.b.end <= bt + len(rewrite)



def test_shared_web_address_pattern_is_not_a_passage() -> None:
    """Two posts linking to one site share the address pattern, not text."""
    rng = random.Random(3)
    vocab_a = [f"alpha{i}" for i in range(200)]
    vocab_b = [f"beta{i}" for i in range(200)]

    def post(vocab: list[str], slug: str) -> str:
        words = " ".join(rng.choice(vocab) for _ in range(40))
        return (
            f"{words} (https://moskvichmag.ru/gorod/{slug}/?utm_source=tg&utm_medium=social"
            f"&utm_campaign=22081101&utm_content=10.10.2024) {words}"
        )

    a = post(vocab_a, "vot-kak-budet-vyglyadet-park")
    b = post(vocab_b, "dvoe-podrostkov-pereplyli-reku")
    assert compare(a, b).passages == ()
