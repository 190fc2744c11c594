"""Wall mode: the floor on a screen across the room.

Headline KPIs in large digits, the clock and data freshness always at the top, and panels cycling
every `wall.cycle_s` seconds: queues, agents' top and bottom by `wall.agent_kpi`, overdue work and
the channel mix. Wall panels never show a customer, a contact id or message text: they fetch only
aggregates and the names of queues, channels and agents.

Keys: `w` leaves, `q` quits, any other key pauses the cycle (then `space` resumes, ←/→ step).
The app runs the refreshes (one at a time, as for the panes) and hands the snapshot to `show()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.renderables.digits import Digits as DigitsRenderable
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Static

from data.alerts import MARK, OK, Crossing, Reading, evaluate
from data.config import Config
from data.metrics import agents, breakdown, overdue
from tui import fmt
from tui.past import PastCache
from tui.view import View
from tui.widgets.big_digits import BigDigits, even_heights
from tui.widgets.header_bar import HeaderBar

FLASH_S = 2.0
LEVEL_STYLE = {"warning": "bold black on yellow", "critical": "bold white on red"}


# ---- big numbers ---------------------------------------------------------------------------------


def _clock_dur(seconds: float | None) -> str:
    """Durations for Digits, short enough for a tile: 0:45, 2:05 (m:s); 3:16 (h:m) past an hour;
    whole hours from a day on (an email waiting since Monday: 109)."""
    if seconds is None:
        return "-"
    s = max(0, round(seconds))
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    if s < 86400:
        return f"{s // 3600}:{s % 3600 // 60:02d}"
    return str(s // 3600)


def _clock_unit(seconds: float | None) -> str:
    if seconds is None or seconds < 3600:
        return "m:s"
    return "h:m" if seconds < 86400 else "hours"


def _big_pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _big_count(value: float | None) -> str:
    return "-" if value is None else str(round(value))


UNIT_SHORT = {"hours": "h"}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    big: Any
    unit: Any = None  # value -> unit shown after the label, when the unit depends on the value
    shorter: tuple[str, ...] = ()  # the label in narrower tiles, longest first

    def labels(self, value: Any) -> tuple[str, ...]:
        """The label (and unit) from the longest to the shortest: the tile shows what fits."""
        names = (self.label, *self.shorter)
        if not self.unit:
            return names
        unit = self.unit(value)
        out = tuple(f"{name} ({unit})" for name in names)
        short = UNIT_SHORT.get(unit, unit)
        return out + ((f"{names[-1]} ({short})",) if short != unit else ())


TILES: tuple[Tile, ...] = (
    Tile("waiting_now", "Waiting now", _big_count, shorter=("Waiting",)),
    Tile("longest_wait_s", "Longest wait", _clock_dur, _clock_unit, shorter=("Longest",)),
    Tile("service_level", "Service level", _big_pct, shorter=("Service lvl", "SL")),
    Tile("abandon_rate", "Abandon rate", _big_pct, shorter=("Abandon",)),
    Tile("overdue", "Overdue", _big_count),
)

# The level in the tile's bottom border, in words where they fit: the sign is never dropped.
LEVEL_TEXT = {
    "warning": (f"{MARK['warning']} warning", f"{MARK['warning']} warn", MARK["warning"]),
    "critical": (f"{MARK['critical']} critical", f"{MARK['critical']} crit", MARK["critical"]),
}


class TileLabel(Widget):
    """One line, never wrapped: the longest of its labels that fits (a wrapped label pushed the
    bottom row of the big number out of the tile at 80 and 120 columns)."""

    DEFAULT_CSS = "TileLabel { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, labels: tuple[str, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.labels = labels

    def show(self, labels: tuple[str, ...]) -> None:
        if labels != self.labels:
            self.labels = labels
            self.refresh()

    def render(self) -> Text:
        return Text(fmt.fit(self.labels, self.content_size.width), no_wrap=True)


class WallTile(Vertical):
    """A headline KPI: its label, the number in large digits, and its level (if any) in words in
    the bottom border. The tile is never narrower than its digits (the others give way), nor than
    its level in full words while the row has room for that (`WallScreen._size_tiles`)."""

    SUBTITLE_FRAME = 6  # the corners, a line and a space either side of the bottom border's text

    def __init__(self, tile: Tile) -> None:
        super().__init__(classes="wall-tile", id=f"tile-{tile.key}")
        self.tile = tile
        self.level = OK
        self.text = "-"

    def compose(self) -> ComposeResult:
        yield TileLabel(self.tile.labels(None), classes="tile-label")
        yield BigDigits("-")

    def show(self, value: Any, level: str) -> str:
        self.text = text = self.tile.big(value)
        self.query_one(BigDigits).update(text)
        self.query_one(TileLabel).show(self.tile.labels(value))
        self.level = level
        self.set_class(level == "warning", "-warning")
        self.set_class(level == "critical", "-critical")
        self._subtitle()
        return text

    def needs(self, words: bool) -> int:
        """Columns for the whole number (and, with `words`, the level in full)."""
        width = DigitsRenderable.get_width(self.text) + self.styles.gutter.width
        if words and self.level != OK:
            width = max(width, cell_len(LEVEL_TEXT[self.level][0]) + self.SUBTITLE_FRAME)
        return width

    def _subtitle(self) -> None:
        room = self.outer_size.width - self.SUBTITLE_FRAME
        self.border_subtitle = fmt.fit(LEVEL_TEXT[self.level], room) if self.level != OK else ""

    def on_resize(self) -> None:
        self._subtitle()


# ---- panels: aggregates only, never a customer or a contact ---------------------------------------


def _cell(value: str, reading: Reading | None = None, right: bool = True) -> Text:
    level = reading.level if reading else OK
    if level != OK:
        return Text(f"{MARK[level]} {value}", style=LEVEL_STYLE[level], justify="right")
    return Text(value, justify="right" if right else "left")


class WallPanel(Widget):
    """`fetch` runs in the refresh worker (like a pane's); `show` on the UI thread."""

    name: ClassVar[str]  # as in `wall.panes`
    key: ClassVar[str]  # the snapshot's pane key: never a console pane's
    title: ClassVar[str]
    COLUMNS: ClassVar[tuple[str, ...]]

    @classmethod
    def fetch(
        cls, cur: Any, cfg: Config, view: View, now: datetime, past: PastCache | None = None
    ) -> Any:
        raise NotImplementedError

    # Columns given up first when the terminal is too narrow for all of them (then the others,
    # from the right): the wall cannot scroll, and a cut column shows half a number.
    DROP_FIRST: ClassVar[tuple[int, ...]] = ()

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.rows: list[Sequence[Text]] = []
        self.layout_shown: tuple[tuple[int, ...], int] | None = None  # (columns, cell padding)

    def compose(self) -> ComposeResult:
        table = DataTable(show_cursor=False, zebra_stripes=True, cell_padding=2)
        table.can_focus = False
        yield table

    def fill(self, rows: Sequence[Sequence[Text]]) -> None:
        self.rows = list(rows)
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def fitting(self, room: int) -> tuple[tuple[int, ...], int]:
        """The columns (indexes) and cell padding that fit `room` cells: the padding narrows to
        one, then columns go (DROP_FIRST, then from the right; never the first)."""
        n = len(self.COLUMNS)
        widths = [
            max([cell_len(self.COLUMNS[i]), *(r[i].cell_len for r in self.rows)]) for i in range(n)
        ]
        keep = list(range(n))
        if room <= 0:
            return tuple(keep), 2

        def need(pad: int) -> int:
            return sum(widths[i] + 2 * pad for i in keep)

        pad = 2 if need(2) <= room else 1
        order = [*self.DROP_FIRST, *(i for i in reversed(range(1, n)) if i not in self.DROP_FIRST)]
        while need(pad) > room and order:
            keep.remove(order.pop(0))
        return tuple(keep), pad

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one(DataTable)
        keep, pad = self.fitting(table.scrollable_content_region.width)
        if (keep, pad) != self.layout_shown:
            table.clear(columns=True)
            table.cell_padding = pad
            table.add_columns(*(self.COLUMNS[i] for i in keep))
            self.layout_shown = (keep, pad)
        else:
            table.clear()
        for row in self.rows:
            table.add_row(*(row[i] for i in keep))


def _queue_readings(cfg: Config, row: Mapping[str, Any]) -> dict[str, Reading]:
    names = (row.get("queue"), row.get("name"))
    mine = [t for t in cfg.thresholds if t.queue is not None and t.queue in names]
    return {r.kpi: r for r in evaluate(mine, {}, [row])}


class WallQueues(WallPanel):
    name, key, title = "queues", "wall-queues", "Queues"
    # What the floor acts on first: at 80 columns the volume columns are the ones cut.
    COLUMNS = (
        "Queue",
        "Waiting",
        "Longest wait",
        "Service level",
        "Abandon",
        "Offered",
        "Answered",
    )

    @classmethod
    def fetch(cls, cur, cfg, view, now, past=None):
        period, _ = view.periods(cfg, now)
        filters = view.filters()
        rows = breakdown(cur, cfg, period, filters, "queue", now)  # waiting-only queues too
        rows.sort(key=lambda r: (-(r.get("waiting_now") or 0), -(r.get("offered") or 0)))
        return tuple((r, _queue_readings(cfg, r)) for r in rows)

    def show(self, data) -> None:
        self.fill(
            [
                [
                    fmt.text(r.get("name") or r.get("queue")),
                    _cell(fmt.count(r.get("waiting_now")), lv.get("waiting_now")),
                    _cell(fmt.dur(r.get("longest_wait_s")), lv.get("longest_wait_s")),
                    _cell(fmt.pct(r.get("service_level")), lv.get("service_level")),
                    _cell(fmt.pct(r.get("abandon_rate")), lv.get("abandon_rate")),
                    _cell(fmt.count(r.get("offered")), lv.get("offered")),
                    _cell(fmt.count(r.get("answered")), lv.get("answered")),
                ]
                for r, lv in data
            ]
        )


AGENTS_SHOWN = 5


@dataclass(frozen=True)
class Ranked:
    kpi: str
    top: tuple[tuple[str, Any], ...]
    bottom: tuple[tuple[str, Any], ...]


def _on_shift(row: dict[str, Any]) -> bool:
    """Handled something, was logged in or was rung in the period."""
    return any((row.get(k) or 0) > 0 for k in ("handled", "logged_in_s", "missed_rings"))


class WallAgents(WallPanel):
    name, key, title = "agents", "wall-agents", "Agents"
    COLUMNS = ("", "Agent", "Value")

    @classmethod
    def fetch(cls, cur, cfg, view, now, past=None):
        kpi = cfg.wall.agent_kpi
        period, _ = view.periods(cfg, now)
        # Only agents on shift in the period: one logged off since yesterday is not the floor's
        # "lowest handled" on a screen across the room.
        rows = [
            (str(r.get("name") or r.get("agent")), r.get(kpi))
            for r in agents(cur, cfg, period, view.filters(), now)
            if r.get(kpi) is not None and _on_shift(r)
        ]
        rows.sort(key=lambda nv: (-nv[1], nv[0]))
        top = rows[: min(AGENTS_SHOWN, (len(rows) + 1) // 2)]
        bottom = rows[len(top) :][-AGENTS_SHOWN:]
        return Ranked(kpi, tuple(top), tuple(bottom))

    def show(self, data: Ranked) -> None:
        value = _agent_value(data.kpi)
        label = data.kpi.removesuffix("_s").replace("_", " ")
        rows = [[Text(f"▲ highest {label}", style="green"), Text(""), Text("")]]
        rows += [[Text(""), fmt.text(name), _cell(value(v))] for name, v in data.top]
        rows += [[Text(f"▼ lowest {label}", style="yellow"), Text(""), Text("")]]
        rows += [[Text(""), fmt.text(name), _cell(value(v))] for name, v in data.bottom]
        self.fill(rows)


def _agent_value(kpi: str):
    if kpi in ("csat", "fcr", "occupancy"):
        return fmt.pct
    return fmt.dur if kpi.endswith("_s") else fmt.count


@dataclass(frozen=True)
class OverdueGroup:
    channel: str
    queue: str
    overdue: int
    at_risk: int
    oldest_s: float | None


class WallOverdue(WallPanel):
    name, key, title = "overdue", "wall-overdue", "Overdue"
    COLUMNS = ("Channel", "Queue", "Overdue", "At risk", "Most overdue by")

    @classmethod
    def fetch(cls, cur, cfg, view, now, past=None):
        groups: dict[tuple[str, str], list] = {}
        for row in overdue(cur, cfg, view.filters(), now):
            queue = cfg.queue_names.get(row.get("queue"), row.get("queue"))
            key = (str(row.get("channel") or fmt.DASH), str(queue or fmt.DASH))
            g = groups.setdefault(key, [0, 0, None])
            if row.get("state") == "overdue":
                g[0] += 1
                age = row.get("overdue_s")
                g[2] = age if g[2] is None or (age is not None and age > g[2]) else g[2]
            else:
                g[1] += 1
        out = [OverdueGroup(c, q, *g) for (c, q), g in groups.items()]
        return tuple(sorted(out, key=lambda g: (-g.overdue, -g.at_risk, g.channel, g.queue)))

    def show(self, data: tuple[OverdueGroup, ...]) -> None:
        self.fill(
            [
                [
                    fmt.text(g.channel),
                    fmt.text(g.queue),
                    _cell(f"⚠ {g.overdue}" if g.overdue else "0"),
                    _cell(str(g.at_risk)),
                    _cell(fmt.dur(g.oldest_s)),
                ]
                for g in data
            ]
            or [[Text("nothing overdue or at risk"), Text(""), Text(""), Text(""), Text("")]]
        )


BAR_WIDTH = 30
TALL_WALL = 45  # rows from which the headline tiles grow beyond their three-row digits


class WallChannels(WallPanel):
    name, key, title = "channels", "wall-channels", "Channel mix"
    COLUMNS = ("Channel", "Share of offered", "", "Offered", "Service level", "ASA")
    DROP_FIRST = (2, 3)  # the bar, then the count: the share and the speeds say more

    @classmethod
    def fetch(cls, cur, cfg, view, now, past=None):
        period, _ = view.periods(cfg, now)
        return tuple(breakdown(cur, cfg, period, view.filters(), "channel", now))

    def show(self, data) -> None:
        rows = []
        for r in data:
            share = r.get("share") or 0
            rows.append(
                [
                    fmt.text(r.get("channel")),
                    Text("█" * round(share * BAR_WIDTH), style="cyan"),
                    _cell(fmt.pct(r.get("share"))),
                    _cell(fmt.count(r.get("offered"))),
                    _cell(fmt.pct(r.get("service_level"))),
                    _cell(fmt.dur(r.get("asa_s"))),
                ]
            )
        self.fill(rows)


PANELS: dict[str, type[WallPanel]] = {
    p.name: p for p in (WallQueues, WallAgents, WallOverdue, WallChannels)
}


# ---- the screen ----------------------------------------------------------------------------------


class WallScreen(ModalScreen[None]):
    """Full screen, no footer. Modal so that the console's keys do not act underneath it."""

    BINDINGS: ClassVar = [
        Binding("w", "leave", "Leave wall mode"),
        Binding("q", "app.quit", "Quit"),
    ]
    DEFAULT_CSS = """
    WallScreen { background: $background; layout: vertical; }
    WallScreen #wall-header { height: 1; background: $panel; padding: 0 1; }
    WallScreen #wall-kpis { height: 6; margin: 1 0 0 0; }
    WallScreen .wall-tile { width: 1fr; height: 1fr; border: round $primary; padding: 0 1; }
    WallScreen .wall-tile.-warning { border: heavy $warning; }
    WallScreen .wall-tile.-critical { border: heavy $error; }
    WallScreen .wall-tile { border-subtitle-align: left; border-subtitle-style: bold; }
    WallScreen .wall-tile.-warning {
        border-subtitle-color: black; border-subtitle-background: $warning;
    }
    WallScreen .wall-tile.-critical {
        border-subtitle-color: white; border-subtitle-background: $error;
    }
    WallScreen .wall-tile.-flash { background: $error; }
    WallScreen .tile-label { width: 1fr; text-style: bold; }
    WallScreen .wall-tile BigDigits { width: 1fr; height: 1fr; }
    WallScreen #wall-status { height: 1; padding: 0 1; color: $text-muted; }
    WallScreen #wall-panels { height: 1fr; padding: 0 1; }
    WallScreen WallPanel { height: 1fr; }
    WallScreen WallPanel DataTable { height: 1fr; }
    WallScreen #wall-alert { height: 1; padding: 0 1; }
    """

    def __init__(self, config: Config, demo: bool) -> None:
        super().__init__(id="wall")
        self.config = config
        self.demo = demo
        self.keys = [k for k in config.wall.panes if k in PANELS] or list(PANELS)
        self.index = 0
        self.paused = False
        self.tile_text: dict[str, str] = {}
        self.tile_marks: dict[str, str] = {}
        self.ready = False  # mounted: before that, snapshots and alerts wait
        self.shown: str | None = None  # the panel whose data is on screen

    @property
    def current(self) -> str:
        return self.keys[self.index]

    @property
    def panel_type(self) -> type[WallPanel]:
        return PANELS[self.current]

    def compose(self) -> ComposeResult:
        cfg = self.config
        self.header = HeaderBar(
            cfg.site_name, self.demo, cfg.zone, cfg.stale_data_s, id="wall-header"
        )
        yield self.header
        with Horizontal(id="wall-kpis"):
            for tile in TILES:
                yield WallTile(tile)
        yield Static("", id="wall-status", markup=False)
        with ContentSwitcher(initial=f"wall-{self.current}", id="wall-panels"):
            for key in self.keys:
                yield PANELS[key](id=f"wall-{key}")
        yield Static("", id="wall-alert", markup=False)

    def on_mount(self) -> None:
        self.ready = True
        self.set_interval(self.config.wall.cycle_s, self._cycle)
        self.set_interval(1.0, self.tick)
        self._status()
        self.tick()

    # ---- fed by the app --------------------------------------------------------------------------
    def tick(self, note: str = "") -> None:
        app = self.app
        summary = getattr(getattr(app, "alerter", None), "summary", "")
        self.header.show(View(), app.clock(), app.last_data_at, note or summary)

    def show(self, snap: Any) -> bool:
        """Show a refresh; False when it was for another panel (the app then asks again)."""
        if not self.ready:
            return False
        levels: Mapping[str, Reading] = getattr(snap, "levels", {})
        for tile in TILES:
            self._show_tile(tile, snap.totals.get(tile.key), levels.get(tile.key))
        self._size_tiles()
        self.tick()
        if snap.pane != self.panel_type.key:
            return False
        self.query_one(f"#wall-{self.current}", WallPanel).show(snap.data)
        self.shown = self.current
        return True

    def _show_tile(self, tile: Tile, value: Any, reading: Reading | None) -> None:
        level = reading.level if reading else OK
        text = self.query_one(f"#tile-{tile.key}", WallTile).show(value, level)
        self.tile_text[tile.key], self.tile_marks[tile.key] = text, MARK[level]

    def _size_tiles(self) -> None:
        """Every tile as wide as its number needs, and its level in words when the row has room;
        then, once laid out, every number at one height."""
        tiles = list(self.query(WallTile))
        words = sum(t.needs(True) for t in tiles) <= self.size.width
        for tile in tiles:
            tile.styles.min_width = tile.needs(words)
        self.call_after_refresh(lambda: even_heights(list(self.query(BigDigits))))

    def on_resize(self) -> None:
        # A tall wall terminal: the tiles take a third of it, and their digits grow to fill them.
        rows = self.size.height
        self.query_one("#wall-kpis").styles.height = 6 if rows < TALL_WALL else min(rows // 3, 30)
        if self.ready:
            self._size_tiles()

    def flash(self, key: str) -> None:
        for box in self.query(f"#tile-{key}"):
            box.add_class("-flash")
            self.set_timer(FLASH_S, lambda b=box: b.remove_class("-flash"))

    def alerted(self, crossing: Crossing) -> None:
        if not self.ready:
            return
        when = fmt.clock(crossing.at, self.config.zone)
        self.query_one("#wall-alert", Static).update(Text(f"{when}  {crossing.text()}"))

    # ---- the cycle -------------------------------------------------------------------------------
    def _cycle(self) -> None:
        if not self.paused:
            self.step(1)

    def step(self, by: int) -> None:
        self.index = (self.index + by) % len(self.keys)
        self.shown = None
        self.query_one(ContentSwitcher).current = f"wall-{self.current}"
        self._status()
        self.app.request_refresh()

    def _status(self) -> None:
        where = f"{PANELS[self.current].title} ({self.index + 1}/{len(self.keys)})"
        if self.paused:
            text = f"⏸ paused on {where} · space resumes · ←/→ panels · w leaves wall mode"
        else:
            every = f"{self.config.wall.cycle_s:g}"
            text = f"▶ {where} · next every {every} s · any key pauses · w leaves wall mode"
        self.query_one("#wall-status", Static).update(text)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("w", "q"):
            return
        event.stop()
        event.prevent_default()
        if not self.paused:
            self.paused = True
        elif event.key == "space":
            self.paused = False
        elif event.key in ("left", "right"):
            self.step(1 if event.key == "right" else -1)
        self._status()

    def action_leave(self) -> None:
        self.dismiss(None)
