"""A small fixed dataset (queue_log + chat), a fixed clock, and helpers to wait on the live app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.config import Config
from data.store import Store

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 14:00 in Paris, a Tuesday
T0 = int(NOW.timestamp())
WEEK = 7 * 86400


def ql(offset_s: int, callid: str, queue: str, agent: str, event: str, *data: object) -> str:
    return "|".join([str(T0 + offset_s), callid, queue, agent, event, *map(str, data)]) + "\n"


QUEUE_LOG = "".join(
    [
        ql(-3 * 3600, "NONE", "NONE", "Agent/1001", "AGENTLOGIN", "SIP/1001"),
        ql(-3 * 3600, "NONE", "NONE", "Agent/1002", "AGENTLOGIN", "SIP/1002"),
        # answered in 10 s, 120 s of talk
        ql(-3600, "c1", "support", "NONE", "ENTERQUEUE", "", "5550001", 1),
        ql(-3590, "c1", "support", "Agent/1001", "CONNECT", 10, "c1.1", 2),
        ql(-3470, "c1", "support", "Agent/1001", "COMPLETECALLER", 10, 120, 1),
        # abandoned after 60 s
        ql(-3000, "c2", "support", "NONE", "ENTERQUEUE", "", "5550002", 1),
        ql(-2940, "c2", "support", "NONE", "ABANDON", 1, 1, 60),
        # answered in 30 s by the second agent
        ql(-2400, "c3", "sales", "NONE", "ENTERQUEUE", "", "5550003", 1),
        ql(-2370, "c3", "sales", "Agent/1002", "CONNECT", 30, "c3.1", 2),
        ql(-2170, "c3", "sales", "Agent/1002", "COMPLETEAGENT", 30, 200, 1),
        # waiting now, for two minutes
        ql(-120, "c4", "sales", "NONE", "ENTERQUEUE", "", "5550004", 1),
        # a week earlier: the comparison period
        ql(-WEEK - 3600, "p1", "support", "NONE", "ENTERQUEUE", "", "5550009", 1),
        ql(-WEEK - 3595, "p1", "support", "Agent/1001", "CONNECT", 5, "p1.1", 2),
        ql(-WEEK - 3400, "p1", "support", "Agent/1001", "COMPLETECALLER", 5, 195, 1),
    ]
)


CHATS = (
    "\n".join(
        json.dumps(o, ensure_ascii=False)
        for o in [
            {
                "type": "conversation",
                "conversation_id": "k1",
                "created_at": "2026-03-10T12:30:00Z",
                "channel": "chat",
                "queue": "webchat",
                "status": "resolved",
                "resolved_at": "2026-03-10T12:45:00Z",
                "topic": "Billing [VAT]",
                "customer": "cust1",
                "agent": "Agent/1001",
                "rating": 5,
            },
            {
                "conversation_id": "k1",
                "ts": "2026-03-10T12:30:00Z",
                "role": "customer",
                "author": "cust1",
                "text": "hi",
            },
            {
                "conversation_id": "k1",
                "ts": "2026-03-10T12:31:00Z",
                "role": "agent",
                "author": "Agent/1001",
                "text": "hello",
            },
            {
                "type": "conversation",
                "conversation_id": "k2",
                "created_at": "2026-03-10T12:50:00Z",
                "channel": "chat",
                "queue": "webchat",
                "status": "open",
                "topic": "Delivery",
                "customer": "cust2",
            },
            {
                "conversation_id": "k2",
                "ts": "2026-03-10T12:50:00Z",
                "role": "customer",
                "author": "cust2",
                "text": "parcel?",
            },
        ]
    )
    + "\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    write(root / "asterisk" / "queue_log", QUEUE_LOG)
    write(root / "chat" / "chats.jsonl", CHATS)
    # A file whose name looks like markup, holding a line no reader accepts.
    write(
        root / "[red]odd" / "queue_log.[b]1",
        ql(-60, "c9", "support", "NONE", "ENTERQUEUE", "", "1", 1) + "garbage [bold]line\n",
    )
    return root


@pytest.fixture
def tui_cfg() -> Config:
    return Config(
        site_name="Lyon [floor 2]",
        timezone="Europe/Paris",
        agent_names={"Agent/1001": "Zoë [trainee]", "Agent/1002": "[bold]x"},
        teams={"Agent/1001": "Blue", "Agent/1002": "Green"},
        stale_data_s=300,
    )


@pytest.fixture
def tui_store() -> Store:
    s = Store()
    yield s
    s.close()


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Poll `condition` while the app runs (the watcher never completes, so no wait_for_complete)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            notes = [n.message for n in pilot.app._notifications]
            raise AssertionError(f"timed out after {timeout} s; notifications: {notes}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


async def loaded(pilot) -> None:
    """The initial scan is done and a refresh that followed it has been shown."""
    app = pilot.app
    await wait_for(pilot, lambda: not app.loading)
    seen = app.refreshes
    app.request_refresh()
    await wait_for(pilot, lambda: app.refreshes > seen and not app._refreshing)
    await pilot.pause()
