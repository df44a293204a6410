"""Plain-text table of a trained framing model's cross-validation figures.

``detector train`` prints it after fitting: per label, the positive training
sentences, out-of-fold precision, recall and F1 at the chosen threshold
(gate applied, as in prediction), and the threshold itself; then the macro
average and the gate's threshold. Renders only: the figures are computed
by :meth:`detector.framing_model.FramingClassifier.fit` (``cv_report_``).
O(labels).
"""

from __future__ import annotations

from typing import Any

from detector.framing_model import STRONG_SCORE

__all__ = ["cv_table"]


def cv_table(model: Any) -> str:
    """The cross-validation table of a fitted model, one line per label."""
    rows = list(getattr(model, "cv_report_", ()))
    width = max([len("label"), *(len(r.label) for r in rows)])
    head = f"{'label':<{width}}  {'support':>7}  {'P':>5}  {'R':>5}  {'F1':>5}  {'threshold':>9}"
    lines = [
        "cross-validated (out-of-fold) figures per label, at the thresholds chosen:",
        head,
        "-" * len(head),
    ]
    for r in rows:
        lines.append(
            f"{r.label:<{width}}  {r.support:>7,}  {r.precision:>5.3f}  {r.recall:>5.3f}  "
            f"{r.f1:>5.3f}  {r.threshold:>9.3f}"
        )
    if rows:
        n = len(rows)
        lines.append("-" * len(head))
        lines.append(
            f"{'macro':<{width}}  {'':>7}  {sum(r.precision for r in rows) / n:>5.3f}  "
            f"{sum(r.recall for r in rows) / n:>5.3f}  {sum(r.f1 for r in rows) / n:>5.3f}"
        )
    lines.append(
        f"gate threshold {model.gate_threshold_:.3f}; a label at or above "
        f"{STRONG_SCORE:.2f} is flagged whatever the gate says"
    )
    return "\n".join(lines)

