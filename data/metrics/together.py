"""Independent queries of one figure, run at the same time, each on its own cursor.

A figure on today's slice is a handful of small queries; each spends much of its time in DuckDB's
single-threaded planning, so running them side by side (DuckDB releases the GIL while it works)
shortens a refresh. A cursor serves one thread at a time: every call but the first gets a new
cursor of the same database, closed when it is done.

The helper threads are kept between calls. The console's UI thread holds the GIL for tens of
milliseconds while it lays out a pane, and each handover to a waiting thread takes up to the
interpreter's switch interval (5 ms): starting a thread and setting up its cursor before the query
had cost a pane switch ~30 ms of waiting before its first query began. Now the first call starts
at once in the caller's thread, and each helper sets up its own cursor.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from data import cursor_zones

# Helper threads kept at most: more than any figure runs at once (a pane's fetch nests two levels
# of a handful). Past it a call runs in its caller's thread, after the caller's own.
MAX_HELPERS = 32


class _Helper:
    """A daemon thread running one job at a time, idle between jobs. A job puts its helper back
    among the idle ones itself, before it says it has ended (so that the caller's next call finds
    it idle)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="floorwatch-query", daemon=True).start()

    def run(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            # A job reports its own errors (together()); whatever escapes must not end the thread.
            with contextlib.suppress(BaseException):
                job()


_lock = threading.Lock()
_idle: list[_Helper] = []
_helpers = 0


def _take() -> _Helper | None:
    """An idle helper, a new one, or None when MAX_HELPERS are busy."""
    global _helpers
    with _lock:
        if _idle:
            return _idle.pop()
        if _helpers >= MAX_HELPERS:
            return None
        _helpers += 1
    try:
        return _Helper()
    except BaseException:  # no thread could be started: the count goes back
        with _lock:
            _helpers -= 1
        raise


def _release(helper: _Helper) -> None:
    with _lock:
        _idle.append(helper)


def together(cur: Any, *calls: Callable[[Any], Any]) -> list[Any]:
    """[call(cursor) for each call], the first on `cur` in this thread, the others on helper
    threads (a call may itself use `together`). The first exception is raised once every call has
    ended."""
    if len(calls) <= 1 or not hasattr(cur, "cursor"):
        return [call(cur) for call in calls]
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)
    zone = _zone(cur)

    def one(i: int, sub: Any) -> None:
        try:
            if sub is not cur:
                _set_zone(sub, zone)
            results[i] = calls[i](sub)
        except BaseException as e:  # re-raised in the caller's thread
            errors[i] = e
        finally:
            if sub is not cur:
                cursor_zones.forget(sub)
                sub.close()

    done: list[threading.Event] = []
    inline: list[tuple[int, Any]] = []
    try:
        for i in range(1, len(calls)):
            sub = cur.cursor()
            try:
                helper = _take()
            except BaseException:
                sub.close()
                raise
            if helper is None:
                inline.append((i, sub))
                continue
            ended = threading.Event()

            def job(
                i: int = i, sub: Any = sub, ended: threading.Event = ended, helper: _Helper = helper
            ) -> None:
                try:
                    one(i, sub)
                finally:
                    _release(helper)
                    ended.set()

            helper.run(job)
            done.append(ended)
        one(0, cur)
        while inline:
            one(*inline.pop(0))
    finally:
        for _, sub in inline:  # left by an exception of the caller's own: not run
            sub.close()
        for ended in done:
            ended.wait()
    for e in errors:
        if e is not None:
            raise e
    return results


def _zone(cur: Any) -> str:
    known = cursor_zones.known(cur)
    if known is not None:
        return known
    return cur.execute("SELECT current_setting('TimeZone')").fetchall()[0][0]


def _set_zone(cur: Any, zone: str) -> None:
    # SET takes no parameter; the value is DuckDB's own setting, quoted all the same.
    cur.execute("SET TimeZone = '{}'".format(zone.replace("'", "''")))
    cursor_zones.remember(cur, zone)


def _cursor_like(cur: Any, zone: str) -> Any:
    """A new cursor of `cur`'s database, in time zone `zone` (its caller's: session settings are
    per cursor)."""
    sub = cur.cursor()
    _set_zone(sub, zone)
    return sub


@contextlib.contextmanager
def snapshot(cur: Any) -> Iterator[Any]:
    """A new cursor in a read transaction: the statements run on it see one state of the store."""
    if not hasattr(cur, "cursor"):  # not a DuckDB cursor (a test's stand-in): as it is
        yield cur
        return
    sub = _cursor_like(cur, _zone(cur))
    try:
        sub.execute("BEGIN TRANSACTION")
        yield sub
        sub.execute("COMMIT")
    finally:
        cursor_zones.forget(sub)
        sub.close()
