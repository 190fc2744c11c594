"""Figures about the past are cached: recomputed when the key changes, after the TTL, or on clear."""

from __future__ import annotations

import time

from tui.past import PastCache


def test_comparison_cache_reuses_within_ttl_and_recomputes_on_change() -> None:
    calls: list[str] = []

    def compute(tag: str):
        def run() -> dict:
            calls.append(tag)
            return {"offered": len(calls)}

        return run

    cache = PastCache(ttl_s=0.2)
    assert cache.get("a", compute("a")) == {"offered": 1}
    assert cache.get("a", compute("a")) == {"offered": 1}  # reused
    assert cache.get("b", compute("b")) == {"offered": 2}  # another view or span
    time.sleep(0.25)
    assert cache.get("b", compute("b")) == {"offered": 3}  # stale: computed again
    assert calls == ["a", "b", "b"]


def test_clear_forces_a_fresh_computation() -> None:
    cache = PastCache(ttl_s=60)
    assert cache.get("a", lambda: {"offered": 1}) == {"offered": 1}
    cache.clear()
    assert cache.get("a", lambda: {"offered": 2}) == {"offered": 2}


def test_a_computation_overtaken_by_clear_is_not_kept() -> None:
    cache = PastCache(ttl_s=60)

    def stale() -> dict:
        cache.clear()  # new data arrives while this computation runs
        return {"offered": 0}

    assert cache.get("a", stale) == {"offered": 0}
    assert cache.get("a", lambda: {"offered": 5}) == {"offered": 5}


def test_the_cache_keeps_at_most_max_entries_least_recently_used_first() -> None:
    cache = PastCache(ttl_s=60, max_entries=2)
    cache.get("monday", lambda: 1)
    cache.get("tuesday", lambda: 2)
    assert cache.get("monday", lambda: -1) == 1  # used again: now the most recent
    cache.get("wednesday", lambda: 3)  # one too many: tuesday goes
    assert len(cache) == 2
    assert cache.get("tuesday", lambda: 22) == 22
    assert cache.get("wednesday", lambda: -3) == 3  # kept: monday went for tuesday's return
    assert cache.get("monday", lambda: 11) == 11


def test_queues_pane_keeps_the_comparison_intervals_until_past_data_arrives(
    folder, tui_store, tui_cfg
) -> None:
    from data.ingest import Ingestor
    from tests.tui.conftest import NOW, WEEK, append, ql
    from tui.panes.queues import QueuesPane
    from tui.view import View

    ingestor = Ingestor(tui_store, tui_cfg, folder)
    ingestor.scan([folder])
    past = PastCache(ttl_s=60)

    def comparison_offered() -> int:
        data = QueuesPane.fetch(tui_store.cursor(), tui_cfg, View(), NOW, past)
        return sum(r["offered"] for r in data.comparison)

    assert comparison_offered() == 1  # p1, a week earlier
    assert len(past) == 1
    # A late line for the comparison day: the cached figure stands until the cache is cleared
    # (the app clears it when a batch touches a past day).
    log = folder / "asterisk" / "queue_log"
    append(log, ql(-WEEK - 1800, "p2", "support", "NONE", "ENTERQUEUE", "", "5550010", 1))
    append(log, ql(-WEEK - 1790, "p2", "support", "NONE", "ABANDON", 1, 1, 10))
    ingestor.apply([log])
    assert comparison_offered() == 1
    past.clear()
    assert comparison_offered() == 2
    # Without a cache it is always computed afresh.
    data = QueuesPane.fetch(tui_store.cursor(), tui_cfg, View(), NOW)
    assert sum(r["offered"] for r in data.comparison) == 2
