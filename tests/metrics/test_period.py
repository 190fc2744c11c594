from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from data.metrics import PERIODS, comparison_period, custom_period, resolve_period
from data.metrics.period import Period, interval_starts
from tests.metrics.conftest import PARIS, t

NOW = t("2026-03-11 15:30")  # a Wednesday


def test_named_periods(cfg):
    assert set(PERIODS) == {"today", "yesterday", "week", "7d", "30d"}
    today = resolve_period("today", cfg, NOW)
    assert (today.start, today.end) == (t("2026-03-11 00:00"), t("2026-03-12 00:00"))
    y = resolve_period("yesterday", cfg, NOW)
    assert (y.start, y.end) == (t("2026-03-10 00:00"), t("2026-03-11 00:00"))
    w = resolve_period("week", cfg, NOW)
    assert (w.start, w.end) == (t("2026-03-09 00:00"), t("2026-03-16 00:00"))
    d7 = resolve_period("7d", cfg, NOW)
    assert (d7.start, d7.end) == (t("2026-03-05 00:00"), t("2026-03-12 00:00"))
    d30 = resolve_period("30d", cfg, NOW)
    assert (d30.start, d30.end) == (t("2026-02-10 00:00"), t("2026-03-12 00:00"))
    with pytest.raises(ValueError):
        resolve_period("month", cfg, NOW)


def test_today_is_the_site_day_not_the_utc_day(cfg):
    now = datetime.fromisoformat("2026-03-10T23:30:00+00:00")  # already the 11th in Paris
    assert resolve_period("today", cfg, now).start == t("2026-03-11 00:00")


def test_period_over_dst_change_keeps_wall_clock(cfg):
    p = resolve_period("today", cfg, t("2026-03-29 12:00"))
    assert p.end.timestamp() - p.start.timestamp() == 23 * 3600
    assert p.start.utcoffset() == timedelta(hours=1) and p.end.utcoffset() == timedelta(hours=2)


def test_custom_period(cfg):
    p = custom_period("2026-03-01", "2026-03-08", cfg)
    assert (p.start, p.end) == (t("2026-03-01 00:00"), t("2026-03-08 00:00"))
    assert p.label == "2026-03-01 – 2026-03-07"  # whole days: the last one included, as read
    assert custom_period("2026-03-01", "2026-03-02", cfg).label == "2026-03-01"
    p = custom_period("2026-03-01T08:00", "2026-03-01T10:00:00+00:00", cfg)
    assert p.label == "2026-03-01T08:00 – 2026-03-01T10:00:00+00:00"
    assert p.start == t("2026-03-01 08:00") and p.end == t("2026-03-01 11:00")
    assert p.start.tzinfo == PARIS
    # 02:30 on the day the clock goes forward does not exist: the label says what was used.
    p = custom_period("2026-03-29T02:30", "2026-03-29T05:00", cfg)
    assert p.start == t("2026-03-29 03:30") and p.end - p.start == timedelta(hours=1, minutes=30)
    assert p.label.startswith("2026-03-29T03:30 (02:30 does not exist that day")
    assert p.label.endswith(" – 2026-03-29T05:00")
    for bad in (("2026-03-02", "2026-03-01"), ("yesterday", "2026-03-01")):
        with pytest.raises(ValueError):
            custom_period(*bad, cfg)


def test_comparison_is_wall_clock_and_dst_safe(cfg):
    p = resolve_period("today", cfg, t("2026-04-01 09:00"))  # the week before spans the DST change
    c = comparison_period(p, cfg)
    assert (c.start, c.end) == (t("2026-03-25 00:00"), t("2026-03-26 00:00"))
    p = resolve_period("today", cfg, t("2026-03-29 09:00"))  # a 23-hour day
    c = comparison_period(p, cfg)
    assert (c.start, c.end) == (t("2026-03-22 00:00"), t("2026-03-23 00:00"))
    cfg3 = cfg.model_copy(update={"comparison_days": 1})
    assert comparison_period(p, cfg3).start == t("2026-03-28 00:00")


@pytest.mark.parametrize(
    ("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25), ("2026-03-10", 24)]
)
def test_interval_starts_follow_wall_clock(day, hours):
    start = t(f"{day} 00:00")
    end = (start.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=PARIS)
    starts = interval_starts(Period(start, end, "d"), "hour", PARIS)
    assert len(starts) == hours
    assert len(interval_starts(Period(start, end, "d"), "15min", PARIS)) == hours * 4
    assert len(interval_starts(Period(start, end, "d"), "day", PARIS)) == 1


def test_interval_starts_in_half_hour_zone():
    zone = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 3, 10, tzinfo=zone)
    starts = interval_starts(Period(start, start + timedelta(days=1), "d"), "hour", zone)
    assert [s.minute for s in starts] == [0] * 24


def test_comparison_of_a_running_period_stops_at_the_same_time(cfg):
    now = t("2026-11-18 14:30")
    today = resolve_period("today", cfg, now)
    comp = comparison_period(today, cfg, now)
    assert (comp.start, comp.end) == (t("2026-11-11 00:00"), t("2026-11-11 14:30"))
    week = comparison_period(resolve_period("week", cfg, now), cfg, now)
    assert (week.start, week.end) == (t("2026-11-09 00:00"), t("2026-11-11 14:30"))
    yesterday = comparison_period(resolve_period("yesterday", cfg, now), cfg, now)
    assert (yesterday.start, yesterday.end) == (t("2026-11-10 00:00"), t("2026-11-11 00:00"))
