"""Ingest throughput on folders, split by phase, against the embedding-only limit measured in the same run.

Run by hand: python scripts/bench_ingest.py [FOLDER ...] (default: corpus/)

In one process, with the default embedding backend (or --backend):
1. a full ingest into a fresh index with an empty embedding cache (wall time = the end-to-end figure);
2. embedding only: the same passages through the same model, batched, nothing else running;
3. each other phase alone, with the same worker pool: extraction without OCR, extraction with OCR (OCR is the
   difference), chunking, and the commit's writing (catalogue, FAISS, BM25, fsync) from the manifest;
4. a re-ingest of the unchanged folders, as a share of the full ingest.
The ratio is end-to-end passages/s over embedding-only passages/s. Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.ingest.chunk import Chunker
from kmsearch.ingest.extract import extract
from kmsearch.ingest.pipeline import ingest, walk
from kmsearch.ingest.workers import ExtractionPool

try:
    from kmsearch.index.embed import make_embedder
except ImportError:  # before the backends existed
    from kmsearch.index.embed import SentenceTransformerEmbedder as make_embedder


def extract_all(files: list[Path], settings: Settings) -> tuple[float, list]:
    started = time.perf_counter()
    with ExtractionPool(settings) as pool:
        docs = [x.document for _, _, x in pool.map(extract, ((f, None) for f in files)) if x.document is not None]
    return time.perf_counter() - started, docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("corpus")])
    parser.add_argument("--backend", default=None, help="embedding backend (default: the settings' default)")
    parser.add_argument("--label", default="", help="name for the table row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(index_dir=Path(tmp) / "index", backend=args.backend) if args.backend else Settings.load(
            index_dir=Path(tmp) / "index")
        settings = settings.replace(model=settings.model or "all-MiniLM-L6-v2")
        embedder = make_embedder(settings)
        embedder.embed(["warm up the model"] * 8)

        started = time.perf_counter()
        report = ingest(args.folders, settings, embedder)
        total = time.perf_counter() - started
        index = Index.open(settings, embedder)
        counts = index.catalog.counts()
        commit = index.manifest.get("commit_seconds", {})
        ocr_pages = index.catalog.ocr_page_count()
        texts = [t for _, t in index.catalog.iter_embed_texts()]

        started = time.perf_counter()
        for i in range(0, len(texts), 256):
            embedder.embed(texts[i : i + 256])
        embed_only = time.perf_counter() - started

        started = time.perf_counter()
        again = ingest(args.folders, settings, embedder)
        reingest = time.perf_counter() - started

        files = [p for folder in args.folders for p in walk(folder)]
        text_s, docs = extract_all(files, settings.replace(ocr=False))
        all_s, docs = extract_all(files, settings)
        chunker = Chunker(embedder.tokenizer, settings.chunk_tokens, settings.chunk_overlap)
        started = time.perf_counter()
        for doc in docs:
            chunker.chunk(doc)
        chunk_s = time.perf_counter() - started
    writing = sum(v for k, v in commit.items() if k != "embedding_wait")
    phases = {"extraction (text)": text_s, "OCR": max(0.0, all_s - text_s), "chunking": chunk_s,
              "embedding": embed_only, "writing": writing}
    phase_sum = sum(phases.values())
    label = args.label or ", ".join(f.name for f in args.folders)
    backend = getattr(embedder, "backend", "torch")
    print(f"{platform.machine()}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}; backend {backend}; {label}")
    for outcome in report.files:
        if outcome.status == "failed":
            print(f"failed: {outcome.path}: {outcome.reason}")
    print(f"failed files: {report.count('failed')}; re-ingest unchanged: {again.summary()['unchanged']} unchanged, "
          f"{again.embedded} embedded\n")
    print("| corpus | documents | pages (OCR) | passages | ingest s | passages/s | embedding-only passages/s | ratio "
          "| pages/s | re-ingest unchanged s (share) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {label} | {counts['documents']} | {counts['pages']} ({ocr_pages}) | {counts['chunks']} | {total:.1f} | "
          f"{counts['chunks'] / total:.1f} | {len(texts) / embed_only:.1f} | {embed_only / total:.0%} | "
          f"{counts['pages'] / total:.1f} | {reingest:.1f} ({reingest / total:.1%}) |")
    print("\nEach phase alone (wall seconds, 2 extraction workers), and its share of their sum:\n")
    print("| " + " | ".join(phases) + " |")
    print("|" + "---|" * len(phases))
    print("| " + " | ".join(f"{v:.1f} s ({v / phase_sum:.0%})" for v in phases.values()) + " |")
    print(f"\ncommit: {commit}")


if __name__ == "__main__":
    main()
