"""Charts read without colour: each series has its own marker or texture, shown in the legend
(colour-blind readers, monochrome terminals, NO_COLOR)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from textual_plotext.plot import Plot

from data.config import CHANNELS
from tui.panes.channels import TEXTURES, ChannelsData
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


MIXES = [
    {"voice": 1000, "chat": 180, "social": 25},
    {"voice": 1000, "chat": 180, "email": 60, "social": 25, "sms": 10, "other": 5},
    {"voice": 1000, "chat": 41, "email": 40},
    {"voice": 300, "chat": 250, "email": 200},
]


def test_the_legend_marks_exactly_the_channels_the_bars_do_not_show() -> None:
    # In a stack, what a small channel draws depends on where the running totals round to rows:
    # a 10 can take a row while a 60 takes none. The legend must say what the chart shows.
    marked_somewhere = drawn_somewhere = 0
    for counts in MIXES:
        data = _mix(counts)
        for width, height in ((110, 14), (100, 24), (56, 17), (120, 40)):
            text = render_at(
                lambda plt, d=data, w=width, h=height: paint_days(plt, d, w, h), width, height
            )
            title, *plot = text.splitlines()
            drawn = set("".join(plot))
            for channel in counts:
                marked = f"{channel} (not drawn)" in title or f"{channel}(not drawn)" in title
                shown = TEXTURES[channel] in drawn
                # Never a note on a channel drawn; with notes in the title (a narrow chart may
                # have no room for them), one on every channel not drawn.
                assert not (marked and shown), (counts, width, height, channel, title)
                if "(not drawn)" in title:
                    assert marked or shown, (counts, width, height, channel, title)
                marked_somewhere += marked
                drawn_somewhere += shown
    assert marked_somewhere and drawn_somewhere  # both cases were met


def test_the_by_day_legend_fits_every_width_and_is_never_left_out() -> None:
    data = _mix({"voice": 1000, "chat": 180, "email": 60, "social": 25, "sms": 10, "other": 5})
    for width in range(24, 130, 3):
        text = render_at(lambda plt, w=width: paint_days(plt, data, w, 20), width, 20)
        title = text.splitlines()[0].strip()
        assert title, f"no legend at {width} columns"
        if width >= 50:  # compact entries of all six channels fit from here
            for channel in CHANNELS:
                assert channel in title, f"{channel!r} missing at {width} columns: {title!r}"


def render_at(paint: Callable[[Any], None], width: int, height: int) -> str:
    plt = Plot()
    plt._limit_size(False, False)  # as in the widget: no cap at the terminal's size
    plt.plotsize(width, height)
    plt.theme("clear")
    paint(plt)
    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build())


def _queues_data() -> QueuesData:
    hours = [NOW - timedelta(hours=h) for h in range(6, 0, -1)]
    rows = tuple(
        {"start": s, "offered": 40 + i, "answered": 30 + i % 3, "abandoned": i % 4}
        for i, s in enumerate(hours)
    )
    return QueuesData(size="hour", intervals=rows, comparison=rows, queues=(), now=NOW)


def test_the_queues_legend_is_the_title_at_every_width_not_over_the_lines() -> None:
    # plotext's legend box sat over the first intervals (Monday of a week, the busiest day).
    data = _queues_data()
    for width in range(40, 130, 6):
        text = render_at(lambda plt, w=width: paint_queues(plt, data, w), width, 16)
        title, *plot = text.splitlines()
        assert "answered" in title or "+ answered" in title, (width, title)
        assert not any("answered" in line or "abandoned" in line for line in plot), width
