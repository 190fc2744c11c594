"""Any CSV with a header row, mapped column by column by a `[[mappings]]` entry of the config.

The mapping is chosen by its `pattern` against the path (`mapping_for`); `ctx.header` is the
file's first line, and line 1 is never read as data. Records may span lines (a quoted field with
newlines): when the given lines end inside such a record, `unconsumed_lines` says how many so
ingest hands them over again with what follows. A UTF-8 BOM and CRLF line ends are fine; a bare
`\\r` inside an unquoted field (seen in real exports) is kept as text. Every value goes through
the mapping's `values` table first (`{Y = "true"}`; mapping a value to "" makes it NULL, e.g.
the rating `0` a PwC export writes on unanswered calls).

## kind = "contacts" (default): one `contacts` row per record
Fields `columns` may map (field = "CSV column name"):
- id: the source's id; contact_id is `<mapping name>:<key_prefix><id>` (a row key when absent).
- offered_at (required; or offered_date + offered_time in two columns, joined with a space and
  read with `timestamp_formats.offered_at`), answered_at, ended_at, due_at, first_customer_at,
  first_agent_at: timestamps, by `timestamp_formats.<field>` (strptime) or else ISO 8601 /
  `YYYY/M/D H:MM` / Twitter's form. Naive ones are in the mapping's timezone, else the source's.
- wait_s, talk_s, hold_s, wrap_s, frt_s, resolution_s: durations, a number in `duration_unit`
  or `h:mm:ss` / `m:ss`.
- answered, resolved, transferred, fcr: booleans (true/false, yes/no, y/n, 1/0, t/f).
- outcome (answered, abandoned, timeout, open), status (open, pending, resolved, closed; also
  new, in progress, hold, solved), channel (voice, chat, email, social, sms, other; also phone,
  web, ...), agent, queue, customer, topic, priority, rating_comment: text.
- tags: a list separated by `,` or `;`. rating: a number on `rating_scale`, mapped onto 1–5.
- messages, agent_messages: integers.

Derived when not mapped (so the metrics see one shape whatever the export):
- outcome: from `answered` (false -> abandoned); else answered when answered_at, first_agent_at
  or frt_s is known; else open when the status is open or pending; else NULL.
- answered_at = offered_at + wait_s (else + frt_s) for answered contacts; wait_s = answered_at −
  offered_at; first_agent_at = offered_at + frt_s.
- resolved = status is resolved or closed (when there is a status).
- resolution_s is dropped (NULL) for open or pending contacts: some exports fill it anyway.
- ended_at = offered_at + resolution_s for resolved contacts, else answered_at + talk_s + hold_s
  for answered calls with a talk time.
- talk_s, hold_s, wrap_s: 0 when a mapped column has no value (METRICS: 0 where not recorded);
  NULL when the mapping has no such column (the report then says the source does not record it).
- channel: a source rule's channel wins, then the mapped column, then the mapping's `channel`.

## kind = "messages": one `messages` row per record
Fields: id, ts (or ts_date + ts_time), role (after `values`: customer, agent, bot, system — map
e.g. Twitter's `inbound` True/False), author, text, channel, queue, conversation_id,
in_response_to. Ids written as floats (`3.0`, pandas' habit) are read as `3`.
Without a conversation_id column the conversation is the thread root: each message's
in_response_to is followed to the earliest ancestor *among the records of the same parse call*
(or the first ancestor that is not among them). The writer then follows it further through the
messages already stored (data/threads.py), so a thread whose messages arrive in several batches or
files is one conversation. The message row key is the message id, so re-reads never duplicate
messages.

Row keys: contacts hash the mapping name and the whole record (an identical record read twice is
stored once; a changed record is a new row with the same contact_id).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from data.config import Config, CsvMapping
from data.formats.base import MAX_LINE, Batch, ReadContext, row_key
from data.formats.common import (
    CHANNEL_ALIASES,
    contact_row,
    decode_line,
    normalize_status,
    path_matches,
    scale_rating,
)
from data.formats.timeparse import parse_any, parse_format
from data.threads import thread_top

SOURCE = "mapped_csv"
MAX_RECORD_LINES = 1000  # a quoted field longer than this is a stray quote, not a record
OUTCOMES = frozenset({"answered", "abandoned", "timeout", "open"})
ROLES = frozenset({"customer", "agent", "bot", "system"})
TRUE = frozenset({"true", "yes", "y", "1", "t"})
FALSE = frozenset({"false", "no", "n", "0", "f"})
SPLIT_TS = {"offered_at": ("offered_date", "offered_time"), "ts": ("ts_date", "ts_time")}
UNIT = {"s": 1.0, "min": 60.0, "h": 3600.0}
_CR = "\ue000"  # stands in for a bare \r while the csv module reads a record


class RecordError(ValueError):
    """A record that cannot become a row; str() is the reject reason."""


def mapping_for(path: str, config: Config) -> CsvMapping | None:
    """The first mapping whose pattern matches the relative path or the file name."""
    for mapping in config.mappings:
        if path_matches(path, mapping.pattern):
            return mapping
    return None


def header_fields(header: bytes, delimiter: str) -> list[str]:
    """The header row's column names (BOM and CR removed)."""
    text = header.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r").decode("utf-8", errors="replace")
    try:
        return [h.strip() for h in next(csv.reader((text,), delimiter=delimiter))]
    except (csv.Error, StopIteration):
        return []


