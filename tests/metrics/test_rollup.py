"""The per-day sums of closed days (data/metrics/rollup.py) give the figures added up from the
contacts (counts exactly; sums of fractional values such as ratings mapped from another scale to
within rounding, being added in another order), and are forgotten when a contact of their day
changes."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from data.config import load_config
from data.demo import write_demo_folder
from data.ingest import Ingestor
from data.metrics import Filters, kpis, mix, quality, resolve_period, rollup, volume, written
from data.metrics.period import Period, custom_period
from data.store import Store

PARIS = ZoneInfo("Europe/Paris")
# Ten days of demo history up to a Thursday after the spring DST change (29 March 2026), so the
# kept days include a 23-hour one.
NOW = datetime(2026, 4, 2, 14, 0, tzinfo=PARIS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_folder(folder, clock=lambda: NOW, history_days=10)
    cfg = load_config(folder / "floorwatch.toml")
    store = Store()
    ingestor = Ingestor(store, cfg, folder)
    ingestor.scan([folder])
    while ingestor.keep_day_sums(NOW):
        pass
    yield folder, store, cfg, ingestor
    store.close()


def same(a: Any, b: Any, path: str = "") -> None:
    """Equal, floats to rounding (sums added in another order)."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            same(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    else:
        assert a == b, (path, a, b)


def write_conversation(
    folder: Path, name: str, at: str, channel: str, queue: str, customer: str, status: str
) -> Path:
    """A conversation of one customer message, as the chat/ticket JSONL reader takes it."""
    lines = [
        {"type": "conversation", "conversation_id": name, "ts": at, "created_at": at,
         "channel": channel, "queue": queue, "status": status, "customer": customer},
        {"conversation_id": name, "ts": at, "role": "customer", "author": customer,
         "channel": channel, "queue": queue, "text": "hello"},
    ]  # fmt: skip
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in lines), "utf-8")
    return path


def first_chat_without_repeat(cur, day: datetime) -> tuple[str, datetime]:
    """(customer, offered_at) of the first chat that morning whose customer has no later contact."""
    return cur.execute(
        """SELECT customer, offered_at FROM contacts
WHERE source = 'chat_jsonl' AND customer IS NOT NULL AND offered_at >= $lo AND offered_at < $hi
  AND next_contact_at = 'infinity' ORDER BY offered_at LIMIT 1""",
        {"lo": day, "hi": day + timedelta(hours=12)},
    ).fetchone()


def is_kept(cur, day: datetime) -> bool:
    sql = "SELECT count(*) FROM rollup_days WHERE day_start = $d"
    return cur.execute(sql, {"d": day}).fetchall()[0][0] == 1


def from_contacts(monkeypatch, cur, cfg, period, filters, keys) -> dict:
    with monkeypatch.context() as m:
        m.setattr(rollup, "cover", lambda *a, **k: None)
        return kpis.kpi_sets(cur, cfg, period, filters, NOW, keys)


def test_closed_days_are_kept_and_the_newest_days_are_not(demo) -> None:
    store = demo[1]
    cur = store.cursor()
    days = [r[0] for r in cur.execute("SELECT day_start FROM rollup_days ORDER BY 1").fetchall()]
    local = [d.astimezone(PARIS) for d in days]
    # At 14:00 on 2 April, today and 1 April are open (1 April ended 14 h ago, less than a day
    # plus stale_after_s); 31 March ended 38 h ago: kept. The history starts on 23 March.
    assert local[-1].date().isoformat() == "2026-03-31"
    assert local[0].date().isoformat() == "2026-03-23"
    assert all(d.hour == 0 and d.minute == 0 for d in local)
    spring = cur.execute(
        "SELECT day_end - day_start FROM rollup_days WHERE day_start = $d",
        {"d": datetime(2026, 3, 29, tzinfo=PARIS)},
    ).fetchone()[0]
    assert spring == timedelta(hours=23)


