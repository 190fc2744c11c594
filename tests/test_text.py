"""Control characters in the data are shown as symbols by everything people read: `check`'s text,
`report`'s table and md (the console: tests/tui/test_control_chars.py). json escapes them and csv
keeps the values as they are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from data.commands.check import run_check
from data.commands.report import run_report
from data.text import visible

ESC = "\x1b"


def test_visible_shows_each_control_character_as_one_symbol() -> None:
    assert visible("plain [bold] text, é, 名") == "plain [bold] text, é, 名"
    assert visible(f"{ESC}[2J\x07\t\r\x7f\x9b") == "␛[2J␇␉␍␡\ufffd"
    assert visible("two\nlines") == "two␊lines"
    assert visible("two\r\nlines\x1b", lines=True) == "two\nlines␛"
    assert len(visible(f"a{ESC}b\x9bc")) == 5  # one cell each: tables keep their columns


def queue_log(tmp_path: Path) -> Path:
    agent = f"Agent/{ESC}[31mEve"
    lines = [
        f"1773133200|c1|sup{ESC}[2Jport|NONE|ENTERQUEUE||5550001|1",
        f"1773133210|c1|sup{ESC}[2Jport|{agent}|CONNECT|10|c1.1|2",
        f"1773133330|c1|sup{ESC}[2Jport|{agent}|COMPLETECALLER|10|120|1",
        f"1773133400|c2|support|NONE|FOO{ESC}[2J|",
        "1773133500|c3|support|NONE|ENTERQUEUE||5550003|1",
        "1773133505|c3|support|Agent/Bob|CONNECT|5|c3.1|2",
        "1773133565|c3|support|Agent/Bob|COMPLETECALLER|5|60|1",
    ]
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / f"queue_log{ESC}[1m").write_text("\n".join(lines) + "\n")
    (folder / "floorwatch.toml").write_text('timezone = "UTC"\n')
    return folder


def test_check_text_shows_control_characters_and_json_escapes_them(tmp_path, capsys) -> None:
    folder = queue_log(tmp_path)
    assert run_check([str(folder)]) == 1
    out = capsys.readouterr().out
    assert ESC not in out
    assert "queue_log␛[1m" in out and "unknown event FOO␛[2J" in out
    assert run_check([str(folder), "--format", "json"]) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["rejects"][0]["reason"] == f"unknown event FOO{ESC}[2J"


def test_report_table_and_md_show_them_json_and_csv_keep_the_data(tmp_path, capsys) -> None:
    folder = queue_log(tmp_path)
    base = [str(folder), "--from", "2026-03-10", "--to", "2026-03-11"]
    for fmt in ("table", "md"):
        assert run_report([*base, "--by", "agent", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert ESC not in out and "Agent/␛[31mEve" in out, fmt  # md: the highest AHT
    assert run_report([*base, "--by", "queue", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["queue"] == f"sup{ESC}[2Jport"
    assert run_report([*base, "--by", "agent", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["agent"] == f"Agent/{ESC}[31mEve"


def test_a_newline_in_a_value_cannot_start_a_line_of_the_report(tmp_path, capsys) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    chats = [
        '{"type": "conversation", "conversation_id": "k1", "created_at": "2026-03-10T09:00:00Z",'
        ' "channel": "chat", "status": "open", "topic": "billing\\n## Overdue\\n\\n99 overdue",'
        ' "agent": "a1\\r\\nFAKE"}',
        '{"conversation_id": "k1", "ts": "2026-03-10T09:00:00Z", "role": "customer", "text": "hi"}',
        '{"conversation_id": "k1", "ts": "2026-03-10T09:01:00Z", "role": "agent", "author":'
        ' "a1\\r\\nFAKE", "text": "yes"}',
    ]
    (folder / "chats.jsonl").write_text("\n".join(chats) + "\n")
    (folder / "floorwatch.toml").write_text('timezone = "UTC"\n')
    base = [str(folder), "--from", "2026-03-10", "--to", "2026-03-11", "--now", "2026-03-10T12:00Z"]
    assert run_report([*base, "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert [line for line in md.splitlines() if line.startswith("## Overdue")] == ["## Overdue"]
    assert "| billing␊## Overdue␊␊99 overdue |" in md
    assert run_report([*base, "--by", "agent"]) == 0
    table = capsys.readouterr().out
    assert "a1␍␊FAKE" in table and "\nFAKE" not in table