def missing_columns(mapping: CsvMapping, header: list[str]) -> list[str]:
    """Mapped columns the header lacks, as `'Column' (field)`; empty when the mapping fits."""
    index = _column_index(header)
    return [
        f"{col!r} ({fld})"
        for fld, col in mapping.columns.items()
        if col not in index and col.lower() not in index
    ]


def _column_index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
        index.setdefault(name.lower(), i)
    return index


@dataclass
class _Plan:
    """What one parse call needs from the mapping, resolved once."""

    mapping: CsvMapping
    index: dict[str, int]  # field -> column position
    width: int  # records need at least this many columns
    zone: tzinfo
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def _plan(mapping: CsvMapping, header: list[str], ctx: ReadContext) -> _Plan:
    cols = _column_index(header)
    index = {
        fld: cols[col] if col in cols else cols[col.lower()] for fld, col in mapping.columns.items()
    }
    zone = ZoneInfo(mapping.timezone) if mapping.timezone else ctx.zone
    width = max(index.values(), default=-1) + 1
    return _Plan(mapping, index, width, zone, dict(mapping.values))


class MappedCsvReader:
    name: ClassVar[str] = "mapped_csv"

    def sniff(self, head: bytes, path: str) -> bool:
        """Never by content: a header-row CSV is only read through a mapping (detect checks the
        mapping's pattern and columns)."""
        return False

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        batch = Batch()
        lines = list(lines)
        mapping = mapping_for(ctx.path, ctx.config)
        header_raw = ctx.header
        if header_raw is None and lines and lines[0][0] == 1:
            header_raw = lines[0][1]
        problem = _problem(mapping, header_raw, ctx.path)
        if problem or mapping is None or header_raw is None:
            for line_no, raw in lines:
                if line_no != 1 and raw.strip():
                    batch.reject(line_no, problem, raw)
            return batch
        plan = _plan(mapping, header_fields(header_raw, mapping.delimiter), ctx)
        records = _records(lines, mapping.delimiter, batch, at_end=ctx.at_end)
        if mapping.kind == "messages":
            _messages(records, plan, ctx, batch)
        else:
            rows = batch.rows.setdefault("contacts", [])
            for line_no, fields, text in records:
                try:
                    rows.append(_contact(fields, text, line_no, plan, ctx))
                except RecordError as exc:
                    batch.reject(line_no, str(exc), text)
        return batch


def _problem(mapping: CsvMapping | None, header: bytes | None, path: str) -> str:
    if mapping is None:
        return f"no [[mappings]] entry matches {path!r}"
    if header is None:
        return "no header row"
    missing = missing_columns(mapping, header_fields(header, mapping.delimiter))
    if missing:
        return f"mapping {mapping.name!r}: header lacks column(s) {', '.join(missing)}"
    return ""


Record = tuple[int, list[str], str]  # first line number, fields, the record's text


def _records(
    lines: list[tuple[int, bytes]], delimiter: str, batch: Batch, *, at_end: bool = False
) -> list[Record]:
    """Complete records with the number of their first line; sets batch.unconsumed_lines.
    `at_end`: the lines end the file for good, so a quoted field still open there is a stray
    quote: its first line is rejected and the lines after it are read again as records (they
    were swallowed by the quote, and would otherwise be lost)."""
    out, pending, too_long = _scan(lines, delimiter, batch)
    while pending and (at_end or too_long):
        first, text = pending[0]
        why = f"{len(pending)} lines" if too_long else "a stray quote: no closing one"
        batch.reject(first, f"unterminated quoted field ({why})", text)
        rest = [(n, raw) for n, raw in lines if n > first]
        more, pending, too_long = _scan(rest, delimiter, batch)
        out += more
    return out


