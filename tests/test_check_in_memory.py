"""The build checks what it has just rendered from memory, not read back from disk: the findings
must be exactly those of reading the written files, on every variant, with findings and without."""

from __future__ import annotations


import pytest
from lxml import etree

from assembler import batch
from assembler.build import DOCUMENTS, build
from assembler.docmodel.ooxml import Source, read_package
from assembler.render.engine import load_template
from assembler.check.runner import check_paths
from conftest import ROOT

SHEETS = sorted((ROOT / "termsheets").glob("*.yaml")) + sorted((ROOT / "termsheets" / "variants").glob("*.yaml"))


def template_parts(path):
    """The parts of the template the document at *path* was made from."""
    spec = next(s for s in DOCUMENTS if s.output == path.name)
    return load_template(ROOT / "templates" / spec.template).parts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each term sheet built once (sources kept), with its term sheet."""
    out = {}
    for sheet in SHEETS:
        result = build(sheet, out_dir=tmp_path_factory.mktemp(sheet.stem) / "out")
        out[sheet.stem] = (result, result.termsheet)
    return out


def test_every_term_sheet_has_its_documents_in_memory(built):
    assert len(built) >= 4
    for result, _ts in built.values():
        paths = [result.files[spec.output] for spec in DOCUMENTS]
        assert sorted(result.sources) == sorted(paths)
        for path in paths:  # the parts are those of the file written
            source = result.sources[path]
            assert read_package(path).parts == source.parts
            assert list(read_package(path).parts) == list(source.parts)  # in the archive's order
            # the main part's tree is the one its bytes serialise; the template's own parts were checked
            assert etree.tostring(source.parsed["word/document.xml"], xml_declaration=True, encoding="UTF-8",
                                  standalone=True) == source.parts["word/document.xml"]
            assert source.checked and all(source.parts[name] == template_parts(path)[name] for name in source.checked)


@pytest.mark.parametrize("sheet", [s.stem for s in SHEETS])
@pytest.mark.parametrize("against", ["own", "other", "none"])
def test_findings_from_memory_are_the_findings_from_disk(built, sheet, against):
    """With its own term sheet (no findings), another deal's (many: names, amounts, series differ)
    and none (the term-sheet rules off); the package, and the certificate filed alone."""
    result, own = built[sheet]
    other = next(ts for name, (_r, ts) in built.items() if name != sheet and ts.series != own.series) \
        if any(ts.series != own.series for _r, ts in built.values()) else next(
            ts for name, (_r, ts) in built.items() if name != sheet)
    ts = {"own": own, "other": other, "none": None}[against]
    paths = [result.files[spec.output] for spec in DOCUMENTS]
    for chosen in (paths, paths[2:]):
        _p, from_disk = check_paths(chosen, ts)
        _p, from_memory = check_paths(chosen, ts, sources=result.sources)
        assert from_memory == from_disk
        if against == "other" and chosen is paths:
            assert from_disk, "another deal's term sheet must give findings"


def test_a_damaged_part_in_memory_is_the_same_located_error(built, tmp_path):
    """Parts in memory go through the same checks as a file read from disk."""
    from assembler.errors import DocumentError

    result, ts = next(iter(built.values()))
    path = result.files[DOCUMENTS[0].output]
    source = result.sources[path]
    parts = dict(source.parts, **{"word/document.xml": b"<w:document><broken"})
    with pytest.raises(DocumentError) as caught:
        check_paths([path], ts, sources={path: Source(parts)})
    assert str(path) in str(caught.value) and "word/document.xml" in str(caught.value)


def test_a_batch_checks_from_memory_and_finds_what_a_check_of_its_files_finds(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_LIBRARY", str(ROOT / "termsheets"))
    seen = []
    real = check_paths

    def spy(paths, termsheet=None, *args, sources=None, **kwargs):
        seen.append((list(paths), termsheet, dict(sources or {})))
        return real(paths, termsheet, *args, sources=sources, **kwargs)

    monkeypatch.setattr("assembler.check.runner.check_paths", spy)
    result = batch._build_task(str(SHEETS[1]), str(tmp_path), "v", str(ROOT / "templates"))
    assert result.status == batch.OK
    (paths, termsheet, sources), = seen
    assert sorted(sources) == sorted(paths)  # every document from memory
    assert real(paths, termsheet)[1] == real(paths, termsheet, sources=sources)[1]
