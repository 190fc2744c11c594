"""Keep the cyclic garbage collector's full passes off the key → pane path.

A full (oldest-generation) collection walks every tracked object: the console's widgets, styles,
modules and render caches, ~130k objects, 90–180 ms of the UI thread at 10M contacts. It comes
whenever enough objects have survived since the last one, so it fell, at random, inside pane
switches (Overdue 33–223 ms, Data up to 260 ms). What exists once the first screen is up lives as
long as the console does: frozen, the collector no longer walks it; objects made later are
collected as before (reference counting frees nearly all of them anyway).

What is not freed by reference counting is mostly Textual's rendered lines: a `Strip` that is
already the right length or needs no division keeps itself in its own caches (seven `FIFOCache`s
each), so every line drawn and then dropped is a cycle, 2–3k objects per pane switch. Left to the
automatic full pass, 120–170k of them piled up and were walked at once: 80–300 ms, at random
inside a switch. `IdleCollector` runs the full pass when the team lead is reading, not typing, and
no refresh is in flight, every few seconds: each finds a few thousand objects (5–30 ms), and the
automatic pass, which still runs as a backstop, seldom comes.
"""

from __future__ import annotations

import atexit
import gc
import time
from collections.abc import Callable

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


IDLE_S = 0.5  # no key or mouse input for this long: the team lead is reading the screen
EVERY_S = 5.0  # an idle full pass at most this often


class IdleCollector:
    """Full collections at quiet moments. `input()` on every key or mouse event; `tick(busy)`
    from a timer, with `busy` true while a refresh is in flight."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = self.last_pass = clock()
        self.passes = 0

    def input(self) -> None:
        self.last_input = self.clock()

    def tick(self, busy: bool) -> bool:
        """Collect if it is quiet and there may be old garbage; whether it did."""
        now = self.clock()
        if busy or not _frozen or now - self.last_input < IDLE_S or now - self.last_pass < EVERY_S:
            return False
        self.last_pass = now
        if gc.get_count()[2] == 0:
            return False  # nothing has reached the oldest generation since the last full pass
        gc.collect()
        self.passes += 1
        return True
