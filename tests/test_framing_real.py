"""Issue 13: framing that holds on real text.

Stance of every flag, the shared token normalisation (evasion), entity
debiasing, content-word cues, the gate that never vetoes strong evidence,
several labels per sentence, the fast batched featuriser, strict JSON in
labelled files, ``detector train`` output, the one-way import between
framing and persist, and (slow) real Go/tech Telegram posts that carry no frame.
"""

from __future__ import annotations

import ast
import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.errors import InputError
from detector.framing import (
    ENTITY_FORM,
    LABELS,
    STOPWORDS,
    STRONG_SCORE,
    FramingClassifier,
    load_default_model,
    promoted,
    read_labelled,
)
from detector.framing_features import _tokens
from detector.schema import Document, Span, framing_to_dict
from detector.stance import STANCES, stance_of

ROOT = Path(__file__).resolve().parent.parent
SHARED_TG = ROOT.parent / "shared" / "corpora" / "tg-news-ru.dev.jsonl.gz"

sys.path.insert(0, str(Path(__file__).parent))
from test_framing import training_data  # noqa: E402


@lru_cache(maxsize=1)
def small_model() -> FramingClassifier:
    texts, Y = training_data()
    return FramingClassifier(cv=3).fit(texts, Y)


# -- stance -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("The era of Western hegemony is over and a multipolar world is emerging.", "promoted"),
        ("Lavrov said the West applies double standards to Russia.", "promoted"),
        (
            "Lavrov again accused the West of double standards, a claim analysts dismiss.",
            "rebutted",
        ),
        ("The Kremlin blamed the protests on foreign agents without offering any evidence.", "rebutted"),
        ("There is no evidence of foreign involvement in the protests.", "denied"),
        ("The era of Western dominance is not over, and talk of a multipolar world is premature.", "denied"),
        ("The speech leaned on the language of 'multipolarity'.", "discussed"),
        ("Захарова заявила, что Запад проводит политику двойных стандартов.", "promoted"),
        ("Он обвинил Запад в русофобии, не приводя никаких доказательств.", "rebutted"),
        ("Нет никаких доказательств иностранного вмешательства в протесты.", "denied"),
        ("Государственное ТВ снова эксплуатирует риторику о «русофобии».", "discussed"),
    ],
)
def test_stance_of_examples(sentence: str, stance: str) -> None:
    assert stance_of(sentence) == stance


def test_stance_survives_evasion() -> None:
    plain = "Lavrov accused the West of double standards, a claim analysts dismiss."
    disguised = plain.replace("dismiss", "dis\u00admi\u200bss").replace("claim", "cl\u0430im")
    assert stance_of(disguised) == stance_of(plain) == "rebutted"


def test_flags_carry_a_stance_and_promoted_filters() -> None:
    model = small_model()
    text = (
        "The West is again applying double standards and hypocrisy to Russia. "
        "The West is again applying double standards and hypocrisy to Russia, "
        "a claim analysts dismiss as propaganda."
    )
    flags = model.explain_spans(text, doc="d")
    assert flags and all(f.stance in STANCES for f in flags)
    first = [f for f in flags if f.start == 0]
    second = [f for f in flags if f.start > 0]
    assert first and all(f.stance == "promoted" for f in first)
    assert second and all(f.stance == "rebutted" for f in second)
    assert promoted(flags) == first
    d = framing_to_dict(second[0], text)
    assert d["stance"] == "rebutted"
    for name in ("compare-1", "report-1"):
        schema = json.loads((ROOT / "detector" / "schemas" / f"{name}.schema.json").read_text())
        assert '"stance"' in json.dumps(schema) and '"rebutted"' in json.dumps(schema)


# -- normalisation, entities, cues -------------------------------------------

_HIDE = st.sampled_from(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])


@settings(max_examples=60, deadline=None)
@given(word=st.sampled_from(["hypocrisy", "sanctions", "русофобия", "многополярный", "неонацисты"]),
       hide=_HIDE, at=st.integers(1, 4))
def test_invisible_characters_do_not_change_features(word: str, hide: str, at: int) -> None:
    model = small_model()
    plain = f"They talk about {word} again."
    disguised = plain.replace(word, word[:at] + hide + word[at:])
    a = model.transform_text([plain]).toarray()
    b = model.transform_text([disguised]).toarray()
    assert np.array_equal(a, b)


