"""Volume, speed, service level: hand-computed expectations on tiny fixtures."""

from datetime import UTC, timedelta

import pytest

from data.metrics import Filters, breakdown, intervals, queues_now, resolve_period, totals
from data.metrics.period import Period
from tests.metrics.conftest import abandoned, answered, insert, t

NOW = t("2026-03-10 12:00")
F = Filters()


def today(cfg, now=NOW):
    return resolve_period("today", cfg, now)


def test_empty_period_gives_zero_counts_and_null_kpis(cur, cfg):
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["offered"] == 0 and tot["answered"] == 0 and tot["open"] == 0
    for k in (
        "abandon_rate",
        "service_level",
        "asa_s",
        "aht_s",
        "frt_s",
        "frt_median_s",
        "avg_reply_wait_s",
        "response_rate",
        "resolution_rate",
        "csat",
        "csat_mean",
        "fcr",
        "transfer_rate",
        "longest_wait_s",
    ):
        assert tot[k] is None, k
    assert tot["waiting_now"] == 0 and tot["overdue"] == 0


def test_counts_rates_asa_aht(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, talk=100, hold_s=20.0, wrap_s=30.0),
            answered("2026-03-10 09:10", 30, talk=50),
            abandoned("2026-03-10 09:20", 4.9),  # short: out of abandon rate and SL
            abandoned("2026-03-10 09:30", 5.0),  # not short
            {
                "offered_at": t("2026-03-10 09:40"),
                "wait_s": 60.0,
                "outcome": "timeout",
                "ended_at": t("2026-03-10 09:41"),
            },
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["offered"] == 5 and tot["answered"] == 2 and tot["abandoned"] == 2
    assert tot["short_abandoned"] == 1 and tot["timeout"] == 1 and tot["open"] == 0
    assert tot["abandon_rate"] == pytest.approx(1 / 4)
    assert tot["service_level"] == pytest.approx(1 / 4)  # 1 answered ≤ 20 s / (5 − 1 short)
    assert tot["asa_s"] == pytest.approx(20)
    assert tot["aht_s"] == pytest.approx((150 + 50) / 2)
    assert tot["talk_s"] == pytest.approx(75)


def test_chat_aht_without_talk_time(store, cur, cfg):
    o = t("2026-03-10 09:00")
    insert(
        store,
        "contacts",
        [
            {
                "channel": "chat",
                "offered_at": o,
                "answered_at": o + timedelta(seconds=30),
                "ended_at": o + timedelta(seconds=630),
                "wait_s": 30.0,
                "outcome": "answered",
            }
        ],
    )
    assert totals(cur, cfg, today(cfg), F, NOW)["aht_s"] == pytest.approx(600)


def test_contact_spanning_midnight_belongs_to_day_offered(store, cur, cfg):
    insert(store, "contacts", [answered("2026-03-09 23:59:50", 15, talk=600)])
    y = resolve_period("yesterday", cfg, NOW)
    assert totals(cur, cfg, y, F, NOW)["answered"] == 1
    assert totals(cur, cfg, today(cfg), F, NOW)["offered"] == 0


