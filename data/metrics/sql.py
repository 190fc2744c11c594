"""Shared SQL pieces: the filtered contact set of a period, and parameter plumbing.

Every value reaches DuckDB as a `$name` parameter; the only text spliced into SQL is fixed fragments
chosen from the dictionaries below (never user data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from data.config import CHANNELS, Config
from data.metrics.filters import Filters, team_members
from data.metrics.period import Period

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")

# The team of an agent, from cfg.teams passed as two parallel lists.
TEAM_EXPR = "list_extract($team_names::VARCHAR[], list_position($team_agents::VARCHAR[], agent))"
TOPIC_EXPR = "coalesce(topic, tags[1])"
INTERVAL_KEYS = ("15min", "hour", "day")

KEYS: dict[str, str] = {
    "total": "NULL::VARCHAR",
    "agent": "agent",
    "queue": "queue",
    "channel": "channel",
    "team": TEAM_EXPR,
    "topic": TOPIC_EXPR,
    # The start of the local wall-clock interval as an instant: on a 25-hour day the repeated hour
    # gives two distinct starts.
    "hour": "offered_at - (timezone($tz, offered_at) - date_trunc('hour', timezone($tz, offered_at)))",
    "15min": "offered_at - (timezone($tz, offered_at)"
    " - time_bucket(INTERVAL 15 MINUTE, timezone($tz, offered_at)))",
    "day": "timezone($tz, date_trunc('day', timezone($tz, offered_at)))",
}

# Staleness: a live contact (a call, a chat) with no event (offer or answer) for cfg.stale_after_s
# has lost its terminal event. Written work (email, social, sms, tickets) waits for days by nature:
# it stays open until it ends.
LIVE_CHANNELS = "('voice', 'chat')"
# Open work is looked for this far back (overdue, written work waiting now): zone maps prune the
# rest of the table; work left open longer is taken as closed by its source without a record.
HORIZON_DAYS = 90
STALE = f"(channel IN {LIVE_CHANNELS} AND coalesce(answered_at, offered_at) < $stale_before)"

# Outcome once staleness is applied: an open contact that ended, or is stale, is no longer open:
# answered if an agent connected, else timeout (the system lost it; it is neither waiting nor a
# customer abandon).
EFFECTIVE_OUTCOME = f"""CASE WHEN outcome = 'open' AND (ended_at IS NOT NULL
        OR {STALE})
    THEN CASE WHEN answered_at IS NOT NULL THEN 'answered' ELSE 'timeout' END
    ELSE outcome END"""

# The effective outcome as a small integer (cheaper to filter on than text) for the slice (column
# `eo`): EO_CODES[outcome].
EO_CODES = {"answered": 1, "abandoned": 2, "timeout": 3, "open": 4}
EO_CODE = f"""(CASE WHEN outcome = 'open' AND (ended_at IS NOT NULL
        OR {STALE})
    THEN CASE WHEN answered_at IS NOT NULL THEN {EO_CODES["answered"]} ELSE {EO_CODES["timeout"]} END
    ELSE CASE outcome {" ".join(f"WHEN '{k}' THEN {v}" for k, v in EO_CODES.items())} END END)::UTINYINT"""

# Resolved: the source's flag, else its status, else (no notion of resolution: calls, plain chats)
# answered and ended.
RESOLVED = """coalesce(resolved, CASE WHEN status IS NOT NULL THEN status IN ('resolved', 'closed') END,
    outcome = 'answered' AND ended_at IS NOT NULL)"""

# Written work: a chat, email, social or other contact from a source that records its messages
# (a chat/ticket log, a mapped CSV). A phone system's record of a queue that config maps to chat
# (`queue_channels`) has no messages and no resolution: not written, whatever its channel.
CALL_SOURCES = "('queue_log', 'asterisk_cdr', 'freeswitch_cdr')"
WRITTEN = f"(channel <> 'voice' AND source NOT IN {CALL_SOURCES})"

# Resolution rate is over contacts that can be resolved: written work, and calls whose source
# records resolution (a "Resolved" column, a status). A plain queue_log call has no such notion.
RECORDS_RESOLUTION = f"({WRITTEN} OR resolved IS NOT NULL OR status IS NOT NULL)"

# Handle time: talk + hold + wrap where the source gives talk time; for a call or chat log's
# voice/chat without it, ended − answered. Email/social without talk time have no handle time,
# nor has a mapped CSV without a talk column (a ticket export's "Phone" tickets: ended − answered
# is first response to resolution, days). Ended when answered (a chat closed with no close time
# whose last message is its one reply) is not known, not 0 s.
HANDLE = """CASE WHEN talk_s IS NOT NULL THEN talk_s + coalesce(hold_s, 0) + coalesce(wrap_s, 0)
    WHEN channel IN ('voice', 'chat') AND source <> 'mapped_csv' AND ended_at > answered_at
    THEN (epoch_us(ended_at) - epoch_us(answered_at)) / 1e6 END"""


def per_channel(prefix: str) -> str:
    """CASE channel WHEN 'voice' THEN $prefix_voice ... ELSE $prefix_other END."""
    whens = " ".join(f"WHEN '{ch}' THEN ${prefix}_{ch}" for ch in CHANNELS)
    return f"(CASE channel {whens} ELSE ${prefix}_other END)"


def channel_params(prefix: str, values: dict[str, float], default: float | None) -> dict[str, Any]:
    return {f"{prefix}_{ch}": values.get(ch, default) for ch in CHANNELS}  # type: ignore[call-overload]


def filter_sql(filters: Filters) -> str:
    """` AND ...` conditions on contacts for the filters that are set."""
    parts = []
    if filters.queue:
        parts.append("queue = $f_queue")
    if filters.channel:
        parts.append("channel = $f_channel")
    if filters.agent:
        parts.append("agent = $f_agent")
    if filters.team:
        parts.append("list_contains($f_team_agents::VARCHAR[], agent)")
    return "".join(f" AND {p}" for p in parts)


def params(cfg: Config, filters: Filters, now: datetime, period: Period | None = None) -> dict:
    """Every parameter the metric queries may use; `run` passes only those a query names."""
    p: dict[str, Any] = {
        "tz": cfg.timezone,
        "now": now,
        "stale_before": now - timedelta(seconds=cfg.stale_after_s),
        "stale_s": cfg.stale_after_s,
        "short": cfg.short_abandon_s,
        "csat": cfg.csat_satisfied,
        "at_risk": cfg.at_risk_s,
        "team_agents": list(cfg.teams),
        "team_names": list(cfg.teams.values()),
        "f_queue": filters.queue,
        "f_channel": filters.channel,
        "f_agent": filters.agent,
        "f_team_agents": team_members(filters.team, cfg) if filters.team else [],
        **channel_params("sl", dict(cfg.sl_threshold_s), cfg.sl_threshold("other")),
        **channel_params("frt", dict(cfg.frt_target_s), None),
        **channel_params("res", dict(cfg.resolution_target_s), None),
    }
    if period is not None:
        p["start"], p["end"] = period.start, period.end
        p["fcr_end"] = period.end + timedelta(hours=cfg.fcr_window_h)
        p["fcr_window_s"] = cfg.fcr_window_h * 3600
    return p


def run(cur: Any, sql: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Execute with the named parameters `sql` uses; rows as dicts."""
    used = {m for m in _PARAM.findall(sql)}
    rel = cur.execute(sql, {k: values[k] for k in used})
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


