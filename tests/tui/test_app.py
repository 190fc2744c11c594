"""The console on a fixed dataset and a fixed clock: every pane, every key, live updates."""

from __future__ import annotations

import pytest
from textual.widgets import ContentSwitcher, Select

from tests.tui.conftest import NOW, append, loaded, ql, wait_for
from tui.app import FloorwatchApp, make_app
from tui.panes import PANES
from tui.screens import FilterScreen, HelpScreen
from tui.widgets import HeaderBar, KpiStrip, SearchTable


@pytest.fixture
def app(tui_store, tui_cfg, folder, clock) -> FloorwatchApp:
    return make_app(tui_store, tui_cfg, folder, clock=clock)


def table(app: FloorwatchApp, selector: str) -> SearchTable:
    return app.query_one(selector, SearchTable)


def cells(tbl: SearchTable, column: str) -> list[str]:
    """The plain text of one column, as shown (after search and sort)."""
    index = [c.key for c in tbl.cols].index(column)
    return [tbl.get_row_at(r)[index].plain for r in range(tbl.row_count)]


async def test_kpi_strip_and_queues_pane(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        kpis = app.query_one(KpiStrip)
        # 5 calls + 2 chats today; 1 call a week earlier
        assert kpis.values["offered"] == "7"
        assert kpis.values["answered"] == "3"
        assert kpis.values["waiting_now"] == "3"
        assert kpis.values["longest_wait_s"] == "10m00s"  # the unanswered chat
        assert kpis.changes["offered"] == "▲ +6"
        assert kpis.changes["service_level"].startswith("▼")
        assert kpis.changes["waiting_now"] == "now"
        # the open work (calls c4, c9, chat k2), of which overdue: k2 (due 13:52) and c4 (13:59)
        assert kpis.values["open"] == "3/2"
        queues = table(app, "#queues-table")
        assert sorted(cells(queues, "name")) == ["sales", "support", "webchat"]
        assert app.query_one("#queues-chart").painted


async def test_header_shows_site_period_clock_and_freshness(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        header = app.query_one(HeaderBar).plain
        assert "Lyon [floor 2]" in header
        assert "Today" in header
        assert "14:00:00" in header  # the clock in the site zone (Paris), not UTC
        assert "updated 0 s ago" in header
        assert "DEMO" not in header


async def test_restarted_on_a_feed_that_stopped_hours_ago_the_header_says_so(
    tui_store, tui_cfg, folder, clock
):
    """The freshness label tells the data's age, not the time since the console started."""
    import os

    three_hours_ago = (NOW.timestamp() - 3 * 3600,) * 2
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, three_hours_ago)
    app = make_app(tui_store, tui_cfg, folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        header = app.query_one(HeaderBar).plain
        assert "⚠ updated 3 h 0 min ago" in header, header  # and marked stale
        assert "updated 0 s ago" not in header


async def test_on_an_empty_folder_the_header_says_no_data_yet(tui_store, tui_cfg, tmp_path, clock):
    empty = tmp_path / "empty"
    empty.mkdir()
    app = make_app(tui_store, tui_cfg, empty, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        header = app.query_one(HeaderBar).plain
        assert "no data yet" in header and "updated" not in header, header


async def test_agents_pane_sort_and_search(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: table(app, "#agents-table").row_count == 2)
        agents = table(app, "#agents-table")
        assert sorted(cells(agents, "name")) == ["Zoë [trainee]", "[bold]x"]
        assert "sorted by: Handled" in str(app.pane.query_one(".sort-label").render())
        await pilot.press("s")
        assert agents.sort_key != "handled"
        assert f"sorted by: {agents.sort_label}" in str(app.pane.query_one(".sort-label").render())
        await pilot.press("slash", *"zo")
        assert cells(agents, "name") == ["Zoë [trainee]"]
        label = lambda: str(app.pane.query_one(".sort-label").render())  # noqa: E731
        assert "search “zo”: 1 of 2 rows" in label()
        await pilot.press(*"[b")  # markup-like text is shown literally, and matches nothing
        assert agents.row_count == 0 and "search “zo[b”: no row matches" in label()
        await pilot.press("escape")
        assert agents.row_count == 2 and "search" not in label().split("(")[0]


async def test_at_80_columns_the_agent_stays_in_view_when_the_table_scrolls_right(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        agents = table(app, "#agents-table")
        await wait_for(pilot, lambda: agents.row_count == 2)
        assert agents.max_scroll_x > 0  # wider than the terminal: the last columns are off screen
        agents.scroll_to(x=agents.max_scroll_x, animate=False)
        await pilot.pause()

        def screen_text() -> str:
            return "\n".join(agents.render_line(y).text for y in range(agents.size.height))

        await wait_for(pilot, lambda: "Occ" in screen_text())  # scrolled to the last column
        assert "Zoë [trainee]" in screen_text() and "[bold]x" in screen_text()


async def test_overdue_pane_most_overdue_first(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: table(app, "#overdue-table").row_count > 0)
        states = cells(table(app, "#overdue-table"), "state")
        assert states[0] == "⚠ overdue"
        assert states == sorted(states, key=lambda s: s != "⚠ overdue")
        # The id as the source writes it (chat k2 opened 12:50Z, calls c4 and c9 waiting since
        # 120 s and 60 s before the fixed clock's 13:00Z), and how long each has been open.
        assert cells(table(app, "#overdue-table"), "id") == ["k2", "c4", "c9"]
        assert cells(table(app, "#overdue-table"), "age_s") == ["10m00s", "2m00s", "1m00s"]
        # due: chat 2 min after 13:50 Paris, calls 60 s after 13:58 and 13:59; whose they are
        assert cells(table(app, "#overdue-table"), "due_at") == [
            "Tue 10 13:52",
            "Tue 10 13:59",
            "Tue 10 14:00",
        ]
        assert cells(table(app, "#overdue-table"), "due_kind")[0] == "first response"
        assert app.query_one("#overdue-chart").painted


async def test_overdue_pane_of_an_ended_period_lists_the_backlog_at_its_end(app):
    """Yesterday: what was overdue when yesterday ended, as the KPI strip counts it. The open
    work of the fixture (k2, c4, c9) came in today: none of it was there then."""
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        overdue = table(app, "#overdue-table")
        await wait_for(pilot, lambda: overdue.row_count == 3)
        await pilot.press("p")  # yesterday
        await wait_for(pilot, lambda: app.view.period == "yesterday" and overdue.row_count == 0)
        label = str(app.pane.query_one(".sort-label").render())
        assert label.startswith("as it stood at the period's end, Tue 10 00:00 · sorted by")
        await pilot.press("p", "p", "p", "p")  # back to today: now, no note
        await wait_for(pilot, lambda: app.view.period == "today" and overdue.row_count == 3)
        assert str(app.pane.query_one(".sort-label").render()).startswith("sorted by")


async def test_channels_and_reasons_panes(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: table(app, "#channels-table").row_count > 0)
        assert cells(table(app, "#channels-table"), "channel") == ["voice", "chat"]
        assert app.query_one("#mix-chart").painted and app.query_one("#mix-by-day-chart").painted
        await pilot.press("5")
        await wait_for(pilot, lambda: table(app, "#reasons-table").row_count == 2)
        reasons = table(app, "#reasons-table")
        assert cells(reasons, "topic") == ["Billing [VAT]", "Delivery"]
        assert cells(reasons, "change") == ["▲ +1", "▲ +1"]
        assert app.query_one(ContentSwitcher).current == "reasons"


async def test_data_pane_shows_files_and_rejects_literally(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: table(app, "#rejects-table").row_count > 0)
        files = cells(table(app, "#files-table"), "path")
        assert "[red]odd/queue_log.[b]1" in files
        # read at the fixed clock's now: the file-change times follow the console's clock
        assert set(cells(table(app, "#files-table"), "changed_s")) == {"0s ago"}
        rejects = table(app, "#rejects-table")
        assert cells(rejects, "path") == ["[red]odd/queue_log.[b]1"]
        assert cells(rejects, "line_no") == ["2"]
        assert cells(rejects, "raw") == ["garbage [bold]line"]


async def test_markup_in_data_is_shown_literally(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: table(app, "#agents-table").row_count == 2)
        await pilot.pause()
        svg = app.export_screenshot()
        for literal in ("[trainee]", "[bold]x", "[floor&#160;2]"):
            assert literal in svg, literal


async def test_period_key_cycles_and_comparison_follows(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        assert app.view.period == "yesterday"
        assert "Yesterday" in app.query_one(HeaderBar).plain
        await wait_for(pilot, lambda: app.query_one(KpiStrip).values["offered"] == "0")
        for _ in range(4):
            await pilot.press("p")
        assert app.view.period == "today"


async def test_filter_screen_filters_by_queue(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        screen = app.screen
        assert screen.options["queue"] == ("sales", "support", "webchat")
        assert screen.options["team"] == ("Blue", "Green")
        screen.query_one("#filter-queue", Select).value = "sales"
        await pilot.click("#apply")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        assert app.view.queue == "sales"
        assert "queue: sales" in app.query_one(HeaderBar).plain
        await wait_for(pilot, lambda: app.query_one(KpiStrip).values["offered"] == "2")


async def test_help_lists_every_key(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(" ".join(str(c) for c in row) for row in _help_rows(app.screen))
        keys = ("1", "2", "3", "4", "5", "6", "p", "f", "/", "s", "r", "?", "q", "ctrl+p", "ctrl+q")
        for key in (*keys, "g", "[", "]", "m", "w", "space", "←, →"):
            assert f"\n{key} " in "\n" + text or text.startswith(key), key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def _help_rows(screen) -> list[list[str]]:
    from tui.app import help_sections
    from tui.screens.help import key_label

    return [[key_label(b), b.description] for _, bs in help_sections() for b in bs]


async def test_refresh_key_and_command_palette(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        seen = app.refreshes
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes > seen)
        await pilot.press("ctrl+p")
        await pilot.press(*"Period")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.view.period == "yesterday")


async def test_quit_key(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 or not app.is_running


async def test_appended_line_shows_up(app, folder):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        kpis = app.query_one(KpiStrip)
        assert kpis.values["offered"] == "7"
        await pilot.pause(0.3)  # let the watcher settle
        append(
            folder / "asterisk" / "queue_log",
            ql(-30, "c5", "support", "NONE", "ENTERQUEUE", "", "5550005", 1),
        )
        await wait_for(pilot, lambda: kpis.values["offered"] == "8", timeout=5)
        assert kpis.values["waiting_now"] == "4"


async def test_refresh_errors_are_notified_and_refreshing_goes_on(app, monkeypatch):
    def boom(*args):
        raise RuntimeError("query exploded")

    monkeypatch.setattr(PANES[0], "fetch", classmethod(boom))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot, lambda: any("query exploded" in n.message for n in app._notifications)
        )
        assert app.refreshes == 0
        monkeypatch.undo()  # the store answers again: the next refresh (r) fills the screen
        await wait_for(pilot, lambda: not app._refreshing)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes >= 1, timeout=5)


@pytest.mark.parametrize("pane", [p.key for p in PANES])
async def test_small_terminal_renders_every_pane(app, pane):
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.action_show_pane(pane)
        await wait_for(pilot, lambda: app.refreshes > 1 and not app._refreshing)
        await pilot.pause()
        assert app.export_screenshot()
        assert app.pane.region.height > 5
        assert app.pane.query_one(SearchTable).region.height > 2


async def test_demo_header_says_demo(tui_store, tui_cfg, clock):
    app = make_app(tui_store, tui_cfg, None, clock=clock, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one(HeaderBar).plain.startswith(" DEMO ")
        assert NOW


async def test_the_footer_shows_each_panes_keys_and_changes_only_when_they_change(app):
    from tui.widgets.key_footer import KeyFooter

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        footer = app.screen.query_one(KeyFooter)

        def labels() -> set[str]:
            return {i.description for i in footer.items}

        def shown() -> str:
            return footer.render().plain

        await pilot.press("1")  # Queues add i: Interval
        await wait_for(pilot, lambda: "Interval" in labels())
        assert "i Interval" in shown()
        await pilot.press("4")
        await wait_for(pilot, lambda: "Interval" not in labels())
        before = footer.items
        assert "Group" not in labels() and "Sort" in labels()
        assert "s Sort" in shown() and "? Help" in shown() and shown().rstrip().endswith("palette")
        await pilot.press("5")  # Reasons: the same keys as Channels
        await pilot.pause()
        assert footer.items is before  # nothing to redraw
        await pilot.press("2")  # Agents add g: Group
        await wait_for(pilot, lambda: "Group" in labels())
        assert "g Group" in shown()
        await pilot.press("4")
        await wait_for(pilot, lambda: "Group" not in labels())


async def test_a_click_on_a_footer_key_presses_it_and_hovering_tells_what_it_does(app):
    from tui.screens import HelpScreen
    from tui.widgets.key_footer import KeyFooter

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        footer = app.screen.query_one(KeyFooter)
        x = footer.render().plain.index("? Help")
        await pilot.hover(KeyFooter, offset=(x, 0))
        await pilot.pause()
        assert footer.tooltip == "Show every key"
        await pilot.click(KeyFooter, offset=(x + 3, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_the_footer_fits_80_columns_with_the_palette_key_on_the_right(app):
    from tui.widgets.key_footer import KeyFooter

    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        footer = app.screen.query_one(KeyFooter)
        await wait_for(pilot, lambda: any(i.description == "Group" for i in footer.items))
        line = footer.render().plain
        assert len(line) == 80 and line.rstrip().endswith("palette")
        assert line.startswith("/ Search s Sort g Group p Period")  # as Textual's footer
        # Too many keys for 80 columns: help and quit stay, whole keys before them make room.
        assert "? Help q Quit" in line
        assert "Alerts" not in line and "Ale" not in line.split()
        await pilot.resize_terminal(160, 24)
        await pilot.pause()
        wide = footer.render().plain
        assert "a Alerts" in wide and "? Help q Quit" in wide


async def test_a_failure_to_keep_day_sums_is_told_once_and_the_watcher_carries_on(
    app, folder, monkeypatch
):
    import duckdb

    from data.ingest import Ingestor

    def broken(self, now=None):
        raise duckdb.IOException("disk full [sic]")

    monkeypatch.setattr(Ingestor, "keep_day_sums", broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.pause(0.3)

        def told() -> list[str]:
            return [n.message for n in app._notifications if "Per-day sums" in n.message]

        await wait_for(pilot, lambda: len(told()) == 1)
        kpis = app.query_one(KpiStrip)
        for n, callid in enumerate(("c5", "c6"), start=8):
            append(
                folder / "asterisk" / "queue_log",
                ql(-30, callid, "support", "NONE", "ENTERQUEUE", "", "5550005", 1),
            )
            await wait_for(pilot, lambda n=n: kpis.values["offered"] == str(n), timeout=5)
        assert len(told()) == 1 and "disk full [sic]" in told()[0]


async def test_keys_hold_off_the_idle_collector_and_a_refresh_counts_as_busy(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.collector.last_input = 0.0
        await pilot.press("2")
        assert app.collector.last_input > 0.0
        ticks: list[bool] = []
        app.collector.tick = lambda busy: ticks.append(busy) or False
        app._refreshing = True
        app._each_second()
        app._refreshing = False
        app._each_second()
        assert ticks == [True, False]


async def test_the_store_is_compressed_after_the_scan_and_after_a_big_watcher_batch(
    app, folder, monkeypatch
):
    from data.store import Store
    from tui.widgets import feed

    compressed: list[int] = []
    monkeypatch.setattr(Store, "compress", lambda self: compressed.append(app.refreshes))
    monkeypatch.setattr(feed, "COMPRESS_AFTER_ROWS", 2)  # stands for a big file dropped in
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert len(compressed) == 1  # what the scan loaded (data/store.py bulk_load)
        kpis = app.query_one(KpiStrip)
        await pilot.pause(0.3)  # let the watcher settle
        log = folder / "asterisk" / "queue_log"
        append(log, ql(-30, "c5", "support", "NONE", "ENTERQUEUE", "", "5550005", 1))
        await wait_for(pilot, lambda: kpis.values["offered"] == "8", timeout=5)
        assert len(compressed) == 1  # one row: DuckDB's own checkpoints see to it
        append(
            log,
            ql(-20, "c6", "support", "NONE", "ENTERQUEUE", "", "5550006", 1)
            + ql(-10, "c7", "support", "NONE", "ENTERQUEUE", "", "5550007", 1),
        )
        await wait_for(pilot, lambda: len(compressed) == 2, timeout=5)


async def test_the_interval_key_says_what_it_did_when_the_chart_is_hidden(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("i")
        notes = [n.message for n in app._notifications]
        assert "Chart interval: 15 minutes (the chart shows from 28 rows)" in notes


async def test_the_interval_key_makes_the_queues_chart_finer_then_wraps_to_days(app):
    from tui.panes.queues import QueuesPane

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        pane = app.query_one(QueuesPane)
        await wait_for(pilot, lambda: pane.data is not None)
        assert pane.data.size == "hour" and len(pane.data.intervals) == 24  # today: hours
        for size, count in (("15min", 96), ("day", 1), ("hour", 24)):
            await pilot.press("i")
            await wait_for(pilot, lambda s=size: pane.data.size == s)
            assert len(pane.data.intervals) == count
        await pilot.press("i", "p")  # 15 minutes, then another period: its own interval again
        await wait_for(pilot, lambda: app.view.period == "yesterday" and pane.data.size == "hour")
        assert app.view.interval is None
        # the chart shows the change itself: no notice at this height
        assert not any("Chart interval" in n.message for n in app._notifications)


async def test_a_pane_key_typed_right_after_its_number_reaches_the_new_pane(app):
    """'1i' typed as one burst: the i must find the Queues pane focused, not the old pane's table
    (focus given through call_later came after the queued i)."""
    from textual import events

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("6")
        await pilot.pause()
        for key in ("1", "i"):
            app.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: app.view.interval == "15min", timeout=5)
        for key in ("2", "g"):
            app.post_message(events.Key(key, key))
        board = app.query_one("#agents-table")
        await wait_for(pilot, lambda: board.grouped, timeout=5)


async def test_the_no_teams_notice_shows_teams_in_brackets_as_text(
    tui_store, tui_cfg, folder, clock
):
    """'[teams]' is the name of a floorwatch.toml table, not markup for Rich to swallow."""
    app = make_app(tui_store, tui_cfg.model_copy(update={"teams": {}}), folder, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("2", "g")
        await wait_for(pilot, lambda: any("No teams" in n.message for n in app._notifications))
        (note,) = [n for n in app._notifications if "No teams" in n.message]
        assert "([teams] in floorwatch.toml)" in note.message and note.markup is False


def test_rejects_of_one_batch_are_listed_latest_line_first() -> None:
    from datetime import UTC, datetime

    from data.store import Store
    from tui.panes.data_health import DataPane

    early, late = datetime(2026, 3, 1, 9, tzinfo=UTC), datetime(2026, 3, 1, 10, tzinfo=UTC)
    with Store() as store:
        cur = store.cursor()
        cur.executemany(
            "INSERT INTO rejects (path, line_no, reason, raw, seen_at) VALUES (?, ?, 'bad', 'x', ?)",
            [("q", 2, early), ("q", 5, early), ("q", 3, late), ("q", 9, late)],
        )
        data = DataPane.fetch(cur, None, None, late)
    assert [r["line_no"] for r in data.rejects] == [9, 3, 5, 2]


async def test_every_pane_number_stays_in_the_tabs_of_a_narrow_terminal(app):
    from tui.widgets.pane_bar import PaneBar

    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        await pilot.press("6")
        await pilot.pause()
        line = str(app.query_one(PaneBar).render())
        assert "[6 Data]" in line and all(f"{n} " in line for n in "12345"), line
        assert len(line) <= 60
        wide = app.query_one(PaneBar).tabs("data", short=False).plain
        assert "1 Queues" in wide and "5 Reasons" in wide


async def test_a_notice_given_at_start_is_shown_literally(tui_store, tui_cfg, folder, clock):
    notice = "The demo floor is closed: no agent is on shift until Sun 07:32 [site time]."
    app = make_app(tui_store, tui_cfg, folder, clock=clock, notice=notice)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert [n.message for n in app._notifications] == [notice]
        (note,) = app._notifications
        assert not note.markup  # "[site time]" is text, not a style
    plain = make_app(tui_store, tui_cfg, folder, clock=clock)
    async with plain.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not list(plain._notifications)
