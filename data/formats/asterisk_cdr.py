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

When the source's zone has a fixed offset (UTC: a stock install), ordinary lines are read by a
vectorised path (data/vector.py, `_FAST_SQL` below); every line it is not sure of, and every line
of a chunk that is not valid UTF-8 as a whole or of a zone with DST, goes through the per-line
reader, which stays the reference and decides every reject.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import ClassVar

from data import vector
from data.formats.base import MAX_LINE, Batch, ReadContext, row_key, sql_row_key
from data.formats.common import contact_row, first_lines, known_caller, known_caller_sql
from data.formats.timeparse import fixed_offset_us, parse_local

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
        offset = fixed_offset_us(ctx.zone)
        arrays = vector.line_arrays(lines) if offset is not None else None
        if arrays is None or arrays.text is None:
            return self.parse_lines(lines, ctx)
        params = [offset, ctx.file_id, ctx.channel or "voice"]
        return vector.read(_FAST_SQL, arrays, params, self.parse_lines, ctx, TABLE)

    def parse_lines(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        """The reference reader, one line at a time (and the fast path's fallback)."""
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
        customer=known_caller(f[1]),
        offered_at=start,
        answered_at=answer,
        ended_at=end,
        wait_s=wait,
        talk_s=float(billsec) if answered else 0.0,
        hold_s=0.0,
        wrap_s=0.0,
        outcome=outcome,
    )


# The fast path: the lines `_line` reads, read the same way in SQL. `ok` is false for every line
# it is not sure about (quotes inside an unquoted field, a CR or NUL anywhere, a BOM on line 1, a
# U+FFFD, a column count or disposition it would reject, a time that is not exactly
# `YYYY-MM-DD HH:MM:SS` in range, a duration that is not plain digits...): those go to
# `parse_lines`, which decides.
#
# Splitting: a line of fields that are each `"..."` (with `""` for a quote) or free of quotes
# and commas splits as csv.reader splits it, and only one way. When it splits into N such fields
# and also into N pieces at every comma, no quoted field holds a comma (its piece up to that comma
# would hold an odd number of quotes), so the pieces are the fields: the common case, and cheap.
# A line whose quoted fields hold commas (`"SIP/201,20"`) is split by one regular expression
# with a group per field.
_FIELD = '"(?:[^"]|"")*"|[^",]*'
_TIME = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"


def _fields_of(n: int) -> str:
    """A regular expression for a line of exactly `n` fields."""
    return f"(?:{_FIELD})(?:,(?:{_FIELD})){{{n - 1}}}"


def _groups_of(n: int) -> str:
    """SQL: the `n` fields of `t` (a line of `n` fields) as a struct c0..c<n-1>, quotes on."""
    pattern = ",".join(f"({_FIELD})" for _ in range(n))
    names = ", ".join(f"'c{i}'" for i in range(n))
    return f"regexp_extract(t, '^{pattern}$', [{names}])"


def _list_of(struct: str, n: int) -> str:
    return "[" + ", ".join(f"{struct}.c{i}" for i in range(n)) + "]"


def _unquote(col: str) -> str:
    return (
        f"""CASE WHEN starts_with({col}, '"') THEN replace({col}[2:-2], '""', '"') ELSE {col} END"""
    )


def _local_us(col: str) -> str:
    """SQL: epoch µs of a CDR time read as wall time at the fixed offset (param $1)."""
    return f"epoch_us(try_strptime({col}, '%Y-%m-%d %H:%M:%S')) - $1"


def _time_ok(col: str) -> str:
    return (
        f"(regexp_full_match({col}, '{_TIME}') AND NOT starts_with({col}, '0000') "
        f"AND try_strptime({col}, '%Y-%m-%d %H:%M:%S') IS NOT NULL)"
    )


_USED = (2, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 21)  # the 1-based fields the row reads

