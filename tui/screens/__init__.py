"""Modal screens."""

from tui.screens.filters import FilterScreen
from tui.screens.help import HelpScreen

__all__ = ["FilterScreen", "HelpScreen"]
