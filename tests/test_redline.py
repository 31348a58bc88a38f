"""Redlines: NEW with native tracked changes against OLD; accepting gives NEW, rejecting gives OLD."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from assembler.build import DOCUMENTS, build
from assembler.docmodel.fields import bookmarks, iter_fields
from assembler.docmodel.ooxml import paragraph_text, qn, read_package, story_paragraphs
from assembler.errors import DocumentError
from assembler.redline import accept_all, redline, reject_all
from conftest import write_termsheet

AUTHOR = "assembler"
DATE = "2000-01-01T00:00:00Z"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REVISION_TAGS = (qn("w:ins"), qn("w:del"), qn("w:pPrChange"), qn("w:rPrChange"))

VARIANTS = {
    "figure": {"conversion_price": "0.20"},
    "party": {"purchaser": {"name": "Other Fund LP"}},
    "no-redemption": {"mandatory_redemption": {"enabled": False}},
    "closings": {"closings": [{"date": "2015-09-18", "shares": 3000}]},
}


# ---------------------------------------------------------------------------------------------
# Fixtures: the seed and its variants built once, each document redlined against the seed's


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """'seed' and each variant -> {output file name: built path}."""
    root = tmp_path_factory.mktemp("redline-builds")
    out = {}
    for name, overrides in {"seed": {}, **VARIANTS}.items():
        result = build(write_termsheet(root / name, overrides), root / name / "out")
        out[name] = dict(result.files)
    return out


@pytest.fixture(scope="module")
def redlines(builds, tmp_path_factory):
    """(variant, output name) -> (old, new, redline path, summary)."""
    root = tmp_path_factory.mktemp("redlines")
    made = {}
    for name in VARIANTS:
        for spec in DOCUMENTS:
            old, new = builds["seed"][spec.output], builds[name][spec.output]
            out = root / name / f"redline-{spec.output}"
            made[name, spec.output] = (old, new, out, redline(old, new, out))
    return made


def texts(path: Path) -> list[str]:
    return [paragraph_text(p) for p in story_paragraphs(read_package(path).body)]


def document(path: Path) -> etree._Element:
    return read_package(path).document


def revisions(path: Path) -> list[etree._Element]:
    return list(document(path).iter(*REVISION_TAGS))


# ---------------------------------------------------------------------------------------------
# The accept/reject property on real term changes


@pytest.mark.parametrize("variant", VARIANTS)
def test_accepting_every_change_gives_new_and_rejecting_gives_old(redlines, variant):
    for spec in DOCUMENTS:
        old, new, out, _ = redlines[variant, spec.output]
        root = document(out)
        assert accept_all(root) == texts(new), spec.output
        assert reject_all(root) == texts(old), spec.output


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_term_change_shows_as_insertions_and_deletions_with_fixed_author_and_date(redlines, variant):
    changed = [out for (v, _), (_, _, out, summary) in redlines.items() if v == variant and summary.changes]
    assert changed, f"{variant}: no document changed"
    marks = [m for out in changed for m in revisions(out)]
    assert {m.tag for m in marks} >= {qn("w:ins"), qn("w:del")}
    assert {(m.get(qn("w:author")), m.get(qn("w:date"))) for m in marks} == {(AUTHOR, DATE)}


def test_revision_ids_are_unique_sequential_and_clear_of_the_bookmark_ids(redlines):
    _, new, out, _ = redlines["no-redemption", "exhibit-2-certificate-of-designations.docx"]
    ids = [int(m.get(qn("w:id"))) for m in revisions(out)]
    bookmark_ids = [int(b.get(qn("w:id"))) for b in document(new).iter(qn("w:bookmarkStart"))]
    assert ids == list(range(max(bookmark_ids) + 1, max(bookmark_ids) + 1 + len(ids)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_part_but_the_body_is_news_byte_for_byte(redlines, variant):
    for spec in DOCUMENTS:
        _, new, out, _ = redlines[variant, spec.output]
        with zipfile.ZipFile(new) as a, zipfile.ZipFile(out) as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for name in ("word/numbering.xml", "word/styles.xml"):
                assert a.read(name) == b.read(name), name
            for name in a.namelist():
                if name != "word/document.xml":
                    assert a.read(name) == b.read(name), name


@pytest.mark.parametrize("variant", VARIANTS)
def test_bookmarks_and_cross_references_of_new_survive(redlines, variant):
    for spec in DOCUMENTS:
        _, new, out, _ = redlines[variant, spec.output]
        new_body, red_body = read_package(new).body, read_package(out).body
        assert sorted(bookmarks(red_body)) == sorted(bookmarks(new_body))
        instructions = [f.instruction for f in iter_fields(new_body)]
        assert [f.instruction for f in iter_fields(red_body)] == instructions


def test_the_same_inputs_give_the_same_bytes(redlines, tmp_path):
    old, new, out, _ = redlines["no-redemption", "exhibit-2-certificate-of-designations.docx"]
    again = tmp_path / "again.docx"
    redline(old, new, again)
    assert again.read_bytes() == out.read_bytes()


def test_identical_documents_give_no_revisions_and_an_empty_summary(builds, tmp_path):
    for spec in DOCUMENTS:
        path = builds["seed"][spec.output]
        out = tmp_path / spec.output
        summary = redline(path, path, out)
        assert summary.changes == [] and summary.describe() == [] and summary.revisions == 0
        assert revisions(out) == []
        assert texts(out) == texts(path)


# ---------------------------------------------------------------------------------------------
# What the summary says


def test_a_changed_figure_is_one_word_replaced_in_its_section(redlines):
    _, _, out, summary = redlines["figure", "exhibit-2-certificate-of-designations.docx"]
    assert [(c.kind, c.words_inserted, c.words_deleted) for c in summary.changes] == [("changed", 1, 1)]
    line, = summary.describe()
    assert line.startswith("Section I.") and line.endswith(": changed (1 word inserted, 1 deleted)")
    body = document(out)
    assert [t.text for t in body.iter(qn("w:delText"))] == ["0.15"]
    assert [t.text for i in body.iter(qn("w:ins")) for t in i.iter(qn("w:t"))] == ["0.20"]


def test_a_changed_party_name_shows_the_old_name_deleted_and_the_new_one_inserted(redlines):
    _, _, out, summary = redlines["party", "securities-purchase-agreement.docx"]
    body = document(out)
    deleted = "".join(t.text for t in body.iter(qn("w:delText")))
    inserted = "".join(t.text for i in body.iter(qn("w:ins")) for t in i.iter(qn("w:t")))
    assert "Global Ichiban Limited" in deleted and "Other Fund LP" in inserted
    assert summary.words_inserted >= 3 and summary.words_deleted >= 3


def test_a_removed_redemption_section_is_deleted_under_its_former_number(redlines):
    old, new, out, summary = redlines["no-redemption", "exhibit-2-certificate-of-designations.docx"]
    deleted = [c for c in summary.changes if c.kind == "deleted"]
    assert deleted and all(c.old_numbering for c in deleted)
    assert any(c.text.startswith("Redemption") or "Redemption" in c.text for c in deleted)
    assert any(line.startswith("Former section I.") and ": deleted (" in line for line in summary.describe())
    # each wholly deleted paragraph keeps its mark, marked deleted, at its place
    body = read_package(out).body
    marked = [p for p in story_paragraphs(body) if p.find("w:pPr/w:rPr/w:del", {"w": W}) is not None]
    assert len(marked) == len(deleted)
    assert all(paragraph_text(p) == "" for p in marked)  # all of its text is in w:delText
    # the renumbered cross-references show the old and new numbers
    assert summary.words_inserted > 0


# ---------------------------------------------------------------------------------------------
# A hand-made pair: inserted and deleted paragraphs, a changed REF field, tables

DOC = f'<w:document xmlns:w="{W}"><w:body>{{}}<w:sectPr/></w:body></w:document>'


def para(*content: str, style: str | None = None, bookmark: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    inner = "".join(c if c.startswith("<") else run(c) for c in content)
    if bookmark:
        bid = sum(map(ord, bookmark))
        inner = f'<w:bookmarkStart w:id="{bid}" w:name="{bookmark}"/>{inner}<w:bookmarkEnd w:id="{bid}"/>'
    return f"<w:p>{ppr}{inner}</w:p>"


def run(text: str, rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def ref(name: str, result: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> REF {name} \\w \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def table(*rows: tuple[str, ...]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{cells}</w:tbl>"


OLD_BODY = "".join([
    para("Terms.", style="CODLevel1"),
    para("Alpha beta gamma.", style="CODLevel2", bookmark="_Ref_alpha"),
    para("This paragraph will be deleted.", style="BodyPara"),
    para("See Section ", ref("_Ref_alpha", "I.A"), " for details.", style="BodyPara"),
    para("Second target.", style="CODLevel2", bookmark="_Ref_beta"),
    table(("a1", "b1"), ("a2", "b2")),
    table(("a table that goes",)),
    para("Tail ", run("bold", "<w:rPr><w:b/></w:rPr>"), " words.", style="BodyPara"),
])
NEW_BODY = "".join([
    para("Terms.", style="CODLevel1"),
    para("Alpha beta delta.", style="CODLevel2", bookmark="_Ref_alpha"),
    para("See Section ", ref("_Ref_beta", "I.B"), " for more details.", style="BodyPara"),
    para("A brand new paragraph.", style="BodyPara"),
    para("Second target.", style="CODLevel2", bookmark="_Ref_beta"),
    table(("a1", "b1 changed"), ("a2", "b2")),
    para("Tail ", run("bold", "<w:rPr><w:i/></w:rPr>"), " words.", style="BodyPara"),
    table(("x", "y")),
    para("End."),
])


def with_body(src: Path, dst: Path, body_xml: str) -> Path:
    """A copy of the .docx *src* (its styles, numbering...) whose body is *body_xml*."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = DOC.format(body_xml).encode() if name == "word/document.xml" else zin.read(name)
            zout.writestr(name, data)
    return dst


