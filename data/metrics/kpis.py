"""Totals, breakdowns and intervals: the KPI families of METRICS.md assembled per key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data.config import Config
from data.metrics import quality, rollup, volume, written
from data.metrics.filters import Filters
from data.metrics.overdue import overdue_count_sets
from data.metrics.period import Period, default_interval, interval_starts
from data.metrics.sql import BUCKET_START, interval_params, interval_sql, params, run, slice_sql
from data.metrics.together import snapshot, together

# The `totals` keys of the METRICS.md JSON contract, in order. Rows of every breakdown carry them too.
TOTALS_KEYS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeout",
    "open",
    "abandon_rate",
    "service_level",
    "asa_s",
    "aht_s",
    "frt_s",
    "frt_median_s",
    "avg_reply_wait_s",
    "response_rate",
    "resolution_rate",
    "csat",
    "csat_mean",
    "fcr",
    "transfer_rate",
    "overdue",
    "at_risk",
)
# Further KPIs every row carries after the contract keys (stable too).
EXTRA_KEYS: tuple[str, ...] = (
    "talk_s",
    "frt_max_s",
    "resolution_s",
    "resolution_median_s",
    "interactions_per_contact",
    "messages_sent",
    "transfers",
    "backlog",  # open contacts at the instant overdue and at_risk are counted, of any offer time
)
SNAPSHOT_KEYS: tuple[str, ...] = ("waiting_now", "longest_wait_s")
COUNT_KEYS = frozenset(
    (
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "timeout",
        "open",
        "transfers",
        "backlog",
    )
)
BY_KEYS = ("agent", "queue", "channel", "team", "topic", "interval")
INTERVAL_SIZES = ("15min", "hour", "day")


def empty_row() -> dict[str, Any]:
    return {
        k: (0 if k in COUNT_KEYS or k in ("overdue", "at_risk") else None) for k in TOTALS_KEYS
    } | {k: (0 if k in COUNT_KEYS else None) for k in EXTRA_KEYS}


def kpi_rows(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime, key: str
) -> dict[Any, dict[str, Any]]:
    """{key value: KPI row} for contacts offered in the period (key "total": one row, key None)."""
    return kpi_sets(cur, cfg, period, filters, now, (key,))[key]


def kpi_sets(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    keys: tuple[str, ...],
) -> dict[str, dict[Any, dict[str, Any]]]:
    """kpi_rows for several keys (sql.KEYS; at most one interval size) in one pass over the period:
    {key: {value: row}}.

    The period's contacts are read once and added up in two groupings only: by every non-interval
    key together, and by 15-minute bucket; the KPIs per key (and the totals) are then summed from
    those few partial rows. FCR is a per-contact predicate on next_contact_at (worked out at ingest).
    Medians, which do not add up, are worked out apart over the contacts that have a value; reply
    waits per conversation; the backlog once."""
    keys = tuple(dict.fromkeys(keys))
    sizes = [k for k in keys if k in INTERVAL_SIZES]
    if len(sizes) > 1:
        raise ValueError("kpi_sets: one interval size at a time")
    p = params(cfg, filters, now, period)
    if sizes:
        p |= interval_params(period, sizes[0], cfg.zone)
    since = min(now, period.end)

    direct = not rollup.may_cover(cfg, period, sizes[0] if sizes else None, now)

    def main(c: Any) -> list[dict[str, Any]]:
        if direct:
            # No kept day to read (today, a week ago): one statement, no snapshot to set up, and
            # the FCR check beside it (`pending`) rather than before it.
            return run(c, _main_sql(keys, filters, cfg, p, False), p)
        # The kept days and the contacts around them read in one snapshot (rollup.py).
        with snapshot(c) as s:
            cov = rollup.cover(s, cfg, period, filters, keys, sizes[0] if sizes else None, now)
            q = p | (cov.params() if cov else {})
            return run(s, _main_sql(keys, filters, cfg, q, fcr_pending(s, q), cov), q)

    def medians(c: Any) -> list[dict[str, Any]]:
        return run(c, _medians_sql(keys, filters, p), p)

    def reply_waits(c: Any) -> list[dict[str, Any]]:
        if not _has_messages(c):
            return []
        return run(c, written.reply_wait_sets_sql(keys, filters, p), p)

    def backlog(c: Any) -> dict[str, dict[Any, dict[str, Any]]]:
        return overdue_count_sets(c, cfg, filters, since, keys)

    # They do not depend on each other: run side by side (together.py). The longest, main, is the
    # first: it starts at once, in this thread. The FCR check goes beside it only when main does
    # not make it itself.
    calls = [main, medians, reply_waits, backlog] + (
        [lambda c: fcr_pending(c, p)] if direct else []
    )
    main_rows, median_rows, reply_rows, counts, *pending = together(cur, *calls)
    if (
        pending and pending[0]
    ):  # contacts written straight into the table (not through data/writer.py): rare
        main_rows = run(cur, _main_sql(keys, filters, cfg, p, True), p)
    out: dict[str, dict[Any, dict[str, Any]]] = {k: {} for k in keys}
    raw: dict[tuple[str, Any], dict[str, Any]] = {}
    for r in main_rows:
        key = r["key"]
        value = None if key == "total" else r[f"k_{key}"]
        if r["offered"]:
            raw[(key, value)] = r
    for r in median_rows:
        key = r["key"]
        value = None if key == "total" else r[f"k_{key}"]
        if (key, value) in raw:
            raw[(key, value)] |= {m: r[m] for m in ("frt_median_s", "resolution_median_s")}
    for (key, value), r in raw.items():
        r.setdefault("frt_median_s", None)
        r.setdefault("resolution_median_s", None)
        row = empty_row() | volume.finish(r) | written.finish(r) | quality.finish(r)
        row["fcr"] = r["fcr_num"] / r["fcr_den"] if r["fcr_den"] else None
        row["_handle_sum_s"] = r["handle_sum_s"]
        row["_has_hold"], row["_has_wrap"] = r["has_hold"], r["has_wrap"]
        out[key][value] = row
    for r in reply_rows:
        key = r["key"]
        value = None if key == "total" else r[f"k_{key}"]
        if value in out[key]:
            out[key][value]["avg_reply_wait_s"] = r["avg_reply_wait_s"]
    for key, per in counts.items():
        for value, c in per.items():
            if value in out[key]:
                out[key][value].update(c)
            elif key in BACKLOG_ROW_KEYS:
                # A queue or channel with open work but nothing offered in the period still has
                # a row: its overdue work is where the team lead must look.
                out[key][value] = empty_row() | c
    return out


# Keys whose rows include values with backlog (overdue, at risk) but no contact offered.
BACKLOG_ROW_KEYS = ("queue", "channel")


def fcr_pending(cur: Any, p: dict[str, Any]) -> bool:
    """Whether some contact of the period lacks next_contact_at (written straight into the table,
    not through data/writer.py): the FCR query then works it out for those itself. Row groups with
    no NULL are skipped by their statistics."""
    sql = """SELECT EXISTS (SELECT 1 FROM contacts
    WHERE offered_at >= $start AND offered_at < $end AND next_contact_at IS NULL)"""
    return bool(cur.execute(sql, {"start": p["start"], "end": p["end"]}).fetchone()[0])


# Keys grouped on their own in the first stage rather than within the agent × queue × channel
# combination: a topic there would multiply the combinations (and the cost) many times over.
SEPARATE_KEYS = ("topic",)


def _main_sql(
    keys: tuple[str, ...],
    filters: Filters,
    cfg: Config,
    p: dict[str, Any],
    fallback: bool,
    cover: rollup.Cover | None = None,
) -> str:
    """Rows (key, k_<key>..., TOTALS of every family) per key value; `key` 'total' for the totals.

    First stage (`p`): partial sums per grouping set: the combination of the combined keys, the
    15-minute bucket `kb` (interval keys), and each separate key alone; `gset` names the set. Second
    stage: each key's rows summed from its set's partials. With `cover`, the contacts of the kept
    days it spans are left out of the first stage and their kept partial rows added instead."""
    cols = [k for k in keys if k != "total" and k not in INTERVAL_SIZES and k not in SEPARATE_KEYS]
    size = next((k for k in keys if k in INTERVAL_SIZES), None)
    seps = [k for k in keys if k in SEPARATE_KEYS]
    combo = ", ".join(f"k_{k}" for k in cols)
    want_combo = bool(cols) or "total" in keys
    sets = {}  # gset name -> its first-stage grouping columns
    if want_combo:
        sets["combo"] = combo
    if size:
        sets["kb"] = "kb"
    for k in seps:
        sets[k] = f"k_{k}"
    group_cols = [c for c in (*(f"k_{k}" for k in cols), "kb" if size else None) if c]
    group_cols += [f"k_{k}" for k in seps]
    if len(sets) > 1:
        whens = "".join(
            f"WHEN GROUPING({c}) = 0 THEN '{name}' " for name, c in sets.items() if name != "combo"
        )
        gset = f"CASE {whens}ELSE 'combo' END"
        group = "GROUP BY GROUPING SETS ({})".format(", ".join(f"({c})" for c in sets.values()))
    else:
        (only,) = sets
        gset = f"'{only}'"
        group = f"GROUP BY {sets[only]}" if sets[only] else ""
    head = f"{gset} AS gset, " + "".join(f"{c}, " for c in group_cols)
    skip = f" AND NOT {cover.within('offered_at')}" if cover else ""
    c = interval_sql(
        slice_sql(keys, filters, fcr_fallback=fallback, bucket=True, extra=skip), p, bucket=True
    )
    totals = f"{volume.TOTALS},\n    {written.TOTALS},\n    {quality.TOTALS}"
    # Every branch outputs the same columns: key, k_<combined keys>, k_<interval>, k_<separate>.
    out_cols = [
        *(f"k_{k}" for k in cols),
        *([f"k_{size}"] if size else []),
        *(f"k_{k}" for k in seps),
    ]

    def select(values: dict[str, str]) -> str:
        """The key columns in order: those given, NULL (of the column's type) for the others."""

        def null(col: str) -> str:
            return f"NULL::{'TIMESTAMPTZ' if col == f'k_{size}' else 'VARCHAR'} AS {col}"

        return "".join(f"{values.get(col) or null(col)}, " for col in out_cols)

    branches = []
    if want_combo:
        mine = select({f"k_{k}": f"k_{k}" for k in cols})
        if cols:
            grouping = ", ".join(
                "()" if k == "total" else f"(k_{k})" for k in keys if k == "total" or k in cols
            )
            whens = "".join(f"WHEN GROUPING(k_{k}) = 0 THEN '{k}' " for k in cols)
            branches.append(
                f"""SELECT CASE {whens}ELSE 'total' END AS key, {mine}{totals}
FROM p WHERE gset = 'combo' GROUP BY GROUPING SETS ({grouping})"""
            )
        else:
            branches.append(f"SELECT 'total' AS key, {mine}{totals} FROM p WHERE gset = 'combo'")
    if size:
        start = BUCKET_START.format(col="kb") if "imap" in p else "kb"
        mine = select({f"k_{size}": f"{start} AS k_{size}"})
        branches.append(
            f"SELECT '{size}' AS key, {mine}{totals}\nFROM p WHERE gset = 'kb' GROUP BY ALL"
        )
    for k in seps:
        mine = select({f"k_{k}": f"k_{k}"})
        branches.append(
            f"SELECT '{k}' AS key, {mine}{totals}\nFROM p WHERE gset = '{k}' GROUP BY k_{k}"
        )
    kept = ""
    if cover:
        gsets = {
            name: [c.strip() for c in cols.split(",") if c.strip()] for name, cols in sets.items()
        }
        rows = rollup.kept_rows_sql(
            cover, gsets, group_cols, rollup.partial_names(cfg), filters, "imap" in p
        )
        kept = f"\n    UNION ALL\n{rows}"
    return f"""WITH {c},
p AS (
    SELECT {head}{rollup.partials_sql(cfg)}
    FROM c {group}{kept}
)
{" UNION ALL ".join(branches)}"""


def _medians_sql(keys: tuple[str, ...], filters: Filters, p: dict[str, Any]) -> str:
    """frt_median_s and resolution_median_s per key value (`key` names the key)."""
    cols = [k for k in keys if k != "total"]
    c = interval_sql(
        slice_sql(keys, filters, extra=written.MEDIANS_WHERE, columns=written.MEDIAN_COLUMNS), p
    )
    sets = ", ".join("()" if k == "total" else f"(k_{k})" for k in keys)
    if not cols:
        return f"WITH {c}\nSELECT 'total' AS key, {written.MEDIANS} FROM c"
    whens = "".join(f"WHEN GROUPING(k_{k}) = 0 THEN '{k}' " for k in cols)
    return f"""WITH {c}
SELECT CASE {whens}ELSE 'total' END AS key, {"".join(f"k_{k}, " for k in cols)}{written.MEDIANS}
FROM c GROUP BY GROUPING SETS ({sets})"""


def _has_messages(cur: Any) -> bool:
    return cur.execute("SELECT EXISTS (SELECT 1 FROM messages)").fetchone()[0]


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def totals(
    cur: Any, cfg: Config, period: Period, filters: Filters, now: datetime
) -> dict[str, Any]:
    """The totals of METRICS.md (+ EXTRA_KEYS, + waiting_now and longest_wait_s, a snapshot at now).

    overdue/at_risk are the backlog as of min(now, period end), whatever day the work was offered."""
    return totals_and_gaps(cur, cfg, period, filters, now)[0]


def totals_and_gaps(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    now: datetime,
    rows: dict[Any, dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """totals, and the handle-time fields no contact of the period has (0 in AHT: say so).
    `rows`: the "total" KPI rows when already computed (kpi_sets)."""
    if rows is None:
        rows = kpi_rows(cur, cfg, period, filters, now, "total")
    if not rows:
        # No contact offered in the period: the backlog still counts.
        rows_ = overdue_count_sets(cur, cfg, filters, min(now, period.end), ("total",))
        row = empty_row() | rows_["total"].get(None, {})
    else:
        row = rows[None]
    gaps = [
        f
        for f, has in (("hold_s", row.get("_has_hold")), ("wrap_s", row.get("_has_wrap")))
        if rows and not has
    ]
    return public(row) | volume.waiting_totals(cur, cfg, filters, now), gaps


def breakdown(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    by: str,
    now: datetime,
    interval: str = "hour",
    rows: dict[Any, dict[str, Any]] | None = None,
    waiting: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of {by-key: value, KPIs...}. by=agent gives the leaderboard; by=interval the intervals.
    `rows`: the KPI rows of that key when already computed (kpi_sets); `waiting`: by queue,
    volume.queues_now() when the caller fetched it already (beside the KPI pass)."""
    if by == "agent":
        from data.metrics.agents import agents

        return agents(cur, cfg, period, filters, now)
    if by == "interval":
        return intervals(cur, cfg, period, filters, interval, now=now, rows=rows)
    if by not in BY_KEYS:
        raise ValueError(f"unknown breakdown {by!r} (use one of {', '.join(BY_KEYS)})")
    if rows is None:
        rows = kpi_rows(cur, cfg, period, filters, now, by)
    out = []
    for k in sorted(rows, key=lambda v: (v is None, -rows[v]["offered"], str(v))):
        row = {by: k}
        if by == "queue":
            row["name"] = cfg.queue_names.get(k, k) if k else None
        out.append(row | public(rows[k]))
    if by == "queue":
        if waiting is None:
            waiting = volume.queues_now(cur, cfg, filters, now)
        now_by_queue = {r["queue"]: r for r in waiting}
        known = {row["queue"] for row in out}
        # Callers waiting in a queue that offered nothing else in the period: a row of its own.
        out += [
            {"queue": q, "name": w["name"]} | public(empty_row())
            for q, w in now_by_queue.items()
            if q not in known and w.get("waiting_now")
        ]
        for row in out:
            w = now_by_queue.get(row["queue"], {})
            row["waiting_now"] = w.get("waiting_now", 0)
            row["longest_wait_s"] = w.get("longest_wait_s")
    if by == "channel":
        total = sum(r["offered"] for r in out)
        for row in out:
            row["share"] = row["offered"] / total if total else None
    return out


def intervals(
    cur: Any,
    cfg: Config,
    period: Period,
    filters: Filters,
    size: str | None = None,
    now: datetime | None = None,
    rows: dict[Any, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every interval of the period on the local wall clock (zero-filled counts, null rates):
    {start (aware, site zone), KPIs...}. `size` "15min", "hour" or "day" (None: by period length)."""
    size = size or default_interval(period)
    if size not in INTERVAL_SIZES:
        raise ValueError(f"unknown interval {size!r} (use one of {', '.join(INTERVAL_SIZES)})")
    now = now or period.end
    if rows is None:
        rows = kpi_rows(cur, cfg, period, filters, now, size)
    found = {k.timestamp(): v for k, v in rows.items() if k is not None}
    return [
        {"start": s} | public(found.get(s.timestamp(), empty_row()))
        for s in interval_starts(period, size, cfg.zone)
    ]
