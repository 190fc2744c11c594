"""Thresholds and alerts: which KPIs are past a warning or critical level, and when they crossed.

Pure Python, no Textual: the console (`tui/screens/alerts.py`) and `floorwatch report --alerts` both
use it. A threshold without queue/channel applies to the floor's totals; with one, to that queue's
or channel's row of the breakdown. Levels are marked with a sign, never colour alone:
`!` warning, `‼` critical.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from data.config import Config, Threshold

OK, WARNING, CRITICAL = "ok", "warning", "critical"
RANK = {OK: 0, WARNING: 1, CRITICAL: 2}
MARK = {OK: "", WARNING: "!", CRITICAL: "‼"}
LABELS = {
    "service_level": "Service level",
    "abandon_rate": "Abandon rate",
    "longest_wait_s": "Longest wait",
    "waiting_now": "Waiting now",
    "overdue": "Overdue",
    "asa_s": "ASA",
    "aht_s": "AHT",
    "frt_s": "First response",
    "csat": "CSAT",
    "fcr": "FCR",
}


def label(kpi: str) -> str:
    return LABELS.get(kpi, kpi.removesuffix("_s").replace("_", " ").capitalize())


def show_value(kpi: str, value: float | None) -> str:
    """A KPI value as text: rates as %, times as 1m05s, counts as integers."""
    if value is None:
        return "–"
    if kpi in Threshold.RATES:
        return f"{value * 100:.1f}%"
    if kpi.endswith("_s"):
        s = round(value)
        if s < 60:
            return f"{s}s"
        if s < 3600:
            return f"{s // 60}m{s % 60:02d}s"
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def level_of(th: Threshold, value: float | None) -> tuple[str, float | None]:
    """(level, the limit that was passed). No data is never past a level."""
    if value is None:
        return OK, None

    def past(limit: float | None) -> bool:
        if limit is None:
            return False
        return value > limit if th.direction == "above" else value < limit

    if past(th.critical):
        return CRITICAL, th.critical
    if past(th.warning):
        return WARNING, th.warning
    return OK, None


@dataclass(frozen=True)
class Reading:
    """One threshold evaluated: a KPI of a scope ('' the floor, 'queue X', 'channel Y')."""

    kpi: str
    scope: str
    level: str
    value: float | None
    limit: float | None
    direction: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kpi, self.scope)

    @property
    def mark(self) -> str:
        return MARK[self.level]

    def describe(self) -> str:
        """'‼ Service level 65.0% (queue support): below the critical level 70.0%'."""
        where = f" ({self.scope})" if self.scope else ""
        what = f"{label(self.kpi)} {show_value(self.kpi, self.value)}{where}"
        if self.level == OK:
            return f"{what}: back within its levels"
        return f"{self.mark} {what}: {self.direction} the {self.level} level " + show_value(
            self.kpi, self.limit
        )


def _reading(th: Threshold, scope: str, value: float | None) -> Reading:
    lvl, limit = level_of(th, value)
    return Reading(th.kpi, scope, lvl, value, limit, th.direction)


def _row_for(rows: Iterable[Mapping[str, Any]], key: str, wanted: str) -> Mapping[str, Any]:
    for row in rows:
        if wanted in (row.get(key), row.get("name")):
            return row
    return {}


def evaluate(
    thresholds: Sequence[Threshold],
    totals: Mapping[str, Any],
    queues: Iterable[Mapping[str, Any]] = (),
    channels: Iterable[Mapping[str, Any]] = (),
) -> tuple[Reading, ...]:
    """Every threshold against the floor's totals or its queue's / channel's row."""
    queues, channels = list(queues), list(channels)
    out = []
    for th in thresholds:
        if th.queue is not None:
            row, scope = _row_for(queues, "queue", th.queue), f"queue {th.queue}"
        elif th.channel is not None:
            row, scope = _row_for(channels, "channel", th.channel), f"channel {th.channel}"
        else:
            row, scope = totals, ""
        out.append(_reading(th, scope, row.get(th.kpi)))
    return tuple(out)


def view_levels(
    thresholds: Sequence[Threshold],
    totals: Mapping[str, Any],
    queue: str | None = None,
    channel: str | None = None,
) -> dict[str, Reading]:
    """Per KPI, the reading that applies to totals shown for a filter: the queue's or channel's own
    threshold when the view is filtered to it, else the floor's."""

    def specificity(th: Threshold) -> int | None:
        if th.queue is None and th.channel is None:
            return 0
        if (th.queue is not None and th.queue == queue) or (
            th.channel is not None and th.channel == channel
        ):
            return 1
        return None

    best: dict[str, tuple[int, Threshold]] = {}
    for th in thresholds:
        rank = specificity(th)
        if rank is not None and (th.kpi not in best or rank > best[th.kpi][0]):
            best[th.kpi] = (rank, th)
    return {kpi: _reading(th, "", totals.get(kpi)) for kpi, (_, th) in best.items()}


