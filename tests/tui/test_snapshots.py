"""SVG snapshots of each pane at 120×40 on the fixed dataset and clock.

Update with `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate visual change.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import loaded, wait_for
from tui.app import make_app
from tui.panes import PANES


# Every pane, the Channels pane too: its stacked bars were drawn differently from run to run until
# tui/widgets/chart.py made plotext's removal of duplicate points keep their order.
@pytest.mark.parametrize("pane", [p.key for p in PANES])
def test_pane_snapshot(snap_compare, tui_store, tui_cfg, folder, clock, pane):
    app = make_app(tui_store, tui_cfg, folder, clock=clock)

    async def run_before(pilot) -> None:
        await loaded(pilot)
        app.action_show_pane(pane)
        seen = app.refreshes
        await wait_for(pilot, lambda: app.refreshes > seen and not app._refreshing)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
