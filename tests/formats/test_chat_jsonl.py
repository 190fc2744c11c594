"""floorwatch JSON Lines (messages, conversation facts, both in one) and whole-file JSON arrays."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from data.formats.chat_jsonl import ChatJsonlReader
from data.formats.common import scale_rating
from data.store import CONVERSATION_COLUMNS, MESSAGE_COLUMNS

R = ChatJsonlReader()
M = {name: i for i, (name, _t) in enumerate(MESSAGE_COLUMNS)}
V = {name: i for i, (name, _t) in enumerate(CONVERSATION_COLUMNS)}


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


def jl(*objs: object) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


MSG1 = {"conversation_id": "c-1042", "ts": "2026-11-20T09:14:03+01:00", "role": "customer",
        "author": "jane@example.com", "channel": "chat", "queue": "billing", "text": "My invoice is wrong"}  # fmt: skip
MSG2 = {"conversation_id": "c-1042", "ts": "2026-11-20T09:15:10+01:00", "role": "agent",
        "author": "Olga", "text": "Let me check"}  # fmt: skip
FACTS = {"type": "conversation", "conversation_id": "c-1042", "ts": "2026-11-20T10:00:00Z",
         "status": "solved", "resolved_at": "2026-11-20T09:59:00Z", "priority": "high",
         "due_at": "2026-11-21 09:00:00", "tags": ["billing", "refund"], "rating": 7,
         "rating_scale": 10, "rating_comment": "ok", "customer": "jane@example.com",
         "crm_id": 991}  # fmt: skip


def test_message_per_line(run) -> None:
    rows = run(R, jl(MSG1, MSG2)).rows["messages"]
    assert [r[1:] for r in rows] == [
        (7, 1, "c-1042", us(2026, 11, 20, 8, 14, 3), "customer", "jane@example.com",
         "My invoice is wrong", "chat", "billing"),
        # names no channel: left empty, so the conversation's channel comes from the lines that do
        (7, 2, "c-1042", us(2026, 11, 20, 8, 15, 10), "agent", "Olga", "Let me check", None, None),
    ]  # fmt: skip


def test_conversation_facts(run) -> None:
    (row,) = run(R, jl(FACTS), zone="Europe/Paris").rows["conversations"]
    got = dict(zip((n for n, _t in CONVERSATION_COLUMNS), row, strict=True))
    assert got["conversation_id"] == "c-1042"
    assert got["ts"] == us(2026, 11, 20, 10, 0, 0)
    assert got["created_at"] is None
    assert got["status"] == "resolved"  # helpdesk "solved"
    assert got["resolved_at"] == us(2026, 11, 20, 9, 59, 0)
    assert got["due_at"] == us(2026, 11, 21, 8, 0, 0)  # naive: Paris wall time, UTC+1
    assert got["tags"] == ["billing", "refund"]
    # 10-point scale: 1 + (7 - 1) * 4 / 9 = 3.666...
    assert got["rating"] == pytest.approx(1 + 6 * 4 / 9)
    assert (got["rating_raw"], got["rating_scale"], got["rating_comment"]) == (7.0, 10.0, "ok")
    # The fact line names no channel: None, so it cannot override its messages' channel.
    assert (got["customer"], got["agent"], got["topic"], got["channel"]) == (
        "jane@example.com", None, None, None,
    )  # fmt: skip
    assert json.loads(got["extra"]) == {"crm_id": 991}


def test_conversation_with_messages(run) -> None:
    conv = {"conversation_id": 55, "channel": "email", "agent": "Olga", "topic": "refund",
            "messages": [{"ts": "2026-11-20T09:00:00Z", "role": "customer", "text": "hi"},
                         {"ts": "2026-11-20T09:30:00Z", "role": "agent", "author": "Olga", "text": "hello"}]}  # fmt: skip
    batch = run(R, jl(conv))
    (c,) = batch.rows["conversations"]
    assert c[V["conversation_id"]] == "55"
    assert (c[V["created_at"]], c[V["ts"]]) == (us(2026, 11, 20, 9), us(2026, 11, 20, 9))
    assert (c[V["channel"]], c[V["agent"]], c[V["topic"]]) == ("email", "Olga", "refund")
    msgs = batch.rows["messages"]
    assert [(m[M["conversation_id"]], m[M["role"]], m[M["channel"]], m[M["line_no"]]) for m in msgs] == [
        ("55", "customer", "email", 1), ("55", "agent", "email", 1),
    ]  # fmt: skip


def test_timestamp_shapes(run) -> None:
    lines = [
        {**MSG2, "ts": "2016-04-28T11:19:34 -10:00"},
        {**MSG2, "ts": "2016-04-28T11:19:34Z"},
        {**MSG2, "ts": "2016-04-28T11:19:34"},
    ]
    rows = run(R, jl(*lines), zone="Europe/Paris").rows["messages"]
    assert [r[M["ts"]] for r in rows] == [
        us(2016, 4, 28, 21, 19, 34), us(2016, 4, 28, 11, 19, 34), us(2016, 4, 28, 9, 19, 34),
    ]  # fmt: skip


def test_bad_lines_are_rejected_alone(run) -> None:
    data = jl(
        MSG1,
        '{"conversation_id": "c-1", "ts": ',
        {**MSG2, "conversation_id": None},
        {**MSG2, "ts": "tomorrow"},
        {**MSG2, "role": "robot"},
        {**FACTS, "rating": 11},
        "[1, 2]",
        {**FACTS, "status": "archived"},
        MSG2,
    )
    batch = run(R, data)
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (2, "invalid JSON: Expecting value: line 1 column 34 (char 33)"),  # after `"ts": `
        (3, "missing conversation_id"),
        (4, "bad ts 'tomorrow'"),
        (5, "unknown role 'robot'"),
        (6, "rating 11 outside 1..10"),
        (7, "expected a JSON object, got list"),
        (8, "unknown status 'archived'"),
    ]
    assert [r[M["line_no"]] for r in batch.rows["messages"]] == [1, 9]


def test_bom_on_the_first_line(run) -> None:
    batch = run(R, b"\xef\xbb\xbf" + jl(MSG1, MSG2).encode())
    assert batch.rejects == [] and len(batch.rows["messages"]) == 2


def test_copies_dedupe_by_content(run) -> None:
    a = run(R, jl(MSG1, FACTS))
    b = run(R, jl(MSG2, MSG1, FACTS))
    assert a.rows["messages"][0][0] == b.rows["messages"][1][0]
    assert a.rows["conversations"][0][0] == b.rows["conversations"][0][0]


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [(10, 10, 5.0), (1, 10, 1.0), (3, 5, 3.0), (1, 1, 5.0), (0, 1, 1.0), (4, 7, 3.0)],
)
def test_rating_scale(raw: float, scale: float, expected: float) -> None:
    assert scale_rating(raw, scale) == pytest.approx(expected)


ARRAY = (
    "[\n"
    '  {"_id": "t1", "created_at": "2016-04-28T11:19:34 -10:00", "status": "hold",\n'
    '   "via": {"channel": "voice"}, "assignee_id": 24, "submitter_id": 38},\n'
    '  {"_id": "t2", "created_at": "2016-04-29T00:00:00Z", "status": "new", "via": "web"}\n'
    "]\n"
)


def test_json_array_waits_for_the_closing_bracket(run) -> None:
    lines = [(i, line.encode()) for i, line in enumerate(ARRAY.splitlines(), 1)]
    partial = run(R, b"", lines=lines[:3])
    assert partial.loaded == 0 and partial.unconsumed_lines == 3 and partial.rejects == []
    whole = run(R, b"", lines=lines)
    assert whole.unconsumed_lines == 0 and whole.rejects == []
    t1, t2 = whole.rows["conversations"]
    assert (t1[V["line_no"]], t2[V["line_no"]]) == (2, 4)
    assert (t1[V["created_at"]], t1[V["status"]], t1[V["channel"]]) == (
        us(2016, 4, 28, 21, 19, 34), "pending", "voice",
    )  # fmt: skip
    assert (t1[V["agent"]], t1[V["customer"]]) == ("24", "38")
    assert (t2[V["status"]], t2[V["channel"]]) == ("open", "other")


def test_json_array_cut_inside_a_nested_list_is_incomplete(run) -> None:
    lines = [(1, b"["), (2, b'  {"_id": "t1", "tags": ['), (3, b'    "a"'), (4, b"  ]")]
    batch = run(R, b"", lines=lines)
    assert batch.unconsumed_lines == 4 and batch.rejects == []


def test_json_array_with_a_broken_element(run) -> None:
    data = (
        '[\n{"_id": "t1", "created_at": "2016-04-29T00:00:00Z"},\n{"_id": t2},\n{"_id": "t3"}\n]\n'
    )
    batch = run(R, data)
    assert len(batch.rows["conversations"]) == 1
    assert [(r.line_no, r.reason.split(";")[0]) for r in batch.rejects] == [
        (3, "invalid JSON: Expecting value: line 3 column 9 (char 63)"),  # the t of t2
    ]


def test_sniff() -> None:
    assert R.sniff(jl(MSG1, MSG2).encode(), "chat.jsonl")
    assert R.sniff(b'{"conversation_id": "c-1", "ts": "2026-', "cut.jsonl")
    assert R.sniff(b"\xef\xbb\xbf[\n  {\n", "tickets.json")
    assert not R.sniff(b"[1, 2]\n", "x.json")
    assert not R.sniff(b"{not json}\n", "x.json")
    assert not R.sniff(b"id,name\n", "x.csv")


@pytest.mark.realdata
def test_golden_zendesk_tickets(realdata, run) -> None:
    """200 Zendesk tickets as one JSON array; `-10:00` offsets after a space; 5 lack due_at."""
    batch = run(R, realdata / "zendesk-tickets" / "tickets.json", zone="UTC")
    rows = batch.rows["conversations"]
    assert batch.rejects == [] and batch.unconsumed_lines == 0 and len(rows) == 200
    assert "messages" not in batch.rows
    assert sum(1 for r in rows if r[V["due_at"]] is None) == 5
    assert len({r[0] for r in rows}) == 200
    first = rows[0]
    assert first[V["conversation_id"]] == "436bf9b0-1147-4c0a-8439-6f79833bff5b"
    assert first[V["line_no"]] == 2
    # created_at "2016-04-28T11:19:34 -10:00", due_at "2016-07-31T02:37:50 -10:00"
    assert (first[V["created_at"]], first[V["due_at"]]) == (
        us(2016, 4, 28, 21, 19, 34), us(2016, 7, 31, 12, 37, 50),
    )  # fmt: skip
    assert (first[V["status"]], first[V["priority"]], first[V["channel"]]) == (
        "pending", "high", "other",
    )  # fmt: skip
    assert first[V["tags"]] == [
        "Ohio",
        "Pennsylvania",
        "American Samoa",
        "Northern Mariana Islands",
    ]
    assert (first[V["agent"]], first[V["customer"]]) == ("24", "38")
    assert json.loads(first[V["extra"]])["subject"] == "A Catastrophe in Korea (North)"
    # Ticket 2: status "hold", via "chat".
    assert (rows[1][V["status"]], rows[1][V["channel"]]) == ("pending", "chat")


def test_a_lone_surrogate_escape_is_rejected_and_the_lines_around_it_load(run) -> None:
    # Valid JSON, but "\ud800" is half of a UTF-16 pair: no character, so not storable as text.
    # A whole pair (an emoji written as two escapes) is one character and loads.
    data = (
        jl(MSG1).rstrip("\n")
        + "\n"
        + json.dumps({**MSG2, "text": "a"}).replace('"a"', '"a\\ud800b"')
        + "\n"
        + json.dumps({**MSG2, "text": "a"}).replace('"a"', '"\\ud83d\\ude00"')
        + "\n"
    )
    batch = run(R, data)
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (2, "a \\u escape names half of a UTF-16 pair, not a character")
    ]
    assert [r[M["line_no"]] for r in batch.rows["messages"]] == [1, 3]


def test_a_lone_surrogate_does_not_stop_the_load_of_its_file(tmp_path) -> None:
    from data.config import Config
    from data.ingest import Ingestor
    from data.store import Store

    path = tmp_path / "chat.jsonl"
    good = [json.dumps({**MSG1, "conversation_id": f"k{i}"}) for i in range(100)]
    bad = json.dumps({**MSG2, "text": "a"}).replace('"a"', '"\\udfff"')
    path.write_text("\n".join([*good[:50], bad, *good[50:]]) + "\n")
    with Store() as store:
        result = Ingestor(store, Config(timezone="UTC"), tmp_path).scan([tmp_path])
        (report,) = result.files
        assert (report.loaded, report.rejected) == (100, 1)
        assert store.cursor().execute("SELECT line_no FROM rejects").fetchall() == [(51,)]
