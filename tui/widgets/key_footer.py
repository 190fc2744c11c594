"""The footer: Textual's, recomposed only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer recomposes (unmounts and mounts a widget per key, each restyled) on every
    focus change and pane switch. Switching panes moves the focus to the new pane's table, so that
    cost fell on every number key: 100–200 ms of the UI thread at 160×48, while the pane's data
    was being fetched. Most panes share their keys: this footer recomposes only when what it
    shows (key, label, action, enabled, tooltip) changes."""

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen and self.is_attached and screen.app.app_focus:
            # Every active binding, shown or not (the palette key on the right is not "shown").
            shown = tuple(
                (key, b.description, b.action, b.show, enabled, tooltip)
                for key, (_, b, enabled, tooltip) in screen.active_bindings.items()
            )
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
