"""Term sheet model and loader (assembler.termsheet)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from assembler.errors import TermSheetError
from assembler.termsheet import TermSheet, load_termsheet, termsheet_json_schema

SEED = Path(__file__).resolve().parents[1] / "termsheets" / "ascent-series-j.yaml"
SEED_TEXT = SEED.read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str]) -> str:
    """The seed term sheet with each ``old`` text replaced (each must occur exactly once)."""
    text = SEED_TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems(tmp_path: Path, text: str) -> list[str]:
    """Load ``text`` as a term sheet that must fail; its problems as ``LINE:COL: ...`` strings."""
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TermSheetError) as caught:
        load_termsheet(path)
    prefix = f"{path}:"
    lines = [str(problem) for problem in caught.value.problems]
    assert all(line.startswith(prefix) for line in lines), lines
    return [line[len(prefix):] for line in lines]


# ---------------------------------------------------------------------------------------------
# The seed


def test_seed_loads_with_derived_values():
    ts = load_termsheet(SEED)
    assert isinstance(ts, TermSheet)
    assert ts.series == "J"
    assert ts.effective_date == dt.date(2015, 9, 18)
    assert ts.purchase.amount == Decimal("3000000")
    assert len(ts.closings) == 6
    assert all(closing.amount == Decimal("500000") for closing in ts.closings)
    assert ts.closing_amounts() == [Decimal("500000")] * 6
    assert ts.closings_total_shares == 3000
    assert ts.preferred.par_value == Decimal("0.0001")
    assert str(ts.preferred.par_value) == "0.0001"
    assert ts.conversion_price == Decimal("0.15")
    assert ts.dividend_rate == Decimal("8")
    assert ts.beneficial_ownership.limitation == Decimal("4.99")
    assert ts.exemptions == ["section_4_2", "rule_506", "regulation_s"]
    assert ts.purchaser.signature_chain == ["LT Asia Management Ltd., its investment manager"]
    assert ts.purchaser.us_person is False
    assert ts.mandatory_redemption.term_years == 1
    assert ts.trading.markets[-1] == "the New York Stock Exchange"
    assert ts.notices.cutoff_time == "5:30 p.m."


def test_derived_values_are_not_fields():
    ts = load_termsheet(SEED)
    dumped = ts.model_dump()
    assert "amount" not in dumped["purchase"]
    assert "closings_total_shares" not in dumped
    assert TermSheet.model_validate(dumped) == ts  # round-trips


def test_unquoted_decimals_keep_every_digit(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        edited(('  par_value: "0.0001"', "  par_value: 0.00010"), ('conversion_price: "0.15"', "conversion_price: 0.15")),
        encoding="utf-8",
    )
    ts = load_termsheet(path)
    assert ts.preferred.par_value == Decimal("0.00010")
    assert ts.conversion_price == Decimal("0.15")
    assert isinstance(ts.conversion_price, Decimal)


def test_model_accepts_python_floats_via_str():
    data = load_termsheet(SEED).model_dump()
    data["conversion_price"] = 0.15
    assert TermSheet.model_validate(data).conversion_price == Decimal("0.15")


def test_party_names_are_literal_text(tmp_path):
    name = "Smith & Jones <Holdings> {{ x }} {% if %} Ltd."
    path = tmp_path / "x.yaml"
    path.write_text(
        edited(("  name: Global Ichiban Limited", f'  name: "{name}"')), encoding="utf-8"
    )
    assert load_termsheet(path).purchaser.name == name


def test_empty_signature_chain_is_allowed(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        edited(
            (
                "  signature_chain:                    # outermost signer first, each with its capacity\n"
                "    - LT Asia Management Ltd., its investment manager   # capacity illustrative\n",
                "  signature_chain: []\n",
            )
        ),
        encoding="utf-8",
    )
    assert load_termsheet(path).purchaser.signature_chain == []


def test_strings_are_stripped():
    data = load_termsheet(SEED).model_dump()
    data["deal_name"] = "  Ascent Series J  "
    assert TermSheet.model_validate(data).deal_name == "Ascent Series J"


def test_json_schema():
    schema = termsheet_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert schema["additionalProperties"] is False
    assert "dividend_rate" in schema["required"]
    assert schema["properties"]["series"]["pattern"] == "^[A-Z]$"
    assert "amount" not in schema["$defs"]["Purchase"]["properties"]


# ---------------------------------------------------------------------------------------------
# Located errors


def test_yaml_syntax_error(tmp_path):
    text = edited(("  state: Delaware\n", "  state: Delaware: Wilmington\n"))
    assert problems(tmp_path, text) == ["13:18: YAML syntax error: mapping values are not allowed here"]


def test_tab_indentation_is_explained(tmp_path):
    text = edited(("  state: Delaware\n", "\tstate: Delaware\n"))
    [line] = problems(tmp_path, text)
    assert line.startswith("13:1: YAML syntax error: ")
    assert "spaces, not tabs" in line


def test_wrong_type(tmp_path):
    text = edited(("  shares: 3000 ", '  shares: "abc"'))
    assert problems(tmp_path, text) == ["38:11: purchase.shares: must be a whole number, got 'abc'"]


def test_fractional_share_count(tmp_path):
    text = edited(("  shares: 3000 ", "  shares: 3000.5"))
    assert problems(tmp_path, text) == ["38:11: purchase.shares: must be a whole number, got 3000.5"]


def test_missing_field(tmp_path):
    text = edited(("  name: Global Ichiban Limited\n", ""))
    assert problems(tmp_path, text) == ["19:1: purchaser: missing required field 'name'"]


def test_missing_field_in_a_closing(tmp_path):
    text = edited(("  - {date: 2015-10-02, shares: 500}", "  - {date: 2015-10-02}"))
    assert problems(tmp_path, text) == ["42:5: closings[2]: missing required field 'shares'"]


def test_unknown_key_with_suggestion(tmp_path):
    text = edited(('dividend_rate: "8"', 'dividend_rat: "8"'))
    # Reported once, as the misspelling, not also as the missing dividend_rate.
    assert problems(tmp_path, text) == [
        "50:1: unknown field 'dividend_rat' (did you mean 'dividend_rate'?)"
    ]


def test_unknown_nested_key_with_suggestion(tmp_path):
    text = edited(("  notice_days: 61", "  notice_day: 61"))
    assert problems(tmp_path, text) == [
        "60:3: beneficial_ownership: unknown field 'notice_day' (did you mean 'notice_days'?)"
    ]


def test_derived_value_typed_in_yaml(tmp_path):
    text = edited(("  shares: 3000 ", "  amount: 3000000\n  shares: 3000 "))
    [line] = problems(tmp_path, text)
    assert line.startswith("38:3: purchase: 'amount' is computed by the toolkit")


def test_closings_do_not_add_up(tmp_path):
    text = edited(("  - {date: 2015-11-27, shares: 500}", "  - {date: 2015-11-27, shares: 400}"))
    assert problems(tmp_path, text) == [
        "40:1: closings: the closings add up to 2,900 shares, but purchase.shares is 3,000; "
        "they must be equal"
    ]


def test_closing_dates_out_of_order(tmp_path):
    text = edited(("{date: 2015-10-16,", "{date: 2015-09-30,"))
    assert problems(tmp_path, text) == [
        "43:12: closings[3].date: closing 3 (2015-09-30) is before closing 2 (2015-10-02); "
        "closing dates must be in strictly ascending order"
    ]


def test_closing_dates_same_day_and_before_effective_date(tmp_path):
    text = edited(
        ("{date: 2015-09-18, shares: 500}", "{date: 2015-09-01, shares: 500}"),
        ("{date: 2015-10-16,", "{date: 2015-10-02,"),
    )
    assert problems(tmp_path, text) == [
        "41:12: closings[1].date: closing 1 (2015-09-01) is before the effective date (2015-09-18)",
        "43:12: closings[3].date: closing 3 (2015-10-02) is the same day as closing 2 (2015-10-02); "
        "closing dates must be in strictly ascending order",
        "67:19: certificate.execution_date: the certificate is executed (2015-09-18) after the first closing "
        "(2015-09-01); Section II.B of the agreement requires it executed and filed on or before the initial "
        "closing",
    ]


def test_at_least_one_closing(tmp_path):
    start = SEED_TEXT.index("closings:")
    end = SEED_TEXT.index("exemptions:")
    text = SEED_TEXT[:start] + "closings: []\n\n" + SEED_TEXT[end:]
    assert problems(tmp_path, text) == ["40:1: closings: must list at least one closing"]


def test_more_shares_purchased_than_designated(tmp_path):
    text = edited(("  shares_designated: 3000 ", "  shares_designated: 2000 "))
    assert problems(tmp_path, text) == [
        "38:11: purchase.shares: 3,000 shares are purchased but only 2,000 are designated "
        "(preferred.shares_designated)"
    ]


def test_limitation_above_maximum(tmp_path):
    text = edited(('limitation: "4.99"', 'limitation: "19.99"'))
    assert problems(tmp_path, text) == [
        "58:15: beneficial_ownership.limitation: the limitation (19.99%) is greater than the "
        "maximum (9.99%); it must be at most the maximum"
    ]


def test_percentage_out_of_range(tmp_path):
    text = edited(('maximum: "9.99"', 'maximum: "120"'), ('limitation: "4.99"', "limitation: 0"))
    assert problems(tmp_path, text) == [
        "58:15: beneficial_ownership.limitation: must be a percentage greater than 0 and at most "
        "100, got 0",
        "59:12: beneficial_ownership.maximum: must be a percentage greater than 0 and at most "
        "100, got '120'",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("j", "must be a single capital letter from A to Z, got 'j' (write 'J')"),
        ("JJ", "must be a single capital letter from A to Z, got 'JJ'"),
        ("5", "must be a single capital letter from A to Z, got 5"),
        ("É", "must be a single capital letter from A to Z, got 'É'"),
    ],
)
def test_invalid_series_letter(tmp_path, value, message):
    text = edited(("series: J\n", f"series: {value}\n"))
    assert problems(tmp_path, text) == [f"28:9: series: {message}"]


def test_duplicate_key(tmp_path):
    text = edited(("    title: Director\n", "    title: Director\n    title: Manager\n"))
    assert problems(tmp_path, text) == [
        "27:5: purchaser.signatory: duplicate field 'title' (first given at line 26); "
        "give each field once"
    ]


def test_regulation_s_with_us_purchaser(tmp_path):
    text = edited(("us_person: false", "us_person: true"))
    assert problems(tmp_path, text) == [
        "48:37: exemptions[3]: regulation_s (offshore transactions) can be claimed only when the "
        "purchaser is not a U.S. person, but purchaser.us_person is true"
    ]


def test_exemptions_unknown_and_repeated(tmp_path):
    text = edited(("[section_4_2, rule_506, regulation_s]", "[section_4_2, rule_506, rule_506, rule_505]"))
    assert problems(tmp_path, text) == [
        "48:37: exemptions[3]: exemption 'rule_506' is listed more than once",
        "48:47: exemptions[4]: unknown exemption 'rule_505'; allowed: section_4_2, rule_506, "
        "regulation_s",
    ]


def test_exemptions_must_not_be_empty(tmp_path):
    text = edited(("[section_4_2, rule_506, regulation_s]", "[]"))
    [line] = problems(tmp_path, text)
    assert line.startswith("48:1: exemptions: must list at least one exemption")


def test_certificate_signed_before_board_meeting(tmp_path):
    text = edited(("board_meeting_date: 2015-09-17", "board_meeting_date: 2015-09-20"))
    assert problems(tmp_path, text) == [
        "67:19: certificate.execution_date: the certificate is signed (2015-09-18) before the "
        "board meeting that approved it (2015-09-20)"
    ]


def test_term_years_required_when_redemption_enabled(tmp_path):
    text = edited(("  term_years: 1 ", "  # term_years: 1 "))
    assert problems(tmp_path, text) == [
        "53:1: mandatory_redemption: missing required field 'term_years' "
        "(required when 'enabled' is true)"
    ]


def test_original_issue_price_must_match_purchase_price(tmp_path):
    text = edited(('original_issue_price: "1000.00"', 'original_issue_price: "900.00"'))
    [line] = problems(tmp_path, text)
    assert line.startswith("33:25: preferred.original_issue_price: the original issue price ($900.00)")


def test_bad_dates(tmp_path):
    text = edited(
        ("effective_date: 2015-09-18 ", "effective_date: 2015-02-30 "),
        ("execution_date: 2015-09-18", "execution_date: September 18"),
    )
    assert problems(tmp_path, text) == [
        "9:17: effective_date: is not a real calendar date: '2015-02-30'",
        "67:19: certificate.execution_date: must be a date written as YYYY-MM-DD, got 'September 18'",
    ]


def test_unquoted_time_is_explained(tmp_path):
    text = edited(('cutoff_time: "5:30 p.m."', "cutoff_time: 5:30"))
    [line] = problems(tmp_path, text)
    assert line.startswith("74:16: notices.cutoff_time: must be text, got 330")
    assert "quotes" in line


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Global \ue000 Limited", "must not contain private-use character U+E000"),
        ("Global \\x07 Limited", "must not contain control characters"),
        ("Global \\n Limited", "must not contain control characters"),
        ("   ", "must not be empty"),
    ],
)
def test_bad_text(tmp_path, name, message):
    text = edited(("  name: Global Ichiban Limited", f'  name: "{name}"'))
    [line] = problems(tmp_path, text)
    assert line.startswith(f"20:9: purchaser.name: {message}")


def test_several_errors_reported_at_once_sorted_by_line(tmp_path):
    text = edited(
        ("  name: Global Ichiban Limited\n", ""),
        ("series: J\n", "series: j\n"),
        ("  shares: 3000 ", '  shares: "abc"'),
        ('dividend_rate: "8"', 'dividend_rat: "8"'),
        ("  notice_days: 61", "  notice_days: -61"),
    )
    assert problems(tmp_path, text) == [
        "19:1: purchaser: missing required field 'name'",
        "27:9: series: must be a single capital letter from A to Z, got 'j' (write 'J')",
        "37:11: purchase.shares: must be a whole number, got 'abc'",
        "49:1: unknown field 'dividend_rat' (did you mean 'dividend_rate'?)",
        "59:16: beneficial_ownership.notice_days: must be greater than zero, got -61",
    ]


def test_several_cross_field_errors_reported_at_once(tmp_path):
    text = edited(
        ("  - {date: 2015-11-27, shares: 500}", "  - {date: 2015-11-27, shares: 400}"),
        ("{date: 2015-10-16,", "{date: 2015-09-30,"),
        ("us_person: false", "us_person: true"),
    )
    lines = problems(tmp_path, text)
    assert [line.split(":")[0] for line in lines] == ["40", "43", "48"]


def test_duplicate_key_reported_with_other_errors(tmp_path):
    text = edited(("series: J\n", "series: J\nseries: K\n"), ("  shares: 3000 ", '  shares: "abc"'))
    assert problems(tmp_path, text) == [
        "29:1: duplicate field 'series' (first given at line 28); give each field once",
        "39:11: purchase.shares: must be a whole number, got 'abc'",
    ]


def test_file_problems(tmp_path):
    with pytest.raises(TermSheetError, match="not found"):
        load_termsheet(tmp_path / "missing.yaml")
    with pytest.raises(TermSheetError, match="directory"):
        load_termsheet(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "1:1: the term sheet must be a set of 'field: value' lines, got a list"),
        ("just text\n", "1:1: the term sheet must be a set of 'field: value' lines, got a single value"),
        ("a: !!python/object/apply:os.system [echo]\n", "1:4: YAML syntax error: could not determine"),
    ],
)
def test_not_a_mapping_or_unsafe(tmp_path, text, message):
    [line] = problems(tmp_path, text)
    assert line.startswith(message)


def test_empty_and_non_utf8_files(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(TermSheetError, match="empty"):
        load_termsheet(path)
    path.write_bytes(b"deal_name: caf\xe9\n")
    with pytest.raises(TermSheetError, match="UTF-8"):
        load_termsheet(path)


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "x.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TermSheetError, match="too many values"):
        load_termsheet(path)


def test_model_errors_without_the_loader():
    data = load_termsheet(SEED).model_dump()
    data["purchase"]["shares"] = 2500
    with pytest.raises(ValidationError, match="closings add up to 3,000 shares"):
        TermSheet.model_validate(data)


# --- checks a lawyer expects across fields --------------------------------------------------------

def test_the_certificate_is_executed_no_later_than_the_first_closing(tmp_path):
    text = edited(("  execution_date: 2015-09-18", "  execution_date: 2015-09-25"))
    assert problems(tmp_path, text) == [
        "67:19: certificate.execution_date: the certificate is executed (2015-09-25) after the first closing "
        "(2015-09-18); Section II.B of the agreement requires it executed and filed on or before the initial "
        "closing",
    ]
    same_day = tmp_path / "same.yaml"
    same_day.write_text(edited(("  execution_date: 2015-09-18", "  execution_date: 2015-09-17")), encoding="utf-8")
    assert load_termsheet(same_day).certificate.execution_date.isoformat() == "2015-09-17"


def test_an_entity_in_the_signature_chain_names_its_capacity(tmp_path):
    text = edited(("    - LT Asia Management Ltd., its investment manager", "    - LT Asia Management Ltd."))
    [line] = problems(tmp_path, text)
    assert line.startswith("23:7: purchaser.signature_chain[1]: 'LT Asia Management Ltd.' signs for another "
                           "entity, so the signature block must say in what capacity: write it as "
                           "'LT Asia Management Ltd., its general partner'")


@pytest.mark.parametrize("name, chain, title, fits", [
    ("Rocky Mountain Capital Partners, L.P.", ["RMCP GP, LLC, its general partner"], "Managing Member", True),
    ("Rocky Mountain Capital Partners, L.P.", [], "Managing Member", False),
    ("Rocky Mountain Capital Partners, L.P.", [], "General Partner", True),
    ("Rocky Mountain Capital Partners, L.P.", ["RMCP GP, Inc., its general partner"], "Managing Member", False),
    ("Northwind Capital LLC", [], "Managing Member", True),
    ("Global Ichiban Limited", [], "Managing Member", False),
    ("Global Ichiban Limited", [], "Director", True),
    ("Northwind Capital Corp.", [], "General Partner", False),
    ("Harbor Fund", [], "Managing Member", True),             # no form in the name: nothing to say
])
def test_a_signatory_title_fits_the_entity_signed_for(tmp_path, name, chain, title, fits):
    from conftest import write_termsheet

    path = write_termsheet(tmp_path, {"purchaser": {"name": name, "signature_chain": chain,
                                                    "signatory": {"title": title}}})
    if fits:
        assert load_termsheet(path).purchaser.signatory.title == title
        return
    with pytest.raises(TermSheetError) as caught:
        load_termsheet(path)
    [problem] = caught.value.problems
    assert "purchaser.signatory.title" in str(problem) and title in str(problem), str(problem)


def test_the_company_signatory_title_fits_a_corporation(tmp_path):
    text = edited(("    title: Chief Executive Officer", "    title: Managing Member"))
    [line] = problems(tmp_path, text)
    assert line.startswith("17:12: company.signatory.title: 'Managing Member' is a title in a limited liability "
                           "company, but Ascent Solar Technologies, Inc. is a corporation")
