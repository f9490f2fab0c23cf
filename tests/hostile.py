"""A hostile-file corpus, made by code (no binaries checked in): the broken, encrypted, huge, booby-trapped and
oddly named files that a real archive holds. `build(folder)` writes them and returns what must become of each.

Also the misbehaving extractors that the limit tests put in place of `kmsearch.ingest.pipeline.extract`: they
run in the extraction workers, so they live here, importable by name.
"""

from __future__ import annotations

import os
import random
import signal
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from kmsearch.types import Document
from tests.fixtures import make_docx, make_pdf, make_pptx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BLANK_PAGES = 3000
BOMB_MB = 600  # what the DOCX zip bomb inflates to: over office.py's 512 MB
LONG_LINE_MB = 50


@dataclass(frozen=True)
class Expect:
    """What must become of one file: `added` and found by `search`, or `failed` with `reason` in its reason."""

    name: str  # relative to the corpus folder
    status: str  # "added" or "failed"
    reason: str | None = None
    search: str | None = None  # a query (BM25) whose first hit must be this file
    warning: str | None = None  # part of a warning it must carry


def build(folder: Path) -> list[Expect]:
    """Write the hostile corpus into `folder` (a few seconds) and return the expectations, one per file."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(5)
    expects: list[Expect] = []
    add = expects.append

    # --- PDF --------------------------------------------------------------------------------------------------
    good = make_pdf(folder / "good.pdf", [["# Archive budget", "The archive budget for the registry was approved."],
                                          ["# Second page", "Shelving for the records centre was ordered."]])
    add(Expect("good.pdf", "added", search="shelving records centre ordered"))
    data = good.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    add(Expect("truncated.pdf", "failed", reason="corrupt or unreadable PDF"))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + rnd.randbytes(20_000))
    add(Expect("corrupt.pdf", "failed", reason="corrupt or unreadable PDF"))
    _encrypted_pdf(folder / "encrypted-password.pdf", "Secret tender evaluation.", user_password="secret")
    add(Expect("encrypted-password.pdf", "failed", reason="encrypted PDF that needs a password"))
    _encrypted_pdf(folder / "encrypted-empty-password.pdf",
                   "Owner-locked circular on microfilm conversion of land deeds.", user_password="")
    add(Expect("encrypted-empty-password.pdf", "added", search="microfilm conversion land deeds"))
    _blank_pages_pdf(folder / "blank-pages.pdf", BLANK_PAGES)
    add(Expect("blank-pages.pdf", "added", search="blank appendix volume cover sheet",
               warning=f"of {BLANK_PAGES} pages were read (max_pages)"))

    # --- Office -----------------------------------------------------------------------------------------------
    _zip_bomb_docx(folder / "zip-bomb.docx", BOMB_MB)
    add(Expect("zip-bomb.docx", "failed", reason=f"would inflate to {BOMB_MB} MB"))
    _billion_laughs_docx(folder / "billion-laughs.docx")
    add(Expect("billion-laughs.docx", "failed", reason="declares XML entities"))
    deck = make_pptx(folder / "missing-part.pptx", [("Fleet", ["Vehicles"], None), ("Leases", ["Renewals"], None)])
    _replace_member(deck, "ppt/slides/slide1.xml", None)
    add(Expect("missing-part.pptx", "failed", reason="unreadable PPTX"))
    make_docx(folder / "actually-a-docx.pdf", [["# Wrong suffix", "Minutes on the fumigation of the basement vault."]])
    add(Expect("actually-a-docx.pdf", "added", search="fumigation basement vault"))

    # --- text -------------------------------------------------------------------------------------------------
    (folder / "empty.txt").write_bytes(b"")
    add(Expect("empty.txt", "failed", reason="empty file (0 bytes)"))
    (folder / "random-binary.txt").write_bytes(rnd.randbytes(64_000))
    add(Expect("random-binary.txt", "failed", reason="binary content of an unsupported format"))
    legacy = "Le café du comité – déjà vu à Genève, façade rénovée."
    (folder / "legacy-cp1252.txt").write_bytes(legacy.encode("cp1252"))
    add(Expect("legacy-cp1252.txt", "added", search="café comité façade rénovée"))
    wide = "Minister’s speech on “Batho Pele” archives — naïve indexing."
    (folder / "wide-utf16.txt").write_bytes(wide.encode("utf-16"))
    add(Expect("wide-utf16.txt", "added", search="Batho Pele speech"))
    _long_line(folder / "one-line-50mb.txt", LONG_LINE_MB)
    add(Expect("one-line-50mb.txt", "added", search="xylophone quarantine ledger",
               warning="characters of text were kept (max_chars)"))

    # --- the file system --------------------------------------------------------------------------------------
    os.symlink("loop-b", folder / "loop-a")
    os.symlink("loop-a", folder / "loop-b")
    os.symlink("self-loop", folder / "self-loop")
    for name in ("loop-a", "loop-b", "self-loop"):
        add(Expect(name, "failed", reason="symbolic link loop"))
    os.symlink("no-such-file.txt", folder / "dangling-link")
    add(Expect("dangling-link", "failed", reason="broken symbolic link"))
    if os.geteuid() != 0:  # root reads anything: the case cannot happen there
        locked = folder / "no-permission.txt"
        locked.write_text("Personnel files of the registry.", encoding="utf-8")
        locked.chmod(0)
        add(Expect("no-permission.txt", "failed", reason="permission denied"))
    odd_names = {
        "minutes of the   steering committee.txt": ("Spaces in the name: memo on shredding.", "shredding memo"),
        "rapport-été-Ünïcödé-報告.txt": ("Unicode name: the report on kiosk terminals.", "kiosk terminals"),
        "line\nbreak.txt": ("A newline in the name: memo on carbon paper stocks.", "carbon paper stocks"),
    }
    for name, (text, query) in odd_names.items():
        (folder / name).write_text(text, encoding="utf-8")
        add(Expect(name, "added", search=query))
    return expects


def _encrypted_pdf(path: Path, text: str, user_password: str) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".tmp"), [[text]])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    with open(path, "wb") as fh:
        writer.write(fh)
    plain.unlink()


def _blank_pages_pdf(path: Path, pages: int) -> None:
    """One page of text, then blank pages: a scanner left running, or a generator gone wrong."""
    from pypdf import PdfReader, PdfWriter

    cover = make_pdf(path.with_suffix(".tmp"), [["# Cover sheet", "Blank appendix volume follows this cover sheet."]])
    writer = PdfWriter(clone_from=PdfReader(cover))
    box = writer.pages[0].mediabox
    for _ in range(pages - 1):
        writer.add_blank_page(box.width, box.height)
    with open(path, "wb") as fh:
        writer.write(fh)
    cover.unlink()


def _replace_member(path: Path, name: str, data: bytes | None) -> None:
    """Rewrite a ZIP with member `name` replaced by `data`, or left out when `data` is None."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist() if info.filename != name]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in members:
            zout.writestr(info, content)
        if data is not None:
            zout.writestr(name, data)


