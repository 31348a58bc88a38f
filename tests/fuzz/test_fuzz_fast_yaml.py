"""The term-sheet loader's libyaml fast path gives exactly what the PyYAML path gives (data, every
field's position, the problems), or steps aside. Differential fuzzing over YAML-shaped text and
over dumps of random data; CI runs a small budget, ``HYPOTHESIS_PROFILE=deep`` a large one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assembler.termsheet import load as loader

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "termsheets" / "ascent-series-j.yaml").read_text(encoding="utf-8")

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("deep", max_examples=20000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = pytest.mark.skipif(loader._FastLoader is None, reason="PyYAML without libyaml")

TOKENS = ["a", "b", "key", "x1", "0", "1.5", "-2", "1e3", "0x1f", "0o7", "1_000", "2015-09-18",
          "2015-02-30", "2001-12-14t21:59:43.10-05:00", "yes", "no", "null", "~", ".inf", "-.nan",
          "1:30.5", ": ", ":", "-", "- ", "  ", "    ", "\n", "\n  ", "\n- ", "[", "]", "{", "}", ",", "#",
          " #c", "&x ", "*x", "!!str ", "!!int ", "!!map ", "!foo ", "|", ">", "|-", "'", "''", '"',
          '"\\x41"', '"\\t"', "? ", "<<: ", "<<: *x", "---", "...", "%YAML 1.1\n", "%TAG ! !x\n", "@",
          "`", "%", "\t"]


def python_path(file: str, text: str):
    """What the PyYAML path makes of *text* (the fast path turned off)."""
    saved, loader._FastLoader = loader._FastLoader, None
    try:
        return loader._compose_document(file, text)
    except Exception as exc:  # noqa: BLE001 - compared by kind and text
        return exc
    finally:
        loader._FastLoader = saved


def same(file: str, text: str) -> None:
    fast = loader._fast_document(file, text)
    if fast is None:
        return
    slow = python_path(file, text)
    assert not isinstance(slow, Exception), f"fast path read text the Python path refuses: {slow!r}"
    assert (fast.data, fast.spots, fast.root, fast.problems) == (slow.data, slow.spots, slow.root, slow.problems)
    assert repr(fast.data) == repr(slow.data)  # same types too (Decimal, date, int, str)


@given(st.lists(st.sampled_from(TOKENS), max_size=40))
@example(["a", ": ", "[", "1", ",", "{", "b", ": ", "2", "}", "]"])
@example(["a", ": ", "&x ", "[", "1", "]", "\n", "b", ": ", "*x"])
@example(["a", ":", "\n  ", "<<: ", "{", "b", ": ", "1", "}", "\n  ", "c", ": ", "2"])
def test_yaml_shaped_text(tokens):
    same("t.yaml", "".join(tokens))


@given(st.text(alphabet=st.sampled_from(list(" \n:-[]{},#&*!|>'\"%@`?abx01.")), max_size=80))
def test_yaml_characters(text):
    same("t.yaml", text)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=12),
    st.dates(), st.floats(allow_nan=False, allow_infinity=False))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), inner, max_size=4)), max_leaves=25)


@given(st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), DATA, min_size=1, max_size=6),
       st.booleans())
def test_dumped_data(data, flow):
    same("t.yaml", yaml.safe_dump(data, default_flow_style=flow, sort_keys=False))


@pytest.mark.parametrize("edit", [lambda t: t, lambda t: t.replace("\n", "\n  ", 3),
                                  lambda t: t.replace(": ", ":", 2), lambda t: t + "\n" + t.splitlines()[0],
                                  lambda t: t.replace("  ", "\t", 1), lambda t: t[: len(t) // 2]])
def test_the_seed_and_edits_of_it(edit):
    same("seed.yaml", edit(SEED))


def test_deep_nesting_and_other_text_take_the_python_path():
    assert loader._fast_document("t.yaml", "a: " + "[" * 5000 + "]" * 5000) is None
    assert loader._fast_document("t.yaml", "a: " + "\n".join(" " * i + f"k{i}:" for i in range(1, 100))) is None
    assert loader._fast_document("t.yaml", "name: Société\n") is None
    assert loader._fast_document("t.yaml", "a: 1\r\nb: 2\r\n") is None
    assert loader._fast_document("t.yaml", "a: 1\nb: 2\n").data == {"a": 1, "b": 2}


def test_too_many_values_is_the_same_error_on_both_paths():
    lines = ["deal_name: bomb", "l0: &l0"] + ["  - xxxxxxxx"] * 10
    for i in range(1, 7):
        lines += [f"l{i}: &l{i}"] + [f"  - *l{i - 1}"] * 10
    text = "\n".join(lines) + "\n"
    with pytest.raises(loader.TermSheetError) as fast:
        loader._compose_document("bomb.yaml", text)
    slow = python_path("bomb.yaml", text)
    assert isinstance(slow, loader.TermSheetError)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in slow.problems]
