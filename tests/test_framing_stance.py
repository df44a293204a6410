"""Issue 13: the learned stance model (contrast pairs) behind the cue rules.

The model file is ``.npz`` + JSON like the frame model (never pickle) and
checked before it is read; the learned layer catches distancing worded
outside the rules' lists, keeps undistanced reports promoted, and never adds
a flag; the import direction stays one way (stance -> persist -> stance_model).
"""

from __future__ import annotations

import ast
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from detector.errors import ModelError
from detector.persist import (
    load_default_stance_model,
    load_stance_model,
    save_stance_model,
    stance_fingerprint,
)
from detector.stance import rule_stance_of, stance_of
from detector.stance_model import STANCES, StanceModel

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "detector" / "models" / "stance-v1.npz"

# Distanced sentences worded outside the cue rules (checked below) and outside
# the training templates of corpora/framing/make_contrasts.py.
DISTANCED_UNSEEN = [
    "Commentators on state TV claim that NATO is encircling Russia, a story with nothing behind it.",
    "The official narrative that the West hates everything Russian has been picked apart by researchers.",
    "Провластные каналы рассказывают, что санкции только укрепили экономику, но реальность совсем иная.",
    "Будто бы Запад организовал протесты — эту версию никто так и не смог подтвердить.",
]
PROMOTED = [
    "The ministry said that sanctions imposed bypassing the UN Security Council are illegitimate.",
    "Lavrov stressed that no state may strengthen its security at the expense of others.",
    "Захарова подчеркнула, что западные санкции незаконны и бьют по простым людям.",
    "Как заявил Лавров, формирование многополярного мира необратимо.",
]


def test_unseen_sentences_are_outside_the_rules() -> None:
    # otherwise the next test would test the rules, not the learned model
    assert all(rule_stance_of(s) == "promoted" for s in DISTANCED_UNSEEN)


def test_learned_layer_catches_distancing_the_rules_miss() -> None:
    model = load_default_stance_model()
    got = model.predict(DISTANCED_UNSEEN)
    assert sum(g != "promoted" for g in got) >= 3, got
    assert all(stance_of(s) in STANCES for s in DISTANCED_UNSEEN)


def test_undistanced_reports_stay_promoted() -> None:
    assert [stance_of(s) for s in PROMOTED] == ["promoted"] * len(PROMOTED)


def test_rules_still_decide_first() -> None:
    s = "Lavrov again accused the West of double standards, a claim analysts dismiss."
    assert rule_stance_of(s) == stance_of(s) == "rebutted"


def _toy() -> StanceModel:
    texts = [
        "The West applies double standards.",
        "The minister said the West applies double standards.",
        "Critics reject the claim that the West applies double standards.",
        "It is untrue that the West applies double standards.",
        "Sanctions are illegitimate.",
        "The spokeswoman said sanctions are illegitimate.",
        "Analysts reject the claim that sanctions are illegitimate.",
        "It is untrue that sanctions are illegitimate.",
    ]
    stances = ["promoted", "promoted", "rebutted", "denied"] * 2
    return StanceModel(min_df=1).fit(texts, stances)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    model = _toy()
    path = tmp_path / "stance.npz"
    save_stance_model(model, path)
    back = load_stance_model(path)
    probe = ["Critics reject the claim that NATO threatens Russia.", "NATO threatens Russia."]
    assert np.allclose(back.predict_proba(probe), model.predict_proba(probe))
    assert back.predict(probe) == model.predict(probe)
    assert stance_fingerprint(back) == stance_fingerprint(model)
    with zipfile.ZipFile(path) as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())


def test_fit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown stance"):
        StanceModel().fit(["a b c", "d e f"], ["promoted", "sceptical"])
    with pytest.raises(ValueError, match="two stances"):
        StanceModel().fit(["a b c", "d e f"], ["promoted", "promoted"])
    with pytest.raises(ValueError, match="not fitted"):
        StanceModel().predict(["a b c"])


def test_refuses_pickles_and_foreign_files(tmp_path: Path) -> None:
    pk = tmp_path / "stance.npz"
    pk.write_bytes(pickle.dumps({"coef": [1.0]}))
    with pytest.raises(ModelError, match="refusing a pickle file; stance models are"):
        load_stance_model(pk)
    frame_model = ROOT / "detector" / "models" / "framing-v1.npz"
    # a framing model given as the stance model is named as not a *stance* model file
    with pytest.raises(ModelError, match=r"not a stance model file \(unexpected members"):
        load_stance_model(frame_model)
    text = tmp_path / "notes.npz"
    text.write_text("not an archive", encoding="utf-8")
    with pytest.raises(ModelError, match=r"notes\.npz: not a stance model file \(not a zip archive\)"):
        load_stance_model(text)


def test_refuses_wrong_shapes_and_classes(tmp_path: Path) -> None:
    def rewrite(name: str, arr: np.ndarray, out: Path) -> Path:
        with zipfile.ZipFile(SHIPPED) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if info.filename == f"{name}.npy":
                    buf = io.BytesIO()
                    np.save(buf, arr, allow_pickle=False)
                    dst.writestr(info.filename, buf.getvalue())
                else:
                    dst.writestr(info.filename, src.read(info))
        return out

    with pytest.raises(ModelError, match="intercept"):
        load_stance_model(rewrite("intercept", np.zeros(3), tmp_path / "a.npz"))
    with pytest.raises(ModelError, match="non-finite"):
        load_stance_model(rewrite("intercept", np.array([np.nan, 0, 0, 0]), tmp_path / "b.npz"))
    with zipfile.ZipFile(SHIPPED) as src:
        meta = np.load(io.BytesIO(src.read("meta.npy")))
    text = meta.tobytes().decode("utf-8").replace('"discussed"', '"sceptical"')
    bad = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with pytest.raises(ModelError, match="stance classes"):
        load_stance_model(rewrite("meta", bad, tmp_path / "c.npz"))


def test_import_direction_is_one_way() -> None:
    def imported(name: str) -> set[str]:
        tree = ast.parse((ROOT / "detector" / f"{name}.py").read_text(encoding="utf-8"))
        return {
            n.module if isinstance(n, ast.ImportFrom) else a.name
            for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in (n.names if isinstance(n, ast.Import) else [n])
        }

    assert not {"detector.stance", "detector.persist", "detector.framing"} & imported("stance_model")
    assert not {"detector.stance", "detector.framing"} & imported("persist")
    lines = (ROOT / "detector" / "stance_model.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 800


def test_cli_model_option_loads_the_stance_model_before_forking() -> None:
    """``--model PATH`` goes through ``framing.load_model``: the stance model is in
    this process's cache afterwards, so forked report workers inherit it."""
    from detector.cli_support import _load_model

    load_default_stance_model.cache_clear()
    model = _load_model(str(ROOT / "detector" / "models" / "framing-v1.npz"))
    assert model.labels_
    assert load_default_stance_model.cache_info().currsize == 1
