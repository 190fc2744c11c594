"""Drill-down queries: agent detail (numbers equal the report's), the agent's day, contact timelines."""

from datetime import timedelta

import pytest

from data.config import Config
from data.metrics import Filters, report, resolve_period
from data.metrics.detail import (
    DETAIL_KEYS,
    agent_detail,
    contact_timeline,
    day_timeline,
    open_work,
    rated_contacts,
)
from tests.metrics.conftest import abandoned, answered, insert, t

NOW = t("2026-03-10 12:00")


@pytest.fixture
def cfg() -> Config:
    return Config(timezone="Europe/Paris", teams={"A1": "Blue", "A2": "Blue", "A3": "Green"})


def _event(ts: str, agent: str, event: str, reason: str | None = None) -> dict:
    return {"ts": t(ts), "callid": "NONE", "queue": "NONE", "agent": agent, "event": event} | (
        {"data1": reason} if reason else {}
    )


@pytest.fixture
def floor(store):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, 120, agent="A1", customer="c1", rating=2.0),
            answered("2026-03-10 09:30", 30, 300, agent="A1", customer="c2", transferred=True),
            answered("2026-03-10 10:00", 5, 60, agent="A2", customer="c3", rating=5.0),
            answered("2026-03-10 10:30", 20, 200, agent="A3", rating=4.0),
            abandoned("2026-03-10 11:00", 40),
            # a week earlier: the comparison period
            answered("2026-03-03 09:00", 10, 100, agent="A1"),
            # email still open, assigned to A1: first response due 12 h after (14:00): open
            {
                "contact_id": "e:1",
                "channel": "email",
                "offered_at": t("2026-03-10 02:00"),
                "outcome": "open",
                "agent": "A1",
            },
            {
                "contact_id": "e:2",
                "channel": "email",
                "offered_at": t("2026-03-09 09:00"),
                "outcome": "open",
                "agent": "A1",
                "rating": 1.0,
                "rating_comment": "[bold]slow[/bold]",
            },
        ],
    )
    insert(
        store,
        "queue_events",
        [
            _event("2026-03-10 08:00", "A1", "AGENTLOGIN"),
            _event("2026-03-10 10:00", "A1", "PAUSE", "Lunch"),
            _event("2026-03-10 10:20", "A1", "UNPAUSE"),
            _event("2026-03-10 08:00", "A2", "AGENTLOGIN"),
            _event("2026-03-10 11:00", "A2", "AGENTLOGOFF"),
            {"ts": t("2026-03-10 09:59"), "callid": "x", "queue": "q", "agent": "A1"}
            | {"event": "RINGNOANSWER", "data1": "15000"},
        ],
    )
    return store


@pytest.mark.parametrize("filters", [Filters(), Filters(queue=None, channel="voice")])
def test_agent_kpis_equal_the_report(floor, cur, cfg, filters):
    period = resolve_period("today", cfg, NOW)
    d = agent_detail(cur, cfg, "A1", period, filters, NOW)
    by_agent = {r["agent"]: r for r in report(cur, cfg, period, filters, NOW, by="agent")["rows"]}
    f_agent = Filters(filters.queue, filters.channel, agent="A1")
    (only,) = report(cur, cfg, period, f_agent, NOW, by="agent")["rows"]
    for key in DETAIL_KEYS:
        assert d.kpis["agent"][key] == by_agent["A1"][key] == only[key], key
    assert d.kpis["agent"]["handled"] == 2 and d.kpis["agent"]["missed_rings"] == 1
    team = report(cur, cfg, period, Filters(filters.queue, filters.channel, team="Blue"), NOW)
    whole = report(cur, cfg, period, filters, NOW)
    for group, rep in (("team", team), ("floor", whole)):
        tot = rep["totals"]
        assert d.kpis[group]["handled"] == tot["answered"]
        for key in ("aht_s", "talk_s", "frt_s", "csat", "fcr", "transfers", "avg_reply_wait_s"):
            assert d.kpis[group][key] == tot[key], (group, key)
        rings = [r["missed_rings"] for r in rep["agents"] if r["missed_rings"] is not None]
        assert d.kpis[group]["missed_rings"] == sum(rings)
    # the comparison period, as the report computes it
    comp = report(cur, cfg, d.comparison, f_agent, NOW - timedelta(days=7), by="agent")["rows"]
    assert d.before["agent"]["handled"] == comp[0]["handled"] == 1


def test_agent_series_lists_and_presence(floor, cur, cfg):
    d = agent_detail(cur, cfg, "A1", resolve_period("today", cfg, NOW), Filters(), NOW)
    assert d.interval == "hour" and len(d.handled_series) == 24
    assert dict((s.hour, n) for s, n in d.handled_series)[9] == 2
    assert len(d.daily) == 30 and d.daily[-1][1] == pytest.approx(210)
    assert d.has_events and d.row["paused_by_reason"] == {"Lunch": 1200.0}
    assert [r["contact_id"] for r in d.open_work] == ["e:2", "e:1"]
    assert [r["state"] for r in d.open_work] == ["overdue", "open"]
    assert [r["rating"] for r in d.recent if r["rating"] is not None] == [2.0]
    assert [r["rating"] for r in d.rated] == [2.0]  # e:2 was offered yesterday
    week = resolve_period("7d", cfg, NOW)
    rated = rated_contacts(cur, cfg, week, Filters(agent="A1"), NOW)
    assert [(r["rating"], r["rating_comment"]) for r in rated] == [
        (1.0, "[bold]slow[/bold]"),
        (2.0, None),
    ]
    assert open_work(cur, cfg, Filters(agent="A3"), NOW) == []


