"""The style names and numbering engine the reader keeps for the styles and numbering parts it has read
before (a batch reads many documents built from one template) give the model built without them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from assembler.docmodel import ooxml, parse
from assembler.docmodel.ooxml import Source, qn, read_package
from model_dump import corpus_files, dump_files, fixture_files

DOCUMENTS = fixture_files() + corpus_files()


@pytest.fixture
def nothing_kept(monkeypatch):
    monkeypatch.setattr(parse, "_SHARED", {})
    monkeypatch.setattr(parse, "_SHARED_MAX_BYTES", -1)


def fresh_dumps(paths, monkeypatch) -> list[dict]:
    with monkeypatch.context() as m:
        nothing_shared(m)
        return [d for p in paths for d in dump_files([p])]


def nothing_shared(m) -> None:
    m.setattr(parse, "_SHARED", {})
    m.setattr(parse, "_SHARED_MAX_BYTES", -1)
    m.setattr(ooxml, "_RELATIONSHIPS", {})
    m.setattr(ooxml, "_RELATIONSHIPS_MAX_BYTES", -1)


def test_documents_read_after_others_are_the_documents_read_alone(monkeypatch):
    alone = fresh_dumps(DOCUMENTS, monkeypatch)
    monkeypatch.setattr(parse, "_SHARED", {})
    for order in (DOCUMENTS, DOCUMENTS[::-1], DOCUMENTS + DOCUMENTS):
        dumps = {d["path"]: d for p in order for d in dump_files([p])}
        assert [dumps[d["path"]] for d in alone] == alone
    assert len(parse._SHARED) <= parse._SHARED_MOST


def test_variants_of_one_template_read_from_memory_are_read_as_alone(tmp_path, monkeypatch):
    from model_dump import build_sample

    built = [build_sample(tmp_path / name) for name in ("one", "two")]
    paths = [p for b in built for p in sorted(b.sources)]
    alone = [d for b in built for p in sorted(b.sources) for d in _with(monkeypatch, p, b.sources)]
    monkeypatch.setattr(parse, "_SHARED", {})
    monkeypatch.setattr(ooxml, "_RELATIONSHIPS", {})
    together = [d for p in sorted(built[0].sources) for d in dump_files([p], built[0].sources)]
    kept = len(parse._SHARED)
    together += [d for p in sorted(built[1].sources) for d in dump_files([p], built[1].sources)]
    assert together == alone and len(paths) == len(together)
    assert len(parse._SHARED) == kept   # the second variant builds nothing again
    assert 0 < len(ooxml._RELATIONSHIPS) <= ooxml._RELATIONSHIPS_MOST


def test_relationships_kept_are_the_relationships_read(monkeypatch):
    monkeypatch.setattr(ooxml, "_RELATIONSHIPS", {})
    for path in DOCUMENTS:
        parts = read_package(path).parts
        for name in [n for n in parts if n.endswith(".rels")]:
            folder = name.rsplit("/_rels/", 1)[0] if "/_rels/" in name else ""
            for base in (folder, "", "other/folder"):   # the same bytes read from another folder
                expected = ooxml._read_relationships(ooxml.Package(path, parts), name, base)
                for _ in range(2):
                    found = ooxml._relationships(ooxml.Package(path, parts), name, base)
                    assert found == expected
                    found.append(("changed", "by the caller"))
        assert len(ooxml._RELATIONSHIPS) <= ooxml._RELATIONSHIPS_MOST


def _with(monkeypatch, path, sources):
    with monkeypatch.context() as m:
        nothing_shared(m)
        return dump_files([path], sources)


def without_paragraphs(parts: dict[str, bytes]) -> dict[str, bytes]:
    """*parts* with a body of no paragraph."""
    document = etree.fromstring(parts["word/document.xml"])
    body = document.find(qn("w:body"))
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return {**parts, "word/document.xml": etree.tostring(document)}


def test_a_tree_the_caller_gave_is_not_kept(monkeypatch):
    monkeypatch.setattr(parse, "_SHARED", {})
    path = fixture_files()[1]
    expected = fresh_dumps([path], monkeypatch)
    parts = read_package(path).parts
    trees = {name: etree.fromstring(parts[name]) for name in ("word/styles.xml", "word/numbering.xml")}
    dump_files([path], {Path(path): Source(without_paragraphs(parts), trees)})   # no list used yet
    for root in trees.values():
        for element in root.iter(qn("w:lvl"), qn("w:style")):
            for child in list(element):
                element.remove(child)   # the caller changes its trees after the read
    assert dump_files([path]) == expected


def test_documents_of_one_styles_part_and_two_numbering_parts_are_read_apart(monkeypatch):
    monkeypatch.setattr(parse, "_SHARED", {})
    path = fixture_files()[1]
    parts = read_package(path).parts
    numbering = parts["word/numbering.xml"].replace(b'w:val="decimal"', b'w:val="upperRoman"')
    assert numbering != parts["word/numbering.xml"]
    other = Path(path)
    sources = {other: Source({**parts, "word/numbering.xml": numbering})}
    expected = [fresh_dumps([path], monkeypatch), _with(monkeypatch, other, sources)]
    assert expected[0] != expected[1]
    assert [dump_files([path]), dump_files([other], sources)] == expected


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(parse, "_SHARED", {})
    monkeypatch.setattr(parse, "_SHARED_MOST", 2)
    for path in DOCUMENTS:
        dump_files([path])
        assert len(parse._SHARED) <= 2
    monkeypatch.setattr(parse, "_SHARED", {})
    monkeypatch.setattr(parse, "_SHARED_MAX_BYTES", 10)
    dump_files([DOCUMENTS[0]])
    assert parse._SHARED == {}


def test_a_list_the_numbering_does_not_define_is_not_kept(monkeypatch):
    monkeypatch.setattr(parse, "_SHARED", {})
    path = fixture_files()[0]
    dump_files([path])
    (_names, engine), = parse._SHARED.values()
    known = dict(engine._nums)
    assert engine._num("no-such-list") is None
    assert engine._nums == known
