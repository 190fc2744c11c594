"""Drill-down: Agents pane → agent screen → next agent → contact → back → back; the Overdue pane to a
contact; masking; team grouping; the screens' numbers equal `floorwatch report`; snapshots."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable

from data.commands.report import run_report
from tests.tui.conftest import NOW, loaded, wait_for, write
from tui.app import FloorwatchApp, make_app
from tui.panes.agents import AgentsTable
from tui.screens import AgentScreen, ContactScreen, OpenContact
from tui.screens.agent import KPIS
from tui.widgets import SearchTable

# A rated chat handled by Zoë, with markup in its text and comment.
MORE_CHATS = "\n".join(
    json.dumps(o)
    for o in [
        {
            "type": "conversation",
            "conversation_id": "k3",
            "created_at": "2026-03-10T11:00:00Z",
            "channel": "chat",
            "queue": "webchat",
            "status": "resolved",
            "resolved_at": "2026-03-10T11:20:00Z",
            "customer": "cust3",
            "agent": "Agent/1001",
            "rating": 2,
            "rating_comment": "too [bold]slow",
        },
        {"conversation_id": "k3", "ts": "2026-03-10T11:00:00Z", "role": "customer"}
        | {"author": "cust3", "text": "where is my [bold]refund"},
        {"conversation_id": "k3", "ts": "2026-03-10T11:04:00Z", "role": "agent"}
        | {"author": "Agent/1001", "text": "on its way"},
    ]
)
CONFIG = """timezone = "Europe/Paris"
[agent_names]
"Agent/1001" = "Zoë [trainee]"
"Agent/1002" = "[bold]x"
[teams]
"Agent/1001" = "Blue"
"Agent/1002" = "Green"
"""


@pytest.fixture
def drill_folder(folder: Path) -> Path:
    write(folder / "chat" / "more.jsonl", MORE_CHATS + "\n")
    return folder


@pytest.fixture
def app(tui_store, tui_cfg, drill_folder, clock) -> FloorwatchApp:
    return make_app(tui_store, tui_cfg, drill_folder, clock=clock)


def cells(table: DataTable, column: int) -> list[str]:
    return [table.get_row_at(r)[column].plain for r in range(table.row_count)]


def plain(widget) -> str:
    """What a Static shows (its Text or Rich table), as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def kpi_cells(screen: AgentScreen) -> dict[str, list[str]]:
    table = screen.query_one("#agent-kpis", DataTable)
    return {str(k.value): [c.plain for c in table.get_row(k)] for k in table.rows}


def report_json(folder: Path, tmp: Path, *args: str) -> dict:
    config = write(tmp / "floorwatch.toml", CONFIG)
    out = io.StringIO()
    argv = [str(folder), "--config", str(config), "--now", NOW.isoformat(), "--format", "json"]
    with redirect_stdout(out):
        assert run_report([*argv, *args]) == 0
    return json.loads(out.getvalue())


async def open_leaderboard(pilot) -> AgentsTable:
    app = pilot.app
    await loaded(pilot)
    await pilot.press("2")
    table = app.query_one("#agents-table", AgentsTable)
    await wait_for(pilot, lambda: table.row_count == 2)
    return table


async def agent_screen(pilot, name: str) -> AgentScreen:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, AgentScreen)
            and app.screen.detail is not None
            and app.screen.detail.name == name
        ),
    )
    await pilot.pause()
    return app.screen


async def contact_screen(pilot) -> ContactScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ContactScreen) and app.screen.data)
    await pilot.pause()
    return app.screen


async def test_agent_screen_follows_the_leaderboard_of_the_new_period(app):
    """After p, [ ] walk the new period's leaderboard, and [i/N] counts it."""
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_leaderboard(pilot)
        first = board.shown[0]["name"]
        await pilot.press("enter")
        screen = await agent_screen(pilot, first)
        assert "[1/2]" in plain(screen.query_one("#agent-title"))
        seen = app.pane_updates
        await pilot.press("p")  # yesterday: one agent worked then
        await wait_for(pilot, lambda: app.pane_updates > seen and screen.detail is not None)
        await pilot.pause()
        order = board.agent_order
        assert screen.agents == tuple(order if screen.agent in order else [screen.agent, *order])
        title = plain(screen.query_one("#agent-title"))
        assert f"[{screen.index + 1}/{len(screen.agents)}]" in title
        assert len(screen.agents) != 2, "the test wants a period whose leaderboard differs"


