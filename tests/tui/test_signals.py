"""SIGTERM, SIGHUP and SIGINT end the real console cleanly: exit status 0 promptly, and the `--db` it kept
opens again with the data in it. The console runs on a pseudo-terminal, as in an SSH session."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.store import Store

ROOT = Path(__file__).resolve().parents[2]


def read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def start(
    args: list[str], size: tuple[int, int], extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    """The real console (`python -m tui ARGS`) on a new pseudo-terminal: (process, master fd)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])}
    env |= extra_env or {}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    return proc, master


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"]
)
def test_signal_ends_the_console_and_the_db_reopens(folder, tmp_path, sig):
    db = tmp_path / "fw.duckdb"
    proc, master = start([str(folder), "--db", str(db)], (100, 30))
    try:
        out = read_until(master, b"updated", timeout=30)  # the freshness label: data loaded
        assert b"updated" in out, out[-2000:]
        if sig == signal.SIGHUP:
            os.close(master)  # the SSH session dropped: the terminal is gone
            master = -1
        started = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert code == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        if master >= 0:
            os.close(master)
    with Store(db) as store:
        (contacts,) = store.cursor().execute("SELECT count(*) FROM contacts").fetchone()
    assert contacts >= 7


def test_quitting_as_the_terminal_goes_away_still_ends_the_console(tmp_path):
    """`q` and the SSH session dropping at the same moment (tmux kill-session does this), on the
    busy live demo: Textual's output thread dies with the terminal and its shutdown would wait on it
    for ever, ignoring SIGTERM too. The process must end anyway, with its store consistent."""
    db = tmp_path / "fw.duckdb"
    tmp = tmp_path / "tmp"  # where the demo makes its folder: it must be gone afterwards
    tmp.mkdir()
    proc, master = start(
        ["demo", "--speed", "30", "--db", str(db)], (120, 40), {"TMPDIR": str(tmp)}
    )
    try:
        assert b"updated" in read_until(master, b"updated", timeout=60)
        time.sleep(2)
        os.write(master, b"2")
        time.sleep(0.3)
        os.write(master, b"q")
        os.close(master)
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            pytest.fail("the console did not end after q and SIGHUP with the terminal gone")
    assert [p.name for p in tmp.iterdir()] == []  # the demo's folder went with it
    with Store(db) as store:
        (contacts,) = store.cursor().execute("SELECT count(*) FROM contacts").fetchone()
    assert contacts > 1000


def test_the_terminal_going_away_ends_the_demo_and_removes_its_folder(tmp_path):
    """tmux kill-session, an SSH session dropped: SIGHUP with the terminal gone. The demo's
    folder of exports goes with the console, however it has to end."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc, master = start(["demo", "--speed", "30"], (120, 40), {"TMPDIR": str(tmp)})
    try:
        assert b"updated" in read_until(master, b"updated", timeout=60)
        assert [p.name[:15] for p in tmp.iterdir()] == ["floorwatch-demo"]
        os.close(master)
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            pytest.fail("the demo did not end after SIGHUP with the terminal gone")
    assert [p.name for p in tmp.iterdir()] == []


def test_the_watchdog_removes_the_demo_folder_before_it_ends_the_process(tmp_path, monkeypatch):
    """When closing down hangs (the terminal gone mid-write), the watchdog ends the process with
    os._exit, which runs no `finally`: the demo registers its folder's removal with it."""
    from tui import launch

    seen: list[bool] = []

    def run(folder, config, db, **kw):  # instead of the console: the watchdog's turn
        seen.append(folder.exists())
        launch.run_forced_exit_cleanups()
        seen.append(folder.exists())
        return 0

    monkeypatch.setattr(launch, "_run", run)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert launch._run_demo(30, None) == 0
    assert seen == [True, False] and launch.at_forced_exit == []
