"""Compiled regular expressions kept on disk, so a new process does not compile them again.

The rules compile a few hundred patterns when they are imported (number words, defined-term forms,
citations); Python's own compiler is written in Python and takes a sizeable share of a cold
command to do it. While a module of the toolkit is being imported, each pattern compiled is looked
up in one cache entry (in the folder of :mod:`assembler.render.cache`, trusted on the same terms:
a private folder, a hash-checked entry, any doubt a miss). A hit is handed to the regular
expression engine as Python's compiler would hand it (``_sre.compile`` with the compiled code,
which the engine validates); a miss is compiled as usual and recorded, and the entry is rewritten
once the outermost import ends. The entry's key covers the Python version and the engine's
format, so another Python never reads it. Patterns compiled while a command runs (from the terms a
document defines, say) are not kept: only import-time ones, a fixed set, and nothing of a
document's text ever reaches the cache. The YAML reader and Jinja, which the toolkit imports,
compile fixed patterns of their own at import, and those are kept too; other packages' are not
(the standard library's tokenizer, for one, builds its pattern from a set, in a new order each run).
The compiled code is stored as the engine's machine words, which load as one block.

Nothing changes what a pattern matches: the same code is given to the same engine, and a pattern
the cache cannot give back is compiled afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import marshal
import os
import re
import sys
import threading

from array import array

import _sre
from re import _compiler

from assembler.render import cache

_LOCK = threading.RLock()
# entries: what the cache holds (read once a process), or None while no import is running;
# added: patterns compiled since the entry was last written; used: keys hit or added.
_state = {"depth": 0, "entries": None, "added": {}, "used": set()}
_read: dict | None = None
#: Past this many patterns the entry keeps only those the last process used (the toolkit has a
#: few hundred; a pattern whose text changes from run to run must not grow it for ever).
MAX_PATTERNS = 1000
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_RE = os.path.dirname(os.path.abspath(re.__file__)) + os.sep
#: Packages the toolkit imports whose import-time patterns are fixed text (kept like the toolkit's).
FIXED_PATTERN_PACKAGES = ("yaml", "jinja2")
_others: tuple[str, ...] | None = None
#: The array type whose items are the engine's code words.
_WORD = next((t for t in "IL" if array(t).itemsize == _sre.CODESIZE), None)


def _other_packages() -> tuple[str, ...]:
    """The folders of FIXED_PATTERN_PACKAGES (found without importing them)."""
    global _others
    if _others is None:
        import importlib.util

        folders = []
        for name in FIXED_PATTERN_PACKAGES:
            with contextlib.suppress(ImportError, ValueError):
                spec = importlib.util.find_spec(name)
                folders += [os.path.abspath(f) + os.sep for f in (spec.submodule_search_locations or [])] if spec else []
        _others = tuple(folders)
    return _others


def _from_toolkit() -> bool:
    """Whether the pattern being compiled is the toolkit's own or one of FIXED_PATTERN_PACKAGES' (not
    the standard library's or another package's, some of which build their patterns from sets, in a
    new order each run)."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith(_RE)
                                 or frame.f_code.co_filename.endswith("functools.py")):
        frame = frame.f_back
    if frame is None:
        return False
    name = frame.f_code.co_filename
    return name.startswith(_PACKAGE) or name.startswith(_other_packages())


def _key() -> bytes:
    return hashlib.sha256(b"assembler-patterns 2\0" + sys.version.encode() +
                          f"\0{_sre.MAGIC}\0{_sre.CODESIZE}".encode()).digest()


def _load() -> dict:
    payload = cache.read_entry(_key())
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - a bad entry is a miss
        return {}
    return entries if isinstance(entries, dict) else {}


def _valid(args) -> bool:
    """A recorded compile: (flags, code words, groups, groupindex, indexgroup) of the expected types."""
    return (isinstance(args, tuple) and len(args) == 5 and isinstance(args[0], int)
            and isinstance(args[1], bytes) and len(args[1]) % _sre.CODESIZE == 0 and isinstance(args[2], int)
            and isinstance(args[3], dict) and isinstance(args[4], tuple))


def _words(code: bytes) -> list[int]:
    words = array(_WORD)
    words.frombytes(code)
    return words.tolist()


_original_compile = _compiler.compile


def _compile(p, flags=0):
    """re's compiler, taking import-time patterns from the cache and recording the others."""
    entries = _state["entries"]
    if entries is None or not isinstance(p, (str, bytes)) or flags & re.DEBUG or _WORD is None:
        return _original_compile(p, flags)
    key = (p, int(flags))
    hit = entries.get(key)
    if hit is not None and _valid(hit):
        try:
            compiled = _sre.compile(p, hit[0], _words(hit[1]), *hit[2:])
            _state["used"].add(key)
            return compiled
        except Exception:  # noqa: BLE001 - the engine refused the code: compile afresh
            pass
    if not _from_toolkit():
        return _original_compile(p, flags)
    seen = []
    real = _sre.compile

    def spy(*args):
        seen.append(args)
        return real(*args)

    with _LOCK:
        _sre.compile = spy
        try:
            pattern = _original_compile(p, flags)
        finally:
            _sre.compile = real
    if len(seen) == 1 and seen[0][0] == p and len(seen[0]) == 6 and isinstance(seen[0][2], list):
        flags_, code, groups, groupindex, indexgroup = seen[0][1:]
        with contextlib.suppress(OverflowError, TypeError):  # the code as the engine's words, in one block
            recorded = (int(flags_), array(_WORD, code).tobytes(), int(groups), dict(groupindex), tuple(indexgroup))
            if _valid(recorded):
                _state["added"][key] = recorded
                _state["used"].add(key)
    return pattern


@contextlib.contextmanager
def cached_patterns():
    """Within: patterns compiled take their compiled form from the cache (re-entrant)."""
    global _read
    with _LOCK:
        if _state["depth"] == 0:
            if _read is None or cache.cache_dir() is None:
                _read = _load() if cache.cache_dir() is not None else None
            _state["entries"], _state["added"] = _read, {}
            if _read is not None:
                _compiler.compile = _compile
        _state["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                _compiler.compile = _original_compile
                entries, added, used = _state["entries"], _state["added"], _state["used"]
                _state["entries"], _state["added"] = None, {}
                if added and entries is not None:
                    _read = {**entries, **added}
                    if len(_read) > MAX_PATTERNS:
                        _read = {k: v for k, v in _read.items() if k in used}
                    with contextlib.suppress(ValueError, TypeError):
                        cache.write_entry(_key(), marshal.dumps(_read))


class _Loader:
    """Runs a toolkit module's import with the pattern cache on (a loader as the import system
    calls one; importlib.abc is not imported for its base class: it loads importlib.resources)."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        with cached_patterns():
            self.inner.exec_module(module)

    def __getattr__(self, name):  # get_code, get_source, is_package ... as the file loader has them
        return getattr(self.inner, name)


class _Finder:
    """Finds the toolkit's modules as the path finder does, and loads them through `_Loader`."""

    def find_spec(self, name, path, target=None):
        if not name.startswith("assembler."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None and not isinstance(spec.loader, _Loader):
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Import the toolkit's modules with the pattern cache on (once per process)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
