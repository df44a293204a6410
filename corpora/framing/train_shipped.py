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
   those channels (about 12,600, never fitted on) until at most one of them
   per label is flagged (:meth:`FramingClassifier.calibrate_negatives`).
   The held-out period of those channels is never read here.
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


CALIBRATION_FLAGS = 9
"""Flags allowed on the calibration negatives, all labels together (1 per label)."""


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
    model.calibrate_negatives(calibration, CALIBRATION_FLAGS)
    save_model(model, target)
    for label, a, b in zip(model.labels_, before, model.thresholds_, strict=True):
        print(f"calibrated threshold {label}: {a:.3f} -> {b:.3f}")
    print(f"wrote {target} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
