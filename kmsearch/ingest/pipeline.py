"""Ingest: walk folders, extract what changed, chunk, and write the next index generation.

Unchanged files (same size and mtime, or same content hash) are not read again; the others are extracted in
worker processes, each file under a time and a memory limit, while this process chunks and writes. Files that
vanished from a folder being ingested are removed; a file that fails (or overruns a limit) is reported with its
reason and the batch goes on. A changed file that now fails keeps its previously indexed version.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from tqdm import tqdm

from kmsearch import registers
from kmsearch.config import NOT_DOCUMENTS, Settings
from kmsearch.errors import describe_os_error
from kmsearch.index.embed import Embedder
from kmsearch.index.catalog import Catalog, CatalogWriter
from kmsearch.index.files import atomic_write_json
from kmsearch.index.recovery import is_disk_full, stop_when_disk_full
from kmsearch.index.store import Derivation, IndexWriter
from kmsearch import files as safe
from kmsearch.ingest.chunk import Chunker
from kmsearch.ingest import history
from kmsearch.ingest.edits import apply_edits
from kmsearch.ingest.progress import Display
from kmsearch.ingest.report import FileOutcome, IngestInterrupted, IngestReport, live_generation
from kmsearch.ingest.extract import extract
from kmsearch.ingest.protect import Applied, Before, apply_registers
from kmsearch.ingest.workers import Extracted, ExtractionPool
from kmsearch.people import link as people_link
from kmsearch.people.extract import EXTRACTOR_VERSION, find_mentions
from kmsearch.types import Document, KnownFile

log = logging.getLogger(__name__)


def _link_people(catalog: CatalogWriter) -> object:
    return people_link.link(catalog)  # looked up at each commit, so a test may wrap it


def _people_stale(catalog: Catalog) -> bool:
    return people_link.needs_linking(catalog)  # an index made before people were, or by an older extractor


# What every index writer of an ingest derives at commit: people linked from the registers and the mentions.
DERIVED = (Derivation("people", _link_people, _people_stale),)


def doc_id_for(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def file_hash(path: Path, settings: Settings | None = None) -> str:
    """SHA-256 of a regular file, within `max_file_mb` and `extract_timeout_s` (`files.Unreadable` else)."""
    settings = settings or Settings()
    return safe.hash_file(path, int(settings.max_file_mb * 2**20), settings.extract_timeout_s)[0]


IGNORE_FILE = ".kmsearchignore"


def ignore_patterns(root: Path) -> list[str]:
    """Glob patterns (one a line, `#` comments) from `root/.kmsearchignore`, matched against relative paths;
    `files.Unreadable` when the file is there but cannot be read (the folder is then not ingested)."""
    path = root / IGNORE_FILE
    if not os.path.lexists(path):
        return []
    text, _ = safe.decode_lenient(safe.read_small(path, registers.MAX_GROUPS_BYTES))
    lines = (line.replace("\ufeff", "").strip() for line in text.splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def walk(root: Path, owners: list[str] | None = None, not_documents: Iterable[str] = NOT_DOCUMENTS) -> Iterator[Path]:
    """Files under `root` in a stable order, skipping hidden ones, those matched by `.kmsearchignore`, files that
    are not documents (`not_documents`: README, licences, MANIFEST, loose CSV and TSV files ...; a `!pattern`
    line of .kmsearchignore takes one back) and the CSV registers in any `registers/` folder (catalogue data,
    never text); directory symlinks are not followed (no loops). Folders that keep a `registers/` are added to
    `owners`, ignored or not: an ignore pattern must not switch a register's restrictions off."""
    return (path for path, reason in entries(root, owners, not_documents) if reason is None)


