"""Word shingles and MinHash signatures (Broder 1997), vectorised with numpy.

Signatures are datasketch's own: :func:`document_minhash` returns a
``datasketch.MinHash`` (scheme ``affine32``) built with ``update_batch`` over
precomputed 32-bit shingle hashes, and :func:`window_signatures` computes the
very same values for many passage windows at once with numpy (a test checks
both agree bit for bit). Seeds are fixed in :class:`detector.params.Params`,
and shingle hashes derive from xxh3 token ids, never from Python's salted
``hash()``, so signatures reproduce across processes, runs and engines.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

    from detector.params import Params

__all__ = [
    "distinct_sorted",
    "distinct_sorted_many",
    "document_minhash",
    "estimate_containment",
    "in_sorted",
    "minhash_signature",
    "permuted_hashes",
    "run_starts",
    "shingle_hashes",
    "shingle_hashes_many",
    "shingle_hashes_memo",
    "signature_jaccard",
    "sorted_counts",
    "to_uint32",
    "window_counts",
    "window_signatures",
    "window_starts",
]

# Odd 64-bit multipliers (from splitmix64/xxh64 primes) for combining token
# ids into an order-sensitive shingle hash; arithmetic wraps modulo 2**64.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT29 = np.uint64(29)
_SHIFT32 = np.uint64(32)


# shingle_hashes_memo's precomputed hashes: (id(ids), k) -> (ids, hashes)
_MEMO: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def shingle_hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """Order-sensitive 64-bit hashes of every run of ``k`` consecutive tokens.

    Args:
        ids: ``uint64`` token ids (``Tokens.ids``).
        k: shingle length in tokens.

    Returns:
        ``uint64`` array of length ``max(len(ids) - k + 1, 0)``; texts shorter
        than ``k`` tokens but non-empty give one shingle of all their tokens.
        O(n k) vectorised operations. Inside :func:`shingle_hashes_memo`, the
        precomputed (read-only) hashes of the arrays it was given.
    """
    if _MEMO:
        hit = _MEMO.get((id(ids), k))
        if hit is not None and hit[0] is ids:
            return hit[1]
    ids = np.asarray(ids, dtype=np.uint64)
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    return _rolling(ids, min(k, n))


def _rolling(ids: np.ndarray, k: int) -> np.ndarray:
    """The hash of each run of ``k`` tokens of ``ids`` (``len(ids) >= k >= 1``)."""
    m = len(ids) - k + 1
    # array arithmetic on unsigned integers wraps silently (no errstate
    # needed: entering it cost a fifth of this function on a short post)
    acc = np.zeros(m, dtype=np.uint64)
    for offset in range(k):
        acc = (acc ^ ids[offset : m + offset]) * _MIX
        acc ^= acc >> _SHIFT29
    acc *= _MIX2
    acc ^= acc >> _SHIFT32
    return acc


def shingle_hashes_many(ids_list: Sequence[np.ndarray], k: int) -> list[np.ndarray]:
    """:func:`shingle_hashes` of each array, computed over their concatenation at once.

    Equal to ``[shingle_hashes(ids, k) for ids in ids_list]``: a run that
    would cross from one array into the next is computed and dropped. Each
    result is a read-only view of one array for all (shorter arrays than
    ``k``, whose one shingle spans all their tokens, of a second one).
    O(N k) vectorised operations for N ids in all, whatever their number.
    """
    lengths = [len(x) for x in ids_list]
    if not ids_list:
        return []
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    every = np.concatenate([np.asarray(x, dtype=np.uint64) for x in ids_list])
    empty = np.zeros(0, dtype=np.uint64)
    empty.flags.writeable = False
    out = [empty] * len(lengths)
    if len(every) >= k:
        runs = _rolling(every, k)
        runs.flags.writeable = False
        for n, (start, size) in enumerate(zip(offsets[:-1].tolist(), lengths, strict=True)):
            if size >= k:
                out[n] = runs[start : start + size - k + 1]
    short = [n for n, size in enumerate(lengths) if 0 < size < k]
    for size in sorted({lengths[n] for n in short}):
        # every array of this length is one run of `size` tokens
        group = [n for n in short if lengths[n] == size]
        one = _rolling(np.concatenate([every[offsets[n] : offsets[n] + size] for n in group]), size)[::size]
        one.flags.writeable = False
        for j, n in enumerate(group):
            out[n] = one[j : j + 1]
    return out


@contextlib.contextmanager
def shingle_hashes_memo(ids_list: Sequence[np.ndarray], ks: Sequence[int]) -> Iterator[None]:
    """Within the block, :func:`shingle_hashes` of these very arrays for these ``k`` is precomputed.

    The stages hash one document's tokens several times (its shingles, its
    phrase 3-grams, its repeats); for a run of short documents that is
    many small array calls each. This computes them for all the documents
    at once (:func:`shingle_hashes_many`) and lets the calls find them.
    Arrays are matched by identity (kept alive here), so any other call
    computes as usual. Not re-entrant.
    """
    for k in set(ks):
        for ids, hashes in zip(ids_list, shingle_hashes_many(ids_list, k), strict=True):
            _MEMO[(id(ids), k)] = (ids, hashes)
    try:
        yield
    finally:
        _MEMO.clear()


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted 1-D array (indices). O(n)."""
    if len(ordered) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array, sorted: ``np.unique`` by sorting.

    numpy 2.3's ``np.unique`` takes a hash-table path for plain calls, which
    measured 5-10x slower than sorting on the integer arrays here (1,000 to
    10^7 hashes). O(n log n).
    """
    ordered = np.sort(np.asarray(values).ravel())
    return ordered[run_starts(ordered)]


_MANY_MAX = 64
"""Longest array that :func:`distinct_sorted_many` sorts together with others."""


def distinct_sorted_many(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """:func:`distinct_sorted` of each array, with one sort for all of them.

    Equal to ``[distinct_sorted(a) for a in arrays]``. Arrays of at most
    :data:`_MANY_MAX` values, 1-D and of one unsigned integer dtype, are
    sorted together (each result a view of one array); others alone.
    ``uint32`` values are sorted as ``(array number << 32) | value`` in one
    ``uint64`` sort, wider ones by ``lexsort``. O(N log N) for N values in all.
    """
    if not arrays:
        return []
    dtype = np.asarray(arrays[0]).dtype
    if dtype.kind != "u" or any(np.asarray(a).dtype != dtype or np.ndim(a) != 1 for a in arrays):
        return [distinct_sorted(a) for a in arrays]
    # one sort for all pays on short arrays only (its cost per value is
    # higher): long ones are sorted alone
    short = [n for n, a in enumerate(arrays) if len(a) <= _MANY_MAX]
    if len(short) < len(arrays):
        out = [distinct_sorted(a) if len(a) > _MANY_MAX else None for a in arrays]
        for n, found in zip(short, distinct_sorted_many([arrays[n] for n in short]), strict=True):
            out[n] = found
        return out  # type: ignore[return-value]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    owner = np.repeat(np.arange(len(arrays), dtype=np.uint64), lengths)
    values = np.concatenate(arrays).astype(dtype, copy=False)
    if dtype.itemsize <= 4:
        keyed = np.sort((owner << _SHIFT32) | values.astype(np.uint64))
        keyed = keyed[run_starts(keyed)]
        owners = keyed >> _SHIFT32
        values = (keyed & np.uint64(0xFFFFFFFF)).astype(dtype)
    else:
        order = np.lexsort((values, owner))
        values, owner = values[order], owner[order]
        if len(values):
            new = np.concatenate(([True], (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])))
            values, owner = values[new], owner[new]
        owners = owner
    bounds = np.searchsorted(owners, np.arange(len(arrays) + 1, dtype=np.uint64)).tolist()
    return [values[bounds[n] : bounds[n + 1]] for n in range(len(arrays))]


def sorted_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and how often each occurs, by sorting (see :func:`distinct_sorted`).

    O(n log n).
    """
    ordered = np.sort(np.asarray(values).ravel())
    starts = run_starts(ordered)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def in_sorted(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Boolean mask: which ``values`` occur in the sorted array ``members``.

    Binary search, O(n log m); ``np.isin`` re-hashes ``members`` on every
    call (numpy 2.3), which cost 1.5 ms per call for 5,000 members.
    """
    values = np.asarray(values)
    if len(members) == 0:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(members, values), len(members) - 1)
    return members[pos] == values


def to_uint32(hashes: np.ndarray) -> np.ndarray:
    """The low 32 bits of 64-bit shingle hashes: what datasketch's ``affine32`` MinHash sees."""
    return (np.asarray(hashes, dtype=np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@functools.lru_cache(maxsize=8)
def _template(num_perm: int, seed: int) -> MinHash:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, hashfunc=int)


def document_minhash(hashes: np.ndarray, params: Params) -> MinHash:
    """A datasketch ``MinHash`` of a set of shingle hashes.

    Args:
        hashes: shingle hashes from :func:`shingle_hashes` (64-bit; the low
            32 bits are used, as datasketch's ``affine32`` scheme expects).
        params: ``num_perm`` and ``seed``.

    Returns:
        A MinHash built by ``update_batch`` (O(s * num_perm) for s shingles).
    """
    m = _template(params.num_perm, params.seed).copy()
    if len(hashes):
        m.update_batch(distinct_sorted(to_uint32(hashes)).tolist())
    return m


def window_starts(n_shingles: int, window: int, step: int) -> np.ndarray:
    """Start indices (in shingles) of passage windows covering ``n_shingles``.

    Windows are ``window`` shingles long, every ``step`` shingles; the last
    window is aligned to the end so no tail is left uncovered. A text with
    fewer shingles than ``window`` has one window.
    """
    if n_shingles <= 0:
        return np.zeros(0, dtype=np.int64)
    if n_shingles <= window:
        return np.zeros(1, dtype=np.int64)
    starts = np.arange(0, n_shingles - window + 1, step, dtype=np.int64)
    if starts[-1] != n_shingles - window:
        starts = np.append(starts, n_shingles - window)
    return starts


def window_counts(n_shingles: np.ndarray, window: int, step: int) -> np.ndarray:
    """``len(window_starts(n, window, step))`` for each ``n``, without building the starts. O(len)."""
    n = np.asarray(n_shingles, dtype=np.int64)
    over = n - window
    many = over // step + 1 + (over % step != 0)
    return np.where(n <= 0, 0, np.where(over <= 0, 1, many)).astype(np.int64)


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` for a seed.

    The same draws as ``datasketch.MinHash(num_perm, seed)._init_permutations``
    (a test checks signatures against datasketch bit for bit). Re-deriving
    them here keeps datasketch, whose package import pulls in SciPy's
    integrators for LSH tuning (about 0.3 s), off the two-document path.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies before permuting."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def permuted_hashes(hashes: np.ndarray, params: Params) -> np.ndarray:
    """The (s x num_perm) ``uint32`` matrix of permuted shingle values.

    Row-wise minima over any subset of rows give that subset's MinHash
    signature (datasketch ``affine32``); O(s * num_perm).
    """
    a, b = _permutations(params.num_perm, params.seed)
    hv = _fmix32(to_uint32(hashes).reshape(-1, 1))
    return hv * a + b  # uint32 arithmetic wraps: the affine32 scheme


def minhash_signature(hashes: np.ndarray, params: Params) -> np.ndarray:
    """The ``uint32`` MinHash values of a set of shingle hashes.

    Equal to ``document_minhash(hashes, params).hashvalues``, without
    importing datasketch. An empty set gives all-ones (datasketch's initial
    value). O(s * num_perm).
    """
    if len(hashes) == 0:
        return np.full(params.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    return permuted_hashes(hashes, params).min(axis=0)


def signature_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def window_signatures(
    hashes: np.ndarray, starts: np.ndarray, window: int, params: Params
) -> np.ndarray:
    """MinHash signatures of many windows of one shingle sequence at once.

    Identical to ``document_minhash(hashes[s:s+window]).hashvalues`` for each
    start ``s``, computed without Python loops over shingles: the permuted
    values of all shingles form one (s x num_perm) ``uint32`` matrix and each
    window takes a column-wise minimum over its rows.

    Args:
        hashes: shingle hashes of one text.
        starts: window start indices (see :func:`window_starts`).
        window: window length in shingles.
        params: ``num_perm`` and ``seed``.

    Returns:
        ``uint32`` array of shape ``(len(starts), num_perm)``. Memory
        O(s * num_perm) 4-byte words for s shingles; time O(s * num_perm * w / step).
    """
    if len(hashes) == 0 or len(starts) == 0:
        return np.zeros((0, params.num_perm), dtype=np.uint32)
    phv = permuted_hashes(hashes, params)
    out = np.empty((len(starts), params.num_perm), dtype=np.uint32)
    for row, start in enumerate(starts):
        out[row] = phv[start : start + window].min(axis=0)
    return out


def estimate_containment(jaccard: float, size_a: int, size_b: int) -> tuple[float, float]:
    """Containment each way from a Jaccard estimate and the two set sizes.

    ``|A ∩ B| = J (|A| + |B|) / (1 + J)``; containment of A in B is
    ``|A ∩ B| / |A|``. Returns ``(containment_a, containment_b)`` clipped to [0, 1].
    """
    if size_a == 0 or size_b == 0:
        return 0.0, 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / size_a), min(1.0, inter / size_b)
