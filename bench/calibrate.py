"""How fast this machine is right now, to compare figures taken on different days.

    .venv/bin/python bench/calibrate.py

Two fixed loads: 5M iterations of a Python loop, and a 50M-row sum in DuckDB on one thread. The
figures in the README's Performance section and in bench/HISTORY.md quote these beside each
session's measurements; the machine is shared, and the same code has measured 2.5x apart from one
day to another.
"""

from __future__ import annotations

import time

import duckdb


def python_loop() -> float:
    # At module level, as the figures in the README were first taken (names looked up in a dict,
    # about twice the time of the same loop on a function's locals).
    code = "total = 0\nfor i in range(5_000_000):\n    total += i * i % 7\n"
    t0 = time.perf_counter()
    exec(code, {})
    return time.perf_counter() - t0


def duckdb_sum() -> float:
    con = duckdb.connect()
    con.execute("SET threads = 1")
    t0 = time.perf_counter()
    con.execute("SELECT sum(hash(i) % 7) FROM range(50000000) r(i)").fetchall()
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"calibration: python {python_loop():.2f} s, duckdb one thread {duckdb_sum():.2f} s")
