"""Which reader reads a file, and why (or why none does).

Order: a source rule that forces a format (first matching rule with a `format`), then a CSV
mapping whose pattern matches (its columns must be in the header), then the sniffers, most
specific first: queue_log (pipes and an event name), the two CDR layouts (exact column counts
and typed columns), then JSON. The answer always comes with a short reason the console shows
next to the file, so a skipped file never goes unexplained.
"""

from __future__ import annotations

from data.config import Config, CsvMapping, SourceRule
from data.formats.asterisk_cdr import AsteriskCdrReader
from data.formats.base import Reader
from data.formats.chat_jsonl import ChatJsonlReader
from data.formats.common import first_lines, path_matches
from data.formats.freeswitch_cdr import FreeswitchCdrReader
from data.formats.mapped_csv import MappedCsvReader, header_fields, mapping_for, missing_columns
from data.formats.queue_log import QueueLogReader

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        QueueLogReader(),
        AsteriskCdrReader(),
        FreeswitchCdrReader(),
        ChatJsonlReader(),
        MappedCsvReader(),
    )
}
SNIFF_ORDER = ("queue_log", "asterisk_cdr", "freeswitch_cdr", "chat_jsonl")


def reader_for(name: str) -> Reader:
    """The reader registered under `name`; KeyError naming the known ones otherwise."""
    try:
        return READERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r} (known: {', '.join(READERS)})") from None


def source_rule_for(path: str, config: Config) -> SourceRule | None:
    """The first `[[sources]]` rule whose pattern matches the relative path or the file name."""
    for rule in config.sources:
        if path_matches(path, rule.pattern):
            return rule
    return None


def detect(head: bytes, path: str, config: Config) -> tuple[Reader | None, str]:
    """The reader for a file given its first bytes, with the reason for the choice."""
    for rule in config.sources:
        if rule.format and path_matches(path, rule.pattern):
            return READERS[rule.format], f"forced by source rule {rule.pattern!r}"
    mapping = mapping_for(path, config)
    if mapping is not None:
        return _mapped(head, mapping)
    if not head.strip():
        return None, "empty"
    if b"\x00" in head:
        # A NUL or two in a text file (a crash, a disk full) is a bad line for the reader to
        # quarantine, not a reason to skip the file: only a head of mostly NUL-bearing lines
        # (UTF-16, a compressed or binary file) is binary.
        text_lines = [line for line in head.split(b"\n") if b"\x00" not in line]
        if len(text_lines) * 4 < (head.count(b"\n") + 1) * 3 or not b"".join(text_lines).strip():
            return None, "binary content"
        head = b"\n".join(text_lines)
    for skipped, candidate in enumerate(_past_first_lines(head)):
        for name in SNIFF_ORDER:
            if READERS[name].sniff(candidate, path):
                note = f" (from line {skipped + 1})" if skipped else ""
                return READERS[name], f"content looks like {name}{note}"
    near_miss = AsteriskCdrReader().explain(head)
    if near_miss:
        return None, near_miss
    lines = first_lines(head, 1)
    first = lines[0][:80] if lines else ""
    return None, f"no reader recognises this content (first line: {first!r})"


def _past_first_lines(head: bytes, most: int = 3) -> list[bytes]:
    """The head, then the head without its first 1..`most` lines: a file whose first line is
    malformed (a rotation that starts with a broken line) is still recognised by the next ones;
    ingest then rejects the bad line with its number like any other."""
    heads = [head]
    rest = head
    for _ in range(most):
        _, newline, rest = rest.partition(b"\n")
        if not newline or not rest.strip():
            break
        heads.append(rest)
    return heads


def _mapped(head: bytes, mapping: CsvMapping) -> tuple[Reader | None, str]:
    """A matching mapping reads the file only if every mapped column is in its header."""
    name = mapping.name
    if not head.strip():
        return None, f"mapping {name!r}: empty"
    header_line = head.split(b"\n", 1)[0]
    missing = missing_columns(mapping, header_fields(header_line, mapping.delimiter))
    if missing:
        return None, f"mapping {name!r} matches, but the header lacks {', '.join(missing)}"
    return READERS["mapped_csv"], f"mapping {name!r}"
