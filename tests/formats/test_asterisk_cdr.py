"""Asterisk cdr-csv: 16/18/21 columns, outcome by disposition, stray bytes in clid tolerated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data.formats.asterisk_cdr import AsteriskCdrReader, peer
from data.store import CONTACT_COLUMNS

R = AsteriskCdrReader()
C = {name: i for i, (name, _t) in enumerate(CONTACT_COLUMNS)}


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


Q18 = (
    '"","0612345678","100","from-pstn","""Jane"" <0612345678>","SIP/trunk-00000001",'
    '"SIP/201-0000abcd","Queue","support,t,,,300","2024-03-01 09:00:00","2024-03-01 09:00:12",'
    '"2024-03-01 09:05:12",312,300,"ANSWERED","DOCUMENTATION","1709283600.1",""'
)
NOANSWER16 = (
    '"","0611111111","100","from-pstn","""Bob"" <0611111111>","SIP/trunk-00000002",'
    '"SIP/202-0000abce","Dial","SIP/202,20","2024-03-01 09:10:00","","2024-03-01 09:10:20",'
    '20,0,"NO ANSWER","DOCUMENTATION"'
)
BUSY21 = (
    '"","0622222222","100","from-pstn","","SIP/trunk-00000003","SIP/203-0000abcf","Dial",'
    '"SIP/203","2024-03-01 09:20:00","","2024-03-01 09:20:02",2,0,"BUSY","DOCUMENTATION",'
    '"1709284800.7","","","1709284800.7",4'
)


def get(row: tuple, *names: str) -> tuple:
    return tuple(row[C[n]] for n in names)


def test_answered_queue_call_18_columns(run) -> None:
    (row,) = run(R, Q18, zone="UTC").rows["contacts"]
    assert get(row, "contact_id", "source", "source_id", "channel", "queue", "agent") == (
        "asterisk_cdr:1709283600.1:SIP/201-0000abcd",
        "asterisk_cdr",
        "1709283600.1",
        "voice",
        "support",  # the Queue application's first argument beats dcontext
        "SIP/201",
    )
    assert get(row, "customer", "offered_at", "answered_at", "ended_at") == (
        "0612345678",
        us(2024, 3, 1, 9, 0, 0),
        us(2024, 3, 1, 9, 0, 12),
        us(2024, 3, 1, 9, 5, 12),
    )
    assert get(row, "wait_s", "talk_s", "hold_s", "wrap_s", "outcome") == (
        12.0, 300.0, 0.0, 0.0, "answered",
    )  # fmt: skip


def test_unanswered_dispositions(run) -> None:
    rows = run(R, NOANSWER16 + "\n" + BUSY21, zone="UTC").rows["contacts"]
    no_answer, busy = rows
    assert get(no_answer, "outcome", "wait_s", "talk_s", "answered_at", "agent", "queue") == (
        "abandoned", 20.0, 0.0, None, None, "from-pstn",
    )  # fmt: skip
    assert no_answer[C["contact_id"]].startswith("asterisk_cdr:")
    assert no_answer[C["source_id"]] is None  # 16 columns: no uniqueid
    assert get(busy, "outcome", "wait_s", "contact_id") == (
        "timeout", 2.0, "asterisk_cdr:1709284800.7:4",
    )  # fmt: skip


def test_naive_times_are_in_the_source_zone(run) -> None:
    (row,) = run(R, Q18, zone="Europe/Paris").rows["contacts"]
    assert row[C["offered_at"]] == us(2024, 3, 1, 8, 0, 0)  # CET = UTC+1


def test_forced_channel(run) -> None:
    (row,) = run(R, Q18, channel="other").rows["contacts"]
    assert row[C["channel"]] == "other"


def test_bad_lines_are_rejected_alone(run) -> None:
    bad_start = NOANSWER16.replace('"2024-03-01 09:10:00"', '"yesterday"')
    bad_disp = NOANSWER16.replace("NO ANSWER", "MAYBE")
    bad_src = Q18.encode().replace(b"0612345678", b"06\xff2345678", 1)
    data = b"\n".join(
        [Q18.encode(), b'"a","b","c","d","e","f","g"', bad_start.encode(), bad_disp.encode(),
         bad_src, b'"", "unterminated', BUSY21.encode()]
    )  # fmt: skip
    batch = run(R, data, zone="UTC")
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (2, "expected 16, 18 or 21 columns, got 7"),
        (3, "bad timestamp 'yesterday'"),
        (4, "unknown disposition 'MAYBE'"),
        (5, "invalid UTF-8 at byte 6"),  # "","06 is 6 bytes
        (6, "expected 16, 18 or 21 columns, got 2"),
    ]
    assert [r[C["line_no"]] for r in batch.rows["contacts"]] == [1, 7]


