"""Thresholds in the console: `Alerter` turns each refresh's readings into crossings (log,
notification with cool-down, flash, bell); `a` opens `AlertsScreen`, the log of every crossing."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from data.alerts import CRITICAL, MARK, OK, AlertBook, Crossing, label, show_value
from data.config import Config

NOTIFY_S = 10
LEVEL_STYLE = {"warning": "bold black on yellow", "critical": "bold white on red", OK: "green"}


class Alerter:
    """Lives on the app; `handle()` runs on the UI thread after every refresh."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.book = AlertBook(config.alert_cooldown_s)

    @property
    def summary(self) -> str:
        return self.book.summary()

    def handle(self, app: App, snap: Any) -> list[Crossing]:
        readings = getattr(snap, "readings", ())
        if not readings:
            return []
        crossings = self.book.update(readings, snap.at)
        wall = getattr(app, "wall_screen", None)
        for crossing in crossings:
            self._announce(app, wall, crossing)
        return crossings

    def _announce(self, app: App, wall: Any, crossing: Crossing) -> None:
        if wall is not None:
            wall.alerted(crossing)
        if crossing.into_critical and not crossing.reading.scope:
            target = wall if wall is not None else getattr(app, "kpis", None)
            if target is not None:
                target.flash(crossing.reading.kpi)
        if not crossing.notify:
            return
        if crossing.into_critical and self.config.wall.bell:
            app.bell()
        if wall is None:
            severity = "error" if crossing.reading.level == CRITICAL else "warning"
            app.notify(
                crossing.text(),
                title="Threshold crossed",
                severity=severity,
                timeout=NOTIFY_S,
                markup=False,
            )


def _row(crossing: Crossing, zone: Any) -> list[Text]:
    r = crossing.reading
    level = r.level
    # What crossed, its value and the level first: in a narrow terminal the table scrolls
    # sideways and what is cut is the least needed (a value cut to '1' reads as another number).
    return [
        Text(crossing.at.astimezone(zone).strftime("%a %H:%M:%S")),
        Text(label(r.kpi)),
        Text(r.scope or "floor"),
        Text(show_value(r.kpi, r.value), justify="right"),
        Text(f"{MARK[level] or '✓'} {level}", style=LEVEL_STYLE[level]),
        Text(f"{r.direction} {show_value(r.kpi, r.limit)}" if r.limit is not None else ""),
        Text(f"was {crossing.before}", style="dim"),
    ]


class AlertsScreen(ModalScreen[None]):
    """Every crossing, newest first, with its time (site zone) and value."""

    BINDINGS: ClassVar = [Binding("escape,a,q", "dismiss", "Close")]
    COLUMNS = ("Time", "KPI", "Where", "Value", "Level", "Level passed", "Before")
    DEFAULT_CSS = """
    AlertsScreen { align: center middle; }
    #alerts {
        width: 90%; max-width: 120; height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #alerts DataTable { height: 1fr; }
    """

    def __init__(self, alerter: Alerter) -> None:
        super().__init__()
        self.alerter = alerter

    def compose(self) -> ComposeResult:
        book = self.alerter.book
        configured = len(self.alerter.config.thresholds)
        now = book.summary() or "nothing past a level now"
        title = (
            f"Alerts — {len(book.log)} crossing(s), {configured} threshold(s) · {now} · esc closes"
        )
        with Vertical(id="alerts"):
            yield Static(title, classes="title", markup=False)
            yield DataTable(id="alerts-table", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        zone = self.alerter.config.zone
        for crossing in reversed(self.alerter.book.log):
            table.add_row(*_row(crossing, zone))
        if not self.alerter.book.log:
            # "Not yet" would say something is watched when floorwatch.toml sets no threshold.
            empty = (
                "no threshold crossed yet"
                if self.alerter.config.thresholds
                else "no thresholds configured ([thresholds] in floorwatch.toml)"
            )
            table.add_row(Text(empty), *[Text("")] * 6)
        table.focus()