PERIODS = ["7d", "week", "30d", "custom"]
KEYS = [
    ("total",),
    ("total", "agent", "queue", "channel", "day", "topic"),
    ("team", "agent"),
    ("total", "queue", "day"),
    ("topic",),
]
FILTERS = [
    Filters(),
    Filters(queue="billing"),
    Filters(channel="chat"),
    Filters(team="Aurora"),
    Filters(agent="Marc Dubois"),
]


def named_period(name: str, cfg):
    """One of PERIODS: a named period at NOW, or 'custom' (24 March to 1 April)."""
    if name == "custom":
        return custom_period("2026-03-24", "2026-04-01", cfg)
    return resolve_period(name, cfg, NOW)


@pytest.mark.parametrize("name", PERIODS)
def test_every_figure_from_kept_days_equals_the_one_added_up_from_contacts(
    demo, monkeypatch, name
) -> None:
    _, store, cfg, _ = demo
    cur = store.cursor()
    period = named_period(name, cfg)
    used = weeks = 0
    for keys in KEYS:
        for filters in FILTERS:
            size = next((k for k in keys if k == "day"), None)
            cover = rollup.cover(cur, cfg, period, filters, keys, size, NOW)
            used += cover is not None
            weeks += bool(cover and cover.weeks)
            kept = kpis.kpi_sets(cur, cfg, period, filters, NOW, keys)
            same(kept, from_contacts(monkeypatch, cur, cfg, period, filters, keys), f"{keys}")
    if name != "week":  # this week began on Monday 30 March: one kept day, too few to use
        assert used > 10
    assert bool(weeks) == (name == "30d")  # the only period holding a whole kept week


@pytest.mark.parametrize("name", PERIODS)
def test_top_reasons_from_kept_days_equal_those_counted_from_contacts(
    demo, monkeypatch, name
) -> None:
    _, store, cfg, _ = demo
    cur = store.cursor()
    period = named_period(name, cfg)
    used, rows = 0, 0
    for filters in FILTERS:
        used += rollup.cover(cur, cfg, period, filters, ("topic",), None, NOW) is not None
        kept = mix.top_reasons(cur, cfg, period, filters, NOW)
        with monkeypatch.context() as m:
            m.setattr(rollup, "cover", lambda *a, **k: None)
            counted = mix.top_reasons(cur, cfg, period, filters, NOW)
        rows += len(kept)
        assert len(kept) == len(counted), filters
        for a, b in zip(kept, counted, strict=True):
            same(a, b, f"{filters}")
    assert rows > 10
    if name != "week":
        assert used >= 3  # all but the agent and team filters


def test_a_late_file_for_a_kept_day_forgets_it_and_the_figure_follows(
    demo, monkeypatch, tmp_path
) -> None:
    folder, store, cfg, ingestor = demo
    cur = store.cursor()
    period = resolve_period("7d", cfg, NOW)
    before = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, ("total", "channel"))
    day = datetime(2026, 3, 28, tzinfo=PARIS)
    assert is_kept(cur, day)
    at = "2026-03-28T10:00:00+01:00"
    late = write_conversation(folder, "late", at, "email", "email", "x@example.com", "resolved")
    result = ingestor.apply([late])
    assert result.loaded >= 1
    assert not is_kept(cur, day)  # forgotten with the write
    after = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, ("total", "channel"))
    assert after["total"][None]["offered"] == before["total"][None]["offered"] + 1
    assert after["channel"]["email"]["offered"] == before["channel"]["email"]["offered"] + 1
    assert ingestor.keep_day_sums(NOW) == 1  # kept again
    again = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, ("total", "channel"))
    same(again, after)
    same(again, from_contacts(monkeypatch, cur, cfg, period, Filters(), ("total", "channel")))


