"""What the headless commands share: loading paths into a store, configuration errors."""

from __future__ import annotations

import sys
from pathlib import Path

from data.config import Config, ConfigError, find_config, load_config
from data.ingest import Ingestor, IngestResult
from data.progress import stderr_bar
from data.store import Store, StoreError


class UsageError(Exception):
    """Bad arguments: the command prints it and exits 2."""


def load_settings(paths: list[Path], config_path: Path | None) -> Config:
    folders = [p for p in paths if p.is_dir()]
    return load_config(find_config(folders, config_path))


def display_root(paths: list[Path]) -> Path:
    """Paths are shown relative to the one folder given, else to the working directory."""
    folders = [p for p in paths if p.is_dir()]
    return folders[0] if len(paths) == 1 and folders else Path.cwd()


def load_paths(store: Store, config: Config, paths: list[Path]) -> IngestResult:
    """Load `paths` into `store`. A one-shot store in memory takes an unterminated last line as
    complete (a finished export without a final newline); a store that lives on (`--db`) leaves
    it, as the console does, until it ends with a newline: taken now, the rest of a line cut
    mid-write would load later as a line of its own, and the line would be lost (held_back)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    ingestor = Ingestor(store, config, display_root(paths), final=store.path is None)
    return ingestor.scan(paths, progress=stderr_bar())


def held_back(store: Store) -> dict[str, int]:
    """{path: bytes} of the files whose end is not read yet: an unterminated last line (loaded once
    it ends), or a record still open at the end of the file (a quoted CSV field)."""
    rows = (
        store.cursor()
        .execute(
            'SELECT path, size - "offset" FROM files '
            "WHERE status = 'ok' AND size > \"offset\" ORDER BY path"
        )
        .fetchall()
    )
    return dict(rows)


def fail(message: str, code: int = 2) -> int:
    print(f"floorwatch: {message}", file=sys.stderr)
    return code


__all__ = [
    "ConfigError",
    "StoreError",
    "UsageError",
    "fail",
    "held_back",
    "load_paths",
    "load_settings",
]
