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

# Full passes at most once per this many middle-generation passes (Python's default: 10). After the
# freeze the oldest generation holds only what the console made since (render caches, ~70k
# objects), so a full pass came every few seconds at 50-110 ms; garbage that lives long enough to
# reach it (Textual's strips hold caches that refer back to them) waits longer: +7 MB at peak.
FULL_EVERY = 100

_frozen = False


def freeze_startup() -> None:
    """Collect once, freeze what is left, make full passes rarer. Only the first call does
    anything: freezing again later could keep the garbage of a screen since closed (frozen
    objects are never collected)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
    # Thawed at exit so that shutdown collects them: left frozen, DuckDB's bindings (nanobind)
    # report their objects as leaked on stderr when the interpreter ends.
    atexit.register(gc.unfreeze)
