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
    plt._limit_size(False, False)  # as in the widget: no cap at the terminal's size
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


def test_the_by_day_legend_is_the_title_not_over_the_bars() -> None:
    # plotext's legend sat in the plot's top left corner, over the first days' bars.
    text = days_chart(CHANNELS)
    title, *plot = text.splitlines()
    for channel in CHANNELS:
        assert channel in title
        assert not any(channel in line for line in plot), f"{channel!r} drawn in the plot"


def _mix(counts: dict[str, int]) -> ChannelsData:
    days = [date(2026, 3, 9), date(2026, 3, 10)]
    rows = tuple({"day": d, "channel": c, "offered": n} for d in days for c, n in counts.items())
    return ChannelsData(mix=(), by_day=rows, table=())


def test_a_channel_too_small_to_draw_says_so_in_the_legend() -> None:
    # 20 rows of plot up to 1,200: a row is 60 contacts; 25 social a day is under half of one.
    data = _mix({"voice": 1000, "chat": 180, "social": 25})
    text = render(lambda plt: paint_days(plt, data, 100, 24))
    title = text.splitlines()[0]
    assert "▀▀ social (<1 row)" in title
    assert "voice (<1 row)" not in title and "chat (<1 row)" not in title
    # Taller, 40 contacts a day reach half a row: nothing to say.
    data = _mix({"voice": 1000, "chat": 180, "social": 40})
    assert "(<1 row)" not in render(lambda plt: paint_days(plt, data, 100, 24)).splitlines()[0]


def test_the_by_day_legend_shortens_to_fit_a_narrow_chart() -> None:
    data = _mix({"voice": 1000, "chat": 180, "email": 60, "social": 25})
    for width in (100, 60, 45, 36):
        text = render_at(lambda plt, w=width: paint_days(plt, data, w, 20), width, 20)
        title = text.splitlines()[0].strip()
        for channel in ("voice", "chat", "email", "social"):
            assert channel in title, f"{channel!r} missing at {width} columns: {title!r}"


def render_at(paint: Callable[[Any], None], width: int, height: int) -> str:
    plt = Plot()
    plt._limit_size(False, False)  # as in the widget: no cap at the terminal's size
    plt.plotsize(width, height)
    plt.theme("clear")
    paint(plt)
    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build())