def _scan(
    lines: list[tuple[int, bytes]], delimiter: str, batch: Batch
) -> tuple[list[Record], list[tuple[int, str]], bool]:
    """_records without the end of the file: the records, the lines of one still open, and
    whether it stopped at that one because it is too long to be a record (MAX_RECORD_LINES)."""
    out: list[Record] = []
    pending: list[tuple[int, str]] = []
    for line_no, raw in lines:
        if line_no == 1:
            continue  # the header
        text = decode_line(line_no, raw, batch)
        if text is None:
            if pending:
                batch.reject(pending[0][0], "record cut by an unreadable line", pending[0][1])
                pending = []
            continue
        if not pending and not text.strip():
            continue
        pending.append((line_no, text))
        joined = text if len(pending) == 1 else _join(pending)
        try:
            fields = _split(joined, delimiter)
        except RecordError as exc:
            batch.reject(pending[0][0], str(exc), joined)
            pending = []
            continue
        if fields is None:
            if len(pending) >= MAX_RECORD_LINES or len(joined) > MAX_LINE:
                # A stray quote: the lines after its own are read again by the caller.
                return out, pending, True
            continue
        out.append((pending[0][0], fields, joined))
        pending = []
    batch.unconsumed_lines = len(pending)
    return out, pending, False


def _join(pending: list[tuple[int, str]]) -> str:
    """A record's lines as one text, with the blank lines between them (which the reader does not
    hand over: a quoted field may hold an empty line) put back."""
    parts = [pending[0][1]]
    for (before, _), (line_no, text) in itertools.pairwise(pending):
        parts.append("\n" * (line_no - before) + text)
    return "".join(parts)