def test_open_contacts_wait_and_go_stale(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 11:00", 10, queue="sales"),
            {"offered_at": t("2026-03-10 11:55"), "outcome": "open", "queue": "sales"},
            {"offered_at": t("2026-03-10 11:58"), "outcome": "open", "queue": "support"},
            # no event for more than 4 h: ended (timeout), not waiting
            {"offered_at": t("2026-03-10 07:59"), "outcome": "open", "queue": "sales"},
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["open"] == 2 and tot["timeout"] == 1
    assert tot["service_level"] == pytest.approx(1 / 2)  # open left out; the stale one is a miss
    assert tot["waiting_now"] == 2 and tot["longest_wait_s"] == pytest.approx(300)
    q = {r["queue"]: r for r in queues_now(cur, cfg, F, NOW)}
    assert q["sales"]["waiting_now"] == 1 and q["support"]["longest_wait_s"] == pytest.approx(120)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("floorwatch", 2 / 5),  # met 2 / (7 − 1 short − 1 open)
        ("asterisk", 2 / 3),  # met 2 / answered 3
        ("asterisk_sl2", 3 / 5),  # (2 met + 1 abandon ≤ 20) / (3 answered + 2 abandoned)
        ("connect", 4 / 5),  # removed ≤ T: 2 answered + 1 abandon + 1 timeout / 5 queued
    ],
)
def test_service_level_formulas(store, cur, cfg, formula, expected):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10),
            answered("2026-03-10 09:01", 20),
            answered("2026-03-10 09:02", 21),
            abandoned("2026-03-10 09:03", 2),
            abandoned("2026-03-10 09:04", 8),
            abandoned("2026-03-10 09:05", 40),
            {"offered_at": t("2026-03-10 09:06"), "wait_s": 15.0, "outcome": "timeout"},
            {"offered_at": t("2026-03-10 11:59"), "outcome": "open"},
        ],
    )
    c = cfg.model_copy(update={"sl_formula": formula})
    tot = totals(cur, c, today(c), F, NOW)
    if formula == "floorwatch":
        expected = 2 / 6  # 8 offered − 1 short − 1 open
    if formula == "connect":
        expected = 4 / 6
    assert tot["service_level"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("floorwatch", 1 / 3),  # met 1 / (4 offered − 1 short), the unknown wait counted
        ("asterisk", 1 / 1),  # met 1 / answered 1
        ("asterisk_sl2", 1 / 3),  # (1 met + 0 abandons known to be within T) / (1 + 2)
        ("connect", 1 / 3),  # removed within T: 1 / 3 queued
    ],
)
def test_an_abandon_whose_wait_is_unknown_is_no_short_abandon(store, cur, cfg, formula, expected):
    """A ticket or chat closed with no reply and no close time: it left the queue, when is not
    known. Not a short abandon (that needs a wait under the threshold): in the abandon rate and
    in every service level's denominator, never in a numerator."""
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10),
            abandoned("2026-03-10 09:01", 2),  # short
            abandoned("2026-03-10 09:02", 30),
            {"offered_at": t("2026-03-10 09:03"), "wait_s": None, "outcome": "abandoned"},
        ],
    )
    c = cfg.model_copy(update={"sl_formula": formula})
    tot = totals(cur, c, today(c), F, NOW)
    assert tot["abandoned"] == 3 and tot["short_abandoned"] == 1
    assert tot["abandon_rate"] == pytest.approx(2 / 3)
    assert tot["service_level"] == pytest.approx(expected)


def test_per_channel_sl_threshold(store, cur, cfg):
    insert(
        store,
        "contacts",
        [answered("2026-03-10 09:00", 45, channel="chat"), answered("2026-03-10 09:00", 45)],
    )
    by = {r["channel"]: r for r in breakdown(cur, cfg, today(cfg), F, "channel", NOW)}
    assert by["chat"]["service_level"] == 1.0 and by["voice"]["service_level"] == 0.0
    assert by["chat"]["share"] == 0.5


def test_transfer_between_queues_is_two_segments(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            answered(
                "2026-03-10 09:00",
                10,
                contact_id="ql:c1:1",
                source_id="c1",
                queue="sales",
                agent="a1",
                transferred=True,
            ),
            answered(
                "2026-03-10 09:02",
                5,
                contact_id="ql:c1:2",
                source_id="c1",
                queue="support",
                agent="a2",
                transferred=False,
            ),
            answered("2026-03-10 09:05", 5, queue="sales", agent="a1", transferred=False),
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["offered"] == 3 and tot["transfer_rate"] == pytest.approx(1 / 3)
    q = {r["queue"]: r for r in breakdown(cur, cfg, today(cfg), F, "queue", NOW)}
    assert q["sales"]["transfer_rate"] == 0.5 and q["support"]["transfer_rate"] == 0.0


def test_transfer_rate_is_over_answered_contacts_whose_source_records_transfers(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, transferred=True),
            answered("2026-03-10 09:01", 10, transferred=False),
            # a source that flags an unanswered contact: not a transfer of an answered contact
            abandoned("2026-03-10 09:02", 30, transferred=True),
            # a chat log says nothing of transfers: left out of the rate
            answered("2026-03-10 09:03", 10, channel="chat"),
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["transfers"] == 1 and tot["transfer_rate"] == pytest.approx(1 / 2)
    chat = totals(cur, cfg, today(cfg), Filters(channel="chat"), NOW)
    assert chat["answered"] == 1 and chat["transfer_rate"] is None  # no data: null, never 0


def test_filters(store, cur, cfg):
    cfg = cfg.model_copy(update={"teams": {"a1": "red", "a2": "blue"}})
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, queue="sales", agent="a1"),
            answered("2026-03-10 09:00", 10, queue="support", agent="a2", channel="chat"),
            answered("2026-03-10 09:00", 10, queue="support", agent="a3"),
        ],
    )
    p = today(cfg)
    assert totals(cur, cfg, p, Filters(queue="support"), NOW)["offered"] == 2
    assert totals(cur, cfg, p, Filters(channel="chat"), NOW)["offered"] == 1
    assert totals(cur, cfg, p, Filters(agent="a3"), NOW)["offered"] == 1
    assert totals(cur, cfg, p, Filters(team="red"), NOW)["offered"] == 1
    assert totals(cur, cfg, p, Filters(team="nobody"), NOW)["offered"] == 0
    assert totals(cur, cfg, p, Filters(queue="x'; DROP TABLE contacts; --"), NOW)["offered"] == 0
    teams = {r["team"]: r["offered"] for r in breakdown(cur, cfg, p, F, "team", NOW)}
    assert teams == {"red": 1, "blue": 1, None: 1}


