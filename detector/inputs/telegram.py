"""Telegram Desktop exports: the ``result.json`` of "Export chat history" (JSON).

The export is one JSON object: the chat's ``name``, ``type`` and ``id`` and a
list of ``messages``. A message's ``text`` is a string, or a list of strings
and entity objects (``{"type": "bold", "text": "..."}``, ``text_link`` with
an ``href``, ``mention``, ``hashtag``, ...) whose texts, concatenated, are the
message as shown. The full-account export ("Export Telegram data") holds
such chats under ``chats.list`` (and ``left_chats.list``); both are read.

Each ordinary message with non-empty text is one document:

* ``id``: ``CHANNEL NAME/MESSAGE ID`` (stable across re-exports of the same
  channel, so ``index add`` skips what it has);
* ``text``: the flattened text (entity texts in order, nothing added);
* ``outlet``: the channel name;
* ``date``: ``date_unixtime`` as UTC (``2024-03-05T06:30:00+00:00``), else
  ``date`` as written (the exporting machine's local time);
* ``extra``: ``message_id``, ``forwarded_from`` when forwarded, and the
  ``links`` (``href`` of ``text_link`` entities) when present.

Service messages (pinned, joined, channel created) and messages without
text (a photo without caption) are not documents; their numbers go into the
load notes. The format is recognised by content (an object with a
``messages`` list of objects with ``id`` and ``type``), whatever the file is
called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from detector.errors import InputError
from detector.inputs.raw import BadRecord, json_type, quote
from detector.inputs.records import check_date, check_text
from detector.schema import Document

__all__ = ["documents", "flatten_text", "is_export"]

ErrorHandler = Callable[[InputError], None]


def _is_chat(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    messages = value.get("messages")
    if not isinstance(messages, list):
        return False
    first = next((m for m in messages if isinstance(m, dict)), None)
    return first is None or ("id" in first and "type" in first)


def is_export(value: Any) -> bool:
    """True for a Telegram Desktop export (one chat, or the full-account export)."""
    if _is_chat(value):
        return True
    if isinstance(value, dict):
        chats = value.get("chats")
        return isinstance(chats, dict) and isinstance(chats.get("list"), list)
    return False


def flatten_text(value: Any) -> str:
    """The message text as shown: a string, or strings and entity texts joined.

    Raises:
        BadRecord: an item that is neither a string nor an entity object with
            a string ``text``.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise BadRecord(f"'text' must be a string or a list, not {json_type(value)}")
    parts: list[str] = []
    for item in value:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            parts.append(item["text"])
        else:
            raise BadRecord(f"'text' holds a {json_type(item)} that is not a text entity")
    return "".join(parts)


def _links(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [
        item["href"]
        for item in value
        if isinstance(item, dict) and item.get("type") == "text_link" and isinstance(item.get("href"), str)
    ]


def _date(message: dict[str, Any]) -> str | None:
    unix = message.get("date_unixtime")
    if isinstance(unix, (str, int)) and not isinstance(unix, bool):
        try:
            return datetime.fromtimestamp(int(unix), timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            raise BadRecord(f"'date_unixtime' {quote(str(unix))} is not a valid time") from None
    date = message.get("date")
    if date is None or date == "":
        return None
    if not isinstance(date, str):
        raise BadRecord(f"'date' must be a string, not {json_type(date)}")
    check_date(date)
    return date


def _chat_documents(
    chat: dict[str, Any], *, path: str, on_error: ErrorHandler, counts: dict[str, int]
) -> Iterator[Document]:
    name = chat.get("name")
    if not isinstance(name, str) or not name:
        ident = chat.get("id")
        name = f"telegram-{ident}" if isinstance(ident, (str, int)) else None
    if name is None:
        on_error(InputError(path, "Telegram export without a chat 'name' or 'id'"))
        return
    for index, message in enumerate(chat.get("messages") or ()):
        where = f"message {index + 1}"
        try:
            if not isinstance(message, dict):
                raise BadRecord(f"{where} is a {json_type(message)}, not an object")
            msg_id = message.get("id")
            if isinstance(msg_id, bool) or not isinstance(msg_id, (int, str)) or msg_id == "":
                raise BadRecord(f"{where} has no usable 'id'")
            where = f"message id {msg_id}"
            if message.get("type", "message") != "message":
                counts["service"] += 1
                continue
            text = flatten_text(message.get("text", ""))
            if not text.strip():
                counts["empty"] += 1
                continue
            check_text(text)
            extra: dict[str, Any] = {"message_id": msg_id}
            forwarded = message.get("forwarded_from")
            if forwarded is not None:
                extra["forwarded_from"] = forwarded
            links = _links(message.get("text"))
            if links:
                extra["links"] = links
            doc = Document(
                id=f"{name}/{msg_id}",
                text=text,
                outlet=name,
                date=_date(message),
                extra=extra,
                source=path,
            )
        except BadRecord as bad:
            reason = bad.reason if bad.reason.startswith("message") else f"{where}: {bad.reason}"
            on_error(InputError(path, f"Telegram export, {reason}"))
            continue
        yield doc


def documents(
    export: dict[str, Any],
    *,
    path: str,
    on_error: ErrorHandler,
    notes: list[str] | None = None,
) -> Iterator[Document]:
    """The documents of a decoded Telegram Desktop export (see the module docstring).

    Args:
        notes: gets one line saying how many service and text-less messages
            were not documents (when there were any). Defaults to the notes of
            the current input session.
    """
    if notes is None:
        from detector.inputs.meta import current_notes

        notes = current_notes()
    counts = {"service": 0, "empty": 0}
    if _is_chat(export):
        chats = [export]
    else:
        chats = [c for c in export["chats"]["list"] if _is_chat(c)]
        left = export.get("left_chats")
        if isinstance(left, dict) and isinstance(left.get("list"), list):
            chats += [c for c in left["list"] if _is_chat(c)]
    for chat in chats:
        yield from _chat_documents(chat, path=path, on_error=on_error, counts=counts)
    if counts["service"] or counts["empty"]:
        notes.append(
            f"{path}: Telegram export: {counts['service']} service message(s) and "
            f"{counts['empty']} message(s) without text are not documents"
        )
