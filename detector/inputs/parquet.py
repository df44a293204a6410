"""Parquet files on the local engine (the ``parquet`` extra: pyarrow).

Columns follow the JSON Lines rules (:mod:`detector.inputs.records`): ``id``
and ``text`` required, optional ``outlet`` (or ``series``), ``date``, ``url``,
``lang``, every other column in ``extra``. A timestamp or date column is
written as ISO 8601; values JSON cannot hold (bytes, decimals) become
strings. Rows are read in record batches (bounded memory); ``line`` is the
1-based row number.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterator
from typing import Any

from detector.errors import InputError
from detector.inputs.raw import BadRecord
from detector.inputs.records import make_document
from detector.schema import Document

__all__ = ["EXTRA", "MODULE", "iter_parquet", "require_pyarrow"]

EXTRA = "parquet"
MODULE = "pyarrow"

ErrorHandler = Callable[[InputError], None]


def require_pyarrow(path: str = "parquet") -> Any:
    """Import ``pyarrow.parquet``, or raise a one-line error naming the extra."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            path,
            f"reading Parquet needs the '{EXTRA}' extra (pyarrow): "
            f"pip install 'reuse-detector[{EXTRA}]'",
        ) from None
    return pq


def _plain(value: Any) -> Any:
    """A Parquet cell as a JSON-friendly value."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def iter_parquet(
    path: str,
    *,
    id_field: str,
    text_field: str,
    on_error: ErrorHandler,
    outlet: str | None = None,
) -> Iterator[Document]:
    """Documents of one Parquet file, row by row.

    Raises:
        InputError: pyarrow missing, or the file is not readable Parquet.
    """
    pq = require_pyarrow(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read Parquet: {exc}") from None
    row = 0
    for batch in pf.iter_batches(batch_size=1024):
        for rec in batch.to_pylist():
            row += 1
            record = {k: _plain(v) for k, v in rec.items() if v is not None}
            try:
                doc = make_document(
                    record,
                    path=path,
                    line=row,
                    id_field=id_field,
                    text_field=text_field,
                    outlet=outlet,
                )
            except BadRecord as bad:
                on_error(InputError(path, f"row {row}: {bad.reason}"))
                continue
            yield doc
