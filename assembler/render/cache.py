"""An on-disk cache of compiled templates, so a new process does not patch and compile them again.

A template's parts are made into Jinja (docxtpl's tag patching) and compiled to Python code
once; the code objects and the patched source are kept in ``$XDG_CACHE_HOME/assembler/templates``,
with the template's parts as checked (out of the archive, every XML part parsed safely, stored as
UTF-8) and the compressed form of those rendering does not change, so a new process neither
unzips, re-checks nor re-compresses them. The entry is written only for a template that passed
every check, and is found only by the SHA-256 of the template's bytes
(by default ``~/.cache/assembler/templates``; ``ASSEMBLER_CACHE_DIR`` names another folder, and
``ASSEMBLER_NO_CACHE=1`` turns the cache off). An entry is named by a key that covers the
template's bytes and everything that shapes its compiled form: this cache's format, the Python,
Jinja, docxtpl and zlib versions and the source of the rendering engine, so any change to one of them
misses the cache and compiles afresh.

Loading code from a file is running it, so an entry is trusted only from a folder that only this
user can write: the folder is opened without following links and refused unless it is a folder
owned by this user with no access for group or others; an entry must be a regular file owned by
this user that no one else can write, and its contents must match the SHA-256 recorded in it. A
missing, unreadable, damaged or foreign entry, an unwritable folder or any other error means
compiling as if there were no cache: the cache never changes what a build makes or refuses.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path

CACHE_DIR_ENV = "ASSEMBLER_CACHE_DIR"
NO_CACHE_ENV = "ASSEMBLER_NO_CACHE"
#: Raised when the layout of an entry changes.
FORMAT = b"assembler-template-cache 2\n"
#: Largest entry read (a compiled template is a few MB at most).
MAX_ENTRY_BYTES = 256 * 1024 * 1024
_DIGEST = 32
#: Entries kept; past this the least recently written are removed (templates come and go).
MAX_ENTRIES = 64


def cache_dir() -> Path | None:
    """The folder compiled templates are kept in, or None when the cache is off."""
    if os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0"):
        return None
    named = os.environ.get(CACHE_DIR_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        try:
            base = os.path.join(os.path.expanduser("~"), ".cache")
        except (KeyError, RuntimeError):
            return None
        if not os.path.isabs(base):
            return None
    return Path(base) / "assembler" / "templates"


_ENGINE_KEY: bytes | None = None


def _engine_key() -> bytes:
    """What, besides the template, decides the compiled code: format, Python, Jinja, docxtpl and the
    engine's own source (its sandbox and tag handling)."""
    global _ENGINE_KEY
    if _ENGINE_KEY is None:
        import importlib.util
        import zlib

        import jinja2

        from assembler.render import engine

        h = hashlib.sha256(FORMAT)
        h.update(f"{sys.implementation.cache_tag}\0{sys.version}\0{jinja2.__version__}\0"
                 f"{zlib.ZLIB_RUNTIME_VERSION}\0".encode())
        for module in (engine, sys.modules[__name__]):
            h.update(Path(module.__file__).read_bytes())
        spec = importlib.util.find_spec("docxtpl")
        for origin in (spec.submodule_search_locations or []) if spec else []:
            with contextlib.suppress(OSError):
                h.update(Path(origin, "template.py").read_bytes())
        _ENGINE_KEY = h.digest()
    return _ENGINE_KEY


def entry_key(template_sha256: str) -> bytes:
    return hashlib.sha256(_engine_key() + template_sha256.encode("ascii")).digest()


def _private_folder(folder: Path, create: bool) -> int | None:
    """An open descriptor of *folder* if it is a real folder of this user's that no one else can
    enter (created so when *create*), else None."""
    if create:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_entry(key: bytes) -> bytes | None:
    """The payload stored under *key* (32 bytes), or None on any doubt (see the module docstring)."""
    folder = cache_dir()
    if folder is None:
        return None
    dir_fd = _private_folder(folder, create=False)
    if dir_fd is None:
        return None
    try:
        fd = os.open(key.hex(), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        os.close(dir_fd)
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022 \
                or st.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
        head = len(FORMAT)
        if not data.startswith(FORMAT) or len(data) < head + 2 * _DIGEST:
            return None
        stored_key, digest, payload = data[head:head + _DIGEST], data[head + _DIGEST:head + 2 * _DIGEST], \
            data[head + 2 * _DIGEST:]
        if stored_key != key or hashlib.sha256(payload).digest() != digest:
            return None
        return payload
    except Exception:  # noqa: BLE001 - a bad entry is a miss, whatever it is
        return None
    finally:
        os.close(fd)
        os.close(dir_fd)


def write_entry(key: bytes, payload: bytes) -> None:
    """Store *payload* under *key* for the next process; silent on failure."""
    folder = cache_dir()
    if folder is None:
        return
    data = FORMAT + key + hashlib.sha256(payload).digest() + payload
    dir_fd = _private_folder(folder, create=True)
    if dir_fd is None:
        return
    tmp = f".{key.hex()}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                     dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb", closefd=False) as fh:
                fh.write(data)
        finally:
            os.close(fd)
        os.replace(tmp, key.hex(), src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        _prune(dir_fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def _code_parts(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(name, str) and isinstance(v, tuple) and len(v) == 2 and type(v[0]).__name__ == "code"
        and isinstance(v[1], str) for name, v in value.items())


def _bytes_parts(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, bytes) for k, v in value.items())


def _static_parts(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, tuple) and len(v) == 3 and isinstance(v[0], int)
        and isinstance(v[1], int) and isinstance(v[2], bytes) for k, v in value.items())


def load(template_sha256: str) -> dict | None:
    """The cached form of the template with this hash, or None (on any doubt): ``codes`` (part
    name -> (code, patched source)), ``parts`` (name -> bytes, as checked) and ``static`` (name ->
    (CRC-32, size, deflated bytes) of each part rendering does not change)."""
    payload = read_entry(entry_key(template_sha256))
    if payload is None:
        return None
    try:
        entry = marshal.loads(payload)
        if not (isinstance(entry, dict) and _code_parts(entry.get("codes")) and _bytes_parts(entry.get("parts"))
                and _static_parts(entry.get("static"))):
            return None
        return entry
    except Exception:  # noqa: BLE001 - a bad entry is a miss, whatever it is
        return None


def store(template_sha256: str, codes: dict, parts: dict, static: dict) -> None:
    """Keep a checked template's compiled parts, parts and compressed static parts for the next
    process (see `load`); silent on failure."""
    try:
        payload = marshal.dumps({"codes": codes, "parts": parts, "static": static})
    except (ValueError, TypeError):
        return
    write_entry(entry_key(template_sha256), payload)


def _prune(dir_fd: int) -> None:
    """Remove the oldest entries past MAX_ENTRIES."""
    names = [n for n in os.listdir(dir_fd) if len(n) == 2 * _DIGEST]
    if len(names) <= MAX_ENTRIES:
        return
    aged = []
    for name in names:
        with contextlib.suppress(OSError):
            aged.append((os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mtime_ns, name))
    for _mtime, name in sorted(aged)[:len(aged) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
