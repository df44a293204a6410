"""The corpus report's stages: per-document facts, then corpus-level assembly.

The work is split into pure, engine-neutral pieces so the local
(multiprocessing) engine, the Spark engine and the index run the same code;
:mod:`detector.report` is the front that picks an engine.

1. :func:`analyse_document` (per document, in workers): tokens, segment keys
   (boilerplate), phrase 3-grams, the document's internal repeats, and (with
   ``defer_keys=True``) its shingles and document signature.
2. :func:`plan_corpus` (corpus): time order, duplicate groups
   (:mod:`detector.duplicates`) and the shingle mask, counted over
   representatives only, so copies of one article never look like chrome.
3. :func:`with_band_keys` (per representative): window band keys;
   :func:`detector.candidates.candidate_pairs` (corpus, documents numbered in
   time order): star pairs; :func:`detector.align.align_passages` (per pair)
   and :func:`detector.duplicates.span_map` (per duplicate).
4. :func:`assemble_clusters` (corpus): boilerplate groups and star clusters.
5. :func:`detector.boilerplate.phrase_occurrences` and framing (per
   document), then :func:`assemble_report` (corpus).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from detector.params import DEFAULT_PARAMS, Params
from detector.schema import (
    Cluster,
    DocInfo,
    Document,
    DuplicateGroup,
    FramingCount,
    FramingSpan,
    Passage,
    Phrase,
    Repeat,
    Report,
)

if TYPE_CHECKING:
    import numpy as np

    from detector.boilerplate import PhraseSeq
    from detector.tokens import Tokens

__all__ = [
    "CorpusPlan",
    "DocFacts",
    "ProgressCallback",
    "analyse_document",
    "assemble_clusters",
    "assemble_report",
    "copies_of",
    "corpus_phrases",
    "doc_info",
    "document_index",
    "duplicate_section",
    "framing_counts",
    "in_boilerplate",
    "plan_corpus",
    "unit_index",
    "with_band_keys",
]

ProgressCallback = Callable[[str, int, "int | None"], None]
"""``progress(stage, advance, total)``: ``advance`` items of ``stage`` done
(``total`` known, or None); called from the main process only."""


@dataclass(frozen=True, eq=False, slots=True)
class DocFacts:
    """What the corpus stages need from one document (its text stays out).

    Slotted: a corpus of a million short posts holds a million of these in
    the main process (130 bytes each instead of 186 with a ``__dict__``).

    Attributes:
        index: position of the document in the input.
        info: its metadata.
        keys: ``uint64`` LSH band keys ``(n_windows, bands)``.
        segments: ``(keys, starts, ends, words)`` of its lines/sentences.
        grams: distinct phrase 3-gram hashes (None once the corpus counts
            are taken).
        repeats: text repeated inside it.
        shingles: with deferred keys, its ``uint32`` shingle hashes in text
            order (else None).
        shingle_set: with deferred keys, the distinct ones
            (:func:`detector.candidates.shingle_set`; else None).
        phrase_seq: with deferred keys, its phrase 3-grams in text order
            (:func:`detector.boilerplate.phrase_seq`), so phrases are found
            in the second pass without tokenising again (else None).
        dup_sig: with deferred keys, its document signature
            (:func:`detector.duplicates.doc_signature`; None for a short one).
        chrome: its line affixes and chrome lines
            (:func:`detector.chrome.chrome_occurrences`).
    """

    index: int
    info: DocInfo
    keys: np.ndarray
    segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    grams: np.ndarray | None
    repeats: tuple[Repeat, ...]
    shingles: np.ndarray | None = None
    shingle_set: np.ndarray | None = None
    phrase_seq: PhraseSeq | None = None
    dup_sig: np.ndarray | None = None
    chrome: tuple[tuple[int, int, int, int], ...] = ()

    # Facts cross a process boundary once per document (worker -> main). A
    # dozen small numpy arrays pickle at about 45 us a document on the main
    # process's side, which made the main process the bottleneck on short
    # posts; packed into one buffer they cost a fraction of that.
    def __getstate__(self) -> tuple[Any, ...]:
        import numpy as np

        meta: list[tuple[str, tuple[int, ...]] | None] = []
        chunks: list[bytes] = []
        for arr in (self.keys, self.grams, self.shingles, self.shingle_set, self.dup_sig, *self.segments):
            if arr is None:
                meta.append(None)
                continue
            arr = np.ascontiguousarray(arr)
            meta.append((arr.dtype.str, arr.shape))
            chunks.append(arr.tobytes())
        return (self.index, self.info, self.repeats, self.phrase_seq, self.chrome, tuple(meta), b"".join(chunks))

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        import numpy as np

        index, info, repeats, phrase_seq, chrome, meta, blob = state
        arrays: list[Any] = []
        offset = 0
        for item in meta:
            if item is None:
                arrays.append(None)
                continue
            dtype, shape = _dtype(item[0]), item[1]
            count = math.prod(shape)
            # a copy, so an array dropped later (the corpus counts are done
            # with shingle sets) does not keep the whole buffer alive
            arr = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).copy()
            offset += count * dtype.itemsize
            arrays.append(arr if len(shape) == 1 else arr.reshape(shape))
        keys, grams, shingles, shingle_set, dup_sig, *segments = arrays
        for name, value in (
            ("index", index),
            ("info", info),
            ("keys", keys),
            ("segments", tuple(segments)),
            ("grams", grams),
            ("repeats", repeats),
            ("shingles", shingles),
            ("shingle_set", shingle_set),
            ("phrase_seq", phrase_seq),
            ("dup_sig", dup_sig),
            ("chrome", chrome),
        ):
            object.__setattr__(self, name, value)

    def forget_counts(self) -> None:
        """Drop, in place, what only the corpus counts read: ``shingle_set``, ``grams``, ``dup_sig``.

        For an engine that holds the only references to these facts, once
        :func:`plan_corpus` and the phrase selection are done, so the arrays
        are freed. The one exception to the frozen contract: a new object
        per document (``dataclasses.replace``) cost about 10 s of the main
        process on a million short posts.
        """
        object.__setattr__(self, "shingle_set", None)
        object.__setattr__(self, "grams", None)
        object.__setattr__(self, "dup_sig", None)


@functools.lru_cache(maxsize=64)
def _dtype(code: str) -> Any:
    import numpy as np

    return np.dtype(code)


@functools.cache
def _default_of(func: Callable[..., Any], name: str) -> Any:
    """The default value of a function's parameter."""
    import inspect

    return inspect.signature(func).parameters[name].default


