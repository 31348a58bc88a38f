"""`assembler build`, `schema` and `dump` as a user runs them: located errors, exit codes, PDF."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from assembler.build import PACKAGE_OUTPUT, build_package
from assembler.drafting import draft_document
from assembler.errors import TemplateError
from assembler.render.write import save_docx
from assembler.termsheet import load_termsheet
from conftest import run_cli, write_termsheet
from examples import SEED_TERMSHEET
from inspect_docx import inspect

SEED_TEXT = SEED_TERMSHEET.read_text(encoding="utf-8")


def bad_termsheet(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SEED_TEXT, old
    path = tmp_path / "bad.yaml"
    path.write_text(SEED_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


@pytest.mark.parametrize("old,new,fragment,expected", [
    ("series: J", "series: [J", None, r"YAML syntax error: .*started at line 28"),
    ("  shares: 3000                        # illustrative", "  shares: lots", "shares: lots",
     r"purchase\.shares: .*whole number"),
    ("  entity_type: corporation\n", "", None, r"company: .*entity_type"),
    ("  state: Delaware", "  state: Nevada", "state: Nevada", r"company\.state: .*Delaware General Corporation Law"),
    ("dividend_rate:", "dividend_rat:", "dividend_rat:", r"did you mean 'dividend_rate'"),
    ("  - {date: 2015-11-27, shares: 500}", "  - {date: 2015-11-27, shares: 400}", None,
     r"closings.*add up|closings.*3,?000|closings.*2,?900"),
])
def test_a_bad_term_sheet_gives_a_located_error_and_exit_2(tmp_path, old, new, fragment, expected):
    path = bad_termsheet(tmp_path, old, new)
    proc = run_cli("build", str(path), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(expected, proc.stderr), proc.stderr
    first = proc.stderr.splitlines()[0]
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", first), first
    if fragment:
        assert f":{line_of(path, fragment)}:" in first
    assert not (tmp_path / "out").exists()


def test_all_errors_are_reported_at_once(tmp_path):
    text = SEED_TEXT.replace("dividend_rate:", "dividend_rat:").replace("series: J", "series: JJ")
    path = tmp_path / "two.yaml"
    path.write_text(text)
    proc = run_cli("build", str(path))
    assert proc.returncode == 2
    assert "dividend_rat" in proc.stderr and "series" in proc.stderr


def test_a_missing_term_sheet_is_a_clear_error(tmp_path):
    proc = run_cli("build", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nope.yaml" in proc.stderr


def test_build_command_writes_the_package(tmp_path):
    proc = run_cli("build", str(SEED_TERMSHEET), "-o", str(tmp_path), "--package", "--no-check")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "ascent-series-j"
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "securities-purchase-agreement.docx", "exhibit-1-glossary-of-defined-terms.docx",
        "exhibit-2-certificate-of-designations.docx", PACKAGE_OUTPUT, "manifest.json"])


def test_schema_is_json_schema_of_the_term_sheet():
    proc = run_cli("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"series", "closings", "purchaser", "mandatory_redemption"} <= set(schema["properties"])


def test_dump_shows_a_template_with_its_tags():
    proc = run_cli("dump", "templates/agreement.docx")
    assert proc.returncode == 0
    assert "[SPA Level 2] D. {{ anchor.closing }}" in proc.stdout
    assert "{{ ref.conditions }}" in proc.stdout


# --- template errors name the template and the label ---------------------------------------------

def _template_dir(tmp_path: Path, agreement_lines: list[str]) -> Path:
    folder = tmp_path / "templates"
    root = Path(__file__).resolve().parent.parent / "templates"
    folder.mkdir()
    for name in ("glossary.docx", "certificate.docx"):
        shutil.copy(root / name, folder / name)
    save_docx(draft_document(agreement_lines, prefix="SPA"), folder / "agreement.docx")
    return folder


@pytest.mark.parametrize("lines,message", [
    (["1|{{ anchor.closing }}Closing.", "1|See Section {{ ref.clossing }}."], "unknown label 'clossing'"),
    (["1|{{ anchor.closing }}Closing.", "1|{{ anchor.closing }}Again."], "duplicate label 'closing'"),
    (["B|{{ anchor.closing }}Not numbered."], "has no list number"),
    (["1|{{ anchor.closing }}Closing {{ undefined_value }}."], "unknown value"),
    (["1|{{ anchor.closing }}Closing {% if %}."], "template error"),
])
def test_template_mistakes_are_build_errors_naming_the_template(tmp_path, lines, message):
    folder = _template_dir(tmp_path, lines + ["1|{{ anchor.regulatory_permits }}{{ anchor.purchase_amount }}x"])
    with pytest.raises(TemplateError) as err:
        build_package(load_termsheet(SEED_TERMSHEET), folder)
    text = str(err.value)
    assert message in text
    assert str(folder / "agreement.docx") in text


# --- PDF through LibreOffice ---------------------------------------------------------------------

def _need_libreoffice():
    if shutil.which("soffice") and shutil.which("pdftotext"):
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice and pdftotext must be installed in CI (.ci/run installs them)")
    pytest.skip("LibreOffice (soffice) or pdftotext not installed")


def test_libreoffice_shows_the_same_section_numbers_as_the_cached_fields(tmp_path):
    _need_libreoffice()
    proc = run_cli("build", str(SEED_TERMSHEET), "-o", str(tmp_path), "--package", "--pdf", "--no-check",
                   timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "ascent-series-j"
    pdf = out / "deal-package.pdf"
    assert pdf.exists(), proc.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", " ", text)
    cached = Counter(c for _, c, _ in inspect(out / PACKAGE_OUTPUT).refs)
    shown = Counter(re.findall(r"Section ((?:[IVX]+)(?:\.[A-Z](?:\.\d+)?)?)\b", text))
    assert cached, "the package has REF fields"
    assert shown == cached
    for name in ("securities-purchase-agreement", "exhibit-1-glossary-of-defined-terms",
                 "exhibit-2-certificate-of-designations"):
        assert (out / f"{name}.pdf").exists()


def test_pdf_without_libreoffice_says_so_plainly(tmp_path):
    env_path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(tmp_path)  # no soffice here
        from assembler.build import build
        result = build(write_termsheet(tmp_path), tmp_path / "out", pdf=True)
    finally:
        os.environ["PATH"] = env_path
    assert not result.pdfs
    assert any("LibreOffice" in note and "not installed" in note for note in result.notes)
    assert all(p.exists() for p in result.files.values())
