"""Specifications of the document model reader: labels, numbers, headings, definitions, references, fields."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assembler.docmodel.model import Paragraph, normalise_number
from assembler.docmodel.ooxml import W_NS, paragraph_text
from assembler.docmodel.parse import (
    find_definitions, find_references, literal_label, load_documents, read_document,
)
from assembler.drafting import draft_document
from assembler.errors import DocumentError
from assembler.render.write import save_docx

W = f'xmlns:w="{W_NS}"'


def para(text: str, **kw) -> Paragraph:
    return Paragraph(document="x.docx", part="body", index=0, text=text, **kw)


def write_docx(folder: Path, body: str, *, numbering: str | None = None, comments: str | None = None,
               name: str = "t.docx") -> Path:
    """A minimal .docx from body XML (no relationships: the reader falls back to default part names)."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
        if numbering is not None:
            z.writestr("word/numbering.xml", f"<w:numbering {W}>{numbering}</w:numbering>")
        if comments is not None:
            z.writestr("word/comments.xml", f"<w:comments {W}>{comments}</w:comments>")
    return path


def p(text: str, num: int | None = None, ilvl: int = 0, extra: str = "") -> str:
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>' if num else ""
    return f'<w:p>{ppr}{extra}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def ref(bookmark: str, cached: str, switches: str = "\\w \\h") -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> REF {bookmark} {switches} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{cached}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def lvl(ilvl: int, fmt: str, text: str) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


OUTLINE = (f'<w:abstractNum w:abstractNumId="1">{lvl(0, "upperRoman", "%1.")}{lvl(1, "upperLetter", "%2.")}'
           f'{lvl(2, "decimal", "%3.")}{lvl(3, "lowerLetter", "(%4)")}</w:abstractNum>'
           '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>')


def drafted(tmp_path: Path, lines: list[str], literal: bool, name: str = "a.docx") -> Path:
    path = tmp_path / ("lit-" if literal else "auto-") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    save_docx(draft_document(lines, literal=literal), path)
    return path


# -- typed labels -------------------------------------------------------------------------------


class TestLiteralLabels:
    @pytest.mark.parametrize("text,label,designation,kinds", [
        ("II.\tPurchase and Sale.", "II.", "II", ["RU"]),
        ("B.\tDeliveries.", "B.", "B", ["LU"]),
        ("3. this Agreement", "3.", "3", ["D"]),
        ("(c)\tthe opinion", "(c)", "(c)", ["LL"]),
        ("(iv) the fourth", "(iv)", "(iv)", ["RL"]),
        ("(i) first", "(i)", "(i)", ["LL", "RL"]),
        ("I.\tDefinitions.", "I.", "I", ["RU", "LU"]),
        ("Section 2.1\tPurchase.", "Section 2.1", "2.1", ["DD1"]),
        ("Section 2.1. Purchase.", "Section 2.1.", "2.1", ["DD1"]),
        ("2.1\tPurchase.", "2.1", "2.1", ["DD1"]),
        ("ARTICLE IV", "ARTICLE IV", "IV", ["article"]),
        ("Article 4\tCovenants", "Article 4", "4", ["article"]),
    ])
    def test_reads_a_typed_label(self, text, label, designation, kinds):
        found = literal_label(text)
        assert found is not None
        assert found[0] == label and found[1] == designation
        assert [k for k, _ in found[2]] == kinds

    @pytest.mark.parametrize("text", [
        "Section 5 of the Agreement is amended.", "U.S. Person means", "A.", "2015 was a year.",
        "This Agreement", "(the “Agreement”) is", "$1,000.00 per share",
    ])
    def test_leaves_sentences_alone(self, text):
        assert literal_label(text) is None

    def test_infers_levels_and_numbers_from_what_came_before(self, tmp_path):
        lines = ["T|Agreement", "R|Recital one.", "1|Definitions.", "1|Purchase and Sale.",
                 "2|Purchase Amount. The price.", "3|one", "4|a", "4|b"]
        lines += [f"4|{c}" for c in "cdefgh"] + ["4|i is a letter after h", "3|two", "2|B"]
        lines += [f"2|{c}" for c in "CDEFGH"] + ["2|I is a letter here", "1|Third", "1|Fourth", "1|Fifth"]
        path = drafted(tmp_path, lines, literal=True)
        doc = read_document(path)
        numbers = [q.number for q in doc.body if q.number]
        assert numbers[:4] == ["A", "I", "II", "II.A"]
        assert "II.A.1(i)" in numbers and "II.I" in numbers and numbers[-3:] == ["III", "IV", "V"]
        assert doc.literal_numbering

    def test_reads_roman_clauses_after_a_lettered_clause(self, tmp_path):
        body = "".join(p(t) for t in ["I.\tTerms.", "A.\tConversion.", "1.\tMechanics:", "(a)\tfirst",
                                      "(i)\tsub one", "(ii)\tsub two", "(b)\tsecond", "(c)\tthird"])
        doc = read_document(write_docx(tmp_path, body))
        assert [q.number for q in doc.body] == ["I", "I.A", "I.A.1", "I.A.1(a)", "I.A.1(a)(i)",
                                                "I.A.1(a)(ii)", "I.A.1(b)", "I.A.1(c)"]
        assert [q.level for q in doc.body] == [0, 1, 2, 3, 4, 4, 3, 3]

    def test_reads_decimal_schemes(self, tmp_path):
        body = "".join(p(t) for t in ["ARTICLE II", "Section 2.1\tPurchase.", "(a)\tthe price",
                                      "2.2\tClosing.", "Section 3.\tCovenants."])
        doc = read_document(write_docx(tmp_path, body))
        assert [q.number for q in doc.body] == ["II", "2.1", "2.1(a)", "2.2", "3"]
        assert doc.resolve("Article 2").number == "II"
        assert doc.resolve("2.1(a)").number == "2.1(a)"


