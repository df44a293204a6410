"""Learned stance of a flagged sentence: promoted, or kept at a distance.

The cue rules of :mod:`detector.stance` catch only the wording they list.
:class:`StanceModel` learns the same four stances (:data:`STANCES`) from
contrast pairs (``corpora/framing/make_contrasts.py``): every training frame
sentence as written and reported without distance (``promoted``), and
rebutted, denied, meta and ironic variants of it. Because each frame sentence
appears on both sides, the frame's own words carry no stance signal and the
model learns the words *around* a claim that keep it at a distance.

Model: the word + char_wb TF-IDF features of :mod:`detector.framing_features`
(the same normalisation and entity masking as the frame classifier) and one
multinomial logistic regression over the four stances. A sentence is called
distanced when ``1 - P(promoted)`` reaches :attr:`StanceModel.threshold_`
(chosen out of fold by ``corpora/framing/train_stance.py`` so that promoted
sentences stay promoted); its stance is then the likeliest of the three
distanced classes. It runs only on sentences the frame classifier flagged,
so it can turn a promoted flag into a distanced one but never adds a flag.
Cost: featurisation plus one ``(n_features, 4)`` product per sentence.

Persistence: :func:`detector.persist.save_stance_model` /
:func:`detector.persist.load_stance_model` (``.npz`` arrays + JSON, never
pickle).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from detector.framing_features import _fit_featurizer

if TYPE_CHECKING:
    import numpy as np

__all__ = ["STANCES", "StanceModel"]

STANCES: tuple[str, ...] = ("promoted", "rebutted", "denied", "discussed")
"""Possible stances; only ``"promoted"`` counts in report framing counts."""


class StanceModel:
    """Four-way stance classifier over sentences (scikit-learn style).

    Args:
        word_ngram: word n-gram lengths (tokens); trigrams catch "a claim
            that", "не соответствует действительности".
        char_ngram: char_wb n-gram lengths.
        min_df: smallest number of training sentences a feature occurs in.
        C: inverse L2 regularisation strength.
        threshold: ``1 - P(promoted)`` at which a sentence is distanced
            (``train_stance.py`` replaces it with an out-of-fold choice).

    Attributes:
        classes_: :data:`STANCES` (rows of ``coef_``).
        featurizer_: the fitted TF-IDF featuriser.
        coef_: ``(4, n_features)`` weights; ``intercept_``: ``(4,)``.
        threshold_: the distancing threshold in use.
    """

    def __init__(
        self,
        *,
        word_ngram: tuple[int, int] = (1, 3),
        char_ngram: tuple[int, int] = (3, 5),
        min_df: int = 2,
        C: float = 4.0,
        threshold: float = 0.5,
    ) -> None:
        self.word_ngram = word_ngram
        self.char_ngram = char_ngram
        self.min_df = min_df
        self.C = C
        self.threshold = threshold

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn protocol)."""
        return {
            "word_ngram": self.word_ngram,
            "char_ngram": self.char_ngram,
            "min_df": self.min_df,
            "C": self.C,
            "threshold": self.threshold,
        }

    def fit(self, texts: Sequence[str], stances: Sequence[str]) -> StanceModel:
        """Fit on sentences and their stances (names from :data:`STANCES`); returns self.

        Raises:
            ValueError: lengths differ, an unknown stance, or fewer than two stances.
        """
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        texts = list(texts)
        if len(texts) != len(stances):
            raise ValueError("texts and stances differ in length")
        unknown = sorted(set(stances) - set(STANCES))
        if unknown:
            raise ValueError(f"unknown stance {unknown[0]!r}")
        y = np.array([STANCES.index(s) for s in stances])
        if len(set(y.tolist())) < 2:
            raise ValueError("need at least two stances to fit")
        feat = _fit_featurizer(
            texts,
            word_ngram=tuple(self.word_ngram),
            char_ngram=tuple(self.char_ngram),
            min_df=self.min_df,
            stem=True,
        )
        lr = LogisticRegression(C=self.C, max_iter=2000)
        lr.fit(feat.transform(texts), y)
        coef = np.zeros((len(STANCES), feat.n_features))
        intercept = np.full(len(STANCES), -30.0)  # a stance never seen in training is never chosen
        if len(lr.classes_) == 2:
            # scikit-learn keeps one row for two classes: the second class's log-odds
            coef[lr.classes_[1]] = lr.coef_[0]
            intercept[lr.classes_[1]] = lr.intercept_[0]
            intercept[lr.classes_[0]] = 0.0
        else:
            coef[lr.classes_] = lr.coef_
            intercept[lr.classes_] = lr.intercept_
        self.classes_ = STANCES
        self.featurizer_ = feat
        self.coef_ = coef.astype(np.float32).astype(np.float64)
        self.intercept_ = intercept
        self.threshold_ = float(self.threshold)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("this StanceModel is not fitted yet; call fit() first")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each stance ``(n, 4)``, columns as :data:`STANCES`."""
        import numpy as np

        self._check_fitted()
        z = np.asarray(self.featurizer_.transform(list(texts)) @ self.coef_.T) + self.intercept_
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Stance of each sentence: distanced when ``1 - P(promoted) >= threshold_``."""
        import numpy as np

        prob = self.predict_proba(texts)
        out: list[str] = []
        for row in prob:
            if 1.0 - row[0] >= self.threshold_:
                out.append(STANCES[1 + int(np.argmax(row[1:]))])
            else:
                out.append("promoted")
        return out
