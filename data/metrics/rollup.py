"""Per-day partial sums of closed days, kept in the store: a 30-day figure adds up a few hundred
thousand partial rows instead of five million contacts.

A closed day is a local day that ended more than `stale_after_s` plus a day ago: no contact of it
can still turn stale, so its partial sums depend only on the stored rows and the configuration.
They are kept per configuration (`config_key`: the partial-sum SQL and every setting it reads),
per day, in three groupings: agent × queue × channel ('combo'), topic × queue × channel ('topic')
and queue × channel ('qc': the few rows a figure with no agent in it adds up).

Whole local weeks (Monday to Monday) of kept days are summed once more ('week_partials'): a 30-day
figure by agent then adds up three weeks and the days around them, not 28 days of agent rows.

Only the additive part is kept (METRICS.md's counts, sums, maxima); medians, reply waits and the
backlog are always worked out from the contacts. A day is forgotten in the same transaction as any
change to a contact offered on it (derive.Touched.hours: inserts, deletes, next_contact_at
updates), so a figure never mixes a stale day in. Days are built by the process that ingests
(Ingestor, holding the store's write lock), a few at a time; a period whose days are not built yet
is added up from the contacts as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from data.config import Config
from data.metrics import quality, volume, written
from data.metrics.filters import Filters
from data.metrics.period import Period, midnight
from data.metrics.sql import KEYS, filter_sql, interval_sql, params, slice_sql

# How far back days are kept: the 30-day period and its comparison a week earlier, with margin.
KEEP_DAYS = 62
# A day is closed this long (plus stale_after_s) after it ended.
CLOSED_AFTER = timedelta(days=1)
# Days built per call of `build` (newest first): ~0.2 s a day at 10M contacts, and ingest waits
# on the write lock meanwhile.
BUILD_PER_CALL = 2
# A period needs at least this many closed days built to use them.
MIN_DAYS = 2

_DAYS_DDL = """CREATE TABLE IF NOT EXISTS rollup_days (
    config_key VARCHAR, day_start TIMESTAMPTZ, day_end TIMESTAMPTZ)"""
_WEEKS_DDL = """CREATE TABLE IF NOT EXISTS rollup_weeks (
    config_key VARCHAR, week_start TIMESTAMPTZ, week_end TIMESTAMPTZ)"""
_TABLES = ("rollup_days", "day_partials", "rollup_weeks", "week_partials")
_ORPHAN_WEEK_ROWS = """DELETE FROM week_partials p WHERE NOT EXISTS (
    SELECT 1 FROM rollup_weeks w WHERE w.config_key = p.config_key AND w.week_start = p.day_start)"""
# Part of the configuration key: bump it when what is kept, or how kept rows combine, changes in a
# way the SQL in the key does not show (_combine, _build_weeks), so that no store mixes versions.
ROLLUP_VERSION = 3
_NAME = re.compile(r"\bAS (\w+)\s*(?:,|$)")


def partials_sql(cfg: Config) -> str:
    return f"{volume.partials(cfg)},\n    {written.PARTIALS},\n    {quality.PARTIALS}"


def partial_names(cfg: Config) -> list[str]:
    return _NAME.findall(partials_sql(cfg))


def config_key(cfg: Config) -> str:
    """What the kept sums depend on: the SQL that makes them and the settings it reads."""
    p = params(cfg, Filters(), datetime(2000, 1, 1, tzinfo=UTC))  # the per-channel targets
    setting = {k: v for k, v in p.items() if k.startswith(("sl_", "frt_", "res_"))}
    setting |= {
        "tz": cfg.timezone,
        "short": cfg.short_abandon_s,
        "csat": cfg.csat_satisfied,
        "fcr_window_h": cfg.fcr_window_h,
        "stale_after_s": cfg.stale_after_s,
        "version": ROLLUP_VERSION,
        "sql": [
            partials_sql(cfg),
            slice_sql(("agent", "topic"), Filters()),
            _build_sql(cfg, False),
            _build_sql(cfg, True),
        ],
    }
    text = json.dumps(setting, sort_keys=True, default=str)
    return hashlib.md5(text.encode()).hexdigest()


# ---- which days -------------------------------------------------------------------------------
def local_day(day: date, cfg: Config) -> tuple[datetime, datetime]:
    """[start, end) of a local day as instants (23 or 25 hours on a DST day), as periods cut it."""
    return midnight(day, cfg.zone), midnight(day + timedelta(days=1), cfg.zone)


def closed_days(cfg: Config, now: datetime) -> list[tuple[datetime, datetime]]:
    """The closed local days of the last KEEP_DAYS, newest first."""
    limit = _closed_before(cfg, now)
    today = now.astimezone(cfg.zone).date()
    out = []
    for back in range(1, KEEP_DAYS + 1):
        start, end = local_day(today - timedelta(days=back), cfg)
        if end <= limit:
            out.append((start, end))
    return out


def may_hold_days(cfg: Config, period: Period, now: datetime) -> bool:
    """Whether MIN_DAYS local days closed as of `now` fit inside the period. Today, or a week ago
    up to this hour (the comparison), cannot hold one: no query is spent finding that out (the
    catalog lookup of `_exists` alone costs a few milliseconds of planning on every refresh)."""
    limit = min(period.end, _closed_before(cfg, now))
    day, found = period.start.astimezone(cfg.zone).date(), 0
    while found < MIN_DAYS:
        start, end = local_day(day, cfg)
        if end > limit:
            return False
        found += start >= period.start
        day += timedelta(days=1)
    return True


def _closed_before(cfg: Config, now: datetime) -> datetime:
    """A day that ended before this is closed at `now`."""
    return now - CLOSED_AFTER - timedelta(seconds=cfg.stale_after_s)


def _present(cur: Any) -> set[str]:
    """Which of the kept-sum tables the store has (a store of an older version: some)."""
    sql = """SELECT table_name FROM duckdb_tables()
