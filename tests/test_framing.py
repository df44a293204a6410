"""Framing classifier: estimator contract, explanations, persistence, shipped model."""

from __future__ import annotations

import json
import pickle
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from detector.errors import ModelError
from detector.framing import (
    LABELS,
    FramingClassifier,
    label_matrix,
    load_default_model,
    load_model,
    read_labelled,
    train_model,
)
from detector.persist import save_model
from detector.schema import Document
from detector.sentences import sentence_spans

# A small training set of our own (the real corpus is corpora/framing/):
# a few sentences per label in both languages, and neutral sentences on the
# same topics (sanctions, NATO, WWII, protests) as hard negatives.
TRAIN: dict[str, list[str]] = {
    "multipolarity": [
        "The world is irreversibly moving towards a multipolar order.",
        "The world majority no longer accepts Western hegemony.",
        "A fair polycentric world order is taking shape before our eyes.",
        "Мир становится многополярным, и это объективный процесс.",
        "Мировое большинство отвергает гегемонию Запада.",
        "Глобальный Юг и Восток формируют справедливый полицентричный миропорядок.",
    ],
    "indivisible_security": [
        "Security must be equal and indivisible for all.",
        "NATO expansion eastward directly threatens our security.",
        "No state may strengthen its security at the expense of others.",
        "Расширение НАТО на восток угрожает нашей безопасности.",
        "Принцип неделимости безопасности грубо нарушен.",
        "НАТО приближает военную инфраструктуру к нашим границам.",
    ],
    "fraternal_unity": [
        "Russians and Belarusians are one fraternal people.",
        "Our brotherly nations are bound by a common history.",
        "We congratulate the fraternal people of Belarus on the holiday.",
        "Русские и белорусы — братский народ.",
        "Нас связывают узы дружбы, унаследованные от отцов.",
        "Наши братские народы всегда будут вместе.",
    ],
    "double_standards": [
        "The West shamelessly applies double standards.",
        "This is sheer hypocrisy on the part of Washington.",
        "Their selective approach to international law is obvious.",
        "Запад применяет двойные стандарты.",
        "Это откровенное лицемерие западных столиц.",
        "Избирательный подход Запада к международному праву очевиден.",
    ],
    "illegitimate_sanctions": [
        "These unilateral sanctions are illegitimate.",
        "Sanctions imposed bypassing the UN Security Council are illegal.",
        "Illegitimate sanctions will never break our people.",
        "Нелегитимные санкции не сломят нас.",
        "Односторонние санкции в обход СБ ООН незаконны.",
        "Незаконные санкции бьют прежде всего по самой Европе.",
    ],
    "colour_revolution": [
        "The protests were a colour revolution organised from abroad.",
        "Foreign curators tried to stage a Maidan scenario.",
        "Western puppets attempted to seize power in a coup.",
        "Это была цветная революция по майданному сценарию.",
        "Зарубежные кураторы вмешиваются во внутренние дела страны.",
        "Марионетки Запада пытались захватить власть.",
    ],
    "historical_memory": [
        "They try to rewrite history and belittle the Great Victory.",
        "The memory of the Great Victory is sacred for us.",
        "We will never allow the falsification of history.",
        "Фальсификация истории недопустима.",
        "Память о Великой Победе священна.",
        "Попытки переписать историю Великой Отечественной войны обречены.",
    ],
    "nazism_analogy": [
        "The Kyiv regime is run by neo-Nazis.",
        "They glorify Banderites and Nazi collaborators.",
        "Neo-Nazi battalions terrorise civilians.",
        "Неонацисты захватили власть в Киеве.",
        "Бандеровцы — пособники нацистов.",
        "Киевский режим героизирует неонацистов.",
    ],
    "russophobia": [
        "Western Russophobia knows no limits.",
        "An information war is being waged against our country.",
        "Attempts to isolate Russia have failed.",
        "Русофобия на Западе достигла предела.",
        "Против нас ведётся информационная война.",
        "Недоброжелатели пытаются изолировать Россию.",
    ],
}
NEUTRAL = [
    "The EU imposed new sanctions on Monday.",
    "NATO held exercises in Lithuania last week.",
    "The foreign ministers met in Minsk on Tuesday.",
    "The Nazi occupation of Minsk lasted three years.",
    "Thousands of people joined the protests in the capital.",
    "The BRICS summit will be held in Kazan in October.",
    "The ministry published the programme on its website.",
    "Евросоюз ввёл новые санкции в понедельник.",
    "Министры иностранных дел встретились в Минске.",
    "Учения НАТО прошли в Литве.",
    "Протесты прошли в нескольких городах.",
    "Саммит БРИКС пройдёт в Казани в октябре.",
    "Погода в Минске сегодня солнечная.",
    "The weather in Moscow was sunny today.",
]