# -- both numbering forms ------------------------------------------------------------------------

SAMPLE = [
    "T|Agreement",
    'B|This Agreement (this "Agreement") is made by Company ("Company").',
    "R|The parties desire things.",
    "1|**Definitions.** Capitalized terms have meanings.",
    "1|Purchase and Sale.",
    '2|Purchase Amount. The aggregate sum (the "Purchase Amount").',
    '2|Closing. Closings (each, a "Closing") occur as set forth in Section II.A above.',
    "3|this Agreement; and",
    "4|first clause",
    "4|second clause",
    "1|Representations.",
    "2|Regulatory Permits. Company holds permits (\"Material Permits\").",
    "B|Unnumbered text under II... and this Section III.A.",
]


class TestNumbering:
    def test_gives_the_same_numbers_for_typed_labels_and_word_numbering(self, tmp_path):
        docs = [read_document(drafted(tmp_path, SAMPLE, literal)) for literal in (True, False)]
        rows = [[(q.label, q.number, q.level, q.heading, q.section, q.section_heading, q.text) for q in d.body]
                for d in docs]
        assert rows[0] == rows[1]
        assert docs[0].literal_numbering and not docs[1].literal_numbering
        numbers = [q.number for q in docs[1].body if q.number]
        assert numbers == ["A", "I", "II", "II.A", "II.B", "II.B.1", "II.B.1(a)", "II.B.1(b)", "III", "III.A"]

    def test_knows_headings_and_sections(self, tmp_path):
        doc = read_document(drafted(tmp_path, SAMPLE, literal=False))
        by_number = doc.outline
        assert by_number["I"].heading == "Definitions"
        assert by_number["II.A"].heading == "Purchase Amount"
        assert by_number["II.B.1"].heading is None
        assert by_number["II.B.1(a)"].section_heading == "Closing"
        assert by_number["II.B.1(a)"].parent is by_number["II.B.1"]
        last = doc.body[-1]
        assert last.section == "III.A" and last.section_heading == "Regulatory Permits"
        assert by_number["II.B"].label == "B." and by_number["II.B"].text.startswith("Closing.")

    def test_normalises_word_full_context(self, tmp_path):
        doc = read_document(drafted(tmp_path, SAMPLE, literal=False))
        clause = doc.outline["II.B.1(a)"]
        assert clause.list_label.full_context() == "II.B.1.(a)"
        assert normalise_number("II.B.1.(a)") == "II.B.1(a)"

    def test_reads_numbering_from_numbering_xml(self, tmp_path):
        body = p("Terms.", 1, 0) + p("Designation.", 1, 1) + p("Mechanics.", 1, 2) + p("first", 1, 3)
        doc = read_document(write_docx(tmp_path, body, numbering=OUTLINE))
        assert [q.number for q in doc.body] == ["I", "I.A", "I.A.1", "I.A.1(a)"]
        assert [q.label for q in doc.body] == ["I.", "A.", "1.", "(a)"]


