"""The on-disk cache of compiled regular expressions: the same patterns, fewer compiles, any doubt a miss."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assembler import patterns
from assembler.render import cache
from conftest import ROOT

SAMPLES = ["Three Million Dollars ($3,000,000)", "Section II.D", "one thousand (1,000) shares", "", "x" * 50,
           "“Purchaser” means Global Ichiban Limited", "pursuant to Rule 506 of Regulation D"]
PATTERNS = [(r"(?P<words>[a-z]+(?:\s+[a-z]+)*)\s+\((?P<fig>[\d,$.]+)\)", re.I), (r"\bSection\s+([IVX]+)\.([A-Z])\b", 0),
            (r"[“\"](?P<t>[^”\"]+)[”\"]\s+means", 0), (r"(?<![\w-])Rule\s+\d+(?:\([a-z]\))?", 0)]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(path))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setattr(patterns, "_read", None)  # as in a new process
    monkeypatch.setattr(patterns, "_PACKAGE", str(Path(__file__).parent) + os.sep)  # these patterns count as the toolkit's
    re.purge()
    yield path
    re.purge()


def _compile_all():
    re.purge()  # past re's own in-process cache, to the compiler
    return [re.compile(p, f) for p, f in PATTERNS]


def _same(a: re.Pattern, b: re.Pattern) -> bool:
    return (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex) and all(
        [m.span() for m in a.finditer(s)] == [m.span() for m in b.finditer(s)] for s in SAMPLES)


def test_a_second_process_takes_the_patterns_from_the_cache_and_they_match_alike(folder, monkeypatch):
    fresh = _compile_all()
    with patterns.cached_patterns():
        _compile_all()  # recorded
    assert len(patterns._load()) == len(PATTERNS)
    patterns._read = None  # a new process reads the entry from disk
    compiled, real = [], patterns._original_compile
    monkeypatch.setattr(patterns, "_original_compile", lambda p, f=0: compiled.append(p) or real(p, f))
    with patterns.cached_patterns():
        again = _compile_all()
    assert compiled == []  # every pattern came from the cache
    assert all(_same(a, b) for a, b in zip(fresh, again, strict=True))


def test_patterns_compiled_outside_an_import_are_not_kept(folder):
    _compile_all()
    with patterns.cached_patterns():
        pass
    assert patterns._load() == {}


@pytest.mark.parametrize("payload", [b"not marshal at all", marshal.dumps(["a list"]),
                                     marshal.dumps({(PATTERNS[1][0], 0): (0, [1, 2, 3], 0, {}, ())}),
                                     marshal.dumps({(PATTERNS[1][0], 0): ("bad", None)}),
                                     # code words the engine refuses
                                     marshal.dumps({(PATTERNS[1][0], 0): (0, b"\xff\xff\x00\x00" * 3, 0, {}, ())}),
                                     marshal.dumps({(PATTERNS[1][0], 0): (0, b"\x01\x02\x03", 0, {}, ())})])
def test_a_damaged_or_forged_entry_is_a_miss_and_compiles_afresh(folder, payload):
    fresh = _compile_all()
    folder.mkdir(mode=0o700)
    cache.write_entry(patterns._key(), payload)
    with patterns.cached_patterns():
        again = _compile_all()
    assert all(_same(a, b) for a, b in zip(fresh, again, strict=True))


def test_a_folder_others_can_write_is_not_used(folder):
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    with patterns.cached_patterns():
        _compile_all()
    assert list(folder.iterdir()) == [] and patterns._load() == {}


def test_patterns_of_other_packages_are_not_kept(folder, monkeypatch):
    # the standard library's tokenizer, for one, builds its pattern from a set: new text each run
    monkeypatch.setattr(patterns, "_PACKAGE", "/nowhere/")
    with patterns.cached_patterns():
        _compile_all()
    assert patterns._load() == {}


def test_the_entry_keeps_only_what_a_process_used_once_it_grows_past_its_bound(folder, monkeypatch):
    monkeypatch.setattr(patterns, "MAX_PATTERNS", 3)
    monkeypatch.setattr(patterns, "_state", {"depth": 0, "entries": None, "added": {}, "used": set()})
    with patterns.cached_patterns():
        re.purge()
        re.compile(r"stale (\d+)")
        re.compile(r"another stale")
    patterns._read = None
    monkeypatch.setattr(patterns, "_state", {"depth": 0, "entries": None, "added": {}, "used": set()})
    with patterns.cached_patterns():
        _compile_all()
    assert sorted(p for p, _ in patterns._load()) == sorted(p for p, _ in PATTERNS)


def test_the_toolkit_imports_its_rules_through_the_cache(tmp_path):
    """A fresh process importing the rules fills the cache; the next compiles (almost) nothing."""
    env = dict(os.environ, **{cache.CACHE_DIR_ENV: str(tmp_path / "c"), "PYTHONPATH": str(ROOT)})
    env.pop(cache.NO_CACHE_ENV, None)
    probe = ("import assembler.patterns as P, marshal\n"
             "n = [0]\nwrite = P.cache.write_entry\n"
             "def counting(key, payload):\n    n[0] = len(marshal.loads(payload))\n    return write(key, payload)\n"
             "P.cache.write_entry = counting\nimport assembler.check.registry\nprint(n[0])\n")
    first, second = (int(subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                                        check=True).stdout) for _ in range(2))
    # the first records the toolkit's patterns; the second finds every one of them and writes nothing
    assert first > 100 and second == 0, (first, second)


def test_yaml_and_jinja_fixed_patterns_are_kept_and_taken_back(tmp_path):
    """The YAML reader's and Jinja's import-time patterns (fixed text) come from the cache in the next
    process, which compiles none of them."""
    env = dict(os.environ, **{cache.CACHE_DIR_ENV: str(tmp_path / "c"), "PYTHONPATH": str(ROOT)})
    env.pop(cache.NO_CACHE_ENV, None)
    probe = ("import os, re, sys\nfrom re import _compiler\nimport assembler.patterns as P\n"
             "compiled = []\nreal = P._original_compile\n"
             "def counting(p, f=0):\n"
             "    frame = sys._getframe(1)\n"
             "    while frame and (frame.f_code.co_filename.startswith(P._RE) or 'patterns.py' in frame.f_code.co_filename):\n"
             "        frame = frame.f_back\n"
             "    if frame and frame.f_code.co_filename.startswith(P._other_packages()):\n"
             "        compiled.append(p)\n"
             "    return real(p, f)\n"
             "P._original_compile = counting\n"
             "import assembler.termsheet.load, assembler.render.engine\nprint(len(compiled))\n")
    first, second = (int(subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                                        check=True).stdout) for _ in range(2))
    assert first >= 5 and second == 0, (first, second)
