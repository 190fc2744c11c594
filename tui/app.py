"""The console: composition, bindings and routing. Data work happens in workers (see refresh.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState

from data.config import Config
from data.store import Store
from data.text import visible
from tui import gc_tuning, refresh
from tui.commands import FloorwatchCommands
from tui.messages import (
    FilterOptions,
    IngestDone,
    IngestProgress,
    PaneFetched,
    Refreshed,
    RefreshFailed,
)
from tui.panes import PANES, Pane
from tui.panes.agents import AgentsPane, AgentsTable
from tui.past import PastCache
from tui.refresher import Refresher
from tui.screens import (
    AgentScreen,
    ContactScreen,
    FilterScreen,
    HelpScreen,
    OpenAgent,
    OpenContact,
)
from tui.screens.alerts import Alerter, AlertsScreen
from tui.screens.drill import DrillScreen
from tui.view import View
from tui.wall import WallScreen
from tui.widgets import Feed, HeaderBar, KpiStrip, PaneBar
from tui.widgets.key_footer import KeyFooter

STYLES = Path(__file__).parent / "styles"
REFRESH_S = 2.0  # periodic refresh: "waiting now" and the clock advance
SOON_S = 0.05  # a refresh asked for while one ran starts this soon after it ends
NOTICE_S = 30.0  # how long a notice given at start stays up
Clock = Callable[[], datetime]


def _pane_binding(number: int, pane: type[Pane]) -> Binding:
    return Binding(
        str(number),
        f"show_pane('{pane.key}')",
        pane.title,
        show=False,
        id=f"pane-{pane.key}",
        tooltip=f"Show the {pane.title} pane",
    )


INTERVAL_NAMES = {"15min": "15 minutes", "hour": "hours", "day": "days"}


class FloorwatchApp(App[None]):
    TITLE = "floorwatch"
    CSS_PATH: ClassVar = [STYLES / "app.tcss"]
    COMMANDS: ClassVar = App.COMMANDS | {FloorwatchCommands}
    # -narrow: the agent and contact screens stack; -medium: the KPI strip takes two rows.
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (120, "-medium"), (150, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-short"), (28, "-tall")]
    BINDINGS: ClassVar = [
        *(_pane_binding(n, p) for n, p in enumerate(PANES, start=1)),
        Binding(
            "p",
            "cycle_period",
            "Period",
            id="period",
            tooltip="Next period: today, yesterday, week, 7d, 30d",
        ),
        Binding("f", "filters", "Filters", id="filters", tooltip="Filter by queue, channel, team"),
        Binding("r", "refresh_now", "Refresh", id="refresh", tooltip="Refresh now"),
        Binding("w", "wall", "Wall", id="wall", tooltip="Wall mode: big numbers, panels cycling"),
        Binding("a", "alerts", "Alerts", id="alerts", tooltip="Alerts: every threshold crossing"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit floorwatch"),
    ]

    def __init__(
        self,
        store: Store,
        config: Config,
        folder: Path | None,
        *,
        clock: Clock,
        demo: bool,
        wall: bool = False,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.notice = notice  # said once the console is up (the demo floor closed, say)
        self.store, self.config, self.folder = store, config, folder
        self.clock, self.demo, self.wall = clock, demo, wall
        self.view = View()
        self.pane_key = PANES[0].key
        self.last_data_at: datetime | None = None
        self.loading = folder is not None
        self.refreshes = 0
        self.past = PastCache()
        self.pane_updates = 0  # pane data shown (ahead of the KPI strip): what a key waits for
        self.alerter = Alerter(config)
        self.wall_screen: WallScreen | None = None
        self.masked = False  # `m` on the drill-down screens: customer ids and messages as •••
        self._refreshing = self._dirty = False
        self._timer: Timer | None = None
        self.collector = gc_tuning.IdleCollector()

    # ---- composition --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Kept as attributes: the app's own query would search a modal screen when one is open.
        cfg = self.config
        self.header = HeaderBar(cfg.site_name, self.demo, cfg.zone, cfg.stale_data_s, id="header")
        self.pane_bar = PaneBar([(p.key, p.title) for p in PANES], id="pane-bar")
        self.kpis = KpiStrip(id="kpis")
        self.loading_line = Static("", id="loading", markup=False)
        self.switcher = ContentSwitcher(initial=self.pane_key, id="panes")
        self.panes = {p.key: p(id=p.key) for p in PANES}
        yield from (self.header, self.pane_bar, self.kpis, self.loading_line)
        with self.switcher:
            yield from self.panes.values()
        yield KeyFooter()
        yield Feed(self.store, self.config, self.folder, self.clock)

    def on_mount(self) -> None:
        self.refresher = Refresher(lambda e: self.post_message(RefreshFailed(e)))
        self.query_one(Feed).start()
        self.set_interval(1.0, self._each_second)
        if self.wall:
            self.action_wall()
        self._loading_line("Loading history…" if self.loading else "")
        self.action_show_pane(self.pane_key)
        if self.notice:
            self.notify(self.notice, timeout=NOTICE_S, markup=False)

    @property
    def pane(self) -> Pane:
        return self.panes[self.pane_key]

    # ---- actions ------------------------------------------------------------------------------
    def action_show_pane(self, key: str) -> None:
        # From a drill-down screen a pane key means "back to the console, on that pane".
        while isinstance(self.screen, DrillScreen):
            self.pop_screen()
        self.pane_key = key
        self.switcher.current = key
        self.pane_bar.show(key)
        self.pane.focus_table()
        self.request_refresh()

    def action_cycle_period(self) -> None:
        self._set_view(self.view.next_period())

    def action_cycle_interval(self) -> None:
        period, _ = self.view.periods(self.config, self.clock())
        self._set_view(self.view.next_interval(period))
        if self.screen.has_class("-short"):
            # Below 28 rows the chart is hidden: say what the key did rather than nothing.
            size = self.view.interval_size(period)
            self.notify(
                f"Chart interval: {INTERVAL_NAMES.get(size, size)} (the chart shows from 28 rows)",
                markup=False,
            )

    def action_refresh_now(self) -> None:
        self.request_refresh()

    def action_pane(self, name: str) -> None:
        """A pane's own action (sort, search), for the command palette."""
        getattr(self.pane, f"action_{name}")()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_sections()))

    def action_filters(self) -> None:
        self._filter_options()

    def action_wall(self) -> None:
        if self.wall_screen is None:
            self.wall_screen = WallScreen(self.config, self.demo)
            self.push_screen(self.wall_screen, self._wall_left)
            self.request_refresh()

    def _wall_left(self, _: None = None) -> None:
        self.wall_screen = None
        self.request_refresh()

    def action_alerts(self) -> None:
        self.push_screen(AlertsScreen(self.alerter))

    def palette_bindings(self) -> list[Binding]:
        """What ctrl+p offers: the app's keys, the current pane's, and a drill screen's own."""
        # The palette asks while it is itself the screen on top: look at the one under it.
        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, CommandPalette))
        if isinstance(screen, DrillScreen):
            own = [_on_screen(b) for b in type(screen).BINDINGS]
            return [*own, *(b for b in self.BINDINGS if b.key not in {o.key for o in own})]
        keys = [*Pane.BINDINGS, *(b for b in type(self.pane).BINDINGS if b not in Pane.BINDINGS)]
        return [*self.BINDINGS, *(_palette(b) for b in keys)]

    # ---- refresh: never overlapping, re-armed when one ends -----------------------------------
    def request_refresh(self) -> None:
        if self._refreshing:
            self._dirty = True
            return
        if self._timer is not None:
            self._timer.stop()
        self._refreshing, self._dirty = True, False
        view, pane = self._target()
        pane_first, loaded, now = self.wall_screen is None, not self.loading, self.clock()
        self.refresher.submit(lambda: self._query(view, pane, now, pane_first, loaded))

    def _target(self) -> tuple[View, type]:
        """What the next refresh fetches: the wall's panel (today, the whole floor) or the pane."""
        if self.wall_screen is not None:
            return View(), self.wall_screen.panel_type
        return self.view, type(self.pane)

    def _query(
        self, view: View, pane: type[Pane], now: datetime, pane_first: bool, loaded: bool
    ) -> None:
        """A refresh, on the refresher's thread."""
        data = None
        if pane_first:
            # What the eye is on comes first: the pane fills before the KPI strip's queries run.
            data = pane.fetch(self.store.cursor(), self.config, view, now, self.past)
            self.post_message(PaneFetched(pane.key, data))
        snap = refresh.snapshot(
            self.store, self.config, view, pane, now, pane_data=data, past=self.past
        )
        self.post_message(Refreshed(snap, loaded))

    @on(PaneFetched)
    def _pane_fetched(self, message: PaneFetched) -> None:
        if not self.is_running:
            return  # shutting down: the widgets these reach are being removed
        if self.wall_screen is None and message.pane == self.pane_key:
            self.pane.show(message.data)
            self.pane_updates += 1
            # Only with an agent screen open: the order sorts every row (every refresh, UI thread).
            screens = [s for s in self.screen_stack if isinstance(s, AgentScreen)]
            if screens and isinstance(self.pane, AgentsPane):
                order = self.pane.query_one(AgentsTable).agent_order
                for screen in screens:
                    screen.follow_order(order)

    @on(Refreshed)
    def _refreshed(self, message: Refreshed) -> None:
        if not self.is_running:
            return  # shutting down: the widgets these reach are being removed
        snap = message.snapshot
        if message.loaded:
            self.alerter.handle(self, snap)
        if self.wall_screen is not None:
            self._dirty |= not self.wall_screen.show(snap)
            self.refreshes += 1
            self._refresh_ended()
            return
        with self.batch_update():
            period, _ = self.view.periods(self.config, snap.at)
            levels = getattr(snap, "levels", None)
            self.kpis.show(snap.totals, snap.comparison, levels, ended=period.end <= snap.at)
            if snap.pane != self.pane_key:
                self._dirty = True  # the pane changed while this refresh ran
            self._tick()
        self.refreshes += 1
        self._refresh_ended()

    def _refresh_ended(self) -> None:
        if self.refreshes == 1:
            # The first full screen (console or wall) is up: what exists now lasts as long as the
            # app does. Once painted, so that the first screen does not wait for it.
            self.call_after_refresh(gc_tuning.freeze_startup)
        self._refreshing = False
        self._timer = self.set_timer(SOON_S if self._dirty else REFRESH_S, self.request_refresh)

    # ---- ingest -------------------------------------------------------------------------------
    @on(IngestProgress)
    def _progress(self, message: IngestProgress) -> None:
        if not self.is_running:
            return  # shutting down: the widgets these reach are being removed
        self._loading_line(f"Loading history: {message.progress.describe()}")

    @on(IngestDone)
    def _ingested(self, message: IngestDone) -> None:
        if not self.is_running:
            return  # shutting down: the widgets these reach are being removed
        result = message.result
        if message.initial and message.newest is not None:
            # Never later than the console's clock (a demo's or a test's clock is not the files').
            self.last_data_at = min(message.newest, self.clock())
        elif result.loaded:
            self.last_data_at = self.clock()
        # A first scan that found no file leaves "no data yet": the feed has not said anything.
        today = self.clock().astimezone(self.config.zone).date()
        if message.initial or any(day < today for day in result.affected_days):
            self.past.clear()
        if message.initial:
            self.loading = False
            self._loading_line("")
        elif result.rejected:
            self.notify(f"{result.rejected} new line(s) rejected: see 6 Data", severity="warning")
        self.request_refresh()

    # ---- filters ------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="options", name="filter options")
    def _filter_options(self) -> None:
        self.post_message(refresh.filter_options(self.store, self.config))

    @on(FilterOptions)
    def _show_filters(self, message: FilterOptions) -> None:
        if not self.is_running:
            return  # shutting down: the widgets these reach are being removed
        options = {"queue": message.queues, "channel": message.channels, "team": message.teams}
        current = {"queue": self.view.queue, "channel": self.view.channel, "team": self.view.team}
        names = {"queue": dict(self.config.queue_names)}
        self.push_screen(FilterScreen(options, current, names), self._filters_chosen)

    def _filters_chosen(self, chosen: dict[str, str | None] | None) -> None:
        if chosen is not None:
            self._set_view(
                self.view.with_filters(chosen["queue"], chosen["channel"], chosen["team"])
            )

    # ---- drill-down ---------------------------------------------------------------------------
    @on(OpenAgent)
    def _open_agent(self, message: OpenAgent) -> None:
        if message.agents:
            self.push_screen(AgentScreen(message.agents, message.index))

    @on(OpenContact)
    def _open_contact(self, message: OpenContact) -> None:
        self.push_screen(ContactScreen(message.contact_id))

    def on_unmount(self) -> None:
        # The query running ends before the store is closed (at worst a 30-day figure, ~1 s).
        # None when the app failed before it was mounted.
        refresher: Refresher | None = getattr(self, "refresher", None)
        if refresher is not None:
            refresher.stop(timeout=5.0)

    # ---- errors -------------------------------------------------------------------------------
    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        self.notify(
            f"refresh failed: {message.error!r}", severity="error", timeout=10, markup=False
        )
        self._refresh_ended()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(
                f"{worker.name} failed: {worker.error!r}",
                severity="error",
                timeout=10,
                markup=False,
            )
            if worker.name == "scan":
                self.loading = False
                self._loading_line(visible(f"Loading failed: {worker.error}"))

    # ---- helpers ------------------------------------------------------------------------------
    def _set_view(self, view: View) -> None:
        self.view = view
        self._tick()
        self.request_refresh()

    def _tick(self) -> None:
        self.header.show(self.view, self.clock(), self.last_data_at)

    def _each_second(self) -> None:
        self._tick()
        self.collector.tick(busy=self._refreshing)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input()
        await super().on_event(event)

    def _loading_line(self, text: str) -> None:
        self.loading_line.update(text)
        self.loading_line.set_class(bool(text), "-active")


