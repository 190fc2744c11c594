"""What the lead is looking at: period and filters. Immutable; the app replaces it on change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.period import PERIODS, Period, comparison_period, resolve_period

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

    def next_period(self) -> View:
        names = list(PERIODS)
        index = names.index(self.period) if self.period in names else -1
        return replace(self, period=names[(index + 1) % len(names)])

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
