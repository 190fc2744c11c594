"""What a refresh computes, in a worker thread with that thread's own cursor. No widgets here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from data.alerts import Reading, evaluate, needs_breakdown, view_levels
from data.config import Config
from data.metrics import Filters, breakdown, resolve_period, totals
from data.metrics.kpis import totals_and_gaps
from data.metrics.period import Period
from data.store import Store
from tui.messages import FilterOptions, Snapshot
from tui.panes.base import Pane
from tui.past import PastCache
from tui.view import View


@dataclass(frozen=True)
class LiveSnapshot(Snapshot):
    """A Snapshot plus the thresholds: `levels` for the KPIs shown (the view's totals, its filter's
    own thresholds first), `readings` for the floor today (what alerts are about, whatever the
    view), and how long the refresh took."""

    levels: dict[str, Reading] = field(default_factory=dict)
    readings: tuple[Reading, ...] = ()
    took_s: float = 0.0


def snapshot(
    store: Store,
    cfg: Config,
    view: View,
    pane: type[Pane],
    now: datetime,
    *,
    pane_data: Any = None,
    past: PastCache | None = None,
) -> LiveSnapshot:
    """KPI totals (and comparison), thresholds, and the pane's data (`pane_data` when the caller
    fetched it already)."""
    started = time.perf_counter()
    cur = store.cursor()
    period, comparison = view.periods(cfg, now)
    filters = view.filters()
    then = now - timedelta(days=cfg.comparison_days)
    data = pane.fetch(cur, cfg, view, now, past) if pane_data is None else pane_data
    # Panes that add up the period's contacts anyway hand over the totals row of that same pass.
    rows = getattr(data, "totals_rows", None)
    shown = totals_and_gaps(cur, cfg, period, filters, now, rows)[0]
    readings = floor_readings(cur, cfg, shown if view == View() else None, now)
    return LiveSnapshot(
        at=now,
        totals=shown,
        comparison=_comparison_totals(cur, cfg, view, comparison, then, past),
        pane=pane.key,
        data=data,
        levels=view_levels(cfg.thresholds, shown, view.queue, view.channel),
        readings=readings,
        took_s=time.perf_counter() - started,
    )


def _comparison_totals(
    cur: Any,
    cfg: Config,
    view: View,
    comparison: Period,
    then: datetime,
    cache: PastCache | None,
) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        return totals(cur, cfg, comparison, view.filters(), then)

    if cache is None:
        return compute()
    end_minute = comparison.end.replace(second=0, microsecond=0)
    return cache.get(("totals", view, comparison.start, end_minute), compute)


def floor_readings(
    cur: Any, cfg: Config, today: dict[str, Any] | None, now: datetime
) -> tuple[Reading, ...]:
    """The thresholds against today's whole floor (`today`: its totals when already computed)."""
    if not cfg.thresholds:
        return ()
    period, everything = resolve_period("today", cfg, now), Filters()
    if today is None:
        today = totals(cur, cfg, period, everything, now)
    by_queue, by_channel = needs_breakdown(cfg.thresholds)
    queues = breakdown(cur, cfg, period, everything, "queue", now) if by_queue else ()
    channels = breakdown(cur, cfg, period, everything, "channel", now) if by_channel else ()
    return evaluate(cfg.thresholds, today, queues, channels)


def filter_options(store: Store, cfg: Config) -> FilterOptions:
    cur = store.cursor()

    def distinct(column: str) -> tuple[str, ...]:
        sql = f"SELECT DISTINCT {column} FROM contacts WHERE {column} IS NOT NULL ORDER BY 1"
        return tuple(str(r[0]) for r in cur.execute(sql).fetchall())

    return FilterOptions(
        distinct("queue"), distinct("channel"), tuple(sorted(set(cfg.teams.values())))
    )
