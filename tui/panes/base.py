"""What every pane shares: fetch in a thread, show on the UI thread, search and sort its table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import duckdb
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from data.config import Config
from tui.past import PastCache
from tui.view import View
from tui.widgets.search_table import SearchTable


class Pane(Vertical):
    """A pane = `fetch` (pure, runs in a worker with its own cursor) + `show` (UI thread)."""

    key: ClassVar[str]
    title: ClassVar[str]

    BINDINGS: ClassVar = [
        Binding("slash", "search", "Search", tooltip="Search the table: only matching rows show"),
        Binding("s", "sort", "Sort", tooltip="Sort the table by the next column"),
    ]

    @classmethod
    def fetch(
        cls,
        cur: duckdb.DuckDBPyConnection,
        cfg: Config,
        view: View,
        now: datetime,
        past: PastCache | None = None,
    ) -> Any:
        """The pane's data for `view` at `now`. `past` keeps figures about past spans (a comparison
        period) between refreshes: use it for those only, never for the running period."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield Label("", classes="sort-label")
        yield Input(placeholder="search… (enter keeps, esc clears)", classes="search")

    @property
    def table(self) -> SearchTable:
        focused = self.screen.focused
        if isinstance(focused, SearchTable) and focused in self.query(SearchTable):
            return focused
        return self.query(SearchTable).first()

    def focus_table(self) -> None:
        # At once, not through Widget.focus (call_later): a key typed right after the pane's number
        # ("2g") is already queued, and would go to the pane left behind.
        self.screen.set_focus(self.query(SearchTable).first())

    _search_target: SearchTable | None = None

    def on_mount(self) -> None:
        self._show_sort()

    def action_search(self) -> None:
        self._search_target = self.table
        search = self.query_one("Input.search", Input)
        search.add_class("-open")
        search.focus()

    def action_sort(self) -> None:
        self.table.cycle_sort()
        self._show_sort()

    def _show_sort(self) -> None:
        tables = list(self.query(SearchTable))
        text = "  ".join(f"sorted by: {t.sort_label}" for t in tables[:1])
        self._label(
            f"{self.label_note()}{text}{self._search_status()}  (s: next column, /: search)"
        )

    def label_note(self) -> str:
        """What the pane says before its sort, ending in ' · ' ('' when nothing)."""
        return ""

    def _label(self, text: str) -> None:
        # Text, not markup: the search status holds whatever the user typed.
        self.query_one(".sort-label", Label).update(Text(text))

    def _search_status(self) -> str:
        """' · search “x”: 3 of 12 rows' while a search is on; '' otherwise."""
        searched = self.table_for_search
        if not searched.query_text:
            return ""
        # Rows of the data only: a grouped leaderboard's team totals (Σ) are not matches.
        shown = sum(1 for row in searched.shown if not row.get("_total"))
        total = len(searched.rows_all)
        found = f"{shown} of {total} rows" if shown else "no row matches"
        return f" · search “{searched.query_text}”: {found}"

    @on(Input.Changed, ".search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.table_for_search.search(event.value)
        self._show_sort()

    @on(Input.Submitted, ".search")
    def _search_done(self) -> None:
        self.table_for_search.focus()

    def key_escape(self) -> None:
        search = self.query_one("Input.search", Input)
        if search.has_class("-open"):
            search.value = ""
            search.remove_class("-open")
            self.table_for_search.search("")
            self.table_for_search.focus()
            self._show_sort()

    @property
    def table_for_search(self) -> SearchTable:
        return getattr(self, "_search_target", None) or self.query(SearchTable).first()
