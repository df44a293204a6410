"""Language identification and stemmers for English and Russian text.

Detection is two-stage. A script count (Cyrillic vs Latin letters) settles
most cases for free: Cyrillic text without the letters Russian lacks
(``і ї є ґ ў``) is Russian. Only Latin text, Cyrillic text with
Ukrainian/Belarusian letters, and mixed text go to py3langid, restricted to
:data:`LANGUAGES`. py3langid's bundled model takes about 0.6 s to load
(measured), so it is loaded lazily, once per process, and a private
identifier is used rather than py3langid's global one (``set_languages`` on
the global would change every other caller's results).

A ``lang`` field given with a document always wins over detection; callers
should only detect when it is missing.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = [
    "CYRILLIC_LANGUAGES",
    "LANGUAGES",
    "UNDETERMINED",
    "detect_language",
    "dominant_script",
    "stemmer_for",
]

LANGUAGES: tuple[str, ...] = ("en", "ru", "uk", "be", "de", "fr")
"""Languages detection may return (besides :data:`UNDETERMINED`)."""

CYRILLIC_LANGUAGES: frozenset[str] = frozenset({"ru", "uk", "be"})

UNDETERMINED = "und"
"""ISO 639-2 code for "undetermined": empty text, or text without letters."""

# Letters of Ukrainian/Belarusian that Russian does not use; their absence
# in Cyrillic text is what lets us skip the statistical model.
_NON_RUSSIAN_CYRILLIC = frozenset("іїєґўІЇЄҐЎ")
# Share of letters one script must reach for the text to count as that script.
_SCRIPT_MAJORITY = 0.8

Script = Literal["cyrillic", "latin", "mixed", "none"]

_STEMMER_NAMES = {"en": "english", "ru": "russian"}


def _letter_counts(text: str) -> tuple[int, int, int]:
    """Count (Cyrillic, Latin, other) letters of ``text``; O(len(text))."""
    cyr = lat = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if (
            0x0400 <= o <= 0x052F
            or 0x1C80 <= o <= 0x1C8F
            or 0x2DE0 <= o <= 0x2DFF
            or 0xA640 <= o <= 0xA69F
        ):
            cyr += 1
        elif o < 0x0250 or 0x1E00 <= o <= 0x1EFF:
            lat += 1
        else:
            other += 1
    return cyr, lat, other


def dominant_script(text: str) -> Script:
    """The script of most letters in ``text``.

    Returns ``"cyrillic"`` or ``"latin"`` when at least 80% of the letters are
    of that script, ``"none"`` when the text has no letters, else ``"mixed"``.
    Linear in ``len(text)`` characters; no model is loaded.
    """
    cyr, lat, other = _letter_counts(text)
    total = cyr + lat + other
    if total == 0:
        return "none"
    if cyr >= _SCRIPT_MAJORITY * total:
        return "cyrillic"
    if lat >= _SCRIPT_MAJORITY * total:
        return "latin"
    return "mixed"


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect_language(text: str) -> str:
    """Guess the language of ``text``.

    Args:
        text: any text; only its letters matter.

    Returns:
        One of :data:`LANGUAGES`, or ``"und"`` when ``text`` has no letters.
        Cyrillic text without Ukrainian/Belarusian letters is ``"ru"`` without
        consulting the model; otherwise py3langid decides among the
        languages of the script (all of :data:`LANGUAGES` for mixed text).
        Linear in characters; the first model call loads py3langid (~0.6 s).
    """
    script = dominant_script(text)
    if script == "none":
        return UNDETERMINED
    if script == "cyrillic" and not any(ch in _NON_RUSSIAN_CYRILLIC for ch in text):
        return "ru"
    ident = _identifier()
    lang, _prob = ident.classify(text)
    if script == "cyrillic" and lang not in CYRILLIC_LANGUAGES:
        # The model saw Cyrillic letters but ranked a Latin-script language
        # first (possible on very short input); the script is the stronger
        # evidence, and Russian is the only Cyrillic language we serve fully.
        return "ru"
    if script == "latin" and lang in CYRILLIC_LANGUAGES:
        return "en"
    return str(lang)


@cache
def _stemmer(name: str):  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer(name)


def stemmer_for(lang: str | None):  # type: ignore[no-untyped-def]
    """A cached Snowball stemmer (PyStemmer) for ``lang``, or None.

    Only English (``"en"``) and Russian (``"ru"``) have stemmers; any other
    code, ``"und"`` or None returns None (callers then leave tokens
    unstemmed). The returned object has ``stemWord(str) -> str`` and
    ``stemWords(list[str]) -> list[str]``; it is shared, so callers must not
    configure it (e.g. ``maxCacheSize``).
    """
    name = _STEMMER_NAMES.get(lang or "")
    return _stemmer(name) if name else None