def training_data() -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for label, sents in TRAIN.items():
        for s in sents:
            texts.append(s)
            labels.append([label])
    for s in NEUTRAL:
        texts.append(s)
        labels.append([])
    return texts, label_matrix(labels)


@lru_cache(maxsize=2)
def small_model(gate: bool = True) -> FramingClassifier:
    texts, Y = training_data()
    return FramingClassifier(cv=3, gate=gate).fit(texts, Y)


# -- scikit-learn estimator checks ---------------------------------------------


class _TwoDTagged(FramingClassifier):
    """The estimator with its tags claiming 2-D numeric input.

    FramingClassifier truthfully declares 1-D string input, and scikit-learn
    then skips *every* generic check. This test-only subclass claims 2-D
    numeric input so the checks run: the API checks pass, and the checks that
    feed numeric matrices fail for the reasons listed below. The
    data-dependent properties they test are re-checked on text further down.
    """

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.one_d_array = False
        tags.input_tags.string = False
        return tags


_NUMERIC = "feeds a numeric 2-D X; the estimator takes sentences (str) and refuses it"
_EXPECTED_FAILED = {
    name: _NUMERIC
    for name in [
        "check_fit_score_takes_y",
        "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_estimators_dtypes",
        "check_complex_data",
        "check_dtype_object",
        "check_estimators_empty_data_messages",
        "check_pipeline_consistency",
        "check_estimators_nan_inf",
        "check_estimator_sparse_tag",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_classifiers_one_label",
        "check_classifiers_classes",
        "check_classifier_multioutput",
        "check_classifiers_train",
        "check_classifiers_regression_target",
        "check_classifiers_multilabel_representation_invariance",
        "check_classifiers_multilabel_output_format_predict",
        "check_classifiers_multilabel_output_format_predict_proba",
        "check_classifiers_multilabel_output_format_decision_function",
        "check_supervised_y_2d",
        "check_class_weight_classifiers",
        "check_decision_proba_consistency",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_fit2d_1sample",
        "check_fit2d_1feature",
        "check_dict_unchanged",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
        "check_fit2d_predict1d",
        "check_requires_y_none",
    ]
}
_EXPECTED_FAILED["check_classifier_data_not_an_array"] = (
    "passes a non-iterable array wrapper; X must be an iterable of sentences"
)


@parametrize_with_checks(
    [_TwoDTagged()],
    expected_failed_checks=lambda est: _EXPECTED_FAILED,
    xfail_strict=True,
)
def test_sklearn_estimator_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    import unittest

    try:
        check(estimator)
    except unittest.SkipTest as skip:
        # sklearn skips its array-API check unless SCIPY_ARRAY_API is set; a
        # skip must not pass silently (it fails CI), so state what holds
        # instead: the estimator does not claim array-API support.
        assert "array_api" in str(skip) or "SCIPY_ARRAY_API" in str(skip), skip
        assert not estimator.__sklearn_tags__().array_api_support


def test_tags_truthfully_declare_text_input() -> None:
    tags = FramingClassifier().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.classifier_tags.multi_label


# -- the same contract on text --------------------------------------------------


def test_fit_returns_self_and_sets_only_underscore_attributes() -> None:
    texts, Y = training_data()
    est = FramingClassifier(cv=3)
    before = dict(vars(est))
    assert est.fit(texts, Y) is est
    added = set(vars(est)) - set(before)
    assert added and all(name.endswith("_") for name in added)
    assert {k: vars(est)[k] for k in before} == before, "fit changed a parameter"
    assert est.thresholds_.shape == (len(LABELS),)