@pytest.fixture(scope="module")
def hand_made(builds, tmp_path_factory):
    root = tmp_path_factory.mktemp("hand-made")
    seed = builds["seed"]["exhibit-2-certificate-of-designations.docx"]
    old = with_body(seed, root / "old.docx", OLD_BODY)
    new = with_body(seed, root / "new.docx", NEW_BODY)
    out = root / "redline.docx"
    return old, new, out, redline(old, new, out)


def test_hand_made_pair_accepts_to_new_and_rejects_to_old(hand_made):
    old, new, out, _ = hand_made
    root = document(out)
    assert accept_all(root) == texts(new)
    assert reject_all(root) == texts(old)


def test_inserted_and_deleted_paragraphs_have_their_marks_tracked(hand_made):
    _, _, out, _ = hand_made
    body = read_package(out).body
    paragraphs = body.findall("w:p", {"w": W})
    inserted = [p for p in paragraphs if p.find("w:pPr/w:rPr/w:ins", {"w": W}) is not None]
    deleted, = [p for p in paragraphs if p.find("w:pPr/w:rPr/w:del", {"w": W}) is not None]
    assert [paragraph_text(p) for p in inserted] == ["A brand new paragraph.", "End."]
    assert "".join(t.text for t in deleted.iter(qn("w:delText"))) == "This paragraph will be deleted."
    # the deleted paragraph sits at its old place, after the changed "Alpha" paragraph
    assert paragraph_text(paragraphs[paragraphs.index(deleted) - 1]) == "Alpha beta delta."


