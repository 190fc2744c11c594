"""The one PlotextPlot wrapper: every chart redraws through `draw()`, never the global plotext."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import plotext._utility
from textual.geometry import Size
from textual.visual import VisualType
from textual_plotext import PlotextPlot


def _no_duplicates(data: Any) -> list[Any]:
    return list(dict.fromkeys(data))


# plotext drops duplicate points through a set, so where two series share a cell (the top of a
# stacked bar) which one is drawn last, and wins the cell's colour, changed with each process's hash
# seed. Keeping the first of each in order makes every chart the same from run to run.
plotext._utility.no_duplicates = _no_duplicates


def whole_ticks(values: Iterable[float], most: int = 5) -> list[int]:
    """Axis ticks for counts: 0 and whole 1-2-5 steps up to the largest value or just past it, at
    most `most` steps (plotext's own ticks read 41.8, 83.7, ... contacts)."""
    top = max((v for v in values if v is not None), default=0)
    if top <= 0:
        return [0, 1]
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = max(1, next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))
    return [i * step for i in range(math.ceil(top / step) + 1)]


def count_axis(plt: Any, values: Iterable[float], axis: str = "y") -> list[int]:
    """Whole-number ticks on a count axis, the axis from 0 to the last tick; the ticks."""
    ticks = whole_ticks(values)
    labels = [f"{t:,}" for t in ticks]
    if axis == "y":
        plt.ylim(0, ticks[-1])
        plt.yticks(ticks, labels)
    else:
        plt.xlim(0, ticks[-1])
        plt.xticks(ticks, labels)
    return ticks


def tick_width(ticks: list[int]) -> int:
    """How wide count_axis's labels of `ticks` are, in cells."""
    return max(len(f"{t:,}") for t in ticks)


def title_room(width: int, ylabels: int) -> int:
    """The longest title plotext shows on a chart `width` cells wide whose y labels are `ylabels`
    cells wide: it centres the title on the plot area (right of the labels and the axis) and leaves
    out, whole, one that would run past either edge of the chart."""
    center = ylabels + 1 + (width - 2 - ylabels) // 2
    return max((n for n in range(width + 1) if 0 <= center - n // 2 <= width - n), default=0)


def fit_title(tries: list[str], room: int) -> str:
    """The first of `tries` that fits in `room` cells; else the last cut with … (plotext would
    leave a title that does not fit out altogether)."""
    for title in tries:
        if len(title) <= room:
            return title
    return tries[-1][: max(0, room - 1)] + "…" if room > 0 else ""


def undrawn_segments(series: list[list[float]], top: float, rows: int) -> set[int]:
    """Which series of a stacked bar chart (plotext's `stacked_bar`, y from 0 to `top` over `rows`
    rows) draw no cell on any day. plotext draws each series as a bar from 0 to its running total,
    the top one first, each lower one over it; a value v is on row floor(0.5 + (rows − 1)·v/top)
    (its `get_matrix_data`). So a series shows on a day only where its running total reaches a
    higher row than the one below it: a small one between two totals on the same row does not."""

    def row(v: float) -> int:
        return math.floor(round(0.5 + (rows - 1) * v / top, 8)) if top > 0 else 0

    shown: set[int] = set()
    for day in zip(*series, strict=True):
        total = 0.0
        for i, value in enumerate(day):
            below, total = total, total + value
            if value > 0 and (i == 0 or row(total) > row(below)):
                shown.add(i)
    return {i for i, values in enumerate(series) if any(values)} - shown


class Chart(PlotextPlot):
    """A chart that redraws from scratch: clear, draw with `paint(plt)`, refresh this widget.

    What plotext built is kept until the chart is drawn again, resized or re-themed: textual-plotext
    builds the whole figure on every render, and showing a pane again (its charts hidden, then
    shown) asked for that render while the worker fetching the pane's data needed the same cores."""

    def __init__(self, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=f"chart {classes}".strip())
        self.painted = False
        self._paint: Callable[[Any], None] | None = None
        self._painted_for: Size | None = None
        self._built: tuple[tuple[Size, str, str], VisualType] | None = None

    @property
    def bar_rows(self) -> int:
        """How many horizontal bars fit, one to a row: the title, the frame and the x axis take
        four rows. plotext draws more bars than rows over each other, and a label goes missing."""
        return max(1, self.size.height - 4)

    def draw(self, paint: Callable[[Any], None]) -> None:
        self._paint = paint
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        paint(plt)
        self.painted = True
        self._painted_for = self.size
        self._built = None
        self.refresh()

    def on_resize(self) -> None:
        # A painter may depend on the size (bar_rows): painted again for a new one. Shown again
        # at the size it was painted for (a pane switched back to), it stays as it is.
        if self._paint is not None and self.size != self._painted_for:
            self.draw(self._paint)

    def render(self) -> VisualType:
        look = (self.size, self.app.theme, self.theme)
        if self._built is None or self._built[0] != look:
            self._built = (look, super().render())
        return self._built[1]
