"""The agent screen: one agent's KPIs beside the team's and the floor's (with their change against
the comparison period), charts, state and today's timeline, and their open, recent and rated work.

`[` / `]` walk the leaderboard's order, `enter` on a listed contact opens it, `esc` goes back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from data.config import Config
from data.metrics.detail import AgentDetail, agent_detail
from data.text import visible
from tui import fmt
from tui.screens.drill import DrillScreen, OpenContact
from tui.view import View
from tui.widgets.chart import Chart, count_axis
from tui.widgets.key_footer import KeyFooter
from tui.widgets.kpi_strip import Kpi, _count_delta, _dur_delta, _pts, change
from tui.widgets.search_table import Col, SearchTable

STATE_STYLE = {
    "available": "green",
    "on contact": "cyan",
    "on_contact": "cyan",
    "paused": "yellow",
    "logged off": "dim",
    "logged_off": "dim",
}

# The agent screen's KPIs: key, label, format, which way is better, how a change is written.
KPIS: tuple[Kpi, ...] = (
    Kpi("handled", "Handled", fmt.count, None, _count_delta),
    Kpi("aht_s", "AHT", fmt.dur, None, _dur_delta),
    Kpi("talk_s", "Mean talk", fmt.dur, None, _dur_delta),
    Kpi("frt_s", "FRT", fmt.dur, "down", _dur_delta),
    Kpi("frt_max_s", "Slowest response", fmt.dur, "down", _dur_delta),
    Kpi("avg_reply_wait_s", "Avg reply wait", fmt.dur, "down", _dur_delta),
    Kpi("csat", "CSAT", fmt.pct, "up", _pts),
    Kpi("fcr", "FCR", fmt.pct, "up", _pts),
    Kpi("transfers", "Transfers", fmt.count, "down", _count_delta),
    Kpi("missed_rings", "Missed rings", fmt.count, "down", _count_delta),
    Kpi("occupancy", "Occupancy", fmt.pct, None, _pts),
)
GROUPS = ("agent", "team", "floor")


def _state(value: Any) -> str:
    return fmt.DASH if value is None else str(value).replace("_", " ")


def _rating(value: Any) -> str:
    return fmt.DASH if value is None else f"{value:g}/5"


def _by(value: Any) -> str:
    if value is None:
        return fmt.DASH
    return fmt.dur(value) if value >= 0 else "in " + fmt.dur(-value)


STATE_MARK = {"overdue": "⚠ overdue", "at_risk": "◔ at risk", "open": "open"}

OPEN_COLUMNS = (
    Col("state", "State", lambda v: STATE_MARK.get(str(v), fmt.DASH)),
    Col("overdue_s", "Overdue by", _by, numeric=True),
    Col("due_kind", "Target", lambda v: fmt.DASH if v is None else str(v).replace("_", " ")),
    Col("channel", "Channel"),
    Col("queue", "Queue"),
    Col("offered_at", "Offered", fmt.day_time),
    Col("id", "Contact"),
)
RECENT_COLUMNS = (
    Col("offered_at", "Offered", fmt.day_time),
    Col("channel", "Channel"),
    Col("queue", "Queue"),
    Col("outcome", "Outcome"),
    Col("wait_s", "Wait", fmt.dur, numeric=True),
    Col("handle_s", "Handle", fmt.dur, numeric=True),
    Col("rating", "Rating", _rating, numeric=True),
    Col("topic", "Topic"),
    Col("id", "Contact"),
)


def rated_columns(private: Any) -> tuple[Col, ...]:
    return (
        Col("rating", "Rating", _rating, numeric=True),
        Col("rating_comment", "Comment", lambda v: private(v).plain),
        Col("offered_at", "Offered", fmt.day_time),
        Col("channel", "Channel"),
        Col("topic", "Topic"),
        Col("id", "Contact"),
    )


@dataclass(frozen=True)
class AgentKey:
    agent: str
    view: View


class AgentScreen(DrillScreen):
    BINDINGS: ClassVar = [
        *DrillScreen.BINDINGS,
        Binding(
            "left_square_bracket",
            "step(-1)",
            "Prev agent",
            id="agent-prev",
            tooltip="The previous agent in the leaderboard's order",
        ),
        Binding(
            "right_square_bracket",
            "step(1)",
            "Next agent",
            id="agent-next",
            tooltip="The next agent in the leaderboard's order",
        ),
        Binding("p", "period", "Period", id="agent-period", tooltip="Next period"),
        Binding("l", "next_list", "Lists", id="agent-lists", tooltip="Open work, recent, ratings"),
    ]
    LISTS = ("tab-open", "tab-recent", "tab-rated")

    def __init__(self, agents: Sequence[str], index: int = 0) -> None:
        super().__init__()
        self.agents = tuple(agents)
        self.index = max(0, min(index, len(self.agents) - 1))
        self.detail: AgentDetail | None = None

    @property
    def agent(self) -> str:
        return self.agents[self.index]

    def follow_order(self, order: Sequence[str]) -> None:
        """The leaderboard refreshed (another period, a live change of rank): `[` / `]` walk its
        order now, from this agent (kept in it where the new leaderboard lacks it)."""
        agent, new = self.agent, list(order)
        if agent not in new:
            new.insert(min(self.index, len(new)), agent)
        if tuple(new) == self.agents:
            return
        self.agents, self.index = tuple(new), new.index(agent)
        if self.detail is not None:
            self._title(self.detail)

    @property
    def key(self) -> AgentKey:
        return AgentKey(self.agent, self.app.view)

    # ---- composition ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="agent-title", markup=False)
        with VerticalScroll(id="agent-body"):
            with Horizontal(id="agent-top"):
                kpis = DataTable(id="agent-kpis", cursor_type="none", zebra_stripes=True)
                kpis.can_focus = False
                yield kpis
                with Vertical(id="agent-presence"):
                    yield Static("", id="agent-state", markup=False)
                    yield Static("", id="agent-paused", markup=False)
                    timeline = DataTable(id="agent-timeline", cursor_type="none")
                    timeline.can_focus = False
                    yield timeline
            with Horizontal(id="agent-charts", classes="charts"):
                yield Chart(id="agent-handled-chart")
                yield Chart(id="agent-aht-chart")
                yield Chart(id="agent-csat-chart")
            with TabbedContent(id="agent-lists"):
                with TabPane("Open work", id="tab-open"):
                    yield SearchTable(OPEN_COLUMNS, id="agent-open")
                with TabPane("Recent contacts", id="tab-recent"):
                    yield SearchTable(RECENT_COLUMNS, id="agent-recent")
                with TabPane("Ratings, lowest first", id="tab-rated"):
                    yield SearchTable(rated_columns(self.private), id="agent-rated")
        yield KeyFooter()

    def on_mount(self) -> None:
        # Focus the lists without scrolling to them: the KPIs at the top come first, even at 80x24.
        self.query_one("#agent-open", SearchTable).focus(scroll_visible=False)
        self._loading()

    def _loading(self) -> None:
        """Whose screen this is while their figures load (on a busy 10M store, a second or so):
        not a blank screen."""
        name = self.app.config.agent_names.get(self.agent, self.agent)
        self.query_one("#agent-title", Static).update(
            Text.assemble(
                (" Agent ", "reverse"),
                " ",
                (visible(name), "bold"),
                (f" · loading…   [{self.index + 1}/{len(self.agents)}]  esc back", "dim"),
                no_wrap=True,
                overflow="ellipsis",
            )
        )

    # ---- data -------------------------------------------------------------------------------
    def fetch(self, cur: Any, cfg: Config, view: View, now: datetime) -> AgentDetail:
        return _fetch(cur, cfg, view, now, self.agent)

    def show(self, data: AgentDetail) -> None:
        first = self.detail is None
        self.detail = data
        self.redraw()
        if first and not data.open_work:
            self.show_list("tab-recent" if data.recent else "tab-open", scroll=False)

    def show_list(self, tab: str, scroll: bool = True) -> None:
        """Show and focus list `tab`; `scroll`: bring it into view (not on opening the screen)."""
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        tabs.get_pane(tab).query_one(SearchTable).focus(scroll_visible=scroll)

    def redraw(self) -> None:
        d = self.detail
        if d is None:
            return
        self._title(d)
        self._kpi_table(d)
        self._presence(d)
        self._charts(d)
        self.query_one("#agent-open", SearchTable).set_rows(d.open_work)
        self.query_one("#agent-recent", SearchTable).set_rows(d.recent)
        self.query_one("#agent-rated", SearchTable).set_rows(d.rated)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-open").label = f"Open work ({len(d.open_work)})"
        tabs.get_tab("tab-recent").label = f"Recent contacts ({len(d.recent)})"
        tabs.get_tab("tab-rated").label = f"Ratings, lowest first ({len(d.rated)})"

    def _title(self, d: AgentDetail) -> None:
        view = self.app.view
        filters = "".join(f" · {k}: {v}" for k, v in view.active_filters)
        title = Text.assemble(
            (" Agent ", "reverse"),
            " ",
            (visible(d.name), "bold"),
            visible(f"  ({d.agent})") if d.name != d.agent else "",
            visible(f" · team {d.team}") if d.team else " · no team",
            visible(f" · {view.period_label}{filters}"),
            (f"   [{self.index + 1}/{len(self.agents)}]  [ ] prev/next · esc back", "dim"),
            no_wrap=True,
            overflow="ellipsis",
        )
        self.query_one("#agent-title", Static).update(title)

    def _kpi_table(self, d: AgentDetail) -> None:
        table = self.query_one("#agent-kpis", DataTable)
        table.clear(columns=True)
        team = "Team" if d.team else "Team (none)"
        labels = ("KPI", "Agent", "Δ", team, "Δ", "Floor", "Δ")
        table.add_columns(*(Text(s, justify="left" if s == "KPI" else "right") for s in labels))
        for kpi in KPIS:
            cells: list[Text] = [Text(kpi.label)]
            for group in GROUPS:
                now, before = d.kpis[group], d.before[group]
                cells.append(Text(kpi.value(now), justify="right", style="bold"))
                delta = change(kpi, now, before)
                delta.justify = "right"
                cells.append(delta)
            table.add_row(*cells, key=kpi.key)

    def _presence(self, d: AgentDetail) -> None:
        row, now = d.row, self.app.clock()
        since = row.get("state_since")
        state = _state(row.get("state"))
        if d.has_events and row.get("state"):
            held = fmt.dur((now - since).total_seconds()) if isinstance(since, datetime) else "?"
            line = Text.assemble(
                "Now ", (state, STATE_STYLE.get(state, "")), f" for {held}", no_wrap=True
            )
        elif d.has_events:
            line = Text("Now: state unknown")
        else:
            # The source has no logins or pauses for this agent (a chat log): what follows comes
            # from the contacts they handled alone.
            line = Text(
                "No logins or pauses recorded for this agent: the timeline shows their calls and"
                " chats"
                if d.timeline
                else "No logins, pauses, calls or chats today for this agent: no timeline to"
                " draw (written work has no time on a contact)",
                style="dim",
            )
        self.query_one("#agent-state", Static).update(line)
        self.query_one("#agent-paused", Static).update(_paused_line(row))
        table = self.query_one("#agent-timeline", DataTable)
        table.clear(columns=True)
        table.add_columns("Today", "For", "State", "Detail")
        for s in d.timeline:
            span = f"{s['start']:%H:%M}–{s['end']:%H:%M}"
            style = STATE_STYLE.get(s["state"], "")
            table.add_row(
                Text(span),
                Text(fmt.dur(s["duration_s"]), justify="right"),
                Text(s["state"], style=style),
                fmt.text(s["detail"] or ""),
            )

    def _charts(self, d: AgentDetail) -> None:
        fmt_x = "%H:%M" if d.interval != "day" else "%d/%m"
        xs = [s.strftime(fmt_x) for s, _ in d.handled_series]
        ys = [n for _, n in d.handled_series]
        self.query_one("#agent-handled-chart", Chart).draw(
            lambda plt: _bars(plt, xs, ys, f"handled, by {d.interval} offered", "cyan")
        )
        days = [s.strftime("%d/%m") for s, _, _ in d.daily]
        aht = [(a or 0) / 60 for _, a, _ in d.daily]
        csat = [(c or 0) * 100 for _, _, c in d.daily]
        rated = any(c is not None for _, _, c in d.daily)
        self.query_one("#agent-aht-chart", Chart).draw(
            lambda plt: _bars(plt, days, aht, "AHT by day, minutes (30 days)", "orange")
        )
        self.query_one("#agent-csat-chart", Chart).draw(
            lambda plt: _bars(
                plt, days, csat, "CSAT by day, % (30 days)", "green", percent=True, some=rated
            )
        )

    # ---- actions ----------------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        if len(self.agents) > 1:
            self.index = (self.index + delta) % len(self.agents)
            self.detail = None
            self._loading()
            self.load()

    def action_next_list(self) -> None:
        active = self.query_one(TabbedContent).active
        index = self.LISTS.index(active) if active in self.LISTS else -1
        self.show_list(self.LISTS[(index + 1) % len(self.LISTS)])

    def action_period(self) -> None:
        self.app.action_cycle_period()
        self.load()

    @on(DataTable.RowSelected, "#agent-lists SearchTable")
    def _open_contact(self, event: DataTable.RowSelected) -> None:
        row = self.selected(event)
        if row and row.get("contact_id"):
            event.stop()
            self.post_message(OpenContact(str(row["contact_id"])))


def _fetch(cur: Any, cfg: Config, view: View, now: datetime, agent: str) -> AgentDetail:
    period, comparison = view.periods(cfg, now)
    d = agent_detail(cur, cfg, agent, period, view.filters(), now, comparison)

    def named(rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        # Queue names as the panes show them (config's queue_names), not the phone system's ids.
        return tuple(r | {"queue": cfg.queue_names.get(r["queue"], r["queue"])} for r in rows)

    return replace(d, open_work=named(d.open_work), recent=named(d.recent), rated=named(d.rated))


def _paused_line(row: dict[str, Any]) -> Text:
    logged, paused = row.get("logged_in_s"), row.get("paused_s")
    reasons = row.get("paused_by_reason") or {}
    parts = [f"logged in {fmt.dur(logged)}", f"paused {fmt.dur(paused)}"]
    by = ", ".join(f"{r} {fmt.dur(s)}" for r, s in sorted(reasons.items(), key=lambda x: -x[1]))
    line = " · ".join(parts) + (f" ({by})" if by else "")
    return Text(visible(line), overflow="ellipsis")


def _bars(
    plt: Any,
    xs: list[str],
    ys: list[float],
    title: str,
    color: str,
    percent: bool = False,
    some: bool | None = None,
) -> None:
    """Bars from 0: a count axis in whole steps (plotext's own read 0.17 handled, or -1 to 1 with
    no contact at all), or 0-100 for a percentage. `some`: whether there is any data (default:
    any bar above 0; a day at 0 % CSAT is data)."""
    if xs:
        # Few labels, far apart: plotext places them in a hash-dependent order and drops those that
        # collide, so crowded labels would differ from run to run.
        step = max(1, -(-len(xs) // 4))
        plt.bar(list(range(len(xs))), ys, color=color, width=0.6)
        plt.xticks(list(range(0, len(xs), step)), xs[::step])
    if percent:
        plt.ylim(0, 100)
        plt.yticks([0, 50, 100], ["0", "50", "100"])
    else:
        count_axis(plt, ys)
    plt.title(title if (any(ys) if some is None else some) else f"{title}: none")
