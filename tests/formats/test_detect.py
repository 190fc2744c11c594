"""detect(): forced rules, then mappings, then sniffers; every answer comes with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.config import Config, CsvMapping, SourceRule, load_config
from data.formats.detect import READERS, detect, reader_for, source_rule_for

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUEUE_LOG = b"1700000000|1700000000.1|support|NONE|ENTERQUEUE||+33612345678|1\n"
CHAT = b'{"conversation_id": "c-1", "ts": "2026-11-20T09:14:03+01:00", "role": "customer"}\n'


def test_registry() -> None:
    assert set(READERS) == {
        "queue_log",
        "asterisk_cdr",
        "freeswitch_cdr",
        "chat_jsonl",
        "mapped_csv",
    }
    assert all(reader_for(name).name == name for name in READERS)
    with pytest.raises(KeyError, match="unknown format 'xml'"):
        reader_for("xml")


def test_sniffers_pick_the_format(cfg: Config) -> None:
    reader, why = detect(QUEUE_LOG, "queue_log", cfg)
    assert (reader.name, why) == ("queue_log", "content looks like queue_log")
    reader, why = detect(CHAT, "chat.jsonl", cfg)
    assert (reader.name, why) == ("chat_jsonl", "content looks like chat_jsonl")


def test_forced_rule_wins_over_content() -> None:
    cfg = Config(
        timezone="UTC",
        sources=[
            SourceRule(pattern="logs/*.zone", timezone="UTC"),
            SourceRule(pattern="*.log", format="queue_log", channel="voice"),
        ],
    )
    reader, why = detect(CHAT, "logs/odd.log", cfg)
    assert (reader.name, why) == ("queue_log", "forced by source rule '*.log'")
    assert source_rule_for("logs/a.zone", cfg).timezone == "UTC"
    assert source_rule_for("deep/x.log", cfg).channel == "voice"
    assert source_rule_for("x.txt", cfg) is None


def test_mapping_needs_its_columns_in_the_header() -> None:
    mapping = CsvMapping(
        name="pwc", pattern="*.csv", columns={"id": "Call Id", "offered_at": "When"}
    )
    cfg = Config(timezone="UTC", mappings=[mapping])
    reader, why = detect(b"\xef\xbb\xbfCall Id,When\r\nID1,2021-01-01\r\n", "calls.csv", cfg)
    assert (reader.name, why) == ("mapped_csv", "mapping 'pwc'")
    reader, why = detect(b"Call Id,Date\nID1,2021-01-01\n", "calls.csv", cfg)
    assert reader is None
    assert why == "mapping 'pwc' matches, but the header lacks 'When' (offered_at)"


@pytest.mark.parametrize(
    ("head", "why"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x1f\x8b\x08\x00\x00\x00", "binary content"),
        ("1700000000|c1|support|NONE|ENTERQUEUE||555|1\n".encode("utf-16-le"), "binary content"),
        (b"hello world\n", "no reader recognises this content (first line: 'hello world')"),
    ],
)
def test_declines_with_a_reason(cfg: Config, head: bytes, why: str) -> None:
    assert detect(head, "f", cfg) == (None, why)


def test_a_nul_in_one_line_of_text_does_not_make_the_file_binary(cfg: Config) -> None:
    """The reader quarantines that line; every other line of the file still loads."""
    good = b"1700000000|c1|support|NONE|ENTERQUEUE||5550000|1\n"
    head = good + b"\x00\x00\x00" + good + good * 3
    reader, why = detect(head, "queue_log", cfg)
    assert reader is READERS["queue_log"], why


REAL = [
    ("asterisk-cdr/Master.csv", "asterisk_cdr"),
    ("freeswitch-cdr/Master.csv", "freeswitch_cdr"),
    ("zendesk-tickets/tickets.json", "chat_jsonl"),
]


@pytest.mark.realdata
@pytest.mark.parametrize(("rel", "fmt"), REAL)
def test_golden_real_files_are_recognised(realdata: Path, cfg: Config, rel: str, fmt: str) -> None:
    head = (realdata / rel).read_bytes()[:8192]
    reader, why = detect(head, rel, cfg)
    assert (reader.name, why) == (fmt, f"content looks like {fmt}")


@pytest.mark.realdata
def test_golden_custom19_is_declined_with_why(realdata: Path, cfg: Config) -> None:
    head = (realdata / "asterisk-cdr" / "Master.custom19.csv").read_bytes()[:8192]
    reader, why = detect(head, "asterisk-cdr/Master.custom19.csv", cfg)
    assert reader is None
    assert why == (
        "looks like an Asterisk CDR but not in the cdr-csv column order (19 columns, expected "
        "16, 18 or 21): a cdr_custom layout needs a [[mappings]] entry"
    )


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("example", "rel", "name"),
    [
        ("pwc-callcenter", "pwc-callcenter/call-center-dataset.csv", "pwc"),
        ("twcs", "twcs/twcs_head.csv", "twcs"),
        ("ticket-analytics", "ticket-analytics/customer_support_tickets.csv", "tickets"),
    ],
)
def test_golden_csvs_need_their_mapping(realdata: Path, example: str, rel: str, name: str) -> None:
    head = (realdata / rel).read_bytes()[:8192]
    reader, why = detect(head, rel, load_config(EXAMPLES / f"{example}.toml"))
    assert (reader.name, why) == ("mapped_csv", f"mapping {name!r}")
    reader, why = detect(head, rel, Config(timezone="UTC"))
    assert reader is None and why.startswith("no reader recognises this content (first line: ")
