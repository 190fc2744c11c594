"""Incremental, idempotent loading of export files into the store.

For each file: find out whether it is known (same path, or renamed: same inode and same first bytes),
read only the complete lines past its stored offset, hand them to its reader, and write rows, rejects
and the new offset in one transaction — so a kill at any moment loses nothing and doubles nothing.
A file that shrank was truncated or rewritten: it is read again from the start, and because every
row carries a content key that inserts skip when present, nothing is counted twice. The same holds
for a copy of a file under another name.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from data import derive
from data.config import CONFIG_FILE_NAME, Config
from data.formats import detect as detection
from data.formats.base import MAX_LINE, Batch, BytesBefore, ReadContext, Reader
from data.metrics import rollup
from data.progress import Progress, ProgressMeter
from data.store import Store
from data.tail import (
    CHUNK_BYTES,
    HEAD_BYTES,
    Identity,
    head_hash,
    identity,
    read_head,
    read_lines,
    tail_hash,
)
from data.writer import write_batch

MAX_RECORD_BYTES = 256 * 1024 * 1024
IGNORED_NAMES = (CONFIG_FILE_NAME, "*.duckdb", "*.duckdb.wal", "*.tmp", "*.swp", "*~", ".*")


@dataclass
class FileReport:
    """What one pass over one file did."""

    path: str
    format: str | None
    lines: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    status: str = "ok"
    message: str | None = None


@dataclass
class IngestResult:
    files: list[FileReport] = field(default_factory=list)
    affected_days: set[date] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.tables) or any(f.rejected or f.status != "ok" for f in self.files)

    def merge(self, other: IngestResult) -> None:
        self.files.extend(other.files)
        self.affected_days |= other.affected_days
        self.tables |= other.tables


@dataclass
class FileState:
    file_id: int
    path: str
    device: int | None
    inode: int | None
    head_hash: str | None
    head_len: int
    size: int
    offset: int
    line_no: int
    format: str | None
    header: str | None
    status: str
    tail_hash: str | None = None  # of the bytes before `offset` (tail.tail_hash)
    # The file's first bytes (up to HEAD_BYTES) as read this time: what its bad lines are keyed on
    # (writer._insert_rejects). Not stored.
    head: bytes = b""


_STATE_COLS = (
    'file_id, path, device, inode, head_hash, coalesce(head_len, 0), coalesce(size, 0), "offset", '
    "line_no, format, header, status, tail_hash"
)


class Ingestor:
    """Loads files and folders into `store`. One instance per process; call from one thread at a time."""

    def __init__(
        self,
        store: Store,
        config: Config,
        root: Path | None = None,
        *,
        final: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.root = root.resolve() if root else None
        # `final`: a one-shot load (check, report) treats an unterminated last line as complete.
        self.final = final
        # When a file changed and a line was rejected, on the console's clock (a faster demo's
        # runs ahead of the real one).
        self.clock = clock or _now
        self._derivation_checked = False

    # ---- public API -------------------------------------------------------------------------
    def scan(
        self, paths: Iterable[Path], progress: Callable[[Progress], None] | None = None
    ) -> IngestResult:
        """Load every file under `paths` (files or folders, recursively), then note vanished ones."""
        self.bring_up_to_date()
        # Newest first: on a big folder today's data is in (and the console can show it) long
        # before years of history have loaded. Derivation joins a call's files in any order.
        result = IngestResult()
        files = sorted(set(self._expand(paths, result)), key=_newest_first)
        meter = ProgressMeter(files, progress)
        # Compressed once after it, not as it loads (Store.bulk_load): a store that lives on
        # calls Store.compress() when the load is done.
        with self.store.bulk_load():
            for path in files:
                result.merge(self._ingest(path, meter))
                meter.file_done(path)
        meter.finish()
        if self.root is not None and any(p.resolve() == self.root for p in paths):
            # The whole folder was scanned: what the store knows but the folder no longer has
            # (deleted while floorwatch was not running) is reported, its data kept.
            unlisted = {f.path for f in result.files if f.status == "unreadable"}
            if self._folder_display(self.root) not in unlisted:  # else nothing could be seen
                self._mark_vanished({self._display(p) for p in files} | unlisted)
        return result

    def apply(self, paths: Iterable[Path]) -> IngestResult:
        """Re-check paths a watcher reported (added, modified or deleted), in an order that makes
        a rotation read the renamed file's tail before the new file at the old name."""
        self.bring_up_to_date()
        result = IngestResult()
        present: list[Path] = []
        for path in set(paths):
            if path.is_dir():
                present.extend(self._expand([path], result))
            elif self._wanted(path):
                present.append(path)
        # Known inodes first: a renamed file continues from its offset before anything else.
        present.sort(key=lambda p: (self._state_by_path(self._display(p)) is not None, str(p)))
        for path in present:
            result.merge(self._ingest(path, None))
        return result

    def bring_up_to_date(self) -> bool:
        """Once per run, before anything loads: contacts derived with another configuration (or by
        another floorwatch) are derived again from the raw rows (derive.bring_up_to_date)."""
        if self._derivation_checked:
            return False
        # Once, even when it fails: a rebuild that ran out of memory is not retried with every
        # watcher batch (the next run tries again; its transaction left the contacts as they were).
        self._derivation_checked = True
        with self.store.write_lock:
            return derive.bring_up_to_date(self._cur(), self.config)

    def keep_day_sums(self, now: datetime | None = None) -> int:
        """Keep the per-day sums of a few more closed days (metrics/rollup.py); the number built
        (0: all are kept). For a store that lives on (the console): a one-shot load (check,
        report) would spend as much keeping them as using them."""
        with self.store.write_lock:
            return rollup.build(self._cur(), self.config, now or _now())

    # ---- one file ---------------------------------------------------------------------------
    def _ingest(self, path: Path, meter: ProgressMeter | None) -> IngestResult:
        shown = self._display(path)
        result = IngestResult()
        try:
            ident = identity(path)
        except FileNotFoundError:
            self._mark_missing(shown)
            result.files.append(FileReport(shown, None, status="missing", message="file vanished"))
            return result
        except OSError as exc:
            return self._unreadable(shown, exc, result)
        try:
            head = read_head(path)
        except OSError as exc:
            return self._unreadable(shown, exc, result)
        state = self._locate(shown, ident, head)
        if state.status in _BACK:
            # Readable again (permissions put right), or there again (its folder could not be
            # listed): the alarm ends even if nothing is new.
            self._set_status(state, "ok", _BACK[state.status], fmt=state.format)
            state.status = "ok"
        needs_detection = state.format is None or state.offset == 0
        if needs_detection and not self._detect(state, _detection_head(path, head), shown, result):
            return result
        if (
            ident.size < state.offset
            or not _head_matches(state, head)
            or not _tail_matches(path, state)
        ):
            # Truncated or rewritten in place: read again from the start; content keys dedupe.
            state.offset, state.line_no, state.head_len, state.tail_hash = 0, 0, 0, None
        if ident.size == state.offset and state.head_len >= min(ident.size, HEAD_BYTES):
            return result
        state.device, state.inode, state.size = ident.device, ident.inode, ident.size
        state.head = head
        if state.head_len < min(len(head), HEAD_BYTES):
            state.head_hash, state.head_len = head_hash(head), len(head)
        reader = detection.reader_for(state.format)  # type: ignore[arg-type]
        report = FileReport(shown, state.format)
        try:
            self._read_into(path, state, reader, report, result, meter)
            self._note_size(state)
        except FileNotFoundError:
            report.status, report.message = "missing", "file vanished while being read"
        except OSError as exc:
            report.status, report.message = "unreadable", _os_reason(exc)
        result.files.append(report)
        return result

    def _read_into(
        self,
        path: Path,
        state: FileState,
        reader: Reader,
        report: FileReport,
        result: IngestResult,
        meter: ProgressMeter | None,
    ) -> None:
        rule = detection.source_rule_for(state.path, self.config)
        zone = self.config.zone
        if rule is not None and rule.timezone:
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(rule.timezone)
        ctx = ReadContext(
            path=state.path,
            file_id=state.file_id,
            config=self.config,
            zone=zone,
            header=state.header.encode("utf-8", "surrogateescape") if state.header else None,
            channel=rule.channel if rule else None,
            before=BytesBefore(state.head),
        )
        chunk_bytes = CHUNK_BYTES
        while stop := self._read_chunks(
            path, state, reader, ctx, report, result, meter, chunk_bytes
        ):
            if stop == "record larger than the chunk":
                # A reader held back a whole full chunk (one record bigger than a chunk, like a
                # JSON array file): read again with room for it, up to a limit, not forever.
                if chunk_bytes >= MAX_RECORD_BYTES:
                    report.message = (
                        f"a record larger than {MAX_RECORD_BYTES >> 20} MiB is not read"
                    )
                    break
                chunk_bytes *= 4
            # else a record runs past the chunk (a quoted CSV field with newlines): read on from
            # its first line, the next chunk holds it whole.

    def _read_chunks(
        self,
        path: Path,
        state: FileState,
        reader: Reader,
        ctx: ReadContext,
        report: FileReport,
        result: IngestResult,
        meter: ProgressMeter | None,
        chunk_bytes: int,
    ) -> str | None:
        """Read to the end of the file; why it stopped short, if it did: a record larger than
        the chunk, or one running past it (None: read to the end)."""
        for chunk in read_lines(
            path, state.offset, state.line_no, final=self.final, chunk_bytes=chunk_bytes
        ):
            at_end = self.final and chunk.end >= state.size
            lines_ctx = replace(ctx, at_end=True) if at_end else ctx
            batch = reader.parse(chunk.lines, lines_ctx) if chunk.lines else Batch()
            for line_no, raw in chunk.too_long:
                batch.reject(line_no, f"line longer than {MAX_LINE} bytes", raw)
            end, next_line = chunk.end, chunk.next_line_no
            if batch.unconsumed_lines:
                # A record continues past the last complete line: stop before it, retry later.
                first_kept = chunk.lines[-batch.unconsumed_lines][0]
                end, next_line = chunk.offset_of(first_kept), first_kept - 1
            lines_read = next_line - (chunk.first_line_no - 1)
            state.offset, state.line_no = end, next_line
            state.tail_hash = tail_hash(path, end, chunk.data, chunk.data_start)
            # Rows, rejects, derived contacts and the new offset commit together.
            written = write_batch(
                self.store, batch, state, self.config, lines_read, at=self.clock()
            )
            report.lines += lines_read
            report.loaded += written.inserted
            report.duplicates += written.duplicates
            report.rejected += written.rejected
            result.tables |= written.tables
            result.affected_days |= self._days(written.ts_range)
            if meter is not None:
                meter.advance(end - chunk.start, written.inserted)
            if batch.unconsumed_lines:
                held_back_all = batch.unconsumed_lines == len(chunk.lines)
                if held_back_all and chunk.end - chunk.start >= chunk_bytes // 2:
                    return "record larger than the chunk"
                if not held_back_all and chunk.end < state.size:
                    return "record past the chunk"  # read on from it: some lines were read
                return None  # the file ends inside the record: it is still being written
        return None

    # ---- identity ---------------------------------------------------------------------------
    def _locate(self, shown: str, ident: Identity, head: bytes) -> FileState:
        """The known state of this file, following a rename; a fresh state when it is new."""
        by_path = self._state_by_path(shown)
        if by_path is not None and self._same_file(by_path, ident):
            return by_path
        moved = self._state_by_inode(ident, head)
        if moved is not None:
            if by_path is not None:
                self._detach(by_path)
            self._detach_path(shown, keep=moved.file_id)
            moved.path = shown
            self._set_status(moved, "ok", f"renamed to {shown}", fmt=moved.format)
            return moved
        if by_path is not None:
            # A new file took this name (rotation by rename): the old state stays findable by inode.
            self._detach(by_path)
        return self._new_state(shown)

    @staticmethod
    def _same_file(state: FileState, ident: Identity) -> bool:
        return state.inode is None or (state.device, state.inode) == (ident.device, ident.inode)

    def _state_by_inode(self, ident: Identity, head: bytes) -> FileState | None:
        rows = (
            self._cur()
            .execute(
                f"SELECT {_STATE_COLS} FROM files WHERE device = ? AND inode = ? ORDER BY file_id DESC",
                [ident.device, ident.inode],
            )
            .fetchall()
        )
        for row in rows:
            state = FileState(*row)
            # Inodes are reused after a delete: the first bytes must match too.
            if state.head_hash and head_hash(head[: state.head_len]) == state.head_hash:
                return state
        return None

    def _state_by_path(self, shown: str) -> FileState | None:
        row = (
            self._cur()
            .execute(
                f"SELECT {_STATE_COLS} FROM files WHERE path = ? AND status <> 'moved' "
                "ORDER BY file_id DESC LIMIT 1",
                [shown],
            )
            .fetchone()
        )
        return FileState(*row) if row else None

    def _new_state(self, shown: str) -> FileState:
        with self.store.write_lock:
            cur = self._cur()
            (next_id,) = cur.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchone()
            cur.execute(
                "INSERT INTO files (file_id, path, status, last_change) VALUES (?, ?, 'ok', ?)",
                [next_id, shown, self.clock()],
            )
        return FileState(next_id, shown, None, None, None, 0, 0, 0, 0, None, None, "ok")

    def _detach(self, state: FileState) -> None:
        with self.store.write_lock:
            self._cur().execute(
                "UPDATE files SET status = 'moved' WHERE file_id = ?", [state.file_id]
            )

    def _detach_path(self, shown: str, keep: int) -> None:
        with self.store.write_lock:
            self._cur().execute(
                "UPDATE files SET status = 'moved' WHERE path = ? AND file_id <> ?", [shown, keep]
            )

    def _detect(self, state: FileState, head: bytes, shown: str, result: IngestResult) -> bool:
        if not head:
            return False  # empty for now; detect when something arrives
        if not self.final and b"\n" not in head and len(head) < DETECTION_BYTES:
            # A new export caught in the middle of its first line (the whole file was read): not
            # "skipped", but held back like any unfinished line, and recognised once it ends.
            state.size = len(head)
            self._set_status(state, "ok", "first line not complete yet", fmt=None)
            self._note_size(state)
            result.files.append(FileReport(shown, None, message="first line not complete yet"))
            return False
        reader, why = detection.detect(head, shown, self.config)
        if reader is None:
            self._set_status(state, "skipped", why, fmt=None)
            result.files.append(FileReport(shown, None, status="skipped", message=why))
            return False
        state.format = reader.name
        first = head.split(b"\n", 1)[0].rstrip(b"\r")[:MAX_HEADER]
        state.header = first.decode("utf-8", "surrogateescape")
        self._set_status(state, "ok", why, fmt=reader.name)
        return True

    # ---- bookkeeping ------------------------------------------------------------------------
    def _note_size(self, state: FileState) -> None:
        """The size seen, when no batch wrote it: a file grown by only part of a line is read to
        no new line, and `check --db` must still say that bytes wait (common.held_back)."""
        with self.store.write_lock:
            self._cur().execute(
                "UPDATE files SET size = ? WHERE file_id = ? AND size IS DISTINCT FROM ?",
                [state.size, state.file_id, state.size],
            )

    def _set_status(
        self, state: FileState, status: str, message: str | None, fmt: str | None
    ) -> None:
        with self.store.write_lock:
            self._cur().execute(
                "UPDATE files SET status = ?, message = ?, format = ?, header = ?, path = ?, "
                "last_change = ? WHERE file_id = ?",
                [status, message, fmt, state.header, state.path, self.clock(), state.file_id],
            )

    def _mark_vanished(self, present: set[str]) -> None:
        cur = self._cur()
        known = cur.execute(
            "SELECT path FROM files WHERE status NOT IN ('moved', 'missing')"
        ).fetchall()
        unlisted = tuple(p for p in present if p.endswith(FOLDER_MARK))
        for (path,) in known:
            if path not in present and not path.startswith(unlisted):
                if path.endswith(FOLDER_MARK):  # a folder once unreadable, since deleted
                    self._forget_folders([path])
                else:
                    self._mark_missing(path)

    def _mark_missing(self, shown: str) -> None:
        with self.store.write_lock:
            self._cur().execute(
                "UPDATE files SET status = 'missing', message = 'file vanished', last_change = ? "
                "WHERE path = ? AND status NOT IN ('moved', 'missing')",
                [self.clock(), shown],
            )

    def _unreadable(
        self, shown: str, exc: OSError, result: IngestResult, what: str = ""
    ) -> IngestResult:
        reason = what + _os_reason(exc)
        with self.store.write_lock:
            cur = self._cur()
            row = cur.execute(
                "SELECT file_id FROM files WHERE path = ? AND status <> 'moved'", [shown]
            ).fetchone()
            if row is None:
                (next_id,) = cur.execute(
                    "SELECT coalesce(max(file_id), 0) + 1 FROM files"
                ).fetchone()
                cur.execute(
                    "INSERT INTO files (file_id, path, status, message, last_change) "
                    "VALUES (?, ?, 'unreadable', ?, ?)",
                    [next_id, shown, reason, self.clock()],
                )
            else:
                cur.execute(
                    "UPDATE files SET status = 'unreadable', message = ?, last_change = ? "
                    "WHERE file_id = ?",
                    [reason, self.clock(), row[0]],
                )
        result.files.append(FileReport(shown, None, status="unreadable", message=reason))
        return result

    # ---- helpers ----------------------------------------------------------------------------
    def _cur(self) -> duckdb.DuckDBPyConnection:
        return self.store.cursor()

    def _display(self, path: Path) -> str:
        try:
            resolved = path.resolve() if path.exists() else path.absolute()
        except OSError:  # in a folder that cannot be entered: its name is all there is
            resolved = path.absolute()
        if self.root is not None:
            with contextlib.suppress(ValueError):
                resolved = resolved.relative_to(self.root)
        return _printable(str(resolved))

    def _expand(self, paths: Iterable[Path], result: IngestResult) -> list[Path]:
        out: list[Path] = []
        for p in paths:
            out.extend(self._walk(p, result) if p.is_dir() else [p])
        return out

    def _walk(self, folder: Path, result: IngestResult) -> list[Path]:
        """The files under `folder`. A folder that cannot be listed is reported as unreadable
        (pathlib's rglob skips it without a word, and its files would be missed unseen) until
        it can be listed again. Symbolic links to folders are not followed, as rglob did not."""
        denied: list[OSError] = []
        files: list[Path] = []
        listed: list[str] = []
        for dirpath, _dirs, names in os.walk(folder, onerror=denied.append):
            listed.append(self._folder_display(Path(dirpath)))
            for name in names:
                child = Path(dirpath, name)
                try:
                    is_file = child.is_file()
                except OSError as exc:  # a folder that can be listed but not entered (chmod 644)
                    self._unreadable(self._display(child), exc, result)
                    continue
                if is_file and self._wanted(child):
                    files.append(child)
        for exc in denied:
            where = self._folder_display(Path(exc.filename or folder))
            self._unreadable(where, exc, result, what="cannot list this folder: ")
        self._forget_folders(listed)
        return sorted(files)

    def _folder_display(self, folder: Path) -> str:
        shown = self._display(folder)
        return (str(folder.absolute()) if shown == "." else shown).rstrip("/") + FOLDER_MARK

    def _forget_folders(self, shown: list[str]) -> None:
        """Folders listed unreadable before: listed now (or gone), they are no longer reported."""
        cur = self._cur()
        known = cur.execute(
            "SELECT count(*) FROM files WHERE status = 'unreadable' AND list_contains(?, path)",
            [shown],
        ).fetchone()
        if known and known[0]:
            with self.store.write_lock:
                cur.execute(
                    "DELETE FROM files WHERE status = 'unreadable' AND list_contains(?, path)",
                    [shown],
                )

    @staticmethod
    def _wanted(path: Path) -> bool:
        name = path.name
        return not any(fnmatch.fnmatch(name, pat) for pat in IGNORED_NAMES)

    def _days(self, ts_range: tuple[int, int] | None) -> set[date]:
        if ts_range is None:
            return set()
        lo, hi = (
            datetime.fromtimestamp(t / 1e6, UTC).astimezone(self.config.zone) for t in ts_range
        )
        days, day = set(), lo.date()
        while day <= hi.date() and len(days) < 400:
            days.add(day)
            day += timedelta(days=1)
        return days


