"""Framing: flag state-media frames per sentence, explain them, train models.

The public entry points of the framing stage. A multi-label classifier over a
fixed label set (:data:`LABELS`, see issue 5 and
``corpora/framing/GUIDELINES.md``) flags sentences; every flag carries the
label, a calibrated probability, the character spans of the content words
that drove it, and a stance (promoted, or only rebutted/denied/discussed:
:mod:`detector.stance`). Counts of framing in a report should use promoted
flags only (:func:`promoted`).

Modules of the stage, each importing only the ones before it:
:mod:`detector.framing_features` (tokens, entity masking, TF-IDF) ->
:mod:`detector.framing_model` (:class:`FramingClassifier`) ->
:mod:`detector.persist` (model files, never pickle) -> this module
(labelled data, training, loading, flagging). ``persist`` never imports
this module, so the dependency is one-way.

Speed: each distinct token is featurised once and cached;
``benchmarks/framing_eval.py`` measures sentences per second in the report
path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.errors import InputError
from detector.framing_features import ENTITY_FORM, LABELS, STOPWORDS
from detector.framing_model import STRONG_SCORE, FramingClassifier, LabelCV
from detector.schema import Document, FramingSpan

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ENTITY_FORM",
    "LABELS",
    "STOPWORDS",
    "STRONG_SCORE",
    "FramingClassifier",
    "LabelCV",
    "LabelledSentences",
    "flag_documents",
    "label_matrix",
    "load_default_model",
    "load_model",
    "promoted",
    "read_labelled",
    "train_model",
]


# -- labelled data ------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSentences:
    """Sentences read from a labelled JSON Lines file.

    Attributes:
        texts: the sentences.
        labels: label names of each sentence (possibly empty).
        langs: language code of each sentence (``""`` when not given).
        sources: ``source`` field of each sentence (``""`` when not given).
    """

    texts: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    langs: tuple[str, ...]
    sources: tuple[str, ...]

    def matrix(self, labels: Sequence[str] = LABELS) -> np.ndarray:
        """The indicator matrix of :attr:`labels` over ``labels`` columns."""
        return label_matrix(self.labels, labels)


def label_matrix(
    label_lists: Iterable[Iterable[str]], labels: Sequence[str] = LABELS
) -> np.ndarray:
    """Indicator matrix ``(n, len(labels))`` from per-sentence label names.

    Raises:
        ValueError: a name is not in ``labels``.
    """
    import numpy as np

    index = {name: j for j, name in enumerate(labels)}
    rows = [list(ls) for ls in label_lists]
    Y = np.zeros((len(rows), len(index)), dtype=np.int64)
    for i, names in enumerate(rows):
        for name in names:
            if name not in index:
                raise ValueError(f"unknown label {name!r}")
            Y[i, index[name]] = 1
    return Y


def read_labelled(path: str | Path, *, labels: Sequence[str] = LABELS) -> LabelledSentences:
    """Read labelled sentences: JSON Lines with ``text``, ``labels`` (list),
    optional ``lang`` and ``source``; blank lines are skipped.

    Raises:
        InputError: unreadable file, invalid JSON, a bad record (repeated
            key, NaN, an integer of more than 4,300 digits: the project's
            strict JSON, :func:`detector.inputs.jsonl.loads_strict`),
            missing/ill-typed fields or an unknown label (with the 1-based
            line number).
    """
    from detector.inputs.jsonl import loads_strict
    from detector.inputs.raw import BadRecord

    known = set(labels)
    texts: list[str] = []
    labs: list[tuple[str, ...]] = []
    langs: list[str] = []
    sources: list[str] = []
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), exc.strerror or "cannot open file") from exc
    with handle:
        try:
            for lineno, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    rec = loads_strict(line)
                except json.JSONDecodeError as exc:
                    raise InputError(str(path), f"invalid JSON: {exc.msg}", line=lineno) from exc
                except BadRecord as exc:
                    raise InputError(str(path), f"bad record: {exc}", line=lineno) from exc
                except RecursionError as exc:
                    raise InputError(str(path), "bad record: JSON nested too deeply", line=lineno) from exc
                if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                    raise InputError(str(path), "record needs a string 'text' field", line=lineno)
                names = rec.get("labels", [])
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise InputError(str(path), "'labels' must be a list of strings", line=lineno)
                unknown = [n for n in names if n not in known]
                if unknown:
                    raise InputError(str(path), f"unknown label {unknown[0]!r}", line=lineno)
                texts.append(rec["text"])
                labs.append(tuple(dict.fromkeys(names)))
                langs.append(str(rec.get("lang") or ""))
                sources.append(str(rec.get("source") or ""))
        except UnicodeDecodeError as exc:
            raise InputError(str(path), "not valid UTF-8", byte=exc.start) from exc
    return LabelledSentences(tuple(texts), tuple(labs), tuple(langs), tuple(sources))


# -- training and loading -----------------------------------------------------


def train_model(
    labelled_path: str | Path,
    output_path: str | Path,
    *,
    negatives: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    **params: Any,
) -> FramingClassifier:
    """Fit a :class:`FramingClassifier` on a labelled file and save it.

    Args:
        labelled_path: JSON Lines as read by :func:`read_labelled`.
        output_path: where to write the model (see :mod:`detector.persist`).
        negatives: real sentences known to carry no frame (e.g. sentences of
            programming, science and city news posts), added to the
            training data with no label, so that thresholds are calibrated
            on real text (precision first).
        progress: called as ``progress(stage, done, total)`` while fitting.
        **params: constructor parameters of :class:`FramingClassifier`.

    Returns:
        The fitted model; its ``cv_report_`` holds the per-label
        out-of-fold figures and ``thresholds_`` the thresholds chosen.

    Raises:
        InputError: the labelled file is unreadable or has no sentences.
        ModelError: the model cannot be written.
    """
    import numpy as np

    from detector.persist import save_model

    data = read_labelled(labelled_path)
    if len(data.texts) < 2:
        raise InputError(str(labelled_path), "needs at least 2 labelled sentences")
    texts = list(data.texts)
    Y = data.matrix()
    seen = set(texts)
    extra = [t for t in dict.fromkeys(negatives) if t not in seen]
    if extra:
        texts.extend(extra)
        Y = np.vstack([Y, np.zeros((len(extra), Y.shape[1]), dtype=Y.dtype)])
    model = FramingClassifier(**params).fit(texts, Y, progress=progress)
    save_model(model, output_path)
    return model


def load_model(path: str | Path) -> FramingClassifier:
    """Load a model saved by :func:`train_model`; raises ModelError if unusable.

    The shipped stance model (:mod:`detector.stance_model`) is loaded with it
    (once per process, 0.4 s), so workers forked after this call inherit it
    instead of each reading it at their first flag.
    """
    from detector.persist import load_default_stance_model
    from detector.persist import load_model as _load

    model = _load(path)
    load_default_stance_model()
    return model


def load_default_model() -> FramingClassifier:
    """The model shipped in ``detector/models/`` (loaded once, then cached),
    with the shipped stance model (see :func:`load_model`)."""
    from detector.persist import load_default_model as _load_default
    from detector.persist import load_default_stance_model

    model = _load_default()
    load_default_stance_model()
    return model


def flag_documents(
    documents: Iterable[Document],
    *,
    model: FramingClassifier | None = None,
    min_score: float | None = None,
    engine: str = "razdel",
) -> list[FramingSpan]:
    """Flag framing in many documents with ``model`` (default: the shipped one)."""
    clf = model if model is not None else load_default_model()
    return clf.flag_documents(documents, min_score=min_score, engine=engine)


def promoted(flags: Iterable[FramingSpan]) -> list[FramingSpan]:
    """The flags whose frame the sentence promotes (``stance == "promoted"``).

    Framing counts (per label, per outlet) should use these: a sentence that
    rebuts, denies or only discusses a frame still appears in the full flag
    list, with its stance, but does not count as carrying the frame.
    """
    return [f for f in flags if f.stance == "promoted"]
