"""The thread the console's refreshes run on, one at a time, handed each refresh by the key itself.

A Textual thread worker starts on a later turn of the event loop: after a pane key, the screen's
layout of the new pane (30–60 ms of the UI thread at 160×48) often ran first, and the pane's
queries only began after it. Handed straight to a waiting thread, they begin while the pane is
laid out. No widgets here: a job posts its results as messages.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]
Failed = Callable[[BaseException], None]


class Refresher:
    """Runs jobs in order on one daemon thread; `failed` is called (on that thread) with the
    exception of a job that raised, whatever it was: a refresh that ends unreported would leave the
    console waiting for it for good."""

    def __init__(self, failed: Failed) -> None:
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._failed = failed
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="floorwatch-refresh", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def stop(self, timeout: float) -> bool:
        """Let the job running end (up to `timeout` s) and run no other: True when the thread has
        ended."""
        self._stopping = True  # jobs still queued are skipped
        self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._stopping:
                continue
            try:
                job()
            except BaseException as e:  # reported by the UI; the thread serves the next refresh
                # If even the report fails (the app is going), there is no one left to tell.
                with contextlib.suppress(BaseException):
                    self._failed(e)
