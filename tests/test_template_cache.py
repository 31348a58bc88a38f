"""The on-disk cache of compiled templates: same output with and without it, and any doubtful entry
or folder is ignored (compiled afresh), never trusted."""

from __future__ import annotations

import os
import stat

import pytest

from assembler.build import DOCUMENTS, TEMPLATES_DIR, build_package
from assembler.render import cache, engine
from assembler.termsheet import load_termsheet
from examples import SEED_TERMSHEET

AGREEMENT = TEMPLATES_DIR / "agreement.docx"


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(folder))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return folder


def fresh(path=AGREEMENT) -> engine.Template:
    """A new Template object (not the process-wide one), so the disk cache is consulted."""
    return engine.Template(path)


def entries(folder):
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def test_a_cached_template_renders_the_same_bytes(cache_folder, monkeypatch):
    ts = load_termsheet(SEED_TERMSHEET)
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    engine._TEMPLATES.clear()
    uncached = build_package(ts)
    assert entries(cache_folder) == []
    monkeypatch.delenv(cache.NO_CACHE_ENV)
    engine._TEMPLATES.clear()
    first = build_package(ts)  # compiles and stores
    assert len(entries(cache_folder)) == len(DOCUMENTS)
    engine._TEMPLATES.clear()
    calls = []
    monkeypatch.setattr(engine.Template, "_compile", lambda self, xml: calls.append(xml))
    second = build_package(ts)  # loads from the cache, compiles nothing
    assert calls == []
    assert uncached == first == second
    engine._TEMPLATES.clear()


def test_the_folder_and_entries_are_private(cache_folder):
    fresh()
    assert stat.S_IMODE(cache_folder.stat().st_mode) & 0o077 == 0
    for entry in entries(cache_folder):
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def _compiles(monkeypatch) -> list:
    calls = []
    original = engine.Template._compile

    def counting(self, xml):
        calls.append(1)
        return original(self, xml)

    monkeypatch.setattr(engine.Template, "_compile", counting)
    return calls


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_entry_is_compiled_afresh_and_replaced(cache_folder, monkeypatch, damage):
    reference = fresh()
    (entry,) = entries(cache_folder)
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "empty":
        data = b""
    else:
        data = os.urandom(len(data))
    entry.write_bytes(bytes(data))
    calls = _compiles(monkeypatch)
    template = fresh()
    assert calls  # the entry was not trusted
    assert template._compiled.keys() == reference._compiled.keys()
    assert entry.read_bytes() != bytes(data)  # and was written again


def test_an_entry_others_can_write_is_not_trusted(cache_folder, monkeypatch):
    fresh()
    (entry,) = entries(cache_folder)
    entry.chmod(0o666)
    calls = _compiles(monkeypatch)
    fresh()
    assert calls


def test_a_folder_others_can_enter_is_not_used(cache_folder, monkeypatch):
    fresh()
    cache_folder.chmod(0o777)
    calls = _compiles(monkeypatch)
    fresh()
    assert calls


def test_a_linked_entry_is_not_followed(cache_folder, monkeypatch, tmp_path):
    fresh()
    (entry,) = entries(cache_folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    calls = _compiles(monkeypatch)
    fresh()
    assert calls


def test_a_linked_folder_is_not_used(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(link))
    fresh()
    assert entries(real) == []


def test_an_entry_for_another_template_is_not_used(cache_folder, monkeypatch):
    fresh()
    (entry,) = entries(cache_folder)
    other = TEMPLATES_DIR / "glossary.docx"
    key = cache.entry_key(engine.Template(other).sha256).hex()
    (cache_folder / key).write_bytes(entry.read_bytes())  # the agreement's code under the glossary's name
    (cache_folder / key).chmod(0o600)
    calls = _compiles(monkeypatch)
    fresh(other)
    assert calls


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocked / "cache"))
    template = fresh()
    assert template._compiled


def test_old_entries_are_removed_past_the_limit(cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for spec in DOCUMENTS:
        fresh(TEMPLATES_DIR / spec.template)
    assert len(entries(cache_folder)) == 2


def test_the_cache_can_be_turned_off(cache_folder, monkeypatch):
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    fresh()
    assert not cache_folder.exists()


def test_a_cached_template_is_neither_unzipped_nor_checked_nor_compressed_again(cache_folder, monkeypatch):
    reference = fresh()
    calls = []
    for name, owner in (("read_parts", engine), ("_check_parts", engine.Template)):
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    real_of = engine.ZipEntry.of
    monkeypatch.setattr(engine.ZipEntry, "of", classmethod(
        lambda cls, name, data, level=6: calls.append(("deflate", name)) or real_of(name, data, level)))
    template = fresh()
    assert calls == []
    assert template.parts == reference.parts and template._static == reference._static


def test_the_paragraph_limit_holds_for_a_cached_template(cache_folder, monkeypatch):
    fresh()  # cached under the default limit
    monkeypatch.setenv("ASSEMBLER_MAX_PARAGRAPHS", "10")
    with pytest.raises(engine.TemplateError, match="more than the limit of 10 for a template"):
        fresh()


def test_an_entry_whose_parts_disagree_is_not_used(cache_folder, monkeypatch):
    reference = fresh()
    entry = cache.load(reference.sha256)
    entry["static"].pop(next(iter(entry["static"])))
    cache.store(reference.sha256, entry["codes"], entry["parts"], entry["static"])
    calls = _compiles(monkeypatch)
    template = fresh()
    assert calls and template._static == reference._static
