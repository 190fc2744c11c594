"""Asterisk queue_log: `epoch|callid|queue|agent|EVENT|data1|data2|...`, one event per line.

Rows go to `queue_events` as given (contacts are derived from them later, across files, because
one call's events may straddle a log rotation). Values are kept verbatim, `NONE` included, so a
row can always be compared with the source line. A missing data field is NULL; a present but
empty one (`PAUSE` without a reason) is "". Installations that write a single `data` field with
the parameters joined by `|` produce the very same line, so one split serves both. More than
five data fields (none of the documented events has them) are joined back into `data5` so nothing
is lost.

The row key hashes the line's content, not its position: a copied or re-read file dedupes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from data import vector
from data.formats.base import Batch, ReadContext, row_key, sql_row_key
from data.formats.common import decode_line, first_lines
from data.formats.queue_events import EVENTS

TABLE = "queue_events"


# Epochs outside 1970-2100 are not real events (and past 2262 overflow a microsecond timestamp).
MAX_EPOCH_S = 4_102_444_800


def parse_epoch(text: str) -> int | None:
    """Epoch seconds (optionally with a fraction) as microseconds; None when not a plausible one."""
    whole, dot, frac = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(whole) > 10 or int(whole) > MAX_EPOCH_S:
        return None
    if not dot:
        return int(whole) * 1_000_000
    if frac.isascii() and frac.isdigit() and len(frac) <= 6:
        return int(whole) * 1_000_000 + int(frac.ljust(6, "0"))
    return None


class QueueLogReader:
    name: ClassVar[str] = "queue_log"

    def sniff(self, head: bytes, path: str) -> bool:
        """One of the first lines has ≥5 `|` fields, a numeric epoch and an upper-case event.

        Not only the first line: after a rotation the new file may well begin with the one
        garbled line of the log, and it must still be read as queue_log.
        """
        return any(_looks_like_event(line) for line in first_lines(head, 5))

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        arrays = vector.line_arrays(lines)
        if arrays is None or arrays.text is None:
            return self.parse_lines(lines, ctx)
        return vector.read(_FAST_SQL, arrays, [ctx.file_id], self.parse_lines, ctx, TABLE)

    def parse_lines(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        """The reference reader, one line at a time (and the fast path's fallback)."""
        batch = Batch()
        rows = batch.rows.setdefault(TABLE, [])
        file_id = ctx.file_id
        for line_no, raw in lines:
            text = decode_line(line_no, raw, batch)
            if not text:
                continue
            row = _row(text, line_no, file_id, batch)
            if row is not None:
                rows.append(row)
        return batch


def _looks_like_event(line: str) -> bool:
    parts = line.split("|")
    if len(parts) < 5 or parse_epoch(parts[0]) is None:
        return False
    event = parts[4]
    return event in EVENTS or (event.isupper() and event.replace("_", "").isalpha())


def _row(text: str, line_no: int, file_id: int, batch: Batch) -> tuple | None:
    parts = text.split("|")
    if len(parts) < 5:
        batch.reject(line_no, f"expected at least 5 '|'-separated fields, got {len(parts)}", text)
        return None
    ts = parse_epoch(parts[0])
    if ts is None:
        batch.reject(line_no, f"bad epoch {parts[0]!r}", text)
        return None
    event = parts[4]
    if event not in EVENTS:
        batch.reject(line_no, f"unknown event {event or repr(event)}", text)
        return None
    data = parts[5:]
    if len(data) > 5:
        data = [*data[:4], "|".join(data[4:])]
    data += [None] * (5 - len(data))
    return (row_key(TABLE, text), file_id, line_no, ts, parts[1], parts[2], parts[3], event, *data)


# The fast path: the lines `_row` reads, read the same way in SQL. `ok` is false for every line it
# is not sure about (a reject, a non-ASCII digit, a BOM on line 1, a 13-digit epoch...): those go
# to `parse_lines`, which decides. Blank lines are skipped as the line reader skips them.
_FAST_SQL = f"""
WITH {vector.NON_BLANK_LINES},
b AS (SELECT line_no, t, string_split(t, '|') AS p FROM a),
c AS (
    SELECT line_no, t, p,
        len(p) >= 5
        AND regexp_full_match(p[1], '[0-9]{{1,12}}(\\.[0-9]{{1,6}})?')
        AND p[5] IN ({", ".join(f"'{e}'" for e in sorted(EVENTS))})
        AND NOT (line_no = 1 AND starts_with(t, chr(65279))) AS ok
    FROM b
)
SELECT
    CASE WHEN ok THEN {sql_row_key("chr(31) || 'queue_events' || chr(31) || t")} END AS row_key,
    ?::INTEGER AS file_id,
    line_no,
    CASE WHEN ok THEN make_timestamptz(
        CAST(split_part(p[1], '.', 1) AS BIGINT) * 1000000
        + CAST(rpad(split_part(p[1], '.', 2), 6, '0') AS BIGINT)
    ) END AS ts,
    p[2] AS callid, p[3] AS queue, p[4] AS agent, p[5] AS event,
    p[6] AS data1, p[7] AS data2, p[8] AS data3, p[9] AS data4,
    CASE WHEN len(p) >= 10 THEN array_to_string(p[10:], '|') END AS data5,
    ok
FROM c
"""
