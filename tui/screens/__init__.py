"""Modal screens, and the drill-down screens (agent, contact)."""

from tui.screens.agent import AgentScreen
from tui.screens.contact import ContactScreen
from tui.screens.drill import OpenAgent, OpenContact
from tui.screens.filters import FilterScreen
from tui.screens.help import HelpScreen

__all__ = [
    "AgentScreen",
    "ContactScreen",
    "FilterScreen",
    "HelpScreen",
    "OpenAgent",
    "OpenContact",
]
