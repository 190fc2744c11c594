"""Channel mix (per period and per day) and top contact reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.period import Period, comparison_period
from data.metrics.sql import TOPIC_EXPR, filter_sql, params, ratio, run


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


_TOPICS = f"""SELECT {TOPIC_EXPR} AS topic,
    count(*) FILTER (offered_at >= $start AND offered_at < $end) AS contacts,
    count(*) FILTER (offered_at >= $c_start AND offered_at < $c_end) AS comparison_contacts
FROM contacts
WHERE ((offered_at >= $start AND offered_at < $end) OR (offered_at >= $c_start AND offered_at < $c_end))
  AND {TOPIC_EXPR} IS NOT NULL{{filters}}
GROUP BY 1 HAVING contacts > 0
ORDER BY contacts DESC, topic LIMIT $top_n"""


def top_reasons(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> list[dict[str, Any]]:
    """The cfg.top_n topics (topic, else first tag) by contacts offered in the period, with the same
    count in the comparison period: `change` = contacts − comparison, `change_pct` relative (None
    when the comparison had none), `share` of the period's contacts that have a topic."""
    comp = comparison_period(period, cfg, now)
    p = params(cfg, filters, now, period) | {
        "c_start": comp.start,
        "c_end": comp.end,
        "top_n": cfg.top_n,
    }
    rows = run(cur, _TOPICS.format(filters=filter_sql(filters)), p)
    total_sql = f"""SELECT count(*) AS n FROM contacts WHERE offered_at >= $start AND offered_at < $end
  AND {TOPIC_EXPR} IS NOT NULL{filter_sql(filters)}"""
    total = run(cur, total_sql, p)[0]["n"]
    return [
        r
        | {
            "change": r["contacts"] - r["comparison_contacts"],
            "change_pct": ratio(r["contacts"] - r["comparison_contacts"], r["comparison_contacts"]),
            "share": ratio(r["contacts"], total),
        }
        for r in rows
    ]
