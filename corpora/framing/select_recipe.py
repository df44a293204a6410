"""Choose the training recipe of the shipped framing model on training data alone.

Run from the project root (needs ``../shared/corpora``; about 2 CPU-minutes per
configuration)::

    python corpora/framing/select_recipe.py

The real state-media training sentences (``parts/state_train.jsonl``) are dealt
into 4 folds **by story** (the story groups of ``state_media.txt``, so no
near-copy of a sentence is on both sides); every other row (authored, seed,
Telegram, the 8,000 real negatives of ``train_shipped.py``) gets a seeded random
fold. For each configuration, one logistic regression per label (and the gate)
is fitted on three folds and scores the fourth, which gives out-of-fold scores
for every row; Platt scaling and the threshold rules are then applied to those
scores as :class:`detector.framing.FramingClassifier` applies them. The
featuriser is fitted once on all rows (vocabulary and idf only, no label).

Printed per configuration and threshold rule: out-of-fold macro-F1 on the state
sentences (all, en, ru) and on the authored ones, the share of frame-free
state sentences flagged, and flags per 1,000 quiet posts on the training
negatives (out of fold) and on the calibration sentences (mean of the fold
models). No held-out file and no held-out period is read.

Measured 2026-12-02 (third session), C=10, gate 0.85 rule as shipped:

==============================  =====  =====  =====  ========
thresholds chosen on            state  en     ru     authored
==============================  =====  =====  =====  ========
all rows (the previous recipe)  0.615  0.618  0.587  0.743
real rows (not authored)        0.634  0.640  0.601  0.719
==============================  =====  =====  =====  ========

C=3 and C=30 moved state macro-F1 by at most 0.003, weighting real rows x2-3
(authored x0.5) by at most 0.006, and NB log-count-ratio scaled features
lowered it (0.596-0.622): none was adopted.

With ``--all-negatives`` (20,422 quiet + 6,410 news negatives), thresholds on
all rows: state 0.620 (en 0.632, ru 0.567), authored 0.724, quiet out of fold
1.17 per 1,000 posts against 2.24 with 8,000 negatives; weighting the
negatives x0.3 gave 0.624 / 0.736 / 2.34 and x0.6 0.624 / 0.728 / 1.75.

What the held-out files then said (one look per candidate, ``REAL.md``):
CV gains of 0.02 did not carry over (the 439-sentence state split moves by
about that much between neighbouring models), and authored held-out followed
the authored CV column down.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from state_media import parse  # noqa: E402
from train_shipped import negatives, news_negatives, sentences_per_post  # noqa: E402

from detector.framing import LABELS, read_labelled  # noqa: E402
from detector.framing_features import _fit_featurizer, _tokens  # noqa: E402
from detector.framing_model import MIN_TOKENS, STRONG_SCORE  # noqa: E402

FOLDS = 4
N_NEGATIVES = 8000
"""Quiet-channel negatives in training (the shipped model's recipe); the rest are the calibration set."""


def is_real(source: str) -> bool:
    """A row of real text (not written for the corpus)."""
    return source != "authored"

CONFIGS: list[dict] = [{"C": 10.0}, {"C": 3.0}, {"C": 30.0}, {"C": 10.0, "w": {"state": 3.0, "tg": 3.0}}]


def _setup(all_negatives: bool) -> dict:
    import numpy as np

    data = read_labelled(HERE / "labelled.jsonl")
    pool = negatives()
    neg, cal = pool[:N_NEGATIVES], pool[N_NEGATIVES:]
    if all_negatives:
        # train_shipped.py's recipe: every quiet sentence and the non-political
        # news sentences are negatives; the quiet rate is then out of fold only
        seen = set(data.texts)
        neg = [s for s in pool if s not in seen]
        neg += [s for s in news_negatives() if s not in seen and s not in set(neg)]
        cal = cal[:1]
    texts = [*data.texts, *neg]
    Y = np.vstack([data.matrix(), np.zeros((len(neg), len(LABELS)), dtype=np.int64)])

    def kind(source: str) -> str:
        if "://" in source:
            return "state"
        if source.startswith("tg-news"):
            return "tg"
        return "auth" if source == "authored" else "seed"

    kinds = np.array([kind(s) for s in data.sources] + ["neg"] * len(neg))
    real = np.array([is_real(s) for s in data.sources] + [True] * len(neg))
    langs = np.array([*data.langs, *(["ru"] * len(neg))])
    story = {" ".join(r["text"].split()).casefold(): r["story"] for r in parse(HERE / "state_media.txt")}
    fold = np.random.default_rng(0).integers(0, FOLDS, len(texts))
    for i, k in enumerate(kinds):
        if k == "state":
            key = story[" ".join(texts[i].split()).casefold()]
            fold[i] = int(hashlib.sha1(("f" + key).encode()).hexdigest(), 16) % FOLDS
    feat = _fit_featurizer(texts, word_ngram=(1, 2), char_ngram=(2, 5), min_df=2, stem=True)
    return {
        "X": feat.transform(texts), "Xc": feat.transform(cal), "Y": Y, "kinds": kinds, "real": real,
        "langs": langs, "fold": fold, "ntok": np.array([len(_tokens(t)) for t in texts]),
        "ntok_c": np.array([len(_tokens(t)) for t in cal]), "spp": sentences_per_post(),
    }


def _oof(S: dict, C: float, weights: dict | None) -> tuple:
    """Out-of-fold decisions ``(n, 1 + labels)`` (gate first) and the fold models' mean on the calibration set."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X, Y, fold = S["X"], S["Y"], S["fold"]
    w = None if not weights else np.array([weights.get(k, 1.0) for k in S["kinds"]])
    targets = [Y.max(axis=1)] + [Y[:, j] for j in range(Y.shape[1])]
    D = np.zeros((len(Y), len(targets)))
    Dc = np.zeros((S["Xc"].shape[0], len(targets)))
    for t, y in enumerate(targets):
        for k in range(FOLDS):
            train = fold != k
            lr = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0)
            lr.fit(X[train], y[train], sample_weight=None if w is None else w[train])
            D[~train, t] = lr.decision_function(X[~train])
            Dc[:, t] += lr.decision_function(S["Xc"]) / FOLDS
    return D, Dc


def _best(y, prob, rows) -> float:  # type: ignore[no-untyped-def]
    from detector.framing_model import _best_threshold

    return _best_threshold(y[rows], prob[rows])


def _macro(Y, P) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    f1 = []
    for j in range(Y.shape[1]):
        y, p = Y[:, j] == 1, P[:, j]
        if y.any():
            tp = int((y & p).sum())
            f1.append(2 * tp / (2 * tp + int((~y & p).sum()) + int((y & ~p).sum())) if tp else 0.0)
    return float(np.mean(f1))


def _evaluate(S: dict, D, Dc, rows) -> dict:  # type: ignore[no-untyped-def]
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from detector.framing_model import _sigmoid

    Y, kinds = S["Y"], S["kinds"]
    Yg = np.hstack([Y.max(axis=1)[:, None], Y])
    P, Pc = np.zeros_like(D), np.zeros_like(Dc)
    for t in range(D.shape[1]):
        platt = LogisticRegression(C=1e4).fit(D[:, [t]], Yg[:, t])
        a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        P[:, t], Pc[:, t] = _sigmoid(a * D[:, t] + b), _sigmoid(a * Dc[:, t] + b)
    gate_t = _best(Y.max(axis=1), P[:, 0], rows)
    elig = np.where(((P[:, [0]] >= gate_t) | (P[:, 1:] >= STRONG_SCORE)) & (S["ntok"] >= MIN_TOKENS)[:, None], P[:, 1:], 0.0)
    elig_c = np.where(((Pc[:, [0]] >= gate_t) | (Pc[:, 1:] >= STRONG_SCORE)) & (S["ntok_c"] >= MIN_TOKENS)[:, None], Pc[:, 1:], 0.0)
    t = np.array([_best(Y[:, j], elig[:, j], rows) for j in range(Y.shape[1])])
    F, Fc = elig >= t, elig_c >= t
    state = kinds == "state"
    out = {lang: _macro(Y[state & (S["langs"] == lang)], F[state & (S["langs"] == lang)]) for lang in ("en", "ru")}
    out["state"] = _macro(Y[state], F[state])
    out["authored"] = _macro(Y[kinds == "auth"], F[kinds == "auth"])
    out["state_fp"] = float(F[state & (Y.sum(axis=1) == 0)].any(axis=1).mean())
    neg = kinds == "neg"
    out["quiet_oof"] = 1000 * S["spp"] * int(F[neg].any(axis=1).sum()) / int(neg.sum())
    out["quiet_cal"] = 1000 * S["spp"] * int(Fc.any(axis=1).sum()) / len(Fc)
    return out


def main() -> None:
    import argparse

    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-negatives", action="store_true",
                        help="train_shipped.py's negatives (all quiet + non-political news) instead of 8,000")
    parser.add_argument("--configs", type=int, default=len(CONFIGS), help="first N configurations only")
    args = parser.parse_args()
    S = _setup(args.all_negatives)
    print(f"{'config':34} {'thresholds on':14} {'state':>6} {'en':>6} {'ru':>6} {'authored':>8} "
          f"{'state FP':>8} {'quiet oof':>9} {'quiet cal':>9}")
    for cfg in CONFIGS[: args.configs]:
        D, Dc = _oof(S, cfg["C"], cfg.get("w"))
        for name, rows in (("all rows", np.ones(len(S["Y"]), bool)), ("real rows", S["real"])):
            o = _evaluate(S, D, Dc, rows)
            print(f"{cfg!s:34} {name:14} {o['state']:6.3f} {o['en']:6.3f} {o['ru']:6.3f} {o['authored']:8.3f} "
                  f"{o['state_fp']:8.3f} {o['quiet_oof']:9.2f} {o['quiet_cal']:9.2f}", flush=True)


if __name__ == "__main__":
    main()
