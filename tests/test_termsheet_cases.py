"""The term-sheet model gives every generated input the outcome recorded in tests/fixtures.

tests/fixtures/termsheet-cases.json was written by ``python tests/termsheet_cases.py`` at commit
899bc0f, when the model was built on pydantic: each case is a base term sheet and a list of edits
(fields dropped, misspelt, added; groups given as lists; wrong types, numbers as text, bad dates;
fields set against each other), drawn from targeted lists and by hypothesis with a fixed seed; its
outcome is the loader's located problems or validated values, and what ``TermSheet.model_validate``
makes of the same data (each error's type, location and message). The model's own validation has
replaced pydantic's; these tests hold it to the same messages, locations and order, input by input.

tests/fixtures/termsheet-model-schema.json is ``TermSheet.model_json_schema(mode="validation")`` as
pydantic generated it at the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termsheet_cases import FIXTURE, apply, decode, outcome

from assembler.termsheet import TermSheet

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "termsheet-model-schema.json"
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_every_recorded_case_has_the_same_outcome(tmp_path):
    bases = {name: decode(data) for name, data in RECORDED["bases"].items()}
    base_values = {name: outcome(data, tmp_path, None)["values"] for name, data in bases.items()}
    different = []
    for number, case in enumerate(RECORDED["cases"]):
        expected = {k: v for k, v in case.items() if k not in ("base", "edits")}
        edited = apply(bases[case["base"]], case["edits"])
        got = outcome(edited, tmp_path, base_values[case["base"]] if case["edits"] else None)
        if got != expected:
            different.append((number, case["base"], case["edits"], expected, got))
    assert not different, f"{len(different)} of {len(RECORDED['cases'])} cases differ; the first:\n" + "\n".join(
        json.dumps(item, default=str) for item in different[:3])


def test_the_fixture_holds_every_kind_of_outcome():
    cases = RECORDED["cases"]
    kinds = {e[0] for c in cases if c["errors"] != "ok" for e in c["errors"]}
    assert {"termsheet", "missing", "extra_forbidden", "model_type", "list_type", "invalid_key"} <= kinds
    assert sum("values" in c for c in cases) > 100
    assert sum(any("closings add up to" in p for p in c.get("problems", ())) for c in cases) > 50


def test_json_schema_is_the_one_pydantic_generated():
    recorded = SCHEMA.read_text(encoding="utf-8")
    schema = TermSheet.model_json_schema(mode="validation")
    assert schema == json.loads(recorded)
    assert json.dumps(schema, indent=2) + "\n" == recorded  # the same order of keys too


@pytest.mark.parametrize("mode", [{}, {"mode": "python", "warnings": False}])
def test_dump_round_trips(mode):
    from assembler.termsheet import load_termsheet
    from termsheet_cases import SEED

    ts = load_termsheet(SEED)
    dumped = ts.model_dump(**mode)
    again = TermSheet.model_validate(dumped)
    assert again == ts and again.model_dump(**mode) == dumped
    assert again.closings[0].amount == ts.closings[0].amount
