"""A DataTable whose rendered cells are cached by what they show, not by when they were drawn.

Textual's DataTable keys its cell cache on an update counter (bumped by every `update_cell`,
resize and display change) and clears it on every style change, focus included. So showing a
pane (its table is shown, resized and focused) or changing one cell re-rendered every visible
cell through Rich: 40 rows × 14 columns of the leaderboard took 100–300 ms of the UI thread at
160×48, while the worker fetching the pane's data waited for the GIL. Here a cell's rendering is
kept under everything that goes into it, so only cells whose text, style, width or cursor state
changed are rendered again.

DataTable also drops its rendered lines on every style update and every Resize event. Showing a
pane sends both (its table is shown and focused) with nothing drawn differently: the leaderboard's
~40 lines were assembled anew, ~30 ms of the UI thread. Lines are kept the same way, under the
styles they are drawn with (the table's and every component's, as they are this frame), the
pseudo-classes, cursor, hover, size and the table's update counter; a Resize to the size the
table already had is not taken as a change.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable

# A few screenfuls of cells per table (a table is redrawn with the same cells most of the time);
# an entry is ~550 bytes (the leaderboard), so at most ~2 MB a table.
CACHE_CELLS = 4096
# Lines: a few screenfuls of a tall table in its focused and unfocused states.
CACHE_LINES = 512
# DataTable's component classes, in a fixed order (a set's order is not): the styles a line is
# drawn with, asked every frame.
_COMPONENTS = tuple(sorted(DataTable.COMPONENT_CLASSES))


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
        self._lines_by_look: LRUCache[tuple, Strip] = LRUCache(CACHE_LINES)  # before: init clears
        super().__init__(*args, **kwargs)
        self._cells_by_look: LRUCache[tuple, Any] = LRUCache(CACHE_CELLS)
        self._styles_look: tuple = ()
        self._drawn_size: Size | None = None

    def _clear_caches(self) -> None:
        # What DataTable itself takes as a change of every line (show_cursor, zebra_stripes, ...).
        super()._clear_caches()
        self._lines_by_look.clear()

    def _update_dimensions(self, new_rows: Any) -> None:
        # It drops DataTable's lines when rows of automatic height were measured: these too.
        new_rows = list(new_rows)
        super()._update_dimensions(new_rows)
        if any(row.auto_height for key in new_rows if (row := self.rows.get(key)) is not None):
            self._lines_by_look.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once a frame: the widget keeps these until its next style update.
        self._styles_look = (
            self.rich_style,
            *(self.get_component_rich_style(n) for n in _COMPONENTS),
        )
        return super().render_lines(crop)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        key = (
            y,
            x1,
            x2,
            self.size.width,
            self.cursor_coordinate,
            self.hover_coordinate,
            base_style,
            self.cursor_type,
            self.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,  # set by DataTable.render_lines
            self._styles_look,
        )
        strip = self._lines_by_look.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._lines_by_look.set(key, strip)
        return strip

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable takes every Resize as a change of every line (it bumps the counter its caches
        # key on); showing a pane sends one at the size it had. DataTable's handler (after this
        # one) is skipped then.
        if event.size == self._drawn_size:
            event.prevent_default()
        self._drawn_size = event.size

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
