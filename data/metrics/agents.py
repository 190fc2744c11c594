"""The agent leaderboard: KPIs over the contacts each agent handled, missed rings, and from agent
events (queue_log logins, memberships, pauses) logged-in time, paused time by reason, occupancy and
the current state.

Logged in: an agent-level login (AGENTLOGIN/AGENTCALLBACKLOGIN … LOGOFF) or a queue membership
(ADDMEMBER … REMOVEMEMBER) is on; an agent is logged in while any is. Paused: a PAUSE on any queue
(or PAUSEALL) not yet lifted; the reason is that of the latest pause. Time is clipped to
[period start, min(period end, now)); paused time counts only while logged in (when the agent has
login events at all). Occupancy = handle time of the phone system's contacts (queue_log) handled in
the period / (logged in − paused): the logged-in time is the phone system's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from data.config import Config
from data.metrics.filters import Filters, team_members, team_of
from data.metrics.kpis import kpi_rows, public
from data.metrics.period import Period
from data.metrics.sql import HANDLE, filter_sql, params, ratio, run
from data.metrics.together import together

LOGIN = {"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"}
LOGOFF = {"AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "REMOVEMEMBER"}
PAUSES = {"PAUSE", "PAUSEALL"}
UNPAUSES = {"UNPAUSE", "UNPAUSEALL"}
MEMBER_EVENTS = {"ADDMEMBER", "REMOVEMEMBER"}
# The state before a period (logged in? paused?) is folded from the agent events of this many days
# before it, so the scan is bounded by ts: a login or pause older than that with nothing since is
# taken as stale (queue_log has membership/login events at least at every restart of the PBX).
LOOKBACK_DAYS = 35


def _agent_filter(filters: Filters, column: str = "agent") -> str:
    parts = []
    if filters.agent:
        parts.append(f"{column} = $f_agent")
    if filters.team:
        parts.append(f"list_contains($f_team_agents::VARCHAR[], {column})")
    return "".join(f" AND {p}" for p in parts)


@dataclass
class AgentState:
    """One agent's login and pause state, folded over its events in time order."""

    logins: dict[str, datetime] = field(default_factory=dict)  # login key -> since
    pauses: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)
    has_login_events: bool = False
    last_change: datetime | None = None  # latest login/logoff/unpause

    @property
    def logged_in(self) -> bool:
        return bool(self.logins)

    @property
    def paused(self) -> tuple[datetime, str | None] | None:
        return max(self.pauses.values(), key=lambda v: v[0]) if self.pauses else None

    def apply(self, ts: datetime, event: str, queue: str | None, reason: str | None) -> None:
        if event in LOGIN or event in LOGOFF:
            self.has_login_events = True
            key = f"q:{queue}" if event in MEMBER_EVENTS else "agent"
            if event in LOGIN:
                self.logins.setdefault(key, ts)
            else:
                self.logins.pop(key, None)
                if not self.logins:
                    self.pauses.clear()
            self.last_change = ts
        elif event in PAUSES:
            self.pauses["*" if event == "PAUSEALL" else f"q:{queue}"] = (ts, reason or None)
        elif event in UNPAUSES:
            if event == "UNPAUSEALL":
                self.pauses.clear()
            else:
                self.pauses.pop(f"q:{queue}", None)
                self.pauses.pop("*", None)
            self.last_change = ts


_EVENTS = """SELECT agent, ts, event, queue, reason FROM agent_events
WHERE agent IS NOT NULL AND ts < $t_end AND ts >= $t_from{agents}
ORDER BY agent, ts, file_id, line_no"""


def _events(cur: Any, p: dict, t_from: datetime, t_end: datetime, filters: Filters) -> list:
    sql = _EVENTS.format(agents=_agent_filter(filters))
    return run(cur, sql, p | {"t_from": t_from, "t_end": t_end})


def _prior_events(cur: Any, p: dict, before: datetime, filters: Filters) -> list[dict]:
    """Per agent, queue and event family, the last agent event before `before` (the state then)."""
    # The last by time, then by place in the exports: a pause and an unpause in the same second
    # are in the order they were logged (arg_max by time alone picked either).
    sql = f"""SELECT agent, max(ts) AS ts, arg_max(event, (ts, file_id, line_no)) AS event, queue,
    arg_max(reason, (ts, file_id, line_no)) AS reason
FROM agent_events WHERE agent IS NOT NULL AND ts < $before AND ts >= $lookback{_agent_filter(filters)}
GROUP BY agent, queue, event IN ('PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL')
ORDER BY agent, max((ts, file_id, line_no))"""
    return run(cur, sql, p | {"before": before, "lookback": before - timedelta(days=LOOKBACK_DAYS)})