def test_an_agents_state_and_presence_are_theirs_whatever_the_queue_filter(floor, cur, cfg):
    """A2 logged off at 11:00 after 3 h logged in. Under a queue filter with none of A2's
    contacts, the agent screen read "state unknown" and no logged-in time."""
    period = resolve_period("today", cfg, NOW)
    whole = agent_detail(cur, cfg, "A2", period, Filters(), NOW).row
    queued = agent_detail(cur, cfg, "A2", period, Filters(queue="nowhere"), NOW).row
    assert whole["state"] == queued["state"] == "logged_off"
    assert whole["state_since"] == queued["state_since"] == t("2026-03-10 11:00")
    assert whole["logged_in_s"] == queued["logged_in_s"] == 3 * 3600
    assert whole["handled"] == 1 and queued["handled"] == 0  # the contacts are filtered


def test_day_timeline_folds_events_and_contacts(floor, cur, cfg):
    segs = day_timeline(cur, cfg, "A1", NOW)
    got = [(f"{s['start']:%H:%M}", f"{s['end']:%H:%M}", s["state"], s["detail"]) for s in segs]
    assert got == [
        ("00:00", "08:00", "logged off", None),
        ("08:00", "09:00", "available", None),
        ("09:00", "09:02", "on contact", None),
        ("09:02", "09:30", "available", None),
        ("09:30", "09:35", "on contact", None),
        ("09:35", "10:00", "available", None),
        ("10:00", "10:20", "paused", "Lunch"),
        ("10:20", "12:00", "available", None),
    ]
    assert day_timeline(cur, cfg, "nobody", NOW) == []
    assert day_timeline(cur, cfg, "A2", NOW)[-1]["state"] == "logged off"


def test_contact_timeline_of_a_call(store, cur, cfg):
    rows = [
        ("09:00:00", "NONE", "ENTERQUEUE", "", "5550001", "1"),
        ("09:00:15", "A1", "RINGNOANSWER", "15000", "", ""),
        ("09:00:40", "A2", "CONNECT", "40", "x.1", "5"),
        ("09:03:40", "A2", "COMPLETECALLER", "40", "180", "1"),
    ]
    insert(
        store,
        "queue_events",
        [
            {"ts": t(f"2026-03-10 {ts}"), "callid": "c1", "queue": "support", "agent": a}
            | {"event": e, "data1": d1, "data2": d2, "data3": d3}
            for ts, a, e, d1, d2, d3 in rows
        ],
    )
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 40, 180, agent="A2", customer="5550001")
            | {"contact_id": "queue_log:c1:support:1", "source": "queue_log", "source_id": "c1"}
        ],
    )
    tl = contact_timeline(cur, cfg, "queue_log:c1:support:1", NOW)
    assert [e["what"] for e in tl.events] == [
        "entered the queue",
        "rang, no answer",
        "connected",
        "hang-up by the caller",
    ]
    assert [e["gap_s"] for e in tl.events] == [None, 15, 25, 180]
    assert tl.events[0]["text"] == "5550001"  # the caller id is private: masked on screen
    assert "rang 15s" in tl.events[1]["detail"]
    assert [(s["kind"], s["state"]) for s in tl.sla] == [
        ("first response", "met"),
        ("resolution", "no target"),
    ]
    assert contact_timeline(cur, cfg, "nope", NOW) is None
    # Queues and agents by the names the console gives them elsewhere, not the phone system's ids.
    named = cfg.model_copy(
        update={"queue_names": {"support": "Support [desk]"}, "agent_names": {"A2": "Zoë"}}
    )
    tl = contact_timeline(cur, named, "queue_log:c1:support:1", NOW)
    assert tl.events[0]["detail"] == "queue Support [desk], position 1"
    assert tl.events[2]["detail"] == "Zoë, waited 40s"


def test_contact_timeline_of_a_chat(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            {
                "contact_id": "chat:k1",
                "source": "chat_jsonl",
                "source_id": "k1",
                "channel": "chat",
                "offered_at": t("2026-03-10 11:00"),
                "answered_at": t("2026-03-10 11:05"),
                "first_agent_at": t("2026-03-10 11:05"),
                "outcome": "open",
                "customer": "cust1",
                "agent": "A1",
            }
        ],
    )
    texts = [
        ("11:00", "customer", "cust1", "[bold]help[/bold]"),
        ("11:01", "customer", "cust1", "anyone?"),
        ("11:05", "agent", "A1", "hi"),
    ]
    insert(
        store,
        "messages",
        [
            {"conversation_id": "k1", "ts": t(f"2026-03-10 {ts}"), "role": r, "author": a}
            | {"text": x}
            for ts, r, a, x in texts
        ],
    )
    tl = contact_timeline(cur, cfg, "chat:k1", NOW)
    assert [e["text"] for e in tl.events] == ["[bold]help[/bold]", "anyone?", "hi"]
    assert [e["who_private"] for e in tl.events] == [True, True, False]
    assert tl.events[2]["detail"] == "reply after 5m00s"
    assert [s["state"] for s in tl.sla] == ["missed", "pending"]  # FR due 11:02, answered 11:05


def test_a_ticket_replied_to_but_not_resolved_is_still_due_for_resolution(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            {
                "contact_id": "chat:T-1",
                "source": "chat_jsonl",
                "source_id": "T-1",
                "channel": "email",
                "offered_at": t("2026-03-08 09:00"),
                "answered_at": t("2026-03-08 10:00"),
                "first_agent_at": t("2026-03-08 10:00"),
                "outcome": "answered",
                "due_at": t("2026-03-09 09:00"),
            }
        ],
    )
    tl = contact_timeline(cur, cfg, "chat:T-1", NOW)
    # replied within the 12 h first-response target; resolution was due yesterday and never came
    assert [(s["kind"], s["state"]) for s in tl.sla] == [
        ("first response", "met"),
        ("resolution", "overdue"),
    ]
