"""The built-in live demo: a seeded simulator writing realistic exports into a folder.

`write_demo_folder(folder)` writes floorwatch.toml and a few weeks of history; `Simulator.run(stop)`
then keeps writing in (accelerated) real time. No Textual here: the console drives it from a thread.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from data.config import CONFIG_FILE_NAME
from data.demo.sim import FILE_NAMES, Simulator

__all__ = ["FILE_NAMES", "Simulator", "closed_floor_notice", "write_demo_folder"]

# Below this much real time before the floor opens, the demo says nothing about it.
QUIET_NOTICE_S = 5 * 60


def write_demo_folder(folder: Path, **kw) -> Simulator:
    """Create `folder`, write floorwatch.toml and the history; return the simulator to keep running."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sim = Simulator(folder, **kw)
    (folder / CONFIG_FILE_NAME).write_text(sim.config_toml(), encoding="utf-8")
    sim.write_history()
    return sim


def closed_floor_notice(sim: Simulator, now: datetime, speed: float) -> str | None:
    """What to tell someone who starts the demo while no simulated agent is on shift (at night,
    on a Sunday morning): nothing is answered until the first shift starts, and the floor looks
    broken rather than closed. None when it opens within QUIET_NOTICE_S of real time."""
    opens = sim.next_shift_start(now)
    if opens is not None and (opens - now).total_seconds() / speed <= QUIET_NOTICE_S:
        return None
    when = f"until {opens.astimezone(sim.zone):%a %H:%M} (site time)" if opens else "now"
    faster = "" if speed >= 60 else " `floorwatch demo --speed 60` runs an hour a minute."
    return f"The demo floor is closed: no agent is on shift {when}.{faster}"
