"""Channel mix (per period and per day) and top contact reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics import rollup
from data.metrics.filters import Filters
from data.metrics.period import Period, comparison_period
from data.metrics.sql import TOPIC_EXPR, filter_sql, params, ratio, run
from data.metrics.together import snapshot


def channel_mix(cur: Any, cfg: Config, period: Period, filters: Filters) -> list[dict[str, Any]]:
    """channel, offered, share of offered; largest first."""
    sql = f"""SELECT channel, count(*) AS offered FROM contacts
WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}
GROUP BY channel ORDER BY offered DESC, channel"""
    rows = run(cur, sql, params(cfg, filters, period.start, period))
    total = sum(r["offered"] for r in rows)
    return [r | {"share": ratio(r["offered"], total)} for r in rows]


def channel_mix_by_day(
    cur: Any, cfg: Config, period: Period, filters: Filters
) -> list[dict[str, Any]]:
    """day (local date), channel, offered, share of that day's offered."""
    sql = f"""SELECT CAST(timezone($tz, offered_at) AS DATE) AS day, channel, count(*) AS offered
FROM contacts WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}
GROUP BY ALL ORDER BY day, offered DESC, channel"""
    rows = run(cur, sql, params(cfg, filters, period.start, period))
    per_day: dict[Any, int] = {}
    for r in rows:
        per_day[r["day"]] = per_day.get(r["day"], 0) + r["offered"]
    return [r | {"share": ratio(r["offered"], per_day[r["day"]])} for r in rows]


def topic_counts(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, int]:
    """Contacts offered in the period per topic (topic, else first tag; contacts with neither are
    not counted). The kept days (rollup.py) are added up from their topic rows: run it in a
    snapshot (together.snapshot), so that they and the contacts around them are of one state."""
    p = params(cfg, filters, now, period)
    cov = rollup.cover(cur, cfg, period, filters, ("topic",), None, now)
    skip = f" AND NOT {cov.within('offered_at')}" if cov else ""
    sql = f"""SELECT {TOPIC_EXPR} AS topic, count(*) AS n FROM contacts
WHERE offered_at >= $start AND offered_at < $end AND {TOPIC_EXPR} IS NOT NULL{filter_sql(filters)}{skip}
GROUP BY 1"""
    if cov:
        p |= cov.params()
        sql = f"""SELECT topic, sum(n)::BIGINT AS n FROM ({sql}
UNION ALL
SELECT topic, sum(offered) AS n FROM {cov.partials(by_day=False)} kept
WHERE gset = 'topic' AND topic IS NOT NULL{filter_sql(filters)}
GROUP BY 1) GROUP BY 1"""
    return {r["topic"]: r["n"] for r in run(cur, sql, p)}


def top_reasons(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> list[dict[str, Any]]:
    """The cfg.top_n topics (topic, else first tag) by contacts offered in the period, with the same
    count in the comparison period: `change` = contacts − comparison, `change_pct` relative (None
    when the comparison had none), `share` of the period's contacts that have a topic."""
    comp = comparison_period(period, cfg, now)
    # Both periods in one snapshot: the change must not mix two states of the store.
    with snapshot(cur) as s:
        counts = topic_counts(s, cfg, period, filters, now)
        before = topic_counts(s, cfg, comp, filters, now)
    total = sum(counts.values())
    # Most contacts first, then by name (code point order, as DuckDB orders text).
    top = sorted((t for t, n in counts.items() if n > 0), key=lambda t: (-counts[t], t))
    rows = [
        {"topic": t, "contacts": counts[t], "comparison_contacts": before.get(t, 0)}
        for t in top[: cfg.top_n]
    ]
    return [
        r
        | {
            "change": r["contacts"] - r["comparison_contacts"],
            "change_pct": ratio(r["contacts"] - r["comparison_contacts"], r["comparison_contacts"]),
            "share": ratio(r["contacts"], total),
        }
        for r in rows
    ]
