"""`?`: every key, from the bindings themselves (so the list cannot drift from the code)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "ctrl+p": "ctrl+p",
    "escape": "esc",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "space",
    "left": "←",
    "right": "→",
}


def key_label(binding: Binding) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in binding.key.split(","))


def help_table(sections: Iterable[tuple[str, Iterable[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, bindings in sections:
        table.add_row("", "")
        table.add_row(title, "", style="underline")
        for b in bindings:
            table.add_row(key_label(b), b.tooltip or b.description)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("floorwatch keys — esc closes", classes="title")
            yield Static(help_table(self.sections))
