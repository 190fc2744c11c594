"""Messages between the thread workers and the UI thread. Payloads are immutable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message


class IngestProgress(Message):
    """The initial scan advanced (a `data.ingest.Progress`)."""

    def __init__(self, progress: Any) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IngestProgress)


class IngestDone(Message):
    """A scan (initial=True) or a watcher batch finished loading (a `data.ingest.IngestResult`)."""

    def __init__(self, result: Any, initial: bool, newest: datetime | None = None) -> None:
        super().__init__()
        self.result = result
        self.initial = initial
        # A scan: when the newest of the files it read last changed (the data's age at start).
        self.newest = newest


@dataclass(frozen=True)
class Snapshot:
    """One refresh: KPI totals now and in the comparison period, and the visible pane's data."""

    at: datetime
    totals: dict[str, Any]
    comparison: dict[str, Any]
    pane: str
    data: Any


class Refreshed(Message):
    """`loaded`: the refresh started after the first load was done (thresholds are checked only
    then: a half-loaded history reads as 100 % abandons)."""

    def __init__(self, snapshot: Snapshot, loaded: bool = True) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.loaded = loaded


class RefreshFailed(Message):
    """A refresh raised: said on screen; the next one is armed as after any refresh."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class PaneFetched(Message):
    """The visible pane's data, sent ahead of the rest of a refresh so a new pane fills at once."""

    def __init__(self, pane: str, data: Any) -> None:
        super().__init__()
        self.pane = pane
        self.data = data


class FilterOptions(Message):
    """Distinct queues, channels and teams, for the filter screen."""

    def __init__(self, queues: tuple[str, ...], channels: tuple[str, ...], teams: tuple[str, ...]):
        super().__init__()
        self.queues = queues
        self.channels = channels
        self.teams = teams
