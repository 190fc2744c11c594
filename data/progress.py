"""Progress of a long load: files and bytes done, rows per second, time left.

The meter calls back at most every `interval_s`, so a progress bar on stderr or a progress line in
the console costs nothing noticeable on a load of millions of rows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class Progress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    rows: int
    elapsed_s: float
    done: bool = False

    @property
    def rate_rows_s(self) -> float:
        return self.rows / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        if self.bytes_done <= 0 or self.elapsed_s <= 0:
            return None
        rate = self.bytes_done / self.elapsed_s
        return max(self.bytes_total - self.bytes_done, 0) / rate

    @property
    def fraction(self) -> float:
        return self.bytes_done / self.bytes_total if self.bytes_total else 1.0

    def describe(self) -> str:
        eta = f", {self.eta_s:.0f} s left" if self.eta_s is not None and not self.done else ""
        return (
            f"{self.files_done}/{self.files_total} files, {_size(self.bytes_done)}/"
            f"{_size(self.bytes_total)}, {self.rows:,} rows, {self.rate_rows_s:,.0f} rows/s{eta}"
        )


class ProgressMeter:
    def __init__(
        self,
        files: Sequence[Path],
        callback: Callable[[Progress], None] | None,
        interval_s: float = 0.2,
    ) -> None:
        self.callback = callback
        self.interval_s = interval_s
        self.files_total = len(files)
        self.bytes_total = sum(_size_of(f) for f in files)
        self.files_done = 0
        self.bytes_done = 0
        self.rows = 0
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, nbytes: int, rows: int) -> None:
        self.bytes_done += nbytes
        self.rows += rows
        self._emit()

    def file_done(self, path: Path) -> None:
        del path
        self.files_done += 1
        self._emit()

    def finish(self) -> None:
        self.bytes_done = max(self.bytes_done, self.bytes_total)
        self._emit(force=True, done=True)

    def _emit(self, force: bool = False, done: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval_s:
            return
        self._last = now
        self.callback(
            Progress(
                self.files_done,
                self.files_total,
                self.bytes_done,
                self.bytes_total,
                self.rows,
                now - self.started,
                done,
            )
        )


def stderr_bar(stream: TextIO = sys.stderr) -> Callable[[Progress], None] | None:
    """A one-line progress bar on stderr, or None when stderr is not a terminal."""
    if not stream.isatty():
        return None
    width = 24

    def show(p: Progress) -> None:
        filled = int(p.fraction * width)
        bar = "█" * filled + "░" * (width - filled)
        end = "\n" if p.done else ""
        stream.write(f"\r\x1b[2K{bar} {p.describe()}{end}")
        stream.flush()

    return show


def _size_of(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