def test_lookalike_letters_do_not_change_features() -> None:
    model = small_model()
    plain = "Русофобия Запада и двойные стандарты."
    # one or two Latin look-alike letters inside each key word (a word made
    # half of look-alikes is ambiguous: see detector/tokens.py on majority script)
    disguised = (
        plain.replace("Русофобия", "Pусoфобия").replace("Запада", "Зaпада").replace("стандарты", "cтaндарты")
    )
    assert np.array_equal(model.transform_text([plain]).toarray(), model.transform_text([disguised]).toarray())


_SWAP = str.maketrans("aeopcxyаеорсху", "аеорсхуaeopcxy")


@pytest.mark.parametrize(
    "word", ["cooperation", "peoples", "hypocrisy", "propaganda", "безопасности", "многополярный", "русофобия"]
)
def test_words_made_mostly_of_lookalikes_fold_back(word: str) -> None:
    # every swappable letter swapped (the benchmark's evasion variant): the
    # other script is then the majority, but the letters it cannot imitate
    # with plain letters decide (detector/tokens._fold_mixed)
    model = small_model()
    plain = f"They talk about {word} again."
    disguised = plain.replace(word, word.translate(_SWAP))
    assert disguised != plain
    assert np.array_equal(model.transform_text([plain]).toarray(), model.transform_text([disguised]).toarray())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ukrainian neo-Nazis are shelling civilians.", "Polish neo-Nazis are shelling civilians."),
        ("Лукашенко назвал санкции незаконными.", "Путин назвал санкции незаконными."),
        ("The Ukrainian army moved.", "The German army moved."),
    ],
)
def test_names_are_masked_so_a_name_alone_never_decides(a: str, b: str) -> None:
    model = load_default_model()
    assert np.allclose(model.predict_proba([a]), model.predict_proba([b]))
    assert any(t[2] == ENTITY_FORM for t in _tokens(a))


def test_shipped_cues_are_content_words() -> None:
    model = load_default_model()
    text = (
        "The collective West applies double standards and its hypocrisy knows no limits. "
        "Illegal unilateral sanctions will only hurt Europe itself. "
        "Русофобия стала официальной идеологией Запада. "
        "Неонацисты на Украине переписывают историю Великой Победы."
    )
    flags = model.explain_spans(text, doc="d")
    assert flags
    for f in flags:
        for cue in f.cues:
            for _s, _e, form in _tokens(text[cue.start : cue.end]):
                assert form not in STOPWORDS and form != ENTITY_FORM, (form, f.label)


def test_a_name_is_no_feature_and_a_name_only_line_never_flags() -> None:
    model = load_default_model()
    X = model.transform_text(["Москва.", "Ukraine", "Путин, Лукашенко!"])
    assert X.nnz == 0
    for text in ("Москва.", "#безопасность", "Пацанский английский."):
        assert model.explain_spans(text, doc="d") == []


# -- gate and several labels --------------------------------------------------


def test_gate_never_vetoes_strong_label_evidence() -> None:
    import copy

    model = copy.copy(small_model())
    X = model.transform_text(["The West applies double standards and hypocrisy to Russia."])
    prob = model._proba(X)
    model.gate_threshold_ = 1.01  # a gate that would veto everything
    model.thresholds_ = np.full(len(LABELS), 0.05)
    _, flags = model._flags(X, None)
    assert np.array_equal(flags[0], prob[0] >= STRONG_SCORE)


def test_several_labels_per_sentence() -> None:
    import copy

    model = copy.copy(small_model())
    sent = "The illegal sanctions are pure Russophobia and show Western double standards."
    X = model.transform_text([sent])
    prob = model._proba(X)[0]
    top2 = np.argsort(-prob)[:2]
    model.thresholds_ = np.full(len(LABELS), 1.0)
    model.thresholds_[top2] = prob[top2] - 1e-9
    model.gate_threshold_ = 0.0
    _, flags = model._flags(X, None)
    assert flags[0].sum() == 2 and set(np.flatnonzero(flags[0])) == set(top2.tolist())


# -- fast batched featuriser ----------------------------------------------------

_WORDS = st.sampled_from(
    ["the", "West", "sanctions", "hypocrisy", "Запад", "санкции", "русофобия", "NATO", "NАТО",
     "Ukrainian", "мир", "double", "standards", "ёлка", "e\u0301", "x\u00ady", "1945", "don't"]
)
_SEPS = st.sampled_from([" ", "  ", ", ", ". ", "! ", "\n", " — ", "\u200b"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEPS), min_size=0, max_size=40))
def test_batched_features_equal_per_sentence_features(parts: list[tuple[str, str]]) -> None:
    from detector.sentences import sentence_spans

    feat = load_default_model().featurizer_
    text = "".join(w + s for w, s in parts)
    spans = sentence_spans(text, None, engine="razdel")
    sents = [text[sp.start : sp.end] for sp in spans]
    a = feat.transform(sents).toarray()
    b = feat.transform_spans([(text, spans)]).toarray()
    assert a.shape == b.shape
    assert np.allclose(a, b, atol=1e-12)


