"""Candidate pairs for corpus-wide reuse: passage-window MinHash and LSH banding.

A quoted 60-word paragraph inside a 1,500-word article gives the two
documents a whole-document Jaccard of about 0.05, far below any useful LSH
threshold; so every document is cut into overlapping passage windows
(``Params.window_words`` shingles every ``Params.window_step``) and each
window gets its own MinHash signature (:mod:`detector.fingerprint`). Two
documents become a candidate pair when any of their windows share an LSH band
(Indyk & Motwani 1998; Leskovec, Rajaraman & Ullman, *Mining of Massive
Datasets*, ch. 3.4).

Everything here is a pure function of its arguments with stable output
(xxh3 band keys, never Python's salted ``hash()``), so the local engine and
the Spark engine call the very same functions inside their workers and get
identical candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from detector.params import Params
    from detector.schema import Document, Passage
    from detector.tokens import Tokens

__all__ = [
    "DEFAULT_MAX_BUCKET",
    "DocSketch",
    "align_pair",
    "band_keys",
    "band_shape",
    "candidate_pairs",
    "sketch_document",
    "sketch_tokens",
]

DEFAULT_MAX_BUCKET = 64
"""Largest LSH bucket (in distinct documents) expanded into all its pairs."""


@dataclass(frozen=True, eq=False)
class DocSketch:
    """The passage-window fingerprint of one document.

    Attributes:
        doc: document id.
        n_tokens: number of word tokens in the document.
        starts: ``int64`` token index where each window starts (window ``w``
            covers tokens ``starts[w] .. starts[w] + window_words + shingle_size - 1``).
        signatures: ``uint32`` array ``(n_windows, num_perm)``: datasketch
            ``MinHash.hashvalues`` of each window's shingle set.
    """

    doc: str
    n_tokens: int
    starts: np.ndarray
    signatures: np.ndarray


def sketch_tokens(doc_id: str, tokens: Tokens, params: Params) -> DocSketch:
    """Window signatures of an already tokenised document (see :func:`sketch_document`)."""
    from detector.fingerprint import shingle_hashes, window_signatures, window_starts

    hashes = shingle_hashes(tokens.ids, params.shingle_size)
    starts = window_starts(len(hashes), params.window_words, params.window_step)
    sigs = window_signatures(hashes, starts, params.window_words, params)
    return DocSketch(doc=doc_id, n_tokens=len(tokens), starts=starts, signatures=sigs)


def sketch_document(doc: Document, params: Params) -> DocSketch:
    """Tokenise ``doc`` and MinHash each of its passage windows.

    Args:
        doc: the document (its text is never modified).
        params: ``stem``, ``shingle_size``, ``window_words``, ``window_step``,
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


def band_keys(signatures: np.ndarray, params: Params) -> np.ndarray:
    """Stable 64-bit LSH bucket keys of every band of every window.

    Args:
        signatures: ``uint32`` ``(n_windows, num_perm)`` window signatures.
        params: ``lsh_threshold`` and ``num_perm`` (which fix bands and rows).

    Returns:
        ``uint64`` array ``(n_windows, bands)``; key ``[w, i]`` is
        ``xxh3_64(little-endian bytes of signatures[w, i*rows:(i+1)*rows]) XOR i``,
        so equal bands of different bands never collide by construction and
        keys agree across processes, machines and engines. O(n_windows * bands).
    """
    import numpy as np
    import xxhash

    bands, rows = band_shape(params.lsh_threshold, params.num_perm)
    sigs = np.asarray(signatures)
    n = sigs.shape[0] if sigs.ndim == 2 else 0
    if n == 0:
        return np.zeros((0, bands), dtype=np.uint64)
    buf = np.ascontiguousarray(sigs[:, : bands * rows], dtype="<u4").tobytes()
    width = 4 * rows
    digest = xxhash.xxh3_64_intdigest
    flat = np.fromiter(
        (digest(buf[off : off + width]) for off in range(0, len(buf), width)),
        dtype=np.uint64,
        count=n * bands,
    ).reshape(n, bands)
    return flat ^ np.arange(bands, dtype=np.uint64)


def candidate_pairs(
    keys: Iterable[tuple[int, np.ndarray]],
    *,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    chain_oversized: bool = True,
) -> set[tuple[int, int]]:
    """Document pairs that share at least one LSH bucket.

    Args:
        keys: ``(doc_index, band_keys)`` for each document; ``band_keys`` is
            any ``uint64`` array (usually ``(n_windows, bands)`` from
            :func:`band_keys`).
        max_bucket: a bucket holding more distinct documents than this is
            not expanded into all its pairs: frequent text (boilerplate,
            site chrome) would otherwise make the candidate set quadratic.
            The boilerplate stage still finds such text (it counts recurring
            segments over the whole corpus without pairs).
        chain_oversized: link the documents of an oversized bucket in index
            order (``d1-d2, d2-d3, ...``): linear in the bucket size, and a
            story reprinted by more than ``max_bucket`` outlets is still
            found, since clustering joins the chain through the overlapping
            member spans. ``False`` skips oversized buckets entirely.

    Returns:
        Pairs ``(i, j)`` of document indices with ``i < j``. Vectorised:
        O(K log K) for K keys plus O(P) for P pairs; no all-pairs matrix.
    """
    import numpy as np

    key_parts: list[np.ndarray] = []
    doc_parts: list[np.ndarray] = []
    for doc_index, arr in keys:
        flat = np.unique(np.asarray(arr, dtype=np.uint64).ravel())
        key_parts.append(flat)
        doc_parts.append(np.full(len(flat), doc_index, dtype=np.int64))
    if not key_parts:
        return set()
    all_keys = np.concatenate(key_parts)
    all_docs = np.concatenate(doc_parts)
    if len(all_keys) < 2:
        return set()
    order = np.lexsort((all_docs, all_keys))
    all_keys, all_docs = all_keys[order], all_docs[order]
    # one entry per (key, doc): a document listed twice under one key
    fresh = np.ones(len(all_keys), dtype=bool)
    fresh[1:] = (all_keys[1:] != all_keys[:-1]) | (all_docs[1:] != all_docs[:-1])
    all_keys, all_docs = all_keys[fresh], all_docs[fresh]
    starts = np.flatnonzero(np.concatenate(([True], all_keys[1:] != all_keys[:-1])))
    sizes = np.diff(np.append(starts, len(all_keys)))
    group = np.repeat(np.arange(len(starts)), sizes)
    size_of = sizes[group]
    found: list[np.ndarray] = []
    small = (size_of >= 2) & (size_of <= max_bucket)
    largest = int(sizes[sizes <= max_bucket].max(initial=1))
    for k in range(1, largest):
        left = np.flatnonzero(small[:-k] & (group[:-k] == group[k:]))
        if len(left) == 0:
            break
        found.append(np.stack((all_docs[left], all_docs[left + k]), axis=1))
    if chain_oversized:
        big = size_of > max_bucket
        left = np.flatnonzero(big[:-1] & (group[:-1] == group[1:]))
        if len(left):
            found.append(np.stack((all_docs[left], all_docs[left + 1]), axis=1))
    if not found:
        return set()
    pairs = np.concatenate(found)
    pairs.sort(axis=1)
    pairs = np.unique(pairs, axis=0)
    return {(int(a), int(b)) for a, b in pairs}


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
