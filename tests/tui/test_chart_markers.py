"""Charts read without colour: each series has its own marker or texture, shown in the legend
(colour-blind readers, monochrome terminals, NO_COLOR)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from textual_plotext.plot import Plot

from data.config import CHANNELS
from tui.panes.channels import ChannelsData
from tui.panes.channels import _paint_days as paint_days
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


def without_legend(text: str, samples: dict[str, str]) -> str:
    for label, marker in samples.items():
        text = text.replace(f"{marker}{marker} {label}", "")
    return text


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
    assert {"+", "x", "•"} <= set(without_legend(text, samples))


def days_chart(channels: tuple[str, ...]) -> str:
    days = [date(2026, 3, 9), date(2026, 3, 10)]
    by_day = tuple(
        {"day": d, "channel": c, "offered": 3 + i} for d in days for i, c in enumerate(channels)
    )
    data = ChannelsData(mix=(), by_day=by_day, table=())
    return render(lambda plt: paint_days(plt, data))


def test_channels_by_day_gives_each_channel_its_own_texture() -> None:
    text = days_chart(CHANNELS)
    samples = legend(text, list(CHANNELS))
    assert len(set(samples.values())) == len(CHANNELS), samples
    assert set(samples.values()) <= set(without_legend(text, samples))  # the bars are textured too


def test_a_channel_keeps_its_texture_whichever_channels_are_present() -> None:
    everything = legend(days_chart(CHANNELS), list(CHANNELS))
    for present in (("voice", "email"), ("chat", "sms"), ("other",)):
        assert legend(days_chart(present), list(present)) == {c: everything[c] for c in present}