def test_a_customers_new_contact_forgets_the_day_of_their_previous_one(demo, monkeypatch) -> None:
    """FCR looks ahead: a repeat contact today changes whether an older one was resolved first
    time, so the older contact's day is forgotten too."""
    folder, store, cfg, ingestor = demo
    cur = store.cursor()
    day = datetime(2026, 3, 31, tzinfo=PARIS)
    customer, offered = first_chat_without_repeat(cur, day)
    ingestor.keep_day_sums(NOW)
    assert is_kept(cur, day)
    at = (offered + timedelta(hours=30)).isoformat()
    repeat = write_conversation(folder, "repeat", at, "chat", "chat-support", customer, "open")
    ingestor.apply([repeat])
    assert not is_kept(cur, day)
    period = custom_period("2026-03-24", "2026-04-01", cfg)
    ingestor.keep_day_sums(NOW)
    keys = ("total", "agent")
    same(
        kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys),
        from_contacts(monkeypatch, cur, cfg, period, Filters(), keys),
    )


def test_days_kept_under_another_configuration_are_not_used(demo) -> None:
    _, store, cfg, _ = demo
    cur = store.cursor()
    period = resolve_period("30d", cfg, NOW)
    assert rollup.cover(cur, cfg, period, Filters(), ("total",), None, NOW) is not None
    other = cfg.model_copy(update={"short_abandon_s": cfg.short_abandon_s + 1})
    assert rollup.config_key(other) != rollup.config_key(cfg)
    assert rollup.cover(cur, other, period, Filters(), ("total",), None, NOW) is None


def test_agent_filtered_topics_and_finer_intervals_are_added_up_from_contacts(demo) -> None:
    _, store, cfg, _ = demo
    cur = store.cursor()
    period = resolve_period("30d", cfg, NOW)
    topic = ("total", "topic")
    assert rollup.cover(cur, cfg, period, Filters(agent="Marc Dubois"), topic, None, NOW) is None
    assert rollup.cover(cur, cfg, period, Filters(), ("hour",), "hour", NOW) is None
    assert rollup.cover(cur, cfg, period, Filters(queue="billing"), topic, None, NOW) is not None


class NoQueries:
    """A cursor that fails the test if anything is asked of the store."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"unexpected query: {args[0]!r}")


def test_a_period_too_short_to_hold_kept_days_asks_the_store_nothing(demo) -> None:
    _, _, cfg, _ = demo
    today = resolve_period("today", cfg, NOW)
    week_ago = Period(today.start - timedelta(days=7), NOW - timedelta(days=7), "comparison")
    for period in (today, week_ago, resolve_period("yesterday", cfg, NOW)):
        assert not rollup.may_hold_days(cfg, period, NOW)
        assert rollup.cover(NoQueries(), cfg, period, Filters(), ("total",), None, NOW) is None
    # Two whole closed days (the 23-hour spring-forward day among them) are enough to look.
    two = Period(datetime(2026, 3, 29, tzinfo=PARIS), datetime(2026, 3, 31, tzinfo=PARIS), "two")
    assert rollup.may_hold_days(cfg, two, NOW)
    one_short = Period(two.start + timedelta(minutes=1), two.end, "short")
    assert not rollup.may_hold_days(cfg, one_short, NOW)
    assert rollup.may_hold_days(cfg, resolve_period("7d", cfg, NOW), NOW)


def test_a_store_without_kept_days_is_added_up_from_contacts(tmp_path: Path) -> None:
    with Store(tmp_path / "fw.duckdb") as store:
        cfg = load_config(None)
        period = resolve_period("30d", cfg, NOW)
        assert rollup.cover(store.cursor(), cfg, period, Filters(), ("total",), None, NOW) is None
        rollup.forget(store.cursor(), {1})  # nothing kept: nothing to forget, no error


@pytest.mark.parametrize(
    ("keys", "filters", "source"),
    [
        (("total",), Filters(), "qc"),
        (("total", "queue", "channel", "day"), Filters(channel="chat"), "qc"),
        (("total", "agent"), Filters(), "combo"),
        (("total", "queue"), Filters(agent="Marc Dubois"), "combo"),
        (("total", "queue"), Filters(team="Aurora"), "combo"),
    ],
)
def test_figures_without_an_agent_read_the_queue_channel_rows(
    demo, monkeypatch, keys, filters, source
) -> None:
    """The queue × channel rows stand in for the agent rows when no agent is asked for; which rows
    a figure reads is seen in its SQL, and the figure equals the contacts' either way."""
    _, store, cfg, _ = demo
    cur = store.cursor()
    period = resolve_period("30d", cfg, NOW)
    seen: list[str] = []
    real = kpis.run

    def spy(c, sql, values):
        seen.append(sql)
        return real(c, sql, values)

    with monkeypatch.context() as m:
        m.setattr(kpis, "run", spy)
        kept = kpis.kpi_sets(cur, cfg, period, filters, NOW, keys)
    main = next(q for q in seen if "day_partials" in q)
    other = {"qc": "combo", "combo": "qc"}[source]
    kept_from = "kept\nWHERE gset = '{}'"
    assert kept_from.format(source) in main and kept_from.format(other) not in main
    same(kept, from_contacts(monkeypatch, cur, cfg, period, filters, keys), f"{keys}")


