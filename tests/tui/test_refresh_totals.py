"""The KPI strip's totals are the same whether a pane hands over its own pass's totals or not."""

from __future__ import annotations

import pytest

from data.ingest import Ingestor
from data.metrics import totals
from tests.tui.conftest import NOW
from tui import refresh
from tui.panes import PANES
from tui.view import View

VIEWS = [
    View(),
    View(queue="support"),
    View(team="Blue"),
    View(period="7d", channel="chat"),
    View(period="yesterday"),  # nothing offered: the backlog still counts
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.period}-{v.queue}-{v.channel}-{v.team}")
@pytest.mark.parametrize("pane", PANES, ids=lambda p: p.key)
def test_strip_totals_match_a_separate_totals_query(folder, tui_store, tui_cfg, pane, view):
    Ingestor(tui_store, tui_cfg, folder).scan([folder])
    snap = refresh.snapshot(tui_store, tui_cfg, view, pane, NOW)
    period, _ = view.periods(tui_cfg, NOW)
    expected = totals(tui_store.cursor(), tui_cfg, period, view.filters(), NOW)
    assert snap.totals == expected
    if view == View():
        assert snap.totals["offered"] > 0  # the comparison means something


def test_the_panes_that_add_up_contacts_hand_over_their_totals(folder, tui_store, tui_cfg):
    Ingestor(tui_store, tui_cfg, folder).scan([folder])
    handing = {
        p.key
        for p in PANES
        if getattr(p.fetch(tui_store.cursor(), tui_cfg, View(), NOW), "totals_rows", None)
    }
    assert handing == {"queues", "agents", "channels"}
