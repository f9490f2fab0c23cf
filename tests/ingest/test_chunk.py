"""Chunking in the embedding model's own tokens: size limits, pages, headings, overlap, over-long sentences."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from kmsearch.config import Settings
from kmsearch.ingest.chunk import Chunker
from kmsearch.types import Block, Chunk, Document, Page


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from kmsearch.index.embed import make_embedder

    return make_embedder(Settings()).tokenizer


def n_tokens(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def squash(text: str) -> str:
    return " ".join(text.split())


TOPICS = ["registry", "scanning", "classification", "retention", "disposal", "training", "budget", "audit"]


def sentences(topic: str, n: int) -> list[str]:
    """n distinct sentences of roughly 12 to 16 tokens each."""
    return [f"Sentence {i} about {topic} says the branch reviewed item {i} of the {topic} plan." for i in range(n)]


def doc(*pages: list[Block], doc_id: str = "d1") -> Document:
    return Document(
        path="x.pdf",
        format="pdf",
        title="X",
        doc_id=doc_id,
        pages=tuple(Page(i, tuple(blocks)) for i, blocks in enumerate(pages, start=1)),
    )


def heading(text: str, level: int = 1) -> Block:
    return Block(text, "heading", level)


@pytest.fixture(scope="module")
def long_document() -> Document:
    """Three pages; page 2 continues section 1 without a heading, page 3 has two sections."""
    return doc(
        [heading("1. Introduction"), Block(" ".join(sentences("registry", 40)))],
        [Block(" ".join(sentences("scanning", 25)))],
        [
            heading("2. Findings"),
            Block(" ".join(sentences("audit", 30))),
            heading("3. Recommendations"),
            Block(" ".join(sentences("training", 12))),
        ],
    )


@pytest.fixture(scope="module")
def chunks(tokenizer: Any, long_document: Document) -> list[Chunk]:
    return Chunker(tokenizer, max_tokens=120, overlap=32).chunk(long_document)


def test_every_chunk_fits_in_max_tokens(tokenizer: Any, chunks: list[Chunk]) -> None:
    assert len(chunks) > 10
    for chunk in chunks:
        measured = n_tokens(tokenizer, chunk.text)
        assert measured <= 120, chunk.text
        assert chunk.n_tokens == measured


def test_chunks_never_span_pages(long_document: Document, chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert squash(chunk.text) in squash(long_document.pages[chunk.page - 1].text), (chunk.page, chunk.text)
    assert {c.page for c in chunks} == {1, 2, 3}
    assert all("scanning" in c.text for c in chunks if c.page == 2)


def test_every_sentence_is_in_some_chunk(long_document: Document, chunks: list[Chunk]) -> None:
    text = " ".join(c.text for c in chunks)
    for topic, n in [("registry", 40), ("scanning", 25), ("audit", 30), ("training", 12)]:
        for sentence in sentences(topic, n):
            assert sentence in text


def test_heading_is_carried_to_the_chunks_under_it(chunks: list[Chunk]) -> None:
    for chunk in chunks:
        if "registry" in chunk.text or "scanning" in chunk.text:
            assert chunk.heading == "1. Introduction"  # page 2 has no heading of its own
        elif "audit" in chunk.text:
            assert chunk.heading == "2. Findings"
        elif "training" in chunk.text:
            assert chunk.heading == "3. Recommendations"


def test_a_new_section_starts_a_new_chunk_without_overlap(chunks: list[Chunk]) -> None:
    starts = [c for c in chunks if c.text.startswith(("2. Findings", "3. Recommendations"))]
    assert [c.heading for c in starts] == ["2. Findings", "3. Recommendations"]
    before = chunks[chunks.index(starts[1]) - 1]
    assert "training" not in before.text and "audit" not in starts[1].text


def test_consecutive_chunks_of_a_section_overlap(tokenizer: Any, chunks: list[Chunk]) -> None:
    pairs = [(a, b) for a, b in pairwise(chunks) if a.page == b.page and a.heading == b.heading]
    assert len(pairs) >= 5
    for a, b in pairs:
        first = b.text.split(". ")[0] + "."  # b opens with the last whole sentence(s) of a, at most 32 tokens
        assert a.text.count(first) == 1, (a.text, b.text)
        shared = a.text[a.text.index(first) :]
        assert b.text.startswith(shared)
        assert shared != a.text and n_tokens(tokenizer, shared) <= 32


def test_no_overlap_when_overlap_is_zero(tokenizer: Any, long_document: Document) -> None:
    chunks = Chunker(tokenizer, max_tokens=120, overlap=0).chunk(long_document)
    joined = " ".join(c.text for c in chunks)
    for topic, n in [("registry", 40), ("audit", 30)]:
        for sentence in sentences(topic, n):
            assert joined.count(sentence) == 1


def test_ordinals_and_doc_id(chunks: list[Chunk]) -> None:
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert {c.doc_id for c in chunks} == {"d1"}


def test_one_overlong_sentence_is_split_by_tokens(tokenizer: Any) -> None:
    words = [f"{TOPICS[i % len(TOPICS)]}{i}" for i in range(1000)]  # no sentence end anywhere
    document = doc([heading("ANNEX B: WORD LIST"), Block(" ".join(words))])
    chunks = Chunker(tokenizer, max_tokens=100, overlap=20).chunk(document)
    assert len(chunks) > 10
    for chunk in chunks:
        assert n_tokens(tokenizer, chunk.text) <= 100, chunk.text
        assert chunk.heading == "ANNEX B: WORD LIST"
    text = " ".join(c.text for c in chunks)
    assert all(word in text for word in words)
    # chunk 0 is the heading alone (heading + a full window would not fit); the windows after it overlap
    for a, b in pairwise(chunks[1:]):
        assert a.text.split()[-1] in b.text


def test_short_document_is_one_chunk(tokenizer: Any) -> None:
    document = doc([heading("1. Scope"), Block("The policy covers all records. It applies to every office.")])
    chunks = Chunker(tokenizer).chunk(document)
    assert [(c.ordinal, c.page, c.heading, c.text) for c in chunks] == [
        (0, 1, "1. Scope", "1. Scope The policy covers all records. It applies to every office.")
    ]


def test_text_before_any_heading_has_no_heading(tokenizer: Any) -> None:
    chunks = Chunker(tokenizer).chunk(doc([Block("A cover page line.")]))
    assert [c.heading for c in chunks] == [None]


@pytest.mark.parametrize("document", [doc(), doc([], []), doc([Block("")])], ids=["no pages", "empty", "blank"])
def test_empty_document_has_no_chunks(tokenizer: Any, document: Document) -> None:
    assert Chunker(tokenizer).chunk(document) == []


@pytest.mark.parametrize(
    ("max_tokens", "overlap", "message"),
    [
        (8, 0, "max_tokens must be at least 16"),
        (200, -1, "overlap must be between 0 and max_tokens/2"),
        (200, 100, "overlap must be between 0 and max_tokens/2 (100), got 100"),
    ],
)
def test_invalid_settings(tokenizer: Any, max_tokens: int, overlap: int, message: str) -> None:
    with pytest.raises(ValueError) as info:
        Chunker(tokenizer, max_tokens=max_tokens, overlap=overlap)
    assert message in str(info.value)
