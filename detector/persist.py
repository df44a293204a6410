"""Save and load framing models as plain numpy arrays + JSON (never pickle).

Format choice: a model file is an *uncompressed-or-deflated* ``.npz`` (a zip
archive of ``.npy`` arrays) read with ``numpy.load(allow_pickle=False)``:

* Loading can never execute code: ``.npy`` arrays of numeric or fixed-width
  types are raw bytes plus a header, and numpy refuses object arrays (which
  would need pickle) when ``allow_pickle=False``. skops would also be safe
  with an explicit trusted-type list, but our fitted state is only numbers
  and strings, so a format without any type machinery is the smaller attack
  surface, and an auditor can read it with nothing but numpy.
* It does not depend on scikit-learn internals: no scikit-learn object is
  serialised (the classifier's prediction path is our own arithmetic), so a
  model keeps working across scikit-learn upgrades. The scikit-learn version
  is still recorded (provenance of the fitting code).
* Integrity: before anything is decompressed, member names, declared sizes
  (at most :data:`MAX_MEMBER_BYTES` each, :data:`MAX_TOTAL_BYTES` in all),
  dtypes and shapes are checked from the zip directory and the ``.npy``
  headers (:func:`detector.npzcheck.check_npz`), so a zip bomb or a header
  declaring a huge shape is refused unread; the zip format CRC-checks every
  member; every array's shape is then validated against the metadata.

Members: ``meta`` (UTF-8 JSON as ``uint8``: format name and version,
scikit-learn and detector versions, labels, constructor parameters, sizes),
``word_vocab`` and ``char_vocab`` (UTF-8 JSON lists as ``uint8``),
``word_idf``, ``char_idf``, ``coef`` (``float32``), ``intercept``,
``calibration``, ``thresholds``, ``gate_coef`` (``float32``) and ``gate``
(intercept, Platt a, Platt b, threshold of the "any frame" gate).

Any problem (missing file, not a zip, a renamed pickle, CRC failure, extra or
missing members, wrong shapes, another format version, a different label set)
raises :class:`detector.errors.ModelError` with a one-line message.
"""

from __future__ import annotations

import json
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.errors import ModelError
from detector.npzcheck import check_npz

if TYPE_CHECKING:
    import numpy as np

    from detector.framing_model import FramingClassifier
    from detector.stance_model import StanceModel

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_STANCE_MODEL",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "load_default_model",
    "load_default_stance_model",
    "load_model",
    "load_stance_model",
    "model_fingerprint",
    "save_model",
    "save_stance_model",
    "stance_fingerprint",
]

FORMAT_NAME = "detector.framing-model"
FORMAT_VERSION = 1
DEFAULT_MODEL = "framing-v1.npz"
"""File name of the shipped model inside ``detector/models/``."""

MAX_MEMBER_BYTES = 256 << 20
"""Largest uncompressed member a model may hold (the shipped model's largest is ~2 MB)."""
MAX_TOTAL_BYTES = 512 << 20
"""Largest uncompressed total of a model's members (the shipped model: ~3.5 MB)."""

_MEMBERS = frozenset(
    {
        "meta",
        "word_vocab",
        "char_vocab",
        "word_idf",
        "char_idf",
        "coef",
        "intercept",
        "calibration",
        "thresholds",
        "gate_coef",
        "gate",
    }
)
_PARAMS = (
    "word_ngram",
    "char_ngram",
    "min_df",
    "stem",
    "C",
    "class_weight",
    "gate",
    "relative_cut",
    "cv",
    "random_state",
)


def _json_bytes(obj: Any) -> np.ndarray:
    import numpy as np

    return np.frombuffer(json.dumps(obj, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def save_model(model: FramingClassifier, path: str | Path) -> None:
    """Write a fitted model to ``path`` (any file name; ``.npz`` suggested).

    Raises:
        ModelError: the model is not fitted or the file cannot be written.
    """
    import numpy as np
    import sklearn

    if not hasattr(model, "coef_"):
        raise ModelError("cannot save an unfitted framing model")
    feat = model.featurizer_
    params = model.get_params()
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "detector_version": _detector_version(),
        "labels": list(model.labels_),
        "params": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in _PARAMS
        },
        "n_word_features": feat.n_word,
        "n_char_features": len(feat.char_vocab),
        "tokenizer": "detector.tokens.tokenize(stem=False)",
    }
    arrays = {
        "meta": _json_bytes(meta),
        **_featurizer_arrays(feat),
        # fit() already rounded the weights to float32, so this is lossless.
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float64),
        "calibration": model.calibration_.astype(np.float64),
        "thresholds": model.thresholds_.astype(np.float64),
        "gate_coef": model.gate_coef_.astype(np.float32),
        "gate": np.array(
            [
                model.gate_intercept_,
                model.gate_calibration_[0],
                model.gate_calibration_[1],
                model.gate_threshold_,
            ],
            dtype=np.float64,
        ),
    }
    _write_npz(path, arrays, "model")