def entries(root: Path, owners: list[str] | None = None, not_documents: Iterable[str] = NOT_DOCUMENTS
            ) -> Iterator[tuple[Path, str | None]]:
    """`walk`'s files with None, and the files it leaves out with the reason (a folder left out is one entry)."""
    if not root.is_dir():
        yield root, None
        return
    lines = ignore_patterns(root)
    patterns = [p for p in lines if not p.startswith("!")]
    wanted = [p[1:] for p in lines if p.startswith("!")]
    defaults = [p.casefold() for p in not_documents]

    def matched(path: Path, globs: list[str], name: str | None = None) -> str | None:
        rel = path.relative_to(root).as_posix()
        return next((p for p in globs if fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name or path.name, p)), None)

    def left_out(path: Path, is_file: bool) -> str | None:
        if path.name.startswith("."):
            return "hidden"
        if (pattern := matched(path, patterns)) is not None:
            return f"{IGNORE_FILE}: {pattern}"
        if is_file and registers.is_register_file(path):
            return "a register: catalogue data, read with its folder"
        if is_file and (pattern := matched(path, defaults, path.name.casefold())) and not matched(path, wanted):
            return f"not a document ({pattern}; not_documents setting)"
        return None

    for folder, dirs, files in os.walk(root, followlinks=False):
        if owners is not None and any(d.casefold() == registers.REGISTER_DIR for d in dirs):
            owners.append(folder)
        kept = []
        for d in sorted(dirs):
            reason = left_out(Path(folder) / d, is_file=False)
            if reason is None:
                kept.append(d)
            elif reason != "hidden":
                yield Path(folder) / d, reason
        dirs[:] = kept
        for name in sorted(files):
            yield Path(folder) / name, left_out(Path(folder) / name, is_file=True)


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def _progress(show: bool, **kwargs: Any) -> tqdm:
    return tqdm(disable=not (show and sys.stderr.isatty()), leave=False, **kwargs)


def ingest(
    paths: Iterable[str | Path],
    settings: Settings,
    embedder: Embedder | None = None,
    show_progress: bool = False,
    who: str | None = None,
) -> IngestReport:
    """Bring the index in line with the files under `paths`: add new, replace changed, drop deleted.

    Files are extracted in worker processes under `settings.limits` (see `kmsearch.ingest.workers`) while this
    process chunks and writes the ones already extracted; unchanged files never reach a worker. With
    `settings.ray`, extraction and embedding run on that Ray cluster instead, and the index is written here.
    A full disk stops it at once with one DiskFullError naming the disk and the index. Every ingest, finished
    or not, is recorded in the index's history (`kmsearch.ingest.history`) as run by `who` (default: the user).
    """
    paths = list(paths)
    run = history.Run(history.now(), who or history.cli_user(), [os.path.abspath(Path(p).expanduser()) for p in paths])
    report = IngestReport(limits=settings.limits)
    try:
        with stop_when_disk_full(settings.index_dir):
            _ingest(paths, settings, embedder, show_progress, report)
    except BaseException as exc:
        report.files = [f for f in report.files if f.status != "failed" or f.reason]  # not the files never reached
        if isinstance(exc, KeyboardInterrupt):
            exc = IngestInterrupted(report, live_generation(settings))
        run.outcome = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        run.error, run.summary = str(exc) or type(exc).__name__, report.summary()
        run.seconds, run.problems = round(time.perf_counter() - report.started, 2), history.problems_of(report.files)
        if Path(settings.index_dir).is_dir():
            run.ended = history.now()
            history.append(settings.index_dir, run)
        if isinstance(exc, IngestInterrupted):
            raise exc from None
        raise
    run.ended, run.generation, run.summary = history.now(), report.generation, report.summary()
    run.embedded, run.cached, run.seconds = report.embedded, report.cached, round(report.seconds, 2)
    run.problems = history.problems_of(report.files)
    history.append(settings.index_dir, run)
    return report


def _ingest(paths: Iterable[str | Path], settings: Settings, embedder: Embedder | None, show_progress: bool,
            report: IngestReport) -> IngestReport:
    started = report.started
    roots, files, owners = _walk_roots(paths, report, settings.not_documents)
    display = Display.choose(show_progress, settings.extract_workers)
    display.files(len(files), sum(_size(path) for path, _ in files))

    def embedded(n: int = 1) -> None:
        report.passages_done += n
        display.embedded(n)

    with _workers(settings, embedder) as (pool, embedder), display:
        if isinstance(pool, ExtractionPool):
            pool.events = display.event
        with IndexWriter(settings, embedder, progress=embedded, derive=DERIVED) as writer:
            chunker = Chunker(writer.embedder.tokenizer, writer.settings.chunk_tokens, writer.settings.chunk_overlap)
            known = writer.known_files()
            before = Before.read(writer)  # access as it was, before any document is replaced
            jobs = _changed_files(writer, files, known, report, display)
            for _, job, extracted in pool.map(extract, jobs):
                _store_extracted(writer, chunker, job, extracted)
                o = job.outcome
                display.file_done(o.path, o.status, job.size, extracted.seconds, o.chunks)
            seen = {str(path) for path, _ in files}
            for path_str, row in known.items():
                in_root = any(path_str == str(r) or path_str.startswith(str(r) + os.sep) for r in roots if r.is_dir())
                if in_root and path_str not in seen:
                    writer.remove(row.doc_id)
                    report.files.append(FileOutcome(path_str, "removed", doc_id=row.doc_id))
            _report_registers(report, _apply_registers(writer, roots, owners, before))
            _report_withheld(report, apply_edits(writer).withheld)  # librarians' corrections, after the registers
            manifest = writer.commit()
    report.finish(manifest, started)
    atomic_write_json(Path(settings.index_dir) / "ingest-report.json", report.to_json())
    return report


