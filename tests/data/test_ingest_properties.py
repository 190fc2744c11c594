"""Property: however a file arrives — in chunks cut anywhere, or rotated at any line — the store
ends the same as loading it whole."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.config import Config
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import append, write
from tests.data.test_ingest import T0, call
from tests.data.test_threads import CONFIG as THREAD_CONFIG
from tests.data.test_threads import HEADER

CONTENT = (
    call("c1", T0)
    + f"{T0 + 30}|c2|billing|NONE|ENTERQUEUE||555|1\n"
    + "not a queue_log line\n"
    + f"{T0 + 33}|c2|billing|NONE|ABANDON|1|1|3\n"
    + call("c3", T0 + 100, agent="Zoë [trainee]")
    + f"{T0 + 200}|c4|sales|NONE|ENTERQUEUE||556|1\n"
    + f"{T0 + 260}|c4|sales|NONE|EXITWITHTIMEOUT|1|1|60\n"
).encode()

LINE_ENDS = [i + 1 for i, b in enumerate(CONTENT) if b == ord("\n")]


def snapshot(store: Store) -> tuple:
    cur = store.cursor()
    events = cur.execute(
        "SELECT ts, callid, queue, agent, event, data1, data2, data3, data4, data5 "
        "FROM queue_events ORDER BY ALL"
    ).fetchall()
    contacts = cur.execute(
        "SELECT contact_id, queue, agent, customer, offered_at, answered_at, ended_at, wait_s, "
        "talk_s, outcome, transferred FROM contacts ORDER BY ALL"
    ).fetchall()
    rejects = cur.execute("SELECT reason, raw FROM rejects ORDER BY ALL").fetchall()
    return events, contacts, rejects


def load_whole() -> tuple:
    with tempfile.TemporaryDirectory() as d, Store() as store:
        write(Path(d) / "queue_log", CONTENT)
        Ingestor(store, Config(timezone="UTC"), Path(d)).scan([Path(d)])
        return snapshot(store)


WHOLE = load_whole()


def test_whole_load_is_what_we_expect() -> None:
    events, contacts, rejects = WHOLE
    assert len(events) == 10 and len(contacts) == 4 and len(rejects) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=len(CONTENT) - 1), max_size=8, unique=True))
def test_any_split_into_appends_equals_whole(cuts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as d, Store() as store:
        folder = Path(d)
        log = folder / "queue_log"
        ingestor = Ingestor(store, Config(timezone="UTC"), folder)
        bounds = [0, *sorted(cuts), len(CONTENT)]
        write(log, b"")
        for lo, hi in itertools.pairwise(bounds):
            append(log, CONTENT[lo:hi])
            ingestor.apply({log})
        assert snapshot(store) == WHOLE
        (lines,) = store.cursor().execute("SELECT line_no FROM rejects").fetchone()
        assert lines == 5


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(LINE_ENDS[:-1]),
    st.integers(min_value=0, max_value=len(CONTENT)),
    st.booleans(),
)
def test_rotation_at_any_line_equals_whole(rotate_at: int, seen: int, new_first: bool) -> None:
    """The first `seen` bytes were loaded before the rotation; the rest arrives in two files."""
    with tempfile.TemporaryDirectory() as d, Store() as store:
        folder = Path(d)
        log = folder / "queue_log"
        ingestor = Ingestor(store, Config(timezone="UTC"), folder)
        write(log, CONTENT[: min(seen, rotate_at)])
        ingestor.apply({log})
        append(log, CONTENT[min(seen, rotate_at) : rotate_at])
        os.rename(log, folder / "queue_log.1")
        write(log, CONTENT[rotate_at:])
        order = [log, folder / "queue_log.1"] if new_first else [folder / "queue_log.1", log]
        for p in order:  # events arrive as a set; either order must give the same store
            ingestor.apply({p})
        ingestor.apply(set(order))
        assert snapshot(store) == WHOLE


# A mapped CSV whose quoted texts hold line breaks and empty lines (LF and CRLF): a record cut
# anywhere, even inside its empty line, must load once and whole.
MULTILINE = (
    HEADER
    + b'1,c1,True,2026-03-01 09:00:00,"para one\n\npara two",\n'
    + b"\n"
    + b'2,acme,False,2026-03-01 09:01:00,"@c1 hello\r\n\r\n\r\nbye",1\n'
    + b"3,c1,True,2026-03-01 09:02:00,plain,2\n"
    + b'4,c2,True,2026-03-01 09:03:00,"\n\n",\n'
)


def message_texts(store: Store) -> list[tuple]:
    return (
        store.cursor()
        .execute("SELECT row_key, conversation_id, text FROM messages ORDER BY ALL")
        .fetchall()
    )


def load_multiline(parts: list[bytes]) -> tuple[list[tuple], list[tuple]]:
    with tempfile.TemporaryDirectory() as d, Store() as store:
        path = Path(d) / "tw.csv"
        ingestor = Ingestor(store, THREAD_CONFIG, Path(d))
        write(path, b"")
        for part in parts:
            append(path, part)
            ingestor.apply({path})
        rejects = store.cursor().execute("SELECT line_no, reason FROM rejects").fetchall()
        return message_texts(store), rejects


MULTILINE_WHOLE = load_multiline([MULTILINE])


def test_a_quoted_text_keeps_its_empty_lines() -> None:
    texts, rejects = MULTILINE_WHOLE
    assert rejects == []
    # CRLF inside a quoted field reads as LF; a text of nothing but line breaks is no text.
    assert sorted((c, t or "") for _k, c, t in texts) == [
        ("tw:1", "@c1 hello\n\n\nbye"),
        ("tw:1", "para one\n\npara two"),
        ("tw:1", "plain"),
        ("tw:4", ""),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=len(MULTILINE) - 1), max_size=6, unique=True))
def test_multiline_records_cut_anywhere_equal_whole(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(MULTILINE)]
    parts = [MULTILINE[lo:hi] for lo, hi in itertools.pairwise(bounds)]
    assert load_multiline(parts) == MULTILINE_WHOLE