def needs_breakdown(thresholds: Sequence[Threshold]) -> tuple[bool, bool]:
    """(some threshold is per queue, some is per channel)."""
    return (
        any(t.queue is not None for t in thresholds),
        any(t.channel is not None for t in thresholds),
    )


# ---- crossings over time -------------------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    """A reading whose level changed. `notify`: worse than before and past its cool-down."""

    at: datetime
    before: str
    reading: Reading
    notify: bool

    @property
    def worse(self) -> bool:
        return RANK[self.reading.level] > RANK[self.before]

    @property
    def into_critical(self) -> bool:
        return self.worse and self.reading.level == CRITICAL

    def text(self) -> str:
        return self.reading.describe()


class AlertBook:
    """Remembers each KPI's level, logs every crossing (the newest `keep`), and decides which
    crossings to announce: a worse level is announced at most once per `cooldown_s` per KPI and
    level, so a KPI hovering at a line does not spam."""

    def __init__(self, cooldown_s: float, keep: int = 1000) -> None:
        self.cooldown_s = cooldown_s
        self.levels: dict[tuple[str, str], Reading] = {}
        self.log: deque[Crossing] = deque(maxlen=keep)
        self._announced: dict[tuple[str, str, str], datetime] = {}

    def update(self, readings: Iterable[Reading], now: datetime) -> list[Crossing]:
        crossings = []
        for reading in readings:
            before = self.levels.get(reading.key)
            self.levels[reading.key] = reading
            previous = before.level if before else OK
            if previous == reading.level:
                continue
            crossing = Crossing(now, previous, reading, self._announce(reading, previous, now))
            self.log.append(crossing)
            crossings.append(crossing)
        return crossings

    def _announce(self, reading: Reading, previous: str, now: datetime) -> bool:
        if RANK[reading.level] <= RANK[previous]:
            return False
        key = (*reading.key, reading.level)
        last = self._announced.get(key)
        if last is not None and (now - last).total_seconds() < self.cooldown_s:
            return False
        self._announced[key] = now
        return True

    def counts(self) -> dict[str, int]:
        """How many KPIs are at each level now."""
        out = {WARNING: 0, CRITICAL: 0}
        for reading in self.levels.values():
            if reading.level in out:
                out[reading.level] += 1
        return out

    def summary(self) -> str:
        """'‼ 1 critical  ! 2 warning', or '' when nothing is past a level."""
        c = self.counts()
        parts = [f"{MARK[lvl]} {c[lvl]} {lvl}" for lvl in (CRITICAL, WARNING) if c[lvl]]
        return "  ".join(parts)


# ---- the report ------------------------------------------------------------------------------------


def report_readings(cfg: Config, rep: Mapping[str, Any]) -> list[Reading]:
    """The thresholds evaluated on a report object (data.metrics.report); only those past a level,
    critical first."""
    readings = evaluate(
        cfg.thresholds, rep.get("totals", {}), rep.get("queues", ()), rep.get("channels", ())
    )
    past = [r for r in readings if r.level != OK]
    return sorted(past, key=lambda r: -RANK[r.level])


def _reading_dict(r: Reading) -> dict[str, Any]:
    return asdict(r) | {"mark": r.mark}


def with_alerts(text: str, fmt: str, cfg: Config, rep: Mapping[str, Any]) -> str:
    """A rendered report with the alerts added: a key `alerts` in json, a section otherwise."""
    past = report_readings(cfg, rep)
    if fmt == "json":
        obj = json.loads(text)
        obj["alerts"] = [_reading_dict(r) for r in past]
        return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        lines = ["", "level,kpi,scope,value,limit,direction"]
        lines += [f"{r.level},{r.kpi},{r.scope},{r.value},{r.limit},{r.direction}" for r in past]
        return text + "\n".join(lines) + "\n"
    if not cfg.thresholds:
        body = ["no [[thresholds]] configured"]
    else:
        body = [r.describe() for r in past] or ["nothing is past a warning or critical level"]
    if fmt == "md":
        return text + "\n## Alerts\n\n" + "\n".join(f"- {line}" for line in body) + "\n"
    return text + "\nAlerts\n" + "\n".join(f"  {line}" for line in body) + "\n"
