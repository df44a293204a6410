"""Word tokenisation with character offsets into the original text.

The original text is tokenised first and each token is normalised afterwards,
so every token keeps its exact ``(start, end)`` character span; normalisation
(which can change length, e.g. NFKC turns "ﬁ" into "fi") never shifts offsets.

Normalisation of the matching form of a token, in order:

1. Unicode NFKC (full-width letters, ligatures, compatibility forms);
2. full case folding (``str.casefold``: "Straße" -> "strasse");
3. removal of format characters (zero-width space/joiners, soft hyphen, bidi
   marks: a known trick to defeat exact matching) and of leftover combining
   marks (Russian stress accents); "ё" -> "е"; apostrophe variants -> "'";
4. Latin/Cyrillic look-alike folding: in a token written mostly in one of the
   two scripts, letters of the other script that are confusable with a letter
   of the majority script (Unicode confusables, via ``confusable_homoglyphs``)
   are replaced by it ("Rоssiа" with Cyrillic о and а becomes "rossia");
5. optionally, Snowball stemming (PyStemmer; English for Latin tokens,
   Russian for Cyrillic ones).

Dashes and quotes never join words, so their variants fold by construction.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Tokens", "normalize_token", "tokenize", "tokenize_many"]

# A word starts with a letter or digit and may continue with letters, digits,
# combining marks and format characters (so "Rus\u200bsia" stays one token);
# an apostrophe between letters joins ("don't", "д'Артаньян"). Hyphens and
# dashes split: "foreign-policy" and "foreign policy" must match.
_WORD_RE = regex.compile(
    r"[\p{L}\p{N}][\p{L}\p{N}\p{M}\p{Cf}]*(?:['’ʼ`][\p{L}\p{N}][\p{L}\p{N}\p{M}\p{Cf}]*)*"
)
_DROP_RE = regex.compile(r"[\p{Cf}\p{M}]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "ё": "е"})
_LATIN_RE = regex.compile(r"\p{Latin}")
_CYRILLIC_RE = regex.compile(r"\p{Cyrillic}")


@functools.lru_cache(maxsize=1)
def _lookalike_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Build (cyrillic->latin, latin->cyrillic) single-letter look-alike maps.

    Derived once from the Unicode confusables data shipped by
    ``confusable_homoglyphs``; both lower- and upper-case letters, folded to
    lower case since tables apply after case folding.
    """
    import confusable_homoglyphs

    data = json.loads(
        resources.files(confusable_homoglyphs).joinpath("confusables.json").read_text("utf-8")
    )
    cyr_to_lat: dict[int, str] = {}
    lat_to_cyr: dict[int, str] = {}
    for char, entries in data.items():
        if len(char) != 1:
            continue
        name = unicodedata.name(char, "")
        for entry in entries:
            other = entry["c"]
            if len(other) != 1:
                continue
            src, dst = char.casefold(), other.casefold()
            if len(src) != 1 or len(dst) != 1 or src == dst:
                continue
            if name.startswith("CYRILLIC") and entry["n"].startswith("LATIN"):
                cyr_to_lat.setdefault(ord(src), dst)
            elif name.startswith("LATIN") and entry["n"].startswith("CYRILLIC"):
                lat_to_cyr.setdefault(ord(src), dst)
    return cyr_to_lat, lat_to_cyr


_LATIN_CORE = frozenset("abcdefghijklmnopqrstuvwxyz")
_CYRILLIC_CORE = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюя")


def _fold_mixed(form: str, latin: int, cyrillic: int) -> str:
    """Fold a mixed Latin/Cyrillic word into one script.

    The script chosen is the one whose fold leaves fewer letters outside its
    plain alphabet (a-z; а-я): a
    disguised word keeps letters the other script cannot imitate, or only
    imitates with rare letters ("соореrаtion" folded to Cyrillic would keep
    its Latin "n"; "реоplе" would become "реоріе" with a Ukrainian i), so
    it goes back to its own script although most of its letters were
    swapped. On a tie, the majority script (as before).
    """
    cyr_to_lat, lat_to_cyr = _lookalike_tables()
    to_latin, to_cyrillic = form.translate(cyr_to_lat), form.translate(lat_to_cyr)
    odd_latin = sum(1 for c in to_latin if c.isalpha() and c not in _LATIN_CORE)
    odd_cyrillic = sum(1 for c in to_cyrillic if c.isalpha() and c not in _CYRILLIC_CORE)
    if odd_latin != odd_cyrillic:
        return to_latin if odd_latin < odd_cyrillic else to_cyrillic
    return to_latin if latin >= cyrillic else to_cyrillic