async def test_the_whole_path_and_back(app, drill_folder, tmp_path):
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_leaderboard(pilot)
        await pilot.press("s")  # sort by the next column: kept when we come back
        sort_key = board.sort_key
        order = [r["name"] for r in board.shown]
        first = order[0]
        await pilot.press("enter")
        screen = await agent_screen(pilot, first)
        title = plain(screen.query_one("#agent-title"))
        assert first in title and f"[1/{len(order)}]" in title

        await pilot.press("right_square_bracket")  # the next agent in the leaderboard's order
        screen = await agent_screen(pilot, order[1])
        assert "[2/2]" in plain(screen.query_one("#agent-title"))
        await pilot.press("left_square_bracket")
        screen = await agent_screen(pilot, first)
        if first != "Zoë [trainee]":
            await pilot.press("right_square_bracket")
            screen = await agent_screen(pilot, "Zoë [trainee]")

        # Zoë: her KPIs beside the team's and the floor's, equal to the report's
        kpis = kpi_cells(screen)
        assert kpis["handled"] == ["Handled", "3", "▲ +2", "3", "▲ +2", "4", "▲ +3"]
        rep = report_json(drill_folder, tmp_path, "--by", "agent")
        zoe = next(r for r in rep["rows"] if r["agent"] == "Agent/1001")
        only = report_json(drill_folder, tmp_path, "--agent", "Agent/1001", "--by", "agent")
        assert only["rows"][0]["handled"] == zoe["handled"] == 3
        assert kpis["csat"][1] == "50.0%"
        shown = {kpi.key: kpi.show for kpi in KPIS}
        team = report_json(drill_folder, tmp_path, "--team", "Blue")["totals"]
        team["handled"] = team["answered"]
        floor = rep["totals"] | {"handled": rep["totals"]["answered"]}
        for key in ("handled", "aht_s", "talk_s", "frt_s", "frt_max_s", "avg_reply_wait_s"):
            assert kpis[key][1] == shown[key](zoe[key]) == shown[key](only["rows"][0][key]), key
            assert kpis[key][3] == shown[key](team[key]), key
            assert kpis[key][5] == shown[key](floor[key]), key
        for key in ("csat", "fcr", "transfers", "missed_rings", "occupancy"):
            assert kpis[key][1] == shown[key](zoe[key]), key
        # state, today's timeline, lists
        assert "Now available for" in plain(screen.query_one("#agent-state"))
        timeline = screen.query_one("#agent-timeline", DataTable)
        assert cells(timeline, 2)[:2] == ["logged off", "available"]
        rated = screen.query_one("#agent-rated", SearchTable)
        assert [r["rating"] for r in rated.shown] == [2.0, 5.0]  # lowest first
        assert cells(rated, 1)[0] == "too [bold]slow"
        recent = screen.query_one("#agent-recent", SearchTable)
        assert recent.row_count == 3 and screen.focused is recent

        # → the latest contact (the chat k1), its timeline
        await pilot.press("enter")
        contact = await contact_screen(pilot)
        assert contact.contact_id == "chat:k1"
        timeline = contact.query_one("#contact-timeline", SearchTable)
        assert cells(timeline, 3) == ["customer message", "agent message"]
        assert cells(timeline, 5) == ["hi", "hello"]
        assert cells(timeline, 1) == ["–", "+1m00s"]
        assert "cust1" in cells(timeline, 2)
        sla = plain(contact.query_one("#contact-sla"))
        assert "✓ met" in sla
        await pilot.press("m")
        assert cells(timeline, 5) == ["•••", "•••"] and "cust1" not in cells(timeline, 2)
        await pilot.press("m")

        await pilot.press("escape")
        screen = await agent_screen(pilot, "Zoë [trainee]")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, (AgentScreen, ContactScreen)))
        assert app.pane_key == "agents" and board.sort_key == sort_key
        assert [r["name"] for r in board.shown] == order
        assert app.focused is board


async def test_overdue_pane_to_contact_masks_and_shows_markup_literally(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        table = app.query_one("#overdue-table", SearchTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        ids = [r["contact_id"] for r in table.shown]
        await pilot.press("enter")
        contact = await contact_screen(pilot)
        assert contact.contact_id == ids[0]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ContactScreen))
        app.post_message(OpenContact("chat:k3"))  # as a search result would
        contact = await contact_screen(pilot)
        timeline = contact.query_one("#contact-timeline", SearchTable)
        assert cells(timeline, 5) == ["where is my [bold]refund", "on its way"]
        assert "reply after 4m00s" in cells(timeline, 4)
        svg = app.export_screenshot()
        assert "[bold]refund" in svg.replace("&#160;", " ") and "cust3" in svg
        await pilot.press("m")
        await pilot.pause()
        svg = app.export_screenshot()
        assert "refund" not in svg and "cust3" not in svg and "•••" in svg
        # The period does not change unseen under a contact: the screen says where it applies.
        await pilot.press("p")
        await pilot.pause()
        assert app.view.period == "today"
        assert any("esc to go back" in n.message for n in app._notifications)