WHERE table_name IN ('rollup_days', 'day_partials', 'rollup_weeks', 'week_partials')
  AND database_name = current_database() AND schema_name = 'main'"""
    # fetchall: a result left unfinished blocks register() on this cursor (DuckDB 2.0).
    return {r[0] for r in cur.execute(sql).fetchall()}


def _exists(cur: Any) -> bool:
    return len(_present(cur)) == len(_TABLES)


def keeps_days(cur: Any) -> bool:
    """Whether the store keeps any day's sums: a write must then find the hours it changes (to
    forget those days); without them (a cold load, check, report) it need not."""
    if "rollup_days" not in _present(cur):
        return False
    return bool(cur.execute("SELECT EXISTS (SELECT 1 FROM rollup_days)").fetchall()[0][0])


# ---- building (the ingesting process, under the store's write lock) ----------------------------
def _build_sql(cfg: Config, fallback: bool) -> str:
    """The partial rows of the contacts in [$start, $end), by day ($starts), in both groupings."""
    keys = ("day", "agent", "queue", "channel", "topic")
    c = interval_sql(slice_sql(keys, Filters(), fcr_fallback=fallback), {"starts": None})
    return f"""WITH {c}
SELECT $key AS config_key, k_day AS day_start,
    CASE WHEN GROUPING(k_agent) = 0 THEN 'combo' WHEN GROUPING(k_topic) = 0 THEN 'topic' ELSE 'qc' END
        AS gset,
    k_agent AS agent, k_queue AS queue, k_channel AS channel, k_topic AS topic,
    {partials_sql(cfg)}
