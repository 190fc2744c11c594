"""Contacts derived again when what they were derived with changes: queue_channels in the
configuration (or the derivation itself, in a newer floorwatch), on a store kept with --db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data import derive
from data.commands.report import run_report
from data.config import Config
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import write
from tests.data.test_ingest import T0, call

VOICE = Config(timezone="UTC")
CHAT = Config(timezone="UTC", queue_channels={"webchat": "chat"})


def channels(store: Store) -> list[tuple[str, str, int]]:
    return (
        store.cursor()
        .execute("SELECT queue, channel, count(*) FROM contacts GROUP BY ALL ORDER BY ALL")
        .fetchall()
    )


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    """A --db store that loaded two calls on `webchat` and one on `billing` with no channel map."""
    folder = tmp_path / "exports"
    write(
        folder / "queue_log",
        call("w1", T0, queue="webchat") + call("w2", T0 + 60, queue="webchat") + call("b1", T0),
    )
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        Ingestor(store, VOICE, folder).scan([folder])
        assert channels(store) == [("billing", "voice", 1), ("webchat", "voice", 2)]
    return db, folder


def test_a_changed_queue_channel_map_derives_the_contacts_again(loaded: tuple[Path, Path]) -> None:
    db, folder = loaded
    with Store(db) as store:
        ingestor = Ingestor(store, CHAT, folder)
        result = ingestor.scan([folder])
        assert result.loaded == 0  # nothing new read: the raw rows were already there
        assert channels(store) == [("billing", "voice", 1), ("webchat", "chat", 2)]
        assert ingestor.bring_up_to_date() is False  # once per run


def test_the_same_configuration_derives_nothing_again(loaded: tuple[Path, Path]) -> None:
    db, folder = loaded
    with Store(db) as store:
        assert Ingestor(store, VOICE, folder).bring_up_to_date() is False
        assert Ingestor(store, CHAT, folder).bring_up_to_date() is True
        assert Ingestor(store, CHAT, folder).bring_up_to_date() is False
        assert Ingestor(store, VOICE, folder).bring_up_to_date() is True  # and back
        assert channels(store) == [("billing", "voice", 1), ("webchat", "voice", 2)]


def test_a_store_from_before_the_key_is_taken_as_derived_with_todays_settings(
    loaded: tuple[Path, Path],
) -> None:
    db, folder = loaded
    with Store(db) as store:
        store.cursor().execute("DELETE FROM meta WHERE key = 'derivation_key'")
        assert Ingestor(store, CHAT, folder).bring_up_to_date() is False
        assert channels(store) == [("billing", "voice", 1), ("webchat", "voice", 2)]
        assert Ingestor(store, VOICE, folder).bring_up_to_date() is True  # from then on, known


def test_a_new_derivation_version_derives_again(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, folder = loaded
    with Store(db) as store:
        store.cursor().execute("DELETE FROM contacts WHERE source_id = 'w2'")  # as if derived wrong
        monkeypatch.setattr(derive, "DERIVATION_VERSION", derive.DERIVATION_VERSION + 1)
        assert Ingestor(store, VOICE, folder).bring_up_to_date() is True
        assert channels(store) == [("billing", "voice", 1), ("webchat", "voice", 2)]


def test_a_new_store_is_only_marked(tmp_path: Path) -> None:
    with Store(tmp_path / "fw.duckdb") as store:
        assert derive.bring_up_to_date(store.cursor(), CHAT) is False
        (key,) = (
            store.cursor().execute("SELECT value FROM meta WHERE key = 'derivation_key'").fetchone()
        )
        assert key == derive.derivation_key(CHAT) != derive.derivation_key(VOICE)


def test_a_failure_half_way_leaves_the_contacts_as_they_were(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, folder = loaded

    def fails(cur: object) -> None:
        raise RuntimeError("killed")

    # After the queue_log contacts are rebuilt, before next_contact_at: the transaction rolls back.
    monkeypatch.setattr(derive, "refresh_all_next_contacts", fails)
    with Store(db) as store:
        with pytest.raises(RuntimeError):
            Ingestor(store, CHAT, folder).bring_up_to_date()
        assert channels(store) == [("billing", "voice", 1), ("webchat", "voice", 2)]
    monkeypatch.undo()
    with Store(db) as store:  # the next run does it
        assert Ingestor(store, CHAT, folder).bring_up_to_date() is True
        assert channels(store) == [("billing", "voice", 1), ("webchat", "chat", 2)]


def test_report_on_a_kept_store_uses_the_current_map(
    loaded: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = loaded
    config = write(tmp_path / "chat.toml", 'timezone = "UTC"\n[queue_channels]\nwebchat = "chat"\n')
    args = ["--db", str(db), "--config", str(config), "--by", "channel", "--format", "json"]
    assert run_report([*args, "--from", "2025-11-20", "--to", "2025-11-21"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {r["channel"]: r["offered"] for r in rows} == {"chat": 2, "voice": 1}


def test_contacts_derived_again_forget_the_day_sums_kept_from_the_old_ones(
    tmp_path: Path,
) -> None:
    """A console kept per-day sums (metrics/rollup.py) of contacts derived with the old map: they
    say `webchat` was voice, so they are dropped with the contacts they were added up from."""
    from datetime import UTC, datetime, timedelta

    from data.metrics import Filters, kpis, rollup
    from data.metrics.period import Period

    folder = tmp_path / "exports"
    day = 86400
    write(
        folder / "queue_log",
        "".join(
            call(f"w{d}", T0 + d * day, queue="webchat") + call(f"b{d}", T0 + d * day)
            for d in range(4)
        ),
    )
    now = datetime.fromtimestamp(T0 + 6 * day, UTC)
    start = datetime.fromtimestamp(T0, UTC).replace(hour=0)
    period = Period(start, start + timedelta(days=4), "four days")
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        ingestor = Ingestor(store, VOICE, folder)
        ingestor.scan([folder])
        assert ingestor.keep_day_sums(now) >= 2
    with Store(db) as store:
        ingestor = Ingestor(store, CHAT, folder)
        assert ingestor.bring_up_to_date() is True
        cur = store.cursor()
        keys = ("total", "channel")
        assert rollup.cover(cur, CHAT, period, Filters(), keys, None, now) is None
        by_channel = kpis.kpi_sets(cur, CHAT, period, Filters(), now, keys)["channel"]
        assert {ch: row["offered"] for ch, row in by_channel.items()} == {"chat": 4, "voice": 4}


def test_derived_again_cdr_contacts_lose_a_withheld_caller_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Call-detail contacts are the readers' rows, not derived: a store that loaded "anonymous"
    as a customer (before the readers knew better) is corrected with the derivation, and its
    FCR next contacts with it."""
    from tests.formats.test_asterisk_cdr import Q18

    folder = tmp_path / "exports"
    write(
        folder / "Master.csv",
        Q18.replace('"0612345678"', '"anonymous"', 1)
        + "\n"
        + Q18.replace('"0612345678"', '"anonymous"', 1).replace("1709283600.1", "1709283600.2")
        .replace("09:00:00", "09:30:00").replace("09:00:12", "09:30:12").replace("09:05:12", "09:35:12")
        + "\n",
    )  # fmt: skip
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        Ingestor(store, VOICE, folder).scan([folder])
        cur = store.cursor()
        # As an older floorwatch left it: the caller id as a customer, one call the other's repeat.
        cur.execute("UPDATE contacts SET customer = 'anonymous'")
        derive.refresh_all_next_contacts(cur)
        repeats = "SELECT count(*) FROM contacts WHERE isfinite(next_contact_at)"
        assert cur.execute(repeats).fetchone() == (1,)
    with Store(db) as store:
        monkeypatch.setattr(derive, "DERIVATION_VERSION", derive.DERIVATION_VERSION + 1)
        assert Ingestor(store, VOICE, folder).bring_up_to_date() is True
        cur = store.cursor()
        assert cur.execute("SELECT DISTINCT customer FROM contacts").fetchall() == [(None,)]
        assert cur.execute(repeats).fetchone() == (0,)