def _split(text: str, delimiter: str) -> list[str] | None:
    """The record's fields; None while a quoted field is still open at the end of `text`."""
    if '"' not in text:
        return text.split(delimiter)
    guarded = text.replace("\r", _CR)
    try:
        fields = next(csv.reader((guarded,), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return None
        try:  # stray quotes inside a quoted field: read as Excel would
            fields = next(csv.reader((guarded,), delimiter=delimiter))
        except csv.Error as exc2:
            raise RecordError(f"malformed CSV: {exc2}") from None
    return [f.replace(_CR, "\r") for f in fields] if _CR in guarded else fields


# --- values -------------------------------------------------------------------------------


def _get(fields: list[str], plan: _Plan, fld: str) -> str | None:
    i = plan.index.get(fld)
    if i is None:
        return None
    value = fields[i].strip()
    table = plan.values.get(fld)
    if table is not None:
        value = table.get(value, value)
    return value or None


def _timestamp(fields: list[str], plan: _Plan, fld: str) -> int | None:
    text = _get(fields, plan, fld)
    split = SPLIT_TS.get(fld)
    if text is None and split is not None:
        date, clock = _get(fields, plan, split[0]), _get(fields, plan, split[1])
        text = f"{date} {clock}" if date and clock else date
    if text is None:
        return None
    fmt = plan.mapping.timestamp_formats.get(fld)
    try:
        return parse_format(text, fmt, plan.zone) if fmt else parse_any(text, plan.zone)
    except ValueError as exc:
        raise RecordError(f"{fld}: {exc}") from None


def _recorded(value: float | None, plan: _Plan, fld: str) -> float | None:
    """A time the export records (0 when its cell is empty); None when it has no such column."""
    if fld not in plan.index:
        return None
    return value or 0.0


def _duration(fields: list[str], plan: _Plan, fld: str) -> float | None:
    text = _get(fields, plan, fld)
    if text is None:
        return None
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) > 3:
                raise ValueError
            value = 0.0
            for p in parts:
                value = value * 60 + p
        else:
            value = float(text) * UNIT[plan.mapping.duration_unit]
    except ValueError:
        raise RecordError(f"{fld}: bad duration {text!r}") from None
    if value < 0:
        raise RecordError(f"{fld}: negative duration {text!r}")
    return round(value, 6)  # hours * 3600 must not leave 3996.0000000000005


def _bool(fields: list[str], plan: _Plan, fld: str) -> bool | None:
    text = _get(fields, plan, fld)
    if text is None:
        return None
    low = text.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise RecordError(f"{fld}: not a yes/no value {text!r} (map it with values.{fld})")


def _int(fields: list[str], plan: _Plan, fld: str) -> int | None:
    text = _get(fields, plan, fld)
    try:
        return None if text is None else int(float(text))
    except ValueError:
        raise RecordError(f"{fld}: bad number {text!r}") from None


def _id(fields: list[str], plan: _Plan, fld: str) -> str | None:
    """An id; `3.0` (a float written by pandas) is `3`."""
    text = _get(fields, plan, fld)
    if text is not None and text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def _channel(fields: list[str], plan: _Plan, ctx: ReadContext) -> str:
    if ctx.channel:
        return ctx.channel
    text = _get(fields, plan, "channel")
    if text is None:
        return plan.mapping.channel
    channel = CHANNEL_ALIASES.get(text.lower())
    if channel is None:
        raise RecordError(f"unknown channel {text!r} (map it with values.channel)")
    return channel


def _choice(fields: list[str], plan: _Plan, fld: str, allowed: frozenset[str]) -> str | None:
    text = _get(fields, plan, fld)
    if text is None:
        return None
    if text.lower() not in allowed:
        raise RecordError(f"unknown {fld} {text!r} (map it with values.{fld})")
    return text.lower()


def _rating(fields: list[str], plan: _Plan) -> tuple[float | None, float | None, float | None]:
    text = _get(fields, plan, "rating")
    if text is None:
        return None, None, None
    try:
        raw = float(text)
        scale = float(plan.mapping.rating_scale)
        return scale_rating(raw, scale), raw, scale
    except ValueError as exc:
        raise RecordError(
            f"rating: {exc}" if "outside" in str(exc) else f"bad rating {text!r}"
        ) from None


def _tags(fields: list[str], plan: _Plan) -> list[str] | None:
    text = _get(fields, plan, "tags")
    if text is None:
        return None
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


# --- contacts -----------------------------------------------------------------------------


def _contact(fields: list[str], text: str, line_no: int, plan: _Plan, ctx: ReadContext) -> tuple:
    if len(fields) < plan.width:
        raise RecordError(f"expected at least {plan.width} columns, got {len(fields)}")
    m = plan.mapping
    offered = _timestamp(fields, plan, "offered_at")
    if offered is None:
        raise RecordError("missing offered_at")
    answered_at = _timestamp(fields, plan, "answered_at")
    ended = _timestamp(fields, plan, "ended_at")
    first_agent = _timestamp(fields, plan, "first_agent_at")
    wait, talk = _duration(fields, plan, "wait_s"), _duration(fields, plan, "talk_s")
    hold, wrap = _duration(fields, plan, "hold_s"), _duration(fields, plan, "wrap_s")
    frt, resolution = _duration(fields, plan, "frt_s"), _duration(fields, plan, "resolution_s")
    status_text = _get(fields, plan, "status")
    try:
        status = normalize_status(status_text) if status_text else None
    except ValueError:
        raise RecordError(f"unknown status {status_text!r} (map it with values.status)") from None
    outcome = _outcome(fields, plan, status, answered_at or first_agent, frt)
    if outcome == "answered" and answered_at is None:
        step = wait if wait is not None else frt
        answered_at = offered + round(step * 1e6) if step is not None else None
    if wait is None and answered_at is not None:
        wait = (answered_at - offered) / 1e6
    if first_agent is None and frt is not None:
        first_agent = offered + round(frt * 1e6)
    if status in ("open", "pending"):
        resolution = None
    resolved = _bool(fields, plan, "resolved")
    if resolved is None and status is not None:
        resolved = status in ("resolved", "closed")
    if ended is None:
        ended = _end(offered, answered_at, status, resolved, resolution, talk, hold)
    rating, rating_raw, rating_scale = _rating(fields, plan)
    source_id = _id(fields, plan, "id")
    key = row_key(SOURCE, m.name, text)
    if source_id is not None:
        source_id = m.key_prefix + source_id
        contact_id = f"{m.name}:{source_id}"
    else:
        contact_id = f"{m.name}:{key & 0xFFFFFFFFFFFFFFFF:016x}"
    return contact_row(
        row_key=key,
        file_id=ctx.file_id,
        line_no=line_no,
        contact_id=contact_id,
        source=SOURCE,
        source_id=source_id,
        channel=_channel(fields, plan, ctx),
        queue=_get(fields, plan, "queue"),
        agent=_get(fields, plan, "agent"),
        customer=_get(fields, plan, "customer"),
        offered_at=offered,
        answered_at=answered_at,
        ended_at=ended,
        wait_s=wait,
        # Mapped and empty: 0 (METRICS: 0 where not recorded). Not mapped at all: the export
        # does not record it, NULL, which the report names (AHT of tickets with no talk column
        # read 0 s, and nothing said hold and wrap were missing).
        talk_s=_recorded(talk, plan, "talk_s"),
        hold_s=_recorded(hold, plan, "hold_s"),
        wrap_s=_recorded(wrap, plan, "wrap_s"),
        outcome=outcome,
        transferred=_bool(fields, plan, "transferred"),
        resolved=resolved,
        status=status,
        priority=_get(fields, plan, "priority"),
        due_at=_timestamp(fields, plan, "due_at"),
        topic=_get(fields, plan, "topic"),
        tags=_tags(fields, plan),
        rating=rating,
        rating_raw=rating_raw,
        rating_scale=rating_scale,
        rating_comment=_get(fields, plan, "rating_comment"),
        first_customer_at=_timestamp(fields, plan, "first_customer_at"),
        first_agent_at=first_agent,
        frt_s=frt,
        resolution_s=resolution,
        messages=_int(fields, plan, "messages"),
        agent_messages=_int(fields, plan, "agent_messages"),
        fcr=_bool(fields, plan, "fcr"),
    )


def _outcome(
    fields: list[str], plan: _Plan, status: str | None, answered_at: int | None, frt: float | None
) -> str | None:
    given = _choice(fields, plan, "outcome", OUTCOMES)
    if given is not None:
        return given
    answered = _bool(fields, plan, "answered")
    if answered is not None:
        return "answered" if answered else "abandoned"
    if answered_at is not None or frt is not None:
        return "answered"
    if status in ("open", "pending"):
        return "open"
    return None


def _end(
    offered: int,
    answered_at: int | None,
    status: str | None,
    resolved: bool | None,
    resolution: float | None,
    talk: float | None,
    hold: float | None,
) -> int | None:
    if resolution is not None and (status in ("resolved", "closed") or resolved):
        return offered + round(resolution * 1e6)
    if answered_at is not None and talk is not None:
        return answered_at + round((talk + (hold or 0.0)) * 1e6)
    return None


# --- messages -----------------------------------------------------------------------------


def _messages(records: list[Record], plan: _Plan, ctx: ReadContext, batch: Batch) -> None:
    m = plan.mapping
    parsed: list[tuple] = []
    parent: dict[str, str] = {}
    for line_no, fields, text in records:
        try:
            msg = _message(fields, text, line_no, plan, ctx)
        except RecordError as exc:
            batch.reject(line_no, str(exc), text)
            continue
        parsed.append(msg)
        if msg[1] is not None and msg[2] is not None:
            parent.setdefault(msg[1], msg[2])  # the first record of an id wins, as in the store
    rows = batch.rows.setdefault("messages", [])
    thread = f"{m.name}:{m.key_prefix}"
    for line_no, msg_id, reply_to, conv, key, rest in parsed:
        conv_id = conv if conv is not None else _root(msg_id, parent)
        if not conv_id:
            batch.reject(line_no, "no conversation_id and no id to derive one from", rest[3] or "")
            continue
        if conv is None:
            batch.thread_links.append((thread, msg_id, reply_to, key))
        rows.append((key, ctx.file_id, line_no, thread + conv_id, *rest))


def _root(msg_id: str | None, parent: dict[str, str]) -> str | None:
    """The earliest ancestor known in this call (or the first one that is not); a cycle is named
    by its smallest id. The writer resolves it further through the store (data/threads.py)."""
    return None if msg_id is None else thread_top(msg_id, parent)


def _message(fields: list[str], text: str, line_no: int, plan: _Plan, ctx: ReadContext) -> tuple:
    if len(fields) < plan.width:
        raise RecordError(f"expected at least {plan.width} columns, got {len(fields)}")
    ts = _timestamp(fields, plan, "ts")
    if ts is None:
        raise RecordError("missing ts")
    role = _choice(fields, plan, "role", ROLES)
    if role is None:
        raise RecordError("missing role")
    msg_id = _id(fields, plan, "id")
    reply_to = _id(fields, plan, "in_response_to")
    conv = _id(fields, plan, "conversation_id")
    author, body = _get(fields, plan, "author"), _get(fields, plan, "text")
    name = plan.mapping.name
    key = row_key(SOURCE, name, "message", msg_id) if msg_id else row_key(SOURCE, name, text)
    rest = (ts, role, author, body, _channel(fields, plan, ctx), _get(fields, plan, "queue"))
    return (line_no, msg_id, reply_to, conv, key, rest)