# -- definitions ---------------------------------------------------------------------------------


class TestDefinitions:
    def test_reads_means_includes_and_meaning(self):
        found = find_definitions(para("“Act” means the Securities Act of 1933,  as amended."))
        assert [(d.term, d.kind, d.wording) for d in found] == [
            ("Act", "means", "the Securities Act of 1933, as amended.")]
        found = find_definitions(para('"Shares" includes the Preferred Shares.'))
        assert [(d.term, d.kind) for d in found] == [("Shares", "includes")]
        found = find_definitions(para("“Closing” has the meaning set forth in Section II.D."))
        assert [(d.term, d.kind, d.target) for d in found] == [("Closing", "meaning", "Section II.D")]
        found = find_definitions(para("“Company” has the meaning given in the first paragraph of the Agreement."))
        assert found[0].target == "the first paragraph of the Agreement"

    @pytest.mark.parametrize("text,terms", [
        ("Ascent Solar Technologies, Inc. (the “Corporation”) certifies", ["Corporation"]),
        ("Ascent Solar Technologies, Inc. (“Company”), and Global (“Purchaser”).", ["Company", "Purchaser"]),
        ("in six closings (each, a “Closing”).", ["Closing"]),
        ("the holders (each a “Holder” and collectively, the “Holders”)", ["Holder", "Holders"]),
        ('This Agreement (this "Agreement") is made', ["Agreement"]),
        ("the price (as a percentage of the “Original Issue Price”)", []),
        ("nothing disclosed (as a “Risk Factor” or otherwise) in the memorandum", []),
        ('the shares (for example, "cash" or "cancellation of the note")', []),
    ])
    def test_reads_inline_definitions(self, text, terms):
        found = find_definitions(para(text))
        assert [d.term for d in found] == terms
        assert all(d.kind == "inline" for d in found)
        for d in found:
            assert text[d.start:d.end] == d.term

    def test_reads_a_definition_written_the_x_is(self):
        found = find_definitions(para('The "Purchase Price" is $1,000 per share. The "Closing" will be in Boulder.'))
        assert [(d.term, d.kind) for d in found] == [("Purchase Price", "inline"), ("Closing", "inline")]
        assert find_definitions(para('under which the "Closing" is held')) == []

    def test_reads_every_term_of_a_joint_definition(self):
        text = "“Net Income” and “Net Loss” means the Fund’s taxable income or loss."
        found = find_definitions(para(text))
        assert [(d.term, d.kind) for d in found] == [("Net Income", "means"), ("Net Loss", "means")]
        assert [text[d.start:d.end] for d in found] == ["Net Income", "Net Loss"]
        found = find_definitions(para('"A", "B" or "C" means a letter.'))
        assert [d.term for d in found] == ["A", "B", "C"]

    def test_reads_a_definition_in_a_numbered_clause_and_several_in_one_paragraph(self):
        found = find_definitions(para("(a) “Conversion Price” means $0.15; and “Trading Day” means a day."))
        assert [(d.term, d.kind, d.wording) for d in found] == [
            ("Conversion Price", "means", "$0.15; and"), ("Trading Day", "means", "a day.")]
        found = find_definitions(para("A “Deemed Liquidation Event” will mean: (a) a merger"))
        assert [(d.term, d.wording) for d in found] == [("Deemed Liquidation Event", "(a) a merger")]


