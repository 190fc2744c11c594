"""Shared fixtures: deterministic runs, a throwaway store, the real exports when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.config import Config
from data.store import Store

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(autouse=True)
def _deterministic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Snapshots fail under NO_COLOR; a user config must never leak into a test.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("FLOORWATCH_NO_USER_CONFIG", "1")


@pytest.fixture
def store() -> Store:
    s = Store()
    yield s
    s.close()


@pytest.fixture
def cfg() -> Config:
    return Config(timezone="Europe/Paris")


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def append(path: Path, text: str | bytes) -> None:
    with path.open("ab") as f:
        f.write(text.encode() if isinstance(text, str) else text)
        f.flush()
        os.fsync(f.fileno())
