"""FreeSWITCH mod_cdr_csv: 13/15 columns, Excel's slash times, duplicate uuids share a key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data.formats.freeswitch_cdr import FreeswitchCdrReader
from data.store import CONTACT_COLUMNS

R = FreeswitchCdrReader()
C = {name: i for i, (name, _t) in enumerate(CONTACT_COLUMNS)}


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


def get(row: tuple, *names: str) -> tuple:
    return tuple(row[C[n]] for n in names)


EXAMPLE15 = (
    '"Jane","0612345678","5000","public","2024-03-01 09:00:00","2024-03-01 09:00:20",'
    '"2024-03-01 09:03:20","200","180","NORMAL_CLEARING","a1b2c3d4-0000-1111-2222-333344445555",'
    '"","acct","PCMU","PCMU"'
)
DEFAULT13 = (
    '"Bob","0611111111","5000","public","2024-03-01 09:10:00","","2024-03-01 09:10:30","30","0",'
    '"ORIGINATOR_CANCEL","b1b2c3d4-0000-1111-2222-333344445555","",""'
)
TIMEOUT = (
    ",0,1002,default,2020/2/10 22:41,,2020/2/10 22:41,2,0,NO_USER_RESPONSE,"
    "f1542038-4c15-11ea-97ca-9dd79410affb,,,,"
)


def test_answered_example_template(run) -> None:
    (row,) = run(R, EXAMPLE15, zone="UTC").rows["contacts"]
    assert get(row, "contact_id", "source", "source_id", "channel", "queue", "customer") == (
        "freeswitch_cdr:a1b2c3d4-0000-1111-2222-333344445555",
        "freeswitch_cdr",
        "a1b2c3d4-0000-1111-2222-333344445555",
        "voice",
        "public",
        "0612345678",
    )
    assert get(row, "offered_at", "answered_at", "ended_at", "wait_s", "talk_s", "outcome") == (
        us(2024, 3, 1, 9, 0, 0), us(2024, 3, 1, 9, 0, 20), us(2024, 3, 1, 9, 3, 20),
        20.0, 180.0, "answered",
    )  # fmt: skip


def test_unanswered_by_hangup_cause(run) -> None:
    caller, system = run(R, DEFAULT13 + "\n" + TIMEOUT, zone="UTC").rows["contacts"]
    assert get(caller, "outcome", "wait_s", "talk_s", "answered_at") == (
        "abandoned", 30.0, 0.0, None,
    )  # fmt: skip
    assert get(system, "outcome", "wait_s", "offered_at") == (
        "timeout", 2.0, us(2020, 2, 10, 22, 41, 0),
    )  # fmt: skip


def test_bad_lines_are_rejected_alone(run) -> None:
    data = "\n".join(
        [
            EXAMPLE15,
            "a,b,c",
            EXAMPLE15.replace('"200"', '"long"'),
            EXAMPLE15.replace("2024-03-01 09:00:00", "soon"),
            DEFAULT13,
        ]
    )
    batch = run(R, data, zone="UTC")
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (2, "expected 13 or 15 columns, got 3"),
        (3, "bad duration 'long'"),
        (4, "bad timestamp 'soon'"),
    ]
    assert [r[C["line_no"]] for r in batch.rows["contacts"]] == [1, 5]


def test_bom_from_excel_is_ignored(run) -> None:
    batch = run(R, b"\xef\xbb\xbf" + EXAMPLE15.encode(), zone="UTC")
    assert batch.rejects == [] and batch.rows["contacts"][0][C["customer"]] == "0612345678"


def test_sniff() -> None:
    assert R.sniff((EXAMPLE15 + "\n" + DEFAULT13 + "\n").encode(), "Master.csv")
    assert R.sniff(TIMEOUT.encode() + b"\n", "Master.csv")
    assert not R.sniff(b"a,b,c\n", "x.csv")
    assert not R.sniff(EXAMPLE15.replace("a1b2c3d4-0000", "nope").encode() + b"\n", "x.csv")


@pytest.mark.realdata
def test_golden_master_csv(realdata, run) -> None:
    """10 Excel re-saved CDRs; one uuid three times (the copy even has another hangup cause)."""
    batch = run(R, realdata / "freeswitch-cdr" / "Master.csv", zone="Asia/Shanghai")
    rows = batch.rows["contacts"]
    assert batch.rejects == [] and len(rows) == 10
    keys = [r[0] for r in rows]
    assert len(set(keys)) == 8
    assert keys[7] == keys[8] == keys[9]
    # Line 1: 2020/2/10 22:41 +08 = 14:41 UTC, duration 11, billsec 9.
    assert get(rows[0], "offered_at", "wait_s", "talk_s", "outcome", "customer", "queue") == (
        us(2020, 2, 10, 14, 41, 0), 2.0, 9.0, "answered", "1002", "default",
    )  # fmt: skip
    # Line 3: NO_USER_RESPONSE, never answered, caller "0".
    assert get(rows[2], "outcome", "answered_at", "wait_s", "customer") == (
        "timeout", None, 2.0, "0",
    )  # fmt: skip
