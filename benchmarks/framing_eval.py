"""Evaluate the framing classifier against a keyword-lexicon baseline.

Measures, each split by language (``en``, ``ru``, ``all``):

* per-label precision, recall, F1 and macro-F1 of a stratified k-fold
  cross-validation on ``corpora/framing/labelled.jsonl`` (multi-label
  iterative stratification, Sechidis et al. 2011), the classifier refitted
  on each training fold (its inner calibration CV included);
* the same figures on ``corpora/framing/heldout.jsonl`` for a model fitted on
  all of ``labelled.jsonl`` (the held-out file is never trained on);
* the same figures for a hand-written EN+RU keyword lexicon on the same data;
* the false-positive rate on unlabelled sentences (share of sentences with no
  gold label that get at least one flag);
* the time to flag 10,000 sentences (pre-split, and as documents including
  sentence splitting).

Usage::

    python benchmarks/framing_eval.py [--folds 5] [--json] [--skip-cv]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import regex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.framing import LABELS, FramingClassifier, read_labelled  # noqa: E402
from detector.schema import Document  # noqa: E402

LABELLED = ROOT / "corpora" / "framing" / "labelled.jsonl"
HELDOUT = ROOT / "corpora" / "framing" / "heldout.jsonl"

# The keyword list an analyst would write from the label descriptions: the
# emblematic phrases of each frame in English and Russian (stems where
# Russian inflects). Case-insensitive, matched anywhere in the sentence.
LEXICON: dict[str, list[str]] = {
    "multipolarity": [
        r"multipolar",
        r"multi-polar",
        r"polycentric",
        r"world majority",
        r"global majority",
        r"global south",
        r"global east",
        r"hegemon",
        r"neo-?colonial",
        r"rules-based order",
        r"многополяр",
        r"полицентрич",
        r"мирово\w* большинств",
        r"гегемон",
        r"неоколониал",
        r"глобальн\w* юг",
        r"порядк\w*,? основанн\w* на правилах",
    ],
    "indivisible_security": [
        r"indivisib",
        r"at the expense of",
        r"nato expansion",
        r"nato enlargement",
        r"eastward expansion",
        r"military infrastructure",
        r"security guarantees",
        r"неделимост\w* безопасност",
        r"за счет безопасност",
        r"за счёт безопасност",
        r"расширени\w* нато",
        r"военн\w* инфраструктур",
        r"гаранти\w* безопасност",
    ],
    "fraternal_unity": [
        r"fraternal",
        r"brotherly",
        r"one people",
        r"brother nations",
        r"ties of friendship",
        r"братск",
        r"единый народ",
        r"один народ",
        r"узы дружбы",
        r"братья",
    ],
    "double_standards": [
        r"double standard",
        r"hypocri",
        r"selective approach",
        r"exceptionalism",
        r"двойн\w* стандарт",
        r"лицемер",
        r"избирательн\w* подход",
        r"исключительност",
    ],
    "illegitimate_sanctions": [
        r"illegitimate\W+(?:\w+\W+)?sanctions",
        r"illegal\W+(?:\w+\W+)?sanctions",
        r"unilateral\W+(?:\w+\W+)?sanctions",
        r"bypassing the un",
        r"sanctions? will not break",
        r"нелегитимн\w* (?:\w+ )?санкц",
        r"незаконн\w* (?:\w+ )?санкц",
        r"односторонн\w* (?:\w+ )?санкц",
        r"в обход сб оон",
        r"санкц\w* не слом",
        r"санкционн\w* давлен",
    ],
    "colour_revolution": [
        r"colou?r revolution",
        r"maidan",
        r"puppet",
        r"curators",
        r"interference in (?:the |our )?internal affairs",
        r"цветн\w* революц",
        r"майдан",
        r"куратор",
        r"марионет",
        r"вмешательств\w* во внутренн",
    ],
    "historical_memory": [
        r"falsif\w* (?:of )?history",
        r"rewrit\w* history",
        r"great victory",
        r"revisionis",
        r"фальсификац\w* истори",
        r"переписа\w* истори",
        r"велик\w* побед",
        r"историческ\w* памят",
    ],
    "nazism_analogy": [
        r"neo-?nazi",
        r"banderite",
        r"nazi collaborator",
        r"third reich",
        r"fascis",
        r"неонацист",
        r"бандеров",
        r"пособник\w* нацист",
        r"третьего рейха",
        r"фашист",
    ],
    "russophobia": [
        r"russophob",
        r"information war",
        r"attempts? to isolate",
        r"ill-wishers",
        r"русофоб",
        r"информационн\w* войн",
        r"изолировать",
        r"недоброжелател",
    ],
}
_LEX_RE = {label: regex.compile("|".join(pats), regex.I) for label, pats in LEXICON.items()}


def lexicon_predict(texts: Sequence[str]) -> np.ndarray:
    """Indicator matrix of the keyword baseline."""
    out = np.zeros((len(texts), len(LABELS)), dtype=np.int64)
    for i, text in enumerate(texts):
        for j, label in enumerate(LABELS):
            if _LEX_RE[label].search(text):
                out[i, j] = 1
    return out


def iterative_stratification(Y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold id of each row: multi-label iterative stratification.

    Sechidis, Tsoumakas, Vlahavas (2011), "On the stratification of
    multi-label data": repeatedly take the label with the fewest remaining
    examples and deal its examples to the folds that most lack it. Rows
    without labels are dealt as their own pseudo-label. O(n * labels).
    """
    rng = np.random.default_rng(seed)
    n = len(Y)
    Yx = np.hstack([Y, (Y.sum(axis=1) == 0).astype(np.int64)[:, None]])
    fold = np.full(n, -1)
    desired = np.full(k, n / k)
    desired_l = np.tile(Yx.sum(axis=0) / k, (k, 1)).astype(float)
    remaining = np.ones(n, dtype=bool)
    while remaining.any():
        counts = Yx[remaining].sum(axis=0)
        label = int(np.argmin(np.where(counts > 0, counts, np.inf)))
        rows = np.flatnonzero(remaining & (Yx[:, label] == 1))
        rng.shuffle(rows)
        for r in rows:
            need = desired_l[:, label]
            cands = np.flatnonzero(need == need.max())
            if len(cands) > 1:
                cands = cands[desired[cands] == desired[cands].max()]
            f = int(rng.choice(cands))
            fold[r] = f
            remaining[r] = False
            desired[f] -= 1
            desired_l[f] -= Yx[r]
    return fold


