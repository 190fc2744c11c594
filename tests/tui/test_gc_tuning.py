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
