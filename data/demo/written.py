"""The demo's written channels: chats (back and forth within minutes) and email/social tickets.

Each function decides one conversation's whole future when it arrives and hands its lines to the
simulator, which writes each when simulated time passes it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from random import Random
from typing import TYPE_CHECKING

from data.demo import model as m

if TYPE_CHECKING:
    from data.demo.sim import Simulator

CHAT, TICKETS = 1, 2  # file indexes, as in data.demo.sim.FILE_NAMES
_AGENTS = {a.name: a for a in m.AGENTS}


def _weighted(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def chat(sim: Simulator, t: int, cid: str, _seg: int, queue: str) -> None:
    rng = Random(f"{sim.seed}/{cid}")
    customer = sim._customer(rng)[0]
    topic = _weighted(rng, m.TOPIC_WEIGHTS)
    openers, answers = m.TOPICS[topic]
    fact = {
        "type": "conversation", "conversation_id": cid, "ts": sim._iso(t), "created_at": sim._iso(t),
        "channel": "chat",
        "queue": queue, "status": "open", "priority": "normal", "customer": customer,
        "topic": topic, "tags": [topic], "agent": None,
    }  # fmt: skip
    conv = _Conversation(sim, CHAT, cid, "chat", queue)
    conv.fact(t, fact)
    conv.say(t, "customer", customer, rng.choice(openers))
    agents = [a for a in sim._written_agents["chat"] if sim._shift[a].contains(t)]
    if not agents:
        conv.say(t + 2, "bot", "bot", m.BOT_CLOSED)
        end = t + rng.randint(60, 600)
        return conv.fact(end, {**fact, "status": "closed", "resolved_at": sim._iso(end)})
    load = m.CHAT_HOURLY[datetime.fromtimestamp(t, sim.zone).hour] / max(m.CHAT_HOURLY)
    frt = 5 + int(rng.lognormvariate(math.log(20 + 45 * load), 0.7))
    patience = 20 + int(rng.lognormvariate(math.log(300), 0.8))
    if frt > patience:  # the customer leaves before anyone answers
        if rng.random() < 0.5:
            conv.say(t + patience // 2, "customer", customer, rng.choice(m.CUSTOMER_NUDGES))
        end = t + patience
        return conv.fact(end, {**fact, "status": "closed", "resolved_at": sim._iso(end)})
    agent = rng.choice(agents)
    ts = t + frt
    conv.say(ts, "agent", agent, rng.choice(m.AGENT_OPENERS))
    for i in range(rng.randint(1, 3)):
        ts += rng.randint(15, 150)
        conv.say(ts, "customer", customer, rng.choice(m.CUSTOMER_FOLLOWUPS))
        ts += rng.randint(10, 120)
        conv.say(ts, "agent", agent, rng.choice(answers) if i == 0 else rng.choice(m.AGENT_CLOSERS))
    fact["agent"] = agent
    end = ts + rng.randint(20, 180)
    if rng.random() < 0.03:  # left pending, overdue until the nightly auto-close
        conv.fact(ts + 5, {**fact, "status": "pending"})
        end = ts + rng.randint(3600, 6 * 3600)
        return conv.fact(end, {**fact, "status": "closed", "resolved_at": sim._iso(end)})
    conv.fact(
        end,
        {
            **fact,
            "status": "resolved",
            "resolved_at": sim._iso(end),
            **_rating(rng, agent, frt > 120),
        },
    )


# ---------------------------------------------------------------------------------------------------
# tickets


def _business(sim: Simulator, t: int, secs: float) -> int:
    """`t` plus `secs` of back-office opening hours."""
    secs = int(secs)
    for _ in range(60):
        local = datetime.fromtimestamp(t, sim.zone)
        hours = m.TICKET_HOURS[local.weekday()]
        next_day = sim._midnight(local.date() + timedelta(days=1))
        if hours is not None:
            lo, hi = sim._local(local.date(), hours[0]), sim._local(local.date(), hours[1])
            t = max(t, lo)
            if t < hi:
                if t + secs <= hi:
                    return t + secs
                secs -= hi - t
        t = next_day
    return t + secs


def ticket(sim: Simulator, t: int, tid: str, _seg: int, payload: tuple[str, str]) -> None:
    queue, channel = payload
    rng = Random(f"{sim.seed}/{tid}")
    email = sim._customer(rng)[0]
    customer = email if channel == "email" else "@" + email.split("@")[0].replace(".", "_")
    topic = _weighted(rng, m.TOPIC_WEIGHTS)
    openers, answers = m.TOPICS[topic]
    priority = rng.choices(("low", "normal", "high", "urgent"), (20, 60, 15, 5))[0]
    due_h = {"low": 48, "normal": 24, "high": 8, "urgent": 4}[priority]
    tags = [topic] + (["vip"] if rng.random() < 0.05 else [])
    fact = {
        "type": "conversation", "conversation_id": tid, "ts": sim._iso(t), "created_at": sim._iso(t),
        "channel": channel,
        "queue": queue, "status": "open", "priority": priority, "due_at": sim._iso(t + due_h * 3600),
        "customer": customer, "topic": topic, "tags": tags, "agent": None,
    }  # fmt: skip
    conv = _Conversation(sim, TICKETS, tid, channel, queue)
    conv.fact(t, fact)
    conv.say(t, "customer", customer, f"{rng.choice(openers)} (order #{rng.randint(10000, 99999)})")
    median = 5400 if channel == "email" else 2400
    delay = rng.lognormvariate(math.log(median), 0.9)
    if rng.random() < 0.05:  # forgotten in the backlog
        delay += rng.randint(14, 30) * 3600
    agent = rng.choice(sim._written_agents[channel])
    ts = _business(sim, t, delay)
    conv.say(ts, "agent", agent, rng.choice(answers))
    fact["agent"] = agent
    conv.fact(ts, {**fact, "status": "pending"})
    for _ in range(rng.choices((0, 1, 2), (55, 35, 10))[0]):
        ts += int(rng.lognormvariate(math.log(2 * 3600), 1.0))
        conv.say(ts, "customer", customer, rng.choice(m.CUSTOMER_FOLLOWUPS))
        ts = _business(sim, ts, rng.lognormvariate(math.log(2 * 3600), 0.8))
        conv.say(ts, "agent", agent, rng.choice(m.AGENT_CLOSERS))
    end = ts + rng.randint(60, 1800)
    if rng.random() < 0.04:  # stuck: waiting on a third party for days
        end += rng.randint(3600, 4 * 86400)
    rating = _rating(rng, agent, end - t > due_h * 3600, scale10=rng.random() < 0.35)
    conv.fact(end, {**fact, "status": "resolved", "resolved_at": sim._iso(end), **rating})


class _Conversation:
    """Emits one conversation's lines (messages and fact lines) in order."""

    def __init__(self, sim: Simulator, file: int, cid: str, channel: str, queue: str) -> None:
        self.sim, self.file, self.cid, self.channel, self.queue = sim, file, cid, channel, queue
        self.n = 0

    def _emit(self, ts: int, obj: dict) -> None:
        self.n += 1
        self.sim._emit_json(self.file, ts, self.cid, self.n, obj)

    def say(self, ts: int, role: str, author: str, text: str) -> None:
        self._emit(
            ts,
            {
                "conversation_id": self.cid, "ts": self.sim._iso(ts), "role": role, "author": author,
                "channel": self.channel, "queue": self.queue, "text": text,
            },
        )  # fmt: skip

    def fact(self, ts: int, fact: dict) -> None:
        self._emit(ts, {**fact, "ts": self.sim._iso(ts)})


def _rating(rng: Random, agent: str, late: bool, *, scale10: bool = False) -> dict:
    """A CSAT survey answer for about a quarter of resolved contacts (empty dict when none)."""
    if rng.random() > 0.27:
        return {}
    mean = _AGENTS[agent].quality - (0.9 if late else 0.0)
    score = min(5, max(1, round(rng.gauss(mean, 0.9))))
    out: dict = {"rating": score, "rating_scale": 5}
    if scale10:
        out = {"rating": min(10, max(1, score * 2 - rng.randint(0, 1))), "rating_scale": 10}
    if rng.random() < 0.55:
        out["rating_comment"] = rng.choice(m.RATING_COMMENTS[score])
    return out
