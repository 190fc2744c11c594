"""The always-visible KPI strip: each KPI with its change vs the comparison period (▲/▼ + value)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from tui import fmt


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    show: Callable[[Any], str]
    better: str | None = "up"  # "up", "down", None (neutral), "now" (no comparison)
    delta: Callable[[float], str] | None = None

    def value(self, totals: Mapping[str, Any]) -> str:
        return self.show(totals.get(self.key))


def _pts(diff: float) -> str:
    return f"{diff * 100:+.1f}pt"


def _count_delta(diff: float) -> str:
    return f"{diff:+,.0f}"


def _dur_delta(diff: float) -> str:
    return ("+" if diff >= 0 else "-") + fmt.dur(abs(diff))


def _open_overdue(totals: Mapping[str, Any]) -> str:
    return f"{fmt.count(totals.get('open'))}/{fmt.count(totals.get('overdue'))}"


KPIS: tuple[Kpi, ...] = (
    Kpi("offered", "Offered", fmt.count, None, _count_delta),
    Kpi("answered", "Answered", fmt.count, None, _count_delta),
    Kpi("service_level", "Service lvl", fmt.pct, "up", _pts),
    Kpi("abandon_rate", "Abandon", fmt.pct, "down", _pts),
    Kpi("asa_s", "ASA", fmt.dur, "down", _dur_delta),
    Kpi("aht_s", "AHT", fmt.dur, None, _dur_delta),
    Kpi("longest_wait_s", "Longest wait", fmt.dur, "now"),
    Kpi("waiting_now", "Waiting", fmt.count, "now"),
    Kpi("open", "Open/overdue", fmt.count, "now"),
    Kpi("csat", "CSAT", fmt.pct, "up", _pts),
)


def change(kpi: Kpi, now: Mapping[str, Any], before: Mapping[str, Any]) -> Text:
    """'▲ +12' / '▼ -3.1pt' / '= 0' / 'now'. The arrow says the direction; colour only adds to it."""
    if kpi.better == "now" or kpi.delta is None:
        return Text("now", style="dim")
    a, b = now.get(kpi.key), before.get(kpi.key)
    if a is None or b is None:
        return Text("vs " + fmt.DASH, style="dim")
    diff = a - b
    if abs(diff) < 1e-9:
        return Text("= " + kpi.delta(0), style="dim")
    arrow = "▲" if diff > 0 else "▼"
    good = None if kpi.better is None else (diff > 0) == (kpi.better == "up")
    style = "dim" if good is None else ("green" if good else "red")
    return Text(f"{arrow} {kpi.delta(diff)}", style=style)


class KpiStrip(Grid):
    """Ten cells; `show(totals, comparison)` fills them. `values` holds the shown text, by key."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, str] = {}
        self.changes: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        for kpi in KPIS:
            yield Static(self._cell(kpi, fmt.DASH, Text("")), id=f"kpi-{kpi.key}", classes="kpi")

    def show(self, totals: Mapping[str, Any], comparison: Mapping[str, Any]) -> None:
        for kpi in KPIS:
            value = _open_overdue(totals) if kpi.key == "open" else kpi.value(totals)
            delta = change(kpi, totals, comparison)
            self.values[kpi.key] = value
            self.changes[kpi.key] = delta.plain
            self.query_one(f"#kpi-{kpi.key}", Static).update(self._cell(kpi, value, delta))

    @staticmethod
    def _cell(kpi: Kpi, value: str, delta: Text) -> Text:
        return Text.assemble((kpi.label, "dim"), "\n", (value, "bold"), " ", delta, no_wrap=True)
