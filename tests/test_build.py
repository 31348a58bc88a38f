"""The deal package: every deal value in its place, numbering and cross-references right, variants."""

from __future__ import annotations

import re

import pytest

from assembler.build import DOCUMENTS, PACKAGE_OUTPUT, build
from assembler.render import words
from assembler.render.context import series_name
from assembler.termsheet import load_termsheet
from conftest import write_termsheet
from examples import SEED_TERMSHEET
from inspect_docx import inspect

AGREEMENT, GLOSSARY, CERTIFICATE = (spec.output for spec in DOCUMENTS)
ALL_OUTPUTS = (AGREEMENT, GLOSSARY, CERTIFICATE, PACKAGE_OUTPUT)


@pytest.fixture(scope="module")
def seed():
    return load_termsheet(SEED_TERMSHEET)


@pytest.fixture(scope="module")
def docs(seed_build):
    return {name: inspect(path) for name, path in seed_build.files.items()}


def build_variant(tmp_path, overrides, combined=True):
    path = write_termsheet(tmp_path, overrides)
    result = build(path, tmp_path / "out", combined=combined)
    return load_termsheet(path), {name: inspect(p) for name, p in result.files.items()}


def assert_sound(docs, series_letter):
    """What every built package must satisfy, whatever the deal."""
    for name, doc in docs.items():
        text = doc.text
        for leftover in ("{{", "}}", "{%", "%}", "\ue000", "\ue001"):
            assert leftover not in text, f"{name}: template leftover {leftover!r}"
        series = set(re.findall(r"\bSeries\s([A-Z])\b", text))
        assert series <= {series_letter}, f"{name}: other series {series - {series_letter}}"
        for bookmark, cached, where in doc.refs:
            assert bookmark in doc.bookmark_numbers, f"{name}: REF to missing bookmark {bookmark}"
            assert cached == doc.bookmark_numbers[bookmark], (
                f"{name}: paragraph {where}: REF {bookmark} shows {cached!r}, target is "
                f"{doc.bookmark_numbers[bookmark]!r}")
            assert cached, f"{name}: empty REF result"
        assert "Error!" not in text


# --- the seed deal -------------------------------------------------------------------------------

def test_build_writes_the_three_documents_and_the_package(seed_build):
    assert set(seed_build.files) == set(ALL_OUTPUTS)
    assert seed_build.out_dir.name == "ascent-series-j"
    for path in seed_build.files.values():
        assert path.stat().st_size > 10_000


def test_seed_package_is_sound(docs, seed):
    assert_sound(docs, seed.series)


def test_every_reference_is_a_ref_field_with_the_right_number(docs):
    spa = docs[AGREEMENT]
    shown = {cached for _, cached, _ in spa.refs}
    assert shown == {"II.B", "II.C", "III.D", "V.C"}
    assert all(" \\w \\h" in i for i in spa.field_instructions if i.startswith("REF"))
    cod = docs[CERTIFICATE]
    assert {c for _, c, _ in cod.refs} == {"I.G.2", "I.D.2", "I.E", "I.G.3", "I.H.1", "I.J.1"}
    package = docs[PACKAGE_OUTPUT]
    assert {c for _, c, _ in package.refs} >= {"II.A", "II.D", "III.B.6", "I.G.2", "V.C"}


def test_the_glossary_points_at_the_agreement_sections_that_define_the_terms(docs):
    spa, glo = docs[AGREEMENT], docs[GLOSSARY]
    for term, anchor_text in (("Closing", "(each, a “Closing”)"), ("Purchase Amount", "(the “Purchase Amount”)"),
                              ("Material Permits", "(“Material Permits”)")):
        target = spa.paragraph_containing(anchor_text).number
        entry = glo.paragraph_containing(f"“{term}” has the meaning set forth in Section")
        assert entry.text.endswith(f"Section\u00a0{target}."), (term, entry.text, target)  # kept on one line


