"""Train the shipped model ``detector/models/framing-v1.npz`` (reproducible).

Run from the project root (needs ``../shared/corpora``)::

    python corpora/framing/build_labelled.py
    python corpora/framing/train_shipped.py [OUT]

1. reads ``corpora/framing/labelled.jsonl`` (authored + seed + real
   training sentences; the two held-out files are excluded by
   ``build_labelled.py``);
2. adds 8,000 real negatives (seeded sample) with no label: distinct
   sentences (8+ characters) of the *training-period* posts (the earliest
   70% per outlet, the same split as ``sample_real.py``) of the programming,
   science and Moscow city channels of ``tg-news-ru.dev``. They teach the
   model that "безопасность данных" or "ограничение" alone is no frame, and
   the out-of-fold thresholds are chosen with them (precision first on real
   text);
3. fits :class:`detector.framing.FramingClassifier` with ``cv=3`` (inner
   calibration folds; 3 instead of 5 to keep the fit to minutes on 2
   shared cores) and prints the cross-validation table and thresholds;
4. raises label thresholds on the *other* training-period sentences of
   those channels (about 12,600, never fitted on) until at most ``K`` of
   them are flagged, all labels together (:func:`calibrate_total`: the least
   confident flag, relative to its label's threshold, goes first). ``K`` is
   chosen on the training period alone: calibrate on one half of those
   sentences with ``K / 2``, count flags on the other half, and keep the
   largest ``K`` whose estimate, scaled by the mean sentences per
   training-period post, is at most :data:`TARGET_PER_1000_POSTS`.
   The held-out period of those channels is never read here.

The shipped ``framing-v1.npz`` was trained from ``labelled.jsonl`` as of
commit 389b295, before the third batch of state-media training sentences.
Run on ``labelled.jsonl`` as of commit 9dd5df9 this script gives the retrain
that was measured and not shipped (5.48 promoted flags per 1,000 held-out
quiet posts, over the target of 5; see ``REAL.md``); today's file also holds
127 English sentences labelled after that measurement.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sample_real import NEWS, _tg_split  # noqa: E402

from detector.framing import train_model  # noqa: E402
from detector.persist import save_model  # noqa: E402
from detector.render.train import cv_table  # noqa: E402
from detector.sentences import sentence_spans  # noqa: E402

N_NEGATIVES = 8000


TARGET_PER_1000_POSTS = 5.0
"""Flags per 1,000 quiet-channel posts the calibration aims at (issue 13's target
for the held-out period). 4.0 was tried first: unreachable on the training
period (budget 0 already estimates 4.7), so the rule fell back to budget 0."""

MAX_CALIBRATION_FLAGS = 18
"""Largest total budget tried (two flags per label; the previous recipe allowed one per label)."""


def _eligible(model, texts: list[str]):  # type: ignore[no-untyped-def]
    """Per-label probabilities of ``texts`` where the gate, the strong-score rule
    and the 3-word minimum let a flag through, else 0 (``(n, n_labels)``)."""
    import numpy as np

    from detector.framing_features import _tokens
    from detector.framing_model import MIN_TOKENS, STRONG_SCORE

    X = model.featurizer_.transform(texts)
    prob = model._proba(X)
    gate = (model._gate_proba(X) >= model.gate_threshold_)[:, None]
    long_enough = np.fromiter((len(_tokens(t)) >= MIN_TOKENS for t in texts), bool, len(texts))[:, None]
    return np.where((gate | (prob >= STRONG_SCORE)) & long_enough, prob, 0.0)


def calibrate_total(eligible, base, max_flags: int):  # type: ignore[no-untyped-def]
    """Thresholds from ``base`` raised until at most ``max_flags`` rows of
    ``eligible`` carry a flag: each step removes the flag whose probability is
    lowest relative to its label's threshold (capped at 0.99)."""
    import numpy as np

    t = np.array(base, dtype=np.float64)
    stuck = np.zeros(eligible.shape, dtype=bool)  # flags at >= 0.99: kept, cannot be removed
    while True:
        flagged = eligible >= t
        if int(flagged.any(axis=1).sum()) <= max_flags:
            return t
        ratio = np.where(flagged & ~stuck, eligible / np.maximum(t, 1e-9), np.inf)
        if not np.isfinite(ratio).any():
            return t
        i, j = np.unravel_index(int(np.argmin(ratio)), ratio.shape)
        if eligible[i, j] >= 0.99:
            t[j] = max(t[j], 0.99)
            stuck[:, j] |= eligible[:, j] >= 0.99
        else:
            t[j] = float(np.nextafter(eligible[i, j], 2.0))


def choose_budget(model, calibration: list[str], sentences_per_post: float) -> int:  # type: ignore[no-untyped-def]
    """Largest total budget whose split-half estimate meets TARGET_PER_1000_POSTS."""
    half_a, half_b = calibration[::2], calibration[1::2]
    ea, eb = _eligible(model, half_a), _eligible(model, half_b)
    base = model.thresholds_.copy()
    for total in range(MAX_CALIBRATION_FLAGS, -1, -2):
        t = calibrate_total(ea, base, total // 2)
        flags = int((eb >= t).any(axis=1).sum())
        per_1000 = 1000 * sentences_per_post * flags / len(half_b)
        print(f"  budget {total:2}: {flags} flags on the other half = {per_1000:.2f} per 1,000 posts",
              file=sys.stderr)
        if per_1000 <= TARGET_PER_1000_POSTS:
            return total
    return 0


def sentences_per_post() -> float:
    """Mean razdel sentences of a training-period quiet-channel post."""
    posts = [r["text"] for r in _tg_split()["train"] if r["outlet"] not in NEWS]
    return sum(len(sentence_spans(p, "ru", engine="razdel")) for p in posts) / max(len(posts), 1)


def negatives(n: int | None = None) -> list[str]:
    """Distinct training-period sentences of non-news channels, seeded order (first ``n``)."""
    out: set[str] = set()
    for rec in _tg_split()["train"]:
        if rec["outlet"] in NEWS:
            continue
        text = rec["text"]
        for sp in sentence_spans(text, "ru", engine="razdel"):
            sent = text[sp.start : sp.end].strip()
            if len(sent) >= 8:
                out.add(sent)
    pool = sorted(out)
    random.Random(0).shuffle(pool)
    return pool if n is None else pool[:n]


def main() -> None:
    target = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "detector" / "models" / "framing-v1.npz")
    t = time.perf_counter()
    pool = negatives()
    neg, calibration = pool[:N_NEGATIVES], pool[N_NEGATIVES:]
    print(
        f"{len(neg)} training negatives, {len(calibration)} calibration negatives "
        f"({time.perf_counter() - t:.1f} s)",
        file=sys.stderr,
    )

    def progress(stage: str, done: int, total: int) -> None:
        print(f"  {stage} ({done}/{total}, {time.perf_counter() - t:.0f} s)", file=sys.stderr)

    model = train_model(HERE / "labelled.jsonl", target, negatives=neg, cv=3, progress=progress)
    print(cv_table(model))
    before = model.thresholds_.copy()
    budget = choose_budget(model, calibration, sentences_per_post())
    model.thresholds_ = calibrate_total(_eligible(model, calibration), before, budget)
    print(f"calibration: at most {budget} of {len(calibration)} calibration sentences flagged")
    save_model(model, target)
    for label, a, b in zip(model.labels_, before, model.thresholds_, strict=True):
        print(f"calibrated threshold {label}: {a:.3f} -> {b:.3f}")
    print(f"wrote {target} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
