"""Asterisk cdr-csv (`Master.csv`): no header, 16, 18 or 21 quoted columns, one CDR per line.

Column order (cdr_csv.c build_csv_record): accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, then
uniqueid, userfield (loguniqueid/loguserfield), then peeraccount, linkedid, sequence
(newcdrcolumns). Each CDR becomes one `contacts` row directly.

Decisions:
- queue: the queue name when the CDR's last application is `Queue` (first argument of lastdata);
  otherwise the dialplan context (dcontext). `dst` is the dialled number: on most systems that is
  a DID or an extension, not a queue, and every extension would become its own "queue".
- agent: the peer of dstchannel (`SIP/201-0000abcd` -> `SIP/201`) on answered calls; NULL on the
  others (the phone rang, nobody handled the call).
- customer: src (the caller's number).
- outcome by disposition: ANSWERED -> answered; NO ANSWER -> abandoned (the caller gave up while
  it rang: the usual reason on inbound lines); BUSY, FAILED, CONGESTION -> timeout (the system
  could not put the call through: METRICS' "left by the system").
- answered_at is the CDR's answer time only when the disposition is ANSWERED: Asterisk fills
  `answer` when an earlier application (an IVR) answered the channel, which is not an agent.
- wait_s = duration − billsec for answered calls (exactly answer − start, without the timestamps'
  rounding), duration for the others (time until the call left); talk_s = billsec when answered;
  hold_s and wrap_s are not in a CDR: 0.
- contact_id: `asterisk_cdr:<uniqueid>:<sequence>` with newcdrcolumns (one call dialling two
  phones writes one CDR per leg, all sharing uniqueid), `asterisk_cdr:<uniqueid>:<dstchannel>` with
  18 columns, `asterisk_cdr:<row key>` with 16 (no uniqueid at all). source_id is the uniqueid, so
  the legs of one call can be grouped.
- Times are naive: wall time in the source's zone (a stock install sets usegmtime: give the
  source rule `timezone = "UTC"`).
- Text: real files carry stray non-UTF-8 bytes in clid (a caller name in a legacy code page);
  clid is not used, so the line is decoded with replacement characters instead of being lost.
  Every other field must be valid UTF-8.

The row key hashes the whole line: the same CDR read twice is stored once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import ClassVar

from data.formats.base import MAX_LINE, Batch, ReadContext, row_key
from data.formats.common import contact_row, first_lines
from data.formats.timeparse import parse_local

DISPOSITIONS: dict[str, str] = {
    "ANSWERED": "answered",
    "NO ANSWER": "abandoned",
    "BUSY": "timeout",
    "FAILED": "timeout",
    "CONGESTION": "timeout",
}
COLUMN_COUNTS = (16, 18, 21)
TABLE = "contacts"
SOURCE = "asterisk_cdr"
CLID = 4


def peer(channel: str) -> str | None:
    """`SIP/201-0000abcd` -> `SIP/201`; `Local/ch1@ctx-00000000;2` -> `Local/ch1@ctx`."""
    if not channel:
        return None
    base, dash, _suffix = channel.rpartition("-")
    return base if dash and base else channel


def _split(text: str) -> list[str] | None:
    try:
        return next(csv.reader((text,)))
    except (csv.Error, StopIteration):
        return None


def _looks_like_cdr(fields: list[str]) -> bool:
    if len(fields) not in COLUMN_COUNTS or fields[14] not in DISPOSITIONS:
        return False
    return len(fields[9]) >= 16 and fields[9][4] in "-/" and fields[9][:4].isdigit()


class AsteriskCdrReader:
    name: ClassVar[str] = "asterisk_cdr"

    def sniff(self, head: bytes, path: str) -> bool:
        """16/18/21 CSV columns with a start time in column 10 and a disposition in column 15.

        The column checks are what keeps cdr_custom layouts (19 fields, clid first) out: their
        disposition sits elsewhere. Any of the first lines will do: a rotated or hand-edited
        file may start with one bad line.
        """
        return any(
            (f := _split(t)) is not None and _looks_like_cdr(f) for t in first_lines(head, 5)
        )

    def explain(self, head: bytes) -> str | None:
        """Why a near miss is not read: a CDR in another column order (cdr_custom, cdr_adaptive)."""
        lines = first_lines(head, 1)
        fields = _split(lines[0]) if lines else None
        if not fields or len(fields) in COLUMN_COUNTS:
            return None
        if any(f in DISPOSITIONS for f in fields):
            return (
                f"looks like an Asterisk CDR but not in the cdr-csv column order ({len(fields)} "
                f"columns, expected 16, 18 or 21): a cdr_custom layout needs a [[mappings]] entry"
            )
        return None

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        batch = Batch()
        rows = batch.rows.setdefault(TABLE, [])
        for line_no, raw in lines:
            row = self._line(line_no, raw, ctx, batch)
            if row is not None:
                rows.append(row)
        return batch

    def _line(self, line_no: int, raw: bytes, ctx: ReadContext, batch: Batch) -> tuple | None:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) > MAX_LINE:
            batch.reject(line_no, f"line longer than {MAX_LINE} bytes", raw[:200])
            return None
        if not raw.strip():
            return None
        if line_no == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        text = raw.decode("utf-8", errors="replace")
        fields = _split(text)
        if fields is None:
            batch.reject(line_no, "malformed CSV (unbalanced quotes)", raw)
            return None
        if len(fields) not in COLUMN_COUNTS:
            batch.reject(line_no, f"expected 16, 18 or 21 columns, got {len(fields)}", raw)
            return None
        if "\ufffd" in text and not _only_clid_is_bad(raw, fields):
            bad = _bad_utf8_at(raw)
            batch.reject(line_no, f"invalid UTF-8 at byte {bad}", raw)
            return None
        try:
            return _contact(fields, raw, line_no, ctx)
        except ValueError as exc:
            batch.reject(line_no, str(exc), raw)
            return None


def _bad_utf8_at(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return -1


def _only_clid_is_bad(raw: bytes, fields: list[str]) -> bool:
    """True when the replacement characters all come from clid (a genuine U+FFFD elsewhere is
    rare enough to treat the same way)."""
    return all("\ufffd" not in f for i, f in enumerate(fields) if i != CLID)


def _seconds(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"bad {what} {text!r}") from None


def _contact(f: list[str], raw: bytes, line_no: int, ctx: ReadContext) -> tuple:
    disposition = f[14]
    outcome = DISPOSITIONS.get(disposition)
    if outcome is None:
        raise ValueError(f"unknown disposition {disposition!r}")
    zone = ctx.zone
    start = parse_local(f[9], zone)
    end = parse_local(f[11], zone)
    answered = outcome == "answered"
    answer = parse_local(f[10], zone) if answered and f[10] else None
    duration = _seconds(f[12], "duration")
    billsec = _seconds(f[13], "billsec")
    key = row_key(SOURCE, raw)  # the whole CDR: hashing the line is hashing every field
    uniqueid = (f[16] or None) if len(f) >= 18 else None
    if len(f) == 21:
        contact_id = f"{SOURCE}:{uniqueid}:{f[20]}"
    elif uniqueid:
        contact_id = f"{SOURCE}:{uniqueid}:{f[6]}" if f[6] else f"{SOURCE}:{uniqueid}"
    else:
        contact_id = f"{SOURCE}:{key & 0xFFFFFFFFFFFFFFFF:016x}"
    queue = f[8].split(",", 1)[0] if f[7] == "Queue" and f[8] else (f[3] or None)
    wait = float(duration - billsec) if answered else float(duration)
    return contact_row(
        row_key=key,
        file_id=ctx.file_id,
        line_no=line_no,
        contact_id=contact_id,
        source=SOURCE,
        source_id=uniqueid,
        channel=ctx.channel or "voice",
        queue=queue,
        agent=peer(f[6]) if answered else None,
        customer=f[1] or None,
        offered_at=start,
        answered_at=answer,
        ended_at=end,
        wait_s=wait,
        talk_s=float(billsec) if answered else 0.0,
        hold_s=0.0,
        wrap_s=0.0,
        outcome=outcome,
    )
