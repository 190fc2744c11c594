"""floorwatch JSON Lines for chats and tickets, and whole-file JSON arrays of tickets.

Each line is one JSON object, of one of three kinds:
- a message (it has `role` or `text`): a `messages` row;
- conversation facts (`"type": "conversation"`, or any object without role/text, which is what a
  helpdesk's ticket export looks like): a `conversations` row;
- a conversation with `"messages": [...]`: one `conversations` row plus a `messages` row per item.

Conversation fields: conversation_id (else `id`, else `_id`), ts (when the facts were written;
else updated_at, else created_at, else the last message), created_at (else the first message),
channel (else `via`, a string or Zendesk's `{"channel": ...}`), queue, status (Zendesk's new,
hold, solved are read as open, pending, resolved), resolved_at (else solved_at), priority, due_at,
tags (a list, or a comma-separated string), rating with rating_scale (default 5, mapped onto 1–5,
the original kept), rating_comment, customer (else requester_id, else submitter_id), agent (else
assignee_id), topic. Every other key is kept verbatim in `extra` (JSON text). Messages keep only
their documented fields (the table has no `extra`).

Channel: a source rule's channel wins, then the record's own (aliases such as phone -> voice,
web -> other), then "chat".

A file whose first non-blank character is `[` is a JSON array of such objects (a Zendesk
`tickets.json`). It cannot be read line by line: until the closing `]` has arrived the reader
returns nothing and `unconsumed_lines = len(lines)`, so ingest hands the whole file over again
later; then every element is read, its rows carrying the line number where the element starts.
An element that is not valid JSON stops the array there, with one reject saying where.

Row keys hash content, not position: a message on (conversation, ts, role, author, text), facts
on the whole object, so a copied file dedupes.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any, ClassVar

from data.formats.base import Batch, ReadContext, row_key
from data.formats.common import (
    CHANNEL_ALIASES,
    decode_line,
    first_lines,
    normalize_status,
    scale_rating,
)
from data.formats.timeparse import parse_iso

ROLES = frozenset({"customer", "agent", "bot", "system"})
MESSAGE_KEYS = frozenset({"conversation_id", "ts", "role", "author", "text", "channel", "queue"})
# Keys read into columns (canonical names and the helpdesk aliases they are taken from).
CONVERSATION_KEYS = frozenset(
    {
        "conversation_id",
        "id",
        "_id",
        "type",
        "ts",
        "updated_at",
        "created_at",
        "channel",
        "via",
        "queue",
        "status",
        "resolved_at",
        "solved_at",
        "priority",
        "due_at",
        "tags",
        "rating",
        "rating_scale",
        "rating_comment",
        "customer",
        "requester_id",
        "submitter_id",
        "agent",
        "assignee_id",
        "topic",
        "messages",
    }
)
_DECODER = json.JSONDecoder()


class RecordError(ValueError):
    """A JSON object that cannot become rows; str() is the reject reason."""


class ChatJsonlReader:
    name: ClassVar[str] = "chat_jsonl"

    def sniff(self, head: bytes, path: str) -> bool:
        """A JSON object on the first line, or a JSON array of objects."""
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text.startswith(b"["):
            return text[1:].lstrip()[:1] in (b"{", b"]")
        lines = first_lines(head, 1)
        if not lines or not lines[0].lstrip().startswith("{"):
            return False
        if b"\n" not in head:  # the first line is cut: its start must do
            return lines[0].lstrip().startswith('{"')
        try:
            return isinstance(json.loads(lines[0]), dict)
        except ValueError:
            return False

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        lines = list(lines)
        if _is_array(lines):
            return _parse_array(lines, ctx)
        batch = Batch()
        for line_no, raw in lines:
            text = decode_line(line_no, raw, batch)
            if not text or not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                batch.reject(line_no, f"invalid JSON: {exc}", text)
                continue
            _record(obj, line_no, ctx, batch, text)
        return batch


def _is_array(lines: list[tuple[int, bytes]]) -> bool:
    """The first non-blank line starts with `[`, in a run that starts at the file's first line
    (an array is only ever read whole: see the module docstring)."""
    if not lines or lines[0][0] != 1:
        return False
    for _line_no, raw in lines:
        stripped = raw.removeprefix(b"\xef\xbb\xbf").strip()
        if stripped:
            return stripped.startswith(b"[")
    return False


def _parse_array(lines: list[tuple[int, bytes]], ctx: ReadContext) -> Batch:
    batch = Batch()
    raw = b"\n".join(r for _n, r in lines).removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = lines[0][0] + raw.count(b"\n", 0, exc.start)
        batch.reject(
            line_no,
            f"invalid UTF-8 at byte {exc.start}",
            raw[max(0, exc.start - 40) : exc.start + 40],
        )
        return batch
    if not text.rstrip().endswith("]"):
        batch.unconsumed_lines = len(lines)
        return batch
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    first = lines[0][0]

    def line_at(pos: int) -> int:
        return first + bisect_right(starts, pos) - 1

    pos = text.index("[") + 1
    end = len(text)
    while True:
        pos = _skip_ws(text, pos)
        if pos < end and text[pos] == "]":
            break
        try:
            obj, after = _DECODER.raw_decode(text, pos)
        except ValueError as exc:
            if getattr(exc, "pos", 0) >= len(text.rstrip()):
                return Batch(unconsumed_lines=len(lines))  # still being written
            at = getattr(exc, "pos", pos)
            batch.reject(
                line_at(at),
                f"invalid JSON: {exc}; the rest of the array is not read",
                text[pos : pos + 200],
            )
            return batch
        _record(obj, line_at(pos), ctx, batch, text[pos:after])
        pos = _skip_ws(text, after)
        if pos < end and text[pos] == ",":
            pos += 1
        elif pos >= end or text[pos] != "]":
            batch.reject(
                line_at(pos), "expected ',' or ']' between array elements", text[pos : pos + 200]
            )
            return batch
    tail = text[pos + 1 :].strip()
    if tail:
        batch.reject(
            line_at(pos + 1 + text[pos + 1 :].index(tail[0])),
            "content after the end of the JSON array",
            tail,
        )
    return batch


def _skip_ws(text: str, pos: int) -> int:
    end = len(text)
    while pos < end and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _record(obj: object, line_no: int, ctx: ReadContext, batch: Batch, raw: str) -> None:
    """Rows for one JSON object, or one reject naming what is wrong with it."""
    try:
        if not isinstance(obj, dict):
            raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
        if obj.get("type") != "conversation" and "messages" not in obj and _is_message(obj):
            batch.add("messages", _message(obj, line_no, ctx, None))
            return
        conv, msgs = _conversation(obj, line_no, ctx)
    except RecordError as exc:
        batch.reject(line_no, str(exc), raw)
        return
    batch.add("conversations", conv)
    for m in msgs:
        batch.add("messages", m)


def _is_message(obj: dict[str, Any]) -> bool:
    return "role" in obj or "text" in obj


def _text(value: object) -> str | None:
    """A scalar as text (ids are often numbers); None stays None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _ts(value: object, what: str, ctx: ReadContext) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"bad {what} {value!r}")
    try:
        return parse_iso(value, ctx.zone)
    except ValueError:
        raise RecordError(f"bad {what} {value!r}") from None


