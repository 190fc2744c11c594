"""Volume and speed: offered, answered, abandons, service level, ASA, AHT; waiting now by queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics.filters import Filters
from data.metrics.sql import EFFECTIVE_OUTCOME, filter_sql, params, ratio, run

SHORT = "(eo = 'abandoned' AND wait_s < $short)"
MET = "wait_s <= sl_t"

# Service level numerator and denominator per cfg.sl_formula. Short abandons are left out of every
# formula (METRICS.md), open contacts too.
SL_FORMULAS: dict[str, tuple[str, str]] = {
    # answered within T / (offered − short abandons − open)
    "floorwatch": (f"eo = 'answered' AND {MET}", f"eo <> 'open' AND NOT {SHORT}"),
    # Asterisk's servicelevelperf: answered within T / answered
    "asterisk": (f"eo = 'answered' AND {MET}", "eo = 'answered'"),
    # Asterisk's servicelevelperf2: (answered + abandoned within T) / (answered + abandoned)
    "asterisk_sl2": (
        f"eo IN ('answered', 'abandoned') AND NOT {SHORT} AND {MET}",
        f"eo IN ('answered', 'abandoned') AND NOT {SHORT}",
    ),
    # Amazon Connect: removed from queue (answered, abandoned, timed out) within T / queued
    "connect": (f"eo <> 'open' AND NOT {SHORT} AND {MET}", f"eo <> 'open' AND NOT {SHORT}"),
}

SL_FORMULA_TEXT: dict[str, str] = {
    "floorwatch": "answered within T / (offered − short abandons − open)",
    "asterisk": "Asterisk SL: answered within T / answered",
    "asterisk_sl2": "Asterisk SL2: (answered + abandoned within T) / (answered + abandoned)",
    "connect": "Amazon Connect: removed from queue within T / queued",
}


def aggregates(cfg: Config) -> str:
    num, den = SL_FORMULAS[cfg.sl_formula]
    return f"""count(*) AS offered,
    count(*) FILTER (eo = 'answered') AS answered,
    count(*) FILTER (eo = 'abandoned') AS abandoned,
    count(*) FILTER {SHORT} AS short_abandoned,
    count(*) FILTER (eo = 'timeout') AS timeout,
    count(*) FILTER (eo = 'open') AS open,
    count(*) FILTER ({num}) AS sl_num,
    count(*) FILTER ({den}) AS sl_den,
    avg(wait_s) FILTER (eo = 'answered') AS asa_s,
    avg(handle_s) FILTER (eo = 'answered') AS aht_s,
    sum(handle_s) FILTER (eo = 'answered') AS handle_sum_s,
    avg(talk_s) FILTER (eo = 'answered') AS talk_s,
    bool_or(hold_s IS NOT NULL) AS has_hold,
    bool_or(wrap_s IS NOT NULL) AS has_wrap"""


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
WHERE offered_at > $stale_before AND offered_at <= $now
  AND answered_at IS NULL AND ended_at IS NULL
  AND ({EFFECTIVE_OUTCOME}) = 'open'{{filters}}
GROUP BY queue ORDER BY queue NULLS LAST
"""


def queues_now(cur: Any, cfg: Config, filters: Filters, now: datetime) -> list[dict[str, Any]]:
    """Contacts in queue now (entered, not answered or ended, not stale), per queue."""
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
