"""Displayed labels in every story, and `assembler labels --verify` against Word's cached numbers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from assembler.docmodel.labels import label_package, ref_result, verify
from assembler.docmodel.ooxml import W_NS, Package, read_package
from conftest import run_cli
from test_numbering import LEGAL, abstract, label_objects, lvl, num, numbering, p, start_override

WORD_SAVED = Path(__file__).parent / "fixtures" / "word-saved" / "ilpa-model-lpa-whole-of-fund.docx"
W = f'xmlns:w="{W_NS}"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# I. / 1.1 / (a) ... as in the ILPA agreement: decimal levels, clause letters at level 5
CLAUSES = (lvl(0, "decimal", "%1.") + lvl(1, "decimal", "%1.%2") + lvl(2, "decimal", "%1.%2.%3")
           + lvl(3, "decimal", "%1.%2.%3.%4") + lvl(4, "decimal", "%1.%2.%3.%4.%5")
           + lvl(5, "lowerLetter", "(%6)") + lvl(6, "lowerRoman", "(%7)"))


def every_level(value=1):
    return "".join(start_override(k, value) for k in range(9))


def texts(found):
    return [label.text if label else None for label in found]


# -- startOverride as Word applies it -----------------------------------------------------------


def test_an_override_of_all_nine_levels_restarts_only_from_the_level_first_used():
    # The ILPA agreement restarts each clause list with a new num overriding every level; the
    # article and section numbers around the clauses keep counting.
    n = numbering(abstract(0, CLAUSES), num(1, 0), num(2, 0, every_level()), num(3, 0, every_level()))
    got = texts(label_objects(n, [p(1, 0), p(1, 1), p(2, 5), p(2, 5), p(1, 0), p(1, 1), p(3, 5), p(3, 5),
                                  p(1, 1)]))
    assert got == ["1.", "1.1", "(a)", "(b)", "2.", "2.1", "(a)", "(b)", "2.2"]


def test_an_override_above_the_level_first_used_does_not_restart_that_level():
    n = numbering(abstract(0, CLAUSES), num(1, 0), num(2, 0, start_override(0, 1) + start_override(5, 1)))
    got = texts(label_objects(n, [p(1, 0), p(1, 0), p(1, 5), p(2, 5), p(2, 0)]))
    assert got == ["1.", "2.", "(a)", "(a)", "3."]


def test_an_override_starting_at_another_value_gives_that_value_from_the_level_first_used():
    n = numbering(abstract(0, CLAUSES), num(1, 0), num(2, 0, every_level(3)))
    got = texts(label_objects(n, [p(1, 0), p(1, 0), p(2, 5), p(2, 5), p(2, 0)]))
    assert got == ["1.", "2.", "(c)", "(d)", "3."]


# -- skipped levels and REF switches ------------------------------------------------------------


def test_a_clause_under_a_section_with_skipped_levels_counts_them_at_their_start():
    n = numbering(abstract(0, CLAUSES), num(1, 0))
    a, b = label_objects(n, [p(1, 0), p(1, 1), p(1, 5), p(1, 5)])[2:]
    assert (a.text, b.text) == ("(a)", "(b)")
    assert b.full_context() == "1.1.1.1.1(b)"  # \w: every superior level, skipped ones at their start


def test_ref_r_between_clauses_of_one_list_with_skipped_levels_gives_the_clause_alone():
    # Word's own result in the ILPA agreement: "Section 10.2.3.2(d)" written with REF \r giving "(d)"
    n = numbering(abstract(0, CLAUSES), num(1, 0))
    found = label_objects(n, [p(1, 0), p(1, 1), p(1, 2), p(1, 3), p(1, 6), p(1, 6)])
    c, d = found[4], found[5]
    assert ref_result(d, {"\\r"}, c) == "(ii)"
    assert ref_result(d, {"\\w"}, c) == d.full_context() == "1.1.1.1.1(a)(ii)"
    assert ref_result(d, {"\\n"}, c) == "(ii)"


def test_ref_r_from_another_section_keeps_the_levels_that_differ():
    n = numbering(abstract(0, CLAUSES), num(1, 0))
    found = label_objects(n, [p(1, 0), p(1, 1), p(1, 5), p(1, 1), p(1, 5)])
    first_clause, second_section = found[2], found[3]
    assert ref_result(first_clause, {"\\r"}, second_section) == "1.1.1.1.1(a)"
    assert ref_result(found[3], {"\\r"}, found[4]) == "1.2"


def test_ref_t_drops_the_words_of_a_label():
    n = numbering(abstract(0, lvl(0, "decimal", "Article %1")), num(1, 0))
    (label,) = label_objects(n, [p(1, 0)])
    assert ref_result(label, {"\\r"}, None) == "Article 1"
    assert ref_result(label, {"\\r", "\\t"}, None) == "1"
    assert ref_result(label, set(), None) is None  # a REF without \r, \w or \n shows text


# -- every story, tables, empty paragraphs, tracked changes, numId 0 ---------------------------


def _package(document: str, numbering_xml: str, extra: dict[str, str] | None = None,
             rels: str = "") -> Package:
    parts = {
        "word/document.xml": f'<w:document {W} {MC} xmlns:r="{RELS}"><w:body>{document}</w:body></w:document>',
        "word/numbering.xml": numbering_xml,
        **(extra or {}),
    }
    if rels:
        parts["word/_rels/document.xml.rels"] = (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>")
    return Package("test.docx", {k: v.encode() for k, v in parts.items()})


NUMBERING = f"<w:numbering {W}>{abstract(0, LEGAL)}{num(1, 0)}</w:numbering>"


def _labels(package):
    return [(item.part, item.label.text if item.label else None) for item in label_package(package)]


def test_numbered_paragraphs_in_tables_count_in_document_order():
    table = f"<w:tbl><w:tr><w:tc>{p(1, 0)}</w:tc><w:tc>{p(1, 1)}</w:tc></w:tr></w:tbl>"
    got = _labels(_package(p(1, 0) + table + p(1, 0), NUMBERING))
    assert got == [("body", "1."), ("body", "2."), ("body", "2.1"), ("body", "3.")]


def test_an_empty_numbered_paragraph_is_numbered_but_one_holding_only_a_section_break_is_not():
    # The Common Paper forms end their cover page with an empty Heading 1 paragraph that carries the
    # section break; their own text cites "Section 8.4", as Word and LibreOffice number it.
    empty = '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:p>'
    section = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
               '<w:sectPr/></w:pPr></w:p>')
    section_with_text = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
                         '<w:sectPr/></w:pPr><w:r><w:t>Terms</w:t></w:r></w:p>')
    got = _labels(_package(p(1, 0) + empty + section + section_with_text + p(1, 0), NUMBERING))
    assert [label for _, label in got] == ["1.", "2.", None, "3.", "4."]


def test_num_id_zero_switches_off_the_numbering_of_a_styled_paragraph():
    styles = (f'<w:styles {W}><w:style w:type="paragraph" w:styleId="Clause"><w:name w:val="Clause"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>')
    off = ('<w:p><w:pPr><w:pStyle w:val="Clause"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>'
           "<w:r><w:t>x</w:t></w:r></w:p>")
    got = _labels(_package(p(style="Clause") + off + p(style="Clause"), NUMBERING,
                           {"word/styles.xml": styles}))
    assert [label for _, label in got] == ["1.", None, "2."]


def test_tracked_insertions_and_deletions_of_numbered_paragraphs_count_as_displayed_with_markup():
    deleted = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
               '<w:rPr><w:del w:id="1" w:author="A" w:date="2020-01-01T00:00:00Z"/></w:rPr></w:pPr>'
               '<w:del w:id="2" w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:delText>gone</w:delText>'
               "</w:r></w:del></w:p>")
    inserted = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
                '<w:rPr><w:ins w:id="3" w:author="A" w:date="2020-01-01T00:00:00Z"/></w:rPr></w:pPr>'
                '<w:ins w:id="4" w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:t>new</w:t></w:r>'
                "</w:ins></w:p>")
    got = _labels(_package(p(1, 0) + deleted + inserted + p(1, 0), NUMBERING))
    assert [label for _, label in got] == ["1.", "2.", "3.", "4."]


def test_text_boxes_count_as_one_story_of_their_own_and_their_fallback_copy_is_not_counted():
    box = (f"<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent>"
           f"{p(1, 0)}{p(1, 0)}</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
           f"<w:txbxContent>{p(1, 0)}{p(1, 0)}</w:txbxContent></w:pict></mc:Fallback>"
           "</mc:AlternateContent></w:r>")
    document = p(1, 0) + f"<w:p>{box}</w:p>" + p(1, 0)
    got = _labels(_package(document, NUMBERING))
    assert got == [("body", "1."), ("body", None), ("body", "2."), ("textboxes", "1."), ("textboxes", "2.")]


def test_footnotes_and_headers_are_numbered_each_on_their_own_counters():
    footnotes = (f'<w:footnotes {W}><w:footnote w:id="1">{p(1, 0)}{p(1, 1)}</w:footnote>'
                 f'<w:footnote w:id="2">{p(1, 0)}</w:footnote></w:footnotes>')
    header = f"<w:hdr {W}>{p(1, 0)}</w:hdr>"
    rels = (f'<Relationship Id="rId1" Type="{RELS}/footnotes" Target="footnotes.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/numbering" Target="numbering.xml"/>'
            f'<Relationship Id="rId3" Type="{RELS}/header" Target="header1.xml"/>')
    package = _package(p(1, 0) + p(1, 0) + p(1, 0), NUMBERING,
                       {"word/footnotes.xml": footnotes, "word/header1.xml": header}, rels)
    got = _labels(package)
    assert got == [("body", "1."), ("body", "2."), ("body", "3."), ("footnotes", "1."), ("footnotes", "1.1"),
                   ("footnotes", "2."), ("word/header1.xml", "1.")]


# -- against Word's own numbers -----------------------------------------------------------------


def test_every_cached_ref_and_toc_number_of_a_word_saved_agreement_is_the_engine_label():
    result = verify(read_package(WORD_SAVED))
    assert result.checked > 300
    assert result.disagreements == []


def test_labels_verify_on_the_word_saved_agreement_reports_full_agreement(tmp_path):
    done = run_cli("labels", str(WORD_SAVED), "--verify")
    assert done.returncode == 0, done.stderr
    m = re.search(r"(\d+) cached numbers compared .*: (\d+) agree with the engine, 0 disagree", done.stdout)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) > 300


def _with_cached_result_changed(source: Path, target: Path, bookmark: str, new: str) -> None:
    """Copy *source* with the cached result of the first REF field to *bookmark* replaced."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                at = xml.index(f"REF {bookmark} ")
                sep = xml.index('w:fldCharType="separate"', at)
                t = xml.index("<w:t>", sep) + len("<w:t>")
                end = xml.index("</w:t>", t)
                xml = xml[:t] + new + xml[end:]
                data = xml.encode("utf-8")
            zout.writestr(info, data)


