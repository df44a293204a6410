"""Display-safe text: document text must never become markup or a control sequence.

Every control code point is replaced by exactly **one** visible code point, so
character offsets computed on the original text stay valid on the sanitised
text (``len(display_text(t)) == len(t)``).
"""

from __future__ import annotations

import re

__all__ = ["CONTROL_RE", "display_line", "display_text", "escape_markup", "xml_safe"]

# C0 controls except TAB and LF, DEL, C1 controls, bidi embeddings/overrides
# (U+202A-U+202E), bidi isolates (U+2066-U+2069), LRM/RLM/ALM, and the
# line/paragraph separators that some terminals treat as newlines.
CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)

_REPLACEMENTS = {
    "\x1b": "\u241b",  # SYMBOL FOR ESCAPE
    "\r": "\u240d",  # SYMBOL FOR CARRIAGE RETURN
    "\x07": "\u2407",  # SYMBOL FOR BELL
    "\x7f": "\u2421",  # SYMBOL FOR DELETE
}


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures block: one glyph per C0 code
    return "\ufffd"


def display_text(text: str, *, keep_cr: bool = False) -> str:
    """Replace control code points with one visible character each.

    Covers C0 (but TAB and LF), ESC, DEL, C1, bidi overrides/isolates and
    Unicode line separators. ESC, CSI, OSC (hyperlinks, clipboard writes) and
    BEL can therefore never reach a terminal from a document. O(n) characters.

    Args:
        text: original document text.
        keep_cr: keep CR when it is part of a CRLF pair, as a no-op for display
            of Windows line endings (it is still replaced when alone).

    Returns:
        A string of the same length as ``text``.
    """
    if keep_cr:

        def _replace_keep_crlf(match: re.Match[str]) -> str:
            if match.group() == "\r" and text.startswith("\n", match.end()):
                return " "
            return _replace(match)

        return CONTROL_RE.sub(_replace_keep_crlf, text)
    return CONTROL_RE.sub(_replace, text)


def escape_markup(text: str) -> str:
    """Sanitise and escape text for the rare place where rich markup is unavoidable.

    Prefer building ``rich.text.Text`` objects (no markup parsing at all).
    Note that the result's offsets no longer match the original.
    """
    from rich.markup import escape

    return escape(display_text(text))


def display_line(text: object) -> str:
    """``display_text`` of ``str(text)`` on one line (newlines become spaces).

    For ids, outlets, file names and paths in one-line messages on stderr:
    every such string a command prints goes through here. O(n).
    """
    return display_text(str(text)).replace("\n", " ").replace("\t", " ")


# Code points XML 1.0 forbids even as character references (everything but
# TAB, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF), plus the
# C1 and other controls ``display_text`` replaces.
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that is well-formed inside XML 1.0 (attributes or content, before escaping).

    Control characters become visible stand-ins (see :func:`display_text`),
    then anything XML 1.0 still forbids (lone surrogates, U+FFFE/U+FFFF)
    becomes U+FFFD. Same length as ``text``. O(n).
    """
    return _XML_FORBIDDEN_RE.sub("\ufffd", display_text(text))
