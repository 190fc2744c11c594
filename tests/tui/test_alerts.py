"""Thresholds in the console (fixed dataset, fixed clock): marks and colours, notifications with a
cool-down, the alerts log; and the day rolling over at midnight in the site zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from data.alerts import evaluate
from data.config import Threshold
from tests.tui.conftest import NOW, loaded, wait_for
from tui.app import make_app
from tui.messages import Refreshed
from tui.screens.alerts import AlertsScreen
from tui.widgets import HeaderBar, KpiStrip

THRESHOLDS = [
    Threshold(kpi="waiting_now", warning=2, critical=10),  # 3 waiting: warning
    Threshold(kpi="longest_wait_s", warning=60, critical=120),  # 10 min: critical
    Threshold(kpi="abandon_rate", warning=0.5),  # 1 of 3 calls... below: ok
    Threshold(kpi="waiting_now", warning=0, queue="sales"),  # 1 waiting in sales
]


@pytest.fixture
def cfg(tui_cfg):
    return tui_cfg.model_copy(update={"thresholds": THRESHOLDS, "alert_cooldown_s": 300})


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_kpis_past_a_level_are_marked_coloured_and_notified(tui_store, cfg, folder, clock):
    app = make_app(tui_store, cfg, folder, clock=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        kpis = app.query_one(KpiStrip)
        assert kpis.marks["waiting_now"] == "!"
        assert kpis.marks["longest_wait_s"] == "‼"
        assert kpis.marks["abandon_rate"] == ""
        assert kpis.query_one("#kpi-longest_wait_s").has_class("-critical")
        assert kpis.query_one("#kpi-waiting_now").has_class("-warning")
        assert "‼ 10m00s" in str(kpis.query_one("#kpi-longest_wait_s").render())
        assert kpis.query_one("#kpi-longest_wait_s").has_class("-flash")  # crossed into critical
        notes = messages(app)
        assert "‼ Longest wait 10m00s: above the critical level 2m00s" in notes
        assert "! Waiting now 3: above the warning level 2" in notes
        assert "! Waiting now 1 (queue sales): above the warning level 0" in notes
        assert len(notes) == 3
        seen = app.refreshes
        await pilot.press("r")  # the same levels again: nothing new
        await wait_for(pilot, lambda: app.refreshes > seen)
        assert len(app.alerter.book.log) == 3
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        table = app.screen.query_one("#alerts-table")
        assert table.row_count == 3
        assert "14:00:00" in table.get_row_at(0)[0].plain
        await pilot.press("escape")
        assert not isinstance(app.screen, AlertsScreen)


async def test_cooldown_keeps_a_hovering_kpi_quiet(tui_store, cfg, clock):
    app = make_app(tui_store, cfg, None, clock=clock)
    ths = [Threshold(kpi="waiting_now", warning=5, critical=10)]

    def refresh(minutes: float, waiting: int) -> None:
        at = NOW + timedelta(minutes=minutes)
        readings = evaluate(ths, {"waiting_now": waiting})
        app.alerter.handle(app, SimpleNamespace(at=at, readings=readings))

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        refresh(0, 6)
        refresh(1, 4)
        refresh(2, 6)  # back over the line within the cool-down: logged only
        refresh(3, 4)
        refresh(4, 7)
        await pilot.pause()
        assert messages(app) == ["! Waiting now 6: above the warning level 5"]
        refresh(5, 11)  # a new level is announced at once
        refresh(6, 4)
        refresh(6.5, 6)
        refresh(10, 4)
        refresh(10.1, 6)  # 10 min after the first warning: announced again
        await pilot.pause()
        assert messages(app)[1:] == [
            "‼ Waiting now 11: above the critical level 10",
            "! Waiting now 6: above the warning level 5",
        ]
        assert len(app.alerter.book.log) == 10
        await pilot.press("a")
        rows = app.screen.query_one("#alerts-table")
        assert rows.row_count == 10
        newest = [c.plain for c in rows.get_row_at(0)]
        # what crossed and its value first: a narrow terminal cuts the last columns
        assert newest[1:] == ["Waiting now", "floor", "6", "! warning", "above 5", "was ok"]


async def test_day_rolls_over_at_midnight_in_the_site_zone(tui_store, tui_cfg, folder):
    # 23:59 in Paris on 10 March, then 00:00:30 on the 11th: no restart.
    now = {"t": datetime(2026, 3, 10, 22, 59, tzinfo=UTC)}
    snaps = []

    def hook(message):
        if isinstance(message, Refreshed):
            snaps.append(message.snapshot)

    app = make_app(tui_store, tui_cfg, folder, clock=lambda: now["t"])
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await loaded(pilot)
        kpis = app.query_one(KpiStrip)
        assert kpis.values["offered"] == "7"
        assert "Tue 23:59:00" in app.query_one(HeaderBar).plain
        now["t"] = datetime(2026, 3, 10, 23, 0, 30, tzinfo=UTC)
        await wait_for(pilot, lambda: kpis.values["offered"] == "0", timeout=5)
        assert "Wed 00:00:30" in app.query_one(HeaderBar).plain
        await wait_for(pilot, lambda: snaps[-1].pane == "queues" and snaps[-1].at == now["t"])
        starts = [r["start"] for r in snaps[-1].data.intervals]
        assert starts and starts[0].astimezone(tui_cfg.zone).date().isoformat() == "2026-03-11"
        await pilot.press("p")  # today has become yesterday
        await wait_for(pilot, lambda: kpis.values["offered"] == "7", timeout=5)


async def test_refreshes_started_while_history_loads_do_not_alert(tui_store, cfg, folder, clock):
    """A half-loaded history reads as 100 % abandons: thresholds wait for the first load."""
    from tui import refresh

    app = make_app(tui_store, cfg, folder, clock=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        checked = []
        real_handle = app.alerter.handle

        def handle(app_, snap):
            checked.append(snap)
            return real_handle(app_, snap)

        app.alerter.handle = handle  # type: ignore[method-assign]
        early = refresh.snapshot(app.store, app.config, app.view, type(app.pane), app.clock())
        late = refresh.snapshot(app.store, app.config, app.view, type(app.pane), app.clock())
        app.post_message(Refreshed(early, loaded=False))
        app.post_message(Refreshed(late, loaded=True))
        await wait_for(pilot, lambda: any(s is late for s in checked))
        assert not any(s is early for s in checked)


@pytest.mark.parametrize(
    ("thresholds", "says"),
    [
        ([], "no thresholds configured ([thresholds] in floorwatch.toml)"),
        ([Threshold(kpi="waiting_now", warning=50)], "no threshold crossed yet"),
    ],
)
async def test_an_empty_alerts_log_says_whether_anything_is_watched(
    tui_store, tui_cfg, folder, clock, thresholds, says
):
    app = make_app(
        tui_store, tui_cfg.model_copy(update={"thresholds": thresholds}), folder, clock=clock
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        table = app.screen.query_one("#alerts-table")
        assert [table.get_row_at(0)[0].plain] == [says]
