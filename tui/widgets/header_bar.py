"""The header line: DEMO, site name, period, active filters, clock in the site zone, freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from tui.view import View


@dataclass(frozen=True)
class Freshness:
    text: str
    stale: bool


def freshness(now: datetime, last_data_at: datetime | None, stale_after_s: float) -> Freshness:
    if last_data_at is None:
        return Freshness("no data yet", True)
    age = max(0, int((now - last_data_at).total_seconds()))
    if age < 60:
        ago = f"{age} s"
    elif age < 3600:
        ago = f"{age // 60} min"
    else:
        ago = f"{age // 3600} h {age % 3600 // 60} min"
    return Freshness(f"updated {ago} ago", age > stale_after_s)


class HeaderBar(Static):
    """One line. `show()` is called every second by the app and after every refresh."""

    def __init__(self, site: str, demo: bool, zone: tzinfo, stale_after_s: float, **kw) -> None:
        super().__init__("", **kw)
        self.site = site
        self.demo = demo
        self.zone = zone
        self.stale_after_s = stale_after_s
        self.plain = ""

    def show(
        self, view: View, now: datetime, last_data_at: datetime | None, note: str = ""
    ) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.demo:
            text.append(" DEMO ", style="bold reverse")
            text.append(" ")
        text.append(self.site, style="bold")
        text.append(" │ ")
        text.append(view.period_label)
        for key, value in view.active_filters:
            text.append(" │ ")
            text.append(f"{key}: {value}", style="italic")
        local = now.astimezone(self.zone)
        text.append(" │ ")
        text.append(local.strftime("%a %H:%M:%S %Z"))
        fresh = freshness(now, last_data_at, self.stale_after_s)
        text.append(" │ ")
        if fresh.stale:
            text.append(f"⚠ {fresh.text}", style="bold black on yellow")
        else:
            text.append(fresh.text, style="green")
        if note:
            text.append(" │ ")
            text.append(note, style="italic")
        self.plain = text.plain
        self.update(text)
