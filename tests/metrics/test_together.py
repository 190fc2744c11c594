"""together(): independent queries side by side, each on its own cursor of the same database."""

from __future__ import annotations

import gc
import threading

import duckdb
import pytest

from data import cursor_zones
from data.metrics import together as together_module
from data.metrics.together import together


@pytest.fixture
def cur():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
    yield con
    con.close()


def test_calls_run_at_the_same_time_and_results_come_back_in_call_order(cur) -> None:
    # Each call waits for the other two: run one after another, they would time out.
    all_running = threading.Barrier(3, timeout=10)

    def count_below(n: int):
        def call(c):
            all_running.wait()
            return c.execute("SELECT count(*) FROM t WHERE i < $n", {"n": n}).fetchone()[0]

        return call

    assert together(cur, count_below(10), count_below(500), count_below(2000)) == [10, 500, 1000]


def test_every_cursor_works_in_the_callers_time_zone(cur) -> None:
    def zone(c):
        return c.execute("SELECT current_setting('TimeZone')").fetchone()[0]

    assert together(cur, zone, zone) == ["America/New_York", "America/New_York"]


def test_an_error_in_any_call_is_raised_after_all_have_ended(cur) -> None:
    ended = threading.Event()

    def slow(c):
        c.execute("SELECT count(*) FROM range(2000000)").fetchone()
        ended.set()
        return 1

    def broken(c):
        c.execute("SELECT * FROM no_such_table")

    with pytest.raises(duckdb.CatalogException):
        together(cur, broken, slow)
    assert ended.is_set()


def test_a_call_may_itself_run_calls_together(cur) -> None:
    def inner(c):
        return sum(together(c, lambda d: 1, lambda d: 2))

    assert together(cur, inner, inner, lambda c: 0) == [3, 3, 0]


def test_the_first_call_runs_in_the_callers_thread_on_its_cursor(cur) -> None:
    def where(c):
        return threading.current_thread(), c

    (first_thread, first_cursor), (other_thread, other_cursor) = together(cur, where, where)
    assert first_thread is threading.current_thread() and first_cursor is cur
    assert other_thread is not threading.current_thread() and other_cursor is not cur


def test_helper_threads_are_kept_between_calls(cur) -> None:
    def name(c):
        return threading.current_thread().ident

    together(cur, name, name, name)
    before = threading.active_count()
    for _ in range(20):
        together(cur, name, name, name)
    assert threading.active_count() == before


def test_past_the_helper_limit_calls_run_in_the_callers_thread_after_its_own(
    cur, monkeypatch
) -> None:
    monkeypatch.setattr(together_module, "MAX_HELPERS", 0)
    monkeypatch.setattr(together_module, "_idle", [])  # none kept from the tests before
    order: list[int] = []

    def step(i: int):
        def call(c):
            order.append(i)
            return threading.current_thread(), c.execute("SELECT $i", {"i": i}).fetchone()[0]

        return call

    results = together(cur, step(0), step(1), step(2))
    assert [v for _, v in results] == [0, 1, 2]
    assert all(t is threading.current_thread() for t, _ in results)
    assert order == [0, 1, 2]


def test_a_known_zone_is_not_asked_of_the_database_and_new_cursors_do_not_inherit_it() -> None:
    con = duckdb.connect()
    try:
        cur = con.cursor()
        cur.execute("SET TimeZone = 'Asia/Tokyo'")
        cursor_zones.remember(cur, "Asia/Tokyo")
        assert cursor_zones.known(cur) == "Asia/Tokyo"
        assert cursor_zones.known(con.cursor()) is None

        def zone(c):
            return c.execute("SELECT current_setting('TimeZone')").fetchone()[0]

        assert together(cur, zone, zone) == ["Asia/Tokyo", "Asia/Tokyo"]
        # The registry, not the database, is asked: a wrong entry shows in the helper's cursor.
        cursor_zones.remember(cur, "Europe/Paris")
        assert together(cur, zone, zone) == ["Asia/Tokyo", "Europe/Paris"]
        cursor_zones.forget(cur)
        assert cursor_zones.known(cur) is None
    finally:
        con.close()


def test_a_closed_cursor_leaves_the_registry() -> None:
    con = duckdb.connect()
    try:
        cur = con.cursor()
        cursor_zones.remember(cur, "UTC")
        key = id(cur)
        del cur
        gc.collect()
        assert key not in cursor_zones._zones
    finally:
        con.close()
