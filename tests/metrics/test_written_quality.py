"""Written channels and quality KPIs."""

from datetime import timedelta

import pytest

from data.metrics import Filters, breakdown, resolve_period, totals
from tests.metrics.conftest import answered, insert, t

NOW = t("2026-03-10 18:00")
F = Filters()


def today(cfg):
    return resolve_period("today", cfg, NOW)


def chat(conv, offered, **kw):
    o = t(offered)
    return {
        "contact_id": f"chat:{conv}",
        "source_id": conv,
        "channel": "chat",
        "offered_at": o,
        "outcome": "answered",
        "answered_at": o + timedelta(seconds=30),
        "wait_s": 30.0,
    } | kw


def msg(conv, at, role):
    return {"conversation_id": conv, "ts": t(at), "role": role}


def test_frt_response_resolution_interactions(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            chat(
                "c1",
                "2026-03-10 09:00",
                frt_s=30.0,
                messages=4,
                agent_messages=2,
                resolved=True,
                ended_at=t("2026-03-10 09:10"),
            ),
            chat(
                "c2",
                "2026-03-10 10:00",
                frt_s=90.0,
                messages=2,
                agent_messages=1,
                status="closed",
                resolution_s=1200.0,
            ),
            chat(
                "c3", "2026-03-10 11:00", frt_s=300.0, messages=3, agent_messages=1, status="open"
            ),
            {
                "channel": "email",
                "offered_at": t("2026-03-10 12:00"),
                "outcome": "open",
                "messages": 1,
                "agent_messages": 0,
            },
            answered("2026-03-10 09:00", 5),  # voice: not part of the written KPIs
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["frt_s"] == pytest.approx(140) and tot["frt_median_s"] == pytest.approx(90)
    assert tot["frt_max_s"] == pytest.approx(300)
    assert tot["response_rate"] == pytest.approx(3 / 4)
    assert tot["resolution_rate"] == pytest.approx(2 / 4)
    assert tot["resolution_s"] == pytest.approx((600 + 1200) / 2)
    assert tot["interactions_per_contact"] == pytest.approx(10 / 2)


def test_avg_reply_wait_from_messages(store, cur, cfg):
    insert(store, "contacts", [chat("c1", "2026-03-10 09:00"), chat("c2", "2026-03-10 09:00")])
    insert(
        store,
        "messages",
        [
            msg("c1", "2026-03-10 09:00:00", "customer"),  # opens a run
            msg("c1", "2026-03-10 09:00:20", "customer"),  # same run
            msg("c1", "2026-03-10 09:00:25", "bot"),  # ignored
            msg("c1", "2026-03-10 09:01:00", "agent"),  # reply after 60 s
            msg("c1", "2026-03-10 09:02:00", "agent"),
            msg("c1", "2026-03-10 09:03:00", "customer"),  # opens a run
            msg("c1", "2026-03-10 09:03:30", "agent"),  # 30 s
            msg("c1", "2026-03-10 09:05:00", "customer"),  # never answered: left out
            msg("c2", "2026-03-10 09:00:00", "customer"),
            msg("c2", "2026-03-10 09:02:00", "agent"),  # 120 s
        ],
    )
    assert totals(cur, cfg, today(cfg), F, NOW)["avg_reply_wait_s"] == pytest.approx(70)


def test_csat_on_mapped_10_point_scale(store, cur, cfg):
    # a reader maps 0–10 onto 1–5 (rating) and keeps the original (rating_raw)
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 5, rating=5.0, rating_raw=10.0, rating_scale=10.0),
            answered("2026-03-10 09:00", 5, rating=4.0, rating_raw=8.0, rating_scale=10.0),
            answered("2026-03-10 09:00", 5, rating=3.6, rating_raw=7.0, rating_scale=10.0),
            answered("2026-03-10 09:00", 5, rating=1.0, rating_raw=0.0, rating_scale=10.0),
            answered("2026-03-10 09:00", 5),  # not rated
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["csat"] == pytest.approx(2 / 4)
    assert tot["csat_mean"] == pytest.approx((5 + 4 + 3.6 + 1) / 4)


def test_fcr_window_and_source_flag(store, cur, cfg):
    cfg = cfg.model_copy(update={"fcr_window_h": 24})
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 5, customer="alice"),  # repeat 23 h later: not FCR
            answered("2026-03-11 08:00", 5, customer="alice"),  # (next day, outside the period)
            answered("2026-03-10 09:00", 5, customer="bob"),  # repeat 25 h later: FCR
            answered("2026-03-11 10:00", 5, customer="bob"),
            # segments of one transferred call are not repeats of each other
            answered(
                "2026-03-10 10:00",
                5,
                customer="carol",
                contact_id="q:k:1",
                source_id="k",
                transferred=True,
            ),
            answered("2026-03-10 10:02", 5, customer="carol", contact_id="q:k:2", source_id="k"),
            answered("2026-03-10 11:00", 5),  # unknown customer: not counted
            answered("2026-03-10 11:00", 5, fcr=False),  # the source's flag wins
            chat("c9", "2026-03-10 12:00", customer="dave", status="open"),  # not resolved
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["fcr"] == pytest.approx(3 / 5)  # bob, carol ×2 / alice, bob, carol ×2, flagged


def test_agent_written_kpis(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            chat("c1", "2026-03-10 09:00", agent="a1", frt_s=10.0, agent_messages=3),
            chat("c2", "2026-03-10 09:00", agent="a1", frt_s=50.0, agent_messages=2),
            chat("c3", "2026-03-10 09:00", agent="a2", frt_s=5.0, agent_messages=1),
        ],
    )
    rows = {r["agent"]: r for r in breakdown(cur, cfg, today(cfg), F, "agent", NOW)}
    assert rows["a1"]["frt_s"] == pytest.approx(30) and rows["a1"]["frt_max_s"] == 50
    assert rows["a1"]["messages_sent"] == 5 and rows["a2"]["handled"] == 1


def test_resolution_rate_counts_calls_whose_source_records_resolution(store, cur, cfg):
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 5, resolved=True),
            answered("2026-03-10 09:10", 5, resolved=False),
            answered("2026-03-10 09:20", 5, resolved=True),
            answered("2026-03-10 09:30", 5),  # a queue_log call: no notion of resolution
        ],
    )
    tot = totals(cur, cfg, today(cfg), F, NOW)
    assert tot["resolution_rate"] == pytest.approx(2 / 3)
    assert tot["response_rate"] is None  # still a written-channel KPI
