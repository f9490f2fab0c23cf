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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from tqdm import tqdm

from kmsearch.config import Settings
from kmsearch.errors import describe_os_error
from kmsearch.index.embed import Embedder
from kmsearch.index.store import IndexWriter, atomic_write_json
from kmsearch.ingest.chunk import Chunker
from kmsearch.ingest.extract import extract
from kmsearch.ingest.workers import Extracted, ExtractionPool
from kmsearch import registers
from kmsearch.people.extract import EXTRACTOR_VERSION, find_mentions
from kmsearch.types import Document

log = logging.getLogger(__name__)
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "register")


@dataclass
class FileOutcome:
    path: str
    status: str  # one of STATUSES
    reason: str | None = None
    doc_id: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    generation: str | None = None
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    limits: dict[str, Any] = field(default_factory=dict)  # the extraction limits in force (Settings.limits)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUSES}

    def finish(self, manifest: dict[str, Any] | None, started: float) -> None:
        """Record what the commit wrote (None: nothing changed) and the elapsed time."""
        if manifest:
            self.generation = manifest["generation"]
            self.embedded = manifest["embedding"]["embedded"]
            self.cached = manifest["embedding"]["cached"]
        self.seconds = time.perf_counter() - started

    def to_json(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "summary": self.summary(),
            "embedded": self.embedded,
            "cached": self.cached,
            "seconds": round(self.seconds, 2),
            "limits": self.limits,
            "files": [dataclasses.asdict(f) for f in self.files],
        }


def doc_id_for(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


IGNORE_FILE = ".kmsearchignore"


def ignore_patterns(root: Path) -> list[str]:
    """Glob patterns (one a line, `#` comments) from `root/.kmsearchignore`, matched against relative paths."""
    path = root / IGNORE_FILE
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def walk(root: Path) -> Iterator[Path]:
    """Files under `root` in a stable order, skipping hidden ones and those matched by `.kmsearchignore`;
    directory symlinks are not followed (no loops)."""
    if not root.is_dir():
        yield root
        return
    patterns = ignore_patterns(root)

    def ignored(path: Path) -> bool:
        rel = path.relative_to(root).as_posix()
        return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)

    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not ignored(Path(folder) / d))
        for name in sorted(files):
            if not name.startswith(".") and not ignored(Path(folder) / name):
                yield Path(folder) / name


def _progress(show: bool, **kwargs: Any) -> tqdm:
    return tqdm(disable=not (show and sys.stderr.isatty()), leave=False, **kwargs)


