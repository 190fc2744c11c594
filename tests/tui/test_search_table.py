"""SearchTable keeps its DataTable when only cell values change (a live refresh), and rebuilds it
when the columns, their widths or the number of rows change."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui import fmt
from tui.widgets.search_table import Col, SearchTable

COLS = (Col("name", "Agent"), Col("handled", "Handled", fmt.count, numeric=True))


def rows(*handled: int) -> list[dict]:
    return [{"name": f"agent{i}", "handled": h} for i, h in enumerate(handled)]


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield SearchTable(COLS)


def cells(table: SearchTable) -> list[list[str]]:
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_refresh_updates_changed_cells_in_place_and_keeps_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(SearchTable)
        table.set_rows(rows(10, 20, 30))
        table.move_cursor(row=2)
        await pilot.pause()
        columns = list(table.columns)
        table.set_rows(rows(10, 25, 30))  # one value changes, same widths
        await pilot.pause()
        assert cells(table) == [["agent0", "10"], ["agent1", "25"], ["agent2", "30"]]
        assert table.cursor_row == 2
        assert list(table.columns) == columns  # the same columns: updated, not rebuilt


async def test_a_wider_value_or_another_row_count_rebuilds_the_table() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(SearchTable)
        table.set_rows(rows(1, 2))
        await pilot.pause()
        table.set_rows(rows(1, 2_000_000))
        await pilot.pause()
        assert cells(table) == [["agent0", "1"], ["agent1", fmt.count(2_000_000)]]
        width = table.columns[list(table.columns)[1]].width
        assert width == max(len("Handled"), len(fmt.count(2_000_000)))
        table.set_rows(rows(5))
        await pilot.pause()
        assert cells(table) == [["agent0", "5"]]
        # The sort marker changes a label: rebuilt, rows in the new order.
        table.set_rows(rows(1, 3, 2))
        table.sort_key = "handled"
        table.set_rows(rows(1, 3, 2))
        await pilot.pause()
        assert [r[1] for r in cells(table)] == ["3", "2", "1"]
        assert "▼" in str(table.columns[list(table.columns)[1]].label)


WIDE = (
    Col("name", "Queue"),
    Col("offered", "Offered", fmt.count, numeric=True),
    Col("waiting", "Waiting now", fmt.count, numeric=True, short="Waiting"),
    Col("longest", "Longest wait", fmt.dur, numeric=True, short="Longest"),
)


class WideApp(App):
    def compose(self) -> ComposeResult:
        yield SearchTable(WIDE)


def labels(table: SearchTable) -> list[str]:
    return [c.label.plain for c in table.columns.values()]


async def test_a_narrow_table_takes_short_labels_and_a_wide_one_full_labels() -> None:
    app = WideApp()
    # Full labels need 5 + 7 + 11 + 12 cells plus 2 of padding per column: 43.
    async with app.run_test(size=(42, 10)) as pilot:
        table = app.query_one(SearchTable)
        table.set_rows([{"name": "Sales", "offered": 12, "waiting": 3, "longest": 75}])
        await pilot.pause()
        assert labels(table) == ["Queue", "Offered", "Waiting", "Longest"]
        assert cells(table) == [["Sales", "12", "3", "1m15s"]]
        await pilot.resize_terminal(43, 10)
        await pilot.pause()
        assert labels(table) == ["Queue", "Offered", "Waiting now", "Longest wait"]
        await pilot.resize_terminal(42, 10)
        await pilot.pause()
        assert labels(table) == ["Queue", "Offered", "Waiting", "Longest"]


async def test_a_long_name_gives_way_before_a_figure_goes_out_of_view() -> None:
    """Short labels and still too wide (a long queue name): the name is cut, with …, down to
    NAME_MIN cells; a wider terminal shows it whole again."""
    app = WideApp()
    # Short labels: 18 + 7 + 7 + 7 cells plus 8 of padding = 47, in 40.
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SearchTable)
        table.set_rows([{"name": "chat-vip-overflow1", "offered": 12, "waiting": 3, "longest": 75}])
        await pilot.pause()
        assert labels(table) == ["Queue", "Offered", "Waiting", "Longest"]
        (row,) = cells(table)
        assert row[1:] == ["12", "3", "1m15s"] and row[0] == "chat-vip-o…"
        assert table._overflow([c.get_render_width(table) - 2 for c in table.columns.values()]) <= 0
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert cells(table)[0][0] == "chat-vip-overflow1"


async def test_a_column_only_partly_in_view_is_blank_not_cut() -> None:
    """Cut at the right edge, 30.2% showed as '3' under no header; scrolled, a column half
    under the fixed first one showed its last digits. Both are blank until scrolled in whole."""
    cols = (
        Col("name", "Agent"),
        Col("a", "Handled", fmt.count, numeric=True),
        Col("b", "Occupancy", fmt.pct, numeric=True),
    )

    class Narrow(App):
        def compose(self) -> ComposeResult:
            yield SearchTable(cols)

    app = Narrow()
    # Agent 6 + Handled 7 + Occupancy 9, 2 cells of padding each: 28; 24 shows Occupancy in part.
    async with app.run_test(size=(24, 8)) as pilot:
        table = app.query_one(SearchTable)
        table.set_rows([{"name": "Sofía", "a": 75, "b": 0.302}])
        await pilot.pause()

        def line(y: int) -> str:
            return table.render_line(y).text

        assert line(1).startswith(" Sofía       75 ") and "30" not in line(1)
        assert line(0).rstrip().endswith("Handled")  # no "Occ" fragment
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        assert "30.2%" in line(1) and "Occupancy" in line(0)
        # Handled now lies half under the fixed Agent column: none of it shows.
        assert line(1).split("30.2%")[0].strip() == "Sofía"
