"""Ctrl-C during an ingest that is running Tesseract: the CLI stops within seconds, says what was kept, leaves
no lock and no Tesseract behind, and exits 130. A real `kmsearch ingest` process (the fake embedder stands in
for the model), real worker processes and a real Tesseract on image-only PDFs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kmsearch.index.files import lock_index
from kmsearch.index.manifest import read_manifest
from kmsearch.ingest import history
from tests.fixtures import make_scanned_pdf
from tests.helpers import REPO, wait_for

CLI = """
import sys
import kmsearch.index.store as store
from kmsearch.testing import FakeEmbedder
store.make_embedder = lambda settings: FakeEmbedder()
from kmsearch.cli import main
sys.argv = ["kmsearch", *sys.argv[1:]]
main()
"""

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def tesseracts() -> list[int]:
    """Pids of the Tesseract processes running now."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "tesseract":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def kmsearch(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_ctrl_c_stops_ocr_keeps_the_index_and_exits_130(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "memo.txt").write_text("The registry closes for stocktaking in the last week of June.")
    first = kmsearch("ingest", str(corpus), "--index", str(index), "--model", "fake-hash-256", "-q")
    assert first.wait(120) == 0, first.stderr.read()
    for i in range(8):
        make_scanned_pdf(corpus / f"scan-{i}.pdf", [f"Registry file {i} was scanned in 1998.",
                                                    "The originals are in the basement store."] * 6)

    running = kmsearch("ingest", str(corpus), "--index", str(index), "-q")
    wait_for(lambda: tesseracts() or running.poll() is not None, 120, "Tesseract to start")
    assert running.poll() is None, running.stderr.read()
    sent = time.monotonic()
    running.send_signal(signal.SIGINT)
    code = running.wait(30)
    print(f"stopped {time.monotonic() - sent:.1f} s after Ctrl-C")  # shown with -s; docs/benchmarks.md has it
    err = running.stderr.read()

    assert code == 130, err
    assert "interrupted: nothing of this ingest was committed" in err and "generation g000001" in err
    assert "Traceback" not in err and "Aborted!" not in err
    wait_for(lambda: not tesseracts(), 5, "every Tesseract to be gone")
    assert read_manifest(index)["generation"] == "g000001"
    lock_index(index).close()  # the lock is free at once
    assert not list(index.glob("g*.tmp*")) and not [p for p in index.iterdir() if p.name.startswith(".tmp")]
    assert history.last(index).outcome == "interrupted"

    again = kmsearch("ingest", str(corpus), "--index", str(index), "-q")
    assert again.wait(300) == 0, again.stderr.read()
    assert read_manifest(index)["generation"] == "g000002"


def test_sigterm_is_treated_as_ctrl_c(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for i in range(4):
        make_scanned_pdf(corpus / f"scan-{i}.pdf", ["Archive box 12 holds the 1994 council minutes."] * 8)
    running = kmsearch("ingest", str(corpus), "--index", str(index), "--model", "fake-hash-256", "-q",
                       env=os.environ | {"PYTHONUNBUFFERED": "1"})
    wait_for(lambda: tesseracts() or running.poll() is not None, 120, "Tesseract to start")
    running.send_signal(signal.SIGTERM)
    assert running.wait(30) == 130
    assert "the index is still empty" in running.stderr.read()
    wait_for(lambda: not tesseracts(), 5, "every Tesseract to be gone")
