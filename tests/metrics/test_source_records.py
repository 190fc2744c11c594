"""KPIs from what each source does and does not record, loaded from files through the real readers:
a chat log's fact lines, proactive chats, written work that waits for days, queue_log's missing
hold and wrap-up times."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from data.config import Config
from data.ingest import Ingestor
from data.metrics import Filters, report, resolve_period, totals
from data.store import Store
from tests.metrics.conftest import t

NOW = t("2026-03-10 12:00")
CFG = Config(timezone="Europe/Paris")


def load(tmp_path: Path, name: str, lines: list[str]) -> Store:
    folder = tmp_path / "exports"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    store = Store()
    Ingestor(store, CFG, folder).scan([folder])
    return store


def jl(**fields: object) -> str:
    return json.dumps(fields)


def contact(store: Store, source_id: str) -> dict:
    cur = store.cursor().execute("SELECT * FROM contacts WHERE source_id = ?", [source_id])
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_a_fact_line_without_channel_or_time_keeps_what_the_messages_and_it_say(tmp_path):
    store = load(
        tmp_path,
        "chats.jsonl",
        [
            jl(conversation_id="B", ts="2026-03-10T09:10:00+01:00", role="customer", author="b@",
               channel="email", queue="billing", text="hi"),
            jl(conversation_id="B", ts="2026-03-10T09:40:00+01:00", role="agent", author="olga",
               text="looking"),
            # names no channel and no time: must not turn the email into a chat, and still counts
            jl(type="conversation", conversation_id="B", status="resolved", rating=5,
               resolved_at="2026-03-10T10:00:00+01:00"),
            # two undated fact lines: the later line wins
            jl(conversation_id="C", ts="2026-03-10T09:20:00+01:00", role="customer", author="c@",
               channel="chat", text="hi"),
            jl(type="conversation", conversation_id="C", status="open"),
            jl(type="conversation", conversation_id="C", status="closed"),
        ],
    )  # fmt: skip
    b, c = contact(store, "B"), contact(store, "C")
    assert b["channel"] == "email" and b["status"] == "resolved" and b["rating"] == 5
    assert c["status"] == "closed" and c["resolved"] is True
    tot = totals(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    assert tot["csat"] == 1.0 and tot["resolution_rate"] == 1.0
    assert tot["transfer_rate"] is None  # a chat log records no transfers: null, never 0


def test_frt_counts_from_the_customers_first_message_to_the_next_agent_message(tmp_path):
    store = load(
        tmp_path,
        "chats.jsonl",
        [
            # proactive: the agent writes first, the customer answers 10 min later, reply at 20 min
            jl(conversation_id="P", ts="2026-03-10T09:00:00+01:00", role="agent", author="olga",
               channel="chat", text="can we help?"),
            jl(conversation_id="P", ts="2026-03-10T09:10:00+01:00", role="customer", author="p@",
               text="yes"),
            jl(conversation_id="P", ts="2026-03-10T09:20:00+01:00", role="agent", author="olga",
               text="ok"),
            # proactive and never answered by the customer: no FRT at all
            jl(conversation_id="Q", ts="2026-03-10T09:30:00+01:00", role="agent", author="olga",
               channel="chat", text="still there?"),
        ],
    )  # fmt: skip
    assert contact(store, "P")["frt_s"] == 600
    assert contact(store, "Q")["frt_s"] is None
    tot = totals(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    assert tot["frt_s"] == 600 and tot["frt_median_s"] == 600


def test_written_work_stays_open_however_long_it_waits_calls_go_stale(tmp_path):
    store = load(
        tmp_path,
        "mail.jsonl",
        [
            jl(conversation_id="E1", ts="2026-03-10T07:00:00+01:00", role="customer", author="a@",
               channel="email", queue="mail", text="invoice?"),
            jl(conversation_id="E2", ts="2026-03-10T11:00:00+01:00", role="customer", author="b@",
               channel="email", queue="mail", text="refund?"),
            # a live chat with no event for more than stale_after_s (4 h): lost, a timeout
            jl(conversation_id="K1", ts="2026-03-10T07:30:00+01:00", role="customer", author="c@",
               channel="chat", queue="web", text="hello"),
        ],
    )  # fmt: skip
    period = resolve_period("today", CFG, NOW)
    mail = totals(store.cursor(), CFG, period, Filters(channel="email"), NOW)
    assert mail["open"] == 2 and mail["timeout"] == 0
    assert mail["service_level"] is None  # nothing has ended: no data, not 0
    assert mail["waiting_now"] == 2
    assert mail["longest_wait_s"] == pytest.approx(timedelta(hours=5).total_seconds())
    chat = totals(store.cursor(), CFG, period, Filters(channel="chat"), NOW)
    assert chat["open"] == 0 and chat["timeout"] == 1 and chat["waiting_now"] == 0


def test_queue_log_calls_say_hold_and_wrap_are_not_recorded(tmp_path):
    t0 = int(t("2026-03-10 09:00").timestamp())
    store = load(
        tmp_path,
        "queue_log",
        [
            f"{t0}|c1|sales|NONE|ENTERQUEUE||5550001|1",
            f"{t0 + 10}|c1|sales|Agent/1|CONNECT|10|c1.1|2",
            f"{t0 + 130}|c1|sales|Agent/1|COMPLETECALLER|10|120|1",
        ],
    )
    c1 = contact(store, "c1")
    assert (c1["hold_s"], c1["wrap_s"], c1["talk_s"]) == (None, None, 120)
    rep = report(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    assert rep["totals"]["aht_s"] == 120  # talk + 0 + 0
    assert rep["meta"]["not_recorded"] == ["hold_s", "wrap_s"]
    assert rep["totals"]["transfer_rate"] == 0.0  # queue_log records transfers: none here


def test_a_conversation_closed_with_no_reply_waited_as_long_as_its_close_time_says(tmp_path):
    """Closed unanswered: an abandon. Its wait runs to the close time; with none recorded it is not
    known (the last customer message says only that they were still there): no short abandon."""
    store = load(
        tmp_path,
        "chats.jsonl",
        [
            jl(conversation_id="A", ts="2026-03-10T09:00:00+01:00", role="customer", author="a@",
               channel="chat", text="anyone?"),
            jl(type="conversation", conversation_id="A", status="closed"),
            jl(conversation_id="B", ts="2026-03-10T09:10:00+01:00", role="customer", author="b@",
               channel="chat", text="hello?"),
            jl(type="conversation", conversation_id="B", status="solved",
               resolved_at="2026-03-10T09:13:00+01:00"),
            jl(conversation_id="C", ts="2026-03-10T09:20:00+01:00", role="customer", author="c@",
               channel="chat", text="hi"),
            jl(conversation_id="C", ts="2026-03-10T09:21:00+01:00", role="agent", author="olga",
               text="hello"),
        ],
    )  # fmt: skip
    a, b = contact(store, "A"), contact(store, "B")
    assert a["outcome"] == b["outcome"] == "abandoned"
    assert a["wait_s"] is None and b["wait_s"] == 180.0
    tot = totals(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    assert tot["abandoned"] == 2 and tot["short_abandoned"] == 0
    assert tot["abandon_rate"] == pytest.approx(2 / 3)
    assert tot["service_level"] == pytest.approx(1 / 3)  # C answered in 60 s: chat's T is 60 s


def test_a_conversation_closed_with_no_close_time_ended_at_its_last_message_but_not_in_0_s(
    tmp_path,
):
    """Closed with no resolved_at: it ended at its last message (it is over: nobody waits, no
    agent is on it). A duration of 0 s that gives is not known: X closed at its only message
    (resolution 0 s), Y at its only reply (handle 0 s). Both pulled the means down."""
    store = load(
        tmp_path,
        "chats.jsonl",
        [
            jl(conversation_id="W", ts="2026-03-10T09:00:00+01:00", role="customer", author="w@",
               channel="chat", text="hi"),
            jl(conversation_id="W", ts="2026-03-10T09:01:00+01:00", role="agent", author="olga",
               text="hello"),
            jl(type="conversation", conversation_id="W", status="resolved",
               resolved_at="2026-03-10T09:20:00+01:00"),
            jl(conversation_id="X", ts="2026-03-10T10:00:00+01:00", role="customer", author="x@",
               channel="chat", text="hi"),
            jl(type="conversation", conversation_id="X", status="closed"),
            jl(conversation_id="Y", ts="2026-03-10T10:30:00+01:00", role="customer", author="y@",
               channel="chat", text="hi"),
            jl(conversation_id="Y", ts="2026-03-10T10:31:00+01:00", role="agent", author="olga",
               text="done"),
            jl(type="conversation", conversation_id="Y", status="resolved"),
            # Z went on past its first reply: its last message (10:50) is when it ended.
            jl(conversation_id="Z", ts="2026-03-10T10:40:00+01:00", role="customer", author="z@",
               channel="chat", text="hi"),
            jl(conversation_id="Z", ts="2026-03-10T10:42:00+01:00", role="agent", author="olga",
               text="try this"),
            jl(conversation_id="Z", ts="2026-03-10T10:50:00+01:00", role="customer", author="z@",
               text="works, thanks"),
            jl(type="conversation", conversation_id="Z", status="resolved"),
        ],
    )  # fmt: skip
    assert contact(store, "X")["ended_at"] == t("2026-03-10 10:00")
    assert contact(store, "Y")["ended_at"] == t("2026-03-10 10:31")
    assert contact(store, "Z")["ended_at"] == t("2026-03-10 10:50")
    tot = totals(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    # Resolution times: W 20 min, Z 10 min, Y 1 min (to its last message); X's 0 s not known.
    assert tot["resolution_s"] == pytest.approx((1200 + 600 + 60) / 3)
    assert tot["resolution_median_s"] == pytest.approx(600)
    assert tot["resolution_rate"] == 1.0
    # Handle time (chat: ended - answered): W 19 min, Z 8 min; Y's 0 s not known.
    assert tot["aht_s"] == pytest.approx((1140 + 480) / 2)
    # Over, all of them: nobody waits, and olga is not on a contact.
    assert tot["waiting_now"] == 0
    from data.metrics.agents import current_states

    state, _ = current_states(store.cursor(), CFG, Filters(), NOW)["olga"]
    assert state != "on_contact"


def test_a_queue_log_queue_mapped_to_chat_is_not_written_work(tmp_path):
    """queue_channels maps a phone-system queue to chat: its calls have no messages and no
    resolution, so they stay out of response and resolution rates (they read 0 % and 100 %)."""
    t0 = int(t("2026-03-10 09:00").timestamp())
    cfg = Config(timezone="Europe/Paris", queue_channels={"webchat": "chat"})
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "queue_log").write_text(
        f"{t0}|o3|webchat|NONE|ENTERQUEUE||co3|1\n"
        f"{t0 + 45}|o3|webchat|Olga|CONNECT|45|o3.1|1\n"
        f"{t0 + 345}|o3|webchat|Olga|COMPLETECALLER|45|300|1\n"
    )
    (folder / "chats.jsonl").write_text(
        jl(conversation_id="K", ts="2026-03-10T09:30:00+01:00", role="customer", author="k@",
           channel="chat", text="hi") + "\n"
    )  # fmt: skip
    store = Store()
    Ingestor(store, cfg, folder).scan([folder])
    tot = totals(store.cursor(), cfg, resolve_period("today", cfg, NOW), Filters(), NOW)
    assert tot["offered"] == 2
    # Written: K only, unanswered and open.
    assert tot["response_rate"] == 0.0 and tot["resolution_rate"] == 0.0
    assert tot["resolution_s"] is None
    assert tot["aht_s"] == 300  # the call's talk time still counts


def test_withheld_callers_are_no_customer_for_fcr(tmp_path):
    """Two answered calls from a withheld number and one from 5550001: the withheld ones are two
    unknown callers, not one customer calling twice. FCR is over contacts with a known customer:
    1/1 (taken as one customer, the first anonymous call was a repeat: 2/3)."""
    t0 = int(t("2026-03-10 09:00").timestamp())

    def call(callid: str, at: int, caller: str) -> list[str]:
        return [
            f"{at}|{callid}|sales|NONE|ENTERQUEUE||{caller}|1",
            f"{at + 10}|{callid}|sales|Agent/1|CONNECT|10|{callid}.1|2",
            f"{at + 70}|{callid}|sales|Agent/1|COMPLETECALLER|10|60|1",
        ]

    store = load(
        tmp_path,
        "queue_log",
        call("a1", t0, "anonymous") + call("a2", t0 + 600, "Anonymous")
        + call("k1", t0 + 1200, "5550001"),
    )  # fmt: skip
    assert contact(store, "a1")["customer"] is None and contact(store, "a2")["customer"] is None
    assert contact(store, "k1")["customer"] == "5550001"
    tot = totals(store.cursor(), CFG, resolve_period("today", CFG, NOW), Filters(), NOW)
    assert tot["offered"] == 3 and tot["fcr"] == 1.0
