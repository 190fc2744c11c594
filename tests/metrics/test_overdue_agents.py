"""Overdue work and the agent leaderboard (presence from agent events)."""

from datetime import timedelta

import pytest

from data.metrics import Filters, agents, overdue, resolve_period, totals
from tests.metrics.conftest import answered, insert, t

NOW = t("2026-03-10 12:00")
F = Filters()


def test_overdue_and_at_risk(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            # email, no reply: first response due 12 h after (21:00 yesterday) → overdue 15 h
            {
                "contact_id": "e:1",
                "channel": "email",
                "offered_at": t("2026-03-09 09:00"),
                "outcome": "open",
            },
            # replied: resolution due 24 h after → at risk (due 12:20)
            {
                "contact_id": "e:2",
                "channel": "email",
                "offered_at": t("2026-03-09 12:20"),
                "outcome": "answered",
                "first_agent_at": t("2026-03-09 13:00"),
            },
            # the source's own due date wins: due 11:00 → overdue 1 h
            {
                "contact_id": "e:3",
                "channel": "email",
                "offered_at": t("2026-03-10 08:00"),
                "outcome": "answered",
                "first_agent_at": t("2026-03-10 08:10"),
                "due_at": t("2026-03-10 11:00"),
            },
            # resolved: not work
            {
                "contact_id": "e:4",
                "channel": "email",
                "offered_at": t("2026-03-08 08:00"),
                "outcome": "answered",
                "status": "resolved",
            },
            # chat waiting 3 min: first response due after 2 min → overdue 60 s
            {
                "contact_id": "c:1",
                "channel": "chat",
                "offered_at": t("2026-03-10 11:57"),
                "outcome": "open",
            },
            # voice answered: no due
            {
                "contact_id": "v:1",
                "offered_at": t("2026-03-10 11:50"),
                "outcome": "answered",
                "answered_at": t("2026-03-10 11:50:10"),
            },
            # voice call lost 5 h ago (stale): not work
            {"contact_id": "v:2", "offered_at": t("2026-03-10 07:00"), "outcome": "open"},
        ],
    )
    rows = overdue(cur, cfg, F, NOW)
    assert [r["contact_id"] for r in rows] == ["e:1", "e:3", "c:1", "e:2"]
    assert [r["state"] for r in rows] == ["overdue", "overdue", "overdue", "at_risk"]
    assert rows[0]["overdue_s"] == pytest.approx(15 * 3600)
    assert rows[0]["due_kind"] == "first_response" and rows[1]["due_kind"] == "resolution"
    assert rows[3]["overdue_s"] == pytest.approx(-20 * 60)
    assert rows[0]["due_at"] == t("2026-03-09 21:00")
    tot = totals(cur, cfg, resolve_period("today", cfg, NOW), F, NOW)
    assert (tot["overdue"], tot["at_risk"]) == (3, 1)
    assert tot["backlog"] == 5  # the four above and the call in progress (v:1), none overdue
    assert [r["contact_id"] for r in overdue(cur, cfg, Filters(channel="chat"), NOW)] == ["c:1"]
    assert len(overdue(cur, cfg, F, NOW, limit=2)) == 2


def ev(at, agent, event, queue="NONE", reason=None):
    return {"ts": t(at), "agent": agent, "event": event, "queue": queue, "data1": reason}


def test_agent_presence_occupancy_state_missed_rings(store, cur, cfg):
    cfg = cfg.model_copy(update={"teams": {"a1": "red", "a2": "red"}, "agent_names": {"a1": "Ann"}})
    insert(
        store,
        "queue_events",
        [
            ev("2026-03-09 20:00", "a1", "ADDMEMBER", "sales"),  # logged in since yesterday
            ev("2026-03-10 09:00", "a1", "PAUSE", "sales", "lunch"),
            ev("2026-03-10 09:30", "a1", "UNPAUSE", "sales"),
            ev("2026-03-10 10:00", "a1", "PAUSE", "sales", "training"),
            ev("2026-03-10 10:15", "a1", "UNPAUSE", "sales"),
            ev("2026-03-10 08:00", "a2", "AGENTLOGIN"),
            ev("2026-03-10 11:00", "a2", "AGENTLOGOFF"),
            ev("2026-03-10 09:00", "a2", "RINGNOANSWER", "sales"),
            ev("2026-03-10 09:01", "a2", "RINGNOANSWER", "sales"),
            ev("2026-03-09 09:01", "a2", "RINGNOANSWER", "sales"),  # yesterday
        ],
    )
    o = t("2026-03-10 11:58")
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 10:00", 10, talk=300, agent="a1", wrap_s=60.0, source="queue_log"),
            answered(
                "2026-03-10 10:30", 10, talk=200, agent="a2", transferred=False, source="queue_log"
            ),
            {
                "offered_at": o,
                "answered_at": o + timedelta(seconds=30),
                "agent": "a1",
                "outcome": "answered",
                "wait_s": 30.0,
                "source": "queue_log",
            },  # on a call now
            {  # a 3-hour conversation in the chat tool: not in the phone system's occupancy
                "offered_at": t("2026-03-10 08:00"),
                "answered_at": t("2026-03-10 08:01"),
                "ended_at": t("2026-03-10 11:01"),
                "agent": "a1",
                "outcome": "answered",
                "channel": "chat",
                "source": "chat_jsonl",
                "wait_s": 60.0,
            },
        ],
    )
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, NOW), F, NOW)}
    a1, a2 = rows["a1"], rows["a2"]
    assert a1["name"] == "Ann" and a1["team"] == "red" and a1["handled"] == 3
    assert a1["logged_in_s"] == pytest.approx(12 * 3600)  # clipped to midnight .. now
    assert a1["paused_s"] == pytest.approx(45 * 60)
    assert a1["paused_by_reason"] == {"lunch": 1800.0, "training": 900.0}
    assert a1["occupancy"] == pytest.approx(360 / (12 * 3600 - 2700))
    assert a1["state"] == "on_contact" and a1["state_since"] == t("2026-03-10 11:58:30")
    assert a2["logged_in_s"] == pytest.approx(3 * 3600) and a2["missed_rings"] == 2
    assert a2["state"] == "logged_off" and a2["state_since"] == t("2026-03-10 11:00")
    assert a2["occupancy"] == pytest.approx(200 / (3 * 3600))
    assert a2["csat"] is None and a2["transfer_rate"] == 0.0
    # paused now
    insert(store, "queue_events", [ev("2026-03-10 12:00", "a1", "PAUSE", "sales", "break")])
    later = NOW + timedelta(minutes=5)
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, later), F, later)}
    assert rows["a1"]["state"] == "paused" and rows["a1"]["paused_by_reason"]["break"] == 300
    only = agents(cur, cfg, resolve_period("today", cfg, NOW), Filters(agent="a2"), NOW)
    assert [r["agent"] for r in only] == ["a2"]


