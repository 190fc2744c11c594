"""1 Queues: offered/answered/abandoned per interval (comparison overlaid) and a per-queue table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding

from data.metrics import breakdown, intervals, queues_now
from data.metrics.filters import Filters
from data.metrics.kpis import empty_row, kpi_sets, public
from data.metrics.period import Period, comparison_period
from data.metrics.sql import filter_sql, params, run
from data.metrics.together import together
from tui import fmt
from tui.panes.base import Pane
from tui.past import PastCache
from tui.widgets.chart import Chart, count_axis, fit_title, tick_width, title_room
from tui.widgets.search_table import Col, SearchTable

COLUMNS = (
    Col("name", "Queue"),
    Col("offered", "Offered", fmt.count, numeric=True),
    Col("answered", "Answered", fmt.count, numeric=True, short="Answ"),
    Col("abandoned", "Abandoned", fmt.count, numeric=True, short="Aband"),
    Col("service_level", "SL", fmt.pct, numeric=True),
    Col("asa_s", "ASA", fmt.dur, numeric=True),
    Col("aht_s", "AHT", fmt.dur, numeric=True),
    Col("waiting_now", "Waiting now", fmt.count, numeric=True, short="Waiting"),
    Col("longest_wait_s", "Longest wait", fmt.dur, numeric=True, short="Longest"),
)


@dataclass(frozen=True)
class QueuesData:
    size: str
    intervals: tuple[dict[str, Any], ...]
    comparison: tuple[dict[str, Any], ...]
    queues: tuple[dict[str, Any], ...]
    now: datetime
    totals_rows: dict[Any, dict[str, Any]] | None = None  # the KPI strip's (kpis.kpi_sets)


def _comparison(
    cur: Any,
    cfg: Any,
    comparison: Period,
    filters: Filters,
    size: str,
    now: datetime,
    past: PastCache | None,
    then: datetime | None = None,
) -> tuple[dict[str, Any], ...]:
    """The comparison period's intervals: the same whole span every refresh, so kept in `past`;
    with `then` (a running period: now, a comparison span earlier), the interval holding it counts
    only up to then, as the one holding now does (a day chart compared today so far with last
    week's whole day: a drop of a third that was not there)."""

    def compute() -> tuple[dict[str, Any], ...]:
        return tuple(intervals(cur, cfg, comparison, filters, size, now))

    if past is None or comparison.end > now:
        rows = compute()
    else:
        key = ("queue-intervals", filters, comparison.start, comparison.end, size)
        rows = past.get(key, compute)
    starts = [r.get("start") for r in rows]
    if then is None or not starts or not starts[0] <= then < comparison.end:
        return rows
    i = max(j for j, start in enumerate(starts) if start <= then)
    # The chart draws the comparison's offered only: one count, not a whole KPI pass (that
    # cost 40-60 ms of every refresh at 10M contacts).
    sql = f"""SELECT count(*) AS offered FROM contacts
    WHERE offered_at >= $start AND offered_at < $end{filter_sql(filters)}"""
    p = params(cfg, filters, now, Period(starts[i], then, comparison.label))
    (cut,) = run(cur, sql, p)
    return (*rows[:i], {"start": starts[i]} | public(empty_row()) | cut, *rows[i + 1 :])


class QueuesPane(Pane):
    key = "queues"
    title = "Queues"

    BINDINGS: ClassVar = [
        Binding("i", "interval", "Interval", tooltip="The chart's interval: 15 min, hour, day"),
    ]

    def action_interval(self) -> None:
        self.app.action_cycle_interval()

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> QueuesData:
        period, _ = view.periods(cfg, now)
        # The chart shows the whole comparison span, so the rest of the day is visible ahead.
        comparison = comparison_period(period, cfg)
        # A running period: the same time a comparison span earlier (as the KPI strip compares).
        then = comparison_period(period, cfg, now).end if period.start <= now < period.end else None
        size = view.interval_size(period)
        filters = view.filters()
        # One pass over the period for the chart, the per-queue table and the KPI strip's totals.
        sets, earlier, waiting = together(
            cur,
            lambda c: kpi_sets(c, cfg, period, filters, now, ("total", "queue", size)),
            lambda c: _comparison(c, cfg, comparison, filters, size, now, past, then),
            lambda c: queues_now(c, cfg, filters, now),
        )
        return QueuesData(
            size=size,
            intervals=tuple(intervals(cur, cfg, period, filters, size, now, rows=sets[size])),
            comparison=earlier,
            # The queues with callers waiting but none offered in the period have rows too.
            queues=tuple(
                breakdown(
                    cur, cfg, period, filters, "queue", now, rows=sets["queue"], waiting=waiting
                )
            ),
            now=now,
            totals_rows=sets["total"],
        )

    def compose_body(self) -> ComposeResult:
        yield Chart(id="queues-chart")
        yield SearchTable(COLUMNS, sort="offered", id="queues-table")

    data: QueuesData | None = None

    def show(self, data: QueuesData) -> None:
        self.data = data
        self.query_one(SearchTable).set_rows(data.queues)
        chart = self.query_one(Chart)
        # Painted again on a resize: the legend (the title) is shortened to the width.
        chart.draw(lambda plt: _paint(plt, data, chart.size.width))


def _label(start: Any, size: str) -> str:
    if isinstance(start, datetime):
        return start.strftime("%d %b" if size == "day" else "%H:%M")
    return str(start)


def _in_future(start: Any, now: datetime) -> bool:
    return isinstance(start, datetime) and start > now


def _paint(plt: Any, data: QueuesData, width: int = 100) -> None:
    """Offered, answered and abandoned per interval, the comparison's offered under them; the
    legend is the title (plotext's own sat over the first intervals' lines)."""
    rows = data.intervals
    if not rows:
        plt.title("no contacts in this period yet")
        return
    xs = list(range(len(rows)))
    # Intervals that have not begun yet are not zero: the lines stop at now, the comparison goes on.
    begun = [r for r in rows if not _in_future(r.get("start"), data.now)]
    # A marker per series as well as a colour: without colour (colour-blind readers, monochrome
    # terminals) the three lines must still read apart, and apart from the comparison's dots.
    series = (("offered", "blue", "hd"), ("answered", "green", "+"), ("abandoned", "red", "x"))
    # The comparison first: what is drawn later covers it, and this period's lines come first.
    before = data.comparison[: len(rows)]
    if before:
        xb = list(range(len(before)))
        plt.plot(
            xb,
            [r.get("offered") or 0 for r in before],
            color="gray",
            marker="dot",
        )
    for key, color, marker in series:
        plt.plot(
            xs[: len(begun)],
            [r.get(key) or 0 for r in begun],
            color=color,
            marker=marker,
        )
    step = max(1, len(rows) // 8)
    plt.xticks(xs[::step], [_label(r.get("start"), data.size) for r in rows][::step])
    ticks = count_axis(plt, [r.get("offered") or 0 for r in (*begun, *before)])
    per = "15 min" if data.size == "15min" else data.size
    lines = "▞▞ offered  ++ answered  xx abandoned"
    tries = [
        f"contacts per {per} (i: interval): {lines}  •• offered, comparison",
        f"per {per}: {lines}  •• comparison",
        f"{lines}  •• comparison",
        "▞ offered + answered x abandoned • comparison",
    ]
    if not before:
        tries = [t.split("  ••")[0].split(" •")[0] for t in tries]
    room = title_room(width, tick_width(ticks))
    plt.title(fit_title(tries, room))
