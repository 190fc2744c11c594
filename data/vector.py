"""Vectorised line parsing: a chunk of lines as one Arrow array, parsed by SQL in a private DuckDB.

A reader's fast path hands the lines of a chunk to a query that does what its per-line Python code
does, for the lines it can *prove* it reads the same way (an `ok` column). Every other line goes
to the reader's Python code, which stays the reference: it rejects with the exact reason or reads
the odd line the query does not cover. The query never decides a reject, so behaviour is that of
the Python reader, only faster on ordinary lines.

The engine is an in-memory DuckDB connection per thread: it never sees the store (readers stay pure).
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from data.formats.base import Batch, ReadContext
from data.tail import Lines

MIN_LINES = 64  # below this the Python reader is as fast and there is nothing to gain
# A chunk with more lines that are not valid UTF-8 than this is read the Python way whole
# (finding each costs a pass over the rest of the chunk).
MAX_BAD_LINES = 32
BATCH_ROWS = 16_384  # lines per Arrow batch of a query's input (vector.run)

# SQL: the line is not blank (the line reader skips lines of only spaces, tabs and CRs). Nearly
# every line starts with another character: the pattern (a third of a queue_log chunk's parse)
# runs only on the others. (trim(line, chars) would say the same, many times slower.)
NOT_BLANK = (
    "CASE WHEN line = '' THEN false "
    "WHEN strpos(' ' || chr(9) || chr(13), left(line, 1)) = 0 THEN true "
    "ELSE regexp_matches(line, '[^ \\t\\r]') END"
)

# SQL: the CTE `a(line_no, t)`: the chunk's non-blank lines without a trailing CR, as the line
# readers see them (the fast paths of queue_log and Asterisk CDR start from it).
WITHOUT_CR = "CASE WHEN suffix(line, chr(13)) THEN left(line, length(line) - 1) ELSE line END"
NON_BLANK_LINES = f"""a AS (
    SELECT line_no, {WITHOUT_CR} AS t
    FROM src
    WHERE {NOT_BLANK}
)"""

_local = threading.local()


def engine() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:")
        con.execute("SET TimeZone = 'UTC'")
        _local.con = con
    return con


@dataclass
class LineArrays:
    """Every line of a chunk (blank ones included). A line that is not valid UTF-8 has a null
    `text` and its position in `bad` (the caller reads it the Python way); `text` is None when
    there are more than MAX_BAD_LINES of them (the caller reads the whole chunk the Python way)."""

    line_no: pa.Array  # int64
    raw: pa.Array  # large_binary, without the newline
    text: pa.Array | None  # large_string
    bad: pa.Array = field(default_factory=lambda: pa.array([], pa.int64()))  # positions


def line_arrays(lines: Iterable[tuple[int, bytes]]) -> LineArrays | None:
    """The lines as Arrow arrays, or None when the chunk is small or not a plain buffer."""
    if not isinstance(lines, Lines):
        return None
    data = lines.data
    if data.count(b"\n") < MIN_LINES:
        return None
    whole = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.array([0, len(data)], pa.int64()).buffers()[1], pa.py_buffer(data)],
    )  # the buffer as one value, without a copy
    parts = pc.split_pattern(whole, b"\n").flatten()
    raw = parts.slice(0, len(parts) - 1)  # `data` ends with a newline: drop the empty tail
    line_no = _sequence(lines.first_line_no, len(raw))
    try:
        return LineArrays(line_no, raw, raw.cast(pa.large_string()))
    except pa.ArrowInvalid:
        pass
    bad = _invalid_lines(data)
    if bad is None:
        return LineArrays(line_no, raw, None)
    positions = pa.array(bad, pa.int64())
    valid = pc.if_else(
        pc.is_in(_sequence(0, len(raw)), positions), pa.scalar(None, pa.large_binary()), raw
    )
    try:
        return LineArrays(line_no, raw, valid.cast(pa.large_string()), positions)
    except pa.ArrowInvalid:  # not expected: every invalid line was found
        return LineArrays(line_no, raw, None)


def _invalid_lines(data: bytes) -> list[int] | None:
    """Positions of the lines of `data` (complete lines) that are not valid UTF-8; None when
    there are more than MAX_BAD_LINES. (A newline byte is never part of a UTF-8 sequence, so the
    buffer decodes where its lines do.)"""
    view = memoryview(data)
    bad: list[int] = []
    pos, line = 0, 0  # `line`: the position of the line that starts at byte `pos`
    while True:
        try:
            codecs.utf_8_decode(view[pos:], "strict", True)
            return bad
        except UnicodeDecodeError as exc:
            at = pos + exc.start
            line += data.count(b"\n", pos, at)
            bad.append(line)
            if len(bad) > MAX_BAD_LINES:
                return None
            pos, line = data.index(b"\n", at) + 1, line + 1


def _sequence(start: int, n: int) -> pa.Array:
    """start, start + 1, ... (n values) as int64, without n Python ints."""
    ones = pc.if_else(pa.nulls(n, pa.bool_()).is_null(), 1, 0).cast(pa.int64())
    return pc.add(pc.cumulative_sum(ones), start - 1)


def run(sql: str, arrays: LineArrays, params: list | None = None) -> pa.Table:
    """`sql` over the view `src(line_no, line)`, as an Arrow table.

    The lines go in batches of BATCH_ROWS, since DuckDB scans an Arrow table a batch per thread
    (one batch is one thread). Rows parsed so are left less compressed by DuckDB's automatic
    checkpoints (a 1M-call queue_log store: 446 MB against 220 MB, cause not found); an explicit
    CHECKPOINT packs them as tight as any (Store.compress, after a big load)."""
    con = engine()
    src = pa.table({"line_no": arrays.line_no, "line": arrays.text})
    src = pa.Table.from_batches(src.to_batches(BATCH_ROWS))
    con.register("src", src)
    try:
        return con.sql(sql, params=params or None).to_arrow_table()
    finally:
        con.unregister("src")


def read(
    sql: str,
    arrays: LineArrays,
    params: list,
    parse_lines: Callable[[list[tuple[int, bytes]], ReadContext], Batch],
    ctx: ReadContext,
    table: str,
) -> Batch:
    """A reader's fast path: `sql` (columns of `table`, then `ok`) over the lines, and
    `parse_lines` (the reader's Python code) over every line it is not sure of and every line
    that is not valid UTF-8, in line order."""
    parsed = run(sql, arrays, params)
    ok = parsed.column("ok")
    rest = pc.subtract(parsed.column("line_no").filter(pc.invert(ok)), arrays.line_no[0])
    if len(arrays.bad):
        # (a query may list a line with no text as not ok: each line is read once)
        rest = pc.unique(pa.chunked_array([*rest.cast(pa.int64()).chunks, arrays.bad]))
    rest = rest.take(pc.sort_indices(rest))  # in line order, however the query ran
    batch = parse_lines(fallback_lines(arrays, rest), ctx) if len(rest) else Batch()
    batch.tables[table] = parsed.filter(ok).drop_columns(["ok"])
    return batch


def fallback_lines(arrays: LineArrays, indexes: pa.Array) -> list[tuple[int, bytes]]:
    """(line_no, raw) of the lines at `indexes` (positions in the chunk), for the Python reader."""
    nos = arrays.line_no.take(indexes).to_pylist()
    raws = arrays.raw.take(indexes).to_pylist()
    return list(zip(nos, raws, strict=True))