def _states_at(cur: Any, p: dict, at: datetime, filters: Filters) -> dict[str, AgentState]:
    states: dict[str, AgentState] = {}
    for r in _prior_events(cur, p, at, filters):
        states.setdefault(r["agent"], AgentState()).apply(
            r["ts"], r["event"], r["queue"], r["reason"]
        )
    return states


def presence(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, dict[str, Any]]:
    """Per agent with events: logged_in_s, paused_s, paused_by_reason over the period so far."""
    p = params(cfg, filters, now, period)
    end = min(period.end, now)
    if end <= period.start:
        return {}
    states = _states_at(cur, p, period.start, filters)
    out: dict[str, dict[str, Any]] = {}
    clock: dict[str, datetime] = {}

    def account(agent: str, until: datetime) -> None:
        st, acc = states[agent], out[agent]
        since = clock.get(agent, period.start)
        dt = (until - since).total_seconds()
        if dt > 0:
            if st.logged_in:
                acc["logged_in_s"] += dt
            pause = st.paused
            if pause and (st.logged_in or not st.has_login_events):
                acc["paused_s"] += dt
                reason = pause[1] or "(none)"
                acc["paused_by_reason"][reason] = acc["paused_by_reason"].get(reason, 0.0) + dt
        clock[agent] = until

    def touch(agent: str) -> None:
        states.setdefault(agent, AgentState())
        out.setdefault(agent, {"logged_in_s": 0.0, "paused_s": 0.0, "paused_by_reason": {}})

    for agent in list(states):
        touch(agent)
    for e in _events(cur, p, period.start, end, filters):
        touch(e["agent"])
        account(e["agent"], e["ts"])
        states[e["agent"]].apply(e["ts"], e["event"], e["queue"], e["reason"])
    for agent in out:
        account(agent, end)
    for agent, acc in out.items():
        if not states[agent].has_login_events:
            acc["logged_in_s"] = None
    if any(acc["logged_in_s"] for acc in out.values()):
        for r in run(cur, _PHONE_HANDLE.format(filters=filter_sql(filters)), p):
            if r["agent"] in out:
                out[r["agent"]]["phone_handle_s"] = r["handle_s"]
    return out


# Occupancy's handle time: the contacts of the phone system, whose login and pause events give the
# logged-in time it is divided by. An agent of the phone queues who also answers the chat tool's
# conversations (hours long, several at once) would otherwise be busy 300 % of the time.
_PHONE_HANDLE = f"""SELECT agent, sum({HANDLE}) AS handle_s FROM contacts
WHERE source = 'queue_log' AND offered_at >= $start AND offered_at < $end
    AND answered_at IS NOT NULL AND agent IS NOT NULL{{filters}}
GROUP BY agent"""


def current_states(
    cur: Any, cfg: Config, filters: Filters, now: datetime
) -> dict[str, tuple[str | None, datetime | None]]:
    """agent -> (state, since) at `now`: logged_off, paused, on_contact, available."""
    p = params(cfg, filters, now)
    states = _states_at(cur, p, now, filters)
    sql = f"""SELECT agent,
    min(answered_at) FILTER (answered_at IS NOT NULL AND answered_at <= $now
        AND (ended_at IS NULL OR ended_at > $now) AND outcome IN ('answered', 'open')
        AND channel IN ('voice', 'chat') AND answered_at >= $stale_before) AS on_since,
    max(ended_at) FILTER (ended_at <= $now) AS last_end
FROM contacts
WHERE offered_at > $now - INTERVAL 1 DAY AND offered_at <= $now AND agent IS NOT NULL
    {_agent_filter(filters)}
GROUP BY agent"""
    contacts = {r["agent"]: r for r in run(cur, sql, p)}
    out: dict[str, tuple[str | None, datetime | None]] = {}
    for agent in set(states) | set(contacts):
        st = states.get(agent, AgentState())
        c = contacts.get(agent, {})
        if st.has_login_events and not st.logged_in:
            out[agent] = ("logged_off", st.last_change)
        elif st.paused:
            out[agent] = ("paused", st.paused[0])
        elif c.get("on_since"):
            # On contact since their last change of state: a chat left open since the morning
            # does not make a day of calls and breaks one contact of hours.
            since = [t for t in (c["on_since"], c.get("last_end"), st.last_change) if t is not None]
            out[agent] = ("on_contact", max(since))
        elif st.has_login_events:
            times = [t for t in (st.last_change, c.get("last_end")) if t is not None]
            out[agent] = ("available", max(times) if times else None)
        else:
            out[agent] = (None, None)
    return {a: (s, t.astimezone(cfg.zone) if t is not None else None) for a, (s, t) in out.items()}


