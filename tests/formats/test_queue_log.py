"""queue_log: every documented event loads, bad lines are rejected alone, copies dedupe."""

from __future__ import annotations

from data.formats.queue_log import EVENTS, QueueLogReader
from data.store import QUEUE_EVENT_COLUMNS

R = QueueLogReader()
US = 1_000_000

GOOD_AND_BAD = (
    b"1700000000|1700000000.1|support|NONE|ENTERQUEUE||+33612345678|1\n"
    b"1700000005|1700000000.1|support|SIP/201|CONNECT|5|1700000000.2|3\r\n"
    b"abc|1700000000.1|support|NONE|ENTERQUEUE||+336|1\n"
    b"1700000010|1700000000.1|support|SIP/201|FOO|1\n"
    b"1700000010|only|three\n"
    b"1700000100|1700000000.1|support|SIP/201|COMPLETECALLER|5|95|1\n"
    b"1700000101|NONE|support|SIP/201|PAUSE|caf\xe9\n"
    b"\n"
    b"1700000200|NONE|support|SIP/201|PAUSE|\n"
    b"1700000300|NONE|NONE|SIP/201|UNPAUSEALL\n"
)


def test_rows_follow_the_table_columns(run) -> None:
    batch = run(R, GOOD_AND_BAD)
    rows = batch.rows["queue_events"]
    assert all(len(r) == len(QUEUE_EVENT_COLUMNS) for r in rows)
    first = rows[0]
    assert first[1:] == (
        7, 1, 1700000000 * US, "1700000000.1", "support", "NONE", "ENTERQUEUE",
        "", "+33612345678", "1", None, None,
    )  # fmt: skip
    # CRLF: the \r is not part of the last data field.
    assert rows[1][3:] == (
        1700000005 * US, "1700000000.1", "support", "SIP/201", "CONNECT",
        "5", "1700000000.2", "3", None, None,
    )  # fmt: skip


def test_bad_lines_are_rejected_and_the_others_load(run) -> None:
    batch = run(R, GOOD_AND_BAD)
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (3, "bad epoch 'abc'"),
        (4, "unknown event FOO"),
        (5, "expected at least 5 '|'-separated fields, got 3"),
        (7, "invalid UTF-8 at byte 41"),  # "1700000101|NONE|support|SIP/201|PAUSE|caf" is 41 bytes
    ]
    assert [r[2] for r in batch.rows["queue_events"]] == [1, 2, 6, 9, 10]


def test_empty_reason_is_kept_and_missing_data_is_null(run) -> None:
    rows = run(R, GOOD_AND_BAD).rows["queue_events"]
    pause, unpause = rows[3], rows[4]
    assert pause[7:] == ("PAUSE", "", None, None, None, None)
    assert unpause[5:] == ("NONE", "SIP/201", "UNPAUSEALL", None, None, None, None, None)


def test_extra_data_fields_are_joined_into_data5(run) -> None:
    line = b"1700000000|c1|q|NONE|INFO|a|b|c|d|e|f|g"
    (row,) = run(R, line).rows["queue_events"]
    assert row[8:] == ("a", "b", "c", "d", "e|f|g")


def test_fractional_epoch(run) -> None:
    (row,) = run(R, b"1700000000.25|c1|q|NONE|DID|123").rows["queue_events"]
    assert row[3] == 1700000000 * US + 250_000


def test_every_documented_event_is_accepted(run) -> None:
    data = "".join(f"1700000000|c|q|a|{e}|x\n" for e in sorted(EVENTS))
    batch = run(R, data)
    assert batch.rejects == [] and len(batch.rows["queue_events"]) == 29


def test_a_copy_of_the_file_has_the_same_row_keys(run) -> None:
    a = run(R, GOOD_AND_BAD).rows["queue_events"]
    shifted = b"1700000999|x|q|NONE|INFO\n" + GOOD_AND_BAD
    b = run(R, shifted).rows["queue_events"][1:]
    assert [r[0] for r in a] == [r[0] for r in b]
    assert [r[2] for r in a] != [r[2] for r in b]  # line numbers differ, keys do not
    assert len({r[0] for r in a}) == len(a)


def test_overlong_line_is_rejected_unread(run) -> None:
    long = b"1700000000|c|q|a|INFO|" + b"x" * 1_000_001
    batch = run(R, long + b"\n1700000000|c|q|a|INFO|ok\n")
    assert [(r.line_no, r.reason) for r in batch.rejects] == [(1, "line longer than 1000000 bytes")]
    assert len(batch.rows["queue_events"]) == 1


def test_sniff() -> None:
    assert R.sniff(b"1700000000|NONE|NONE|NONE|QUEUESTART|\n", "queue_log")
    assert R.sniff(b"1700000000|c|support|SIP/201|NEWEVENT|1\n", "x")  # upper-case, unknown
    assert not R.sniff(b"a|b|c|d|ENTERQUEUE\n", "x")
    assert not R.sniff(b"1700000000|c|q|a|enterqueue\n", "x")
    assert not R.sniff(b"id,agent,date\n1,2,3\n", "x")
    assert not R.sniff(b"", "x")
    # A rotated log may start with its one garbled line.
    assert R.sniff(b"not a queue_log line\n1700000000|c2|q|NONE|ABANDON|1|1|3\n", "queue_log")


def test_implausible_epochs_are_rejected_not_fatal(run) -> None:
    data = (
        b"99999999999999|c1|q|NONE|ENTERQUEUE||1|1\n"
        + b"4102444801|c2|q|NONE|ENTERQUEUE||1|1\n"
        + "\u00b9\u00b2\u00b3|c3|q|NONE|ENTERQUEUE||1|1\n".encode()
        + b"1763625600|c4|q|NONE|ENTERQUEUE||1|1\n"
    )
    batch = run(QueueLogReader(), data)
    assert [(r.line_no, r.reason.split(" '")[0]) for r in batch.rejects] == [
        (1, "bad epoch"),
        (2, "bad epoch"),
        (3, "bad epoch"),
    ]
    assert [row[4] for row in batch.rows["queue_events"]] == ["c4"]