def test_a_changed_cross_reference_deletes_the_old_instruction_and_inserts_the_new(hand_made):
    _, _, out, _ = hand_made
    body = read_package(out).body
    assert [e.text for e in body.iter(qn("w:delInstrText"))] == [" REF _Ref_alpha \\w \\h "]
    inserted = [e.text for i in body.iter(qn("w:ins")) for e in i.iter(qn("w:instrText"))]
    assert inserted == [" REF _Ref_beta \\w \\h "]
    assert [f.ref_bookmark for f in iter_fields(body)] == ["_Ref_beta"]
    assert sorted(bookmarks(body)) == ["_Ref_alpha", "_Ref_beta"]


def test_tables_are_compared_cell_by_cell_or_deleted_and_inserted_by_row(hand_made):
    _, _, out, _ = hand_made
    body = read_package(out).body
    tables = body.findall("w:tbl", {"w": W})
    assert len(tables) == 3                       # the changed one, the deleted one, the new one
    row_marks = [tr.find("w:trPr", {"w": W})[-1].tag for t in tables for tr in t.findall("w:tr", {"w": W})
                 if tr.find("w:trPr", {"w": W}) is not None]
    assert row_marks == [qn("w:del"), qn("w:ins")]
    changed_cell = tables[0].findall("w:tr/w:tc", {"w": W})[1]
    assert [t.text for t in changed_cell.iter(qn("w:t"))] == ["b1", " changed"]


def test_a_formatting_change_is_recorded_with_the_old_run_properties(hand_made):
    _, _, out, summary = hand_made
    body = read_package(out).body
    change, = body.iter(qn("w:rPrChange"))
    assert change.find("w:rPr/w:b", {"w": W}) is not None
    assert change.getparent().find("w:i", {"w": W}) is not None
    assert "formatted" in [c.kind for c in summary.changes]


