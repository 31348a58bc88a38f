"""Reproducible, atomic output: fixed zip entry order and timestamps, pinned metadata, rename-into-place."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

from assembler.errors import Location, OutputError, Problem

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with a fixed entry order, fixed timestamps and fixed attributes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = src.namelist()
        order = [n for n in FIRST_ENTRIES if n in names] + sorted(n for n in names if n not in FIRST_ENTRIES)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 0
                dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


def pin_core_properties(doc) -> None:
    """docProps/core.xml: created/modified/printed dates fixed so identical input gives identical bytes."""
    props = doc.core_properties
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    props.last_modified_by = ""


def docx_bytes(doc) -> bytes:
    """The reproducible bytes of a python-docx Document."""
    pin_core_properties(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue())


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside *path*, then rename over it: never a half-written file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(Problem(Location(str(path)), f"cannot write: {exc.strerror or exc}")) from None


def save_docx(doc, path: Path) -> bytes:
    """Save a python-docx Document reproducibly and atomically; return the bytes written."""
    data = docx_bytes(doc)
    atomic_write(path, data)
    return data
