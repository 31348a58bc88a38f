"""The term sheet's load made cheaper finds what it found before: marks and spots are named tuples made
once (a list item's key and value share one), the fast path's walk looks for empty values as it goes
instead of a walk of its own before, the screen locates only the values it refuses and copies the data
without non-text keys as it goes, the libyaml loader resolves tags (kept by text) with each first
character's implicit resolvers joined once and constructs text nodes and mappings of text keys without
PyYAML's bookkeeping, and printable ASCII text is not looked at character by character. Each is compared with the
code as it was (kept here as the reference) on the fixtures' term sheets, on YAML written to hit each
branch, and on generated YAML."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.termsheet import load
from assembler.termsheet.load import MAX_NODES, _Loader, _Locator, _mark

ROOT = Path(__file__).resolve().parents[1]
SHEETS = [ROOT / "termsheets" / "ascent-series-j.yaml", *sorted((ROOT / "termsheets" / "variants").glob("*.yaml"))]
FIXTURE = ROOT / "tests" / "fixtures" / "termsheet-cases.json"

YAML_CASES = [
    "a: 1\nb: {c: 2, d: [3, {e: 4}]}\n",
    "a:\nb: 1\n",
    "a: [1, {b: }, 2]\n",
    "a: {b: }\n",
    "a: ''\nb: \"\"\nc: ~\n",
    "- \n- a\n",
    "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",
    "base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n",
    "list: &l [1, {a: 2}]\nthere: *l\nmap: {? [1, 2] : v, k: {<<: {q: 1}}}\n",
    "x\n",
    "? a\n: \n",
    "a: !!str\nb: 1\n",
]


def _bomb(width: int, depth: int, empty: bool) -> str:
    """Few nodes written, very many reached: each level a list of *width* aliases of the one below."""
    lines = ["l0: &l0 [" + ", ".join(["''" if empty else "v"] * width) + "]"]
    for level in range(1, depth):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    if empty:
        lines.append("e:")
    return "\n".join(lines) + "\n"


def fixture_texts() -> list[str]:
    from termsheet_cases import apply, decode, to_yaml

    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    bases = {name: decode(data) for name, data in recorded["bases"].items()}
    return [s.read_text(encoding="utf-8") for s in SHEETS] + [
        to_yaml(apply(bases[case["base"]], case["edits"])) for case in recorded["cases"][::5]]


def composed(text: str):
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------------------------
# _fast_document: the walk looks for empty values as it goes


def _old_fast_document(file: str, text: str):
    """`_fast_document` as it was: every node looked through for an empty value, then walked."""
    from assembler.termsheet.load import _FAST_DEPTH, _FAST_TEXT, _depth_bound, _Document, _FastLoader, _TooLarge

    if _FastLoader is None or not _FAST_TEXT.match(text) or _depth_bound(text) >= _FAST_DEPTH:
        return None
    loader = None
    try:
        loader = _FastLoader(text)
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return None
        if load._has_empty_plain_scalar(node):
            return None
        walker = load._Walker(loader, file)
        walker.walk(node, (), _mark(node.start_mark, file))
        data = loader.construct_document(node)
    except _TooLarge:
        raise
    except Exception:  # noqa: BLE001
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if walker.problems:
        return None
    return _Document(file, data, walker.spots, _mark(node.start_mark, file), [])


def fast_read(read, text: str):
    try:
        doc = read("sheet.yaml", text)
    except load._TooLarge:
        return "too large"
    if doc is None:
        return None
    return shape(doc.data), doc.spots, doc.root, doc.problems


BOMBS = [_bomb(10, 5, False), _bomb(10, 5, True), _bomb(2, 17, False), _bomb(2, 17, True), _bomb(9, 6, False),
         _bomb(10, 4, True), "m: &m {a: }\nn: {<<: *m}\n" + _bomb(10, 5, False)]
MERGES = ["a: &x {b: 1, c: }\nd: {<<: *x}\n", "d: {<<: {b: }}\n", "d: {<<: [{b: 1}, {b: }]}\n", "= : \nb: 1\n",
          "d: {<<: {b: 1}, c: }\n", "? [a]\n: \n", "? [a]\n: b\n", "1: \nb: 1\n", "a: 1\n? \n: b\n",
          "a: [1, {b: [2, {c: }]}]\n", "a: [1, {b: [2, {c: d}]}]\n", "a: &x ''\nb: *x\n", "a: &x\nb: *x\n",
          "? !!str\n: b\n", "!!str : b\n", "a: {!!str : b}\n", "a: [{!!str : b}]\n"]


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", YAML_CASES + BOMBS + MERGES)
def test_the_fast_path_reads_what_it_did(text):
    assert fast_read(load._fast_document, text) == fast_read(_old_fast_document, text)


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
def test_the_fast_path_reads_what_it_did_past_max_nodes():
    # Distinct nodes past MAX_NODES: left to the Python path; visits past it over few nodes: too large.
    many = "a: [" + ", ".join(["v"] * (MAX_NODES + 5)) + "]\n"
    assert fast_read(load._fast_document, many) is fast_read(_old_fast_document, many) is None
    assert fast_read(load._fast_document, many + "b:\n") is fast_read(_old_fast_document, many + "b:\n") is None
    assert fast_read(load._fast_document, BOMBS[0]) == fast_read(_old_fast_document, BOMBS[0]) == "too large"
    assert fast_read(load._fast_document, BOMBS[1]) is fast_read(_old_fast_document, BOMBS[1]) is None


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
def test_the_fast_path_reads_what_it_did_for_every_fixture():
    for text in fixture_texts():
        assert fast_read(load._fast_document, text) == fast_read(_old_fast_document, text)


YAML_PIECES = ["a", "b", "1", "''", "~", ": ", ":", "- ", "\n", "\n  ", "\n- ", "[", "]", "{", "}", ", ", "&x ",
               "*x", "<<: ", "? ", "!!str ", "= ", "!!int "]


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=30))
def test_the_fast_path_reads_what_it_did_for_generated_yaml(pieces):
    text = "".join(pieces)
    assert fast_read(load._fast_document, text) == fast_read(_old_fast_document, text)


# ---------------------------------------------------------------------------------------------
# _screen


def _old_screen(data, path, locator):
    from assembler.termsheet.load import (_BAD_CHARS, _NUMBER_TEXT, MAX_DIGITS, MAX_EXPONENT, MAX_ITEMS, MAX_TEXT,
                                          YEARS, _number_problem)

    def problem(message):
        mark, loc = locator.at_value(path)
        return [locator.problem(mark, loc if loc == path else path, message)]

    if isinstance(data, dict):
        return [p for k, v in data.items() if isinstance(k, str) for p in _old_screen(v, path + (k,), locator)]
    if isinstance(data, list):
        if len(data) > MAX_ITEMS:
            return problem(f"too many items ({len(data):,}; at most {MAX_ITEMS:,})")
        return [p for i, v in enumerate(data) for p in _old_screen(v, path + (i,), locator)]
    if isinstance(data, bool) or data is None:
        return []
    if isinstance(data, str):
        if len(data) > MAX_TEXT:
            return problem(f"text too long ({len(data):,} characters; at most {MAX_TEXT:,})")
        bad = _BAD_CHARS.search(data)
        if bad:
            char = bad.group().encode("unicode_escape", "backslashreplace").decode("ascii")
            return problem(f"must not contain control characters, NULs or lone surrogates (found {char} at "
                           f"character {bad.start() + 1})")
        if _NUMBER_TEXT.fullmatch(data) and any(c.isdigit() for c in data):
            digits = sum(c.isdigit() for c in data)
            exponent = re.search(r"[eE]([-+]?\d+)", data)
            if digits > MAX_DIGITS or (exponent and abs(int(exponent.group(1)[:6])) > MAX_EXPONENT):
                return problem(f"number out of range (at most {MAX_DIGITS} digits, no exponent beyond "
                               f"{MAX_EXPONENT})")
        return []
    if isinstance(data, (int, Decimal)):
        message = _number_problem(data)
        return problem(message) if message else []
    if isinstance(data, float):
        return [] if data == data and abs(data) < 1e30 else problem("number out of range")
    if isinstance(data, (dt.date,)):
        year = data.year
        return [] if YEARS[0] <= year <= YEARS[1] else problem(f"year {year} out of range ({YEARS[0]}-{YEARS[1]})")
    if isinstance(data, bytes):
        return problem("must be text or a number, not binary data")
    return []


ODD_VALUES = ["x" * 10_001, "a\x00b", "\ud800", "1" * 31, "1e31", "1e-5", "$1,000.5%", "12", "", True, None,
              2 ** 100, 10 ** 29, -(10 ** 30), Decimal("NaN"), Decimal("1e40"), Decimal("0.0001"), 1.5, float("inf"),
              float("nan"), dt.date(1899, 1, 1), dt.date(2015, 1, 1), dt.datetime(2300, 1, 1), b"xy", set(), 3j,
              list(range(1001)), [1, "a\x07", {"k": dt.date(1, 1, 1)}], {1: "a\x00", "ok": "a\x01"}]


def _old_text_keys_only(data):
    if isinstance(data, dict):
        return {k: _old_text_keys_only(v) for k, v in data.items() if isinstance(k, str)}
    if isinstance(data, list):
        return [_old_text_keys_only(item) for item in data]
    return data


def old_screened(data, locator):
    """What `_validate` did: the old screen's problems and, when there were none, the old copy of the data."""
    problems = _old_screen(data, (), locator)
    return (None if problems else _old_text_keys_only(data)), problems


