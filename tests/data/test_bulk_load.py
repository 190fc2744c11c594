"""A file with much to read (a history folder, a first start) is read in bulk: its contacts are
derived once it is read, not chunk by chunk. The store ends the same, and a kill before the
contacts are derived leaves lines noted pending that the next run derives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data import ingest, writer
from data.config import Config
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import write
from tests.data.test_ingest import T0, call
from tests.formats.test_asterisk_cdr import NOANSWER16, Q18

CFG = Config(timezone="UTC")


def exports(folder: Path) -> None:
    """Calls that straddle chunk boundaries and files, repeat callers (FCR), a rejected line, a
    call-detail file and chats."""
    lines = []
    for i in range(60):
        lines.append(call(f"c{i}", T0 + 40 * i, agent=f"A{i % 3}"))
        if i == 30:
            lines.append("not a queue_log line\n")
    text = "".join(lines)
    cut = text.index("|c45|")  # c44's last event goes to the older, rotated file
    cut = text.rindex("\n", 0, cut) + 1
    write(folder / "queue_log.1", text[:cut])
    write(folder / "queue_log", text[cut:])
    write(folder / "Master.csv", f"{Q18}\n{NOANSWER16}\n" * 3)
    chats = [
        {
            "conversation_id": f"k{i}",
            "ts": f"2025-11-20T09:{i:02d}:00Z",
            "role": "customer" if j == 0 else "agent",
            "author": "cust" if j == 0 else "Ana",
            "text": "hello",
            "channel": "chat",
        }
        for i in range(20)
        for j in range(2)
    ]
    write(folder / "chat.jsonl", "".join(json.dumps(c) + "\n" for c in chats))


def snapshot(store: Store) -> tuple:
    cur = store.cursor()
    contacts = cur.execute(
        "SELECT contact_id, source, channel, queue, agent, customer, offered_at, answered_at, "
        "ended_at, wait_s, talk_s, outcome, transferred, next_contact_at, messages "
        "FROM contacts ORDER BY ALL"
    ).fetchall()
    raw = cur.execute(
        "SELECT (SELECT count(*) FROM queue_events), (SELECT count(*) FROM messages), "
        "(SELECT count(*) FROM rejects), (SELECT count(*) FROM pending)"
    ).fetchall()
    return contacts, raw


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "exports"
    exports(d)
    return d


@pytest.fixture
def whole(folder: Path) -> tuple:
    """The store loaded chunk by chunk, as appends are."""
    with Store() as store:
        Ingestor(store, CFG, folder).scan([folder])
        return snapshot(store)


@pytest.fixture
def in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small chunks (a few lines each) and every file counted as much to read."""
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 700)
    monkeypatch.setattr(ingest, "BULK_BYTES", 0)


def test_a_bulk_load_ends_as_a_load_chunk_by_chunk(folder: Path, whole: tuple, in_bulk) -> None:
    contacts, raw = whole
    assert len(contacts) == 60 + 2 + 20 and raw == [(180, 40, 1, 0)]  # 3 copies of 2 CDRs
    with Store() as store:
        calls = []
        real = writer.write_batch

        def counting(*args, **kwargs):
            calls.append(kwargs.get("defer"))
            return real(*args, **kwargs)

        ingest.write_batch = counting
        try:
            Ingestor(store, CFG, folder).scan([folder])
        finally:
            ingest.write_batch = real
        assert len(calls) > 10 and all(d is not None for d in calls)  # it did read in bulk
        assert snapshot(store) == whole


def test_a_kill_before_the_contacts_are_derived_is_made_good_next_run(
    tmp_path: Path, folder: Path, whole: tuple, in_bulk, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "fw.duckdb"

    def killed(store: Store, config: Config) -> tuple:
        (pending,) = store.cursor().execute("SELECT count(*) FROM pending").fetchone()
        if pending:  # killed once lines are noted, before their contacts are derived
            raise KeyboardInterrupt
        return writer.derive_pending(store, config)

    monkeypatch.setattr(ingest, "derive_pending", killed)
    with Store(db) as store:
        with pytest.raises(KeyboardInterrupt):
            Ingestor(store, CFG, folder).scan([folder])
        (pending,) = store.cursor().execute("SELECT count(*) FROM pending").fetchone()
        assert pending > 0
    monkeypatch.setattr(ingest, "derive_pending", writer.derive_pending)
    with Store(db) as store:
        ingestor = Ingestor(store, CFG, folder)
        ingestor.bring_up_to_date()  # what a run does first: the noted lines' contacts
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM pending").fetchone() == (0,)
        assert cur.execute("SELECT count(*) FROM contacts").fetchone()[0] > 0
        ingestor.scan([folder])  # then the files it had not reached
        assert snapshot(store) == whole
