"""The live demo's simulator: realistic, valid, append-only and deterministic exports."""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from data.config import Config
from data.demo import FILE_NAMES, Simulator, closed_floor_notice, write_demo_folder

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 18, 14, 30, tzinfo=PARIS)  # a Wednesday afternoon

EVENTS = {
    "ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER",
    "ATTENDEDTRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY", "RINGNOANSWER",
    "RINGCANCELED", "AGENTDUMP", "SYSCOMPAT", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
    "QUEUESTART", "CONFIGRELOAD", "DID", "INFO",
}  # fmt: skip
UNANSWERED_END = {"ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"}
ANSWERED_END = {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}


def _clock(at: datetime = NOW):
    return lambda: at


def _make(folder: Path, at: datetime = NOW, days: int = 2, **kw) -> Simulator:
    return write_demo_folder(folder, clock=_clock(at), history_days=days, **kw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Simulator, Path]:
    folder = tmp_path_factory.mktemp("demo")
    return _make(folder), folder


def _qlog(folder: Path) -> list[list[str]]:
    return [line.split("|") for line in (folder / "queue_log").read_text("utf-8").splitlines()]


def _jsonl(folder: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (folder / name).read_text("utf-8").splitlines()]


def _calls(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    calls: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows:
        if row[1] not in ("NONE", "REALTIME"):
            calls[row[1]].append(row)
    return calls


def _segments(events: list[list[str]]) -> list[list[list[str]]]:
    segments: list[list[list[str]]] = []
    for row in events:
        if row[4] == "ENTERQUEUE":
            segments.append([])
        assert segments, f"call {row[1]} starts with {row[4]}, not ENTERQUEUE"
        segments[-1].append(row)
    return segments


def test_files_exist_and_lines_are_well_formed(demo) -> None:
    _, folder = demo
    for name in (*FILE_NAMES, "floorwatch.toml"):
        assert (folder / name).is_file(), name
    rows = _qlog(folder)
    assert len(rows) > 1000
    for row in rows:
        assert len(row) >= 5, row
        assert row[0].isdigit(), row
        assert row[4] in EVENTS, row
    for name in ("chat.jsonl", "tickets.jsonl"):
        lines = _jsonl(folder, name)
        assert lines
        assert all(isinstance(obj.get("conversation_id"), str) for obj in lines)


def test_timestamps_never_go_past_now_and_files_are_in_time_order(demo) -> None:
    _, folder = demo
    epochs = [int(r[0]) for r in _qlog(folder)]
    assert epochs == sorted(epochs)
    assert max(epochs) <= NOW.timestamp()
    for name in ("chat.jsonl", "tickets.jsonl"):
        stamps = [datetime.fromisoformat(o["ts"]) for o in _jsonl(folder, name)]
        assert all(s.utcoffset() is not None for s in stamps)
        assert stamps == sorted(stamps)
        assert max(stamps) <= NOW


def test_every_call_follows_a_valid_event_sequence(demo) -> None:
    _, folder = demo
    for callid, events in _calls(_qlog(folder)).items():
        times = [int(e[0]) for e in events]
        assert times == sorted(times), callid
        segments = _segments(events)
        for i, seg in enumerate(segments):
            kinds = [e[4] for e in seg]
            terminal = [k for k in kinds if k in UNANSWERED_END | ANSWERED_END]
            assert len(terminal) <= 1, (callid, kinds)
            assert all(k in {"ENTERQUEUE", "RINGNOANSWER", "CONNECT"} for k in kinds[:-1]), kinds
            assert kinds.count("CONNECT") <= 1, kinds
            if terminal and terminal[0] in ANSWERED_END:
                assert "CONNECT" in kinds and kinds.index("CONNECT") < kinds.index(terminal[0])
            if terminal and terminal[0] in UNANSWERED_END:
                assert "CONNECT" not in kinds, kinds
            if i < len(segments) - 1:  # only a transfer opens another segment
                assert terminal and terminal[0] in TRANSFERS, kinds


def test_connect_and_complete_carry_consistent_times(demo) -> None:
    _, folder = demo
    for events in _calls(_qlog(folder)).values():
        for seg in _segments(events):
            by_kind = {e[4]: e for e in seg}
            enter, connect = by_kind["ENTERQUEUE"], by_kind.get("CONNECT")
            if connect is None:
                continue
            assert int(connect[5]) == int(connect[0]) - int(enter[0])  # holdtime = wait
            end = next((e for e in seg if e[4] in ANSWERED_END), None)
            if end is not None:
                assert int(end[-2]) == int(end[0]) - int(connect[0])  # calltime = talk


def test_arrivals_peak_in_the_day_not_at_night(demo) -> None:
    _, folder = demo
    per_hour = Counter(
        datetime.fromtimestamp(int(r[0]), PARIS).hour for r in _qlog(folder) if r[4] == "ENTERQUEUE"
    )
    night = sum(per_hour[h] for h in range(0, 6))
    assert per_hour[10] + per_hour[11] > 10 * max(night, 1) / 6 * 2
    assert max(per_hour, key=per_hour.get) in (9, 10, 11, 14, 15)
    assert per_hour[10] > per_hour[13] < per_hour[14]  # the lunch dip


def test_weekends_are_quieter(tmp_path: Path) -> None:
    folder = tmp_path / "week"
    _make(folder, at=datetime(2026, 11, 17, 0, 0, tzinfo=PARIS), days=3)  # Sat, Sun, Mon
    per_day = Counter(
        datetime.fromtimestamp(int(r[0]), PARIS).weekday()
        for r in _qlog(folder)
        if r[4] == "ENTERQUEUE"
    )
    assert per_day[6] < per_day[5] < per_day[0]
    assert per_day[0] > 2 * per_day[5]


def test_realistic_events_are_present(demo) -> None:
    _, folder = demo
    rows = _qlog(folder)
    kinds = Counter(r[4] for r in rows)
    for kind in (
        "RINGNOANSWER",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "UNPAUSE",
    ):
        assert kinds[kind] > 0, kind
    assert {r[5] for r in rows if r[4] == "PAUSE"} >= {"lunch", "break"}
    short = [r for r in rows if r[4] == "ABANDON" and int(r[7]) < 5]
    assert short and any(int(r[7]) >= 5 for r in rows if r[4] == "ABANDON")
    assert kinds["EXITWITHTIMEOUT"] + kinds["EXITWITHKEY"] + kinds["EXITEMPTY"] > 0
    agents = {r[3] for r in rows if r[4] == "CONNECT"}
    assert len(agents) >= 12
    assert "Zoë [trainee]" in {r[3] for r in rows if r[4] == "AGENTLOGIN"} | agents


def test_transfers_enter_a_second_queue_with_the_same_callid(demo) -> None:
    _, folder = demo
    transferred = 0
    for events in _calls(_qlog(folder)).values():
        segments = _segments(events)
        if len(segments) == 2:
            transferred += 1
            assert segments[0][-1][4] in TRANSFERS
            assert segments[0][0][2] != segments[1][0][2]  # another queue
    assert transferred > 0


def test_waits_build_under_load(demo) -> None:
    _, folder = demo
    waits = [int(r[5]) for r in _qlog(folder) if r[4] == "CONNECT"]
    assert sum(w <= 20 for w in waits) / len(waits) > 0.5  # mostly answered in time...
    assert max(waits) > 120  # ...but queues do build


def _last_events(folder: Path) -> set[str]:
    return {events[-1][4] for events in _calls(_qlog(folder)).values()}


def test_calls_are_in_progress_at_now(demo) -> None:
    _, folder = demo
    assert "CONNECT" in _last_events(folder)  # on a call: the end is not written yet


def test_callers_wait_in_queue_at_busy_moments(tmp_path: Path) -> None:
    # At a peak a queue is non-empty about half of the time: watch the live files minute by minute.
    sim = _make(tmp_path / "peak", at=NOW.replace(hour=10, minute=0), days=1)
    seen = 0
    for minute in range(1, 31):
        sim.step(NOW.replace(hour=10, minute=minute))
        seen += "ENTERQUEUE" in _last_events(tmp_path / "peak")  # entered, nothing else yet
    assert seen >= 3


def test_chats_have_back_and_forth_and_some_are_abandoned(demo) -> None:
    _, folder = demo
    by_conv: dict[str, list[dict]] = defaultdict(list)
    for obj in _jsonl(folder, "chat.jsonl"):
        by_conv[obj["conversation_id"]].append(obj)
    roles = {cid: [o.get("role") for o in lines if "role" in o] for cid, lines in by_conv.items()}
    assert all(r[0] == "customer" for r in roles.values() if r)
    assert any(r.count("agent") >= 3 and r.count("customer") >= 2 for r in roles.values())
    closed_unanswered = [
        cid
        for cid, lines in by_conv.items()
        if lines[-1].get("status") == "closed" and "agent" not in roles[cid]
    ]
    assert closed_unanswered
    ratings = [o for lines in by_conv.values() for o in lines if "rating" in o]
    assert ratings and any("rating_comment" in o for o in ratings)


def test_a_ticket_is_overdue_at_now_and_ratings_use_two_scales(demo) -> None:
    _, folder = demo
    facts: dict[str, dict] = {}
    replied: set[str] = set()
    for obj in _jsonl(folder, "tickets.jsonl"):
        if obj.get("type") == "conversation":
            facts[obj["conversation_id"]] = obj
        elif obj["role"] == "agent":
            replied.add(obj["conversation_id"])
    open_ = [f for f in facts.values() if f["status"] not in ("resolved", "closed")]
    overdue = [
        f
        for f in open_
        if datetime.fromisoformat(f["due_at"]) < NOW
        or (
            f["conversation_id"] not in replied
            and datetime.fromisoformat(f["ts"]) + timedelta(hours=12) < NOW
        )
    ]
    assert overdue
    assert {f["channel"] for f in facts.values()} == {"email", "social"}
    scales = {f.get("rating_scale") for f in facts.values() if "rating" in f}
    assert scales == {5, 10}
    assert all(f["tags"] and f["topic"] for f in facts.values())


def test_step_only_appends(demo, tmp_path: Path) -> None:
    sim = _make(tmp_path / "live")
    before = {name: (tmp_path / "live" / name).read_bytes() for name in FILE_NAMES}
    written = sim.step(NOW + timedelta(minutes=20))
    assert written > 0
    for name in FILE_NAMES:
        after = (tmp_path / "live" / name).read_bytes()
        assert after.startswith(before[name]), name
        assert after.endswith(b"\n")
    assert len(_qlog(tmp_path / "live")) > len(before["queue_log"].splitlines())
    assert sim.step(NOW + timedelta(minutes=10)) == 0  # time never goes back


def test_same_seed_and_clock_give_the_same_files(demo, tmp_path: Path) -> None:
    _, folder = demo
    _make(tmp_path / "again")
    for name in FILE_NAMES:
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name
    _make(tmp_path / "other", seed=8)
    assert (tmp_path / "other" / "queue_log").read_bytes() != (folder / "queue_log").read_bytes()


def test_stepping_equals_a_straight_run(tmp_path: Path) -> None:
    later = NOW + timedelta(hours=1, minutes=7)
    stepped = _make(tmp_path / "stepped")
    for minutes in range(5, 68, 5):
        stepped.step(min(NOW + timedelta(minutes=minutes), later))
    stepped.step(later)
    _make(tmp_path / "straight", at=later)
    for name in FILE_NAMES:
        a = (tmp_path / "stepped" / name).read_bytes()
        assert a == (tmp_path / "straight" / name).read_bytes(), name


def test_config_is_valid_and_names_the_demo(demo) -> None:
    sim, folder = demo
    cfg = Config.model_validate(tomllib.loads(sim.config_toml()))
    assert cfg.site_name == "Northwind Support (simulated)"
    assert cfg.timezone == "Europe/Paris"
    assert cfg.teams["Zoë [trainee]"]
    assert set(cfg.queue_channels.values()) >= {"voice", "chat", "email", "social"}
    assert (folder / "floorwatch.toml").read_text("utf-8") == sim.config_toml()
    rows = _qlog(folder)
    assert {r[3] for r in rows if r[3] != "NONE"} <= set(cfg.teams)
    assert {r[2] for r in rows if r[2] != "NONE"} <= set(cfg.queue_channels)


def test_run_writes_in_accelerated_real_time(tmp_path: Path) -> None:
    import threading

    sim = _make(tmp_path / "run", speed=600)
    size = (tmp_path / "run" / "queue_log").stat().st_size
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), kwargs={"tick_s": 0.05})
    thread.start()
    try:
        for _ in range(100):
            if (tmp_path / "run" / "queue_log").stat().st_size > size:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert (tmp_path / "run" / "queue_log").stat().st_size > size
    assert sim.now is not None and sim.now > NOW


