"""`floorwatch check PATH... [--config F] [--db F] [--format text|json]`

Loads files or folders and says, per file, what was recognised, loaded and rejected (with line
numbers and reasons). Exit 0 when clean, 1 when anything was rejected or skipped, 2 on a usage or
configuration error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from data.commands.common import (
    ConfigError,
    StoreError,
    UsageError,
    fail,
    held_back,
    load_paths,
    load_settings,
)
from data.store import Store
from data.text import visible_values

MAX_REJECTS_SHOWN = 200


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="floorwatch check", description="Load exports and report on them."
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--config", type=Path)
    p.add_argument(
        "--db", type=Path, help="persist the store here; later runs read only what is new"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def run_check(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        config = load_settings(args.paths, args.config)
    except ConfigError as exc:
        return fail(str(exc))
    try:
        store = Store(args.db)
    except StoreError as exc:
        return fail(str(exc))
    with store:
        try:
            load_paths(store, config, args.paths)
        except UsageError as exc:
            return fail(str(exc))
        summary = summarize(store)
    # File names and reasons in the text: control characters as symbols, never to the terminal.
    text = (
        json.dumps(summary, indent=2)
        if args.format == "json"
        else render_text(visible_values(summary))
    )
    print(text)
    problems = summary["totals"]["rejected"] or any(
        f["status"] in ("skipped", "unreadable") or f["held_back_bytes"] for f in summary["files"]
    )
    return 1 if problems else 0


def summarize(store: Store) -> dict:
    cur = store.cursor()
    waiting = held_back(store)
    files = [
        {
            "path": path,
            "format": fmt,
            "lines": lines,
            "loaded": loaded,
            "rejected": rejected,
            "duplicates": dups,
            "status": status,
            "message": message,
            # an unterminated last line (--db): loaded once it ends with a newline
            "held_back_bytes": waiting.get(path, 0),
        }
        for path, fmt, lines, loaded, rejected, dups, status, message in cur.execute(
            "SELECT path, format, lines, loaded, rejected, duplicates, status, message "
            "FROM files WHERE status <> 'moved' ORDER BY path"
        ).fetchall()
    ]
    rejects = [
        {"path": path, "line": line, "reason": reason}
        for path, line, reason in cur.execute(
            "SELECT path, line_no, reason FROM rejects ORDER BY path, line_no"
        ).fetchall()
    ]
    (contacts,) = cur.execute("SELECT count(*) FROM contacts").fetchone()
    (messages,) = cur.execute("SELECT count(*) FROM messages").fetchone()
    (agent_events,) = cur.execute("SELECT count(*) FROM agent_events").fetchone()
    return {
        "files": files,
        "rejects": rejects,
        "totals": {
            "contacts": contacts,
            "messages": messages,
            "agent_events": agent_events,
            "rejected": len(rejects),
        },
    }


def render_text(summary: dict) -> str:
    out = []
    width = max([len(f["path"]) for f in summary["files"]] + [4])
    out.append(f"{'file':<{width}}  {'format':<14} {'lines':>9} {'loaded':>9} {'rejected':>8}")
    for f in summary["files"]:
        if f["status"] in ("skipped", "unreadable", "missing"):
            out.append(f"{f['path']:<{width}}  {f['status'].upper()}: {f['message']}")
            continue
        dup = f"  ({f['duplicates']:,} already loaded)" if f["duplicates"] else ""
        out.append(
            f"{f['path']:<{width}}  {f['format'] or '-':<14} {f['lines']:>9,} {f['loaded']:>9,} "
            f"{f['rejected']:>8,}{dup}"
        )
        if f["held_back_bytes"]:
            out.append(
                f"{'':<{width}}  last line unterminated or record unfinished "
                f"({f['held_back_bytes']:,} bytes): loaded once it is complete"
            )
    rejects = summary["rejects"]
    if rejects:
        out.append("")
        out.append(f"Rejected lines ({len(rejects):,}):")
        for r in rejects[:MAX_REJECTS_SHOWN]:
            out.append(f"  {r['path']}:{r['line']}: {r['reason']}")
        if len(rejects) > MAX_REJECTS_SHOWN:
            out.append(f"  … and {len(rejects) - MAX_REJECTS_SHOWN:,} more (use --format json)")
    t = summary["totals"]
    out.append("")
    out.append(
        f"Totals: {_n(t['contacts'], 'contact')}, {_n(t['messages'], 'message')}, "
        f"{_n(t['agent_events'], 'agent event')}, {t['rejected']:,} "
        f"{'rejected line' if t['rejected'] == 1 else 'rejected lines'}"
    )
    return "\n".join(out)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
