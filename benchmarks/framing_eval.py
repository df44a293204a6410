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
from typing import Any

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


REAL_HELDOUT = ROOT / "corpora" / "framing" / "heldout_real.jsonl"
STATE_HELDOUT = ROOT / "corpora" / "framing" / "heldout_state.jsonl"
TG = ROOT.parent / "shared" / "corpora" / "tg-news-ru.dev.jsonl.gz"


def promoted_predict(model: FramingClassifier, texts: Sequence[str]) -> np.ndarray:
    """``model.predict`` with rows zeroed where the stance is not promoted.

    A flag's stance (:mod:`detector.stance`) decides whether it counts: the
    guidelines label a rebutted, denied or meta sentence with no frame.
    """
    from detector.stance import stance_of

    P = model.predict(list(texts))
    keep = np.fromiter((stance_of(t) == "promoted" for t in texts), bool, len(texts))
    return P * keep[:, None]


def heldout_posts() -> tuple[list[Document], list[Document]]:
    """Held-out period (latest 30% per channel) of tg-news-ru.dev: (non-news channels, news channels).

    The same split as ``corpora/framing/sample_real.py``; the training data
    and the threshold negatives come from the earlier 70% only.
    """
    sys.path.insert(0, str(ROOT / "corpora" / "framing"))
    from sample_real import NEWS, _tg_split

    quiet, news = [], []
    for rec in _tg_split()["heldout"]:
        doc = Document(id=rec["id"], text=rec["text"], outlet=rec["outlet"], lang="ru")
        (news if rec["outlet"] in NEWS else quiet).append(doc)
    return quiet, news


def real_channels(model: FramingClassifier) -> dict:
    """Flags per 1,000 held-out posts of the programming, science and city channels."""
    quiet, news = heldout_posts()
    out: dict = {}
    for name, docs in (("tech_science_city", quiet), ("news", news)):
        flags = model.flag_documents(docs)
        prom = [f for f in flags if f.stance == "promoted"]
        out[name] = {
            "posts": len(docs),
            "flags": len(flags),
            "promoted_flags": len(prom),
            "promoted_per_1000_posts": 1000 * len(prom) / max(len(docs), 1),
            "posts_with_a_promoted_flag": len({f.doc for f in prom}),
            "by_label": {lb: sum(1 for f in prom if f.label == lb) for lb in LABELS},
        }
    return out


def _lc(s: str) -> str:
    s = s.strip().rstrip(".!")
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


# Contrast templates: {s} is a held-out frame sentence without its final
# full stop, {lc} the same with a lower-case first letter. "distanced"
# templates (rebutted, denied, meta, unseen_distanced) must not count as the
# frame; "promoted" ones must. The rebutted/denied/meta templates share
# wording with the cue lists of detector/stance.py (they test that the rules
# fire inside real frame sentences); "unseen_distanced" was written without
# looking at those lists and measures how far the rules generalise.
CONTRAST: dict[str, dict[str, list[str]]] = {
    "en": {
        "rebutted": [
            "{s}, a claim Western diplomats dismissed as wishful thinking.",
            "Officials insisted that {lc}, without offering any evidence.",
            "{s} - an assertion that fact-checkers have repeatedly debunked.",
            "State TV again claimed that {lc}, which independent historians reject.",
        ],
        "denied": [
            "There is no evidence that {lc}.",
            "It is not true that {lc}.",
        ],
        # wording the stance rules were not written from (generalisation)
        "unseen_distanced": [
            "{s}, though no document supports this.",
            "Few serious observers believe that {lc}.",
            "Talk-show hosts keep repeating that {lc}; the figures say otherwise.",
        ],
        # a second unseen set, written on 2026-12-02 before the training
        # templates of the learned stance model (corpora/framing/make_contrasts.py),
        # which avoid its wording: measures how far that model generalises
        "unseen_distanced_2": [
            "{s} - or so the official line goes, with little to back it up.",
            "Supporters of the Kremlin insist that {lc}, an idea that does not survive scrutiny.",
            "The notion that {lc} falls apart as soon as one reads the documents.",
        ],
        "meta": [
            "The speech leaned on the familiar narrative that {lc}.",
            "Researchers studied how state media frames the idea that {lc}.",
        ],
        "promoted": [
            "The minister said that {lc}.",
            "\u201c{s},\u201d the ambassador told reporters.",
            "According to the foreign ministry, {lc}.",
        ],
    },
    "ru": {
        "rebutted": [
            "{s}, \u2014 заявил он, не приводя никаких доказательств.",
            "Официальные лица утверждают, что {lc}, однако это не соответствует действительности.",
            "{s} \u2014 этот пропагандистский тезис давно опровергнут.",
        ],
        "denied": [
            "Нет никаких доказательств того, что {lc}.",
            "Это миф, что {lc}.",
        ],
        "unseen_distanced": [
            "{s}, но подтверждений этому нет.",
            "Вряд ли можно всерьёз утверждать, что {lc}.",
            "Ведущие ток-шоу твердят, что {lc}, но цифры говорят об обратном.",
        ],
        "unseen_distanced_2": [
            "{s} \u2014 по крайней мере так гласит официальная версия, ничем не подкреплённая.",
            "Сторонники Кремля настаивают, что {lc}, но эта идея не выдерживает проверки.",
            "Представление о том, что {lc}, рассыпается при первом же знакомстве с документами.",
        ],
        "meta": [
            "В эфире снова звучала риторика о том, что {lc}.",
            "Исследователи изучили, как госСМИ используют нарратив о том, что {lc}.",
        ],
        "promoted": [
            "Министр заявил, что {lc}.",
            "\u00ab{s}\u00bb, \u2014 сказал посол журналистам.",
            "Как подчеркнули в МИД, {lc}.",
        ],
    },
}


