"""The Asterisk queue_log vocabulary (../shared/FORMATS.md), grouped by what each event means to
us. One place: the reader validates against it, the store's agent_events view and the contact
derivation select by it."""

from __future__ import annotations

ANSWERED_ENDS = ("COMPLETEAGENT", "COMPLETECALLER")
TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
UNANSWERED_ENDS = ("ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY")
DROPS = ("AGENTDUMP", "SYSCOMPAT")  # answered, then dropped
TERMINAL = ANSWERED_ENDS + TRANSFERS + UNANSWERED_ENDS + DROPS  # each ends a queue segment
CALL_EVENTS = ("ENTERQUEUE", "CONNECT", "RINGNOANSWER", "RINGCANCELED")
AGENT_EVENTS = (
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "UNPAUSE",
    "PAUSEALL",
    "UNPAUSEALL",
)
INFORMATIONAL = ("QUEUESTART", "CONFIGRELOAD", "DID", "INFO")  # kept, never counted

EVENTS: frozenset[str] = frozenset(CALL_EVENTS + TERMINAL + AGENT_EVENTS + INFORMATIONAL)
