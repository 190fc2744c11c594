"""Reply threads (a mapped CSV with in_response_to and no conversation id) are one conversation
however their messages arrive: in appends cut anywhere, in two files in either order, replies
before their parent."""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.config import Config, CsvMapping, load_config
from data.ingest import Ingestor
from data.store import Store
from tests.conftest import append, write

TWEETS = CsvMapping(
    name="tw",
    pattern="tw*.csv",
    channel="social",
    kind="messages",
    columns={
        "id": "tweet_id", "author": "author_id", "role": "inbound", "ts": "created_at",
        "text": "text", "in_response_to": "in_response_to_tweet_id",
    },
    timestamp_formats={"ts": "%Y-%m-%d %H:%M:%S"},
    values={"role": {"True": "customer", "False": "agent"}},
)  # fmt: skip
HEADER = b"tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n"
# Thread 1: 1 <- 2 <- 3 <- 4 <- 5, written newest first as Twitter's export often is.
# Thread 10: 10 <- 11, 10 <- 12 (two replies). Thread 20 answers a tweet that is not in the file.
RECORDS = [
    b"5,acme,False,2026-03-01 09:40:00,@c1 thanks,4\n",
    b"4,c1,True,2026-03-01 09:30:00,@acme done,3\n",
    b"11,acme,False,2026-03-01 10:05:00,@c2 on it,10\n",
    b"3,acme,False,2026-03-01 09:20:00,@c1 try again,2\n",
    b"2,c1,True,2026-03-01 09:11:00,@acme still late,1\n",
    b"20,acme,False,2026-03-01 11:00:00,@c3 answered elsewhere,19\n",
    b"12,c2,True,2026-03-01 10:30:00,@acme thanks,10\n",
    b"1,c1,True,2026-03-01 09:00:00,@acme my order is late,\n",
    b"10,c2,True,2026-03-01 10:00:00,@acme refund?,\n",
]
CONFIG = Config(timezone="UTC", mappings=[TWEETS])


def snapshot(store: Store) -> tuple:
    cur = store.cursor()
    contacts = cur.execute(
        "SELECT contact_id, offered_at, first_agent_at, frt_s, messages, agent_messages "
        "FROM contacts ORDER BY ALL"
    ).fetchall()
    messages = cur.execute("SELECT row_key, conversation_id FROM messages ORDER BY ALL").fetchall()
    return contacts, messages


def load(parts: list[tuple[str, bytes]], config: Config = CONFIG) -> tuple:
    """Each (file name, bytes) is appended and applied in turn."""
    with tempfile.TemporaryDirectory() as d, Store() as store:
        folder = Path(d)
        ingestor = Ingestor(store, config, folder)
        for name, data in parts:
            path = folder / name
            if path.exists():
                append(path, data)
            else:
                write(path, data)
            ingestor.apply({path})
        return snapshot(store)


WHOLE = load([("tw.csv", HEADER + b"".join(RECORDS))])


def test_whole_load_groups_each_thread() -> None:
    contacts, messages = WHOLE
    assert [(c[0], c[4]) for c in contacts] == [
        ("chat:tw:1", 5),
        ("chat:tw:10", 3),
        ("chat:tw:19", 1),  # its root is the tweet it answers, which is not in the export
    ]
    assert len(messages) == 9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(len(RECORDS))), st.integers(min_value=1, max_value=len(RECORDS) - 1))
