"""Watching a folder for new data: batches of changed paths for ingest.

watchfiles reports a rotation as an unordered set of added/deleted/modified paths, so batches carry
paths only and ingest decides what happened from each file's identity (inode and first bytes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from watchfiles import watch

from data.ingest import Ingestor


def watch_folder(
    folder: Path, stop: threading.Event, debounce_ms: int = 200
) -> Iterator[set[Path]]:
    """Blocking: yields sets of changed paths until `stop` is set (checked at least every 0.5 s)."""
    for changes in watch(
        folder,
        stop_event=stop,
        debounce=debounce_ms,
        step=50,
        recursive=True,
        rust_timeout=500,
        yield_on_timeout=False,
        raise_interrupt=False,
        ignore_permission_denied=True,
    ):
        if stop.is_set():
            return
        paths = {Path(p) for _, p in changes if Ingestor._wanted(Path(p))}
        if paths:
            yield paths
