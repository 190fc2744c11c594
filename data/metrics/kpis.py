"""Totals, breakdowns and intervals: the KPI families of METRICS.md assembled per key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics import quality, volume, written
from data.metrics.filters import Filters
from data.metrics.overdue import overdue_counts
from data.metrics.period import Period, default_interval, interval_starts
from data.metrics.sql import params, period_contacts, run

# The `totals` keys of the METRICS.md JSON contract, in order. Rows of every breakdown carry them too.
TOTALS_KEYS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeout",
    "open",
    "abandon_rate",
    "service_level",
    "asa_s",
    "aht_s",
    "frt_s",
    "frt_median_s",
    "avg_reply_wait_s",
    "response_rate",
    "resolution_rate",
    "csat",
    "csat_mean",
    "fcr",
    "transfer_rate",
    "overdue",
    "at_risk",
)
# Further KPIs every row carries after the contract keys (stable too).
EXTRA_KEYS: tuple[str, ...] = (
    "talk_s",
    "frt_max_s",
    "resolution_s",
    "resolution_median_s",
    "interactions_per_contact",
    "messages_sent",
    "transfers",
)
SNAPSHOT_KEYS: tuple[str, ...] = ("waiting_now", "longest_wait_s")
COUNT_KEYS = frozenset(
    ("offered", "answered", "abandoned", "short_abandoned", "timeout", "open", "transfers")
)
BY_KEYS = ("agent", "queue", "channel", "team", "topic", "interval")
INTERVAL_SIZES = ("15min", "hour", "day")


def empty_row() -> dict[str, Any]:
    return {
        k: (0 if k in COUNT_KEYS or k in ("overdue", "at_risk") else None) for k in TOTALS_KEYS
    } | {k: (0 if k in COUNT_KEYS else None) for k in EXTRA_KEYS}


def kpi_rows(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime, key: str
) -> dict[Any, dict[str, Any]]:
    """{key value: KPI row} for contacts offered in the period (key "total": one row, key None)."""
    p = params(cfg, filters, now, period)
    if key in INTERVAL_SIZES:
        p["starts"] = interval_starts(period, key, cfg.zone)
    main = f"""WITH {period_contacts(key, filters)}
SELECT k, {volume.aggregates(cfg)},
    {written.AGGREGATES},
    {quality.AGGREGATES}
FROM c GROUP BY k"""
    out: dict[Any, dict[str, Any]] = {}
    for r in run(cur, main, p):
        row = empty_row() | volume.finish(r) | written.finish(r) | quality.finish(r)
        row["_handle_sum_s"] = r["handle_sum_s"]
        row["_has_hold"], row["_has_wrap"] = r["has_hold"], r["has_wrap"]
        out[r["k"]] = row
    if not out:
        return out
    for r in run(cur, quality.fcr_sql(key, filters), p):
        if r["k"] in out:
            den = r["fcr_den"]
            out[r["k"]]["fcr"] = (r["fcr_num"] / den) if den else None
    for r in run(cur, written.reply_wait_sql(key, filters), p):
        if r["k"] in out:
            out[r["k"]]["avg_reply_wait_s"] = r["avg_reply_wait_s"]
    as_of = min(now, period.end)
    for k, counts in overdue_counts(cur, cfg, filters, as_of, key).items():
        if k in out:
            out[k].update(counts)
    return out


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def totals(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, Any]:
    """The totals of METRICS.md (+ EXTRA_KEYS, + waiting_now and longest_wait_s, a snapshot at now).

    overdue/at_risk are the backlog as of min(now, period end), whatever day the work was offered."""
    return totals_and_gaps(cur, cfg, period, filters, now)[0]


def totals_and_gaps(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """totals, and the handle-time fields no contact of the period has (0 in AHT: say so)."""
    rows = kpi_rows(cur, cfg, period, filters, now, "total")
    row = rows.get(None, empty_row())
    row |= overdue_counts(cur, cfg, filters, min(now, period.end)).get(
        None, {"overdue": 0, "at_risk": 0}
    )
    gaps = [
        f
        for f, has in (("hold_s", row.get("_has_hold")), ("wrap_s", row.get("_has_wrap")))
        if rows and not has
    ]
    return public(row) | volume.waiting_totals(cur, cfg, filters, now), gaps


def breakdown(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    by: str,
    now: datetime,
    interval: str = "hour",
) -> list[dict[str, Any]]:
    """Rows of {by-key: value, KPIs...}. by=agent gives the leaderboard; by=interval the intervals."""
    if by == "agent":
        from data.metrics.agents import agents

        return agents(cur, cfg, period, filters, now)
    if by == "interval":
        return intervals(cur, cfg, period, filters, interval, now=now)
    if by not in BY_KEYS:
        raise ValueError(f"unknown breakdown {by!r} (use one of {', '.join(BY_KEYS)})")
    rows = kpi_rows(cur, cfg, period, filters, now, by)
    out = []
    for k in sorted(rows, key=lambda v: (v is None, -rows[v]["offered"], str(v))):
        row = {by: k}
        if by == "queue":
            row["name"] = cfg.queue_names.get(k, k) if k else None
        out.append(row | public(rows[k]))
    if by == "queue":
        waiting = {r["queue"]: r for r in volume.queues_now(cur, cfg, filters, now)}
        for row in out:
            w = waiting.get(row["queue"], {})
            row["waiting_now"] = w.get("waiting_now", 0)
            row["longest_wait_s"] = w.get("longest_wait_s")
    if by == "channel":
        total = sum(r["offered"] for r in out)
        for row in out:
            row["share"] = row["offered"] / total if total else None
    return out


def intervals(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    size: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every interval of the period on the local wall clock (zero-filled counts, null rates):
    {start (aware, site zone), KPIs...}. `size` "15min", "hour" or "day" (None: by period length)."""
    size = size or default_interval(period)
    if size not in INTERVAL_SIZES:
        raise ValueError(f"unknown interval {size!r} (use one of {', '.join(INTERVAL_SIZES)})")
    now = now or period.end
    rows = kpi_rows(cur, cfg, period, filters, now, size)
    found = {k.timestamp(): v for k, v in rows.items() if k is not None}
    return [
        {"start": s} | public(found.get(s.timestamp(), empty_row()))
        for s in interval_starts(period, size, cfg.zone)
    ]
