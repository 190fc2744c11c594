"""Loads the watched folder: the initial scan and the watcher, each in a thread worker.

Neither thread touches a widget: they post IngestProgress / IngestDone, handled on the UI thread.
The watcher starts with the scan (so no change is missed) and holds its batches until the scan ends.
The workers belong to the app, so its one Worker.StateChanged handler reports their failures
(that message does not bubble).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from textual.widget import Widget

from data.config import Config
from data.ingest import Ingestor, IngestResult
from data.store import Store
from data.watch import watch_folder
from tui.messages import IngestDone, IngestProgress

PROGRESS_EVERY_S = 0.1
# A watcher batch that loaded this many rows (a big file dropped into the folder) is compressed at
# once: DuckDB's automatic checkpoints leave rows parsed in parallel loosely packed (data/vector.py).
COMPRESS_AFTER_ROWS = 100_000


class Feed(Widget):
    """Invisible. `start()` begins loading; unmounting stops the watcher."""

    DEFAULT_CSS = "Feed { display: none; }"

    def __init__(
        self,
        store: Store,
        config: Config,
        folder: Path | None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.ingestor = Ingestor(store, config, folder, clock=clock)
        self.stop = threading.Event()
        self.scanned = threading.Event()
        self._sums_failed = False

    def start(self) -> None:
        run = self.app.run_worker
        if self.folder is None:
            run(self._derive_only, thread=True, exit_on_error=False, group="ingest", name="derive")
            return
        run(self._scan, thread=True, exit_on_error=False, group="ingest", name="scan")
        run(self._watch, thread=True, exit_on_error=False, group="ingest", name="watch")

    def on_unmount(self) -> None:
        self.stop.set()

    def _scan(self) -> None:
        last = 0.0

        def progress(p: object) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                last = time.monotonic()
                self.post_message(IngestProgress(p))

        try:
            result = self.ingestor.scan([self.folder], progress)
            self.post_message(
                IngestDone(result, initial=True, newest=newest_change(self.folder, result))
            )
            # What the scan left uncompressed (data/store.py bulk_load), before the watcher's
            # first batch would do it inside its commit.
            self.ingestor.store.compress()
        finally:
            self.scanned.set()
        # Then the per-day sums of past days, a few at a time (new data goes in between).
        while not self.stop.is_set() and self._keep_day_sums():
            pass

    def _derive_only(self) -> None:
        """A store with no folder to watch: only contacts derived with another configuration are
        derived again (data/ingest.py bring_up_to_date)."""
        try:
            if self.ingestor.bring_up_to_date():
                self.post_message(IngestDone(IngestResult(), initial=True))
        finally:
            self.scanned.set()

    def _watch(self) -> None:
        pending: set[Path] = set()
        for batch in watch_folder(self.folder, self.stop):
            pending |= batch
            if self.stop.is_set():
                return
            if not self.scanned.is_set():
                continue
            paths, pending = pending, set()
            result = self.ingestor.apply(paths)
            self.post_message(IngestDone(result, initial=False))
            if result.loaded >= COMPRESS_AFTER_ROWS:
                self.ingestor.store.compress()
            # A day that just closed, or one a late file changed, is kept again.
            self._keep_day_sums()

    def _keep_day_sums(self) -> int:
        """Keep more per-day sums; days built. They only speed long periods up: a failure is
        told once and the figures are added up from the contacts (the watcher carries on)."""
        try:
            return self.ingestor.keep_day_sums()
        except duckdb.Error as exc:
            if not self._sums_failed:
                self._sums_failed = True
                self.app.call_from_thread(
                    self.app.notify,
                    f"Per-day sums not kept ({exc}); long periods are added up from contacts",
                    severity="warning",
                    markup=False,
                )
            return 0


def newest_change(folder: Path, result: IngestResult) -> datetime | None:
    """When the newest file a scan read last changed: a console restarted on a feed that stopped
    hours ago must not say "updated 0 s ago"."""
    newest = None
    for report in result.files:
        try:
            mtime = (folder / report.path).stat().st_mtime  # paths are the folder's
        except OSError:
            continue
        newest = mtime if newest is None else max(newest, mtime)
    return None if newest is None else datetime.fromtimestamp(newest, UTC)