# A file's status when it is found again, and what it then says.
_BACK = {"unreadable": "readable again", "missing": "found again"}
# Ends the shown path of a folder in the files table (only unreadable folders are there).
FOLDER_MARK = "/"


# A header row is kept for mapped CSVs (their column names); no real one is longer.
MAX_HEADER = 64 * 1024
# Detection wants whole lines: a head of less than two (a CDR whose first record carries a 5 KB
# userfield, an over-long first line) is read on, far enough to pass a first line of MAX_LINE.
DETECTION_BYTES = MAX_LINE + HEAD_BYTES + 2
SEEK_LINE_END_CHUNKS = (
    8  # how far (in CHUNK_BYTES) the end of an over-long first line is looked for
)


def _detection_head(path: Path, head: bytes) -> bytes:
    if len(head) < HEAD_BYTES or head.count(b"\n") >= 2:
        return head
    try:
        with path.open("rb") as f:
            data = f.read(DETECTION_BYTES)
            if b"\n" in data or len(data) < DETECTION_BYTES:
                return data
            # An over-long first line (rejected when read): its start stands in for it, and
            # what follows its end is what the format is told by.
            for _ in range(SEEK_LINE_END_CHUNKS):
                chunk = f.read(CHUNK_BYTES)
                end = chunk.find(b"\n")
                if end >= 0:
                    after = chunk[end + 1 :] + f.read(DETECTION_BYTES)
                    return data[:HEAD_BYTES] + b"\n" + after[:DETECTION_BYTES]
                if not chunk:
                    break
    except OSError:
        pass  # gone or unreadable since: what was read is all there is
    return head


def _printable(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 (Python keeps them as
    surrogates, which DuckDB refuses) are shown as escapes, `queue_log.\\xff`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _newest_first(path: Path) -> tuple[float, str]:
    try:
        return (-path.stat().st_mtime, str(path))
    except OSError:
        return (0.0, str(path))


def _head_matches(state: FileState, head: bytes) -> bool:
    return not state.head_hash or head_hash(head[: state.head_len]) == state.head_hash


def _tail_matches(path: Path, state: FileState) -> bool:
    """The bytes before the offset read to are still the ones read (a store from before tail
    hashes has none to compare: taken as matching)."""
    if not state.tail_hash or not state.offset:
        return True
    return tail_hash(path, state.offset) == state.tail_hash


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return exc.strerror or str(exc)


def _now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)
