"""CellCacheTable draws exactly what Textual's DataTable draws, and re-renders a cell whenever
anything it shows changes: its text, its style, the cursor, the table's focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
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