def _featurizer_arrays(feat: Any) -> dict[str, np.ndarray]:
    """The vocabularies (JSON) and idf weights of a fitted featurizer, as saved by both models."""
    import numpy as np

    return {
        "word_vocab": _json_bytes(feat.word_vocab),
        "char_vocab": _json_bytes(feat.char_vocab),
        "word_idf": feat.word_idf.astype(np.float64),
        "char_idf": feat.char_idf.astype(np.float64),
    }


def _write_npz(path: str | Path, arrays: dict[str, np.ndarray], what: str) -> None:
    """``np.savez_compressed`` of ``arrays`` to ``path``; an OS error is one ModelError line."""
    import numpy as np

    try:
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)
    except OSError as exc:
        raise ModelError(f"{path}: cannot write {what} ({exc.strerror or exc})") from exc


def _detector_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reuse-detector")
    except PackageNotFoundError:
        return "unknown"


def _decode_json(arr: np.ndarray, what: str, where: str) -> Any:
    import numpy as np

    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise ModelError(f"{where}: member {what!r} is not UTF-8 JSON bytes")
    try:
        return json.loads(arr.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{where}: member {what!r} is corrupted ({exc})") from exc


def _sniff(path: str | Path | Any, where: str, kind: str = "framing model") -> None:
    """Refuse anything that is not a zip archive, naming what it looks like
    (``kind``: what the file should be, for the message)."""
    try:
        if hasattr(path, "read"):
            pos = path.tell()
            head = path.read(8)
            path.seek(pos)
        else:
            with open(path, "rb") as handle:
                head = handle.read(8)
    except FileNotFoundError as exc:
        raise ModelError(f"{where}: model file not found") from exc
    except OSError as exc:
        raise ModelError(f"{where}: cannot read model file ({exc.strerror or exc})") from exc
    if head.startswith(b"PK\x03\x04"):
        return
    if head[:1] == b"\x80" or head[:1] in (b"(", b"]", b"}"):
        # pickle protocol 2+ starts with PROTO (0x80); protocols 0/1 with a
        # MARK/list/dict opcode. Never unpickle: a pickle can run code.
        raise ModelError(f"{where}: refusing a pickle file; {kind}s are .npz arrays + JSON")
    if head.startswith(b"\x93NUMPY"):
        raise ModelError(f"{where}: not a {kind} file (a single array, not an archive)")
    raise ModelError(f"{where}: not a {kind} file (not a zip archive)")


def load_model(
    path: str | Path | Any,
    *,
    labels: tuple[str, ...] | None = None,
    where: str | None = None,
) -> FramingClassifier:
    """Load a model written by :func:`save_model`.

    Args:
        path: a file path, or a binary file object (used for package data).
        labels: the label set the caller needs; default :data:`detector.framing_features.LABELS`.
        where: name used in error messages (default: ``path``).

    Raises:
        ModelError: the file is missing, not a model of this format version,
            corrupted, has unexpected members or another label set.
    """
    import numpy as np

    from detector.framing_features import LABELS

    where = where or str(path)
    expected_labels = tuple(LABELS if labels is None else labels)
    _sniff(path, where)
    # Names, dtypes, shapes and sizes from the zip directory and the .npy
    # headers, before any member is decompressed (issue 15 item 12).
    check_npz(
        path,
        members=_MEMBERS,
        max_member_bytes=MAX_MEMBER_BYTES,
        max_total_bytes=MAX_TOTAL_BYTES,
        kinds="fu",
        where=where,
    )
    try:
        npz = np.load(path, allow_pickle=False)
    except FileNotFoundError as exc:
        raise ModelError(f"{where}: model file not found") from exc
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{where}: not a framing model file ({type(exc).__name__})") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ModelError(f"{where}: not a framing model file (a single array, not an archive)")
    with npz:
        names = set(npz.files)
        if names != _MEMBERS:
            extra = sorted(names - _MEMBERS)
            missing = sorted(_MEMBERS - names)
            detail = f"unexpected members {extra}" if extra else f"missing members {missing}"
            raise ModelError(f"{where}: not a framing model file ({detail})")
        arrays: dict[str, np.ndarray] = {}
        for name in sorted(_MEMBERS):
            try:
                arrays[name] = npz[name]
            except ValueError as exc:  # object arrays need pickle: refused
                raise ModelError(f"{where}: member {name!r} holds untrusted objects") from exc
            except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
                raise ModelError(f"{where}: model file is corrupted ({exc})") from exc
    meta = _decode_json(arrays["meta"], "meta", where)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelError(
            f"{where}: not a framing model file (format {meta.get('format')!r})"
            if isinstance(meta, dict)
            else f"{where}: not a framing model file"
        )
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{where}: model format version {meta.get('format_version')!r} is not supported "
            f"(this detector reads version {FORMAT_VERSION}); retrain with `detector train`"
        )
    file_labels = tuple(meta.get("labels") or ())
    if file_labels != expected_labels:
        raise ModelError(
            f"{where}: model label set {list(file_labels)} differs from the expected "
            f"{list(expected_labels)}"
        )
    return _build(meta, arrays, where)


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> FramingClassifier:
    import numpy as np

    from detector.framing_features import _Featurizer
    from detector.framing_model import FramingClassifier

    word_vocab = _decode_json(arrays["word_vocab"], "word_vocab", where)
    char_vocab = _decode_json(arrays["char_vocab"], "char_vocab", where)
    if not (isinstance(word_vocab, list) and all(isinstance(f, str) for f in word_vocab)):
        raise ModelError(f"{where}: member 'word_vocab' is not a list of strings")
    if not (isinstance(char_vocab, list) and all(isinstance(f, str) for f in char_vocab)):
        raise ModelError(f"{where}: member 'char_vocab' is not a list of strings")
    n_labels = len(meta["labels"])
    n_word, n_char = len(word_vocab), len(char_vocab)
    expect = {
        "word_idf": (n_word,),
        "char_idf": (n_char,),
        "coef": (n_labels, n_word + n_char),
        "intercept": (n_labels,),
        "calibration": (n_labels, 2),
        "thresholds": (n_labels,),
        "gate_coef": (n_word + n_char,),
        "gate": (4,),
    }
    for name, shape in expect.items():
        arr = arrays[name]
        if arr.dtype.kind != "f" or arr.shape != shape:
            raise ModelError(
                f"{where}: member {name!r} has shape {arr.shape} {arr.dtype}, expected {shape} float"
            )
        if not np.isfinite(arr).all():
            raise ModelError(f"{where}: member {name!r} contains non-finite values")
    if meta.get("n_word_features") != n_word or meta.get("n_char_features") != n_char:
        raise ModelError(f"{where}: vocabulary sizes disagree with the metadata")
    raw = meta.get("params")
    if not isinstance(raw, dict) or set(raw) != set(_PARAMS):
        raise ModelError(f"{where}: model parameters missing or unknown")
    try:
        params = dict(raw)
        params["word_ngram"] = tuple(int(v) for v in params["word_ngram"])
        params["char_ngram"] = tuple(int(v) for v in params["char_ngram"])
        if len(params["word_ngram"]) != 2 or len(params["char_ngram"]) != 2:
            raise ValueError("n-gram ranges need two bounds")
        model = FramingClassifier(tuple(meta["labels"]), **params)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{where}: bad model parameters ({exc})") from exc
    if len(set(word_vocab)) != n_word or len(set(char_vocab)) != n_char:
        raise ModelError(f"{where}: vocabulary has duplicate entries")
    feat = _Featurizer(
        word_vocab,
        arrays["word_idf"],
        char_vocab,
        arrays["char_idf"],
        word_ngram=params["word_ngram"],
        char_ngram=params["char_ngram"],
        stem=bool(params["stem"]),
    )
    model.labels_ = tuple(meta["labels"])
    model.classes_ = np.array(model.labels_)
    model.featurizer_ = feat
    model.coef_ = arrays["coef"].astype(np.float64)
    model.intercept_ = arrays["intercept"].astype(np.float64)
    model.calibration_ = arrays["calibration"].astype(np.float64)
    model.thresholds_ = arrays["thresholds"].astype(np.float64)
    model.gate_coef_ = arrays["gate_coef"].astype(np.float64)
    gate = arrays["gate"].astype(np.float64)
    model.gate_intercept_ = float(gate[0])
    model.gate_calibration_ = gate[1:3].copy()
    model.gate_threshold_ = float(gate[3])
    model.n_features_ = feat.n_features
    return model