def test_missed_rings_and_transfers_are_unknown_for_agents_no_phone_log_names(store, cur, cfg):
    """A chat-only agent has no missed-ring or transfer count (–), not 0; a phone agent with
    none missed has 0."""
    insert(
        store,
        "queue_events",
        [
            ev("2026-03-10 08:00", "a1", "ADDMEMBER", "sales"),  # logged in, never rung
            ev("2026-03-10 09:00", "a2", "CONNECT", "sales"),  # rang and answered
            ev("2026-03-10 09:05", "a3", "RINGNOANSWER", "sales"),
            ev("2026-03-10 09:06", "NONE", "ENTERQUEUE", "sales"),  # no agent
        ],
    )
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, agent="a2", transferred=True, source="queue_log"),
            answered("2026-03-10 09:30", 30, agent="c1", channel="chat", source="chat_jsonl"),
        ],
    )
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, NOW), F, NOW)}
    assert set(rows) == {"a1", "a2", "a3", "c1"}
    assert {a: r["missed_rings"] for a, r in rows.items()} == {
        "a1": 0,
        "a2": 0,
        "a3": 1,
        "c1": None,
    }
    assert rows["a2"]["transfers"] == 1 and rows["a2"]["transfer_rate"] == 1.0
    assert rows["c1"]["transfers"] is None and rows["c1"]["transfer_rate"] is None
    chat = agents(cur, cfg, resolve_period("today", cfg, NOW), Filters(channel="chat"), NOW)
    assert [(r["agent"], r["missed_rings"]) for r in chat] == [("c1", None)]


def test_on_contact_since_the_last_change_not_a_chat_open_since_the_morning(store, cur, cfg):
    insert(
        store,
        "queue_events",
        [
            ev("2026-03-10 08:00", "a1", "ADDMEMBER", "sales"),
            ev("2026-03-10 11:00", "a1", "PAUSE", "sales", "break"),
            ev("2026-03-10 11:10", "a1", "UNPAUSE", "sales"),
        ],
    )
    chat = t("2026-03-10 09:00")
    insert(
        store,
        "contacts",
        [
            {  # a chat answered at 09:00, still open
                "offered_at": chat,
                "answered_at": chat + timedelta(minutes=1),
                "agent": "a1",
                "outcome": "open",
                "channel": "chat",
                "source": "chat_jsonl",
            },
            answered("2026-03-10 10:30", 10, talk=600, agent="a1", source="queue_log"),
        ],
    )
    later = t("2026-03-10 11:30")
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, later), F, later)}
    assert rows["a1"]["state"] == "on_contact"
    assert rows["a1"]["state_since"] == t("2026-03-10 11:10")  # back from the break
    # A call taken and ended since: on contact (the chat) since that call ended.
    insert(store, "contacts", [answered("2026-03-10 11:20", 5, talk=60, agent="a1")])
    later = t("2026-03-10 11:40")
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, later), F, later)}
    assert rows["a1"]["state_since"] == t("2026-03-10 11:21:05")  # the end of that call


def test_a_pause_and_an_unpause_in_the_same_second_keep_their_logged_order(store, cur, cfg):
    def at(line: int, agent: str, event: str) -> dict:
        return ev("2026-03-10 10:00", agent, event, "sales", "break") | {"line_no": line}

    insert(
        store,
        "queue_events",
        [
            ev("2026-03-10 08:00", "a1", "ADDMEMBER", "sales"),
            ev("2026-03-10 08:00", "a2", "ADDMEMBER", "sales"),
            at(105, "a1", "UNPAUSE"),
            at(106, "a1", "PAUSE"),  # paused since 10:00
            at(107, "a2", "PAUSE"),
            at(108, "a2", "UNPAUSE"),  # available since 10:00
        ],
    )
    rows = {r["agent"]: r for r in agents(cur, cfg, resolve_period("today", cfg, NOW), F, NOW)}
    assert (rows["a1"]["state"], rows["a1"]["paused_s"]) == ("paused", 2 * 3600)
    assert (rows["a2"]["state"], rows["a2"]["paused_s"]) == ("available", 0)