def _channel(value: object, ctx: ReadContext) -> str | None:
    """The channel a line names (or its source rule forces); None when it names none, so that a
    fact line without one does not override the channel its messages give (derive: else chat)."""
    if ctx.channel:
        return ctx.channel
    if isinstance(value, dict):
        value = value.get("channel")
    if isinstance(value, str) and value:
        return CHANNEL_ALIASES.get(value.strip().lower(), "other")
    return None


def _message(m: dict[str, Any], line_no: int, ctx: ReadContext, conv: tuple | None) -> tuple:
    conv_id = _text(m.get("conversation_id")) or (conv[0] if conv else None)
    if not conv_id:
        raise RecordError("missing conversation_id")
    ts = _ts(m.get("ts"), "ts", ctx)
    if ts is None:
        raise RecordError("missing ts")
    role = m.get("role")
    if role not in ROLES:
        raise RecordError(f"unknown role {role!r}" if role is not None else "missing role")
    author, text = _text(m.get("author")), _text(m.get("text"))
    channel = _channel(m.get("channel") or (conv[1] if conv else None), ctx)
    queue = _text(m.get("queue")) or (conv[2] if conv else None)
    key = row_key("messages", conv_id, ts, role, author, text)
    return (key, ctx.file_id, line_no, conv_id, ts, role, author, text, channel, queue)


def _conversation(obj: dict[str, Any], line_no: int, ctx: ReadContext) -> tuple[tuple, list[tuple]]:
    conv_id = _text(_first(obj, "conversation_id", "id", "_id"))
    if not conv_id:
        raise RecordError("missing conversation_id")
    channel = _channel(obj.get("channel") or obj.get("via"), ctx)
    queue = _text(obj.get("queue"))
    items = obj.get("messages") or []
    if not isinstance(items, list) or not all(isinstance(m, dict) for m in items):
        raise RecordError("messages must be a list of objects")
    msgs = [_message(m, line_no, ctx, (conv_id, channel, queue)) for m in items]
    msg_ts = [m[4] for m in msgs]
    created = _ts(obj.get("created_at"), "created_at", ctx)
    if created is None and msg_ts:
        created = min(msg_ts)
    ts = _ts(_first(obj, "ts", "updated_at"), "ts", ctx) or created
    if ts is None and msg_ts:
        ts = max(msg_ts)
    status = obj.get("status")
    if status is not None:
        try:
            status = normalize_status(str(status))
        except ValueError as exc:
            raise RecordError(str(exc)) from None
    rating, rating_raw, rating_scale = _rating(obj)
    extra = {k: v for k, v in obj.items() if k not in CONVERSATION_KEYS}
    if obj.get("type") not in (None, "conversation"):
        extra["type"] = obj["type"]
    facts = {k: v for k, v in obj.items() if k != "messages"}
    row = (
        row_key("conversations", conv_id, json.dumps(facts, sort_keys=True, default=str)),
        ctx.file_id, line_no, conv_id, ts, created, channel, queue, status,
        _ts(_first(obj, "resolved_at", "solved_at"), "resolved_at", ctx),
        _text(obj.get("priority")),
        _ts(obj.get("due_at"), "due_at", ctx),
        _tags(obj.get("tags")),
        rating, rating_raw, rating_scale,
        _text(obj.get("rating_comment")),
        _text(_first(obj, "customer", "requester_id", "submitter_id")),
        _text(_first(obj, "agent", "assignee_id")),
        _text(obj.get("topic")),
        json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
    )  # fmt: skip
    return row, msgs


def _first(obj: dict[str, Any], *keys: str) -> object:
    for k in keys:
        v = obj.get(k)
        if v is not None and v != "":
            return v
    return None


def _tags(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        return [str(t) for t in value]
    raise RecordError(f"tags must be a list, got {type(value).__name__}")


def _number(value: object, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"bad {what} {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RecordError(f"bad {what} {value!r}") from None


def _rating(obj: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    raw = _number(obj.get("rating"), "rating")
    if raw is None:
        return None, None, None
    scale = _number(obj.get("rating_scale"), "rating_scale") or 5.0
    try:
        return scale_rating(raw, scale), raw, scale
    except ValueError as exc:
        raise RecordError(str(exc)) from None
