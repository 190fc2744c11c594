"""next_contact_at (FCR's next contact of the same customer) kept up to date at ingest, in the same
transaction as the contacts: whatever order the calls arrive in, across rebuilds of a call's segments,
and equal to what the FCR query works out itself for rows that lack it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pydantic
import pytest

from data import derive
from data.config import Config
from data.ingest import Ingestor
from data.metrics import Filters, custom_period, rollup, totals
from data.store import Store
from tests.conftest import append, write

T0 = 1_763_625_600  # 2025-11-20 08:00:00 UTC
INF = datetime.max  # stands for 'infinity' in the comparisons below


def at(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def call(callid: str, t: int, caller: str, queue: str = "billing", talk: int = 60) -> str:
    return (
        f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||{caller}|1\n"
        f"{t + 5}|{callid}|{queue}|Olga|CONNECT|5|{callid}.1|3\n"
        f"{t + 5 + talk}|{callid}|{queue}|Olga|COMPLETECALLER|5|{talk}|1\n"
    )


def nexts(store: Store) -> dict[str, datetime | None]:
    rows = (
        store.cursor()
        .execute(
            "SELECT contact_id, CASE WHEN isinf(next_contact_at) THEN NULL ELSE next_contact_at END,"
            " isinf(next_contact_at) FROM contacts"
        )
        .fetchall()
    )
    return {cid: (INF if inf else nx) for cid, nx, inf in rows}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "exports"
    d.mkdir()
    return d


@pytest.fixture
def ingestor(store: Store, folder: Path) -> Ingestor:
    return Ingestor(store, Config(timezone="UTC"), folder)


def test_repeat_in_a_later_batch(store: Store, folder: Path, ingestor: Ingestor) -> None:
    log = write(folder / "queue_log", call("a", T0, "555") + call("x", T0 + 100, "777"))
    ingestor.scan([folder])
    assert nexts(store) == {"queue_log:a:billing:1": INF, "queue_log:x:billing:1": INF}
    append(log, call("b", T0 + 7200, "555"))  # the same customer two hours later
    ingestor.apply({log})
    assert nexts(store) == {
        "queue_log:a:billing:1": at(T0 + 7200),
        "queue_log:x:billing:1": INF,
        "queue_log:b:billing:1": INF,
    }


def test_earlier_contact_arriving_later(store: Store, folder: Path, ingestor: Ingestor) -> None:
    write(folder / "queue_log", call("b", T0 + 7200, "555"))
    ingestor.scan([folder])
    assert nexts(store) == {"queue_log:b:billing:1": INF}
    # An older file with the customer's earlier call (another system's export, a late copy).
    write(folder / "queue_log.1", call("a", T0, "555") + call("z", T0 + 9000, "555"))
    ingestor.apply({folder / "queue_log.1"})
    assert nexts(store) == {
        "queue_log:a:billing:1": at(T0 + 7200),
        "queue_log:b:billing:1": at(T0 + 9000),
        "queue_log:z:billing:1": INF,
    }


def test_segments_of_one_call_are_not_repeats_across_rebuilds(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    first = (
        f"{T0}|a|billing|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 5}|a|billing|Olga|CONNECT|5|a.1|3\n"
        f"{T0 + 60}|a|billing|Olga|BLINDTRANSFER|sales@ctx|5|55\n"
    )
    log = write(folder / "queue_log", first + call("b", T0 + 3600, "555"))
    ingestor.scan([folder])
    # The call goes on in the next batch: a second queue segment of the same call (a rebuild).
    append(
        log,
        f"{T0 + 61}|a|sales|NONE|ENTERQUEUE||555|1\n"
        f"{T0 + 70}|a|sales|Ana|CONNECT|9|a.2|3\n"
        f"{T0 + 200}|a|sales|Ana|COMPLETECALLER|9|130|1\n",
    )
    ingestor.apply({log})
    assert nexts(store) == {
        "queue_log:a:billing:1": at(T0 + 3600),  # the next *call*, not the sales segment
        "queue_log:a:sales:1": at(T0 + 3600),
        "queue_log:b:billing:1": INF,
    }


def test_customer_change_on_rebuild_frees_the_old_customers_contact(
    store: Store, folder: Path, ingestor: Ingestor
) -> None:
    # A chat whose customer is known only from a later fact line.
    chat = folder / "chat.jsonl"
    msg = (
        '{"conversation_id": "c1", "ts": "2025-11-20T09:00:00Z", "role": "customer",'
        ' "author": "555", "text": "hi", "channel": "chat"}\n'
    )
    write(chat, msg)
    write(folder / "queue_log", call("a", T0, "555"))
    ingestor.scan([folder])
    assert nexts(store)["queue_log:a:billing:1"] == at(T0 + 3600)
    append(
        chat,
        '{"conversation_id": "c1", "ts": "2025-11-20T09:05:00Z", "customer": "999",'
        ' "status": "resolved"}\n',
    )
    ingestor.apply({chat})
    n = nexts(store)
    assert n["queue_log:a:billing:1"] == INF  # 555's only other contact is now 999's


@pytest.mark.parametrize(
    ("start", "end", "kept_days"),
    [
        # Too short to hold a kept day: the FCR check runs beside the main query, which runs again
        # when the check finds a contact without next_contact_at.
        ("2025-11-20 00:00", "2025-11-21 12:00", False),
        # Closed days inside: the check runs first, in the main query's snapshot.
        ("2025-11-18 00:00", "2025-11-22 00:00", True),
    ],
)
def test_stored_next_gives_the_same_fcr_as_working_it_out(
    store: Store, folder: Path, ingestor: Ingestor, start: str, end: str, kept_days: bool
) -> None:
    lines = "".join(
        call(f"c{i}", T0 + 1800 * i, f"55{i % 5}", queue=("billing", "sales")[i % 2])
        for i in range(40)
    )
    write(folder / "queue_log", lines)
    ingestor.scan([folder])
    cfg = Config(timezone="UTC", fcr_window_h=4)
    period = custom_period(start, end, cfg)
    now = at(T0 + 86400 * 3)
    assert rollup.may_cover(cfg, period, None, now) is kept_days
    cur = store.cursor()
    stored = totals(cur, cfg, period, Filters(), now)
    assert (
        cur.execute("SELECT count(*) FROM contacts WHERE next_contact_at IS NULL").fetchone()[0]
        == 0
    )
    cur.execute("UPDATE contacts SET next_contact_at = NULL")  # as if written straight in
    worked_out = totals(cur, cfg, period, Filters(), now)
    assert stored["fcr"] is not None and 0 < stored["fcr"] < 1
    assert stored["fcr"] == worked_out["fcr"]
    derive.refresh_all_next_contacts(cur)
    assert totals(cur, cfg, period, Filters(), now)["fcr"] == stored["fcr"]


def test_store_without_the_column_gets_it(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        cur = store.cursor()
        cur.execute(
            "INSERT INTO contacts (row_key, contact_id, source_id, customer, offered_at) VALUES "
            "(1, 't:1', '1', 'ann', TIMESTAMPTZ '2026-03-10 09:00:00+00'), "
            "(2, 't:2', '2', 'ann', TIMESTAMPTZ '2026-03-10 10:00:00+00')"
        )
        cur.execute("ALTER TABLE contacts DROP COLUMN next_contact_at")
    with Store(db) as store:
        got = (
            store.cursor()
            .execute("SELECT contact_id, isinf(next_contact_at) FROM contacts ORDER BY 1")
            .fetchall()
        )
    assert got == [("t:1", False), ("t:2", True)]


def test_fcr_window_is_capped_by_the_horizon() -> None:
    assert Config(fcr_window_h=derive.FCR_HORIZON_H).fcr_window_h == derive.FCR_HORIZON_H
    with pytest.raises(pydantic.ValidationError):
        Config(fcr_window_h=derive.FCR_HORIZON_H + 1)
