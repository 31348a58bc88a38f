"""Reading a named input safely: only a regular file, never a wait on a FIFO or a device, bounded size.

Every command reads its inputs (documents, templates, term sheets, configurations) through
:func:`read_input`, so a directory, a FIFO, a device, an unreadable, empty or oversized file is one
located error at once, whatever the command.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from assembler.errors import AssemblerError, Location, Problem

#: Largest .docx read, in bytes (a 1,000-page agreement with pictures is a few tens of MB).
MAX_DOCX_BYTES = 256 * 1024 * 1024


def kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_input(path: str | os.PathLike, *, limit: int, what: str, error: type[AssemblerError] = AssemblerError,
               empty_ok: bool = False, missing: str | None = None) -> bytes:
    """The bytes of the regular file *path* (*what* names it in messages: "term sheet", ".docx file").

    Never blocks: the file is opened without waiting and must be a regular file; larger than
    *limit* bytes, or empty unless *empty_ok*, is refused."""
    where = Location(os.fsdecode(path) if not isinstance(path, Path) else str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error(Problem(where, missing or f"no such file (expected a {what})")) from None
    except IsADirectoryError:
        raise error(Problem(where, f"is a directory, not a {what}")) from None
    except PermissionError:
        raise error(Problem(where, "cannot be read (permission denied)")) from None
    except (OSError, ValueError) as exc:  # a NUL in the name, a name too long, a loop of links...
        reason = getattr(exc, "strerror", None) or str(exc)
        raise error(Problem(where, f"cannot be read ({reason})")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(Problem(where, f"is {kind_of(info.st_mode)}, not a {what}"))
        if info.st_size > limit:
            raise error(Problem(where, f"is larger than {limit:,} bytes; refused as a {what}"))
        chunks, got = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            got += len(chunk)
            if got > limit:
                raise error(Problem(where, f"is larger than {limit:,} bytes; refused as a {what}"))
            chunks.append(chunk)
    except OSError as exc:
        raise error(Problem(where, f"cannot be read ({exc.strerror or exc})")) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if not data and not empty_ok:
        raise error(Problem(where, f"is empty, not a {what}"))
    return data


def check_output(path: Path, error: type[AssemblerError], *, folder: bool) -> None:
    """Refuse an output path that exists as something it cannot be replaced with: for a *folder*,
    anything but a folder; for a file, anything but a regular file (a folder, a FIFO, a device)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise error(Problem(Location(str(path)), f"cannot be written "
                                                 f"({getattr(exc, 'strerror', None) or exc})")) from None
    if folder and not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else kind_of(info.st_mode)
        raise error(Problem(Location(str(path)), f"is {kind}, not a folder; choose another output folder"))
    if not folder and not stat.S_ISREG(info.st_mode):
        raise error(Problem(Location(str(path)), f"is {kind_of(info.st_mode)}, not a file; it cannot be replaced"))
