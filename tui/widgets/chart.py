"""The one PlotextPlot wrapper: every chart redraws through `draw()`, never the global plotext."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual_plotext import PlotextPlot


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
