"""Soak: the live demo in the console for a long time, faster than real time.

Runs the app headless (`App.run_test()`) on the demo simulator at `--speed` (simulated seconds per
real second; the console's clock runs with the simulator's, so midnights pass and the day rolls over
without a restart), shows each pane in turn, and every `--every` seconds prints the process RSS and
the refresh durations since the previous sample. At the end: RSS growth after the first simulated day.

    .venv/bin/python bench/soak.py                      # 60 min at --speed 60: 60 simulated hours
    .venv/bin/python bench/soak.py --minutes 5 --speed 720 --every 15   # the same span, quicker
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.config import load_config
from data.demo import write_demo_folder
from data.store import Store
from tui.app import make_app
from tui.launch import accelerated_clock
from tui.messages import Refreshed
from tui.panes import PANES


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(minutes: float, speed: float, every_s: float, db: Path | None, wall: bool) -> int:
    clock = accelerated_clock(speed)
    took: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, Refreshed):
            took.append(getattr(message.snapshot, "took_s", float("nan")))

    with tempfile.TemporaryDirectory(prefix="floorwatch-soak-") as tmp, Store(db) as store:
        folder = Path(tmp)
        sim = write_demo_folder(folder, speed=speed, clock=clock)
        stop = threading.Event()
        thread = threading.Thread(target=sim.run, args=(stop,), daemon=True)
        thread.start()
        config = load_config(folder / "floorwatch.toml")
        app = make_app(store, config, folder, clock=clock, demo=True, wall=wall)
        start_sim = clock()
        rows: list[tuple[float, float]] = []  # (simulated hours, rss)
        print(
            f"soak: {minutes:g} min at speed {speed:g} ({minutes * speed / 60:.1f} simulated h), "
            f"sample every {every_s:g} s, store {'in memory' if db is None else db}",
            flush=True,
        )
        print(
            f"{'real':>6} {'simulated (site zone)':>22} {'sim h':>6} {'RSS MB':>8} {'refr':>5} "
            f"{'median ms':>9} {'max ms':>7} {'contacts':>9} {'offered today':>13}",
            flush=True,
        )
        t0 = time.monotonic()
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            turn = 0
            while time.monotonic() - t0 < minutes * 60:
                await pilot.pause(every_s)
                if not wall:
                    turn += 1
                    app.action_show_pane(PANES[turn % len(PANES)].key)
                window, took[:] = list(took), []
                now = clock()
                hours = (now - start_sim) / timedelta(hours=1)
                rss = rss_mb()
                rows.append((hours, rss))
                (contacts,) = store.cursor().execute("SELECT count(*) FROM contacts").fetchone()
                ms = [t * 1000 for t in window] or [float("nan")]
                offered = app.query_one("#kpis").values.get("offered", "–")
                print(
                    f"{time.monotonic() - t0:6.0f} "
                    f"{now.astimezone(config.zone).strftime('%a %d %b %H:%M'):>22} "
                    f"{hours:6.1f} {rss:8.1f} {len(window):5d} {statistics.median(ms):9.1f} "
                    f"{max(ms):7.1f} {contacts:9,d} {offered:>13}",
                    flush=True,
                )
        stop.set()
        thread.join(timeout=5)
    after_day = [r for h, r in rows if h >= 24] or [r for _, r in rows]
    base, last, peak = after_day[0], rows[-1][1], max(r for _, r in rows)
    growth = (last - base) / base * 100
    print(
        f"RSS after the first simulated day {base:.1f} MB, at the end {last:.1f} MB "
        f"({growth:+.1f} %), peak {peak:.1f} MB",
        flush=True,
    )
    return 0 if growth <= 10 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=60, help="real minutes to run (default 60)")
    p.add_argument("--speed", type=float, default=60, help="simulated seconds per real second")
    p.add_argument("--every", type=float, default=60, help="seconds between samples")
    p.add_argument("--db", type=Path, help="a DuckDB file for the store (default: in memory)")
    p.add_argument("--wall", action="store_true", help="run in wall mode instead of cycling panes")
    args = p.parse_args()
    return asyncio.run(soak(args.minutes, args.speed, args.every, args.db, args.wall))


if __name__ == "__main__":
    raise SystemExit(main())
