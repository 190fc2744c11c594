"""`floorwatch serve` answers HTTP on loopback and stops on SIGTERM (a real subprocess)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest

from tui.launch import NO_AUTH_WARNING, is_loopback, serve_command

pytest.importorskip("textual_serve")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_loopback_and_stops(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", str(tmp_path), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, body = time.monotonic() + 20, ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    assert resp.status == 200
                    body = resp.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
        assert "floorwatch" in body and "<html" in body.lower()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode in (0, -15)
    assert "WARNING" not in err  # loopback: no warning
    assert f"http://127.0.0.1:{port}/" in err


def test_binding_elsewhere_warns_there_is_no_authentication():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert "no authentication" in NO_AUTH_WARNING.format(host="0.0.0.0", port=8000)


def test_serve_command_passes_folder_config_and_wall(tmp_path):
    opts = Namespace(folder=tmp_path, config=tmp_path / "f w.toml", wall=True)
    command = serve_command(opts)
    assert command.endswith(f"-m tui {tmp_path} --config '{tmp_path}/f w.toml' --wall")
