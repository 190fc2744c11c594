"""Reading what is new in a file: identity, offsets and complete lines.

A file is known by (device, inode) *and* a hash of its first bytes: inodes are reused after a delete,
and a hash alone cannot tell a rotated file from a copy. Offsets always sit at a line boundary, so an
unterminated last line (a writer caught mid-line) waits until it is completed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from data.formats.base import MAX_LINE

HEAD_BYTES = 4096
# The bytes just before the offset read to, hashed: a file rewritten in place that kept its size
# or grew, and its first bytes (a ticket export rewritten whole), no longer has them there.
TAIL_BYTES = 1024
CHUNK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Identity:
    device: int
    inode: int
    size: int
    mtime: float


def identity(path: Path) -> Identity:
    """Raises OSError (missing, permission) for the caller to report."""
    st = os.stat(path)
    return Identity(st.st_dev, st.st_ino, st.st_size, st.st_mtime)


def head_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def tail_hash(path: Path, offset: int, data: bytes = b"", data_start: int = 0) -> str:
    """A hash of the TAIL_BYTES before `offset` (fewer near the start), from `data` (the file's
    bytes from `data_start`) when it holds them, else from the file. Raises OSError."""
    start = max(0, offset - TAIL_BYTES)
    if data_start <= start and offset <= data_start + len(data):
        return head_hash(data[start - data_start : offset - data_start])
    with path.open("rb") as f:
        f.seek(start)
        return head_hash(f.read(offset - start))


def read_head(path: Path, length: int = HEAD_BYTES) -> bytes:
    with path.open("rb") as f:
        return f.read(length)


def _has_long_line(data: bytes) -> bool:
    """True when some line of `data` (complete lines) is longer than MAX_LINE, in a few steps."""
    if len(data) <= MAX_LINE:
        return False
    pos, end = 0, len(data)
    while end - pos > MAX_LINE:
        nl = data.rfind(b"\n", pos, pos + MAX_LINE + 1)
        if nl < 0:
            return True
        pos = nl + 1
    return False


class Lines(Sequence[tuple[int, bytes]]):
    """The non-blank lines of `data` (complete lines, none over MAX_LINE) as (line_no, raw).

    Behaves as the list of those pairs, built on first use; `data` and `first_line_no` let a
    vectorised reader split the buffer itself without one Python object per line.
    """

    __slots__ = ("_items", "data", "first_line_no")

    def __init__(self, data: bytes, first_line_no: int) -> None:
        self.data = data
        self.first_line_no = first_line_no
        self._items: list[tuple[int, bytes]] | None = None

    def items(self) -> list[tuple[int, bytes]]:
        if self._items is None:
            n = self.first_line_no
            items = []
            for raw in self.data.split(b"\n")[:-1]:
                if raw.strip(b" \t\r"):
                    items.append((n, raw))
                n += 1
            self._items = items
        return self._items

    def __len__(self) -> int:
        return len(self.items())

    def __bool__(self) -> bool:
        return bool(self.data.strip(b" \t\r\n"))

    def __getitem__(self, index):  # type: ignore[override]
        return self.items()[index]

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lines):
            other = other.items()
        return self.items() == other

    def __repr__(self) -> str:
        return f"Lines({self.items()!r})"


@dataclass
class Chunk:
    """Complete lines read from `start`; `end` is the offset just past the last one."""

    lines: list[tuple[int, bytes]] | Lines
    start: int
    end: int
    first_line_no: int
    next_line_no: int
    too_long: list[tuple[int, bytes]]  # (line_no, first bytes) of lines over MAX_LINE
    # The complete lines as read (blank ones too), from offset `data_start`; its last line is
    # `data_last_line`. Lets `offset_of` find a line's start whatever blank lines lie around it.
    data: bytes = b""
    data_start: int = 0
    data_last_line: int = 0

    def offset_of(self, line_no: int) -> int:
        """The byte offset at which line `line_no` (one of `lines`) starts."""
        back = self.data_last_line - line_no + 1  # lines from it to the end
        if back >= self.data.count(b"\n"):
            return self.data_start
        pos = len(self.data)
        for _ in range(back):
            pos = self.data.rfind(b"\n", 0, pos - 1) + 1
        return self.data_start + pos


def read_lines(
    path: Path,
    offset: int,
    line_no: int,
    *,
    final: bool = False,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Chunk]:
    """Complete lines from `offset` to the end of the file, a chunk at a time.

    `line_no` is the number of lines before `offset`. With `final`, an unterminated last line counts
    as complete (a one-shot `check` of a finished export); otherwise it is left for later.
    Empty lines advance the numbering but are not returned. A line longer than MAX_LINE is reported
    in `too_long` and skipped without being held in memory whole.
    """
    pos = offset  # invariant: the offset just past the last byte consumed
    carry = b""  # bytes after `pos` read but not yet consumed (the start of an unfinished line)
    # An over-long line being skipped: its first bytes, and how many of its bytes were read. It
    # starts at `pos`, which stays there until its end is found: one still being written is
    # neither reported nor consumed before it ends (its tail would read as a line of its own).
    skipping: bytes | None = None
    skipped = 0
    with path.open("rb") as f:
        f.seek(offset)
        while True:
            data = f.read(chunk_bytes)
            at_eof = len(data) < chunk_bytes
            buf = carry + data
            chunk_start, start_line = pos, line_no + 1
            lines: list[tuple[int, bytes]] = []
            too_long: list[tuple[int, bytes]] = []
            if skipping is not None:
                nl = buf.find(b"\n")
                if nl < 0 and not (at_eof and final):
                    skipped, carry = skipped + len(buf), b""
                    if at_eof:
                        return  # unfinished: read again from its start next time
                    continue
                end = len(buf) if nl < 0 else nl + 1
                line_no += 1
                too_long.append((line_no, skipping))
                pos, buf, skipping = pos + skipped + end, buf[end:], None
            cut = buf.rfind(b"\n")
            complete, carry = (buf[: cut + 1], buf[cut + 1 :]) if cut >= 0 else (b"", buf)
            complete_start = pos
            pos += len(complete)
            if at_eof and final and carry and len(carry) <= MAX_LINE:
                complete, pos, carry = complete + carry + b"\n", pos + len(carry), b""
            if _has_long_line(complete):
                for raw in complete.split(b"\n")[:-1]:
                    line_no += 1
                    if len(raw) > MAX_LINE:
                        too_long.append((line_no, raw[:500]))
                    elif raw.strip(b" \t\r"):
                        lines.append((line_no, raw))
            elif complete:
                # The common case: the lines are split only when a reader asks for them, so a
                # vectorised reader can take the whole buffer (see Lines.data).
                lines = Lines(complete, line_no + 1)  # type: ignore[assignment]
                line_no += complete.count(b"\n")
            complete_last_line = line_no
            if len(carry) > MAX_LINE:
                skipping, skipped, carry = carry[:500], len(carry), b""
                if at_eof and final:
                    line_no += 1
                    too_long.append((line_no, skipping))
                    pos += skipped
            if pos != chunk_start:
                yield Chunk(
                    lines, chunk_start, pos, start_line, line_no, too_long,
                    complete, complete_start, complete_last_line,
                )  # fmt: skip
            if at_eof:
                return