def missed_rings(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, int]:
    """RINGNOANSWER events per agent in the period, for every agent the phone system's queue log
    rang in it (0: rung and answered, never missed); with the agents logged in on it (presence), an
    agent it does not name has no count
    (voice only: none under another channel filter)."""
    if filters.channel and filters.channel != "voice":
        return {}
    queue = " AND queue = $f_queue" if filters.queue else ""
    sql = f"""SELECT agent, count_if(event = 'RINGNOANSWER') AS n FROM queue_events
WHERE event IN ('RINGNOANSWER', 'CONNECT') AND ts >= $start AND ts < $end AND agent IS NOT NULL
    {queue}{_agent_filter(filters)}
GROUP BY agent"""
    return {r["agent"]: r["n"] for r in run(cur, sql, params(cfg, filters, now, period))}


AGENT_KEYS = (
    "agent",
    "name",
    "team",
    "handled",
    "aht_s",
    "talk_s",
    "frt_s",
    "frt_max_s",
    "avg_reply_wait_s",
    "messages_sent",
    "csat",
    "csat_mean",
    "fcr",
    "transfers",
    "transfer_rate",
    "missed_rings",
    "logged_in_s",
    "paused_s",
    "paused_by_reason",
    "occupancy",
    "state",
    "state_since",
)


def agents(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> list[dict[str, Any]]:
    """One row per agent who handled a contact, missed a ring, or (with no queue/channel filter)
    has agent events in the period; most handled first. Rows hold AGENT_KEYS then every KPI."""
    # The KPI rows and the extras do not depend on each other: side by side (together.py).
    by_agent, extras = together(
        cur,
        lambda c: kpi_rows(c, cfg, period, filters, now, "agent"),
        lambda c: agent_extras(c, cfg, period, filters, now),
    )
    return agent_rows(cur, cfg, period, filters, now, by_agent, extras)


# What the leaderboard needs besides the KPI rows: missed rings, presence, current states.
AgentExtras = tuple[
    dict[str, int],
    dict[str, dict[str, Any]],
    dict[str, tuple[str | None, datetime | None]],
]


def agent_extras(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> AgentExtras:
    """Missed rings, presence over the period and current states, the three side by side."""
    rings, pres, states = together(
        cur,
        lambda c: missed_rings(c, cfg, period, filters, now),
        lambda c: presence(c, cfg, period, filters, now),
        lambda c: current_states(c, cfg, filters, now),
    )
    return rings, pres, states


def presence_cells(pr: dict[str, Any], state: tuple[str | None, datetime | None]) -> dict[str, Any]:
    """An agent row's presence and state, from presence() and current_states()."""
    return {
        "logged_in_s": pr.get("logged_in_s"),
        "paused_s": pr.get("paused_s") if pr else None,
        "paused_by_reason": pr.get("paused_by_reason", {}),
        "state": state[0],
        "state_since": state[1],
    }


def agent_rows(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    by_agent: dict[Any, dict[str, Any]],
    extras: AgentExtras | None = None,
) -> list[dict[str, Any]]:
    """agents() from KPI rows already computed per agent (kpis.kpi_sets); `extras`: what
    agent_extras() gives, when the caller fetched it already."""
    from data.metrics.kpis import empty_row

    kpis = {k: v for k, v in by_agent.items() if k}
    rings, pres, states = extras or agent_extras(cur, cfg, period, filters, now)
    if filters.queue or filters.channel:
        pres = {a: v for a, v in pres.items() if a in kpis or a in rings}
    names = set(kpis) | set(rings) | set(pres)
    if filters.team:
        names &= set(team_members(filters.team, cfg))
    rows = []
    for agent in names:
        k = kpis.get(agent) or empty_row()
        pr = pres.get(agent, {})
        logged, paused = pr.get("logged_in_s"), pr.get("paused_s")
        available = logged - (paused or 0) if logged is not None else None
        handle = pr.get("phone_handle_s")
        row = {
            "agent": agent,
            "name": cfg.agent_names.get(agent, agent),
            "team": team_of(agent, cfg),
            "handled": k["answered"],
            "aht_s": k["aht_s"],
            "talk_s": k["talk_s"],
            "frt_s": k["frt_s"],
            "frt_max_s": k["frt_max_s"],
            "avg_reply_wait_s": k["avg_reply_wait_s"],
            "messages_sent": k["messages_sent"],
            "csat": k["csat"],
            "csat_mean": k["csat_mean"],
            "fcr": k["fcr"],
            "transfers": k["transfers"],
            "transfer_rate": k["transfer_rate"],
            # An agent logged in on the phone system (its agent events) was rung 0 times when
            # no ring was missed; one it never names (chat only) has no count.
            "missed_rings": rings.get(agent, 0 if agent in pres else None),
            **presence_cells(pr, states.get(agent, (None, None))),
            "occupancy": ratio(handle or 0, available) if available and available > 0 else None,
        }
        rows.append(row | {key: v for key, v in public(k).items() if key not in row})
    rows.sort(key=lambda r: (-r["handled"], r["agent"]))
    return rows
