"""Ingest throughput on a folder, against the embedding-only limit measured in the same run.

Run by hand: python scripts/bench_ingest.py [FOLDER ...] (default: corpus/). Ingests into a fresh temporary
index with an empty embedding cache, then embeds the same passages again with the model alone.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.catalog import Catalog, connect_readonly
from kmsearch.index.embed import SentenceTransformerEmbedder
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("corpus")])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index")
        embedder = SentenceTransformerEmbedder(settings.replace(model="all-MiniLM-L6-v2"))
        embedder.embed(["warm up the model"])
        started = time.perf_counter()
        report = ingest(args.folders, settings, embedder)
        total = time.perf_counter() - started
        extraction = sum(f.seconds for f in report.files)
        index = Index.open(settings, embedder)
        counts = index.catalog.counts()
        texts = [t for _, t in Catalog(connect_readonly(index.directory / index.generation / "catalog.sqlite")).iter_embed_texts()]
        started = time.perf_counter()
        embedder.embed(texts)
        embed_only = time.perf_counter() - started
    print(f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores; folders: {', '.join(map(str, args.folders))}")
    print("| documents | pages | passages | ingest s | extract+chunk s | passages/s (ingest) | passages/s (embedding only) | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {counts['documents']} | {counts['pages']} | {counts['chunks']} | {total:.1f} | {extraction:.1f} | "
          f"{counts['chunks'] / total:.1f} | {len(texts) / embed_only:.1f} | {embed_only / total:.0%} |")
    print(f"failed files: {report.count('failed')}")


if __name__ == "__main__":
    main()
