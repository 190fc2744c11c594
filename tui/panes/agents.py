"""2 Agents: the leaderboard; `s` cycles the sort column, shown in the label under the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import ComposeResult

from data.metrics import agents
from tui import fmt
from tui.panes.base import Pane
from tui.widgets.search_table import Col, SearchTable

STATE_STYLE = {"available": "green", "on_contact": "cyan", "paused": "yellow", "logged_off": "dim"}


def _state(value: Any) -> str:
    return fmt.DASH if value is None else str(value).replace("_", " ")


COLUMNS = (
    Col("name", "Agent"),
    Col("team", "Team"),
    Col("state", "State", _state, style=lambda r: STATE_STYLE.get(str(r.get("state")), "")),
    Col("state_for_s", "For", fmt.dur, numeric=True),
    Col("handled", "Handled", fmt.count, numeric=True),
    Col("aht_s", "AHT", fmt.dur, numeric=True),
    Col("talk_s", "Talk", fmt.dur, numeric=True),
    Col("frt_s", "FRT", fmt.dur, numeric=True),
    Col("messages_sent", "Msgs", fmt.count, numeric=True),
    Col("csat", "CSAT", fmt.pct, numeric=True),
    Col("fcr", "FCR", fmt.pct, numeric=True),
    Col("transfers", "Transf", fmt.count, numeric=True),
    Col("missed_rings", "Missed", fmt.count, numeric=True),
    Col("occupancy", "Occ", fmt.pct, numeric=True),
)


@dataclass(frozen=True)
class AgentsData:
    rows: tuple[dict[str, Any], ...]


def _row(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = row.get("state_since")
    for_s = (now - since).total_seconds() if isinstance(since, datetime) else None
    return {**row, "name": row.get("name") or row.get("agent"), "state_for_s": for_s}


class AgentsPane(Pane):
    key = "agents"
    title = "Agents"

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime) -> AgentsData:
        period, _ = view.periods(cfg, now)
        return AgentsData(
            tuple(_row(r, now) for r in agents(cur, cfg, period, view.filters(), now))
        )

    def compose_body(self) -> ComposeResult:
        yield SearchTable(COLUMNS, sort="handled", id="agents-table")

    def show(self, data: AgentsData) -> None:
        self.query_one(SearchTable).set_rows(data.rows)
