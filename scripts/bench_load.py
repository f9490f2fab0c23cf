"""A bounded load test of `kmsearch serve` on loopback: mixed search, where-is and who-knows at rising concurrency.

Run by hand after building an index:
    python scripts/bench_load.py --index indexes/default [--requests 200] [--levels 1,2,4,8,16] [--soak 600]

Starts the server as a subprocess on 127.0.0.1 (a free port), with a fresh reader key, sends a fixed number of
requests per concurrency level (it stops by itself), then, with --soak, a steady stream at concurrency 4 for that
many seconds, sampling the server's RSS. Prints Markdown tables for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from pathlib import Path

import httpx

from served import serving

QUERIES = {
    "/api/v1/search": ["mobile service delivery", "electronic file management", "records disposal schedule",
                       "knowledge management strategy", "communities of practice", "exit interview knowledge loss",
                       "one-stop service centres", "citizen satisfaction with mobile units", "file plan approval"],
    "/api/v1/where-is": ["the report of the 2008 Canada study tour", "the minutes where the KM strategy was approved",
                         "records management policy 2010", "annual report 2012/13"],
    "/api/v1/who-knows": ["electronic file management", "mobile service delivery", "mentoring", "e-government"],
}
MIX = ["/api/v1/search"] * 6 + ["/api/v1/where-is"] * 2 + ["/api/v1/who-knows"] * 2


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pctl(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run_level(base: str, key: str, concurrency: int, total: int, seed: int) -> dict:
    rng = random.Random(seed)
    plan = [(e := rng.choice(MIX), rng.choice(QUERIES[e])) for _ in range(total)]
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            endpoint, q = queue.get_nowait()
            started = time.perf_counter()
            try:
                response = await client.get(endpoint, params={"q": q})
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {"concurrency": concurrency, "requests": total, "rps": total / wall, "p50": pctl(latencies, 50),
            "p95": pctl(latencies, 95), "p99": pctl(latencies, 99), "errors": errors}


async def soak(base: str, key: str, seconds: float, pid: int) -> list[tuple[float, float, int]]:
    samples = [(0.0, rss_mb(pid), 0)]
    started = time.perf_counter()
    done = 0
    while time.perf_counter() - started < seconds:
        result = await run_level(base, key, 4, 40, seed=done)
        done += result["requests"]
        if result["errors"]:
            raise SystemExit(f"soak: {result['errors']} errors")
        if time.perf_counter() - started - samples[-1][0] >= 30:
            samples.append((time.perf_counter() - started, rss_mb(pid), done))
    samples.append((time.perf_counter() - started, rss_mb(pid), done))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("indexes/default"))
    parser.add_argument("--requests", type=int, default=200, help="requests per concurrency level")
    parser.add_argument("--levels", default="1,2,4,8,16")
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady load after the levels")
    args = parser.parse_args()
    with serving(args.index, "load test", start_timeout_s=120) as (base, key, pid):
        asyncio.run(run_level(base, key, 2, 20, seed=99))  # warm-up, not reported
        start_rss = rss_mb(pid)
        print(f"index {args.index}; server RSS after warm-up {start_rss:.0f} MB; {os.cpu_count()} cores\n")
        print("| concurrency | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|")
        for level in map(int, args.levels.split(",")):
            r = asyncio.run(run_level(base, key, level, args.requests, seed=level))
            print(f"| {r['concurrency']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                  f"{r['p99']:.0f} | {r['errors']} |", flush=True)
        print(f"\nserver RSS after the levels: {rss_mb(pid):.0f} MB")
        if args.soak:
            samples = asyncio.run(soak(base, key, args.soak, pid))
            print(f"\nsoak at concurrency 4 for {args.soak:.0f} s, {samples[-1][2]} requests, 0 errors; RSS (MB) over time:")
            print(" ".join(f"{t:.0f}s:{m:.0f}" for t, m, _ in samples))


if __name__ == "__main__":
    main()