@functools.cache
def _no_keys() -> np.ndarray:
    """The empty ``(0, 0)`` band keys of deferred facts: one read-only array shared by all."""
    import numpy as np

    empty = np.zeros((0, 0), dtype=np.uint64)
    empty.flags.writeable = False
    return empty


def doc_info(doc: Document, words: int) -> DocInfo:
    """The report metadata of a document with ``words`` tokens."""
    return DocInfo(
        id=doc.id,
        outlet=doc.outlet,
        date=doc.date,
        url=doc.url,
        lang=doc.lang,
        chars=len(doc.text),
        words=words,
        extra=dict(doc.extra),
    )


def analyse_document(
    index: int,
    doc: Document,
    params: Params = DEFAULT_PARAMS,
    *,
    mask: np.ndarray | None = None,
    defer_keys: bool = False,
) -> DocFacts:
    """Everything the corpus stages need from one document, in one tokenisation.

    Args:
        index: position of the document in the input.
        doc: the document.
        params: tuning parameters.
        mask: sorted ``uint32`` shingles left out of the window signatures
            (:func:`detector.candidates.shingle_mask`); None masks nothing.
        defer_keys: leave ``keys`` empty and keep ``shingles`` and
            ``shingle_set`` instead, for the two-pass flow (mask from every
            document's ``shingle_set``, then :func:`with_band_keys`).

    O(n) in the text plus O(n * num_perm) for the window signatures; about
    1.5 ms for a 600-word article, most of it tokenising. Many documents at
    once: :func:`analyse_documents`.
    """
    return analyse_documents(index, [doc], params, mask=mask, defer_keys=defer_keys)[0]


