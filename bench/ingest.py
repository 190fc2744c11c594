"""Ingest benchmark: cold load of seeded exports, ratio to DuckDB's raw read_csv, append latency.

    .venv/bin/python bench/ingest.py [--contacts 1000000] [--store-contacts 10000000] [--out DIR]

Prints figures; asserts nothing (speed is measured, not asserted in tests). Targets (issue 2):
cold load within 2x DuckDB's read_csv of the same file; 1,000 appended lines queryable within 200 ms
in a store holding 10M contacts; peak memory under 2 GB at 10M contacts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from data import derive  # noqa: E402
from data.config import Config  # noqa: E402
from data.ingest import Ingestor  # noqa: E402
from data.metrics import rollup  # noqa: E402
from data.store import Store  # noqa: E402

QUEUES = ("billing", "tech-support", "sales", "retention")
AGENTS = [f"Agent {i:02d}" for i in range(40)]


def queue_log_lines(n_calls: int, start: int, rng: random.Random) -> list[str]:
    lines = []
    t = start
    for i in range(n_calls):
        t += rng.randint(1, 6)
        cid = f"{start}.{i}"
        q = rng.choice(QUEUES)
        lines.append(f"{t}|{cid}|{q}|NONE|ENTERQUEUE||55{i % 10000:04d}|1")
        wait = rng.randint(0, 90)
        if rng.random() < 0.12:
            lines.append(f"{t + wait}|{cid}|{q}|NONE|ABANDON|1|1|{wait}")
            continue
        a = rng.choice(AGENTS)
        talk = rng.randint(30, 900)
        lines.append(f"{t + wait}|{cid}|{q}|{a}|CONNECT|{wait}|{cid}.9|4")
        lines.append(f"{t + wait + talk}|{cid}|{q}|{a}|COMPLETECALLER|{wait}|{talk}|1")
    return lines


def cdr_lines(n: int, start: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        t = datetime.fromtimestamp(start + i * 3, UTC)
        ans = t + timedelta(seconds=rng.randint(0, 60))
        end = ans + timedelta(seconds=rng.randint(10, 600))
        f = "%Y-%m-%d %H:%M:%S"
        out.append(
            f'"","55{i % 9999}","200","from-pstn","""Cust"" <55{i}>","SIP/trunk-{i:08x}",'
            f'"SIP/2{i % 40:02d}-{i:08x}","Dial","SIP/2{i % 40:02d}","{t:{f}}","{ans:{f}}","{end:{f}}",'
            f'{int((end - t).total_seconds())},{int((end - ans).total_seconds())},"ANSWERED","DOCUMENTATION",'
            f'"{start}.{i}",""'
        )
    return out


def chat_lines(n: int, start: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        t = datetime.fromtimestamp(start + i * 5, UTC)
        cid = f"c{start}-{i}"
        out.append(
            json.dumps(
                {
                    "conversation_id": cid,
                    "ts": t.isoformat(),
                    "role": "customer",
                    "author": f"cust{i}",
                    "channel": "chat",
                    "queue": rng.choice(QUEUES),
                    "text": "hello",
                }
            )
        )
        out.append(
            json.dumps(
                {
                    "conversation_id": cid,
                    "ts": (t + timedelta(seconds=rng.randint(5, 300))).isoformat(),
                    "role": "agent",
                    "author": rng.choice(AGENTS),
                    "text": "hi",
                }
            )
        )
    return out


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def peak_mb() -> float:
    """This process's peak RSS. VmHWM where there is /proc: Linux's ru_maxrss carries over the
    forked parent's peak into a spawned child, VmHWM starts again at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold_load(path: Path, folder: Path) -> tuple[float, int, float, float]:
    """Seconds to load `path` into a new in-memory store (as `check` does: left uncompressed, as
    the read_csv baseline leaves its table), rows loaded; then the seconds a console spends
    compressing it afterwards (Store.compress) and the store's memory after that, in MB."""
    with Store() as store:
        t0 = time.perf_counter()
        result = Ingestor(store, Config(timezone="UTC"), folder, final=True).scan([path])
        secs = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.compress()
        packed = time.perf_counter() - t0
        (mb,) = (
            store.cursor()
            .execute("SELECT sum(memory_usage_bytes) / 1e6 FROM duckdb_memory()")
            .fetchone()
        )
        return secs, result.loaded, packed, mb


def raw_read_csv(path: Path, delim: str, columns: int) -> float:
    con = duckdb.connect()
    cols = {f"c{i}": "VARCHAR" for i in range(columns)}
    t0 = time.perf_counter()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, delim=?, header=false, auto_detect=false, "
        "columns=?, null_padding=true, quote='\"')",
        [str(path), delim, cols],
    )
    return time.perf_counter() - t0


