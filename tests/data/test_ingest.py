"""Incremental, idempotent ingest: appends, partial lines, truncation, rotation, copies, faults."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from data.config import Config
from data.formats.base import MAX_LINE
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import append, write

T0 = 1_763_625_600  # 2025-11-20 08:00:00 UTC


def call(
    callid: str,
    t: int,
    *,
    agent: str = "Olga",
    queue: str = "billing",
    wait: int = 12,
    talk: int = 95,
) -> str:
    """The queue_log lines of one answered call, ending with a newline."""
    return (
        f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||5551234|1\n"
        f"{t + wait}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}.1|3\n"
        f"{t + wait + talk}|{callid}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1\n"
    )


def calls(n: int, start: int = 0) -> str:
    return "".join(call(f"c{i}", T0 + 60 * i) for i in range(start, start + n))


def contacts(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute(
            "SELECT source_id, queue, agent, outcome, wait_s, talk_s FROM contacts ORDER BY source_id"
        )
        .fetchall()
    )


def counts(store: Store) -> tuple[int, int, int]:
    cur = store.cursor()
    return (
        cur.execute("SELECT count(*) FROM queue_events").fetchone()[0],
        cur.execute("SELECT count(*) FROM contacts").fetchone()[0],
        cur.execute("SELECT count(*) FROM rejects").fetchone()[0],
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "exports"
    d.mkdir()
    return d


@pytest.fixture
def ingestor(store: Store, folder: Path) -> Ingestor:
    return Ingestor(store, Config(timezone="UTC"), folder)


def test_append_reads_only_new_lines(store: Store, folder: Path, ingestor: Ingestor) -> None:
    log = write(folder / "queue_log", calls(2))
    first = ingestor.scan([folder])
    assert first.loaded == 6 and counts(store) == (6, 2, 0)
    append(log, calls(1, start=2))
    second = ingestor.apply({log})
    assert second.loaded == 3 and second.files[0].duplicates == 0
    assert counts(store) == (9, 3, 0)
    assert ingestor.apply({log}).loaded == 0


def test_unterminated_line_waits_until_completed(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    line = call("c1", T0)
    log = write(folder / "queue_log", line[:-20])  # cut mid-line
    ingestor.scan([folder])
    assert counts(store) == (2, 1, 0)
    assert contacts(store)[0][3] == "answered" and store.cursor().execute(
        "SELECT ended_at FROM contacts"
    ).fetchone() == (None,)
    append(log, line[-20:])
    ingestor.apply({log})
    assert counts(store) == (3, 1, 0)
    assert contacts(store) == [("c1", "billing", "Olga", "answered", 12.0, 95.0)]


def test_bad_line_is_quarantined_and_neighbours_load(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    lines = (
        call("c1", T0)
        + "garbage without pipes\n"
        + "17636x|c2|q|NONE|ENTERQUEUE||1|1\n"
        + call("c3", T0 + 600)
    )
    write(folder / "queue_log", lines)
    ingestor.scan([folder])
    rejects = (
        store.cursor()
        .execute("SELECT path, line_no, reason, raw FROM rejects ORDER BY line_no")
        .fetchall()
    )
    assert [(p, n) for p, n, _, _ in rejects] == [("queue_log", 4), ("queue_log", 5)]
    assert rejects[0][3] == "garbage without pipes"
    assert all(reason for _, _, reason, _ in rejects)
    assert [c[0] for c in contacts(store)] == ["c1", "c3"]


def test_invalid_utf8_line_is_rejected_not_fatal(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    data = (
        call("c1", T0).encode()
        + b"1763625700|c2|q|NONE|ENTERQUEUE||\xff\xfe|1\n"
        + call("c3", T0 + 900).encode()
    )
    write(folder / "queue_log", data)
    ingestor.scan([folder])
    assert [c[0] for c in contacts(store)] == ["c1", "c3"]
    ((line, reason),) = store.cursor().execute("SELECT line_no, reason FROM rejects").fetchall()
    assert line == 4 and "UTF-8" in reason


def test_truncation_rereads_without_double_counting(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    log = write(folder / "queue_log", calls(3))
    ingestor.scan([folder])
    with log.open("r+b") as f:  # copytruncate: the file is emptied, then new lines arrive
        f.truncate(0)
    append(log, calls(2, start=3))
    ingestor.apply({log})
    assert counts(store) == (15, 5, 0)
    # rewritten in place with old and new content: old lines are already stored
    write(log, calls(6))
    ingestor.apply({log})
    assert counts(store) == (18, 6, 0)


def test_rotation_by_rename_keeps_offset_and_joins_calls(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    log = write(folder / "queue_log", calls(2) + f"{T0 + 500}|cX|billing|NONE|ENTERQUEUE||555|1\n")
    ingestor.scan([folder])
    append(log, f"{T0 + 510}|cX|billing|Ana|CONNECT|10|cX.1|2\n")
    os.rename(log, folder / "queue_log.1")
    write(folder / "queue_log", f"{T0 + 600}|cX|billing|Ana|COMPLETEAGENT|10|90|1\n")
    # watchfiles reports the rotation as an unordered set
    result = ingestor.apply({folder / "queue_log", folder / "queue_log.1"})
    assert result.loaded == 2
    assert counts(store) == (9, 3, 0)
    (cx,) = [c for c in contacts(store) if c[0] == "cX"]
    assert cx == ("cX", "billing", "Ana", "answered", 10.0, 90.0)
    files = store.cursor().execute("SELECT path, status FROM files ORDER BY file_id").fetchall()
    assert ("queue_log.1", "ok") in files and ("queue_log", "ok") in files


def test_copy_under_another_name_is_not_counted_twice(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    write(folder / "queue_log", calls(3))
    ingestor.scan([folder])
    shutil.copy(folder / "queue_log", folder / "queue_log.bak")
    result = ingestor.apply({folder / "queue_log.bak"})
    assert result.loaded == 0 and result.files[0].duplicates == 9
    assert counts(store) == (9, 3, 0)


def test_deleted_file_is_reported_and_data_kept(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    log = write(folder / "queue_log", calls(2))
    ingestor.scan([folder])
    log.unlink()
    result = ingestor.apply({log})
    assert result.files[0].status == "missing"
    assert store.cursor().execute("SELECT status FROM files").fetchone() == ("missing",)
    assert counts(store) == (6, 2, 0)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_is_reported(store: Store, folder: Path, ingestor: Ingestor) -> None:
    log = write(folder / "queue_log", calls(1))
    log.chmod(0)
    result = ingestor.scan([folder])
    assert result.files[0].status == "unreadable" and result.files[0].message == "permission denied"


def deny_reading(monkeypatch, name: str) -> None:
    """Opening files called `name` fails as permission denied does (root reads any file)."""
    real_open = Path.open

    def deny(self: Path, *a, **k):
        if self.name == name:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", deny)


def test_unreadable_file_is_reported(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    write(folder / "queue_log", calls(1))
    write(folder / "other.log", calls(1, start=1))
    deny_reading(monkeypatch, "queue_log")
    result = ingestor.scan([folder])
    by_path = {f.path: f for f in result.files}
    assert by_path["queue_log"].status == "unreadable"
    assert by_path["queue_log"].message == "permission denied"
    assert by_path["other.log"].loaded == 3


def test_a_file_readable_again_is_no_longer_unreadable_though_nothing_is_new(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    log = write(folder / "queue_log", calls(1))
    ingestor.scan([folder])
    deny_reading(monkeypatch, "queue_log")
    ingestor.apply({log})
    status = "SELECT status FROM files WHERE path = 'queue_log'"
    assert store.cursor().execute(status).fetchone() == ("unreadable",)
    monkeypatch.undo()  # permissions put right; the file unchanged
    ingestor.apply({log})
    assert store.cursor().execute(status).fetchone() == ("ok",)
    assert counts(store)[0] == 3  # and nothing counted twice


def deny_listing(monkeypatch, name: str) -> None:
    """Listing folders called `name` fails as permission denied does (root lists any folder)."""
    real_scandir = os.scandir

    def deny(path=".", *a, **k):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *a, **k)

    monkeypatch.setattr(os, "scandir", deny)


def test_a_folder_that_cannot_be_listed_is_reported_until_it_can(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    write(folder / "queue_log", calls(1))
    write(folder / "sub" / "other.log", calls(1, start=1))
    deny_listing(monkeypatch, "sub")
    result = ingestor.scan([folder])
    by_path = {f.path: f for f in result.files}
    assert by_path["sub/"].status == "unreadable"
    assert by_path["sub/"].message == "cannot list this folder: permission denied"
    assert by_path["queue_log"].loaded == 3
    listed = "SELECT path, status FROM files ORDER BY path"
    assert store.cursor().execute(listed).fetchall() == [
        ("queue_log", "ok"),
        ("sub/", "unreadable"),
    ]
    monkeypatch.undo()  # permissions put right
    ingestor.apply({folder / "sub"})
    assert store.cursor().execute(listed).fetchall() == [
        ("queue_log", "ok"),
        ("sub/other.log", "ok"),
    ]
    assert counts(store)[1] == 2


def test_files_of_a_folder_that_cannot_be_listed_are_not_called_vanished(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    write(folder / "sub" / "other.log", calls(1))
    ingestor.scan([folder])
    deny_listing(monkeypatch, "sub")
    ingestor.scan([folder])
    status = "SELECT status FROM files WHERE path = 'sub/other.log'"
    assert store.cursor().execute(status).fetchone() == ("ok",)


def test_a_file_back_unchanged_is_no_longer_missing(
    store: Store, folder: Path, ingestor: Ingestor, tmp_path: Path
) -> None:
    log = write(folder / "queue_log", calls(1))
    ingestor.scan([folder])
    log.rename(tmp_path / "aside")
    ingestor.scan([folder])
    status = "SELECT status, message FROM files WHERE path = 'queue_log'"
    assert store.cursor().execute(status).fetchone() == ("missing", "file vanished")
    (tmp_path / "aside").rename(log)
    ingestor.scan([folder])
    assert store.cursor().execute(status).fetchone() == ("ok", "found again")
    assert counts(store)[1] == 1


def test_the_watched_folder_itself_unlisted_is_reported(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    write(folder / "queue_log", calls(1))
    ingestor.scan([folder])
    deny_listing(monkeypatch, folder.name)
    (report,) = ingestor.scan([folder]).files
    assert (report.path, report.status) == (f"{folder}/", "unreadable")
    # Nothing could be seen, so nothing is called vanished.
    status = "SELECT status FROM files WHERE path = 'queue_log'"
    assert store.cursor().execute(status).fetchone() == ("ok",)


def test_files_of_a_folder_that_cannot_be_entered_are_reported(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    """A folder listed but not entered (chmod 644): its files cannot even be stat'ed."""
    write(folder / "queue_log", calls(1))
    write(folder / "sub" / "other.log", calls(1, start=1))
    real_stat = Path.stat

    def deny(self: Path, *a, **k):
        if self.parent.name == "sub":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *a, **k)

    monkeypatch.setattr(Path, "stat", deny)
    by_path = {f.path: f for f in ingestor.scan([folder]).files}
    assert by_path["sub/other.log"].status == "unreadable"
    assert by_path["sub/other.log"].message == "permission denied"
    assert by_path["queue_log"].loaded == 3


