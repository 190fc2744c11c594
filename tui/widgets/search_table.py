"""A DataTable of dict rows that can be searched (`/`) and sorted (`s`). Cells are always Text."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

from data.text import visible
from tui import fmt
from tui.widgets.cell_cache import CellCacheTable

Row = Mapping[str, Any]
# What a cell shows: its text, style and alignment. Worked out for every cell on each refresh and
# compared with what the table holds; a Text is made only for a cell that changed (making 2,800
# Texts for 200 agents was half of the leaderboard's refresh on the UI thread).
Look = tuple[str, str, str]
# At 80 columns the first column (queue, agent) is cut to no fewer cells than this.
NAME_MIN = 10


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    show: Callable[[Any], str] = lambda v: fmt.DASH if v is None else str(v)
    numeric: bool = False
    sortable: bool = True
    style: Callable[[Row], str] | None = None
    short: str | None = None  # the label when the table is too narrow for every full label

    def look(self, row: Row) -> Look:
        style = self.style(row) if self.style else ""
        return visible(self.show(row.get(self.key))), style, "right" if self.numeric else "left"


def _sort_key(col: Col) -> Callable[[Row], tuple]:
    def key(row: Row) -> tuple:
        value = row.get(col.key)
        if value is None:
            return (1, 0)
        return (0, -value if col.numeric else str(value).casefold())

    return key


class SearchTable(CellCacheTable):
    """Rows given as dicts; `search()` filters them, `cycle_sort()` walks the sortable columns."""

    def __init__(self, columns: Sequence[Col], *, sort: str | None = None, id: str | None = None):
        # The first column (agent, queue, channel, topic) stays in view when a narrow terminal
        # scrolls the table to the right: a figure is no use without whose it is.
        super().__init__(id=id, zebra_stripes=True, cursor_type="row", fixed_columns=1)
        self.cols = tuple(columns)
        self.rows_all: tuple[Row, ...] = ()
        self.query_text = ""
        self.sort_key = sort
        # What the DataTable holds now: (labels, widths, row count) and every cell, so a refresh
        # that changes neither columns nor row count updates cells in place.
        self._layout: tuple | None = None
        self._cells: list[list[Look]] = []
        self._full_widths: list[int] = []  # the columns' widths with full labels
        self._short = False  # short labels shown
        self._fitted_room = 0  # the width the names were cut for (short labels)
        self._partly: tuple[tuple, list[tuple[int, int]]] | None = None

    @property
    def sort_label(self) -> str:
        col = self._sort_col()
        return col.label if col else "as listed"

    @property
    def shown(self) -> list[Row]:
        """The rows on screen, in order (after search and sort)."""
        rows = [r for r in self.rows_all if self._matches(r)]
        col = self._sort_col()
        return sorted(rows, key=_sort_key(col)) if col else rows

    def on_mount(self) -> None:
        self._render_rows()

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.rows_all = tuple(rows)
        self._render_rows()

    def search(self, text: str) -> None:
        self.query_text = text.strip().casefold()
        self._render_rows()

    def cycle_sort(self) -> str:
        keys = [None, *(c.key for c in self.cols if c.sortable)]
        index = keys.index(self.sort_key) if self.sort_key in keys else 0
        self.sort_key = keys[(index + 1) % len(keys)]
        self._render_rows()
        return self.sort_label

    def _sort_col(self) -> Col | None:
        return next((c for c in self.cols if c.key == self.sort_key), None)

    def _matches(self, row: Row) -> bool:
        if not self.query_text:
            return True
        return any(self.query_text in c.show(row.get(c.key)).casefold() for c in self.cols)

    def _labels(self, short: bool = False) -> list[Text]:
        return [
            Text(
                (c.short if short and c.short else c.label)
                # numbers sort largest first (▼), text A to Z (▲)
                + ((" ▼" if c.numeric else " ▲") if c.key == self.sort_key else ""),
                justify="right" if c.numeric else "left",
            )
            for c in self.cols
        ]

    def on_resize(self) -> None:
        # Full or short labels (and, short, how much of the names fits): whichever the new width
        # calls for. Only when that changes: a pane shown is resized, and rebuilding 200 rows'
        # cells then slowed every switch to it.
        if not self._full_widths:
            return
        if self._too_wide(self._full_widths) != self._short or (
            self._short and self._room() != self._fitted_room
        ):
            self._render_rows()

    def _render_rows(self) -> None:
        if not self.is_mounted:
            return
        rows = [[c.look(row) for c in self.cols] for row in self.shown]
        cell_widths = [
            max((cell_len(r[i][0]) for r in rows), default=0) for i in range(len(self.cols))
        ]
        labels = self._labels()
        # Widths worked out here, from every cell: left to DataTable, a column could keep its
        # label's width when rows arrived while it was still laying out ("Billing" shown "Billin").
        widths = [max(label.cell_len, w) for label, w in zip(labels, cell_widths, strict=True)]
        self._full_widths = widths
        self._short = self._too_wide(widths)
        if self._short:
            # An 80-column terminal: short labels keep the columns a team lead scans in view.
            labels = self._labels(short=True)
            widths = [max(label.cell_len, w) for label, w in zip(labels, cell_widths, strict=True)]
            # Still too wide by a little (a long queue name, a 100.0 %): the names give way,
            # down to NAME_MIN cells, when that brings every figure into view. (A table that
            # must scroll anyway keeps its names whole.)
            self._fitted_room = self._room()
            over = self._overflow(widths)
            if 0 < over <= widths[0] - max(NAME_MIN, labels[0].cell_len):
                widths[0] -= over
                for cells in rows:
                    cells[0] = _fit(cells[0], widths[0])
        layout = (tuple(_label_look(label) for label in labels), tuple(widths), len(rows))
        if layout == self._layout:
            self._update_cells(rows)
        else:
            self._rebuild(labels, widths, rows)
            self._layout = layout
        self._cells = rows

    def render_line(self, y: int) -> Strip:
        """A column only partly in view (cut at the right edge, or half under the fixed first
        column when scrolled) is left blank: its cut cells showed the first digits of a number
        ('3' of 30.2 %) under no header or the wrong one. Scrolling (→) brings it in whole."""
        strip = super().render_line(y)
        for start, end in self._partly_shown():
            # Spaces in the cells' own styles: the cursor bar and zebra stripes run on through it,
            # and a click there still selects the row.
            cut = strip.crop(start, end)
            blank = Strip([Segment(" " * s.cell_length, s.style) for s in cut], cut.cell_length)
            strip = Strip.join([strip.crop(0, start), blank, strip.crop(end, strip.cell_length)])
        return strip

    def _partly_shown(self) -> list[tuple[int, int]]:
        """Screen ranges [start, end) of the scrolling columns only partly in view (worked out
        once per scroll position, width and layout: render_line asks for every line)."""
        visible = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        key = (visible, scroll_x, self._layout, self.fixed_columns, self.cell_padding)
        if self._partly is None or self._partly[0] != key:
            self._partly = (key, self._find_partly_shown(visible, scroll_x))
        return self._partly[1]

    def _find_partly_shown(self, visible: int, scroll_x: int) -> list[tuple[int, int]]:
        out = []
        x = fixed = 0
        for j, column in enumerate(self.ordered_columns):
            width = column.get_render_width(self)
            if j < self.fixed_columns:
                fixed = x = x + width
                continue
            start, end = x - scroll_x, x - scroll_x + width
            x += width
            if start < fixed < end:  # half under the fixed column
                out.append((fixed, min(end, visible)))
            elif start < visible < end:  # cut at the right edge
                out.append((max(start, fixed), visible))
        return out

    def _room(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def _overflow(self, widths: list[int]) -> int:
        """Cells by which columns of these widths overrun the table (≤ 0: they fit)."""
        return sum(widths) + 2 * self.cell_padding * len(widths) - self._room()

    def _too_wide(self, widths: list[int]) -> bool:
        return self._room() > 0 and self._overflow(widths) > 0

    def _update_cells(self, rows: list[list[Look]]) -> None:
        """Same columns, widths and row count: only the cells whose text or style changed. A live
        refresh every 2 s changes a few cells; rebuilding re-measured every cell of every row on
        the UI thread (~100 ms for 200 agents), and moved the cursor."""
        for i, (was, now) in enumerate(zip(self._cells, rows, strict=True)):
            if was != now:
                for j, (a, b) in enumerate(zip(was, now, strict=True)):
                    if a != b:
                        self.update_cell(str(i), str(j), _text(b))

    def _rebuild(self, labels: list[Text], widths: list[int], rows: list[list[Look]]) -> None:
        cursor = self.cursor_row
        self.clear(columns=True)
        for j, (label, width) in enumerate(zip(labels, widths, strict=True)):
            self.add_column(label, width=width, key=str(j))
        for i, cells in enumerate(rows):
            self.add_row(*map(_text, cells), key=str(i))
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)


def _text(look: Look) -> Text:
    plain, style, justify = look
    return Text(plain, style=style, justify=justify)  # type: ignore[arg-type]


def _fit(look: Look, width: int) -> Look:
    """A name cut to `width` cells, ending in … when cut."""
    if cell_len(look[0]) <= width:
        return look
    cut = _text(look)
    cut.truncate(width, overflow="ellipsis")
    return cut.plain, look[1], look[2]


def _label_look(text: Text) -> tuple[str, str, str | None]:
    """What a column label shows: its text, style and alignment (labels carry no spans)."""
    return text.plain, str(text.style), text.justify