def _walk_roots(paths: Iterable[str | Path], report: IngestReport, not_documents: Iterable[str] = NOT_DOCUMENTS
                ) -> tuple[list[Path], list[tuple[Path, Path]], list[str]]:
    """The ingested paths that exist, their files (with the path each came from), and the folders among and
    below them that keep registers. A folder whose `.kmsearchignore` cannot be read is not ingested at all."""
    roots: list[Path] = []
    files: list[tuple[Path, Path]] = []
    owners: list[str] = []
    for p in paths:
        root = Path(os.path.abspath(Path(p).expanduser()))  # normalise '..' but keep symlinked names
        if not root.exists() and not root.is_symlink():
            report.files.append(FileOutcome(str(p), "failed", "path does not exist"))
            continue
        if not root.is_dir() and (registers.is_register_file(root) or root.name in (registers.GROUPS_FILE,
                                                                                     IGNORE_FILE)):
            folder = root.parent.parent if registers.is_register_file(root) else root.parent
            reason = f"is kmsearch's catalogue data, never a document; ingest {folder} to apply it"
            report.files.append(FileOutcome(str(root), "failed", reason))
            continue
        found: list[str] = []
        try:
            files.extend((path, root) for path in walk(root, found, not_documents))
        except safe.Unreadable as exc:
            reason = f"{IGNORE_FILE} cannot be read ({exc}); nothing in this folder is ingested until it is fixed"
            report.files.append(FileOutcome(str(root / IGNORE_FILE), "failed", reason))
            continue
        roots.append(root)
        owners += found
    return roots, files, owners


@contextmanager
def _workers(settings: Settings, embedder: Embedder | None) -> Iterator[tuple[Any, Embedder | None]]:
    """Where files are extracted and passages embedded: local worker processes and the given (or default)
    embedder, or a Ray cluster's tasks and actors when `settings.ray` names one (see `distributed`)."""
    if not settings.ray:
        with ExtractionPool(settings) as pool:
            yield pool, embedder
        return
    from kmsearch.ingest.distributed import on_ray  # the one place Ray is imported, and only when asked for

    with on_ray(settings, embedder) as (pool, remote):
        yield pool, remote


@dataclass
class _Job:
    """A new or changed file on its way through a worker; its outcome is already in the report, to be filled in."""

    outcome: FileOutcome
    root: Path
    previous: KnownFile | None  # what the catalogue knows of it, when an earlier version is indexed
    size: int
    mtime: float
    digest: str


def _changed_files(
    writer: IndexWriter, files: list[tuple[Path, Path]], known: dict[str, KnownFile], report: IngestReport,
    display: Display,
) -> Iterator[tuple[Path, _Job]]:
    """Put every file in the report in walk order; settle the unchanged and unreadable ones here and yield the
    others for extraction. Runs lazily, a few files ahead of the workers."""
    for path, root in files:
        started = time.perf_counter()
        previous = known.get(str(path))
        outcome = FileOutcome(str(path), "failed", doc_id=previous.doc_id if previous else None)
        report.files.append(outcome)
        try:
            stat = path.stat()
            refused = safe.not_regular(stat.st_mode) or safe.outside_reason(path, root)
            if refused:  # never readable: an earlier version (indexed before this rule) goes too
                if previous is not None:
                    writer.remove(previous.doc_id)
                outcome.reason, outcome.doc_id = refused, None
                display.file_done(str(path), "failed", 0)
                continue
            touched = previous is None or (previous.size, previous.mtime) != (stat.st_size, stat.st_mtime)
            digest = file_hash(path, writer.settings) if touched else None
        except OSError as exc:
            _failed(outcome, describe_os_error(exc), previous)
        except safe.Unreadable as exc:
            _failed(outcome, str(exc), previous)
        else:
            if previous is None or (digest is not None and digest != previous.content_hash):
                yield path, _Job(outcome, root, previous, stat.st_size, stat.st_mtime, digest or "")
                continue
            if digest is not None:  # touched, same content
                writer.touch(previous.doc_id, stat.st_size, stat.st_mtime)
            outcome.status = "unchanged"
        outcome.seconds = round(time.perf_counter() - started, 3)
        display.file_done(str(path), outcome.status, _size(path))


