"""Formatting numbers and data as Rich Text (data is text, never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from data import units
from data.text import visible

DASH = "–"


def text(value: Any, style: str = "") -> Text:
    """Any value as literal text: `[bold]x` stays `[bold]x`, ESC shows as ␛ (data/text.py)."""
    return Text(DASH if value is None else visible(str(value)), style=style)


def count(value: float | None) -> str:
    return DASH if value is None else f"{round(value):,}"


def counted(n: int, noun: str) -> str:
    """'1 file', '2 files', '1,204 rows'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def dur(seconds: float | None) -> str:
    """12s, 3m05s, 2h14m, 3d04h."""
    return units.duration(seconds, none=DASH)


def num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def day_time(value: Any) -> str:
    """A moment within the last few weeks, as already in the site zone: Thu 27 14:05 (the day of
    the month too, so a week-old moment does not read as this week's)."""
    return value.strftime("%a %d %H:%M") if isinstance(value, datetime) else DASH


def clock(ts: datetime | None, zone: Any) -> str:
    return DASH if ts is None else ts.astimezone(zone).strftime("%H:%M")


def numeric(value: Any) -> Text:
    return Text(value if isinstance(value, str) else str(value), justify="right")


def fit(variants: Sequence[str], width: int) -> str:
    """The first of `variants` (longest first) that fits `width` cells; else the last, cut with '…'.
    A width of 0 or less (not laid out yet) takes the first."""
    if not variants:
        return ""
    for variant in variants:
        if width <= 0 or cell_len(variant) <= width:
            return variant
    cut = Text(variants[-1])
    cut.truncate(width, overflow="ellipsis")
    return cut.plain
