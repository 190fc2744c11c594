"""4 Channels: the mix (one stacked bar), the mix by day, and a KPI table per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from data.metrics import breakdown, channel_mix, channel_mix_by_day
from data.metrics.kpis import kpi_sets
from data.metrics.together import together
from tui import fmt
from tui.panes.base import Pane
from tui.widgets.chart import (
    Chart,
    count_axis,
    fit_title,
    tick_width,
    title_room,
    undrawn_segments,
)
from tui.widgets.search_table import Col, SearchTable

COLORS = {
    "voice": "blue",
    "chat": "green",
    "email": "magenta",
    "social": "cyan",
    "sms": "yellow",
    "other": "gray",
}

# Colour never alone (colour-blind readers, monochrome terminals): a texture per channel too, fixed
# per channel so it keeps its look whichever channels a period has. Solid, two shades, stripes each
# way and a checker stay apart when stacked; ▚ and ▞, or ▀ and ▄, would make the same pattern.
# A channel not listed is drawn as other, as its colour is (gray).
TEXTURES = {
    "voice": "█",
    "chat": "▒",
    "email": "░",
    "social": "▀",
    "sms": "▚",
    "other": "▌",
}

COLUMNS = (
    Col("channel", "Channel"),
    Col("offered", "Offered", fmt.count, numeric=True),
    Col("share", "Share", fmt.pct, numeric=True),
    Col("answered", "Answered", fmt.count, numeric=True),
    Col("service_level", "SL", fmt.pct, numeric=True),
    Col("asa_s", "ASA", fmt.dur, numeric=True),
    Col("aht_s", "AHT", fmt.dur, numeric=True),
    Col("frt_s", "FRT", fmt.dur, numeric=True),
    Col("csat", "CSAT", fmt.pct, numeric=True),
)


@dataclass(frozen=True)
class ChannelsData:
    mix: tuple[dict[str, Any], ...]
    by_day: tuple[dict[str, Any], ...]
    table: tuple[dict[str, Any], ...]
    totals_rows: dict[Any, dict[str, Any]] | None = None  # the KPI strip's (kpis.kpi_sets)


class ChannelsPane(Pane):
    key = "channels"
    title = "Channels"

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> ChannelsData:
        period, _ = view.periods(cfg, now)
        filters = view.filters()
        # One pass for the per-channel table and the KPI strip's totals; the mixes beside it.
        sets, mix, by_day = together(
            cur,
            lambda c: kpi_sets(c, cfg, period, filters, now, ("total", "channel")),
            lambda c: channel_mix(c, cfg, period, filters),
            lambda c: channel_mix_by_day(c, cfg, period, filters),
        )
        return ChannelsData(
            mix=tuple(mix),
            by_day=tuple(by_day),
            table=tuple(breakdown(cur, cfg, period, filters, "channel", now, rows=sets["channel"])),
            totals_rows=sets["total"],
        )

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="charts"):
            yield Chart(id="mix-chart")
            yield Chart(id="mix-by-day-chart")
        yield SearchTable(COLUMNS, sort="offered", id="channels-table")

    def show(self, data: ChannelsData) -> None:
        self.query_one(SearchTable).set_rows(data.table)
        self.query_one("#mix-chart", Chart).draw(lambda plt: _paint_mix(plt, data))
        days = self.query_one("#mix-by-day-chart", Chart)
        # Painted again on a resize: the legend and what is too small to draw depend on the size.
        days.draw(lambda plt: _paint_days(plt, data, days.size.width, days.size.height))


def _paint_mix(plt: Any, data: ChannelsData) -> None:
    rows = [r for r in data.mix if r.get("offered")]
    if not rows:
        plt.title("no contacts in this period yet")
        return
    names = [str(r.get("channel")) for r in rows]
    plt.bar(
        names,
        [round((r.get("share") or 0) * 100, 1) for r in rows],
        color=[COLORS.get(n, "gray") for n in names],
        orientation="horizontal",
        width=0.6,
    )
    count_axis(plt, [(r.get("share") or 0) * 100 for r in rows], "x")
    plt.title("channel mix, % of offered")


def _day(value: Any) -> str:
    return value.strftime("%d %b") if isinstance(value, date | datetime) else str(value)


def _paint_days(plt: Any, data: ChannelsData, width: int = 100, height: int = 24) -> None:
    """The mix by day, stacked; `width` × `height`: the chart's size in cells. The legend is the
    title: plotext's own sat over the first days' bars."""
    days = sorted({r.get("day") for r in data.by_day if r.get("day") is not None})
    channels = sorted({str(r.get("channel")) for r in data.by_day})
    if not days:
        plt.title("no days in this period yet")
        return
    count = {(r.get("day"), str(r.get("channel"))): r.get("offered") or 0 for r in data.by_day}
    series = [[count.get((d, c), 0) for d in days] for c in channels]
    markers = [TEXTURES.get(c, TEXTURES["other"]) for c in channels]
    plt.stacked_bar(
        [_day(d) for d in days],
        series,
        color=[COLORS.get(c, "gray") for c in channels],
        marker=markers,
        width=0.6,
    )
    # Days sit at x = 1..n: a margin of one on each side keeps a lone day (today) a bar, not the
    # whole chart.
    plt.xlim(0, len(days) + 1)
    totals = [sum(day) for day in zip(*series, strict=True)]
    ticks = count_axis(plt, totals)
    # A small channel may draw nothing: where a stack's running totals round to the same row (a
    # 10 can take a row while a 60 takes none). Each is said in the legend so that it does not
    # read as absent (its figures are in the table).
    rows = height - 4  # the title, the frame and the x axis take four
    hidden = {channels[i] for i in undrawn_segments(series, ticks[-1], rows)}
    room = title_room(width, tick_width(ticks))
    plt.title(_legend(channels, markers, hidden, room))


# A channel that draws no cell in the stacked bars. Not "too small": rounding the running totals
# to rows may leave out a 4 while drawing a 3 above it.
NOTE = " (not drawn)"


def _legend(channels: list[str], markers: list[str], hidden: set[str], room: int) -> str:
    """The longest legend that fits in `room` cells: each channel as its texture twice and its
    name, those too small to draw marked so, after a heading; compact entries (texture once) on a
    narrow chart; cut with … as a last resort, rather than left out."""
    pairs = list(zip(channels, markers, strict=True))

    def entries(note: bool, compact: bool) -> str:
        shown = [
            (f"{m}{c}" if compact else f"{m}{m} {c}") + (NOTE if note and c in hidden else "")
            for c, m in pairs
        ]
        return (" " if compact else "  ").join(shown)

    notes = (True, False) if hidden else (False,)
    tries = [
        f"{head}{entries(note, False)}"
        for note in notes
        for head in ("offered per day: ", "per day: ", "")
    ]
    tries += [entries(note, True) for note in notes]
    return fit_title(tries, room)
