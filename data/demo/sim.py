"""The demo simulator: a seeded contact center that writes queue_log, chat.jsonl and tickets.jsonl.

How it works. Time is integer epoch seconds. Each local day is prepared one day ahead from its own
seeded generator: agents' shifts and pauses (queue_log member events, and the intervals in which an
agent can take a call) and the day's arrivals (a Poisson count per hour, shaped by the hourly and
weekday curves). Arrivals are then processed strictly in time order; each contact draws from its own
generator (seeded by the contact id) and its whole future is decided at once: a voice call takes the
member of its queue that is free first (agents' busy-until times make waits build under load), or
leaves when the caller's patience, a key press or the queue timeout comes first. The contact's events
go into a heap and reach the files only when simulated time passes them, so a contact in progress at
"now" has only its events so far. Every ordering key is content-derived, which makes the files the
same whatever the step sizes: history written up to 14:00 then stepped to 15:00 equals history up to
15:00.
"""

from __future__ import annotations

import heapq
import json
import math
import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from data.demo import model as m
from data.demo.written import chat, ticket

QUEUE_LOG, CHAT, TICKETS = 0, 1, 2
FILE_NAMES = ("queue_log", "chat.jsonl", "tickets.jsonl")
_AGENTS = {a.name: a for a in m.AGENTS}