FROM c
GROUP BY GROUPING SETS (
    (k_day, k_agent, k_queue, k_channel), (k_day, k_topic, k_queue, k_channel), (k_day, k_queue, k_channel))"""


def _runs(days: list[tuple[datetime, datetime]]) -> list[list[tuple[datetime, datetime]]]:
    """Consecutive days grouped (each group one pass over its span)."""
    runs: list[list[tuple[datetime, datetime]]] = []
    for day in sorted(days):
        if runs and runs[-1][-1][1] == day[0]:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def build(cur: Any, cfg: Config, now: datetime, limit: int | None = BUILD_PER_CALL) -> int:
    """Keep the partial sums of up to `limit` closed days that lack them (None: all), newest
    first; drop those of other configurations and of days older than KEEP_DAYS. Returns the number
    of days built. The caller holds the store's write lock (one writer: a day forgotten by a batch
    is not rebuilt from an older snapshot)."""
    from data.metrics.kpis import fcr_pending

    key = config_key(cfg)
    _ensure_tables(cur, cfg, key, now)
    ((lo, hi),) = cur.execute("SELECT min(offered_at), max(offered_at) FROM contacts").fetchall()
    # Days with no contact on either side of the data are not kept (a store of old exports, a
    # test's fixed dataset): nothing to add up, nothing to look up.
    closed = closed_days(cfg, now)
    wanted = [d for d in closed if lo is not None and d[1] > lo and d[0] <= hi]
    oldest = closed[-1][0] if closed else now
    cur.execute("BEGIN TRANSACTION")
    try:
        starts = ("day_start", "day_start", "week_start", "day_start")
        for table, start in zip(_TABLES, starts, strict=True):
            cur.execute(
                f"DELETE FROM {table} WHERE config_key <> $key OR {start} < $oldest",
                {"key": key, "oldest": oldest},
            )
        # A week missing one of its days was summed from a day since forgotten (by a writer that
        # knows nothing of weeks: an older floorwatch on the same store): summed again once its
        # days are all kept again, never reused.
        cur.execute(
            """DELETE FROM rollup_weeks w WHERE (SELECT count(*) FROM rollup_days d
    WHERE d.config_key = w.config_key AND d.day_start >= w.week_start
      AND d.day_start < w.week_end) < 7"""
        )
        cur.execute(_ORPHAN_WEEK_ROWS)
        built = {
            r[0]
            for r in cur.execute(
                "SELECT day_start FROM rollup_days WHERE config_key = $key", {"key": key}
            ).fetchall()
        }
        missing = [d for d in wanted if d[0] not in built][:limit]
        for run in _runs(missing):
            p = _params(cfg, key, run, now)
            sql = _build_sql(cfg, fcr_pending(cur, p))
            cur.execute(f"INSERT INTO day_partials {sql}", {k: p[k] for k in _used(sql)})
            cur.executemany(
                "INSERT INTO rollup_days VALUES (?, ?, ?)", [(key, s, e) for s, e in run]
            )
        _build_weeks(cur, cfg, key)
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return len(missing)


def _build_weeks(cur: Any, cfg: Config, key: str) -> None:
    """Sum every local week whose seven days are kept and that is not kept yet (in the caller's
    transaction)."""
    days = {
        r[0].astimezone(cfg.zone).date()
        for r in cur.execute(
            "SELECT day_start FROM rollup_days WHERE config_key = $key", {"key": key}
        ).fetchall()
    }
    have = {
        r[0].astimezone(cfg.zone).date()
        for r in cur.execute(
            "SELECT week_start FROM rollup_weeks WHERE config_key = $key", {"key": key}
        ).fetchall()
    }
    mondays = sorted({d - timedelta(days=d.weekday()) for d in days} - have)
    names = partial_names(cfg)
    sums = ", ".join(f"{_combine(n)}({n}) AS {n}" for n in names)
    for monday in mondays:
        if any(monday + timedelta(days=i) not in days for i in range(7)):
            continue
        start, end = midnight(monday, cfg.zone), midnight(monday + timedelta(days=7), cfg.zone)
        span = {"key": key, "start": start, "end": end}
        cur.execute(
            f"""INSERT INTO week_partials
