"""Keep the cyclic garbage collector's full passes off the key → pane path.

A full (oldest-generation) collection walks every tracked object: the console's widgets, styles,
modules and render caches, ~130k objects, 90–180 ms of the UI thread at 10M contacts. It comes
whenever enough objects have survived since the last one, so it fell, at random, inside pane
switches (Overdue 33–223 ms, Data up to 260 ms). What exists once the first screen is up lives as
long as the console does: frozen, the collector no longer walks it; objects made later are
collected as before (reference counting frees nearly all of them anyway).
"""

from __future__ import annotations

import atexit
import gc

_frozen = False


def freeze_startup() -> None:
    """Collect once, then freeze what is left. Only the first call does anything: freezing again
    later could keep garbage of a screen that was since closed (frozen objects are never
    collected)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
    # Thawed at exit so that shutdown collects them: left frozen, DuckDB's bindings (nanobind)
    # report their objects as leaked on stderr when the interpreter ends.
    atexit.register(gc.unfreeze)
