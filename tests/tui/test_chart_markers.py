"""Charts read without colour: each series has its own marker or texture, shown in the legend
(colour-blind readers, monochrome terminals, NO_COLOR)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from textual_plotext.plot import Plot

from tui.panes.queues import QueuesData
from tui.panes.queues import _paint as paint_queues

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def render(paint: Callable[[Any], None]) -> str:
    """The chart as plain text, drawn by real plotext the way the Chart widget draws it."""
    plt = Plot()
    plt.plotsize(100, 24)
    plt.theme("clear")
    paint(plt)
    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build())


def legend(text: str, labels: list[str]) -> dict[str, str]:
    """Each label's sample in the legend: plotext writes it as the marker twice, then the label."""
    samples = {}
    for label in labels:
        found = re.search(rf"(\S)\1 {re.escape(label)}(?=\s|│)", text)
        assert found, f"{label!r} not in the legend:\n{text}"
        samples[label] = found.group(1)
    return samples


def test_queues_chart_gives_each_series_its_own_marker() -> None:
    hours = [NOW - timedelta(hours=h) for h in range(6, 0, -1)]
    rows = tuple(
        {"start": s, "offered": 12 + i, "answered": 9 + i % 3, "abandoned": i % 4}
        for i, s in enumerate(hours)
    )
    data = QueuesData(size="hour", intervals=rows, comparison=rows, queues=(), now=NOW)
    text = render(lambda plt: paint_queues(plt, data))
    labels = ["offered", "answered", "abandoned", "offered, comparison"]
    samples = legend(text, labels)
    assert len(set(samples.values())) == len(labels), samples
    # The lines are drawn with those markers too, not only their legend entries.
    plot_area = "\n".join(text.splitlines()[len(labels) + 2 :])
    assert {"+", "x", "•"} <= set(plot_area)