def _zip_bomb_docx(path: Path, megabytes: int) -> None:
    """A real DOCX whose document.xml inflates to `megabytes` MB (spaces compress about 1000:1)."""
    make_docx(path, [["# Bomb", "Nothing to see."]])
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist() if info.filename != "word/document.xml"]
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info, content in members:
            zout.writestr(info, content)
        with zout.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = b" " * 2**20
            for _ in range(megabytes):
                member.write(block)
            member.write(tail)


def _billion_laughs_docx(path: Path) -> None:
    """A DOCX whose document.xml nests entity definitions: expanded, &lol9; is 10^9 'lol's (3 GB)."""
    make_docx(path, [["# Laughs", "The laughing committee approved the archive plan."]])
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<!DOCTYPE lolz [\n{chr(10).join(entities)}\n]>\n"
        f'<w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>The laughing committee approved the archive plan. &lol9;</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    _replace_member(path, "word/document.xml", xml.encode())


def _long_line(path: Path, megabytes: int) -> None:
    """`megabytes` MB of sentences and not one newline; a rare phrase at the start to search for."""
    words = "records registry file plan disposal schedule archive committee budget minutes retention".split()
    rnd = random.Random(7)
    block = "".join(" ".join(rnd.choice(words) for _ in range(11)).capitalize() + ". " for _ in range(500)).encode()
    with open(path, "wb") as fh:
        fh.write(b"The xylophone quarantine ledger opens this export. ")
        for _ in range(megabytes * 2**20 // len(block) + 1):
            fh.write(block)


# --- extractors that misbehave on purpose (they run in the workers) -----------------------------------------------


def slow_extract(path: Path, settings: Settings) -> Document:
    """Hangs on files named slow*, after leaving its pid next to the file so that a test can find the worker."""
    if path.name.startswith("slow"):
        (path.parent / f"worker-{os.getpid()}.pid").write_text(str(os.getpid()))
        time.sleep(3600)
    return extract(path, settings)


def long_scan_extract(path: Path, settings: Settings) -> Document:
    """Files named scan* are "scans" of 4 pages, each taking 0.7 s of "OCR" (announced as real OCR announces it)."""
    if path.name.startswith("scan"):
        from kmsearch.ingest.extract import ocr

        for _ in range(4):
            if ocr.on_ocr_page is not None:
                ocr.on_ocr_page()
            time.sleep(0.7)
    return extract(path, settings)


def crashing_extract(path: Path, settings: Settings) -> Document:
    """Dies of a segmentation fault on files named crash*, as a C library might."""
    if path.name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return extract(path, settings)


def greedy_extract(path: Path, settings: Settings) -> Document:
    """Asks for 1 GB on files named greedy*, as a decompression bomb would."""
    if path.name.startswith("greedy"):
        hoard = bytearray(2**30)
        return Document(str(path), "text", str(len(hoard)), ())
    return extract(path, settings)


def worker_state(path: Path, settings: Settings) -> dict:
    """What a worker has loaded and how it is limited (this module imports nothing heavy itself)."""
    import resource
    import sys

    return {"modules": sorted(m for m in ("torch", "sentence_transformers", "faiss") if m in sys.modules),
            "memory_limit": resource.getrlimit(resource.RLIMIT_AS)[0], "pgid": os.getpgid(0), "pid": os.getpid()}
