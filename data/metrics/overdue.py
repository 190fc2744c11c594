"""Overdue work: open contacts past (or close to) their first-response or resolution due time.

State is taken *as of* an instant `t` (normally now): a contact is open at `t` when it was offered by
then and had not ended (ended_at after `t`, or no end and not resolved, abandoned or timed out). A call
or live chat with no event for `cfg.stale_after_s` is lost, not work. Written work stays until resolved.

Horizon: only work offered within HORIZON_DAYS before `t` is considered. That bounds the scan to the
recent part of the table (zone maps prune the rest); work left open for longer is taken as abandoned
by its source (a ticket system closes it, a chat export never recorded its end), not as today's
backlog.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.sql import HORIZON_DAYS, KEYS, LIVE_CHANNELS, filter_sql, params, per_channel, run

REPLIED_AT = "coalesce(first_agent_at, answered_at)"


def _open_work(filters: Filters) -> str:
    return f"""o AS (
    SELECT contact_id, source_id, channel, queue, agent, customer, offered_at, topic, tags,
        CASE WHEN {REPLIED_AT} IS NULL OR {REPLIED_AT} > $t
            THEN offered_at + to_seconds({per_channel("frt")}) END AS fr_due,
        coalesce(due_at, offered_at + to_seconds({per_channel("res")})) AS res_due
    FROM contacts
    WHERE offered_at <= $t AND offered_at >= $t_horizon
      AND (ended_at IS NULL OR ended_at > $t)
      AND NOT (ended_at IS NULL AND (coalesce(resolved, false)
          OR coalesce(status IN ('resolved', 'closed'), false)
          OR outcome IN ('abandoned', 'timeout')))
      AND NOT (channel IN {LIVE_CHANNELS}
          AND coalesce(answered_at, offered_at) < $t - to_seconds($stale_s))
      {filter_sql(filters)}
),
d AS (
    SELECT *, least(fr_due, res_due) AS due_at,
        CASE WHEN fr_due IS NOT NULL AND (res_due IS NULL OR fr_due <= res_due)
            THEN 'first_response' ELSE 'resolution' END AS due_kind
    FROM o
    WHERE least(fr_due, res_due) < $t + to_seconds($at_risk)
)"""


def overdue(
    cur: Any, cfg: Config, filters: Filters, now: datetime, limit: int = 500
) -> list[dict[str, Any]]:
    """Open contacts overdue or at risk at `now`: most overdue first, then at-risk soonest first.
    `overdue_s` = now − due (negative: time left)."""
    sql = f"""WITH {_open_work(filters)}
SELECT contact_id, source_id, channel, queue, agent, customer, offered_at, due_at, due_kind,
    (epoch_us($t::TIMESTAMPTZ) - epoch_us(due_at)) / 1e6 AS overdue_s,
    CASE WHEN due_at < $t THEN 'overdue' ELSE 'at_risk' END AS state
FROM d ORDER BY overdue_s DESC, contact_id LIMIT $limit"""
    p = _params(cfg, filters, now) | {"limit": limit}
    rows = run(cur, sql, p)
    for r in rows:
        for k in ("offered_at", "due_at"):
            if r[k] is not None:
                r[k] = r[k].astimezone(cfg.zone)
    return rows


# Over the open work `o` at $t: overdue, at risk (due within at_risk_s), and all of it (backlog:
# the open contacts overdue and at risk are part of, whenever they were offered).
_COUNTS = """count(*) FILTER (least(fr_due, res_due) < $t) AS overdue,
    count(*) FILTER (least(fr_due, res_due) >= $t
        AND least(fr_due, res_due) < $t + to_seconds($at_risk)) AS at_risk,
    count(*) AS backlog"""
COUNTED = ("overdue", "at_risk", "backlog")


def overdue_count_sets(
    cur: Any, cfg: Config, filters: Filters, at: datetime, keys: tuple[str, ...]
) -> dict[str, dict[Any, dict[str, int]]]:
    """Overdue, at risk and backlog counts as of `at` for several sql.KEYS keys in one pass:
    {key: {value: {"overdue", "at_risk", "backlog"}}}."""
    cols = [k for k in keys if k != "total"]
    heads = "".join(f"{KEYS[k]} AS k_{k}, " for k in cols)
    sets = ", ".join(["()" if k == "total" else f"(k_{k})" for k in keys])
    grouping = f"GROUPING({', '.join(f'k_{k}' for k in cols)})" if cols else "0"
    sql = f"""WITH {_open_work(filters)}
SELECT {grouping} AS g, {heads}{_COUNTS}
FROM o GROUP BY GROUPING SETS ({sets})"""
    out: dict[str, dict[Any, dict[str, int]]] = {k: {} for k in keys}
    ids = grouping_ids(keys)
    for r in run(cur, sql, _params(cfg, filters, at)):
        key = ids.get(r["g"])
        if key is not None:
            value = None if key == "total" else r[f"k_{key}"]
            out[key][value] = {c: r[c] for c in COUNTED}
    return out


def grouping_ids(keys: tuple[str, ...]) -> dict[int, str]:
    """GROUPING(k_...) value -> key, for grouping sets of one key column each (or () for total)."""
    cols = [k for k in keys if k != "total"]
    full = (1 << len(cols)) - 1
    out = {full: "total"} if "total" in keys else {}
    for i, k in enumerate(cols):
        out[full & ~(1 << (len(cols) - 1 - i))] = k
    return out


def _params(cfg: Config, filters: Filters, t: datetime) -> dict[str, Any]:
    return params(cfg, filters, t) | {"t": t, "t_horizon": t - timedelta(days=HORIZON_DAYS)}
