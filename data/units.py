"""How durations read, in the report and on screen alike: 12s, 3m05s, 2h14m, 3d04h."""

from __future__ import annotations


def duration(seconds: float | None, *, sep: str = "", none: str = "–") -> str:
    """`seconds` in the two largest units, e.g. '3m05s' (sep=' ': '3m 05s'); `none` for None."""
    if seconds is None:
        return none
    s = round(seconds)
    sign = "-" if s < 0 else ""
    s = abs(s)
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m{sep}{s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h{sep}{s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d{sep}{s % 86400 // 3600:02d}h"
