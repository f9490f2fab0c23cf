"""The ingest's progress: a live display on a terminal (captured from a real one, tmux), one line per file in a
log, and an ETA that counts work; a real `kmsearch ingest` with real workers and Tesseract on image-only PDFs
(the fake embedder stands in for the model)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kmsearch.ingest.progress import Display
from tests.fixtures import make_scanned_pdf
from tests.helpers import REPO, wait_for
from tests.ingest.test_interrupt import CLI

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def scans(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memo.txt").write_text("The registry closes for stocktaking in the last week of June.")
    for i in range(n):
        make_scanned_pdf(folder / f"registry-scan-{i}.pdf", [f"Registry file {i} was scanned in 1998.",
                                                             "The originals are in the basement store."] * 6)


@needs_tesseract
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_display_on_a_terminal_names_the_files_in_hand_and_an_eta(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    scans(corpus, 20)  # about 1.5 s of Tesseract each: long enough for an ETA (MIN_SAMPLE_S)
    script = tmp_path / "cli.py"
    script.write_text("if __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in CLI.strip().splitlines()),
                      encoding="utf-8")  # a script run as a file needs the guard: the workers import it
    session = f"kmsearch-{os.getpid()}"
    command = (f"cd {REPO} && {sys.executable} {script} ingest {corpus} --index {index} --model fake-hash-256; "
               f"echo EXIT=$?; sleep 60")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "20", command], check=True)

    def screen() -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

    def showing(*marks: str):
        text = screen()
        return text if all(re.search(m, text) for m in marks) else None

    try:
        shown = wait_for(lambda: showing(r"ETA \d+:\d\d", "pages? to OCR"), 180,
                         "the display to show a file in OCR and an ETA")
        finished = wait_for(lambda: showing("EXIT="), 300, "the ingest to finish")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    if os.environ.get("KMSEARCH_SCREEN_OUT"):  # scripts/screenshots.py keeps it in docs/screenshots/
        Path(os.environ["KMSEARCH_SCREEN_OUT"]).write_text(shown.rstrip() + "\n", encoding="utf-8")
    head = re.search(r"files (\d+)/(\d+) +passages (\d+)/(\d+) embedded +OCR pages (\d+) +elapsed \S+ +ETA (\S+)",
                     shown)
    assert head, shown
    assert int(head[2]) == 21 and int(head[1]) < 21 and int(head[5]) >= 1
    assert re.search(r"registry-scan-\d+\.pdf: \d+:\d\d, \d+ pages? to OCR", shown), shown
    minutes, seconds = map(int, head[6].split(":")[-2:])
    assert 0 < minutes * 60 + seconds < 600, shown  # 21 small files: minutes, not hours
    assert "EXIT=0" in finished and "21 added" in finished


@needs_tesseract
def test_a_log_gets_one_line_per_file_as_it_finishes(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    scans(corpus, 2)
    run = subprocess.run([sys.executable, "-c", CLI, "ingest", str(corpus), "--index", str(index), "--model",
                          "fake-hash-256"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 3 and lines[-1].startswith("[3/3] added")
    assert all(re.match(r"\[\d/3\] added \S+, \d+ passages, \d+\.\d+s$", line) for line in lines), lines
    assert "added" not in run.stdout.replace("3 added", "")  # not listed twice
    quiet = subprocess.run([sys.executable, "-c", CLI, "ingest", str(corpus), "--index", str(index), "-q"],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and "[" not in quiet.stderr


def test_the_eta_counts_bytes_and_passages_not_files(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    display = Display("off", workers=2)
    display.state.started = clock[0]
    display.files(10, 10_000_000)  # one 9 MB scan and nine small files
    assert display.state.eta(2) is None  # nothing seen yet
    for i in range(9):
        display.file_started(f"small-{i}.pdf")
        display.file_done(f"small-{i}.pdf", "added", 100_000, seconds=1.0, chunks=10)
    display.embedded(90)  # the 90 passages known, embedded in the 10 s that follow: 9 a second
    clock[0] += 10
    # 9 of 10 files are done, but 9.1 MB of 10 are left: at 9 s per 900 kB on 2 workers, 45.5 s of extraction;
    # and at 90 passages per 900 kB, 910 passages more, 101 s of embedding at 9 a second: the longer one counts
    assert display.state.eta(2) == pytest.approx(max(9_100_000 * 9 / 900_000 / 2, 910 / 9))
    display.file_started("scan.pdf")
    display.ocr_page("scan.pdf")
    assert "scan.pdf: 0:00, 1 page to OCR" in display.screen() and "files 9/10" in display.screen()
