"""The report object, its renderings and the `floorwatch report` command."""

import csv
import io
import json

import pytest

from data.commands.report import run_report
from data.config import Config
from data.metrics import EXTRA_KEYS, TOTALS_KEYS, Filters, report, resolve_period, top_reasons
from data.report import change, render
from data.store import Store
from tests.metrics.conftest import abandoned, answered, insert, t

NOW = t("2026-03-10 12:00")
CONTRACT_TOTALS = [
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
]


def fill(store):
    insert(
        store,
        "contacts",
        [
            answered(
                "2026-03-10 09:00", 10, queue="sales", agent="a1", topic="billing", rating=5.0
            ),
            answered(
                "2026-03-10 09:05",
                40,
                talk=900,
                queue="sales",
                agent="a2",
                topic="billing",
                rating=2.0,
            ),
            answered("2026-03-10 09:10", 10, queue="support", agent="a1", topic="login"),
            abandoned("2026-03-10 09:20", 30, queue="support"),
            # comparison: one week earlier
            answered("2026-03-03 09:00", 10, queue="sales", agent="a1", topic="billing"),
            answered("2026-03-03 09:00", 10, queue="sales", agent="a1", topic="delivery"),
        ],
    )
    insert(
        store,
        "queue_events",
        [{"ts": t("2026-03-10 09:00"), "agent": "a2", "event": "RINGNOANSWER", "queue": "sales"}],
    )


def test_top_reasons_with_comparison(store, cur, cfg):
    fill(store)
    rows = top_reasons(cur, cfg, resolve_period("today", cfg, NOW), Filters(), NOW)
    assert rows[0] == {
        "topic": "billing",
        "contacts": 2,
        "comparison_contacts": 1,
        "change": 1,
        "change_pct": 1.0,
        "share": pytest.approx(2 / 3),
    }
    assert rows[1]["topic"] == "login" and rows[1]["change_pct"] is None
    assert [r["topic"] for r in rows] == ["billing", "login"]  # delivery: none this period


def test_json_contract(store, cur, cfg):
    fill(store)
    rep = report(cur, cfg, resolve_period("today", cfg, NOW), Filters(), NOW)
    obj = json.loads(render(rep, "json"))
    assert list(obj)[:8] == [
        "period",
        "comparison",
        "totals",
        "agents",
        "queues",
        "channels",
        "topics",
        "intervals",
    ]
    assert list(TOTALS_KEYS) == CONTRACT_TOTALS
    assert list(obj["totals"])[: len(CONTRACT_TOTALS)] == CONTRACT_TOTALS
    assert set(obj["totals"]) == {*CONTRACT_TOTALS, *EXTRA_KEYS, "waiting_now", "longest_wait_s"}
    assert set(obj["period"]) >= {"from", "to", "timezone"} and set(obj["comparison"]) == {
        "from",
        "to",
    }
    assert obj["period"]["from"] == "2026-03-10T00:00:00+01:00"
    assert obj["comparison"]["from"] == "2026-03-03T00:00:00+01:00"
    assert obj["totals"]["offered"] == 4 and obj["comparison_totals"]["offered"] == 2
    assert obj["comparison_totals"]["service_level"] == 1.0
    agent = obj["agents"][0]
    for k in (
        "agent",
        "team",
        "handled",
        "missed_rings",
        "talk_s",
        "messages_sent",
        "occupancy",
        *CONTRACT_TOTALS,
    ):
        assert k in agent, k
    for key, rows in (
        ("queue", "queues"),
        ("channel", "channels"),
        ("topic", "topics"),
        ("start", "intervals"),
    ):
        assert all(key in r for r in obj[rows]), rows
    assert all(k in obj["queues"][0] for k in CONTRACT_TOTALS)
    # Topic rows hold the topic's KPIs like every breakdown, and its change against the comparison.
    billing = obj["topics"][0]
    assert all(k in billing for k in CONTRACT_TOTALS)
    assert (billing["topic"], billing["offered"], billing["answered"]) == ("billing", 2, 2)
    assert billing["csat"] == 0.5 and billing["asa_s"] == 25  # ratings 5 and 2; waits 10 and 40
    assert (billing["contacts"], billing["comparison_contacts"], billing["change"]) == (2, 1, 1)
    assert len(obj["intervals"]) == 24 and obj["intervals"][9]["offered"] == 4
    assert obj["intervals"][0]["start"] == "2026-03-10T00:00:00+01:00"
    assert obj["intervals"][0]["service_level"] is None


