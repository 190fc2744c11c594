"""The panes, one module each, in the order of their number keys."""

from tui.panes.agents import AgentsPane
from tui.panes.base import Pane
from tui.panes.channels import ChannelsPane
from tui.panes.data_health import DataPane
from tui.panes.overdue import OverduePane
from tui.panes.queues import QueuesPane
from tui.panes.reasons import ReasonsPane

PANES: tuple[type[Pane], ...] = (
    QueuesPane,
    AgentsPane,
    OverduePane,
    ChannelsPane,
    ReasonsPane,
    DataPane,
)

__all__ = ["PANES", "Pane"]
