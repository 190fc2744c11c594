"""The KPI strip's change reads in full even in an 80-column cell: the arrow carries the sign."""

from __future__ import annotations

import pytest
from rich.text import Text

from tui.widgets.kpi_strip import _compact


@pytest.mark.parametrize(
    ("delta", "compact"),
    [
        ("▲ +1,234", "▲1,234"),
        ("▼ -17m42s", "▼17m42s"),
        ("▼ -4.4pt", "▼4.4pt"),
        ("= +0", "= +0"),  # no change: nothing to shorten
        ("now", "now"),
        ("vs –", "vs –"),
    ],
)
def test_compact_change_drops_the_sign_the_arrow_already_gives(delta, compact):
    out = _compact(Text(delta, style="red"))
    assert out.plain == compact and out.style == "red"


async def test_figures_that_arrive_before_the_cells_show_once_they_are_there() -> None:
    from textual.app import App

    from tui.widgets.kpi_strip import KpiStrip

    strip = KpiStrip()
    strip.show({"offered": 1234, "answered": 1200}, {"offered": 1000})  # not mounted: no cells
    assert strip.values == {}

    class Host(App[None]):
        def compose(self):
            yield strip

    async with Host().run_test() as pilot:
        await pilot.pause()
        assert strip.values["offered"] == "1,234"
        strip.remove_children()
        await pilot.pause()
        strip.show({"offered": 5}, {})  # cells gone (the app closing): kept, not an error
        assert strip.values["offered"] == "1,234"
