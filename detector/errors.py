"""Exceptions and exit codes shared by the library and the CLI.

The library raises :class:`InputError` for anything wrong with what a user
gave (a missing file, invalid UTF-8, a malformed JSONL line); it never imports
click and never exits. ``detector.cli`` maps these errors to a one-line
message on stderr and :attr:`ExitCode.INPUT_ERROR`.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["DetectorError", "EngineError", "ExitCode", "InputError", "ModelError"]


class ExitCode(IntEnum):
    """Process exit statuses (see DESIGN.md, "Commands")."""

    OK = 0
    FINDINGS = 1  # only when the user asked for it, e.g. --fail-above
    INPUT_ERROR = 2  # usage or input error; click uses 2 for usage errors too
    RUN_FAILED = 3  # the run could not finish (a worker process died)
    INTERRUPTED = 130  # Ctrl-C


class DetectorError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(DetectorError):
    """Something the user gave cannot be read.

    Args:
        path: the file (or ``"-"`` for stdin) the problem is in.
        reason: a short, human sentence without a trailing full stop.
        line: 1-based line number for JSONL/CSV records, if known.
        byte: 0-based byte offset for decoding errors, if known.
    """

    def __init__(
        self, path: str, reason: str, *, line: int | None = None, byte: int | None = None
    ) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.byte = byte
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.path != "-" else "<stdin>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.byte is not None:
            return f"{where}: {self.reason} (at byte {self.byte})"
        return f"{where}: {self.reason}"


class ModelError(DetectorError):
    """A framing model file is missing, corrupted, untrusted or incompatible."""


class EngineError(DetectorError):
    """A run could not finish for a reason outside the input, e.g. a worker process died."""
