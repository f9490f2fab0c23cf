"""Extraction in worker processes, each file under a time limit and a memory limit.

Workers are forked from multiprocessing's fork server (the public `forkserver` context): a clean process (no
model, nothing of the parent's) that imported the extractors once (`kmsearch.ingest.preload`), so a worker starts
in a few tens of milliseconds of CPU instead of the 2-5 s a spawned interpreter takes to import them
(scripts/bench_workers.py; docs/benchmarks.md). A worker takes one file at a time and answers with the `Document`
or the reason there is none. A file that runs past `extract_timeout_s`
gets its worker killed (SIGKILL, with any Tesseract it started) and a fresh worker takes the next file; each
page the worker sends to OCR adds `ocr_page_timeout_s` to its file's limit (it says so before starting the page),
so a long scan is not cut off for being long while a hung page still is; a
worker that dies (a crash in a C library, the kernel's OOM killer) fails only its file. Memory is capped with
RLIMIT_AS at `extract_memory_mb` on top of what a ready worker holds (the libraries, about 300 MB of address
space), so a file that needs more fails with MemoryError inside its worker instead of exhausting the machine.

Workers never load the embedding model: chunking, embedding and every index write stay in the parent. They
ignore Ctrl-C (the parent's `with` block kills them) and die with the parent when it is killed.

Why not a ready-made pool: `concurrent.futures.ProcessPoolExecutor` (also with `max_tasks_per_child`) marks the
whole pool broken when one worker dies and cannot kill one task's worker at its deadline, and neither it nor
`multiprocessing.Pool` kills a worker's process group or extends a deadline per OCR page. The pool here is the
scheduling; process creation is multiprocessing's own.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator, TypeVar

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError, KmsearchError, describe_os_error
from kmsearch.types import Document

try:
    import fcntl
    from multiprocessing import forkserver
except ImportError:  # Windows: no fork server, and no SIGIO
    fcntl = forkserver = None  # type: ignore[assignment]

T = TypeVar("T")
Extractor = Callable[[Path, Settings], Document]

PRELOAD = ["kmsearch.ingest.preload"]  # imported once by the fork server, so every worker starts with it loaded
START_TIMEOUT_S = 60.0  # a worker not ready by then means a broken installation
IN_FLIGHT_PER_WORKER = 4  # files read from the job list and not yet taken back by the parent, per worker


@dataclass(frozen=True)
class Extracted:
    """What a worker made of one file: the document, or the reason there is none."""

    document: Document | None
    reason: str | None = None
    seconds: float = 0.0


def timeout_reason(settings: Settings, ocr_pages: int = 0) -> str:
    if not ocr_pages:
        return f"extraction took longer than {settings.extract_timeout_s:g} s (extract_timeout_s)"
    allowed = settings.extract_timeout_s + ocr_pages * settings.ocr_page_timeout_s
    return (f"extraction took longer than {allowed:g} s (extract_timeout_s, plus ocr_page_timeout_s for each of "
            f"{ocr_pages} pages sent to OCR)")


def memory_reason(settings: Settings) -> str:
    return f"extraction needed more than {settings.extract_memory_mb} MB (extract_memory_mb)"


class ExtractionPool:
    """`with ExtractionPool(settings) as pool: for path, tag, extracted in pool.map(extract, jobs): ...`

    `map` runs `fn(path, settings)` in the workers for each `(path, tag)` of `jobs` and yields the results in
    the order of `jobs`, while the workers go on with the next files. `jobs` is read lazily, a few files ahead
    per worker; `fn` must be importable (it is sent by name). Workers start on the first job and are reused for
    every file, except one that was killed or ran out of memory, which is replaced.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.size = int(settings.extract_workers)
        self._workers: list[_Worker] = []
        self._context = _context()
        # ("start", path) when a file goes to a worker, ("ocr", path) per page it OCRs: for the progress display
        self.events: Callable[[str, str], None] | None = None

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Kill every worker (they hold nothing worth a goodbye) and reap them."""
        for worker in self._workers:
            worker.kill()
        self._workers = []

    def map(self, fn: Extractor, jobs: Iterable[tuple[Path, T]]) -> Iterator[tuple[Path, T, Extracted]]:
        source = iter(jobs)
        items: dict[int, tuple[Path, T]] = {}  # read from `jobs` and not yet yielded, by sequence number
        waiting: deque[int] = deque()  # of those, the ones not yet handed to a worker
        done: dict[int, Extracted] = {}
        next_in = next_out = 0
        exhausted = False
        while True:
            while not exhausted and len(items) < self.size * IN_FLIGHT_PER_WORKER:
                try:
                    items[next_in] = next(source)
                except StopIteration:
                    exhausted = True
                    break
                waiting.append(next_in)
                next_in += 1
            if waiting and not self._workers:
                self._workers = [_Worker(self._context, self.settings) for _ in range(self.size)]
            for worker in self._workers:
                if waiting and worker.idle:
                    seq = waiting.popleft()
                    worker.send(seq, fn, items[seq][0], self.settings.extract_timeout_s)
                    if self.events is not None:
                        self.events("start", str(items[seq][0]))
            if next_out in done:  # hand it over; the workers go on meanwhile
                path, tag = items.pop(next_out)
                yield path, tag, done.pop(next_out)
                next_out += 1
            elif exhausted and not items:
                return
            else:
                self._collect(done)

    def _collect(self, done: dict[int, Extracted]) -> None:
        """Wait until a worker answers, dies or runs out of time, and record what that means for its file."""
        first = min(w.deadline for w in self._workers)
        timeout = None if first == float("inf") else max(0.0, first - time.monotonic())
        events = set(wait([w.pipe for w in self._workers] + [w.process.sentinel for w in self._workers], timeout))
        for i, worker in enumerate(self._workers):
            # An answer counts even when it arrives late: the parent may have been busy writing meanwhile.
            if worker.pipe in events or worker.process.sentinel in events or worker.pipe.poll(0):
                replace = self._receive(worker, done) if worker.pipe.poll(0) else self._lost(worker, done)
            elif worker.deadline <= time.monotonic():
                if not worker.ready:
                    raise KmsearchError(f"an extraction worker did not start within {START_TIMEOUT_S:g} s")
                replace = self._lost(worker, done, timeout_reason(self.settings, worker.ocr_pages))
            else:
                continue
            if replace:
                worker.kill()
                self._workers[i] = _Worker(self._context, self.settings)

    def _receive(self, worker: _Worker, done: dict[int, Extracted]) -> bool:
        """Take one message from a worker; True when the worker is gone or retires and must be replaced."""
        try:
            message = worker.pipe.recv()
        except (EOFError, OSError):
            return self._lost(worker, done)
        if message[0] == "ready":
            worker.ready, worker.deadline = True, float("inf")
            return False
        if message[0] == "broken":
            raise KmsearchError(f"an extraction worker could not start: {message[1]}")
        if message[0] == "ocr":  # a page goes to Tesseract: it gets its own allowance
            if worker.job is not None:
                worker.deadline += self.settings.ocr_page_timeout_s
                worker.ocr_pages += 1
                if self.events is not None:
                    self.events("ocr", worker.path)
            return False
        _, extracted, retire = message
        done[worker.job] = extracted
        worker.job, worker.deadline = None, float("inf")
        return bool(retire)

    def _lost(self, worker: _Worker, done: dict[int, Extracted], reason: str | None = None) -> bool:
        """The worker died, or is to be killed for `reason`: its file fails with that reason."""
        if reason is None:
            reason = _death_reason(worker)
        if not worker.ready:
            raise KmsearchError(f"an extraction worker could not start: {reason}")
        if worker.job is not None:
            done[worker.job] = Extracted(None, reason, round(time.monotonic() - worker.sent, 3))
            worker.job = None
        return True


class _Worker:
    """The parent's handle on one worker process: its pipe, and the file it is on with that file's deadline."""

    def __init__(self, context: Any, settings: Settings):
        self.pipe, child = multiprocessing.Pipe()
        self.process = context.Process(target=serve, args=(child, settings), name="kmsearch-extract", daemon=True)
        self.process.start()
        child.close()  # the worker holds the only other end: its death reads as end-of-file here
        self.ready = False
        self.job: int | None = None
        self.ocr_pages = 0  # pages of the current file sent to OCR so far
        self.path = ""  # the current file
        self.sent = time.monotonic()
        self.deadline = self.sent + START_TIMEOUT_S

    @property
    def idle(self) -> bool:
        return self.ready and self.job is None

    def send(self, seq: int, fn: Extractor, path: Path, timeout: float) -> None:
        self.job, self.sent, self.ocr_pages, self.path = seq, time.monotonic(), 0, str(path)
        self.deadline = self.sent + timeout
        self.pipe.send((fn, str(path)))

    def kill(self) -> None:
        """SIGKILL the worker's process group (the worker and any Tesseract it runs) and reap it."""
        if self.process.pid is not None and self.process.exitcode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:  # not yet its own group leader, or already gone
                self.process.kill()
        self.process.join(5)
        self.pipe.close()


