"""The store's DuckDB settings."""

from __future__ import annotations

from pathlib import Path

from data.store import Store


def memory_limit(store: Store) -> str:
    return store.cursor().execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_a_store_on_disk_bounds_duckdbs_memory_and_one_in_memory_keeps_the_default(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "fw.duckdb") as on_disk:
        assert memory_limit(on_disk) == "953.6 MiB"  # 1GB as DuckDB shows it
    with Store() as in_memory:
        default = memory_limit(in_memory)
        assert default != "953.6 MiB"


def test_a_version_3_store_is_taken_as_it_is_and_an_older_one_refused(tmp_path: Path) -> None:
    import pytest

    from data.store import SCHEMA_VERSION, StoreError

    db = tmp_path / "fw.duckdb"

    def set_version(v: str) -> None:
        with Store(db) as store:
            store.cursor().execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [v])

    set_version("3")
    with Store(db) as store:  # 4 adds only the per-day sums: a 3 store opens, and becomes 4
        version = (
            store.cursor().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        )
        assert version == [(SCHEMA_VERSION,)]
    set_version("2")
    with pytest.raises(StoreError, match="store version 2"):
        Store(db)


def checkpoint_threshold(store: Store) -> str:
    return store.cursor().execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]


def test_a_scan_holds_checkpoints_back_while_it_loads_and_gives_them_back_after(
    tmp_path: Path, monkeypatch
) -> None:
    import pytest

    from data import ingest
    from data.config import Config
    from data.ingest import Ingestor

    log = tmp_path / "queue_log"
    log.write_text("1760000000|c1|support|NONE|ENTERQUEUE||5550001|1\n")
    seen: list[str] = []
    write_batch = ingest.write_batch

    def spying(store, *args, **kwargs):
        seen.append(checkpoint_threshold(store))
        return write_batch(store, *args, **kwargs)

    monkeypatch.setattr(ingest, "write_batch", spying)
    with Store() as store:
        default = checkpoint_threshold(store)
        Ingestor(store, Config(timezone="UTC"), tmp_path).scan([tmp_path])
        assert seen == ["953.6 MiB"]  # BULK_CHECKPOINT_THRESHOLD (1GB) as DuckDB shows it
        assert checkpoint_threshold(store) == default != seen[0]

        def failing(*args, **kwargs):
            raise RuntimeError("the disk went away")

        monkeypatch.setattr(ingest, "write_batch", failing)
        log.write_text(log.read_text() * 2)  # something new to read
        with pytest.raises(RuntimeError):
            Ingestor(store, Config(timezone="UTC"), tmp_path).scan([tmp_path])
        assert checkpoint_threshold(store) == default


def test_compress_packs_what_a_bulk_load_left_and_a_failure_is_not_raised() -> None:
    with Store() as store:
        cur = store.cursor()

        def used_mb() -> float:
            return cur.execute(
                "SELECT sum(memory_usage_bytes) / 1e6 FROM duckdb_memory()"
            ).fetchone()[0]

        with store.bulk_load():
            cur.execute(
                "INSERT INTO queue_events SELECT i, 1, i, make_timestamptz(i * 1000000), "
                "'call-' || (i // 3), 'support', 'NONE', 'ENTERQUEUE', '', '5550001', '1', "
                "NULL, NULL FROM range(500000) r(i)"
            )
        loose = used_mb()
        store.compress()
        assert used_mb() < loose / 2
        store.close()
        store.compress()  # a closed store: nothing to do, nothing raised
