"""The DuckDB store: schema, connection, and a cursor per thread.

Tables hold UTC TIMESTAMPTZ values and the session time zone is UTC, so nothing depends on the
machine's zone; periods are cut in the site zone by the metric queries with `timezone(tz, ts)`.

Raw source rows (queue events, messages, conversation facts) are kept so that contacts can be
derived again; contacts from call-detail and mapped CSVs arrive as contacts directly.
Every source row carries `row_key`, a 64-bit hash of its content: inserts skip keys already present,
which is what makes re-reading a file (truncation, a copy under another name) never double count.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from data import cursor_zones
from data.formats.queue_events import AGENT_EVENTS

# Column order matters: readers emit tuples in exactly this order (see data/formats/base.py).
QUEUE_EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row_key", "BIGINT"),
    ("file_id", "INTEGER"),
    ("line_no", "BIGINT"),
    ("ts", "TIMESTAMPTZ"),
    ("callid", "VARCHAR"),
    ("queue", "VARCHAR"),
    ("agent", "VARCHAR"),
    ("event", "VARCHAR"),
    ("data1", "VARCHAR"),
    ("data2", "VARCHAR"),
    ("data3", "VARCHAR"),
    ("data4", "VARCHAR"),
    ("data5", "VARCHAR"),
)

CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row_key", "BIGINT"),
    ("file_id", "INTEGER"),
    ("line_no", "BIGINT"),
    ("contact_id", "VARCHAR"),  # unique per contact: '<source>:<id>[:<segment>]'
    ("source", "VARCHAR"),  # queue_log, asterisk_cdr, freeswitch_cdr, chat_jsonl, mapped_csv
    ("source_id", "VARCHAR"),  # callid / uniqueid / conversation id: joins back to raw rows
    ("channel", "VARCHAR"),
    ("queue", "VARCHAR"),
    ("agent", "VARCHAR"),
    ("customer", "VARCHAR"),
    ("offered_at", "TIMESTAMPTZ"),
    ("answered_at", "TIMESTAMPTZ"),
    ("ended_at", "TIMESTAMPTZ"),
    ("wait_s", "DOUBLE"),
    ("talk_s", "DOUBLE"),
    ("hold_s", "DOUBLE"),
    ("wrap_s", "DOUBLE"),
    ("outcome", "VARCHAR"),  # answered, abandoned, timeout, open
    ("transferred", "BOOLEAN"),
    ("resolved", "BOOLEAN"),  # resolved or closed (written channels); NULL when unknown
    ("status", "VARCHAR"),  # open, pending, resolved, closed (tickets/chats), NULL otherwise
    ("priority", "VARCHAR"),
    ("due_at", "TIMESTAMPTZ"),  # a source's own resolution due date (wins over targets)
    ("topic", "VARCHAR"),
    ("tags", "VARCHAR[]"),
    ("rating", "DOUBLE"),  # mapped to 1-5
    ("rating_raw", "DOUBLE"),
    ("rating_scale", "DOUBLE"),
    ("rating_comment", "VARCHAR"),
    ("first_customer_at", "TIMESTAMPTZ"),
    ("first_agent_at", "TIMESTAMPTZ"),
    ("frt_s", "DOUBLE"),  # first response time, derived or given by the source
    ("resolution_s", "DOUBLE"),  # given by the source when it has no end time
    ("messages", "INTEGER"),
    ("agent_messages", "INTEGER"),
    ("fcr", "BOOLEAN"),  # a source's own first-contact-resolution flag
)

MESSAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row_key", "BIGINT"),
    ("file_id", "INTEGER"),
    ("line_no", "BIGINT"),
    ("conversation_id", "VARCHAR"),
    ("ts", "TIMESTAMPTZ"),
    ("role", "VARCHAR"),  # customer, agent, bot, system
    ("author", "VARCHAR"),
    ("text", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("queue", "VARCHAR"),
)

CONVERSATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("row_key", "BIGINT"),
    ("file_id", "INTEGER"),
    ("line_no", "BIGINT"),
    ("conversation_id", "VARCHAR"),
    ("ts", "TIMESTAMPTZ"),  # when this fact line was written (orders updates; latest wins)
    ("created_at", "TIMESTAMPTZ"),
    ("channel", "VARCHAR"),
    ("queue", "VARCHAR"),
    ("status", "VARCHAR"),
    ("resolved_at", "TIMESTAMPTZ"),
    ("priority", "VARCHAR"),
    ("due_at", "TIMESTAMPTZ"),
    ("tags", "VARCHAR[]"),
    ("rating", "DOUBLE"),  # mapped to 1-5
    ("rating_raw", "DOUBLE"),
    ("rating_scale", "DOUBLE"),
    ("rating_comment", "VARCHAR"),
    ("customer", "VARCHAR"),
    ("agent", "VARCHAR"),
    ("topic", "VARCHAR"),
    ("extra", "VARCHAR"),  # unknown fields, kept as JSON text
)

# Columns of contacts that no reader emits: worked out by data/derive.py when contacts are written.
# next_contact_at: offered_at of the same customer's next contact that is not a segment of the same
# call (a later first offer of another source_id), for first-contact resolution; 'infinity' when
# there is none within derive.FCR_HORIZON_H, '-infinity' without a customer; NULL while not yet worked out (rows
# written by something else than data/writer.py: the FCR query then works it out itself).
DERIVED_CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (("next_contact_at", "TIMESTAMPTZ"),)

# The columns readers emit, per table, in tuple order (data/formats/base.py).
INPUT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "queue_events": QUEUE_EVENT_COLUMNS,
    "contacts": CONTACT_COLUMNS,
    "messages": MESSAGE_COLUMNS,
    "conversations": CONVERSATION_COLUMNS,
}

# The stored tables: input columns, then derived ones.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "queue_events": QUEUE_EVENT_COLUMNS,
    "contacts": CONTACT_COLUMNS + DERIVED_CONTACT_COLUMNS,
    "messages": MESSAGE_COLUMNS,
    "conversations": CONVERSATION_COLUMNS,
}

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY,
    path VARCHAR NOT NULL,
    device UBIGINT,
    inode UBIGINT,
    head_hash VARCHAR,       -- hash of the first bytes read (up to HEAD_BYTES): identity across renames
    head_len INTEGER,
    size BIGINT,
    "offset" BIGINT NOT NULL DEFAULT 0,   -- bytes consumed (always at a line boundary)
    line_no BIGINT NOT NULL DEFAULT 0,    -- lines consumed
    format VARCHAR,
    lines BIGINT NOT NULL DEFAULT 0,
    loaded BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    status VARCHAR NOT NULL DEFAULT 'ok',  -- ok, skipped, unreadable, missing, duplicate_of
    message VARCHAR,
    header VARCHAR,          -- first line, for formats with a header row
    tail_hash VARCHAR,       -- hash of the bytes before "offset": a rewrite in place changes it
    last_change TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS rejects (
    path VARCHAR NOT NULL,
    line_no BIGINT,
    reason VARCHAR NOT NULL,
    raw VARCHAR,
    seen_at TIMESTAMPTZ NOT NULL,
    reject_key BIGINT         -- the same bad line of the same content (a copy) is kept once
);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- Threaded messages (data/threads.py): the message each one answers and its thread's root now.
CREATE TABLE IF NOT EXISTS thread_links (
    thread VARCHAR NOT NULL,  -- '<mapping>:<key_prefix>': conversation ids are thread || root
    msg_id VARCHAR NOT NULL,
    reply_to VARCHAR,
    root VARCHAR NOT NULL
);
"""


