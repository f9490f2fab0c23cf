"""Shared fixtures: a small corpus of real files, settings for a scratch index, and the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import write_corpus

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def embedder() -> FakeEmbedder:
    """A fresh fake (its call count starts at zero) sharing the session's tokenizer."""
    fake = FakeEmbedder()
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", model=FAKE_MODEL, ocr=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


