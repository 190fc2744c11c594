"""2 Agents: the leaderboard; `s` cycles the sort column, shown in the label under the table;
`g` groups by team with team totals (with teams in config); `enter` opens the agent screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from data.metrics import breakdown
from data.metrics.agents import agent_extras, agent_rows
from data.metrics.kpis import kpi_sets
from data.metrics.sql import known_sum
from data.metrics.together import together
from tui import fmt
from tui.panes.base import Pane
from tui.screens.drill import OpenAgent
from tui.widgets.search_table import Col, SearchTable

STATE_STYLE = {"available": "green", "on_contact": "cyan", "paused": "yellow", "logged_off": "dim"}


def _state(value: Any) -> str:
    return fmt.DASH if value is None else str(value).replace("_", " ")


def _total_style(row: Any) -> str:
    return "bold reverse" if row.get("_total") else ""


# The KPIs a team lead scans first come first: a narrow terminal cuts the table on the right.
COLUMNS = (
    Col("name", "Agent", style=_total_style),
    Col("team", "Team"),
    Col("state", "State", _state, style=lambda r: STATE_STYLE.get(str(r.get("state")), "")),
    Col("state_for_s", "For", fmt.dur, numeric=True),
    Col("handled", "Handled", fmt.count, numeric=True, short="Hndl"),
    Col("aht_s", "AHT", fmt.dur, numeric=True),
    Col("csat", "CSAT", fmt.pct, numeric=True),
    Col("fcr", "FCR", fmt.pct, numeric=True),
    Col("frt_s", "FRT", fmt.dur, numeric=True),
    Col("talk_s", "Talk", fmt.dur, numeric=True),
    Col("messages_sent", "Msgs", fmt.count, numeric=True),
    Col("transfers", "Transf", fmt.count, numeric=True, short="Xfer"),
    Col("missed_rings", "Missed", fmt.count, numeric=True, short="Miss"),
    Col("occupancy", "Occ", fmt.pct, numeric=True),
)


@dataclass(frozen=True)
class AgentsData:
    rows: tuple[dict[str, Any], ...]
    teams: tuple[dict[str, Any], ...] = ()  # team totals (`report --by team`), with teams in config
    totals_rows: dict[Any, dict[str, Any]] | None = None  # the KPI strip's (kpis.kpi_sets)


def _row(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = row.get("state_since")
    for_s = (now - since).total_seconds() if isinstance(since, datetime) else None
    return {**row, "name": row.get("name") or row.get("agent"), "state_for_s": for_s}


NO_TEAM = "(no team)"


def team_totals(team_rows: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict]:
    """Team total rows: the KPIs of `report --by team`, plus missed rings summed and occupancy
    (Σ handle / Σ available) over the team's agents."""
    out = []
    for t in team_rows:
        team = t["team"]
        members = [r for r in rows if r.get("team") == team]
        available = handle = 0.0
        for r in members:
            logged = r.get("logged_in_s")
            avail = logged - (r.get("paused_s") or 0) if logged is not None else None
            if r.get("occupancy") is not None and avail:
                available += avail
                handle += r["occupancy"] * avail
        out.append(
            t
            | {
                "name": f"Σ {team or NO_TEAM}",
                "handled": t["answered"],
                "missed_rings": known_sum(r.get("missed_rings") for r in members),
                "occupancy": handle / available if available > 0 else None,
                "_total": True,
            }
        )
    return out


class AgentsTable(SearchTable):
    """The leaderboard; grouped, each team's total row comes first, then its agents (sorted)."""

    grouped = False
    totals: tuple[dict[str, Any], ...] = ()

    @property
    def shown(self) -> list[dict[str, Any]]:
        rows = super().shown
        if not self.grouped:
            return rows
        totals = {t["team"]: t for t in self.totals}
        teams = sorted({r.get("team") for r in rows}, key=lambda t: (t is None, str(t)))
        out: list[dict[str, Any]] = []
        for team in teams:
            out.append(totals.get(team) or {"name": f"Σ {team or NO_TEAM}", "_total": True})
            out.extend(r for r in rows if r.get("team") == team)
        return out

    @property
    def agent_order(self) -> list[str]:
        return [str(r["agent"]) for r in self.shown if not r.get("_total") and r.get("agent")]


class AgentsPane(Pane):
    key = "agents"
    title = "Agents"

    BINDINGS: ClassVar = [
        Binding("g", "group", "Group", tooltip="Group the agents by team, with team totals"),
    ]

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> AgentsData:
        period, _ = view.periods(cfg, now)
        filters = view.filters()
        # One pass for the leaderboard, the team totals and the KPI strip's totals.
        keys = ("total", "agent", "team") if cfg.teams else ("total", "agent")
        sets, extras = together(
            cur,
            lambda c: kpi_sets(c, cfg, period, filters, now, keys),
            lambda c: agent_extras(c, cfg, period, filters, now),
        )
        agents = agent_rows(cur, cfg, period, filters, now, sets["agent"], extras)
        rows = [_row(r, now) for r in agents]
        teams: list[dict[str, Any]] = []
        if cfg.teams:
            by_team = breakdown(cur, cfg, period, filters, "team", now, rows=sets["team"])
            teams = team_totals(by_team, rows)
        return AgentsData(tuple(rows), tuple(teams), totals_rows=sets["total"])

    def compose_body(self) -> ComposeResult:
        yield AgentsTable(COLUMNS, sort="handled", id="agents-table")

    def show(self, data: AgentsData) -> None:
        table = self.query_one(AgentsTable)
        table.totals = data.teams
        table.set_rows(data.rows)

    def action_group(self) -> None:
        if not self.app.config.teams:
            self.notify("No teams in the configuration ([teams] in floorwatch.toml)", markup=False)
            return
        table = self.query_one(AgentsTable)
        table.grouped = not table.grouped
        table.set_rows(table.rows_all)
        self._show_sort()

    def _show_sort(self) -> None:
        table = self.query_one(AgentsTable)
        group = " · grouped by team" if table.grouped else ""
        self._label(
            f"sorted by: {table.sort_label}{group}{self._search_status()}"
            "  (s: next column, /: search, g: group by team, enter: agent)"
        )

    @on(DataTable.RowSelected, "#agents-table")
    def _open_agent(self, event: DataTable.RowSelected) -> None:
        table = self.query_one(AgentsTable)
        rows = table.shown
        if not 0 <= event.cursor_row < len(rows):
            return
        if rows[event.cursor_row].get("_total"):
            event.stop()
            self.notify("A team total: enter opens an agent's row", markup=False)
            return
        event.stop()
        order = table.agent_order
        self.post_message(OpenAgent(order, order.index(str(rows[event.cursor_row]["agent"]))))