def test_whole_weeks_of_kept_days_are_summed_and_forgotten_with_any_of_their_days(demo) -> None:
    _, store, cfg, ingestor = demo
    while ingestor.keep_day_sums(NOW):  # what another test forgot
        pass
    cur = store.cursor()
    weeks = cur.execute("SELECT week_start, week_end FROM rollup_weeks").fetchall()
    # Kept days run from Monday 23 March to Tuesday 31 March: one whole week, 167 hours long
    # (the clocks went forward on the 29th).
    monday, next_monday = datetime(2026, 3, 23, tzinfo=PARIS), datetime(2026, 3, 30, tzinfo=PARIS)
    assert weeks == [(monday, next_monday)]
    assert next_monday.timestamp() - monday.timestamp() == 167 * 3600
    cov = rollup.cover(cur, cfg, resolve_period("30d", cfg, NOW), Filters(), ("agent",), None, NOW)
    assert cov is not None and cov.weeks == ((monday, next_monday),)
    # Its rows add up its days' rows: offered by agent over the week.
    by_week = dict(
        cur.execute(
            "SELECT agent, sum(offered) FROM week_partials WHERE gset = 'combo' GROUP BY 1"
        ).fetchall()
    )
    by_day = dict(
        cur.execute(
            "SELECT agent, sum(offered) FROM day_partials WHERE gset = 'combo' "
            "AND day_start >= $a AND day_start < $b GROUP BY 1",
            {"a": monday, "b": next_monday},
        ).fetchall()
    )
    assert by_week == by_day and sum(by_week.values()) > 100
    cur.execute("BEGIN TRANSACTION")
    try:
        wednesday_noon = int(datetime(2026, 3, 25, 12, tzinfo=PARIS).timestamp()) // 3600
        rollup.forget(cur, [wednesday_noon])
        assert cur.execute("SELECT count(*) FROM rollup_weeks").fetchall() == [(0,)]
        assert cur.execute("SELECT count(*) FROM week_partials").fetchall() == [(0,)]
        assert not is_kept(cur, datetime(2026, 3, 25, tzinfo=PARIS))
        assert is_kept(cur, datetime(2026, 3, 24, tzinfo=PARIS))
    finally:
        cur.execute("ROLLBACK")


