"""The header line: DEMO, site name, period, active filters, clock in the site zone, freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from data.text import visible
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


# Fewer columns than this for the site name and it is not worth showing cut: it goes whole.
MIN_SITE = 6


class HeaderBar(Static):
    """One line. `show()` is called every second by the app and after every refresh.

    The clock and the freshness sit at the right and are never cut. When the line is too long for
    the terminal, the site name gives way first (ending in "…"): the period and filters say what
    the numbers below are, the site name only where they come from; with less than MIN_SITE
    columns for it, it goes. Then the period and filters are cut.
    """

    def __init__(self, site: str, demo: bool, zone: tzinfo, stale_after_s: float, **kw) -> None:
        super().__init__("", **kw)
        self.site = site
        self.demo = demo
        self.zone = zone
        self.stale_after_s = stale_after_s
        self.plain = ""
        self._last: tuple | None = None

    def show(
        self, view: View, now: datetime, last_data_at: datetime | None, note: str = ""
    ) -> None:
        self._last = (view, now, last_data_at, note)
        badge = Text(no_wrap=True)
        if self.demo:
            badge.append(" DEMO ", style="bold reverse")
            badge.append(" ")
        site = Text(visible(self.site), style="bold", no_wrap=True)
        fresh = freshness(now, last_data_at, self.stale_after_s)
        width = self.content_size.width
        # Longest first: then the filters without their names, then a shorter clock and
        # freshness, so that at 80 columns every filter still shows (the site went first).
        variants = [
            (self._scope(view, named=True), self._right(now, fresh, short=False)),
            (self._scope(view, named=False), self._right(now, fresh, short=False)),
            (self._scope(view, named=False), self._right(now, fresh, short=True)),
        ]
        scope, right = next(
            (
                (sc, r)
                for sc, r in variants
                if badge.cell_len + sc.cell_len + 3 + r.cell_len <= width
            ),
            variants[-1] if width else variants[0],
        )
        if note:
            kept = badge.cell_len + scope.cell_len  # the period gives way after the note
            right = self._with_note(Text(note, style="bold", no_wrap=True), right, width, kept)
        text = self._fit(badge, site, scope, right, width)
        self.plain = text.plain
        self.update(text)

    @staticmethod
    def _scope(view: View, named: bool) -> Text:
        scope = Text(" │ ", no_wrap=True)
        scope.append(view.period_label)
        for key, value in view.active_filters:
            scope.append(" │ ")
            scope.append(visible(f"{key}: {value}" if named else value), style="italic")
        return scope

    def _right(self, now: datetime, fresh: Freshness, short: bool) -> Text:
        right = Text(no_wrap=True)
        right.append(now.astimezone(self.zone).strftime("%H:%M %Z" if short else "%a %H:%M:%S %Z"))
        right.append(" │ ")
        text = fresh.text.removeprefix("updated ") if short else fresh.text
        if fresh.stale:
            right.append(f"⚠ {text}", style="bold black on yellow")
        else:
            right.append(text, style="green")
        return right

    @staticmethod
    def _with_note(note: Text, right: Text, width: int, kept: int = MIN_SITE) -> Text:
        """The note (the wall's alert summary) before the clock, cut to leave the clock, the
        freshness and `kept` columns on the left (the badge and the period) whole; with too
        little room it goes. The site name gives way before it (_fit)."""
        room = width - right.cell_len - 6 - kept if width else note.cell_len  # two " │ "
        if room < MIN_SITE:
            return right
        if note.cell_len > room:
            note.truncate(room, overflow="ellipsis")
        return Text.assemble(note, " │ ", right, no_wrap=True)

    @staticmethod
    def _fit(badge: Text, site: Text, scope: Text, right: Text, width: int) -> Text:
        room = width - right.cell_len - 3
        if width and badge.cell_len + site.cell_len + scope.cell_len > room:
            site_room = room - badge.cell_len - scope.cell_len
            if site_room >= MIN_SITE:
                site.truncate(site_room, overflow="ellipsis")
            else:  # too little of it would show: it goes, the period and filters stay
                site = Text("")
        left = Text.assemble(badge, site, scope, no_wrap=True)
        if width and left.cell_len > room:
            left.truncate(max(room, 1), overflow="ellipsis")
        return Text.assemble(left, " │ ", right, no_wrap=True, overflow="ellipsis")

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)