def test_three_weeks_of_history_stay_small(tmp_path: Path) -> None:
    import time

    started = time.perf_counter()
    _make(tmp_path / "big", days=21)
    elapsed = time.perf_counter() - started
    lines = len((tmp_path / "big" / "queue_log").read_bytes().splitlines())
    assert 30_000 < lines <= 150_000
    assert elapsed < 10


def test_floorwatch_readers_accept_every_line(demo) -> None:
    try:
        from data.formats.base import ReadContext
        from data.formats.chat_jsonl import ChatJsonlReader
        from data.formats.queue_log import QueueLogReader
    except ImportError:  # pragma: no cover - the readers are written in parallel
        pytest.skip("format readers not available")
    sim, folder = demo
    cfg = Config.model_validate(tomllib.loads(sim.config_toml()))
    for file_id, (name, reader) in enumerate(
        [
            ("queue_log", QueueLogReader()),
            ("chat.jsonl", ChatJsonlReader()),
            ("tickets.jsonl", ChatJsonlReader()),
        ]
    ):
        raw = (folder / name).read_bytes()
        assert reader.sniff(raw[:4096], name), name
        lines = list(enumerate(raw.splitlines(), start=1))
        ctx = ReadContext(path=name, file_id=file_id, config=cfg, zone=PARIS)
        batch = reader.parse(lines, ctx)
        assert batch.rejects == [], (name, batch.rejects[:3])
        assert batch.loaded == len(lines), name  # one row per line: message, fact or event


