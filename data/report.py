"""Rendering of a report object (data.metrics.report) as table, json, csv or md text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from data import units
from data.metrics.agents import AGENT_KEYS
from data.metrics.kpis import EXTRA_KEYS, SNAPSHOT_KEYS, TOTALS_KEYS
from data.text import visible_values

FORMATS = ("table", "json", "csv", "md")
RATE_KEYS = frozenset(
    (
        "abandon_rate",
        "service_level",
        "response_rate",
        "resolution_rate",
        "csat",
        "fcr",
        "transfer_rate",
        "occupancy",
        "share",
    )
)
# Lower is better for these: a rise is bad news in the summary.
LOWER_IS_BETTER = frozenset(
    (
        "abandoned",
        "short_abandoned",
        "timeout",
        "abandon_rate",
        "asa_s",
        "aht_s",
        "frt_s",
        "frt_median_s",
        "avg_reply_wait_s",
        "transfer_rate",
        "overdue",
        "at_risk",
    )
)
LABELS = {
    "offered": "Offered",
    "answered": "Answered",
    "abandoned": "Abandoned",
    "short_abandoned": "Short abandons",
    "timeout": "Timed out",
    "open": "Open",
    "abandon_rate": "Abandon rate",
    "service_level": "Service level",
    "asa_s": "ASA",
    "aht_s": "AHT",
    "frt_s": "First response (mean)",
    "frt_median_s": "First response (median)",
    "avg_reply_wait_s": "Avg reply wait",
    "response_rate": "Response rate",
    "resolution_rate": "Resolution rate",
    "csat": "CSAT",
    "csat_mean": "CSAT mean",
    "fcr": "FCR",
    "transfer_rate": "Transfer rate",
    "overdue": "Overdue",
    "at_risk": "At risk",
    "waiting_now": "Waiting now",
    "longest_wait_s": "Longest wait now",
}
HEADLINE = (
    "offered",
    "answered",
    "abandon_rate",
    "service_level",
    "asa_s",
    "aht_s",
    "frt_s",
    "response_rate",
    "resolution_rate",
    "csat",
    "fcr",
    "transfer_rate",
)
TABLE_COLUMNS = (
    "offered",
    "answered",
    "abandon_rate",
    "service_level",
    "asa_s",
    "aht_s",
    "frt_s",
    "csat",
    "fcr",
    "transfer_rate",
)
AGENT_TABLE_COLUMNS = (
    "handled",
    "aht_s",
    "frt_s",
    "csat",
    "fcr",
    "transfer_rate",
    "missed_rings",
    "occupancy",
    "state",
)


# ---------- values ----------


def duration(seconds: float | None) -> str:
    return units.duration(seconds, sep=" ", none="—")


def show(key: str, value: Any) -> str:
    """A value as text for tables and summaries."""
    if value is None:
        return "—"
    if key in RATE_KEYS:
        return f"{value * 100:.1f}%"
    if key.endswith("_s") and isinstance(value, int | float):
        return duration(value)
    if key == "csat_mean" or isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict):
        return ", ".join(f"{k} {duration(v)}" for k, v in value.items()) or "—"
    return str(value)


def change(key: str, now: Any, before: Any) -> tuple[str, str]:
    """(absolute change, relative change) as text."""
    if now is None or before is None:
        return "—", "—"
    diff = now - before
    if key in RATE_KEYS:
        absolute = f"{diff * 100:+.1f} pts"
    elif key.endswith("_s"):
        absolute = ("+" if diff >= 0 else "-") + duration(abs(diff))
    elif isinstance(diff, float):
        absolute = f"{diff:+.2f}"  # a mean rating: 3.40 against 3.41 is -0.01, not -0.00217274
    else:
        absolute = f"{diff:+d}"
    relative = f"{diff / before * 100:+.0f}%" if before else "—"
    return absolute, relative


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---------- json ----------


def to_json_obj(rep: dict[str, Any]) -> dict[str, Any]:
    """The METRICS.md object: stable keys, in order; the internal `meta` comes last."""
    keys = (
        "period",
        "comparison",
        "totals",
        "agents",
        "queues",
        "channels",
        "topics",
        "intervals",
        "teams",  # empty without [teams] in the configuration
        "comparison_totals",
        "by",
        "rows",
        "meta",
    )
    return {k: rep[k] for k in keys if k in rep}


def render_json(rep: dict[str, Any]) -> str:
    return json.dumps(to_json_obj(rep), default=_json_default, indent=2, ensure_ascii=False)


# ---------- table ----------


def _grid(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def backlog_when(meta: dict[str, Any]) -> str:
    """When overdue and at risk are counted: now, or at the end of a period that has ended."""
    at = meta["backlog_at"]
    return "now" if at == meta["generated_at"] else f"at the period's end, {show('', at)}"


def _header(rep: dict[str, Any]) -> list[str]:
    p, c, meta = rep["period"], rep["comparison"], rep["meta"]
    lines = [
        f"Period: {p['label']}  {show('', p['from'])} → {show('', p['to'])} ({p['timezone']})",
        f"Compared with: {show('', c['from'])} → {show('', c['to'])}",
        f"Overdue and at risk: {backlog_when(meta)}; waiting and longest wait: now",
        f"Service level formula: {meta['sl_formula']} ({meta['sl_formula_text']}); "
        f"short abandons < {meta['short_abandon_s']:g}s excluded",
    ]
    filters = {k: v for k, v in meta["filters"].items() if v}
    if filters:
        lines.append("Filters: " + ", ".join(f"{k}={v}" for k, v in filters.items()))
    if meta["not_recorded"]:
        lines.append(
            "Not recorded by the source (counted as 0 in AHT): " + ", ".join(meta["not_recorded"])
        )
    return lines


def _key_cell(by: str, row: dict[str, Any]) -> str:
    key = "start" if by == "interval" else by
    value = row.get(key)
    if by == "interval":
        return value.strftime("%Y-%m-%d %H:%M") if value else "—"
    if by in ("agent", "queue") and row.get("name") and row.get("name") != value:
        return f"{row['name']} ({value})"
    return "(none)" if value is None else str(value)


def _rows_table(by: str, rows: list[dict[str, Any]]) -> str:
    cols = AGENT_TABLE_COLUMNS if by == "agent" else TABLE_COLUMNS
    headers = [by, *(LABELS.get(c, c.replace("_", " ")) for c in cols)]
    keys = [_key_cell(by, r) for r in rows]
    if by == "interval":
        keys = _with_offsets(keys, rows)
    return _grid(
        headers, [[k, *(show(c, r.get(c)) for c in cols)] for k, r in zip(keys, rows, strict=True)]
    )


def _with_offsets(labels: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The hour a clock goes back shows twice on the wall clock: those intervals carry their UTC
    offset ('2026-10-25 02:00 +02:00', then '+01:00'), the others stay short."""
    twice = {label for label in labels if labels.count(label) > 1}
    out = []
    for label, row in zip(labels, rows, strict=True):
        start = row.get("start")
        if label in twice and isinstance(start, datetime) and start.utcoffset() is not None:
            offset = start.strftime("%z")
            label = f"{label} {offset[:3]}:{offset[3:]}"
        out.append(label)
    return out


