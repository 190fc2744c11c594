"""The Queues chart's comparison: the whole comparison span (the rest of the day ahead shows),
but the interval holding "now, a week earlier" counts only up to then, as the interval holding
now does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.config import Config
from data.store import Store
from tests.metrics.conftest import answered, insert
from tui.panes.queues import QueuesPane
from tui.view import View

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 14:00 in Paris
CFG = Config(timezone="Europe/Paris")


def offered(rows) -> list[int]:
    return [r["offered"] for r in rows]


def test_the_comparison_interval_holding_now_counts_up_to_the_same_time() -> None:
    with Store() as store:
        # Today: two calls before 14:00. A week earlier: one at 13:10 and two after 14:00.
        insert(
            store, "contacts", [answered("2026-03-10 09:00", 5), answered("2026-03-10 13:30", 5)]
        )
        insert(
            store,
            "contacts",
            [
                answered("2026-03-03 13:10", 5),
                answered("2026-03-03 14:20", 5),
                answered("2026-03-03 16:00", 5),
            ],
        )
        cur = store.cursor()
        day = QueuesPane.fetch(cur, CFG, View(interval="day"), NOW)
        # One interval, today so far (2) against last Tuesday until 14:00 (1), not its whole day (3).
        assert offered(day.intervals) == [2] and offered(day.comparison) == [1]
        hour = QueuesPane.fetch(cur, CFG, View(interval="hour"), NOW)
        by_hour = {r["start"].hour: r["offered"] for r in hour.comparison}
        # The comparison's later hours still show in full (the day ahead); 14:00 began at 14:00.
        assert (by_hour[13], by_hour[14], by_hour[16]) == (1, 0, 1)
        half = QueuesPane.fetch(cur, CFG, View(interval="hour"), NOW + timedelta(minutes=30))
        by_hour = {r["start"].hour: r["offered"] for r in half.comparison}
        assert (by_hour[14], by_hour[16]) == (1, 1)  # 14:20 is before 14:30, a week earlier
        yesterday = QueuesPane.fetch(cur, CFG, View(period="yesterday", interval="day"), NOW)
        assert offered(yesterday.comparison) == [0]  # an ended period: whole intervals
