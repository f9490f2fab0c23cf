"""What ingest may read: regular files only, inside the folder being ingested, within the size and time limits;
and how the small text files it reads itself are decoded.

A FIFO, a socket or a device blocks or never ends when it is read (a symlink to `/dev/zero` is endless), and a
symlink may lead anywhere on the machine. So every file is looked at with `stat` (which never blocks) before it is
opened, opened with O_NONBLOCK, looked at again through the open descriptor (the name may have been swapped in
between), and read only up to a byte limit and a deadline. The same holds for the small files kmsearch reads in
this process: registers, `.kmsearch-groups`, `.kmsearchignore`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

from kmsearch.errors import describe_os_error

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_BLOCK = 1 << 20
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
          (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))


class Unreadable(Exception):
    """A file that is not read, with the reason as the report gives it (`str(exc)`)."""


def kind(mode: int) -> str | None:
    """None for a regular file; else what it is ("FIFO", "socket", "character device", ...)."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "special file")


def not_regular(mode: int) -> str | None:
    """The report's reason for refusing a file of this mode, or None for a regular file."""
    what = kind(mode)
    return None if what is None else f"not a regular file ({what}); only regular files are read"


def inside(path: Path | str, root: Path | str) -> bool:
    """True when `path`, with every symlink resolved, lies in `root` (also resolved), or is `root` itself."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def outside_reason(path: Path, root: Path) -> str | None:
    """Why a file under `root` is refused for leading elsewhere (a symlink out of the folder), or None. The walk
    descends real folders only (it follows no folder symlink), so only a file that is itself a symlink can lead
    out: one lstat for the others, where resolving every path cost ~0.7 ms a file."""
    if not os.path.islink(path) or not root.is_dir() or inside(path, root):
        return None
    return f"symbolic link to a file outside {root}; not indexed (copy the file into the folder instead)"


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor on a regular file, and its stat; Unreadable for anything else."""
    try:
        reason = not_regular(os.stat(path).st_mode)  # before opening: opening some devices acts on them
        if reason:
            raise Unreadable(reason)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable(describe_os_error(exc)) from exc
    st = os.fstat(fd)
    reason = not_regular(st.st_mode)  # swapped for something else since the stat above
    if reason:
        os.close(fd)
        raise Unreadable(reason)
    return fd, st


def _too_large(size: int, max_bytes: int, setting: str) -> str:
    return f"file is {size / 2**20:.1f} MB, over {setting}={max_bytes / 2**20:g}"


def hash_file(path: Path, max_bytes: int, timeout_s: float, setting: str = "max_file_mb") -> tuple[str, int]:
    """(SHA-256, size) of a regular file no larger than `max_bytes`, read within `timeout_s`; Unreadable else.

    The limits are extraction's (max_file_mb, extract_timeout_s): hashing a file is reading it, and a file too
    large or too slow to hash would be too large or too slow to extract."""
    fd, st = _open_regular(path)
    if st.st_size > max_bytes:
        os.close(fd)
        raise Unreadable(_too_large(st.st_size, max_bytes, setting))
    digest, size, deadline = hashlib.sha256(), 0, time.monotonic() + timeout_s
    try:
        with os.fdopen(fd, "rb", buffering=0) as fh:
            while block := fh.read(_BLOCK):
                size += len(block)
                if size > max_bytes:  # it grew while being read
                    raise Unreadable(_too_large(size, max_bytes, setting))
                if time.monotonic() > deadline:
                    raise Unreadable(f"reading it took longer than {timeout_s:g} s (extract_timeout_s)")
                digest.update(block)
    except OSError as exc:
        raise Unreadable(describe_os_error(exc)) from exc
    return digest.hexdigest(), size


def read_small(path: Path, max_bytes: int) -> bytes:
    """The bytes of a small regular file (a register, a groups or ignore file); Unreadable else."""
    fd, st = _open_regular(path)
    if st.st_size > max_bytes:
        os.close(fd)
        raise Unreadable(f"file is {st.st_size / 2**20:.1f} MB; a register or settings file may have "
                         f"{max_bytes / 2**20:g} MB at most")
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise Unreadable(describe_os_error(exc)) from exc
    if len(data) > max_bytes:
        raise Unreadable(f"file grew past {max_bytes / 2**20:g} MB while being read")
    return data


def likely_encoding(data: bytes) -> str:
    """A name for the encoding of bytes that are not UTF-8. Offices save "CSV" from Excel in the Windows code
    page, cp1252 in the West; on a short register charset-normalizer ranks look-alikes first (mac_latin2 and
    cp1250 for a cp1252 file, cp1006 for a Latin-1 one), so cp1252 is named whenever it is among its candidates."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if any("cp1252" in m.could_be_from_charset for m in matches):
        return "cp1252, Windows 'ANSI'"
    return matches[0].encoding if matches else "an unknown encoding"


def decode_register(data: bytes) -> str:
    """A register's text: UTF-8, a byte-order mark dropped; Unreadable (naming the likely encoding) otherwise."""
    if data.startswith(_UTF16_BOMS):
        raise Unreadable("is UTF-16 (Excel's 'Unicode Text'), not UTF-8; save it as 'CSV UTF-8'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Unreadable(f"is not UTF-8 (looks like {likely_encoding(data)}; the first such byte is on line "
                         f"{line}); save it as 'CSV UTF-8'") from None


def decode_lenient(data: bytes) -> tuple[str, str | None]:
    """Text of a small settings file, and a note when it was not UTF-8. A group name mis-decoded from another
    encoding matches no key, so reading one that way can only lock readers out, never let them in."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), f"is not UTF-8; read as {encoding} (save it as UTF-8)"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")
