"""Ingest on a Ray cluster (`ingest --ray`): a cluster of two worker processes started here, the sample corpus
ingested through it and locally, and the two indexes compared; the extraction limits hold on the cluster.

The cluster is `ray start --head --block` in a session of its own, so that every process it starts (workers,
and the extraction processes those fork) can be found by session id and none survives the module.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from kmsearch.cli import cli
from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from tests import hostile
from tests.helpers import REPO, catalog_sql

CORPUS = REPO / "corpus"
BROKEN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"
# Settings of both ingests: OCR at a lower resolution (the scanned memo still goes through Tesseract on a Ray
# worker, in a quarter of the time), and torch, the reference embedding backend, whatever this machine would pick.
SETTINGS_ENV = {"KMSEARCH_OCR_DPI": "150", "KMSEARCH_BACKEND": "torch"}
QUERIES = [
    "what do we know about mobile service delivery?",
    "taking government offices to villages in vans",
    "when did the steering committee approve the KM strategy",
    "condition of paper files in the basement registry",
    "records disposal",
]
EXPERT_QUERIES = ["who knows about records disposal?", "who knows about study tours to Canada?", "EDRMS rollout"]
WHERE_QUERIES = ["the report of the 2008 Canada study tour", "records management policy 2010", "annual report 2012"]


def test_without_ray_the_flag_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails, as where it is not installed
    (tmp_path / "a.txt").write_text("A note.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--index", str(tmp_path / "i"),
                                      "--ray", "auto"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --ray needs Ray, which is not installed here: pip install 'kmsearch[ray]'"]
    assert not (tmp_path / "i" / "manifest.json").exists()


def test_nothing_but_ray_ingest_imports_ray():
    code = ("import sys, kmsearch.cli, kmsearch.ingest.pipeline, kmsearch.api.app, kmsearch.ingest.distributed; "
            "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- on a cluster ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session(sid: int) -> list[int]:
    """The processes of session `sid`: everything the cluster started, however deep."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":  # field 6 of stat, counted after the name
                pids.append(int(entry))
    return pids


# A cluster of its own, whatever this machine's Ray defaults (a token in ~/.ray turns authentication on)
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


