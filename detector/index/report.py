"""``detector index report``: the corpus report over every stored document.

Kept apart from the storage (:mod:`detector.index.store`) so that how a
report is built (candidates, clusters, phrases, framing) can change with the
batch engines without touching how the index stores documents. It reads the
per-document facts the index stored at ``add`` time, recomputes candidate
pairs, aligns only pairs it has not aligned before (cached in the
``alignments`` table) and runs the framing classifier only on documents it
has not flagged under the current model (``framing_flags``).

Per-document facts that the batch stages need but the index does not store
(a :class:`~detector.stages.DocFacts` field outside :data:`STORED_FACTS`,
e.g. one added to the stages after the index schema) are computed by
:func:`detector.stages.analyse_document` at report time, on every core, so
an index report equals a batch report whatever the index stores. So is the
``chrome`` of rows written before schema version 3 (NULL there); the report
stores what it computed, so it is computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from detector.index.codecs import (
    decode_flags,
    decode_passages,
    encode_flags,
    encode_passages,
    pack_chrome,
    row_document,
    unpack_chrome,
    unpack_ints,
    unpack_repeats,
    unpack_segments,
)
from detector.index.database import write_transaction
from detector.schema import Document, FramingSpan, Passage

if TYPE_CHECKING:
    from detector.index.store import Index
    from detector.schema import Report

__all__ = ["STORED_FACTS", "index_report", "unstored_facts"]

_BATCH_DOCS = 64  # documents per framing-flag write transaction

STORED_FACTS = frozenset(
    {
        "index",
        "info",
        "keys",  # banded at report time, under the corpus mask
        "segments",
        "grams",
        "repeats",
        "shingles",
        "shingle_set",  # from the stored shingles
        "phrase_seq",  # second-pass only (phrases are found from the tokens)
        "dup_sig",  # from the stored shingles
        "chrome",  # since schema version 3 (NULL in older rows: computed by the report)
    }
)
""":class:`~detector.stages.DocFacts` fields the index stores or derives without tokenising."""


def unstored_facts(doc: Document, params: Any, names: Sequence[str]) -> dict[str, Any]:
    """The ``names`` fields of ``analyse_document(doc)`` (one tokenisation). Top-level: a pool runs it."""
    from detector.stages import analyse_document

    facts = analyse_document(0, doc, params, defer_keys=True)
    return {name: getattr(facts, name) for name in names}


def _missing_facts(
    docs: Sequence[Document],
    unstored_chrome: Sequence[int],
    params: Any,
    tick: Callable[[str, int, int | None], None],
) -> dict[int, dict[str, Any]]:
    """DocFacts fields the index does not hold, by document position (only those that lack some).

    Every document lacks the fields outside :data:`STORED_FACTS`; the
    documents at ``unstored_chrome`` lack ``chrome`` too (rows written before
    schema version 3). Nothing is tokenised when the index holds them all.
    """
    import itertools
    from dataclasses import fields

    from detector.index.sketch import sketch_pool
    from detector.stages import DocFacts

    names = tuple(f.name for f in fields(DocFacts) if f.name not in STORED_FACTS)
    todo = range(len(docs)) if names else unstored_chrome
    chrome = set(unstored_chrome)
    wanted = [(*names, "chrome") if i in chrome else names for i in todo]
    out: dict[int, dict[str, Any]] = {}
    if not todo:
        return out
    # a pool only pays for itself beyond a few dozen documents
    with sketch_pool(None if len(todo) >= 64 else 1) as pool:
        args = ([docs[i] for i in todo], itertools.repeat(params), wanted)
        found = (
            pool.map(unstored_facts, *args, chunksize=16) if pool else map(unstored_facts, *args)
        )
        for i, extra in zip(todo, found, strict=True):
            out[i] = extra
            tick("facts", 1, len(todo))
    return out


def _store_chrome(ix: Index, rows: Sequence[tuple[bytes, int]]) -> None:
    """Store chrome computed for rows that had none (``(packed chrome, seq)``).

    A row replaced meanwhile by ``add`` has its own chrome already and is
    left alone.
    """
    for start in range(0, len(rows), 512):
        with write_transaction(ix._db):
            ix._db.executemany(
                "UPDATE documents SET chrome=? WHERE seq=? AND chrome IS NULL",
                rows[start : start + 512],
            )


def index_report(
    ix: Index,
    *,
    framing: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
    mask_shingles: bool = True,
) -> Report:
    """The corpus report over every stored document, equal to a batch report.

    Args:
        ix: the open index (read through ``ix._db``; ``ix.params``).
        framing: also flag framing sentences. Flags are stored per
            document and model, so the classifier runs only over
            documents not flagged by this model before.
        progress: optional ``progress(stage, advance, total)`` callback.
        mask_shingles: mask corpus-common shingles before banding, as the
            batch report does by default.

    Returns:
        The same :class:`~detector.schema.Report` that
        :func:`detector.report.build_report` gives for the stored
        documents in order of addition (``documents``, ``clusters``,
        ``duplicates``, ``repeats``, ``phrases``, ``candidates`` equal;
        ``stages`` differ).

    Per-document facts come from the database. What depends on the whole
    corpus is recomputed from the stored shingles without tokenising, as the
    batch engine's second pass does: time ranks, duplicate groups (document
    signatures), the shingle mask, and the star candidate pairs of the
    groups' representatives. Only pairs never aligned before are aligned;
    their passages are cached in the same transaction-safe way as ``add``.
    """
    import time

    import numpy as np

    from detector.boilerplate import select_phrase_grams
    from detector.candidates import band_keys, candidate_pairs, shingle_set, sketch_shingles
    from detector.duplicates import doc_signature, span_map
    from detector.engines.local import phrase_occurrences_of
    from detector.fingerprint import distinct_sorted, in_sorted
    from detector.stages import (
        DocFacts,
        assemble_clusters,
        assemble_report,
        corpus_phrases,
        doc_info,
        plan_corpus,
    )

    def tick(stage: str, advance: int, total: int | None) -> None:
        if progress is not None:
            progress(stage, advance, total)

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    seqs: list[int] = []
    docs: list[Document] = []
    facts: list[DocFacts] = []
    grams: list[np.ndarray] = []
    shingles: list[np.ndarray] = []
    unstored_chrome: list[int] = []
    empty = np.zeros(0, dtype=np.uint64)
    for row in ix._db.execute(
        "SELECT seq, id, text, outlet, date, url, lang, extra, n_tokens, shingles, segments, "
        "grams, repeats, chrome FROM documents ORDER BY seq"
    ):
        seq, doc = row_document(row[:8])
        n_tokens, sh, seg, gram, rep, chrome = row[8:]
        pos = len(docs)
        if chrome is None:
            unstored_chrome.append(pos)
        seqs.append(seq)
        docs.append(doc)
        grams.append(unpack_ints(gram))
        ordered = np.frombuffer(sh, dtype="<u4").astype(np.uint32)
        shingles.append(ordered)
        distinct = shingle_set(ordered)
        facts.append(
            DocFacts(
                index=pos,
                info=doc_info(doc, n_tokens),
                keys=empty,
                segments=unpack_segments(seg),
                grams=empty,
                repeats=unpack_repeats(rep, doc.id, doc.text),
                shingle_set=distinct,
                dup_sig=doc_signature(distinct, ix.params),
                chrome=() if chrome is None else unpack_chrome(chrome),
            )
        )
    stages["load"] = time.perf_counter() - t0

    t = time.perf_counter()
    extra = _missing_facts(docs, unstored_chrome, ix.params, tick)
    for i, x in extra.items():
        facts[i] = replace(facts[i], **x)
    if unstored_chrome:
        _store_chrome(ix, [(pack_chrome(facts[i].chrome), seqs[i]) for i in unstored_chrome])
    stages["facts"] = time.perf_counter() - t

    # What a batch report decides over the whole corpus (time order,
    # duplicate groups, the mask of outlet chrome and formulae) changes as
    # the archive grows, so it is recomputed, and the representatives are
    # banded again under their time ranks (a bucket's lowest rank is its
    # earliest document, the hub of the star).
    t = time.perf_counter()
    outlets = [d.outlet for d in docs]
    plan = plan_corpus(facts, mask_shingles=mask_shingles)
    facts = [replace(f, shingle_set=None, dup_sig=None) for f in facts]
    rank_keys = [
        (
            int(plan.ranks[i]),
            distinct_sorted(
                band_keys(
                    sketch_shingles(d.id, f.info.words, sh, ix.params, mask=plan.mask).signatures,
                    ix.params,
                )
            ),
        )
        for i, (d, f, sh) in enumerate(zip(docs, facts, shingles, strict=True))
        if plan.dups.is_rep(i)
    ]
    del shingles
    pairs = plan.pairs_in_index_order(
        candidate_pairs(rank_keys, min_shared=ix.params.lsh_min_bands)
    )
    del rank_keys
    stages["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    passages = _aligned(ix, pairs, seqs, docs, tick)
    blocks = {d: span_map(docs[r].text, docs[d].text) for r, d in plan.duplicate_pairs()}
    stages["align"] = time.perf_counter() - t

    t = time.perf_counter()

    def text_of(i: int) -> str:
        return docs[i].text

    clusters = assemble_clusters(facts, passages, text_of, plan, blocks)
    selected, df = select_phrase_grams(enumerate(grams), outlets)
    stages["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    occurrences: list[tuple[int, int, int, int, int]] = []
    flags: list[Any] = []
    notes: list[str] = []
    model = None
    if framing:
        try:
            from detector.framing import load_default_model

            model = load_default_model()
        except Exception as exc:  # the report stands without framing; say why
            notes.append(f"framing not run: {type(exc).__name__}: {exc}")
    if len(selected):
        # a document none of whose 3-grams was selected has no occurrence
        hits = [i for i in range(len(docs)) if in_sorted(grams[i], selected).any()]
        occurrences = phrase_occurrences_of(docs, hits, selected, df, ix.params)
    if model is not None:
        flags = _framing_flags(ix, model, seqs, docs, tick)
    phrases = corpus_phrases(occurrences, facts, clusters, text_of)
    stages["phrases+framing"] = time.perf_counter() - t
    stages["total"] = time.perf_counter() - t0
    return assemble_report(
        facts,
        clusters,
        phrases,
        flags,
        {d.id: d.text for d in docs},
        candidates=len(pairs),
        stages=stages,
        notes=notes,
        plan=plan,
    )


def _framing_flags(
    ix: Index,
    model: Any,
    seqs: Sequence[int],
    docs: Sequence[Document],
    tick: Callable[[str, int, int | None], None],
) -> list[FramingSpan]:
    """Framing flags of every document: stored ones, the rest flagged now and stored.

    Flags are kept per document and model fingerprint
    (:func:`detector.persist.model_fingerprint`), so a report re-runs the
    classifier only on documents added since the last report (or on all
    of them after a model change). Written in batch transactions like
    ``add``.
    """
    from detector.persist import model_fingerprint

    fingerprint = model_fingerprint(model)
    stored: dict[int, list[FramingSpan]] = {}
    by_doc = {seq: doc for seq, doc in zip(seqs, docs, strict=True)}
    for seq, data in ix._db.execute("SELECT doc, flags FROM framing_flags WHERE model=?", (fingerprint,)):
        doc = by_doc.get(seq)
        decoded = decode_flags(data, doc.id) if doc is not None else None
        if decoded is not None:  # rows without stances are flagged again
            stored[seq] = decoded
    flags: list[FramingSpan] = []
    fresh: list[tuple[int, str, str]] = []

    def flush() -> None:
        with write_transaction(ix._db):
            ix._db.executemany(
                "INSERT OR REPLACE INTO framing_flags(doc, model, flags) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM documents WHERE seq=?)",
                ((seq, model_id, data, seq) for seq, model_id, data in fresh),
            )
        fresh.clear()

    by_seq: dict[int, list[FramingSpan]] = {}
    missing = [(seq, doc) for seq, doc in zip(seqs, docs, strict=True) if seq not in stored]
    tick("framing", len(docs) - len(missing), len(docs))
    for start in range(0, len(missing), _BATCH_DOCS):
        batch = missing[start : start + _BATCH_DOCS]
        # one classifier batch for the batch's documents, split back by document
        found: dict[str, list[FramingSpan]] = {doc.id: [] for _, doc in batch}
        for flag in model.flag_documents([doc for _, doc in batch]):
            found[flag.doc].append(flag)
        for seq, doc in batch:
            by_seq[seq] = found[doc.id]
            fresh.append((seq, fingerprint, encode_flags(found[doc.id])))
        flush()
        tick("framing", len(batch), len(docs))
    for seq in seqs:
        flags.extend(stored[seq] if seq in stored else by_seq[seq])
    return flags


def _aligned(
    ix: Index,
    pairs: Sequence[tuple[int, int]],
    seqs: Sequence[int],
    docs: Sequence[Document],
    tick: Callable[[str, int, int | None], None],
) -> list[tuple[int, int, Passage]]:
    """Passages of every pair (positions), from the cache or aligned now and cached."""
    from detector.engines.local import align_pairs

    cached: dict[tuple[int, int], str] = {}
    for a, b, data in ix._db.execute("SELECT doc_a, doc_b, passages FROM alignments"):
        cached[(a, b)] = data
    found: dict[tuple[int, int], list[Passage]] = {}
    todo: list[tuple[int, int]] = []
    for i, j in pairs:
        data = cached.get((seqs[i], seqs[j]))
        if data is None:
            todo.append((i, j))
        else:
            found[(i, j)] = decode_passages(data)
    tick("align", len(pairs) - len(todo), len(pairs))
    fresh: list[tuple[int, int, str]] = []
    # pairs never aligned before, on every core; stored as they come
    for i, j, passages in align_pairs(
        docs, todo, ix.params, progress=lambda n: tick("align", n, len(pairs))
    ):
        found[(i, j)] = passages
        fresh.append((seqs[i], seqs[j], encode_passages(passages)))
        if len(fresh) >= 512:
            _store_alignments(ix, fresh)
            fresh = []
    if fresh:
        _store_alignments(ix, fresh)
    return [(i, j, p) for i, j in pairs for p in found[(i, j)]]


def _store_alignments(ix: Index, rows: list[tuple[int, int, str]]) -> None:
    with write_transaction(ix._db):
        ix._db.executemany(
            "INSERT OR REPLACE INTO alignments(doc_a, doc_b, passages) VALUES (?,?,?)", rows
        )
