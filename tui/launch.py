"""Start the console, the live demo, or the console served to a browser.

`floorwatch FOLDER` watches FOLDER; `floorwatch` with no folder (and none in the config) and
`floorwatch demo` open the live demo: a temporary folder the simulator writes into while you watch.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from data.config import ConfigError, find_config, load_config
from data.store import Store


def _parser(command: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"floorwatch{'' if command == 'console' else ' ' + command}")
    if command == "console":
        p.add_argument(
            "folder", nargs="?", type=Path, help="folder of exports to watch (recursively)"
        )
        p.add_argument(
            "--config", type=Path, help="floorwatch.toml (default: FOLDER/floorwatch.toml)"
        )
        p.add_argument("--wall", action="store_true", help="wall display: cycle the panes")
    if command == "demo":
        p.add_argument("--speed", type=float, default=1.0, help="simulated time per real second")
    if command == "serve":
        p.add_argument("folder", type=Path)
        p.add_argument("--host", default="localhost")
        p.add_argument("--port", type=int, default=8000)
        return p
    p.add_argument("--db", type=Path, help="keep the store in this DuckDB file (default: memory)")
    return p


def run_console(command: str, args: list[str]) -> int:
    opts = _parser(command).parse_args(args)
    if command == "serve":
        return _serve(opts)
    try:
        if command == "console":
            config_path = find_config([opts.folder] if opts.folder else [], opts.config)
            config = load_config(config_path)
            folder = opts.folder or config.folder
            if folder is not None:
                if not folder.is_dir():
                    print(f"floorwatch: {folder}: not a folder", file=sys.stderr)
                    return 2
                return _run(folder, config, opts.db, demo=False, wall=opts.wall)
        return _run_demo(getattr(opts, "speed", 1.0), opts.db)
    except ConfigError as exc:
        print(f"floorwatch: {exc}", file=sys.stderr)
        return 2


def _run(folder: Path, config, db: Path | None, *, demo: bool, wall: bool = False) -> int:
    from tui.app import make_app

    with Store(db) as store:
        make_app(store, config, folder, demo=demo, wall=wall).run()
    return 0


@contextmanager
def _simulating(folder: Path, speed: float) -> Iterator[None]:
    from data.demo import write_demo_folder

    sim = write_demo_folder(folder, speed=speed)
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), name="demo simulator", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _run_demo(speed: float, db: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="floorwatch-demo-") as tmp:
        folder = Path(tmp)
        with _simulating(folder, speed):
            config = load_config(folder / "floorwatch.toml")
            return _run(folder, config, db, demo=True)


def _serve(opts: argparse.Namespace) -> int:
    from textual_serve.server import Server

    command = f"{shlex.quote(sys.executable)} -m tui {shlex.quote(str(opts.folder.resolve()))}"
    Server(command, host=opts.host, port=opts.port).serve()
    return 0
