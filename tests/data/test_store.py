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