class Cluster:
    """A Ray head with two CPUs (so two worker processes at a time) on free ports, started in the background."""

    def __init__(self) -> None:
        self.temp = Path(tempfile.mkdtemp(prefix="kmray-", dir="/tmp"))  # Ray's socket paths must stay short
        self.worker_tmp = self.temp / "tmp"  # TMPDIR of the workers: where they unpack shipped files
        self.worker_tmp.mkdir()
        port = _free_port()
        self.address = f"127.0.0.1:{port}"
        env = {**os.environ, **RAY_ENV, "PYTHONPATH": str(REPO), "TMPDIR": str(self.worker_tmp)}
        command = [
            str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--num-cpus=2",
            "--include-dashboard=false", f"--port={port}", f"--dashboard-agent-listen-port={_free_port()}",
            "--object-store-memory=200000000", f"--temp-dir={self.temp}", "--disable-usage-stats",
        ]
        self.log = self.temp / "head.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(command, cwd=self.temp, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self._up = False

    def wait(self, timeout: float = 120) -> str:
        """The head's address, once it has started."""
        stop = time.monotonic() + timeout
        while not self._up:
            if "Ray runtime started" in self.log.read_text(errors="replace"):
                self._up = True
            elif self.process.poll() is not None or time.monotonic() > stop:
                pytest.fail(f"the Ray head did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            else:
                time.sleep(0.2)
        return self.address

    def stop(self) -> list[int]:
        """Stop the head and everything it started; returns what had to be killed after the head was gone."""
        sid = self.process.pid
        self.process.send_signal(signal.SIGTERM)  # the head stops its processes
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        stop = time.monotonic() + 10
        while _session(sid) and time.monotonic() < stop:
            time.sleep(0.2)
        left = _session(sid)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.temp, ignore_errors=True)
        return left


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'kmsearch[ray]'")
    with pytest.MonkeyPatch.context() as patch:  # this process connects as the cluster's driver
        for name, value in RAY_ENV.items():
            patch.setenv(name, value)
        started = Cluster()
        try:
            yield started
        finally:
            left = started.stop()
    deadline = time.monotonic() + 10
    while _session(started.process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _session(started.process.pid), "Ray processes outlived the test cluster"
    if left:
        print(f"killed {len(left)} Ray process(es) left after the head stopped", file=sys.stderr)


def _gone(pid: int, within: float = 10.0) -> bool:
    """The process has exited (a zombie counts: it runs nothing) within `within` seconds."""
    stop = time.monotonic() + within
    while time.monotonic() < stop:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def hostile_extract(path: Path, settings: Settings):
    """Misbehaves by file name, as tests.hostile's extractors do (runs in the extraction process, on the cluster)."""
    for prefix, fn in (("slow", hostile.slow_extract), ("crash", hostile.crashing_extract),
                       ("greedy", hostile.greedy_extract)):
        if path.name.startswith(prefix):
            return fn(path, settings)
    return extract(path, settings)


def _rows(conn, sql: str, skip: tuple[str, ...] = ()) -> list[tuple]:
    cursor = conn.execute(sql)
    keep = [i for i, d in enumerate(cursor.description) if d[0] not in skip]
    return [tuple(row[i] for i in keep) for row in cursor]


def _vectors(index_dir: Path) -> dict[bytes, object]:
    import sqlite3

    import numpy as np

    conn = sqlite3.connect(index_dir / "embeddings.sqlite")
    try:
        return {k: np.frombuffer(v, dtype=np.float32) for k, v in conn.execute("SELECT key, vector FROM vectors")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ingested(cluster, tmp_path_factory):
    """The sample corpus plus a corrupt PDF, ingested locally and through the cluster (by the CLI) into two indexes."""
    from kmsearch.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("ray")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "reports" / "broken.pdf").write_bytes(BROKEN_PDF)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SETTINGS_ENV.items():
            patch.setenv(name, value)
        local = Settings.load(index_dir=root / "local")
    timings: dict[str, float] = {}

    def ingest_locally() -> dict:
        started = time.perf_counter()
        try:
            return ingest([corpus], local).to_json()
        finally:
            timings["local"] = time.perf_counter() - started

    # The local ingest runs beside the cluster's start and the Ray ingest: most of either is waiting.
    with ThreadPoolExecutor(1) as executor:
        local_ingest = executor.submit(ingest_locally)
        address = cluster.wait()
        started = time.perf_counter()
        result = CliRunner().invoke(cli, ["ingest", str(corpus), "--index", str(root / "ray"), "--ray", address,
                                          "--json"], env=SETTINGS_ENV)
        timings["ray"] = time.perf_counter() - started
        local_report = local_ingest.result()
    assert result.exit_code == 2, result.output  # 2: some files failed (the corrupt PDF); the rest is indexed
    ray_report = json.loads(result.stdout)
    print(f"\nlocal ingest {timings['local']:.1f} s, ray ingest {timings['ray']:.1f} s (connecting included), "
          "side by side", file=sys.stderr)
    return {"corpus": corpus, "local": local, "ray": local.replace(index_dir=root / "ray"),
            "reports": (local_report, ray_report), "address": address}


@pytest.mark.slow
def test_a_ray_ingest_writes_the_index_a_local_one_does(ingested):
    from kmsearch.index.store import Index

    local_report, ray_report = ingested["reports"]
    for report in (local_report, ray_report):
        assert report["summary"] == {"added": 23, "updated": 0, "unchanged": 0, "removed": 0, "failed": 1,
                                     "register": 3}
        assert report["embedded"] > 100 and report["cached"] == 0
    failed = [(f["path"], f["reason"]) for r in (local_report, ray_report) for f in r["files"]
              if f["status"] == "failed"]
    assert failed[0] == failed[1] and failed[0][0].endswith("reports/broken.pdf")
    assert failed[0][1].startswith("corrupt or unreadable PDF")
    outcomes = [[(f["path"], f["status"], f["pages"], f["chunks"], f["warnings"]) for f in r["files"]]
                for r in (local_report, ray_report)]
    assert outcomes[0] == outcomes[1]

    from kmsearch.index.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(ingested["local"])  # one model for both indexes' queries
    a, b = Index.open(ingested["local"], embedder), Index.open(ingested["ray"], embedder)
    try:
        for sql, skip in [
            ("SELECT * FROM documents ORDER BY doc_id", ("indexed_at",)),  # the path is the original one
            ("SELECT * FROM pages ORDER BY doc_id, number", ()),
            ("SELECT chunk_id, doc_id, ordinal, page, heading, text FROM chunks ORDER BY chunk_id", ()),
            ("SELECT * FROM mentions ORDER BY doc_id, name, role, page", ()),
            ("SELECT * FROM people ORDER BY person_id", ()),
            ("SELECT * FROM person_aliases ORDER BY alias, person_id", ()),
        ]:
            with closing(catalog_sql(a)) as conn_a, closing(catalog_sql(b)) as conn_b:
                assert _rows(conn_a, sql, skip) == _rows(conn_b, sql, skip), sql
        assert a.catalog.ocr_page_count() == (
            2 if shutil.which("tesseract") else 0)
        assert a.manifest["model"] == b.manifest["model"] and a.manifest["counts"] == b.manifest["counts"]
        va, vb = _vectors(ingested["local"].index_dir), _vectors(ingested["ray"].index_dir)
        assert va.keys() == vb.keys() and len(va) == a.manifest["counts"]["chunks"]
        import numpy as np

        assert all(np.allclose(va[k], vb[k], atol=1e-5) for k in va)
        _same_answers(a, b)
    finally:
        a.close()
        b.close()


def _same_answers(a, b) -> None:
    from kmsearch.search import Searcher
    from kmsearch.search.experts import who_knows
    from kmsearch.search.where import where_is

    for query in QUERIES:
        for mode in ("hybrid", "dense"):
            got = [[(h.doc_id, h.path, [(p.page, p.heading) for p in h.passages], round(h.score, 4))
                    for h in Searcher(i).search(query, k=5, mode=mode)] for i in (a, b)]
            assert got[0] == got[1] and got[0], (query, mode)
    for query in EXPERT_QUERIES:
        got = [[(e.person_id, e.name, round(e.score, 4), [(v.doc_id, v.page) for v in e.evidence])
                for e in who_knows(i, query, k=5)] for i in (a, b)]
        assert got[0] == got[1] and got[0], query
    for query in WHERE_QUERIES:
        got = [[(d.doc_id, d.path, d.pages, round(d.score, 4)) for d in where_is(i, query, k=3)] for i in (a, b)]
        assert got[0] == got[1] and got[0], query


@pytest.mark.slow
def test_reingesting_an_unchanged_corpus_through_ray_embeds_nothing(ingested):
    result = CliRunner().invoke(cli, ["ingest", str(ingested["corpus"]), "--index", str(ingested["ray"].index_dir),
                                      "--ray", ingested["address"], "--json"], env=SETTINGS_ENV)
    report = json.loads(result.stdout)
    assert report["summary"]["unchanged"] == 23 and report["summary"]["added"] == 0
    assert report["embedded"] == 0 and report["generation"] is None  # nothing changed: no new generation


@pytest.mark.slow
def test_the_extraction_limits_hold_on_the_cluster(cluster, tmp_path, monkeypatch):
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest
    from kmsearch.ingest.workers import memory_reason, timeout_reason
    from kmsearch.testing import FAKE_MODEL, FakeEmbedder

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Minutes of the registry committee on microfilm.", encoding="utf-8")
    (folder / "b-notes.md").write_text("Notes on the records disposal schedule.\n", encoding="utf-8")
    for name in ("slow.txt", "crash.txt", "greedy.txt"):
        (folder / name).write_text("Never indexed.", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(BROKEN_PDF)
    settings = Settings(index_dir=tmp_path / "index", model=FAKE_MODEL, ocr=False, extract_timeout_s=3,
                        extract_memory_mb=256, ray=cluster.wait())
    monkeypatch.setattr("kmsearch.ingest.pipeline.extract", hostile_extract)  # sent by name to the cluster
    report = ingest([folder], settings, FakeEmbedder())
    got = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    try:
        extract(folder / "broken.pdf", settings)
    except Exception as exc:
        broken_reason = getattr(exc, "reason", str(exc))
    assert got == {
        "a.txt": ("added", None),
        "b-notes.md": ("added", None),
        "broken.pdf": ("failed", broken_reason),
        "crash.txt": ("failed", "extraction process crashed (SIGSEGV)"),
        "greedy.txt": ("failed", memory_reason(settings)),
        "slow.txt": ("failed", timeout_reason(settings)),
    }
    index = Index.open(settings, FakeEmbedder())
    try:
        docs = {d.path: d.title for d in index.catalog.iter_documents()}
    finally:
        index.close()
    # the original paths, and the titles a local ingest gives (one falls back on the file's own name)
    assert docs == {str(folder / name): extract(folder / name, settings).title for name in ("a.txt", "b-notes.md")}
    assert docs[str(folder / "b-notes.md")] == "B notes"
    assert not list(cluster.worker_tmp.glob("kmsearch-ray-*/*")), "shipped files are removed after extraction"


@pytest.mark.slow
def test_a_task_that_never_answers_is_cancelled_with_its_extraction(cluster, tmp_path):
    from kmsearch.ingest.distributed import RayCluster, RayExtractionPool

    slow, fine = tmp_path / "slow.txt", tmp_path / "fine.txt"
    slow.write_text("Hangs.", encoding="utf-8")
    fine.write_text("Answers.", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", ocr=False, extract_timeout_s=600, ray=cluster.wait())
    with RayCluster(settings.ray):
        with RayExtractionPool(settings) as pool:
            # far below what extract_timeout_s allows: the task is as good as lost; long enough for a loaded
            # machine to start the task's worker (at 8 s a busy 2-core VM sometimes had not, and left no pid file)
            pool.backstop_s = 20.0
            first = list(pool.map(hostile.slow_extract, [(slow, "s"), (fine, "f")]))
            pidfiles = list(cluster.worker_tmp.glob("kmsearch-ray-*/worker-*.pid"))
            assert len(pidfiles) == 1  # left by the hanging extraction process, on the cluster
            extraction = int(pidfiles[0].read_text())
            assert _gone(extraction)  # killed with the task's worker
            second = list(pool.map(extract, [(fine, "f")]))  # a fresh task clears the killed worker's folder
    assert [(p, t, e.reason) for p, t, e in first] == [
        (slow, "s", "no answer from the Ray cluster within 20 s; its task was cancelled"), (fine, "f", None)]
    assert first[1][2].document.path == str(fine) and second[0][2].document.path == str(fine)
    assert not pidfiles[0].parent.exists()


def kmsearch_location(path: Path, settings: Settings) -> str:
    """Where the extraction process imported kmsearch from."""
    import kmsearch

    return kmsearch.__file__


@pytest.mark.slow
def test_kmsearch_is_shipped_to_a_cluster_that_runs_another_version(cluster, tmp_path, monkeypatch):
    from kmsearch.ingest.distributed import RayCluster, RayExtractionPool

    (tmp_path / "a.txt").write_text("A note.", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", ocr=False, ray=cluster.wait())
    with RayCluster(settings.ray) as same:
        assert same.runtime_env is None  # the workers import this very code: nothing to ship
    monkeypatch.setattr(RayCluster, "local_fingerprint", lambda self: "this process runs another kmsearch")
    # Ray puts the driver's folder and first path entry on its workers' path; here they would be the repository's
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path)] + [p for p in sys.path if Path(p or ".").resolve() != REPO])
    with RayCluster(settings.ray) as other:
        assert other.runtime_env and other.runtime_env["py_modules"] == [str(REPO / "kmsearch")]
        with RayExtractionPool(settings) as pool:
            ((_, _, located),) = list(pool.map(kmsearch_location, [(tmp_path / "a.txt", None)]))
    assert located.reason is None and "runtime_resources" in located.document  # the shipped copy, unpacked there