SELECT config_key, $start AS day_start, gset, agent, queue, channel, topic, {sums}
FROM day_partials WHERE config_key = $key AND day_start >= $start AND day_start < $end
GROUP BY config_key, gset, agent, queue, channel, topic""",
            span,
        )
        cur.execute("INSERT INTO rollup_weeks VALUES ($key, $start, $end)", span)


def _ensure_tables(cur: Any, cfg: Config, key: str, now: datetime) -> None:
    """The two tables, with this version's partial columns (else made again, empty). In a
    transaction of their own: DuckDB 2.0 lost the rows of a large INSERT into a table created in
    the same transaction (count(*) said 498,101, a scan found none)."""
    cur.execute(_DAYS_DDL)
    cur.execute(_WEEKS_DDL)
    names = ["config_key", "day_start", "gset", "agent", "queue", "channel", "topic"]
    names += partial_names(cfg)
    have = [
        [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $t "
                "AND schema_name = 'main' AND database_name = current_database() "
                "ORDER BY column_index",
                {"t": table},
            ).fetchall()
        ]
        for table in ("day_partials", "week_partials")
    ]
    if have == [names, names]:
        return
    shape = _build_sql(cfg, False)
    p = _params(cfg, key, [(now, now)], now)
    cur.execute("BEGIN TRANSACTION")
    try:
        cur.execute("DROP TABLE IF EXISTS day_partials")
        cur.execute("DROP TABLE IF EXISTS week_partials")
        cur.execute("DELETE FROM rollup_days")
        cur.execute("DELETE FROM rollup_weeks")
        cur.execute(
            f"CREATE TABLE day_partials AS SELECT * FROM ({shape}) LIMIT 0",
            {k: p[k] for k in _used(shape)},
        )
        cur.execute("CREATE TABLE week_partials AS SELECT * FROM day_partials LIMIT 0")
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise


def _params(
    cfg: Config, key: str, run: list[tuple[datetime, datetime]], now: datetime
) -> dict[str, Any]:
    start, end = run[0][0], run[-1][1]
    # Staleness as of now: every day of the run is closed, so a later now counts the same (a live
    # contact first answered more than a day after its day ended would be the exception).
    p = params(cfg, Filters(), now, Period(start, end, "rollup"))
    return p | {"key": key, "starts": [s for s, _ in run]}


def _used(sql: str) -> set[str]:
    return set(re.findall(r"\$([A-Za-z_]\w*)", sql))


# ---- forgetting (in the writer's transaction) ------------------------------------------------
HOUR_US = 3_600_000_000


def forget(cur: Any, hours: Iterable[int]) -> None:
    """Drop the kept days that overlap any of these UTC hours (epoch µs // HOUR_US) whose
    contacts changed."""
    hours = sorted(set(hours))
    present = _present(cur) if hours else set()
    if "rollup_days" not in present:
        return
    overlaps = """EXISTS (SELECT 1 FROM changed_hours
    WHERE epoch_us({start}) < (h + 1) * 3600000000 AND epoch_us({end}) > h * 3600000000)"""
    cur.register("changed_hours", pa.table({"h": pa.array(hours, pa.int64())}))
    try:
        ((dropped,),) = cur.execute(
            "DELETE FROM rollup_days d WHERE "
            + overlaps.format(start="d.day_start", end="d.day_end")
        ).fetchall()
        weeks = 0
        # A week is kept only while all its days are. (None dropped, none of its weeks to drop:
        # the usual live batch changes only today's contacts.)
        if dropped and "rollup_weeks" in present:
            ((weeks,),) = cur.execute(
                "DELETE FROM rollup_weeks w WHERE "
                + overlaps.format(start="w.week_start", end="w.week_end")
            ).fetchall()
    finally:
        cur.unregister("changed_hours")
    if dropped and "day_partials" in present:
        cur.execute(
            """DELETE FROM day_partials p WHERE NOT EXISTS (
    SELECT 1 FROM rollup_days d WHERE d.config_key = p.config_key AND d.day_start = p.day_start)"""
        )
    if weeks and "week_partials" in present:
        cur.execute(_ORPHAN_WEEK_ROWS)


def forget_all(cur: Any) -> None:
    for table in _present(cur):
        cur.execute(f"DELETE FROM {table}")


# ---- using (the metric queries) ------------------------------------------------------------------
@dataclass(frozen=True)
class Cover:
    """The kept days of a period, as runs of consecutive days [start, end): their contacts come
    from day_partials. A live store forgets scattered days (a repeat customer's earlier contact
    changes its day's FCR), so every run counts, not only the longest."""

    key: str
    runs: tuple[tuple[datetime, datetime], ...]
    # The kept whole weeks [start, end) inside the runs.
    weeks: tuple[tuple[datetime, datetime], ...] = ()

    def params(self) -> dict[str, Any]:
        p: dict[str, Any] = {"rk": self.key}
        for i, (lo, hi) in enumerate(self.runs):
            p[f"cov_lo{i}"], p[f"cov_hi{i}"] = lo, hi
        for i, (lo, hi) in enumerate(self.weeks):
            p[f"wk_lo{i}"], p[f"wk_hi{i}"] = lo, hi
        return p

    def partials(self, by_day: bool) -> str:
        """SQL (a subquery): the kept partial rows of the covered days. `by_day`: one set of rows
        per day (a figure by day); else whole weeks come from their week's rows."""
        days = f"SELECT * FROM day_partials WHERE config_key = $rk AND {self.within('day_start')}"
        if by_day or not self.weeks:
            return f"({days})"
        starts = " OR ".join(f"day_start = $wk_lo{i}" for i in range(len(self.weeks)))
        inside = " OR ".join(
            f"(day_start >= $wk_lo{i} AND day_start < $wk_hi{i})" for i in range(len(self.weeks))
        )
        return f"""(SELECT * FROM week_partials WHERE config_key = $rk AND ({starts})
    UNION ALL
    {days} AND NOT ({inside}))"""

    def within(self, column: str) -> str:
        """SQL: `column` falls in one of the runs (fixed text: numbered parameters only)."""
        return (
            "("
            + " OR ".join(
                f"({column} >= $cov_lo{i} AND {column} < $cov_hi{i})" for i in range(len(self.runs))
            )
            + ")"
        )


def may_cover(cfg: Config, period: Period, size: str | None, now: datetime) -> bool:
    """Whether cover() may find kept days for the figure (it asks the store only then)."""
    return size in (None, "day") and may_hold_days(cfg, period, now)


def cover(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    keys: tuple[str, ...],
    size: str | None,
    now: datetime,
) -> Cover | None:
    """The kept days inside the period and closed as of `now`, when the figure can use them: an
    interval size of a day at most (kept days hold no finer buckets), and no agent or team filter
    with topics (topic rows are not kept per agent). Read in the caller's transaction."""
    if not may_cover(cfg, period, size, now) or not _exists(cur):
        return None
    if "topic" in keys and (filters.agent or filters.team):
        return None
    key = config_key(cfg)
    days = cur.execute(
        """SELECT day_start, day_end FROM rollup_days
WHERE config_key = $key AND day_start >= $start AND day_end <= $end AND day_end <= $closed
ORDER BY day_start""",
        {"key": key, "start": period.start, "end": period.end, "closed": _closed_before(cfg, now)},
    ).fetchall()
    if len(days) < MIN_DAYS:
        return None
    runs = tuple((run[0][0], run[-1][1]) for run in _runs([(s, e) for s, e in days]))
    weeks = cur.execute(
        """SELECT week_start, week_end FROM rollup_weeks
WHERE config_key = $key AND week_start >= $start AND week_end <= $end AND week_end <= $closed
ORDER BY week_start""",
        {"key": key, "start": period.start, "end": period.end, "closed": _closed_before(cfg, now)},
    ).fetchall()
    # Only weeks all of whose days are kept: a store also written by an older version may hold a
    # week whose day that version forgot.
    inside = tuple((s, e) for s, e in weeks if any(lo <= s and e <= hi for lo, hi in runs))
    return Cover(key, runs, inside)


def kept_rows_sql(
    cover: Cover,
    gsets: dict[str, list[str]],
    out_cols: list[str],
    names: list[str],
    filters: Filters,
    imap: bool,
) -> str:
    """The kept partial rows of the covered days as first-stage rows of kpis._main_sql: `gsets`
    {gset name: the key columns it groups by}; `out_cols` the key columns in the first stage's
    order, `names` its partial columns. Rows pass through: the second stage adds them up with the
    others. `imap`: the interval column `kb` is a 15-minute bucket (else an interval start)."""
    branches = []
    # Without an agent in the keys or the filters, the queue × channel rows say the same in a
    # fraction of the rows (200 agents: 36 rows a day instead of 7,200).
    by_agent = bool(filters.agent or filters.team)
    for gset, cols in gsets.items():
        values: dict[str, str] = {}
        if gset == "combo":
            source = "combo" if by_agent or set(cols) - {"k_queue", "k_channel"} else "qc"
            for col in cols:
                values[col] = f"{KEYS[col.removeprefix('k_')]} AS {col}"
        elif gset == "kb":
            # A day's rows stand in its first bucket (or start): the day holding it.
            source = "combo" if by_agent else "qc"
            values["kb"] = ("epoch_us(day_start) // 900000000" if imap else "day_start") + " AS kb"
        else:  # a separate key: topic
            source = "topic"
            values[cols[0]] = f"topic AS {cols[0]}"

        def null(col: str) -> str:
            kind = ("BIGINT" if imap else "TIMESTAMPTZ") if col == "kb" else "VARCHAR"
            return f"NULL::{kind} AS {col}"

        heads = "".join(f"{values.get(c) or null(c)}, " for c in out_cols)
        # Added up over the days here: the second stage then groups a few thousand rows, not
        # one per day and key.
        sums = ", ".join(f"{_combine(n)}({n}) AS {n}" for n in names)
        branches.append(
            f"""SELECT '{gset}' AS gset, {heads}{sums}
FROM {cover.partials(by_day=gset == "kb")} kept
WHERE gset = '{source}'{filter_sql(filters)}
GROUP BY ALL"""
        )
    return "\nUNION ALL\n".join(branches)


def _combine(name: str) -> str:
    """How partial columns of several days add up (volume/written/quality PARTIALS)."""
    if name.startswith("has_"):
        return "bool_or"
    if name.endswith("_max_s"):
        return "max"
    return "sum"