@functools.lru_cache(maxsize=4)
def _stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(language)


@functools.lru_cache(maxsize=262144)
def normalize_token(raw: str, stem: bool = True) -> str:
    """Return the matching form of one raw token (see the module docstring).

    Cached: news text repeats its vocabulary, so the per-token Python cost is
    paid once per distinct word form. O(len(raw)).
    """
    form = unicodedata.normalize("NFKC", raw).casefold()
    form = _DROP_RE.sub("", form).translate(_APOSTROPHES)
    latin = len(_LATIN_RE.findall(form))
    cyrillic = len(_CYRILLIC_RE.findall(form))
    if latin and cyrillic:
        form = _fold_mixed(form, latin, cyrillic)
        # a full mixed word of look-alikes ends in one script now
        latin = len(_LATIN_RE.findall(form))
        cyrillic = len(_CYRILLIC_RE.findall(form))
    if stem and form:
        if cyrillic > latin:
            form = _stemmer("russian").stemWord(form)
        elif latin:
            form = _stemmer("english").stemWord(form)
    return form


@dataclass(frozen=True, eq=False)
class Tokens:
    """The word tokens of one text.

    Attributes:
        text: the original text.
        starts, ends: ``int64`` arrays of character offsets, ``text[starts[i]:ends[i]]``
            is the i-th token exactly as written.
        forms: normalised matching forms (stemmed if requested).
        ids: ``uint64`` array, a stable 64-bit hash (xxh3) of each form; equal
            forms have equal ids in every process and run.
    """

    text: str
    starts: np.ndarray
    ends: np.ndarray
    forms: tuple[str, ...]
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.forms)

    def char_span(self, tok_start: int, tok_end: int) -> tuple[int, int]:
        """Character span ``(start, end)`` of tokens ``[tok_start, tok_end)``.

        An empty token range maps to an empty span at the position where the
        token ``tok_start`` begins (or at the end of the last token).
        """
        if tok_end > tok_start:
            return int(self.starts[tok_start]), int(self.ends[tok_end - 1])
        if tok_start < len(self.forms):
            pos = int(self.starts[tok_start])
        elif self.forms:
            pos = int(self.ends[-1])
        else:
            pos = 0
        return pos, pos


# Per stemming choice, two caches keyed by the raw token: its matching form
# and its id. Two flat dicts (not one of pairs) let a text's forms and ids be
# read with C-level ``map`` calls, no per-token tuple.
_FORMS: dict[bool, dict[str, str]] = {True: {}, False: {}}
_IDS: dict[bool, dict[str, int]] = {True: {}, False: {}}
_FORM_CACHE_LIMIT = 500_000
# The word pattern as one capturing group: split() then alternates
# gap, token, gap, token, ..., gap, so offsets follow from piece lengths.
_SPLIT_RE = regex.compile("(" + _WORD_RE.pattern + ")")
# The same pattern on ASCII text, for the standard library's ``re`` (about
# 2.5x faster than ``regex`` there). Exactly equivalent on ASCII: its letters
# and digits are ``[A-Za-z0-9]``, it has no marks or format characters, and
# its apostrophes are ``'`` and `` ` ``.
_SPLIT_ASCII = re.compile(r"([A-Za-z0-9]+(?:['`][A-Za-z0-9]+)*)")


def _form_and_id(raw: str, stem: bool) -> tuple[str, int]:
    """Matching form of a raw token and its stable 64-bit id (xxh3 of the form)."""
    import xxhash

    form = normalize_token(raw, stem)
    return form, xxhash.xxh3_64_intdigest(form.encode("utf-8", "surrogatepass"))


