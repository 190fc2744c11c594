"""Reading complete lines from an offset."""

from __future__ import annotations

from pathlib import Path

from data.formats.base import MAX_LINE
from data.tail import read_lines
from tests.conftest import write


def collect(path: Path, offset: int = 0, line_no: int = 0, **kw) -> tuple[list, list, int, int]:
    lines, long, end, last = [], [], offset, line_no
    for chunk in read_lines(path, offset, line_no, **kw):
        assert chunk.start == end  # chunks are contiguous
        lines += chunk.lines
        long += chunk.too_long
        end, last = chunk.end, chunk.next_line_no
    return lines, long, end, last


def test_unterminated_tail_waits_unless_final(tmp_path: Path) -> None:
    p = write(tmp_path / "f", b"a\nbb\n\nccc\ntail")
    assert collect(p) == ([(1, b"a"), (2, b"bb"), (4, b"ccc")], [], 10, 4)
    assert collect(p, final=True) == ([(1, b"a"), (2, b"bb"), (4, b"ccc"), (5, b"tail")], [], 14, 5)


def test_resume_from_offset_counts_lines(tmp_path: Path) -> None:
    p = write(tmp_path / "f", b"a\nbb\nccc\n")
    assert collect(p, offset=2, line_no=1) == ([(2, b"bb"), (3, b"ccc")], [], 9, 3)


def test_small_chunks_give_the_same_lines(tmp_path: Path) -> None:
    data = b"".join(b"line %d\r\n" % i for i in range(50))
    p = write(tmp_path / "f", data)
    whole = collect(p)
    assert collect(p, chunk_bytes=7) == whole
    assert whole[2] == len(data) and whole[3] == 50


def test_over_long_line_is_reported_and_skipped(tmp_path: Path) -> None:
    p = write(tmp_path / "f", b"ok1\n" + b"x" * (MAX_LINE + 10) + b"\nok2\n")
    lines, long, end, last = collect(p, chunk_bytes=64 * 1024)
    assert lines == [(1, b"ok1"), (3, b"ok2")]
    assert [(n, len(raw)) for n, raw in long] == [(2, 500)]
    assert last == 3 and end == p.stat().st_size


def test_over_long_line_still_being_written_waits_for_its_end(tmp_path: Path) -> None:
    """Not reported, not consumed until its newline: its tail is not a line of its own, and the
    lines after it keep their numbers."""
    p = write(tmp_path / "f", b"ok1\n" + b"x" * (MAX_LINE + 10))
    lines, long, end, last = collect(p, chunk_bytes=64 * 1024)
    assert (lines, long, end, last) == ([(1, b"ok1")], [], 4, 1)
    with p.open("ab") as f:
        f.write(b"y" * 100 + b"\nok3\n")
    lines, long, end, last = collect(p, offset=end, line_no=last, chunk_bytes=64 * 1024)
    assert lines == [(3, b"ok3")]
    assert [(n, raw[:3]) for n, raw in long] == [(2, b"xxx")]
    assert last == 3 and end == p.stat().st_size


def test_over_long_unterminated_last_line_counts_when_final(tmp_path: Path) -> None:
    p = write(tmp_path / "f", b"ok1\n" + b"x" * (MAX_LINE + 10))
    for chunk_bytes in (64 * 1024, 7 * 1024 * 1024):
        lines, long, end, last = collect(p, final=True, chunk_bytes=chunk_bytes)
        assert lines == [(1, b"ok1")] and [n for n, _ in long] == [2]
        assert last == 2 and end == p.stat().st_size


def test_offset_of_counts_the_blank_lines_before_a_line(tmp_path: Path) -> None:
    """Ingest resumes from a line inside an unfinished record: its offset must count the blank
    lines the chunk does not hand over."""
    content = b"a\n\nb\n\n\nc\n"
    p = write(tmp_path / "f", b"x" * (MAX_LINE + 5) + b"\n" + content)
    (chunk,) = read_lines(p, 0, 0)
    assert [n for n, _ in chunk.lines] == [2, 4, 7]
    start = MAX_LINE + 6
    for line_no, at in [(2, 0), (4, 3), (7, 7)]:
        assert chunk.offset_of(line_no) == start + at
        assert p.read_bytes()[chunk.offset_of(line_no)] == b"abc"[[2, 4, 7].index(line_no)]
