"""Reproducible, atomic output: fixed zip entry order and timestamps, pinned metadata, rename-into-place."""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assembler.errors import Location, OutputError, Problem
from assembler.safeio import check_output

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"
FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1      # 1980-01-01 00:00:00, the zip epoch
_LOCAL = struct.Struct("<IHHHHHIIIHH")                  # a local file header
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHI")           # a central directory record up to its offset
_OFFSET = struct.Struct("<I")


@dataclass(frozen=True)
class ZipEntry:
    """One zip member, already deflated: compress once, write into as many archives as needed."""

    name: str
    crc: int
    size: int
    deflated: bytes
    # what `write_zip` writes of the entry besides its data: the local header (with the name), and the
    # central directory record before and after its offset, made once with the entry
    local: bytes = field(init=False, repr=False, compare=False)
    central: tuple[bytes, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = self.name.encode("utf-8")
        flags = 0x800 if not raw.isascii() else 0
        object.__setattr__(self, "local", _LOCAL.pack(0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE, self.crc,
                                                      len(self.deflated), self.size, len(raw), 0) + raw)
        object.__setattr__(self, "central", (_CENTRAL.pack(0x02014B50, 20, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                                                           self.crc, len(self.deflated), self.size, len(raw), 0, 0,
                                                           0, 0, 0o644 << 16), raw))

    @classmethod
    def of(cls, name: str, data: bytes, level: int = 6) -> ZipEntry:
        """Deflate *data*; parts written once per template take the default level, parts written
        on every render take level 1 (three times faster, a few per cent larger)."""
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name, zlib.crc32(data), len(data), packer.compress(data) + packer.flush())


def zip_order(names: Iterable[str]) -> list[str]:
    """The order parts are written in: [Content_Types].xml and the package relationships first, then by name."""
    names = set(names)
    return [n for n in FIRST_ENTRIES if n in names] + sorted(n for n in names if n not in FIRST_ENTRIES)


def write_zip(entries: Iterable[ZipEntry]) -> bytes:
    """A zip archive with a fixed entry order ([Content_Types].xml first), timestamps and attributes."""
    by_name = {e.name: e for e in entries}
    return write_ordered([by_name[name] for name in zip_order(by_name)])


def write_ordered(entries: list[ZipEntry]) -> bytes:
    """`write_zip` of *entries* already in `zip_order` (one entry a name)."""
    out, central, offset = [], [], 0
    for e in entries:
        out.append(e.local)
        out.append(e.deflated)
        head, raw = e.central
        central.append(head + _OFFSET.pack(offset) + raw)
        offset += len(e.local) + len(e.deflated)
    size = sum(map(len, central))
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, offset, 0)
    return b"".join([*out, *central, end])


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with a fixed entry order, fixed timestamps and fixed attributes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return write_zip(ZipEntry.of(info.filename, src.read(info)) for info in src.infolist())


def pin_core_properties(doc, when: dt.datetime | None = None) -> None:
    """docProps/core.xml: created/modified/printed dates fixed (*when*, by default 2000-01-01) so
    identical input gives identical bytes."""
    props = doc.core_properties
    props.created = props.modified = props.last_printed = when or FIXED_TIME
    props.revision = 1
    props.last_modified_by = ""


def docx_bytes(doc, when: dt.datetime | None = None) -> bytes:
    """The reproducible bytes of a python-docx Document (dates pinned to *when*)."""
    pin_core_properties(doc, when)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue())


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside *path*, then rename over it: never a half-written file."""
    path = Path(path)
    check_output(path, OutputError, folder=False)
    try:
        fd, tmp = _temporary_beside(path)
    except OSError as exc:
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None
    try:
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in *path*'s folder (made first if missing): its descriptor and name. The
    folder is made only when the file cannot be made in it as it is (it is almost always there)."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of *data* to the file *fd* (a write may take only part of them)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def save_docx(doc, path: Path) -> bytes:
    """Save a python-docx Document reproducibly and atomically; return the bytes written."""
    data = docx_bytes(doc)
    atomic_write(path, data)
    return data