def scores(Y: np.ndarray, P: np.ndarray) -> dict:
    """Per-label precision/recall/F1/support and macro-F1."""
    per = {}
    for j, label in enumerate(LABELS):
        y, p = Y[:, j] == 1, P[:, j] == 1
        tp, fp, fn = int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[label] = {"precision": prec, "recall": rec, "f1": f1, "support": int(y.sum())}
    present = [v["f1"] for v in per.values() if v["support"] > 0]
    unlabelled = Y.sum(axis=1) == 0
    fp_rate = float((P[unlabelled].sum(axis=1) > 0).mean()) if unlabelled.any() else float("nan")
    return {
        "per_label": per,
        "macro_f1": float(np.mean(present)) if present else 0.0,
        "n": len(Y),
        "n_unlabelled": int(unlabelled.sum()),
        "fp_rate_unlabelled": fp_rate,
    }


def by_language(Y: np.ndarray, P: np.ndarray, langs: Sequence[str]) -> dict:
    langs_arr = np.asarray(langs)
    out = {"all": scores(Y, P)}
    for lang in ("en", "ru"):
        mask = langs_arr == lang
        if mask.any():
            out[lang] = scores(Y[mask], P[mask])
    return out


def cross_validate(texts: list[str], Y: np.ndarray, folds: int) -> np.ndarray:
    fold = iterative_stratification(Y, folds)
    P = np.zeros_like(Y)
    for f in range(folds):
        train, test = fold != f, fold == f
        model = FramingClassifier().fit(
            [t for t, m in zip(texts, train, strict=True) if m], Y[train]
        )
        P[test] = model.predict([t for t, m in zip(texts, test, strict=True) if m])
    return P


