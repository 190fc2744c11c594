"""Console benchmark on a big persisted store: first screen, refresh per pane, key to pane, memory.

    .venv/bin/python bench/console.py [--contacts 10000000] [--db /tmp/fw-console.duckdb]

Runs the real app headless (Textual's run_test) on a store seeded like bench/report.py (reused when
it already holds that many contacts), with the clock fixed at the seed's `now`. Prints figures;
asserts nothing. Key to pane is timed three ways: the switch on screen (the pane as last shown),
the pane holding data fetched after the key, and that data drawn. Targets (issue 4): first screen
< 2 s with a persisted --db, each pane's refresh < 150 ms, key to new pane < 100 ms, memory
< 1.5 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import GENERATE, NOW, ZONE  # noqa: E402  (bench/report.py: one seed for both)

from data import derive  # noqa: E402
from data.config import Config  # noqa: E402
from data.metrics import rollup  # noqa: E402
from data.store import Store  # noqa: E402
from tui.app import make_app  # noqa: E402
from tui.panes import PANES  # noqa: E402

PANE_KEYS = {p.key: str(i) for i, p in enumerate(PANES, 1)}


def seed(db: Path, contacts: int) -> None:
    with Store(db) as store:
        cur = store.cursor()
        (have,) = cur.execute("SELECT count(*) FROM contacts").fetchone()
        if have == contacts:
            return
        t0 = time.perf_counter()
        cur.execute("DELETE FROM contacts")
        cur.execute("SELECT setseed(0.42)")
        cur.execute(GENERATE, {"n": contacts, "days": 60, "now": NOW})
        derive.refresh_all_next_contacts(cur)  # what ingest keeps current (FCR's next contact)
        cur.execute("CHECKPOINT")
        print(f"  seeded {contacts:,} contacts in {time.perf_counter() - t0:.1f} s")


def keep_day_sums(db: Path) -> None:
    """What the console's ingest keeps after loading (data/metrics/rollup.py)."""
    with Store(db) as store:
        t0 = time.perf_counter()
        days = rollup.build(store.cursor(), Config(timezone=ZONE), NOW, limit=None)
        if days:
            print(f"  kept the sums of {days} closed days in {time.perf_counter() - t0:.1f} s")


async def refreshed(app, since: int, timeout: float = 120.0) -> float:
    """Seconds until a refresh newer than `since` has been shown."""
    t0 = time.perf_counter()
    while app.refreshes <= since or app._refreshing:
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("no refresh")
        await asyncio.sleep(0.005)
    return time.perf_counter() - t0


async def painted(app) -> None:
    """Until the screen has been drawn after what is queued now (the new pane's data on screen)."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def measure(db: Path, repeat: int, raw: bool = False, think: float = 1.0) -> None:
    t0 = time.perf_counter()
    store = Store(db)
    cfg = Config(timezone=ZONE)
    app = make_app(store, cfg, None, clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await refreshed(app, 0)
        first = time.perf_counter() - t0
        print(f"  first full screen (open store, mount, first refresh): {first * 1000:7.0f} ms")
        print(
            f"  ms, median / worst of {repeat}: the pane's refresh; key to the new pane on screen"
        )
        print(
            "  (with the data it last showed); key to the pane holding data fetched after the key;"
        )
        print("  key to that pane drawn on screen")
        print(
            f"  {'pane':<10} {'refresh':>11} {'key->shown':>11} {'key->data':>11} {'key->drawn':>11}"
        )
        for key in PANE_KEYS:
            refresh_ms, shown_ms, fresh_ms, drawn_ms = [], [], [], []
            for _ in range(repeat):
                await pilot.press("1" if key != "queues" else "2")
                await refreshed(app, app.refreshes)
                await asyncio.sleep(think)  # reading the pane before the next key
                # The switch itself is immediate (a pane keeps its last data until new data
                # comes); this times the key until the pane holds data fetched after the key,
                # and until the screen has been drawn with it.
                shown, t_key = app.pane_updates, time.perf_counter()
                app.action_show_pane(key)  # what the key's binding runs (Pilot adds ~60 ms)
                # The first screen update after the switch: the pane as it was last left.
                app.call_after_refresh(
                    lambda out=shown_ms, t=t_key: out.append((time.perf_counter() - t) * 1000)
                )
                while app.pane_updates <= shown:
                    await asyncio.sleep(0.002)
                fresh_ms.append((time.perf_counter() - t_key) * 1000)
                await painted(app)
                drawn_ms.append((time.perf_counter() - t_key) * 1000)
                while app._refreshing:  # let the rest of that refresh (the KPI strip) end
                    await asyncio.sleep(0.002)
                seen, t_refresh = app.refreshes, time.perf_counter()
                app.action_refresh_now()
                await refreshed(app, seen)
                refresh_ms.append((time.perf_counter() - t_refresh) * 1000)
            cells = " ".join(
                f"{statistics.median(ms):5.0f} /{max(ms):4.0f}"
                for ms in (refresh_ms, shown_ms, fresh_ms, drawn_ms)
            )
            print(f"  {key:<10} {cells}")
            if raw:
                for name, ms in (
                    ("refresh", refresh_ms),
                    ("key->shown", shown_ms),
                    ("key->data", fresh_ms),
                ):
                    print(f"  {'':<10} {name:<10}", " ".join(f"{m:.0f}" for m in ms))
        print(
            f"  {think:.1f} s between keys; full GC passes run while idle: {app.collector.passes}"
        )
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--contacts", type=int, default=10_000_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/fw-console.duckdb"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds between keys, as a team lead reads a pane (0: keys back to back)",
    )
    ap.add_argument("--raw", action="store_true", help="print every run's figures, in order")
    args = ap.parse_args()
    print(f"floorwatch console benchmark, {args.contacts:,} contacts in {args.db}")
    seed(args.db, args.contacts)
    keep_day_sums(args.db)
    asyncio.run(measure(args.db, args.repeat, args.raw, args.think))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
