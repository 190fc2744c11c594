"""The vectorised chat JSON Lines path reads every line exactly as the per-line reader does."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from data.config import Config
from data.formats.base import ReadContext
from data.formats.chat_jsonl import ChatJsonlReader
from data.tail import Lines
from data.vector import MIN_LINES
from data.writer import batch_tables
from tests.formats.mutation import mutated

R = ChatJsonlReader()
MSG = {
    "conversation_id": "c-1042",
    "ts": "2026-11-20T09:14:03+01:00",
    "role": "customer",
    "author": "jane@example.com",
    "channel": "chat",
    "queue": "billing",
    "text": "My invoice is wrong",
}
GOOD = json.dumps(MSG)
AGENT = '{"conversation_id": "c-1042", "ts": "2026-11-20T09:15:10Z", "role": "agent", "text": "Hi"}'


def variant(**changes: object) -> str:
    msg = {**MSG, **changes}
    return json.dumps({k: v for k, v in msg.items() if v is not ...})


ODD = [
    "",
    " ",
    "\x0b",
    "\u00a0",
    "garbage",
    "[1, 2]",
    "42",
    '"text"',
    GOOD + "\r",
    GOOD + "\r\r",
    " " + GOOD,
    GOOD + " ",
    GOOD[:-1] + ', "x": 1,}',
    # DuckDB reads these in any case, Python only NaN, Infinity and -Infinity (a second reader).
    GOOD[:-1] + ', "x": NaN}',
    GOOD[:-1] + ', "x": nan}',
    GOOD[:-1] + ', "x": -NaN}',
    GOOD[:-1] + ', "x": inf}',
    GOOD[:-1] + ', "x": -inf}',
    GOOD[:-1] + ', "x": INF}',
    GOOD[:-1] + ', "x": infinity}',
    GOOD[:-1] + ', "x": 1e400}',
    GOOD[:-1] + ', "x": 123456789012345678901234567890}',
    GOOD[:-1] + ', "role": "agent"}',  # a duplicate key: Python keeps the last
    GOOD[:-1] + ', "x": {"a": 1}}',
    GOOD[:-1] + ', "x": [1, 2,]}',
    GOOD[:-1] + ', "type": "conversation"}',
    GOOD[:-1] + ', "type": "message"}',
    GOOD[:-1] + ', "type": null}',
    GOOD[:-1] + ', "messages": []}',
    GOOD[:-1] + "}",
    GOOD.replace("invoice", 'in\\tvoi\\nce \\"x\\" \\\\ \\/'),
    GOOD.replace("invoice", "in\tvoice"),  # a raw tab inside a string: Python refuses it
    GOOD.replace("invoice", "inv\\u00f6ice"),
    GOOD.replace("invoice", "invöice ✓"),
    GOOD.replace("invoice", "in\\xvoice"),
    GOOD.replace("invoice", "in, }voice"),
    GOOD.replace("invoice", "in{voice"),
    GOOD.replace('"billing"', '""'),
    GOOD.replace('"billing"', "null"),
    GOOD.replace('"billing"', "7"),
    variant(queue=...),
    variant(author=None),
    variant(author=...),
    variant(author=12),
    variant(author=1.5),
    variant(author=True),
    variant(text=None),
    variant(text=...),
    variant(text=["a"]),
    variant(text=..., role=...),
    variant(role=...),
    variant(role=None),
    variant(role="Agent"),
    variant(role="bot"),
    variant(role="system"),
    variant(role="robot"),
    variant(role=3),
    variant(conversation_id=""),
    variant(conversation_id=None),
    variant(conversation_id=...),
    variant(conversation_id=1042),
    variant(conversation_id=1042.0),
    variant(conversation_id=..., id="c-9"),
    variant(id="m-1"),
    variant(id=17),
    variant(channel=None),
    variant(channel=...),
    variant(channel=""),
    variant(channel="  "),
    variant(channel="Phone"),
    variant(channel=" WhatsApp "),
    variant(channel="pigeon"),
    variant(channel="ÉMAIL"),
    variant(channel="e-mail"),
    variant(channel={"channel": "email"}),
    variant(channel=5),
    variant(channel="\tchat"),
    variant(ts=None),
    variant(ts=...),
    variant(ts=""),
    variant(ts=1760000000),
    variant(ts="2026-11-20T09:14:03Z"),
    variant(ts="2026-11-20 09:14:03+01:00"),
    variant(ts="2026-11-20T09:14:03.5+01:00"),
    variant(ts="2026-11-20T09:14:03.123456-05:30"),
    variant(ts="2026-11-20T09:14:03.1234567+01:00"),
    variant(ts="2026-11-20T09:14:03."),
    variant(ts="2026-11-20T09:14:03+05:60"),
    variant(ts="2026-11-20T09:14:03+24:00"),
    variant(ts="2026-11-20T09:14:03+0100"),
    variant(ts="2026-11-20T09:14:03 -10:00"),
    variant(ts="2026-11-20T09:14:03"),
    variant(ts="2026-11-20T09:14:03.25"),
    variant(ts="2026-11-20T09:14"),
    variant(ts="2026-11-20"),
    variant(ts="2026-02-29T09:14:03Z"),
    variant(ts="2024-02-29T09:14:03Z"),
    variant(ts="2026-11-31T09:14:03Z"),
    variant(ts="2026-11-20T24:00:00Z"),
    variant(ts="1899-11-20T09:14:03Z"),
    variant(ts="1969-12-31T23:59:59.999999Z"),
    variant(ts="2026-11-20T09:14:03z"),
    variant(ts="20261120T091403Z"),
    variant(ts="٢026-11-20T09:14:03Z"),
    variant(extra="kept?"),
    AGENT,
]


def both(lines: list[str | bytes], zone=None, channel=None, first: int = 1) -> tuple:
    data = b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n"
    zone = zone or ZoneInfo("UTC")
    ctx = ReadContext("chat.jsonl", 3, Config(timezone="UTC"), zone, channel=channel)
    fast = R.parse(Lines(data, first), ctx)
    slow = R.parse_lines(Lines(data, first).items(), ctx)
    tables = [batch_tables(b) for b in (fast, slow)]
    rows = {
        t: [tabs[t].sort_by("line_no") if t in tabs else None for tabs in tables]
        for t in ("messages", "conversations")
    }
    rejects = [sorted(b.rejects, key=lambda r: r.line_no) for b in (fast, slow)]
    return fast, rows, rejects


def same(rows: dict) -> bool:
    return all((f is None and s is None) or f.equals(s) for f, s in rows.values())


def test_every_odd_line_reads_as_the_line_reader_reads_it() -> None:
    for line in ODD:
        for zone in (ZoneInfo("UTC"), ZoneInfo("Europe/Paris")):
            fast, rows, (fr, sr) = both([GOOD] * MIN_LINES + [line, AGENT], zone)
            assert fast.tables, "the fast path was not taken"
            assert same(rows), (line, zone)
            assert fr == sr, (line, zone)


def test_the_ordinary_lines_take_the_fast_path() -> None:
    fast, rows, _ = both([GOOD, AGENT] * MIN_LINES)
    assert fast.tables["messages"].num_rows == 2 * MIN_LINES and not fast.rows
    assert same(rows)


def test_zones_and_a_forced_channel() -> None:
    naive = variant(ts="2026-11-20T09:14:03.5")
    for zone in (ZoneInfo("Etc/UTC"), timezone(timedelta(hours=2)), ZoneInfo("America/New_York")):
        for channel in (None, "email"):
            fast, rows, (fr, sr) = both([GOOD, AGENT, naive] * MIN_LINES, zone, channel)
            assert same(rows) and fr == sr, (zone, channel)
    fast, _, _ = both([naive] * MIN_LINES, ZoneInfo("America/New_York"))
    assert not fast.tables["messages"].num_rows  # naive times in a DST zone: the Python reader


def test_bom_bad_utf8_and_arrays() -> None:
    _, rows, (fr, sr) = both(["\ufeff" + GOOD] + [GOOD] * MIN_LINES)
    assert same(rows) and fr == sr
    bad = GOOD.encode().replace(b"invoice", b"inv\xffice")
    _, rows, (fr, sr) = both([bad] + [GOOD] * MIN_LINES)
    assert same(rows) and fr == sr and len(fr) == 1
    # A JSON array file (a Zendesk export) is read whole by the Python reader.
    array = ["["] + [GOOD + ","] * MIN_LINES + [GOOD, "]"]
    for head in (array, ["", " ", *array], ["\ufeff[", *array[1:]]):
        fast, rows, (fr, sr) = both(head)
        assert not fast.tables and same(rows) and fr == sr
    # The same lines further down a file are lines, not an array.
    fast, rows, (fr, sr) = both(array, first=10)
    assert fast.tables and same(rows) and fr == sr


_PIECES = ['"', "\\", ",", "}", "{", "[", " ", ":", "0", "Z", "+", "-", "é", "\t", "u"]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_fast_path_equals_line_reader(seed: int) -> None:
    lines = mutated(seed, [GOOD, AGENT, variant(ts="2026-11-20T09:14:03.25")], _PIECES)
    _, rows, (fr, sr) = both(lines)
    assert same(rows)
    assert fr == sr
