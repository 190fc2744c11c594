"""Quality: CSAT (share satisfied and mean), first-contact resolution, transfer rate."""

from __future__ import annotations

from typing import Any

from data.metrics.sql import ratio

PARTIALS = """count(rating) AS rated,
    count_if(rating >= $csat) AS satisfied,
    sum(rating) AS rating_sum,
    count_if(transferred) AS transfers,
    count_if(fcr_ok) AS fcr_num,
    count_if(fcr_in) AS fcr_den"""

TOTALS = """sum(rated)::BIGINT AS rated,
    sum(satisfied)::BIGINT AS satisfied,
    sum(rating_sum) / nullif(sum(rated), 0) AS csat_mean,
    sum(transfers)::BIGINT AS transfers,
    sum(fcr_num)::BIGINT AS fcr_num,
    sum(fcr_den)::BIGINT AS fcr_den"""


def finish(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "csat": ratio(r["satisfied"] or 0, r["rated"]),
        "csat_mean": r["csat_mean"],
        "transfers": r["transfers"] or 0,
        "transfer_rate": ratio(r["transfers"] or 0, r["answered"]),
    }
