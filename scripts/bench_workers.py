"""What an extraction worker costs to start (kmsearch/ingest/workers.py), under the main modules it meets.

Run by hand: PYTHONPATH=. python scripts/bench_workers.py [--files 20]

A worker is forked from the fork server, which imported the extractors once. What multiprocessing does next
depends on the parent's `__main__`: run with `python -m` or `-c` there is nothing to import again; a script (the
`kmsearch` console script, `pytest`, a Ray worker's default_worker.py) is run again in each worker as
`__mp_main__`. Each scenario runs in a fresh process whose script has that scenario's top-level imports:
- cold: from making the pool to the first file's answer (the fork server's start included), with 1 worker;
- start: the mean time per file when every file kills its worker (tests/hostile.py's crashing extractor), so each
  file waits for a fresh worker, less the mean time per file when the worker is reused;
- rss: a worker's resident memory (MB) once it has answered a file, from /proc.
Prints one Markdown table row per scenario.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = {  # the main module's top-level imports; None: no main module (python -m, python -c)
    "python -m / -c": None,
    "kmsearch console script": "from kmsearch.cli import main",
    "pytest console script": "import pytest",
    "Ray worker (default_worker.py)": "import ray",
}
BODY = '''
import json, os, sys, time
from pathlib import Path


def rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def run(folder, files):
    from kmsearch.config import Settings
    from kmsearch.ingest.workers import ExtractionPool
    from tests import hostile

    settings = Settings(ocr=False, extract_workers=1)
    for i in range(files):
        (folder / f"crash-{i}.txt").write_text("x")
        (folder / f"plain-{i}.txt").write_text("Minutes of the committee.")
    started = time.perf_counter()
    with ExtractionPool(settings) as pool:
        list(pool.map(hostile.crashing_extract, [(folder / "plain-0.txt", None)]))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        list(pool.map(hostile.crashing_extract, [(folder / f"plain-{i}.txt", None) for i in range(files)]))
        reused = (time.perf_counter() - started) / files
        started = time.perf_counter()
        results = list(pool.map(hostile.crashing_extract, [(folder / f"crash-{i}.txt", None) for i in range(files)]))
        fresh = (time.perf_counter() - started) / files
        assert all(r.reason and "SIGSEGV" in r.reason for _, _, r in results), results[:1]
        ((_, _, state),) = list(pool.map(hostile.worker_state, [(folder / "plain-0.txt", None)]))
        rss = rss_mb(state.document["pid"])  # the worker waits for its next file meanwhile
    print(json.dumps({"cold_s": cold, "start_s": fresh - reused, "rss_mb": rss}))
'''


def scenario(imports: str | None, files: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        call = f"run(Path({str(folder)!r}), {files})"
        if imports is None:
            command = [sys.executable, "-c", BODY + "\n" + call]
        else:
            script = Path(tmp) / "main.py"
            script.write_text(f"{imports}\n{BODY}\nif __name__ == '__main__':\n    {call}\n", encoding="utf-8")
            command = [sys.executable, str(script)]
        out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False,
                             env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
        if out.returncode:
            raise SystemExit(f"{command}: {textwrap.shorten(out.stderr, 2000)}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20, help="files per measurement")
    parser.add_argument("--label", default="", help="name for the rows, e.g. the launcher measured")
    args = parser.parse_args()
    print("| launcher | parent's main | cold (s) | worker start (ms) | worker RSS (MB) |")
    print("|---|---|---:|---:|---:|")
    for name, imports in SCENARIOS.items():
        r = scenario(imports, args.files)
        print(f"| {args.label} | {name} | {r['cold_s']:.2f} | {r['start_s'] * 1000:.0f} | {r['rss_mb']:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
