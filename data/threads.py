"""Conversations of exports that only say which message each message answers (a mapped CSV such as
Twitter's): the conversation is the reply thread's root, whichever batch or file its messages
come in.

A reader follows replies only among the lines it is given, so a reply whose parent came in an
earlier batch would start a conversation of its own, and a thread whose replies came before their
parent would sit under that parent's id. The store keeps every threaded message's parent and its
thread's root as known now (`thread_links`): a batch's messages take the root of the ancestor
already stored, and messages stored under the id of a message that has just arrived move to the
root that message reaches. Either way the result is what one load of everything would give.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable

import pyarrow as pa

Link = tuple[str, str, str | None, int]  # thread, message id, id it answers, the row's row_key


def resolve(cur, links: list[Link], messages: pa.Table) -> tuple[pa.Table, set[str]]:
    """Give the batch's threaded messages their thread's root across the store, and move stored
    messages whose root is one of the batch's messages. Returns the batch's messages with their
    conversation ids resolved, and the conversation ids whose stored messages moved (from and
    to), whose contacts must be derived again. Runs in the caller's transaction."""
    parents: dict[str, dict[str, str | None]] = defaultdict(dict)
    thread_of: dict[int, tuple[str, str]] = {}  # row_key -> (thread, message id)
    for thread, msg_id, reply_to, key in links:
        parents[thread].setdefault(msg_id, reply_to)  # the first record of an id wins
        thread_of[key] = (thread, msg_id)
    resolved: dict[tuple[str, str], str] = {}  # (thread, message id) -> conversation id
    moved: set[str] = set()
    for thread, parent in parents.items():
        # A message stored already keeps the parent it was stored with (its row is the stored
        # one: a second record of the same id, say a corrected re-export, is a duplicate).
        parent.update(_lookup(cur, "SELECT msg_id, reply_to", thread, set(parent), "msg_id"))
        tops = {msg: thread_top(msg, parent) for msg in parent}
        stored = _stored_roots(cur, thread, parent, tops)

        def parent_of(msg: str, thread: str = thread, parent: dict = parent) -> str | None:
            if msg in parent:
                return parent[msg]
            return _lookup(cur, "SELECT msg_id, reply_to", thread, {msg}, "msg_id").get(msg)

        root = {msg: _root(msg, tops, stored, parent_of) for msg in parent}
        resolved.update(((thread, msg), thread + r) for msg, r in root.items())
        # Messages stored under one of this batch's messages (their replies came first).
        under = _lookup(cur, "SELECT DISTINCT root, root", thread, set(parent), "root")
        moves = {old: root[old] for old in under if root[old] != old}
        if moves:
            _move(cur, thread, moves)
            moved.update(thread + old for old in moves)
            moved.update(thread + new for new in moves.values())
        _remember(cur, thread, parent, root)
    keys = messages.column("row_key").to_pylist()
    column = messages.column("conversation_id").to_pylist()
    conversations = [
        resolved[thread_of[k]] if k in thread_of else c for k, c in zip(keys, column, strict=True)
    ]
    messages = messages.set_column(
        messages.schema.get_field_index("conversation_id"),
        "conversation_id",
        pa.array(conversations, pa.string()),
    )
    return messages, moved


def thread_top(msg_id: str, parent: dict[str, str | None]) -> str:
    """The first ancestor not among these messages, or the earliest one that is. A cycle (A
    answers B answers A: never from Twitter, but an export can hold anything) has no earliest:
    its smallest id stands for it, whichever message the walk starts from."""
    path, at = [msg_id], {msg_id: 0}  # positions: a set-like lookup, not a list scan
    cur = msg_id
    while (up := parent.get(cur)) is not None:
        if up in at:
            return min(path[at[up] :])
        at[up] = len(path)
        path.append(up)
        cur = up
    return cur


def _stored_roots(
    cur, thread: str, parent: dict[str, str | None], tops: dict[str, str]
) -> dict[str, str]:
    """The stored root of every stored message a batch's chain can reach. A stored root may be a
    message of this batch (the stored replies came before it), whose chain leads on to another
    stored message: looked up in turn."""
    stored: dict[str, str] = {}
    asked: set[str] = set()
    wanted = {t for t in tops.values() if t not in parent}
    while wanted:
        found = _lookup(cur, "SELECT msg_id, root", thread, wanted, "msg_id")
        asked |= wanted
        stored.update(found)
        wanted = {tops[r] for r in found.values() if r in tops} - asked - set(parent)
    return stored


def _root(
    msg_id: str,
    tops: dict[str, str],
    stored: dict[str, str],
    parent_of: Callable[[str], str | None],
) -> str:
    """Where the chain from a batch message ends, through the batch and the store in turn: a
    message without a parent, or the first ancestor known to neither; for a cycle, its smallest
    id, found by walking the cycle's own replies (stored roots skip members)."""
    seen: set[str] = set()
    cur = msg_id
    while cur not in seen:
        seen.add(cur)
        up = tops.get(cur, stored.get(cur))
        if up is None or up == cur:
            return cur
        cur = up
    members, node = [cur], parent_of(cur)
    while node is not None and node not in members:
        members.append(node)
        node = parent_of(node)
    return min(members)


def _lookup(cur, select: str, thread: str, ids: set[str], column: str) -> dict[str, str]:
    if not ids:
        return {}
    cur.register("thread_ids", pa.table({"id": pa.array(sorted(ids), pa.string())}))
    try:
        rows = cur.execute(
            f"{select} FROM thread_links WHERE thread = ? "
            f"AND {column} IN (SELECT id FROM thread_ids)",
            [thread],
        ).fetchall()
    finally:
        cur.unregister("thread_ids")
    return dict(rows)


def _move(cur, thread: str, moves: dict[str, str]) -> None:
    old = pa.array(list(moves), pa.string())
    new = pa.array(list(moves.values()), pa.string())
    cur.register("thread_moves", pa.table({"old": old, "new": new}))
    try:
        cur.execute(
            "UPDATE thread_links SET root = m.new FROM thread_moves m "
            "WHERE thread_links.thread = ? AND thread_links.root = m.old",
            [thread],
        )
        cur.execute(
            "UPDATE messages SET conversation_id = ? || m.new FROM thread_moves m "
            "WHERE messages.conversation_id = ? || m.old",
            [thread, thread],
        )
    finally:
        cur.unregister("thread_moves")


def _remember(cur, thread: str, parent: dict[str, str | None], root: dict[str, str]) -> None:
    ids = list(parent)
    table = pa.table(
        {
            "msg_id": pa.array(ids, pa.string()),
            "reply_to": pa.array([parent[i] for i in ids], pa.string()),
            "root": pa.array([root[i] for i in ids], pa.string()),
        }
    )
    cur.register("thread_new", table)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            cur.execute(
                "INSERT INTO thread_links SELECT ?, n.msg_id, n.reply_to, n.root FROM thread_new n "
                "WHERE NOT EXISTS (SELECT 1 FROM thread_links t "
                "WHERE t.thread = ? AND t.msg_id = n.msg_id)",
                [thread, thread],
            )
    finally:
        cur.unregister("thread_new")
