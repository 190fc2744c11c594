"""Drill-down: one agent's detail and one contact's timeline.

The agent's KPIs (and the team's and the floor's) come from the leaderboard and totals functions
themselves (`agents`, `totals`, `intervals`), so they equal `floorwatch report --by agent` and
`--agent A` by construction. The only new queries here are the lists (open work, recent and rated
contacts), the agent's state timeline of a day, and a contact's events or messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from data.config import Config
from data.formats.queue_events import AGENT_EVENTS
from data.metrics.agents import (
    LOGIN,
    LOGOFF,
    AgentState,
    _states_at,
    agents,
    current_states,
    presence,
    presence_cells,
)
from data.metrics.filters import Filters, team_of
from data.metrics.kpis import intervals, totals

# The Overdue pane's own notion of open work (same module-private pieces its queries use).
from data.metrics.overdue import _open_work
from data.metrics.overdue import _params as _open_params
from data.metrics.period import Period, comparison_period, default_interval, resolve_period
from data.metrics.sql import (
    EFFECTIVE_OUTCOME,
    HANDLE,
    known_sum,
    params,
    per_channel,
    period_contacts,
    run,
)
from data.units import duration

# The KPIs of the agent screen, in order (METRICS.md "Agents").
DETAIL_KEYS: tuple[str, ...] = (
    "handled",
    "aht_s",
    "talk_s",
    "frt_s",
    "frt_max_s",
    "avg_reply_wait_s",
    "csat",
    "fcr",
    "transfers",
    "missed_rings",
    "occupancy",
)
LIST_LIMIT = 200


@dataclass(frozen=True)
class AgentDetail:
    agent: str
    name: str
    team: str | None
    period: Period
    comparison: Period
    kpis: dict[str, dict[str, Any]]  # "agent" / "team" / "floor" -> DETAIL_KEYS values
    before: dict[str, dict[str, Any]]  # the same in the comparison period
    row: dict[str, Any]  # the agent's leaderboard row (state, presence, every KPI)
    interval: str  # size of the handled-per-interval series
    handled_series: tuple[tuple[datetime, int], ...]
    daily: tuple[tuple[datetime, float | None, float | None], ...]  # day, aht_s, csat (30 days)
    has_events: bool
    timeline: tuple[dict[str, Any], ...]  # today's state segments: start, end, state, detail
    open_work: tuple[dict[str, Any], ...]
    recent: tuple[dict[str, Any], ...]
    rated: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ContactTimeline:
    contact: dict[str, Any]
    events: tuple[dict[str, Any], ...]  # at, gap_s, who, who_private, what, text (private)
    sla: tuple[dict[str, Any], ...]  # kind, due, done_at, state (met, missed, overdue, pending)
    source_events: bool = field(default=True)  # False: the timeline is built from the contact row


# ---- KPIs: the leaderboard and totals functions, per agent / team / floor -------------------------
def _agent_kpis(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in DETAIL_KEYS}


def _group_kpis(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, Any]:
    """A team's or the floor's KPIs: the totals of `report` with those filters, plus missed rings and
    occupancy summed over the agents (occupancy = Σ handle time / Σ available time)."""
    tot = totals(cur, cfg, period, filters, now)
    rows = agents(cur, cfg, period, filters, now)
    available = handle = 0.0
    for r in rows:
        avail = _available(r)
        if r.get("occupancy") is not None and avail:
            available += avail
            handle += r["occupancy"] * avail
    out = {k: tot.get(k) for k in DETAIL_KEYS}
    out["handled"] = tot["answered"]
    out["missed_rings"] = known_sum(r.get("missed_rings") for r in rows)
    out["occupancy"] = handle / available if available > 0 else None
    return out


def _available(row: dict[str, Any]) -> float | None:
    logged = row.get("logged_in_s")
    return logged - (row.get("paused_s") or 0) if logged is not None else None


def agent_row(
    cur: Any, cfg: Config, period: Period, filters: Filters, agent: str, now: datetime
) -> dict[str, Any]:
    """The agent's row of `agents()` under `filters` (+ agent), or an empty row. Their state and
    presence (logged in, paused) are the agent's own whatever the queue or channel filter: under
    'billing' an agent with no billing contact read "state unknown" beside "logged off" unfiltered."""
    f = Filters(filters.queue, filters.channel, agent, filters.team)
    rows = [r for r in agents(cur, cfg, period, f, now) if r["agent"] == agent]
    empty = {k: None for k in DETAIL_KEYS} | {"handled": 0}
    row = rows[0] if rows else empty | {
        "agent": agent,
        "name": cfg.agent_names.get(agent, agent),
        "team": team_of(agent, cfg),
        "paused_by_reason": {},
        "state": None,
        "state_since": None,
    }  # fmt: skip
    if filters.queue or filters.channel:
        # Their presence and state alone (not a second KPI pass): the agent's own, unfiltered.
        own = Filters(agent=agent)
        pr = presence(cur, cfg, period, own, now).get(agent, {})
        row = row | presence_cells(pr, current_states(cur, cfg, own, now).get(agent, (None, None)))
    return row


def _three(
    cur: Any, cfg: Config, period: Period, filters: Filters, agent: str, now: datetime
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    row = agent_row(cur, cfg, period, filters, agent, now)
    team = team_of(agent, cfg)
    floor = Filters(filters.queue, filters.channel)
    kpis = {
        "agent": _agent_kpis(row),
        "team": _group_kpis(cur, cfg, period, Filters(floor.queue, floor.channel, team=team), now)
        if team
        else dict.fromkeys(DETAIL_KEYS),
        "floor": _group_kpis(cur, cfg, period, floor, now),
    }
    return row, kpis


def agent_detail(
    cur: Any,
    cfg: Config,
    agent: str,
    period: Period,
    filters: Filters,
    now: datetime,
    comparison: Period | None = None,
) -> AgentDetail:
    comparison = comparison or comparison_period(period, cfg)
    then = now - (period.start - comparison.start)
    row, kpis = _three(cur, cfg, period, filters, agent, now)
    _, before = _three(cur, cfg, comparison, filters, agent, then)
    f = Filters(filters.queue, filters.channel, agent, filters.team)
    size = default_interval(period)
    handled = intervals(cur, cfg, period, f, size, now=now)
    month = intervals(cur, cfg, resolve_period("30d", cfg, now), f, "day", now=now)
    timeline = day_timeline(cur, cfg, agent, now)
    return AgentDetail(
        agent=agent,
        name=row.get("name") or agent,
        team=team_of(agent, cfg),
        period=period,
        comparison=comparison,
        kpis=kpis,
        before=before,
        row=row,
        interval=size,
        handled_series=tuple((r["start"], r["answered"]) for r in handled),
        daily=tuple((r["start"], r["aht_s"], r["csat"]) for r in month),
        has_events=row.get("logged_in_s") is not None
        or bool(row.get("paused_by_reason"))
        or any(s["state"] != "on contact" for s in timeline),
        timeline=tuple(timeline),
        open_work=tuple(open_work(cur, cfg, f, now)),
        recent=tuple(recent_contacts(cur, cfg, period, f, now)),
        rated=tuple(rated_contacts(cur, cfg, period, f, now)),
    )


# ---- lists ------------------------------------------------------------------------------------
def open_work(cur: Any, cfg: Config, filters: Filters, now: datetime) -> list[dict[str, Any]]:
    """Every open contact under `filters` at `now` (the Overdue pane's notion of open work), with
    its next due time and state: overdue, at_risk or open. Most overdue first."""
    sql = f"""WITH {_open_work(filters)},
w AS (SELECT *, least(fr_due, res_due) AS next_due FROM o)
SELECT contact_id, coalesce(source_id, contact_id) AS id, channel, queue, offered_at, next_due AS due_at,
    CASE WHEN fr_due IS NOT NULL AND (res_due IS NULL OR fr_due <= res_due)
        THEN 'first_response' ELSE 'resolution' END AS due_kind,
    (epoch_us($t::TIMESTAMPTZ) - epoch_us(next_due)) / 1e6 AS overdue_s,
    CASE WHEN next_due < $t THEN 'overdue'
        WHEN next_due < $t + to_seconds($at_risk) THEN 'at_risk' ELSE 'open' END AS state
FROM w ORDER BY overdue_s DESC NULLS LAST, offered_at, contact_id LIMIT $limit"""
    p = _open_params(cfg, filters, now) | {"limit": LIST_LIMIT}
    return _local(run(cur, sql, p), cfg, "offered_at", "due_at")


def recent_contacts(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> list[dict[str, Any]]:
    """The contacts of the period under `filters`, latest first."""
    sql = f"""WITH {period_contacts("total", filters)}
SELECT contact_id, coalesce(source_id, contact_id) AS id, offered_at, channel, queue, eo AS outcome, wait_s, handle_s, rating, topic
FROM c ORDER BY offered_at DESC, contact_id LIMIT $limit"""
    p = params(cfg, filters, now, period) | {"limit": LIST_LIMIT}
    return _local(run(cur, sql, p), cfg, "offered_at")


def rated_contacts(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> list[dict[str, Any]]:
    """Rated contacts of the period under `filters`, lowest rating first (then latest)."""
    sql = f"""WITH {period_contacts("total", filters, " AND rating IS NOT NULL")}
SELECT contact_id, coalesce(source_id, contact_id) AS id, offered_at, channel, queue, rating, rating_comment, topic
FROM c ORDER BY rating, offered_at DESC, contact_id LIMIT $limit"""
    p = params(cfg, filters, now, period) | {"limit": LIST_LIMIT}
    return _local(run(cur, sql, p), cfg, "offered_at")


def _local(rows: list[dict[str, Any]], cfg: Config, *keys: str) -> list[dict[str, Any]]:
    for r in rows:
        for k in keys:
            if r.get(k) is not None:
                r[k] = r[k].astimezone(cfg.zone)
    return rows


# ---- the agent's day ----------------------------------------------------------------------------
_DAY_EVENTS = """SELECT ts, event, queue, reason FROM agent_events
WHERE agent = $f_agent AND ts >= $start AND ts < $t ORDER BY ts, file_id, line_no"""

_DAY_CONTACTS = """SELECT contact_id, answered_at, coalesce(ended_at, $t) AS ended_at FROM contacts
WHERE agent = $f_agent AND answered_at IS NOT NULL AND answered_at < $t
  AND coalesce(ended_at, $t) > $start AND offered_at > $start - INTERVAL 1 DAY
  AND channel IN ('voice', 'chat')
ORDER BY answered_at, contact_id"""


def _state_of(st: AgentState, on_contact: bool) -> tuple[str, str | None]:
    if st.has_login_events and not st.logged_in:
        return "logged off", None
    if st.paused:
        return "paused", st.paused[1] or "(no reason)"
    if on_contact:
        return "on contact", None
    return ("available", None) if st.logged_in else ("", None)


def day_timeline(
    cur: Any, cfg: Config, agent: str, now: datetime, day: Period | None = None
) -> list[dict[str, Any]]:
    """The agent's states over a day (default today, up to now): consecutive segments of
    logged off / available / on contact / paused (with reason) from agent events and the
    voice and chat contacts they handled. Empty when the agent has neither."""
    day = day or resolve_period("today", cfg, now)
    end = min(day.end, now)
    f = Filters(agent=agent)
    p = params(cfg, f, now, day) | {"t": end}
    st = _states_at(cur, params(cfg, f, now), day.start, f).get(agent, AgentState())
    events = run(cur, _DAY_EVENTS, p)
    changes: list[tuple[datetime, int, Any]] = [(e["ts"], 0, e) for e in events]
    # Before the day's first login the agent was logged off, even with no earlier events.
    st.has_login_events |= any(e["event"] in LOGIN | LOGOFF for e in events)
    for c in run(cur, _DAY_CONTACTS, p):
        changes.append((max(c["answered_at"], day.start), 1, +1))
        changes.append((min(c["ended_at"], end), 2, -1))
    if not changes and not st.has_login_events and not st.pauses:
        return []
    changes.sort(key=lambda x: (x[0], x[1]))
    segments: list[dict[str, Any]] = []
    active, since = 0, day.start

    def close(until: datetime) -> None:
        state, detail = _state_of(st, active > 0)
        if until <= since or not state:
            return
        last = segments[-1] if segments else None
        if last and (last["state"], last["detail"]) == (state, detail):
            last["end"] = until
        else:
            segments.append({"start": since, "end": until, "state": state, "detail": detail})

    for ts, kind, value in changes:
        close(ts)
        since = max(since, ts)
        if kind == 0:
            st.apply(value["ts"], value["event"], value["queue"], value["reason"])
        else:
            active = max(active + value, 0)
    close(end)
    for s in segments:
        s["start"], s["end"] = s["start"].astimezone(cfg.zone), s["end"].astimezone(cfg.zone)
        s["duration_s"] = (s["end"] - s["start"]).total_seconds()
    return segments


# ---- one contact ----------------------------------------------------------------------------------
_CONTACT = f"""SELECT *, {EFFECTIVE_OUTCOME} AS eo, {HANDLE} AS handle_s,
    offered_at + to_seconds({per_channel("frt")}) AS fr_due,
    coalesce(due_at, offered_at + to_seconds({per_channel("res")})) AS res_due,
    coalesce(first_agent_at, answered_at) AS replied_at
FROM contacts WHERE contact_id = $contact_id"""

_QUEUE_EVENTS = f"""SELECT ts, queue, agent, event, data1, data2, data3, data4, data5
FROM queue_events
WHERE callid = $source_id AND event NOT IN ({", ".join(repr(e) for e in AGENT_EVENTS)})
ORDER BY ts, file_id, line_no"""

_MESSAGES = """SELECT ts, role, author, text FROM messages
WHERE conversation_id = $source_id ORDER BY ts, line_no"""

_TIMES = ("offered_at", "answered_at", "ended_at", "fr_due", "res_due", "replied_at", "due_at")
QUEUE_WHAT = {
    "ENTERQUEUE": "entered the queue",
    "RINGNOANSWER": "rang, no answer",
    "RINGCANCELED": "ring cancelled",
    "CONNECT": "connected",
    "COMPLETECALLER": "hang-up by the caller",
    "COMPLETEAGENT": "hang-up by the agent",
    "ABANDON": "abandoned",
    "EXITWITHTIMEOUT": "left: queue timeout",
    "EXITWITHKEY": "left: key pressed",
    "EXITEMPTY": "left: queue empty",
    "TRANSFER": "transferred",
    "BLINDTRANSFER": "transferred (blind)",
    "ATTENDEDTRANSFER": "transferred (attended)",
    "AGENTDUMP": "dropped by the agent",
    "SYSCOMPAT": "failed: incompatible channel",
}


def _num(text: Any, scale: float = 1.0) -> float | None:
    try:
        return float(text) / scale
    except (TypeError, ValueError):
        return None


def _seconds(value: float | None) -> str:
    return duration(value, none="?")


def _queue_detail(e: dict[str, Any]) -> tuple[str, str | None]:
    """(detail, private text) of a queue_log event; the caller id is private."""
    ev, d1, d2, d3 = e["event"], e["data1"], e["data2"], e["data3"]
    queue = f"queue {e['queue']}"
    if ev == "ENTERQUEUE":
        return f"{queue}, position {d3 or '?'}", d2 or None
    if ev in ("RINGNOANSWER", "RINGCANCELED"):
        return f"{e['agent']}, rang {_seconds(_num(d1, 1000))}", None
    if ev == "CONNECT":
        return f"{e['agent']}, waited {_seconds(_num(d1))}", None
    if ev in ("COMPLETECALLER", "COMPLETEAGENT"):
        return f"{e['agent']}, talk {_seconds(_num(d2))}", None
    if ev in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"):
        return f"{queue}, waited {_seconds(_num(d3))}", None
    if ev == "EXITWITHKEY":
        return f"{queue}, key {d1 or '?'}, waited {_seconds(_num(e['data4']))}", None
    if ev in ("TRANSFER", "BLINDTRANSFER"):
        return f"{e['agent']} → {d1 or '?'}", None
    return ", ".join(str(v) for v in (e["queue"], e["agent"], d1, d2) if v), None


def _queue_events(rows: list[dict[str, Any]], cfg: Config) -> list[dict[str, Any]]:
    out = []
    for e in rows:
        # Queues and agents in the detail by the names the console gives them elsewhere.
        named = e | {
            "queue": cfg.queue_names.get(e["queue"], e["queue"]),
            "agent": cfg.agent_names.get(e["agent"], e["agent"]),
        }
        detail, private = _queue_detail(named)
        who = e["agent"] if e["agent"] and e["agent"] != "NONE" else "caller"
        out.append(
            {
                "at": e["ts"],
                "who": who,
                "who_private": False,
                "what": QUEUE_WHAT.get(e["event"], e["event"].lower()),
                "detail": detail,
                "text": private,
            }
        )
    return out


def _message_events(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages, with the reply gap on each agent message that answers a customer run."""
    out, waiting_since = [], None
    for m in rows:
        role = m["role"] or "?"
        detail = ""
        if role == "customer" and waiting_since is None:
            waiting_since = m["ts"]
        elif role == "agent":
            if waiting_since is not None:
                gap = (m["ts"] - waiting_since).total_seconds()
                detail = f"reply after {duration(gap)}"
            waiting_since = None
        out.append(
            {
                "at": m["ts"],
                "who": m["author"] or role,
                "who_private": role == "customer",
                "what": f"{role} message",
                "detail": detail,
                "text": m["text"] or "",
            }
        )
    return out


def _synthesised(c: dict[str, Any]) -> list[dict[str, Any]]:
    """Contacts with no raw rows (call-detail records, mapped CSV): offer, answer, end."""
    agent = c["agent"] or "agent"
    out = [{"at": c["offered_at"], "who": "customer", "what": "offered", "detail": c["queue"]}]
    if c["answered_at"]:
        out.append({"at": c["answered_at"], "who": agent, "what": "answered", "detail": ""})
    if c["ended_at"]:
        out.append({"at": c["ended_at"], "who": "", "what": "ended", "detail": c["eo"]})
    return [e | {"who_private": False, "text": None} for e in out]


def _sla_state(
    due: datetime | None, done: datetime | None, ended: datetime | None, now: datetime
) -> str:
    """met / missed / overdue (open, past due) / pending (open, not yet due) / ended first
    (the contact ended before it was due, without the step: an early abandon) / no target."""
    if due is None:
        return "no target"
    if done is not None:
        return "met" if done <= due else "missed"
    if ended is not None:
        return "missed" if ended > due else "ended first"
    return "overdue" if due < now else "pending"


def contact_timeline(
    cur: Any, cfg: Config, contact_id: str, now: datetime
) -> ContactTimeline | None:
    """A contact, its queue events or messages in time order (each with the wait before it), and
    its SLA due times with whether they were met. None when the contact is unknown."""
    p = params(cfg, Filters(), now) | {"contact_id": contact_id}
    found = run(cur, _CONTACT, p)
    if not found:
        return None
    c = _local(found, cfg, *_TIMES)[0]
    events: list[dict[str, Any]] = []
    if c["source_id"] is not None:
        q = {"source_id": c["source_id"]}
        if c["source"] == "queue_log":
            events = _queue_events(run(cur, _QUEUE_EVENTS, q), cfg)
        elif c["channel"] != "voice":
            events = _message_events(run(cur, _MESSAGES, q))
    raw = bool(events)
    events = events or _synthesised(c)
    previous = None
    for e in events:
        e["at"] = e["at"].astimezone(cfg.zone) if e["at"] is not None else None
        e["gap_s"] = (e["at"] - previous).total_seconds() if previous and e["at"] else None
        previous = e["at"] or previous
    # A contact lost or abandoned without an end time ended when offered, as far as its SLAs go;
    # one answered and not yet ended (a ticket replied to, not resolved) is still open work.
    ended = c["ended_at"] or (c["offered_at"] if c["eo"] in ("abandoned", "timeout") else None)
    resolved = c["ended_at"] if c["eo"] == "answered" else None
    sla = (
        {"kind": "first response", "due": c["fr_due"], "done_at": c["replied_at"]},
        {"kind": "resolution", "due": c["res_due"], "done_at": resolved},
    )
    sla = tuple(s | {"state": _sla_state(s["due"], s["done_at"], ended, now)} for s in sla)
    return ContactTimeline(c, tuple(events), sla, raw)
