"""Independent queries of one figure, run at the same time, each on its own cursor.

A figure on today's slice is a handful of small queries; each spends much of its time in DuckDB's
single-threaded planning, so running them side by side (DuckDB releases the GIL while it works)
shortens a refresh. A cursor serves one thread at a time: every call but the first gets a new
cursor of the same database, closed when it is done.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any


def together(cur: Any, *calls: Callable[[Any], Any]) -> list[Any]:
    """[call(cursor) for each call], the first on `cur` in this thread, the others in threads of
    their own (not a pool: a call may itself use `together`). The first exception is raised once
    every call has ended."""
    if len(calls) <= 1 or not hasattr(cur, "cursor"):
        return [call(cur) for call in calls]
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def one(i: int, c: Any) -> None:
        try:
            results[i] = calls[i](c)
        except BaseException as e:  # re-raised in the caller's thread
            errors[i] = e

    subs = []
    threads = []
    zone = _zone(cur)
    try:
        for i in range(1, len(calls)):
            sub = _cursor_like(cur, zone)
            subs.append(sub)
            t = threading.Thread(target=one, args=(i, sub), name="floorwatch-query", daemon=True)
            threads.append(t)
            t.start()
        one(0, cur)
    finally:
        for t in threads:
            t.join()
        for sub in subs:
            sub.close()
    for e in errors:
        if e is not None:
            raise e
    return results


def _zone(cur: Any) -> str:
    return cur.execute("SELECT current_setting('TimeZone')").fetchall()[0][0]


def _cursor_like(cur: Any, zone: str) -> Any:
    """A new cursor of `cur`'s database, in time zone `zone` (its caller's: session settings are
    per cursor)."""
    sub = cur.cursor()
    # SET takes no parameter; the value is DuckDB's own setting, quoted all the same.
    sub.execute("SET TimeZone = '{}'".format(zone.replace("'", "''")))
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
        sub.close()
