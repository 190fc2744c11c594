"""Quality: CSAT (share satisfied and mean), first-contact resolution, transfer rate."""

from __future__ import annotations

from typing import Any

from data.metrics.filters import Filters
from data.metrics.sql import period_contacts, ratio

AGGREGATES = """count(rating) AS rated,
    count(*) FILTER (rating >= $csat) AS satisfied,
    avg(rating) AS csat_mean,
    count(*) FILTER (transferred) AS transfers"""


def finish(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "csat": ratio(r["satisfied"] or 0, r["rated"]),
        "csat_mean": r["csat_mean"],
        "transfers": r["transfers"] or 0,
        "transfer_rate": ratio(r["transfers"] or 0, r["answered"]),
    }


def fcr_sql(key: str, filters: Filters) -> str:
    """FCR numerator and denominator per key.

    A source's own `fcr` flag wins (the contact counts with its flag). Otherwise a resolved contact with
    a known customer is first-contact resolved when the same customer made no other contact (another
    call/conversation: another source_id, so the segments of one transferred call are not repeats)
    offered in the `cfg.fcr_window_h` hours *after* it, on any queue or channel.
    """
    return f"""
WITH {period_contacts(key, filters)},
calls AS (
    SELECT customer, coalesce(source_id, contact_id) AS sid, min(offered_at) AS first_at
    FROM contacts
    WHERE offered_at >= $start AND offered_at < $fcr_end
      AND customer IN (SELECT customer FROM c WHERE fcr IS NULL AND is_resolved)
    GROUP BY ALL
),
nxt AS (
    SELECT customer, sid,
        lead(first_at) OVER (PARTITION BY customer ORDER BY first_at, sid) AS next_at
    FROM calls
)
SELECT c.k,
    count(*) FILTER (c.fcr OR (c.fcr IS NULL AND c.is_resolved AND c.customer IS NOT NULL
        AND (nxt.next_at IS NULL OR (epoch_us(nxt.next_at) - epoch_us(c.offered_at)) / 1e6 > $fcr_window_s))) AS fcr_num,
    count(*) FILTER (c.fcr IS NOT NULL OR (c.is_resolved AND c.customer IS NOT NULL)) AS fcr_den
FROM c LEFT JOIN nxt ON c.fcr IS NULL AND nxt.customer = c.customer AND nxt.sid = c.sid
GROUP BY c.k
"""


# Per contact of the slice `c` (sql.slice_sql): the FCR numerator and denominator flags, so FCR is
# worked out once per slice and then summed per key (same definition as fcr_sql).
# Every customer's calls are listed (no semi-join on the slice's customers: it costs more than it
# saves); the flags of a contact read `nxt` only when it has no own flag and is resolved.
FCR_CTES = """calls AS (
    SELECT customer, coalesce(source_id, contact_id) AS sid, min(offered_at) AS first_at
    FROM contacts
    WHERE offered_at >= $start AND offered_at < $fcr_end AND customer IS NOT NULL
    GROUP BY ALL
),
nxt AS (
    SELECT customer, sid,
        lead(first_at) OVER (PARTITION BY customer ORDER BY first_at, sid) AS next_at
    FROM calls
),
f AS (
    SELECT c.*,
        c.fcr OR (c.fcr IS NULL AND c.is_resolved AND c.customer IS NOT NULL AND (nxt.next_at IS NULL
            OR (epoch_us(nxt.next_at) - epoch_us(c.offered_at)) / 1e6 > $fcr_window_s)) AS fcr_ok,
        c.fcr IS NOT NULL OR (c.is_resolved AND c.customer IS NOT NULL) AS fcr_in
    FROM c LEFT JOIN nxt ON c.fcr IS NULL AND nxt.customer = c.customer AND nxt.sid = c.sid
)"""

FCR_AGGREGATES = """count(*) FILTER (fcr_ok) AS fcr_num,
    count(*) FILTER (fcr_in) AS fcr_den"""