def new_screened(data, locator):
    data, problems = load._screened(data, locator)
    return (None if problems else data), problems


def shape(data) -> str:
    """*data*'s values with the types and the sharing of its mappings and lists (each written once)."""
    seen: dict[int, int] = {}

    def walk(value):
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                return f"<shared {seen[id(value)]}>"
            seen[id(value)] = len(seen)
            if isinstance(value, dict):
                return "{" + ", ".join(f"{k!r}: {walk(v)}" for k, v in value.items()) + "}"
            return "[" + ", ".join(walk(v) for v in value) + "]"
        return repr(value)

    return walk(data)


def assert_screened_alike(data, locator):
    new, old = new_screened(data, locator), old_screened(data, locator)
    assert new[1] == old[1]
    assert shape(new[0]) == shape(old[0])


def screened_text(text: str):
    doc = load._compose_document("sheet.yaml", text)
    return doc.data, _Locator(doc.spots, doc.root)


def test_the_screen_finds_and_places_what_it_did_for_odd_values():
    data = {f"f{i}": value for i, value in enumerate(ODD_VALUES)}
    data["nested"] = {"list": ODD_VALUES, "deeper": [{"a": value} for value in ODD_VALUES]}
    spots = {}
    root = load._Mark(1, 1, "sheet.yaml")
    for i, key in enumerate(data):
        spots[(key,)] = load._Spot(load._Mark(i + 2, 1, "sheet.yaml"), load._Mark(i + 2, 5, "sheet.yaml"), i % 2 == 0)
    locator = _Locator(spots, root)
    assert_screened_alike(data, locator)
    assert load._screened(data, locator)[1]  # the values are refused
    for value in ODD_VALUES:
        assert_screened_alike({"a": value, 2: "b"}, locator)
        assert_screened_alike([value, {"x": [value]}], locator)