def ingest(
    paths: Iterable[str | Path],
    settings: Settings,
    embedder: Embedder | None = None,
    show_progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the files under `paths`: add new, replace changed, drop deleted.

    Files are extracted in worker processes under `settings.limits` (see `kmsearch.ingest.workers`) while this
    process chunks and writes the ones already extracted; unchanged files never reach a worker. With
    `settings.ray`, extraction and embedding run on that Ray cluster instead, and the index is written here.
    """
    started = time.perf_counter()
    report = IngestReport(limits=settings.limits)
    roots = []
    for p in paths:
        root = Path(os.path.abspath(Path(p).expanduser()))  # normalise '..' but keep symlinked names
        if not root.exists() and not root.is_symlink():
            report.files.append(FileOutcome(str(p), "failed", "path does not exist"))
        else:
            roots.append(root)
    register_paths = {p for root in roots if root.is_dir() for p in registers.register_files(root).values()}
    # registers are catalogue data, read below; never searchable text
    files = [(path, root) for root in roots for path in walk(root) if path not in register_paths]
    embed_bar = _progress(show_progress, unit="chunk", desc="embedding")
    with _workers(settings, embedder) as (pool, embedder), embed_bar:
        with IndexWriter(settings, embedder, progress=embed_bar.update) as writer:
            chunker = Chunker(writer.embedder.tokenizer, writer.settings.chunk_tokens, writer.settings.chunk_overlap)
            known = writer.known_files()
            with _progress(show_progress, total=len(files), unit="file", desc="extracting") as file_bar:
                jobs = _changed_files(writer, files, known, report, file_bar)
                for _, job, extracted in pool.map(extract, jobs):
                    _store_extracted(writer, chunker, job, extracted)
                    file_bar.update()
            seen = {str(path) for path, _ in files}
            for path_str, row in known.items():
                in_root = any(path_str == str(r) or path_str.startswith(str(r) + os.sep) for r in roots if r.is_dir())
                if in_root and path_str not in seen:
                    writer.remove(row["doc_id"])
                    report.files.append(FileOutcome(path_str, "removed", doc_id=row["doc_id"]))
            for root in roots:
                if root.is_dir():
                    report.files.extend(_apply_registers(writer, root))
            embed_bar.total = writer.pending_count  # embedding ran alongside; the bar ends at the real total
            manifest = writer.commit()
    report.finish(manifest, started)
    atomic_write_json(Path(settings.index_dir) / "ingest-report.json", report.to_json())
    return report


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
    previous: Any  # its catalogue row, when an earlier version is indexed
    size: int
    mtime: float
    digest: str


def _changed_files(
    writer: IndexWriter, files: list[tuple[Path, Path]], known: dict[str, Any], report: IngestReport, bar: tqdm
) -> Iterator[tuple[Path, _Job]]:
    """Put every file in the report in walk order; settle the unchanged and unreadable ones here and yield the
    others for extraction. Runs lazily, a few files ahead of the workers."""
    for path, root in files:
        started = time.perf_counter()
        previous = known.get(str(path))
        outcome = FileOutcome(str(path), "failed", doc_id=previous["doc_id"] if previous else None)
        report.files.append(outcome)
        try:
            stat = path.stat()
            touched = previous is None or (previous["size"], previous["mtime"]) != (stat.st_size, stat.st_mtime)
            digest = file_hash(path) if touched else None
        except OSError as exc:
            _failed(outcome, describe_os_error(exc), previous)
        else:
            if previous is None or (digest is not None and digest != previous["content_hash"]):
                yield path, _Job(outcome, root, previous, stat.st_size, stat.st_mtime, digest or "")
                continue
            if digest is not None:  # touched, same content
                writer.touch(previous["doc_id"], stat.st_size, stat.st_mtime)
            outcome.status = "unchanged"
        outcome.seconds = round(time.perf_counter() - started, 3)
        bar.update()


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
            log.exception("unexpected error on %s", outcome.path)
            _failed(outcome, f"unexpected {type(exc).__name__}: {exc}", job.previous)
    outcome.seconds = round(extracted.seconds + time.perf_counter() - started, 3)


def _failed(outcome: FileOutcome, reason: str, previous: Any) -> None:
    outcome.status = "failed"
    outcome.reason = f"{reason}; the previously indexed version is kept" if previous is not None else reason


def _apply_registers(writer: IndexWriter, root: Path) -> list[FileOutcome]:
    """Load `root/registers/*.csv`, keep their rows in the catalogue, and give every document under `root` its
    register reference and access groups (the register's row, else the nearest .kmsearch-groups, else open)."""
    outcomes = []
    entries: list[registers.RegisterDocument] = []
    people: list[registers.RegisterPerson] = []
    events: list[registers.RegisterEvent] = []
    for name, path in registers.register_files(root).items():
        problems: list[registers.RegisterProblem] = []
        if name == "documents":
            entries, problems = registers.load_documents(path)
        elif name == "people":
            people, problems = registers.load_people(path)
        elif name == "events":
            events, problems = registers.load_events(path)
        outcomes.append(FileOutcome(str(path), "register", warnings=[str(p) for p in problems]))
    writer.replace_register_people(str(root), people)
    writer.replace_register_events(str(root), events)
    rows = list(registers.iter_entries(entries, root))
    writer.replace_register_documents(str(root), rows)
    by_path = {path: entry for path, entry in rows if path}
    for path, row in writer.known_files().items():
        if path.startswith(str(root) + os.sep):
            entry = by_path.get(path)
            groups = entry.access_groups if entry else registers.folder_groups(Path(path), root)
            writer.set_access(row["doc_id"], entry.reference if entry else None, groups)
    return outcomes


def _store(writer: IndexWriter, chunker: Chunker, doc: Document, previous: Any, size: int, mtime: float) -> tuple[str, int]:
    """Replace or add one document; returns its outcome status and chunk count."""
    chunks = chunker.chunk(doc)
    if previous is not None:
        writer.remove(previous["doc_id"])
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
        with IndexWriter(settings, embedder, progress=bar.update) as writer:
            chunker = Chunker(writer.embedder.tokenizer, writer.settings.chunk_tokens, writer.settings.chunk_overlap)
            known = writer.known_files()
            for doc in _progress(show_progress, iterable=documents, unit="doc", desc="chunking"):
                previous = known.get(doc.path)
                if previous is not None and previous["content_hash"] == doc.content_hash:
                    report.files.append(FileOutcome(doc.path, "unchanged", doc_id=previous["doc_id"]))
                    continue
                doc = dataclasses.replace(doc, doc_id=doc.doc_id or doc_id_for(doc.path))
                status, n_chunks = _store(writer, chunker, doc, previous, 0, 0.0)
                report.files.append(FileOutcome(doc.path, status, doc_id=doc.doc_id, pages=len(doc.pages), chunks=n_chunks))
            bar.total = writer.pending_count
            manifest = writer.commit()
    report.finish(manifest, started)
    return report