@pytest.mark.parametrize("speed", ["0", "-5"])
def test_demo_speed_must_be_above_zero(speed: str, capsys) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["demo", "--speed", speed])
    assert exc.value.code == 2
    assert "must be above 0" in capsys.readouterr().err


def _duckdb_interrupt() -> BaseException:
    import duckdb

    return duckdb.InterruptException("INTERRUPT Error: Interrupted!")


@pytest.mark.parametrize(
    "error",
    [KeyboardInterrupt, _duckdb_interrupt, lambda: RuntimeError("Query interrupted")],
    ids=["KeyboardInterrupt", "duckdb", "RuntimeError"],
)
def test_ctrl_c_before_the_console_is_up_exits_130_without_a_traceback(
    monkeypatch, capsys, error
) -> None:
    import tui.launch
    from tui.cli import main

    def interrupted(command: str, args: list[str]) -> int:
        raise error()

    monkeypatch.setattr(tui.launch, "run_console", interrupted)
    assert main(["demo"]) == 130
    assert capsys.readouterr().err == "floorwatch: interrupted\n"


def test_other_errors_are_not_taken_for_an_interrupt(monkeypatch) -> None:
    import tui.launch
    from tui.cli import main

    def broken(command: str, args: list[str]) -> int:
        raise RuntimeError("something else")

    monkeypatch.setattr(tui.launch, "run_console", broken)
    with pytest.raises(RuntimeError, match="something else"):
        main(["demo"])