def stance_contrasts(model: FramingClassifier, held: Any) -> dict:
    """Flag rates on contrast variants of the held-out frame sentences the model finds.

    For each held-out positive sentence whose gold labels the model finds
    (promoted) on the original, each template gives a variant. "distanced"
    kinds (rebutted, denied, meta) count as flagged when any gold label is
    flagged with stance promoted; "promoted" kinds count as kept when every
    label found on the original is still flagged promoted.
    """
    from detector.schema import Span

    out: dict = {}
    Yh = held.matrix()
    base = promoted_predict(model, list(held.texts))
    for lang, kinds in CONTRAST.items():
        rows = [
            i
            for i, t in enumerate(held.texts)
            if held.langs[i] == lang and (Yh[i] & base[i]).any()
        ]
        for kind, templates in kinds.items():
            variants, want = [], []
            for i in rows:
                s = held.texts[i].strip().rstrip(".!")
                for tpl in templates:
                    variants.append(tpl.format(s=s, lc=_lc(s)))
                    want.append(Yh[i] & base[i])
            items = [(str(k), v, Span(0, len(v))) for k, v in enumerate(variants)]
            flags = model._flag_sentences(items, None) if items else []
            got = np.zeros((len(variants), len(LABELS)), dtype=np.int64)
            for f in flags:
                if f.stance == "promoted":
                    got[int(f.doc), LABELS.index(f.label)] = 1
            W = np.asarray(want)
            if kind == "promoted":
                rate = float(np.mean([(got[k] >= W[k]).all() for k in range(len(W))])) if len(W) else float("nan")
                out[f"{lang}/{kind}"] = {"variants": len(W), "kept": rate}
            else:
                rate = float(np.mean([(got[k] & W[k]).any() for k in range(len(W))])) if len(W) else float("nan")
                out[f"{lang}/{kind}"] = {"variants": len(W), "flagged": rate}
    return out


# Latin <-> Cyrillic look-alike letters (lower case) used by the evasion variants.
_LOOKALIKE = str.maketrans("aeopcxyаеорсху", "аеорсхуaeopcxy")


def _longest_words(text: str, k: int = 3) -> list[tuple[int, int]]:
    words = [(m.start(), m.end()) for m in regex.finditer(r"\p{L}{5,}", text)]
    return sorted(words, key=lambda w: w[0] - w[1])[:k]


def evasion_variants(text: str) -> dict[str, str]:
    """The same sentence with its three longest words disguised three ways."""
    out = {}
    for name in ("homoglyph", "soft_hyphen", "zero_width"):
        chars = list(text)
        for start, end in _longest_words(text):
            mid = (start + end) // 2
            if name == "homoglyph":
                for i in range(start, end):
                    chars[i] = chars[i].translate(_LOOKALIKE)
            elif name == "soft_hyphen":
                chars[mid] = "\u00ad" + chars[mid]
            else:
                chars[mid] = "\u200b" + chars[mid]
        out[name] = "".join(chars)
    return out


