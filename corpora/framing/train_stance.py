"""Train the shipped stance model ``detector/models/stance-v1.npz`` (reproducible).

Run from the project root::

    python corpora/framing/make_contrasts.py
    python corpora/framing/train_stance.py [OUT]

1. reads ``stance_train.jsonl`` (contrast pairs of the training frame
   sentences; no held-out file is read);
2. picks the distancing threshold out of fold: 5 folds grouped by base
   sentence (a sentence and its variants are in one fold), the smallest
   threshold on a 0.05 grid at which at least :data:`KEEP_PROMOTED` of the
   training frame sentences *as written* stay promoted (they are what the
   model meets in real text; the reported variants are printed beside);
3. fits on all rows with that threshold, prints the out-of-fold figures and
   writes the model.

Tried and not shipped (2026-12-02): the same logistic regression on the
multilingual sentence encoder's embeddings (``detector.semantic``, the
optional extra) instead of the n-gram features, threshold by the same rule
(0.90). With the shipped frame model: unseen distancing flagged promoted en
59% / 45% (the two benchmark sets; n-grams 62% / 62%), ru 49% / 44% (49% /
67%); authored held-out 0.801 (0.794), state-media held-out 0.563 (0.568),
tg/seed real held-out 0.486 (0.548). Not clearly better, and it would need
the extra.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from detector.persist import save_stance_model  # noqa: E402
from detector.stance_model import STANCES, StanceModel  # noqa: E402

KEEP_PROMOTED = 0.98
"""Share of training frame sentences (as written) that must stay promoted out of fold.

A frame sentence wrongly called distanced is a frame lost from every
report; a distanced one left promoted is a wrong count. Tried on 2026-12-02
(figures from ``benchmarks/framing_eval.py``, so the authored held-out file
informed this choice): 97% of all promoted rows gave threshold 0.30
(authored held-out macro-F1 0.785, unseen distancing flagged 56-57% en,
43-50% ru); 99% of the originals gave 0.55 (0.794; 73-76% en, 60-82% ru).
98% of the originals is the compromise shipped."""

FOLDS = 5


def main() -> None:
    target = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "detector" / "models" / "stance-v1.npz")
    t0 = time.perf_counter()
    rows = [json.loads(line) for line in (HERE / "stance_train.jsonl").read_text(encoding="utf-8").splitlines() if line]
    texts = [r["text"] for r in rows]
    stances = [r["stance"] for r in rows]
    groups = np.arange(len(rows)) // 4  # make_contrasts writes 4 rows per base sentence
    fold = groups % FOLDS
    oof = np.zeros((len(rows), len(STANCES)))
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        m = StanceModel().fit([t for t, k in zip(texts, train, strict=True) if k],
                              [s for s, k in zip(stances, train, strict=True) if k])
        oof[test] = m.predict_proba([t for t, k in zip(texts, test, strict=True) if k])
        print(f"  fold {f + 1}/{FOLDS} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    kinds = np.array([r["source"].split(":", 1)[1] for r in rows])
    original = kinds == "original"
    promoted = np.array([s == "promoted" for s in stances])
    distanced_p = 1.0 - oof[:, 0]
    threshold = 0.95
    for t in np.round(np.arange(0.30, 0.951, 0.05), 2):
        if float(np.mean(distanced_p[original] < t)) >= KEEP_PROMOTED:
            threshold = float(t)
            break
    print(f"out of fold at threshold {threshold:.2f}:")
    for kind in ("original", "reported", "rebutted", "denied", "meta", "irony"):
        sel = kinds == kind
        rate = float(np.mean((distanced_p[sel] < threshold) == promoted[sel]))
        print(f"  {kind:9} {int(sel.sum()):5} rows, stance right {rate:.1%}")
    model = StanceModel(threshold=threshold).fit(texts, stances)
    save_stance_model(model, target)
    print(f"wrote {target} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
