"""Redlines a lawyer reads: places named as a lawyer names them, edited paragraphs marked word by word."""

from __future__ import annotations

from assembler.build import DOCUMENTS, build_package
from assembler.redline import ChangedParagraph, redline
from assembler.termsheet import load_termsheet
from conftest import write_termsheet

AGREEMENT = DOCUMENTS[0].output
US = {"purchaser": {"us_person": True, "name": "Rocky Mountain Capital Partners, L.P.",
                    "signature_chain": ["RMCP GP, LLC, its general partner"],
                    "signatory": {"name": "Dana Whitfield", "title": "Managing Member"}},
      "exemptions": ["section_4_2", "rule_506"]}


def agreement(folder, overrides):
    path = write_termsheet(folder, overrides)
    target = folder / AGREEMENT
    target.write_bytes(build_package(load_termsheet(path))[AGREEMENT])
    return target


def test_a_us_purchaser_redline_names_places_and_marks_words(tmp_path):
    old = agreement(tmp_path / "old", {})
    new = agreement(tmp_path / "new", US)
    summary = redline(old, new, tmp_path / "redline.docx")
    lines = summary.describe()
    assert "Recital B: changed (0 words inserted, 13 deleted)" in lines
    assert not any(line.startswith(("Section B", "Section V.N")) for line in lines), lines
    assert any(line.startswith("Signature page: ") for line in lines), lines
    status = [c for c in summary.changes if c.section == "III.D.2"]
    assert [c.kind for c in status] == ["changed"], status      # not deleted and inserted whole
    assert status[0].words_deleted < 300 and status[0].words_inserted < 100


def test_places_fall_back_to_the_section_number():
    assert ChangedParagraph("changed", "II.A", 1, 1, "x").describe() == "Section II.A: changed (1 word inserted, 1 deleted)"
    assert ChangedParagraph("deleted", "V.N", 0, 3, "x", old_numbering=True, place="signature page").describe() \
        == "Former signature page: deleted (3 words)"
    assert ChangedParagraph("changed", None, 0, 2, "x", place="definition of \u201cAgreement\u201d").describe() \
        == "Definition of \u201cAgreement\u201d: changed (0 words inserted, 2 deleted)"
