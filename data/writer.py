"""Writing one reader batch: rows, rejects, derived contacts and the file's new offset, atomically.

Rows whose `row_key` is already stored are skipped. The lookup is limited to the batch's time range
(rows of one event share its timestamp), so it prunes by DuckDB's zone maps instead of scanning the
whole table: appends stay fast at tens of millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from data import derive, threads
from data.config import Config
from data.formats.base import Batch, BytesBefore, row_key
from data.metrics import rollup
from data.store import INPUT_COLUMNS, Store

if TYPE_CHECKING:
    from data.ingest import FileState

TIME_COLUMN = {
    "queue_events": "ts",
    "messages": "ts",
    "conversations": "ts",
    "contacts": "offered_at",
}

_ARROW_TYPES = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}

SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])
    for table, columns in INPUT_COLUMNS.items()
}


@dataclass
class Written:
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0  # rejects written: a bad line already quarantined from a copy is not
    tables: set[str] = field(default_factory=set)
    ts_range: tuple[int, int] | None = None  # epoch µs of the rows written
    touched: derive.Touched = field(default_factory=lambda: derive.Touched())

    def widen(self, lo: int, hi: int) -> None:
        if self.ts_range is None:
            self.ts_range = (lo, hi)
        else:
            self.ts_range = (min(self.ts_range[0], lo), max(self.ts_range[1], hi))


def to_arrow(table: str, rows: list[tuple]) -> pa.Table:
    schema = SCHEMAS[table]
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
    )


def batch_tables(batch: Batch) -> dict[str, pa.Table]:
    """Every row of the batch as one Arrow table per store table (tuples and reader tables)."""
    out: dict[str, pa.Table] = {}
    for table in [*batch.tables, *(t for t in batch.rows if t not in batch.tables)]:
        schema = SCHEMAS[table]
        parts = []
        given = batch.tables.get(table)
        if given is not None and given.num_rows:
            parts.append(given if given.schema == schema else given.cast(schema))
        rows = batch.rows.get(table)
        if rows:
            parts.append(to_arrow(table, rows))
        if parts:
            out[table] = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
    return out


def write_batch(
    store: Store,
    batch: Batch,
    state: FileState,
    config: Config,
    lines_read: int,
    at: datetime | None = None,
) -> Written:
    """`at`: when, for the file's last change and the rejects (default: now)."""
    at = at or datetime.now(UTC)
    written = Written()
    tables = batch_tables(batch)
    with store.write_lock:
        cur = store.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            written.touched.want_hours = rollup.keeps_days(cur)
            moved: set[str] = set()
            if batch.thread_links and "messages" in tables:
                tables["messages"], moved = threads.resolve(
                    cur, batch.thread_links, tables["messages"]
                )
            for table, rows in tables.items():
                _insert(cur, table, rows, written)
            if batch.rejects:
                written.rejected = _insert_rejects(cur, batch, state, at)
            keys = _keys(tables)
            if moved:
                written.tables.add("messages")
                keys["conversation_id"] = pc.unique(
                    pa.concat_arrays([keys["conversation_id"], pa.array(sorted(moved))])
                )
            derive.after_insert(
                cur, config, written.tables, keys, written.ts_range, written.touched
            )
            derive.refresh_next_contacts(cur, written.touched, config.fcr_window_h * 3600)
            rollup.forget(cur, written.touched.hours)
            _save_state(cur, state, lines_read, written, written.rejected, at)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    return written


