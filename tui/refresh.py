"""What a refresh computes, in a worker thread with that thread's own cursor. No widgets here."""

from __future__ import annotations

from datetime import datetime, timedelta

from data.config import Config
from data.metrics import totals
from data.store import Store
from tui.messages import FilterOptions, Snapshot
from tui.panes.base import Pane
from tui.view import View


def snapshot(store: Store, cfg: Config, view: View, pane: type[Pane], now: datetime) -> Snapshot:
    cur = store.cursor()
    period, comparison = view.periods(cfg, now)
    filters = view.filters()
    then = now - timedelta(days=cfg.comparison_days)
    return Snapshot(
        at=now,
        totals=totals(cur, cfg, period, filters, now),
        comparison=totals(cur, cfg, comparison, filters, then),
        pane=pane.key,
        data=pane.fetch(cur, cfg, view, now),
    )


def filter_options(store: Store, cfg: Config) -> FilterOptions:
    cur = store.cursor()

    def distinct(column: str) -> tuple[str, ...]:
        sql = f"SELECT DISTINCT {column} FROM contacts WHERE {column} IS NOT NULL ORDER BY 1"
        return tuple(str(r[0]) for r in cur.execute(sql).fetchall())

    return FilterOptions(
        distinct("queue"), distinct("channel"), tuple(sorted(set(cfg.teams.values())))
    )