_FAST_SQL = f"""
WITH {vector.NON_BLANK_LINES},
b AS (
    SELECT line_no, t, string_split(t, ',') AS p,
        strpos(t, chr(13)) = 0 AND strpos(t, chr(0)) = 0 AND strpos(t, chr(65533)) = 0
        AND NOT (line_no = 1 AND starts_with(t, chr(65279))) AS chars_ok
    FROM a
),
c AS (
    SELECT line_no, t,
        CASE
            WHEN NOT chars_ok THEN NULL
            WHEN len(p) = 18 AND regexp_full_match(t, '{_fields_of(18)}') THEN p
            WHEN len(p) = 16 AND regexp_full_match(t, '{_fields_of(16)}') THEN p
            WHEN len(p) = 21 AND regexp_full_match(t, '{_fields_of(21)}') THEN p
        END AS simple,
        -- more pieces than fields: a quoted field holds a comma
        CASE WHEN chars_ok AND simple IS NULL AND len(p) > 16 THEN
            CASE
                WHEN regexp_full_match(t, '{_fields_of(18)}') THEN 18
                WHEN regexp_full_match(t, '{_fields_of(16)}') THEN 16
                WHEN len(p) > 21 AND regexp_full_match(t, '{_fields_of(21)}') THEN 21
            END
        END AS m
    FROM b
),
c2 AS (
    SELECT line_no, t, simple, m,
        CASE WHEN m = 16 THEN {_groups_of(16)} END AS s16,
        CASE WHEN m = 18 THEN {_groups_of(18)} END AS s18,
        CASE WHEN m = 21 THEN {_groups_of(21)} END AS s21
    FROM c
),
c3 AS (
    SELECT line_no, t,
        CASE
            WHEN simple IS NOT NULL THEN simple
            WHEN m = 16 THEN {_list_of("s16", 16)}
            WHEN m = 18 THEN {_list_of("s18", 18)}
            WHEN m = 21 THEN {_list_of("s21", 21)}
        END AS q
    FROM c2
),
d AS (
    SELECT line_no, t, len(q) AS n,
        {", ".join(f"{_unquote(f'q[{i}]')} AS f{i}" for i in _USED)}
    FROM c3
),
e AS (
    SELECT *, f15 = 'ANSWERED' AS answered,
        n IS NOT NULL
        AND f15 IN ('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION')
        AND {_time_ok("f10")} AND {_time_ok("f12")}
        AND (f15 <> 'ANSWERED' OR f11 = '' OR {_time_ok("f11")})
        AND regexp_full_match(f13, '[0-9]{{1,15}}') AND regexp_full_match(f14, '[0-9]{{1,15}}')
        -- csv.reader refuses a field over csv.field_size_limit(): a line that long goes to the
        -- Python reader, which decides.
        AND strlen(t) <= {csv.field_size_limit()}
        AS ok
    FROM d
),
g AS (
    SELECT *,
        CASE WHEN ok THEN {sql_row_key("chr(31) || 'asterisk_cdr' || chr(31) || t")} END AS key,
        CASE WHEN ok AND n >= 18 THEN nullif(f17, '') END AS uniqueid,
        CASE WHEN ok THEN f13::BIGINT END AS duration,
        CASE WHEN ok THEN f14::BIGINT END AS billsec
    FROM e
)
SELECT
    key AS row_key,
    $2::INTEGER AS file_id,
    line_no,
    CASE
        WHEN n = 21 THEN 'asterisk_cdr:' || coalesce(uniqueid, 'None') || ':' || f21
        WHEN uniqueid IS NOT NULL AND f7 <> '' THEN 'asterisk_cdr:' || uniqueid || ':' || f7
        WHEN uniqueid IS NOT NULL THEN 'asterisk_cdr:' || uniqueid
        ELSE 'asterisk_cdr:' || lpad(lower(hex(key)), 16, '0')
    END AS contact_id,
    'asterisk_cdr' AS source,
    uniqueid AS source_id,
    $3 AS channel,
    CASE WHEN f8 = 'Queue' AND f9 <> '' THEN split_part(f9, ',', 1) ELSE nullif(f4, '') END
        AS queue,
    CASE
        WHEN NOT answered OR f7 = '' THEN NULL
        WHEN regexp_matches(f7, '(?s)^.+-') THEN regexp_extract(f7, '(?s)^(.+)-', 1)
        ELSE f7
    END AS agent,
    {known_caller_sql("f2")} AS customer,
    make_timestamptz({_local_us("f10")}) AS offered_at,
    CASE WHEN answered AND f11 <> '' THEN make_timestamptz({_local_us("f11")}) END
        AS answered_at,
    make_timestamptz({_local_us("f12")}) AS ended_at,
    CASE WHEN answered THEN duration - billsec ELSE duration END::DOUBLE AS wait_s,
    CASE WHEN answered THEN billsec ELSE 0 END::DOUBLE AS talk_s,
    0.0::DOUBLE AS hold_s,
    0.0::DOUBLE AS wrap_s,
    CASE f15
        WHEN 'ANSWERED' THEN 'answered' WHEN 'NO ANSWER' THEN 'abandoned' ELSE 'timeout'
    END AS outcome,
    NULL::BOOLEAN AS transferred, NULL::BOOLEAN AS resolved, NULL AS status, NULL AS priority,
    NULL::TIMESTAMPTZ AS due_at, NULL AS topic, NULL::VARCHAR[] AS tags,
    NULL::DOUBLE AS rating, NULL::DOUBLE AS rating_raw, NULL::DOUBLE AS rating_scale,
    NULL AS rating_comment,
    NULL::TIMESTAMPTZ AS first_customer_at, NULL::TIMESTAMPTZ AS first_agent_at,
    NULL::DOUBLE AS frt_s, NULL::DOUBLE AS resolution_s,
    NULL::INTEGER AS messages, NULL::INTEGER AS agent_messages, NULL::BOOLEAN AS fcr,
    coalesce(ok, false) AS ok
FROM g
"""
