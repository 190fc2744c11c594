"""The pane tabs: `1 Queues  2 Agents …`, the current one bracketed and highlighted. In a narrow
terminal the other tabs shorten to their number and first letters, so every number stays in view
(the 6th tab fell off a 60-column line)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

SHORT_TITLE = 3  # letters of a tab that is not the current one, when the line is narrow


class PaneBar(Static):
    def __init__(self, panes: Sequence[tuple[str, str]], **kw) -> None:
        super().__init__("", **kw)
        self.panes = tuple(panes)
        self.current: str | None = None

    def show(self, current: str) -> None:
        self.current = current
        full = self.tabs(current, short=False)
        width = self.content_size.width
        self.update(full if not width or full.cell_len <= width else self.tabs(current, short=True))

    def tabs(self, current: str, short: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (key, title) in enumerate(self.panes, start=1):
            if key == current:
                text.append(f"[{number} {title}]", style="bold reverse")
            else:
                label = title[:SHORT_TITLE] if short else title
                text.append(f" {number} {label} ", style="dim")
            text.append("" if short else " ")
        return text

    def on_resize(self) -> None:
        if self.current is not None:
            self.show(self.current)
