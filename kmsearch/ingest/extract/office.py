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
        height = prs.slide_height or 0
        slides = [_slide_blocks(slide, height) for slide in prs.slides]
    except Exception as exc:  # a slide, or a part it points to, is missing or malformed
        reason = f"unreadable PPTX: a slide or a part it uses is missing or broken ({type(exc).__name__}: {exc})"
        raise ExtractionError(str(path), reason) from exc
    pages = tuple(Page(number, blocks) for number, blocks in enumerate(without_footers(slides), start=1))
    return Document(path=str(path), format="pptx", pages=pages, **_props(prs.core_properties))


# A block of a slide, where its shape stands (top and bottom as fractions of the slide's height; None for speaker
# notes), and whether it may be a footer (a text box's paragraph may; a slide's title or a table row may not).
Placed = tuple[Block, clean.Box | None, bool]


def without_footers(slides: list[list[Placed]]) -> list[tuple[Block, ...]]:
    """The slides' blocks less the footers typed into text boxes: text repeated, digits aside, at one place in the
    top or bottom band of several slides (clean.margin_lines), or shaped like a running head ("DEPARTMENT | 4")
    on two or more. Footer, date and slide-number placeholders never become blocks (`_slide_blocks`)."""
    drop: set[tuple[int, int]] = set()
    if len(slides) >= 2:
        texts = [[block.text for block, _, _ in placed] for placed in slides]
        boxes = [[box for _, box, _ in placed] for placed in slides]
        drop = clean.margin_lines(texts, boxes) | clean.running_heads(texts)
    return [
        tuple(block for i, (block, _, may_be_footer) in enumerate(placed) if not (may_be_footer and (s, i) in drop))
        for s, placed in enumerate(slides)
    ]


def _slide_blocks(slide: Any, height: int) -> list[Placed]:
    title_shape = slide.shapes.title
    title = clean.normalise(title_shape.text_frame.text).replace("\n", " ").strip() if title_shape else ""
    blocks: list[Placed] = [(Block(title, "heading", 1), _box(title_shape, height), False)] if title else []
    shapes = sorted(slide.shapes, key=lambda s: ((s.top or 0), (s.left or 0)))
    for shape in shapes:
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        blocks.extend(_shape_blocks(shape, _box(shape, height)))
    if slide.has_notes_slide:
        notes = clean.normalise(slide.notes_slide.notes_text_frame.text).replace("\n", " ").strip()
        if notes:
            blocks.append((Block(f"Speaker notes: {notes}"), None, False))
    return blocks


def _box(shape: Any, height: int) -> clean.Box | None:
    if not height or shape.top is None or shape.height is None:
        return None
    return (shape.top / height, (shape.top + shape.height) / height)


def _shape_blocks(shape: Any, box: clean.Box | None) -> Iterator[Placed]:
    """A shape's blocks; a group's shapes all take the group's place (theirs are in the group's own coordinates)."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    if shape.shape_type == 6:  # group
        for inner in shape.shapes:
            yield from _shape_blocks(inner, box)
    footer = (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.HEADER)
    if shape.is_placeholder and shape.placeholder_format.type in footer:
        return  # the footer, date and slide number that the slide's layout places on every slide
    if getattr(shape, "has_table", False) and shape.has_table:
        yield from ((Block(row), box, False) for row in _table_rows(shape.table))
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for para in shape.text_frame.paragraphs:
            text = clean.normalise("".join(run.text for run in para.runs)).replace("\n", " ").strip()
            if text:
                yield (Block(text), box, True)
