"""The always-visible KPI strip: each KPI with its change vs the comparison period (▲/▼ + value).

A KPI past a threshold is marked with a sign and coloured: `!` warning, `‼` critical; `flash()`
briefly reverses a cell when its KPI crosses into critical.

A cell never wraps (a wrapped label pushed the value out of its two rows): in a narrow cell the
label shortens, then the change loses its sign ('▲ +153' as '▲153') and its points their decimal
('▼4pt'), then the change goes; the label, the sign and the value stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widget import Widget

from data.alerts import MARK, OK, Reading
from tui import fmt

LEVEL_STYLE = {"warning": "bold black on yellow", "critical": "bold white on red"}
FLASH_S = 2.0
# Threshold KPIs shown in a cell under another key.
CELL_OF = {"overdue": "open"}


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    show: Callable[[Any], str]
    better: str | None = "up"  # "up", "down", None (neutral), "now" (no comparison)
    delta: Callable[[float], str] | None = None
    shorter: tuple[str, ...] = ()  # the label in narrower cells, longest first

    def value(self, totals: Mapping[str, Any]) -> str:
        return self.show(totals.get(self.key))


def _pts(diff: float) -> str:
    return f"{diff * 100:+.1f}pt"


def _count_delta(diff: float) -> str:
    return f"{diff:+,.0f}"


def _dur_delta(diff: float) -> str:
    return ("+" if diff >= 0 else "-") + fmt.dur(abs(diff))


def _open_overdue(totals: Mapping[str, Any]) -> str:
    # The open work (of any offer time) and how much of it is overdue: 120/29 reads as 29 of 120.
    return f"{fmt.count(totals.get('backlog'))}/{fmt.count(totals.get('overdue'))}"


KPIS: tuple[Kpi, ...] = (
    Kpi("offered", "Offered", fmt.count, None, _count_delta),
    Kpi("answered", "Answered", fmt.count, None, _count_delta),
    Kpi("service_level", "Service lvl", fmt.pct, "up", _pts, ("Svc lvl", "SL")),
    Kpi("abandon_rate", "Abandon", fmt.pct, "down", _pts),
    Kpi("asa_s", "ASA", fmt.dur, "down", _dur_delta),
    Kpi("aht_s", "AHT", fmt.dur, None, _dur_delta),
    Kpi("longest_wait_s", "Longest wait", fmt.dur, "now", shorter=("Longest",)),
    Kpi("waiting_now", "Waiting", fmt.count, "now"),
    Kpi("open", "Open/overdue", fmt.count, "now", shorter=("Open/ovd",)),
    Kpi("csat", "CSAT", fmt.pct, "up", _pts),
)


def _compact(delta: Text) -> Text:
    """'▲ +153' as '▲153', '▼ -4.4pt' as '▼4.4pt': the arrow carries the sign (80 columns)."""
    plain = delta.plain
    if plain[:1] in ("▲", "▼") and plain[1:3] in (" +", " -"):
        return Text(plain[0] + plain[3:], style=delta.style)
    return delta


def _coarse(delta: Text) -> Text:
    """'▼4.4pt' as '▼4pt': points to the whole point, the last step before the change goes."""
    match = re.fullmatch(r"([▲▼])(\d+\.\d+)pt", delta.plain)
    if match is None:
        return delta
    return Text(f"{match[1]}{float(match[2]):.0f}pt", style=delta.style)


def change(kpi: Kpi, now: Mapping[str, Any], before: Mapping[str, Any]) -> Text:
    """'▲ +12' / '▼ -3.1pt' / '= 0' / 'now'. The arrow says the direction; colour only adds to it."""
    if kpi.better == "now" or kpi.delta is None:
        return Text("now", style="dim")
    a, b = now.get(kpi.key), before.get(kpi.key)
    if a is None or b is None:
        return Text("vs " + fmt.DASH, style="dim")
    diff = a - b
    zero = kpi.delta(0)
    if abs(diff) < 1e-9 or kpi.delta(diff).lstrip("+-") == zero.lstrip("+-"):
        # A change too small to show ('-0s', '+0.0pt') is no change: not an arrow and a red zero.
        return Text("= " + zero, style="dim")
    arrow = "▲" if diff > 0 else "▼"
    good = None if kpi.better is None else (diff > 0) == (kpi.better == "up")
    style = "dim" if good is None else ("green" if good else "red")
    return Text(f"{arrow} {kpi.delta(diff)}", style=style)


class KpiCell(Widget):
    """One KPI: its label over its value and change, each fitted to the cell's width as drawn."""

    DEFAULT_CSS = "KpiCell { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, kpi: Kpi) -> None:
        super().__init__(id=f"kpi-{kpi.key}", classes="kpi")
        self.kpi = kpi
        self.value = fmt.DASH
        self.delta = Text("")
        self.level = OK

    def show(self, value: str, delta: Text, level: str) -> None:
        self.value, self.delta, self.level = value, delta, level
        self.refresh()

    def render(self) -> Text:
        return self.fitted(self.content_size.width)

    def fitted(self, width: int) -> Text:
        """The cell in `width` columns (0: not laid out yet, in full)."""
        kpi, level = self.kpi, self.level
        label = fmt.fit((kpi.label, *kpi.shorter), width)
        if level != OK:
            shown = Text(f"{MARK[level]} {self.value}", style=LEVEL_STYLE[level])
        else:
            shown = Text(self.value, style="bold")
        compact = _compact(self.delta)
        for delta in (self.delta, compact, _coarse(compact)):
            if not width or shown.cell_len + 1 + delta.cell_len <= width:
                return Text.assemble((label, "dim"), "\n", shown, " ", delta, no_wrap=True)
        shown.truncate(width, overflow="ellipsis")
        return Text.assemble((label, "dim"), "\n", shown, no_wrap=True)


