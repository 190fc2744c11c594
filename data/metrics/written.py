"""Written channels: first response time, reply wait, response and resolution, interactions."""

from __future__ import annotations

from typing import Any

from data.metrics.filters import Filters
from data.metrics.sql import RESOLVED, WRITTEN, interval_sql, ratio

# Ended when offered (a conversation closed with no close time at its only message): not known.
RESOLUTION_S = """coalesce(CASE WHEN ended_at > offered_at
    THEN (epoch_us(ended_at) - epoch_us(offered_at)) / 1e6 END, resolution_s)"""

# On the slice of sql.slice_sql, whose `is_written` is sql.WRITTEN worked out once per row (in
# each aggregate it cost ~10% of the main pass).
PARTIALS = f"""sum(frt_s) AS frt_sum,
    count(frt_s) AS frt_n,
    max(frt_s) AS frt_max_s,
    count_if(is_written) AS written,
    count_if(is_written AND (agent_messages > 0 OR first_agent_at IS NOT NULL)) AS responded,
    count_if(is_written AND is_resolved) AS resolved_w,
    count_if(records_resolution) AS resolvable,
    count_if(records_resolution AND is_resolved) AS resolved_r,
    sum(CASE WHEN is_written AND is_resolved THEN {RESOLUTION_S} END) AS res_sum,
    count(CASE WHEN is_written AND is_resolved THEN {RESOLUTION_S} END) AS res_n,
    sum(CASE WHEN is_written THEN messages END) AS messages_w,
    sum(agent_messages) AS messages_sent"""

TOTALS = """sum(frt_sum) / nullif(sum(frt_n), 0) AS frt_s,
    sum(frt_n)::BIGINT AS frt_n,
    max(frt_max_s) AS frt_max_s,
    sum(written)::BIGINT AS written,
    sum(responded)::BIGINT AS responded,
    sum(resolved_w)::BIGINT AS resolved_w,
    sum(resolvable)::BIGINT AS resolvable,
    sum(resolved_r)::BIGINT AS resolved_r,
    sum(res_sum) / nullif(sum(res_n), 0) AS resolution_s,
    sum(messages_w) AS messages_w,
    sum(messages_sent) AS messages_sent"""

# Medians do not add up over groups: worked out apart, over the contacts that have a value only.
MEDIANS_WHERE = f" AND (frt_s IS NOT NULL OR ({WRITTEN} AND {RESOLVED}))"
# The only columns the medians read (median skips NULLs): a lean slice costs ~15% less CPU.
MEDIAN_COLUMNS = f"frt_s, CASE WHEN {WRITTEN} AND {RESOLVED} THEN {RESOLUTION_S} END AS res_v"
MEDIANS = "median(frt_s) AS frt_median_s, median(res_v) AS resolution_median_s"


def finish(r: dict[str, Any]) -> dict[str, Any]:
    written = r["written"] or 0
    return {
        "frt_s": r["frt_s"],
        "frt_median_s": r["frt_median_s"],
        "frt_max_s": r["frt_max_s"],
        "response_rate": ratio(r["responded"] or 0, written),
        "resolution_rate": ratio(r["resolved_r"] or 0, r["resolvable"] or 0),
        "resolution_s": r["resolution_s"],
        "resolution_median_s": r["resolution_median_s"],
        "interactions_per_contact": ratio(r["messages_w"], r["resolved_w"]),
        "messages_sent": int(r["messages_sent"]) if r["messages_sent"] is not None else None,
    }


def reply_wait_sets_sql(keys: tuple[str, ...], filters: Filters, p: dict[str, Any]) -> str:
    """reply_wait_sql for several keys at once (one row per key value: `key` names the key, `k_<key>`
    holds the value, the other key columns are NULL). Waits are worked out once per conversation of
    the slice, then averaged per key over its distinct conversations (mean reply wait per conversation, then per key)."""
    from data.metrics.sql import slice_sql

    cols = [k for k in keys if k != "total"]

    def branch(key: str) -> str:
        heads = ", ".join(f"{f'k_{c}' if c == key else 'NULL'} AS k_{c}" for c in cols)
        by = [f"k_{key}"] if key != "total" else []
        return f"""SELECT '{key}' AS key, {heads + ", " if heads else ""}sum(w_sum) / sum(w_n) AS avg_reply_wait_s
    FROM (SELECT DISTINCT {"".join(f"{b}, " for b in by)}sid FROM r) JOIN w USING (sid)
    {"GROUP BY " + by[0] if by else ""}"""

    return f"""
WITH {interval_sql(slice_sql(keys, filters), p)},
r AS (SELECT * FROM c WHERE is_written AND source_id IS NOT NULL),
m AS (
    SELECT conversation_id, ts, role,
        lag(role) OVER (PARTITION BY conversation_id ORDER BY ts, line_no) AS prev_role,
        min(CASE WHEN role = 'agent' THEN ts END) OVER (
            PARTITION BY conversation_id ORDER BY ts, line_no
            ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent
    FROM messages
    WHERE role IN ('customer', 'agent') AND conversation_id IN (SELECT source_id FROM r)
),
w AS (
    SELECT conversation_id AS sid, sum((epoch_us(next_agent) - epoch_us(ts)) / 1e6) AS w_sum,
        count(*) AS w_n
    FROM m
    WHERE role = 'customer' AND prev_role IS DISTINCT FROM 'customer' AND next_agent IS NOT NULL
    GROUP BY 1
)
{" UNION ALL ".join(branch(k) for k in keys)}
"""