class _Intervals:
    """Sorted, non-overlapping [start, end) intervals, appended in time order."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        if end > start:
            self.starts.append(start)
            self.ends.append(end)

    def contains(self, t: int) -> bool:
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def earliest(self, t: int, deadline: int) -> int | None:
        """The first instant >= t inside an interval, if it is <= deadline."""
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        if i + 1 < len(self.starts) and self.starts[i + 1] <= deadline:
            return self.starts[i + 1]
        return None


def _poisson(rng: Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weighted(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Simulator:
    """Writes a live contact center's exports into `folder`. Not thread-safe: drive it from one thread."""

    def __init__(
        self,
        folder: Path,
        *,
        seed: int = 7,
        speed: float = 1.0,
        history_days: int = 21,
        clock: Callable[[], datetime] | None = None,
        timezone: str = "Europe/Paris",
    ) -> None:
        self.folder = Path(folder)
        self.seed = seed
        self.speed = speed
        self.history_days = history_days
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(self.zone))
        self._events: list[tuple] = []  # (ts, rank, key, n, file, line)
        self._arrivals: list[tuple] = []  # (ts, rank, key, seg, handler, payload)
        self._until: int | None = None
        self._next_day: date | None = None
        self._written = False
        self._avail = {a.name: _Intervals() for a in m.AGENTS}  # logged in, not paused
        self._shift = {a.name: _Intervals() for a in m.AGENTS}  # logged in
        self._busy = {a.name: 0 for a in m.AGENTS}
        self._members = {
            q.name: [a.name for a in m.AGENTS if q.name in a.voice] for q in m.VOICE_QUEUES
        }
        self._written_agents = {
            ch: [a.name for a in m.AGENTS if ch in a.written] for ch in ("chat", "email", "social")
        }
        self._in_queue: dict[str, list[int]] = {q.name: [] for q in m.VOICE_QUEUES}  # leave times
        pool_rng = Random(f"{seed}/customers")
        self._pool = [self._new_customer(pool_rng) for _ in range(400)]

    # ----------------------------------------------------------------------------------- public API

    @property
    def now(self) -> datetime | None:
        """Simulated time written so far (None before the first step)."""
        return None if self._until is None else datetime.fromtimestamp(self._until, self.zone)

    def write_history(self) -> None:
        """Write `history_days` of activity up to the clock's now; contacts in progress stay pending."""
        end = int(self.clock().timestamp())
        day = self._start_day()
        while (midnight := self._midnight(day + timedelta(days=1))) <= end:
            self._step(midnight)
            day += timedelta(days=1)
        self._step(end)

    def step(self, until: datetime) -> int:
        """Write every pending event with ts <= until; return the number of lines written."""
        return self._step(int(until.timestamp()))

    def next_shift_start(self, at: datetime) -> datetime | None:
        """When the floor next has an agent on shift, from `at`: `at` itself when one is on shift
        then, else the first planned shift start after it (days are planned one day ahead; None
        when none is planned)."""
        t = int(at.timestamp())
        if any(shift.contains(t) for shift in self._shift.values()):
            return at
        starts = [start for shift in self._shift.values() for start in shift.starts if start > t]
        return datetime.fromtimestamp(min(starts), self.zone) if starts else None

    def run(self, stop: threading.Event, tick_s: float = 0.5) -> None:
        """Advance simulated time `speed`x real time from now, writing each tick, until `stop` is set."""
        if self._until is None:
            self.write_history()
        base = max(self._until or 0, int(self.clock().timestamp()))
        t0 = time.monotonic()
        while not stop.is_set():
            self._step(base + int((time.monotonic() - t0) * self.speed))
            stop.wait(tick_s)

    def config_toml(self) -> str:
        """A floorwatch.toml for the demo folder."""
        q = json.dumps  # a JSON string is a valid TOML basic string
        lines = [
            f"site_name = {q('Northwind Support (simulated)', ensure_ascii=False)}",
            f"timezone = {q(self.timezone)}",
        ]
        lines += ["", "[teams]"]
        lines += [f"{q(a.name, ensure_ascii=False)} = {q(a.team)}" for a in m.AGENTS]
        lines += ["", "[queue_channels]"]
        lines += [f"{q(k)} = {q(v)}" for k, v in m.QUEUE_CHANNELS.items()]
        lines += ["", "[queue_names]"]
        lines += [f"{q(k)} = {q(v, ensure_ascii=False)}" for k, v in m.QUEUE_TITLES.items()]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------------------------- stepping

    def _start_day(self) -> date:
        return self.clock().astimezone(self.zone).date() - timedelta(days=self.history_days)

    def _midnight(self, d: date) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=self.zone).timestamp())

    def _local(self, d: date, hours: float) -> int:
        h = int(hours)
        minute = round((hours - h) * 60)
        return int(datetime(d.year, d.month, d.day, h, minute, tzinfo=self.zone).timestamp())

    def _step(self, until: int) -> int:
        if self._until is not None and until <= self._until:
            return 0
        if self._next_day is None:
            self._next_day = self._start_day()
        # Prepare each day one day ahead: a call just before midnight may be answered after it.
        while self._midnight(self._next_day) <= until + 86400:
            self._prepare_day(self._next_day)
            self._next_day += timedelta(days=1)
        while self._arrivals and self._arrivals[0][0] <= until:
            ts, _rank, key, seg, handler, payload = heapq.heappop(self._arrivals)
            handler(self, ts, key, seg, payload)
        out: list[list[str]] = [[], [], []]
        while self._events and self._events[0][0] <= until:
            ev = heapq.heappop(self._events)
            out[ev[4]].append(ev[5])
        self._until = until
        return self._write(out)

    def _write(self, out: list[list[str]]) -> int:
        mode = "a" if self._written else "w"  # the simulator owns these files: start them afresh
        if not self._written:
            self.folder.mkdir(parents=True, exist_ok=True)
        for name, lines in zip(FILE_NAMES, out, strict=True):
            if lines or not self._written:
                with open(self.folder / name, mode, encoding="utf-8", newline="\n") as fh:
                    fh.write("".join(line + "\n" for line in lines))
        self._written = True
        return sum(len(lines) for lines in out)

    def _emit_qlog(self, ts: int, rank: int, key: str, n: int, fields: list[str]) -> None:
        line = f"{ts}|" + "|".join(fields)
        heapq.heappush(self._events, (ts, rank, key, n, QUEUE_LOG, line))

    def _emit_json(self, file: int, ts: int, key: str, n: int, obj: dict) -> None:
        line = json.dumps(obj, ensure_ascii=False)
        heapq.heappush(self._events, (ts, 2, key, n, file, line))

    def _iso(self, ts: int) -> str:
        return datetime.fromtimestamp(ts, self.zone).isoformat()

    # -------------------------------------------------------------------------------- day schedule

    def _prepare_day(self, d: date) -> None:
        rng = Random(f"{self.seed}/schedule/{d.isoformat()}")
        for a in m.AGENTS:
            works = d.weekday() in a.days and rng.random() > 0.05
            plan = self._plan_shift(rng, d, a) if works else None
            if plan is not None:
                self._schedule_agent(a, *plan)
        self._prepare_arrivals(d)

    def _plan_shift(self, rng: Random, d: date, a: m.Agent) -> tuple[int, int, list]:
        start = self._local(d, m.SHIFTS[a.shift]) + rng.randint(-600, 600)
        end = start + int(8.5 * 3600) + rng.randint(-300, 900)
        hour = 3600
        pauses = [
            (start + 2 * hour + rng.randint(-1200, 1200), rng.randint(600, 1000), "break"),
            (start + 4 * hour + rng.randint(-1800, 1800), rng.randint(2700, 3600), "lunch"),
        ]
        if rng.random() < 0.12:
            pauses.append(
                (start + 6 * hour + rng.randint(0, 1200), rng.randint(1800, 3600), "training")
            )
        else:
            pauses.append(
                (start + 6 * hour + rng.randint(0, 1800), rng.randint(600, 1000), "break")
            )
        if rng.random() < 0.06:
            pauses.append((start + hour - rng.randint(0, 1200), rng.randint(900, 1500), "coaching"))
        pauses.sort()
        return start, end, pauses

    def _schedule_agent(self, a: m.Agent, start: int, end: int, pauses: list) -> None:
        self._shift[a.name].add(start, end)
        cursor = start
        for p_start, p_len, _ in pauses:
            self._avail[a.name].add(cursor, p_start)
            cursor = p_start + p_len
        self._avail[a.name].add(cursor, end - 600)  # no new call in the last 10 minutes
        if not a.voice:
            return
        key, n = a.name, 0

        def emit(ts: int, queue: str, event: str, *data: str) -> None:
            nonlocal n
            n += 1
            self._emit_qlog(ts, 0, key, n, ["NONE", queue, a.name, event, *data])

        emit(start, "NONE", "AGENTLOGIN", f"PJSIP/{a.ext}")
        for q in a.voice:
            emit(start, q, "ADDMEMBER", "")
        for p_start, p_len, reason in pauses:
            for q in a.voice:
                emit(p_start, q, "PAUSE", reason)
            for q in a.voice:
                emit(p_start + p_len, q, "UNPAUSE", "")
        for q in a.voice:
            emit(end, q, "REMOVEMEMBER", "")
        emit(end, "NONE", "AGENTLOGOFF", f"PJSIP/{a.ext}", str(end - start))

    def _prepare_arrivals(self, d: date) -> None:
        rng = Random(f"{self.seed}/arrivals/{d.isoformat()}")
        factor = m.WEEKDAY_FACTOR[d.weekday()] * rng.gauss(1.0, 0.05)
        hours = [self._local(d, h) for h in range(24)] + [self._midnight(d + timedelta(days=1))]
        tag = d.strftime("%y%m%d")
        serial = (d.toordinal() % 1000) * 10000

        def times(per_day: float, curve: tuple[float, ...]) -> list[int]:
            total = sum(curve)
            out: list[int] = []
            for h in range(24):
                lo, hi = hours[h], hours[h + 1]
                if hi > lo:
                    n = _poisson(rng, per_day * factor * curve[h] / total)
                    out += [rng.randrange(lo, hi) for _ in range(n)]
            return sorted(out)

        shares = {q.name: q.share for q in m.VOICE_QUEUES}
        for i, t in enumerate(times(m.VOICE_PER_DAY, m.VOICE_HOURLY)):
            callid = f"{t}.{serial + i}"
            payload = (_weighted(rng, shares), None)
            heapq.heappush(self._arrivals, (t, 1, callid, 1, Simulator._voice, payload))
        chat_shares = dict(m.CHAT_QUEUES)
        for i, t in enumerate(times(m.CHAT_PER_DAY, m.CHAT_HOURLY)):
            cid = f"c-{tag}-{i:04d}"
            heapq.heappush(self._arrivals, (t, 2, cid, 1, chat, _weighted(rng, chat_shares)))
        for i, t in enumerate(times(m.TICKETS_PER_DAY, m.TICKET_HOURLY)):
            queue, channel, _ = m.TICKET_QUEUES[0 if rng.random() < m.TICKET_QUEUES[0][2] else 1]
            tid = f"{'T' if channel == 'email' else 'S'}-{tag}-{i:03d}"
            heapq.heappush(self._arrivals, (t, 3, tid, 1, ticket, (queue, channel)))

    # ------------------------------------------------------------------------------------ customers

    @staticmethod
    def _new_customer(rng: Random) -> tuple[str, str]:
        first, last = rng.choice(m.FIRST_NAMES), rng.choice(m.LAST_NAMES)
        email = f"{first}.{last}{rng.randint(1, 999)}@example.com"
        return email, f"06{rng.randint(0, 99_999_999):08d}"

    def _customer(self, rng: Random) -> tuple[str, str]:
        """(email, phone); a quarter of contacts come from returning customers."""
        if rng.random() < 0.25:
            return self._pool[rng.randrange(len(self._pool))]
        return self._new_customer(rng)

    # ---------------------------------------------------------------------------------------- voice

    def _best_agent(
        self, members: list[str], t: int, deadline: int, skip: str | None
    ) -> tuple[int, int, str] | None:
        best = None
        for name in members:
            if name == skip:
                continue
            free = self._avail[name].earliest(max(t, self._busy[name]), deadline)
            if free is not None and free <= deadline:
                cand = (free, self._busy[name], name)
                best = cand if best is None or cand < best else best
        return best

    def _voice(self, t: int, callid: str, seg: int, payload: tuple) -> None:
        queue, caller = payload
        rng = Random(f"{self.seed}/{callid}/{seg}")
        caller = caller or self._customer(rng)[1]
        q = m.VOICE_BY_NAME[queue]
        waiting = [x for x in self._in_queue[queue] if x > t]
        self._in_queue[queue] = waiting
        origpos = len(waiting) + 1
        events: list[tuple[int, str, str, list[str]]] = [
            (t, "NONE", "ENTERQUEUE", ["", caller, str(origpos)])
        ]
        members = self._members[queue]
        if not any(self._shift[a].contains(t) for a in members):
            leave = t + rng.randint(1, 3)
            events.append((leave, "NONE", "EXITEMPTY", ["1", str(origpos), str(leave - t)]))
            waiting.append(leave)
            return self._emit_call(callid, seg, queue, events)
        patience = (
            rng.randint(0, 4)
            if rng.random() < 0.05
            else 5 + int(rng.lognormvariate(math.log(200), 0.9))
        )
        key_at = rng.randint(45, 240) if rng.random() < 0.03 else 10**9
        deadline = t + min(patience, q.timeout_s, key_at)
        answer = self._ring(rng, events, members, t, deadline)
        if answer is None:
            leave = deadline
            waiting.append(leave)
            pos = str(min(origpos, 1 + sum(1 for x in waiting if x > leave)))
            wait = str(leave - t)
            if patience <= min(q.timeout_s, key_at):
                events.append((leave, "NONE", "ABANDON", [pos, str(origpos), wait]))
            elif key_at < q.timeout_s:
                events.append((leave, "NONE", "EXITWITHKEY", ["1", pos, str(origpos), wait]))
            else:
                events.append((leave, "NONE", "EXITWITHTIMEOUT", [pos, str(origpos), wait]))
            return self._emit_call(callid, seg, queue, events)
        agent, connect, ring = answer
        waiting.append(connect)
        a = _AGENTS[agent]
        talk = 8 + int(rng.lognormvariate(math.log(q.talk_median_s * a.speed), 0.6))
        self._busy[agent] = connect + talk + rng.randint(10, 45)  # + wrap-up
        hold = str(connect - t)
        bridged = f"{connect}.{int(callid.split('.')[1]) + 500_000}"
        events.append((connect, agent, "CONNECT", [hold, bridged, str(ring)]))
        end = connect + talk
        target = next((tq for tq, p in q.transfers if rng.random() < p), None) if seg == 1 else None
        if target is not None:
            kind = rng.choices(("BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER"), (6, 2.5, 1.5))[0]
            ext = m.VOICE_BY_NAME[target].extension
            head = ["BRIDGE", bridged] if kind == "ATTENDEDTRANSFER" else [ext, "from-queue"]
            events.append((end, agent, kind, [*head, hold, str(talk), str(origpos)]))
            nxt = end + rng.randint(1, 3)
            heapq.heappush(self._arrivals, (nxt, 1, callid, 2, Simulator._voice, (target, caller)))
        else:
            kind = "COMPLETEAGENT" if rng.random() < 0.4 else "COMPLETECALLER"
            events.append((end, agent, kind, [hold, str(talk), str(origpos)]))
        return self._emit_call(callid, seg, queue, events)

    def _ring(
        self, rng: Random, events: list, members: list[str], t: int, deadline: int
    ) -> tuple[str, int, int] | None:
        """Offer the call to members until one answers before `deadline`: (agent, connect, ringtime)."""
        skip = None
        for _ in range(3):
            best = self._best_agent(members, t, deadline, skip) or self._best_agent(
                members, t, deadline, None
            )
            if best is None:
                return None
            free, _, agent = best
            if rng.random() < _AGENTS[agent].miss_ring:
                if free + 15 >= deadline:
                    return None
                events.append((free + 15, agent, "RINGNOANSWER", ["15000"]))
                t, skip = free + 15, agent
                continue
            ring = rng.randint(2, 9)
            if free + ring > deadline:
                return None
            return agent, free + ring, ring
        return None

    def _emit_call(self, callid: str, seg: int, queue: str, events: list) -> None:
        for n, (ts, agent, event, data) in enumerate(events):
            self._emit_qlog(ts, 1, callid, seg * 100 + n, [callid, queue, agent, event, *data])
