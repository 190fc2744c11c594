"""Refresher: the console's refreshes, one at a time and in order, on a thread of their own."""

from __future__ import annotations

import threading

from tui.refresher import Refresher


def test_jobs_run_in_order_one_at_a_time_off_the_callers_thread() -> None:
    ran: list[tuple[int, threading.Thread]] = []
    running = 0
    overlapped = False
    done = threading.Event()

    def job(i: int):
        def run() -> None:
            nonlocal running, overlapped
            running += 1
            overlapped |= running > 1
            ran.append((i, threading.current_thread()))
            running -= 1
            if i == 9:
                done.set()

        return run

    refresher = Refresher(lambda e: None)
    for i in range(10):
        refresher.submit(job(i))
    assert done.wait(5)
    assert [i for i, _ in ran] == list(range(10))
    assert not overlapped
    assert all(t is not threading.current_thread() for _, t in ran)
    assert refresher.stop(timeout=5)


def test_a_failing_job_is_reported_and_the_next_one_still_runs() -> None:
    failures: list[Exception] = []
    after = threading.Event()

    def broken() -> None:
        raise RuntimeError("no such table")

    refresher = Refresher(failures.append)
    refresher.submit(broken)
    refresher.submit(after.set)
    assert after.wait(5)
    assert [str(e) for e in failures] == ["no such table"]
    assert refresher.stop(timeout=5)


def test_stop_lets_the_running_job_end_and_skips_the_queued_ones() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def long() -> None:
        started.set()
        release.wait(5)
        ran.append("long")

    refresher = Refresher(lambda e: None)
    refresher.submit(long)
    refresher.submit(lambda: ran.append("queued"))
    assert started.wait(5)
    assert not refresher.stop(timeout=0.05)  # still running the long job
    release.set()
    assert refresher.stop(timeout=5)
    assert ran == ["long"]


def test_even_a_base_exception_is_reported_and_a_failing_report_does_not_end_the_thread() -> None:
    reports: list[BaseException] = []
    after = threading.Event()

    def exits() -> None:
        raise SystemExit(3)

    def report(e: BaseException) -> None:
        reports.append(e)
        raise RuntimeError("the app is gone")

    refresher = Refresher(report)
    refresher.submit(exits)
    refresher.submit(after.set)
    assert after.wait(5)
    assert [type(e) for e in reports] == [SystemExit]
    assert refresher.stop(timeout=5)