def test_a_closed_floor_is_said_with_when_it_opens(tmp_path: Path) -> None:
    # Sunday 04:00 in Paris: nobody on shift; Sunday's early shift starts at 07:30 (± 10 min).
    sunday_night = datetime(2026, 11, 22, 4, 0, tzinfo=PARIS)
    sim = _make(tmp_path, at=sunday_night)
    opens = sim.next_shift_start(sunday_night)
    assert opens is not None
    assert opens.date() == sunday_night.date()
    assert timedelta(hours=3, minutes=20) <= opens - sunday_night <= timedelta(hours=3, minutes=40)
    notice = closed_floor_notice(sim, sunday_night, speed=1)
    assert notice is not None
    assert f"until {opens:%a %H:%M} (site time)" in notice
    assert "--speed 60" in notice
    # Faster, the same wait is shorter in real time: at 60x, 3.5 h pass in 3.5 min.
    assert closed_floor_notice(sim, sunday_night, speed=60) is None
    # From midnight it is 7.5 h, 7.5 min at 60x: said, without suggesting what is running.
    notice = closed_floor_notice(sim, sunday_night - timedelta(hours=4), speed=60)
    assert notice is not None and "--speed" not in notice


def test_an_open_floor_says_nothing(demo) -> None:
    sim, _ = demo  # a Wednesday afternoon
    assert sim.next_shift_start(NOW) == NOW
    assert closed_floor_notice(sim, NOW, speed=1) is None
