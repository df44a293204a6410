"""Compare two documents: similarity figures, every reused passage, framing.

This is the library call behind ``detector compare`` and ``detector diff``;
the CLI only parses arguments and renders the :class:`CompareResult`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detector.params import DEFAULT_PARAMS, Params
from detector.schema import CompareResult, Document, FramingSpan, Passage, Similarity

if TYPE_CHECKING:
    from detector.align import AlignmentStats
    from detector.tokens import Tokens

__all__ = ["compare"]


def _as_document(doc: str | Document, default_id: str) -> Document:
    return doc if isinstance(doc, Document) else Document(id=default_id, text=doc)


def _similarity(
    ta: Tokens, tb: Tokens, passages: tuple[Passage, ...], params: Params
) -> Similarity:

    from detector.fingerprint import (
        distinct_sorted,
        estimate_containment,
        minhash_signature,
        shingle_hashes,
        signature_jaccard,
    )

    # sorting, not np.unique: its plain call imports numpy.ma (~10 ms at start-up)
    ha = distinct_sorted(shingle_hashes(ta.ids, params.shingle_size))
    hb = distinct_sorted(shingle_hashes(tb.ids, params.shingle_size))
    if len(ha) == 0 or len(hb) == 0:
        jaccard = 0.0
    else:
        # datasketch-identical signatures (see detector.fingerprint)
        jaccard = signature_jaccard(minhash_signature(ha, params), minhash_signature(hb, params))
    cont_a, cont_b = estimate_containment(jaccard, len(ha), len(hb))
    return Similarity(
        jaccard=jaccard,
        containment_a=cont_a,
        containment_b=cont_b,
        coverage_a=_coverage([p.a for p in passages], len(ta.text)),
        coverage_b=_coverage([p.b for p in passages], len(tb.text)),
    )


def _coverage(spans: list, length: int) -> float:
    """Share of ``length`` characters covered by the union of ``spans``."""
    if length == 0:
        return 0.0
    covered, end = 0, 0
    for span in sorted(spans, key=lambda s: s.start):
        start = max(span.start, end)
        if span.end > start:
            covered += span.end - start
            end = span.end
    return covered / length


def _notes(
    a: Document, b: Document, ta: Tokens, tb: Tokens, stats: AlignmentStats, params: Params
) -> tuple[str, ...]:
    """Plain-language reasons when nothing, or less than expected, was found."""
    notes: list[str] = []
    for label, doc, toks in (("a", a, ta), ("b", b, tb)):
        if not doc.text.strip():
            notes.append(f"document {label} ({doc.id}) is empty")
        elif len(toks) < params.min_words:
            notes.append(
                f"document {label} ({doc.id}) has {len(toks)} words, fewer than "
                f"min_words={params.min_words}: no passage can be that long"
            )
    if stats.kept == 0 and not notes:
        if stats.seeds == 0 and stats.sentence_seeds == 0:
            notes.append(
                f"no shared {params.seed_ngram}-word sequence and no similar sentence: "
                "the documents share no text"
            )
        else:
            notes.append(
                f"{stats.seeds} shared {params.seed_ngram}-word sequences found, "
                "but none formed a reused passage"
            )
    if stats.too_short:
        notes.append(
            f"{stats.too_short} candidate passage(s) shorter than min_words={params.min_words} "
            "not reported"
        )
    if stats.low_score:
        notes.append(
            f"{stats.low_score} candidate passage(s) below min_score={params.min_score} "
            "not reported"
        )
    if stats.overlapping:
        notes.append(
            f"{stats.overlapping} passage(s) overlapping a stronger one (text repeated "
            "inside a document) merged into it"
        )
    return tuple(notes)


def compare(
    a: str | Document,
    b: str | Document,
    params: Params = DEFAULT_PARAMS,
    *,
    framing: bool = False,
    model: object | None = None,
    cross_lingual: bool = False,
) -> CompareResult:
    """Compare two documents and return every reused passage.

    Args:
        a, b: texts or documents (strings get ids ``"a"`` and ``"b"``).
        params: tuning parameters; see :class:`detector.params.Params`.
        framing: also flag framing sentences in both documents (loads the
            framing model, which costs about half a second once).
        model: a framing model to use instead of the shipped one.
        cross_lingual: also find translated (Russian <-> English) passages
            with the sentence encoder (:mod:`detector.crosslingual`; needs
            the ``semantic`` extra, about 1.5 s to load once).

    Returns:
        A :class:`CompareResult`; its ``notes`` explain an empty result.
        Cost: O(L log L) in tokens plus alignment of the candidate regions;
        about 10-30 ms for two 1,000-word articles.
    """
    from detector.align import AlignmentStats, align_passages
    from detector.tokens import tokenize

    doc_a, doc_b = _as_document(a, "a"), _as_document(b, "b")
    ta = tokenize(doc_a.text, stem=params.stem)
    tb = tokenize(doc_b.text, stem=params.stem)
    stats = AlignmentStats()
    passages = tuple(align_passages(ta, tb, params, stats=stats))
    from detector.crosslingual import cross_lingual_hook  # light; the encoder loads only if enabled

    passages, notes = cross_lingual_hook(
        doc_a, doc_b, passages, _notes(doc_a, doc_b, ta, tb, stats, params), enabled=cross_lingual
    )
    flags: tuple[FramingSpan, ...] = ()
    if framing:
        flags = _framing(doc_a, doc_b, model)
    return CompareResult(
        a=doc_a,
        b=doc_b,
        similarity=_similarity(ta, tb, passages, params),
        passages=passages,
        framing=flags,
        notes=notes,
    )


def _framing(a: Document, b: Document, model: object | None) -> tuple[FramingSpan, ...]:
    from detector.framing import load_default_model

    clf = model if model is not None else load_default_model()
    spans: list[FramingSpan] = []
    for label, doc in (("a", a), ("b", b)):
        spans.extend(clf.explain_spans(doc.text, doc=label))  # type: ignore[attr-defined]
    return tuple(spans)