def model_fingerprint(model: FramingClassifier) -> str:
    """A stable hex digest of a fitted model's labels, vocabularies and weights.

    Two models with the same fingerprint flag the same spans with the same
    stances (the shipped stance model's digest is included), so flags cached
    under it (e.g. by :class:`detector.index.Index`) stay valid. O(model size).
    """
    import numpy as np
    import xxhash

    feat = model.featurizer_
    digest = xxhash.xxh3_128()
    digest.update(_json_bytes([list(model.labels_), feat.word_vocab, feat.char_vocab]).tobytes())
    for name in ("coef_", "intercept_", "calibration_", "thresholds_", "gate_coef_", "gate_calibration_"):
        digest.update(np.ascontiguousarray(getattr(model, name), dtype=np.float64).tobytes())
    digest.update(np.array([model.gate_intercept_, model.gate_threshold_], dtype=np.float64).tobytes())
    # flags carry a stance from the shipped stance model: a new one invalidates them too
    digest.update(stance_fingerprint(load_default_stance_model()).encode("ascii"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def load_default_model() -> FramingClassifier:
    """Load (once per process) the model shipped in ``detector/models/``.

    Raises:
        ModelError: the package data is missing or damaged.
    """
    return _load_shipped(DEFAULT_MODEL, load_model, "framing")


# -- the learned stance model (detector.stance_model) ---------------------------

STANCE_FORMAT_NAME = "detector.stance-model"
STANCE_FORMAT_VERSION = 1
DEFAULT_STANCE_MODEL = "stance-v1.npz"
"""File name of the shipped stance model inside ``detector/models/``."""

_STANCE_MEMBERS = frozenset(
    {"meta", "word_vocab", "char_vocab", "word_idf", "char_idf", "coef", "intercept"}
)


def save_stance_model(model: StanceModel, path: str | Path) -> None:
    """Write a fitted :class:`~detector.stance_model.StanceModel` (``.npz`` + JSON, never pickle).

    Raises:
        ModelError: the model is not fitted or the file cannot be written.
    """
    import numpy as np
    import sklearn

    if not hasattr(model, "coef_"):
        raise ModelError("cannot save an unfitted stance model")
    feat = model.featurizer_
    meta = {
        "format": STANCE_FORMAT_NAME,
        "format_version": STANCE_FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "detector_version": _detector_version(),
        "classes": list(model.classes_),
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()},
        "threshold": float(model.threshold_),
        "n_word_features": feat.n_word,
        "n_char_features": len(feat.char_vocab),
    }
    arrays = {
        "meta": _json_bytes(meta),
        **_featurizer_arrays(feat),
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float64),
    }
    _write_npz(path, arrays, "stance model")