def test_labels_verify_lists_a_cached_number_that_is_not_the_engine_label(tmp_path):
    broken = tmp_path / "stale.docx"
    _with_cached_result_changed(WORD_SAVED, broken, "_Ref18675197", "2.7")
    done = run_cli("labels", str(broken), "--verify")
    assert done.returncode == 1
    assert "1 disagree" in done.stdout
    assert re.search(r"REF _Ref18675197 \\h \\r: Word shows “2\.7”, the engine “2\.9”", done.stdout)


def test_labels_prints_each_numbered_paragraph_with_its_label_and_full_context():
    done = run_cli("labels", str(WORD_SAVED))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(re.match(r"body:\d+\t2\.9\t2\.9\tAlternative Vehicles", line) for line in lines)
    assert all(line.count("\t") == 3 for line in lines)


@pytest.mark.parametrize("name", ["missing.docx", "not-a-docx.docx"])
def test_labels_on_an_unusable_file_is_a_one_line_error(tmp_path, name):
    path = tmp_path / name
    if name == "not-a-docx.docx":
        path.write_text("hello")
    done = run_cli("labels", str(path), "--verify")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and name in done.stderr


# -- names of clauses under skipped levels ------------------------------------------------------


def test_a_clause_under_skipped_levels_is_named_without_them_and_references_to_it_resolve(tmp_path):
    from test_parse import write_docx

    from assembler.check.runner import check_paths
    from assembler.docmodel.parse import read_document

    levels = CLAUSES + lvl(7, "lowerLetter", "(%8)")
    body = "".join([
        p(1, 0, text="Removal."), p(1, 1, text="Consequences."), p(1, 2, text="On the Removal Date:"),
        p(1, 3, text="with respect to a removal without cause:"),
        p(1, 7, text="subject to Section 1.1.1.1(b) below, the General Partner shall withdraw;"),
        p(1, 7, text="notwithstanding anything to the contrary, the Fund continues."),
    ])
    path = write_docx(tmp_path, body, numbering=f"{abstract(0, levels)}{num(1, 0)}")
    doc = read_document(path)
    assert [para.number for para in doc.paragraphs] == ["1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.1(a)",
                                                        "1.1.1.1(b)"]
    _package, findings = check_paths([path], select=["xref"])
    assert not [f for f in findings if "1.1.1.1(b)" in f.snippet], findings
