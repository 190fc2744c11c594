"""Figures about the past, kept for a while: they change only when late data arrives."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class PastCache:
    """Results of queries over spans that lie in the past (a comparison period), by key, each kept
    up to `ttl_s` and at most `max_entries` of them (least recently used go first, so a console open
    for days does not grow: keys carry dates).

    A week-ago figure changes only when late files arrive, or for a running period as its end
    follows the clock. Recomputing it on every 2-second refresh doubled a refresh's cost at 10M
    contacts; once a minute is fresh enough, and `clear()` drops everything when past days get data.
    """

    def __init__(self, ttl_s: float = 60.0, max_entries: int = 32) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._generation = 0  # bumped by clear(): a computation begun before it is not kept
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Data for past days arrived (the initial load, a late file): compute afresh."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
                self._entries.move_to_end(key)
                return hit[1]
            generation = self._generation
        value = compute()
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (time.monotonic(), value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value
