"""Timestamp helpers, and the contract that no reader raises on any input."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.config import Config, CsvMapping
from data.formats.base import ReadContext
from data.formats.detect import READERS
from data.formats.timeparse import parse_any, parse_iso, parse_local, parse_twitter

PARIS = ZoneInfo("Europe/Paris")


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 09:00:00", us(2024, 3, 1, 8)),  # naive: Paris, CET
        ("2024-07-01 09:00:00", us(2024, 7, 1, 7)),  # naive: Paris, CEST
        ("2024-03-01T09:00:00Z", us(2024, 3, 1, 9)),
        ("2024-03-01T09:00:00 Z", us(2024, 3, 1, 9)),
        ("2016-04-28T11:19:34 -10:00", us(2016, 4, 28, 21, 19, 34)),
        ("2016-04-28T11:19:34 -1000", us(2016, 4, 28, 21, 19, 34)),
        ("2024-03-01T09:00:00.250+01:00", us(2024, 3, 1, 8) + 250_000),
    ],
)
def test_parse_iso(text: str, expected: int) -> None:
    assert parse_iso(text, PARIS) == expected


def test_dst_gap_and_fold() -> None:
    # 2024-10-27 02:30 happens twice in Paris: the first (CEST, UTC+2) is taken.
    assert parse_local("2024-10-27 02:30:00", PARIS) == us(2024, 10, 27, 0, 30)


def test_other_shapes() -> None:
    assert parse_local("2020/2/10 22:41", PARIS) == us(2020, 2, 10, 21, 41)
    assert parse_local("2020/12/31 23:59:30", PARIS) == us(2020, 12, 31, 22, 59, 30)
    assert parse_twitter("Tue Oct 31 22:10:47 +0000 2017") == us(2017, 10, 31, 22, 10, 47)
    assert parse_any("Tue Oct 31 22:10:47 +0200 2017", PARIS) == us(2017, 10, 31, 20, 10, 47)
    for bad in ("", "yesterday", "2020/13/1 10:00", "Tue Foo 31 22:10:47 +0000 2017"):
        with pytest.raises(ValueError, match="bad timestamp"):
            parse_any(bad, PARIS)


FUZZ_CONFIG = Config(
    timezone="UTC",
    mappings=[
        CsvMapping(name="m", pattern="*", columns={"id": "a", "offered_at": "b", "rating": "c"})
    ],
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=80),
            st.text(alphabet='|,"{}[]: \r\nAZaz019-/', max_size=80).map(str.encode),
        ),
        max_size=6,
    )
)
def test_no_reader_raises_on_any_input(lines: list[bytes]) -> None:
    numbered = [(i, line.replace(b"\n", b"")) for i, line in enumerate(lines, 1)]
    ctx = ReadContext("f.csv", 1, FUZZ_CONFIG, ZoneInfo("UTC"), header=b"a,b,c")
    for reader in READERS.values():
        batch = reader.parse(numbered, ctx)
        assert batch.unconsumed_lines <= len(numbered)
        assert all(r.line_no in {n for n, _ in numbered} for r in batch.rejects)
