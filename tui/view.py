"""What the lead is looking at: period and filters. Immutable; the app replaces it on change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.kpis import INTERVAL_SIZES
from data.metrics.period import (
    PERIODS,
    Period,
    comparison_period,
    default_interval,
    resolve_period,
)

PERIOD_LABELS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "week": "This week",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
}


@dataclass(frozen=True)
class View:
    period: str = "today"
    queue: str | None = None
    channel: str | None = None
    team: str | None = None
    interval: str | None = None  # the Queues chart's: 15min, hour, day (None: by the period)

    def next_period(self) -> View:
        names = list(PERIODS)
        index = names.index(self.period) if self.period in names else -1
        # The chart's interval goes back to the new period's own: 15 minutes over 30 days would
        # be 2,880 points, and only whole days are read from the kept day sums.
        return replace(self, period=names[(index + 1) % len(names)], interval=None)

    def interval_size(self, period: Period) -> str:
        return self.interval or default_interval(period)

    def next_interval(self, period: Period) -> View:
        """The next finer interval than the one in force, the finest going back to days: today
        (hours) goes to 15 minutes, then days, then hours."""
        index = INTERVAL_SIZES.index(self.interval_size(period))
        return replace(self, interval=INTERVAL_SIZES[(index - 1) % len(INTERVAL_SIZES)])

    def with_filters(self, queue: str | None, channel: str | None, team: str | None) -> View:
        return replace(self, queue=queue, channel=channel, team=team)

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS.get(self.period, self.period)

    @property
    def active_filters(self) -> tuple[tuple[str, str], ...]:
        pairs = (("queue", self.queue), ("channel", self.channel), ("team", self.team))
        return tuple((k, v) for k, v in pairs if v)

    def filters(self) -> Filters:
        return Filters(queue=self.queue, channel=self.channel, team=self.team)

    def periods(self, cfg: Config, now: datetime) -> tuple[Period, Period]:
        """The period in view and its comparison period."""
        period = resolve_period(self.period, cfg, now)
        return period, comparison_period(period, cfg, now)
