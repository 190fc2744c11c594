"""What every format reader gets and gives back.

A reader turns complete lines (bytes, without the trailing newline) into rows for the store's tables
and rejects for the quarantine. It never touches the store or the file system: ingest hands it lines
with their 1-based line numbers and writes what it returns. That keeps readers pure and testable.

Rows are tuples in the column order of `data.store.INPUT_COLUMNS[table]`. Timestamps are integers:
microseconds since the Unix epoch, UTC. `row_key` is `row_key(...)` of the row's identifying content,
so the same event read twice (a copy of a file, a re-read after truncation) is stored once.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar, Protocol

import pyarrow as pa

from data.config import Config

MAX_RAW = 500  # a reject keeps at most this much of the raw line
MAX_LINE = 1_000_000  # longer lines are rejected unread
# The csv module refuses a field over 128 KiB by default: a 600 KB quoted text over two lines was
# rejected as malformed, twice. A record still open past MAX_LINE is rejected as unterminated
# (mapped_csv), so no field a reader accepts is longer than its last line plus MAX_LINE.
MAX_CSV_FIELD = 2 * MAX_LINE
csv.field_size_limit(MAX_CSV_FIELD)


@dataclass(frozen=True)
class Reject:
    line_no: int
    reason: str
    raw: str  # decoded with errors="replace", cut at MAX_RAW


@dataclass
class Batch:
    """Rows per table and rejects, for one run of lines of one file."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)
    # Rows a vectorised reader built as Arrow tables (the store's column order and types), in
    # addition to `rows`: the writer inserts both.
    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    # Messages whose conversation is their reply thread's root (mapped CSV without a
    # conversation_id): (thread, message id, id of the message it answers, the row's row_key).
    # The reader can only find the root among its own lines; the writer finds it in the store
    # too (data/threads.py).
    thread_links: list[tuple[str, str, str | None, int]] = field(default_factory=list)
    # Trailing lines the reader could not use yet (a CSV record whose quoted field continues past
    # the last complete line): ingest leaves its offset before them and hands them over again.
    unconsumed_lines: int = 0

    def add(self, table: str, row: tuple) -> None:
        self.rows.setdefault(table, []).append(row)

    def reject(self, line_no: int, reason: str, raw: bytes | str) -> None:
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        self.rejects.append(Reject(line_no, reason, text[:MAX_RAW]))

    @property
    def loaded(self) -> int:
        return sum(len(r) for r in self.rows.values()) + sum(
            t.num_rows for t in self.tables.values()
        )


class BytesBefore:
    """A hash of a file's bytes before line N, cut at the end of its `head` (its first bytes): the
    same for a copy of the file, a rotated copy, the file grown or read again, and different in
    another file. Keys lines by where they are (a bad line, a repeated fact line); each hash is
    worked out once (a file of a million bad lines shares one)."""

    def __init__(self, head: bytes) -> None:
        self.head = head
        self.starts, pos = [], head.find(b"\n")  # where lines 2, 3, ... start
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = head.find(b"\n", pos + 1)
        self.hashes: dict[int, str] = {}

    def __call__(self, line_no: int) -> str:
        i = line_no - 2
        start = 0 if i < 0 else self.starts[i] if i < len(self.starts) else len(self.head)
        if start not in self.hashes:
            self.hashes[start] = hashlib.blake2b(self.head[:start], digest_size=16).hexdigest()
        return self.hashes[start]


@dataclass(frozen=True)
class ReadContext:
    """What a reader may know about the file it reads."""

    path: str  # as shown to the user (relative to the watched folder when there is one)
    file_id: int
    config: Config
    zone: tzinfo  # for naive timestamps: the source rule's zone, else the site zone
    header: bytes | None = None  # the file's first line, for formats with a header row
    channel: str | None = None  # forced by a source rule
    before: BytesBefore | None = None  # where a line is, for keys by position (BytesBefore)
    # The lines given end the file for good (a one-shot load at the end of the file): a record
    # still open there never ends.
    at_end: bool = False

    def position(self, line_no: int) -> tuple[int, str]:
        """Line `line_no` of this file as a key part: its number and the bytes before it."""
        return line_no, self.before(line_no) if self.before else ""


class Reader(Protocol):
    """A format: `sniff` recognises it from the head of a file, `parse` reads lines."""

    name: ClassVar[str]

    def sniff(self, head: bytes, path: str) -> bool:
        """True when `head` (the first few KiB, possibly cut mid-line) is this format."""
        ...

    def parse(self, lines: Iterable[tuple[int, bytes]], ctx: ReadContext) -> Batch:
        """Rows and rejects for these complete lines. Never raises on bad input: rejects it."""
        ...


def row_key(*parts: object) -> int:
    """A non-negative 63-bit content hash (DuckDB BIGINT) of the parts.

    MD5 because DuckDB computes the very same value in SQL (`sql_row_key`): the vectorised
    readers hash in the database, and a line read either way must get the same key.
    """
    h = hashlib.md5(usedforsecurity=False)
    for p in parts:
        h.update(b"\x1f")
        if isinstance(p, bytes):
            h.update(p)
        else:
            h.update(str(p).encode("utf-8", "surrogatepass"))
    return int.from_bytes(h.digest()[:8], "little") >> 1


def sql_row_key(material: str) -> str:
    """SQL for `row_key` of a VARCHAR/BLOB expression holding the parts joined as row_key joins
    them (each preceded by \\x1f)."""
    return f"((md5_number({material}) & 18446744073709551615::UHUGEINT) >> 1)::BIGINT"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(dt: datetime) -> int:
    """An aware datetime as exact epoch microseconds (UTC)."""
    return (dt - _EPOCH) // _US
