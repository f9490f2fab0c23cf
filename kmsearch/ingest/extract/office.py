"""DOCX (python-docx) and PPTX (python-pptx): headings, paragraphs, tables, page breaks, slides and notes."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterator

from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.ingest.extract.props import iso, split_authors
from kmsearch.types import Block, Document, Page

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # a DOCX/PPTX inflating past this is treated as a zip bomb
XML_HEAD = 64 * 1024  # a DOCTYPE comes before the root element, so within a part's first bytes


def _check_zip(path: Path, kind: str) -> None:
    """Refuse a package that would inflate past MAX_UNCOMPRESSED (a ZIP bomb), or whose XML declares entities:
    Office never writes a DOCTYPE, and nested entities are the "billion laughs" attack. (lxml would stop the
    expansion too, with a less telling message; the worker's memory limit is the last line.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_UNCOMPRESSED:
                raise ExtractionError(
                    str(path),
                    f"{kind} would inflate to {total >> 20} MB, over the {MAX_UNCOMPRESSED >> 20} MB allowed an "
                    "Office file (a ZIP bomb?)",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as member:
                        head = member.read(XML_HEAD)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise ExtractionError(
                            str(path),
                            f"{kind} declares XML entities in {info.filename}, which Office never does "
                            "(an entity-expansion attack?)",
                        )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ExtractionError(str(path), f"corrupt ZIP container ({exc})") from exc


def _props(core: Any) -> dict[str, Any]:
    return {
        "title": (core.title or "").strip(),
        "authors": split_authors(core.author),
        "created": iso(core.created),
        "modified": iso(core.modified),
        "language": (core.language or "").strip() or None,
    }


def extract_docx(path: Path) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_zip(path, "DOCX")
    try:
        doc = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for broken packages
        raise ExtractionError(str(path), f"unreadable DOCX ({type(exc).__name__}: {exc})") from exc
    body = doc.element.body
    # Word records where it laid out pages (lastRenderedPageBreak); when present that is the real pagination,
    # explicit breaks included. Otherwise only explicit page breaks are known.
    rendered = bool(body.findall(f".//{W}lastRenderedPageBreak"))
    pages: list[list[Block]] = [[]]

    def new_page() -> None:
        if pages[-1]:
            pages.append([])

    for child in body.iterchildren():
        if child.tag == f"{W}p":
            para = Paragraph(child, doc)
            if child.findall(f"./{W}pPr/{W}pageBreakBefore") and not rendered:
                new_page()
            if rendered and child.findall(f".//{W}lastRenderedPageBreak"):
                new_page()
            text = clean.normalise(para.text).replace("\n", " ").strip()
            if text:
                style = (para.style.name if para.style is not None else "") or ""
                pages[-1].append(_docx_block(text, style))
            if not rendered and child.findall(f".//{W}br[@{W}type='page']"):
                new_page()
        elif child.tag == f"{W}tbl":
            pages[-1].extend(Block(row) for row in _table_rows(Table(child, doc)))
    props = _props(doc.core_properties)
    return Document(
        path=str(path),
        format="docx",
        pages=tuple(Page(i, tuple(blocks)) for i, blocks in enumerate(pages, start=1) if blocks or i == 1),
        **props,
    )


def _docx_block(text: str, style: str) -> Block:
    if style == "Title":
        return Block(text, "heading", 1)
    if style.startswith("Heading"):
        digits = "".join(c for c in style if c.isdigit())
        return Block(text, "heading", int(digits or 1))
    return Block(text)


def _table_rows(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean.normalise(cell.text).replace("\n", " ").strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            yield " | ".join(cells)


def extract_pptx(path: Path) -> Document:
    from pptx import Presentation

    _check_zip(path, "PPTX")
    try:
        prs = Presentation(str(path))
    except Exception as exc:
        raise ExtractionError(str(path), f"unreadable PPTX ({type(exc).__name__}: {exc})") from exc
    try:
        pages = [_slide_page(number, slide) for number, slide in enumerate(prs.slides, start=1)]
    except Exception as exc:  # a slide, or a part it points to, is missing or malformed
        reason = f"unreadable PPTX: a slide or a part it uses is missing or broken ({type(exc).__name__}: {exc})"
        raise ExtractionError(str(path), reason) from exc
    return Document(path=str(path), format="pptx", pages=tuple(pages), **_props(prs.core_properties))


def _slide_page(number: int, slide: Any) -> Page:
    title_shape = slide.shapes.title
    title = clean.normalise(title_shape.text_frame.text).replace("\n", " ").strip() if title_shape else ""
    blocks = [Block(title, "heading", 1)] if title else []
    shapes = sorted(slide.shapes, key=lambda s: ((s.top or 0), (s.left or 0)))
    for shape in shapes:
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        blocks.extend(_shape_blocks(shape))
    if slide.has_notes_slide:
        notes = clean.normalise(slide.notes_slide.notes_text_frame.text).replace("\n", " ").strip()
        if notes:
            blocks.append(Block(f"Speaker notes: {notes}"))
    return Page(number, tuple(blocks))


def _shape_blocks(shape: Any) -> Iterator[Block]:
    if shape.shape_type == 6:  # group
        for inner in shape.shapes:
            yield from _shape_blocks(inner)
    if getattr(shape, "has_table", False) and shape.has_table:
        yield from (Block(row) for row in _table_rows(shape.table))
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for para in shape.text_frame.paragraphs:
            text = clean.normalise("".join(run.text for run in para.runs)).replace("\n", " ").strip()
            if text:
                yield Block(text)