def test_the_screen_keeps_text_keys_only_as_before():
    shared = {"k": [1, 2], 3: "x"}
    data = {"a": shared, "b": [shared, shared], 1: {"c": 2}, "d": {dt.date(2015, 1, 1): 1, "e": None}}
    locator = _Locator({}, load._Mark(1, 1, "sheet.yaml"))
    assert_screened_alike(data, locator)
    assert new_screened(data, locator)[0] == {"a": {"k": [1, 2]}, "b": [{"k": [1, 2]}, {"k": [1, 2]}], "d": {"e": None}}


def test_the_screen_finds_and_places_what_it_did_in_every_fixture():
    for text in fixture_texts() + ["a: \"\\x07\"\nb: [1, 2, \"\\0\"]\nc: {d: 1e99}\ne: 1899-01-01\n",
                                   "a: &x {1: y, z: [1, 2]}\nb: *x\nc: {<<: *x, w: 2}\n"]:
        try:
            data, locator = screened_text(text)
        except load.TermSheetError:
            continue
        assert_screened_alike(data, locator)


# ---------------------------------------------------------------------------------------------
# _FastLoader.resolve


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
def test_the_fast_loader_resolves_tags_as_pyyaml_does():
    from yaml.resolver import Resolver

    loader = load._FastLoader("")
    values = ["", "a", "yes", "No", "on", "OFF", "true", "null", "~", "NULL", "1", "-1", "+1", "0x1F", "0o17", "017",
              "1_000", "1:30", "1.5", ".5", "1e3", "1.0e+3", "-.inf", ".NaN", ".nan", "1:30.5", "2015-09-18",
              "2015-9-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "<<", "=", "0b101", "Yes.",
              "1.2.3", "$1,000", "Variant 00001", ".", "-", "+", "0", "00", "_", "1_", "Z"]
    values += [str(s) for text in fixture_texts()[:40] for s in re.findall(r":\s*([^\n]*)", text)]
    for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
        for implicit in ((True, False), (False, True), (False, False), (True, True), True, False):
            if kind is not yaml.ScalarNode and not isinstance(implicit, bool):
                continue
            if kind is yaml.ScalarNode and isinstance(implicit, bool):
                continue
            for value in values if kind is yaml.ScalarNode else [None]:
                assert loader.resolve(kind, value, implicit) == Resolver.resolve(loader, kind, value, implicit), value


