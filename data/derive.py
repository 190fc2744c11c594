"""Contacts derived from raw rows: queue segments from queue_log events, conversations from messages.

Derivation is a rebuild of the contacts of the calls and conversations a batch touched, so a call
whose events arrive in two files (a rotation mid-call), in any order, ends as the same contact.

Queue segments (METRICS.md "The contact"): a call that enters two queues is one contact per queue
entry. Events of a call are assigned to the latest ENTERQUEUE of the same queue before them.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from data.config import Config
from data.formats.common import known_caller_sql
from data.formats.queue_events import AGENT_EVENTS, TERMINAL, TRANSFERS
from data.store import CONTACT_COLUMNS

STALE_MARGIN_US = (
    24 * 3600 * 1_000_000
)  # calls are far shorter; files of a rotation are near in time

# First-contact resolution looks this far ahead for a customer's next contact (next_contact_at):
# a batch changes next_contact_at only of contacts offered up to this long before its own, so the
# refresh reads a bounded time range (zone maps prune the rest). cfg.fcr_window_h may not exceed it
# (data/config.py): a next contact further away than the window leaves FCR met, whatever is stored.
FCR_HORIZON_H = 720
_HORIZON_US = FCR_HORIZON_H * 3600 * 1_000_000
HOUR_US = 3_600_000_000
_INPUT = ", ".join(name for name, _ in CONTACT_COLUMNS)

RESOLVED_STATUSES = ("resolved", "closed", "solved")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)  # constants of this module only, never user data


_QUEUE_SEGMENTS = f"""
WITH ev AS (
    SELECT e.* FROM queue_events e
    WHERE e.callid IN (SELECT id FROM affected_ids)
      AND e.event NOT IN ({_in(AGENT_EVENTS)})
      {{window}}
),
entries AS (
    SELECT callid, queue, count(*) AS n, min(ts) AS first_at
    FROM ev WHERE event = 'ENTERQUEUE' GROUP BY ALL
),
-- seg_no: how many entries of the call into the queue come at or before the event. Nearly every
-- call enters a queue once: then it is 1 from that entry on, with no window over the events (a
-- window of a million three-row partitions was most of a cold load).
seg AS (
    SELECT ev.*, CASE WHEN ev.ts IS NULL OR ev.ts >= x.first_at THEN 1 ELSE 0 END AS seg_no
    FROM ev JOIN entries x ON x.callid = ev.callid AND x.queue IS NOT DISTINCT FROM ev.queue
    WHERE x.n = 1
    UNION ALL
    -- A call back in the queue (transferred back): within a second, its entry comes before the
    -- rest (a CONNECT in the same second joins it), except the end of the previous segment (the
    -- transfer that sent it back is logged in the same second as the new entry).
    SELECT * EXCLUDE (entry_now, seg_upto),
        CASE WHEN entry_now AND seg_upto > 1 AND event IN ({_in(TERMINAL)}) THEN seg_upto - 1
            ELSE seg_upto END AS seg_no
    FROM (
        SELECT ev.*,
            bool_or(event = 'ENTERQUEUE') OVER (PARTITION BY ev.callid, ev.queue, ev.ts)
                AS entry_now,
            sum(CASE WHEN event = 'ENTERQUEUE' THEN 1 ELSE 0 END) OVER (
                PARTITION BY ev.callid, ev.queue
                ORDER BY ev.ts, CASE WHEN event = 'ENTERQUEUE' THEN 0 ELSE 1 END, file_id, line_no
                ROWS UNBOUNDED PRECEDING) AS seg_upto
        FROM ev JOIN entries x ON x.callid = ev.callid AND x.queue IS NOT DISTINCT FROM ev.queue
        WHERE x.n > 1
    )
),
agg AS (
    SELECT callid, queue, seg_no,
        min(ts) FILTER (event = 'ENTERQUEUE') AS offered_at,
        arg_min(file_id, ts) FILTER (event = 'ENTERQUEUE') AS file_id,
        arg_min(line_no, ts) FILTER (event = 'ENTERQUEUE') AS line_no,
        arg_min(data2, ts) FILTER (event = 'ENTERQUEUE') AS callerid,
        min(ts) FILTER (event = 'CONNECT') AS answered_at,
        arg_max(agent, ts) FILTER (event = 'CONNECT') AS agent,
        arg_min(data1, ts) FILTER (event = 'CONNECT') AS connect_hold,
        max(ts) FILTER (event IN ({_in(TERMINAL)})) AS ended_at,
        arg_max(event, ts) FILTER (event IN ({_in(TERMINAL)})) AS end_event,
        arg_max(data2, ts) FILTER (event IN ({_in(TERMINAL)})) AS end_d2,
        arg_max(data3, ts) FILTER (event IN ({_in(TERMINAL)})) AS end_d3,
        arg_max(data4, ts) FILTER (event IN ({_in(TERMINAL)})) AS end_d4,
        bool_or(event IN ({_in(TRANSFERS)})) AS transferred
    FROM seg WHERE seg_no >= 1
    GROUP BY callid, queue, seg_no
)
SELECT
    (hash('queue_log', callid, queue, seg_no) >> 1)::BIGINT AS row_key,
    file_id::INTEGER, line_no,
    'queue_log:' || callid || ':' || queue || ':' || seg_no AS contact_id,
    'queue_log' AS source,
    callid AS source_id,
    coalesce(qc.channel, 'voice') AS channel,
    queue,
    agent,
    {known_caller_sql("callerid")} AS customer,
    offered_at,
    answered_at,
    ended_at,
    CASE
        WHEN answered_at IS NOT NULL
            THEN coalesce(try_cast(connect_hold AS DOUBLE), epoch(answered_at - offered_at))
        WHEN end_event IN ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY')
            THEN coalesce(try_cast(end_d3 AS DOUBLE), epoch(ended_at - offered_at))
        WHEN end_event = 'EXITWITHKEY'
            THEN coalesce(try_cast(end_d4 AS DOUBLE), epoch(ended_at - offered_at))
        ELSE epoch(ended_at - offered_at)
    END AS wait_s,
    CASE
        WHEN answered_at IS NULL THEN NULL
        WHEN end_event IN ('COMPLETEAGENT', 'COMPLETECALLER') THEN try_cast(end_d2 AS DOUBLE)
        WHEN end_event IN ({_in(TRANSFERS)}) THEN try_cast(end_d4 AS DOUBLE)
        WHEN ended_at IS NOT NULL THEN epoch(ended_at - answered_at)
    END AS talk_s,
    -- queue_log records neither hold nor wrap-up time: null, so the report can say so.
    NULL::DOUBLE AS hold_s, NULL::DOUBLE AS wrap_s,
    CASE
        WHEN answered_at IS NOT NULL THEN 'answered'
        WHEN end_event = 'ABANDON' THEN 'abandoned'
        WHEN end_event IN ('EXITWITHTIMEOUT', 'EXITWITHKEY', 'EXITEMPTY') THEN 'timeout'
        WHEN end_event IS NOT NULL THEN 'abandoned'
        ELSE 'open'
    END AS outcome,
    coalesce(transferred, false) AS transferred,
    NULL::BOOLEAN AS resolved, NULL AS status, NULL AS priority, NULL::TIMESTAMPTZ AS due_at,
    NULL AS topic, NULL::VARCHAR[] AS tags,
    NULL::DOUBLE AS rating, NULL::DOUBLE AS rating_raw, NULL::DOUBLE AS rating_scale,
    NULL AS rating_comment,
    NULL::TIMESTAMPTZ AS first_customer_at, NULL::TIMESTAMPTZ AS first_agent_at,
    NULL::DOUBLE AS frt_s, NULL::DOUBLE AS resolution_s,
    NULL::INTEGER AS messages, NULL::INTEGER AS agent_messages, NULL::BOOLEAN AS fcr
