"""The one PlotextPlot wrapper: every chart redraws through `draw()`, never the global plotext."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotext._utility
from textual_plotext import PlotextPlot


def _no_duplicates(data: Any) -> list[Any]:
    return list(dict.fromkeys(data))


# plotext drops duplicate points through a set, so where two series share a cell (the top of a
# stacked bar) which one is drawn last, and wins the cell's colour, changed with each process's hash
# seed. Keeping the first of each in order makes every chart the same from run to run.
plotext._utility.no_duplicates = _no_duplicates


class Chart(PlotextPlot):
    """A chart that redraws from scratch: clear, draw with `paint(plt)`, refresh this widget."""

    def __init__(self, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=f"chart {classes}".strip())
        self.painted = False

    def draw(self, paint: Callable[[Any], None]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        paint(plt)
        self.painted = True
        self.refresh()