def evasion(model: FramingClassifier, held: Any) -> dict:
    """Share of (sentence, label) flags on held-out sentences kept by each disguise."""
    texts = list(held.texts)
    base = model.predict(texts)
    found = int(base.sum())
    out: dict = {"labels_found_on_originals": found}
    for name in ("homoglyph", "soft_hyphen", "zero_width"):
        variants = [evasion_variants(t)[name] for t in texts]
        P = model.predict(variants)
        out[name] = float((P & base).sum() / found) if found else float("nan")
    return out


def two_frames(model: FramingClassifier, held: Any) -> dict:
    """On held-out sentences with two or more gold labels: share of their labels found."""
    Yh = held.matrix()
    rows = np.flatnonzero(Yh.sum(axis=1) >= 2)
    if not len(rows):
        return {"sentences": 0}
    P = promoted_predict(model, [held.texts[i] for i in rows])
    Y2 = Yh[rows]
    return {
        "sentences": len(rows),
        "labels_found": float((P & Y2).sum() / Y2.sum()),
        "sentences_with_all_labels": float(((P & Y2) == Y2).all(axis=1).mean()),
        "sentences_with_2plus_flags": int((P.sum(axis=1) >= 2).sum()),
    }


def timing(model: FramingClassifier, docs: Sequence[Document]) -> dict:
    """Sentences per second on real posts: the report path, and classification alone.

    ``flag_documents`` (the report path: sentence splitting with razdel,
    tokenising, features, classifier, cues and stance of the flags) is
    timed on ``docs``; then the same with the sentence spans computed
    beforehand (``_flag_sentences``). Best of 3, after one warm-up run.
    """
    from detector.sentences import sentence_spans

    items = [
        (d.id, d.text, sp) for d in docs for sp in sentence_spans(d.text, d.lang, engine="razdel")
    ]

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        fn()
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return min(runs)

    split_s = best(lambda: [sentence_spans(d.text, d.lang, engine="razdel") for d in docs])
    classify_s = best(lambda: model._flag_sentences(items, None))
    report_s = best(lambda: model.flag_documents(docs))
    # CPU time of the report path (best of 3): what one core spends, whatever
    # the other processes on the machine do; 2 cores at most double it
    cpu_runs = []
    for _ in range(3):
        c0 = time.process_time()
        model.flag_documents(docs)
        cpu_runs.append(time.process_time() - c0)
    cpu_s = min(cpu_runs)
    n = len(items)
    return {
        "report_path_cpu_s": cpu_s,
        "report_path_sentences_per_cpu_s": n / cpu_s,
        "documents": len(docs),
        "sentences": n,
        "report_path_s": report_s,
        "report_path_sentences_per_s": n / report_s,
        "sentence_split_s": split_s,
        "classify_presplit_s": classify_s,
        "classify_presplit_sentences_per_s": n / classify_s,
    }


_POOL_MODEL: Any = None
_POOL_CHUNKS: list[list[Document]] = []


def _flag_chunk(k: int) -> int:
    return len(_POOL_MODEL.flag_documents(_POOL_CHUNKS[k]))