def _on_screen(binding: Binding) -> Binding:
    return Binding(
        binding.key, f"screen.{binding.action}", binding.description, tooltip=binding.tooltip
    )


def _palette(binding: Binding) -> Binding:
    return Binding(
        binding.key, f"pane('{binding.action}')", binding.description, tooltip=binding.tooltip
    )


def help_sections() -> list[tuple[str, list[Binding]]]:
    return [
        (
            "Everywhere",
            [
                *(FloorwatchApp.BINDINGS),
                Binding("ctrl+p", "command_palette", "Command palette: every action by name"),
                Binding("ctrl+q", "", "Quit (also from any screen)"),
            ],
        ),
        (
            "In a pane",
            [
                *Pane.BINDINGS,
                Binding("up,down", "", "Move through rows"),
                Binding("left,right", "", "Scroll a table wider than the terminal"),
                Binding("i", "", "Queues: the chart's interval, 15 min, hour or day"),
                Binding("g", "", "Agents: group by team, with team totals"),
            ],
        ),
        (
            "Drill-down",
            [
                Binding("enter", "", "Agent screen (Agents) / contact screen (Overdue, lists)"),
                *AgentScreen.BINDINGS,
                *(b for b in ContactScreen.BINDINGS if b not in AgentScreen.BINDINGS and b.show),
            ],
        ),
        (
            "Wall mode",
            [
                Binding("w", "", "Leave wall mode"),
                Binding("q", "", "Quit"),
                Binding("space", "", "Any other key pauses the cycle; space resumes it"),
                Binding("left,right", "", "While paused: previous / next panel"),
            ],
        ),
        (
            "While searching",
            [
                Binding("enter", "", "Keep the search, back to the table"),
                Binding("escape", "", "Clear the search"),
            ],
        ),
    ]


def system_clock() -> datetime:
    return datetime.now(UTC)


def make_app(
    store: Store,
    config: Config,
    folder: Path | None,
    *,
    clock: Clock | None = None,
    demo: bool = False,
    wall: bool = False,
    notice: str | None = None,
) -> FloorwatchApp:
    """The one way to build the console, shared by the CLI and the tests."""
    return FloorwatchApp(
        store, config, folder, clock=clock or system_clock, demo=demo, wall=wall, notice=notice
    )
