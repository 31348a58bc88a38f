"""The termsheet family: every example, typed and Word-numbered; the seed build agrees with its sheet."""

from __future__ import annotations

import pytest

from assembler.check.rules import termsheet as family
from assembler.check.rules.termsheet import _MONEY_WORDS, _PERCENT_WORDS
from examples import check_example

CASES = [(rule, kind, i, ex) for rule in family.RULES
         for kind, examples in (("fails", rule.fails), ("passes", rule.passes))
         for i, ex in enumerate(examples)]


def test_the_family_has_a_rule_per_kind_of_value():
    assert {r.code for r in family.RULES} == {"termsheet.party", "termsheet.amount", "termsheet.rate",
                                              "termsheet.date", "termsheet.law"}


@pytest.mark.parametrize("literal", [True, False], ids=["typed-labels", "word-numbering"])
@pytest.mark.parametrize("rule,kind,index,ex", CASES, ids=[f"{r.code}-{k}-{i}" for r, k, i, _ in CASES])
def test_example(rule, kind, index, ex, literal, tmp_path):
    own = [f for f in check_example(rule, ex, tmp_path, literal) if f.code == rule.code]
    if kind == "fails":
        assert own, f"{rule.code}: example {index} must fail ({ex.note})"
        assert all(f.snippet and f.severity == "error" for f in own)
    else:
        assert not own, f"{rule.code}: example {index} must pass ({ex.note}); got {own}"


def test_without_a_term_sheet_the_rules_find_nothing(tmp_path):
    for rule in family.RULES:
        for i, ex in enumerate(rule.fails):
            blind = type(ex)(ex.documents, None, ex.config, ex.note)
            assert not check_example(rule, blind, tmp_path / f"{rule.code}-{i}", literal=True)


@pytest.mark.parametrize("text,left", [
    ("for the aggregate sum of Three Million Dollars (", "for the aggregate sum of "),
    ("by wire transfer of One Thousand Dollars and Fifty Cents (", "by wire transfer of "),
    ("at the rate of four and ninety-nine hundredths percent (", "at the rate of "),
])
def test_words_before_a_figure_are_set_aside(text, left):
    pattern = _PERCENT_WORDS if "percent" in text else _MONEY_WORDS
    assert pattern.sub("", text) == left


def test_snippets_quote_the_document_exactly(tmp_path):
    rule = family.AMOUNT
    findings = check_example(rule, rule.fails[0], tmp_path, literal=False)
    assert [f.snippet for f in findings] == ["$2,000,000"]
