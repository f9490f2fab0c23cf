"""Builders of small, real, deterministic files (PDF, scanned PDF, DOCX, PPTX) for the tests.

Each builder writes one file in milliseconds and returns its path. The same arguments give the same bytes:
a file carries the creation date it is given and no date otherwise, and ZIP members carry a fixed timestamp.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _pdf_date(value: datetime) -> str:
    return value.strftime("D:%Y%m%d%H%M%S+00'00'")


def make_pdf(
    path: Path | str,
    pages: list[list[str]],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
    header: str | list[str] | None = None,
    footer: bool = False,
) -> Path:
    """A text PDF, one inner list per page; "# x" paragraphs are bold headings.

    A newline inside a paragraph forces a line break there (to put a hyphenated word at a line end).
    `header` is drawn at the top of every page (a list: one per page, "" for none, as a chapter's running head
    changes); `footer` draws "Page N of M" at the bottom of every page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    path = Path(path)
    stamp = _pdf_date(created) if created else ""  # an empty date string: the PDF has no date
    width, height = A4

    class _Canvas(rl_canvas.Canvas):
        """Holds each page back until the end, so that the footer can say "of M"."""

        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: stamp)
            self._saved: list[dict] = []

        def showPage(self):  # reportlab's method name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 9)
                head = header[number - 1] if isinstance(header, list) else header
                if head:
                    self.drawString(2 * cm, height - 1.5 * cm, head)
                if footer:
                    self.drawCentredString(width / 2, 1.2 * cm, f"Page {number} of {total}")
                super().showPage()
            super().save()

    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading1"]  # Heading1: Helvetica-Bold 18pt
    story: list = []
    for i, paragraphs in enumerate(pages):
        if i:
            story.append(PageBreak())
        for text in paragraphs:
            if text.startswith("# "):
                story.append(Paragraph(escape(text[2:]), heading))
            else:
                story.append(Paragraph(escape(text).replace("\n", "<br/>"), body))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=title or "",
        author=author or "",
        subject="",
        creator="",
        producer="",
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    )
    doc.build(story, canvasmaker=_Canvas)
    return path


def make_scanned_pdf(path: Path | str, lines: list[str], inverted: tuple[str, ...] | list[str] = ()) -> Path:
    """An image-only PDF (no text layer) of one A4 page at 200 dpi, with `lines` large enough for Tesseract,
    then the `inverted` lines as white text on a black band (a report cover's title bar)."""
    from PIL import Image, ImageDraw, ImageFont

    path = Path(path)
    dpi = 200
    img = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    size = 40  # 40 px at 200 dpi is about 14 pt
    try:
        font = ImageFont.truetype(str(DEJAVU), size) if DEJAVU.exists() else ImageFont.load_default(size=size)
    except (OSError, TypeError):  # very old Pillow: no sized default font
        font = ImageFont.load_default()
    y = 200
    for line in lines:
        draw.text((150, y), line, fill=0, font=font)
        y += int(size * 1.8)
    if inverted:
        y += size
        draw.rectangle((0, y, img.width, y + int(size * (1.8 * len(inverted) + 1))), fill=0)
        for line in inverted:
            draw.text((150, y + size // 2), line, fill=255, font=font)
            y += int(size * 1.8)
    # Pillow would otherwise put the file name in the title and the time of day in the dates
    img.save(path, "PDF", resolution=float(dpi), title=None, creationDate=None, modDate=None)
    return path


def _fix_zip_times(path: Path) -> None:
    """Rewrite a ZIP with a fixed timestamp on every member, so that equal content gives equal bytes."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


def _set_core(core, title: str | None, author: str | None, created: datetime | None) -> None:
    """Core properties of a DOCX/PPTX: the given ones, and no template leftovers (author, 2013 dates)."""
    core.title = title or ""
    core.author = author or ""
    core.last_modified_by = ""
    core.comments = ""
    if created is not None:
        core.created = created
        core.modified = created
    else:  # a template date would date every fixture to 2013; say nothing instead
        for name in ("created", "modified"):
            for el in core._element.findall(f"{{http://purl.org/dc/terms/}}{name}"):
                core._element.remove(el)


def make_docx(
    path: Path | str,
    pages: list[list[str]],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
    table: list[list[str]] | None = None,
) -> Path:
    """A DOCX: "# x" is Heading 1, "## x" Heading 2; an explicit page break between inner lists.

    `table` (rows of cells) follows page 1's paragraphs, still on page 1.
    """
    import docx
    from docx.enum.text import WD_BREAK

    path = Path(path)
    document = docx.Document()
    for i, paragraphs in enumerate(pages):
        for text in paragraphs:
            if text.startswith("## "):
                document.add_heading(text[3:], level=2)
            elif text.startswith("# "):
                document.add_heading(text[2:], level=1)
            else:
                document.add_paragraph(text)
        if i == 0 and table:
            grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    grid.cell(r, c).text = cell
        if i < len(pages) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _set_core(document.core_properties, title, author, created)
    document.save(str(path))
    _fix_zip_times(path)
    return path


def make_pptx(
    path: Path | str,
    slides: list[tuple[str, list[str], str | None]],
    *,
    title: str | None = None,
    author: str | None = None,
) -> Path:
    """A PPTX with one title-and-content slide per (title, bullet lines, speaker notes or None)."""
    from pptx import Presentation

    path = Path(path)
    prs = Presentation()
    layout = prs.slide_layouts[1]  # Title and Content
    for slide_title, bullets, notes in slides:
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = slide_title
        body = slide.placeholders[1].text_frame
        for j, line in enumerate(bullets):
            para = body.paragraphs[0] if j == 0 else body.add_paragraph()
            para.text = line
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    _set_core(prs.core_properties, title, author, None)
    prs.save(str(path))
    _fix_zip_times(path)
    return path
