"""A file read with other settings (source rule, CSV mapping, site zone) is read again from its
start on the next run with --db: its rows would otherwise keep the old reading."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from data import derive
from data.config import Config, SourceRule
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import write
from tests.data.test_ingest import T0, call
from tests.formats.test_asterisk_cdr import NOANSWER16, Q18

UTC_SITE = Config(timezone="UTC")
PARIS_CDR = Config(
    timezone="UTC", sources=[SourceRule(pattern="Master.csv", timezone="Europe/Paris")]
)


def offers(store: Store) -> list[tuple[str, datetime]]:
    return (
        store.cursor()
        .execute("SELECT source, offered_at FROM contacts ORDER BY source, offered_at")
        .fetchall()
    )


def files(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute("SELECT path, lines, loaded, rejected FROM files ORDER BY path")
        .fetchall()
    )


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    """A --db store that read a CDR file (naive times: site zone UTC) and a queue_log."""
    folder = tmp_path / "exports"
    write(folder / "Master.csv", f"{Q18}\n{NOANSWER16}\nnot a cdr line\n")
    write(folder / "queue_log", call("c1", T0) + call("c2", T0 + 60))
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        Ingestor(store, UTC_SITE, folder).scan([folder])
        assert files(store) == [("Master.csv", 3, 2, 1), ("queue_log", 6, 6, 0)]
    return db, folder


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_new_source_zone_reads_the_file_again(loaded: tuple[Path, Path]) -> None:
    db, folder = loaded
    with Store(db) as store:
        before = offers(store)
        assert ("asterisk_cdr", at(2024, 3, 1, 9, 0)) in before
        result = Ingestor(store, PARIS_CDR, folder).scan([folder])
        by_path = {f.path: f for f in result.files}
        assert by_path["Master.csv"].loaded == 2 and "queue_log" not in by_path
        after = offers(store)
        # 09:00 in Paris (CET) is 08:00 UTC; nothing doubled, the queue_log untouched.
        assert [o for o in after if o[0] == "asterisk_cdr"] == [
            ("asterisk_cdr", at(2024, 3, 1, 8, 0)),
            ("asterisk_cdr", at(2024, 3, 1, 8, 10)),
        ]
        assert [o for o in after if o[0] == "queue_log"] == [
            o for o in before if o[0] == "queue_log"
        ]
        assert files(store) == [("Master.csv", 3, 2, 1), ("queue_log", 6, 6, 0)]
        rejects = store.cursor().execute("SELECT path, line_no FROM rejects").fetchall()
        assert rejects == [("Master.csv", 3)]  # once, not once per reading


def test_the_same_settings_read_nothing_again(loaded: tuple[Path, Path]) -> None:
    db, folder = loaded
    with Store(db) as store:
        assert Ingestor(store, UTC_SITE, folder).scan([folder]).loaded == 0
        # A rule for other files changes nothing here.
        other = Config(timezone="UTC", sources=[SourceRule(pattern="*.jsonl", channel="chat")])
        assert Ingestor(store, other, folder).scan([folder]).loaded == 0


def test_a_derived_source_read_again_is_derived_again(loaded: tuple[Path, Path]) -> None:
    db, folder = loaded
    with Store(db) as store:
        before = offers(store)
        forced = Config(
            timezone="UTC", sources=[SourceRule(pattern="queue_log", format="queue_log")]
        )
        result = Ingestor(store, forced, folder).scan([folder])
        assert {f.path: f.loaded for f in result.files} == {"queue_log": 6}
        assert offers(store) == before  # the same two calls: rebuilt, not doubled
        (events,) = store.cursor().execute("SELECT count(*) FROM queue_events").fetchone()
        assert events == 6


def test_a_failure_while_forgetting_leaves_the_file_as_it_was(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, folder = loaded

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(derive, "refresh_next_contacts", fails)
    with Store(db) as store:
        before = offers(store)
        with pytest.raises(RuntimeError):
            Ingestor(store, PARIS_CDR, folder).scan([folder])
        assert offers(store) == before
        assert files(store) == [("Master.csv", 3, 2, 1), ("queue_log", 6, 6, 0)]
    monkeypatch.undo()
    with Store(db) as store:  # the next run reads it again
        Ingestor(store, PARIS_CDR, folder).scan([folder])
        assert ("asterisk_cdr", at(2024, 3, 1, 8, 0)) in offers(store)
