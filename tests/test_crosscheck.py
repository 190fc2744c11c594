"""End to end: the demo's raw queue_log, recomputed in plain Python straight from METRICS.md, must
give the numbers the store and the metrics layer give. Two independent paths to the same KPI."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from data.config import Config
from data.demo import write_demo_folder
from data.ingest import Ingestor
from data.metrics import Filters, totals
from data.metrics.period import resolve_period
from data.store import Store

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 18, 14, 30, tzinfo=PARIS)
TERMINAL_WAIT_FIELD = {"ABANDON": 7, "EXITWITHTIMEOUT": 7, "EXITEMPTY": 7, "EXITWITHKEY": 8}
ANSWERED_END = {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}


def segments(queue_log: Path) -> list[dict]:
    """One dict per queue entry, by replaying the events of each call in file order."""
    open_segment: dict[tuple[str, str], dict] = {}
    out: list[dict] = []
    for line in queue_log.read_text().splitlines():
        f = line.split("|")
        ts, callid, queue, agent, event = int(f[0]), f[1], f[2], f[3], f[4]
        key = (callid, queue)
        if event == "ENTERQUEUE":
            seg = {"offered": ts, "outcome": "open", "wait": None, "agent": None}
            open_segment[key] = seg
            out.append(seg)
            continue
        seg = open_segment.get(key)
        if seg is None:
            continue
        if event == "CONNECT":
            seg.update(outcome="answered", wait=float(f[5]), agent=agent)
        elif event in TERMINAL_WAIT_FIELD and seg["outcome"] == "open":
            seg.update(
                outcome="abandoned" if event == "ABANDON" else "timeout",
                wait=float(f[TERMINAL_WAIT_FIELD[event]]),
            )
        elif event in ANSWERED_END:
            seg["ended"] = ts
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store, Config]:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_folder(folder, clock=lambda: NOW, history_days=2)
    cfg = Config(timezone="Europe/Paris")
    store = Store()
    Ingestor(store, cfg, folder).scan([folder])
    return folder, store, cfg


def test_voice_kpis_of_today_match_an_independent_replay(demo) -> None:
    folder, store, cfg = demo
    start = NOW.replace(hour=0, minute=0).timestamp()
    end = (NOW.replace(hour=0, minute=0) + timedelta(days=1)).timestamp()
    stale = NOW.timestamp() - cfg.stale_after_s
    today = [s for s in segments(folder / "queue_log") if start <= s["offered"] < end]
    for s in today:  # METRICS.md: no terminal event for stale_after_s counts as ended
        if s["outcome"] == "open" and s["offered"] < stale:
            s["outcome"] = "timeout"
    offered = len(today)
    answered = [s for s in today if s["outcome"] == "answered"]
    abandoned = [s for s in today if s["outcome"] == "abandoned"]
    short = [s for s in abandoned if s["wait"] < cfg.short_abandon_s]
    still_open = [s for s in today if s["outcome"] == "open"]
    base = offered - len(short) - len(still_open)
    expected_sl = sum(1 for s in answered if s["wait"] <= 20) / base
    expected_abandon_rate = (len(abandoned) - len(short)) / base
    expected_asa = sum(s["wait"] for s in answered) / len(answered)

    got = totals(
        store.cursor(), cfg, resolve_period("today", cfg, NOW), Filters(channel="voice"), NOW
    )
    assert offered > 500  # a real day's traffic, not an empty comparison
    assert got["offered"] == offered
    assert got["answered"] == len(answered)
    assert got["abandoned"] == len(abandoned)
    assert got["short_abandoned"] == len(short)
    assert got["service_level"] == pytest.approx(expected_sl)
    assert got["abandon_rate"] == pytest.approx(expected_abandon_rate)
    assert got["asa_s"] == pytest.approx(expected_asa)


def test_handled_per_agent_matches_the_replay(demo) -> None:
    from data.metrics import agents

    folder, store, cfg = demo
    start = NOW.replace(hour=0, minute=0).timestamp()
    handled: dict[str, int] = defaultdict(int)
    for s in segments(folder / "queue_log"):
        if s["outcome"] == "answered" and start <= s["offered"] < NOW.timestamp() + 86400:
            handled[s["agent"]] += 1
    rows = agents(
        store.cursor(), cfg, resolve_period("today", cfg, NOW), Filters(channel="voice"), NOW
    )
    got = {r["agent"]: r["handled"] for r in rows if r["handled"]}
    assert got == dict(handled)