def test_two_files_in_any_order_equal_one(order: list[int], cut: int) -> None:
    records = [RECORDS[i] for i in order]
    first = HEADER + b"".join(records[:cut])
    second = HEADER + b"".join(records[cut:])
    assert load([("tw_a.csv", first), ("tw_b.csv", second)]) == WHOLE


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=200), max_size=6, unique=True))
def test_appends_cut_anywhere_equal_whole(cuts: list[int]) -> None:
    content = HEADER + b"".join(RECORDS)
    bounds = [0, *sorted(c for c in cuts if c < len(content)), len(content)]
    parts = [("tw.csv", content[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
    assert load(parts) == WHOLE


def test_a_parent_arriving_last_joins_its_replies_to_its_own_root() -> None:
    """Replies stored under their parent's id move when the parent comes, and the contact
    derived for them before is gone."""
    head, tail = RECORDS[:7], RECORDS[7:]  # the two thread roots come last
    assert load([("tw.csv", HEADER + b"".join(head)), ("tw.csv", b"".join(tail))]) == WHOLE


def thread_roots(data: bytes) -> set[str]:
    """Each tweet's root, worked out independently of the reader: follow in_response_to_tweet_id
    to a tweet without one, or to the first tweet that is not in the file."""
    # A bare \r inside a text ends a record for the csv module: not for the export.
    rows = list(csv.DictReader(io.StringIO(data.replace(b"\r", b" ").decode(), newline="")))
    parent = {r["tweet_id"]: r["in_response_to_tweet_id"].removesuffix(".0") for r in rows}
    roots = set()
    for tweet in parent:
        while parent.get(tweet):
            tweet = parent[tweet]
        roots.add(tweet)
    return roots


@pytest.mark.realdata
@pytest.mark.parametrize("second_first", [False, True])
def test_twitter_sample_in_two_files_equals_one(realdata: Path, second_first: bool) -> None:
    data = (realdata / "twcs" / "twcs_head.csv").read_bytes()
    header, _, body = data.partition(b"\n")
    lines = body.split(b"\n")
    record = re.compile(rb"^\d+,\d+,[^,]*,(True|False),")  # a line that starts a record
    cut = next(i for i in range(len(lines) // 2, len(lines)) if record.match(lines[i]))
    first = header + b"\n" + b"\n".join(lines[:cut]) + b"\n"
    second = header + b"\n" + b"\n".join(lines[cut:])
    config = load_config(Path(__file__).resolve().parents[2] / "examples" / "twcs.toml")
    whole = load([("twcs.csv", data)], config)
    files = [("twcs_1.csv", first), ("twcs_2.csv", second)]
    split = load(files[::-1] if second_first else files, config)
    assert split == whole
    contacts, messages = whole
    assert len(messages) == 5000
    assert {c[0] for c in contacts} == {f"chat:twcs:{r}" for r in thread_roots(data)}


def test_a_second_record_of_a_tweet_id_does_not_move_it_or_its_replies() -> None:
    """A re-export that 'corrects' tweet 2 to answer tweet 10: the first record wins everywhere,
    as the message row does (its key is the tweet id), loaded whole or after the first."""
    corrected = b"2,c1,True,2026-03-01 09:11:00,@acme still late,10\n"
    whole = load([("tw.csv", HEADER + b"".join(RECORDS) + corrected)])
    assert whole == WHOLE
    later = [("tw_a.csv", HEADER + b"".join(RECORDS)), ("tw_b.csv", HEADER + corrected)]
    assert load(later) == WHOLE


CYCLE = [  # 31 answers 32 answers 33 answers 31 (no export should, but one can), 34 answers 33
    b"31,c4,True,2026-03-01 12:00:00,@acme one,32\n",
    b"32,acme,False,2026-03-01 12:01:00,@c4 two,33\n",
    b"33,c4,True,2026-03-01 12:02:00,@acme three,31\n",
    b"34,acme,False,2026-03-01 12:03:00,@c4 four,33\n",
]


# Every third of the 24 orders: each message comes first, last and in between at least once.
@pytest.mark.parametrize("order", list(itertools.permutations(range(len(CYCLE))))[::3])
def test_a_reply_cycle_is_one_conversation_in_any_order(order: tuple[int, ...]) -> None:
    whole = load([("tw.csv", HEADER + b"".join(CYCLE))])
    assert [(c[0], c[4]) for c in whole[0]] == [("chat:tw:31", 4)]  # its smallest id
    assert load([(f"tw_{i}.csv", HEADER + CYCLE[i]) for i in order]) == whole
