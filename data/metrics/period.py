"""Periods and their comparison, cut on the site's wall clock (METRICS.md "Time").

A period is `[start, end)` with aware datetimes in the site zone. Named periods always span whole local
days: "today" ends at tomorrow's midnight, "7d" is the last 7 calendar days including today (start =
local midnight 6 days ago, end = tomorrow's midnight), "30d" likewise 30 days, "week" is this week from
Monday's midnight to next Monday's. Arithmetic is done on local dates, so a DST day keeps its 23 or 25
hours and a comparison "7 days earlier" lands on the same wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from data.config import Config

PERIODS = ("today", "yesterday", "week", "7d", "30d")
_LABELS = {
    "today": "today",
    "yesterday": "yesterday",
    "week": "this week",
    "7d": "last 7 days",
    "30d": "last 30 days",
}


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, site zone, inclusive
    end: datetime  # aware, site zone, exclusive
    label: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def local(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as a normalised aware datetime (gaps move forward, folds pick the first)."""
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return local(datetime.combine(day, time()), zone)


def resolve_period(name: str, cfg: Config, now: datetime) -> Period:
    """One of PERIODS at `now` (aware). Raises ValueError for an unknown name."""
    zone = cfg.zone
    today = now.astimezone(zone).date()
    tomorrow = midnight(today + timedelta(days=1), zone)
    if name == "today":
        return Period(midnight(today, zone), tomorrow, _LABELS[name])
    if name == "yesterday":
        return Period(midnight(today - timedelta(days=1), zone), midnight(today, zone), "yesterday")
    if name == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(
            midnight(monday, zone), midnight(monday + timedelta(days=7), zone), "this week"
        )
    if name in ("7d", "30d"):
        days = 7 if name == "7d" else 30
        return Period(midnight(today - timedelta(days=days - 1), zone), tomorrow, _LABELS[name])
    raise ValueError(f"unknown period {name!r} (use one of {', '.join(PERIODS)})")


def parse_time(text: str, cfg: Config) -> datetime:
    """ISO 8601 date or date-time, with or without offset (without: the site zone)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r}") from None
    if value.tzinfo is None:
        return local(value, cfg.zone)
    return value.astimezone(cfg.zone)


def custom_period(start: str, end: str, cfg: Config) -> Period:
    """`--from start --to end`; end exclusive (a date means its midnight). Raises ValueError."""
    s, e = parse_time(start, cfg), parse_time(end, cfg)
    if e <= s:
        raise ValueError(f"--to ({end}) must be after --from ({start})")
    return Period(s, e, _custom_label(_as_used(start, s), _as_used(end, e)))


def _as_used(text: str, value: datetime) -> str:
    """A time as given, unless the wall clock skipped it (a DST gap): then the time used, and why."""
    try:
        given = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if given.tzinfo is not None or len(text.strip()) <= 10:  # an offset, or a date alone
        return text
    if value.replace(tzinfo=None) == given:
        return text
    return f"{value:%Y-%m-%dT%H:%M} ({given:%H:%M} does not exist that day: the clock went forward)"


def _custom_label(start: str, end: str) -> str:
    """Whole days read as people write them, last day included: `--from 2026-12-03 --to
    2026-12-04` is "2026-12-03", one day; times stay as given (the end exclusive)."""
    try:
        first, after = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return f"{start} – {end}"
    last = after - timedelta(days=1)
    return first.isoformat() if last == first else f"{first.isoformat()} – {last.isoformat()}"


def comparison_period(p: Period, cfg: Config, now: datetime | None = None) -> Period:
    """The same wall-clock span `cfg.comparison_days` earlier.

    With `now` inside the period (today, this week), only the part that has elapsed is compared:
    today until 14:30 against last week's same day until 14:30, not against its whole day.
    """
    shift = timedelta(days=cfg.comparison_days)
    zone = cfg.zone

    def back(t: datetime) -> datetime:
        return local(t.astimezone(zone).replace(tzinfo=None) - shift, zone)

    label = f"{p.label}, {cfg.comparison_days} days earlier"
    if now is not None and p.start <= now < p.end:
        return Period(back(p.start), back(now), f"{label}, to the same time")
    return Period(back(p.start), back(p.end), label)


def default_interval(p: Period) -> str:
    """Interval size for a period: hours up to two days, else days."""
    return "hour" if p.days <= 2 else "day"


def interval_starts(p: Period, size: str, zone: ZoneInfo) -> list[datetime]:
    """Every interval start of the period, on the wall clock (a DST day has 23 or 25 hours).

    The first interval is the one holding `p.start` (floored to the interval on the local clock).
    """
    start = p.start.astimezone(zone)
    if size == "day":
        out, day = [], start.date()
        while (t := midnight(day, zone)) < p.end:
            out.append(t)
            day += timedelta(days=1)
        return out
    minutes = 15 if size == "15min" else 60
    floor = start.replace(minute=start.minute - start.minute % minutes, second=0, microsecond=0)
    out, t, step = [], floor.astimezone(UTC), timedelta(minutes=minutes)
    while t < p.end:
        out.append(t.astimezone(zone))
        t += step
    return out
