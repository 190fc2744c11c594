"""The vectorised queue_log path reads every line exactly as the per-line reader does."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from data.config import Config
from data.formats.base import ReadContext, row_key, sql_row_key
from data.formats.queue_log import TABLE, QueueLogReader
from data.tail import Lines
from data.vector import MAX_BAD_LINES, MIN_LINES, engine, line_arrays
from data.writer import batch_tables

CTX = ReadContext("queue_log", 3, Config(timezone="UTC"), ZoneInfo("UTC"))
GOOD = "1760000000|c1|billing|NONE|ENTERQUEUE||5551234|1"
ODD = [
    "",
    " ",
    "\t\r",
    "\r",
    " \t",
    "\t1760000000|c1|billing|NONE|ENTERQUEUE||5551234|1",
    " 1760000000|c1|billing|NONE|ENTERQUEUE||5551234|1",
    "\\t",
    "garbage",
    "1760000000|c1|billing|NONE|BOGUS|x",
    "1760000000.1234567|c1|q|NONE|PAUSE|x",
    "1760000000.25|c1|q|Agent 1|CONNECT|3|c1.9|4",
    "٣|c1|q|NONE|ENTERQUEUE|x",
    "x|c1|q|NONE|ENTERQUEUE",
    "1760000000|c1|q|NONE",
    "1760000000|c1|q|NONE|ENTERQUEUE",
    "1760000000|c|q|a|ABANDON|1|2|3|4|5|6|7",
    "1760000000|Zoë|q|[trainee]|COMPLETECALLER|1|2\r",
    "1760000000|c|q|a|COMPLETEAGENT|1|2\r\r",
    "1760000000||||INFO",
    "1760000000000|c|q|a|ENTERQUEUE",
]


def both(lines: list[str]) -> tuple:
    data = ("\n".join(lines) + "\n").encode()
    reader = QueueLogReader()
    fast = reader.parse(Lines(data, 1), CTX)
    slow = reader.parse_lines(Lines(data, 1).items(), CTX)
    assert fast.tables, "the fast path was not taken"
    rows = [batch_tables(b)["queue_events"].sort_by("line_no") for b in (fast, slow)]
    rejects = [sorted(b.rejects, key=lambda r: r.line_no) for b in (fast, slow)]
    return rows, rejects


def test_sql_row_key_is_row_key() -> None:
    text = "1760000000|Zoë|billing|NONE|ENTERQUEUE||555|1"
    (key,) = (
        engine()
        .cursor()
        .execute(f"SELECT {sql_row_key('?')}", ["\x1fqueue_events\x1f" + text])
        .fetchone()
    )
    assert key == row_key("queue_events", text)


def test_bom_on_the_first_line_is_read_as_the_line_reader_reads_it() -> None:
    (fast, slow), (fr, sr) = both(["\ufeff" + GOOD] + [GOOD] * MIN_LINES)
    assert fast.equals(slow) and fr == sr


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_fast_path_equals_line_reader(seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(MIN_LINES, 300)):
        if rng.random() < 0.5:
            epoch = str(rng.randint(0, 2_000_000_000))
            event = rng.choice(["ENTERQUEUE", "CONNECT", "ABANDON", "PAUSE", "NOPE"])
            extra = "|".join(rng.choice(["", "x", "é", "1"]) for _ in range(rng.randint(0, 8)))
            lines.append(f"{epoch}|c{rng.randint(0, 9)}|q|a|{event}|{extra}".rstrip("|"))
        else:
            lines.append(rng.choice(ODD))
    (fast, slow), (fr, sr) = both(lines)
    assert fast.equals(slow)
    assert fr == sr


def test_lines_that_are_not_utf8_go_to_the_line_reader_alone() -> None:
    bad = [
        b"1760000000|c\xff|billing|NONE|ENTERQUEUE||5551234|1",
        b"\xe9|x",
        b"\xc3",
        b"ok\xc3\x28",
    ]
    lines = [GOOD.encode()] * MIN_LINES
    for i, raw in enumerate(bad):
        lines.insert(7 * i + 3, raw)
    lines.append("1760000000|Zoë|billing|NONE|ENTERQUEUE||5551234|1".encode())
    data = b"\n".join(lines) + b"\n"
    arrays = line_arrays(Lines(data, 1))
    assert arrays.text is not None and arrays.bad.to_pylist() == [3, 10, 17, 24]
    assert arrays.text.null_count == 4
    reader = QueueLogReader()
    fast = reader.parse(Lines(data, 1), CTX)
    slow = reader.parse_lines(Lines(data, 1).items(), CTX)
    assert fast.tables[TABLE].num_rows == MIN_LINES + 1
    assert (
        batch_tables(fast)[TABLE]
        .sort_by("line_no")
        .equals(batch_tables(slow)[TABLE].sort_by("line_no"))
    )
    assert fast.rejects == slow.rejects and len(fast.rejects) == 4  # in line order


def test_too_many_bad_lines_read_the_python_way() -> None:
    data = b"\n".join([b"\xff"] * (MAX_BAD_LINES + 1) + [GOOD.encode()] * MIN_LINES) + b"\n"
    assert line_arrays(Lines(data, 1)).text is None
    reader = QueueLogReader()
    fast = reader.parse(Lines(data, 1), CTX)
    assert (
        not fast.tables and fast.rejects == reader.parse_lines(Lines(data, 1).items(), CTX).rejects
    )
