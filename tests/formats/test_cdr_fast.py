"""The vectorised Asterisk CDR path reads every line exactly as the per-line reader does."""

from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from data.config import Config
from data.formats.asterisk_cdr import AsteriskCdrReader
from data.formats.base import ReadContext
from data.tail import Lines
from data.vector import MIN_LINES
from data.writer import batch_tables
from tests.formats.mutation import mutated

R = AsteriskCdrReader()
GOOD18 = (
    '"","0612345678","100","from-pstn","""Jane"" <0612345678>","SIP/trunk-00000001",'
    '"SIP/201-0000abcd","Queue","support,t,,,300","2024-03-01 09:00:00","2024-03-01 09:00:12",'
    '"2024-03-01 09:05:12",312,300,"ANSWERED","DOCUMENTATION","1709283600.1",""'
)
GOOD16 = (
    '"","0611111111","100","from-pstn","""Bob"" <0611111111>","SIP/trunk-00000002",'
    '"SIP/202-0000abce","Dial","SIP/202,20","2024-03-01 09:10:00","","2024-03-01 09:10:20",'
    '20,0,"NO ANSWER","DOCUMENTATION"'
)
GOOD21 = (
    '"","0622222222","100","from-pstn","","SIP/trunk-00000003","SIP/203-0000abcf","Dial",'
    '"SIP/203","2024-03-01 09:20:00","","2024-03-01 09:20:02",2,0,"BUSY","DOCUMENTATION",'
    '"1709284800.7","","","1709284800.7",4'
)
ODD = [
    "",
    " ",
    "\t\r",
    "\x0b",
    "garbage",
    '"unbalanced,"x',
    GOOD18 + "\r",
    GOOD18 + "\r\r",
    GOOD18.replace('"SIP/201-0000abcd"', '"SIP/201-0000\rabcd"'),
    GOOD18.replace('"SIP/201-0000abcd"', "SIP/201-0000abcd"),  # unquoted field
    GOOD18.replace('"SIP/201-0000abcd"', "SIP/201\r-0000abcd"),  # csv refuses a CR there
    GOOD18.replace('"SIP/201-0000abcd"', 'SIP/2"01'),  # a quote inside an unquoted field
    GOOD18.replace('"SIP/201-0000abcd"', '"SIP/201" x'),  # text after a closing quote
    GOOD18.replace('"SIP/201-0000abcd"', ' "SIP/201-0000abcd"'),  # a space before a quote
    GOOD18.replace('"SIP/201-0000abcd"', '"-abcd"'),
    GOOD18.replace('"SIP/201-0000abcd"', '"SIP/201-"'),
    GOOD18.replace('"SIP/201-0000abcd"', '"Local/a-b@ctx-0001;2"'),
    GOOD18.replace('"SIP/201-0000abcd"', '""'),
    GOOD18.replace('"SIP/201-0000abcd"', '"x\x00y"'),
    GOOD18.replace('"SIP/201-0000abcd"', '"a,b""c"'),
    GOOD18.replace('"0612345678"', '"anonymous"', 1),  # a withheld number: no customer
    GOOD18.replace('"0612345678"', '" Unknown "', 1),
    GOOD18.replace('"0612345678"', '"anonymously"', 1),  # a name, not a withheld number
    GOOD18.replace('"1709283600.1"', '""'),  # 18 columns, no uniqueid
    GOOD18.replace('"1709283600.1"', '""').replace('"SIP/201-0000abcd"', '""'),
    GOOD18.replace('"Queue","support,t,,,300"', '"Queue",""'),
    GOOD18.replace('"Queue","support,t,,,300"', '"Queue",",x"'),
    GOOD18.replace('"from-pstn"', '""').replace('"Queue"', '"Dial"'),
    GOOD18.replace('"0612345678"', '""'),
    GOOD18.replace('"ANSWERED"', '"answered"'),
    # A field over csv.field_size_limit() (131,072): csv.reader refuses it (a second reader).
    GOOD18.replace('"DOCUMENTATION"', '"' + "y" * 131_073 + '"'),
    GOOD18.replace('"DOCUMENTATION"', '"' + "y" * 131_072 + '"'),
    GOOD18.replace('"ANSWERED"', '"NO ANSWER"'),
    GOOD18.replace('"ANSWERED"', '"FAILED"'),
    GOOD18.replace('"ANSWERED"', '"CONGESTION"'),
    GOOD18.replace('"2024-03-01 09:00:12"', '""'),
    GOOD18.replace('"2024-03-01 09:00:12"', '"garbage"'),
    GOOD18.replace('"2024-03-01 09:00:12"', '"2024/3/1 9:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-02-30 09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2023-02-29 09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-02-29 09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-03-01 24:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-03-01 09:00:60"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"0000-03-01 09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-03-01T09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-03-01 09:00:00.5"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"2024-03-01 09:00:00+02:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '" 2024-03-01 09:00:00"'),
    GOOD18.replace('"2024-03-01 09:00:00"', '"1969-12-31 23:59:59"'),
    GOOD18.replace('"2024-03-01 09:05:12"', '"2024/03/01 09:05:12"'),
    GOOD18.replace(",312,", ",+312,"),
    GOOD18.replace(",312,", ", 312,"),
    GOOD18.replace(",312,", ",-3,"),
    GOOD18.replace(",312,", ",3.5,"),
    GOOD18.replace(",312,", ',"312",'),
    GOOD18.replace(",312,", ",,"),
    GOOD18.replace(",312,", ",1_000,"),
    GOOD18.replace(",312,", ",٣,"),
    GOOD18.replace(",300,", ",99999999999999999999,"),
    GOOD18.replace('"""Jane""', '"Zoë ""J""'),
    GOOD18.replace('"support', '"\ufffdsupport'),
    GOOD18 + ',"extra"',
    GOOD18[: GOOD18.rindex(",")],
    GOOD16,
    GOOD16 + "\r",
    GOOD21,
    GOOD21.replace('"SIP/203"', '"SIP/203,20"'),
    GOOD21.replace('"SIP/203"', '"SIP/203,20,,x"').replace('"", ""', '"a,b"'),
    GOOD21.replace('"1709284800.7","","","1709284800.7"', '"","","",""'),
]


def both(lines: list[str | bytes], zone=None) -> tuple:
    data = b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n"
    ctx = ReadContext("Master.csv", 3, Config(timezone="UTC"), zone or ZoneInfo("UTC"))
    fast = R.parse(Lines(data, 1), ctx)
    slow = R.parse_lines(Lines(data, 1).items(), ctx)
    tables = [batch_tables(b).get("contacts") for b in (fast, slow)]
    rows = [t.sort_by("line_no") if t is not None else None for t in tables]
    rejects = [sorted(b.rejects, key=lambda r: r.line_no) for b in (fast, slow)]
    return fast, rows, rejects


def test_every_odd_line_reads_as_the_line_reader_reads_it() -> None:
    for line in ODD:
        fast, (f, s), (fr, sr) = both([GOOD18] * MIN_LINES + [line, GOOD16, GOOD21])
        assert fast.tables, "the fast path was not taken"
        assert f.equals(s), line
        assert fr == sr, line


def test_the_ordinary_lines_take_the_fast_path() -> None:
    fast, (f, s), _ = both([GOOD18, GOOD16, GOOD21] * MIN_LINES)
    assert fast.tables["contacts"].num_rows == 3 * MIN_LINES and not fast.rows.get("contacts")
    assert f.equals(s)


def test_bom_and_bad_utf8() -> None:
    _, (f, s), (fr, sr) = both(["\ufeff" + GOOD18] + [GOOD18] * MIN_LINES)
    assert f.equals(s) and fr == sr
    # A stray byte in clid (tolerated) and one elsewhere (a reject): those lines alone go to
    # the Python reader.
    bad = GOOD18.encode().replace(b"Jane", b"J\xe9ne")
    fast, (f, s), (fr, sr) = both([bad, GOOD16.encode().replace(b"100", b"1\xff0")] + [GOOD18] * 70)
    assert f.equals(s) and fr == sr and len(fr) == 1
    assert fast.tables["contacts"].num_rows == 70 and len(fast.rows["contacts"]) == 1


def test_zones() -> None:
    for zone in (ZoneInfo("Etc/UTC"), timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))):
        fast, (f, s), _ = both([GOOD18, GOOD16, GOOD21] * MIN_LINES, zone)
        assert fast.tables and f.equals(s), zone
    # A zone with DST: the Python reader reads every line.
    fast, (f, s), _ = both([GOOD18] * MIN_LINES, ZoneInfo("Europe/Paris"))
    assert not fast.tables and f.equals(s)


def test_forced_channel() -> None:
    data = ("\n".join([GOOD18] * MIN_LINES) + "\n").encode()
    ctx = ReadContext("Master.csv", 3, Config(timezone="UTC"), ZoneInfo("UTC"), channel="chat")
    fast, slow = R.parse(Lines(data, 1), ctx), R.parse_lines(Lines(data, 1).items(), ctx)
    assert batch_tables(fast)["contacts"].equals(batch_tables(slow)["contacts"])


_PIECES = ['"', '""', ",", "a", "-", "é", " ", "\r", "0", "9", ":", "/", "\x00"]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_fast_path_equals_line_reader(seed: int) -> None:
    lines = mutated(seed, [GOOD18, GOOD16, GOOD21], _PIECES)
    _, (f, s), (fr, sr) = both(lines)
    assert (f is None and s is None) or f.equals(s)
    assert fr == sr
