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