async def test_group_by_team_with_team_totals(app, drill_folder, tmp_path):
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_leaderboard(pilot)
        await pilot.press("g")
        names = [r["name"] for r in board.shown]
        assert names == ["Σ Blue", "Zoë [trainee]", "Σ Green", "[bold]x"]
        assert "grouped by team" in str(app.pane.query_one(".sort-label").render())
        by_team = {
            r["team"]: r for r in report_json(drill_folder, tmp_path, "--by", "team")["rows"]
        }
        totals = {r["team"]: r for r in board.shown if r.get("_total")}
        for team in ("Blue", "Green"):
            assert totals[team]["handled"] == by_team[team]["answered"]
            assert totals[team]["aht_s"] == by_team[team]["aht_s"]
        assert board.agent_order == ["Agent/1001", "Agent/1002"]
        await pilot.press("enter")  # on a team total: nothing opens, and it says why
        await pilot.pause()
        assert not isinstance(app.screen, AgentScreen)
        assert "A team total: enter opens an agent's row" in [n.message for n in app._notifications]
        # A search counts agents: the team total shown above the one match is not a second one.
        await pilot.press("slash", "z", "o", "enter")
        assert [r["name"] for r in board.shown] == ["Σ Blue", "Zoë [trainee]"]
        assert "search “zo”: 1 of 2 rows" in str(app.pane.query_one(".sort-label").render())
        await pilot.press("slash", "escape")
        await pilot.press("g")
        assert len(board.shown) == 2


async def test_the_agent_screen_says_whose_it_is_while_it_loads(app, drill_folder, monkeypatch):
    import threading

    release = threading.Event()
    fetch = AgentScreen.fetch

    def slow(self, *args):
        release.wait(10)
        return fetch(self, *args)

    monkeypatch.setattr(AgentScreen, "fetch", slow)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentScreen))
        title = app.screen.query_one("#agent-title")
        await wait_for(pilot, lambda: "loading…" in str(title.render()))
        release.set()
        await wait_for(pilot, lambda: "team Blue" in str(title.render()))
        assert "loading…" not in str(title.render())


async def test_small_terminal_renders_both_screens(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("enter")
        screen = await agent_screen(pilot, app.query_one(AgentsTable).shown[0]["name"])
        assert screen.query_one("#agent-kpis").region.width >= 70
        assert screen.focused.region.height > 2
        await pilot.press("enter")
        contact = await contact_screen(pilot)
        assert contact.query_one("#contact-timeline").region.height > 2
        assert app.export_screenshot()


def _to_screen(app: FloorwatchApp, contact: bool):
    async def run_before(pilot) -> None:
        await open_leaderboard(pilot)
        await pilot.press("enter")
        await agent_screen(pilot, "Zoë [trainee]")
        if contact:
            await pilot.press("enter")
            await contact_screen(pilot)
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("contact", [False, True], ids=["agent", "contact"])
def test_snapshot(snap_compare, tui_store, tui_cfg, drill_folder, clock, contact):
    app = make_app(tui_store, tui_cfg, drill_folder, clock=clock)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_to_screen(app, contact))


async def test_customer_ids_appear_only_on_the_contact_screen(tui_store, tui_cfg, folder, clock):
    """Issue 5: customer identifiers are shown on the contact screen only (and can be masked)."""
    from tests.tui.conftest import loaded
    from tui.app import make_app

    app = make_app(tui_store, tui_cfg, folder, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot)
        for key in ("queues", "agents", "overdue", "channels", "reasons", "data"):
            app.action_show_pane(key)
            seen = app.refreshes
            while app.refreshes <= seen or app._refreshing:
                await pilot.pause(0.05)
            screen = app.export_screenshot()
            assert "cust1" not in screen and "cust2" not in screen, key


async def test_a_pane_key_on_a_drill_screen_returns_to_that_pane(tui_store, tui_cfg, folder, clock):
    from tui.app import make_app
    from tui.screens import AgentScreen

    app = make_app(tui_store, tui_cfg, folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.pane.query_one(DataTable).row_count > 0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentScreen))
        await pilot.press("3")
        await wait_for(pilot, lambda: not isinstance(app.screen, AgentScreen))
        assert app.pane_key == "overdue" and app.switcher.current == "overdue"