def test_deal_values_stand_where_the_seed_has_them(docs, seed):
    spa, glo, cod = docs[AGREEMENT], docs[GLOSSARY], docs[CERTIFICATE]
    opening = spa.paragraphs[1].text
    for value in (seed.company.name, seed.purchaser.name, words.long_date(seed.effective_date),
                  seed.company.state):
        assert value in opening
    purchase = spa.numbered("II.A")[0].text
    assert words.money_words(seed.purchase.amount) in purchase
    assert words.shares_words(seed.purchase.shares) in purchase
    assert f"at a price of {words.money(seed.purchase.price_per_share)} per Preferred Share" in purchase
    closing = spa.numbered("II.D")[0].text
    for c in seed.closings:
        assert words.long_date(c.date) in closing
    assert words.money_words(seed.closings[0].amount) in closing
    assert f"{words.cardinal_words(len(seed.closings))} ({len(seed.closings)}) closings" in closing
    assert words.percent(seed.beneficial_ownership.limitation) in spa.numbered("IV.C")[0].text
    law = spa.numbered("V.H")[0].text
    assert f"State of {seed.governing_law.state}" in law and seed.governing_law.venue in law
    assert f"{seed.notices.cutoff_time} {seed.notices.time_zone} time" in spa.numbered("V.A")[0].text
    assert f"Name: {seed.company.signatory.name}" in spa.text
    assert f"By: {seed.purchaser.signature_chain[0]}" in spa.text
    assert f"Title: {seed.purchaser.signatory.title}" in spa.text

    assert words.money(seed.common_stock_par_value) in glo.paragraph_containing("“Common Stock” means").text
    preferred = glo.paragraph_containing("“Preferred Shares” means").text
    assert series_name(seed.series) in preferred and words.money(seed.preferred.par_value) in preferred
    assert f"less than {seed.trading.minimum_hours} hours" in glo.paragraph_containing("“Trading Day”").text
    assert words.join_or(list(seed.trading.markets)) in glo.paragraph_containing("“Trading Market”").text
    assert any("Exhibit 1-" in t for t in glo.footer_texts)

    assert series_name(seed.series) in cod.paragraphs[3].text
    assert words.long_date(seed.certificate.board_meeting_date) in cod.text
    assert f"Section {seed.certificate.dgcl_section} of the Delaware General Corporation Law" in cod.text
    assert words.shares_words(seed.preferred.authorized_preferred_shares) in cod.text
    assert f"will be {words.shares_words(seed.preferred.shares_designated)}" in cod.numbered("I.A")[0].text
    assert words.percent(seed.dividend_rate) in cod.numbered("I.C")[0].text
    definitions = cod.paragraph_containing("“Conversion Price” means").text
    assert words.money(seed.conversion_price) in definitions
    assert words.money(seed.preferred.original_issue_price) in cod.paragraph_containing("“Original Issue Price”").text
    limits = cod.numbered("I.H.1")[0].text
    bo = seed.beneficial_ownership
    for value in (words.percent(bo.limitation), words.percent(bo.maximum), words.shares_words(bo.notice_days),
                  f"the {words.ordinal(bo.notice_days)} day"):
        assert value in limits
    ex = seed.certificate.execution_date
    assert f"this {words.day_ordinal(ex)} day of {ex:%B}, {ex.year}" in cod.text


def test_numbering_follows_the_seed_scheme(docs):
    spa = docs[AGREEMENT]
    numbers = [p.number for p in spa.paragraphs if p.number]
    assert numbers[:6] == ["A", "B", "I", "II", "II.A", "II.B"]  # recitals, then the articles
    assert "III.B.6" in numbers and "V.N" in numbers
    cod = docs[CERTIFICATE]
    assert [p.number for p in cod.paragraphs if p.number][:3] == ["I", "I.A", "I.B"]
    assert "I.G.5(a)" in [p.number for p in cod.paragraphs if p.number] or \
        "I.G.5.(a)" in [p.number for p in cod.paragraphs if p.number]


def test_signature_page_follows(docs):
    assert "[Signature page follows]" in docs[AGREEMENT].text
    # The legend stands in the footer of the signature pages, not in their text.
    assert "[Signature Page to Securities Purchase Agreement]" not in docs[AGREEMENT].text
    assert "[Signature Page to Securities Purchase Agreement]" in docs[AGREEMENT].footer_texts
    assert "[Signature Page to Securities Purchase Agreement]" in docs[PACKAGE_OUTPUT].footer_texts