def render_table(rep: dict[str, Any]) -> str:
    out = _header(rep)
    tot, comp = rep["totals"], rep["comparison_totals"]
    keys = [*TOTALS_KEYS, *SNAPSHOT_KEYS]
    rows = [
        [LABELS[k], show(k, tot.get(k)), show(k, comp.get(k)), *change(k, tot.get(k), comp.get(k))]
        for k in keys
    ]
    out += ["", _grid(["KPI", "period", "comparison", "change", "change %"], rows)]
    by = rep.get("by")
    sections = [(by, rep["rows"])] if by else [("queue", rep["queues"]), ("agent", rep["agents"])]
    for name, rows_ in sections:
        out += ["", f"By {name}:", _rows_table(name, rows_) if rows_ else "(no data)"]
    return "\n".join(out) + "\n"


# ---------- csv ----------


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def render_csv(rep: dict[str, Any]) -> str:
    """One row per key of the chosen breakdown, else the totals as one row."""
    by = rep.get("by")
    buf = io.StringIO()
    if by:
        key = "start" if by == "interval" else by
        lead = list(AGENT_KEYS) if by == "agent" else [key, *(["name"] if by == "queue" else [])]
        cols = lead + [k for k in (*TOTALS_KEYS, *EXTRA_KEYS) if k not in lead]
        rows = rep["rows"]
    else:
        cols = [*TOTALS_KEYS, *EXTRA_KEYS, *SNAPSHOT_KEYS]
        rows = [rep["totals"]]
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_csv_value(r.get(c)) for c in cols])
    return buf.getvalue()


# ---------- md ----------