def test_flag_documents_equals_per_sentence_flags() -> None:
    model = load_default_model()
    texts = [
        "Русофобия стала официальной идеологией Запада. Погода сегодня солнечная.",
        "The West applies double standards. Illegal sanctions hurt Europe itself.",
        "",
    ]
    docs = [Document(id=f"d{i}", text=t) for i, t in enumerate(texts)]
    batched = model.flag_documents(docs)
    single = [f for d in docs for f in model.explain_spans(d.text, doc=d.id)]
    assert batched == single
    # two documents holding the very same str object, and spans given out of order
    text = texts[1]
    same = [Document(id="a", text=text), Document(id="b", text=text)]
    assert model.flag_documents(same) == [
        f for d in same for f in model.explain_spans(d.text, doc=d.id)
    ]
    spans = [Span(35, len(text)), Span(0, 34)]
    items = [("x", text, sp) for sp in spans]
    per_item = [f for sp in spans for f in model._flag_sentences([("x", text, sp)], None)]
    assert model._flag_sentences(items, None) == per_item


# -- labelled files, train -------------------------------------------------------


def test_huge_integer_in_labelled_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"text": "a", "labels": []}\n{"text": "b", "labels": [], "n": ' + "9" * 5000 + "}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_labelled(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}:2: bad record") and "4,300 digits" in msg and "\n" not in msg


def test_train_prints_progress_cv_table_and_thresholds(tmp_path: Path) -> None:
    from detector.cli import cli

    texts, Y = training_data()
    path = tmp_path / "labels.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for t, row in zip(texts, Y, strict=True):
            fh.write(json.dumps({"text": t, "labels": [LABELS[j] for j in np.flatnonzero(row)]}) + "\n")
    out = tmp_path / "m.npz"
    result = CliRunner().invoke(cli, ["train", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "training: gate done (2/11)" in result.stderr
    assert "training: russophobia done (11/11)" in result.stderr
    table = result.stdout
    assert "threshold" in table and "macro" in table and "gate threshold" in table
    model = small_model()
    for label in LABELS:
        line = next(ln for ln in table.splitlines() if ln.startswith(label + " "))
        assert len(line.split()) == 6  # label, support, P, R, F1, threshold
    assert len(model.cv_report_) == len(LABELS)


# -- the house ------------------------------------------------------------------


def test_persist_never_imports_the_framing_api_and_modules_stay_small() -> None:
    tree = ast.parse((ROOT / "detector" / "persist.py").read_text(encoding="utf-8"))
    imported = {
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in (n.names if isinstance(n, ast.Import) else [n])
    }
    assert "detector.framing" not in imported
    for name in ("framing_features", "framing_model"):
        src = (ROOT / "detector" / f"{name}.py").read_text(encoding="utf-8")
        assert "detector.framing import" not in src and "detector.persist" not in src.replace(
            ":mod:`detector.persist`", ""
        )
    for name in ("framing", "framing_features", "framing_model", "stance", "persist"):
        lines = (ROOT / "detector" / f"{name}.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 820, (name, lines)


# -- real text ------------------------------------------------------------------


def _go_posts() -> list[Document]:
    docs = []
    with gzip.open(SHARED_TG, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["outlet"] == "Библиотека Go разработчика | Golang":
                docs.append(Document(id=rec["id"], text=rec["text"], lang="ru"))
    return docs


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_TG.exists(), reason="needs ../shared/corpora/tg-news-ru.dev.jsonl.gz")
def test_real_go_programming_posts_carry_no_frame() -> None:
    """Every post of the Go programming channel (real Telegram posts): no promoted frame."""
    docs = _go_posts()
    assert len(docs) > 500
    flags = promoted(load_default_model().flag_documents(docs))
    shown = [(f.label, round(f.score, 2), next(d.text for d in docs if d.id == f.doc)[f.start : f.end])
             for f in flags[:5]]
    assert not flags, shown


def test_spans_index_the_original_text() -> None:
    model = load_default_model()
    text = "Intro.\n\nЗапад проводит политику двойных стандартов и русофобии!  Конец."
    for f in model.explain_spans(text, doc="x"):
        assert 0 <= f.start < f.end <= len(text)
        for c in f.cues:
            assert f.start <= c.start < c.end <= f.end
            assert isinstance(c, Span)
