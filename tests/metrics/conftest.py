"""Tiny fixtures for the KPI tests: rows inserted straight into a throwaway Store."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from data.config import Config
from data.store import TABLES, Store

PARIS = ZoneInfo("Europe/Paris")
_seq = itertools.count(1)


def t(text: str, zone: ZoneInfo = PARIS) -> datetime:
    """'2026-03-10 09:00[:05]' on the Paris wall clock."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def insert(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert dicts into `table`; missing columns are NULL; row_key/line_no/ids filled in."""
    cols = [c for c, _ in TABLES[table]]
    values = []
    for r in rows:
        n = next(_seq)
        r = {"row_key": n, "file_id": 0, "line_no": n} | r
        if table == "contacts":
            r.setdefault("contact_id", f"t:{n}")
            r.setdefault("source_id", r["contact_id"].split(":")[1])
            r.setdefault("channel", "voice")
            r.setdefault("source", "test")
        unknown = set(r) - set(cols)
        assert not unknown, unknown
        values.append([r.get(c) for c in cols])
    marks = ", ".join("?" for _ in cols)
    store.cursor().executemany(f"INSERT INTO {table} VALUES ({marks})", values)


def answered(offered: str, wait: float, talk: float = 60, **kw: Any) -> dict[str, Any]:
    from datetime import timedelta

    o = t(offered)
    return {
        "offered_at": o,
        "answered_at": o + timedelta(seconds=wait),
        "ended_at": o + timedelta(seconds=wait + talk),
        "wait_s": float(wait),
        "talk_s": float(talk),
        "outcome": "answered",
    } | kw


def abandoned(offered: str, wait: float, **kw: Any) -> dict[str, Any]:
    from datetime import timedelta

    o = t(offered)
    return {
        "offered_at": o,
        "ended_at": o + timedelta(seconds=wait),
        "wait_s": float(wait),
        "outcome": "abandoned",
    } | kw


@pytest.fixture
def cfg() -> Config:
    return Config(timezone="Europe/Paris")


@pytest.fixture
def cur(store: Store):
    return store.cursor()