def test_a_week_whose_day_another_version_forgot_is_not_used(demo, monkeypatch) -> None:
    """An older floorwatch writing the same store forgets days but knows nothing of weeks: a week
    counts only while all seven of its days are kept."""
    _, store, cfg, ingestor = demo
    while ingestor.keep_day_sums(NOW):
        pass
    cur = store.cursor()
    period = resolve_period("30d", cfg, NOW)
    keys = ("total", "agent")
    cur.execute("BEGIN TRANSACTION")
    try:
        cur.execute(
            "DELETE FROM rollup_days WHERE day_start = $d",
            {"d": datetime(2026, 3, 25, tzinfo=PARIS)},
        )
        cover = rollup.cover(cur, cfg, period, Filters(), keys, None, NOW)
        assert cover is not None and cover.weeks == ()
        kept = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys)
        same(kept, from_contacts(monkeypatch, cur, cfg, period, Filters(), keys))
    finally:
        cur.execute("ROLLBACK")


def test_a_week_whose_day_was_forgotten_behind_its_back_is_summed_again(demo, monkeypatch) -> None:
    """An older floorwatch forgets a day (and a later build keeps it again) without touching the
    week: the next build drops the week and sums it again from its days, never reusing it."""
    _, store, cfg, ingestor = demo
    while ingestor.keep_day_sums(NOW):
        pass
    cur = store.cursor()
    wednesday = datetime(2026, 3, 25, tzinfo=PARIS)
    # What the older writer leaves: the day gone, the week's rows as they were (here made wrong,
    # as they would be once a contact of that day changed).
    cur.execute("DELETE FROM rollup_days WHERE day_start = $d", {"d": wednesday})
    cur.execute("DELETE FROM day_partials WHERE day_start = $d", {"d": wednesday})
    cur.execute("UPDATE week_partials SET offered = offered + 1000")
    while ingestor.keep_day_sums(NOW):
        pass
    assert is_kept(cur, wednesday)
    sql = "SELECT sum(offered) FROM {} WHERE gset = 'combo'{}"
    (week,) = cur.execute(sql.format("week_partials", "")).fetchone()
    (days,) = cur.execute(
        sql.format("day_partials", " AND day_start >= $a AND day_start < $b"),
        {"a": datetime(2026, 3, 23, tzinfo=PARIS), "b": datetime(2026, 3, 30, tzinfo=PARIS)},
    ).fetchone()
    assert week == days
    period, keys = resolve_period("30d", cfg, NOW), ("total", "agent")
    kept = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys)
    same(kept, from_contacts(monkeypatch, cur, cfg, period, Filters(), keys))


