"""Build a rule's example package as .docx files and check it: the harness of every rule's examples."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from assembler.check.rule import Config, Example, Rule
from assembler.check.runner import run_rules
from assembler.drafting import draft_document
from assembler.render.write import save_docx
from assembler.termsheet import load_termsheet

ROOT = Path(__file__).resolve().parent.parent
SEED_TERMSHEET = ROOT / "termsheets" / "ascent-series-j.yaml"


def merge(base: dict, override: dict) -> dict:
    """Maps merge deeply; lists and scalars replace."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def termsheet_with(overrides: dict, folder: Path):
    """The seed term sheet with *overrides* applied, loaded through the real loader."""
    data = merge(yaml.safe_load(SEED_TERMSHEET.read_text(encoding="utf-8")), overrides)
    path = folder / "termsheet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_termsheet(path)


def build_example(ex: Example, folder: Path, literal: bool) -> list[Path]:
    """Write the example's documents as .docx (typed labels or Word numbering); return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, lines in ex.documents:
        doc = draft_document(list(lines), prefix="SPA", literal=literal, source=name)
        path = folder / name
        save_docx(doc, path)
        paths.append(path)
    return paths


def check_example(rule: Rule, ex: Example, folder: Path, literal: bool):
    paths = build_example(ex, folder, literal)
    termsheet = termsheet_with(ex.termsheet, folder) if ex.termsheet is not None else None
    from assembler.docmodel.parse import load_documents

    package = load_documents(paths)
    return run_rules(package, termsheet, Config.from_dict(ex.config), rules=[rule])