def analyse_documents(
    first: int,
    docs: Sequence[Document],
    params: Params = DEFAULT_PARAMS,
    *,
    mask: np.ndarray | None = None,
    defer_keys: bool = False,
    keep_tokens: Callable[[int, Tokens], None] | None = None,
) -> list[DocFacts]:
    """:func:`analyse_document` of ``docs[k]`` as document ``first + k``, for a run of documents.

    ``keep_tokens(index, tokens)``, when given, receives each document's
    tokens (a worker keeps them for aligning, instead of tokenising again).

    The same facts, but the array work that is per document in
    :func:`analyse_document` (tokenising, shingle and phrase-gram hashes,
    their distinct sets) runs over a run of documents at once: a short
    post then costs a few array slices instead of dozens of small array
    calls. Runs hold at most :data:`RUN_CHARS` characters (a longer
    document is a run of its own): over bigger arrays the shared passes
    leave the CPU caches and cost more than they save.
    """
    out: list[DocFacts] = []
    start = 0
    while start < len(docs):
        end, size = start + 1, len(docs[start].text)
        while end < len(docs) and size + len(docs[end].text) <= RUN_CHARS:
            size += len(docs[end].text)
            end += 1
        out.extend(
            _analyse_run(
                first + start, docs[start:end], params, mask=mask, defer_keys=defer_keys, keep_tokens=keep_tokens
            )
        )
        start = end
    return out


RUN_CHARS = 32_768
"""Most characters :func:`analyse_documents` analyses together."""


def _analyse_run(
    first: int,
    docs: Sequence[Document],
    params: Params,
    *,
    mask: np.ndarray | None,
    defer_keys: bool,
    keep_tokens: Callable[[int, Tokens], None] | None = None,
) -> list[DocFacts]:
    """:func:`analyse_documents` of one run."""
    from detector.boilerplate import PHRASE_MIN_WORDS, phrase_seq, repeat_runs, segments
    from detector.candidates import band_keys, sketch_shingles
    from detector.chrome import chrome_occurrences
    from detector.cluster import find_repeats
    from detector.fingerprint import (
        distinct_sorted_many,
        shingle_hashes,
        shingle_hashes_memo,
        to_uint32,
    )
    from detector.tokens import tokenize_many

    all_tokens = tokenize_many([d.text for d in docs], stem=params.stem)
    if keep_tokens is not None:
        for n, tokens in enumerate(all_tokens):
            keep_tokens(first + n, tokens)
    k = params.lsh_shingle_size
    out: list[DocFacts] = []
    deferred: list[dict[str, Any]] = []  # with defer_keys: finished below
    # the hashes the stages take of each document: its shingles, its phrase
    # 3-grams and the n-grams that seed its repeats
    repeat_n = _default_of(repeat_runs, "n")
    with shingle_hashes_memo([t.ids for t in all_tokens], (k, PHRASE_MIN_WORDS, repeat_n)):
        hashes = [shingle_hashes(t.ids, k) for t in all_tokens]
        seqs = [phrase_seq(t) for t in all_tokens]
        grams = distinct_sorted_many([seq.grams[seq.ok] for seq in seqs])
        for n, (doc, tokens) in enumerate(zip(docs, all_tokens, strict=True)):
            seg = segments(tokens)
            common = {
                "index": first + n,
                "info": doc_info(doc, len(tokens)),
                "segments": seg,
                "grams": grams[n],
                "repeats": tuple(find_repeats(doc.id, doc.text, repeat_runs(tokens, seg))),
                "chrome": chrome_occurrences(tokens),
            }
            if defer_keys:
                deferred.append(common)
                continue
            sketch = sketch_shingles(doc.id, len(tokens), hashes[n], params, mask=mask)
            # built once (dataclasses.replace costs more than the rest on a short post)
            out.append(DocFacts(keys=band_keys(sketch.signatures, params), **common))
    if not defer_keys:
        return out
    import numpy as np

    from detector.duplicates import doc_signature

    # with every document's shingle set at once; shingle sets as detector.candidates.shingle_set gives them: the
    # distinct low 32 bits of the shingle hashes
    lengths = [len(h) for h in hashes]
    flat = to_uint32(np.concatenate(hashes)) if hashes else np.zeros(0, dtype=np.uint32)
    bounds = np.cumsum([0, *lengths]).tolist()
    shingles = [flat[bounds[n] : bounds[n + 1]] for n in range(len(docs))]
    distinct = distinct_sorted_many(shingles)
    return [
        DocFacts(
            keys=_no_keys(),
            shingles=shingles[n],
            shingle_set=distinct[n],
            phrase_seq=seqs[n],
            dup_sig=doc_signature(distinct[n], params),
            **common,
        )
        for n, common in enumerate(deferred)
    ]


