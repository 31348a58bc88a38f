"""Every rule has documents that must fail and documents that must pass, typed and auto-numbered."""

from __future__ import annotations

import pytest

from assembler.check.registry import all_rules
from examples import check_example

RULES = all_rules()
CASES = [(rule, kind, i, ex) for rule in RULES
         for kind, examples in (("fails", rule.fails), ("passes", rule.passes))
         for i, ex in enumerate(examples)]


def test_there_are_rules_of_every_family():
    families = {r.code.split(".")[0] for r in RULES}
    assert families >= {"series", "xref", "defs", "figures", "termsheet", "leftovers"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_has_failing_and_passing_examples(rule):
    assert rule.fails, f"{rule.code} has no example that must fail"
    assert rule.passes, f"{rule.code} has no example that must pass"


@pytest.mark.parametrize("literal", [True, False], ids=["typed-labels", "word-numbering"])
@pytest.mark.parametrize("rule,kind,index,ex", CASES,
                         ids=[f"{r.code}-{k}-{i}" for r, k, i, _ in CASES])
def test_example(rule, kind, index, ex, literal, tmp_path):
    findings = check_example(rule, ex, tmp_path, literal)
    own = [f for f in findings if f.code == rule.code]
    if kind == "fails":
        assert own, f"{rule.code}: example {index} must fail ({ex.note})"
        for f in own:
            assert f.snippet, "a finding quotes the offending text"
    else:
        assert not own, f"{rule.code}: example {index} must pass ({ex.note}); got {own}"