def load_stance_model(path: str | Path | Any, *, where: str | None = None) -> StanceModel:
    """Load a stance model written by :func:`save_stance_model`.

    The same checks as :func:`load_model`: a pickle or non-zip file is
    refused by its first bytes, member names, dtypes, shapes and sizes are
    checked from the headers before anything is decompressed, then every
    array against the metadata.

    Raises:
        ModelError: missing, not a stance model of this version, corrupted,
            or with other stance classes.
    """
    import numpy as np

    from detector.framing_features import _Featurizer
    from detector.stance_model import STANCES, StanceModel

    where = where or str(path)
    _sniff(path, where, kind="stance model")
    check_npz(
        path,
        members=_STANCE_MEMBERS,
        max_member_bytes=MAX_MEMBER_BYTES,
        max_total_bytes=MAX_TOTAL_BYTES,
        kinds="fu",
        where=where,
        kind="stance model",
    )
    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{where}: not a stance model file ({type(exc).__name__})") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ModelError(f"{where}: not a stance model file (a single array, not an archive)")
    with npz:
        if set(npz.files) != _STANCE_MEMBERS:
            raise ModelError(f"{where}: not a stance model file (members {sorted(npz.files)})")
        try:
            arrays = {name: npz[name] for name in sorted(_STANCE_MEMBERS)}
        except ValueError as exc:
            raise ModelError(f"{where}: a member holds untrusted objects") from exc
        except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise ModelError(f"{where}: stance model file is corrupted ({exc})") from exc
    meta = _decode_json(arrays["meta"], "meta", where)
    if not isinstance(meta, dict) or meta.get("format") != STANCE_FORMAT_NAME:
        raise ModelError(f"{where}: not a stance model file")
    if meta.get("format_version") != STANCE_FORMAT_VERSION:
        raise ModelError(
            f"{where}: stance model format version {meta.get('format_version')!r} is not supported "
            f"(this detector reads version {STANCE_FORMAT_VERSION})"
        )
    if tuple(meta.get("classes") or ()) != STANCES:
        raise ModelError(f"{where}: stance classes {meta.get('classes')} differ from {list(STANCES)}")
    word_vocab = _decode_json(arrays["word_vocab"], "word_vocab", where)
    char_vocab = _decode_json(arrays["char_vocab"], "char_vocab", where)
    for name, vocab in (("word_vocab", word_vocab), ("char_vocab", char_vocab)):
        if not (isinstance(vocab, list) and all(isinstance(f, str) for f in vocab)):
            raise ModelError(f"{where}: member {name!r} is not a list of strings")
        if len(set(vocab)) != len(vocab):
            raise ModelError(f"{where}: member {name!r} has duplicate entries")
    n_word, n_char = len(word_vocab), len(char_vocab)
    if meta.get("n_word_features") != n_word or meta.get("n_char_features") != n_char:
        raise ModelError(f"{where}: vocabulary sizes disagree with the metadata")
    expect = {
        "word_idf": (n_word,),
        "char_idf": (n_char,),
        "coef": (len(STANCES), n_word + n_char),
        "intercept": (len(STANCES),),
    }
    for name, shape in expect.items():
        arr = arrays[name]
        if arr.dtype.kind != "f" or arr.shape != shape:
            raise ModelError(
                f"{where}: member {name!r} has shape {arr.shape} {arr.dtype}, expected {shape} float"
            )
        if not np.isfinite(arr).all():
            raise ModelError(f"{where}: member {name!r} contains non-finite values")
    threshold = meta.get("threshold")
    raw = meta.get("params")
    try:
        if not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) <= 1.0:
            raise ValueError("threshold must be a number in [0, 1]")
        if not isinstance(raw, dict) or set(raw) != {"word_ngram", "char_ngram", "min_df", "C", "threshold"}:
            raise ValueError("parameters missing or unknown")
        word_ngram = tuple(int(v) for v in raw["word_ngram"])
        char_ngram = tuple(int(v) for v in raw["char_ngram"])
        if len(word_ngram) != 2 or len(char_ngram) != 2:
            raise ValueError("n-gram ranges need two bounds")
        model = StanceModel(
            word_ngram=word_ngram,  # type: ignore[arg-type]
            char_ngram=char_ngram,  # type: ignore[arg-type]
            min_df=int(raw["min_df"]),
            C=float(raw["C"]),
            threshold=float(raw["threshold"]),
        )
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{where}: bad stance model parameters ({exc})") from exc
    model.classes_ = STANCES
    model.featurizer_ = _Featurizer(
        word_vocab,
        arrays["word_idf"],
        char_vocab,
        arrays["char_idf"],
        word_ngram=word_ngram,
        char_ngram=char_ngram,
        stem=True,
    )
    model.coef_ = arrays["coef"].astype(np.float64)
    model.intercept_ = arrays["intercept"].astype(np.float64)
    model.threshold_ = float(threshold)
    return model


