"""What the query log costs a request: the time `QueryLog.record` (and `record_open`) takes on the caller's
thread, for the queued writer the service uses and for a direct write, from 1 and from 8 threads at once.

Run by hand: python scripts/bench_querylog.py [--records N] [--prefill N] [--folder DIR]. Prints Markdown for
docs/benchmarks.md. Each row is a realistic search: a 40-character query, two filters, 10 shown documents,
then an open of one of them for every fifth search. `--prefill` first fills the log with that many older
searches, as a year of use would (inserts slow a little as the indexes grow). The folder should be on the
disk the index lives on; the default is a temporary folder there (indexes/).
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from kmsearch.analytics.querylog import QueryLog, connect, stamp

WORDS = ("records disposal mobile service units study tour canada file plan edrms pilot knowledge audit strategy "
         "ward councillor grant identity documents rollout lessons learnt minutes steering committee").split()


class Key:
    name = "HR team"
    groups = frozenset({"hr"})


def _query(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))


def prefill(path: Path, n: int) -> None:
    """`n` searches spread over the past year, written in bulk (their cost is not measured)."""
    rng = random.Random(1)
    conn = connect(path)
    start = datetime.now(timezone.utc) - timedelta(days=365)
    with conn:
        for i in range(0, n, 10_000):
            rows, shown = [], []
            for j in range(i, min(n, i + 10_000)):
                qid = f"{j:016x}"
                rows.append((qid, stamp(start + timedelta(seconds=j * 365 * 86400 // max(n, 1))), "search",
                             _query(rng), "hybrid", None, 1, rng.randint(0, 40), rng.random(), 0, None, None))
                shown += [(qid, r, f"doc{rng.randint(0, 5000):05d}") for r in range(1, 11)]
            conn.executemany("INSERT INTO queries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            conn.executemany("INSERT INTO shown VALUES (?,?,?)", shown)
    conn.close()


def measure(path: Path, background: bool, threads: int, records: int, pause_ms: float) -> dict[str, float]:
    """Per-call wall time of record (+ record_open every fifth search) on the callers' threads, in ms. Each
    caller pauses `pause_ms` between requests (sleeping, as a request waiting on the model releases the GIL);
    0 is a burst no service could produce, to show what happens when the writer falls behind."""
    qlog = QueryLog(path, caller_mode="key", background=background)
    qlog.record("search", "warm up", results=1)  # opens the connection, starts the writer
    qlog.flush()
    times: list[float] = []
    lock = threading.Lock()

    def work(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        for i in range(records // threads):
            query, shown = _query(rng), [f"doc{rng.randint(0, 5000):05d}" for _ in range(10)]
            started = time.perf_counter()
            qid = qlog.record("search", query, "hybrid", {"doc_type": ["report"], "date_from": "2009"},
                              results=rng.randint(0, 40), top_score=rng.random(), below_floor=rng.random() < 0.2,
                              caller=Key(), shown=shown)
            if i % 5 == 0:
                qlog.record_open("view", shown[0], 1, qid, caller=Key())
            mine.append((time.perf_counter() - started) * 1000)
            if pause_ms:
                time.sleep(pause_ms / 1000)
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    submitted = time.perf_counter() - started
    qlog.flush(timeout=600)
    drained = time.perf_counter() - started
    health = qlog.health()
    qlog.close()
    q = np.percentile(times, [50, 95, 99])
    return {"p50": q[0], "p95": q[1], "p99": q[2], "max": max(times), "mean": statistics.fmean(times),
            "written": health["written"], "lag_s": drained - submitted, "dropped": health["dropped"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--prefill", type=int, default=200_000)
    parser.add_argument("--folder", type=Path, default=Path("indexes"))
    parser.add_argument("--pause-ms", type=float, default=1.0, help="Pause between one caller's requests.")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"`python scripts/bench_querylog.py --records {args.records} --prefill {args.prefill}` "
          f"({datetime.now().date()}, {platform.machine()} {platform.system()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; folder {args.folder})\n")
    print("| writer | caller threads | pause between requests | p50 ms | p95 ms | p99 ms | max ms | rows written | "
          "written by (s after the last call) | dropped |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    runs = [(True, 1, args.pause_ms), (True, 8, args.pause_ms), (True, 8, 0.0), (False, 1, args.pause_ms),
            (False, 8, args.pause_ms)]
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        template = Path(tmp) / "template.sqlite"
        prefill(template, args.prefill)
        for background, threads, pause in runs:
            path = Path(tmp) / "analytics.sqlite"
            shutil.copyfile(template, path)
            r = measure(path, background, threads, args.records, pause)
            for leftover in Path(tmp).glob("analytics.sqlite*"):
                leftover.unlink()
            name = "queued (the service's)" if background else "direct"
            print(f"| {name} | {threads} | {pause:g} ms | {r['p50']:.3f} | {r['p95']:.3f} | {r['p99']:.3f} | "
                  f"{r['max']:.1f} | {r['written']:,} | {r['lag_s']:.2f} | {r['dropped']:,} |", flush=True)


if __name__ == "__main__":
    main()
