"""3 Overdue: most overdue first, then at risk; a chart of overdue contacts by age.
`enter` on a row opens the contact screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable

from data.metrics import overdue
from tui import fmt
from tui.panes.base import Pane
from tui.screens.drill import OpenContact
from tui.widgets.chart import Chart, count_axis
from tui.widgets.search_table import Col, SearchTable

BUCKETS = (
    (900, "<15m"),
    (3600, "15m–1h"),
    (4 * 3600, "1–4h"),
    (86400, "4–24h"),
    (float("inf"), ">1d"),
)


def _state(value: Any) -> str:
    return {"overdue": "⚠ overdue", "at_risk": "◔ at risk"}.get(str(value), fmt.text(value).plain)


def _by(value: Any) -> str:
    if value is None:
        return fmt.DASH
    return fmt.dur(value) if value >= 0 else "in " + fmt.dur(-value)


COLUMNS = (
    Col(
        "state",
        "State",
        _state,
        style=lambda r: "bold red" if r.get("state") == "overdue" else "yellow",
    ),
    # The ticket or call id as its own system writes it (T-1042, not chat:T-1042), second: what
    # a team lead reads out or looks up, in view at 80 columns. No customer column, though issue 4
    # lists one: issue 5, later, shows customer ids on the contact screen only (enter), where they
    # can be masked.
    Col("id", "Id"),
    Col("overdue_s", "Overdue by", _by, numeric=True),
    Col("due_at", "Due", fmt.day_time),  # sorts as it reads: the value is an ISO time
    Col("due_kind", "Target", lambda v: fmt.DASH if v is None else str(v).replace("_", " ")),
    Col("age_s", "Age", fmt.dur, numeric=True),
    Col("channel", "Channel"),
    Col("queue_name", "Queue"),
    Col("agent_name", "Agent"),
)


@dataclass(frozen=True)
class OverdueData:
    rows: tuple[dict[str, Any], ...]
    ended_at: datetime | None = None  # a period that has ended: the backlog as it stood then

    def buckets(self) -> list[tuple[str, int]]:
        counts = dict.fromkeys((label for _, label in BUCKETS), 0)
        for row in self.rows:
            if row.get("state") == "overdue":
                age = row.get("overdue_s") or 0
                counts[next(label for limit, label in BUCKETS if age < limit)] += 1
        at_risk = sum(1 for r in self.rows if r.get("state") != "overdue")
        return [*counts.items(), ("at risk", at_risk)]


def _age_s(offered_at: Any, now: datetime) -> float | None:
    """How long the contact has been open."""
    return (now - offered_at).total_seconds() if isinstance(offered_at, datetime) else None


def _order(row: dict[str, Any]) -> tuple:
    return (row.get("state") != "overdue", -(row.get("overdue_s") or 0))


class OverduePane(Pane):
    key = "overdue"
    title = "Overdue"

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> OverdueData:
        # The backlog now for a period still running; at its end for one that has ended, as the
        # KPI strip and `report` count it (yesterday: what was overdue when yesterday ended).
        period, _ = view.periods(cfg, now)
        at = min(now, period.end)
        rows = [
            r
            | {
                "queue_name": cfg.queue_names.get(r["queue"], r["queue"]),
                "agent_name": cfg.agent_names.get(r["agent"], r["agent"]),
                "id": r.get("source_id") or r["contact_id"],
                "age_s": _age_s(r.get("offered_at"), at),
            }
            for r in overdue(cur, cfg, view.filters(), at)
        ]
        ended = at.astimezone(cfg.zone) if at < now else None
        return OverdueData(tuple(sorted(rows, key=_order)), ended)

    def compose_body(self) -> ComposeResult:
        yield Chart(id="overdue-chart")
        yield SearchTable(COLUMNS, id="overdue-table")

    data: OverdueData | None = None

    def show(self, data: OverdueData) -> None:
        self.data = data
        self.query_one(SearchTable).set_rows(data.rows)
        self.query_one(Chart).draw(lambda plt: _paint(plt, data))
        self._show_sort()

    def label_note(self) -> str:
        if self.data is None or self.data.ended_at is None:
            return ""
        return f"as it stood at the period's end, {fmt.day_time(self.data.ended_at)} · "

    @on(DataTable.RowSelected, "#overdue-table")
    def _open_contact(self, event: DataTable.RowSelected) -> None:
        rows = self.query_one(SearchTable).shown
        if 0 <= event.cursor_row < len(rows) and rows[event.cursor_row].get("contact_id"):
            event.stop()
            self.post_message(OpenContact(str(rows[event.cursor_row]["contact_id"])))


def _paint(plt: Any, data: OverdueData) -> None:
    buckets = data.buckets()
    plt.bar([b[0] for b in buckets], [b[1] for b in buckets], color="red", width=0.5)
    count_axis(plt, [b[1] for b in buckets])
    plt.title("overdue contacts by how long overdue, and at risk")
