"""Reusable widgets: one per module."""

from tui.widgets.chart import Chart
from tui.widgets.feed import Feed
from tui.widgets.header_bar import HeaderBar
from tui.widgets.kpi_strip import KpiStrip
from tui.widgets.pane_bar import PaneBar
from tui.widgets.search_table import Col, SearchTable

__all__ = ["Chart", "Col", "Feed", "HeaderBar", "KpiStrip", "PaneBar", "SearchTable"]
