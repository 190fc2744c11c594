"""Thresholds and alerts, without Textual: levels, scopes, cool-down, and `report --alerts`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from data.alerts import CRITICAL, OK, WARNING, AlertBook, evaluate, view_levels, with_alerts
from data.config import Config, ConfigError, Threshold, load_config

T0 = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
SL = Threshold(kpi="service_level", direction="below", warning=0.8, critical=0.7)
WAIT = Threshold(kpi="longest_wait_s", warning=60, critical=120)
WAITING = Threshold(kpi="waiting_now", warning=5, critical=10)


@pytest.mark.parametrize(
    ("th", "value", "level"),
    [
        (SL, 0.85, OK),
        (SL, 0.8, OK),  # at the line is not past it
        (SL, 0.75, WARNING),
        (SL, 0.65, CRITICAL),
        (WAIT, 61, WARNING),
        (WAIT, 121, CRITICAL),
        (WAIT, None, OK),  # no data is never an alert
        (Threshold(kpi="overdue", warning=0), 1, WARNING),
    ],
)
def test_levels(th, value, level):
    (reading,) = evaluate([th], {th.kpi: value})
    assert reading.level == level
    assert reading.mark == {OK: "", WARNING: "!", CRITICAL: "‼"}[level]


def test_queue_and_channel_thresholds_read_their_rows():
    ths = [
        Threshold(kpi="waiting_now", warning=2, queue="sales"),
        Threshold(kpi="service_level", direction="below", critical=0.9, channel="chat"),
    ]
    queues = [{"queue": "sales", "name": "Sales line", "waiting_now": 3}]
    channels = [{"channel": "chat", "service_level": 0.5}]
    q, c = evaluate(ths, {"waiting_now": 0}, queues, channels)
    assert (q.level, q.scope, q.value) == (WARNING, "queue sales", 3)
    assert (c.level, c.scope) == (CRITICAL, "channel chat")
    assert c.describe() == "‼ Service level 50.0% (channel chat): below the critical level 90.0%"


def test_view_levels_prefer_the_filtered_scope():
    ths = [WAITING, Threshold(kpi="waiting_now", warning=1, critical=2, queue="sales")]
    assert view_levels(ths, {"waiting_now": 3})["waiting_now"].level == OK
    assert view_levels(ths, {"waiting_now": 3}, queue="sales")["waiting_now"].level == CRITICAL


def test_cooldown_stops_a_hovering_kpi_from_spamming():
    book = AlertBook(cooldown_s=300)

    def step(seconds: int, waiting: int):
        return book.update(
            evaluate([WAITING], {"waiting_now": waiting}), T0 + timedelta(seconds=seconds)
        )

    assert step(0, 3) == []
    (up,) = step(10, 6)
    assert up.notify and up.worse and not up.into_critical
    (down,) = step(20, 4)
    assert not down.notify and not down.worse
    (again,) = step(30, 6)
    assert not again.notify  # within the cool-down: logged, not announced
    (crit,) = step(40, 11)
    assert crit.notify and crit.into_critical  # a new level is announced at once
    step(50, 4)
    (later,) = step(400, 7)
    assert later.notify  # the cool-down has passed
    assert len(book.log) == 6
    assert book.summary() == "! 1 warning"


def test_log_is_bounded():
    book = AlertBook(cooldown_s=0, keep=5)
    for i in range(20):
        book.update(evaluate([WAITING], {"waiting_now": 6 if i % 2 else 0}), T0)
    assert len(book.log) == 5


def test_config_errors_name_the_threshold(tmp_path):
    f = tmp_path / "floorwatch.toml"
    f.write_text('[[thresholds]]\nkpi = "service_level"\ndirection = "below"\nwarning = 80\n')
    with pytest.raises(ConfigError, match=r"thresholds\.0: .*fraction 0–1"):
        load_config(f)
    f.write_text('[wall]\nagent_kpi = "nope"\n')
    with pytest.raises(ConfigError, match=r"wall\.agent_kpi"):
        load_config(f)


REP = {
    "totals": {"service_level": 0.65, "waiting_now": 2, "longest_wait_s": 90},
    "queues": [{"queue": "sales", "waiting_now": 7}],
    "channels": [],
}
CFG = Config(
    timezone="UTC",
    thresholds=[SL, WAIT, Threshold(kpi="waiting_now", warning=5, critical=10, queue="sales")],
)


def test_report_alerts_in_every_format():
    table = with_alerts("report\n", "table", CFG, REP)
    assert table.splitlines()[3:] == [
        "  ‼ Service level 65.0%: below the critical level 70.0%",
        "  ! Longest wait 1m30s: above the warning level 1m00s",
        "  ! Waiting now 7 (queue sales): above the warning level 5",
    ]
    obj = json.loads(with_alerts('{"totals": {}}', "json", CFG, REP))
    first = obj["alerts"][0]
    assert (first["kpi"], first["level"], first["mark"]) == (
        "service_level",
        "critical",
        "‼",
    )
    assert "## Alerts" in with_alerts("# r\n", "md", CFG, REP)
    assert "critical,service_level,,0.65,0.7,below" in with_alerts("a,b\n", "csv", CFG, REP)
    assert "no [[thresholds]]" in with_alerts("r\n", "table", Config(timezone="UTC"), REP)


def test_report_command_alerts(tmp_path, capsys):
    from data.commands.report import run_report

    (tmp_path / "queue_log").write_text(
        "1773147600|c1|support|NONE|ENTERQUEUE||5550001|1\n"
        "1773147700|c1|support|NONE|ABANDON|1|1|100\n"
    )
    (tmp_path / "floorwatch.toml").write_text(
        'timezone = "UTC"\n[[thresholds]]\nkpi = "abandon_rate"\nwarning = 0.05\ncritical = 0.1\n'
    )
    args = [str(tmp_path), "--now", "2026-03-10T14:00:00Z", "--alerts", "--format", "json"]
    assert run_report(args) == 0
    alerts = json.loads(capsys.readouterr().out)["alerts"]
    assert [(a["kpi"], a["level"]) for a in alerts] == [("abandon_rate", "critical")]
