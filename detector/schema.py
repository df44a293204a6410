"""Result types shared by every stage: frozen dataclasses and their JSON form.

Every ``start``/``end`` pair is a half-open range of **character** offsets
(Python ``str`` indices, i.e. code points) into the original, unmodified text
of a document: ``document.text[start:end]`` is exactly the reported text.
Token positions, where they appear, are named ``tok_start``/``tok_end``.

The JSON contract is versioned (``COMPARE_SCHEMA``, ``REPORT_SCHEMA``): fields
may be added freely, never renamed or dropped without bumping the version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "COMPARE_SCHEMA",
    "REPORT_SCHEMA",
    "CompareResult",
    "Document",
    "DuplicateGroup",
    "FramingSpan",
    "OpKind",
    "Passage",
    "PassageKind",
    "SentencePair",
    "Similarity",
    "Span",
    "WordOp",
    "compare_to_dict",
    "framing_to_dict",
    "passage_to_dict",
]

COMPARE_SCHEMA = "detector.compare/1"
REPORT_SCHEMA = "detector.report/1"

PassageKind = Literal["verbatim", "edited", "spun", "paraphrased", "translated"]
OpKind = Literal["keep", "substitute", "insert", "delete"]


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into an original text."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def text(self, source: str) -> str:
        """The characters of ``source`` this span covers."""
        return source[self.start : self.end]


@dataclass(frozen=True)
class Document:
    """One input document, exactly as loaded (the text is never modified).

    Attributes:
        id: unique id (a ``.txt`` file's name without the extension, or the
            record's ``id`` field).
        text: the original text; every span indexes this string.
        outlet: publishing outlet (passim's ``series`` is accepted as alias).
        date: publication date as given (ISO 8601 expected), or None.
        url: source address, or None.
        lang: language code if given or detected (``"en"``, ``"ru"``), or None.
        extra: unknown input fields, passed through to reports unchanged.
        source: the file the document came from (``"-"`` for stdin).
        line: 1-based line (JSONL) or record line (CSV) in ``source``, or None.
    """

    id: str
    text: str
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    lang: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    source: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class WordOp:
    """One word-level edit operation between the two sides of a passage.

    ``keep``: the same (normalised) words on both sides; ``substitute``: words
    of A replaced by other words in B (for spun text this is the evidence,
    e.g. "vision" -> "imaginative and prescient"); ``delete``: words of A with
    nothing in B (``b`` is an empty span at the position); ``insert``: words
    of B with nothing in A (``a`` is empty).
    """

    op: OpKind
    a: Span
    b: Span


@dataclass(frozen=True)
class SentencePair:
    """Evidence of a ``translated`` passage: sentences of A aligned to sentences of B.

    ``a``/``b`` cover one or two consecutive sentences each (1-1, 1-2 or 2-1
    alignments); ``score`` is the cosine of their sentence-encoder vectors.
    """

    a: Span
    b: Span
    score: float


@dataclass(frozen=True)
class Passage:
    """A stretch of text of document A reused in document B.

    Attributes:
        a, b: character spans in A and B.
        words: number of word tokens of the shorter side.
        score: similarity of the two token sequences in [0, 1] (1 = identical
            after normalisation).
        kind: ``verbatim`` (normalised words identical), ``edited`` (few
            changes), ``spun`` (many single-word or phrase substitutions),
            ``paraphrased`` (rewritten sentence by sentence: found by sentence
            similarity, most words differ) or
            ``translated`` (A and B in different languages, found by
            :mod:`detector.crosslingual`; ``ops`` is empty).
        ops: word-level operations covering both spans left to right.
        tok_a, tok_b: token ranges ``(tok_start, tok_end)`` in A and B.
        sentence_pairs: for ``translated`` passages, the aligned sentences.
    """

    a: Span
    b: Span
    words: int
    score: float
    kind: PassageKind
    ops: tuple[WordOp, ...] = ()
    tok_a: tuple[int, int] = (0, 0)
    tok_b: tuple[int, int] = (0, 0)
    sentence_pairs: tuple[SentencePair, ...] = ()

    def substitutions(self, a_text: str, b_text: str) -> list[tuple[str, str]]:
        """The ``(a words, b words)`` pairs of every ``substitute`` operation."""
        return [
            (op.a.text(a_text), op.b.text(b_text)) for op in self.ops if op.op == "substitute"
        ]


@dataclass(frozen=True)
class Similarity:
    """Whole-document similarity figures, each in [0, 1].

    Attributes:
        jaccard: MinHash estimate of the Jaccard similarity of the two sets of
            word shingles.
        containment_a: estimated share of A's shingles also in B.
        containment_b: estimated share of B's shingles also in A.
        coverage_a: share of A's characters inside reported passages (exact).
        coverage_b: share of B's characters inside reported passages (exact).
    """

    jaccard: float
    containment_a: float
    containment_b: float
    coverage_a: float = 0.0
    coverage_b: float = 0.0


@dataclass(frozen=True)
class FramingSpan:
    """A sentence flagged with a framing label, and the words that carried it.

    Attributes:
        doc: document id (``"a"``/``"b"`` in a comparison).
        start, end: character span of the flagged sentence.
        label: one of the fixed framing labels.
        score: calibrated probability in [0, 1].
        cues: character spans of the words/phrases that contributed most.
        stance: ``"promoted"`` (the sentence asserts or passes on the frame),
            or ``"rebutted"``, ``"denied"``, ``"discussed"`` (it keeps its
            distance; see :mod:`detector.stance`). Counts use promoted flags.
    """

    doc: str
    start: int
    end: int
    label: str
    score: float
    cues: tuple[Span, ...] = ()
    stance: str = "promoted"


@dataclass(frozen=True)
class CompareResult:
    """Everything ``compare(a, b)`` found.

    Attributes:
        a, b: the two documents as given.
        similarity: whole-document figures.
        passages: every reused passage, ordered by position in A.
        framing: framing flags in both documents (empty unless requested).
        notes: human explanations when nothing (or little) was found, e.g.
            "document b is empty" or "2 candidate passages below min_score".
    """

    a: Document
    b: Document
    similarity: Similarity
    passages: tuple[Passage, ...]
    framing: tuple[FramingSpan, ...] = ()
    notes: tuple[str, ...] = ()


def _span_dict(span: Span, text: str) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": text[span.start : span.end]}


def passage_to_dict(p: Passage, a_text: str, b_text: str) -> dict[str, Any]:
    """JSON form of one passage (``detector.compare/1``)."""
    return {
        "a": _span_dict(p.a, a_text),
        "b": _span_dict(p.b, b_text),
        "words": p.words,
        "score": round(p.score, 4),
        "kind": p.kind,
        "ops": [
            {
                "op": op.op,
                "a": _span_dict(op.a, a_text),
                "b": _span_dict(op.b, b_text),
            }
            for op in p.ops
        ],
        "substitutions": [{"a": x, "b": y} for x, y in p.substitutions(a_text, b_text)],
    } | (
        {
            "sentence_pairs": [
                {
                    "a": _span_dict(sp.a, a_text),
                    "b": _span_dict(sp.b, b_text),
                    "score": round(sp.score, 4),
                }
                for sp in p.sentence_pairs
            ]
        }
        if p.sentence_pairs
        else {}
    )


def framing_to_dict(f: FramingSpan, text: str) -> dict[str, Any]:
    """JSON form of one framing flag; ``text`` is its document's text."""
    return {
        "doc": f.doc,
        "start": f.start,
        "end": f.end,
        "label": f.label,
        "score": round(f.score, 4),
        "text": text[f.start : f.end],
        "cues": [_span_dict(c, text) for c in f.cues],
        "stance": f.stance,
    }


def compare_to_dict(result: CompareResult) -> dict[str, Any]:
    """JSON form of a comparison, schema ``detector.compare/1``."""
    a, b = result.a, result.b
    texts = {"a": a.text, "b": b.text, a.id: a.text, b.id: b.text}
    sim = result.similarity
    return {
        "schema": COMPARE_SCHEMA,
        "a": {"id": a.id, "chars": len(a.text)},
        "b": {"id": b.id, "chars": len(b.text)},
        "similarity": {
            "jaccard": round(sim.jaccard, 4),
            "containment_a": round(sim.containment_a, 4),
            "containment_b": round(sim.containment_b, 4),
            "coverage_a": round(sim.coverage_a, 4),
            "coverage_b": round(sim.coverage_b, 4),
        },
        "passages": [passage_to_dict(p, a.text, b.text) for p in result.passages],
        "framing": [framing_to_dict(f, texts.get(f.doc, "")) for f in result.framing],
        "notes": list(result.notes),
    }


# ---------------------------------------------------------------- corpus report

ClusterKind = Literal["reuse", "boilerplate"]


@dataclass(frozen=True)
class DocInfo:
    """What a report says about one input document (its text stays out).

    Attributes:
        id, outlet, date, url, lang: as loaded (see :class:`Document`).
        chars: length of the text in characters.
        words: number of word tokens.
        extra: unknown input fields, passed through unchanged.
    """

    id: str
    outlet: str | None
    date: str | None
    url: str | None
    lang: str | None
    chars: int
    words: int
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Member:
    """One place a cluster's text appears: a character span of one document.

    Attributes:
        doc: document id.
        start, end: character span into the document's original text.
        outlet, date: the document's outlet and date (None when unknown).
        words: word tokens in the span (of the longest passage it came from).
        text: ``document.text[start:end]``.
    """

    doc: str
    start: int
    end: int
    outlet: str | None
    date: str | None
    words: int
    text: str


@dataclass(frozen=True)
class Cluster:
    """One piece of text and every place it appears.

    Attributes:
        id: 1-based number, in report order (largest first).
        kind: ``reuse`` (travels between outlets, or outlets are unknown) or
            ``boilerplate`` (recurs within one outlet: site chrome, footers,
            paywall lines, Telegram chrome).
        members: every occurrence, ordered by date then document order; two
            members may share a document (a repeat inside it).
        earliest: id of the member document with the earliest date, the
            likely source; None when no member has a usable date.
        earliest_date: that document's date as given.
        outlets: distinct known outlets of the members, sorted.
        passages: pairwise passages (or boilerplate occurrences) behind it.
        score: mean similarity of those passages (1.0 for exact boilerplate).
        kinds: number of ``verbatim``/``edited``/``spun`` passages.
        frames: framing labels flagged inside the members, each once.
        earliest_note: a tie for the earliest date, or undated members
            (None when the earliest member is unambiguous).
    """

    id: int
    kind: ClusterKind
    members: tuple[Member, ...]
    earliest: str | None
    earliest_date: str | None
    outlets: tuple[str, ...]
    passages: int
    score: float
    kinds: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)
    frames: tuple[str, ...] = ()
    earliest_note: str | None = None

    @property
    def documents(self) -> int:
        """Number of distinct documents among the members."""
        return len({m.doc for m in self.members})


@dataclass(frozen=True)
class Repeat:
    """Text repeated inside one document.

    Attributes:
        doc: document id.
        spans: every occurrence (character spans, in text order).
        words: word tokens of one occurrence (the longest).
        text: the text of the first occurrence.
    """

    doc: str
    spans: tuple[Span, ...]
    words: int
    text: str


@dataclass(frozen=True)
class PhraseExample:
    """One occurrence of a shared phrase."""

    doc: str
    start: int
    end: int


@dataclass(frozen=True)
class Phrase:
    """A short formula (3-12 words) recurring across documents of several outlets.

    Attributes:
        text: the phrase as first met (original characters).
        words: length in word tokens.
        documents: documents containing it.
        independent: occurrences counted once per reuse/boilerplate cluster
            they fall in (a reprint does not make a formula more common).
        outlets: distinct outlets using it.
        outlet_names: those outlets, sorted.
        examples: a few occurrences, with character spans.
    """

    text: str
    words: int
    documents: int
    independent: int
    outlets: int
    outlet_names: tuple[str, ...]
    examples: tuple[PhraseExample, ...] = ()


@dataclass(frozen=True)
class FramingCount:
    """How often one framing label recurs across the corpus.

    Attributes:
        label: framing label.
        flags: flagged sentences, all of them.
        documents: documents with at least one flag.
        outlets: distinct outlets with a flag.
        independent: flags counted once per reuse cluster they fall in.
        reposted: flags inside reuse clusters beyond the first per cluster.
    """

    label: str
    flags: int
    documents: int
    outlets: int
    independent: int
    reposted: int


@dataclass(frozen=True)
class DuplicateGroup:
    """Near-identical documents: one text published (or saved) several times.

    Attributes:
        id: 1-based number, largest group first.
        documents: member document ids in time order; the first is the
            representative (earliest) that the others were compared with.
        outlets: distinct known outlets of the members, sorted.
        earliest: id of the earliest dated member (the first of
            ``documents``), None when undated.
        earliest_date: its date as given.
        similarity: lowest estimated Jaccard similarity of a member's
            word 3-gram set to the representative's, in [0, 1].
        earliest_note: a tie for the earliest date, or undated members.
    """

    id: int
    documents: tuple[str, ...]
    outlets: tuple[str, ...]
    earliest: str | None
    earliest_date: str | None
    similarity: float
    earliest_note: str | None = None


@dataclass(frozen=True)
class Report:
    """Everything ``detector report`` found in a corpus.

    Attributes:
        documents: every document read, in input order.
        clusters: reuse and boilerplate clusters, largest first.
        repeats: text repeated inside single documents.
        phrases: shared phrasing across outlets, most widespread first.
        framing: every framing flag (``doc`` = document id).
        framing_counts: per-label recurrence figures.
        skipped: bad records skipped (``skip_bad``); never silent.
        errors: one line per skipped problem.
        candidates: candidate document pairs aligned.
        stages: seconds per stage, for benchmarks and ``--verbose`` output.
        notes: plain-language remarks (e.g. framing model unavailable).
        texts: document texts by id, for renderers that show context (not
            part of the JSON form).
        duplicates: groups of near-identical documents, largest first.
    """

    documents: tuple[DocInfo, ...]
    clusters: tuple[Cluster, ...]
    repeats: tuple[Repeat, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    framing: tuple[FramingSpan, ...] = ()
    framing_counts: tuple[FramingCount, ...] = ()
    skipped: int = 0
    errors: tuple[str, ...] = ()
    candidates: int = 0
    stages: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)
    notes: tuple[str, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)
    duplicates: tuple[DuplicateGroup, ...] = ()

    def outlet_matrix(self) -> tuple[list[str], dict[tuple[str, str], int]]:
        """Outlets (most involved in reuse first) and reuse-cluster counts per
        (earliest outlet, reusing outlet).

        A reuse cluster whose earliest member is in outlet X adds one to
        ``(X, Y)`` for every other outlet Y among its members; without a
        date, one to both directions of every pair of its outlets.
        O(sum of cluster outlets squared).
        """
        counts: dict[tuple[str, str], int] = {}
        for c in self.clusters:
            if c.kind != "reuse" or len(c.outlets) < 2:
                continue
            source = next((m.outlet for m in c.members if m.doc == c.earliest), None)
            if source is not None:
                pairs = [(source, o) for o in c.outlets if o != source]
            else:
                pairs = [(x, y) for x in c.outlets for y in c.outlets if x != y]
            for pair in pairs:
                counts[pair] = counts.get(pair, 0) + 1
        totals: dict[str, int] = {}
        for (x, y), v in counts.items():
            totals[x] = totals.get(x, 0) + v
            totals[y] = totals.get(y, 0) + v
        outlets = sorted(totals, key=lambda o: (-totals[o], o))
        return outlets, counts