# -- references ----------------------------------------------------------------------------------


def refs(text: str):
    return [(r.kind, r.text, r.target, r.local, r.direction) for r in find_references(para(text))]


class TestReferences:
    def test_reads_section_article_exhibit_schedule_and_clause_references(self):
        assert refs("as set forth in Section III.B.6.") == [("section", "Section III.B.6", "III.B.6", False, None)]
        assert refs("Sections II.A and II.B apply") == [("section", "Sections II.A", "II.A", False, None),
                                                        ("section", "II.B", "II.B", False, None)]
        assert refs("under Section 2.1(a), and Article IV") == [
            ("section", "Section 2.1(a)", "2.1(a)", False, None), ("article", "Article IV", "IV", False, None)]
        assert refs("provisions of this Section 6 apply") == [("section", "this Section 6", "6", True, None)]
        assert refs("in the form of Exhibit 2 and Schedule 1") == [
            ("exhibit", "Exhibit 2", "2", False, None), ("schedule", "Schedule 1", "1", False, None)]
        assert refs("the items in clause (c) above") == [("clause", "clause (c)", "(c)", False, "above")]
        assert refs("in Section II.B above; see Section V.C below") == [
            ("section", "Section II.B", "II.B", False, "above"), ("section", "Section V.C", "V.C", False, "below")]

    @pytest.mark.parametrize("text", [
        "the exemption under Section 4(2) of the Act",
        "determined in accordance with Section 13(d) of the Exchange Act",
        "as defined in Section 7701(a)(30) of the U.S. Internal Revenue Code",
        "pursuant to Rule 506 of Regulation D",
        "with the provisions of Section 151 of the Delaware General Corporation Law",
        "including pursuant to Section 13(a) or 15(d) thereof",
        "registered pursuant to Section 12 of the Exchange Act",
    ])
    def test_leaves_statutory_citations_out(self, text):
        assert refs(text) == []

    @pytest.mark.parametrize("text", [
        "the penultimate sentences of Regulations Sections 1.704-2(g)(1) and 1.704-2(i)(5); and",
        "expenditures of the Fund described in Code Section 705(a)(2)(B) or treated as such",
        "as described in Sections 17-402(a)(4)-(5) of the Act.",
        "in accordance with the principles of Sections 704(b) and (c) of the Code",
        "California Labor Code Sections 2870 to 2872, 765 ILCS 1060/1, Kan. Stat. Section 44-130",
        "a board act under DGCL Section 243(a), so the election belongs here",
        "as modified by Section 3(42) of ERISA.",
        "on Internal Revenue Service Form 1065, Schedule K-1 (or such successor form)",
        "filed as Exhibit 10.1 to the Current Report on Form 8-K",
        "the exemption in Section 2-207 of the UCC",
    ])
    def test_leaves_citations_of_statutes_regulations_and_forms_out(self, text):
        assert refs(text) == []

    def test_a_range_is_two_references_and_a_heading_label_is_none(self):
        assert [r[2] for r in refs("Sections 2.1-2.3 apply")] == ["2.1", "2.3"]
        assert refs("Section A — Corporate Organization, Authority") == []
        assert [r[2] for r in refs("Tax returns (Section A) and Section B.")] == ["A", "B"]

    def test_records_offsets_and_the_other_document(self):
        text = "as provided in Section 4.1 of the Purchase Agreement"
        (r,) = find_references(para(text))
        assert text[r.start:r.end] == "Section 4.1" and r.other_document == "the Purchase Agreement"

    def test_knows_a_number_that_is_a_field_result(self, tmp_path):
        body = (f'<w:p><w:bookmarkStart w:id="1" w:name="_Ref1"/><w:pPr/><w:r><w:t>Terms.</w:t></w:r>'
                f'<w:bookmarkEnd w:id="1"/></w:p>'
                f'<w:p><w:r><w:t xml:space="preserve">See Section </w:t></w:r>{ref("_Ref1", "I")}'
                f'<w:r><w:t xml:space="preserve"> above.</w:t></w:r></w:p>')
        doc = read_document(write_docx(tmp_path, body))
        (r,) = doc.references
        assert r.text == "Section I" and r.in_field and r.direction == "above"
        (f,) = doc.ref_fields
        assert (f.bookmark, f.cached, f.switches) == ("_Ref1", "I", {"\\w", "\\h"})
        assert f.paragraph.text[f.start:f.end] == "I"
        assert doc.bookmarks["_Ref1"] is doc.body[0]


