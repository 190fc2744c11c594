"""The comparison totals are cached: recomputed when the view or span changes, or after the TTL."""

from __future__ import annotations

import time

from tui.refresh import ComparisonCache


def test_comparison_cache_reuses_within_ttl_and_recomputes_on_change() -> None:
    calls: list[str] = []

    def compute(tag: str):
        def run() -> dict:
            calls.append(tag)
            return {"offered": len(calls)}

        return run

    cache = ComparisonCache(ttl_s=0.2)
    assert cache.get("a", compute("a")) == {"offered": 1}
    assert cache.get("a", compute("a")) == {"offered": 1}  # reused
    assert cache.get("b", compute("b")) == {"offered": 2}  # another view or span
    time.sleep(0.25)
    assert cache.get("b", compute("b")) == {"offered": 3}  # stale: computed again
    assert calls == ["a", "b", "b"]


def test_clear_forces_a_fresh_computation() -> None:
    cache = ComparisonCache(ttl_s=60)
    assert cache.get("a", lambda: {"offered": 1}) == {"offered": 1}
    cache.clear()
    assert cache.get("a", lambda: {"offered": 2}) == {"offered": 2}


def test_a_computation_overtaken_by_clear_is_not_kept() -> None:
    cache = ComparisonCache(ttl_s=60)

    def stale() -> dict:
        cache.clear()  # new data arrives while this computation runs
        return {"offered": 0}

    assert cache.get("a", stale) == {"offered": 0}
    assert cache.get("a", lambda: {"offered": 5}) == {"offered": 5}
