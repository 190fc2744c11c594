"""Wall mode on the fixed dataset: big KPIs, the cycle, pausing, leaving, and no customer data."""

from __future__ import annotations

import pytest
from textual.renderables.digits import Digits as DigitsRenderable

from data.config import Threshold, WallConfig
from tests.tui.conftest import loaded, wait_for
from tui.app import FloorwatchApp, make_app
from tui.wall import TILES, WallScreen
from tui.widgets import HeaderBar
from tui.widgets.big_digits import BigDigits, block_lines
from tui.widgets.key_footer import KeyFooter

# Customer identifiers and message text in the fixture: none may reach the wall.
SECRETS = ("5550001", "5550002", "5550003", "5550004", "cust1", "cust2", "hello", "parcel", "c1.1")


@pytest.fixture
def wall_app(tui_store, tui_cfg, folder, clock) -> FloorwatchApp:
    cfg = tui_cfg.model_copy(update={"wall": WallConfig(cycle_s=0.3, agent_kpi="talk_s")})
    return make_app(tui_store, cfg, folder, clock=clock, wall=True)


def wall(app: FloorwatchApp) -> WallScreen:
    assert isinstance(app.screen, WallScreen)
    return app.screen


async def test_wall_cycles_every_panel_and_shows_no_identifiers(wall_app):
    app = wall_app
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = wall(app)
        await wait_for(pilot, lambda: screen.tile_text.get("waiting_now") == "3")
        assert screen.tile_text["longest_wait_s"] == "10:00"
        header = screen.query_one(HeaderBar).plain
        assert "14:00:00" in header and "updated" in header  # clock and freshness
        assert not app.screen.query(KeyFooter)
        for _ in range(len(screen.keys)):  # one full round of the cycle
            key = screen.current
            await wait_for(pilot, lambda k=key: screen.current != k, timeout=5)
        seen: dict[str, str] = {}
        screen.paused = True
        for key in screen.keys:  # each panel with its data shown
            screen.index = screen.keys.index(key) - 1
            screen.step(1)
            await wait_for(pilot, lambda k=key: screen.shown == k)
            await pilot.pause()
            seen[key] = svg = app.export_screenshot()
            for secret in SECRETS:
                assert secret not in svg, (key, secret)
        assert set(seen) == {"queues", "agents", "overdue", "channels"}
        assert "support" in seen["queues"] and "webchat" in seen["queues"]
        assert "highest&#160;talk" in seen["agents"]
        assert "Zoë&#160;[trainee]" in seen["agents"]  # agent names are literal text
        assert "⚠&#160;" in seen["overdue"]
        assert "voice" in seen["channels"] and "█" in seen["channels"]


async def test_any_key_pauses_and_w_leaves(wall_app):
    app = wall_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = wall(app)
        await pilot.press("2")  # a console key: only pauses here
        assert screen.paused and app.pane_key == "queues"
        index = screen.index
        await pilot.pause(0.8)
        assert screen.index == index  # no cycling while paused
        await pilot.press("right")
        assert screen.index == (index + 1) % len(screen.keys) and screen.paused
        await pilot.press("space")
        assert not screen.paused
        await wait_for(pilot, lambda: screen.index != (index + 1) % len(screen.keys))
        await pilot.press("w")
        await wait_for(pilot, lambda: not isinstance(app.screen, WallScreen))
        assert app.wall_screen is None
        await pilot.press("w")
        assert isinstance(app.screen, WallScreen)


async def test_wall_redraws_on_resize_with_clock_visible(wall_app):
    app = wall_app
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.2)
        header = wall(app).query_one(HeaderBar)
        assert header.size.width <= 60
        assert "14:00:00" in header.plain and "updated" in header.plain
        assert header.plain.endswith("ago")
        assert app.export_screenshot()


@pytest.mark.parametrize(
    ("seconds", "digits", "unit"),
    [
        (None, "-", "m:s"),
        (45, "0:45", "m:s"),
        (3599, "59:59", "m:s"),
        (3600 + 16 * 60, "1:16", "h:m"),
        (23 * 3600 + 59 * 60, "23:59", "h:m"),
        (109 * 3600 + 20 * 60, "109", "hours"),  # an email waiting since Monday fits a tile
    ],
)
def test_long_waits_read_in_the_largest_unit_that_fits_a_tile(seconds, digits, unit):
    from tui.wall import _clock_dur, _clock_unit

    assert (_clock_dur(seconds), _clock_unit(seconds)) == (digits, unit)


# ---- tiles past a level, at every size ------------------------------------------------------------

LEVELS = [
    Threshold(kpi="longest_wait_s", warning=60, critical=120),  # 10:00: critical
    Threshold(kpi="service_level", direction="below", warning=0.99, critical=0.1),  # warning
    Threshold(kpi="abandon_rate", warning=0.1, critical=0.2),  # 1 of 4 calls: critical
    Threshold(kpi="overdue", warning=0),  # warning
]


def drawn_lines(app: FloorwatchApp) -> list[str]:
    """The screen as the compositor hands it to the terminal, line by line."""
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def big_rows(text: str, digits: BigDigits) -> list[str]:
    """The rows of `text` in large digits: Textual's three, or the pixel font's at the scale the
    tile's room allows."""
    if scale := digits.scale():
        return [row.strip() for row in block_lines(text, scale)]
    drawn = "".join(s.text for s in DigitsRenderable(text).render(digits.rich_style))
    return [row.rstrip() for row in drawn.split("\n")[:3]]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60), (300, 80)])
