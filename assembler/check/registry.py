"""Every rule, registered explicitly, family by family."""

from __future__ import annotations

from assembler.check.rule import Rule
from assembler.check.rules import defs, figures, leftovers, series, termsheet, xref
# Rules that proofreaders' tools find, each module a family or an extension of one.
from assembler.check.rules import captions, enumerations, parties, proofing

FAMILIES = (series, xref, defs, figures, termsheet, leftovers,
            captions, enumerations, parties, proofing)


def all_rules() -> tuple[Rule, ...]:
    """The registered rules in a fixed order (family order, then as each module lists them)."""
    rules = tuple(rule for family in FAMILIES for rule in family.RULES)
    codes = [r.code for r in rules]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise RuntimeError(f"rule codes registered twice: {', '.join(duplicates)}")
    return rules
