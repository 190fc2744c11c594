"""A DataTable whose rendered cells are cached by what they show, not by when they were drawn.

Textual's DataTable keys its cell cache on an update counter (bumped by every `update_cell`,
resize and display change) and clears it on every style change, focus included. So showing a
pane (its table is shown, resized and focused) or changing one cell re-rendered every visible
cell through Rich: 40 rows × 14 columns of the leaderboard took 100–300 ms of the UI thread at
160×48, while the worker fetching the pane's data waited for the GIL. Here a cell's rendering is
kept under everything that goes into it, so only cells whose text, style, width or cursor state
changed are rendered again.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable

# A few screenfuls of cells per table (a table is redrawn with the same cells most of the time);
# an entry is ~550 bytes (the leaderboard), so at most ~2 MB a table.
CACHE_CELLS = 4096


def _look(cell: Any) -> tuple | None:
    """What a cell renderable shows, hashable; None when we cannot tell (not cached)."""
    if isinstance(cell, Text):
        return (
            cell.plain,
            cell.style,
            cell.justify,
            cell.overflow,
            cell.no_wrap,
            cell.end,
            tuple(cell.spans),
        )
    if isinstance(cell, str):
        return (cell,)
    return None


class CellCacheTable(DataTable):
    """DataTable with a content-addressed cache in front of `_render_cell` (textual 8.2.8, pinned).

    The key holds every input of the rendering: the cell's position (its segments carry the row and
    column as mouse metadata), its look, the base style (row, zebra stripe, focus), the component
    styles for its cursor/hover state (which follow the table's pseudo-classes), width, row height
    and padding. Whatever the inherited cache keys on but this one does not (the update counter,
    the pseudo-class state) only says *that* something may have changed, not what."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cells_by_look: LRUCache[tuple, Any] = LRUCache(CACHE_CELLS)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        key = self._cell_key(row_index, column_index, base_style, width, cursor, hover)
        if key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        lines = self._cells_by_look.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._cells_by_look.set(key, lines)
        return lines

    def _cell_key(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> tuple | None:
        is_header = row_index == -1
        is_label = column_index == -1
        label, cells = self._get_row_renderables(row_index)
        if is_label:
            cell = label if label is not None else ""
        elif 0 <= column_index < len(cells):
            cell = cells[column_index]
        else:
            return None
        look = _look(cell)
        if look is None:
            return None
        if is_header:
            height = self.header_height
        else:
            row = self.rows.get(self._row_locations.get_key(row_index))
            if row is None or (row.auto_height and row.height == 0):
                return None  # measured while rendered: leave it to DataTable
            height = row.height
        fixed = (
            not is_header
            and not is_label
            and (row_index < self.fixed_rows or column_index < self.fixed_columns)
        )
        styles = self._get_styles_to_render_cell(
            is_header,
            is_label,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        return (row_index, column_index, look, base_style, styles, width, height, self.cell_padding)
