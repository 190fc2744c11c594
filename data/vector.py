"""Vectorised line parsing: a chunk of lines as one Arrow array, parsed by SQL in a private DuckDB.

A reader's fast path hands the lines of a chunk to a query that does what its per-line Python code
does, for the lines it can *prove* it reads the same way (an `ok` column). Every other line goes
to the reader's Python code, which stays the reference: it rejects with the exact reason or reads
the odd line the query does not cover. The query never decides a reject, so behaviour is that of
the Python reader, only faster on ordinary lines.

The engine is an in-memory DuckDB connection per thread: it never sees the store (readers stay pure).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from data.tail import Lines

MIN_LINES = 64  # below this the Python reader is as fast and there is nothing to gain

# SQL: the line is not blank (the line reader skips lines of only spaces, tabs and CRs). Nearly
# every line starts with another character: the pattern (a third of a queue_log chunk's parse)
# runs only on the others. (trim(line, chars) would say the same, many times slower.)
NOT_BLANK = (
    "CASE WHEN line = '' THEN false "
    "WHEN strpos(' ' || chr(9) || chr(13), left(line, 1)) = 0 THEN true "
    "ELSE regexp_matches(line, '[^ \\t\\r]') END"
)

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
    """Every line of a chunk (blank ones included): `text` is None when the chunk is not valid
    UTF-8 as a whole (the caller then reads it the Python way)."""

    line_no: pa.Array  # int64
    raw: pa.Array  # large_binary, without the newline
    text: pa.Array | None  # large_string


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
        text = raw.cast(pa.large_string())
    except pa.ArrowInvalid:
        text = None
    return LineArrays(line_no, raw, text)


def _sequence(start: int, n: int) -> pa.Array:
    """start, start + 1, ... (n values) as int64, without n Python ints."""
    ones = pc.if_else(pa.nulls(n, pa.bool_()).is_null(), 1, 0).cast(pa.int64())
    return pc.add(pc.cumulative_sum(ones), start - 1)


def run(sql: str, arrays: LineArrays, params: list | None = None) -> pa.Table:
    """`sql` over the view `src(line_no, line)`, as an Arrow table."""
    con = engine()
    src = pa.table({"line_no": arrays.line_no, "line": arrays.text})
    con.register("src", src)
    try:
        return con.sql(sql, params=params or None).to_arrow_table()
    finally:
        con.unregister("src")


def fallback_lines(arrays: LineArrays, indexes: pa.Array) -> list[tuple[int, bytes]]:
    """(line_no, raw) of the lines at `indexes` (positions in the chunk), for the Python reader."""
    nos = arrays.line_no.take(indexes).to_pylist()
    raws = arrays.raw.take(indexes).to_pylist()
    return list(zip(nos, raws, strict=True))
