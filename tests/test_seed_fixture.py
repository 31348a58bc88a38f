"""Acceptance: the seed package as it stands is flagged at every stray series and every missing section;
the package built from the seed term sheet is clean; reports are byte-for-byte reproducible."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from examples import SEED_TERMSHEET

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_FIXTURES = ["seed-literal.docx", "seed-numbered.docx"]

# Every cross-reference of the seed to a section that does not exist, as it stands in the text.
MISSING = Counter({"Section IV.G": 1, "Section II.A.1": 1, "this Section II.A": 1, "this Section 6": 2})
STRAY_SERIES = 5      # third WHEREAS (twice), Protective Provisions (iii), Mechanics (c), Limitations


def check_json(*args: str) -> tuple[int, dict]:
    proc = run_cli("check", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_the_committed_fixtures_are_what_the_sources_draft(tmp_path):
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_seed_fixtures
    finally:
        sys.path.remove(str(FIXTURES))
    for path in make_seed_fixtures.main(tmp_path):
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), \
            f"{path.name} is stale: run python tests/fixtures/make_seed_fixtures.py"


def test_the_fixture_outlines_say_word_for_word_what_the_seed_says():
    from seedtext import departures, spans

    paragraphs = []
    for name in ("agreement.txt", "glossary.txt", "certificate.txt"):
        for line in (FIXTURES / "seed" / name).read_text(encoding="utf-8").splitlines():
            code, _, text = line.partition("|")
            if not line.startswith("#") and code not in ("J", "PB"):
                paragraphs.append(text)
    assert [str(d) for d in departures(paragraphs)] == []
    # ...and a word changed in an outline would be one.
    edited = [p.replace("requisite corporate power", "requisite power") for p in paragraphs]
    assert [str(d) for d in departures(edited)] == ["[requisite corporate power] -> [requisite power]"]
    assert [t for t, _ in spans("__Title.__ By: ______")] == [None, "title", ".", None, "by", ":", None, None, None]


@pytest.mark.parametrize("fixture", SEED_FIXTURES)
def test_every_stray_series_is_flagged_once(fixture):
    code, report = check_json(str(FIXTURES / fixture))
    assert code == 1
    stray = [f for f in report["findings"] if f["code"].split(".")[0] == "series"]
    assert all("Series G" in f["snippet"] for f in stray), stray
    assert len(stray) == STRAY_SERIES, [(f["section"], f["snippet"]) for f in stray]
    sections = Counter(f["section"] for f in stray)
    assert sections["I.D.1"] == 1 and sections["I.G.1(c)"] == 1 and sections["I.H.1"] == 1, sections


@pytest.mark.parametrize("fixture", SEED_FIXTURES)
def test_every_reference_to_a_missing_section_is_flagged(fixture):
    _code, report = check_json(str(FIXTURES / fixture), "--select", "xref.missing")
    found = Counter(f["snippet"] for f in report["findings"])
    assert found == MISSING


@pytest.mark.parametrize("fixture", SEED_FIXTURES)
def test_the_seeds_misdirected_references_are_flagged(fixture):
    _code, report = check_json(str(FIXTURES / fixture), "--select", "xref.misdirected")
    found = {(f["section"], f["snippet"]) for f in report["findings"]}
    # the purchaser's representations are III.D, and the seed's II.D never defines "Closing"
    assert ("III.C.2", "Section III.C below") in found
    assert any(snippet == "Section II.D" for _, snippet in found)


@pytest.mark.parametrize("fixture", SEED_FIXTURES)
def test_the_seeds_broken_lists_and_double_definitions_are_flagged_and_nothing_the_fixture_made(fixture):
    _code, report = check_json(str(FIXTURES / fixture), "--select", "enum,defs.conflict,defs.variant,leftovers")
    found = Counter(f["code"] for f in report["findings"])
    # "(b) conflict with" after a first item with no (a); "(i) delivery" with no (ii); Trading Day and
    # Trading Market defined in other words by the glossary and by the certificate
    assert found["enum.sequence"] == 2 and found["defs.conflict"] == 2, found
    # the seed is lower case: a case variant or an unbalanced quotation would be the fixture's, not the seed's
    variants = [f["snippet"] for f in report["findings"] if f["code"] == "defs.variant"]
    assert variants == ["Certificate of Designation"], variants
    assert not [f for f in report["findings"] if f["code"].startswith("leftovers")], found


@pytest.mark.parametrize("fixture", SEED_FIXTURES)
def test_the_reports_are_byte_for_byte_reproducible(fixture):
    for fmt in ("json", "text"):
        runs = [run_cli("check", str(FIXTURES / fixture), "--termsheet", str(SEED_TERMSHEET), "--format", fmt)
                for _ in range(2)]
        assert runs[0].stdout == runs[1].stdout and runs[0].stdout
        assert runs[0].returncode == runs[1].returncode == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    proc = run_cli("build", str(SEED_TERMSHEET), "--package", "-o", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no findings in 3 files" in proc.stdout
    folder = out / "ascent-series-j"
    return sorted(folder.glob("*.docx"))


@pytest.mark.parametrize("with_termsheet", [False, True], ids=["plain", "with-termsheet"])
def test_the_package_built_from_the_seed_term_sheet_has_zero_findings(built, with_termsheet):
    extra = ["--termsheet", str(SEED_TERMSHEET)] if with_termsheet else []
    package = [p for p in built if p.name == "deal-package.docx"]
    three = [p for p in built if p.name != "deal-package.docx"]
    assert len(three) == 3 and len(package) == 1
    for files in (three, package):
        code, report = check_json(*map(str, files), *extra)
        assert report["findings"] == [] and code == 0
        assert report["summary"] == {"error": 0, "warning": 0, "info": 0}