# -- fields, comments, revisions, exhibits -------------------------------------------------------


class TestDocument:
    def test_counts_comments_and_revisions(self, tmp_path):
        body = ('<w:p><w:ins w:id="1" w:author="a"><w:r><w:t>new</w:t></w:r></w:ins>'
                '<w:del w:id="2" w:author="a"><w:r><w:delText>old</w:delText></w:r></w:del></w:p>')
        doc = read_document(write_docx(tmp_path, body, comments='<w:comment w:id="0"><w:p/></w:comment>'))
        assert doc.comments == 1 and doc.revisions == 2
        assert doc.body[0].text == "new"

    def test_knows_an_exhibit_and_the_exhibits_of_a_combined_file(self, tmp_path):
        body = p("Exhibit 2") + p("Form of Certificate") + p("I.\tTerms.")
        doc = read_document(write_docx(tmp_path, body))
        assert doc.exhibit == "2" and list(doc.outline) == ["I"]
        body = (p("I.\tPurchase.") + p("A.\tClosing. See Exhibit 2.") + p("Exhibit 1") + p("Glossary")
                + p("Exhibit 2") + p("I.\tTerms.") + p("A.\tDividends."))
        doc = read_document(write_docx(tmp_path, body, name="combined.docx"))
        assert doc.exhibit is None and sorted(doc.exhibits) == ["1", "2"]
        assert list(doc.outlines[None]) == ["I", "I.A"] and list(doc.outlines["2"]) == ["I", "I.A"]
        assert doc.outlines["1"] == {}
        assert doc.body[-1].exhibit == "2" and doc.body[-1].section == "I.A"
        assert [r.text for r in doc.references] == ["Exhibit 2"]

    def test_reads_every_story(self, tmp_path):
        path = drafted(tmp_path, ["T|Agreement", "1|Terms."], literal=False)
        doc = read_document(path)
        assert {q.part for q in doc.paragraphs} >= {"body", "word/footer1.xml"}
        for q in doc.paragraphs:
            assert q.displayed.replace(" ", "").replace("\t", "") == paragraph_text(q.element).replace(
                " ", "").replace("\t", "") or q.label

    def test_refuses_broken_input_with_one_error(self, tmp_path):
        bad = tmp_path / "bad.docx"
        bad.write_bytes(b"not a zip")
        with pytest.raises(DocumentError):
            load_documents([bad])

    def test_resolves_local_references_against_the_enclosing_sections(self, tmp_path):
        doc = read_document(drafted(tmp_path, ["T|C", "1|Terms.", "2|Conversion.", "3|Splits.",
                                                "3|Rights.", "2|Limitations.", "3|Limit."], literal=False))
        splits, limit = doc.outline["I.A.1"], doc.outline["I.B.1"]
        assert doc.resolve("3", splits, local=True) is None
        assert doc.resolve("1", splits, local=True) is splits
        assert doc.resolve("I", limit, local=True) is doc.outline["I"]
        assert doc.resolve("6", limit, local=True) is None
        assert doc.resolve("I.A.2", limit, local=False).text.startswith("Rights")
        assert doc.resolve("I(A)(2)", None) is doc.outline["I.A.2"]

    def test_parses_a_long_agreement(self, tmp_path):  # its speed: benchmarks/check_speed.py
        text = ("Company shall deliver the documents set forth in Section II.B above and the certificate in "
                "the form of Exhibit 2, subject to Section 4(2) of the Act (the “Closing Statement”). ") * 3
        lines = ["T|Agreement"]
        for _a in range(12):
            lines.append("1|Article Heading.")
            for _b in range(6):
                lines.append(f"2|Section Heading. {text}")
                for _c in range(6):
                    lines += [f"3|{text}", f"4|{text}", f"4|{text}"]
        path = drafted(tmp_path, lines, literal=False)
        doc = read_document(path)
        assert len(doc.paragraphs) > 1300
        assert len(doc.outline) == 12 + 12 * 6 + 12 * 6 * 6 * 3   # every numbered paragraph once
        assert sum(r.kind == "exhibit" for r in doc.references) > 1000
        assert not any("4(2)" in r.text for r in doc.references)


