"""Volume and speed: offered, answered, abandons, service level, ASA, AHT; waiting now by queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.sql import (
    EFFECTIVE_OUTCOME,
    EO_CODES,
    HORIZON_DAYS,
    filter_sql,
    params,
    ratio,
    run,
)

# On the slice of sql.slice_sql, whose `eo` is the outcome's code (sql.EO_CODES).
ANSWERED, ABANDONED, TIMEOUT, OPEN = (f"eo = {EO_CODES[k]}" for k in EO_CODES)
NOT_OPEN = f"eo <> {EO_CODES['open']}"
ANSWERED_OR_ABANDONED = f"eo IN ({EO_CODES['answered']}, {EO_CODES['abandoned']})"
# An abandon whose wait is not known (a ticket closed with no reply and no close time) is not a
# short one: counted in the abandon rate and every SL denominator (NULL would drop it from them).
SHORT = f"coalesce({ABANDONED} AND wait_s < $short, false)"
MET = "wait_s <= sl_t"

# Service level numerator and denominator per cfg.sl_formula. Short abandons are left out of every
# formula (METRICS.md), open contacts too.
SL_FORMULAS: dict[str, tuple[str, str]] = {
    # answered within T / (offered − short abandons − open)
    "floorwatch": (f"{ANSWERED} AND {MET}", f"{NOT_OPEN} AND NOT {SHORT}"),
    # Asterisk's servicelevelperf: answered within T / answered
    "asterisk": (f"{ANSWERED} AND {MET}", ANSWERED),
    # Asterisk's servicelevelperf2: (answered + abandoned within T) / (answered + abandoned)
    "asterisk_sl2": (
        f"{ANSWERED_OR_ABANDONED} AND NOT {SHORT} AND {MET}",
        f"{ANSWERED_OR_ABANDONED} AND NOT {SHORT}",
    ),
    # Amazon Connect: removed from queue (answered, abandoned, timed out) within T / queued
    "connect": (f"{NOT_OPEN} AND NOT {SHORT} AND {MET}", f"{NOT_OPEN} AND NOT {SHORT}"),
}

SL_FORMULA_TEXT: dict[str, str] = {
    "floorwatch": "answered within T / (offered − short abandons − open)",
    "asterisk": "Asterisk SL: answered within T / answered",
    "asterisk_sl2": "Asterisk SL2: (answered + abandoned within T) / (answered + abandoned)",
    "connect": "Amazon Connect: removed from queue within T / queued",
}


def partials(cfg: Config) -> str:
    """Per group of contacts of the slice: sums and counts that add up over groups (see TOTALS)."""
    num, den = SL_FORMULAS[cfg.sl_formula]
    return f"""count(*) AS offered,
    count_if({ANSWERED}) AS answered,
    count_if({ABANDONED}) AS abandoned,
    count_if({SHORT}) AS short_abandoned,
    count_if({TIMEOUT}) AS timeout,
    count_if({OPEN}) AS open,
    count_if({num}) AS sl_num,
    count_if({den}) AS sl_den,
    sum(CASE WHEN {ANSWERED} THEN wait_s END) AS wait_sum,
    count(CASE WHEN {ANSWERED} THEN wait_s END) AS wait_n,
    sum(CASE WHEN {ANSWERED} THEN handle_s END) AS handle_sum_s,
    count(CASE WHEN {ANSWERED} THEN handle_s END) AS handle_n,
    sum(CASE WHEN {ANSWERED} THEN talk_s END) AS talk_sum,
    count(CASE WHEN {ANSWERED} THEN talk_s END) AS talk_n,
    bool_or(hold_s IS NOT NULL) AS has_hold,
    bool_or(wrap_s IS NOT NULL) AS has_wrap"""


# Partials added up over groups, and the KPIs finish() reads (avg = sum / count).
TOTALS = """sum(offered)::BIGINT AS offered,
    sum(answered)::BIGINT AS answered,
    sum(abandoned)::BIGINT AS abandoned,
    sum(short_abandoned)::BIGINT AS short_abandoned,
    sum(timeout)::BIGINT AS timeout,
    sum(open)::BIGINT AS open,
    sum(sl_num)::BIGINT AS sl_num,
    sum(sl_den)::BIGINT AS sl_den,
    sum(wait_sum) / nullif(sum(wait_n), 0) AS asa_s,
    sum(handle_sum_s) / nullif(sum(handle_n), 0) AS aht_s,
    sum(handle_sum_s) AS handle_sum_s,
    sum(talk_sum) / nullif(sum(talk_n), 0) AS talk_s,
    bool_or(has_hold) AS has_hold,
    bool_or(has_wrap) AS has_wrap"""


def finish(r: dict[str, Any]) -> dict[str, Any]:
    offered = r["offered"] or 0
    short, open_ = r["short_abandoned"] or 0, r["open"] or 0
    return {
        "offered": offered,
        "answered": r["answered"] or 0,
        "abandoned": r["abandoned"] or 0,
        "short_abandoned": short,
        "timeout": r["timeout"] or 0,
        "open": open_,
        "abandon_rate": ratio((r["abandoned"] or 0) - short, offered - short - open_),
        "service_level": ratio(r["sl_num"] or 0, r["sl_den"]),
        "asa_s": r["asa_s"],
        "aht_s": r["aht_s"],
        "talk_s": r["talk_s"],
    }


_WAITING = f"""
SELECT queue, count(*) AS waiting_now, max((epoch_us($now::TIMESTAMPTZ) - epoch_us(offered_at)) / 1e6) AS longest_wait_s
FROM contacts
WHERE offered_at <= $now AND offered_at >= $now - INTERVAL {HORIZON_DAYS} DAY
  AND answered_at IS NULL AND ended_at IS NULL
  AND ({EFFECTIVE_OUTCOME}) = 'open'{{filters}}
GROUP BY queue ORDER BY queue NULLS LAST
"""


def queues_now(cur: Any, cfg: Config, filters: Filters, now: datetime) -> list[dict[str, Any]]:
    """Contacts in queue now (entered, not answered or ended, not stale), per queue. Written work
    waits until it is answered, however long (within the open-work horizon)."""
    rows = run(cur, _WAITING.format(filters=filter_sql(filters)), params(cfg, filters, now))
    for r in rows:
        r["name"] = cfg.queue_names.get(r["queue"], r["queue"]) if r["queue"] else None
    return rows


def waiting_totals(cur: Any, cfg: Config, filters: Filters, now: datetime) -> dict[str, Any]:
    rows = queues_now(cur, cfg, filters, now)
    return {
        "waiting_now": sum(r["waiting_now"] for r in rows),
        "longest_wait_s": max((r["longest_wait_s"] for r in rows), default=None),
    }