# ---------------------------------------------------------------------------------------------
# The whole read: the fast path and the Python path agree (marks and spots as named tuples)


def test_marks_and_spots_are_what_they_were():
    doc = load._compose_document("sheet.yaml", "a: [x, {b: 1}]\nc: 2\n")
    assert doc.spots[("a", 0)] == load._Spot(load._Mark(1, 5, "sheet.yaml"), load._Mark(1, 5, "sheet.yaml"), True)
    assert doc.spots[("c",)] == load._Spot(load._Mark(2, 1, "sheet.yaml"), load._Mark(2, 4, "sheet.yaml"), True)
    assert doc.spots[("a", 1, "b")].value == _mark(yaml.Mark("", 0, 0, 11, None, None), "sheet.yaml")
    assert doc.root == load._Mark(1, 1, "sheet.yaml")


# ---------------------------------------------------------------------------------------------
# _FastLoader.construct_object and construct_mapping


if load._FastLoader is not None:
    class _OldFastLoader(yaml.CSafeLoader):
        """The libyaml loader as it was: PyYAML's own construct_object and construct_mapping."""

    _OldFastLoader.yaml_constructors = _Loader.yaml_constructors


def constructed(cls, text: str):
    loader = cls(text)
    try:
        node = loader.get_single_node()
        walked = None
        if isinstance(node, yaml.MappingNode):
            walker = load._Walker(loader, "sheet.yaml")
            walker.walk(node, (), _mark(node.start_mark, "sheet.yaml"))
            walked = (walker.spots, walker.problems)
        data = loader.construct_document(node)
        return shape(data), repr(data), walked
    except Exception as exc:  # noqa: BLE001 - the same error either way
        return type(exc).__name__, str(exc)
    finally:
        loader.dispose()


