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

from data.formats.base import Batch, ReadContext, row_key
from data.formats.common import decode_line, first_lines

EVENTS: frozenset[str] = frozenset(
    {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
        "RINGNOANSWER",
        "RINGCANCELED",
        "AGENTDUMP",
        "SYSCOMPAT",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "QUEUESTART",
        "CONFIGRELOAD",
        "DID",
        "INFO",
    }
)

TABLE = "queue_events"


def parse_epoch(text: str) -> int | None:
    """Epoch seconds (optionally with a fraction) as microseconds; None when not a number."""
    if text.isdigit():
        return int(text) * 1_000_000
    whole, dot, frac = text.partition(".")
    if dot and whole.isdigit() and frac.isdigit() and len(frac) <= 6:
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