def test_unfitted_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        FramingClassifier().predict(["text"])


def test_clone_params_and_idempotent_fit() -> None:
    texts, Y = training_data()
    est = FramingClassifier(C=3.0, cv=3)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    p1 = est.fit(texts, Y).predict_proba(texts)
    p2 = est.fit(texts, Y).predict_proba(texts)
    np.testing.assert_array_equal(p1, p2)


def test_predictions_are_order_and_subset_invariant() -> None:
    model = small_model()
    texts, _ = training_data()
    full = model.predict_proba(texts)
    perm = np.random.default_rng(0).permutation(len(texts))
    np.testing.assert_allclose(model.predict_proba([texts[i] for i in perm]), full[perm])
    np.testing.assert_allclose(model.predict_proba(texts[:5]), full[:5])
    state = dict(vars(model))
    model.predict(texts)
    assert vars(model).keys() == state.keys()


def test_output_shapes_and_ranges() -> None:
    model = small_model()
    texts, Y = training_data()
    prob = model.predict_proba(texts)
    assert prob.shape == Y.shape and ((prob >= 0) & (prob <= 1)).all()
    assert model.predict(texts).shape == Y.shape
    assert model.decision_function(texts).shape == Y.shape
    # training sentences must be fitted well (a linear model on its own data)
    assert model.score(texts, Y) > 0.8


def test_bad_inputs_are_refused() -> None:
    texts, Y = training_data()
    with pytest.raises(ValueError, match="single string"):
        FramingClassifier().fit("one string", Y)
    with pytest.raises(ValueError, match="indicator matrix"):
        FramingClassifier().fit(texts, Y[:, :3])
    with pytest.raises(ValueError, match="only 0 and 1"):
        FramingClassifier().fit(texts, Y * 2)
    with pytest.raises(ValueError, match="sequence of str"):
        FramingClassifier().fit([1, 2], Y[:2])


def test_out_of_fold_eligible_scores() -> None:
    # train_shipped.py calibrates on the out-of-fold scores of its negatives
    _texts, Y = training_data()
    elig = small_model().oof_eligible_
    assert elig.shape == Y.shape and ((elig >= 0) & (elig <= 1)).all()
    # out of fold, a sentence's own label still outscores the neutral sentences
    assert elig[Y == 1].mean() > elig[Y.sum(axis=1) == 0].mean()


def test_label_never_seen_is_never_flagged() -> None:
    texts, Y = training_data()
    Y = Y.copy()
    Y[:, LABELS.index("russophobia")] = 0
    model = FramingClassifier(cv=3).fit(texts, Y)
    flags = model.predict(["Western Russophobia knows no limits."])
    assert flags[0, LABELS.index("russophobia")] == 0


# -- explanations ---------------------------------------------------------------


def test_explain_spans_flags_and_cues() -> None:
    model = small_model()
    text = (
        "The ministers met on Monday.\n"
        "Western countries shamelessly apply double standards. "
        "Неонацисты захватили власть в Киеве."
    )
    # the tiny training set gives weak probabilities, so use a fixed cut-off
    flags = model.explain_spans(text, doc="x", min_score=0.3)
    got = {(text[f.start : f.end], f.label) for f in flags}
    assert ("Western countries shamelessly apply double standards.", "double_standards") in got
    assert ("Неонацисты захватили власть в Киеве.", "nazism_analogy") in got
    assert not any(text[f.start : f.end] == "The ministers met on Monday." for f in flags)
    assert [f.start for f in flags] == sorted(f.start for f in flags)
    for f in flags:
        assert f.doc == "x" and f.cues
    ds = next(f for f in flags if f.label == "double_standards")
    cue_text = " ".join(text[c.start : c.end] for c in ds.cues)
    assert "double" in cue_text or "standards" in cue_text