async def test_the_palette_offers_the_pane_and_drill_screen_keys(app, drill_folder):
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_leaderboard(pilot)
        offered = {b.description for b in app.palette_bindings()}
        assert {"Group", "Search", "Sort", "Filters", "Quit"} <= offered
        grouped = board.grouped
        await pilot.press("ctrl+p", *"Group")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: board.grouped != grouped)

        await pilot.press("g")  # back to the plain leaderboard: enter opens its first agent
        await wait_for(pilot, lambda: board.grouped == grouped)
        await pilot.press("enter")
        screen = await agent_screen(pilot, board.shown[0]["name"])
        offered = {b.description for b in app.palette_bindings()}
        assert {"Prev agent", "Next agent", "Mask", "Back"} <= offered
        title = plain(screen.query_one("#agent-title"))
        await pilot.press("ctrl+p", *"Next agent")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, AgentScreen)
                and plain(app.screen.query_one("#agent-title")) != title
            ),
        )


def test_contact_times_carry_the_date_when_the_events_span_days() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tui.screens.contact import _times

    paris = ZoneInfo("Europe/Paris")
    one_day = [{"at": datetime(2026, 3, 10, h, 5, 9, tzinfo=paris)} for h in (9, 17)]
    assert _times(one_day) == {0: "09:05:09", 1: "17:05:09"}
    two_days = [*one_day, {"at": datetime(2026, 3, 11, 8, 0, tzinfo=paris)}, {"at": None}]
    assert _times(two_days) == {
        0: "10 Mar 09:05:09",
        1: "10 Mar 17:05:09",
        2: "11 Mar 08:00:00",
        3: "–",
    }


def test_a_step_without_a_target_says_so_once() -> None:
    from rich.console import Console

    from data.metrics.detail import ContactTimeline
    from tui.screens.contact import _sla

    timeline = ContactTimeline(
        contact={}, events=(), sla=({"kind": "resolution", "due": None, "state": "no target"},)
    )
    console = Console(width=80, record=True)
    console.print(_sla(timeline))
    assert console.export_text().count("no target") == 1


async def test_an_email_agent_screen_says_why_there_is_no_timeline(
    tui_store, tui_cfg, drill_folder, clock
):
    """No logins, pauses, calls or chats: the screen does not promise a timeline of contacts."""
    email = [
        {"type": "conversation", "conversation_id": "e7", "created_at": "2026-03-10T08:00:00Z"}
        | {"channel": "email", "queue": "mail", "agent": "mail-ann", "customer": "cust7"},
        {"conversation_id": "e7", "ts": "2026-03-10T08:00:00Z", "role": "customer"}
        | {"author": "cust7", "text": "hello"},
        {"conversation_id": "e7", "ts": "2026-03-10T09:00:00Z", "role": "agent"}
        | {"author": "mail-ann", "text": "hi"},
    ]
    write(drill_folder / "chat" / "email.jsonl", "".join(json.dumps(o) + "\n" for o in email))
    app = make_app(tui_store, tui_cfg, drill_folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.push_screen(AgentScreen(["mail-ann"]))
        screen = await agent_screen(pilot, "mail-ann")
        assert screen.detail.kpis["agent"]["handled"] == 1
        state = plain(screen.query_one("#agent-state"))
        assert "no timeline to draw" in state and "shows their" not in state
        assert screen.query_one("#agent-timeline", DataTable).row_count == 0


async def test_the_contact_screen_names_the_queue_as_the_panes_do(
    tui_store, tui_cfg, drill_folder, clock
):
    cfg = tui_cfg.model_copy(update={"queue_names": {"webchat": "Web chat [EU]"}})
    app = make_app(tui_store, cfg, drill_folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.post_message(OpenContact("chat:k3"))
        contact = await contact_screen(pilot)
        title = plain(contact.query_one("#contact-title"))
        assert "queue Web chat [EU]" in title and "webchat" not in title


async def test_every_pause_reason_shows_on_the_agent_screen(
    tui_store, tui_cfg, drill_folder, clock
):
    """The presence line ran off the right at 120 columns ('paused 1h22m (lunch'): it wraps."""
    from tests.tui.conftest import append, ql

    reasons = ["lunch with a very long name", "coaching session", "team meeting", "training"]
    lines = []
    for i, reason in enumerate(reasons):
        start = -10_000 + i * 1_200
        lines += [
            ql(start, "NONE", "support", "Agent/1001", "PAUSE", reason),
            ql(start + 600, "NONE", "support", "Agent/1001", "UNPAUSE", reason),
        ]
    append(drill_folder / "asterisk" / "queue_log", "".join(lines))
    app = make_app(tui_store, tui_cfg, drill_folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_leaderboard(pilot)
        board.move_cursor(row=[r["agent"] for r in board.shown].index("Agent/1001"))
        await pilot.press("enter")
        screen = await agent_screen(pilot, "Zoë [trainee]")
        paused = screen.query_one("#agent-paused")
        shown = "".join(strip.text for strip in paused.render_lines(paused.region.reset_offset))
        shown = " ".join(shown.split())
        assert "training 10m00s)" in shown, shown
        assert all(reason in shown for reason in reasons), shown