def test_a_file_name_that_is_not_utf8_loads_and_shows_escaped(tmp_path: Path, folder: Path) -> None:
    name = os.fsdecode(b"queue_log.\xff\xfe")  # Linux names are bytes; these are not UTF-8
    write(folder / name, calls(1))
    db = tmp_path / "fw.duckdb"
    with Store(db) as s:
        result = Ingestor(s, Config(timezone="UTC"), folder).scan([folder])
        assert [(f.path, f.status) for f in result.files] == [("queue_log.\\xff\\xfe", "ok")]
    with Store(db) as s:  # the next run looks the file up by that name: nothing new, no crash
        assert Ingestor(s, Config(timezone="UTC"), folder).scan([folder]).loaded == 0
        assert counts(s)[1] == 1


@pytest.mark.parametrize("length", [5_000, 1_200_000])
def test_a_cdr_whose_first_line_is_long_is_still_recognised(
    store: Store, folder: Path, ingestor: Ingestor, length: int
) -> None:
    """Detection read 4 KB: a first record with a long userfield left it no whole line."""
    from tests.formats.test_asterisk_cdr import NOANSWER16, Q18

    long = Q18.replace('"support,t,,,300"', '"' + "z" * length + '"')  # lastdata
    write(folder / "Master.csv", "\n".join([long, NOANSWER16, Q18.replace(".1", ".2")]) + "\n")
    (report,) = ingestor.scan([folder]).files
    assert report.format == "asterisk_cdr"
    over = length > MAX_LINE
    assert (report.loaded, report.rejected) == ((2, 1) if over else (3, 0))