# -- the built package ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from assembler.build import build
    from examples import SEED_TERMSHEET

    return build(SEED_TERMSHEET, tmp_path_factory.mktemp("built"), combined=True)


def _separate(built):
    from assembler.build import DOCUMENTS

    return [built.files[spec.output] for spec in DOCUMENTS]


class TestTheBuiltPackage:
    def test_caches_every_ref_field_as_its_targets_number(self, built):
        package = load_documents(list(built.files.values()))
        count = 0
        for doc in package.documents:
            for f in doc.ref_fields:
                target = doc.bookmarks[f.bookmark]
                assert target is not None and f.cached == target.number, (doc.name, f.bookmark)
                count += 1
        assert count >= 20

    def test_resolves_every_glossary_target(self, built):
        for paths in (_separate(built), [built.files["deal-package.docx"]]):
            package = load_documents(paths)
            meaning = [d for doc in package.documents for d in doc.definitions
                       if d.kind == "meaning" and d.target.startswith("Section")]
            assert len(meaning) >= 3
            for d in meaning:
                assert package.resolve(d.target, d.paragraph) is not None, d.target

    def test_numbers_the_combined_file_by_part(self, built):
        doc = read_document(built.files["deal-package.docx"])
        assert sorted(doc.exhibits) == ["1", "2"]
        assert "V.N" in doc.outlines[None] and "I.J.3" in doc.outlines["2"] and not doc.outlines["1"]
        separate = load_documents(_separate(built))
        assert [p.number for p in separate.documents[0].outline.values()] == list(doc.outlines[None])


def test_a_clause_written_in_parentheses_finds_a_list_that_shows_a_letter_and_period():
    from assembler.docmodel.model import lookup_number

    item = para("Either party may terminate.")
    assert lookup_number({"4.2.a": item}, "4.2(a)") is item
    assert lookup_number({"4.2.a": item}, "4.2(b)") is None


def test_a_footnote_stands_where_its_reference_mark_stands(tmp_path):
    from assembler.docmodel.places import place_of

    body = (p("Terms.", 1) + p("Sale.", 1, 1) +
            '<w:p><w:r><w:t xml:space="preserve">The price is fixed.</w:t></w:r>'
            '<w:r><w:footnoteReference w:id="2"/></w:r></w:p>')
    path = write_docx(tmp_path, body, numbering=OUTLINE)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("word/footnotes.xml", f'<w:footnotes {W}><w:footnote w:id="2"><w:p><w:r>'
                                         '<w:t>See the schedule.</w:t></w:r></w:p></w:footnote></w:footnotes>')
    doc = read_document(path)
    (note,) = [q for q in doc.paragraphs if q.part == "footnotes"]
    assert note.text == "See the schedule." and note.section == "I.A"
    assert place_of(note, doc) == "footnote 1 to Section I.A"


def test_a_numbered_table_of_contents_line_is_not_a_section_nor_a_title(tmp_path):
    toc = '<w:pPr><w:pStyle w:val="TOC1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
    body = (f'<w:p>{toc}<w:r><w:t>Definitions</w:t></w:r></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:t>SCHEDULE 1: PARTNERS</w:t></w:r></w:p>'
            + p("This Agreement is made by the parties.") + p("Definitions.", 1) + p("SCHEDULE 1: PARTNERS"))
    doc = read_document(write_docx(tmp_path, body, numbering=OUTLINE))
    opening = doc.body[2]
    assert opening.section is None
    assert [q.style for q in doc.outline.values()] == [None]   # the heading, not the contents line
    assert doc.schedules["1"] is doc.body[4]