_VIEWS = f"""
CREATE OR REPLACE VIEW agent_events AS
SELECT ts, agent, queue, event, data1 AS reason, callid, file_id, line_no
FROM queue_events
WHERE event IN ({", ".join(repr(e) for e in AGENT_EVENTS)});
"""

# 2: row keys are MD5 (computable in DuckDB and Python alike). A store of another version would
# dedupe wrongly, so it is refused rather than mixed.
# 3: derived contacts changed: queue_log hold/wrap are null (not recorded), chat transfers null,
# FRT counts from the customer's first message to the next agent message, a chat fact line without
# a channel no longer overrides its messages'. Old rows would mix with new ones: refused.
SCHEMA_VERSION = "4"
# Versions whose stores this one takes as they are: 4 only adds the per-day sums (rollup.py),
# which a version-3 floorwatch would not forget when it writes, so it must refuse a 4 store.
OPENS_VERSIONS = {"3", SCHEMA_VERSION}


class StoreError(Exception):
    """The database cannot be used as a floorwatch store; the message says why and what to do."""


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _create_table(name: str, columns: tuple[tuple[str, str], ...]) -> str:
    cols = ",\n    ".join(f"{c} {t}" for c, t in columns)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n    {cols}\n);"


# How much a bulk load (Store.bulk_load) writes before DuckDB checkpoints (compresses) it. DuckDB's
# default, 16 MB, compressed a 1M-call queue_log 13 times over as it loaded: 8 of its 23 s were
# COMMITs. One checkpoint at the end cost 2-4 s and packed the store tighter (122 MB against 220).
# The bound keeps what waits uncompressed in memory to about this much on a folder of any size.
BULK_CHECKPOINT_THRESHOLD = "1GB"