CONSTRUCT_CASES = YAML_CASES + [
    "a: !!str 1\nb: !!int '2'\nc: !!float 1.5\nd: !!binary aGk=\ne: !!set {x, y}\nf: !!omap [{a: 1}]\n",
    "? [1, 2]\n: x\n", "? {a: 1}\n: x\n", "a: &x [*x]\n", "a: &x {b: *x}\n", "= : v\nb: {=: w, c: 1}\n",
    "a: {<<: [{b: 1}, {b: 2, c: 3}], d: 4}\n", "a: {<<: 1}\n", "a: {<<: [1]}\n", "a: &s x\nb: *s\nc: [*s, *s]\n",
    "1: a\n1.5: b\nnull: c\n2015-01-01: d\ntrue: e\n", "a: 2015-02-30\nb: 0x1F\nc: 1_000\nd: .inf\n",
]


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", CONSTRUCT_CASES)
def test_the_fast_loader_constructs_what_it_did(text):
    assert constructed(load._FastLoader, text) == constructed(_OldFastLoader, text)


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
def test_the_fast_loader_constructs_what_it_did_for_every_fixture():
    for text in fixture_texts():
        assert constructed(load._FastLoader, text) == constructed(_OldFastLoader, text)


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES + ["!!int ", "!!set ", "=", "<<", "1", "2015-01-01", "true"]),
                max_size=30))
def test_the_fast_loader_constructs_what_it_did_for_generated_yaml(pieces):
    text = "".join(pieces)
    assert constructed(load._FastLoader, text) == constructed(_OldFastLoader, text)


# ---------------------------------------------------------------------------------------------
# model._check_text: printable ASCII needs no look at each character's category


def _old_check_text(value):
    import unicodedata

    from assembler.termsheet.model import describe_value

    if not isinstance(value, str):
        if isinstance(value, (bool, int, float, Decimal, dt.date)):
            if isinstance(value, dt.date):
                kind = "date"
            elif isinstance(value, bool):
                kind = "true/false value"
            else:
                kind = "number"
            raise _fail(f"must be text, got {describe_value(value)} (YAML read it as a {kind}; "
                        "put the value in quotes to keep it as written)")
        raise _fail(f"must be text, got {describe_value(value)}")
    text = value.strip()
    if not text:
        raise _fail("must not be empty")
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise _fail(f"must not contain control characters such as line breaks or tabs (found U+{ord(ch):04X})")
        if category == "Co":
            raise _fail(f"must not contain private-use character U+{ord(ch):04X} "
                        "(these are reserved for the document renderer)")
    return text


def _fail(message):
    from assembler.termsheet.fields import fail

    return fail(message)


def checked(check, value):
    from assembler.termsheet.fields import Invalid

    try:
        return "ok", check(value)
    except Invalid as exc:
        return "invalid", exc.problems


TEXTS = ([chr(i) for i in range(256)] + [f"a{chr(i)}b" for i in range(256)] + [" x ", "\tx", "x\n", "Fund \ue000",
         "\U000f0000", "\U0010fffd", "caf\u00e9", "\u0085", "\u200b", "x\u2028y", "Ascent Solar Technologies, Inc.",
         "", "   ", 1, 1.5, True, None, dt.date(2015, 1, 1), Decimal("1")])


@pytest.mark.parametrize("value", TEXTS, ids=repr)
def test_text_is_checked_as_before(value):
    from assembler.termsheet.model import _check_text

    assert checked(_check_text, value) == checked(_old_check_text, value)


def test_text_is_checked_as_before_in_every_fixture():
    from assembler.termsheet.model import _check_text

    for text in fixture_texts():
        for value in re.findall(r":[ ]*([^\n]*)", text):
            assert checked(_check_text, value) == checked(_old_check_text, value)


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML without libyaml")
def test_the_kept_implicit_tags_are_emptied_by_forget():
    from assembler.memo import forget

    load._fast_document("sheet.yaml", "a: 1\nb: yes\n")
    assert load._implicit_tag.cache_info().currsize > 0
    forget()
    assert load._implicit_tag.cache_info().currsize == 0
    assert load._implicit_tag("1") == "tag:yaml.org,2002:int" and load._implicit_tag("x") is None
