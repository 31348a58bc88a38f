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

import copy
import datetime as dt
import json
import pickle
from pathlib import Path
from types import MappingProxyType

import pytest
from pydantic import ValidationError

from termsheet_cases import FIXTURE, SEED, apply, decode, outcome

from assembler.termsheet import TermSheet, load_termsheet
from assembler.termsheet.model import Closing

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
    ts = load_termsheet(SEED)
    dumped = ts.model_dump(**mode)
    again = TermSheet.model_validate(dumped)
    assert again == ts and again.model_dump(**mode) == dumped
    assert TermSheet.model_validate({**dumped, "company": MappingProxyType(dumped["company"])}) == ts  # any mapping
    assert again.closings[0].amount == ts.closings[0].amount


def test_models_are_frozen_values_that_copy_and_pickle():
    ts = load_termsheet(SEED)
    with pytest.raises(AttributeError, match="frozen"):
        ts.deal_name = "Another deal"
    assert pickle.loads(pickle.dumps(ts)) == ts and copy.deepcopy(ts) == ts
    assert pickle.loads(pickle.dumps(ts)).closings[0].amount == ts.closings[0].amount
    closing = Closing(date=dt.date(2015, 9, 18), shares=500)
    assert closing == Closing(date="2015-09-18", shares="500") and hash(closing) == hash(Closing(date="2015-09-18", shares=500))
    assert closing.amount is None and closing != ts.closings[0]  # one built alone has no price
    assert repr(closing) == "Closing(date=datetime.date(2015, 9, 18), shares=500)"
    with pytest.raises(ValidationError, match="must be a whole number, got 'many'"):
        Closing(date=dt.date(2015, 9, 18), shares="many")
