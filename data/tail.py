"""Reading what is new in a file: identity, offsets and complete lines.

A file is known by (device, inode) *and* a hash of its first bytes: inodes are reused after a delete,
and a hash alone cannot tell a rotated file from a copy. Offsets always sit at a line boundary, so an
unterminated last line (a writer caught mid-line) waits until it is completed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from data.formats.base import MAX_LINE

HEAD_BYTES = 4096
CHUNK_BYTES = 4 * 1024 * 1024


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


def read_head(path: Path, length: int = HEAD_BYTES) -> bytes:
    with path.open("rb") as f:
        return f.read(length)


@dataclass
class Chunk:
    """Complete lines read from `start`; `end` is the offset just past the last one."""

    lines: list[tuple[int, bytes]]
    start: int
    end: int
    first_line_no: int
    next_line_no: int
    too_long: list[tuple[int, bytes]]  # (line_no, first bytes) of lines over MAX_LINE


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
    skipping = False  # inside an over-long line already reported: drop bytes up to its newline
    with path.open("rb") as f:
        f.seek(offset)
        while True:
            data = f.read(chunk_bytes)
            at_eof = len(data) < chunk_bytes
            buf = carry + data
            chunk_start, start_line = pos, line_no + 1
            lines: list[tuple[int, bytes]] = []
            too_long: list[tuple[int, bytes]] = []
            cut = buf.rfind(b"\n")
            if skipping:
                nl = buf.find(b"\n")
                if nl < 0:
                    pos, carry = pos + len(buf), b""
                    buf, cut = b"", -1
                else:
                    pos, buf, skipping = pos + nl + 1, buf[nl + 1 :], False
                    cut = buf.rfind(b"\n")
            complete, carry = (buf[: cut + 1], buf[cut + 1 :]) if cut >= 0 else (b"", buf)
            pos += len(complete)
            if at_eof and final and carry:
                complete, pos, carry = complete + carry + b"\n", pos + len(carry), b""
            parts = complete.split(b"\n")[:-1]
            for raw in parts:
                line_no += 1
                if len(raw) > MAX_LINE:
                    too_long.append((line_no, raw[:500]))
                elif raw.strip(b" \t\r"):
                    lines.append((line_no, raw))
            if len(carry) > MAX_LINE:
                line_no += 1
                too_long.append((line_no, carry[:500]))
                pos, carry, skipping = pos + len(carry), b"", True
            if pos != chunk_start:
                yield Chunk(lines, chunk_start, pos, start_line, line_no, too_long)
            if at_eof:
                return