def _insert(cur, table: str, batch_rows: pa.Table, written: Written) -> None:
    tcol = TIME_COLUMN[table]
    cur.register("batch_rows", batch_rows)
    try:
        # One pass for the time window of the existence check and for copies within the batch:
        # the row_number() that keeps the first of each copy sorts the batch, so it runs only
        # when there are copies.
        n, copies, stamped, lo, hi = cur.execute(
            f"SELECT count(*), count(*) - count(DISTINCT row_key), count({tcol}), "
            f"epoch_us(min({tcol})), epoch_us(max({tcol})) FROM batch_rows"
        ).fetchone()
        window, params = "", []
        if n and stamped == n:
            window = f"AND t.{tcol} BETWEEN make_timestamptz(?) AND make_timestamptz(?)"
            params = [lo, hi]
            written.widen(lo, hi)
        source = "batch_rows"
        if copies:
            source = """(
                SELECT * FROM batch_rows
                QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY line_no) = 1
            )"""
        cols = ", ".join(name for name, _ in INPUT_COLUMNS[table])
        insert = f"""
            INSERT INTO {table} ({cols})
            SELECT * FROM {source} b
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.row_key = b.row_key {window})
            """
        if table == "contacts":
            # Direct contacts (call-detail, mapped CSV): their customers' next contacts change.
            inserted = derive.write_returning(cur, insert, params, written.touched)
        else:
            (inserted,) = cur.execute(insert, params).fetchone()
    finally:
        cur.unregister("batch_rows")
    written.inserted += inserted
    written.duplicates += n - inserted
    if inserted:
        written.tables.add(table)


def _insert_rejects(cur, batch: Batch, state: FileState, at: datetime) -> int:
    """Quarantine the batch's bad lines; the number new. A bad line is keyed by the file's bytes
    before it (up to the first HEAD_BYTES: all of them for a line that starts within those), its
    number, reason and text: a copy of a file (copytruncate's rotated copy, a duplicate under
    another name), a re-read after a truncation or the same file grown does not quarantine it
    again, while the same bad text at the same line of another file (daily exports that share a
    header row) is that file's own."""
    before = BytesBefore(state.head)
    keys = [row_key("reject", before(r.line_no), r.line_no, r.reason, r.raw) for r in batch.rejects]
    table = pa.table(
        {
            "path": pa.array([state.path] * len(keys), pa.string()),
            "line_no": pa.array([r.line_no for r in batch.rejects], pa.int64()),
            "reason": pa.array([r.reason for r in batch.rejects], pa.string()),
            "raw": pa.array([r.raw for r in batch.rejects], pa.string()),
            "reject_key": pa.array(keys, pa.int64()),
        }
    )
    cur.register("batch_rejects", table)
    try:
        (inserted,) = cur.execute(
            """INSERT INTO rejects (path, line_no, reason, raw, seen_at, reject_key)
            SELECT path, line_no, reason, raw, ?, reject_key FROM (
                SELECT * FROM batch_rejects b
                WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r.reject_key = b.reject_key)
                QUALIFY row_number() OVER (PARTITION BY reject_key ORDER BY line_no) = 1
            )""",
            [at],
        ).fetchone()
    finally:
        cur.unregister("batch_rejects")
    return inserted


def _keys(tables: dict[str, pa.Table]) -> dict[str, pa.Array]:
    """The source ids whose derived contacts must be rebuilt (distinct, nulls dropped)."""
    keys: dict[str, pa.Array] = {}
    if "queue_events" in tables:
        keys["callid"] = pc.unique(tables["queue_events"].column("callid")).drop_null()
    conv = [
        tables[t].column("conversation_id") for t in ("messages", "conversations") if t in tables
    ]
    if conv:
        ids = pa.chunked_array([c for col in conv for c in col.chunks], pa.string())
        keys["conversation_id"] = pc.unique(ids).drop_null()
    return keys


def _save_state(
    cur, state: FileState, lines_read: int, written: Written, rejected: int, at: datetime
) -> None:
    cur.execute(
        """
        UPDATE files SET path = ?, device = ?, inode = ?, head_hash = ?, head_len = ?, size = ?,
            "offset" = ?, line_no = ?, format = ?, header = ?, tail_hash = ?, status = 'ok',
            lines = lines + ?, loaded = loaded + ?, rejected = rejected + ?,
            duplicates = duplicates + ?, last_change = ?
        WHERE file_id = ?
        """,
        [
            state.path,
            state.device,
            state.inode,
            state.head_hash,
            state.head_len,
            state.size,
            state.offset,
            state.line_no,
            state.format,
            state.header,
            state.tail_hash,
            lines_read,
            written.inserted,
            rejected,
            written.duplicates,
            at,
            state.file_id,
        ],
    )
