"""Timestamp parsing shared by the readers: text in, epoch microseconds (UTC) out.

Exports write times in a handful of shapes; each parser here takes one family and raises
ValueError (with the offending text) on anything else, so a reader turns that into a reject.
Naive times are wall-clock times in the zone the caller gives (the source rule's zone, else the
site's). On a DST fall-back the repeated hour is read as its first occurrence (fold=0): exports
carry nothing that says which one was meant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from data.formats.base import to_us

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def local_us(dt: datetime, zone: tzinfo) -> int:
    """Epoch microseconds of `dt`: aware as is, naive read as wall time in `zone`."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return to_us(dt)


def parse_naive(text: str, zone: tzinfo) -> int:
    """`YYYY-MM-DD HH:MM:SS[.ffffff]` (CDR style, no offset) as wall time in `zone`."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad timestamp {text!r}") from None
    return local_us(dt, zone)


def parse_iso(text: str, zone: tzinfo) -> int:
    """ISO 8601 with or without an offset; also `Z` and a space before the offset.

    Zendesk-style exports write `2016-04-28T11:19:34 -10:00`, which `fromisoformat` refuses, so
    the space is dropped before a second try.
    """
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = _iso_retry(text)
    return local_us(dt, zone)


def _iso_retry(text: str) -> datetime:
    t = text.strip()
    if t.endswith((" Z", " z")):
        t = t[:-2] + "Z"
    elif len(t) > 7 and t[-7] == " " and t[-6] in "+-":
        t = t[:-7] + t[-6:]
    elif len(t) > 6 and t[-6] == " " and t[-5] in "+-" and t[-4:].isdigit():
        t = t[:-6] + t[-5:]
    try:
        return datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"bad timestamp {text!r}") from None


def parse_slash(text: str, zone: tzinfo) -> int:
    """`YYYY/M/D H:MM[:SS]`: what Excel writes back when it re-saves a CSV (seconds dropped)."""
    try:
        date, _, clock = text.strip().partition(" ")
        y, mo, d = (int(p) for p in date.split("/"))
        parts = [int(p) for p in clock.split(":")] if clock else [0, 0]
        if len(parts) == 2:
            parts.append(0)
        h, mi, s = parts
        dt = datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise ValueError(f"bad timestamp {text!r}") from None
    return local_us(dt, zone)


def parse_local(text: str, zone: tzinfo) -> int:
    """A CDR time: ISO-like first (the common case), then Excel's slash form."""
    if "/" in text:
        return parse_slash(text, zone)
    return parse_naive(text, zone)


def parse_twitter(text: str) -> int:
    """`Tue Oct 31 22:10:47 +0000 2017` (Twitter API v1 `created_at`), without locale lookups."""
    try:
        _wd, mon, day, clock, off, year = text.split()
        h, mi, s = (int(p) for p in clock.split(":"))
        sign = -1 if off[0] == "-" else 1
        if off[0] not in "+-" or len(off) != 5:
            raise ValueError
        offset = timedelta(hours=int(off[1:3]), minutes=int(off[3:5])) * sign
        tz = UTC if not offset else timezone(offset)
        dt = datetime(int(year), _MONTHS[mon], int(day), h, mi, s, tzinfo=tz)
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"bad timestamp {text!r}") from None
    return to_us(dt)


@lru_cache(maxsize=65536)
def _strptime(text: str, fmt: str) -> datetime:
    # Exports repeat the same timestamps (a date column, a time-of-day column): strptime is the
    # slowest step of a mapped CSV, so identical texts are parsed once.
    return datetime.strptime(text, fmt)


def parse_format(text: str, fmt: str, zone: tzinfo) -> int:
    """`text` by a strptime format (a mapping's `timestamp_formats`); naive results in `zone`."""
    try:
        dt = _strptime(text.strip(), fmt)
    except ValueError:
        raise ValueError(f"bad timestamp {text!r} (expected format {fmt!r})") from None
    return local_us(dt, zone)


def parse_any(text: str, zone: tzinfo) -> int:
    """Best effort when no format is configured: ISO 8601, Excel's slash form, Twitter's."""
    t = text.strip()
    if t[:4].isdigit():
        return parse_slash(t, zone) if "/" in t[:8] else parse_iso(t, zone)
    if t[:3].isalpha():
        return parse_twitter(t)
    raise ValueError(f"bad timestamp {text!r}")


# Zones whose wall time is UTC at every instant (the vectorised readers turn naive times into UTC
# in SQL only where that is a subtraction of a fixed offset).
_UTC_KEYS = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
    | {"GMT", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "GMT+0", "GMT-0", "GMT0"}
    | {"Etc/Greenwich", "Greenwich"}
)
_US = timedelta(microseconds=1)


def fixed_offset_us(zone: tzinfo) -> int | None:
    """The zone's UTC offset in µs when it never changes (UTC, a fixed offset), else None."""
    if isinstance(zone, timezone):
        return zone.utcoffset(None) // _US
    if isinstance(zone, ZoneInfo) and zone.key in _UTC_KEYS:
        return 0
    return None
