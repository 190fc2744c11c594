"""The whole report object of METRICS.md (`floorwatch report --format json`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics.agents import agent_rows
from data.metrics.filters import Filters
from data.metrics.kpis import (
    breakdown,
    empty_row,
    intervals,
    kpi_sets,
    public,
    totals,
    totals_and_gaps,
)
from data.metrics.mix import top_reasons
from data.metrics.period import Period, comparison_period, default_interval
from data.metrics.volume import SL_FORMULA_TEXT


def comparison_totals(
    cur: Any, cfg: Config, comparison: Period, filters: Filters, now: datetime, shift: Any
) -> dict[str, Any]:
    """Totals of the comparison period as they were then: backlog as of min(now − shift, its end);
    the now-snapshot keys (waiting_now, longest_wait_s) are null."""
    then = now - shift
    # totals() already counts the backlog as of min(then, comparison end).
    row = totals(cur, cfg, comparison, filters, then)
    row["waiting_now"] = row["longest_wait_s"] = None
    return row


def topic_rows(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    by_topic: dict[Any, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The top reasons (mix.top_reasons: contacts, comparison, change, share), each row holding the
    topic's KPIs too, like every breakdown of the contract."""
    return [
        {"topic": r["topic"]} | public(by_topic.get(r["topic"]) or empty_row()) | r
        for r in top_reasons(cur, cfg, period, filters, now)
    ]


def report(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    comparison: Period | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """period, comparison, totals, agents, queues, channels, topics, intervals (METRICS.md), plus
    comparison_totals, meta (SL formula, fields the sources did not record, filters) and, with `by`,
    `rows`: the chosen breakdown."""
    comparison = comparison or comparison_period(period, cfg, now)
    zone = cfg.zone
    size = default_interval(period)
    # One pass over the period for totals and every breakdown the report holds.
    keys = ("total", "agent", "queue", "channel", size, "topic")
    if by == "team":
        keys += (by,)
    sets = kpi_sets(cur, cfg, period, filters, now, keys)
    tot, gaps = totals_and_gaps(cur, cfg, period, filters, now, sets["total"])
    comp = comparison_totals(cur, cfg, comparison, filters, now, period.start - comparison.start)
    out: dict[str, Any] = {
        "period": {
            "from": period.start.astimezone(zone),
            "to": period.end.astimezone(zone),
            "timezone": cfg.timezone,
            "label": period.label,
        },
        "comparison": {
            "from": comparison.start.astimezone(zone),
            "to": comparison.end.astimezone(zone),
        },
        "totals": tot,
        "agents": agent_rows(cur, cfg, period, filters, now, sets["agent"]),
        "queues": breakdown(cur, cfg, period, filters, "queue", now, rows=sets["queue"]),
        "channels": breakdown(cur, cfg, period, filters, "channel", now, rows=sets["channel"]),
        "topics": topic_rows(cur, cfg, period, filters, now, sets["topic"]),
        "intervals": intervals(cur, cfg, period, filters, size, now=now, rows=sets[size]),
        "comparison_totals": comp,
        "meta": {
            "generated_at": now.astimezone(zone),
            "interval": size,
            "sl_formula": cfg.sl_formula,
            "sl_formula_text": SL_FORMULA_TEXT[cfg.sl_formula],
            "sl_threshold_s": dict(cfg.sl_threshold_s),
            "short_abandon_s": cfg.short_abandon_s,
            "not_recorded": gaps,
            "filters": {
                "queue": filters.queue,
                "channel": filters.channel,
                "agent": filters.agent,
                "team": filters.team,
            },
        },
    }
    if by:
        out["by"] = by
        rows = {
            "agent": "agents",
            "queue": "queues",
            "channel": "channels",
            "interval": "intervals",
        }
        out["rows"] = (
            out[rows[by]]
            if by in rows
            else breakdown(cur, cfg, period, filters, by, now, size, rows=sets[by])
        )
    return out
