"""What an ingest shows while it runs: one `rich` display on a terminal, one line per finished file otherwise.

The display has files done out of the total, the files being extracted now with how long each has run and how
many pages of each went to OCR, passages embedded out of those known so far, and an ETA. The ETA counts work,
not files: extraction ahead is the bytes left at the extraction rate so far (OCR'd pages make a scan's bytes
slow, and the rate shows it), embedding ahead is the passages known and those the remaining bytes will give (at
the passages per byte so far) at the embedding rate so far; the two overlap, so the ETA is the longer of them.

rich (rather than tqdm, which the CLI used before) draws several live lines (the files in hand) in one display.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

MIN_SAMPLE_S = 5.0  # no ETA before this much work was seen: early rates mislead (the bar read 1:33:52 once)


@dataclass
class _Current:
    started: float
    ocr_pages: int = 0


@dataclass
class Progress:
    """Counts kept by the pipeline's calls; `render` and `line` read them. Thread-safe: the embedding thread
    reports passages while the main thread reports files."""

    files_total: int = 0
    bytes_total: int = 0
    files_done: int = 0
    bytes_done: int = 0
    extract_seconds: float = 0.0  # worker time spent on files done
    ocr_pages: int = 0
    passages_known: int = 0
    passages_done: int = 0
    current: dict[str, _Current] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    first_passage: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def eta(self, workers: int) -> float | None:
        """Seconds left, or None until enough work was seen to say."""
        now = time.monotonic()
        if now - self.started < MIN_SAMPLE_S or not self.bytes_done:
            return None
        bytes_left = max(self.bytes_total - self.bytes_done, 0)
        extract = bytes_left * self.extract_seconds / self.bytes_done / max(workers, 1)
        passages_left = self.passages_known - self.passages_done + bytes_left * self.passages_known / self.bytes_done
        embed = 0.0
        if self.passages_done and self.first_passage is not None:
            rate = self.passages_done / max(now - self.first_passage, 1e-3)
            embed = passages_left / rate
        return max(extract, embed)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class Display:
    """The pipeline's progress calls, drawn as a live display (`live=True`), one line per file, or nothing."""

    def __init__(self, mode: str, workers: int = 1, stream: TextIO | None = None):
        self.mode, self.workers = mode, workers  # mode: "live", "lines" or "off"
        self.stream = stream or sys.stderr
        self.state = Progress()
        self._live: Any = None

    @classmethod
    def choose(cls, show: bool, workers: int) -> Display:
        """Live on a terminal, lines in a log, nothing when not shown (--quiet)."""
        if not show:
            return cls("off")
        return cls("live" if sys.stderr.isatty() else "lines", workers)

    def __enter__(self) -> Display:
        if self.mode == "live":
            from rich.console import Console
            from rich.live import Live

            self._live = Live(get_renderable=self.render, console=Console(file=self.stream), refresh_per_second=4,
                              transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    # --- the pipeline's calls -------------------------------------------------------------------------------
    def files(self, count: int, size: int) -> None:
        with self.state.lock:
            self.state.files_total, self.state.bytes_total = count, size

    def file_started(self, path: str) -> None:
        with self.state.lock:
            self.state.current[path] = _Current(time.monotonic())

    def ocr_page(self, path: str) -> None:
        with self.state.lock:
            self.state.ocr_pages += 1
            if path in self.state.current:
                self.state.current[path].ocr_pages += 1

    def file_done(self, path: str, status: str, size: int, seconds: float = 0.0, chunks: int = 0) -> None:
        with self.state.lock:
            s = self.state
            s.current.pop(path, None)
            s.files_done += 1
            s.bytes_done += size
            s.extract_seconds += seconds
            s.passages_known += chunks
        if self.mode == "lines" and status != "unchanged":
            extra = f", {chunks} passages, {seconds:.1f}s" if chunks else f", {seconds:.1f}s" if seconds else ""
            print(f"[{s.files_done}/{s.files_total}] {status} {path}{extra}", file=self.stream, flush=True)

    def event(self, kind: str, path: str) -> None:
        """The extraction pool's news: a file went to a worker ("start"), or one of its pages to OCR ("ocr")."""
        if kind == "start":
            self.file_started(path)
        elif kind == "ocr":
            self.ocr_page(path)

    def embedded(self, n: int = 1) -> None:
        with self.state.lock:
            if self.state.first_passage is None:
                self.state.first_passage = time.monotonic()
            self.state.passages_done += n

    # --- drawing --------------------------------------------------------------------------------------------
    def render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        with self.state.lock:
            s = self.state
            now = time.monotonic()
            head = (f"files {s.files_done}/{s.files_total}   passages {s.passages_done}/{s.passages_known} embedded"
                    f"   OCR pages {s.ocr_pages}   elapsed {_clock(now - s.started)}   ETA {_clock(s.eta(self.workers))}")
            lines = [Text(head, style="bold")]
            lines += [Text(f"  {Path(p).name}: {_clock(now - c.started)}" +
                           (f", {c.ocr_pages} page{'s' if c.ocr_pages > 1 else ''} to OCR" if c.ocr_pages else ""))
                      for p, c in sorted(s.current.items(), key=lambda kv: kv[1].started)]
        return Group(*lines)

    def screen(self) -> str:
        """The display as text (for tests and logs)."""
        from rich.console import Console

        console = Console(width=120, record=True, file=io.StringIO())
        console.print(self.render())
        return console.export_text()
