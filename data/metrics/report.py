"""The whole report object of METRICS.md (`floorwatch report --format json`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics.agents import agent_extras, agent_rows
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
from data.metrics.together import together
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
    reasons: list[dict[str, Any]], by_topic: dict[Any, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The top reasons (mix.top_reasons: contacts, comparison, change, share), each row holding the
    topic's KPIs too, like every breakdown of the contract."""
    return [
        {"topic": r["topic"]} | public(by_topic.get(r["topic"]) or empty_row()) | r for r in reasons
    ]


def report(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    comparison: Period | None = None,
    by: str | None = None,
    interval: str | None = None,
) -> dict[str, Any]:
    """period, comparison, totals, agents, queues, channels, topics, intervals (METRICS.md), plus
    comparison_totals, meta (SL formula, fields the sources did not record, filters, the instant
    the backlog is counted at) and, with `by`, `rows`: the chosen breakdown. `interval`: 15min,
    hour or day (default: hours up to two days, else days)."""
    comparison = comparison or comparison_period(period, cfg, now)
    zone = cfg.zone
    size = interval or default_interval(period)
    # One pass over the period for totals and every breakdown the report holds.
    keys = ("total", "agent", "queue", "channel", size, "topic")
    if by == "team" or cfg.teams:
        keys += ("team",)
    shift = period.start - comparison.start
    # Independent queries, side by side (together.py).
    sets, comp, extras, reasons = together(
        cur,
        lambda c: kpi_sets(c, cfg, period, filters, now, keys),
        lambda c: comparison_totals(c, cfg, comparison, filters, now, shift),
        lambda c: agent_extras(c, cfg, period, filters, now),
        lambda c: top_reasons(c, cfg, period, filters, now),
    )
    tot, gaps = totals_and_gaps(cur, cfg, period, filters, now, sets["total"])
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
        "agents": agent_rows(cur, cfg, period, filters, now, sets["agent"], extras),
        "queues": breakdown(cur, cfg, period, filters, "queue", now, rows=sets["queue"]),
        "channels": breakdown(cur, cfg, period, filters, "channel", now, rows=sets["channel"]),
        "topics": topic_rows(reasons, sets["topic"]),
        # With teams in the configuration: each agent is compared with their team (md summary).
        "teams": (
            breakdown(cur, cfg, period, filters, "team", now, rows=sets["team"])
            if "team" in sets
            else []
        ),
        "intervals": intervals(cur, cfg, period, filters, size, now=now, rows=sets[size]),
        "comparison_totals": comp,
        "meta": {
            "generated_at": now.astimezone(zone),
            # overdue / at_risk: the backlog now, or at the end of a period that has ended
            "backlog_at": min(now, period.end).astimezone(zone),
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
            else out["teams"]
            if by == "team"
            else breakdown(cur, cfg, period, filters, by, now, size, rows=sets[by])
        )
    return out
