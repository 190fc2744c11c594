"""CellCacheTable draws exactly what Textual's DataTable draws, and re-renders a cell whenever
anything it shows changes: its text, its style, the cursor, the table's focus."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable, Input

from tui.widgets.cell_cache import CellCacheTable

ROWS = [("agent0", "10"), ("agent1", "20"), ("agent2", "30")]


class Tables(App):
    CSS = "DataTable { height: 6; }"

    def compose(self) -> ComposeResult:
        yield DataTable(id="plain", zebra_stripes=True, cursor_type="row")
        yield CellCacheTable(id="cached", zebra_stripes=True, cursor_type="row")
        yield Input()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("Agent", "Handled")
            for i, (name, n) in enumerate(ROWS):
                table.add_row(Text(name), Text(n, style="bold", justify="right"), key=str(i))


def drawn(table: DataTable) -> list[Strip]:
    return table.render_lines(Region(0, 0, table.size.width, table.size.height))


async def drawn_focused(app: App, pilot) -> tuple[CellCacheTable, list[Strip]]:
    """The cached table, focused, and what it draws then."""
    cached = app.query_one("#cached", CellCacheTable)
    cached.focus()
    await pilot.pause()
    return cached, drawn(cached)


def same(app: Tables) -> bool:
    plain, cached = app.query_one("#plain", DataTable), app.query_one("#cached", DataTable)
    return drawn(plain) == drawn(cached)


async def test_draws_what_datatable_draws_through_changes_of_cell_cursor_and_focus() -> None:
    app = Tables()
    async with app.run_test(size=(40, 20)) as pilot:
        app.query_one(Input).focus()  # neither table focused: both drawn alike
        await pilot.pause()
        assert same(app)
        for table in app.query(DataTable):
            first, second = table.columns
            table.update_cell("1", first, Text("renamed", style="red"))
            # The same text in another style.
            table.update_cell("2", second, Text("30", style="italic", justify="right"))
        await pilot.pause()
        assert same(app)
        for table in app.query(DataTable):
            table.move_cursor(row=2)
        await pilot.pause()
        assert same(app)
        for table in app.query(DataTable):
            table.focus()  # each in turn: drawn focused, then not
            await pilot.pause()
            focused = drawn(table)
            assert focused != drawn(
                app.query_one("#plain" if table.id == "cached" else "#cached", DataTable)
            )
        app.query_one(Input).focus()
        await pilot.pause()
        assert same(app)


async def test_a_changed_cell_is_drawn_anew_and_unchanged_cells_come_from_the_cache() -> None:
    app = Tables()
    async with app.run_test(size=(40, 20)) as pilot:
        cached = app.query_one("#cached", CellCacheTable)
        await pilot.pause()
        cache = cached._cells_by_look
        cache.hits = cache.misses = 0
        cached.update_cell("0", next(iter(cached.columns)), Text("agentX"))
        await pilot.pause()  # the screen redraws the table: every visible cell asked for
        assert cache.misses == 1  # only the changed cell was rendered again
        assert cache.hits >= len(ROWS) * 2
        assert "agentX" in "".join(s.text for s in drawn(cached))


class InPane(App):
    """A table inside a pane, shown and hidden as the console's panes are."""

    CSS = "DataTable { height: 6; }"

    def compose(self) -> ComposeResult:
        with Vertical(id="pane"):
            yield CellCacheTable(id="cached", zebra_stripes=True, cursor_type="row")
        yield Input()

    def on_mount(self) -> None:
        Tables.on_mount(self)  # type: ignore[arg-type]


async def test_lines_drawn_before_are_reused_when_the_pane_is_shown_and_focused_again() -> None:
    app = InPane()
    async with app.run_test(size=(40, 20)) as pilot:
        cached, before = await drawn_focused(app, pilot)
        app.query_one(Input).focus()  # what a pane switch does: focus moves, the pane is hidden
        app.query_one("#pane").display = False
        await pilot.pause()
        lines = cached._lines_by_look
        lines.hits = lines.misses = 0
        # Shown again, the table gets the focus and (in the console, whose pane's container
        # changes size) a Resize to the size it had.
        app.query_one("#pane").display = True
        cached.focus()
        cached.post_message(events.Resize(cached.size, cached.virtual_size, cached.container_size))
        await pilot.pause()
        assert lines.misses == 0 and lines.hits > 0
        assert drawn(cached) == before


async def test_a_theme_change_draws_the_lines_anew_as_datatable_does() -> None:
    app = Tables()
    async with app.run_test(size=(40, 20)) as pilot:
        app.query_one(Input).focus()
        await pilot.pause()
        before = drawn(app.query_one("#cached", DataTable))
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert drawn(app.query_one("#cached", DataTable)) != before
        assert same(app)


async def test_a_real_resize_draws_the_lines_anew() -> None:
    app = Tables()
    async with app.run_test(size=(40, 20)) as pilot:
        app.query_one(Input).focus()
        await pilot.pause()
        await pilot.resize_terminal(30, 20)
        await pilot.pause()
        assert same(app)
        assert all(s.cell_length == 30 for s in drawn(app.query_one("#cached", DataTable)))
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert same(app)


class Marked(Tables):
    CSS = Tables.CSS + "DataTable.marked > .datatable--cursor { background: red; }"


async def test_a_change_of_a_component_style_alone_draws_the_lines_anew() -> None:
    app = Marked()
    async with app.run_test(size=(40, 20)) as pilot:
        cached, before = await drawn_focused(app, pilot)
        cached.add_class("marked")  # the cursor row's colour changes, the table's own does not
        await pilot.pause()
        after = drawn(cached)
        assert after != before
        cached._clear_caches()  # what it draws with nothing kept
        assert after == drawn(cached)