@lru_cache(maxsize=1)
def load_default_stance_model() -> StanceModel:
    """Load (once per process) the stance model shipped in ``detector/models/``.

    Raises:
        ModelError: the package data is missing or damaged.
    """
    return _load_shipped(DEFAULT_STANCE_MODEL, load_stance_model, "stance")


def _load_shipped(name: str, loader: Any, what: str) -> Any:
    """A model file of the package data (``detector/models/NAME``) read by ``loader``.

    Raises:
        ModelError: the file is missing (or, from ``loader``, damaged).
    """
    from importlib import resources

    resource = resources.files("detector").joinpath("models", name)
    try:
        with resource.open("rb") as handle:
            return loader(handle, where=f"detector/models/{name}")
    except FileNotFoundError as exc:
        raise ModelError(f"detector/models/{name}: shipped {what} model is missing") from exc


def stance_fingerprint(model: StanceModel) -> str:
    """A stable hex digest of a fitted stance model (vocabularies, weights, threshold)."""
    import numpy as np
    import xxhash

    feat = model.featurizer_
    digest = xxhash.xxh3_128()
    digest.update(_json_bytes([feat.word_vocab, feat.char_vocab, model.threshold_]).tobytes())
    for arr in (model.coef_, model.intercept_):
        digest.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    return digest.hexdigest()