# --- variants ------------------------------------------------------------------------------------

def test_another_series_letter(tmp_path):
    ts, docs = build_variant(tmp_path, {"series": "K"})
    assert_sound(docs, "K")
    assert series_name("K") in docs[CERTIFICATE].text


def test_a_single_closing(tmp_path):
    ts, docs = build_variant(tmp_path, {"closings": [{"date": "2015-09-18", "shares": 3000}]})
    assert_sound(docs, ts.series)
    closing = docs[AGREEMENT].numbered("II.D")[0].text
    assert "a single closing (the “Closing”)" in closing
    assert words.money_words(ts.purchase.amount) in closing
    assert "initial Closing" not in docs[AGREEMENT].text


def test_closings_of_different_sizes(tmp_path):
    closings = [{"date": "2015-09-18", "shares": 1000}, {"date": "2015-10-18", "shares": 1500},
                {"date": "2015-11-18", "shares": 500}]
    ts, docs = build_variant(tmp_path, {"closings": closings})
    assert_sound(docs, ts.series)
    closing = docs[AGREEMENT].numbered("II.D")[0].text
    assert "three (3) closings" in closing
    for c in ts.closings:
        assert f"{words.long_date(c.date)}, for {words.shares_words(c.shares)} Preferred Shares and a payment " \
               f"of {words.money_words(c.amount)}" in closing


def test_a_us_purchaser_drops_the_regulation_s_language(tmp_path):
    ts, docs = build_variant(tmp_path, {"purchaser": {"us_person": True},
                                        "exemptions": ["section_4_2", "rule_506"]})
    assert_sound(docs, ts.series)
    text = docs[AGREEMENT].text
    assert "Regulation S" not in text and "U.S. Person" not in text and "7701" not in text
    assert "pursuant to Rule 506 of Regulation D promulgated under the Act" in text
    assert "accredited investor" in text


def test_without_mandatory_redemption_the_later_sections_move_up(tmp_path, docs):
    ts, variant = build_variant(tmp_path, {"mandatory_redemption": {"enabled": False}})
    assert_sound(variant, ts.series)
    before, after = docs[CERTIFICATE], variant[CERTIFICATE]
    assert "Redemption Price" not in after.text and "Mandatory Redemption" not in after.text
    # Only the board's general power over "terms of redemption" of any series may remain.
    assert after.text.lower().count("redemption") == 1 and "rights and terms of redemption" in after.text
    assert before.paragraph_containing("Conversion.").number == "I.G"
    assert after.paragraph_containing("Conversion.").number == "I.F"
    assert {c for _, c, _ in after.refs} == {"I.F.2", "I.D.2", "I.E", "I.F.3", "I.G.1", "I.I.1"}
    assert "Section\u00a0I.F.2" in after.numbered("I.C")[0].text
    assert "redeemable" not in variant[AGREEMENT].text and "or redeemed" not in variant[AGREEMENT].text


# --- inputs that must be printed literally -------------------------------------------------------

def test_markup_in_a_party_name_appears_literally(tmp_path):
    name = "Smith & Jones <Asia> {{ evil }} {% if %} Fund L.P."
    ts, docs = build_variant(tmp_path, {"purchaser": {"name": name}})
    assert name in docs[AGREEMENT].paragraphs[1].text
    assert name.upper() in docs[AGREEMENT].text


# --- reproducible and atomic ---------------------------------------------------------------------

def test_building_twice_gives_identical_bytes(tmp_path):
    first = build(SEED_TERMSHEET, tmp_path / "a", combined=True)
    second = build(SEED_TERMSHEET, tmp_path / "b", combined=True)
    for name, path in first.files.items():
        assert path.read_bytes() == second.files[name].read_bytes(), name


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path):
    good = write_termsheet(tmp_path, {})
    result = build(good, tmp_path / "out", combined=True)
    before = {p: p.read_bytes() for p in result.files.values()}
    bad = write_termsheet(tmp_path, {"closings": [{"date": "2015-09-18", "shares": 1}]}, name="bad.yaml")
    from assembler.errors import TermSheetError
    with pytest.raises(TermSheetError):
        build(bad, tmp_path / "out", combined=True)
    assert {p: p.read_bytes() for p in before} == before
    assert not [p for p in (tmp_path / "out" / "ascent-series-j").iterdir() if p.name.endswith(".tmp")]