def test_stray_bytes_in_clid_do_not_lose_the_call(run) -> None:
    line = Q18.encode().replace(b'""Jane""', b'""Jan\xa5\xa5e""')
    batch = run(R, line, zone="UTC")
    assert batch.rejects == [] and len(batch.rows["contacts"]) == 1


def test_same_cdr_twice_has_one_key(run) -> None:
    rows = run(R, Q18 + "\n" + NOANSWER16 + "\n" + Q18).rows["contacts"]
    assert rows[0][0] == rows[2][0] != rows[1][0]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("SIP/201-0000abcd", "SIP/201"),
        ("PJSIP/client2-00000003", "PJSIP/client2"),
        ("Local/ch1@TimeDelay-00000000;2", "Local/ch1@TimeDelay"),
        ("DAHDI/1", "DAHDI/1"),
        ("", None),
    ],
)
def test_peer(channel: str, expected: str | None) -> None:
    assert peer(channel) == expected


def test_sniff_and_explain() -> None:
    assert R.sniff((Q18 + "\n" + NOANSWER16 + "\n").encode(), "Master.csv")
    custom = '"""x"" <1>","1","2","default","PJSIP/a-1","PJSIP/b-2","Dial","PJSIP/b","2023-07-26 01:51:32","2023-07-26 01:51:50","2023-07-26 01:52:04","31","13","ANSWERED","DOCUMENTATION","","1690325492.2","",2\n'
    assert not R.sniff(custom.encode(), "Master.csv")
    assert "19 columns" in (R.explain(custom.encode()) or "")
    assert R.explain(b"a,b,c\n") is None
    assert R.sniff(("garbage\n" + Q18 + "\n").encode(), "Master.csv")


@pytest.mark.realdata
def test_golden_master_csv(realdata, run) -> None:
    """84 real CDRs (21 columns, stray 0xA5 in clid, doubled quotes): all load."""
    path = realdata / "asterisk-cdr" / "Master.csv"
    batch = run(R, path, zone="Asia/Irkutsk")  # naive local times; UTC+8 all year
    rows = batch.rows["contacts"]
    assert batch.rejects == [] and len(rows) == 84
    assert len({r[0] for r in rows}) == 84
    outcomes = [r[C["outcome"]] for r in rows]
    assert (outcomes.count("answered"), outcomes.count("abandoned"), outcomes.count("timeout")) == (
        37, 46, 1,
    )  # fmt: skip
    # Line 1, by hand: start 2024-01-27 15:07:24 +08 = 07:07:24 UTC, billsec 27, dstchannel "".
    first = rows[0]
    assert get(first, "contact_id", "source_id", "queue", "agent", "customer") == (
        "asterisk_cdr:1706368044.0:0", "1706368044.0", "stadion-pstn", None, "89200000000",
    )  # fmt: skip
    assert get(first, "offered_at", "answered_at", "ended_at", "wait_s", "talk_s") == (
        us(2024, 1, 27, 7, 7, 24), us(2024, 1, 27, 7, 7, 24), us(2024, 1, 27, 7, 7, 51), 0.0, 27.0,
    )  # fmt: skip
    # Line 41 has 0xA5 bytes in clid: a 5 s unanswered ring on SIP/301.
    line41 = next(r for r in rows if r[C["line_no"]] == 41)
    assert get(line41, "contact_id", "outcome", "wait_s", "agent", "customer") == (
        "asterisk_cdr:1706415046.98:79", "abandoned", 5.0, None, "81000000000000",
    )  # fmt: skip


@pytest.mark.realdata
def test_golden_custom19_is_not_sniffed(realdata) -> None:
    head = (realdata / "asterisk-cdr" / "Master.custom19.csv").read_bytes()[:4096]
    assert not R.sniff(head, "Master.custom19.csv")


def test_a_withheld_number_is_no_customer(run) -> None:
    """Taken as one customer, every anonymous call was a repeat of another (FCR fell)."""
    for src, customer in [("anonymous", None), ("Unknown", None), ("", None), ("0612", "0612")]:
        (row,) = run(R, Q18.replace('"0612345678"', f'"{src}"', 1), zone="UTC").rows["contacts"]
        assert get(row, "customer") == (customer,), src
