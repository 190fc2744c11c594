"""Quality: CSAT (share satisfied and mean), first-contact resolution, transfer rate."""

from __future__ import annotations

from typing import Any

from data.metrics.sql import EO_CODES, ratio

ANSWERED = f"eo = {EO_CODES['answered']}"

# Transfer rate = answered contacts transferred / answered contacts whose source records transfers
# (a chat log that says nothing of transfers gives null, not 0).
PARTIALS = f"""count(rating) AS rated,
    count_if(rating >= $csat) AS satisfied,
    sum(rating) AS rating_sum,
    count_if({ANSWERED} AND transferred) AS transfers,
    count_if({ANSWERED} AND transferred IS NOT NULL) AS transfer_den,
    count_if(fcr_ok) AS fcr_num,
    count_if(fcr_in) AS fcr_den"""

TOTALS = """sum(rated)::BIGINT AS rated,
    sum(satisfied)::BIGINT AS satisfied,
    sum(rating_sum) / nullif(sum(rated), 0) AS csat_mean,
    sum(transfers)::BIGINT AS transfers,
    sum(transfer_den)::BIGINT AS transfer_den,
    sum(fcr_num)::BIGINT AS fcr_num,
    sum(fcr_den)::BIGINT AS fcr_den"""


def finish(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "csat": ratio(r["satisfied"] or 0, r["rated"]),
        "csat_mean": r["csat_mean"],
        # Counted only where a source records transfers: a chat log's agents read "–", not 0.
        "transfers": (r["transfers"] or 0) if r["transfer_den"] else None,
        "transfer_rate": ratio(r["transfers"] or 0, r["transfer_den"]),
    }
