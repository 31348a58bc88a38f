"""Run the selected rules over a package and return the findings in a stable order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.check.registry import all_rules
from assembler.check.rule import Config, Context, Finding, Rule, selected
from assembler.docmodel.model import Package

if TYPE_CHECKING:
    from assembler.docmodel.ooxml import Source


def run_rules(package: Package, termsheet=None, config: Config | None = None,
              select: list[str] | None = None, ignore: list[str] | None = None,
              rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Findings of every selected rule, deduplicated and sorted (same input, same report)."""
    ctx = Context(package, termsheet, config or Config())
    found: set[Finding] = set()
    for rule in selected(rules if rules is not None else all_rules(), select, ignore):
        found.update(rule.find(ctx))
    return sorted(found, key=Finding.sort_key)


def check_paths(paths: list[Path], termsheet=None, config: Config | None = None,
                select: list[str] | None = None, ignore: list[str] | None = None,
                sources: Mapping[Path, Source] | None = None) -> tuple[Package, list[Finding]]:
    """Read *paths* as one package and check it; *sources*: the parts of files a build has just
    written (ooxml.Source), read from memory instead of from disk (the same bytes: the same findings)."""
    from assembler.docmodel.parse import load_documents

    package = load_documents(paths, sources)
    return package, run_rules(package, termsheet, config, select, ignore)