# --- page furniture and document properties ------------------------------------------------------

def test_each_exhibit_numbers_its_own_pages(docs):
    assert "Exhibit 1-1" in docs[GLOSSARY].footer_texts and "Exhibit 2-1" in docs[CERTIFICATE].footer_texts
    package = docs[PACKAGE_OUTPUT]
    assert {"Exhibit 1-1", "Exhibit 2-1", "[Signature Page to Securities Purchase Agreement]"} <= set(package.footer_texts)


def test_document_properties_come_from_the_term_sheet(seed_build, seed):
    import zipfile

    for name, path in seed_build.files.items():
        with zipfile.ZipFile(path) as z:
            core, app = z.read("docProps/core.xml").decode(), z.read("docProps/app.xml").decode()
        assert f"{seed.deal_name})</dc:title>" in core, name
        assert f"<dc:subject>{series_name(seed.series)} of {seed.company.name}</dc:subject>" in core, name
        stamp = f"{seed.effective_date.isoformat()}T00:00:00Z"
        assert core.count(stamp) >= 2 and "2000-01-01" not in core, name     # created, modified (printed)
        assert f"<Company>{seed.company.name}</Company>" in app, name


def test_articles_are_outline_level_headings_kept_with_their_text():
    import zipfile

    from lxml import etree
    from assembler.build import TEMPLATES_DIR

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for template, prefix in (("agreement.docx", "SPA"), ("certificate.docx", "COD")):
        with zipfile.ZipFile(TEMPLATES_DIR / template) as z:
            styles = etree.fromstring(z.read("word/styles.xml"))
            body = etree.fromstring(z.read("word/document.xml"))
        level1 = styles.find(f"{w}style[@{w}styleId='{prefix}Level1']")
        assert level1.find(f"{w}pPr/{w}outlineLvl").get(f"{w}val") == "0"
        headings = [p for p in body.iter(f"{w}p")
                    if (s := p.find(f"{w}pPr/{w}pStyle")) is not None and s.get(f"{w}val") == f"{prefix}Level1"]
        assert headings and all(p.find(f"{w}pPr/{w}keepNext") is not None for p in headings
                                if len("".join(p.itertext())) < 80), template


def test_a_draft_legend_stands_in_the_header_of_every_document(tmp_path, docs):
    legend = "Draft of September 10, 2015 \u2013 Version 3 \u2013 NY 4410938"
    ts, drafted = build_variant(tmp_path, {"draft": {"date": "2015-09-10", "version": 3,
                                                     "document_id": "NY 4410938"}})
    assert_sound(drafted, ts.series)
    for name in ALL_OUTPUTS:
        assert legend in drafted[name].footer_texts, name          # headers are read with the footers
        assert not any("Draft of" in t for t in docs[name].footer_texts), name   # none without a draft


def test_a_draft_without_its_document_id_is_a_located_error(tmp_path):
    from assembler.errors import TermSheetError

    path = write_termsheet(tmp_path, {"draft": {"date": "2015-09-10", "version": 3}})
    with pytest.raises(TermSheetError) as err:
        load_termsheet(path)
    assert str(err.value).endswith("draft: missing required field 'document_id'"), str(err.value)


def test_an_optional_cover_page_stands_before_the_agreement(tmp_path, docs):
    ts, covered = build_variant(tmp_path, {"cover_page": True})
    assert_sound(covered, ts.series)
    spa = covered[AGREEMENT]
    assert [p.text for p in spa.paragraphs[:6]] == [
        "Securities Purchase Agreement", "by and between", ts.company.name.upper(), "and",
        ts.purchaser.name.upper(), f"Dated as of {words.long_date(ts.effective_date)}"]
    # the agreement itself follows unchanged, on its own first page
    body = [p.text for p in spa.paragraphs[6:] if p.text]
    assert body == [p.text for p in docs[AGREEMENT].paragraphs if p.text]
    assert "by and between" not in [p.text for p in docs[AGREEMENT].paragraphs]   # off by default
