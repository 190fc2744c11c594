"""FreeSWITCH mod_cdr_csv: one CDR per line, no header, quoted (or not, after Excel).

Columns of the vanilla "example" template (15): caller_id_name, caller_id_number,
destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec,
hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec; the built-in default template
stops after accountcode (13). Each CDR becomes one `contacts` row.

Decisions:
- The row key is the call's uuid: the same call logged twice (a known FreeSWITCH habit, seen in
  real files with a different hangup cause on the copy) is stored once, first one wins.
- queue: the dialplan context (the template has no queue); customer: caller_id_number;
  agent: NULL (the template records no answering party).
- outcome: answered when answer_stamp is set; otherwise abandoned when the caller ended it
  (ORIGINATOR_CANCEL, NORMAL_CLEARING) and timeout for every other cause (NO_ANSWER,
  USER_BUSY, NO_USER_RESPONSE, ...: the system gave up).
- wait_s = duration − billsec when answered (exact even when Excel dropped the stamps' seconds),
  duration otherwise; talk_s = billsec; hold_s, wrap_s: 0 (not recorded).
- Times are naive wall time in the source zone; `2020/2/10 22:41` (Excel re-save) is accepted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import ClassVar

from data.formats.base import Batch, ReadContext, row_key
from data.formats.common import contact_row, decode_line, first_lines, known_caller
from data.formats.timeparse import parse_local

COLUMN_COUNTS = (13, 15)
TABLE = "contacts"
SOURCE = "freeswitch_cdr"
CALLER_ENDED = frozenset({"ORIGINATOR_CANCEL", "NORMAL_CLEARING"})


def _split(text: str) -> list[str] | None:
    try:
        return next(csv.reader((text,)))
    except (csv.Error, StopIteration):
        return None


def _is_uuid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def _looks_like_cdr(f: list[str]) -> bool:
    start = f[4] if len(f) in COLUMN_COUNTS else ""
    return (
        len(start) >= 12
        and start[:4].isdigit()
        and start[4] in "-/"
        and _is_uuid(f[10])
        and f[9].replace("_", "").isalpha()
    )


class FreeswitchCdrReader:
    name: ClassVar[str] = "freeswitch_cdr"

    def sniff(self, head: bytes, path: str) -> bool:
        """13 or 15 columns, a start time in column 5, a hangup cause and a uuid in 10 and 11."""
        lines = first_lines(head, 5)
        return any((f := _split(t)) is not None and _looks_like_cdr(f) for t in lines)

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        batch = Batch()
        rows = batch.rows.setdefault(TABLE, [])
        for line_no, raw in lines:
            text = decode_line(line_no, raw, batch)
            if not text:
                continue
            fields = _split(text)
            if fields is None:
                batch.reject(line_no, "malformed CSV (unbalanced quotes)", text)
                continue
            if len(fields) not in COLUMN_COUNTS:
                batch.reject(line_no, f"expected 13 or 15 columns, got {len(fields)}", text)
                continue
            try:
                rows.append(_contact(fields, line_no, ctx))
            except ValueError as exc:
                batch.reject(line_no, str(exc), text)
        return batch


def _seconds(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"bad {what} {text!r}") from None


def _contact(f: list[str], line_no: int, ctx: ReadContext) -> tuple:
    uuid = f[10]
    if not uuid:
        raise ValueError("missing uuid")
    zone = ctx.zone
    start = parse_local(f[4], zone)
    answer = parse_local(f[5], zone) if f[5] else None
    end = parse_local(f[6], zone)
    duration = _seconds(f[7], "duration")
    billsec = _seconds(f[8], "billsec")
    cause = f[9]
    if answer is not None:
        outcome = "answered"
    else:
        outcome = "abandoned" if cause in CALLER_ENDED else "timeout"
    answered = answer is not None
    return contact_row(
        row_key=row_key(SOURCE, uuid),
        file_id=ctx.file_id,
        line_no=line_no,
        contact_id=f"{SOURCE}:{uuid}",
        source=SOURCE,
        source_id=uuid,
        channel=ctx.channel or "voice",
        queue=f[3] or None,
        customer=known_caller(f[1]),
        offered_at=start,
        answered_at=answer,
        ended_at=end,
        wait_s=float(duration - billsec) if answered else float(duration),
        talk_s=float(billsec) if answered else 0.0,
        hold_s=0.0,
        wrap_s=0.0,
        outcome=outcome,
    )
