"""Tuning parameters: the one home for defaults, shared by the API and the CLI.

Units are in the names: ``*_words`` count word tokens, ``*_chars`` count
characters of the original text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["DEFAULT_PARAMS", "Params"]


@dataclass(frozen=True)
class Params:
    """Parameters of the fingerprint, align and group stages.

    Attributes:
        stem: apply Snowball stemming (English/Russian) to the normalised token
            copies used for matching; displayed text is never stemmed.
        seed_ngram: length in tokens of the exact n-grams that seed an alignment.
        max_seed_df: an n-gram that occurs more often than this inside one
            document is too common to seed with (avoids quadratic blow-up on
            repeated boilerplate).
        max_gap_words: largest run of unmatched tokens (on either side)
            allowed between two chained seeds of one passage.
        max_diagonal_drift: largest change of diagonal (b_pos - a_pos, in
            tokens) between consecutive chained seeds.
        min_words: smallest passage reported, in tokens of the shorter side.
        min_score: smallest passage score (rapidfuzz normalised similarity of
            the two token sequences, 0..1) reported.
        sentence_seeds: also seed on sentence pairs with tf-idf cosine above
            ``sentence_cosine`` and Dice above ``sentence_dice`` (PAN 2014).
        shingle_size: word shingle length (tokens) for the document-level
            MinHash similarity figures of ``compare``.
        lsh_shingle_size: word shingle length (tokens) of the passage-window
            sketches that find candidate pairs in a corpus. Shorter than
            ``shingle_size`` because spinning breaks long shingles: with 30%
            of words swapped, 17% of 5-word shingles survive but 34% of
            3-word ones, enough for a window to reach the LSH threshold.
        num_perm: MinHash permutations.
        seed: MinHash seed; fixed so signatures reproduce run to run.
        window_words: passage-window length (tokens) for corpus LSH.
        window_step: step between passage windows (tokens).
        lsh_bands, lsh_rows: LSH band shape over window signatures
            (datasketch ``MinHashLSH(params=(bands, rows))``); ``bands * rows``
            must not exceed ``num_perm``.
        lsh_min_bands: bucket keys two documents must share to become a
            candidate pair. With 2-row bands one shared key is a likely chance
            collision between unrelated windows made of common 3-word
            shingles; reuse shares many (several windows, many bands). 64x2
            bands needing 2 shared keys keep the recall of datasketch's 28x2
            optimum for Jaccard 0.2 on spun passages (0.992 vs 0.987 of 600
            generated pairs) with a quarter of its candidate pairs on a
            10,000-document corpus (3,394 vs 12,657;
            ``benchmarks/candidate_recall.py``).
    """

    stem: bool = True
    seed_ngram: int = 3
    max_seed_df: int = 8
    max_gap_words: int = 30
    max_diagonal_drift: int = 30
    min_words: int = 20
    min_score: float = 0.45
    sentence_seeds: bool = True
    sentence_cosine: float = 0.30
    sentence_dice: float = 0.33
    shingle_size: int = 5
    lsh_shingle_size: int = 3
    num_perm: int = 128
    seed: int = 1
    window_words: int = 60
    window_step: int = 30
    lsh_bands: int = 64
    lsh_rows: int = 2
    lsh_min_bands: int = 2

    def with_(self, **changes: object) -> Params:
        """Return a copy with ``changes`` applied (unknown names raise TypeError)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_PARAMS = Params()
