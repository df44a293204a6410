"""Train the framing model ``detector/models/framing-v1.npz`` (reproducible).

Run from the project root (needs ``../shared/corpora``; about 6 CPU-minutes)::

    python corpora/framing/build_labelled.py
    python corpora/framing/train_shipped.py [OUT]

1. reads ``corpora/framing/labelled.jsonl`` (authored + seed + real
   training sentences; the held-out files are excluded by
   ``build_labelled.py``);
2. adds real negatives with no label, all from the *training period* of
   ``tg-news-ru.dev`` (the earliest 70% of each outlet's posts, the split of
   ``sample_real.py``): every distinct sentence (8+ characters) of the
   programming, science and Moscow city channels (about 20,400), and every
   sentence of the news channels (112, Mash, ТОПОР) with no political keyword
   (about 6,400: crime, accidents, city news). They teach the model that
   "безопасность данных", "ограничение" or a rescued driver is no frame;
3. fits :class:`detector.framing.FramingClassifier` with ``cv=3`` (inner
   calibration folds; 3 instead of 5 to keep the fit to minutes on 2
   shared cores) and prints the cross-validation table and thresholds;
4. raises label thresholds until at most ``K`` of the quiet-channel negatives
   are flagged by their *out-of-fold* scores, all labels together
   (:func:`calibrate_total`: the least confident flag, relative to its
   label's threshold, goes first); ``K`` is :data:`TARGET_PER_1000_POSTS`
   scaled by their number and the mean sentences per training-period post.
   The held-out period of those channels is never read here.

**This script makes the shipped file** (candidate C of ``REAL.md``, shipped
2026-12-02 in the third session; re-running it reproduces the file bit for
bit): held-out quiet posts 0.50 promoted flags per 1,000 (the model before
2.99), state-media held-out macro-F1 0.593 (0.568), authored held-out 0.761
(0.794). The guard its trainer fixed before the one look (authored at least
0.774) was not met; the lead shipped it for its real-text figures (README).
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

from sample_real import NEWS, POLITICAL, _tg_split  # noqa: E402

from detector.framing_features import _tokens  # noqa: E402
from detector.persist import save_model  # noqa: E402
from detector.render.train import cv_table  # noqa: E402
from detector.sentences import sentence_spans  # noqa: E402

TARGET_PER_1000_POSTS = 3.5
"""Flags per 1,000 quiet-channel posts allowed on the out-of-fold scores.
Issue 13's target is 5 on the *held-out* period; 3.5 leaves room for the drift
seen once between periods (the retrain of commit 9dd5df9: 3.78 estimated,
5.48 held out). Fixed before the held-out look of the models it calibrated."""


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


def sentences_per_post() -> float:
    """Mean razdel sentences of a training-period quiet-channel post."""
    posts = [r["text"] for r in _tg_split()["train"] if r["outlet"] not in NEWS]
    return sum(len(sentence_spans(p, "ru", engine="razdel")) for p in posts) / max(len(posts), 1)


def negatives(n: int | None = None) -> list[str]:
    """Distinct training-period sentences of non-news channels, seeded order (first ``n``)."""
    return _sentences(lambda rec: rec["outlet"] not in NEWS, n)


def news_negatives() -> list[str]:
    """Distinct training-period sentences of the news channels (112, Mash, ТОПОР)
    with no political keyword (``sample_real.POLITICAL``), seeded order: crime,
    accidents and city news, the register in which the quiet channels' false
    flags were found ("Водитель и его друзья чудом остались живы.")."""
    return [s for s in _sentences(lambda rec: rec["outlet"] in NEWS) if not POLITICAL.search(s)]


def _sentences(keep, n: int | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    out: set[str] = set()
    for rec in _tg_split()["train"]:
        if not keep(rec):
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
    import numpy as np

    from detector.framing import FramingClassifier, read_labelled
    from detector.framing_model import MIN_TOKENS

    target = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "detector" / "models" / "framing-v1.npz")
    t = time.perf_counter()
    data = read_labelled(HERE / "labelled.jsonl")
    seen = set(data.texts)
    quiet = [s for s in negatives() if s not in seen]
    seen.update(quiet)
    news = [s for s in news_negatives() if s not in seen]
    texts = [*data.texts, *quiet, *news]
    labelled_y = data.matrix()
    Y = np.vstack([labelled_y, np.zeros((len(quiet) + len(news), labelled_y.shape[1]), dtype=np.int64)])
    print(
        f"{len(data.texts)} labelled, {len(quiet)} quiet-channel and {len(news)} news-channel negatives "
        f"({time.perf_counter() - t:.1f} s)",
        file=sys.stderr,
    )

    def progress(stage: str, done: int, total: int) -> None:
        print(f"  {stage} ({done}/{total}, {time.perf_counter() - t:.0f} s)", file=sys.stderr)

    model = FramingClassifier(cv=3).fit(texts, Y, progress=progress)
    print(cv_table(model))
    before = model.thresholds_.copy()
    # out-of-fold scores of the quiet-channel negatives: every one of them is
    # also fitted on, so only their out-of-fold scores say how a new post fares
    rows = slice(len(data.texts), len(data.texts) + len(quiet))
    long_enough = np.array([len(_tokens(s)) >= MIN_TOKENS for s in quiet])[:, None]
    quiet_eligible = np.where(long_enough, model.oof_eligible_[rows], 0.0)
    budget = int(TARGET_PER_1000_POSTS * len(quiet) / (1000 * sentences_per_post()))
    model.thresholds_ = calibrate_total(quiet_eligible, before, budget)
    flagged = int((quiet_eligible >= model.thresholds_).any(axis=1).sum())
    print(f"calibration: at most {budget} of {len(quiet)} quiet-channel sentences flagged out of fold ({flagged})")
    save_model(model, target)
    for label, a, b in zip(model.labels_, before, model.thresholds_, strict=True):
        print(f"calibrated threshold {label}: {a:.3f} -> {b:.3f}")
    print(f"wrote {target} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