def period_contacts(key: str, filters: Filters, extra: str = "") -> str:
    """The CTE `c`: contacts offered in [$start, $end) passing the filters, with derived columns."""
    if key in INTERVAL_KEYS:
        # Interval starts come from Python ($starts, wall clock, DST-aware): an ASOF join is much
        # faster than converting every row with timezone().
        source = (
            "contacts ASOF JOIN (SELECT unnest($starts::TIMESTAMPTZ[]) AS k) b ON offered_at >= b.k"
        )
        head = "SELECT *"
    else:
        source, head = "contacts", f"SELECT {KEYS[key]} AS k, *"
    return f"""c AS (
    {head}, coalesce(source_id, contact_id) AS sid,
        {EFFECTIVE_OUTCOME} AS eo,
        {RESOLVED} AS is_resolved,
        {RECORDS_RESOLUTION} AS records_resolution,
        {HANDLE} AS handle_s,
        {per_channel("sl")} AS sl_t
    FROM {source}
    WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}{extra}
)"""


# Interval buckets: every local interval start (15 min, hour, day) of a zone whose UTC offsets are
# whole quarter hours falls on a 15-minute UTC boundary, so a contact's interval is looked up from
# its 15-minute UTC bucket (an integer) in `$imap` (bucket - $ib0 -> interval start), worked out in
# Python on the wall clock (DST-aware). A zone with another offset falls back to an ASOF join.
BUCKET_US = 900_000_000
BUCKET = f"epoch_us(offered_at) // {BUCKET_US}"
BUCKET_START = "list_extract($imap::TIMESTAMPTZ[], ({col} - $ib0 + 1)::BIGINT)"


