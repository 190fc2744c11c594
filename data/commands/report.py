"""`floorwatch report PATH... | --db F [--period P | --from T --to T] [--by K] [--format F]`

Loads the given exports (or reads an existing store) and prints the KPIs of ../shared/METRICS.md for a
period against its comparison period. Exit 0 ok, 2 on a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from data.commands.common import (
    ConfigError,
    UsageError,
    fail,
    held_back,
    load_paths,
    load_settings,
)
from data.config import CHANNELS
from data.ingest import Ingestor
from data.metrics import (
    BY_KEYS,
    INTERVAL_SIZES,
    PERIODS,
    Filters,
    custom_period,
    overdue,
    report,
    resolve_period,
)
from data.metrics.period import parse_time
from data.report import FORMATS, render
from data.store import Store, StoreError
from data.text import visible


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="floorwatch report",
        description="KPIs for a period, compared with the same span earlier.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--db", type=Path, help="read (and update) this store")
    p.add_argument("--period", choices=PERIODS, help="default: today")
    p.add_argument("--from", dest="start", metavar="T", help="ISO date or date-time (site zone)")
    p.add_argument("--to", dest="end", metavar="T", help="exclusive; ISO date or date-time")
    p.add_argument("--by", choices=BY_KEYS)
    p.add_argument(
        "--interval",
        choices=INTERVAL_SIZES,
        help="size of the intervals (--by interval, and the json's): default hours up to two "
        "days, else days",
    )
    p.add_argument("--queue")
    p.add_argument("--channel", choices=CHANNELS)
    p.add_argument("--agent")
    p.add_argument("--team")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--config", type=Path)
    p.add_argument("--alerts", action="store_true", help="add the KPIs past a [[thresholds]] level")
    p.add_argument("--now", help=argparse.SUPPRESS)
    return p


def run_report(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if not args.paths and args.db is None:
        return fail("report needs PATH... or --db F")
    if (args.start is None) != (args.end is None):
        return fail("--from and --to go together")
    if args.start is not None and args.period:
        return fail("use --period or --from/--to, not both")
    try:
        config = load_settings(args.paths, args.config)
    except ConfigError as exc:
        return fail(str(exc))
    try:
        now = parse_time(args.now, config) if args.now else datetime.now(UTC)
        if args.start is not None:
            period = custom_period(args.start, args.end, config)
        else:
            period = resolve_period(args.period or "today", config, now)
    except ValueError as exc:
        return fail(str(exc))
    filters = Filters(args.queue, args.channel, args.agent, args.team)
    if args.db is not None and not args.paths and not args.db.exists():
        # Only reading: a mistyped path must not become an empty store and an all-zero report.
        return fail(f"{args.db}: no such store (give PATH... to load exports into a new one)")
    try:
        store = Store(args.db)
    except StoreError as exc:
        return fail(str(exc))
    with store:
        # A store kept with --db may hold contacts derived with another queue -> channel map.
        Ingestor(store, config).bring_up_to_date()
        if args.paths:
            try:
                loaded = load_paths(store, config, args.paths)
            except UsageError as exc:
                return fail(str(exc))
            # A cron summary must tell "no calls" from "could not read the export".
            for f in loaded.files:
                if f.status != "ok":
                    why = f": {f.message}" if f.message else ""
                    print(f"floorwatch: {visible(f.path)}: {f.status}{why}", file=sys.stderr)
            if loaded.rejected:
                print(
                    f"floorwatch: {loaded.rejected:,} line(s) rejected, left out of the figures "
                    "(`floorwatch check` lists them)",
                    file=sys.stderr,
                )
        for path in held_back(store):
            print(
                f"floorwatch: {visible(path)}: last line unterminated or record unfinished, left "
                "out until it is complete",
                file=sys.stderr,
            )
        cur = store.cursor()
        rep = report(cur, config, period, filters, now, by=args.by, interval=args.interval)
        # The items of the md summary's backlog, counted at the same instant as its figures.
        at = rep["meta"]["backlog_at"]
        rows = overdue(cur, config, filters, at, limit=10) if args.format == "md" else None
    out = render(rep, args.format, rows)
    if args.alerts:
        from data.alerts import with_alerts

        out = with_alerts(out, args.format, config, rep)
    sys.stdout.write(out)
    return 0
