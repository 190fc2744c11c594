"""Line handling shared by the readers: one place decides what a usable line is.

Every reader gets raw bytes without the trailing `\\n`; they all need the same three checks (a
trailing `\\r` from CRLF files, an absurdly long line, invalid UTF-8) and the same reject reasons, so
the quarantine reads the same whatever the format.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from data.formats.base import MAX_LINE, Batch
from data.store import CONTACT_COLUMNS

# Caller ids a phone system writes when the number is withheld: no customer is known (taken as
# one customer, every anonymous call was a repeat of another one, and FCR fell with them).
WITHHELD_CALLERS = (
    "anonymous", "unknown", "restricted", "private", "withheld", "unavailable", "blocked",
)  # fmt: skip


def known_caller(number: str | None) -> str | None:
    """The caller id as a customer; None when empty or withheld."""
    if not number or not number.strip() or number.strip().casefold() in WITHHELD_CALLERS:
        return None
    return number


def known_caller_sql(column: str) -> str:
    """known_caller() in SQL, for the vectorised readers and the queue_log derivation."""
    withheld = ", ".join(f"'{w}'" for w in WITHHELD_CALLERS)
    return f"CASE WHEN lower(trim({column})) IN ('', {withheld}) THEN NULL ELSE {column} END"


def decode_line(line_no: int, raw: bytes, batch: Batch) -> str | None:
    """The line as text, or None after rejecting it (too long, invalid UTF-8).

    A blank line comes back as "" and callers skip it silently: editors and log rotation leave
    them, and they carry nothing to quarantine.
    """
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > MAX_LINE:
        batch.reject(line_no, f"line longer than {MAX_LINE} bytes", raw[:200])
        return None
    if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # Excel's "CSV UTF-8" and some editors start the file with a BOM
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        batch.reject(line_no, f"invalid UTF-8 at byte {exc.start}", raw)
        return None


def first_lines(head: bytes, limit: int = 5) -> list[str]:
    """Up to `limit` non-blank lines of a file head, decoded leniently, for sniffing.

    The head may be cut mid-line: its last piece is kept only when it is the only line there is
    (a short file without a trailing newline), since a cut line would fool a column count.
    """
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    pieces = head.split(b"\n")
    if len(pieces) > 1:
        pieces = pieces[:-1]
    out: list[str] = []
    for piece in pieces:
        text = piece.rstrip(b"\r").decode("utf-8", errors="replace")
        if text.strip():
            out.append(text)
            if len(out) == limit:
                break
    return out


def _index(columns: tuple[tuple[str, str], ...]) -> dict[str, int]:
    return {name: i for i, (name, _type) in enumerate(columns)}


_CONTACT_INDEX = _index(CONTACT_COLUMNS)
_CONTACT_WIDTH = len(CONTACT_COLUMNS)


def contact_row(**values: object) -> tuple:
    """A `contacts` tuple from column names: 36 positional fields are too easy to shift by one.

    Columns not given are NULL. An unknown name is a programming error and raises KeyError.
    """
    row: list[object] = [None] * _CONTACT_WIDTH
    for name, value in values.items():
        row[_CONTACT_INDEX[name]] = value
    return tuple(row)


def scale_rating(raw: float, scale: float) -> float:
    """A rating on a 1..scale scale (0..1 for a binary scale) mapped linearly onto 1..5.

    Raises ValueError naming the value when it is outside its scale: a 7 on a 5-point scale is a
    mapping mistake the user must see, not a number to clamp.
    """
    if scale <= 0:
        raise ValueError(f"bad rating scale {scale:g}")
    lo = 1.0 if scale >= 2 else 0.0
    if not lo <= raw <= scale:
        raise ValueError(f"rating {raw:g} outside {lo:g}..{scale:g}")
    return 1.0 + (raw - lo) * 4.0 / (scale - lo)


STATUSES: dict[str, str] = {
    "open": "open",
    "new": "open",
    "in progress": "open",
    "in_progress": "open",
    "pending": "pending",
    "hold": "pending",
    "on hold": "pending",
    "on-hold": "pending",
    "waiting": "pending",
    "resolved": "resolved",
    "solved": "resolved",
    "closed": "closed",
}

CHANNEL_ALIASES: dict[str, str] = {
    "voice": "voice",
    "phone": "voice",
    "call": "voice",
    "chat": "chat",
    "messaging": "chat",
    "whatsapp": "chat",
    "email": "email",
    "mail": "email",
    "e-mail": "email",
    "social": "social",
    "twitter": "social",
    "facebook": "social",
    "sms": "sms",
    "text": "sms",
    "other": "other",
    "web": "other",
    "api": "other",
    "mobile": "other",
}


def normalize_status(value: str) -> str:
    """A ticket/chat status on floorwatch's four (open, pending, resolved, closed).

    Helpdesks name them differently (Zendesk: new, hold, solved); unknown ones raise ValueError.
    """
    status = STATUSES.get(value.strip().lower())
    if status is None:
        raise ValueError(f"unknown status {value!r}")
    return status


def path_matches(path: str, pattern: str) -> bool:
    """A config glob against the relative path or the bare file name (`*.csv` matches `a/b.csv`)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return fnmatchcase(path, pattern) or fnmatchcase(name, pattern)
