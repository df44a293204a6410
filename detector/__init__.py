"""detector: text reuse, boilerplate and recurring framing in news and state-media text.

The public API is imported lazily, so ``import detector`` (and the CLI's
``--help``) stays fast::

    from detector import load_document
    from detector.compare import compare
    result = compare(load_document("a.txt"), load_document("b.txt"))
    for passage in result.passages:
        print(passage.kind, passage.a.text(result.a.text))
"""

from __future__ import annotations

import importlib
from typing import Any


def _version() -> str:
    """The installed distribution's version, looked up on first use:
    ``importlib.metadata`` costs about 70 ms to import, more than the rest of
    a ``detector compare`` run on two articles."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reuse-detector")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0.0.0"

_EXPORTS = {
    "load_document": "detector.load",
    "iter_documents": "detector.load",
    "tokenize": "detector.tokens",
    "align_passages": "detector.align",
    "sentence_spans": "detector.sentences",
    "FramingClassifier": "detector.framing",
    "load_default_model": "detector.framing",
    "Params": "detector.params",
    "Document": "detector.schema",
    "Span": "detector.schema",
    "Passage": "detector.schema",
    "WordOp": "detector.schema",
    "Similarity": "detector.schema",
    "FramingSpan": "detector.schema",
    "CompareResult": "detector.schema",
    "InputError": "detector.errors",
    "ModelError": "detector.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'detector' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
