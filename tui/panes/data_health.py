"""6 Data: the watched files, the rejected lines (file, line, reason), and load progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Label, Static

from tui import fmt
from tui.panes.base import Pane
from tui.widgets.search_table import Col, SearchTable

FILE_SQL = """
SELECT path, format, lines, loaded, rejected, status, message, last_change
FROM files ORDER BY path
"""
REJECT_SQL = """
SELECT path, line_no, reason, raw, seen_at FROM rejects ORDER BY seen_at DESC, path, line_no DESC LIMIT 1000
"""

STATUS_STYLE = {"ok": "green", "missing": "yellow", "unreadable": "bold red", "skipped": "dim"}

FILE_COLUMNS = (
    Col("path", "File"),
    Col("format", "Format"),
    Col("lines", "Lines", fmt.count, numeric=True),
    Col("loaded", "Loaded", fmt.count, numeric=True),
    Col(
        "rejected",
        "Rejected",
        fmt.count,
        numeric=True,
        style=lambda r: "bold red" if r.get("rejected") else "",
    ),
    Col("status", "Status", style=lambda r: STATUS_STYLE.get(str(r.get("status")), "")),
    # When floorwatch last read the file or saw it change, on the console's clock.
    Col("changed_s", "Last change", lambda v: fmt.DASH if v is None else f"{fmt.dur(v)} ago"),
    Col("message", "Message"),
)
REJECT_COLUMNS = (
    Col("path", "File"),
    Col("line_no", "Line", fmt.count, numeric=True),
    Col("reason", "Reason"),
    Col("raw", "Line content"),
)


@dataclass(frozen=True)
class DataHealth:
    files: tuple[dict[str, Any], ...]
    rejects: tuple[dict[str, Any], ...]


def _dicts(cur, sql: str) -> tuple[dict[str, Any], ...]:
    result = cur.execute(sql)
    names = [d[0] for d in result.description]
    return tuple(dict(zip(names, row, strict=True)) for row in result.fetchall())


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


class DataPane(Pane):
    key = "data"
    title = "Data"

    @classmethod
    def fetch(cls, cur, cfg, view, now: datetime, past=None) -> DataHealth:
        files = tuple(f | {"changed_s": _age(now, f["last_change"])} for f in _dicts(cur, FILE_SQL))
        return DataHealth(files, _dicts(cur, REJECT_SQL))

    def compose_body(self) -> ComposeResult:
        yield Static("", id="data-status", markup=False)
        yield Label("Watched files")
        yield SearchTable(FILE_COLUMNS, id="files-table")
        yield Label("Rejected lines (newest first)")
        yield SearchTable(REJECT_COLUMNS, id="rejects-table")

    def show(self, data: DataHealth) -> None:
        self.query_one("#files-table", SearchTable).set_rows(data.files)
        self.query_one("#rejects-table", SearchTable).set_rows(data.rejects)
        loaded = sum(f.get("loaded") or 0 for f in data.files)
        rejected = sum(f.get("rejected") or 0 for f in data.files)
        self.query_one("#data-status", Static).update(
            f"{fmt.counted(len(data.files), 'file')} · {fmt.counted(loaded, 'row')} loaded"
            f" · {fmt.counted(rejected, 'line')} rejected"
        )