def _learn(raws: list[str], stem: bool) -> None:
    """Put every raw token of ``raws`` into the caches (news text repeats its
    vocabulary, so normalising, stemming and hashing are paid once per
    distinct written form). The caches are bounded: when this text's new
    forms would overflow them they are cleared first, and the whole text is
    then learnt, so every one of its tokens is in them afterwards."""
    forms, ids = _FORMS[stem], _IDS[stem]
    missing = set(raws).difference(forms)
    if len(forms) + len(missing) > _FORM_CACHE_LIMIT:
        forms.clear()
        ids.clear()
        missing = set(raws)
    import xxhash

    plain = [raw for raw in missing if raw.isascii()]
    for raw in missing.difference(plain) if plain else missing:
        forms[raw], ids[raw] = _form_and_id(raw, stem)
    if not plain:
        return
    # ASCII words (most of English text; every OCR misread is a new one) in
    # bulk, the same forms as normalize_token: NFKC and the dropped marks leave
    # ASCII as it is, case folding is lower(), the only ASCII apostrophe
    # variant is the backtick, there is no Cyrillic to fold, and a word with a
    # letter gets the English stem (one stemWords call for all of them)
    lowered = [raw.lower().replace("`", "'") for raw in plain]
    if stem:
        worded = [k for k, form in enumerate(lowered) if form != form.upper()]
        if worded:
            stems = _stemmer("english").stemWords([lowered[k] for k in worded])
            for k, form in zip(worded, stems, strict=True):
                lowered[k] = form
    hash_of = xxhash.xxh3_64_intdigest
    for raw, form in zip(plain, lowered, strict=True):
        forms[raw] = form
        ids[raw] = hash_of(form.encode("utf-8", "surrogatepass"))


def tokenize(text: str, *, stem: bool = True) -> Tokens:
    """Split ``text`` into word tokens with character offsets and matching forms.

    Args:
        text: original text (any Unicode, including lone surrogates).
        stem: apply Snowball stemming to the matching forms.

    Returns:
        Tokens whose spans index ``text``. O(n) in characters, plus one cached
        normalisation per distinct word form; the splitting and the offsets
        run in C (regex split, numpy cumulative sums), not per match object.
    """
    import numpy as np

    starts, ends, forms, ids = _scan(text, stem)
    return Tokens(
        text=text,
        starts=np.ascontiguousarray(starts),
        ends=np.ascontiguousarray(ends),
        forms=forms,
        ids=ids,
    )


def _scan(text: str, stem: bool) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
    """Word tokens of ``text`` as ``(starts, ends, forms, ids)``: the regex split, its
    offsets by numpy cumulative sums, forms and ids through the caches; tokens made only
    of marks or format characters dropped. O(characters)."""
    import numpy as np

    pieces = (_SPLIT_ASCII if text.isascii() else _SPLIT_RE).split(text)
    raws = pieces[1::2]
    bounds = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)), out=bounds[1:])
    starts, ends = bounds[1:-1:2], bounds[2::2]
    cache = _FORMS[stem]
    forms = tuple(map(cache.get, raws))
    if None in forms:
        _learn(raws, stem)
        forms = tuple(map(cache.get, raws))
    ids = np.fromiter(map(_IDS[stem].__getitem__, raws), dtype=np.uint64, count=len(raws))
    if "" in forms:  # tokens made only of marks/format characters drop out
        keep = np.fromiter((bool(f) for f in forms), dtype=bool, count=len(forms))
        starts, ends, ids = starts[keep], ends[keep], ids[keep]
        forms = tuple(f for f in forms if f)
    return starts, ends, forms, ids


def tokenize_many(texts: list[str], *, stem: bool = True) -> list[Tokens]:
    """:func:`tokenize` of each text, computed for all of them at once.

    Equal, token for token, to ``[tokenize(t, stem=stem) for t in texts]``.
    The texts are joined with line breaks (a word never spans one, so every
    text splits exactly as it does alone), split and measured in one pass,
    and cut back per text: a short post costs a few array slices instead of
    a dozen array calls of its own. O(total characters).
    """
    import numpy as np

    if len(texts) <= 1:
        return [tokenize(t, stem=stem) for t in texts]
    starts, ends, forms, ids = _scan("\n".join(texts), stem)
    # where each text begins in the joined string, and its first token
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1, out=offsets[1:])
    first = np.searchsorted(starts, offsets).tolist()
    out = []
    for n, text in enumerate(texts):
        a, b = first[n], first[n + 1]
        base = offsets[n]
        out.append(
            Tokens(text=text, starts=starts[a:b] - base, ends=ends[a:b] - base, forms=forms[a:b], ids=ids[a:b])
        )
    return out
