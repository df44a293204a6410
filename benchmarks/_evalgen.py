"""Evaluation pairs for text-reuse detection, and PAN text-alignment scoring.

Used by ``benchmarks/reuse_eval.py`` and ``corpora/make_sample.py``. Three
parts:

* **Generator** (:func:`generate`): cuts passages of 50–250 words out of real
  documents (``benchmarks/data``), obfuscates them (``verbatim``,
  ``light_edit``, ``spun``, ``reordered``, ``telegram``) and pastes them into
  an unrelated real host document, recording the character spans on both
  sides; ``negative`` pairs share no text (among them every pair of the five
  seed texts). Deterministic for a given seed.
* **Scorer** (:func:`pan_scores`): the measures of Potthast, Stein,
  Barrón-Cedeño and Rosso (2010), "An Evaluation Framework for Plagiarism
  Detection" (COLING): character-level macro precision and recall,
  granularity, and plagdet = F1 / log2(1 + granularity).
* **PAN layout** (:func:`write_pan`, :func:`read_pan`): the directory layout
  of the PAN 2013/2014 text-alignment corpora (``src/``, ``susp/``, ``pairs``
  files and one XML truth file per pair, grouped in one folder per
  obfuscation).

All spans are half-open ``(start, end)`` **character** offsets (Python ``str``
indices) into the texts exactly as stored; files are read and written with
``newline=""`` so that ``\\r\\n`` survives and offsets stay valid.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import random
import re
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "OBFUSCATIONS",
    "Case",
    "Detection",
    "Pair",
    "PanScores",
    "TextDoc",
    "generate",
    "light_edit",
    "load_texts",
    "pan_scores",
    "read_pan",
    "reorder",
    "sentences",
    "spin",
    "telegram_post",
    "write_pan",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
OBFUSCATIONS = ("verbatim", "light_edit", "spun", "reordered", "telegram", "negative")
MIN_WORDS, MAX_WORDS = 50, 250

# Words: letters/digits with inner hyphens or apostrophes ("well-being", "don't").
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class TextDoc:
    """One real document usable as source or host.

    Attributes:
        id: document id (a seed's file name without ``.txt``).
        lang: ``"en"`` or ``"ru"``.
        group: documents of one group are never paired with each other.
        text: the text, unmodified.
    """

    id: str
    lang: str
    group: str
    text: str


@dataclass(frozen=True)
class Case:
    """One reused passage with its spans (characters) in source and suspicious text."""

    src: tuple[int, int]
    susp: tuple[int, int]
    obfuscation: str
    info: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Detection:
    """One detected passage: spans (characters) in source and suspicious text."""

    src: tuple[int, int]
    susp: tuple[int, int]
    words: int = 0


@dataclass(frozen=True)
class Pair:
    """A source document, a suspicious document and the passages reused between them.

    Attributes:
        id: pair id, e.g. ``"spun-007"``.
        obfuscation: one of :data:`OBFUSCATIONS` (or a PAN folder name).
        lang: language of both texts.
        src_id, susp_id: ids of the source and of the host document.
        src_text, susp_text: the two texts.
        cases: the reused passages (empty for negatives).
        subset: a finer label, e.g. ``"seeds"`` for seed-vs-seed negatives.
    """

    id: str
    obfuscation: str
    lang: str
    src_id: str
    susp_id: str
    src_text: str
    susp_text: str
    cases: tuple[Case, ...]
    subset: str = ""


# --------------------------------------------------------------------------- texts


def load_texts(data_dir: Path = DATA_DIR) -> list[TextDoc]:
    """Load the seed texts and the bundled real prose (see ``data/PROVENANCE.md``).

    Complexity: O(total characters).
    """
    docs = [
        TextDoc(p.stem, "en", "seeds", _read(p)) for p in sorted((data_dir / "seeds").glob("*.txt"))
    ]
    with (data_dir / "texts.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs.append(TextDoc(rec["id"], rec["lang"], rec["group"], rec["text"]))
    return docs


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def words(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text``. O(len(text))."""
    return [m.span() for m in _WORD.finditer(text)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``.

    Lines are split first (scraped text often has headlines and list items
    without final punctuation), then each line with razdel. O(len(text)).
    """
    from razdel import sentenize

    spans = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        for s in sentenize(line):
            if s.text.strip():
                spans.append((m.start() + s.start, m.start() + s.stop))
    return spans


# --------------------------------------------------------------------- obfuscation

_FILLERS = {
    "en": (
        "also",
        "reportedly",
        "however",
        "indeed",
        "now",
        "further",
        "still",
        "then",
        "officially",
        "again",
        "already",
        "clearly",
    ),
    "ru": (
        "также",
        "якобы",
        "однако",
        "действительно",
        "теперь",
        "ещё",
        "уже",
        "официально",
        "снова",
        "именно",
        "вообще",
        "всё же",
    ),
}
_SMALL_CHANGES = {
    "the": "a",
    "a": "the",
    "is": "was",
    "was": "is",
    "are": "were",
    "were": "are",
    "has": "had",
    "have": "had",
    "will": "would",
    "would": "will",
    "this": "that",
    "that": "this",
    "these": "those",
    "and": "&",
    "which": "that",
    "its": "their",
    "в": "во",
    "и": "а",
    "но": "а",
    "это": "то",
    "этот": "тот",
    "на": "по",
    "был": "стал",
    "была": "стала",
    "были": "стали",
    "который": "что",
    "которые": "что",
}
_QUOTE_STYLES = (('"', '"'), ("“", "”"), ("«", "»"), ("„", "“"))


def _match_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits. O(len(text) + edits)."""
    out, pos = [], 0
    for start, end, rep in sorted(edits):
        if start < pos:
            continue  # overlapping edit: keep the first
        out.append(text[pos:start])
        out.append(rep)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _requote(text: str, rng: random.Random) -> str:
    """Replace every pair of quotation marks by another quoting style."""
    style = rng.choice(_QUOTE_STYLES)
    marks = re.compile(r"[\"“”«»„]")
    out, opening = [], True
    pos = 0
    for m in marks.finditer(text):
        out.append(text[pos : m.start()])
        out.append(style[0] if opening else style[1])
        opening = not opening
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def light_edit(text: str, lang: str, rng: random.Random) -> tuple[str, dict[str, float]]:
    """A few copy-editor changes: 3–8% of the words dropped, inserted or changed,
    punctuation and case changed here and there, quotation marks restyled.

    Returns the edited text and ``{"edits": number of word-level edits}``.
    Complexity: O(len(text)).
    """
    ws = words(text)
    n_ops = max(2, round(len(ws) * rng.uniform(0.03, 0.08)))
    table = _spin_table(lang)
    edits: list[tuple[int, int, str]] = []
    for i in rng.sample(range(len(ws)), min(n_ops, len(ws))):
        s, e = ws[i]
        w = text[s:e]
        kind = rng.choice(("drop", "insert", "change", "punct", "case"))
        if kind == "drop":
            # Take one adjacent space with the word so no double space or " ," is left.
            if e < len(text) and text[e] == " ":
                edits.append((s, e + 1, ""))
            elif s > 0 and text[s - 1] == " ":
                edits.append((s - 1, e, ""))
            else:
                edits.append((s, e, ""))
        elif kind == "insert":
            edits.append((s, s, rng.choice(_FILLERS[lang]) + " "))
        elif kind == "change":
            low = w.lower()
            if low in _SMALL_CHANGES:
                rep = _SMALL_CHANGES[low]
            elif low in table and any(r.lower() != low for r in table[low]):
                rep = rng.choice([r for r in table[low] if r.lower() != low])
            elif len(w) > 3:  # a typo: two inner letters swapped
                j = rng.randrange(1, len(w) - 2)
                rep = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            else:
                rep = w
            edits.append((s, e, _match_case(w, rep)))
        elif kind == "punct":
            if e < len(text) and text[e] in ",;:":
                edits.append((e, e + 1, rng.choice(("", " –", ";"))))
            elif e < len(text) and text[e] == " ":
                edits.append((e, e, ","))
        else:
            edits.append((s, e, w.upper() if rng.random() < 0.3 else w.swapcase()[:1] + w[1:]))
    out = _apply_edits(text, edits)
    if rng.random() < 0.6:
        out = _requote(out, rng)
    return out, {"edits": float(n_ops)}


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    # Loaded by path: benchmarks/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location(
        "_spin_tables", Path(__file__).with_name("_spin_tables.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EN, module.RU


def _spin_table(lang: str) -> dict[str, tuple[str, ...]]:
    en, ru = _tables()
    return ru if lang == "ru" else en


def spin(
    text: str, lang: str, rng: random.Random, *, rate: float | None = None
) -> tuple[str, dict[str, float]]:
    """Synonym spinning with the project's own spinner tables (``_spin_tables``).

    Phrases are matched longest first (up to four words, only across single
    spaces), then a random subset of the matches is replaced until ``rate``
    of the words (drawn from 15–35% if not given) are substituted, as far as
    the table allows. Capitalisation of the first letter is kept.

    Returns the spun text and ``{"rate": share of words substituted}``.
    Complexity: O(len(text)).
    """
    table = _spin_table(lang)
    target = rng.uniform(0.15, 0.35) if rate is None else rate
    ws = words(text)
    cands: list[tuple[int, int, str]] = []  # (first word, word count, replacement)
    i = 0
    while i < len(ws):
        hit = None
        for k in (4, 3, 2, 1):
            if i + k > len(ws):
                continue
            gaps = [text[ws[j][1] : ws[j + 1][0]] for j in range(i, i + k - 1)]
            if any(g != " " for g in gaps):
                continue
            key = text[ws[i][0] : ws[i + k - 1][1]]
            opts = [r for r in table.get(key.lower(), ()) if r.lower() != key.lower()]
            if opts:
                hit = (i, k, _match_case(key, rng.choice(opts)))
                break
        if hit:
            cands.append(hit)
            i += hit[1]
        else:
            i += 1
    rng.shuffle(cands)
    edits, done = [], 0
    for first, k, rep in cands:
        if done >= target * len(ws):
            break
        edits.append((ws[first][0], ws[first + k - 1][1], rep))
        done += k
    return _apply_edits(text, edits), {"rate": done / max(1, len(ws))}


def reorder(text: str, rng: random.Random) -> tuple[str, dict[str, float]]:
    """The sentences of ``text`` in a shuffled order (never the original one if
    there are two or more), joined by single spaces. O(len(text))."""
    sents = [text[s:e] for s, e in sentences(text)]
    order = list(range(len(sents)))
    if len(sents) > 1:
        while order == sorted(order):
            rng.shuffle(order)
    moved = sum(1 for i, j in enumerate(order) if i != j)
    return " ".join(sents[j] for j in order), {"sentences": float(len(sents)), "moved": moved}


_CHANNELS = {
    "en": (
        "Russian MFA 🇷🇺",
        "Belarus MFA",
        "Eurasia Insider",
        "Union State News",
        "Minsk Wire",
        "World Affairs Daily",
        "Geopolitics Now",
    ),
    "ru": (
        "МИД России 🇷🇺",
        "Новости Союзного государства",
        "Минский вестник",
        "Евразия сегодня",
        "Политика и мир",
        "Линукс-дайджест",
    ),
}
_TAGS = {
    "en": (
        "#Russia",
        "#Belarus",
        "#UnionState",
        "#news",
        "#diplomacy",
        "#history",
        "#Minsk",
        "#breaking",
        "#opinion",
        "#tech",
    ),
    "ru": (
        "#Россия",
        "#Беларусь",
        "#СоюзноеГосударство",
        "#новости",
        "#дипломатия",
        "#история",
        "#Минск",
        "#мнение",
        "#технологии",
    ),
}
_EMOJI = ("🇷🇺", "🇧🇾", "⚡️", "❗️", "📌", "🤝", "🔥", "👉", "📰", "✅", "💬", "🌍", "🕊")
_CHROME = {
    "en": (
        "Please open Telegram to view this post",
        "VIEW IN TELEGRAM",
        "Read in full",
        "👁 12.4K",
        "Subscribe: t.me/joinchat",
    ),
    "ru": ("Подписаться на канал", "Читать полностью", "👁 8,1 тыс.", "Открыть в Telegram"),
}


def telegram_post(body: str, lang: str, rng: random.Random) -> tuple[str, int, int]:
    """Dress ``body`` as a Telegram repost: "Forwarded from" header, emoji,
    line breaks between sentences, maybe a **bold** lead, hashtags and chrome.

    Returns ``(post, start, end)`` where ``post[start:end]`` is the (restyled)
    body: the header, the leading emoji and the trailing hashtags are outside
    the span, line breaks and emoji between sentences are inside.
    O(len(body)).
    """
    sents = [body[s:e] for s, e in sentences(body)] or [body]
    lines = []
    for i, sent in enumerate(sents):
        if i == 0 and rng.random() < 0.5:
            sent = f"**{sent}**"
        elif i > 0 and rng.random() < 0.3:
            sent = f"{rng.choice(_EMOJI)} {sent}"
        lines.append(sent)
    parts = [lines[0]]
    for line in lines[1:]:
        parts.append("\n\n" if rng.random() < 0.5 else "\n")
        parts.append(line)
    styled = "".join(parts)
    header = f"Forwarded from {rng.choice(_CHANNELS[lang])}\n"
    if rng.random() < 0.3:
        header = ("Переслано от " if lang == "ru" else "Forwarded from ") + header.split(" ", 2)[2]
    lead = " ".join(rng.sample(_EMOJI, rng.randint(1, 2))) + " "
    tags = " ".join(rng.sample(_TAGS[lang], rng.randint(1, 4)))
    tail = f"\n\n{tags}"
    if rng.random() < 0.6:
        tail += "\n" + rng.choice(_CHROME[lang])
    start = len(header) + len(lead)
    return header + lead + styled + tail, start, start + len(styled)


# ----------------------------------------------------------------------- generator


def _shingles(text: str, n: int = 8) -> list[tuple[str, ...]]:
    toks = [text[s:e].lower() for s, e in words(text)]
    return [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def _pick_passages(
    doc: TextDoc, k: int, rng: random.Random, *, min_sentences: int = 1, tries: int = 200
) -> list[tuple[int, int]]:
    """Up to ``k`` non-overlapping runs of whole sentences of ``doc`` with
    50–250 words each, none of whose 8-word shingles occurs twice in ``doc``
    (text repeated inside the source would make the truth ambiguous)."""
    sents = sentences(doc.text)
    counts = Counter(_shingles(doc.text))
    chosen: list[tuple[int, int]] = []
    for _ in range(tries):
        if len(chosen) == k or not sents:
            break
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        i = rng.randrange(len(sents))
        j, n = i, 0
        while j < len(sents) and n < target:
            n += len(words(doc.text[sents[j][0] : sents[j][1]]))
            j += 1
        start, end = sents[i][0], sents[j - 1][1]
        n = len(words(doc.text[start:end]))
        if not MIN_WORDS <= n <= MAX_WORDS or j - i < min_sentences:
            continue
        if any(start < ce and cs < end for cs, ce in chosen):
            continue
        if any(counts[sh] > 1 for sh in _shingles(doc.text[start:end])):
            continue
        chosen.append((start, end))
    return chosen


def _boundaries(text: str) -> list[int]:
    """Places where a paragraph can be pasted: line starts, else sentence starts."""
    cuts = [0, len(text)] + [m.end() for m in re.finditer(r"\n+", text)]
    if len(cuts) < 6:
        cuts += [s for s, _ in sentences(text)]
    return sorted(set(cuts))


def _paste(
    host: str, items: Sequence[tuple[str, int, int]], rng: random.Random
) -> tuple[str, list[tuple[int, int]]]:
    """Paste each ``(text, start, end)`` into ``host`` at a random paragraph or
    sentence boundary; returns the new text and each item's ``[start, end)``
    span in it (in the order given). O(len(host) + total item length)."""
    cuts = _boundaries(host)
    at = sorted(
        rng.sample(cuts, len(items)) if len(cuts) >= len(items) else [len(host)] * len(items)
    )
    order = list(range(len(items)))
    rng.shuffle(order)
    out, pos, spans = [], 0, [(0, 0)] * len(items)
    length = 0
    for cut, idx in zip(at, order, strict=True):
        chunk = host[pos:cut]
        out.append(chunk)
        length += len(chunk)
        before = "" if cut == 0 or host[cut - 1] == "\n" else "\n\n"
        after = (
            "\n\n" if cut < len(host) and host[cut] != "\n" else ("" if cut == len(host) else "\n")
        )
        text, s, e = items[idx]
        block = before + text + after
        spans[idx] = (length + len(before) + s, length + len(before) + e)
        out.append(block)
        length += len(block)
        pos = cut
    out.append(host[pos:])
    return "".join(out), spans


def _obfuscate(obf: str, passage: str, lang: str, rng: random.Random) -> tuple[str, int, int, dict]:
    if obf == "verbatim":
        return passage, 0, len(passage), {}
    if obf == "light_edit":
        text, info = light_edit(passage, lang, rng)
    elif obf == "spun":
        text, info = spin(passage, lang, rng)
    elif obf == "reordered":
        text, info = reorder(passage, rng)
    elif obf == "telegram":
        post, s, e = telegram_post(passage, lang, rng)
        return post, s, e, {}
    else:
        raise ValueError(f"unknown obfuscation {obf!r}")
    return text, 0, len(text), info


def _rng(seed: int, name: str) -> random.Random:
    # zlib.crc32, not hash(): str hashes are salted per process.
    return random.Random(seed * 1_000_003 + zlib.crc32(name.encode()))


def _choose_source(docs: list[TextDoc], lang: str, rng: random.Random) -> TextDoc:
    groups = sorted({d.group for d in docs if d.lang == lang})
    group = rng.choice(groups)
    return rng.choice([d for d in docs if d.lang == lang and d.group == group])


def _positive(pair_id: str, obf: str, lang: str, docs: list[TextDoc], rng: random.Random) -> Pair:
    while True:
        src = _choose_source(docs, lang, rng)
        k = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        spans = _pick_passages(src, k, rng, min_sentences=3 if obf == "reordered" else 1)
        if not spans:
            continue
        passages = [src.text[s:e] for s, e in spans]
        host = rng.choice([d for d in docs if d.lang == lang and d.group != src.group])
        # The truth would be incomplete if the host already held part of a passage.
        host_sh = set(_shingles(host.text))
        if not any(sh in host_sh for p in passages for sh in _shingles(p)):
            break
    items, infos = [], []
    for p in passages:
        text, s, e, info = _obfuscate(obf, p, lang, rng)
        items.append((text, s, e))
        infos.append(info)
    susp, susp_spans = _paste(host.text, items, rng)
    cases = tuple(
        Case(src=sp, susp=ss, obfuscation=obf, info=info)
        for sp, ss, info in zip(spans, susp_spans, infos, strict=True)
    )
    return Pair(pair_id, obf, lang, src.id, host.id, src.text, susp, cases)


def _negatives(n: int, docs: list[TextDoc], rng: random.Random) -> list[Pair]:
    seeds = [d for d in docs if d.group == "seeds"]
    out = []
    for a in seeds:  # every ordered pair: compare(a, b) need not be symmetric
        for b in seeds:
            if a.id != b.id:
                out.append(
                    Pair(
                        f"negative-{len(out):03d}",
                        "negative",
                        "en",
                        a.id,
                        b.id,
                        a.text,
                        b.text,
                        (),
                        subset="seeds",
                    )
                )
    while len(out) < n:
        lang = "ru" if len(out) % 3 == 2 else "en"
        a = _choose_source(docs, lang, rng)
        b = rng.choice([d for d in docs if d.lang == lang and d.group != a.group])
        out.append(
            Pair(
                f"negative-{len(out):03d}",
                "negative",
                lang,
                a.id,
                b.id,
                a.text,
                b.text,
                (),
                subset=f"{a.group}/{b.group}",
            )
        )
    return out[: max(n, len(seeds) * (len(seeds) - 1))]


def generate(
    n: int = 40,
    *,
    seed: int = 20240615,
    obfuscations: Iterable[str] = OBFUSCATIONS,
    docs: list[TextDoc] | None = None,
) -> list[Pair]:
    """Generate ``n`` pairs per obfuscation (every seed-vs-seed negative is
    always included, so ``negative`` may get more than ``n``).

    About one pair in three is Russian. Deterministic: the same ``seed``,
    ``n`` and data give the same pairs, byte for byte, in any process.
    Complexity: O(n × document length) per obfuscation.
    """
    docs = load_texts() if docs is None else docs
    pairs: list[Pair] = []
    for obf in obfuscations:
        rng = _rng(seed, obf)
        if obf == "negative":
            pairs += _negatives(n, docs, rng)
            continue
        for i in range(n):
            lang = "ru" if i % 3 == 2 else "en"
            pairs.append(_positive(f"{obf}-{i:03d}", obf, lang, docs, rng))
    return pairs


# -------------------------------------------------------------------------- scoring


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    s, e = max(a[0], b[0]), min(a[1], b[1])
    return (s, e) if s < e else None


def _union_len(spans: Iterable[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(spans):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def _detects(r: Detection, s: Case) -> bool:
    return _overlap(r.susp, s.susp) is not None and _overlap(r.src, s.src) is not None


@dataclass(frozen=True)
class PanScores:
    """PAN measures over a set of cases and detections (Potthast et al. 2010).

    Attributes:
        cases, detections: how many of each were scored.
        precision, recall: macro-averaged character precision and recall.
        granularity: mean number of detections per detected case (>= 1).
        plagdet: F1 / log2(1 + granularity).
        detected_cases: cases hit by at least one detection.
    """

    cases: int
    detections: int
    precision: float
    recall: float
    granularity: float
    plagdet: float
    detected_cases: int


def pan_scores(items: Iterable[tuple[Sequence[Case], Sequence[Detection]]]) -> PanScores:
    """Score ``(cases, detections)`` of each document pair the PAN way.

    A detection *r* detects a case *s* of the same pair when their spans
    overlap in the suspicious and in the source document. With ``s ⊓ r`` the
    characters (both documents) of *s* inside *r* if *r* detects *s*, else
    nothing:

    * recall = mean over cases of ``|∪_r (s ⊓ r)| / |s|``;
    * precision = mean over detections of ``|∪_s (s ⊓ r)| / |r|``;
    * granularity = mean over detected cases of the number of detections
      that detect it (1 if none is detected);
    * plagdet = F1(precision, recall) / log2(1 + granularity).

    As in the PAN evaluation script, precision and recall are both 1 when
    there are neither cases nor detections, and both 0 when only one of the
    two sets is empty. Complexity: O(sum over pairs of cases × detections).
    """
    rec_sum = prec_sum = 0.0
    n_cases = n_dets = detected = hits = 0
    for cases, dets in items:
        n_cases += len(cases)
        n_dets += len(dets)
        for s in cases:
            mine = [r for r in dets if _detects(r, s)]
            if mine:
                detected += 1
                hits += len(mine)
            plg = _union_len(o for r in mine if (o := _overlap(r.susp, s.susp)))
            src = _union_len(o for r in mine if (o := _overlap(r.src, s.src)))
            size = (s.susp[1] - s.susp[0]) + (s.src[1] - s.src[0])
            rec_sum += (plg + src) / size if size else 0.0
        for r in dets:
            mine = [s for s in cases if _detects(r, s)]
            plg = _union_len(o for s in mine if (o := _overlap(r.susp, s.susp)))
            src = _union_len(o for s in mine if (o := _overlap(r.src, s.src)))
            size = (r.susp[1] - r.susp[0]) + (r.src[1] - r.src[0])
            prec_sum += (plg + src) / size if size else 0.0
    if n_cases == 0 and n_dets == 0:
        prec = rec = 1.0
    elif n_cases == 0 or n_dets == 0:
        prec = rec = 0.0
    else:
        prec, rec = prec_sum / n_dets, rec_sum / n_cases
    gran = hits / detected if detected else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
    return PanScores(n_cases, n_dets, prec, rec, gran, f1 / math.log2(1 + gran), detected)


# ---------------------------------------------------------------------- PAN layout


def write_pan(pairs: Sequence[Pair], root: Path) -> None:
    """Write ``pairs`` in the PAN text-alignment layout under ``root``.

    ``src/source-documentNNNNN.txt`` and ``susp/suspicious-documentNNNNN.txt``
    (one of each per pair), a top-level ``pairs`` file, and one folder per
    obfuscation (``01-negative``, ``02-verbatim``, …) with its own ``pairs``
    file and one XML truth file per pair
    (``suspicious-documentNNNNN-source-documentNNNNN.xml``) holding a
    ``<feature name="plagiarism" …/>`` per case; offsets and lengths are in
    characters.
    """
    order = sorted({p.obfuscation for p in pairs}, key=lambda o: (o != "negative", o))
    folders = {o: f"{i + 1:02d}-{o}" for i, o in enumerate(order)}
    top, per = [], {o: [] for o in order}
    for i, p in enumerate(pairs, 1):
        susp, src = f"suspicious-document{i:05d}.txt", f"source-document{i:05d}.txt"
        _write(root / "susp" / susp, p.susp_text)
        _write(root / "src" / src, p.src_text)
        top.append(f"{susp} {src}\n")
        per[p.obfuscation].append(f"{susp} {src}\n")
        doc = ET.Element("document", reference=susp)
        for c in p.cases:
            ET.SubElement(
                doc,
                "feature",
                name="plagiarism",
                type="artificial",
                obfuscation=c.obfuscation,
                this_offset=str(c.susp[0]),
                this_length=str(c.susp[1] - c.susp[0]),
                source_reference=src,
                source_offset=str(c.src[0]),
                source_length=str(c.src[1] - c.src[0]),
            )
        ET.indent(doc)
        xml = ET.tostring(doc, encoding="unicode")
        _write(
            root / folders[p.obfuscation] / f"{susp[:-4]}-{src[:-4]}.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n",
        )
    _write(root / "pairs", "".join(top))
    for o, lines in per.items():
        _write(root / folders[o] / "pairs", "".join(lines))


def _group_name(folder: str) -> str:
    return re.sub(r"^\d+-", "", folder)


def read_pan(root: Path) -> list[Pair]:
    """Read a PAN text-alignment corpus (2013/2014 layout) from ``root``.

    Pairs come from the ``pairs`` files of the obfuscation folders (or, if
    there are none, the top-level ``pairs`` file); each pair's truth is the
    XML file named after it, searched in its folder and then anywhere below
    ``root``. A pair's obfuscation is its folder's name without the number
    prefix (``02-no-obfuscation`` → ``no-obfuscation``); pairs without any
    plagiarism feature count as ``negative``.

    Raises:
        FileNotFoundError: no ``pairs`` file, or a listed document is missing.
    """
    listings = sorted(root.glob("*/pairs")) or (
        [root / "pairs"] if (root / "pairs").exists() else []
    )
    if not listings:
        raise FileNotFoundError(f"{root}: no 'pairs' file found (not a PAN text-alignment corpus)")
    xml_index = {p.name: p for p in root.rglob("*.xml")}
    out = []
    for listing in listings:
        folder = listing.parent
        for line in _read(listing).splitlines():
            if not line.strip():
                continue
            susp, src = line.split()[:2]
            name = f"{Path(susp).stem}-{Path(src).stem}.xml"
            xml = folder / name if (folder / name).exists() else xml_index.get(name)
            cases = []
            if xml is not None:
                for feat in ET.parse(xml).getroot().iter("feature"):
                    if feat.get("name") != "plagiarism":
                        continue
                    to, tl = int(feat.get("this_offset")), int(feat.get("this_length"))
                    so, sl = int(feat.get("source_offset")), int(feat.get("source_length"))
                    cases.append(Case((so, so + sl), (to, to + tl), feat.get("obfuscation", "")))
            group = _group_name(folder.name) if folder != root else None
            if not cases:
                group = "negative" if group is None or "no-plagiarism" in group else group
            elif group is None:
                group = cases[0].obfuscation or "plagiarism"
            susp_text = _read(root / "susp" / susp)
            src_text = _read(root / "src" / src)
            out.append(
                Pair(
                    f"{Path(susp).stem}-{Path(src).stem}",
                    group,
                    "",
                    src,
                    susp,
                    src_text,
                    susp_text,
                    tuple(cases),
                )
            )
    return out


CompareFn = Callable[[str, str], Sequence[Detection]]
