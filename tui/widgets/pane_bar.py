"""The pane tabs: `1 Queues  2 Agents …`, the current one bracketed and highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class PaneBar(Static):
    def __init__(self, panes: Sequence[tuple[str, str]], **kw) -> None:
        super().__init__("", **kw)
        self.panes = tuple(panes)

    def show(self, current: str) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (key, title) in enumerate(self.panes, start=1):
            if key == current:
                text.append(f"[{number} {title}]", style="bold reverse")
            else:
                text.append(f" {number} {title} ", style="dim")
            text.append(" ")
        self.update(text)
