"""Safe rebuilds: the manifest, unchanged inputs, hand-edited outputs, redlines after a term change."""

from __future__ import annotations

import json

import pytest
from docx import Document

from assembler.build import DOCUMENTS, build
from assembler.docmodel.ooxml import read_package
from assembler.errors import OutputError
from assembler.redline import accept_all, reject_all
from conftest import run_cli, write_termsheet
from inspect_docx import inspect

AGREEMENT, GLOSSARY, CERTIFICATE = (spec.output for spec in DOCUMENTS)


@pytest.fixture
def first(tmp_path):
    sheet = write_termsheet(tmp_path)
    return sheet, build(sheet, tmp_path / "out")


def test_the_manifest_records_inputs_and_outputs(first):
    _, result = first
    data = json.loads((result.out_dir / "manifest.json").read_text())
    assert data["schema"] == "assembler.manifest/1"
    assert set(data["outputs"]) == {AGREEMENT, GLOSSARY, CERTIFICATE}
    assert set(data["templates"]) == {"agreement.docx", "glossary.docx", "certificate.docx"}
    assert data["termsheet"]["series"] == "J" and len(data["termsheet_sha256"]) == 64
    import hashlib
    for name, digest in data["outputs"].items():
        assert hashlib.sha256((result.out_dir / name).read_bytes()).hexdigest() == digest


def test_an_unchanged_rebuild_rewrites_nothing(first, tmp_path):
    sheet, result = first
    stamps = {p: p.stat().st_mtime_ns for p in result.out_dir.iterdir()}
    again = build(sheet, tmp_path / "out")
    assert again.up_to_date and again.written == []
    assert {p: p.stat().st_mtime_ns for p in result.out_dir.iterdir()} == stamps
    proc = run_cli("build", str(sheet), "-o", str(tmp_path / "out"), "--no-check")
    assert proc.returncode == 0 and "up to date" in proc.stdout and "wrote" not in proc.stdout


def _hand_edit(path):
    doc = Document(str(path))
    doc.paragraphs[1].add_run(" Counsel's note: agreed on the call.")
    doc.save(str(path))


def test_a_hand_edited_output_is_never_silently_overwritten(first, tmp_path):
    sheet, result = first
    edited = result.out_dir / AGREEMENT
    _hand_edit(edited)
    before = edited.read_bytes()
    changed = write_termsheet(tmp_path, {"conversion_price": "0.20"}, name="changed.yaml")
    with pytest.raises(OutputError) as err:
        build(changed, tmp_path / "out")
    assert AGREEMENT in str(err.value) and "--force" in str(err.value)
    assert edited.read_bytes() == before
    proc = run_cli("build", str(changed), "-o", str(tmp_path / "out"), "--no-check")
    assert proc.returncode == 2 and "edited since the last build" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert edited.read_bytes() == before


def test_force_keeps_the_edited_copy_beside_the_new_one(first, tmp_path):
    sheet, result = first
    edited = result.out_dir / AGREEMENT
    _hand_edit(edited)
    before = edited.read_bytes()
    forced = build(sheet, tmp_path / "out", force=True)
    kept = forced.kept[AGREEMENT]
    assert kept.name == "securities-purchase-agreement.edited.docx"
    assert kept.read_bytes() == before
    assert "Counsel's note" not in inspect(edited).text
    # the redline shows what the rebuild takes out of the edited copy
    redline_path, lines = forced.redlines[AGREEMENT]
    root = read_package(redline_path).document
    assert any("Counsel's note" in t for t in reject_all(root))
    assert not any("Counsel's note" in t for t in accept_all(root))
    assert lines
    # after --force the manifest matches the disk again: the next build is up to date
    assert build(sheet, tmp_path / "out").up_to_date


def test_a_term_change_rewrites_what_changed_and_writes_a_redline(first, tmp_path):
    sheet, result = first
    old_certificate = inspect(result.out_dir / CERTIFICATE)
    changed = write_termsheet(tmp_path, {"conversion_price": "0.20", "purchaser": {"name": "Other Fund LP"}},
                              name="changed.yaml")
    again = build(changed, tmp_path / "out")
    assert sorted(again.written) == sorted([AGREEMENT, CERTIFICATE])  # the glossary names neither
    assert 'conversion_price: "0.15" -> "0.20"' in again.changes
    assert any(line.startswith("purchaser.name:") for line in again.changes)
    path, lines = again.redlines[CERTIFICATE]
    root = read_package(path).document
    assert accept_all(root) == [p.text for p in inspect(result.out_dir / CERTIFICATE).paragraphs]
    assert reject_all(root) == [p.text for p in old_certificate.paragraphs]
    assert any("I.G.5" in line for line in lines)
    assert GLOSSARY not in again.redlines


def test_an_edit_to_an_output_the_last_build_did_not_make_is_still_caught(tmp_path):
    sheet = write_termsheet(tmp_path)
    first = build(sheet, tmp_path / "out", combined=True)
    package = first.files["deal-package.docx"]
    _hand_edit(package)
    build(sheet, tmp_path / "out")  # without --package: the package file is left alone
    with pytest.raises(OutputError) as err:
        build(sheet, tmp_path / "out", combined=True)
    assert "deal-package.docx" in str(err.value)
