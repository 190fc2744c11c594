"""The session time zone of the DuckDB cursors floorwatch made, so that no query asks for it.

Asking costs an execute, and an execute releases and takes back the GIL several times: while the
console's UI thread lays out a pane, each take waits up to the interpreter's switch interval, ~15
ms an execute. A cursor is registered by whoever made it and set its zone; the entry goes with the
cursor (a weak reference), so no later cursor inherits it.
"""

from __future__ import annotations

import weakref
from typing import Any

_zones: dict[int, tuple[weakref.ref, str]] = {}


def remember(cur: Any, zone: str) -> None:
    """`cur`'s session TimeZone is `zone` (its maker just set it, and nobody sets it again)."""
    key = id(cur)
    _zones[key] = (weakref.ref(cur, lambda _: _zones.pop(key, None)), zone)


def forget(cur: Any) -> None:
    _zones.pop(id(cur), None)


def known(cur: Any) -> str | None:
    """The zone remembered for `cur`, or None."""
    entry = _zones.get(id(cur))
    if entry is not None and entry[0]() is cur:
        return entry[1]
    return None