def interval_params(period: Period, size: str, zone: Any) -> dict[str, Any]:
    """Parameters of the interval key: $imap/$ib0 (buckets), or $starts when some interval start is
    not on a 15-minute UTC boundary."""
    from data.metrics.period import interval_starts

    starts = interval_starts(period, size, zone)
    us = [(s - _EPOCH) // timedelta(microseconds=1) for s in starts]
    if not starts or any(u % BUCKET_US for u in us):
        return {"starts": starts}
    b0 = us[0] // BUCKET_US
    b_end = -(-((period.end - _EPOCH) // timedelta(microseconds=1)) // BUCKET_US)
    imap, i = [], 0
    for b in range(b0, max(b_end, b0 + 1)):
        while i + 1 < len(us) and us[i + 1] <= b * BUCKET_US:
            i += 1
        imap.append(starts[i])
    return {"imap": imap, "ib0": b0}


def _fcr_fallback_ctes() -> str:
    """For contacts whose next_contact_at is not worked out yet (rows written straight into the
    table, not through data/writer.py): the customer's next call found here (METRICS.md FCR: another
    source_id offered after this call, within the window), as `next_at` by (nxt_customer, nxt_sid)."""
    return """pending AS (
    SELECT DISTINCT customer FROM contacts
    WHERE offered_at >= $start AND offered_at < $end AND next_contact_at IS NULL
      AND customer IS NOT NULL
),
calls AS (
    SELECT customer, coalesce(source_id, contact_id) AS sid, min(offered_at) AS first_at
    FROM contacts
    WHERE offered_at >= $start AND offered_at < $fcr_end
      AND customer IN (SELECT customer FROM pending)
    GROUP BY ALL
),
nxt AS (
    SELECT customer AS nxt_customer, sid AS nxt_sid,
        lead(first_at) OVER (PARTITION BY customer ORDER BY first_at, sid) AS next_at
    FROM calls
),
"""


def slice_sql(
    keys: tuple[str, ...],
    filters: Filters,
    *,
    fcr_fallback: bool = False,
    bucket: bool = False,
    extra: str = "",
    columns: str | None = None,
) -> str:
    """The CTE `c` (with the CTEs it needs before it): one row per contact offered in
    [$start, $end) passing the filters, with a column `k_<key>` per key (sql.KEYS; at most one
    interval key: its start from `$imap`/`$ib0`, or from `$starts` by an ASOF join; with `bucket`,
    a column `kb` instead: the 15-minute UTC bucket, or the ASOF start) and the derived columns every
    KPI needs (eo, is_resolved, handle_s, sl_t, sid, fcr_ok, fcr_in). FCR reads next_contact_at; with
    `fcr_fallback` the contacts that lack it get it from `_fcr_fallback_ctes`. `columns`: only these
    columns after the keys (a query that needs few: DuckDB materialises every column of `c` it
    groups by grouping sets, used or not)."""
    cols, source, ctes = [], "contacts", ""
    for key in keys:
        if key in INTERVAL_KEYS:
            name = "kb" if bucket else f"k_{key}"
            cols.append(f"{{interval}} AS {name}")
        elif key != "total":
            cols.append(f"{KEYS[key]} AS k_{key}")
    nx = "next_contact_at"
    if fcr_fallback:
        ctes = _fcr_fallback_ctes()
        source = (
            "contacts LEFT JOIN nxt ON next_contact_at IS NULL AND nxt_customer = customer"
            " AND nxt_sid = coalesce(source_id, contact_id)"
        )
        nx = "coalesce(next_contact_at, next_at, 'infinity'::TIMESTAMPTZ)"
    heads = "".join(f"{c}, " for c in cols)
    if columns is not None:
        return f"""{ctes}c AS (
    SELECT {heads}{columns}
    FROM {source}
    WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}{extra}
)"""
    return f"""{ctes}c AS (
    SELECT {heads}offered_at, customer, fcr, channel, source, wait_s, talk_s, hold_s, wrap_s, frt_s,
        rating, transferred, agent_messages, first_agent_at, ended_at, resolution_s, messages,
        source_id,
        coalesce(source_id, contact_id) AS sid,
        {WRITTEN} AS is_written,
        {EO_CODE} AS eo,
        {RESOLVED} AS is_resolved,
        {RECORDS_RESOLUTION} AS records_resolution,
        {HANDLE} AS handle_s,
        {per_channel("sl")} AS sl_t,
        coalesce(fcr, {RESOLVED} AND customer IS NOT NULL
            AND {nx} > offered_at + to_seconds($fcr_window_s)) AS fcr_ok,
        fcr IS NOT NULL OR ({RESOLVED} AND customer IS NOT NULL) AS fcr_in
    FROM {source}
    WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}{extra}
)"""


def interval_sql(sql: str, p: dict[str, Any], bucket: bool = False) -> str:
    """Fill the `{interval}` of slice_sql for the interval parameters in `p` (interval_params)."""
    if "{interval}" not in sql:
        return sql
    if "imap" in p and bucket:
        return sql.replace("{interval}", BUCKET)
    if "imap" in p:
        # A hash join on the bucket: list_extract on the $imap list, row by row, cost a median
        # query over 30 days a sixth of its CPU.
        join = (
            " JOIN (SELECT unnest(range($ib0, $ib0 + len($imap::TIMESTAMPTZ[]))) AS kb_,"
            " unnest($imap::TIMESTAMPTZ[]) AS k) b ON b.kb_ = " + BUCKET
        )
    else:
        join = " ASOF JOIN (SELECT unnest($starts::TIMESTAMPTZ[]) AS k) b ON offered_at >= b.k"
    sql = sql.replace("{interval}", "b.k")
    # The join belongs to `c`, the last CTE of slice_sql: the FCR fallback's CTEs before it read
    # contacts too.
    head, found, tail = sql.rpartition("\n    FROM contacts")
    if not found:
        raise ValueError("interval_sql: no contacts slice to join interval starts to")
    return head + found + join + tail


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, None when there is nothing to divide by (a KPI with no data is null, never 0)."""
    if num is None or not den:
        return None
    return num / den


def known_sum(values: Iterable[float | None]) -> float | None:
    """The sum of the values that are known; None when none is (a count no source records)."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None