class KpiStrip(Grid):
    """Ten cells; `show(totals, comparison, levels)` fills them. `values` holds the shown value,
    `changes` the change in full (a narrow cell shortens or drops it) and `marks` the threshold sign
    ('', '!', '‼'), by key."""

    DEFAULT_CSS = """
    KpiStrip .kpi.-flash { text-style: reverse; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, str] = {}
        self.changes: dict[str, str] = {}
        self.marks: dict[str, str] = {}
        self._waiting: tuple | None = None

    def compose(self) -> ComposeResult:
        for kpi in KPIS:
            yield KpiCell(kpi)

    def show(
        self,
        totals: Mapping[str, Any],
        comparison: Mapping[str, Any],
        levels: Mapping[str, Reading] | None = None,
        ended: bool = False,
    ) -> None:
        """`ended`: the period lies in the past, so open/overdue are as of its end, not now."""
        cells = {cell.id: cell for cell in self.query(".kpi").results(KpiCell)}
        if len(cells) < len(KPIS):
            # A refresh can land before the cells are composed (or after they are removed, as
            # the app closes): keep it for on_mount rather than fail on a missing cell.
            self._waiting = (totals, comparison, levels, ended)
            return
        self._waiting = None
        by_cell = {CELL_OF.get(k, k): r for k, r in (levels or {}).items()}
        for kpi in KPIS:
            value = _open_overdue(totals) if kpi.key == "open" else kpi.value(totals)
            delta = change(kpi, totals, comparison)
            if kpi.key == "open" and ended:
                delta = Text("at end", style="dim")
            reading = by_cell.get(kpi.key)
            level = reading.level if reading else OK
            cell = cells[f"kpi-{kpi.key}"]
            self.values[kpi.key] = value
            self.changes[kpi.key] = delta.plain
            self.marks[kpi.key] = MARK[level]
            cell.show(value, delta, level)
            cell.set_class(level == "warning", "-warning")
            cell.set_class(level == "critical", "-critical")

    def on_mount(self) -> None:
        if self._waiting is not None:
            self.show(*self._waiting)

    def flash(self, key: str) -> None:
        """Reverse the cell of KPI `key` for a moment."""
        cells = self.query(f"#kpi-{CELL_OF.get(key, key)}")
        for cell in cells:
            cell.add_class("-flash")
            self.set_timer(FLASH_S, lambda c=cell: c.remove_class("-flash"))