def _death_reason(worker: _Worker) -> str:
    worker.process.join(1)
    code = worker.process.exitcode
    if code is None:
        return "extraction process stopped answering"
    if code == -signal.SIGKILL:
        return "extraction process was killed (SIGKILL), most likely by the system for lack of memory"
    if code < 0:
        try:
            return f"extraction process crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"extraction process crashed (signal {-code})"
    return f"extraction process exited with code {code}"


def _context() -> Any:
    """Workers come from multiprocessing's fork server where there is one (Linux, macOS), started now so that its
    imports overlap the caller's own start-up; elsewhere (Windows) they are spawned, each importing PRELOAD."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(PRELOAD + _main_imports())  # no effect once the server runs: fine
    forkserver.ensure_running()
    return context


def _main_imports() -> list[str]:
    """What the parent's main script imported, when multiprocessing will run that script again in each worker.

    A worker started from a script (the `kmsearch` console script, `pytest`, a Ray worker's default_worker.py)
    first runs the script's top level again, as `__mp_main__`: that is how multiprocessing makes the script's
    functions importable there. CPython's remedy, "__main__" in the fork server's preload, has done nothing from
    3.4 until its fix in 3.14 (gh-98552, gh-126631). Preloading the modules the script imported is the next best
    thing: the re-run then finds them loaded (a Ray worker's script imports ray: 2.5 s a worker, 35 ms after).
    None under `python -m` or `-c`, which multiprocessing does not re-run."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if main is None or (name.endswith("__main__") if name else not getattr(main, "__file__", None)):
        return []
    found = set()
    for value in list(vars(main).values()):
        module = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        if isinstance(module, str) and module in sys.modules and not module.startswith("__"):
            found.add(module)  # imported in this process, so importable in the server
    return sorted(found)


# --- in the worker ----------------------------------------------------------------------------------------------


def serve(conn: Connection, settings: Settings) -> None:
    """A worker's life: get ready, then extract one file per request until the parent is gone."""
    _detach()
    try:
        _warm_up()
    except BaseException as exc:  # say so: the parent cannot work without workers
        conn.send(("broken", f"{type(exc).__name__}: {exc}"))
        return
    _limit_memory(settings.extract_memory_mb)
    try:
        _serve_requests(conn, settings)
    except OSError:  # the parent went away while this worker was answering
        return


def _serve_requests(conn: Connection, settings: Settings) -> None:
    from kmsearch.ingest.extract import ocr

    ocr.on_ocr_page = lambda: conn.send(("ocr",))
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv_bytes()
        except (EOFError, OSError):  # the parent is gone
            return
        try:
            fn, path = pickle.loads(request)
        except Exception as exc:  # e.g. an extractor that cannot be imported here
            extracted, retire = Extracted(None, f"unexpected {type(exc).__name__}: {exc}"), False
        else:
            extracted, retire = _extract_one(fn, Path(path), settings)
        try:
            conn.send(("done", extracted, retire))
        except MemoryError:  # pickling a very large document
            extracted, retire = Extracted(None, memory_reason(settings), extracted.seconds), True
            conn.send(("done", extracted, retire))
        if retire:
            return


def _extract_one(fn: Extractor, path: Path, settings: Settings) -> tuple[Extracted, bool]:
    """Run the extractor; the flag says the worker should retire (after MemoryError its heap is not to be trusted)."""
    started = time.perf_counter()

    def failed(reason: str) -> Extracted:
        return Extracted(None, reason, round(time.perf_counter() - started, 3))

    try:
        return Extracted(fn(path, settings), None, round(time.perf_counter() - started, 3)), False
    except Exception as exc:
        if _caused_by_memory(exc):  # extractors wrap what their libraries raise, MemoryError included
            return failed(memory_reason(settings)), True
        if isinstance(exc, ExtractionError):
            return failed(exc.reason), False
        if isinstance(exc, OSError):
            return failed(describe_os_error(exc)), False
        return failed(f"unexpected {type(exc).__name__}: {exc}"), False  # a library bug on one odd file


def _caused_by_memory(exc: BaseException) -> bool:
    chain: BaseException | None = exc
    for _ in range(10):
        if chain is None:
            return False
        if isinstance(chain, MemoryError):
            return True
        chain = chain.__cause__ or chain.__context__
    return False


def _detach() -> None:
    """Own process group (a timeout kills Tesseract with the worker; Ctrl-C reaches the parent only), and death
    with the parent, whatever the worker is doing.

    `multiprocessing.parent_process().sentinel` is the read end of a pipe whose other end only the parent holds:
    it reads as end-of-file the moment the parent dies, however it dies. With O_ASYNC the kernel then sends SIGIO
    to this process group, and SIGIO's default action ends the worker and any Tesseract it runs, with no Python
    code to run first (a worker stuck in a C library with the GIL held still goes). PR_SET_PDEATHSIG would not do:
    a worker's parent is the fork server, which outlives the ingest while any worker does."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None or not hasattr(fcntl, "F_SETOWN"):  # not a multiprocessing child, or not a POSIX system
        return
    sentinel = parent.sentinel
    signal.signal(signal.SIGIO, signal.SIG_DFL)
    try:
        fcntl.fcntl(sentinel, fcntl.F_SETOWN, -os.getpgid(0))
        fcntl.fcntl(sentinel, fcntl.F_SETFL, fcntl.fcntl(sentinel, fcntl.F_GETFL) | os.O_ASYNC)
    except OSError:  # a system without SIGIO on pipes: the worker still ends when it next reads from the parent
        pass
    if wait([sentinel], 0):  # the parent went before that took hold
        os._exit(0)


def _warm_up() -> None:
    """Load what the fork server preloads (a no-op then), before the memory limit applies."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)


def _limit_memory(extra_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: no memory limit
        return
    limit = _address_space() + int(extra_mb) * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """This process's virtual size in bytes (Linux); 0 where unknown, and then the limit is absolute."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


__all__ = ["ExtractionPool", "Extracted", "memory_reason", "timeout_reason"]
