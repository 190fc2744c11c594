"""The startup freeze happens once: later objects stay collectable."""

from __future__ import annotations

import gc

from tui import gc_tuning


def test_freezes_once_then_leaves_later_objects_to_the_collector() -> None:
    gc_tuning.freeze_startup()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    assert gc.get_threshold()[2] == gc_tuning.FULL_EVERY
    later = [[i] for i in range(1000)]  # tracked containers made after the freeze
    gc_tuning.freeze_startup()
    assert gc.get_freeze_count() == frozen
    assert later


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def quiet_collector(monkeypatch, old_garbage: int = 1):
    """An IdleCollector on a fake clock, after the startup freeze, counting its full passes."""
    passes: list[int] = []
    monkeypatch.setattr(gc_tuning, "_frozen", True)
    monkeypatch.setattr(gc_tuning.gc, "collect", lambda *a: passes.append(1) or 0)
    monkeypatch.setattr(gc_tuning.gc, "get_count", lambda: (0, 0, old_garbage))
    clock = FakeClock()
    return gc_tuning.IdleCollector(clock), clock, passes


def test_idle_collector_collects_only_when_quiet(monkeypatch) -> None:
    collector, clock, passes = quiet_collector(monkeypatch)
    clock.t += gc_tuning.EVERY_S
    collector.input()
    clock.t += gc_tuning.IDLE_S / 2
    assert not collector.tick(busy=False)  # a key was just pressed: the user is typing
    clock.t += gc_tuning.IDLE_S
    assert not collector.tick(busy=True)  # a refresh is in flight
    assert collector.tick(busy=False)
    assert passes == [1] and collector.passes == 1
    clock.t += gc_tuning.EVERY_S / 2
    assert not collector.tick(busy=False)  # one pass per EVERY_S at most
    clock.t += gc_tuning.EVERY_S
    assert collector.tick(busy=False)
    assert passes == [1, 1]


def test_idle_collector_skips_when_nothing_reached_the_oldest_generation(monkeypatch) -> None:
    collector, clock, passes = quiet_collector(monkeypatch, old_garbage=0)
    clock.t += gc_tuning.EVERY_S + gc_tuning.IDLE_S
    assert not collector.tick(busy=False)
    assert passes == []


def test_idle_collector_waits_for_the_startup_freeze(monkeypatch) -> None:
    collector, clock, passes = quiet_collector(monkeypatch)
    monkeypatch.setattr(gc_tuning, "_frozen", False)
    clock.t += gc_tuning.EVERY_S + gc_tuning.IDLE_S
    assert not collector.tick(busy=False)
    assert passes == []
