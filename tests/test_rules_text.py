"""The text rules (series, defs, figures, leftovers) on hand-built paragraphs, real .docx files and the built package."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document as WordDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from num2words import num2words

from assembler.check.rule import Config
from assembler.check.rules import defs, figures, leftovers, series
from assembler.check.runner import run_rules
from assembler.docmodel.model import Definition, Document, Package, Paragraph
from assembler.docmodel.parse import load_documents

ROOT = Path(__file__).resolve().parent.parent
SEED_TERMSHEET = ROOT / "termsheets" / "ascent-series-j.yaml"
TEXT_RULES = [rule for module in (series, defs, figures, leftovers) for rule in module.RULES]


# --------------------------------------------------------------------------------------------
# Hand-built documents


def document(*texts: str, name: str = "doc.docx", style: str | None = None) -> Document:
    doc = Document(path=name, name=name)
    doc.paragraphs = [Paragraph(name, "body", i, text, style=style) for i, text in enumerate(texts)]
    return doc


def define(doc: Document, index: int, term: str, kind: str, wording: str = "", target: str | None = None) -> None:
    p = doc.paragraphs[index]
    start = p.text.index(term)
    doc.definitions.append(Definition(term, kind, wording, p, target, start, start + len(term)))


def check(*docs: Document, rule=None, termsheet=None, **config):
    rules = [rule] if rule is not None else TEXT_RULES
    return run_rules(Package(list(docs)), termsheet, Config.from_dict(config), rules=rules)


# --------------------------------------------------------------------------------------------
# series


class TestSeries:
    SEED = (
        "certificate of designations of preferences, rights and limitations of series j preferred stock",
        "whereas, it is the desire of the board of directors of the corporation, pursuant to its authority as "
        "aforesaid and as set forth in this certificate of designations of preferences, rights and limitations of "
        "series g preferred stock, to designate the rights, preferences, restrictions and other matters relating "
        "to the series g preferred stock, which will consist of 3000 shares of the preferred stock",
        "designation, amount and par value. the series of preferred stock will be designated as the corporation's "
        "series j preferred stock ( \" series j preferred stock \" ) and the number of shares so designated",
        "the holder shall not be required to deliver the original certificates for the series g preferred stock "
        "in order to effect a conversion hereunder.",
        "such lesser percentage as may be stated in a holder's securities purchase agreement for the initial "
        "purchase of shares s series g preferred stock, of all common stock outstanding",
        "so long as any shares of series j preferred stock are outstanding, the corporation will not (iii) "
        "increase the authorized number of shares of series g preferred stock, or (iv) enter into any agreement",
    )

    def test_it_flags_every_stray_series_of_the_seed(self):
        found = check(document(*self.SEED), rule=series.SERIES)
        assert [(f.paragraph, f.snippet) for f in found] == [
            (1, "series g preferred stock"), (1, "series g preferred stock"), (3, "series g preferred stock"),
            (4, "series g preferred stock"), (5, "series g preferred stock")]
        assert found[0].offset < found[1].offset, "each occurrence is a finding of its own"
        assert "Series J" in found[0].message

    def test_it_takes_the_series_from_the_term_sheet_when_given(self):
        doc = document("Purchaser buys shares of Series K Preferred Stock (the \"Series K Preferred Stock\").")
        found = check(doc, rule=series.SERIES, termsheet=SimpleNamespace(series="J"))
        assert [f.snippet for f in found] == ["Series K Preferred Stock", "Series K Preferred Stock"]
        assert "term sheet" in found[0].message

    def test_it_allows_series_listed_in_the_configuration(self):
        doc = document("The Series J Preferred Stock (the \"Series J Preferred Stock\") ranks junior to the "
                       "Series A Preferred Stock and the Series B Holders.")
        assert [f.snippet for f in check(doc, rule=series.SERIES)] == ["Series A Preferred Stock", "Series B Holders"]
        assert check(doc, rule=series.SERIES, allowed_series=["A", "Series B"]) == []

    def test_it_does_not_read_articles_or_series_of_as_a_series(self):
        doc = document("The Series J Preferred Stock is a series of Preferred Stock issuable in one or more series; "
                       "a series a preferred holder may act.")
        assert check(doc, rule=series.SERIES) == []

    def test_it_reads_every_story(self):
        doc = document("The Series J Preferred Stock (the \"Series J Preferred Stock\").")
        doc.paragraphs.append(Paragraph("doc.docx", "word/footer1.xml", 0, "Series G Preferred Stock Certificate"))
        found = check(doc, rule=series.SERIES)
        assert [(f.part, f.snippet) for f in found] == [("word/footer1.xml", "Series G Preferred Stock")]

    def test_it_stays_silent_when_no_series_prevails(self):
        assert check(document("Series G Preferred Stock and Series J Preferred Stock."), rule=series.SERIES) == []


# --------------------------------------------------------------------------------------------
# defs


class TestDefinitionConflicts:
    def test_it_flags_a_second_wording_across_documents(self):
        glossary = document("\"Trading Day\" means any day on which the Common Stock is traded; provided that it will "
                            "not include (a) a half day.", name="glossary.docx")
        define(glossary, 0, "Trading Day", "means", "any day on which the Common Stock is traded; provided that it "
                                                    "will not include (a) a half day.")
        certificate = document("\"Trading Day\" means any day on which the Common Stock is traded; provided that it "
                               "shall not include (i) a half day.", name="certificate.docx")
        define(certificate, 0, "Trading Day", "means", "any day on which the Common Stock is traded; provided that "
                                                       "it shall not include (i) a half day.")
        found = check(glossary, certificate, rule=defs.CONFLICT)
        assert [(f.file, f.snippet) for f in found] == [("certificate.docx", "Trading Day")]
        assert "glossary.docx" in found[0].message

    def test_it_ignores_case_quotes_spacing_and_the_final_period(self):
        a = document("x", "y")
        define(a, 0, "x", "means", "the U.S. “Securities”  and Exchange Commission.")
        define(a, 1, "y", "means", "the u.s. \"securities\" and exchange commission")
        a.definitions[1].term = "x"
        assert check(a, rule=defs.CONFLICT) == []

    def test_it_never_sets_an_inline_definition_against_a_means_definition(self):
        a = document("will take place in six closings (each, a \"Closing\").", "\"Closing\" means the closing.")
        define(a, 0, "Closing", "inline")
        define(a, 1, "Closing", "means", "the closing.")
        assert check(a, rule=defs.CONFLICT) == []

    def test_it_flags_pointers_to_different_sections(self):
        a = document("\"Closing\" has the meaning set forth in Section II.D.",
                     "\"Closing\" has the meaning set forth in Section II.C.")
        define(a, 0, "Closing", "meaning", target="Section II.D")
        define(a, 1, "Closing", "meaning", target="Section II.C")
        found = check(a, rule=defs.CONFLICT)
        assert [(f.paragraph, f.snippet) for f in found] == [(1, "Closing")]


class TestUnusedDefinitions:
    def test_it_counts_plurals_singulars_and_possessives_in_any_document(self):
        glossary = document("\"Liens\" means a lien.", "\"GAAP\" means accounting principles.",
                            "each a \"Holder\"", name="g.docx")
        define(glossary, 0, "Liens", "means", "a lien.")
        define(glossary, 1, "GAAP", "means", "accounting principles.")
        define(glossary, 2, "Holder", "inline")
        other = document("No Lien attaches to any Holder’s shares.", name="a.docx")
        found = check(glossary, other, rule=defs.UNUSED)
        assert [f.snippet for f in found] == ["GAAP"]
        assert found[0].severity.value == "warning"

    def test_it_does_not_count_other_definitions_of_the_same_term_as_uses(self):
        a = document("\"Exchange Act\" means the 1934 Act.", name="g.docx")
        b = document("\"Exchange Act\" means the 1934 Act.", name="c.docx")
        define(a, 0, "Exchange Act", "means", "the 1934 Act.")
        define(b, 0, "Exchange Act", "means", "the 1934 Act.")
        assert [f.file for f in check(a, b, rule=defs.UNUSED)] == ["g.docx"]

    def test_it_is_case_sensitive(self):
        a = document("\"Person\" means an individual.", "Any person may sign.")
        define(a, 0, "Person", "means", "an individual.")
        assert [f.snippet for f in check(a, rule=defs.UNUSED)] == ["Person"]


class TestVariants:
    def test_it_flags_the_singular_inside_certificate_of_designations(self):
        a = document("this Certificate of Designations (this \"Certificate of Designations\")",
                     "in accordance with the terms of this Certificate of Designation.",
                     "amend the certificate of Designations or the Certificates of Designations")
        define(a, 0, "Certificate of Designations", "inline")
        found = check(a, rule=defs.VARIANT)
        assert [(f.paragraph, f.snippet) for f in found] == [(1, "Certificate of Designation"),
                                                             (2, "certificate of Designations")]

    def test_it_allows_plurals_singulars_possessives_and_plain_english(self):
        a = document("the Corporation’s common stock (\"Common Stock\")", "the Preferred Shares (\"Preferred Shares\")",
                     "each Preferred Share; the Preferred Shares’ price; COMMON STOCK; no common stock")
        define(a, 0, "Common Stock", "inline")
        define(a, 1, "Preferred Shares", "inline")
        assert check(a, rule=defs.VARIANT) == []


class TestUndefinedTerms:
    def test_it_reports_the_seeds_conversion_amount_once_per_document(self):
        a = document("Dividends shall be payable (x) by way of inclusion in the Conversion Amount on each Conversion "
                     "Date or (y) upon any redemption.", "Then the Conversion Amount is paid.")
        found = check(a, rule=defs.UNDEFINED)
        assert [(f.paragraph, f.snippet) for f in found] == [(0, "Conversion Amount"), (0, "Conversion Date")]

    def test_it_skips_names_laws_titles_headings_and_sentence_starts(self):
        a = document("by and between Ascent Solar Technologies, Inc., a Delaware corporation, and Global Ichiban "
                     "Limited under the Securities Exchange Act with the Secretary of State and the Chief Executive "
                     "Officer, per the Glossary of Defined Terms on September 18, 2015, for Three Million Dollars. "
                     "Regulatory Permits are held. Name: Victor Lee",
                     "Listing and Maintenance Requirements")
        b = document("Securities Purchase Agreement", style="Document Title")
        assert check(a, b, rule=defs.UNDEFINED) == []

    def test_it_skips_names_from_the_term_sheet(self):
        a = document("signed by the attorney Ashley Ong for the purchaser")
        assert [f.snippet for f in check(a, rule=defs.UNDEFINED)] == ["Ashley Ong"]
        ts = SimpleNamespace(model_dump=lambda: {"purchaser": {"signatory": {"name": "Ashley Ong"}}})
        assert check(a, rule=defs.UNDEFINED, termsheet=ts) == []

    def test_it_respects_the_configuration(self):
        a = document("inclusion in the Conversion Amount on each conversion")
        assert check(a, rule=defs.UNDEFINED, known_terms=["Conversion Amount"]) == []
        assert check(a, rule=defs.UNDEFINED, report_undefined=False) == []


# --------------------------------------------------------------------------------------------
# figures


class TestNumberWords:
    @pytest.mark.parametrize("n", [*range(0, 130), 200, 201, 999, 1000, 1001, 1100, 1999, 2015, 12345, 100000, 123456,
                                   1000001, 25000000, 3000000, 999999999, 1234567890])
    def test_it_reads_what_num2words_writes(self, n):
        """Every form num2words writes, British (with "and" and commas) and American in title case."""
        british = num2words(n, lang="en")                     # "one hundred and twenty-three thousand, ..."
        assert figures.words_value(british) == n
        assert figures.words_value(british.replace(",", "").replace(" and ", " ").title()) == n

    def test_it_refuses_what_is_not_a_number(self):
        assert figures.words_value("one or more") is None


class TestWordsAndFigures:
    @pytest.mark.parametrize("text,snippet", [
        ("purchase Three Million Dollars ($3,500,000) in shares", "Three Million Dollars ($3,500,000)"),
        ("an aggregate of three thousand (3,300) shares", "three thousand (3,300)"),
        ("at eight percent (9%) per annum", "eight percent (9%)"),
        ("upon not less than sixty-one (60) days' notice", "sixty-one (60)"),
        ("One Thousand Dollars and Fifty Cents ($1,000.05)", "One Thousand Dollars and Fifty Cents ($1,000.05)"),
        ("four and ninety-nine hundredths percent (4.49%)", "four and ninety-nine hundredths percent (4.49%)"),
    ])
    def test_it_flags_disagreements(self, text, snippet):
        assert [f.snippet for f in check(document(text), rule=figures.WORDS)] == [snippet]

    def test_it_accepts_agreement_in_any_case_and_with_and(self):
        text = ("Three Million Dollars ($3,000,000); ONE HUNDRED AND FIVE (105) shares; nine and ninety-nine "
                "hundredths percent (9.99%); Fifty Cents ($0.50); One Hundred Twenty-Three Thousand Four Hundred "
                "Fifty-Six Dollars and One Cent ($123,456.01); twenty-five million (25,000,000) shares")
        assert check(document(text), rule=figures.WORDS) == []

    def test_it_skips_digits_in_words_and_clause_numbers(self):
        assert check(document("1.5 million (1,500,000) shares; Section 13(d); Rule 501(a); the earliest of (1) the "
                              "date"), rule=figures.WORDS) == []


class TestArithmetic:
    PURCHASE = ("Subject to the terms and conditions herein, Company hereby agrees to sell to Purchaser for the "
                "aggregate sum of Three Million Dollars ($3,000,000) (the \"Purchase Amount\"), and Purchaser hereby "
                "agrees to purchase from Company, an aggregate of three thousand (3,000) Preferred Shares, at a price "
                "of $1,000 per Preferred Share.")

    @staticmethod
    def closing(shares: str, amount: str) -> str:
        return (f"the purchase and sale of the Preferred Shares will take place in six (6) closings (each, a "
                f"\"Closing\"). At each Closing, Purchaser will purchase and make payment for {shares} of the "
                f"Preferred Shares by payment to Company in cash by wire transfer of {amount} of immediately "
                f"available funds. the Closings shall occur on (i) September 18, 2015, (ii) October 2, 2015, (iii) "
                f"October 16, 2015, (iv) October 30, 2015, (v) November 13, 2015 and (vi) November 27, 2015.")

    def test_it_accepts_the_templates_sentences(self):
        doc = document(self.PURCHASE, self.closing("five hundred (500)", "Five Hundred Thousand Dollars ($500,000)"))
        assert check(doc, rule=figures.ARITHMETIC) == []

    def test_it_flags_closings_that_do_not_add_up(self):
        doc = document(self.PURCHASE, self.closing("four hundred (400)", "Four Hundred Thousand Dollars ($400,000)"))
        found = check(doc, rule=figures.ARITHMETIC)
        assert [(f.paragraph, f.snippet) for f in found] == [(1, "four hundred (400)")]
        assert "2,400" in found[0].message and "3,000" in found[0].message

    def test_it_flags_a_payment_that_is_not_shares_times_price(self):
        doc = document(self.PURCHASE, self.closing("five hundred (500)", "Five Hundred Fifty Thousand Dollars "
                                                                         "($550,000)"))
        assert "$550,000" in check(doc, rule=figures.ARITHMETIC)[0].message

    def test_it_flags_an_aggregate_sum_that_is_not_shares_times_price(self):
        doc = document(self.PURCHASE.replace("($3,000,000)", "($3,500,000)").replace("Three Million",
                                                                                       "Three Million Five Hundred "
                                                                                       "Thousand"))
        found = check(doc, rule=figures.ARITHMETIC)
        assert [f.snippet for f in found] == ["Three Million Five Hundred Thousand Dollars ($3,500,000)"]

    def test_it_counts_the_closing_dates_when_the_number_is_not_stated(self):
        seed = ("at each of the closings, purchaser will purchase and make payment for 400 of the preferred shares by "
                "payment to company in cash by wire transfer of $400,000 of immediately available funds. the "
                "closings shall occur on (i) september 18 2015 (ii) october 2 2015 (iii) october 16 2015 (iv) "
                "october 30 2015 (v) november 13 2015 and (vi) november 27 2015")
        found = check(document(self.PURCHASE, seed), rule=figures.ARITHMETIC)
        assert [f.snippet for f in found] == ["400"]


# --------------------------------------------------------------------------------------------
# leftovers


class TestLeftovers:
    def test_it_flags_tags_and_markers(self):
        doc = document("pay {{ purchase.amount_words }} {% if x %}", "Section \ue000R:spa:closing\ue001 above")
        assert sorted(f.snippet for f in check(doc, rule=leftovers.TAGS)) == [
            "{% if x %}", "{{ purchase.amount_words }}", "\ue000R:spa:closing\ue001"]

    def test_it_flags_placeholders_but_not_signature_lines_or_legal_brackets(self):
        doc = document("pay $[●] on [___], 2015 to [Name of Purchaser]; rate TBD; [•]",
                       "By: ______________________________", "[Signature page follows]",
                       "[Signature Page to Securities Purchase Agreement]", "[Reserved]", "[T]he Company [sic]")
        assert sorted(f.snippet for f in check(doc, rule=leftovers.PLACEHOLDERS)) == sorted([
            "$[●]", "[___]", "[Name of Purchaser]", "TBD", "[•]"])

    def test_a_blank_inside_an_option_is_quoted_with_balanced_brackets(self):
        doc = document("expenses [in any amount not to exceed [__]% of Commitments].")
        assert [f.snippet for f in check(doc, rule=leftovers.PLACEHOLDERS)] == ["[__]"]

    def test_it_reports_comments_and_tracked_changes_once_per_document(self, tmp_path):
        word = WordDocument()
        para = word.add_paragraph("Purchaser will purchase the Preferred Shares.")
        word.add_comment(para.runs, text="Check the amount.", author="Reviewer")
        word.add_comment(para.runs, text="And the date.", author="Reviewer")
        para._p.append(parse_xml(
            f'<w:ins {nsdecls("w")} w:id="91" w:author="Reviewer" w:date="2015-09-18T00:00:00Z">'
            f'<w:r><w:t> at the Closing</w:t></w:r></w:ins>'))
        path = tmp_path / "marked-up.docx"
        word.save(path)
        package = load_documents([path])
        found = run_rules(package, rules=[leftovers.COMMENTS, leftovers.REVISIONS])
        assert [(f.code, f.snippet) for f in found] == [("leftovers.comments", "2 comments"),
                                                        ("leftovers.revisions", "1 tracked change")]

    def test_it_reports_a_clean_file_clean(self, tmp_path):
        word = WordDocument()
        word.add_paragraph("Purchaser will purchase the Preferred Shares.")
        path = tmp_path / "clean.docx"
        word.save(path)
        assert run_rules(load_documents([path]), rules=[leftovers.COMMENTS, leftovers.REVISIONS]) == []


# --------------------------------------------------------------------------------------------
# The package the build writes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from assembler.build import build

    return build(SEED_TERMSHEET, tmp_path_factory.mktemp("built"), combined=True)


@pytest.mark.parametrize("with_termsheet", [False, True], ids=["no-termsheet", "termsheet"])
@pytest.mark.parametrize("combined", [False, True], ids=["three-files", "package-file"])
def test_the_built_package_gives_no_findings(built, combined, with_termsheet):
    from assembler.termsheet import load_termsheet

    files = sorted(p for name, p in built.files.items() if (name == "deal-package.docx") == combined)
    termsheet = load_termsheet(SEED_TERMSHEET) if with_termsheet else None
    assert run_rules(load_documents(files), termsheet, rules=TEXT_RULES) == []


def test_the_built_package_with_a_seed_defect_is_flagged(built):
    """Sanity: the zero above is not blindness. The seed's defects typed into the built certificate are found."""
    files = sorted(p for name, p in built.files.items() if name != "deal-package.docx")
    package = load_documents(files)
    certificate = next(d for d in package.documents if "certificate" in d.name)
    target = next(p for p in certificate.paragraphs if "original certificates for the" in p.text)
    target.text = target.text.replace("Series\u00a0J Preferred Stock", "Series G Preferred Stock", 1)  # built: no-break
    target.text += " Dividends are included in the Conversion Amount under this Certificate of Designation."
    codes = {(f.code, f.snippet) for f in run_rules(package, rules=TEXT_RULES)}
    assert codes == {("series", "Series G Preferred Stock"), ("defs.undefined", "Conversion Amount"),
                     ("defs.variant", "Certificate of Designation")}


def test_findings_are_stable(built):
    files = sorted(p for name, p in built.files.items() if name != "deal-package.docx")
    first = run_rules(load_documents(files), rules=TEXT_RULES)
    assert first == run_rules(load_documents(files), rules=TEXT_RULES)
    assert copy.deepcopy(first) == first
