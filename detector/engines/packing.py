"""Per-document facts packed column-wise for the trip from a worker to the main process.

The first corpus pass sends every document's :class:`~detector.stages.DocFacts`
back to the main process. Pickled one by one, a dozen small numpy arrays and
two dataclasses cost about 20 us to dump and 27 us to load per document,
and each array is its own allocation in the main process: on a million
short posts that is most of the main process's time and memory.

:class:`FactsChunk` packs a run of documents' facts field by field instead:

* a field whose values are 1-D arrays of one dtype (or None) becomes one
  concatenated array and a length per document (``-1`` for None); each
  document gets a view of its slice back, so a field's memory is one
  allocation per chunk, freed when the last view of it is dropped (fields
  never share a buffer, so dropping the shingle sets after the corpus counts
  frees them while the segments stay);
* a field whose values are tuples of such arrays (the segments) packs each
  position as above;
* a field whose values are one and the same object (the empty band keys of
  the first pass, an empty tuple) is sent once;
* a field whose values are instances of one dataclass (the metadata,
  :class:`~detector.schema.DocInfo`) packs each of its fields as above, so
  strings travel as plain lists and a field that is None everywhere once;
* anything else (repeats, chrome) is pickled as a plain list.

Packing is generic over the dataclass fields, so a field added to
``DocFacts`` travels without a change here. Unpacking gives facts equal,
field by field and array by array, to the ones packed (a test checks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detector.stages import DocFacts

__all__ = ["FactsChunk", "pack_column", "unpack_column"]

_SAME, _ARRAYS, _TUPLES, _RECORDS, _LIST = "same", "arrays", "tuples", "records", "list"


def _arrays_of_one_dtype(values: Sequence[Any]) -> bool:
    import numpy as np

    dtype = None
    for v in values:
        if v is None:
            continue
        if type(v) is not np.ndarray or v.ndim != 1:
            return False
        if dtype is None:
            dtype = v.dtype
        elif v.dtype != dtype:
            return False
    return dtype is not None


def pack_column(values: Sequence[Any]) -> tuple[Any, ...]:
    """One field's values over a run of documents, in the smallest picklable form.

    Returns a tagged tuple that :func:`unpack_column` turns back into the
    values. O(total size).
    """
    import dataclasses

    import numpy as np

    first = values[0]
    if all(v is first for v in values):
        return (_SAME, first, len(values))
    if _arrays_of_one_dtype(values):
        lengths = np.array([-1 if v is None else len(v) for v in values], dtype=np.int64)
        present = [v for v in values if v is not None]
        return (_ARRAYS, np.concatenate(present), lengths)
    kind = type(first)
    if dataclasses.is_dataclass(kind) and all(type(v) is kind for v in values):
        names = [f.name for f in dataclasses.fields(kind)]
        return (_RECORDS, kind, tuple(pack_column([getattr(v, n) for v in values]) for n in names))
    if (
        type(first) is tuple
        and all(type(v) is tuple and len(v) == len(first) for v in values)
        and all(_arrays_of_one_dtype([v[k] for v in values]) for k in range(len(first)))
    ):
        return (_TUPLES, tuple(pack_column([v[k] for v in values]) for k in range(len(first))))
    return (_LIST, list(values))


def unpack_column(packed: tuple[Any, ...]) -> list[Any]:
    """Inverse of :func:`pack_column`: the values, arrays as views of one buffer per field."""
    tag = packed[0]
    if tag == _SAME:
        return [packed[1]] * packed[2]
    if tag == _ARRAYS:
        data, lengths = packed[1], packed[2]
        out: list[Any] = []
        pos = 0
        for n in lengths.tolist():
            if n < 0:
                out.append(None)
            else:
                out.append(data[pos : pos + n])
                pos += n
        return out
    if tag == _TUPLES:
        return list(zip(*(unpack_column(p) for p in packed[1]), strict=True))
    if tag == _RECORDS:
        kind = packed[1]
        return [kind(*row) for row in zip(*(unpack_column(p) for p in packed[2]), strict=True)]
    return packed[1]


def _rebuild(names: tuple[str, ...], columns: tuple[tuple[Any, ...], ...]) -> list[DocFacts]:
    from detector.stages import DocFacts

    if tuple(f.name for f in fields(DocFacts)) != names:
        # a worker of another code version; cannot happen with forked workers
        raise RuntimeError(f"DocFacts fields differ between processes: {names}")
    return [DocFacts(*row) for row in zip(*(unpack_column(c) for c in columns), strict=True)]


class FactsChunk:
    """A list of :class:`~detector.stages.DocFacts` that pickles column-wise.

    Unpickles straight to a plain ``list[DocFacts]``. About 5 us a short
    post to pack and 8 us to unpack (was 20 and 27 one by one).
    """

    __slots__ = ("facts", "omit")

    def __init__(self, facts: Sequence[DocFacts], *, omit: tuple[str, ...] = ()) -> None:
        """``omit``: fields sent as None (what the worker keeps for itself)."""
        self.facts = facts
        self.omit = omit

    def __len__(self) -> int:
        return len(self.facts)

    def __iter__(self) -> Iterator[DocFacts]:
        if not self.omit:
            return iter(self.facts)
        from dataclasses import replace

        empty = dict.fromkeys(self.omit)
        return (replace(f, **empty) for f in self.facts)

    def __reduce__(self) -> tuple[Any, ...]:
        if not self.facts:
            return (list, ())
        names = tuple(f.name for f in fields(self.facts[0]))
        columns = tuple(
            (_SAME, None, len(self.facts)) if name in self.omit else pack_column([getattr(f, name) for f in self.facts])
            for name in names
        )
        return (_rebuild, (names, columns))