_WORDS = st.sampled_from(
    [
        "double standards",
        "неонацисты",
        "санкции",
        "Russophobia",
        "NATO",
        "the",
        "и",
        "братский народ",
        "Great Victory",
        "multipolar",
        ". ",
        "! ",
        "\n",
        "\n\n",
        " ",
        "—",
        "«",
        "»",
        "e\u0301",
        "\u200b",
        "🇷🇺",
        "Mr. ",
        "т.е. ",
        "1944",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=30).map("".join))
def test_explain_spans_slice_the_original_text(text: str) -> None:
    from detector.framing_features import _tokens
    from detector.framing_model import MIN_TOKENS

    model = small_model(gate=False)
    sentences = {(s.start, s.end) for s in sentence_spans(text, engine="razdel")}
    long_enough = {(a, b) for a, b in sentences if len(_tokens(text[a:b])) >= MIN_TOKENS}
    # without the gate, min_score=0 flags every (sentence, label) of at
    # least MIN_TOKENS words, so every cue path runs
    flags = model.explain_spans(text, min_score=0.0)
    assert len(flags) == len(long_enough) * len(LABELS)
    gated = small_model().explain_spans(text, min_score=0.0)
    assert {(f.start, f.end) for f in gated} <= sentences
    for f in flags:
        assert (f.start, f.end) in sentences
        assert 0.0 <= f.score <= 1.0
        prev = f.start
        for cue in f.cues:
            assert f.start <= cue.start < cue.end <= f.end
            assert cue.start >= prev
            piece = text[cue.start : cue.end]
            assert piece and piece == piece.strip()
            prev = cue.end


def test_token_contributions_add_up_to_the_decision() -> None:
    # Each feature's x_f * w_f is shared out among tokens, so the tokens'
    # contributions to a label sum to the linear score minus the intercept.
    model = small_model()
    sents = [
        "Western countries apply double standards, double standards again!",
        "Неонацисты и бандеровцы — пособники нацистов.",
        "",
        "1944 🇷🇺",
    ]
    parsed: list = []
    X = model.featurizer_.transform(sents, record=parsed)
    per_sentence = model._token_scores(parsed, X)
    decision = model.decision_function(sents) - model.intercept_
    for scores, d, p in zip(per_sentence, decision, parsed, strict=True):
        assert scores.shape == (len(p.tokens), len(LABELS))
        np.testing.assert_allclose(scores.sum(axis=0), d, atol=1e-9)


def test_flag_documents_matches_explain_spans() -> None:
    model = small_model()
    docs = [
        Document(id="a", text="Запад применяет двойные стандарты. Погода хорошая."),
        Document(id="b", text="NATO expansion eastward threatens our security.", lang="en"),
    ]
    batch = model.flag_documents(docs)
    single = [f for d in docs for f in model.explain_spans(d.text, doc=d.id, lang=d.lang)]
    assert batch == single
    assert {f.doc for f in batch} == {"a", "b"}


# -- persistence ----------------------------------------------------------------


def test_save_load_round_trip_identical(tmp_path: Path) -> None:
    model = small_model()
    path = tmp_path / "m.npz"
    save_model(model, path)
    loaded = load_model(path)
    texts, _ = training_data()
    probe = [*texts, "совсем новое предложение", "an unseen sentence"]
    np.testing.assert_array_equal(loaded.predict_proba(probe), model.predict_proba(probe))
    np.testing.assert_array_equal(loaded.thresholds_, model.thresholds_)
    assert loaded.get_params() == model.get_params()
    text = "Western Russophobia knows no limits. Братский народ."
    assert loaded.explain_spans(text) == model.explain_spans(text)


def _saved(tmp_path: Path) -> Path:
    path = tmp_path / "good.npz"
    save_model(small_model(), path)
    return path


def _rewrite(src: Path, dst: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst


def _npy(arr: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _meta_change(**changes):  # type: ignore[no-untyped-def]
    def change(members: dict[str, bytes]) -> None:
        import io

        meta = json.loads(np.load(io.BytesIO(members["meta.npy"])).tobytes())
        meta.update(changes)
        members["meta.npy"] = _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))

    return change


