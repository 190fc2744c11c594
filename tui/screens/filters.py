"""`f`: filter by queue, channel and team; the options come from the data."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from data.text import visible

FIELDS = ("queue", "channel", "team")


class FilterScreen(ModalScreen[dict[str, str | None] | None]):
    """Dismisses with {queue, channel, team} (None = all), or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self,
        options: dict[str, tuple[str, ...]],
        current: dict[str, str | None],
        names: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """`names`: display names per field ({"queue": cfg.queue_names}); ids show beside them."""
        super().__init__()
        self.options = options
        self.current = current
        self.names = names or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="filters"):
            yield Label("Filters (esc cancels)", classes="title")
            for name in FIELDS:
                yield Label(name.capitalize())
                names = self.names.get(name, {})
                choices = [
                    (Text(visible(f"{names[v]} ({v})" if names.get(v, v) != v else v)), v)
                    for v in self.options.get(name, ())
                ]
                value = self.current.get(name)
                yield Select(
                    choices,
                    prompt=f"all {name}s",
                    value=value if value in self.options.get(name, ()) else Select.NULL,
                    id=f"filter-{name}",
                )
            with Horizontal(classes="buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear all", id="clear")
                yield Button("Cancel", id="cancel")

    def chosen(self) -> dict[str, str | None]:
        out = {}
        for name in FIELDS:
            value = self.query_one(f"#filter-{name}", Select).value
            out[name] = None if value is Select.NULL else str(value)
        return out

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.dismiss(self.chosen())

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(dict.fromkeys(FIELDS))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
