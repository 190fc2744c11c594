"""The demo's static world: queues, agents, arrival curves, topics and the words people type.

Everything here is data. The simulator (`data.demo.sim`) draws from it with seeded random generators, so
changing a number here changes the demo's output but never its determinism.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------------
# Queues and channels


@dataclass(frozen=True)
class VoiceQueue:
    name: str
    title: str
    share: float  # of the day's voice calls
    talk_median_s: float
    timeout_s: int  # Asterisk queue timeout: EXITWITHTIMEOUT after this wait
    extension: str  # dialled when another queue transfers here
    transfers: tuple[tuple[str, float], ...]  # (target queue, probability per answered call)


VOICE_QUEUES: tuple[VoiceQueue, ...] = (
    VoiceQueue(
        "billing", "Billing", 0.34, 130, 420, "6001", (("retention", 0.03), ("tech-support", 0.015))
    ),
    VoiceQueue("tech-support", "Tech support", 0.30, 200, 600, "6002", (("billing", 0.03),)),
    VoiceQueue("sales", "Sales", 0.21, 160, 300, "6003", (("billing", 0.025),)),
    VoiceQueue("retention", "Retention", 0.15, 180, 360, "6004", (("billing", 0.02),)),
)
VOICE_BY_NAME = {q.name: q for q in VOICE_QUEUES}

CHAT_QUEUES: tuple[tuple[str, float], ...] = (("chat-support", 0.7), ("chat-sales", 0.3))
TICKET_QUEUES: tuple[tuple[str, str, float], ...] = (
    ("email", "email", 0.8),
    ("social", "social", 0.2),
)

QUEUE_CHANNELS: dict[str, str] = {
    **{q.name: "voice" for q in VOICE_QUEUES},
    "chat-support": "chat",
    "chat-sales": "chat",
    "email": "email",
    "social": "social",
}
QUEUE_TITLES: dict[str, str] = {
    **{q.name: q.title for q in VOICE_QUEUES},
    "chat-support": "Chat — support",
    "chat-sales": "Chat — sales",
    "email": "Email",
    "social": "Social media",
}

# ---------------------------------------------------------------------------------------------------
# Volumes and curves

VOICE_PER_DAY = 1350  # on a weekday with factor 1.0
CHAT_PER_DAY = 420
TICKETS_PER_DAY = 150

WEEKDAY_FACTOR = (1.18, 1.06, 1.0, 0.98, 0.93, 0.42, 0.24)  # Monday .. Sunday

# Relative arrivals per local hour 0..23: a morning peak at 10-11h, a dip at lunch, a 14-15h peak.
VOICE_HOURLY = (
    0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.8, 4.5, 7.5, 9.5, 9.8,
    7.5, 6.5, 8.8, 9.0, 7.8, 6.5, 4.8, 3.2, 2.0, 1.3, 0.8, 0.5,
)  # fmt: skip
CHAT_HOURLY = (
    0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 6.5, 8.0, 8.5,
    7.5, 7.5, 8.5, 8.5, 7.5, 6.5, 5.5, 4.5, 3.5, 2.2, 1.2, 0.7,
)  # fmt: skip
TICKET_HOURLY = (
    1.5, 1.0, 0.8, 0.6, 0.6, 0.8, 1.5, 3.0, 5.5, 7.0, 7.5, 7.5,
    6.5, 6.5, 7.0, 7.0, 6.5, 5.5, 4.5, 4.0, 3.5, 3.0, 2.5, 2.0,
)  # fmt: skip

# When the back office answers tickets: weekday -> (start hour, end hour), None = closed.
TICKET_HOURS: tuple[tuple[float, float] | None, ...] = (
    (8, 19), (8, 19), (8, 19), (8, 19), (8, 18), (9, 13), None,
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Agents

SHIFTS = {"early": 7.5, "day": 8.5, "mid": 10.0, "late": 12.0}  # local start hour; 8.5 h long
WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Agent:
    name: str  # as it appears in queue_log (log_membername_as_agent) and as message author
    team: str
    shift: str
    days: tuple[int, ...]  # weekdays worked
    voice: tuple[str, ...] = ()  # voice queues (member of)
    written: tuple[str, ...] = ()  # chat / email / social
    speed: float = 1.0  # talk-time multiplier: < 1 is faster
    quality: float = 4.2  # mean CSAT on 1-5
    miss_ring: float = 0.03  # probability to let a ring go unanswered
    ext: str = ""


AGENTS: tuple[Agent, ...] = (
    Agent("Olga Petrova", "Aurora", "early", WEEKDAYS, ("billing", "retention"), speed=0.8, quality=4.6, ext="2101"),
    Agent("Marc Dubois", "Aurora", "day", WEEKDAYS, ("tech-support",), speed=1.3, quality=4.7, ext="2102"),
    Agent("Zoë [trainee]", "Aurora", "day", WEEKDAYS, ("billing",), speed=1.4, quality=3.4, miss_ring=0.12, ext="2103"),
    Agent("Sofía Núñez", "Aurora", "mid", (0, 1, 2, 4, 5), ("sales", "retention"), ("chat",), speed=0.9, quality=4.4, ext="2104"),
    Agent("Jean-Luc Moreau", "Aurora", "late", WEEKDAYS, ("tech-support", "billing"), speed=1.0, quality=4.0, ext="2105"),
    Agent("Aiko Tanaka", "Aurora", "day", WEEKDAYS, ("tech-support",), ("chat",), speed=0.85, quality=4.5, ext="2106"),
    Agent("Björn Ødegaard", "Boreal", "early", WEEKDAYS, ("sales",), speed=1.1, quality=3.9, ext="2107"),
    Agent("Priya Raman", "Boreal", "mid", WEEKDAYS, ("billing", "tech-support"), speed=0.95, quality=4.3, ext="2108"),
    Agent("Kwame Mensah", "Boreal", "late", (1, 2, 3, 4, 5), ("retention", "sales"), speed=1.05, quality=4.1, ext="2109"),
    Agent("Tomasz Wiśniewski", "Boreal", "early", WEEKDAYS, ("tech-support",), speed=1.2, quality=3.8, miss_ring=0.06, ext="2110"),
    Agent("Lucas Martin", "Boreal", "mid", (0, 1, 3, 4, 5), ("billing",), speed=0.75, quality=3.6, ext="2111"),
    Agent("Fatima Zahra El Idrissi", "Boreal", "late", WEEKDAYS, ("billing",), ("chat",), speed=0.9, quality=4.4, ext="2112"),
    Agent("Dan O'Brien [TL backup]", "Boreal", "mid", WEEKDAYS, ("billing", "tech-support", "sales", "retention"), speed=1.0, quality=4.2, ext="2113"),
    Agent("Noah Schmidt", "Aurora", "late", (0, 2, 3, 4, 6), ("sales", "tech-support"), speed=0.9, quality=4.0, ext="2114"),
    Agent("Elena Rossi", "Aurora", "early", (0, 1, 2, 3, 5), ("billing", "sales"), speed=0.95, quality=4.3, ext="2115"),
    Agent("Hugo Bernard", "Boreal", "day", (0, 1, 2, 4, 6), ("tech-support", "retention"), speed=1.1, quality=4.0, ext="2116"),
    Agent("Yusuf Demir", "Boreal", "early", (0, 2, 3, 4, 6), ("billing", "tech-support"), speed=1.0, quality=4.1, ext="2117"),
    Agent("Ana Costa", "Aurora", "day", (1, 2, 3, 4, 5), ("tech-support", "sales"), speed=0.9, quality=4.3, ext="2118"),
    Agent("Rémi Caron", "Boreal", "mid", WEEKDAYS, ("billing", "retention"), speed=1.05, quality=3.9, ext="2119"),
    Agent("Sven Larsson", "Aurora", "mid", (0, 1, 2, 3, 5), ("tech-support",), speed=1.15, quality=4.2, ext="2120"),
    Agent("Nadia Haddad", "Boreal", "late", (0, 1, 2, 3, 6), ("billing", "sales", "retention"), speed=0.95, quality=4.4, ext="2121"),
    Agent("Chloé Lefèvre", "Digital", "day", WEEKDAYS, (), ("chat", "email"), quality=4.5),
    Agent("Amélie Laurent", "Digital", "early", WEEKDAYS, (), ("email", "social"), quality=4.2),
    Agent("Inès García", "Digital", "mid", (0, 1, 2, 3, 5), (), ("email",), quality=3.9),
    Agent("Mei Lin", "Digital", "late", (0, 1, 2, 4, 6), (), ("chat", "social"), quality=4.3),
)  # fmt: skip

PAUSE_REASONS = ("lunch", "break", "training", "coaching")

# ---------------------------------------------------------------------------------------------------
# Topics and words

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # topic: (customer openers, agent answers)
    "billing dispute": (
        ("I was charged twice this month", "My invoice shows a fee I don't recognise",
         "Why is my bill higher than usual?"),
        ("I can see the duplicate charge, I'm reversing it now.",
         "That fee is the annual service charge; I've waived it as a goodwill gesture."),
    ),
    "password reset": (
        ("I can't log in, reset link never arrives", "Forgot my password and the reset page errors"),
        ("I've sent a new reset link, it is valid for 30 minutes.",
         "Your account was locked after too many attempts; it's unlocked now."),
    ),
    "delivery delay": (
        ("My order hasn't arrived, it's been 10 days", "Where is my parcel? Tracking hasn't moved"),
        ("The carrier has it at the depot; delivery is planned for tomorrow.",
         "I've opened an investigation with the carrier and shipped a replacement."),
    ),
    "cancel subscription": (
        ("I want to cancel my subscription", "How do I stop the automatic renewal?"),
        ("I've cancelled it; you keep access until the end of the period.",
         "Before you go: I can offer 3 months at half price. Otherwise I cancel now."),
    ),
    "upgrade": (
        ("I'd like to upgrade to the Pro plan", "What does the premium plan include?"),
        ("Done — you're on Pro now, the difference is prorated.",
         "Premium adds priority support and 5 seats; want me to switch you?"),
    ),
    "bug report": (
        ("The app crashes when I open settings", "Export to PDF gives a blank page"),
        ("Thanks, I've reproduced it and logged it for the developers (ref BUG-4821).",
         "A fix ships in the next release; meanwhile clearing the cache works around it."),
    ),
    "refund request": (
        ("I returned the item, when do I get my refund?", "I'd like a refund for last month"),
        ("The refund was issued today, allow 3-5 business days.",
         "I've approved a partial refund for the outage days."),
    ),
    "address change": (
        ("I moved, please update my address", "Can you change the delivery address on my order?"),
        ("Updated. Your next invoice and deliveries go to the new address.",),
    ),
}  # fmt: skip
TOPIC_WEIGHTS = {
    "billing dispute": 18, "password reset": 16, "delivery delay": 14, "cancel subscription": 9,
    "upgrade": 8, "bug report": 12, "refund request": 13, "address change": 10,
}  # fmt: skip

AGENT_OPENERS = (
    "Hello, thanks for contacting us! Let me have a look.",
    "Hi! I'm checking your account now.",
    "Bonjour, I'll look into this for you.",
    "Thanks for waiting. Can you confirm your account email?",
)
CUSTOMER_FOLLOWUPS = (
    "It's the one on my profile", "ok", "How long will that take?", "Still not working…",
    "Yes, that's right", "Great, thanks", "Can you send me a confirmation?", "Merci !",
)  # fmt: skip
AGENT_CLOSERS = (
    "Is there anything else I can help with?",
    "You'll get a confirmation email shortly. Have a nice day!",
    "All set. Thanks for your patience.",
)
CUSTOMER_NUDGES = ("hello?", "anyone there?", "??")
BOT_CLOSED = "Our agents are available 8:00–20:00. Leave your email and we'll get back to you."

RATING_COMMENTS = {
    1: ("Waited forever and nothing solved", "Useless", "Transferred three times"),
    2: ("Slow answer", "Didn't really fix it"),
    3: ("OK but took a while", "Fine"),
    4: ("Helpful, thanks", "Quick and friendly", "Good"),
    5: ("Super fast, thank you!", "Excellent service", "Perfect, problem solved in minutes"),
}
FIRST_NAMES = (
    "jane", "paul", "amina", "lucas", "sara", "yuki", "omar", "lea", "tom", "nadia", "ivan", "maria",
    "chen", "ali", "emma", "noe", "rosa", "karl", "aya", "marc",
)  # fmt: skip
LAST_NAMES = (
    "doe", "martin", "keller", "smith", "rossi", "dupont", "nguyen", "garcia", "khan", "berg",
    "silva", "moreau", "lopez", "novak", "haddad",
)  # fmt: skip
