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

Flat message lines (no nested object or array, no `\\u` escape, string fields, an ISO 8601 `ts`
of the common shape) are read by a vectorised path (data/vector.py, `_FAST_SQL` below); every
other line, and every line of a chunk that is not valid UTF-8 as a whole, goes through the
per-line reader, which stays the reference and decides every reject.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any, ClassVar

from data import vector
from data.formats.base import Batch, ReadContext, row_key, sql_row_key
from data.formats.common import (
    CHANNEL_ALIASES,
    decode_line,
    first_lines,
    normalize_status,
    scale_rating,
)
from data.formats.timeparse import fixed_offset_us, parse_iso

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
        arrays = vector.line_arrays(lines)
        if arrays is None or arrays.text is None or _may_be_array(lines):
            return self.parse_lines(lines, ctx)
        offset = fixed_offset_us(ctx.zone)
        params = [offset is not None, offset or 0, ctx.file_id, ctx.channel]
        return vector.read(_FAST_SQL, arrays, params, self.parse_lines, ctx, "messages")

    def parse_lines(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        """The reference reader, one line at a time (and the fast path's fallback)."""
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


def _may_be_array(lines) -> bool:
    """What `_is_array` says of these lines (vector.Lines), without a Python object per line."""
    if lines.first_line_no != 1:
        return False
    data, pos = lines.data, 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        stripped = data[pos:end].removeprefix(b"\xef\xbb\xbf").strip()
        if stripped:
            return stripped.startswith(b"[")
        pos = end + 1
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


def _lone_surrogate(obj: object) -> bool:
    """Whether a decoded value holds a lone surrogate (`"\\ud800"`): valid JSON, but no character,
    so it cannot be stored as text (it used to stop the whole file's load)."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _record(obj: object, line_no: int, ctx: ReadContext, batch: Batch, raw: str) -> None:
    """Rows for one JSON object, or one reject naming what is wrong with it."""
    try:
        if "\\u" in raw and _lone_surrogate(obj):
            raise RecordError("a \\u escape names half of a UTF-16 pair, not a character")
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
    content = json.dumps(facts, sort_keys=True, default=str)
    # A fact line with no time of its own ("status": "open" again when a customer writes back) is
    # keyed by where it is too: the same line again later is a new fact, not a copy.
    where = () if _first(obj, "ts", "updated_at") is not None else ctx.position(line_no)
    row = (
        row_key("conversations", conv_id, content, *where),
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


# The fast path: the message lines `_record` reads, read the same way in SQL. `ok` is false for
# every line it is not sure about: those go to `parse_lines`, which decides. It takes a line only
# when it is a flat JSON object (one `{`, no `[`: nothing nested) of distinct keys with no control
# character, no `\\u` escape (lone surrogates) and no comma before a closing brace (DuckDB
# accepts a trailing comma, Python does not); without `type` or `messages`; whose role is one of
# ROLES; whose conversation_id is a non-empty string, author, text and queue strings or null, channel a
# printable-ASCII string or null; and whose ts is `YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}]` with `Z` or
# `+HH:MM` (naive only in a fixed-offset zone: $1, offset $2 µs). Parameters: $3 file id, $4 the
# source rule's channel.
_TS = (
    "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]"
    "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?"
    "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?"
)
_KEYS = ("conversation_id", "ts", "role", "author", "text", "channel", "queue")
_ALIASES = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in sorted(CHANNEL_ALIASES.items()))

_FAST_SQL = f"""
WITH a AS (
    SELECT line_no,
        {vector.WITHOUT_CR} AS t
    FROM src
),
b AS (
    SELECT line_no, t,
        starts_with(t, '{{') AND strpos(t, '[') = 0 AND strpos(substr(t, 2), '{{') = 0
        AND NOT regexp_matches(t, '[\\x00-\\x1f]') AND strpos(t, '\\u') = 0
        AND NOT regexp_matches(t, ',[ ]*}}')
        -- DuckDB's JSON reads nan/inf in any case, Python's only NaN/Infinity: such a line goes
        -- to the Python reader, which decides.
        AND json_valid(t) AND NOT regexp_matches(t, '(?i)nan|inf') AS shape_ok
    FROM a
),
c AS (
    SELECT line_no, shape_ok,
        CASE WHEN shape_ok THEN json_keys(t) END AS k,
        -- each value as JSON text (a string starts with a quote; null is 'null'; a missing key
        -- NULL) and as text (strings unescaped)
        CASE WHEN shape_ok THEN json_extract(t, [{", ".join(f"'$.{k}'" for k in _KEYS)}]) END AS v,
        CASE WHEN shape_ok THEN json_extract_string(t, [{
    ", ".join(f"'$.{k}'" for k in _KEYS)
}]) END AS s
    FROM b
),
d AS (
    SELECT line_no,
        shape_ok AND len(k) = len(list_distinct(k))
        AND NOT list_contains(k, 'type') AND NOT list_contains(k, 'messages')
        AND starts_with(v[1], '"') AND starts_with(v[2], '"') AND starts_with(v[3], '"')
        AND (v[4] IS NULL OR v[4] = 'null' OR starts_with(v[4], '"'))
        AND (v[5] IS NULL OR v[5] = 'null' OR starts_with(v[5], '"'))
        AND (v[6] IS NULL OR v[6] = 'null' OR starts_with(v[6], '"'))
        AND (v[7] IS NULL OR v[7] = 'null' OR starts_with(v[7], '"')) AS typed,
        CASE WHEN typed THEN s[1] END AS conversation_id,
        CASE WHEN typed THEN s[2] END AS ts_text,
        CASE WHEN typed THEN s[3] END AS role,
        CASE WHEN typed THEN s[4] END AS author,
        CASE WHEN typed THEN s[5] END AS text,
        CASE WHEN typed THEN s[6] END AS channel_text,
        CASE WHEN typed THEN s[7] END AS queue
    FROM c
),
e AS (
    SELECT *,
        typed AND conversation_id <> '' AND role IN ({", ".join(f"'{r}'" for r in sorted(ROLES))})
        AND regexp_full_match(ts_text, '{_TS}') AND base_ts IS NOT NULL
        AND ($1 OR NOT regexp_full_match(ts_text, '.{{19}}(\\.[0-9]*)?'))
        AND (channel_text IS NULL OR regexp_full_match(channel_text, '[ -~]*')) AS ok
    FROM (
        SELECT *,
            try_strptime(replace(left(ts_text, 19), 'T', ' '), '%Y-%m-%d %H:%M:%S') AS base_ts
        FROM d
    )
),
g AS (
    SELECT *,
        CASE WHEN ok THEN
            epoch_us(base_ts)
            + CASE WHEN substr(ts_text, 20, 1) = '.' THEN
                rpad(regexp_extract(ts_text, '^.{{20}}([0-9]+)', 1), 6, '0')::BIGINT
                ELSE 0 END
            - CASE
                WHEN suffix(ts_text, 'Z') THEN 0
                WHEN substr(ts_text, -3, 1) = ':' AND substr(ts_text, -6, 1) IN ('+', '-') THEN
                    (CASE WHEN substr(ts_text, -6, 1) = '-' THEN -1 ELSE 1 END)
                    * (substr(ts_text, -5, 2)::BIGINT * 3600 + substr(ts_text, -2, 2)::BIGINT * 60)
                    * 1000000
                ELSE $2
            END
        END AS ts_us
    FROM e
)
SELECT
    CASE WHEN ok THEN {
    sql_row_key(
        "chr(31) || 'messages' || chr(31) || conversation_id || chr(31) || ts_us::VARCHAR "
        "|| chr(31) || role || chr(31) || coalesce(author, 'None') || chr(31) "
        "|| coalesce(text, 'None')"
    )
} END AS row_key,
    $3::INTEGER AS file_id,
    line_no,
    conversation_id,
    make_timestamptz(ts_us) AS ts,
    role, author, text,
    CASE
        WHEN $4 IS NOT NULL AND $4 <> '' THEN $4
        WHEN channel_text IS NULL OR channel_text = '' THEN NULL
        ELSE CASE lower(trim(channel_text)) {_ALIASES} ELSE 'other' END
    END AS channel,
    nullif(queue, '') AS queue,
    coalesce(ok, false) AS ok
FROM g
"""
