"""`floorwatch check`: per-file report, JSON keys, exit codes, and headless speed of start-up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, write
from tests.data.test_ingest import T0, call, calls


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )


def test_clean_folder_exits_0_with_totals(tmp_path: Path) -> None:
    write(tmp_path / "queue_log", calls(2))
    result = run(str(tmp_path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["files"] == [
        {
            "path": "queue_log",
            "format": "queue_log",
            "lines": 6,
            "loaded": 6,
            "rejected": 0,
            "duplicates": 0,
            "status": "ok",
            "message": out["files"][0]["message"],
            "held_back_bytes": 0,
        }
    ]
    assert out["rejects"] == []
    assert out["totals"] == {"contacts": 2, "messages": 0, "agent_events": 0, "rejected": 0}


def test_rejects_exit_1_and_name_file_line_reason(tmp_path: Path) -> None:
    write(tmp_path / "queue_log", call("c1", T0) + "oops\n" + call("c2", T0 + 99))
    write(tmp_path / "readme.bin", b"\x00\x01\x02binary")
    result = run(str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "queue_log:4: " in result.stdout
    assert "readme.bin  SKIPPED: " in result.stdout
    assert "Totals: 2 contacts" in result.stdout


def test_config_error_exits_2_naming_key(tmp_path: Path) -> None:
    write(tmp_path / "floorwatch.toml", "timezone = 'UTC'\nbogus = 1\n")
    result = run(str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "floorwatch.toml: bogus: unknown key" in result.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "no such file or folder" in result.stderr


def test_db_second_run_reports_store_totals(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "queue_log", calls(3))
    db = str(tmp_path / "fw.duckdb")
    assert run(str(folder), "--db", db, cwd=tmp_path).returncode == 0
    second = json.loads(run(str(folder), "--db", db, "--format", "json", cwd=tmp_path).stdout)
    assert second["totals"]["contacts"] == 3 and second["files"][0]["loaded"] == 9


def test_kill_and_restart_loses_and_doubles_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "queue_log", calls(20_000))
    db = tmp_path / "fw.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "check", str(folder), "--db", str(db)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.2)  # somewhere in the middle of the load (or already done: both must hold)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = run(str(folder), "--db", str(db), "--format", "json", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    out = json.loads(rerun.stdout)
    assert out["totals"]["contacts"] == 20_000
    assert out["files"][0]["loaded"] == 60_000 and out["files"][0]["lines"] == 60_000


@pytest.mark.parametrize("module", ["tui.cli"])
def test_check_does_not_import_textual(module: str) -> None:
    code = f"import {module}, data.commands.check, sys; print(any(m.startswith('textual') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_store_of_another_version_is_refused_clearly(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.close()
    write(tmp_path / "in" / "queue_log", calls(1))
    result = run(str(tmp_path / "in"), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 2
    assert "written by another version of floorwatch (store version 1" in result.stderr


def test_with_db_a_line_cut_mid_write_waits_for_its_end_and_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    whole = calls(3)
    cut = whole.index("\n", len(whole) // 2) - 7  # inside a line, 7 bytes before its end
    write(folder / "queue_log", whole[:cut])
    db = str(tmp_path / "fw.duckdb")
    first = run(str(folder), "--db", db, cwd=tmp_path)
    assert first.returncode == 1  # not everything is in yet
    assert "last line unterminated" in first.stdout and "Rejected lines" not in first.stdout
    with (folder / "queue_log").open("a") as f:
        f.write(whole[cut:])
    second = run(str(folder), "--db", db, "--format", "json", cwd=tmp_path)
    assert second.returncode == 0, second.stdout
    out = json.loads(second.stdout)
    assert out["rejects"] == [] and out["totals"]["contacts"] == 3
    assert out["files"][0]["loaded"] == 9 and out["files"][0]["held_back_bytes"] == 0


def test_with_db_a_partial_line_appended_to_a_known_file_is_reported(tmp_path: Path) -> None:
    """The file was loaded whole; then part of a line was appended. No new line was read, and
    nothing said that bytes wait (exit 0, held_back_bytes 0): the live-export case."""
    folder = tmp_path / "in"
    whole = calls(2)
    write(folder / "queue_log", whole)
    db = str(tmp_path / "fw.duckdb")
    assert run(str(folder), "--db", db, cwd=tmp_path).returncode == 0
    with (folder / "queue_log").open("a") as f:
        f.write(call("c9", T0 + 900)[:20])
    second = run(str(folder), "--db", db, "--format", "json", cwd=tmp_path)
    assert second.returncode == 1, second.stdout
    assert json.loads(second.stdout)["files"][0]["held_back_bytes"] == 20


def test_without_db_an_unterminated_last_line_is_taken_as_complete(tmp_path: Path) -> None:
    write(tmp_path / "queue_log", calls(2).rstrip("\n"))
    result = run(str(tmp_path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["files"][0]["loaded"] == 6


def test_a_file_gone_since_the_last_run_is_reported_not_failed(tmp_path: Path) -> None:
    """logrotate deleting the oldest copy is no fault of the data: listed, what it held kept,
    and check still exits 0, then and on every later run."""
    folder = tmp_path / "in"
    write(folder / "queue_log", calls(1))
    write(folder / "queue_log.1", calls(1).replace("c0", "d0"))
    db = str(tmp_path / "fw.duckdb")
    assert run(str(folder), "--db", db, cwd=tmp_path).returncode == 0
    (folder / "queue_log.1").unlink()
    for _ in range(2):
        result = run(str(folder), "--db", db, cwd=tmp_path)
        assert result.returncode == 0
        assert "queue_log.1  MISSING: file vanished" in result.stdout
        assert "Totals: 2 contacts" in result.stdout  # what it held stays


def test_report_with_db_says_which_last_line_it_left_out(tmp_path: Path, capsys) -> None:
    from data.commands.report import run_report

    folder = tmp_path / "in"
    write(folder / "queue_log", calls(2)[:-5])
    db = str(tmp_path / "fw.duckdb")
    assert run_report([str(folder), "--db", db, "--format", "json"]) == 0
    assert "queue_log: last line unterminated or record unfinished" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["a_folder", "not_a_store.duckdb", "no/such/dir/x.duckdb"])
def test_a_db_path_that_cannot_be_a_store_is_a_usage_error_not_a_traceback(
    tmp_path: Path, capsys, bad: str
) -> None:
    from data.commands.check import run_check

    (tmp_path / "a_folder").mkdir()
    write(tmp_path / "not_a_store.duckdb", "hello\n")
    write(tmp_path / "in" / "queue_log", calls(1))
    assert run_check([str(tmp_path / "in"), "--db", str(tmp_path / bad)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / bad}: cannot open as a floorwatch store" in err
    assert "Traceback" not in err


def test_report_on_a_mistyped_db_fails_and_creates_nothing(tmp_path: Path, capsys) -> None:
    from data.commands.report import run_report

    db = tmp_path / "typo.duckdb"
    assert run_report(["--db", str(db)]) == 2
    assert "no such store" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize("command", ["check", "report"])
def test_a_reader_that_goes_away_is_no_traceback(tmp_path: Path, command: str) -> None:
    """`floorwatch report | head -1`: the pipe closes before the output is written."""
    write(tmp_path / "queue_log", calls(50))
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write gets EPIPE
    proc = subprocess.run(
        [sys.executable, "-m", "tui", command, str(tmp_path)],
        cwd=tmp_path,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    os.close(write_end)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 141


def test_an_interrupt_inside_a_write_is_no_traceback() -> None:
    """ctrl+c inside a DuckDB write: 'Query interrupted', then the aborted transaction refuses
    the next statement, raised on top of it."""
    import duckdb

    from tui.cli import _is_interrupted_query

    try:
        try:
            raise RuntimeError("Query interrupted")
        except RuntimeError:
            raise duckdb.TransactionException("Current transaction is aborted") from None
    except duckdb.TransactionException as exc:
        top = exc
    assert top.__cause__ is None and top.__context__ is not None
    assert _is_interrupted_query(top)
    assert not _is_interrupted_query(duckdb.TransactionException("Current transaction is aborted"))


PWC = ROOT.parent / "shared" / "realdata" / "pwc-callcenter" / "call-center-dataset.csv"


@pytest.mark.skipif(not PWC.exists(), reason="../shared/realdata is absent")
def test_a_stray_quote_in_a_mapped_csv_rejects_its_line_and_loses_nothing_after_it(
    tmp_path: Path,
) -> None:
    """An opening quote never closed swallowed the rest of the file as one unfinished record: 37
    good calls gone, no reject, and a promise to load it 'once it is complete'."""
    head, *rows = PWC.read_bytes().splitlines(keepends=True)[:41]
    stray = b'ID0099,"Diane,03/01/2021,9:12:19,Technical Support,Y,Y,109,00:02:23,3\r\n'
    write_bytes = tmp_path / "in" / "call-center-dataset.csv"
    write_bytes.parent.mkdir()
    write_bytes.write_bytes(head + b"".join(rows[:2]) + stray + b"".join(rows[2:]))
    config = ROOT / "examples" / "pwc-callcenter.toml"
    result = run(str(write_bytes.parent), "--config", str(config), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["files"][0]["loaded"] == 2 + 38
    assert [(r["line"], r["reason"].split(" (")[0]) for r in out["rejects"]] == [
        (4, "unterminated quoted field")
    ]
