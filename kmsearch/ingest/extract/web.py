"""HTML (BeautifulSoup), Markdown, plain text and CSV, with the encoding detected by charset-normalizer."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.ingest.extract import too_much_text
from kmsearch.ingest.extract.props import split_authors
from kmsearch.types import Block, Document, Page

BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dt", "dd", "figcaption"]


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Legacy files here are Windows "ANSI" (cp1252); charset-normalizer picks look-alike code pages for them
        # (cp1250, cp1257, even cp1251: "café" came back as "cafщ"), so it only gets what cp1252 cannot decode.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ExtractionError(str(path), "text in an unknown encoding") from None
        return str(best)


def extract_html(path: Path) -> Document:
    soup = BeautifulSoup(read_text(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav"]):
        tag.decompose()
    blocks: list[Block] = []
    for tag in soup.find_all(BLOCK_TAGS):
        if tag.find(BLOCK_TAGS):  # leaves only, so nested text is not read twice
            continue
        sep = " | " if tag.name == "tr" else " "
        text = clean.normalise(tag.get_text(sep, strip=True)).replace("\n", " ").strip()
        if text:
            level = int(tag.name[1]) if tag.name[0] == "h" and tag.name[1:].isdigit() else 0
            blocks.append(Block(text, "heading" if level else "paragraph", level))
    title = soup.title.get_text(strip=True) if soup.title else ""

    def meta(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return None

    date = meta("date", "dcterms.created", "article:published_time")
    lang = soup.html.get("lang") if soup.html else None
    return Document(
        path=str(path),
        format="html",
        title=title,
        pages=(Page(1, tuple(blocks)),),
        authors=split_authors(meta("author", "dcterms.creator")),
        created=date[:10] if date else None,
        language=str(lang) if lang else None,  # normalised in finalise (keeps "nso")
    )


def extract_text(path: Path, kind: str, max_chars: int | None = None) -> Document:
    text = read_text(path)
    warnings: tuple[str, ...] = ()
    if max_chars is not None and len(text) > max_chars:  # cut before cleaning: a 200 MB log need not be cleaned whole
        text, warnings = text[:max_chars], (too_much_text(max_chars),)
    if kind == "csv":
        pages = (Page(1, tuple(_csv_blocks(text))),)
    else:
        parts = text.split("\f")  # form feeds mark pages in text exports
        pages = tuple(Page(i, tuple(clean.text_to_blocks(p, kind == "markdown"))) for i, p in enumerate(parts, 1))
    return Document(path=str(path), format=kind, title="", pages=pages, warnings=warnings)


def _csv_blocks(text: str) -> list[Block]:
    """Each row becomes 'column: value; ...' so that a row is searchable with its column names."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    blocks = []
    for row in rows[1:]:
        fields = [f"{h}: {v.strip()}" for h, v in zip(header, row) if v.strip()]
        if fields:
            blocks.append(Block("; ".join(fields)))
    return blocks
