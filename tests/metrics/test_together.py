"""together(): independent queries side by side, each on its own cursor of the same database."""

from __future__ import annotations

import threading

import duckdb
import pytest

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
