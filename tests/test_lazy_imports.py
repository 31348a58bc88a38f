"""A build imports only what it uses: no docxtpl or python-docx once the templates are compiled and
cached, no redline module without a previous build to compare with, no python-docx without --package,
never pydantic (the term sheet's model validates on its own); a check without a term sheet loads
neither the YAML reader, the term-sheet modules nor Jinja."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from examples import SEED_TERMSHEET

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from assembler.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                  ("docx", "docxtpl", "assembler", "pydantic", "pydantic_core", "yaml", "jinja2"))}))
"""


def build_modules(tmp_path, *args: str, termsheet: Path = SEED_TERMSHEET) -> tuple[int, set[str], str]:
    """`assembler build` in a fresh process: its exit code, the modules it imported, its standard error."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", PROBE, "build", str(termsheet), "-o", str(tmp_path / "out"),
                           *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"]), proc.stderr


def test_a_build_with_cached_templates_needs_neither_docxtpl_nor_python_docx(tmp_path):
    code, first, _ = build_modules(tmp_path, "--no-check")  # compiles the templates: docxtpl patches them
    assert code == 0 and "docxtpl" in first
    code, modules, _ = build_modules(tmp_path, "--no-check", "--force")
    assert code == 0
    assert not {m for m in modules if m.split(".")[0] in ("docx", "docxtpl")}
    assert "assembler.redline" not in modules  # same outputs: nothing to compare


def test_the_package_and_a_changed_output_bring_in_what_they_need(tmp_path):
    build_modules(tmp_path, "--no-check")
    code, modules, _ = build_modules(tmp_path, "--no-check", "--package")
    assert code == 0 and "docx" in modules


def test_a_build_and_a_refused_term_sheet_never_import_pydantic(tmp_path):
    code, modules, _ = build_modules(tmp_path)  # the check included
    assert code == 0 and "assembler.termsheet.model" in modules
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED_TERMSHEET.read_text(encoding="utf-8").replace("shares: 3000  ", "shares: lots  ", 1)
                   .replace("deal_name:", "deal_nme:"), encoding="utf-8")
    code, modules, stderr = build_modules(tmp_path, termsheet=bad)
    assert code == 2 and "did you mean 'deal_name'" in stderr and "must be a whole number" in stderr
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


def test_a_check_without_a_term_sheet_loads_no_yaml_term_sheet_or_template_modules(tmp_path):
    code, _modules, _ = build_modules(tmp_path, "--no-check")
    assert code == 0
    agreement = next((tmp_path / "out").glob("*/securities-purchase-agreement.docx"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSEMBLER_CACHE_DIR=str(tmp_path / "cache"))
    for args in (["check", str(agreement)], ["check", str(agreement), "--format", "json"]):
        proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=120)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["code"] in (0, 1), proc.stderr
        loaded = {m for m in result["modules"] if m.split(".")[0] in ("yaml", "jinja2", "pydantic")
                  or m.startswith(("assembler.termsheet", "assembler.render.engine"))}
        assert not loaded, loaded
    # with a term sheet, its loader comes in
    proc = subprocess.run([sys.executable, "-c", PROBE, "check", str(agreement), "--termsheet", str(SEED_TERMSHEET)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "assembler.termsheet.load" in result["modules"] and "yaml" in result["modules"]
