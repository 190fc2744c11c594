"""5 Reasons: the top contact reasons as horizontal bars, with the change vs the comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import ComposeResult

from data.metrics import top_reasons
from data.text import visible
from tui import fmt
from tui.panes.base import Pane
from tui.widgets.chart import Chart, count_axis, fit_title, title_room
from tui.widgets.search_table import Col, SearchTable


def _change(value: Any) -> str:
    if value is None:
        return fmt.DASH
    arrow = "▲" if value > 0 else ("▼" if value < 0 else "=")
    return f"{arrow} {value:+,}"


def _pct(value: Any) -> str:
    return "new" if value is None else f"{value:+.0%}"


def _change_style(row: dict) -> str:
    value = row.get("change")
    return "" if not value else ("red" if value > 0 else "green")


COLUMNS = (
    Col("topic", "Reason"),
    Col("contacts", "Contacts", fmt.count, numeric=True),
    Col("comparison_contacts", "Comparison", fmt.count, numeric=True),
    Col("change", "Change", _change, numeric=True, style=_change_style),
    Col("change_pct", "Change %", _pct, numeric=True, style=_change_style),
)


@dataclass(frozen=True)
class ReasonsData:
    rows: tuple[dict[str, Any], ...]


class ReasonsPane(Pane):
    key = "reasons"
    title = "Reasons"

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> ReasonsData:
        period, _ = view.periods(cfg, now)
        return ReasonsData(tuple(top_reasons(cur, cfg, period, view.filters(), now)))

    def compose_body(self) -> ComposeResult:
        yield Chart(id="reasons-chart")
        yield SearchTable(COLUMNS, id="reasons-table")

    def show(self, data: ReasonsData) -> None:
        self.query_one(SearchTable).set_rows(data.rows)
        chart = self.query_one(Chart)
        chart.draw(lambda plt: _paint(plt, data, chart.bar_rows, chart.size.width))


LABEL = 18  # a reason's name on the chart, cut with "…" (the table shows it whole)


def _label(topic: Any, change: Any) -> str:
    name = visible(str(topic))
    name = name if len(name) <= LABEL else name[: LABEL - 1] + "…"
    return f"{name} {_change(change)}"


def _paint(plt: Any, data: ReasonsData, fit: int, width: int = 100) -> None:
    """The top `fit` reasons (as many as the chart has rows for), largest at the top; `width`: the
    chart's, in cells (the title is shortened to fit it)."""
    if not data.rows:
        plt.title("no reasons recorded in this period")
        return
    top = data.rows[:fit]
    rows = list(reversed(top))
    labels = [_label(r.get("topic"), r.get("change")) for r in rows]
    # One series of bars and the comparison as a marker on each: plotext's horizontal multiple_bar
    # puts bars out of step with their labels, and two bar colours would carry the meaning alone.
    plt.bar(
        labels,
        [r.get("contacts") or 0 for r in rows],
        orientation="horizontal",
        width=0.4,
        color="blue",
    )
    plt.scatter(
        [r.get("comparison_contacts") or 0 for r in rows],
        list(range(1, len(rows) + 1)),
        marker="◆",
        color="gray",
    )
    count_axis(
        plt, [v for r in rows for v in (r.get("contacts"), r.get("comparison_contacts"))], "x"
    )
    # One row a reason, from the top: spread over more rows than bars, plotext drew some bars two
    # rows thick, each where its rounding fell (an extra unlabelled bar to the eye). plotext puts
    # y on row floor(0.5 + (rows - 1) * (y - low) / (high - low)): bars at 1..n one row apart
    # take high - low = rows - 1, the top bar on the top row.
    if fit > 1:
        plt.ylim(len(rows) - (fit - 1), len(rows))
    # "top 7 of 8 contacts per reason" read as 7 contacts: the reasons are what is counted.
    key = "this period (bars), comparison (◆)"
    if len(top) < len(data.rows):
        top_n = f"top {len(top)} of {len(data.rows)} reasons"
        tries = [
            f"contacts per reason ({top_n}): {key}",
            f"{top_n}: {key}",
            f"{top_n}, ◆ comparison",
        ]
    else:
        tries = [f"contacts per reason: {key}", key, "◆ comparison"]
    plt.title(fit_title(tries, title_room(width, max(len(label) for label in labels))))
