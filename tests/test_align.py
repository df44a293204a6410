"""Alignment on generated pairs with known spans, and span properties on arbitrary Unicode."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.compare import compare
from detector.params import Params

# A few substitutions of the kind content-farm spinners make, several multi-word.
SPIN = {
    "meeting": "assembly",
    "vision": "imaginative and prescient",
    "Eastern": "Jap",
    "table": "desk",
    "below": "under",
    "important": "necessary",
    "countries": "nations",
    "said": "acknowledged",
    "also": "moreover",
    "development": "improvement",
    "cooperation": "collaboration",
    "strengthen": "bolster",
    "international": "worldwide",
    "security": "safety",
    "relations": "family members",
    "support": "assist",
    "Foreign": "Overseas",
    "Minister": "Secretary",
    "joint": "shared",
    "discussed": "mentioned",
    "issues": "points",
    "partnership": "partnership settlement",
    "continue": "proceed",
    "current": "present",
}


def _passage(text: str, rng: random.Random, n_words: int) -> tuple[int, int]:
    """Character span of about ``n_words`` words starting at a word boundary."""
    words = [i for i in range(1, len(text)) if text[i - 1].isspace() and not text[i].isspace()]
    start = rng.choice(words[: max(1, len(words) - n_words - 1)])
    end_candidates = [w for w in words if w > start]
    end = end_candidates[min(n_words, len(end_candidates) - 1)] - 1
    return start, end


def _spin(text: str, rate: float, rng: random.Random) -> str:
    out = []
    for word in text.split(" "):
        core = word.strip(".,;:“”\"()")
        if core in SPIN and rng.random() < rate:
            word = word.replace(core, SPIN[core])
        out.append(word)
    return " ".join(out)


def _inject(host: str, piece: str, rng: random.Random) -> tuple[str, int, int]:
    cut = host.find("\n", len(host) // 3)
    cut = cut if cut > 0 else len(host) // 2
    text = host[:cut] + "\n" + piece + "\n" + host[cut:]
    return text, cut + 1, cut + 1 + len(piece)


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return max(0, min(x[1], y[1]) - max(x[0], y[0]))


@pytest.mark.parametrize("mode", ["verbatim", "light", "spun"])
@pytest.mark.parametrize("seed", range(4))
def test_injected_passage_is_found_as_one_passage(
    seeds: dict[str, str], mode: str, seed: int
) -> None:
    rng = random.Random(seed)
    ids = sorted(seeds)
    src_id, host_id = rng.sample([i for i in ids if len(seeds[i]) > 4000], 2)
    source, host = seeds[src_id], seeds[host_id]
    start, end = _passage(source, rng, rng.randint(60, 200))
    piece = source[start:end]
    if mode == "light":
        piece = piece.replace("“", '"').replace("”", '"').replace(", ", " ", 2)
    elif mode == "spun":
        piece = _spin(piece, 1.0, rng)
    suspicious, b_start, b_end = _inject(host, piece, rng)
    result = compare(source, suspicious)
    hits = [p for p in result.passages if _overlap((p.b.start, p.b.end), (b_start, b_end))]
    assert len(hits) == 1, (mode, [(p.a, p.b) for p in result.passages])
    hit = hits[0]
    truth_a = end - start
    # character-level precision and recall of the detection on both sides
    assert _overlap((hit.a.start, hit.a.end), (start, end)) >= 0.9 * truth_a
    assert _overlap((hit.b.start, hit.b.end), (b_start, b_end)) >= 0.9 * len(piece)
    assert _overlap((hit.a.start, hit.a.end), (start, end)) >= 0.9 * (hit.a.end - hit.a.start)
    if mode == "verbatim":
        assert hit.kind == "verbatim" and hit.score == 1.0


def test_spun_passage_keeps_multiword_substitutions_as_evidence(seeds: dict[str, str]) -> None:
    source = (
        "The ministers said the vision of a joint future is important. At the meeting in "
        "Minsk the two countries discussed the development of cooperation, regional security "
        "and the table below lists the agreements reached by the delegations this year. "
        "They agreed to strengthen relations and support each other in international bodies."
    )
    spun = _spin(source, 1.0, random.Random(1))
    host = seeds["004_25d9c6ebddf93f77"]
    suspicious, b_start, b_end = _inject(host, spun, random.Random(0))
    result = compare(source, suspicious)
    assert len(result.passages) == 1
    p = result.passages[0]
    assert p.kind == "spun"
    assert b_start <= p.b.start < p.b.end <= b_end + 1
    subs = dict(p.substitutions(source, suspicious))
    assert subs.get("vision") == "imaginative and prescient"
    assert subs.get("meeting") == "assembly"


def test_unrelated_seed_texts_share_no_long_passage(seeds: dict[str, str]) -> None:
    ids = sorted(seeds)
    for i, x in enumerate(ids):
        for y in ids[i + 1 :]:
            result = compare(seeds[x], seeds[y])
            assert all(p.words < 25 for p in result.passages), (x, y)


def test_text_repeated_inside_a_document_gives_one_passage(seeds: dict[str, str]) -> None:
    source = seeds["000_aed676f35e158f01"][1000:2500]
    doubled = "Intro line.\n" + source + "\n\nRepeat:\n" + source
    result = compare(source, doubled)
    a_spans = [(p.a.start, p.a.end) for p in result.passages]
    for i, x in enumerate(a_spans):
        for y in a_spans[i + 1 :]:
            assert _overlap(x, y) == 0


def test_reordered_sentences_stay_one_passage(seeds: dict[str, str]) -> None:
    source = seeds["004_25d9c6ebddf93f77"]
    start, end = _passage(source, random.Random(3), 150)
    sentences = [s for s in source[start:end].split(". ") if s]
    random.Random(3).shuffle(sentences)
    piece = ". ".join(sentences)
    suspicious, b_start, b_end = _inject(seeds["002_df50dd13ef8d3d9a"], piece, random.Random(0))
    result = compare(source, suspicious)
    hits = [p for p in result.passages if _overlap((p.b.start, p.b.end), (b_start, b_end))]
    assert len(hits) == 1
    assert _overlap((hits[0].b.start, hits[0].b.end), (b_start, b_end)) >= 0.8 * len(piece)


def test_empty_and_short_documents_explain_themselves() -> None:
    result = compare("", "some text here")
    assert result.passages == ()
    assert any("empty" in note for note in result.notes)
    result = compare("a few words", "a few words")
    assert result.passages == ()
    assert any("fewer than min_words" in note for note in result.notes)
    result = compare("a few words", "a few words", Params(min_words=2))
    assert len(result.passages) == 1


WORDS = st.sampled_from(
    [
        "мир", "многополярный", "world", "order", "the", "of", "Лавров", "🙂", "e\u0301",
        "Rus\u200bsia", "naïve", "東京", "x\x1b[31m", "\u202e", "ﬁne", "—", "«", "»", "\r\n",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(WORDS, min_size=0, max_size=80),
    st.lists(WORDS, min_size=0, max_size=40),
    st.text(max_size=30),
)
def test_every_span_slices_the_original_text(
    shared: list[str], noise: list[str], junk: str
) -> None:
    a = junk + " ".join(shared) + " ".join(noise)
    b = " ".join(noise) + junk + "  ".join(shared)
    result = compare(a, b, Params(min_words=3, min_score=0.3))
    for p in result.passages:
        assert 0 <= p.a.start <= p.a.end <= len(a)
        assert 0 <= p.b.start <= p.b.end <= len(b)
        assert 0.0 <= p.score <= 1.0
        for op in p.ops:
            assert p.a.start <= op.a.start <= op.a.end <= p.a.end
            assert p.b.start <= op.b.start <= op.b.end <= p.b.end
    sim = result.similarity
    for value in (sim.jaccard, sim.containment_a, sim.containment_b, sim.coverage_a, sim.coverage_b):
        assert 0.0 <= value <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDS, min_size=25, max_size=60), st.text(max_size=40), st.text(max_size=40))
def test_compare_mirrors(shared: list[str], pre: str, post: str) -> None:
    body = " ".join(shared)
    a, b = pre + body, body + post
    ab = compare(a, b, Params(min_words=5))
    ba = compare(b, a, Params(min_words=5))
    forward = sorted((p.a.start, p.a.end, p.b.start, p.b.end) for p in ab.passages)
    backward = sorted((p.b.start, p.b.end, p.a.start, p.a.end) for p in ba.passages)
    assert forward == backward


def test_sentence_scores_join_equals_brute_force(seeds: dict[str, str]) -> None:
    """The numpy join gives the tf-idf cosine and Dice of a direct computation
    (words in more than ``_JOIN_DF_CAP`` sentences of a side are not joined on)."""
    import math

    import detector.seeds as seeds_module
    from detector.tokens import tokenize

    texts = list(seeds.values())
    for x, y in [(0, 3), (1, 4), (2, 2), (4, 0)]:
        ta = tokenize(texts[x])
        tb = tokenize(texts[y][:3000] + texts[x][1000:3000])
        sa, sb = seeds_module._sentence_index(ta), seeds_module._sentence_index(tb)
        rows, cols, cosine, dice = seeds_module._sentence_pair_scores(sa, sb)
        got = {(r, c): (co, di) for r, c, co, di in zip(rows, cols, cosine, dice, strict=True)}
        sents_a = [set(ta.ids[s:e].tolist()) for s, e in sa.ranges]
        sents_b = [set(tb.ids[s:e].tolist()) for s, e in sb.ranges]
        df: dict[int, int] = {}
        side_df: list[dict[int, int]] = [{}, {}]
        for side, sents in enumerate((sents_a, sents_b)):
            for sent in sents:
                for w in sent:
                    df[w] = df.get(w, 0) + 1
                    side_df[side][w] = side_df[side].get(w, 0) + 1
        cap = seeds_module._JOIN_DF_CAP  # words this frequent are not joined on
        n = len(sents_a) + len(sents_b)
        idf = {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}
        want = {}
        for r, u in enumerate(sents_a):
            for c, v in enumerate(sents_b):
                shared = {
                    w for w in u & v if side_df[0][w] <= cap and side_df[1][w] <= cap
                }
                if shared:
                    dot = sum(idf[w] ** 2 for w in shared)
                    na = math.sqrt(sum(idf[w] ** 2 for w in u))
                    nb = math.sqrt(sum(idf[w] ** 2 for w in v))
                    want[(r, c)] = (dot / (na * nb), 2 * len(shared) / (len(u) + len(v)))
        assert got.keys() == want.keys() and got
        for key, (co, di) in got.items():
            assert co == pytest.approx(want[key][0]) and di == pytest.approx(want[key][1])