def timing(model: FramingClassifier, texts: Sequence[str]) -> dict:
    """Seconds to flag 10,000 sentences (best of 3)."""
    sents = [texts[i % len(texts)] for i in range(10_000)]
    docs = [
        Document(id=f"d{i}", text="\n".join(sents[i * 10 : (i + 1) * 10]), lang=None)
        for i in range(1000)
    ]
    out: dict[str, float] = {}

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return min(runs)

    from detector.schema import Span

    items = [("s", s, Span(0, len(s))) for s in sents]
    out["sentences_s"] = best(lambda: model._flag_sentences(items, None))
    out["documents_razdel_s"] = best(lambda: model.flag_documents(docs, engine="razdel"))
    out["documents_auto_s"] = best(lambda: model.flag_documents(docs, engine="auto"))
    return out


def fmt_table(title: str, model_s: dict, lex_s: dict) -> str:
    lines = [
        f"\n{title}",
        f"{'label':24} {'model P':>8} {'R':>6} {'F1':>6} | {'lexicon P':>9} {'R':>6} {'F1':>6} | {'n':>4}",
    ]
    for label in LABELS:
        m, x = model_s["per_label"][label], lex_s["per_label"][label]
        lines.append(
            f"{label:24} {m['precision']:8.3f} {m['recall']:6.3f} {m['f1']:6.3f} | "
            f"{x['precision']:9.3f} {x['recall']:6.3f} {x['f1']:6.3f} | {m['support']:4d}"
        )
    lines.append(
        f"{'macro-F1':24} {'':8} {'':6} {model_s['macro_f1']:6.3f} | {'':9} {'':6} {lex_s['macro_f1']:6.3f} |"
    )
    lines.append(
        f"{'FP rate (unlabelled)':24} {'':8} {'':6} {model_s['fp_rate_unlabelled']:6.3f} | "
        f"{'':9} {'':6} {lex_s['fp_rate_unlabelled']:6.3f} | {model_s['n_unlabelled']:4d}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the framing classifier.")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true", help="only the held-out evaluation")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)

    data = read_labelled(args.labelled)
    texts, Y = list(data.texts), data.matrix()
    result: dict = {"labelled": {"n": len(texts)}, "sklearn_folds": args.folds}

    t0 = time.perf_counter()
    model = FramingClassifier().fit(texts, Y)
    result["fit_seconds"] = time.perf_counter() - t0
    result["n_features"] = model.n_features_

    if not args.skip_cv:
        P = cross_validate(texts, Y, args.folds)
        result["cv"] = {
            "model": by_language(Y, P, data.langs),
            "lexicon": by_language(Y, lexicon_predict(texts), data.langs),
        }
    if args.heldout.exists():
        held = read_labelled(args.heldout)
        Yh = held.matrix()
        result["heldout"] = {
            "model": by_language(Yh, model.predict(list(held.texts)), held.langs),
            "lexicon": by_language(Yh, lexicon_predict(held.texts), held.langs),
        }
    result["timing_10k"] = timing(model, texts)

    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"labelled: {len(texts)} sentences, {model.n_features_} features, fit {result['fit_seconds']:.1f} s"
    )
    for part in ("cv", "heldout"):
        if part not in result:
            continue
        for lang in ("all", "en", "ru"):
            if lang in result[part]["model"]:
                name = f"{args.folds}-fold CV" if part == "cv" else "held-out"
                print(
                    fmt_table(
                        f"{name} [{lang}]",
                        result[part]["model"][lang],
                        result[part]["lexicon"][lang],
                    )
                )
    tm = result["timing_10k"]
    print(
        f"\nflag 10,000 sentences: {tm['sentences_s']:.2f} s pre-split; as 1,000 documents "
        f"{tm['documents_razdel_s']:.2f} s (razdel) / {tm['documents_auto_s']:.2f} s (pysbd for English)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