def test_the_summary_counts_words_per_paragraph_in_document_order(hand_made):
    _, _, _, summary = hand_made
    kinds = [(c.kind, c.words_inserted, c.words_deleted) for c in summary.changes]
    assert kinds[:4] == [("changed", 1, 1), ("deleted", 0, 5), ("changed", 2, 1), ("inserted", 4, 0)]
    assert summary.describe()[0] == "Section I.A: changed (1 word inserted, 1 deleted)"
    assert summary.describe()[1] == "Former section I.A: deleted (5 words)"


def test_text_split_into_runs_differently_is_not_a_change(builds, tmp_path):
    seed = builds["seed"]["exhibit-2-certificate-of-designations.docx"]
    old = with_body(seed, tmp_path / "old.docx", para("Alpha ", "be", "ta ", ref("_Ref_x", "I.A"), "."))
    new = with_body(seed, tmp_path / "new.docx", para("Alpha beta ", ref("_Ref_x", "I.A"), "."))
    summary = redline(old, new, tmp_path / "out.docx")
    assert summary.changes == [] and revisions(tmp_path / "out.docx") == []


def test_python_docx_opens_the_redline(hand_made):
    import docx

    paragraphs = [p.text for p in docx.Document(str(hand_made[2])).paragraphs]
    assert paragraphs[:2] == ["Terms.", "Alpha beta ."]   # python-docx leaves w:ins/w:del runs out


# ---------------------------------------------------------------------------------------------
# accept_all / reject_all on tiny fixtures

TRACKED = DOC.format(
    '<w:p><w:r><w:t xml:space="preserve">Keep </w:t></w:r>'
    '<w:del w:id="1" w:author="a" w:date="d"><w:r><w:delText>old</w:delText></w:r></w:del>'
    '<w:ins w:id="2" w:author="a" w:date="d"><w:r><w:t>new</w:t></w:r></w:ins></w:p>'
    '<w:p><w:pPr><w:rPr><w:del w:id="3" w:author="a" w:date="d"/></w:rPr></w:pPr>'
    '<w:del w:id="4" w:author="a" w:date="d"><w:r><w:delText>Gone.</w:delText></w:r></w:del></w:p>'
    '<w:p><w:pPr><w:rPr><w:ins w:id="5" w:author="a" w:date="d"/></w:rPr></w:pPr>'
    '<w:ins w:id="6" w:author="a" w:date="d"><w:r><w:t>Added.</w:t></w:r></w:ins></w:p>'
    '<w:p><w:r><w:t>Last.</w:t></w:r></w:p>'
)


def test_accept_all_keeps_insertions_and_joins_a_deleted_mark_to_the_next_paragraph():
    assert accept_all(etree.fromstring(TRACKED)) == ["Keep new", "Added.", "Last."]


def test_reject_all_keeps_deletions_and_joins_an_inserted_mark_to_the_next_paragraph():
    assert reject_all(etree.fromstring(TRACKED)) == ["Keep old", "Gone.", "Last."]


def test_accept_and_reject_leave_the_document_untouched():
    root = etree.fromstring(TRACKED)
    before = etree.tostring(root)
    accept_all(root), reject_all(root)
    assert etree.tostring(root) == before


# ---------------------------------------------------------------------------------------------
# Broken inputs; LibreOffice


def test_a_broken_input_is_a_document_error_and_writes_nothing(builds, tmp_path):
    good = builds["seed"]["securities-purchase-agreement.docx"]
    not_zip = tmp_path / "not.docx"
    not_zip.write_bytes(b"plain text")
    hostile = tmp_path / "hostile.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(hostile, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "word/document.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "b">]>' + data.split(b"?>", 1)[1]
            zout.writestr(name, data)
    out = tmp_path / "out.docx"
    for old, new in ((not_zip, good), (good, not_zip), (good, hostile), (tmp_path / "missing.docx", good)):
        with pytest.raises(DocumentError):
            redline(old, new, out)
    assert not out.exists()


def test_the_redline_opens_in_libreoffice(redlines, hand_made, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) and pdftotext are required in CI")
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    files = {
        redlines["party", "securities-purchase-agreement.docx"][2]: "Other Fund LP",
        redlines["no-redemption", "exhibit-2-certificate-of-designations.docx"][2]: "Protective Provisions",
        hand_made[2]: "A brand new paragraph.",
    }
    outdir = tmp_path / "pdf"
    for i, (path, expected) in enumerate(files.items()):
        profile = tmp_path / f"profile{i}"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(outdir), str(path)]
        subprocess.run(cmd, capture_output=True, timeout=180, check=False)
        pdf = outdir / (path.stem + ".pdf")
        assert pdf.exists(), f"LibreOffice made no PDF of {path.name}"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              timeout=60).stdout
        assert expected in " ".join(text.split()), path.name