def timing_processes(model: FramingClassifier, docs: Sequence[Document], processes: int = 2) -> dict:
    """The report path on ``processes`` cores: ``flag_documents`` in forked workers.

    The model and the documents are in place before the fork (as the
    report's workers inherit them), so only chunk numbers and flag counts
    cross the pipe; documents are dealt round-robin into ``4 * processes``
    chunks. Best of 3
    (the first run warms the workers' caches, as a report's first documents
    do). Sentences are counted with razdel as in :func:`timing`.
    Wall-clock time, so it depends on the machine's load (report the load
    average beside it).
    """
    import multiprocessing as mp
    import os

    from detector.sentences import sentence_spans

    global _POOL_MODEL, _POOL_CHUNKS
    _POOL_MODEL = model
    n = sum(len(sentence_spans(d.text, d.lang, engine="razdel")) for d in docs)
    _POOL_CHUNKS = [list(docs[i :: 4 * processes]) for i in range(4 * processes)]
    ctx = mp.get_context("fork")
    with ctx.Pool(processes) as pool:
        runs = []
        for _ in range(3):
            # a fresh warm-up per run is not needed: workers keep their caches
            t0 = time.perf_counter()
            pool.map(_flag_chunk, range(len(_POOL_CHUNKS)))
            runs.append(time.perf_counter() - t0)
    best = min(runs)
    return {
        "processes": processes,
        "documents": len(docs),
        "sentences": n,
        "report_path_s": best,
        "report_path_sentences_per_s": n / best,
        "load_average_1min": os.getloadavg()[0],
    }


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
    parser.add_argument("--model", type=Path, help="model file (default: the shipped one)")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--real-heldout", type=Path, default=REAL_HELDOUT)
    parser.add_argument("--state-heldout", type=Path, default=STATE_HELDOUT)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cv", action="store_true", help="also k-fold CV on labelled.jsonl (slow)")
    parser.add_argument("--timing-docs", type=int, default=3000, help="real posts to time")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)

    from detector.framing import load_default_model, load_model

    model = load_model(args.model) if args.model else load_default_model()
    result: dict = {"model": str(args.model or "shipped")}
    if args.cv:
        data = read_labelled(args.labelled)
        texts, Y = list(data.texts), data.matrix()
        P = cross_validate(texts, Y, args.folds)
        result["cv"] = {
            "model": by_language(Y, P, data.langs),
            "lexicon": by_language(Y, lexicon_predict(texts), data.langs),
        }
    held = read_labelled(args.heldout)
    for key, path in (
        ("heldout", args.heldout),
        ("real_heldout", args.real_heldout),
        ("state_heldout", args.state_heldout),
    ):
        if path.exists():
            d = read_labelled(path)
            Yh = d.matrix()
            result[key] = {
                "model": by_language(Yh, promoted_predict(model, d.texts), d.langs),
                "model_no_stance": by_language(Yh, model.predict(list(d.texts)), d.langs),
                "lexicon": by_language(Yh, lexicon_predict(d.texts), d.langs),
            }
    result["channels"] = real_channels(model)
    result["stance"] = stance_contrasts(model, held)
    result["evasion"] = evasion(model, held)
    result["two_frames"] = two_frames(model, held)
    quiet, news = heldout_posts()
    result["timing"] = timing(model, (news + quiet)[: args.timing_docs])
    result["timing_2_processes"] = timing_processes(model, (news + quiet)[: args.timing_docs])

    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for part in ("cv", "heldout", "real_heldout", "state_heldout"):
        if part not in result:
            continue
        for lang in ("all", "en", "ru"):
            if lang in result[part]["model"]:
                name = {"cv": f"{args.folds}-fold CV", "heldout": "authored held-out",
                        "real_heldout": "real held-out (tg-news-ru, chronam, seeds)",
                        "state_heldout": "real state-media held-out"}[part]
                print(fmt_table(f"{name} [{lang}] (promoted flags)",
                                result[part]["model"][lang], result[part]["lexicon"][lang]))
    print("\nheld-out period of tg-news-ru.dev (latest 30% per channel):")
    for name, c in result["channels"].items():
        print(f"  {name:18} {c['posts']:5,} posts  {c['flags']:4} flags  "
              f"{c['promoted_flags']:4} promoted = {c['promoted_per_1000_posts']:.2f} per 1,000 posts")
    print("\nstance contrasts (variants of held-out frame sentences the model finds):")
    for key, v in result["stance"].items():
        rate = v.get("flagged", v.get("kept"))
        what = "flagged" if "flagged" in v else "kept"
        print(f"  {key:14} {v['variants']:4} variants  {what} {rate:.1%}")
    ev = result["evasion"]
    print(f"\nevasion ({ev['labels_found_on_originals']} labels found on authored held-out): "
          + ", ".join(f"{k} keeps {ev[k]:.1%}" for k in ("homoglyph", "soft_hyphen", "zero_width")))
    tf = result["two_frames"]
    if tf.get("sentences"):
        print(f"two-frame sentences: {tf['sentences']}, labels found {tf['labels_found']:.1%}, "
              f"all labels {tf['sentences_with_all_labels']:.1%}")
    tm = result["timing"]
    print(f"\nspeed on {tm['documents']:,} real posts ({tm['sentences']:,} sentences): report path "
          f"{tm['report_path_sentences_per_s']:,.0f} sentences/s ({tm['report_path_s']:.2f} s, "
          f"of which sentence splitting {tm['sentence_split_s']:.2f} s); pre-split "
          f"{tm['classify_presplit_sentences_per_s']:,.0f} sentences/s; report path per CPU-second "
          f"{tm['report_path_sentences_per_cpu_s']:,.0f} sentences")
    t2 = result["timing_2_processes"]
    print(f"report path on {t2['processes']} forked processes: {t2['report_path_sentences_per_s']:,.0f} "
          f"sentences/s ({t2['report_path_s']:.2f} s; load average {t2['load_average_1min']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
