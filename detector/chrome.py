"""Chrome inside one document: line affixes and edge lines that only page furniture says.

Corpus counting (:func:`detector.boilerplate.boilerplate_groups`) finds chrome
that recurs across an outlet's documents. Two kinds need no corpus at all:

* **Line affixes**: text that three or more lines of one document end (or
  begin) with, such as a paywall marker glued to every headline of a list
  ("...from BelarusThe material is available only to POZIRK+"). The common
  stretch is found on words, then widened to the characters the lines share,
  so a marker glued to the word before it ("BelarusThe") starts exactly at
  its own first letter.
* **Chrome lines**: a short line among the first or last lines of a document
  that says what only site or channel furniture says ("Заметили ошибку?
  Пожалуйста, выделите её и нажмите Ctrl+Enter", "Please open Telegram to view
  this post", "All rights reserved", "Подписаться", ...). The cues are
  generic English and Russian interface phrases (:data:`CHROME_CUES`), never
  story words, and a line must be short and at an edge to count.

Every occurrence is ``(key, start, end, words)``: an xxh3 key of its
normalised words (so equal chrome groups across documents) and a character
span of the original text that starts at a word and ends at the end of the
chrome (trailing symbols such as "+" included).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from detector.tokens import Tokens

__all__ = ["CHROME_CUES", "chrome_lines", "chrome_occurrences", "line_affixes"]

CHROME_CUES = regex.compile(
    r"""(?ix)
    заметили\s+ошибку | выделите\s+(?:её|ее|текст)\s+и\s+нажмите | ctrl\s*\+\s*enter
    | please\s+open\s+telegram | view\s+in\s+telegram
    | all\s+rights\s+reserved | все\s+права\s+защищены | перепечатка | при\s+(?:полном\s+или\s+частичном\s+)?использовании\s+материалов
    | republication | reproduction\s+(?:is\s+)?(?:prohibited|permitted) | copyright\s+©? | ©\s*\d{4}
    | subscribe\s+to | sign\s+up\s+for\s+our | подпис(?:аться|ывайтесь|ывайся|ывайтесь\s+на) | подпишитесь
    | прислать\s+новость | предложить\s+новость | наш\s+(?:канал|чат|бот) | (?:our|join\s+our)\s+(?:telegram|channel|newsletter)
    | read\s+(?:more|in\s+full|the\s+full\s+(?:story|article)) | читайте\s+(?:также|нас|полностью) | читать\s+(?:далее|полностью)
    | share\s+(?:this|on) | поделиться | click\s+to\s+share | follow\s+us | мы\s+в\s+(?:vk|вк|telegram|телеграм)
    | the\s+material\s+is\s+available\s+only | материал\s+доступен\s+только | for\s+subscribers\s+only | только\s+для\s+подписчиков
    | cookies? | advertisement | реклама\b | erid\b
    """
)
"""Interface phrases of site and channel furniture (English, Russian)."""

CHROME_MAX_WORDS = 25
"""Longest line that counts as a chrome line."""

EDGE_LINES = 3
"""Non-empty lines at each end of a document where chrome lines sit."""

AFFIX_MIN_LINES = 3
AFFIX_MIN_WORDS = 5
AFFIX_MAX_WORDS = 16
AFFIX_MAX_LINE_WORDS = 40
"""Affixes are looked for on list-like lines (headlines, link lists), not in running prose."""

_WORD_START = regex.compile(r"(?<![\p{L}\p{N}])[\p{L}\p{N}]|(?<=\p{Ll})\p{Lu}")
_TRAILING = regex.compile(r"[^\s\p{L}\p{N}]*")


def _key(forms: tuple[str, ...]) -> int:
    import xxhash

    return xxhash.xxh3_64_intdigest("\x1f".join(forms).encode("utf-8", "surrogatepass")) >> 1


def _lines(tokens: Tokens) -> list[tuple[int, int, int, int]]:
    """Non-empty lines as ``(char start, char end, first token, end token)``."""
    import numpy as np

    text = tokens.text
    out = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        t0 = int(np.searchsorted(tokens.starts, start, side="left"))
        t1 = int(np.searchsorted(tokens.starts, end, side="left"))
        if t1 > t0:
            out.append((start, end, t0, t1))
    return out


def line_affixes(tokens: Tokens) -> list[tuple[int, int, int, int]]:
    """Stretches that at least :data:`AFFIX_MIN_LINES` lines end (or begin) with.

    Args:
        tokens: the tokenised document.

    Returns:
        ``(key, start, end, words)`` per occurrence; the longest common
        affix of 5-16 words wins, and a line's affix never covers the whole
        line (a repeated whole line is a repeat, found elsewhere).
        O(lines * 16).
    """
    lines = _lines(tokens)
    if len(lines) < AFFIX_MIN_LINES:
        return []
    forms = tokens.forms
    out: list[tuple[int, int, int, int]] = []
    for suffix in (True, False):
        by_key: dict[int, set[int]] = defaultdict(set)
        words_of: dict[int, int] = {}
        for n, (_, _, t0, t1) in enumerate(lines):
            if t1 - t0 > AFFIX_MAX_LINE_WORDS:
                continue
            for m in range(AFFIX_MIN_WORDS, min(AFFIX_MAX_WORDS, t1 - t0 - 1) + 1):
                key = _key(forms[t1 - m : t1] if suffix else forms[t0 : t0 + m])
                by_key[key].add(n)
                words_of[key] = m
        best: dict[int, int] = {}  # line -> key of its longest shared affix
        for key, members in by_key.items():
            if len(members) >= AFFIX_MIN_LINES:
                for n in members:
                    if words_of[key] > words_of.get(best.get(n, -1), 0):
                        best[n] = key
        groups: dict[int, list[int]] = defaultdict(list)
        for n, key in best.items():
            groups[key].append(n)
        for key, members in groups.items():
            if len(members) >= AFFIX_MIN_LINES:
                chosen = [lines[n] for n in sorted(members)]
                out.extend(_affix_spans(tokens, chosen, words_of[key], key, suffix))
    return out


def _affix_spans(
    tokens: Tokens, lines: list[tuple[int, int, int, int]], words: int, key: int, suffix: bool
) -> list[tuple[int, int, int, int]]:
    """Character spans of one affix in each of its lines, widened to the shared characters."""
    text = tokens.text
    out = []
    if suffix:
        stripped = [text[ln[0] : ln[1]].rstrip() for ln in lines]
        common = _common_suffix(stripped)
        for (line_start, _, _, t1), r in zip(lines, stripped, strict=True):
            end = line_start + len(r)
            word_start = int(tokens.starts[t1 - words])
            # widen to the characters all the lines share, then forward to a
            # word start (or the capital of a glued word: "BelarusThe")
            m = _WORD_START.search(text, max(line_start, min(word_start, end - len(common))), end)
            start = m.start() if m else word_start
            out.append((key, start, end, words))
    else:
        for _, line_end, t0, _ in lines:
            start = int(tokens.starts[t0])
            end = int(tokens.ends[t0 + words - 1])
            trail = _TRAILING.match(text, end, line_end)
            end = trail.end() if trail else end
            out.append((key, start, end, words))
    return out


def _common_suffix(items: list[str]) -> str:
    first = min(items, key=len)
    k = 0
    while k < len(first) and all(s[len(s) - 1 - k] == first[len(first) - 1 - k] for s in items):
        k += 1
    return first[len(first) - k :] if k else ""


def chrome_lines(tokens: Tokens) -> list[tuple[int, int, int, int]]:
    """Short edge lines that carry an interface phrase of :data:`CHROME_CUES`.

    Returns:
        ``(key, start, end, words)`` per line: from its first word to its
        last non-space character. O(characters of the edge lines).
    """
    lines = _lines(tokens)
    if not lines:
        return []
    edge = set(range(min(EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - EDGE_LINES), len(lines)))
    text = tokens.text
    out = []
    for n in sorted(edge):
        start, end, t0, t1 = lines[n]
        if t1 - t0 > CHROME_MAX_WORDS or len(lines) == 1:
            continue
        if not CHROME_CUES.search(text, start, end):
            continue
        first = int(tokens.starts[t0])
        last = len(text[:end].rstrip())
        out.append((_key(tokens.forms[t0:t1]), first, last, t1 - t0))
    return out


def chrome_occurrences(tokens: Tokens) -> tuple[tuple[int, int, int, int], ...]:
    """Line affixes and chrome lines of one document, in text order.

    An affix is the more exact span, so a chrome line that holds one gives
    way to it.
    """
    affixes = line_affixes(tokens)
    taken = sorted((s, e) for _, s, e, _ in affixes)
    found = list(affixes)
    for occ in chrome_lines(tokens):
        if not any(s < occ[2] and occ[1] < e for s, e in taken):
            found.append(occ)
    return tuple(sorted(found, key=lambda x: (x[1], x[2])))