def _attention(rep: dict[str, Any]) -> list[str]:
    """Agents who stand out against their team (with teams in the configuration; else against the
    floor): lowest CSAT, highest AHT, most missed rings. A team's or the floor's figure is its own
    KPI over its contacts, not the mean of its agents'."""
    agents = rep["agents"]
    teams = {t["team"]: t for t in rep.get("teams", [])}
    out = []

    def name(a: dict[str, Any]) -> str:
        return a.get("name") or a["agent"]

    def peers(a: dict[str, Any]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
        """The agent's team (its KPI row and agents), else the floor."""
        team = a.get("team")
        if team is not None and team in teams:
            return f"team {team}", teams[team], [x for x in agents if x.get("team") == team]
        return "floor", rep["totals"], agents

    rated = [a for a in agents if a.get("csat") is not None]
    if len(rated) > 1:
        low = min(rated, key=lambda a: a["csat"])
        label, row, _ = peers(low)
        if row.get("csat") is not None and low["csat"] < row["csat"]:
            out.append(
                f"Lowest CSAT: **{name(low)}** {show('csat', low['csat'])} "
                f"({label} {show('csat', row['csat'])})"
            )
    timed = [a for a in agents if a.get("aht_s") is not None]
    if len(timed) > 1:
        high = max(timed, key=lambda a: a["aht_s"])
        label, row, _ = peers(high)
        if row.get("aht_s") is not None and high["aht_s"] > row["aht_s"]:
            out.append(
                f"Highest AHT: **{name(high)}** {show('aht_s', high['aht_s'])} "
                f"({label} {show('aht_s', row['aht_s'])})"
            )
    rings = [a for a in agents if a.get("missed_rings")]
    if rings:
        most = max(rings, key=lambda a: a["missed_rings"])
        label, _, members = peers(most)
        total = sum(a.get("missed_rings") or 0 for a in members)
        out.append(
            f"Most missed rings: **{name(most)}** {most['missed_rings']} ({label} total {total})"
        )
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")  # a pipe would split the cell


def _md_rows(by: str, rows: list[dict[str, Any]]) -> list[str]:
    """`report --by` as a Markdown table: the columns of the text table."""
    cols = AGENT_TABLE_COLUMNS if by == "agent" else TABLE_COLUMNS
    keys = [_key_cell(by, r) for r in rows]
    if by == "interval":
        keys = _with_offsets(keys, rows)
    out = [
        "| "
        + " | ".join(
            h[:1].upper() + h[1:] for h in [by, *(LABELS.get(c, c.replace("_", " ")) for c in cols)]
        )
        + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for key, r in zip(keys, rows, strict=True):
        out.append(
            "| " + " | ".join(_md_cell(v) for v in [key, *(show(c, r.get(c)) for c in cols)]) + " |"
        )
    return out


def render_md(rep: dict[str, Any], overdue_rows: list[dict[str, Any]] | None = None) -> str:
    p, c, meta = rep["period"], rep["comparison"], rep["meta"]
    tot, comp = rep["totals"], rep["comparison_totals"]
    out = [
        f"# Contact center summary — {p['label']}",
        "",
        f"{show('', p['from'])} → {show('', p['to'])} ({p['timezone']}), "
        f"compared with {show('', c['from'])} → {show('', c['to'])}.",
        "",
        "## Headline",
        "",
        "| KPI | This period | Comparison | Change | Change % |",
        "|---|---:|---:|---:|---:|",
    ]
    for k in HEADLINE:
        a, r = change(k, tot.get(k), comp.get(k))
        out.append(f"| {LABELS[k]} | {show(k, tot.get(k))} | {show(k, comp.get(k))} | {a} | {r} |")
    out += [
        "",
        f"Service level formula in force: **{meta['sl_formula']}** — {meta['sl_formula_text']} "
        f"(short abandons under {meta['short_abandon_s']:g} s left out).",
    ]
    if meta["not_recorded"]:
        out.append(
            f"Not recorded by the source (counted as 0 in AHT): {', '.join(meta['not_recorded'])}."
        )
    if by := rep.get("by"):
        out += ["", f"## By {by}", ""]
        out += _md_rows(by, rep["rows"]) if rep["rows"] else ["No data."]
    out += ["", "## Top reasons", ""]
    if rep["topics"]:
        out += ["| Reason | Contacts | Comparison | Change |", "|---|---:|---:|---:|"]
        for t in rep["topics"]:
            pct = f" ({t['change_pct'] * 100:+.0f}%)" if t["change_pct"] is not None else ""
            topic = _md_cell(str(t["topic"]))
            out.append(
                f"| {topic} | {t['contacts']} | {t['comparison_contacts']} | {t['change']:+d}{pct} |"
            )
    else:
        out.append("No contact reasons recorded.")
    out += ["", "## Agents who need attention", ""]
    out += [f"- {line}" for line in _attention(rep)] or ["Nobody stands out."]
    out += ["", "## Overdue", ""]
    out.append(
        f"{tot.get('overdue', 0)} overdue, {tot.get('at_risk', 0)} at risk, {backlog_when(meta)}."
    )
    for r in (overdue_rows or [])[:10]:
        who = f", {r['agent']}" if r.get("agent") else ""
        when = "overdue by" if r["state"] == "overdue" else "due in"
        out.append(
            f"- {r['source_id'] or r['contact_id']} ({r['channel']}, {r['queue'] or '—'}{who}): "
            f"{r['due_kind'].replace('_', ' ')} {when} {duration(abs(r['overdue_s']))}"
        )
    return "\n".join(out) + "\n"


def render(rep: dict[str, Any], fmt: str, overdue_rows: list[dict[str, Any]] | None = None) -> str:
    """The report in `fmt`. The formats read by people show control characters in the data (an
    agent named with an ESC) as symbols (data/text.py); json escapes them, and csv keeps the
    values as they are for the program that reads it."""
    if fmt == "json":
        return render_json(rep) + "\n"
    if fmt == "csv":
        return render_csv(rep)
    if fmt == "md":
        return render_md(visible_values(rep), visible_values(overdue_rows))
    return render_table(visible_values(rep))
