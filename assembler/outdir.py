"""A build's output folder: one build at a time, and a plain record of a build that did not finish.

Each file is replaced atomically, but a build writes several; a build killed between two renames
leaves a mix of new and old files that must not go out as one package. So a build first records,
in ``.build-incomplete.json``, the hashes of the files it is about to write, and removes that
record only once every file and the manifest are in place. While the record is there the folder
says plainly that its last build did not finish (``assembler build`` and ``assembler check`` say
so too), and the next build knows the files it finds with those hashes are the tool's own, not
hand edits. A lock file keeps two builds of one folder from interleaving; temporary files a killed
build left are removed by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
from pathlib import Path

from assembler.errors import Location, OutputError, Problem
from assembler.render.write import atomic_write
from assembler.safeio import check_output

LOCK = ".assembler.lock"
INCOMPLETE = ".build-incomplete.json"
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # atomic_write's temporary files: .NAME.XXXXXXXX.tmp


@contextlib.contextmanager
def locked(out_dir: Path):
    """Hold *out_dir*'s lock for the duration (another build of the folder is refused, at once)."""
    out_dir = Path(out_dir)
    check_output(out_dir, OutputError, folder=True)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise OutputError(Problem(Location(str(out_dir)), f"cannot write the output folder: {exc.strerror or exc}")) \
            from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise OutputError(Problem(Location(str(out_dir)), "another build is writing this folder now; "
                                                                  "wait for it to finish, then build again")) from None
            raise OutputError(Problem(Location(str(out_dir)), f"cannot lock the output folder: {exc.strerror}")) \
                from None
        try:
            same = os.stat(out_dir / LOCK).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if not same:  # the holder removed it as we took it; refuse rather than race a newer lock
            raise OutputError(Problem(Location(str(out_dir)), "another build is writing this folder now; "
                                                              "wait for it to finish, then build again"))
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(out_dir / LOCK)  # the folder holds only outputs between builds
    finally:
        os.close(fd)  # closing releases the lock; a killed build's lock is released by the kernel


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Temporary files a killed build left in *out_dir* and its redlines/ (call with the lock held)."""
    removed = []
    for folder in (Path(out_dir), Path(out_dir) / "redlines"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _TEMP.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)
                    removed.append(folder / name)
    return removed


def incomplete(out_dir: Path) -> dict[str, str] | None:
    """The hashes an unfinished build was writing (name -> sha256); None when the last build finished.

    A damaged record still says the build did not finish (an empty mapping)."""
    path = Path(out_dir) / INCOMPLETE
    try:
        data = json.loads(path.read_bytes()[:1_000_000])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {k: v for k, v in outputs.items() if isinstance(k, str) and isinstance(v, str)}


def begin(out_dir: Path, hashes: dict[str, str]) -> None:
    """Record that a build is about to replace these files (before the first is replaced)."""
    note = "The last build of this folder did not finish: its files may be a mix of old and new versions. " \
           "Build again before using them."
    atomic_write(Path(out_dir) / INCOMPLETE,
                 (json.dumps({"note": note, "outputs": dict(sorted(hashes.items()))}, indent=2) + "\n").encode())


def finish(out_dir: Path) -> None:
    """Every file of the build is in place: remove the record."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(Path(out_dir) / INCOMPLETE)


def unfinished_note(folder: Path) -> str:
    return (f"{folder}: the last build of this folder did not finish (interrupted); its files may be a mix of "
            "old and new versions")
