"""The xref rules on what outline examples cannot express: REF fields, combined files, the built package."""

from __future__ import annotations

import pytest

from assembler.check.rules.xref import MISDIRECTED, MISSING, RULES
from assembler.check.runner import run_rules
from assembler.docmodel.parse import load_documents
from test_parse import OUTLINE, p, ref, write_docx


def check(paths):
    return run_rules(load_documents(paths), rules=RULES)


def bookmarked(text: str, name: str, num: int = 1, ilvl: int = 0) -> str:
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
    return (f'<w:p>{ppr}<w:bookmarkStart w:id="{abs(hash(name)) % 1000}" w:name="{name}"/>'
            f'<w:r><w:t>{text}</w:t></w:r><w:bookmarkEnd w:id="{abs(hash(name)) % 1000}"/></w:p>')


def citing(field: str, before: str = "See Section ", after: str = ".", num: int | None = 1, ilvl: int = 1) -> str:
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>' if num else ""
    return (f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{before}</w:t></w:r>{field}'
            f'<w:r><w:t xml:space="preserve">{after}</w:t></w:r></w:p>')


# I. Terms / A. Dividends (bookmarked) / B. Conversion / 1. Splits (bookmarked) / C. ...
def outline_body(*citations: str) -> str:
    return (bookmarked("Terms.", "_RefTerms", ilvl=0) + bookmarked("Dividends.", "_RefDiv", ilvl=1)
            + p("Conversion.", 1, 1) + bookmarked("Splits.", "_RefSplits", ilvl=2) + "".join(citations))


def codes(findings):
    return [(f.code, f.snippet) for f in findings]


def test_a_ref_field_showing_its_targets_number_passes(tmp_path):
    body = outline_body(citing(ref("_RefSplits", "1", "\\r \\h"), ilvl=2),        # in I.B.2
                        citing(ref("_RefSplits", "I.B.1")), citing(ref("_RefDiv", "A", "\\n \\h")),
                        citing(ref("_RefSplits", "B.1", "\\r \\h"), ilvl=2))      # in I.D.1
    assert check([write_docx(tmp_path, body, numbering=OUTLINE)]) == []


def test_a_stale_ref_field_is_misdirected(tmp_path):
    body = outline_body(citing(ref("_RefSplits", "I.C.1")))
    findings = check([write_docx(tmp_path, body, numbering=OUTLINE)])
    assert codes(findings) == [(MISDIRECTED.code, "Section I.C.1")]
    assert "I.B.1" in findings[0].message


def test_a_ref_field_to_a_missing_bookmark_is_missing(tmp_path):
    body = outline_body(citing(ref("_RefGone", "I.A")))
    findings = check([write_docx(tmp_path, body, numbering=OUTLINE)])
    assert codes(findings) == [(MISSING.code, "I.A")]
    assert "_RefGone" in findings[0].message


def test_a_ref_field_showing_an_error_is_misdirected(tmp_path):
    body = outline_body(citing(ref("_RefDiv", "Error! Reference source not found.")))
    findings = check([write_docx(tmp_path, body, numbering=OUTLINE)])
    assert codes(findings) == [(MISDIRECTED.code, "Error! Reference source not found.")]


def test_error_text_without_a_field_is_missing(tmp_path):
    body = outline_body(citing("", before="See Section Error! Bookmark not defined."))
    findings = check([write_docx(tmp_path, body, numbering=OUTLINE)])
    assert codes(findings) == [(MISSING.code, "Error! Bookmark not defined.")]


def test_a_combined_file_resolves_each_exhibit_against_its_own_outline(tmp_path):
    body = (p("I.\tPurchase.") + p("A.\tClosing. The closing (the “Closing”) and Exhibit 2; see Section I.B.")
            + p("B.\tOther.")
            + p("Exhibit 1") + p("“Closing” has the meaning set forth in Section I.A.")
            + p("“Other” has the meaning set forth in Section I.C.")
            + p("Exhibit 2") + p("I.\tTerms.") + p("A.\tDividends under Section I.B and Exhibit 3."))
    findings = check([write_docx(tmp_path, body)])
    assert codes(findings) == [(MISSING.code, "Section I.C"), (MISSING.code, "Section I.B"),
                               (MISSING.code, "Exhibit 3")]
    assert "Article I ends at Section I.B" in findings[0].message


def test_a_glossary_alone_is_not_checked_against_an_agreement_it_does_not_have(tmp_path):
    body = p("Exhibit 1") + p("“Closing” has the meaning set forth in Section II.D.") + p("See Exhibit 2.")
    assert check([write_docx(tmp_path, body)]) == []


# -- the built package ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from assembler.build import build
    from examples import SEED_TERMSHEET

    return build(SEED_TERMSHEET, tmp_path_factory.mktemp("built-xref"), combined=True)


def test_the_built_documents_as_one_package_have_no_xref_findings(built):
    from assembler.build import DOCUMENTS

    assert check([built.files[spec.output] for spec in DOCUMENTS]) == []


def test_the_combined_package_file_has_no_xref_findings(built):
    assert check([built.files["deal-package.docx"]]) == []


@pytest.mark.parametrize("name", ["securities-purchase-agreement.docx", "exhibit-1-glossary-of-defined-terms.docx",
                                  "exhibit-2-certificate-of-designations.docx"])
def test_each_built_document_alone_has_no_xref_findings(built, name):
    assert check([built.files[name]]) == []


def test_a_bookmark_that_starts_between_paragraphs_marks_the_next_one(tmp_path):
    body = (p("Terms.", 1, 0) + '<w:bookmarkStart w:id="7" w:name="_RefDiv"/>' + p("Dividends.", 1, 1)
            + '<w:bookmarkEnd w:id="7"/>' + citing(ref("_RefDiv", "I.A")))
    path = write_docx(tmp_path, body, numbering=OUTLINE)
    doc = load_documents([path]).documents[0]
    assert doc.bookmarks["_RefDiv"].number == "I.A"
    assert check([path]) == []


def test_a_glossary_target_headed_with_the_term_but_not_defining_it(tmp_path):
    body = (p("I.\tPurchase.") + p("A.\tClosing. The sale takes place in six closings.")
            + p("Exhibit 1") + p("“Closing” has the meaning set forth in Section I.A."))
    (finding,) = check([write_docx(tmp_path, body)])
    assert (finding.code, finding.snippet) == (MISDIRECTED.code, "Section I.A")
    assert finding.message.startswith("Section I.A is headed “Closing” but does not define “Closing”")
