"""The footer: the active keys as one line of text, drawn by one widget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.screen import Screen
from textual.widget import Widget

GAP = " "  # between two keys
PALETTE_EDGE = "▏"  # before the command palette's key, on the right
# Help and quit: what someone new to the console looks for. In a narrow terminal other keys make
# room for them, from the right, whole (not cut mid-word).
ESSENTIAL = frozenset({"question_mark", "q"})


@dataclass(frozen=True)
class FooterItem:
    key: str  # what a click presses
    display: str  # how the key is shown ("?", "^p")
    description: str
    enabled: bool
    tooltip: str


class KeyFooter(Widget, can_focus=False):
    """Textual's Footer is a widget per key, rebuilt (unmounted, mounted, restyled) whenever the
    active keys change: on every switch to or from Agents (its extra `g`), measured 11-30 ms of
    the UI thread to rebuild and 4-13 ms to render the keys (160x48, quiet machine), while the
    pane's data was being fetched. This footer draws the same keys as one Text: a change of keys
    is one repaint of one line.

    Like Textual's compact footer: the shown keys of the focused widget and its ancestors (one per
    action), disabled ones dim, the command palette's key on the right; a click presses the key,
    hovering shows its tooltip."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--edge",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover { background: $block-hover-background; }
        & > .key-footer--edge { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[FooterItem, ...] = ()
        self.palette: FooterItem | None = None
        self._hover: str | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        # Without the app focused the screen reports no keys: keep showing the last ones.
        if screen is not self.screen or not self.is_attached or not screen.app.app_focus:
            return
        items, palette = self._read(screen)
        if (items, palette) != (self.items, self.palette):
            self.items, self.palette = items, palette
            self.refresh()

    def _read(self, screen: Screen) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        app, active = self.app, screen.active_bindings
        items: dict[str, FooterItem] = {}  # by action: the first binding of each, as Footer
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in items:
                shown = app.get_key_display(binding)
                items[binding.action] = FooterItem(
                    binding.key, shown, binding.description, enabled, tooltip
                )
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = FooterItem(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                binding.tooltip or binding.description,
            )
        return tuple(items.values()), palette

    def render(self) -> RenderResult:
        width = self.size.width
        right = self._line([self.palette], " ") if self.palette else Text()
        if right:
            # A translucent colour (as Footer's border): blended over the footer's background.
            tint = self.get_component_styles("key-footer--edge").color
            edge = Style(color=(self.background_colors[1] + tint).rich_color)
            right = Text.assemble((PALETTE_EDGE, edge), right)
        room = max(0, width - right.cell_len)
        left = self._fitting(room)
        left.truncate(room, overflow="crop", pad=True)
        return Text.assemble(left, right, no_wrap=True, overflow="crop")

    def _fitting(self, room: int) -> Text:
        """The line of the keys that fit in `room` cells: the last ones that are not ESSENTIAL
        dropped first."""
        items = list(self.items)
        line = self._line(items, GAP)
        while line.cell_len > room + len(GAP):  # the last key's gap may go
            droppable = [i for i, item in enumerate(items) if item.key not in ESSENTIAL]
            if not droppable:
                break
            del items[droppable[-1]]
            line = self._line(items, GAP)
        return line

    def _line(self, items: Sequence[FooterItem | None], gap: str = "") -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        text_style = self.get_component_rich_style("key-footer--description", partial=True)
        hover_style = self.get_component_rich_style("key-footer--hover", partial=True)
        out = Text(no_wrap=True)
        for item in items:
            if item is None:
                continue
            # Mouse metadata: what a click or hover over these cells is about.
            extra = Style(meta={"footer_key": item.key})
            if not item.enabled:
                extra += Style(dim=True)
            if item.key == self._hover:
                extra += hover_style
            out.append(item.display, key_style + extra)
            if item.description:
                out.append(f" {item.description}", text_style + extra)
            out.append(gap)
        return out

    def _item_at(self, event: events.MouseEvent) -> FooterItem | None:
        key = event.style.meta.get("footer_key")
        everything = (*self.items, *((self.palette,) if self.palette else ()))
        return next((i for i in everything if i.key == key), None) if key else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event)
        key = item.key if item else None
        if key != self._hover:
            self._hover = key
            self.tooltip = (item.tooltip or None) if item else None
            self.refresh()

    def on_leave(self, _: events.Leave) -> None:
        if self._hover is not None:
            self._hover, self.tooltip = None, None
            self.refresh()