def _store_extracted(writer: IndexWriter, chunker: Chunker, job: _Job, extracted: Extracted) -> None:
    """Chunk and write one extracted file, or record why it has no document."""
    started = time.perf_counter()
    outcome = job.outcome
    if extracted.document is None:
        _failed(outcome, extracted.reason or "no document", job.previous)
    else:
        doc = dataclasses.replace(
            extracted.document, doc_id=doc_id_for(outcome.path), content_hash=job.digest, source=str(job.root)
        )
        try:
            outcome.status, outcome.chunks = _store(writer, chunker, doc, job.previous, job.size, job.mtime)
            outcome.doc_id, outcome.pages, outcome.warnings = doc.doc_id, len(doc.pages), list(doc.warnings)
        except Exception as exc:  # a bug on one odd document must not stop the batch
            if is_disk_full(exc):  # but a full disk must: every later file would fail the same way
                raise
            log.exception("unexpected error on %s", outcome.path)
            _failed(outcome, f"unexpected {type(exc).__name__}: {exc}", job.previous)
    outcome.seconds = round(extracted.seconds + time.perf_counter() - started, 3)


def _failed(outcome: FileOutcome, reason: str, previous: KnownFile | None) -> None:
    outcome.status = "failed"
    outcome.reason = f"{reason}; the previously indexed version is kept" if previous is not None else reason


def _apply_registers(writer: IndexWriter, roots: list[Path], owners: list[str], before: Before) -> Applied:
    """Give every document under `roots` its register reference and access groups (`kmsearch.ingest.protect`:
    never less protection for a register mistake), and keep the registers' rows in the catalogue."""
    return apply_registers(writer, roots, owners, before)


def _report_registers(report: IngestReport, applied: Applied) -> None:
    """Register outcomes into the report; a withheld document's outcome says why it is not published."""
    for notice in applied.notices.values():
        report.files.append(FileOutcome(notice.path, "register", notice.reason, warnings=notice.warnings,
                                        errors=notice.errors))
    _report_withheld(report, applied.withheld)


def _report_withheld(report: IngestReport, withheld: dict[str, str]) -> None:
    outcomes = {f.path: f for f in report.files if f.status != "register"}
    for path, reason in withheld.items():
        outcome = outcomes.get(path)
        if outcome is None:
            report.files.append(FileOutcome(path, "failed", reason))
        else:
            outcome.status, outcome.reason, outcome.chunks = "failed", reason, 0


def _store(writer: IndexWriter, chunker: Chunker, doc: Document, previous: KnownFile | None, size: int,
           mtime: float) -> tuple[str, int]:
    """Replace or add one document; returns its outcome status and chunk count."""
    chunks = chunker.chunk(doc)
    if previous is not None:
        writer.remove(previous.doc_id)
    writer.add(doc, chunks, size, mtime)
    mentions = find_mentions(((p.number, p.text) for p in doc.pages), doc.authors, explicit=doc.authors_explicit)
    writer.add_mentions(doc.doc_id, mentions, EXTRACTOR_VERSION)
    return ("updated" if previous is not None else "added"), len(chunks)


def ingest_documents(
    documents: Iterable[Document], settings: Settings, embedder: Embedder | None = None, show_progress: bool = False
) -> IngestReport:
    """Index documents that are not files (e.g. a BEIR collection); `path` is their key, `content_hash` their version."""
    started = time.perf_counter()
    report = IngestReport()
    with _progress(show_progress, unit="chunk", desc="embedding") as bar:
        with IndexWriter(settings, embedder, progress=bar.update, derive=DERIVED) as writer:
            chunker = Chunker(writer.embedder.tokenizer, writer.settings.chunk_tokens, writer.settings.chunk_overlap)
            known = writer.known_files()
            for doc in _progress(show_progress, iterable=documents, unit="doc", desc="chunking"):
                previous = known.get(doc.path)
                if previous is not None and previous.content_hash == doc.content_hash:
                    report.files.append(FileOutcome(doc.path, "unchanged", doc_id=previous.doc_id))
                    continue
                doc = dataclasses.replace(doc, doc_id=doc.doc_id or doc_id_for(doc.path))
                status, n_chunks = _store(writer, chunker, doc, previous, 0, 0.0)
                report.files.append(FileOutcome(doc.path, status, doc_id=doc.doc_id, pages=len(doc.pages), chunks=n_chunks))
            bar.total = writer.pending_count
            manifest = writer.commit()
    report.finish(manifest, started)
    return report
