"""Helpers for the reader tests: split a file's bytes the way ingest does, build a ReadContext."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from data.config import Config
from data.formats.base import Batch, ReadContext, Reader


def split_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Complete lines with 1-based numbers, without `\\n` (a last line without one is kept)."""
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return list(enumerate(parts, 1))


Run = Callable[..., Batch]


@pytest.fixture
def run(cfg: Config) -> Run:
    """`run(reader, data, path=..., zone=..., config=..., channel=..., header=True)`: a Batch."""

    def _run(
        reader: Reader,
        data: bytes | str | Path,
        *,
        path: str = "file",
        zone: str | None = None,
        config: Config | None = None,
        channel: str | None = None,
        header: bool = False,
        lines: list[tuple[int, bytes]] | None = None,
    ) -> Batch:
        if isinstance(data, Path):
            data = data.read_bytes()
        elif isinstance(data, str):
            data = data.encode()
        conf = config or cfg
        all_lines = split_lines(data)
        ctx = ReadContext(
            path=path,
            file_id=7,
            config=conf,
            zone=ZoneInfo(zone or conf.timezone),
            header=all_lines[0][1] if header and all_lines else None,
            channel=channel,
        )
        return reader.parse(lines if lines is not None else all_lines, ctx)

    return _run
