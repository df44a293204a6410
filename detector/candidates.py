"""Candidate pairs for corpus-wide reuse: passage-window MinHash and LSH banding.

A quoted 60-word paragraph inside a 1,500-word article gives the two
documents a whole-document Jaccard of about 0.05, far below any useful LSH
threshold; so every document is cut into overlapping passage windows
(``Params.window_words`` shingles every ``Params.window_step``) and each
window gets its own MinHash signature (:mod:`detector.fingerprint`). Two
documents become a candidate pair when any of their windows share an LSH band
(Indyk & Motwani 1998; Leskovec, Rajaraman & Ullman, *Mining of Massive
Datasets*, ch. 3.4).

Shingles that recur within one outlet (footers, site chrome) or in a large
share of all documents (stock formulae) would put unrelated windows into the
same buckets and blow up the candidate set. :func:`shingle_mask` finds them
from a first, cheap pass over per-document shingle sets
(:func:`shingle_set`); window signatures are then taken over the remaining
shingles only (``mask=`` of :func:`sketch_tokens`). Boilerplate is still
reported, by counting segments (:mod:`detector.boilerplate`), not by pairs.

Everything here is a pure function of its arguments with stable output
(numpy mixing hashes for band keys, never Python's salted ``hash()``), so
the local engine and the Spark engine call the very same functions inside
their workers and get identical candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from detector.params import Params
    from detector.schema import Document, Passage
    from detector.tokens import Tokens

__all__ = [
    "DocSketch",
    "align_pair",
    "band_keys",
    "band_shape",
    "bucket_entries",
    "candidate_pairs",
    "entries_slice",
    "key_partitions",
    "key_range",
    "link_entries",
    "min_window_shingles",
    "mix_bands",
    "pairs_from_entries",
    "pairs_from_links",
    "shingle_mask",
    "shingle_set",
    "sketch_document",
    "sketch_shingles",
    "sketch_tokens",
]

MASK_OUTLET_DOCS = 3
"""A shingle in at least this many documents of one outlet is chrome (masked);
the same count that makes a segment boilerplate in :mod:`detector.boilerplate`."""

MASK_DOC_SHARE = 0.05
"""A shingle in more than this share of all documents is masked ..."""

MASK_MIN_DOCS = 1000
"""... but only once it is in more than this many documents, so a story
reprinted by up to this many outlets always keeps its shingles."""


@dataclass(frozen=True, eq=False)
class DocSketch:
    """The passage-window fingerprint of one document.

    Attributes:
        doc: document id.
        n_tokens: number of word tokens in the document.
        starts: ``int64`` token index where each window starts (window ``w``
            covers tokens ``starts[w] .. starts[w] + window_words + lsh_shingle_size - 1``).
        signatures: ``uint32`` array ``(n_windows, num_perm)``: datasketch
            ``MinHash.hashvalues`` of each window's shingle set.
    """

    doc: str
    n_tokens: int
    starts: np.ndarray
    signatures: np.ndarray


def sketch_tokens(
    doc_id: str, tokens: Tokens, params: Params, *, mask: np.ndarray | None = None
) -> DocSketch:
    """Window signatures of an already tokenised document (see :func:`sketch_document`).

    Args:
        doc_id: document id.
        tokens: its tokens.
        params: shingle, window and MinHash parameters.
        mask: optional sorted ``uint32`` shingle hashes to leave out (see
            :func:`shingle_mask` and :func:`sketch_shingles`).
    """
    from detector.fingerprint import shingle_hashes

    hashes = shingle_hashes(tokens.ids, params.lsh_shingle_size)
    return sketch_shingles(doc_id, len(tokens), hashes, params, mask=mask)


def shingle_set(hashes: np.ndarray) -> np.ndarray:
    """The distinct shingles of one document as MinHash sees them (sorted ``uint32``).

    MinHash uses only the low 32 bits of a shingle hash (datasketch's
    ``affine32`` scheme), so two shingles equal there are the same shingle
    for candidates, and masking works on the same 32-bit values. O(s log s).
    """
    from detector.fingerprint import distinct_sorted, to_uint32

    return distinct_sorted(to_uint32(hashes))


def min_window_shingles(params: Params) -> int:
    """Fewest unmasked shingles a window needs to be banded.

    Half the shingles of the shortest reportable passage (``min_words``): a
    window left with fewer after masking holds no passage worth aligning on
    its own, and near-empty windows would all share the same few buckets.
    """
    return max(1, (params.min_words - params.lsh_shingle_size + 1) // 2)


def sketch_shingles(
    doc_id: str,
    n_tokens: int,
    hashes: np.ndarray,
    params: Params,
    *,
    mask: np.ndarray | None = None,
) -> DocSketch:
    """Window signatures from a document's ordered shingle hashes.

    Args:
        doc_id: document id.
        n_tokens: its length in tokens.
        hashes: its shingle hashes in text order (:func:`detector.fingerprint.shingle_hashes`;
            64-bit, or their low 32 bits).
        params: ``lsh_shingle_size``, ``window_words``, ``window_step``,
            ``num_perm``, ``seed`` and ``min_words``.
        mask: sorted ``uint32`` shingles (:func:`shingle_mask`) to leave out
            of every window. Windows keep their positions; each is signed over
            its unmasked shingles, and windows left with fewer than
            :func:`min_window_shingles` are dropped. ``None``: no masking
            (every window, exactly as before masking existed).

    Returns:
        A :class:`DocSketch`. O(s * num_perm) for s shingles.
    """
    import numpy as np

    from detector.fingerprint import window_signatures, window_starts

    window = params.window_words
    starts = window_starts(len(hashes), window, params.window_step)
    if mask is None or len(mask) == 0 or len(starts) == 0:
        sigs = window_signatures(hashes, starts, window, params)
        return DocSketch(doc=doc_id, n_tokens=n_tokens, starts=starts, signatures=sigs)
    from detector.fingerprint import permuted_hashes, to_uint32

    h32 = to_uint32(hashes)
    pos = np.minimum(np.searchsorted(mask, h32), len(mask) - 1)
    keep = mask[pos] != h32
    cum = np.concatenate(([0], np.cumsum(keep)))
    lo = cum[starts]
    hi = cum[np.minimum(starts + window, len(hashes))]
    ok = hi - lo >= min_window_shingles(params)
    starts, lo, hi = starts[ok], lo[ok], hi[ok]
    sigs = np.empty((len(starts), params.num_perm), dtype=np.uint32)
    if len(starts):
        phv = permuted_hashes(h32[keep], params)
        for row, (a, b) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
            sigs[row] = phv[a:b].min(axis=0)
    return DocSketch(doc=doc_id, n_tokens=n_tokens, starts=starts, signatures=sigs)


def shingle_mask(
    records: Iterable[tuple[int, np.ndarray]],
    outlets: Sequence[str | None],
    *,
    outlet_docs: int = MASK_OUTLET_DOCS,
    doc_share: float = MASK_DOC_SHARE,
    min_docs: int = MASK_MIN_DOCS,
) -> np.ndarray:
    """Shingles too common to make candidates: chrome of one outlet, or corpus-wide formulae.

    The first of two passes over the corpus (the second signs windows with
    ``mask=``). A shingle is masked when

    * it occurs in at least ``outlet_docs`` documents of one outlet (site
      chrome, footers; documents without an outlet never count), or
    * it occurs in more than ``max(min_docs, doc_share * n_documents)``
      documents in all.

    Masked text still reaches the report: boilerplate is found by counting
    segments, and a long reused passage keeps its other shingles.

    Args:
        records: ``(doc index, shingle_set(...))`` per document (each set
            distinct, as :func:`shingle_set` gives).
        outlets: outlet of each document index.
        outlet_docs, doc_share, min_docs: the thresholds above.

    Returns:
        Sorted ``uint32`` masked shingles (often empty). Only 1-D sorts:
        O(S log S) for S (document, shingle) entries, memory O(S) 4-byte
        words (the per-outlet counts sort each outlet's entries apart).
    """
    import numpy as np

    from detector.fingerprint import distinct_sorted, sorted_counts

    parts = [(d, np.asarray(s, dtype=np.uint32)) for d, s in records]
    empty = np.zeros(0, dtype=np.uint32)
    if not parts:
        return empty
    limit = max(min_docs, doc_share * len(outlets))
    values, counts = sorted_counts(np.concatenate([s for _, s in parts]))
    masked = [values[counts > limit]]
    if outlet_docs <= 1:
        masked.extend(s for d, s in parts if outlets[d] is not None)
    else:
        by_outlet: dict[str, list[np.ndarray]] = {}
        for d, s in parts:
            if outlets[d] is not None:
                by_outlet.setdefault(outlets[d], []).append(s)  # type: ignore[arg-type]
        for sets in by_outlet.values():
            if len(sets) >= outlet_docs:
                # sets are distinct per document: a count is a number of documents
                values, counts = sorted_counts(np.concatenate(sets))
                masked.append(values[counts >= outlet_docs])
    return distinct_sorted(np.concatenate(masked))


def sketch_document(doc: Document, params: Params) -> DocSketch:
    """Tokenise ``doc`` and MinHash each of its passage windows.

    Args:
        doc: the document (its text is never modified).
        params: ``stem``, ``lsh_shingle_size``, ``window_words``, ``window_step``,
            ``num_perm`` and ``seed``.

    Returns:
        A :class:`DocSketch`; an empty text has zero windows. O(n) tokens for
        tokenising plus O(n * num_perm * window_words / window_step) for the
        signatures (vectorised numpy, about 1 ms for a 600-word article).
    """
    from detector.tokens import tokenize

    return sketch_tokens(doc.id, tokenize(doc.text, stem=params.stem), params)


@functools.lru_cache(maxsize=32)
def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` for a Jaccard ``threshold``, exactly as datasketch's MinHashLSH.

    Uses ``datasketch.lsh._optimal_param`` with MinHashLSH's default equal
    weights for false positives and negatives; ``bands * rows <= num_perm``
    and only the first ``bands * rows`` permutations are banded.
    """
    from datasketch.lsh import _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(bands), int(rows)


# Odd 64-bit constants (splitmix64 / xxh64 primes) for the band-key mix.
_BAND_SEED = 0x9E3779B97F4A7C15
_BAND_MUL = 0xBF58476D1CE4E5B9
_BAND_FIN = 0x94D049BB133111EB


def band_keys(signatures: np.ndarray, params: Params) -> np.ndarray:
    """Stable 64-bit LSH bucket keys of every band of every window.

    Args:
        signatures: ``uint32`` ``(n_windows, num_perm)`` window signatures.
        params: ``lsh_bands`` and ``lsh_rows`` (the band shape).

    Returns:
        ``uint64`` array ``(n_windows, bands)``; key ``[w, i]`` mixes the
        ``rows`` values ``signatures[w, i*rows:(i+1)*rows]`` in order into a
        64-bit hash seeded by the band number ``i`` (xor, multiply by an odd
        constant, xorshift: each step a bijection of the running state), so
        keys agree across processes, machines and engines, and equal values in
        different bands give different keys. Vectorised numpy,
        O(n_windows * bands * rows).
    """
    return mix_bands(signatures, params.lsh_bands, params.lsh_rows)


def mix_bands(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Band keys of :func:`band_keys` for an explicit ``(bands, rows)`` shape.

    ``bands * rows`` must not exceed the signature width. Used by
    :func:`band_keys` and by benchmarks that compare band shapes.
    """
    import numpy as np

    sigs = np.asarray(signatures)
    n = sigs.shape[0] if sigs.ndim == 2 else 0
    if n == 0:
        return np.zeros((0, bands), dtype=np.uint64)
    if bands * rows > sigs.shape[1]:
        raise ValueError(f"{bands} bands of {rows} rows need {bands * rows} permutations, have {sigs.shape[1]}")
    vals = sigs[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    mul, fin = np.uint64(_BAND_MUL), np.uint64(_BAND_FIN)
    with np.errstate(over="ignore"):
        h = np.broadcast_to(
            (np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(_BAND_SEED)), (n, bands)
        ).copy()
        for r in range(rows):
            h ^= vals[:, :, r]
            h *= mul
            h ^= h >> np.uint64(31)
        h *= fin
        h ^= h >> np.uint64(29)
    return h


def candidate_pairs(
    keys: Iterable[tuple[int, np.ndarray]],
    *,
    min_shared: int = 1,
) -> set[tuple[int, int]]:
    """Document pairs that share at least ``min_shared`` LSH buckets.

    Args:
        keys: ``(doc_index, band_keys)`` for each document; ``band_keys`` is
            any ``uint64`` array (usually ``(n_windows, bands)`` from
            :func:`band_keys`).
        min_shared: distinct bucket keys a pair must share. With few rows
            per band, two unrelated windows that share a handful of common
            3-word shingles collide in one band by chance, and in a large
            corpus such single collisions outnumber real reuse (which
            collides in many bands of several overlapping windows); see
            ``Params.lsh_min_bands``.

    Each bucket is a *star*: its first document (the lowest number; callers
    number documents in time order, so the earliest) is paired with each of
    the others, never the others among themselves. A text that recurs in k
    documents thus costs k - 1 pairs, not k(k - 1)/2, and every copy is
    aligned against the earliest one, which is what a cluster is built
    around (:func:`detector.cluster.star_clusters`).

    Returns:
        Pairs ``(i, j)`` of document indices with ``i < j``. Vectorised:
        O(K log K) for K keys plus O(P log P) for P linked pairs (P <= K); no
        all-pairs matrix. Each document's keys are sorted first and the
        corpus is merged one key range at a time (:func:`key_partitions`),
        so the sort buffers stay bounded for a large corpus.
    """
    import numpy as np

    from detector.fingerprint import distinct_sorted

    docs = [(index, distinct_sorted(np.asarray(arr, dtype=np.uint64))) for index, arr in keys]
    parts = key_partitions(sum(len(k) for _, k in docs))
    links = [
        link_entries(
            [bucket_entries((index, k[key_range(k, part, parts)]) for index, k in docs)]
        )
        for part in range(parts)
    ]
    return pairs_from_links(links, min_shared=min_shared)


def bucket_entries(keys: Iterable[tuple[int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(key, doc)`` entries of some documents, sorted by key, then document.

    The per-shard half of :func:`candidate_pairs`: each worker sorts the
    entries of its own documents, and :func:`pairs_from_entries` merges the
    sorted runs of every shard.

    Args:
        keys: ``(doc_index, band_keys)`` per document (any shape, ``uint64``).

    Returns:
        ``(keys, docs)``: ``uint64`` keys and document indices (``int32``
        when they fit, else ``int64``), in (key, doc) order, without
        repeated pairs. O(K log K) for K keys.
    """
    import numpy as np

    key_parts: list[np.ndarray] = []
    doc_index: list[int] = []
    for index, arr in keys:
        key_parts.append(np.asarray(arr, dtype=np.uint64).ravel())
        doc_index.append(index)
    if not key_parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
    # 4-byte document numbers halve the memory of the largest arrays here
    small = max(doc_index) < 2**31 and min(doc_index) >= -(2**31)
    all_docs = np.repeat(
        np.asarray(doc_index, dtype=np.int32 if small else np.int64),
        [len(k) for k in key_parts],
    )
    all_keys = np.concatenate(key_parts)
    del key_parts
    if np.all(all_docs[1:] >= all_docs[:-1]):
        # documents given in order: a stable sort by key alone orders by (key,
        # doc), three times faster than lexsort
        order = np.argsort(all_keys, kind="stable")
    else:
        order = np.lexsort((all_docs, all_keys))
    all_keys, all_docs = all_keys[order], all_docs[order]
    fresh = np.ones(len(all_keys), dtype=bool)
    fresh[1:] = (all_keys[1:] != all_keys[:-1]) | (all_docs[1:] != all_docs[:-1])
    return all_keys[fresh], all_docs[fresh]


_KEYS_PER_PARTITION = 1 << 24


def key_partitions(total_entries: int) -> int:
    """How many key ranges to merge ``total_entries`` bucket entries in (a power of two).

    About :data:`_KEYS_PER_PARTITION` entries per range keeps the merge's sort
    buffers to a few hundred megabytes however large the corpus.
    """
    return 1 << max(0, (total_entries // _KEYS_PER_PARTITION).bit_length())


def key_range(keys: np.ndarray, part: int, parts: int) -> slice:
    """The slice of sorted ``uint64`` keys that falls in key range ``part`` of ``parts``.

    Ranges split the 64-bit key space by its top bits (keys are uniform
    hashes, so ranges hold about equal shares). O(log K).
    """
    import numpy as np

    bits = parts.bit_length() - 1
    if bits == 0:
        return slice(0, len(keys))
    bounds = np.array([part, part + 1], dtype=np.uint64) << np.uint64(64 - bits)
    lo = int(np.searchsorted(keys, bounds[0])) if part else 0
    hi = int(np.searchsorted(keys, bounds[1])) if part + 1 < parts else len(keys)
    return slice(lo, hi)


def entries_slice(
    entries: tuple[np.ndarray, np.ndarray], part: int, parts: int
) -> tuple[np.ndarray, np.ndarray]:
    """The entries of a sorted run whose keys fall in key range ``part`` of ``parts`` (:func:`key_range`)."""
    keys, docs = entries
    span = key_range(keys, part, parts)
    return keys[span], docs[span]


def link_entries(runs: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Linked document pairs of sorted runs (one key range): one row per shared key.

    The runs hold disjoint sets of documents (one per shard); a stable sort
    of their concatenation is a linear merge (timsort). Returns ``int64``
    rows ``(doc, doc)``; feed every range's rows to :func:`pairs_from_links`.
    O(K) for K entries plus the linked rows.
    """
    import numpy as np

    empty = np.zeros((0, 2), dtype=np.int64)
    runs = [r for r in runs if len(r[0])]
    if not runs:
        return empty
    keys = np.concatenate([k for k, _ in runs])
    order = None
    if len(runs) > 1:
        # entries of one key then follow run order; _bucket_pairs restores doc order
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
    # most keys are in one document only: drop them before any other work
    same = keys[1:] == keys[:-1]
    shared = np.zeros(len(keys), dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    keep = np.flatnonzero(shared)
    docs = np.concatenate([d for _, d in runs])[keep if order is None else order[keep]]
    found = _bucket_pairs(keys[keep], docs.astype(np.int64), order is not None)
    return np.concatenate(found) if found else empty


def pairs_from_links(links: Sequence[np.ndarray], *, min_shared: int = 1) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, linked by at least ``min_shared`` rows of ``links``. O(L log L)."""
    import numpy as np

    links = [x for x in links if len(x)]
    if not links:
        return set()
    pairs = np.concatenate(links)
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    width = int(hi.max()) + 1
    # one int64 code per pair: 1-D unique is far cheaper than unique(axis=0)
    codes, counts = np.unique(lo * width + hi, return_counts=True)
    codes = codes[counts >= min_shared]
    return set(zip((codes // width).tolist(), (codes % width).tolist(), strict=True))


def pairs_from_entries(
    runs: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    min_shared: int = 1,
) -> set[tuple[int, int]]:
    """Candidate pairs from sorted runs of :func:`bucket_entries` (see :func:`candidate_pairs`).

    The runs hold disjoint sets of documents (one per shard); they are merged
    one key range at a time (:func:`key_partitions`), so the sort buffers stay
    a fraction of the entries. O(K) for K entries plus O(P log P) for P
    linked pairs.
    """
    parts = key_partitions(sum(len(k) for k, _ in runs))
    links = [
        link_entries([entries_slice(r, part, parts) for r in runs])
        for part in range(parts)
    ]
    return pairs_from_links(links, min_shared=min_shared)


def _bucket_pairs(keys: np.ndarray, docs: np.ndarray, sort_docs: bool) -> list[np.ndarray]:
    """Star rows ``(hub, doc)`` of key-sorted distinct entries: each bucket's
    first document linked to each of its other documents, one row per shared key.

    Every key given is in at least two entries. ``sort_docs``: the
    documents of one key may be out of order (merged runs). O(K).
    """
    import numpy as np

    if len(keys) < 2:
        return []
    if sort_docs:
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
    from detector.fingerprint import run_starts

    starts = run_starts(keys)
    sizes = np.diff(np.append(starts, len(keys)))
    hub = np.repeat(docs[starts], sizes)
    spoke = np.ones(len(keys), dtype=bool)
    spoke[starts] = False
    return [np.stack((hub[spoke], docs[spoke]), axis=1)]


def align_pair(doc_a: Document, doc_b: Document, params: Params) -> list[Passage]:
    """Every reused passage between two documents (tokenise, then align).

    Args:
        doc_a, doc_b: the two documents.
        params: tokenisation and alignment parameters.

    Returns:
        Passages with character spans into both original texts, ordered by
        position in A (see :func:`detector.align.align_passages`).
    """
    from detector.align import align_passages
    from detector.tokens import tokenize

    ta = tokenize(doc_a.text, stem=params.stem)
    tb = tokenize(doc_b.text, stem=params.stem)
    return align_passages(ta, tb, params)
