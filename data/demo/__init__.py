"""The built-in live demo: a seeded simulator writing realistic exports into a folder.

`write_demo_folder(folder)` writes floorwatch.toml and a few weeks of history; `Simulator.run(stop)`
then keeps writing in (accelerated) real time. No Textual here: the console drives it from a thread.
"""

from __future__ import annotations

from pathlib import Path

from data.config import CONFIG_FILE_NAME
from data.demo.sim import FILE_NAMES, Simulator

__all__ = ["FILE_NAMES", "Simulator", "write_demo_folder"]


def write_demo_folder(folder: Path, **kw) -> Simulator:
    """Create `folder`, write floorwatch.toml and the history; return the simulator to keep running."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sim = Simulator(folder, **kw)
    (folder / CONFIG_FILE_NAME).write_text(sim.config_toml(), encoding="utf-8")
    sim.write_history()
    return sim
