"""The real binary in a real terminal: `floorwatch demo` in tmux, 120×40."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".venv" / "bin" / "floorwatch"

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not BINARY.exists(), reason="floorwatch is not installed in .venv"),
]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def wait_screen(session: str, condition, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if condition(screen):
            return screen
        time.sleep(0.25)
    raise AssertionError(f"screen never matched; last screen:\n{screen}")


def header(screen: str) -> str:
    return next((line for line in screen.splitlines() if "DEMO" in line), "")


def agent_rows(screen: str) -> list[str]:
    states = ("available", "paused", "on contact", "logged off")
    return [line for line in screen.splitlines() if any(s in line for s in states)]


def test_demo_in_tmux_shows_agents_and_quits(tmp_path: Path) -> None:
    session = f"fw-{uuid.uuid4().hex[:8]}"
    command = f"cd {ROOT} && TERM=xterm-256color {BINARY} demo --db {tmp_path / 'demo.duckdb'}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    try:
        wait_screen(session, lambda s: "DEMO" in s and "Offered" in s)
        wait_screen(session, lambda s: "Loading history" not in s, timeout=60)
        tmux("send-keys", "-t", session, "2")
        screen = wait_screen(session, lambda s: "[2 Agents]" in s and len(agent_rows(s)) >= 2, 40)
        assert "DEMO" in screen
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and session in tmux("list-sessions", "-F", "#S"):
            time.sleep(0.2)
        assert session not in tmux("list-sessions", "-F", "#S")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)


def test_demo_in_tmux_drill_down_and_back(tmp_path: Path) -> None:
    """Agents pane → agent → next agent → contact → back → back, on the real binary."""
    session = f"fw-{uuid.uuid4().hex[:8]}"
    command = f"cd {ROOT} && TERM=xterm-256color {BINARY} demo --db {tmp_path / 'demo.duckdb'}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    try:
        wait_screen(session, lambda s: "Loading history" not in s and "Offered" in s, 60)
        tmux("send-keys", "-t", session, "2")
        wait_screen(session, lambda s: "[2 Agents]" in s and len(agent_rows(s)) >= 2, 40)
        # Today may hold no contacts yet (a run in the small hours, site time): the last 7 days
        # of the demo's history always do, so the agent has contacts to open.
        for label in ("Yesterday", "This week", "Last 7 days"):
            tmux("send-keys", "-t", session, "p")
            wait_screen(session, lambda s, label=label: label in header(s))
        tmux("send-keys", "-t", session, "Enter")
        # The agent screen opens at its top: the KPIs first, the lists below (l brings them).
        wait_screen(session, lambda s: " Agent " in s and "[1/" in s and "Handled" in s)
        tmux("send-keys", "-t", session, "]")
        wait_screen(session, lambda s: "[2/" in s and "Handled" in s)
        tmux("send-keys", "-t", session, "l")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "Enter")
        wait_screen(session, lambda s: " Contact " in s and "Event" in s)
        tmux("send-keys", "-t", session, "Escape")
        wait_screen(session, lambda s: "[2/" in s and "Handled" in s)
        tmux("send-keys", "-t", session, "Escape")
        wait_screen(session, lambda s: "[2 Agents]" in s and "sorted by" in s)
        tmux("send-keys", "-t", session, "q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
