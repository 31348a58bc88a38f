"""`extends:` in term sheets: deep merge, list replace, chains, and errors located where written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assembler.errors import TermSheetError
from assembler.termsheet import load_termsheet, termsheet_json_schema

SEED = Path(__file__).resolve().parents[1] / "termsheets" / "ascent-series-j.yaml"
SEED_TEXT = SEED.read_text(encoding="utf-8")
VARIANTS = SEED.parent / "variants"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def base(folder: Path, *replacements: tuple[str, str], name: str = "base.yaml") -> Path:
    """The seed term sheet as ``folder/name``, each ``old`` text replaced (each occurs once)."""
    text = SEED_TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return write(folder, name, text)


def failures(path: Path) -> list[str]:
    """Load ``path``, which must fail; its problems as ``FILE:LINE:COL: ...`` strings."""
    with pytest.raises(TermSheetError) as caught:
        load_termsheet(path)
    return [str(problem) for problem in caught.value.problems]


# ---------------------------------------------------------------------------------------------
# Merging


def test_maps_merge_deeply(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\npurchaser:\n  signatory:\n    name: Jo Lee\n")
    ts = load_termsheet(variant)
    assert ts.purchaser.signatory.name == "Jo Lee"
    assert ts.purchaser.signatory.title == "Director"          # sibling kept
    assert ts.purchaser.name == "Global Ichiban Limited"        # parent's other fields kept
    assert ts.series == "J"


def test_lists_replace(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", (
        "extends: base.yaml\n"
        "exemptions: [rule_506]\n"
        "closings:\n"
        "  - {date: 2015-09-18, shares: 3000}\n"
    ))
    ts = load_termsheet(variant)
    assert ts.exemptions == ["rule_506"]
    assert [(c.date.isoformat(), c.shares) for c in ts.closings] == [("2015-09-18", 3000)]


def test_scalars_replace_and_extends_is_not_a_field(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", 'extends: base.yaml\nseries: K\nconversion_price: "0.10"\n')
    ts = load_termsheet(variant)
    assert (ts.series, ts.conversion_price) == ("K", Decimal("0.10"))
    assert "extends" not in ts.model_dump()


def test_chain_of_two(tmp_path):
    base(tmp_path)
    write(tmp_path, "mid/k.yaml", "extends: ../base.yaml\nseries: K\ndividend_rate: '10'\n")
    top = write(tmp_path, "top.yaml", "extends: mid/k.yaml\ndividend_rate: '12'\n")
    ts = load_termsheet(top)
    assert ts.series == "K"                       # from the middle
    assert ts.dividend_rate == Decimal("12")      # the top wins
    assert ts.deal_name == "Ascent Series J"      # from the base


def test_shipped_variants_load():
    names = sorted(p.name for p in VARIANTS.glob("*.yaml"))
    assert len(names) >= 2
    for name in names:
        ts = load_termsheet(VARIANTS / name)
        assert ts.deal_name != "Ascent Series J"
    us = load_termsheet(VARIANTS / "us-purchaser.yaml")
    assert us.purchaser.us_person is True and "regulation_s" not in us.exemptions
    assert us.purchase.shares == 3000  # inherited


def test_json_schema_documents_extends():
    schema = termsheet_json_schema()
    assert schema["properties"]["extends"]["type"] == "string"
    assert "extends" not in schema["required"]
    assert schema["additionalProperties"] is False


# ---------------------------------------------------------------------------------------------
# Errors of the chain itself


def test_missing_base_is_located_at_the_extends_line(tmp_path):
    variant = write(tmp_path, "v.yaml", "# a variant\nextends: nowhere.yaml\nseries: K\n")
    [line] = failures(variant)
    assert line.startswith(f"{variant}:2:10: extends: base term sheet 'nowhere.yaml' not found")


def test_cycle_is_located(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nseries: K\n")
    b = write(tmp_path, "b.yaml", "series: L\nextends: a.yaml\n")
    [line] = failures(a)
    assert line.startswith(f"{b}:2:10: extends: ")
    assert "cycle: a.yaml -> b.yaml -> a.yaml" in line


def test_self_extension_is_a_cycle(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: ./a.yaml\n")
    [line] = failures(a)
    assert line.startswith(f"{a}:1:10: extends: ") and "cycle" in line


def test_extends_must_be_a_path(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: [base.yaml]\n")
    [line] = failures(a)
    assert line.startswith(f"{a}:1:10: extends: must be the path of the base term sheet")


def test_syntax_error_in_the_base_is_reported_in_the_base(tmp_path):
    b = base(tmp_path, ("  state: Delaware\n", "  state: Delaware: Wilmington\n"))
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nseries: K\n")
    assert failures(variant) == [f"{b}:13:18: YAML syntax error: mapping values are not allowed here"]


# ---------------------------------------------------------------------------------------------
# Values located in the file where they were written


def test_error_in_the_base_is_located_in_the_base(tmp_path):
    b = base(tmp_path, ("  shares: 3000 ", '  shares: "abc"'))
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nseries: K\n")
    assert failures(variant) == [f"{b}:38:11: purchase.shares: must be a whole number, got 'abc'"]


def test_error_in_an_override_is_located_in_the_variant(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", 'extends: base.yaml\npurchase:\n  shares: "abc"\n')
    assert failures(variant) == [
        f"{variant}:3:11: purchase.shares: must be a whole number, got 'abc'"
    ]


def test_overridden_bad_base_value_is_not_reported(tmp_path):
    base(tmp_path, ("series: J\n", "series: j\n"))
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nseries: K\n")
    assert load_termsheet(variant).series == "K"


def test_unknown_key_in_variant_with_suggestion(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", (
        "extends: base.yaml\n"
        "beneficial_ownership:\n"
        "  notice_day: 30\n"
        'dividend_rat: "9"\n'
    ))
    assert failures(variant) == [
        f"{variant}:3:3: beneficial_ownership: unknown field 'notice_day' (did you mean 'notice_days'?)",
        f"{variant}:4:1: unknown field 'dividend_rat' (did you mean 'dividend_rate'?)",
    ]


def test_cross_field_error_points_at_each_value_where_written(tmp_path):
    # us_person is overridden in the variant; the regulation_s exemption is inherited from the base.
    b = base(tmp_path)
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\npurchaser:\n  us_person: true\n")
    assert failures(variant) == [
        f"{b}:48:37: exemptions[3]: regulation_s (offshore transactions) can be claimed only when "
        "the purchaser is not a U.S. person, but purchaser.us_person is true"
    ]


def test_replaced_list_is_located_in_the_variant(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", (
        "extends: base.yaml\n"
        "closings:\n"
        "  - {date: 2015-09-18, shares: 1000}\n"
        "  - {date: 2015-09-18, shares: 2000}\n"
    ))
    assert failures(variant) == [
        f"{variant}:4:12: closings[2].date: closing 2 (2015-09-18) is the same day as closing 1 "
        "(2015-09-18); closing dates must be in strictly ascending order"
    ]


def test_missing_field_is_located_where_its_mapping_was_last_written(tmp_path):
    b = base(tmp_path, ("  name: Global Ichiban Limited\n", ""))
    inherits = write(tmp_path, "v1.yaml", "extends: base.yaml\nseries: K\n")
    assert failures(inherits) == [f"{b}:19:1: purchaser: missing required field 'name'"]
    rewrites = write(tmp_path, "v2.yaml", "extends: base.yaml\npurchaser:\n  us_person: false\n")
    assert failures(rewrites) == [f"{rewrites}:2:1: purchaser: missing required field 'name'"]


def test_missing_top_level_field_is_located_at_the_variant_top(tmp_path):
    base(tmp_path, ('dividend_rate: "8"                    # percent per annum, illustrative\n', ""))
    variant = write(tmp_path, "v.yaml", "# variant\nextends: base.yaml\nseries: K\n")
    assert failures(variant) == [f"{variant}:2:1: missing required field 'dividend_rate'"]


def test_problems_in_several_files_are_listed_variant_first(tmp_path):
    b = base(tmp_path, ("  shares: 3000 ", '  shares: "abc"'))
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nseries: j\n")
    lines = failures(variant)
    assert [line.split(": ")[0] for line in lines] == [f"{variant}:2:9", f"{b}:38:11"]


def test_duplicate_key_in_the_variant_is_reported(tmp_path):
    base(tmp_path)
    variant = write(tmp_path, "v.yaml", "extends: base.yaml\nseries: K\nseries: L\n")
    assert failures(variant) == [
        f"{variant}:3:1: duplicate field 'series' (first given at line 2); give each field once"
    ]
