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
    import numpy as np

    from detector.tokens import Tokens

__all__ = ["CHROME_CUES", "chrome_lines", "chrome_occurrences", "line_affixes"]

CHROME_CUES = regex.compile(
    r"""(?ix)
    # a cue starts a word: "erid" in "eurypterid" and "userId" is no cue;
    # anchoring also spares the engine every mid-word position (2x faster)
    (?<![\p{L}\p{N}])(?:
    заметили\s+ошибку | выделите\s+(?:её|ее|текст)\s+и\s+нажмите | ctrl\s*\+\s*enter
    | please\s+open\s+telegram | view\s+in\s+telegram
    | all\s+rights\s+reserved | все\s+права\s+защищены | перепечатка | при\s+(?:полном\s+или\s+частичном\s+)?использовании\s+материалов
    | republication | reproduction\s+(?:is\s+)?(?:prohibited|permitted) | copyright\b
    | subscribe\s+to | sign\s+up\s+for\s+our | подпис(?:аться|ывайтесь|ывайся|ывайтесь\s+на) | подпишитесь
    | прислать\s+новость | предложить\s+новость | наш\s+(?:канал|чат|бот) | (?:our|join\s+our)\s+(?:telegram|channel|newsletter)
    | read\s+(?:more|in\s+full|the\s+full\s+(?:story|article)) | читайте\s+(?:также|нас|полностью) | читать\s+(?:далее|полностью)
    | share\s+(?:this|on) | поделиться | click\s+to\s+share | follow\s+us | мы\s+в\s+(?:vk|вк|telegram|телеграм)
    | the\s+material\s+is\s+available\s+only | материал\s+доступен\s+только | for\s+subscribers\s+only | только\s+для\s+подписчиков
    | cookies? | advertisement | реклама\b | erid\b
    )
    | ©\s*\d{4}
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


_P = 0x9E3779B97F4A7C15  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)


class _RunKeys:
    """Keys of runs of a document's token ids, any run in O(1) after O(n).

    ``key(a, b)`` is a polynomial hash of ``ids[a:b]`` modulo 2**64 (numpy
    ``uint64`` arithmetic wraps), halved into a non-negative ``int64``: equal
    word runs have equal keys in every document, process and run. The
    polynomial weakness of a 2**64 modulus (Thue-Morse strings) needs runs of
    thousands of tokens; chrome runs are at most :data:`AFFIX_MAX_LINE_WORDS`.
    """

    def __init__(self, ids: np.ndarray) -> None:
        import numpy as np

        n = len(ids)
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(n + 1, _P, dtype=np.uint64)) if n else np.ones(1, np.uint64)
            powers = np.concatenate(([np.uint64(1)], powers[:n])).astype(np.uint64)
            inv = np.cumprod(np.full(n + 1, _P_INV, dtype=np.uint64))
            self._inv = np.concatenate(([np.uint64(1)], inv[:n])).astype(np.uint64)
            self._prefix = np.concatenate(([np.uint64(0)], np.cumsum(ids.astype(np.uint64) * powers[:n])))

    def keys(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``int64`` keys of the runs ``ids[a[k]:b[k]]``."""
        import numpy as np

        with np.errstate(over="ignore"):
            h = (self._prefix[b] - self._prefix[a]) * self._inv[a]
            # length mixed in so runs of equal sum and different length differ
            h = (h ^ (b - a).astype(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
        return (h >> np.uint64(1)).astype(np.int64)


def _lines(tokens: Tokens) -> list[tuple[int, int, int, int]]:
    """Non-empty lines as ``(char start, char end, first token, end token)``. O(lines + log tokens)."""
    import numpy as np

    lengths = np.fromiter(map(len, tokens.text.split("\n")), dtype=np.int64)
    ends = np.cumsum(lengths + 1) - 1
    starts = ends - lengths
    t0 = np.searchsorted(tokens.starts, starts, side="left")
    t1 = np.searchsorted(tokens.starts, ends, side="left")
    keep = t1 > t0
    return list(
        zip(
            starts[keep].tolist(), ends[keep].tolist(), t0[keep].tolist(), t1[keep].tolist(), strict=True
        )
    )


def line_affixes(
    tokens: Tokens, lines: list[tuple[int, int, int, int]] | None = None
) -> list[tuple[int, int, int, int]]:
    """Stretches that at least :data:`AFFIX_MIN_LINES` lines end (or begin) with.

    Args:
        tokens: the tokenised document.
        lines: its :func:`_lines` (computed when not given).

    Returns:
        ``(key, start, end, words)`` per occurrence; the longest common
        affix of 5-16 words wins, and a line's affix never covers the whole
        line (a repeated whole line is a repeat, found elsewhere).
        O(lines * 16), as numpy arrays: no Python work per candidate affix.
    """
    import numpy as np

    lines = _lines(tokens) if lines is None else lines
    if len(lines) < AFFIX_MIN_LINES:
        return []
    eligible = sum(1 for _, _, t0, t1 in lines if AFFIX_MIN_WORDS < t1 - t0 <= AFFIX_MAX_LINE_WORDS)
    if eligible < AFFIX_MIN_LINES:  # most posts: no three list-like lines, no work
        return []
    arr = np.asarray(lines, dtype=np.int64).reshape(-1, 4)
    nw = arr[:, 3] - arr[:, 2]
    # affix lengths m = 5 .. min(16, words - 1) on lines of at most 40 words
    top = np.minimum(AFFIX_MAX_WORDS, nw - 1)
    top[nw > AFFIX_MAX_LINE_WORDS] = AFFIX_MIN_WORDS - 1
    counts = np.maximum(top - AFFIX_MIN_WORDS + 1, 0)
    if counts.sum() < AFFIX_MIN_LINES:
        return []
    line_of = np.repeat(np.arange(len(arr)), counts)
    first = np.cumsum(counts) - counts
    m = np.arange(len(line_of)) - np.repeat(first, counts) + AFFIX_MIN_WORDS
    runs = _RunKeys(tokens.ids)
    out: list[tuple[int, int, int, int]] = []
    for suffix in (True, False):
        t0, t1 = arr[line_of, 2], arr[line_of, 3]
        a, b = (t1 - m, t1) if suffix else (t0, t0 + m)
        keys = runs.keys(a, b)
        _, inverse, size = np.unique(keys, return_inverse=True, return_counts=True)
        shared = size[inverse] >= AFFIX_MIN_LINES
        if not shared.any():
            continue
        # each line's longest affix that at least three lines share
        cand_line, cand_m, cand_key = line_of[shared], m[shared], keys[shared]
        order = np.lexsort((-cand_m, cand_line))
        cand_line, cand_m, cand_key = cand_line[order], cand_m[order], cand_key[order]
        head = np.ones(len(cand_line), dtype=bool)
        head[1:] = cand_line[1:] != cand_line[:-1]
        best_line, best_m, best_key = cand_line[head], cand_m[head], cand_key[head]
        groups: dict[int, list[int]] = defaultdict(list)
        words_of: dict[int, int] = {}
        for n, w, key in zip(best_line.tolist(), best_m.tolist(), best_key.tolist(), strict=True):
            groups[key].append(n)
            words_of[key] = w
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


def chrome_lines(
    tokens: Tokens, lines: list[tuple[int, int, int, int]] | None = None
) -> list[tuple[int, int, int, int]]:
    """Short edge lines that carry an interface phrase of :data:`CHROME_CUES`.

    Returns:
        ``(key, start, end, words)`` per line: from its first word to its
        last non-space character. O(characters of the edge lines).
    """
    import numpy as np

    lines = _lines(tokens) if lines is None else lines
    if not lines:
        return []
    edge = set(range(min(EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - EDGE_LINES), len(lines)))
    text = tokens.text
    out = []
    runs: _RunKeys | None = None  # built at the first cue line: most documents have none
    for n in sorted(edge):
        start, end, t0, t1 = lines[n]
        if t1 - t0 > CHROME_MAX_WORDS or len(lines) == 1:
            continue
        if not CHROME_CUES.search(text, start, end):
            continue
        first = int(tokens.starts[t0])
        last = start + len(text[start:end].rstrip())
        if runs is None:
            runs = _RunKeys(tokens.ids)
        key = int(runs.keys(np.array([t0]), np.array([t1]))[0])
        out.append((key, first, last, t1 - t0))
    return out


def chrome_occurrences(tokens: Tokens) -> tuple[tuple[int, int, int, int], ...]:
    """Line affixes and chrome lines of one document, in text order.

    An affix is the more exact span, so a chrome line that holds one gives
    way to it.
    """
    if "\n" not in tokens.text:
        # one line: no affix is shared by several lines and no line is an
        # edge line among others (both rules need two lines or more)
        return ()
    lines = _lines(tokens)
    affixes = line_affixes(tokens, lines)
    taken = sorted((s, e) for _, s, e, _ in affixes)
    found = list(affixes)
    for occ in chrome_lines(tokens, lines):
        if not any(s < occ[2] and occ[1] < e for s, e in taken):
            found.append(occ)
    return tuple(sorted(found, key=lambda x: (x[1], x[2])))
