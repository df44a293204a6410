"""Optional dependencies (extras), checked before any work starts.

``require_extra("parquet")`` raises a one-line :class:`InputError` naming the
extra to install when its module is missing; :func:`check_sources` does the
same for the input files a command was given (``.html`` pages need the
``html`` extra, ``.parquet`` files the ``parquet`` extra). Both only look
for the modules (``importlib.util.find_spec``), so they cost nothing when the
extras are installed; a folder is walked only when an extra is missing.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable

from detector.errors import InputError

__all__ = ["EXTRAS", "check_sources", "missing", "require_extra"]

EXTRAS = {
    "html": ("trafilatura", "reading saved web pages (.html, .htm)"),
    "parquet": ("pyarrow", "Parquet input and --format parquet"),
    "spark": ("pyspark", "--engine spark"),
}
"""extra -> (module it provides, what needs it)."""


def missing(module: str) -> bool:
    """True when ``module`` cannot be found (or was blocked with ``sys.modules[m] = None``)."""
    if module in sys.modules:
        return sys.modules[module] is None
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def require_extra(extra: str, what: str | None = None) -> None:
    """Raise a one-line error when the module of ``extra`` is not installed.

    Args:
        extra: ``html``, ``parquet`` or ``spark``.
        what: the option or file that needs it (for the message).
    """
    module, needed_for = EXTRAS[extra]
    if missing(module):
        raise InputError(
            what or extra,
            f"{needed_for} needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'reuse-detector[{extra}]'",
        )


def check_sources(sources: Iterable[str]) -> None:
    """Refuse inputs whose extra is missing, before anything is read.

    Raises:
        InputError: naming the first ``.html`` or ``.parquet`` file found
            among ``sources`` (folders searched) when its extra is missing.
    """
    need = {
        fmt: extra
        for fmt, extra in (("html", "html"), ("parquet", "parquet"))
        if missing(EXTRAS[extra][0])
    }
    if not need:
        return
    from detector.inputs.folders import WalkCounts, expand

    counts = WalkCounts(ignored={}, nonregular=[], page_folders=[])

    def ignore(err: InputError) -> None:
        return None

    for source in sources:
        for entry in expand(str(source), on_error=ignore, counts=counts):
            if entry.fmt in need:
                require_extra(need[entry.fmt], entry.path)