def test_md_summary(store, cur, cfg):
    fill(store)
    insert(
        store,
        "contacts",
        [
            {
                "contact_id": "e:1",
                "source_id": "T-42",
                "channel": "email",
                "queue": "mail",
                "offered_at": t("2026-03-09 08:00"),
                "outcome": "open",
            }
        ],
    )
    from data.metrics import overdue

    rep = report(cur, cfg, resolve_period("today", cfg, NOW), Filters(), NOW)
    md = render(rep, "md", overdue(cur, cfg, Filters(), NOW))
    assert "| Offered | 4 | 2 | +2 | +100% |" in md
    assert "floorwatch" in md and "Service level formula in force" in md
    assert "| billing | 2 | 1 | +1 (+100%) |" in md
    assert "Lowest CSAT: **a2** 0.0%" in md and "Highest AHT: **a2**" in md
    assert "Most missed rings: **a2** 1" in md
    assert "1 overdue" in md and "T-42 (email, mail): first response overdue by 16h 00m" in md
    assert "Not recorded by the source (counted as 0 in AHT): hold_s, wrap_s." in md


def test_md_with_by_has_the_breakdown_table(store, cur, cfg):
    fill(store)
    p = resolve_period("today", cfg, NOW)
    md = render(report(cur, cfg, p, Filters(), NOW, by="queue"), "md")
    section = md.split("## By queue\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section[0].startswith("| Queue | ") and section[1].startswith("|---|---:|")
    assert [line.split(" | ")[0] for line in section[2:]] == ["| sales", "| support"]
    assert section[3].split(" | ")[1:3] == ["2", "1"]  # support: offered 2, answered 1
    agents = render(report(cur, cfg, p, Filters(), NOW, by="agent"), "md")
    assert "| Agent | Handled | AHT |" in agents.split("## By agent")[1]
    assert "## By" not in render(report(cur, cfg, p, Filters(), NOW), "md")


def test_csv_and_table(store, cur, cfg):
    fill(store)
    p = resolve_period("today", cfg, NOW)
    rep = report(cur, cfg, p, Filters(), NOW, by="queue")
    rows = list(csv.DictReader(io.StringIO(render(rep, "csv"))))
    assert [r["queue"] for r in rows] == ["sales", "support"]
    assert rows[0]["offered"] == "2" and rows[1]["abandon_rate"] == "0.5"
    one = list(csv.DictReader(io.StringIO(render(report(cur, cfg, p, Filters(), NOW), "csv"))))
    assert len(one) == 1 and one[0]["answered"] == "3" and one[0]["csat"] == "0.5"
    table = render(rep, "table")
    assert "Service level formula: floorwatch" in table and "By queue:" in table
    assert "sales" in table and "50.0%" in table


def test_command(tmp_path, capsys, cfg):
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        fill(store)
    conf = tmp_path / "floorwatch.toml"
    conf.write_text('timezone = "Europe/Paris"\nsl_formula = "asterisk"\n')
    base = ["--db", str(db), "--config", str(conf), "--now", "2026-03-10T12:00:00+01:00"]
    assert run_report([*base, "--format", "json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["totals"]["offered"] == 4 and obj["meta"]["sl_formula"] == "asterisk"
    assert run_report([*base, "--by", "agent", "--format", "csv", "--queue", "sales"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["agent"]: r["handled"] for r in rows} == {"a1": "1", "a2": "1"}
    assert run_report([*base, "--from", "2026-03-03", "--to", "2026-03-04", "--format", "md"]) == 0
    assert "| Offered | 2 |" in capsys.readouterr().out
    assert run_report([*base, "--period", "7d", "--by", "interval"]) == 0
    assert "By interval:" in capsys.readouterr().out
    assert run_report([*base, "--period", "month"]) == 2
    assert run_report([*base, "--from", "2026-03-03"]) == 2
    assert run_report(["--db", str(db), "--config", str(tmp_path / "missing.toml")]) == 2
    conf.write_text("sl_formula = 3\n")
    assert run_report([*base]) == 2
    assert "sl_formula" in capsys.readouterr().err
    assert run_report([]) == 2


def test_a_past_periods_backlog_is_counted_and_listed_at_its_end(tmp_path, capsys, cfg):
    """Yesterday's summary (UTC): the tickets overdue when the day ended and their lateness then; a
    ticket that fell due after it is not among them (it is overdue now, not then)."""
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        insert(
            store,
            "contacts",
            [
                {  # email offered yesterday 07:00 UTC, first response due 12 h later: 19:00
                    "contact_id": "e:1",
                    "source_id": "T-1",
                    "channel": "email",
                    "queue": "mail",
                    "offered_at": t("2026-03-09 08:00"),
                    "outcome": "open",
                },
                {  # offered yesterday 21:00 UTC: due today 09:00, after yesterday ended
                    "contact_id": "e:2",
                    "source_id": "T-2",
                    "channel": "email",
                    "queue": "mail",
                    "offered_at": t("2026-03-09 22:00"),
                    "outcome": "open",
                },
            ],
        )
    conf = tmp_path / "floorwatch.toml"
    conf.write_text('timezone = "UTC"\n')
    base = ["--db", str(db), "--config", str(conf), "--now", "2026-03-10T12:00:00Z"]
    assert run_report([*base, "--period", "yesterday", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "1 overdue, 0 at risk, at the period's end, 2026-03-10 00:00." in md
    assert "T-1 (email, mail): first response overdue by 5h 00m" in md  # at 00:00, not at 12:00
    assert "T-2" not in md
    assert run_report([*base, "--period", "yesterday"]) == 0
    table = capsys.readouterr().out
    assert "Overdue and at risk: at the period's end, 2026-03-10 00:00" in table
    assert run_report([*base, "--period", "today", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert (
        rep["totals"]["overdue"] == 2 and rep["meta"]["backlog_at"] == rep["meta"]["generated_at"]
    )


def test_intervals_of_15_minutes_and_only_known_channels(tmp_path, capsys, cfg):
    db = tmp_path / "fw.duckdb"
    with Store(db) as store:
        fill(store)
    conf = tmp_path / "floorwatch.toml"
    conf.write_text('timezone = "Europe/Paris"\n')
    base = ["--db", str(db), "--config", str(conf), "--now", "2026-03-10T12:00:00+01:00"]
    args = [*base, "--by", "interval", "--interval", "15min", "--format", "json"]
    assert run_report(args) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["meta"]["interval"] == "15min" and len(rep["rows"]) == 96
    offered = {r["start"][11:16]: r["offered"] for r in rep["rows"] if r["offered"]}
    assert offered == {"09:00": 3, "09:15": 1}  # 09:00, 09:05, 09:10 | 09:20
    assert run_report([*base, "--channel", "fax"]) == 2
    assert "invalid choice: 'fax'" in capsys.readouterr().err


def test_md_attention_compares_an_agent_with_their_team_or_the_floor(store, cur, cfg):
    """A team's AHT is its own (over its contacts), not the mean of its agents' AHTs."""
    insert(
        store,
        "contacts",
        [
            answered("2026-03-10 09:00", 10, talk=60, agent="a1", rating=5.0),
            answered("2026-03-10 09:01", 10, talk=60, agent="a1", rating=5.0),
            answered("2026-03-10 09:02", 10, talk=60, agent="a1", rating=4.0),
            answered("2026-03-10 09:03", 10, talk=600, agent="a2", rating=1.0),
            answered("2026-03-10 09:04", 10, talk=120, agent="a3", rating=5.0),
        ],
    )
    period = resolve_period("today", cfg, NOW)
    md = render(report(cur, cfg, period, Filters(), NOW), "md")
    # floor AHT (60 + 60 + 60 + 600 + 120) / 5 = 180 s; the mean of the agents' would be 260 s
    assert "Highest AHT: **a2** 10m 00s (floor 3m 00s)" in md
    assert "Lowest CSAT: **a2** 0.0% (floor 80.0%)" in md  # 4 of 5 rated ≥ 4
    teams = cfg.model_copy(update={"teams": {"a1": "Blue", "a2": "Blue", "a3": "Green"}})
    md = render(report(cur, teams, period, Filters(), NOW), "md")
    # team Blue: (60 + 60 + 60 + 600) / 4 = 195 s, CSAT 3 of 4
    assert "Highest AHT: **a2** 10m 00s (team Blue 3m 15s)" in md
    assert "Lowest CSAT: **a2** 0.0% (team Blue 75.0%)" in md


def test_the_hour_the_clock_goes_back_shows_its_offset_in_the_table() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from data.report import _rows_table

    paris = ZoneInfo("Europe/Paris")
    starts = [
        datetime(2023, 10, 29, 1, tzinfo=paris),
        datetime(2023, 10, 29, 2, tzinfo=paris, fold=0),  # +02:00
        datetime(2023, 10, 29, 2, tzinfo=paris, fold=1),  # +01:00, an hour later
        datetime(2023, 10, 29, 3, tzinfo=paris),
    ]
    table = _rows_table("interval", [{"start": s, "offered": 1} for s in starts])
    keys = [line.split("  ")[0].strip() for line in table.splitlines()[2:]]
    assert keys == [
        "2023-10-29 01:00",
        "2023-10-29 02:00 +02:00",
        "2023-10-29 02:00 +01:00",
        "2023-10-29 03:00",
    ]


def test_json_holds_teams_md_escapes_pipes_and_changes_are_rounded(store, cur):
    """From CLI QA: json left out the teams README promises; a topic with '|' split its md
    table row into five cells; a mean rating's change read -0.00217274."""
    cfg = Config(timezone="Europe/Paris", teams={"a1": "Blue", "a2": "Blue"})
    fill(store)
    insert(
        store, "contacts", [answered("2026-03-10 09:30", 5, topic="refund | urgent", agent="a1")]
    )
    rep = report(cur, cfg, resolve_period("today", cfg, NOW), Filters(), NOW)
    obj = json.loads(render(rep, "json"))
    teams = {t["team"]: t for t in obj["teams"]}
    assert teams["Blue"]["answered"] == 4 and teams[None]["abandoned"] == 1  # no agent, no team
    assert "teams" in json.loads(render(report(cur, Config(timezone="Europe/Paris"),
        resolve_period("today", cfg, NOW), Filters(), NOW), "json"))  # fmt: skip
    md = render(rep, "md")
    row = next(line for line in md.splitlines() if "refund" in line)
    assert row.startswith("| refund \\| urgent | 1 |")
    assert row.replace("\\|", "").count("|") == 5  # four cells
    assert change("csat_mean", 3.4, 3.40217274) == ("-0.00", "-0%")
    assert change("csat_mean", 3.5, 3.25) == ("+0.25", "+8%")


def test_report_says_on_stderr_what_it_could_not_read(tmp_path, capsys):
    """A cron summary must tell 'no calls' from 'could not read the export'."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "queue_log").write_text(
        "1773133200|c1|sales|NONE|ENTERQUEUE||555|1\nnot a queue_log line\n"
    )
    (folder / "notes.txt").write_text("hello\n")
    assert run_report([str(folder), "--period", "today", "--now", "2026-03-10T12:00:00+01:00"]) == 0
    err = capsys.readouterr().err
    assert "notes.txt: skipped" in err
    assert "1 line(s) rejected, left out of the figures (`floorwatch check` lists them)" in err
