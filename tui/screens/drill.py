"""What the drill-down screens share: the messages that open them, loading in a thread worker with
the thread's own cursor, re-arming a refresh timer, showing worker failures, and masking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from data.config import Config
from data.text import visible
from tui.view import View
from tui.widgets.search_table import SearchTable

MASK = "•••"
RELOAD_S = 5.0


class OpenAgent(Message):
    """Show the agent screen for `agents[index]`; `[` / `]` walk `agents` (the leaderboard order)."""

    def __init__(self, agents: Sequence[str], index: int = 0) -> None:
        super().__init__()
        self.agents = tuple(agents)
        self.index = index


class OpenContact(Message):
    """Show the contact screen of one contact."""

    def __init__(self, contact_id: str) -> None:
        super().__init__()
        self.contact_id = contact_id


class Loaded(Message):
    """A drill-down screen's data, computed in a worker (`key` says what it was loaded for)."""

    def __init__(self, key: Any, data: Any) -> None:
        super().__init__()
        self.key = key
        self.data = data


class DrillScreen(Screen[None]):
    """A full screen over the panes: `load()` runs `fetch(cur)` in a thread and `show(data)` on the
    UI thread when it arrives; reloads every RELOAD_S, when resumed, and on `r`. `esc` goes back."""

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="drill-back", tooltip="Back to where you came from"),
        Binding("m", "mask", "Mask", id="drill-mask", tooltip="Mask customer ids and messages"),
        Binding("r", "reload", "Refresh", id="drill-refresh", tooltip="Refresh this screen"),
    ]

    _timer: Timer | None = None

    @property
    def key(self) -> Any:
        raise NotImplementedError

    def fetch(self, cur: Any, cfg: Config, view: View, now: datetime) -> Any:
        """Runs in a thread worker: queries only, returns an immutable result."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def redraw(self) -> None:
        """Draw again from the data in hand (after the mask changed)."""

    @property
    def masked(self) -> bool:
        """Masked by `m`, and always in wall mode (customer data never goes on a wall)."""
        return bool(getattr(self.app, "masked", False) or getattr(self.app, "wall", False))

    def private(self, value: Any) -> Text:
        if value is None or value == "":
            return Text("–" if value is None else "")
        return Text(MASK if self.masked else visible(str(value), lines=True))

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._fetch(self.key)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mask(self) -> None:
        self.app.masked = not self.masked
        self.notify("Customer data masked" if self.app.masked else "Customer data shown")
        self.redraw()

    def _fetch(self, key: Any) -> None:
        # Inputs are read here, on the UI thread; the worker only queries and posts.
        app = self.app
        store, cfg, view, now = app.store, app.config, app.view, app.clock()

        def work() -> None:
            self.post_message(Loaded(key, self.fetch(store.cursor(), cfg, view, now)))

        self.run_worker(
            work,
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="drill",
            name=f"load {type(self).__name__}",
        )

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if not self.app.is_running:
            return  # shutting down: the widgets this reaches are being removed
        if message.key == self.key:
            with self.app.batch_update():
                self.show(message.data)
        self._timer = self.set_timer(RELOAD_S, self.load)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            worker = event.worker
            self.notify(
                f"{worker.name} failed: {worker.error!r}",
                severity="error",
                timeout=10,
                markup=False,
            )
            self._timer = self.set_timer(RELOAD_S, self.load)

    @staticmethod
    def selected(event: DataTable.RowSelected) -> dict[str, Any] | None:
        table = event.data_table
        if not isinstance(table, SearchTable):
            return None
        rows = table.shown
        return dict(rows[event.cursor_row]) if 0 <= event.cursor_row < len(rows) else None