def test_a_copy_does_not_quarantine_its_bad_lines_again(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    """copytruncate: the rotated copy holds the lines already read, bad ones included."""
    log = write(folder / "queue_log", calls(1) + "garbage line\n")
    ingestor.scan([folder])
    append(log, "more garbage\n")  # the file grows: its bad lines keep their key
    ingestor.apply({log})
    (folder / "queue_log.1").write_bytes(log.read_bytes())
    log.write_bytes(b"")
    result = ingestor.scan([folder])
    assert result.rejected == 0
    reasons = "SELECT path, line_no FROM rejects ORDER BY line_no"
    assert store.cursor().execute(reasons).fetchall() == [("queue_log", 4), ("queue_log", 5)]
    # The same bad text in another file is that file's own bad line.
    write(folder / "other" / "queue_log", calls(1, start=1) + "garbage line\n")
    assert ingestor.scan([folder]).rejected == 1


def test_two_exports_with_the_same_first_line_keep_their_own_bad_lines(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    """Daily exports share a header row; the same bad text at the same line number of two of
    them is two bad lines, one per file."""
    first = call("c0", T0)
    write(folder / "a" / "queue_log", first + call("c1", T0 + 60) + "garbage line\n")
    write(folder / "b" / "queue_log", first + call("c1", T0 + 60, talk=40) + "garbage line\n")
    assert ingestor.scan([folder]).rejected == 2
    rows = store.cursor().execute("SELECT path, line_no FROM rejects ORDER BY path").fetchall()
    assert rows == [("a/queue_log", 7), ("b/queue_log", 7)]


def test_a_copy_of_a_file_starting_with_a_blank_line_keeps_one_reject(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    log = write(folder / "queue_log", "\n" + calls(1) + "garbage line\n")
    assert ingestor.scan([folder]).rejected == 1
    (folder / "queue_log.1").write_bytes(log.read_bytes())
    assert ingestor.scan([folder]).rejected == 0
    assert store.cursor().execute("SELECT count(*) FROM rejects").fetchone() == (1,)


def test_a_copy_keeps_its_bad_lines_keys_past_the_first_bytes(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    """A bad line far into a file that grew from a few bytes: the copy's keys match."""
    log = write(folder / "queue_log", calls(1) + "garbage line\n")
    ingestor.scan([folder])
    append(log, calls(60, start=1) + "more garbage\n")  # now well past the first 4 KB
    assert ingestor.apply({log}).rejected == 1
    (folder / "queue_log.1").write_bytes(log.read_bytes())
    assert ingestor.scan([folder]).rejected == 0


def test_a_new_file_caught_mid_first_line_waits_and_is_not_skipped(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    first = call("c0", T0)
    log = write(folder / "queue_log", first[:25])  # the writer is still on its first line
    (report,) = ingestor.scan([folder]).files
    assert report.status == "ok" and report.message == "first line not complete yet"
    row = 'SELECT status, size, "offset" FROM files'
    assert store.cursor().execute(row).fetchone() == ("ok", 25, 0)  # held back (check says so)
    append(log, first[25:] + call("c1", T0 + 60))
    result = ingestor.scan([folder])
    assert result.loaded == 6 and result.rejected == 0
    assert store.cursor().execute("SELECT status, format FROM files").fetchone() == (
        "ok",
        "queue_log",
    )


def test_a_json_array_export_rewritten_in_place_loads_its_new_tickets(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    tickets = [
        {"id": i, "created_at": f"2026-03-10T{8 + i // 60:02d}:{i % 60:02d}:00Z", "status": "open"}
        | {"subject": "x" * 200, "via": {"channel": "email"}}
        for i in range(60)
    ]
    path = folder / "tickets.json"
    path.write_text(json.dumps(tickets[:40], indent=2) + "\n")
    assert ingestor.scan([folder]).rejected == 0
    with path.open("r+") as f:  # in place (the inode stays), longer, the same first 4 KB
        f.write(json.dumps(tickets, indent=2) + "\n")
    assert ingestor.scan([folder]).rejected == 0
    cur = store.cursor()
    assert cur.execute("SELECT count(*) FROM contacts").fetchone() == (60,)


def test_a_conversation_reopened_by_the_same_fact_line_again_is_open(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    """Fact lines carry no time: "status": "open" written again after "resolved" reopens it (it
    was taken for a copy of the first and dropped), while a copy of the file adds nothing."""

    def line(obj: dict) -> str:
        return json.dumps(obj) + "\n"

    def msg(ts: str, role: str, text: str) -> str:
        return line({"conversation_id": "c-1", "ts": f"2026-03-10T{ts}:00Z", "role": role} | {
            "author": "jane" if role == "customer" else "Olga", "text": text, "channel": "email"
        })  # fmt: skip

    opened = line({"type": "conversation", "conversation_id": "c-1", "status": "open"})
    resolved = line({"type": "conversation", "conversation_id": "c-1", "status": "resolved"})
    log = write(folder / "chat.jsonl", msg("09:00", "customer", "broken") + opened)
    ingestor.scan([folder])
    append(log, msg("09:05", "agent", "fixed") + resolved)
    ingestor.scan([folder])
    status = "SELECT status, ended_at IS NULL FROM contacts WHERE source_id = 'c-1'"
    assert store.cursor().execute(status).fetchone() == ("resolved", False)
    append(log, msg("10:00", "customer", "still broken") + opened)
    ingestor.scan([folder])
    assert store.cursor().execute(status).fetchone() == ("open", True)
    facts = "SELECT count(*) FROM conversations"
    assert store.cursor().execute(facts).fetchone() == (3,)
    (folder / "chat.jsonl.1").write_bytes(log.read_bytes())  # a copy: nothing new
    assert ingestor.scan([folder]).loaded == 0
    assert store.cursor().execute(facts).fetchone() == (3,)
    assert store.cursor().execute(status).fetchone() == ("open", True)


def test_unrecognised_file_is_skipped_with_reason(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    write(folder / "notes.txt", "just some notes\nnothing to see\n")
    result = ingestor.scan([folder])
    (report,) = result.files
    assert report.status == "skipped" and report.message


def test_restart_with_db_reads_only_new(tmp_path: Path, folder: Path) -> None:
    db = tmp_path / "fw.duckdb"
    log = write(folder / "queue_log", calls(3))
    with Store(db) as s:
        Ingestor(s, Config(timezone="UTC"), folder).scan([folder])
    append(log, calls(1, start=3))
    with Store(db) as s:
        result = Ingestor(s, Config(timezone="UTC"), folder).scan([folder])
        assert result.loaded == 3 and result.files[0].duplicates == 0
        assert counts(s) == (12, 4, 0)


def test_call_across_two_queues_is_two_segments(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    write(
        folder / "queue_log",
        f"{T0}|t1|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 5}|t1|sales|Ana|CONNECT|5|t1.1|2\n"
        f"{T0 + 65}|t1|sales|Ana|BLINDTRANSFER|200|from-internal|5|60|1\n"
        f"{T0 + 66}|t1|billing|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 80}|t1|billing|Olga|CONNECT|14|t1.2|2\n"
        f"{T0 + 200}|t1|billing|Olga|COMPLETEAGENT|14|120|1\n",
    )
    ingestor.scan([folder])
    rows = (
        store.cursor()
        .execute(
            "SELECT queue, agent, outcome, wait_s, talk_s, transferred FROM contacts ORDER BY offered_at"
        )
        .fetchall()
    )
    assert rows == [
        ("sales", "Ana", "answered", 5.0, 60.0, True),
        ("billing", "Olga", "answered", 14.0, 120.0, False),
    ]


def test_a_call_back_in_the_same_queue_is_a_second_segment(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    # Transferred back into sales; its first part in the rotated file, read after the second.
    write(
        folder / "queue_log.1",
        f"{T0}|t1|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 5}|t1|sales|Ana|CONNECT|5|t1.1|2\n"
        f"{T0 + 65}|t1|sales|Ana|BLINDTRANSFER|200|from-internal|5|60|1\n",
    )
    write(
        folder / "queue_log",
        f"{T0 + 66}|t1|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 80}|t1|sales|Olga|CONNECT|14|t1.2|2\n"
        f"{T0 + 200}|t1|sales|Olga|COMPLETEAGENT|14|120|1\n"
        f"{T0 + 300}|t2|sales|NONE|ENTERQUEUE||556|1\n"
        f"{T0 + 302}|t2|sales|NONE|ABANDON|1|1|2\n",
    )
    ingestor.scan([folder])
    rows = (
        store.cursor()
        .execute(
            "SELECT source_id, agent, outcome, wait_s, talk_s, transferred FROM contacts "
            "ORDER BY offered_at"
        )
        .fetchall()
    )
    assert rows == [
        ("t1", "Ana", "answered", 5.0, 60.0, True),
        ("t1", "Olga", "answered", 14.0, 120.0, False),
        ("t2", None, "abandoned", 2.0, None, False),
    ]


def test_a_transfer_back_logged_in_the_second_of_the_new_entry_ends_the_first_segment(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    # Asterisk logs the transfer and the call's new entry into the queue in the same second; a
    # CONNECT in the second of an entry belongs to it, and so does an ABANDON after a lone entry.
    write(
        folder / "queue_log",
        f"{T0}|t1|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 5}|t1|sales|Ana|CONNECT|5|t1.1|2\n"
        f"{T0 + 65}|t1|sales|Ana|BLINDTRANSFER|200|from-internal|5|60|1\n"
        f"{T0 + 65}|t1|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 80}|t1|sales|Olga|CONNECT|15|t1.2|2\n"
        f"{T0 + 200}|t1|sales|Olga|COMPLETEAGENT|15|120|1\n"
        f"{T0 + 300}|t2|sales|NONE|ENTERQUEUE||556|1\n"
        f"{T0 + 300}|t2|sales|Ana|CONNECT|0|t2.1|1\n"
        f"{T0 + 330}|t2|sales|Ana|ATTENDEDTRANSFER|BRIDGE|x|0|30|1\n"
        f"{T0 + 330}|t2|sales|NONE|ENTERQUEUE||556|1\n"
        f"{T0 + 330}|t2|sales|NONE|ABANDON|1|1|0\n"
        f"{T0 + 400}|t3|sales|NONE|ENTERQUEUE||557|1\n"
        f"{T0 + 400}|t3|sales|NONE|ABANDON|1|1|0\n",
    )
    ingestor.scan([folder])
    rows = (
        store.cursor()
        .execute(
            "SELECT source_id, agent, outcome, wait_s, talk_s, transferred FROM contacts "
            "ORDER BY offered_at, answered_at NULLS LAST"
        )
        .fetchall()
    )
    assert rows == [
        ("t1", "Ana", "answered", 5.0, 60.0, True),
        ("t1", "Olga", "answered", 15.0, 120.0, False),
        ("t2", "Ana", "answered", 0.0, 30.0, True),
        # Two ends in the second of the new entry: both go to the first segment, the second is
        # left open (rare enough; it ends as stale like any call that never ends).
        ("t2", None, "open", None, None, False),
        ("t3", None, "abandoned", 0.0, None, False),
    ]


def test_abandon_timeout_and_open_outcomes(store: Store, folder: Path, ingestor: Ingestor) -> None:
    write(
        folder / "queue_log",
        f"{T0}|a1|q|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 3}|a1|q|NONE|ABANDON|1|1|3\n"
        f"{T0}|a2|q|NONE|ENTERQUEUE||556|1\n"
        f"{T0 + 300}|a2|q|NONE|EXITWITHTIMEOUT|1|1|300\n"
        f"{T0}|a3|q|NONE|ENTERQUEUE||557|1\n"
        f"{T0 + 30}|a3|q|NONE|EXITWITHKEY|5|1|1|30\n"
        f"{T0 + 10}|a4|q|NONE|ENTERQUEUE||558|1\n",
    )
    ingestor.scan([folder])
    rows = (
        store.cursor()
        .execute("SELECT source_id, outcome, wait_s, customer FROM contacts ORDER BY source_id")
        .fetchall()
    )
    assert rows == [
        ("a1", "abandoned", 3.0, "555"),
        ("a2", "timeout", 300.0, "556"),
        ("a3", "timeout", 30.0, "557"),
        ("a4", "open", None, "558"),
    ]


def test_chat_conversation_is_derived(store: Store, folder: Path, ingestor: Ingestor) -> None:
    write(
        folder / "chat.jsonl",
        '{"conversation_id": "c-1", "ts": "2026-11-20T09:14:03+01:00", "role": "customer", "author": "jane@x", "channel": "chat", "queue": "billing", "text": "My invoice is wrong"}\n'
        '{"conversation_id": "c-1", "ts": "2026-11-20T09:15:10+01:00", "role": "agent", "author": "Olga", "text": "Let me check"}\n'
        '{"conversation_id": "c-1", "type": "conversation", "ts": "2026-11-20T09:30:00+01:00", "status": "resolved", "resolved_at": "2026-11-20T09:30:00+01:00", "rating": 9, "rating_scale": 10, "tags": ["billing dispute"]}\n',
    )
    ingestor.scan([folder])
    row = (
        store.cursor()
        .execute(
            "SELECT channel, queue, agent, customer, outcome, wait_s, frt_s, resolved, "
            "epoch(ended_at - offered_at), topic, messages, agent_messages FROM contacts"
        )
        .fetchone()
    )
    assert row == (
        "chat",
        "billing",
        "Olga",
        "jane@x",
        "answered",
        67.0,
        67.0,
        True,
        957.0,
        "billing dispute",
        2,
        1,
    )


def test_json_array_larger_than_a_chunk_loads(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    import json

    import data.ingest

    monkeypatch.setattr(data.ingest, "CHUNK_BYTES", 1024)
    tickets = [
        {
            "conversation_id": f"t-{i}",
            "type": "conversation",
            "created_at": f"2026-11-20T09:{i % 60:02d}:00+01:00",
            "status": "open",
            "channel": "email",
            "subject": "x" * 40,
        }
        for i in range(120)
    ]
    write(folder / "tickets.json", json.dumps(tickets, indent=2) + "\n")
    result = ingestor.scan([folder])
    assert result.rejected == 0
    assert store.cursor().execute("SELECT count(*) FROM contacts").fetchone() == (120,)


def test_file_deleted_mid_read_is_reported_not_fatal(
    store: Store, folder: Path, ingestor: Ingestor, monkeypatch
) -> None:
    import data.ingest

    log = write(folder / "queue_log", calls(2))
    write(folder / "other_log", calls(1, start=5))
    real = data.ingest.read_lines

    def vanish(path, *a, **k):
        if path.name == "queue_log":
            path.unlink()  # gone between stat and open
        return real(path, *a, **k)

    monkeypatch.setattr(data.ingest, "read_lines", vanish)
    result = ingestor.scan([folder])
    by_path = {f.path: f for f in result.files}
    assert by_path["queue_log"].status == "missing"
    assert by_path["other_log"].loaded == 3
    assert not log.exists()


def test_scan_loads_the_newest_files_first(store: Store, folder: Path, ingestor: Ingestor) -> None:
    old = write(folder / "a_old.log", calls(1))
    new = write(folder / "z_new.log", calls(1, start=1))
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    result = ingestor.scan([folder])
    assert [f.path for f in result.files] == ["z_new.log", "a_old.log"]


def test_rescan_reports_files_deleted_meanwhile(tmp_path: Path, folder: Path) -> None:
    db = tmp_path / "fw.duckdb"
    write(folder / "queue_log", calls(1))
    gone = write(folder / "queue_log.1", calls(1, start=1))
    with Store(db) as s:
        Ingestor(s, Config(timezone="UTC"), folder).scan([folder])
    gone.unlink()
    with Store(db) as s:
        Ingestor(s, Config(timezone="UTC"), folder).scan([folder])
        rows = s.cursor().execute("SELECT path, status FROM files ORDER BY path").fetchall()
        assert rows == [("queue_log", "ok"), ("queue_log.1", "missing")]
        assert counts(s) == (6, 2, 0)  # its data is kept


def test_a_quoted_record_across_a_chunk_boundary_does_not_stop_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Agent names with a newline inside quotes: some records straddle the (small) chunks; one
    pass reads the whole file (it used to stop at the first such record until the file changed)."""
    from data import ingest as ingest_module
    from tests.formats.test_mapped_csv import CALLS

    monkeypatch.setattr(ingest_module, "CHUNK_BYTES", 300)
    folder = tmp_path / "exports"
    rows = ["Call Id,Agent,Date,Time,Answered (Y/N),Resolved,Speed,Talk,Rating"]
    for i in range(40):
        agent = f'"Ann\nSmith {i}"' if i % 3 == 0 else "Bob"
        rows.append(f"M{i},{agent},0{1 + i % 5}/02/2021,09:{i:02d}:00,Y,Y,5,0:01:00,3")
    write(folder / "calls.csv", "\n".join(rows) + "\n")
    with Store() as store:
        result = Ingestor(store, Config(timezone="UTC", mappings=[CALLS]), folder).scan([folder])
        (report,) = result.files
        assert (report.lines, report.loaded, report.rejected) == (55, 40, 0)
        (names,) = (
            store.cursor()
            .execute("SELECT count(*) FROM contacts WHERE agent LIKE 'Ann%Smith%'")
            .fetchone()
        )
        assert names == 14
