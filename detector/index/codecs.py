"""Row codecs of the index: how documents, passages, flags and per-document facts are stored.

Everything is plain JSON or raw little-endian integer bytes (never a
pickle); each ``decode``/``unpack`` is the exact inverse of its ``encode``/
``pack``. All functions are O(size of the value).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from detector.schema import Document, FramingSpan, Passage, Span, WordOp

if TYPE_CHECKING:
    import numpy as np

    from detector.params import Params
    from detector.tokens import Tokens

__all__ = [
    "DOC_SELECT",
    "content_hash",
    "date_key",
    "decode_flags",
    "decode_passages",
    "encode_flags",
    "encode_passages",
    "now",
    "pack_chrome",
    "pack_ints",
    "pack_repeats",
    "pack_segments",
    "row_document",
    "tokens_of",
    "unpack_chrome",
    "unpack_ints",
    "unpack_repeats",
    "unpack_segments",
]

DOC_SELECT = "SELECT seq, id, text, outlet, date, url, lang, extra FROM documents"
"""The columns :func:`row_document` reads, in its order."""


def content_hash(text: str) -> str:
    """xxh3-64 of the UTF-8 text, hex (what ``documents.hash`` stores)."""
    import xxhash

    return xxhash.xxh3_64_hexdigest(text.encode("utf-8", "surrogatepass"))


def encode_passages(passages: Sequence[Passage]) -> str:
    """Compact, lossless JSON of passages (spans, words, score, kind, ops, token ranges).

    Floats survive exactly (JSON keeps ``repr`` precision). O(total ops).
    """
    rows = [
        [
            p.a.start,
            p.a.end,
            p.b.start,
            p.b.end,
            p.words,
            p.score,
            p.kind,
            [[o.op, o.a.start, o.a.end, o.b.start, o.b.end] for o in p.ops],
            list(p.tok_a),
            list(p.tok_b),
        ]
        for p in passages
    ]
    return json.dumps(rows, separators=(",", ":"))


def decode_passages(data: str) -> list[Passage]:
    """Inverse of :func:`encode_passages`."""
    out = []
    for a0, a1, b0, b1, words, score, kind, ops, tok_a, tok_b in json.loads(data):
        out.append(
            Passage(
                a=Span(a0, a1),
                b=Span(b0, b1),
                words=words,
                score=score,
                kind=kind,
                ops=tuple(WordOp(op, Span(x0, x1), Span(y0, y1)) for op, x0, x1, y0, y1 in ops),
                tok_a=(tok_a[0], tok_a[1]),
                tok_b=(tok_b[0], tok_b[1]),
            )
        )
    return out


def now() -> str:
    """The current UTC time, ISO 8601 to the second (``documents.added_at``)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def date_key(doc: Document, seq: int) -> tuple[int, str, int]:
    """Earliest first: dated documents by date, then undated, ties by seq."""
    return (0, doc.date, seq) if doc.date else (1, "", seq)


def row_document(row: tuple[Any, ...]) -> tuple[int, Document]:
    """``(seq, Document)`` of a row selected with :data:`DOC_SELECT`."""
    seq, doc_id, text, outlet, date, url, lang, extra = row
    return int(seq), Document(
        id=doc_id,
        text=text,
        outlet=outlet,
        date=date,
        url=url,
        lang=lang,
        extra=json.loads(extra),
    )


def encode_flags(flags: Sequence[FramingSpan]) -> str:
    """Compact JSON of one document's flags, stance included (the document id is the row's)."""
    return json.dumps(
        [[f.start, f.end, f.label, f.score, [[c.start, c.end] for c in f.cues], f.stance] for f in flags],
        separators=(",", ":"),
    )


def decode_flags(data: str, doc_id: str) -> list[FramingSpan] | None:
    """Inverse of :func:`encode_flags` for the document ``doc_id``.

    None for a row written before flags kept their stance (five fields a
    flag): its stances are unknown, so the document is to be flagged again.
    """
    rows = json.loads(data)
    if any(len(row) != 6 for row in rows):
        return None
    return [
        FramingSpan(
            doc_id, int(s), int(e), str(label), float(score), tuple(Span(a, b) for a, b in cues), str(stance)
        )
        for s, e, label, score, cues, stance in rows
    ]


def pack_ints(values: np.ndarray) -> bytes:
    """64-bit integers as little-endian bytes (unsigned values keep their bits)."""
    import numpy as np

    return np.ascontiguousarray(np.asarray(values).view(np.int64), dtype="<i8").tobytes()


def unpack_ints(data: bytes, dtype: str = "uint64") -> np.ndarray:
    """Inverse of :func:`pack_ints`, viewed as ``dtype``."""
    import numpy as np

    return np.frombuffer(data, dtype="<i8").astype(np.int64).view(dtype)


def pack_segments(seg: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> bytes:
    """Segment keys, starts, ends and word counts as one ``(4, n)`` int64 block."""
    import numpy as np

    keys, starts, ends, words = seg
    block = np.stack(
        [np.asarray(keys, dtype=np.uint64).view(np.int64), starts, ends, words]
    ).astype("<i8")
    return block.tobytes()


def unpack_segments(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of :func:`pack_segments`."""
    import numpy as np

    block = np.frombuffer(data, dtype="<i8").astype(np.int64).reshape(4, -1)
    return block[0].copy().view(np.uint64), block[1].copy(), block[2].copy(), block[3].copy()


def pack_chrome(chrome: Sequence[tuple[int, int, int, int]]) -> bytes:
    """A document's chrome (:func:`detector.chrome.chrome_occurrences`) as ``(n, 4)`` int64 bytes.

    No chrome packs to ``b""`` (a stored empty value, unlike SQL NULL: not
    computed yet). Keys are xxh3 values shifted right by one, so they fit.
    """
    import numpy as np

    return np.asarray(chrome, dtype="<i8").reshape(-1, 4).tobytes()


def unpack_chrome(data: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """Inverse of :func:`pack_chrome`."""
    import numpy as np

    rows = np.frombuffer(data, dtype="<i8").reshape(-1, 4).tolist()
    return tuple((a, b, c, d) for a, b, c, d in rows)


def pack_repeats(repeats: Sequence[Any]) -> str:
    """A document's internal repeats as JSON spans plus word count."""
    return json.dumps(
        [[[s.start, s.end] for s in r.spans] + [r.words] for r in repeats], separators=(",", ":")
    )


def unpack_repeats(data: str, doc_id: str, text: str) -> tuple[Any, ...]:
    """Inverse of :func:`pack_repeats` (the repeat's text sliced from ``text``)."""
    from detector.schema import Repeat

    out = []
    for item in json.loads(data):
        *spans, words = item
        first = spans[0]
        out.append(
            Repeat(
                doc=doc_id,
                spans=tuple(Span(a, b) for a, b in spans),
                words=words,
                text=text[first[0] : first[1]],
            )
        )
    return tuple(out)


def tokens_of(doc: Document, params: Params) -> Tokens:
    """The document's tokens under the index's parameters."""
    from detector.tokens import tokenize

    return tokenize(doc.text, stem=params.stem)