def test_a_store_with_only_the_day_tables_still_forgets_its_days(tmp_path: Path) -> None:
    """A store kept by the version before weeks: writes forget its days all the same."""
    with Store() as store:
        cur = store.cursor()
        cur.execute(rollup._DAYS_DDL)
        cur.execute("CREATE TABLE day_partials (config_key VARCHAR, day_start TIMESTAMPTZ)")
        day = datetime(2026, 3, 25, tzinfo=PARIS)
        cur.execute(
            "INSERT INTO rollup_days VALUES ('k', $d, $e)", {"d": day, "e": day + timedelta(days=1)}
        )
        cur.execute("INSERT INTO day_partials VALUES ('k', $d)", {"d": day})
        rollup.forget(cur, [int((day + timedelta(hours=9)).timestamp()) // 3600])
        assert cur.execute("SELECT count(*) FROM rollup_days").fetchall() == [(0,)]
        assert cur.execute("SELECT count(*) FROM day_partials").fetchall() == [(0,)]


def test_kept_partials_combine_over_days_as_the_second_stage_does() -> None:
    """rollup._combine (sum, max, bool_or per partial column) must match how kpis adds partials up
    in TOTALS; a new partial column with another combination would break kept figures."""
    from data.config import Config

    totals = f"{volume.TOTALS},{written.TOTALS},{quality.TOTALS}"
    for name in rollup.partial_names(Config()):
        found = re.findall(rf"\b(sum|max|bool_or|min)\({name}\)", totals)
        assert found, name
        assert set(found) == {rollup._combine(name)}, name


def test_a_repeat_contact_beyond_the_fcr_window_keeps_the_earlier_day(demo, monkeypatch) -> None:
    """A customer's next contact 200 h later (window 168 h) changes next_contact_at of the
    earlier one but not its FCR: its day stays kept, and the figures stay the contacts'."""
    folder, store, cfg, ingestor = demo
    assert cfg.fcr_window_h == 168
    cur = store.cursor()
    ingestor.keep_day_sums(NOW)
    day = datetime(2026, 3, 24, tzinfo=PARIS)
    customer, offered = first_chat_without_repeat(cur, day)
    assert is_kept(cur, day)
    at = (offered + timedelta(hours=200)).isoformat()
    later = write_conversation(folder, "later", at, "chat", "chat-support", customer, "open")
    ingestor.apply([later])
    nxt = cur.execute(
        "SELECT next_contact_at FROM contacts WHERE customer = $c AND offered_at = $o",
        {"c": customer, "o": offered},
    ).fetchone()[0]
    assert nxt == offered + timedelta(hours=200)  # it did change
    assert is_kept(cur, day)  # but the day is still kept
    period = custom_period("2026-03-23", "2026-04-01", cfg)
    keys = ("total", "agent", "day")
    same(
        kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys),
        from_contacts(monkeypatch, cur, cfg, period, Filters(), keys),
    )


def test_days_forgotten_here_and_there_leave_several_runs_all_used(demo, monkeypatch) -> None:
    _, store, cfg, ingestor = demo
    cur = store.cursor()
    ingestor.keep_day_sums(NOW)
    hour = int(datetime(2026, 3, 27, 12, tzinfo=PARIS).timestamp() * 1e6) // rollup.HOUR_US
    rollup.forget(cur, {hour})  # as a write touching 27 March would
    period = resolve_period("30d", cfg, NOW)
    keys = ("total", "agent", "queue", "channel", "day", "topic")
    cover = rollup.cover(cur, cfg, period, Filters(), keys, "day", NOW)
    assert cover is not None and len(cover.runs) == 2
    assert cover.runs[0][1].astimezone(PARIS).day == 27  # the first run ends where 27th begins
    for filters in (Filters(), Filters(channel="voice"), Filters(team="Boreal")):
        same(
            kpis.kpi_sets(cur, cfg, period, filters, NOW, keys),
            from_contacts(monkeypatch, cur, cfg, period, filters, keys),
        )
    assert ingestor.keep_day_sums(NOW) == 1


def test_contacts_without_next_contact_at_are_kept_and_counted_alike(demo, monkeypatch) -> None:
    """Rows written straight into the table lack next_contact_at: FCR works it out in the query
    (sql._fcr_fallback_ctes). Keeping their days, and interval starts joined by ASOF (zones whose
    starts are not on 15-minute UTC boundaries), must still give the contacts' figures. Runs last:
    it puts the shared store back as it was."""
    from data import derive

    _, store, cfg, ingestor = demo
    cur = store.cursor()
    cur.execute(
        "UPDATE contacts SET next_contact_at = NULL WHERE customer IS NOT NULL AND offered_at < $t",
        {"t": datetime(2026, 3, 30, tzinfo=PARIS)},
    )
    rollup.forget_all(cur)
    try:
        while ingestor.keep_day_sums(NOW):
            pass
        period = resolve_period("30d", cfg, NOW)
        keys = ("total", "agent", "day", "topic")
        assert rollup.cover(cur, cfg, period, Filters(), keys, "day", NOW) is not None
        kept = kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys)
        same(kept, from_contacts(monkeypatch, cur, cfg, period, Filters(), keys))
        with monkeypatch.context() as m:
            # As in a zone whose day starts are not on 15-minute UTC boundaries.
            m.setattr(
                kpis,
                "interval_params",
                lambda period, size, zone: {"starts": kpis.interval_starts(period, size, zone)},
            )
            same(kpis.kpi_sets(cur, cfg, period, Filters(), NOW, keys), kept)
    finally:
        derive.refresh_all_next_contacts(cur)
        while ingestor.keep_day_sums(NOW):
            pass