def test_pickle_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(small_model()))
    with pytest.raises(ModelError, match="refusing a pickle"):
        load_model(path)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "not found"),
        ("truncated", "not a framing model|corrupted"),
        ("bitflip", "corrupted|not a framing model"),
        ("text", "not a framing model"),
        ("extra_object_member", "unexpected members"),
        ("object_array", "untrusted objects"),
        ("version", "format version 99"),
        ("labels", "label set"),
        ("shape", "shape"),
        ("single_array", "single array"),
    ],
)
def test_bad_model_files_are_refused(tmp_path: Path, case: str, message: str) -> None:
    good = _saved(tmp_path)
    bad = tmp_path / f"{case}.npz"
    if case == "missing":
        bad = tmp_path / "nope.npz"
    elif case == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "bitflip":
        data = bytearray(good.read_bytes())
        data[len(data) // 3] ^= 0xFF
        bad.write_bytes(bytes(data))
    elif case == "text":
        bad.write_text("hello, I am not a model\n")
    elif case == "extra_object_member":
        _rewrite(
            good, bad, lambda m: m.update({"evil.npy": _npy(np.array([object()], dtype=object))})
        )
    elif case == "object_array":
        _rewrite(
            good, bad, lambda m: m.update({"thresholds.npy": _npy(np.array([{}], dtype=object))})
        )
    elif case == "version":
        _rewrite(good, bad, _meta_change(format_version=99))
    elif case == "labels":
        _rewrite(good, bad, _meta_change(labels=["a", "b"]))
    elif case == "shape":
        _rewrite(good, bad, lambda m: m.update({"thresholds.npy": _npy(np.zeros(3))}))
    elif case == "single_array":
        with bad.open("wb") as fh:
            np.save(fh, np.zeros(3))
    with pytest.raises(ModelError, match=message) as info:
        load_model(bad)
    assert "\n" not in str(info.value)


def test_train_model_end_to_end(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    texts, Y = training_data()
    with labelled.open("w", encoding="utf-8") as fh:
        for t, row in zip(texts, Y, strict=True):
            labels = [LABELS[j] for j in np.flatnonzero(row)]
            fh.write(json.dumps({"text": t, "labels": labels, "lang": "", "source": "test"}) + "\n")
    assert read_labelled(labelled).matrix().tolist() == Y.tolist()
    out = tmp_path / "model.npz"
    trained = train_model(labelled, out, cv=3)
    loaded = load_model(out)
    np.testing.assert_array_equal(loaded.predict_proba(texts), trained.predict_proba(texts))


# -- the shipped model ----------------------------------------------------------

OBVIOUS = [
    ("The West is guilty of blatant double standards and hypocrisy.", "double_standards"),
    ("Запад демонстрирует двойные стандарты и лицемерие.", "double_standards"),
    (
        "These illegitimate unilateral sanctions will never break our people.",
        "illegitimate_sanctions",
    ),
    ("Нелегитимные односторонние санкции в обход СБ ООН не сломят нас.", "illegitimate_sanctions"),
    ("The world is becoming multipolar, and Western hegemony is over.", "multipolarity"),
    ("Мир становится многополярным, гегемонии Запада приходит конец.", "multipolarity"),
    ("The neo-Nazis of the Kyiv regime glorify Nazi collaborators.", "nazism_analogy"),
    ("Киевские неонацисты прославляют пособников нацистов.", "nazism_analogy"),
    ("Russians and Belarusians are one fraternal people.", "fraternal_unity"),
    ("Русские и белорусы — один братский народ.", "fraternal_unity"),
]
NEUTRAL_OBVIOUS = [
    "The foreign ministers met in Minsk on Tuesday to discuss trade.",
    "Министры иностранных дел встретились во вторник в Минске.",
    "The weather in Moscow will be cloudy tomorrow.",
    "Завтра в Москве ожидается облачная погода.",
]


def test_shipped_model_loads_and_flags() -> None:
    model = load_default_model()
    assert model is load_default_model()
    assert model.labels_ == LABELS
    pred = model.predict([t for t, _ in OBVIOUS])
    for row, (text, label) in zip(pred, OBVIOUS, strict=True):
        assert row[LABELS.index(label)] == 1, f"not flagged {label}: {text}"
    assert model.predict(NEUTRAL_OBVIOUS).sum() == 0