FROM agg LEFT JOIN queue_channel_map qc USING (queue)
WHERE offered_at IS NOT NULL
"""

_CONVERSATIONS = f"""
WITH m AS (
    SELECT conversation_id,
        min(ts) AS first_ts,
        max(ts) AS last_ts,
        min(ts) FILTER (role = 'customer') AS first_customer_at,
        min(ts) FILTER (role = 'agent') AS first_agent_at,
        -- FRT's reply: the first agent message at or after the customer's first (an agent who
        -- writes first, proactively, has not yet responded to anything)
        min(ts) FILTER (role = 'agent' AND ts >= first_customer_ts) AS first_reply_at,
        count(*) FILTER (role IN ('customer', 'agent')) AS messages,
        count(*) FILTER (role = 'agent') AS agent_messages,
        arg_max(author, ts) FILTER (role = 'agent') AS last_agent,
        arg_min(author, ts) FILTER (role = 'customer') AS first_customer,
        arg_min(channel, ts) FILTER (channel IS NOT NULL) AS channel,
        arg_min(queue, ts) FILTER (queue IS NOT NULL) AS queue,
        arg_min(file_id, ts) AS file_id,
        arg_min(line_no, ts) AS line_no
    FROM (
        SELECT *, min(ts) FILTER (role = 'customer') OVER (PARTITION BY conversation_id)
            AS first_customer_ts
        FROM messages WHERE conversation_id IN (SELECT id FROM affected_ids)
    )
    GROUP BY conversation_id
),
f AS (
    -- Facts may come on several lines: the latest non-null value of each field wins. A line with no
    -- time of its own counts as older than every dated one (but still counts); among lines of the
    -- same time the later line wins.
    SELECT conversation_id,
        arg_max(created_at, fts) FILTER (created_at IS NOT NULL) AS created_at,
        arg_max(channel, fts) FILTER (channel IS NOT NULL) AS channel,
        arg_max(queue, fts) FILTER (queue IS NOT NULL) AS queue,
        arg_max(status, fts) FILTER (status IS NOT NULL) AS status,
        arg_max(resolved_at, fts) FILTER (resolved_at IS NOT NULL) AS resolved_at,
        arg_max(priority, fts) FILTER (priority IS NOT NULL) AS priority,
        arg_max(due_at, fts) FILTER (due_at IS NOT NULL) AS due_at,
        arg_max(tags, fts) FILTER (tags IS NOT NULL) AS tags,
        arg_max(rating, fts) FILTER (rating IS NOT NULL) AS rating,
        arg_max(rating_raw, fts) FILTER (rating IS NOT NULL) AS rating_raw,
        arg_max(rating_scale, fts) FILTER (rating IS NOT NULL) AS rating_scale,
        arg_max(rating_comment, fts) FILTER (rating_comment IS NOT NULL) AS rating_comment,
        arg_max(customer, fts) FILTER (customer IS NOT NULL) AS customer,
        arg_max(agent, fts) FILTER (agent IS NOT NULL) AS agent,
        arg_max(topic, fts) FILTER (topic IS NOT NULL) AS topic,
        min(ts) AS first_fact_ts,
        arg_min(file_id, fts) AS file_id,
        arg_min(line_no, fts) AS line_no
    FROM (
        SELECT *, (coalesce(ts, '-infinity'::TIMESTAMPTZ), file_id, line_no) AS fts
        FROM conversations
        WHERE conversation_id IN (SELECT id FROM affected_ids)
    )
    GROUP BY conversation_id
),
c AS (
    SELECT
        coalesce(m.conversation_id, f.conversation_id) AS conversation_id,
        coalesce(f.file_id, m.file_id) AS file_id,
        coalesce(f.line_no, m.line_no) AS line_no,
        coalesce(f.channel, m.channel, 'chat') AS channel,
        coalesce(f.queue, m.queue) AS queue,
        coalesce(f.agent, m.last_agent) AS agent,
        coalesce(f.customer, m.first_customer) AS customer,
        coalesce(f.created_at, m.first_ts, f.first_fact_ts) AS offered_at,
        m.first_agent_at AS answered_at,
        lower(f.status) IN ({_in(RESOLVED_STATUSES)}) AS is_resolved,
        f.resolved_at, m.last_ts, f.status, f.priority, f.due_at, f.tags, f.topic,
        f.rating, f.rating_raw, f.rating_scale, f.rating_comment,
        m.first_customer_at, m.first_agent_at, m.first_reply_at, m.messages, m.agent_messages
    FROM m FULL OUTER JOIN f ON m.conversation_id = f.conversation_id
)
SELECT
    (hash('chat', conversation_id) >> 1)::BIGINT AS row_key,
    file_id::INTEGER, line_no,
    'chat:' || conversation_id AS contact_id,
    'chat_jsonl' AS source,
    conversation_id AS source_id,
    channel, queue, agent, customer,
    offered_at,
    answered_at,
    -- Closed with no close time: it ended at its last message, as far as anyone can tell (it is
    -- over: not on an agent's hands, not waiting). A handle or resolution time of 0 s that this
    -- gives is not known, not 0 (sql.HANDLE, written.RESOLUTION_S).
    CASE WHEN is_resolved THEN coalesce(resolved_at, last_ts) END AS ended_at,
    -- Closed unanswered: the wait runs to the close time. Without one it is not known (the
    -- last message says only that the customer was still there then; with a single message
    -- that gave 0 s, a short abandon): NULL.
    CASE
        WHEN answered_at IS NOT NULL THEN epoch(answered_at - offered_at)
        WHEN is_resolved THEN epoch(resolved_at - offered_at)
    END AS wait_s,
    NULL::DOUBLE AS talk_s, NULL::DOUBLE AS hold_s, NULL::DOUBLE AS wrap_s,
    CASE
        WHEN answered_at IS NOT NULL THEN 'answered'
        WHEN is_resolved THEN 'abandoned'
        ELSE 'open'
    END AS outcome,
    NULL::BOOLEAN AS transferred,  -- chat logs do not record transfers
    coalesce(is_resolved, false) AS resolved,
    lower(status) AS status, priority, due_at,
    coalesce(topic, tags[1]) AS topic, tags,
    rating, rating_raw, rating_scale, rating_comment,
    first_customer_at, first_agent_at,
    epoch(first_reply_at - first_customer_at) AS frt_s,
    NULL::DOUBLE AS resolution_s,
    messages::INTEGER, agent_messages::INTEGER,
    NULL::BOOLEAN AS fcr
FROM c
WHERE offered_at IS NOT NULL
"""


Ids = set[str] | pa.Array


@dataclass
class Touched:
    """Customers and offer times of the contacts a transaction wrote or deleted: whose
    next_contact_at must be worked out again (refresh_next_contacts)."""

    customers: list[pa.ChunkedArray | pa.Array] = field(default_factory=list)
    lo: int | None = None  # epoch µs
    hi: int | None = None
    # UTC hours (epoch µs // HOUR_US) of every contact written, deleted or updated: the kept
    # per-day sums of those days are forgotten (metrics/rollup.py).
    hours: set[int] = field(default_factory=set)
    # False when the store keeps no per-day sums (a cold load, check, report): nothing reads
    # `hours` then, so the statements that would only work them out are skipped.
    want_hours: bool = True

    def changed(self, rows: pa.Table) -> None:
        """Contacts changed in place (`rows`: column offered_at): their hours only."""
        if rows.num_rows and self.want_hours:
            stamps = rows.column("offered_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
            hours = pc.divide(stamps, pa.scalar(HOUR_US, pa.int64()))
            self.hours.update(h for h in pc.unique(hours).to_pylist() if h is not None)

    def add(self, rows: pa.Table) -> None:
        """`rows`: columns customer, offered_at (as RETURNING gives them)."""
        if not rows.num_rows:
            return
        self.changed(rows)
        self.customers.append(rows.column("customer"))
        stamps = rows.column("offered_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        mm = pc.min_max(stamps).as_py()
        if mm["min"] is None:
            return
        self.lo = mm["min"] if self.lo is None else min(self.lo, mm["min"])
        self.hi = mm["max"] if self.hi is None else max(self.hi, mm["max"])


# Per (customer, call): the first offer of the customer's next call (another source_id) in time
# order (ties by source id), 'infinity' when none. Segments of one call share their call's value.
_NEXT_OF = """(
    WITH k AS (
        SELECT customer, coalesce(source_id, contact_id) AS sid, min(offered_at) AS first_at
        FROM contacts
        WHERE customer IS NOT NULL {scan}
        GROUP BY ALL
    )
    SELECT customer, sid, coalesce(
        lead(first_at) OVER (PARTITION BY customer ORDER BY first_at, sid),
        'infinity'::TIMESTAMPTZ) AS nx
    FROM k
) n"""
_CHANGED = """contacts.customer = n.customer AND coalesce(contacts.source_id, contacts.contact_id) = n.sid
  AND contacts.next_contact_at IS DISTINCT FROM n.nx {update}"""
_NEXT = f"UPDATE contacts SET next_contact_at = n.nx\nFROM {_NEXT_OF}\nWHERE {_CHANGED}"
# The offer times of the contacts whose FCR (next contact later than the window) the update flips:
# the days whose kept sums it changes (a repeat a month later changes next_contact_at, not FCR).
_FCR_FLIPS = f"""SELECT contacts.offered_at FROM contacts, {_NEXT_OF}
WHERE {_CHANGED}
  AND (contacts.next_contact_at > contacts.offered_at + to_seconds(?))
      IS DISTINCT FROM (n.nx > contacts.offered_at + to_seconds(?))"""


def refresh_next_contacts(cur, touched: Touched, fcr_window_s: float | None = None) -> None:
    """Work next_contact_at out again for the customers `touched` names, over the contacts whose
    value can have changed: the touched ones and those offered up to FCR_HORIZON_H before whose
    next contact is at or after the earliest touched one (a later contact further away does not
    matter to FCR). Every other contact's next comes before the batch, unchanged; so the range is
    read for two fixed-width columns, and customer only where those match.

    The hours of the contacts changed go to `touched.hours` (their days' kept sums are forgotten):
    with `fcr_window_s`, only those whose FCR the change flips; without, every one changed."""
    if touched.lo is None:
        return
    lo, hi = touched.lo, touched.hi
    between = "offered_at BETWEEN make_timestamptz(?) AND make_timestamptz(?)"
    _update_returning(
        cur,
        f"UPDATE contacts SET next_contact_at = '-infinity'::TIMESTAMPTZ WHERE {between} "
        "AND customer IS NULL AND next_contact_at IS NULL",
        [lo, hi],
        touched,
    )
    customers = pa.chunked_array(
        [c for col in touched.customers for c in getattr(col, "chunks", [col])], pa.string()
    )
    customers = pc.unique(customers).drop_null()
    if not len(customers):
        return
    recent = "(offered_at >= make_timestamptz(?) OR next_contact_at >= make_timestamptz(?))"
    since = lo - STALE_MARGIN_US
    cur.register("touched_customers", pa.table({"customer": customers}))
    try:
        parts = {
            "scan": f"AND {between} AND {recent} AND customer IN (SELECT customer FROM touched_customers)",
            "update": f"AND contacts.{between} AND {recent.replace('(offered_at', '(contacts.offered_at').replace('OR next', 'OR contacts.next')}",
        }
        window = [lo - _HORIZON_US - STALE_MARGIN_US, hi + 2 * _HORIZON_US, since, since]
        if not touched.want_hours:
            cur.execute(_NEXT.format(**parts), window + window).fetchall()
        elif fcr_window_s is None:
            _update_returning(cur, _NEXT.format(**parts), window + window, touched)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # see write_returning
                flips = cur.execute(
                    _FCR_FLIPS.format(**parts), window + window + [fcr_window_s, fcr_window_s]
                ).to_arrow_table()
            touched.changed(flips)
            cur.execute(_NEXT.format(**parts), window + window)
    finally:
        cur.unregister("touched_customers")


def _refresh_and_forget(cur, config: Config, touched: Touched) -> None:
    """next_contact_at for what `touched` holds, then the kept sums of the days it changed."""
    from data.metrics import rollup

    refresh_next_contacts(cur, touched, config.fcr_window_h * 3600)
    rollup.forget(cur, touched.hours)


def _update_returning(cur, sql: str, params: list, touched: Touched) -> None:
    """Run an UPDATE on contacts, adding the hours of the rows it changed to `touched`."""
    if not touched.want_hours:
        cur.execute(sql, params).fetchall()
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # see write_returning
        rows = cur.execute(sql + " RETURNING contacts.offered_at", params).to_arrow_table()
    touched.changed(rows)


def refresh_all_next_contacts(cur) -> None:
    """next_contact_at of every contact (a store made before the column, a full rebuild). Every
    kept per-day sum is forgotten."""
    from data.metrics import rollup

    rollup.forget_all(cur)
    cur.execute(_NEXT.format(scan="", update=""))
    cur.execute(
        "UPDATE contacts SET next_contact_at = '-infinity'::TIMESTAMPTZ "
        "WHERE customer IS NULL AND next_contact_at IS DISTINCT FROM '-infinity'::TIMESTAMPTZ"
    )


def _id_array(ids: Ids) -> pa.Array:
    if isinstance(ids, pa.Array):
        return ids.cast(pa.string())
    return pa.array(sorted(ids), pa.string())


def _register(cur, config: Config, ids: Ids) -> None:
    cur.register("affected_ids", pa.table({"id": _id_array(ids)}))
    cur.register(
        "queue_channel_map",
        pa.table(
            {
                "queue": pa.array(list(config.queue_channels), pa.string()),
                "channel": pa.array(list(config.queue_channels.values()), pa.string()),
            }
        ),
    )


def _callids(ids: Ids) -> Ids:
    """Call ids that can have contacts: not empty, not NONE or REALTIME (system lines)."""
    if isinstance(ids, pa.Array):
        ids = ids.cast(pa.string()).drop_null()
        return ids.filter(pc.invert(pc.is_in(ids, pa.array(["", "NONE", "REALTIME"]))))
    return {k for k in ids if k and k not in ("NONE", "REALTIME")}


def after_insert(
    cur,
    config: Config,
    tables: set[str],
    keys: dict[str, Ids],
    ts_range: tuple[int, int] | None = None,
    touched: Touched | None = None,
) -> None:
    """Rebuild the contacts of the calls and conversations whose raw rows just changed.
    With `touched`, the contacts deleted and written are added to it (the caller refreshes
    next_contact_at once for the whole batch); without, next_contact_at is refreshed here."""
    own = touched is None
    touched = Touched() if touched is None else touched
    if "queue_events" in tables:
        ids = _callids(keys.get("callid", set()))
        if len(ids):
            rebuild_queue_log(cur, config, ids, ts_range, touched)
    if tables & {"messages", "conversations"}:
        ids = keys.get("conversation_id", set())
        if len(ids):
            rebuild_conversations(cur, config, ids, touched)
    if own:
        _refresh_and_forget(cur, config, touched)


def write_returning(cur, sql: str, params: list, touched: Touched) -> int:
    """Run an INSERT/DELETE on contacts, adding the rows it wrote or deleted to `touched`."""
    with warnings.catch_warnings():
        # The extra copy of the (few) returned rows that DuckDB warns about is cheap.
        warnings.simplefilter("ignore", UserWarning)
        rows = cur.execute(sql + " RETURNING customer, offered_at", params).to_arrow_table()
    touched.add(rows)
    return rows.num_rows


def rebuild_queue_log(
    cur,
    config: Config,
    ids: Ids,
    ts_range: tuple[int, int] | None = None,
    touched: Touched | None = None,
) -> None:
    own = touched is None
    touched = Touched() if touched is None else touched
    _register(cur, config, ids)
    window, params = "", []
    if ts_range is not None:
        lo, hi = ts_range[0] - STALE_MARGIN_US, ts_range[1] + STALE_MARGIN_US
        window = "AND e.ts BETWEEN make_timestamptz(?) AND make_timestamptz(?)"
        params = [lo, hi]
    delete_window = window.replace("e.ts", "offered_at")
    write_returning(
        cur,
        "DELETE FROM contacts WHERE source = 'queue_log' "
        f"AND source_id IN (SELECT id FROM affected_ids) {delete_window}",
        params,
        touched,
    )
    write_returning(
        cur,
        f"INSERT INTO contacts ({_INPUT}) " + _QUEUE_SEGMENTS.replace("{window}", window),
        params,
        touched,
    )
    _unregister(cur)
    if own:
        _refresh_and_forget(cur, config, touched)


def rebuild_conversations(cur, config: Config, ids: Ids, touched: Touched | None = None) -> None:
    own = touched is None
    touched = Touched() if touched is None else touched
    _register(cur, config, ids)
    write_returning(
        cur,
        "DELETE FROM contacts WHERE source = 'chat_jsonl' "
        "AND source_id IN (SELECT id FROM affected_ids)",
        [],
        touched,
    )
    write_returning(cur, f"INSERT INTO contacts ({_INPUT}) " + _CONVERSATIONS, [], touched)
    _unregister(cur)
    if own:
        _refresh_and_forget(cur, config, touched)


def rebuild_all(cur, config: Config) -> None:
    """Every derived contact again (the caller holds the transaction)."""
    callids = _callids(column_of(cur, "SELECT DISTINCT callid FROM queue_events"))
    if len(callids):
        rebuild_queue_log(cur, config, callids, touched=Touched())
    convs = column_of(
        cur, "SELECT conversation_id FROM messages UNION SELECT conversation_id FROM conversations"
    ).drop_null()
    if len(convs):
        rebuild_conversations(cur, config, convs, Touched())
    # Call-detail contacts are the readers' rows, not derived: what the readers now decide of
    # them (a withheld caller id is no customer) is applied to the ones stored.
    known = known_caller_sql("customer")
    cur.execute(
        f"UPDATE contacts SET customer = {known} WHERE source IN ('asterisk_cdr', 'freeswitch_cdr') "
        f"AND customer IS NOT NULL AND {known} IS NULL"
    )
    refresh_all_next_contacts(cur)


def column_of(cur, sql: str, params: list | None = None) -> pa.Array:
    """The first column of a statement's result, as one array."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # see write_returning
        return cur.execute(sql, params or []).to_arrow_table().column(0).combine_chunks()


# Raise when a change to the SQL above changes what it derives from the same raw rows: stores
# derived before it are derived again on their next run (a rewrite that derives the same, like
# the segment numbering without a window, keeps it).
# 2: a conversation closed with no reply and no close time has no wait (was the time to its
# last message: 0 s for one message, a short abandon).
# 3: a rule for conversations closed with no close time, taken back the same day (ended_at NULL
# read as still open): the metrics leave their 0 s durations out instead.
# 4: a withheld caller id (anonymous, unknown...) is no customer (all of them were one customer).
DERIVATION_VERSION = 4


def derivation_key(config: Config) -> str:
    """What derived contacts depend on besides the raw rows: the queue -> channel map of the
    configuration and the version of the derivation."""
    text = json.dumps(
        {"queue_channels": config.queue_channels, "version": DERIVATION_VERSION}, sort_keys=True
    )
    return hashlib.md5(text.encode()).hexdigest()


def bring_up_to_date(cur, config: Config) -> bool:
    """Derive every contact again when the store's were derived with another configuration (say
    queue_channels changed since the last run on this --db) or another DERIVATION_VERSION; True
    when it did. A store from before the key is taken as derived with today's settings (as
    ingest takes its files as read with them). One transaction: a kill half way leaves the
    contacts as they were, to be redone."""
    key = derivation_key(config)
    row = cur.execute("SELECT value FROM meta WHERE key = 'derivation_key'").fetchall()
    if row and row[0][0] == key:
        return False
    cur.execute("BEGIN TRANSACTION")
    try:
        if row:
            rebuild_all(cur, config)
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('derivation_key', ?)", [key])
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return bool(row)


def _unregister(cur) -> None:
    cur.unregister("affected_ids")
    cur.unregister("queue_channel_map")
