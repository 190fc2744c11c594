"""Control characters in the data (an agent named with an ESC sequence, a message that would clear
the screen, a rejected line, a file name) never reach the terminal: every pane and screen draws
them as symbols (data/text.py), and the columns stay aligned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tui.conftest import loaded, ql, wait_for, write
from tui.app import FloorwatchApp, make_app
from tui.screens import AgentScreen, ContactScreen, FilterScreen
from tui.wall import WallScreen
from tui.widgets import SearchTable

ESC = "\x1b"
AGENT = f"Agent/{ESC}[31mEve{ESC}[0m\x07"
QUEUE = f"sup{ESC}[2Jport"
TOPIC = f"Refund{ESC}[7m"
MESSAGE = f"help me {ESC}[2J now\x9b"


def controls(text: str) -> list[str]:
    """The control characters in `text` (C0 but newline, DEL, C1)."""
    return sorted({repr(c) for c in text if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)})


def drawn(app: FloorwatchApp) -> str:
    """Everything on the screen, as the compositor hands it to the terminal."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    write(
        root / "asterisk" / f"queue_log.{ESC}[1m",
        "".join(
            [
                ql(-3 * 3600, "NONE", "NONE", AGENT, "AGENTLOGIN", "SIP/1001"),
                ql(-3 * 3600 + 60, "NONE", QUEUE, AGENT, "PAUSE", f"lunch{ESC}[5m"),
                ql(-3 * 3600 + 120, "NONE", QUEUE, AGENT, "UNPAUSE", ""),
                ql(-3600, "c1", QUEUE, "NONE", "ENTERQUEUE", "", f"555{ESC}]0;pwned\x07", 1),
                ql(-3590, "c1", QUEUE, AGENT, "CONNECT", 10, "c1.1", 2),
                ql(-3470, "c1", QUEUE, AGENT, "COMPLETECALLER", 10, 120, 1),
                ql(-600, "c2", QUEUE, "NONE", "ENTERQUEUE", "", "5550002", 1),
                ql(-300, "c3", "NONE", "NONE", f"FOO{ESC}[7m", ""),  # rejected: unknown event
            ]
        ),
    )
    chats = [
        {
            "type": "conversation",
            "conversation_id": f"k{ESC}[1m1",
            "created_at": "2026-03-10T09:30:00Z",
            "channel": "chat",
            "queue": QUEUE,
            "status": "open",
            "topic": TOPIC,
            "customer": f"cust{ESC}[8m",
            "agent": AGENT,
        },
        {"conversation_id": f"k{ESC}[1m1", "ts": "2026-03-10T09:30:00Z", "role": "customer"}
        | {"author": f"cust{ESC}[8m", "text": MESSAGE},
        {"conversation_id": f"k{ESC}[1m1", "ts": "2026-03-10T09:31:00Z", "role": "agent"}
        | {"author": AGENT, "text": f"on it{ESC}[1A"},
    ]
    write(root / "chat" / "chats.jsonl", "\n".join(json.dumps(c) for c in chats) + "\n")
    return root


@pytest.fixture
def app(tui_store, tui_cfg, odd_folder, clock) -> FloorwatchApp:
    return make_app(tui_store, tui_cfg, odd_folder, clock=clock)


async def test_no_control_character_reaches_the_terminal_on_any_screen(app):
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)

        async def check(where: str) -> None:
            await pilot.pause()
            assert controls(drawn(app)) == [], where

        for key in "123456":
            await pilot.press(key)
            pane = app.pane
            await wait_for(pilot, lambda p=pane: p.query(SearchTable).first().row_count > 0)
            await check(f"pane {key}")
            if key == "5":
                assert "Refund␛[7m" in drawn(app)  # shown, as a symbol

        await pilot.press("2")
        board = app.query_one("#agents-table", SearchTable)
        await wait_for(pilot, lambda: board.row_count > 0)
        text = drawn(app)
        assert "Agent/␛[31mEve␛[0m␇" in text
        # The row's columns line up with the header's (ESC is no zero-width character here).
        header = next(line for line in text.splitlines() if "Handled" in line)
        agent_line = next(line for line in text.splitlines() if "Eve" in line)
        assert len(agent_line.rstrip()) <= len(header.rstrip()) + 2

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentScreen) and app.screen.detail)
        await check("agent screen")
        await pilot.press("enter")  # its latest contact: the chat
        await wait_for(pilot, lambda: isinstance(app.screen, ContactScreen) and app.screen.data)
        await check("contact screen")
        assert "help me ␛[2J now\ufffd" in drawn(app)
        await pilot.press("escape", "escape")

        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        await check("filters")
        await pilot.press("escape")

        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WallScreen))
        for _ in range(5):  # each panel in turn
            await check(f"wall {app.screen.panel_type.__name__}")
            await pilot.press("right")