@pytest.mark.parametrize(("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25)])
def test_dst_day_intervals(store, cur, cfg, day, hours):
    now = t(f"{day} 23:00")
    p = resolve_period("today", cfg, now)
    if hours == 25:
        # 02:30 happens twice: once in summer time, once in winter time
        first = t(f"{day} 02:30").replace(fold=0)
        insert(
            store,
            "contacts",
            [
                {"offered_at": first, "outcome": "abandoned", "wait_s": 30.0},
                {
                    "offered_at": first.astimezone(UTC) + timedelta(hours=1),
                    "outcome": "abandoned",
                    "wait_s": 30.0,
                },
            ],
        )
    else:
        insert(store, "contacts", [answered(f"{day} 03:30", 10)])
    rows = intervals(cur, cfg, p, F, "hour")
    assert len(rows) == hours
    assert all(r["start"].tzinfo is not None for r in rows)
    busy = [r for r in rows if r["offered"]]
    if hours == 25:
        assert len(busy) == 2 and [r["start"].hour for r in busy] == [2, 2]
        assert busy[0]["start"].utcoffset() != busy[1]["start"].utcoffset()
    else:
        assert [r["start"].hour for r in busy] == [3]
    empty = next(r for r in rows if not r["offered"])
    assert empty["offered"] == 0 and empty["service_level"] is None and empty["asa_s"] is None


def test_15min_and_day_intervals(store, cur, cfg):
    insert(store, "contacts", [answered("2026-03-10 09:14", 10), answered("2026-03-10 09:15", 10)])
    p = today(cfg)
    rows = intervals(cur, cfg, p, F, "15min")
    assert len(rows) == 96
    assert [(r["start"].hour, r["start"].minute) for r in rows if r["offered"]] == [(9, 0), (9, 15)]
    w = resolve_period("7d", cfg, NOW)
    days = intervals(cur, cfg, w, F, "day")
    assert (
        len(days) == 7 and days[-1]["offered"] == 2 and days[-1]["start"] == t("2026-03-10 00:00")
    )
    custom = Period(t("2026-03-10 09:10"), t("2026-03-10 10:00"), "c")
    assert [r["offered"] for r in intervals(cur, cfg, custom, F, "hour")] == [2]


def test_a_queue_with_callers_waiting_or_overdue_work_but_nothing_offered_has_a_row(
    store, cur, cfg
):
    """Just after midnight: a caller in "night" since 23:58 waits now; an email in "mail" from
    two days ago, replied to but not resolved, is overdue (24 h resolution target). Neither
    queue offered anything today: both still get a row (the totals counted them, the rows did
    not add up to the totals)."""
    now = t("2026-03-10 00:10")
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 00:01", 10, queue="sales"),
            {"offered_at": t("2026-03-09 23:58"), "outcome": "open", "queue": "night"},
            {"offered_at": t("2026-03-08 09:00"), "outcome": "answered", "queue": "mail",
             "channel": "email", "answered_at": t("2026-03-08 10:00"), "wait_s": 3600.0,
             "first_agent_at": t("2026-03-08 10:00"), "status": "open"},
        ],
    )  # fmt: skip
    tot = totals(cur, cfg, today(cfg, now), F, now)
    assert (tot["offered"], tot["waiting_now"], tot["overdue"]) == (1, 1, 2)
    rows = {r["queue"]: r for r in breakdown(cur, cfg, today(cfg, now), F, "queue", now)}
    assert set(rows) == {"sales", "night", "mail"}
    assert (rows["night"]["offered"], rows["night"]["waiting_now"]) == (0, 1)
    assert rows["night"]["longest_wait_s"] == pytest.approx(720)
    assert (rows["mail"]["offered"], rows["mail"]["waiting_now"], rows["mail"]["overdue"]) == (
        0,
        0,
        1,
    )
    assert rows["mail"]["service_level"] is None  # nothing offered: no rate, not 0
    assert sum(r["waiting_now"] for r in rows.values()) == tot["waiting_now"]
    assert sum(r["overdue"] for r in rows.values()) == tot["overdue"]
