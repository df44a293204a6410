"""Duplicate groups: near-identical documents (reprints, AMP/print/updated versions, reposts).

A story that 1,000 outlets reprint whole is one piece of text with 1,000
places, not 499,500 document pairs. Such documents are found at document
level before any passage search: each document gets a small MinHash
signature of its whole shingle set (:func:`doc_signature`); LSH banding over
those signatures proposes earlier documents, and a document joins the group
of the earliest *representative* whose estimated Jaccard similarity reaches
the threshold. Groups are stars around their representative (the earliest
member in time order), never chains: a document is compared with
representatives only, so A ~ B ~ C with A !~ C cannot put A and C together.

Only representatives take part in the passage search (:mod:`detector.candidates`);
the other members are aligned once against their representative
(:func:`span_map`), so their spans follow the representative's clusters.

Pure functions of arrays, so the local and Spark engines share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from detector.params import Params
    from detector.schema import DocInfo

__all__ = [
    "DUP_BANDS",
    "DUP_MIN_SHINGLES",
    "DUP_PERM",
    "DUP_THRESHOLD",
    "DuplicateSets",
    "OffsetMap",
    "doc_signature",
    "find_duplicates",
    "map_offset",
    "span_map",
    "time_ranks",
]

DUP_PERM = 64
"""MinHash values per document signature (256 bytes a document)."""

DUP_BANDS = 16
"""LSH bands over the signature (4 rows each): pairs at Jaccard 0.8 collide
in at least one band with probability 1 - (1 - 0.8^4)^16 > 0.9999."""

DUP_THRESHOLD = 0.8
"""Estimated Jaccard similarity of shingle sets at which two documents are
near-identical (standard error about 0.05 at 64 values)."""

DUP_MIN_SHINGLES = 12
"""Documents with fewer distinct shingles are never grouped: two short
posts that are mostly the same channel footer are not one text."""


def doc_signature(shingle_set: np.ndarray, params: Params) -> np.ndarray | None:
    """The document-level MinHash signature of a distinct shingle set.

    Args:
        shingle_set: distinct ``uint32`` shingle hashes of a document
            (:func:`detector.candidates.shingle_set`).
        params: its ``seed`` (a permutation family apart from the windows').

    Returns:
        ``uint32`` array of :data:`DUP_PERM` values, or None for a document
        with fewer than :data:`DUP_MIN_SHINGLES` shingles. O(s * 64).
    """
    from detector.fingerprint import permuted_hashes

    if len(shingle_set) < DUP_MIN_SHINGLES:
        return None
    family = replace(params, num_perm=DUP_PERM, seed=params.seed + 7919)
    return permuted_hashes(shingle_set, family).min(axis=0)


def time_ranks(documents: Sequence[DocInfo]) -> np.ndarray:
    """Each document's position in time order: by date, undated last, ties in input order.

    Returns:
        ``int64`` array, ``ranks[i]`` = rank of document ``i`` (0 = earliest).
        O(n log n).
    """
    import numpy as np

    from detector.cluster import parse_date

    keys = []
    for i, d in enumerate(documents):
        when = parse_date(d.date)
        keys.append((when is None, when.isoformat() if when else "", i))
    order = sorted(range(len(documents)), key=keys.__getitem__)
    ranks = np.empty(len(documents), dtype=np.int64)
    ranks[order] = np.arange(len(documents), dtype=np.int64)
    return ranks


@dataclass(frozen=True)
class DuplicateSets:
    """Which documents are near-identical copies of which.

    Attributes:
        rep: ``rep[i]`` is the representative (earliest member) of document
            ``i``'s group; ``rep[i] == i`` for representatives and for
            documents in no group.
        similarity: estimated Jaccard similarity of ``i`` to ``rep[i]``
            (1.0 for representatives).
        groups: groups of two or more, each a list of document indices in
            time order, representative first.
    """

    rep: np.ndarray
    similarity: np.ndarray
    groups: tuple[tuple[int, ...], ...]

    def is_rep(self, i: int) -> bool:
        """Whether document ``i`` takes part in the passage search."""
        return int(self.rep[i]) == i


def find_duplicates(
    signatures: Sequence[np.ndarray | None],
    ranks: np.ndarray,
    *,
    threshold: float = DUP_THRESHOLD,
    bands: int = DUP_BANDS,
) -> DuplicateSets:
    """Star groups of near-identical documents.

    Documents are visited in time order. Each looks up the representatives
    that share one of its LSH bands and joins the most similar one whose
    estimated Jaccard similarity is at least ``threshold``; failing that it
    becomes a representative itself. So a group's representative is its
    earliest member and every member is near-identical *to it*.

    Args:
        signatures: per document, :func:`doc_signature` (None: never grouped).
        ranks: :func:`time_ranks` of the documents.
        threshold: estimated Jaccard similarity to the representative.
        bands: LSH bands (the signature length must divide by it).

    Returns:
        :class:`DuplicateSets`. O(n * bands) dictionary operations plus one
        signature comparison per colliding representative (a handful).
    """
    import numpy as np

    n = len(signatures)
    rep = np.arange(n, dtype=np.int64)
    similarity = np.ones(n, dtype=np.float64)
    order = np.argsort(ranks, kind="stable")
    tables: list[dict[int, list[int]]] = [{} for _ in range(bands)]
    members: dict[int, list[int]] = {}
    keys_of = _band_keys(signatures, bands)
    for i in order.tolist():
        band_keys = keys_of.get(i)
        if band_keys is None:
            continue
        sig = signatures[i]
        seen: set[int] = set()
        best, best_sim = -1, threshold
        for b, key in enumerate(band_keys):
            for r in tables[b].get(key, ()):
                if r in seen:
                    continue
                seen.add(r)
                sim = float(np.count_nonzero(signatures[r] == sig)) / len(sig)  # type: ignore[operator, arg-type]
                if sim >= best_sim and (best < 0 or sim > best_sim or ranks[r] < ranks[best]):
                    best, best_sim = r, sim
        if best >= 0:
            rep[i] = best
            similarity[i] = best_sim
            members.setdefault(best, [best]).append(i)
            continue
        for b, key in enumerate(band_keys):
            tables[b].setdefault(key, []).append(i)
    groups = tuple(
        tuple(g) for g in sorted(members.values(), key=lambda g: (-len(g), int(ranks[g[0]])))
    )
    return DuplicateSets(rep=rep, similarity=similarity, groups=groups)


def _band_keys(signatures: Sequence[np.ndarray | None], bands: int) -> dict[int, list[int]]:
    """Per document with a signature, one integer key per LSH band.

    A band's rows are folded into one 64-bit integer by an odd-multiplier
    polynomial over the signature matrix at once (a million short posts
    took seconds of per-band ``tobytes`` calls). Two equal bands always
    get equal keys; unequal bands share a key with probability about
    2^-64, and a collision only proposes a candidate whose similarity is
    then computed from the signatures themselves. O(n * len(signature)).
    """
    import numpy as np

    present = [i for i, sig in enumerate(signatures) if sig is not None]
    if not present:
        return {}
    matrix = np.stack([signatures[i] for i in present]).astype(np.uint64)  # type: ignore[misc]
    width = matrix.shape[1] // bands
    folded = matrix[:, : bands * width].reshape(len(present), bands, width)
    # distinct odd 64-bit multipliers per row of a band (fixed: keys are compared within one run only)
    multipliers = np.array(
        [(0x9E3779B97F4A7C15 * (r + 1)) % (1 << 64) | 1 for r in range(width)], dtype=np.uint64
    )
    with np.errstate(over="ignore"):
        keys = (folded * multipliers).sum(axis=2, dtype=np.uint64)
    return dict(zip(present, keys.tolist(), strict=True))


def span_map(text_a: str, text_b: str) -> np.ndarray:
    """Matching character blocks of two near-identical texts.

    Args:
        text_a: the representative's text.
        text_b: a duplicate's text.

    Returns:
        ``int64`` array ``(k, 3)`` of ``(start in a, start in b, length)``
        equal blocks in order (rapidfuzz ``Indel`` opcodes; bit-parallel,
        O(len_a * len_b / 64)).
    """
    import numpy as np
    from rapidfuzz.distance import Indel

    rows = [
        (op.src_start, op.dest_start, op.src_end - op.src_start)
        for op in Indel.opcodes(text_a, text_b)
        if op.tag == "equal"
    ]
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def map_offset(blocks: np.ndarray, offset: int, *, end: bool) -> int:
    """A character offset of the representative carried to the duplicate via :func:`span_map` blocks.

    An offset inside an equal block maps exactly; one inside changed text
    maps to the next block's start (``end=False``) or the previous block's
    end (``end=True``), so a mapped span never grows into changed text.
    O(log k); for many offsets of one duplicate, :class:`OffsetMap`.
    """
    return OffsetMap(blocks)(offset, end=end)


class OffsetMap:
    """:func:`map_offset` over one duplicate's blocks, held as Python lists.

    Built once per duplicate: a numpy search and element reads per offset
    cost more than the search itself on the few blocks a short post has.
    """

    __slots__ = ("rows", "starts")

    def __init__(self, blocks: np.ndarray) -> None:
        self.rows: list[list[int]] = blocks.tolist()
        self.starts = [r[0] for r in self.rows]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """A representative's span carried into the duplicate; None when it falls in changed text."""
        s = self(start, end=False)
        e = self(end, end=True)
        return (s, e) if e > s else None

    def __call__(self, offset: int, *, end: bool) -> int:
        """:func:`map_offset` of ``offset``. O(log k)."""
        from bisect import bisect_left, bisect_right

        rows = self.rows
        if not rows:
            return 0
        if end:
            k = bisect_left(self.starts, offset) - 1  # block starting before offset
            if k < 0:
                return rows[0][1]
            s, t, length = rows[k]
            return t + min(offset - s, length)
        k = bisect_right(self.starts, offset) - 1
        if k >= 0:
            s, t, length = rows[k]
            if offset < s + length:
                return t + offset - s
        k += 1
        if k >= len(rows):
            return rows[-1][1] + rows[-1][2]
        return rows[k][1]
