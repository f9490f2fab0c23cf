"""`kmsearch serve` in a subprocess on a free loopback port, with a reader key, for the benchmarks that go
through HTTP (bench_search.py, bench_load.py): `with serving(index_dir, "name") as (base, key, pid): ...`"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from kmsearch.api.keys import KeyStore, keys_path


@contextmanager
def serving(index_dir: Path, key_name: str, start_timeout_s: float = 300) -> Iterator[tuple[str, str, int]]:
    """Yields the base URL, a reader key (revoked afterwards) and the server's pid, once /health says ok."""
    store = KeyStore(keys_path(index_dir))
    info, key = store.add(key_name, "reader")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    errors = tempfile.TemporaryFile()  # the server's stderr, shown if it does not start
    server = subprocess.Popen([sys.executable, "-m", "kmsearch", "serve", "--index", str(index_dir), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout_s
        while True:
            try:
                if httpx.get(base + "/api/v1/health", timeout=2).json().get("status") == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.time() > deadline or server.poll() is not None:
                errors.seek(0)
                said = errors.read().decode(errors="replace").strip().splitlines()[-3:]
                raise SystemExit(f"kmsearch serve --index {index_dir} did not start: " + " ".join(said))
            time.sleep(0.5)
        yield base, key, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
        store.revoke(info.key_id)
        errors.close()
