"""The readers under the proofreading rules: enumerators, ordinals, parties, parts of a file, cover labels."""

from __future__ import annotations

import pytest

from assembler.check.rules.enumerations import tokens
from assembler.check.rules.figures import ordinal_value, other_pairs
from assembler.check.rules.parties import names_in, normal
from assembler.check.rules.proofing import _parens, _quotes
from assembler.check.rules.terms import cover_labels, operative
from assembler.docmodel.model import Paragraph


def para(text: str, style: str | None = None, heading: str | None = None) -> Paragraph:
    return Paragraph("a.docx", "body", 0, text, style=style, heading=heading)


@pytest.mark.parametrize("text,expected", [
    ("Company shall (a) deliver, (b) pay and (c) file.", ["(a)", "(b)", "(c)"]),
    ("under Section 4(a)(2) and Rule 506(b) of Regulation D", []),
    ("as set forth in clauses (a) and (c) above", []),
    ("the obligations in (b) above survive", []),
    ("for three (3) years and (i) thereafter", ["(i)"]),
])
def test_enumerators_leave_out_citations_references_and_figures(text, expected):
    assert [t.text for t in tokens(text)] == expected


@pytest.mark.parametrize("words,value", [("second", 2), ("Twenty-First", 21), ("thirtieth", 30),
                                         ("one hundredth", 100), ("fourth", 4), ("seconds", None)])
def test_ordinal_values(words, value):
    assert ordinal_value(words) == value


def test_figures_before_words_and_ordinals_are_read_as_pairs():
    found = {(p.text, p.words, p.figure) for p in other_pairs("12 (eighteen) months after the second (3rd) day")}
    assert {(t, int(w), int(f)) for t, w, f in found} == {("12 (eighteen)", 18, 12), ("second (3rd)", 2, 3)}
    assert not list(other_pairs("Section 12 (Fifteen Days) and Rule 144 (one year)"))


def test_party_names_are_read_whole_and_compared_without_case_or_comma():
    names = [m.text for m in names_in(para("The Ascent Solar Technologies, Inc. and GLOBAL ICHIBAN LIMITED "
                                           "under the Delaware General Corporation Law"))]
    assert names == ["Ascent Solar Technologies, Inc.", "GLOBAL ICHIBAN LIMITED"]
    assert normal("ASCENT SOLAR TECHNOLOGIES INC.") == normal("Ascent Solar Technologies, Inc.")
    assert normal("Global Ichiban Ltd.") != normal("Global Ichiban Limited")


@pytest.mark.parametrize("text,expected", [
    ("Company (a Delaware corporation) and (i) one, ii) two", None),
    ("Company (a Delaware corporation shall", (8, 1)),
    ("deliver the shares to Purchaser).", (31, -1)),
    ("as listed: 1) shares and 2) cash", None),
])
def test_parentheses(text, expected):
    assert _parens(text) == expected


def test_quotation_marks_straight_or_typographic():
    assert _quotes("\"Key Terms” means") is None
    assert _quotes("the “Purchase Amount means") == (4, 1)
    assert _quotes("means” the") == (5, -1)


def test_cover_labels_and_section_titles_define_terms():
    labels = cover_labels([para("PROVIDER: {company_name}"), para("Subscription Period: 12 months"),
                           para("Notice Address"), para("This is a sentence, not a label."),
                           para("Payment. Company shall pay.", heading="Payment Terms")])
    assert {"Provider", "Subscription Period", "Subscription Periods", "Notice Address", "Payment Terms"} <= labels
    assert "This" not in labels


def test_operative_text_in_a_heading_style():
    assert operative(para("Fees. Customer shall pay all fees within thirty days of the invoice.", "heading 2",
                          heading="Fees"))
    assert not operative(para("Term & Termination", "heading 1"))
