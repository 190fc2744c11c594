"""Start the console, the live demo, or the console served to a browser.

`floorwatch FOLDER` watches FOLDER; `floorwatch` with no folder (and none in the config) and
`floorwatch demo` open the live demo: a temporary folder the simulator writes into while you watch.
`floorwatch serve FOLDER` serves the console to browsers (textual-serve), on loopback by default.

SIGTERM and SIGHUP (the SSH session dropped) make the app exit like `q` does, so the store is
closed (and a `--db` checkpointed) before the process ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import ipaddress
import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from data.config import ConfigError, find_config, load_config
from data.store import Store, StoreError


def _parser(command: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"floorwatch{'' if command == 'console' else ' ' + command}")
    if command == "console":
        p.add_argument(
            "folder", nargs="?", type=Path, help="folder of exports to watch (recursively)"
        )
        p.add_argument(
            "--config", type=Path, help="floorwatch.toml (default: FOLDER/floorwatch.toml)"
        )
    if command == "demo":
        p.add_argument(
            "--speed", type=_positive, default=1.0, help="simulated time per real second (> 0)"
        )
    if command == "serve":
        p.add_argument("folder", type=Path, help="folder of exports to watch")
        p.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (this machine only)")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--config", type=Path, help="floorwatch.toml")
        p.add_argument("--wall", action="store_true", help="open every browser in wall mode")
        return p
    p.add_argument("--wall", action="store_true", help="start in wall mode (w leaves it)")
    p.add_argument("--db", type=Path, help="keep the store in this DuckDB file (default: memory)")
    return p


def _positive(text: str) -> float:
    """--speed: a clock that stands still or runs backwards is a usage error, not a demo."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


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
        return _run_demo(getattr(opts, "speed", 1.0), opts.db, wall=opts.wall)
    except (ConfigError, StoreError) as exc:
        print(f"floorwatch: {exc}", file=sys.stderr)
        return 2


def _run(
    folder: Path,
    config,
    db: Path | None,
    *,
    demo: bool,
    wall: bool = False,
    clock: Callable[[], datetime] | None = None,
    notice: str | None = None,
) -> int:
    from tui.app import make_app

    with Store(db) as store:
        app = make_app(store, config, folder, demo=demo, wall=wall, clock=clock, notice=notice)
        run_until_signalled(app)
    return 0


# SIGINT too: in the console ctrl+c is a key (the terminal is raw), so a SIGINT comes from `kill
# -INT` or a supervisor, and left to Python it raised KeyboardInterrupt inside the event loop and
# left the console hung with the terminal in its alternate screen.
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
# After an ending signal the console has this long to close down before the process ends anyway.
STUCK_AFTER_S = 10.0


def run_until_signalled(app: Any) -> None:
    """Run the app; SIGTERM/SIGHUP/SIGINT end it the way `q` does (workers stop, the caller then closes
    the store): the exit itself is run by the event loop, on the UI thread.

    When the SSH session drops, the terminal goes with it: Textual's output thread dies on the
    first write, and its shutdown then waits for it for ever (the loop is blocked, so an asyncio
    signal handler would never run either). A plain signal handler still runs, between two waits of
    the blocked thread: it asks the loop to exit and, should the process still be there after
    STUCK_AFTER_S, ends it. The store stays consistent: every ingest batch commits whole, as after
    a kill."""
    loop = asyncio.new_event_loop()

    def ending(signum: int, frame: Any) -> None:
        loop.call_soon_threadsafe(app.exit)
        _end_if_stuck()

    previous = {sig: signal.signal(sig, ending) for sig in ENDING_SIGNALS}
    try:
        asyncio.set_event_loop(loop)
        app.run(loop=loop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        asyncio.set_event_loop(None)
        loop.close()


_watchdog: threading.Thread | None = None
# What must not outlive the process even when the watchdog ends it (os._exit runs no `finally`):
# the demo's folder of exports.
at_forced_exit: list[Callable[[], None]] = []


def run_forced_exit_cleanups() -> None:
    for cleanup in list(at_forced_exit):
        with contextlib.suppress(Exception):  # the process is ending: the rest still run
            cleanup()


def _end_if_stuck() -> None:
    global _watchdog
    if _watchdog is not None:
        return

    def watch() -> None:
        time.sleep(STUCK_AFTER_S)
        run_forced_exit_cleanups()
        os._exit(0)

    _watchdog = threading.Thread(target=watch, name="exit watchdog", daemon=True)
    _watchdog.start()


def accelerated_clock(speed: float) -> Callable[[], datetime]:
    """Now, running `speed` times faster than real time from the moment of the call."""
    start, t0 = datetime.now(UTC), time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - t0) * speed)


@contextmanager
def _simulating(
    folder: Path, speed: float, clock: Callable[[], datetime] | None = None
) -> Iterator[str | None]:
    """Write the demo's history, keep the simulator running meanwhile; gives what to tell the lead
    at start (the floor closed), worked out before the simulator's thread runs (it is not
    thread-safe)."""
    from data.demo import closed_floor_notice, write_demo_folder

    sim = write_demo_folder(folder, speed=speed, clock=clock)
    notice = closed_floor_notice(sim, sim.clock(), speed)
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), name="demo simulator", daemon=True)
    thread.start()
    try:
        yield notice
    finally:
        stop.set()
        thread.join(timeout=5)


def _run_demo(speed: float, db: Path | None, *, wall: bool = False) -> int:
    # Faster than real time, the console's clock runs with the simulator's, so "now" is simulated.
    clock = accelerated_clock(speed) if speed != 1 else None
    with tempfile.TemporaryDirectory(prefix="floorwatch-demo-") as tmp:
        folder = Path(tmp)
        remove = functools.partial(shutil.rmtree, tmp, ignore_errors=True)
        at_forced_exit.append(remove)
        try:
            with _simulating(folder, speed, clock) as notice:
                config = load_config(folder / "floorwatch.toml")
                return _run(folder, config, db, demo=True, wall=wall, clock=clock, notice=notice)
        finally:
            at_forced_exit.remove(remove)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


NO_AUTH_WARNING = """\
floorwatch: WARNING: serving on {host}:{port}, which is reachable from other machines.
floorwatch: WARNING: there is no authentication: anyone who can reach this address sees the
floorwatch: WARNING: console and its data. Use --host 127.0.0.1 (the default) and an SSH tunnel or
floorwatch: WARNING: an authenticating reverse proxy instead.
"""


def serve_command(opts: argparse.Namespace) -> str:
    """The console command each browser session runs (one process per session, in-memory store)."""
    parts = [sys.executable, "-m", "tui", str(opts.folder.resolve())]
    if opts.config is not None:
        parts += ["--config", str(opts.config.resolve())]
    if opts.wall:
        parts.append("--wall")
    return " ".join(shlex.quote(p) for p in parts)


def _serve(opts: argparse.Namespace) -> int:
    if not opts.folder.is_dir():
        print(f"floorwatch: {opts.folder}: not a folder", file=sys.stderr)
        return 2
    try:
        from textual_serve.server import Server
    except ImportError:
        print(
            "floorwatch: serve needs textual-serve: pip install 'floorwatch[serve]'",
            file=sys.stderr,
        )
        return 2
    if not is_loopback(opts.host):
        print(NO_AUTH_WARNING.format(host=opts.host, port=opts.port), file=sys.stderr, end="")
    print(f"floorwatch: serving on http://{opts.host}:{opts.port}/ (ctrl+c stops)", file=sys.stderr)
    Server(serve_command(opts), host=opts.host, port=opts.port, title="floorwatch").serve()
    return 0