def build_big_store(db: Path, n: int) -> None:
    """`n` contacts over 60 days, plus the queue events of the last 30 days' calls, by SQL."""
    with Store(db) as store:
        cur = store.cursor()
        cur.execute(
            f"""
            INSERT INTO contacts (row_key, file_id, line_no, contact_id, source, source_id, channel,
                queue, agent, customer, offered_at, answered_at, ended_at, wait_s, talk_s, hold_s,
                wrap_s, outcome)
            SELECT i, 0, i, 'bench:' || i, 'asterisk_cdr', i::VARCHAR, 'voice',
                ['billing','tech-support','sales','retention'][(i % 4) + 1], 'Agent ' || (i % 40),
                '55' || lpad((i * 7919 % 10000)::VARCHAR, 4, '0'),
                now() - INTERVAL 60 DAY + to_microseconds((i * (60 * 86400000000 // {n}))::BIGINT),
                now() - INTERVAL 60 DAY + to_microseconds((i * (60 * 86400000000 // {n}))::BIGINT + 20000000),
                now() - INTERVAL 60 DAY + to_microseconds((i * (60 * 86400000000 // {n}))::BIGINT + 200000000),
                20, 180, 0, 0, 'answered'
            FROM range({n}) r(i)
            """
        )
        m = n // 2  # the last 30 days' calls also exist as raw queue_log events (3 per call)
        cur.execute(
            f"""
            INSERT INTO queue_events
            SELECT (hash(i, e) >> 1)::BIGINT, 0, i * 3 + e,
                now() - INTERVAL 30 DAY + to_microseconds((i * (30 * 86400000000 // {m}) + e * 20000000)::BIGINT),
                'q' || i, 'billing', CASE WHEN e = 0 THEN 'NONE' ELSE 'Agent ' || (i % 40) END,
                ['ENTERQUEUE','CONNECT','COMPLETECALLER'][e + 1], '20', '180', '1', NULL, NULL
            FROM range({m}) r(i), range(3) s(e)
            """
        )
        # The callers of the appended calls (55NNNN) have contacts all along the 60 days: every
        # append refreshes their next contact (FCR), as ingest does.
        derive.refresh_all_next_contacts(cur)
        cur.execute("CHECKPOINT")


def append_latency(db: Path, folder: Path, rng: random.Random) -> list[float]:
    log = folder / "queue_log"
    start = int(time.time())
    write_lines(log, queue_log_lines(10, start - 3600, rng))
    timings = []
    with Store(db) as store:
        ingestor = Ingestor(store, Config(timezone="UTC"), folder)
        ingestor.scan([folder])
        for k in range(5):
            lines = queue_log_lines(400, start - 3000 + k * 500, rng)[:1000]
            with log.open("a") as f:
                f.write("\n".join(lines) + "\n")
            t0 = time.perf_counter()
            ingestor.apply({log})
            store.cursor().execute(
                "SELECT count(*) FROM contacts WHERE offered_at >= now() - INTERVAL 2 HOUR"
            ).fetchone()
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


def big_store_phase(work: Path, contacts: int) -> None:
    rng = random.Random(43)
    db = work / "big.duckdb"
    if db.exists():
        db.unlink()
    t0 = time.perf_counter()
    build_big_store(db, contacts)
    print(
        f"  built a store of {contacts:,} contacts in {time.perf_counter() - t0:.1f} s", flush=True
    )
    with Store(db) as store:  # what the console keeps once it has loaded: per-day sums
        t0 = time.perf_counter()
        days = rollup.build(store.cursor(), Config(timezone="UTC"), datetime.now(UTC), None)
        print(f"  kept the sums of {days} closed days in {time.perf_counter() - t0:.1f} s")
    folder = work / "live"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    timings = append_latency(db, folder, rng)
    print(
        "  1,000 appended queue_log lines queryable after (ms): "
        + ", ".join(f"{t:.0f}" for t in timings)
        + f"   median {sorted(timings)[len(timings) // 2]:.0f} ms"
    )
    print(
        f"  peak RSS at {contacts:,} contacts (build, then appends): {peak_mb():,.0f} MB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--store-contacts", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--only-store", action="store_true", help="only the 10M store phase")
    ap.add_argument("--only-cold", action="store_true", help="only the cold loads")
    ap.add_argument(
        "--formats", default="queue_log,asterisk_cdr,chat_jsonl", help="cold loads of these"
    )
    args = ap.parse_args()
    rng = random.Random(42)
    work = args.out or Path(tempfile.mkdtemp(prefix="fw-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    start = 1_760_000_000
    print(f"floorwatch ingest benchmark, {args.contacts:,} contacts per format, in {work}")
    generators = {
        "queue_log": (queue_log_lines, "|", 9),
        "asterisk_cdr": (cdr_lines, ",", 18),
        "chat_jsonl": (chat_lines, "\t", 1),
    }
    wanted = [] if args.only_store else args.formats.split(",")
    for name in wanted:
        generate, delim, cols = generators[name]
        lines = generate(args.contacts, start, rng)
        folder = work / name
        folder.mkdir(exist_ok=True)
        path = folder / (
            "Master.csv"
            if name == "asterisk_cdr"
            else "queue_log"
            if name == "queue_log"
            else "chat.jsonl"
        )
        write_lines(path, lines)
        del lines
        secs, rows, packed, store_mb = cold_load(path, folder)
        raw = raw_read_csv(path, delim, cols)
        print(
            f"  {name:<13} cold load {secs:6.2f} s  {rows / secs:>10,.0f} rows/s   "
            f"DuckDB read_csv {raw:5.2f} s   ratio {secs / raw:5.1f}x   peak RSS {peak_mb():,.0f} MB"
            f"\n  {'':<13} then compressed in {packed:.2f} s to {store_mb:,.0f} MB (as a console does)"
        )
    if args.only_cold:
        return
    # The store at 10M contacts in a process of its own, so its peak memory is its own (the cold
    # loads above keep three 1M stores and their lines in this one).
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(big_store_phase, (work, args.store_contacts))
    print(f"  peak RSS of the cold loads: {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