def with_band_keys(facts: DocFacts, params: Params, mask: np.ndarray | None) -> DocFacts:
    """The second pass: band keys from deferred shingles, shingles dropped.

    Args:
        facts: from ``analyse_document(..., defer_keys=True)``.
        params: tuning parameters (the same as the first pass).
        mask: sorted ``uint32`` shingles to leave out (or None).

    Returns:
        ``facts`` with ``keys`` set and ``shingles``/``shingle_set``/``phrase_seq`` None;
        identical to ``analyse_document(..., mask=mask)``. O(s * num_perm).
    """
    from detector.candidates import band_keys, sketch_shingles

    if facts.shingles is None:
        raise ValueError(f"document {facts.info.id!r} has no deferred shingles")
    sketch = sketch_shingles(facts.info.id, facts.info.words, facts.shingles, params, mask=mask)
    return replace(
        facts,
        keys=band_keys(sketch.signatures, params),
        shingles=None,
        shingle_set=None,
        phrase_seq=None,
    )


@dataclass(frozen=True, eq=False)
class CorpusPlan:
    """What the corpus-level counting decides before the passage search.

    Attributes:
        ranks: time rank of each document (:func:`detector.duplicates.time_ranks`).
        order: documents in time order (``order[ranks[i]] == i``).
        dups: duplicate groups (:func:`detector.duplicates.find_duplicates`).
        mask: sorted ``uint32`` shingles left out of window signatures, or None.
    """

    ranks: np.ndarray
    order: np.ndarray
    dups: Any
    mask: np.ndarray | None

    def pairs_in_index_order(self, rank_pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Star pairs found over time ranks as ``(earlier doc index, later doc index)``, sorted."""
        order = self.order
        return sorted((int(order[a]), int(order[b])) for a, b in rank_pairs)

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        """``(representative, duplicate)`` doc index pairs, one per duplicate."""
        return [(g[0], d) for g in self.dups.groups for d in g[1:]]


def plan_corpus(facts: Sequence[DocFacts], *, mask_shingles: bool = True) -> CorpusPlan:
    """Time order, duplicate groups and the shingle mask from first-pass facts.

    The mask counts representatives only: three copies of one article in
    its own outlet (AMP, print, updated) are one text, not chrome.
    O(n log n + S log S) for S (document, shingle) entries.
    """
    import numpy as np

    from detector.candidates import shingle_mask
    from detector.duplicates import find_duplicates, time_ranks

    infos = [f.info for f in facts]
    ranks = time_ranks(infos)
    order = np.argsort(ranks, kind="stable")
    dups = find_duplicates([f.dup_sig for f in facts], ranks)
    mask = None
    if mask_shingles:
        mask = shingle_mask(
            ((f.index, f.shingle_set) for f in facts if dups.is_rep(f.index) and f.shingle_set is not None),
            [i.outlet for i in infos],
        )
    return CorpusPlan(ranks=ranks, order=order, dups=dups, mask=mask)


def copies_of(
    plan: CorpusPlan, blocks: dict[int, np.ndarray]
) -> dict[int, list[tuple[int, Callable[[int, int], tuple[int, int] | None]]]]:
    """Per representative, ``(duplicate, carry)`` for :func:`detector.cluster.star_clusters`.

    Args:
        plan: the corpus plan.
        blocks: per duplicate document, its :func:`detector.duplicates.span_map`
            blocks against its representative.
    """
    from detector.duplicates import OffsetMap

    out: dict[int, list[tuple[int, Callable[[int, int], tuple[int, int] | None]]]] = defaultdict(list)
    for doc, bl in blocks.items():
        out[int(plan.dups.rep[doc])].append((doc, OffsetMap(bl).span))
    return out


EDGE_TEMPLATE_MIN_DOCS = 3
"""Documents of one outlet an edge-only text must recur in to be its chrome."""


def _index_of(clusters: Sequence[Cluster], infos: Sequence[DocInfo]) -> dict[str, int]:
    """Document index by id, for the documents of single-outlet clusters only."""
    wanted = {
        m.doc
        for c in clusters
        if len(c.outlets) == 1 and c.kind == "reuse"
        for m in c.members
    }
    return {info.id: i for i, info in enumerate(infos) if info.id in wanted}


def _edge_template(cluster: Cluster, facts: Sequence[DocFacts], index_of: dict[str, int]) -> Cluster:
    """A single-outlet text found only at its documents' edges is that outlet's chrome.

    A masthead or footer that OCR or small edits vary ("NORWICH, CONN.,
    SATURDAY, APRIL 1, 1916 ... PRICE TWO CENTS") escapes the exact segment
    counts of :func:`detector.boilerplate.boilerplate_groups`, but the
    alignment still finds it. It is chrome, not a story the outlet printed
    again, when it recurs in at least :data:`EDGE_TEMPLATE_MIN_DOCS`
    documents of one outlet, every member lies within the first or last
    :data:`detector.boilerplate.EDGE_SEGMENTS` segments of its document, and
    no member is more than a third of its document's words (a reposted
    story is most of its post). O(members).
    """
    from detector.boilerplate import EDGE_SEGMENTS

    if cluster.kind != "reuse" or len(cluster.outlets) != 1:
        return cluster
    if len({m.doc for m in cluster.members}) < EDGE_TEMPLATE_MIN_DOCS:
        return cluster
    for m in cluster.members:
        f = facts[index_of[m.doc]]
        _, starts, ends, _ = f.segments
        n = len(starts)
        if n == 0 or 3 * m.words > f.info.words:
            return cluster
        at_head = m.end <= ends[min(EDGE_SEGMENTS, n) - 1]
        at_tail = m.start >= starts[max(0, n - EDGE_SEGMENTS)]
        if not (at_head or at_tail):
            return cluster
    return replace(cluster, kind="boilerplate")


def assemble_clusters(
    facts: Sequence[DocFacts],
    passages: Iterable[tuple[int, int, Passage]],
    texts: Callable[[int], str],
    plan: CorpusPlan,
    blocks: dict[int, np.ndarray] | None = None,
    *,
    min_boilerplate_docs: int = 3,
) -> list[Cluster]:
    """Boilerplate clusters from segment counts, then reuse clusters as stars.

    Args:
        facts: per-document facts, ``facts[i].index == i``.
        passages: ``(doc index A, doc index B, passage)`` from alignment.
        texts: document text by index.
        plan: :func:`plan_corpus`.
        blocks: per duplicate document, its span map against its
            representative (:func:`detector.duplicates.span_map`).
        min_boilerplate_docs: documents of one outlet a segment must recur
            in to be boilerplate (representatives only).
    """
    from detector.boilerplate import boilerplate_groups
    from detector.cluster import boilerplate_clusters, number_clusters, star_clusters

    infos = [f.info for f in facts]
    groups = boilerplate_groups(
        ((f.index, *f.segments) for f in facts),
        [i.outlet for i in infos],
        texts,
        min_docs=min_boilerplate_docs,
        counted=plan.dups.is_rep,
    )
    chrome_spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for occurrences in groups:
        for doc, start, end, _ in occurrences:
            chrome_spans[doc].append((start, end))
    # chrome found inside single documents (glued paywall lines, edge lines),
    # grouped across documents by its words; what the segment counts already
    # cover is left to them
    by_key: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for f in facts:
        for key, start, end, words in f.chrome:
            taken = chrome_spans.get(f.index, ())
            if not any(2 * (min(e, end) - max(s, start)) >= end - start for s, e in taken):
                by_key[key].append((f.index, start, end, words))
    found_in_documents = list(by_key.values())
    for occurrences in found_in_documents:
        for doc, start, end, _ in occurrences:
            chrome_spans[doc].append((start, end))
    chrome = {d: sorted(v) for d, v in chrome_spans.items()}
    copies = copies_of(plan, blocks or {})
    reuse = star_clusters(
        [*passages, *_duplicate_passages(facts, texts, plan, copies)],
        infos,
        texts,
        plan.ranks,
        chrome=chrome,
        copies=copies,
    )
    index_of = _index_of(reuse, infos)
    reuse = [_edge_template(c, facts, index_of) for c in reuse]
    return number_clusters(
        [
            *reuse,
            *boilerplate_clusters(groups, infos, texts, plan.ranks),
            *boilerplate_clusters(found_in_documents, infos, texts, plan.ranks, min_members=1),
        ]
    )


def _duplicate_passages(
    facts: Sequence[DocFacts],
    texts: Callable[[int], str],
    plan: CorpusPlan,
    copies: dict[int, list[tuple[int, Callable[[int, int], tuple[int, int] | None]]]],
) -> list[tuple[int, int, Passage]]:
    """A whole-text passage from each representative to each of its duplicates.

    A story reprinted whole across outlets is then a reuse cluster like any
    other (its members the whole copies), and a part of it quoted elsewhere
    stays a cluster of its own.
    """
    from detector.schema import Span

    out = []
    for rep, items in copies.items():
        text = texts(rep)
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        if end <= start:
            continue
        for dup, carry in items:
            mapped = carry(start, end)
            if mapped is None:
                continue
            sim = float(plan.dups.similarity[dup])
            out.append(
                (
                    rep,
                    dup,
                    Passage(
                        a=Span(start, end),
                        b=Span(*mapped),
                        words=min(facts[rep].info.words, facts[dup].info.words),
                        score=sim,
                        kind="verbatim" if sim >= 1.0 else "edited",
                    ),
                )
            )
    return out


def duplicate_section(facts: Sequence[DocFacts], plan: CorpusPlan) -> tuple[DuplicateGroup, ...]:
    """The report's duplicate groups, largest first, numbered from 1."""
    from detector.cluster import earliest_note, parse_date
    from detector.schema import Member

    out = []
    for n, group in enumerate(plan.dups.groups, 1):
        infos = [facts[i].info for i in group]
        first = infos[0]
        dated = parse_date(first.date) is not None
        members = [Member(i.id, 0, 0, i.outlet, i.date, 0, "") for i in infos]
        out.append(
            DuplicateGroup(
                id=n,
                documents=tuple(i.id for i in infos),
                outlets=tuple(sorted({i.outlet for i in infos if i.outlet is not None})),
                earliest=first.id if dated else None,
                earliest_date=first.date if dated else None,
                similarity=float(min(plan.dups.similarity[i] for i in group[1:])),
                earliest_note=earliest_note(members),
            )
        )
    return tuple(out)


def unit_index(
    clusters: Sequence[Cluster],
    documents: Sequence[DocInfo],
    *,
    kinds: tuple[str, ...] = ("reuse", "boilerplate"),
    index_of: Mapping[str, int] | None = None,
) -> Callable[[int, int, int], Hashable]:
    """``unit_of(doc index, start, end)``: the cluster the span lies in, else the document (by index).

    A span belongs to a cluster member when at least half of it lies inside
    the member. Used to count phrases and frames once per cluster.

    Args:
        index_of: document index by id (:func:`document_index`), when the
            caller already holds it: building it walks every document, which
            is most of the cost on a million short records.

    O(members) with ``index_of`` given, else O(documents + members).
    """
    if index_of is None:
        index_of = document_index(documents)
    # keyed by document index: the look-up runs once per phrase occurrence
    # (900,000 times on 200,000 short records)
    by_doc: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for c in clusters:
        if c.kind in kinds:
            for m in c.members:
                by_doc[index_of[m.doc]].append((m.start, m.end, c.id))
    empty: tuple[tuple[int, int, int], ...] = ()

    def unit_of(doc: int, start: int, end: int) -> Hashable:
        members = by_doc.get(doc, empty)
        if members:
            length = max(end - start, 1)
            for s, e, cid in members:
                if min(e, end) - max(s, start) >= 0.5 * length:
                    return ("cluster", cid)
        return ("doc", doc)

    return unit_of


def document_index(documents: Sequence[DocInfo]) -> dict[str, int]:
    """Document index by id. O(documents)."""
    return {d.id: n for n, d in enumerate(documents)}


def in_boilerplate(
    clusters: Sequence[Cluster], documents: Sequence[DocInfo], *, index_of: Mapping[str, int] | None = None
) -> Callable[[int, int, int], bool]:
    """``inside(doc index, start, end)``: whether a span lies (half or more) in a boilerplate member."""
    unit_of = unit_index(clusters, documents, kinds=("boilerplate",), index_of=index_of)
    return lambda doc, start, end: unit_of(doc, start, end)[0] == "cluster"  # type: ignore[index]


def corpus_phrases(
    occurrences: Iterable[tuple[int, int, int, int, int]],
    facts: Sequence[DocFacts],
    clusters: Sequence[Cluster],
    texts: Callable[[int], str],
) -> list[Phrase]:
    """Shared phrasing of the corpus (:func:`detector.boilerplate.aggregate_phrases`):
    occurrences inside one reuse cluster count once, inside boilerplate not at all."""
    from detector.boilerplate import aggregate_phrases

    documents = [f.info for f in facts]
    index_of = document_index(documents)
    return aggregate_phrases(
        occurrences,
        documents,
        texts,
        unit_index(clusters, documents, index_of=index_of),
        chrome=in_boilerplate(clusters, documents, index_of=index_of),
    )


def framing_counts(
    flags: Sequence[FramingSpan], clusters: Sequence[Cluster], documents: Sequence[DocInfo]
) -> tuple[list[FramingCount], list[Cluster]]:
    """Per-label recurrence, and clusters annotated with the labels inside them.

    A flag inside a reuse cluster counts once per cluster (``independent``);
    the other copies are ``reposted``. Only flags whose sentence promotes the
    frame count (``stance == "promoted"``): a rebuttal, a denial or talk
    about a frame stays in the flag list with its stance, but carries no frame.
    """
    flags = [f for f in flags if f.stance == "promoted"]
    if not flags:  # nothing to count: skip indexing a million documents
        return [], list(clusters)
    index_of = document_index(documents)
    unit_of = unit_index(clusters, documents, kinds=("reuse",), index_of=index_of)
    per_label: dict[str, list[tuple[FramingSpan, Hashable]]] = defaultdict(list)
    labels_in: dict[int, set[str]] = defaultdict(set)
    for f in flags:
        unit = unit_of(index_of[f.doc], f.start, f.end)
        per_label[f.label].append((f, unit))
        if unit[0] == "cluster":  # type: ignore[index]
            labels_in[unit[1]].add(f.label)  # type: ignore[index]
    counts = []
    for label, items in sorted(per_label.items()):
        docs = {f.doc for f, _ in items}
        in_clusters = [u for _, u in items if u[0] == "cluster"]  # type: ignore[index]
        counts.append(
            FramingCount(
                label=label,
                flags=len(items),
                documents=len(docs),
                outlets=len({documents[index_of[d]].outlet for d in docs} - {None}),
                independent=len({u for _, u in items}),
                reposted=len(in_clusters) - len(set(in_clusters)),
            )
        )
    counts.sort(key=lambda c: (-c.independent, c.label))
    annotated = [
        replace(c, frames=tuple(sorted(labels_in[c.id]))) if c.id in labels_in else c
        for c in clusters
    ]
    return counts, annotated


def assemble_report(
    facts: Sequence[DocFacts],
    clusters: Sequence[Cluster],
    phrases: Sequence[Phrase],
    flags: Sequence[FramingSpan],
    texts: dict[str, str],
    *,
    skipped: int = 0,
    errors: Sequence[str] = (),
    candidates: int = 0,
    stages: dict[str, float] | None = None,
    notes: Sequence[str] = (),
    plan: CorpusPlan | None = None,
) -> Report:
    """The final :class:`Report` from the outputs of every stage (``plan`` gives
    the duplicate groups)."""
    documents = [f.info for f in facts]
    counts, annotated = framing_counts(flags, clusters, documents)
    repeats = [r for f in facts for r in f.repeats]
    return Report(
        documents=tuple(documents),
        clusters=tuple(annotated),
        repeats=tuple(repeats),
        phrases=tuple(phrases),
        framing=tuple(flags),
        framing_counts=tuple(counts),
        skipped=skipped,
        errors=tuple(errors),
        candidates=candidates,
        stages=dict(stages or {}),
        notes=tuple(notes),
        texts=texts,
        duplicates=duplicate_section(facts, plan) if plan is not None else (),
    )