async def test_a_tile_past_a_level_shows_its_whole_number_and_the_level_in_words(
    tui_store, tui_cfg, folder, clock, size
):
    """At 80×24 and 120×40 the level's words wrapped the label onto the digits' first row and the
    number lost its bottom row; at 80 columns 10:00 was also cut at the right."""
    cfg = tui_cfg.model_copy(update={"thresholds": LEVELS, "wall": WallConfig(cycle_s=60)})
    app = make_app(tui_store, cfg, folder, clock=clock, wall=True)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        screen = wall(app)
        await wait_for(pilot, lambda: screen.tile_marks.get("overdue") == "!")
        await pilot.pause()
        marked = {key: mark for key, mark in screen.tile_marks.items() if mark}
        assert marked == {
            "longest_wait_s": "‼",
            "service_level": "!",
            "abandon_rate": "‼",
            "overdue": "!",
        }
        lines = drawn_lines(app)
        for tile in TILES:
            box = screen.query_one(f"#tile-{tile.key}")
            r = box.region
            shown = [line[r.x : r.right] for line in lines[r.y : r.bottom]]
            where = (size, tile.key, shown)
            assert tile.label.split()[0] in shown[1], where  # the label, under the top border
            digits = box.query_one(BigDigits)
            # A tall wall terminal draws the numbers larger than Textual's three rows.
            scale = digits.scale()
            assert (scale is not None) == (size[1] >= 60), (where, scale)
            assert size != (300, 80) or scale.rows >= 2, (where, scale)  # 10 rows or more
            rows = big_rows(screen.tile_text[tile.key], digits)
            assert any(
                all(row in shown[i + n] for n, row in enumerate(rows))
                for i in range(len(shown) - len(rows) + 1)
            ), where
            words = {"": None, "!": "! warning", "‼": "‼ critical"}[screen.tile_marks[tile.key]]
            assert words is None or any(words in line for line in shown), where
        # One height for the row of numbers: "3" does not tower over "10:00".
        heights = {
            len(
                big_rows(
                    screen.tile_text[t.key], screen.query_one(f"#tile-{t.key}").query_one(BigDigits)
                )
            )
            for t in TILES
        }
        assert len(heights) == 1, (size, heights)


async def test_the_queues_panel_keeps_service_level_and_abandon_in_80_columns(wall_app):
    from textual.widgets import DataTable

    app = wall_app
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        screen = wall(app)
        screen.paused = True
        screen.index = screen.keys.index("queues") - 1
        screen.step(1)
        await wait_for(pilot, lambda: screen.shown == "queues")
        await pilot.pause()
        table = screen.query_one("#wall-queues DataTable", DataTable)
        header = "".join(str(c.label) for c in table.columns.values())
        assert header.index("Service level") < header.index("Offered")
        visible = table.size.width
        widths = [c.get_render_width(table) for c in table.columns.values()]
        names = [str(c.label) for c in table.columns.values()]
        shown = []
        edge = 0
        for name, width in zip(names, widths, strict=True):
            edge += width
            if edge <= visible:
                shown.append(name)
        assert {"Waiting", "Longest wait", "Service level", "Abandon"} <= set(shown), shown


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_no_wall_panel_cuts_a_column_the_wall_cannot_scroll_to(wall_app, size):
    """At 80 columns the channel mix showed 'AS' over '1m' and lost voice's ASA; the queues panel
    an 'Off' header with no values. A panel too narrow gives up whole columns (the bar first)."""
    from textual.widgets import DataTable

    app = wall_app
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        screen = wall(app)
        screen.paused = True
        for key in screen.keys:
            screen.index = screen.keys.index(key) - 1
            screen.step(1)
            await wait_for(pilot, lambda k=key: screen.shown == k)
            await pilot.pause()
            table = screen.query_one(f"#wall-{key} DataTable", DataTable)
            widths = [c.get_render_width(table) for c in table.columns.values()]
            names = [str(c.label) for c in table.columns.values()]
            assert sum(widths) <= table.scrollable_content_region.width, (key, names, widths)
            assert names[0] == screen.query_one(f"#wall-{key}").COLUMNS[0]
            if key == "channels":
                assert {"Share of offered", "Service level", "ASA"} <= set(names), names


def test_the_agents_panel_ranks_only_agents_on_shift():
    """Logged off since yesterday, nothing handled: not the floor's "lowest handled"."""
    from data.config import Config
    from data.store import Store
    from tests.metrics.conftest import answered, insert, t
    from tui.view import View
    from tui.wall import WallAgents

    def ev(at: str, agent: str, event: str) -> dict:
        return {"ts": t(at), "agent": agent, "event": event, "queue": "sales"}

    cfg = Config(timezone="Europe/Paris", wall=WallConfig(agent_kpi="handled"))
    with Store() as store:
        insert(
            store,
            "queue_events",
            [
                ev("2026-03-09 08:00", "gone", "ADDMEMBER"),
                ev("2026-03-09 17:00", "gone", "REMOVEMEMBER"),  # off since yesterday
                ev("2026-03-10 08:00", "idle", "ADDMEMBER"),  # on shift, nothing handled yet
                ev("2026-03-10 08:00", "busy", "ADDMEMBER"),
            ],
        )
        insert(store, "contacts", [answered("2026-03-10 09:00", 10, agent="busy")])
        ranked = WallAgents.fetch(store.cursor(), cfg, View(), t("2026-03-10 12:00"))
    names = [name for name, _ in (*ranked.top, *ranked.bottom)]
    assert sorted(names) == ["busy", "idle"]