# DuckDB's memory budget for a store on disk (bench/ingest.py: building a 10M-contact store
# peaked at 1.97 GB RSS without it, 1.24 GB with it, 20 % slower).
DISK_MEMORY_LIMIT = "1GB"


class Store:
    """One DuckDB database (a file with `--db`, else in memory) shared by the threads of one process.

    DuckDB connections are not safe to share between threads (results of one thread's query can be
    returned to another), so every thread asks `cursor()` and gets its own.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else None
        try:
            self._conn = duckdb.connect(str(path) if path else ":memory:")
        except duckdb.Error as exc:
            # A folder, a file that is not a DuckDB database, a missing parent folder, a lock
            # held by another process: say which file and why, never a traceback.
            raise StoreError(
                f"{path}: cannot open as a floorwatch store ({_first_line(exc)})"
            ) from exc
        self._local = threading.local()
        self._write_lock = threading.Lock()
        con = self._conn
        con.execute("SET TimeZone = 'UTC'")
        # DuckDB's `grouping_sets` rewrite turns GROUPING SETS into a materialised CTE with one
        # GROUP BY per set. On a day's slice that copy is most of the work: the main KPI pass of
        # `report --period today` at 10M contacts took 67 ms of CPU with it and 39 without
        # (bench/report.py). A database-wide setting: every cursor of the store gets it.
        con.execute("SET GLOBAL disabled_optimizers = 'grouping_sets'")
        if path:
            # A store on disk can spill: bound DuckDB's memory so a console left open for days, or
            # a one-off pass over 10M contacts (next_contact_at), stays well under 2 GB. In memory
            # the data itself lives in that budget, so the default (a share of RAM) stays.
            con.execute(f"SET memory_limit = '{DISK_MEMORY_LIMIT}'")
        self._check_version(con)
        for name, columns in TABLES.items():
            con.execute(_create_table(name, columns))
        backfill = self._add_derived_columns(con)
        con.execute(_BOOKKEEPING)
        # Stores made before reject keys: their rejects stay as they are, unkeyed.
        con.execute("ALTER TABLE rejects ADD COLUMN IF NOT EXISTS reject_key BIGINT")
        # Stores made before tail hashes: a file's first batch from now on records one.
        con.execute("ALTER TABLE files ADD COLUMN IF NOT EXISTS tail_hash VARCHAR")
        con.execute(_VIEWS)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
            [SCHEMA_VERSION],
        )
        if backfill:
            from data import derive

            derive.refresh_all_next_contacts(con)

    @staticmethod
    def _add_derived_columns(con: duckdb.DuckDBPyConnection) -> bool:
        """Add derived contact columns a store of this version made before them lacks; True when
        added (their values are then worked out once)."""
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'contacts' "
                "AND schema_name = 'main' AND database_name = current_database()"
            ).fetchall()
        }
        added = False
        for name, kind in DERIVED_CONTACT_COLUMNS:
            if name not in have:
                con.execute(f"ALTER TABLE contacts ADD COLUMN {name} {kind}")
                added = True
        return added

    def _check_version(self, con: duckdb.DuckDBPyConnection) -> None:
        (has_meta,) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'"
        ).fetchone()
        if not has_meta:
            return
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0] not in OPENS_VERSIONS:
            con.close()
            raise StoreError(
                f"{self.path}: written by another version of floorwatch (store version {row[0]}, "
                f"this one uses {SCHEMA_VERSION}); move it aside or give another --db"
            )

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Checkpoints held back while a lot is loaded at once (BULK_CHECKPOINT_THRESHOLD). What
        was loaded stays uncompressed, as DuckDB's own `CREATE TABLE AS SELECT * FROM
        read_csv(...)` leaves it, until `compress()` or the next write's automatic checkpoint (a
        store on disk also checkpoints when it is closed)."""
        cur = self.cursor()
        # A database-wide setting: the loading thread's writes are what it is for.
        cur.execute(f"SET GLOBAL checkpoint_threshold = '{BULK_CHECKPOINT_THRESHOLD}'")
        try:
            yield
        finally:
            cur.execute("RESET GLOBAL checkpoint_threshold")

    def compress(self) -> None:
        """Checkpoint now: what a bulk load left uncompressed is compressed (queries run on
        meanwhile). Not vital: one that fails (a full disk) is left to the next."""
        with contextlib.suppress(duckdb.Error):
            self.cursor().execute("CHECKPOINT")

    @property
    def write_lock(self) -> threading.Lock:
        """Held by whoever writes (ingest); readers never need it."""
        return self._write_lock

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's own cursor, created on first use."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._conn.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            cursor_zones.remember(cur, "UTC")
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
