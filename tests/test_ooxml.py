"""Specifications of the lxml helpers: hardened parsing, safe .docx reading, paragraph text."""

from __future__ import annotations

import io
import struct
import zipfile

import docx
import pytest
from lxml import etree

from assembler.docmodel.numbering import number_document
from assembler.docmodel.ooxml import (
    NSMAP,
    W_NS,
    Package,
    paragraph_text,
    parse_xml,
    qn,
    read_package,
    story_paragraphs,
)
from assembler.errors import DocumentError

W = f'xmlns:w="{W_NS}"'
MIB = 1024 * 1024


def make_docx(tmp_path, name="deal.docx", **builders):
    """A .docx made by python-docx; builders(document) add content first."""
    document = docx.Document()
    for build in builders.values():
        build(document)
    path = tmp_path / name
    document.save(path)
    return path


def make_zip(tmp_path, entries, name="x.docx", compression=zipfile.ZIP_DEFLATED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def para(xml):
    return etree.fromstring(f"<w:p {W} xmlns:mc=\"{NSMAP['mc']}\">{xml}</w:p>")


# -- names --------------------------------------------------------------------------------------


def test_qn_turns_a_prefixed_name_into_a_clark_name():
    assert qn("w:p") == f"{{{W_NS}}}p"
    assert qn("r:id") == f"{{{NSMAP['r']}}}id"
    assert {"w", "r", "wp", "a", "pic", "mc", "w14"} <= set(NSMAP)


# -- parse_xml ----------------------------------------------------------------------------------


def test_parse_xml_returns_the_root_element():
    root = parse_xml(f"<w:document {W}><w:body/></w:document>".encode(), "word/document.xml")
    assert root.tag == qn("w:document")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol2;</w:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<d>&xxe;</d>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"])
def test_parse_xml_refuses_any_doctype_naming_the_part(data):
    with pytest.raises(DocumentError) as caught:
        parse_xml(data, "word/document.xml")
    assert str(caught.value) == (
        "word/document.xml: XML with a DOCTYPE is refused (entity expansion)"
    )


def test_parse_xml_refuses_a_utf16_doctype():
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "b">]><d>&a;</d>'
    with pytest.raises(DocumentError, match="DOCTYPE"):
        parse_xml(data.encode("utf-16"), "word/styles.xml")


def test_parse_xml_reports_malformed_xml_with_the_part_and_the_line():
    with pytest.raises(DocumentError) as caught:
        parse_xml(b"<a>\n<b>\n</a>", "word/numbering.xml")
    problem = caught.value.problems[0]
    assert problem.location.file == "word/numbering.xml"
    assert problem.location.line == 3
    assert str(caught.value).startswith("word/numbering.xml:3: malformed XML")


# -- read_package -------------------------------------------------------------------------------


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("just text")
    with pytest.raises(DocumentError) as caught:
        read_package(path)
    assert str(caught.value) == f"{path}: not a Word .docx file (not a zip archive)"


def test_a_legacy_doc_file_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(DocumentError) as caught:
        read_package(path)
    assert str(caught.value) == f"{path}: a Word 97-2003 .doc file, not .docx; save it as .docx"


def test_a_password_protected_docx_is_named_as_such(tmp_path):
    path = tmp_path / "locked.docx"
    marker = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + marker)
    with pytest.raises(DocumentError, match="password-protected"):
        read_package(path)


def test_a_missing_file_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_package(tmp_path / "absent.docx")


def test_a_zip_without_word_document_xml_is_refused(tmp_path):
    path = make_zip(tmp_path, {"hello.txt": b"hi"})
    with pytest.raises(DocumentError) as caught:
        read_package(path)
    assert "no word/document.xml" in str(caught.value)


def test_a_zip_bomb_entry_is_refused_by_name(tmp_path):
    path = make_zip(tmp_path, {"word/document.xml": b"<a/>", "word/media/x.bin": bytes(30 * MIB)})
    assert path.stat().st_size < MIB
    with pytest.raises(DocumentError) as caught:
        read_package(path)
    assert "word/media/x.bin: compression ratio" in str(caught.value)
    assert "zip bomb" in str(caught.value)


# (signature, offset of the uncompressed size, offset of the name length, offset of the name)
_LOCAL_HEADER = (b"PK\x03\x04", 22, 26, 30)
_CENTRAL_HEADER = (b"PK\x01\x02", 24, 28, 46)


def _patch_sizes(data: bytes, entry: str, declared: int) -> bytes:
    """Rewrite an entry's uncompressed size in both its local and central directory headers."""
    out = bytearray(data)
    name = entry.encode()
    for signature, size_at, name_length_at, name_at in (_LOCAL_HEADER, _CENTRAL_HEADER):
        start = out.find(signature)
        while start >= 0:
            (length,) = struct.unpack_from("<H", out, start + name_length_at)
            if out[start + name_at : start + name_at + length] == name:
                struct.pack_into("<I", out, start + size_at, declared)
            start = out.find(signature, start + 4)
    return bytes(out)


def test_an_entry_that_decompresses_beyond_its_declared_size_is_refused(tmp_path):
    path = make_zip(tmp_path, {"word/document.xml": b"<a/>", "word/big.xml": b"x" * 200_000})
    path.write_bytes(_patch_sizes(path.read_bytes(), "word/big.xml", 1000))
    assert zipfile.ZipFile(path).getinfo("word/big.xml").file_size == 1000
    with pytest.raises(DocumentError) as caught:
        read_package(path)
    assert "word/big.xml" in str(caught.value)


def test_a_declared_total_above_512_mib_is_refused(tmp_path):
    path = make_zip(tmp_path, {"word/document.xml": b"<a/>", "word/big.xml": b"x" * 1000})
    path.write_bytes(_patch_sizes(path.read_bytes(), "word/big.xml", 600 * MIB))
    with pytest.raises(DocumentError, match="exceeds 512 MiB"):
        read_package(path)


def test_a_python_docx_document_reads_with_its_parts(tmp_path):
    def content(document):
        document.add_heading("Purchase and Sale", level=1)
        paragraph = document.add_paragraph("The Company shall ")
        paragraph.add_run("issue").bold = True
        paragraph.add_run("\tthe Shares.")
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Purchaser"
        table.cell(0, 1).text = "Shares"
        document.add_paragraph("first", style="List Number")
        document.add_paragraph("second", style="List Number")
        document.sections[0].header.paragraphs[0].text = "Confidential"

    package = read_package(make_docx(tmp_path, content=content))
    assert isinstance(package, Package)
    assert package.document.tag == qn("w:document")
    assert package.styles is not None and package.numbering is not None
    assert package.footnotes is None and package.comments is None
    assert package.xml("word/none.xml") is None
    assert package.xml("word/document.xml") is package.document  # parsed once, cached
    assert package.header_footer_parts() == ["word/header1.xml"]
    header = package.xml("word/header1.xml")
    assert [paragraph_text(p) for p in header.iter(qn("w:p"))] == ["Confidential"]

    texts = [paragraph_text(p) for p in story_paragraphs(package.body)]
    assert texts == [
        "Purchase and Sale",
        "The Company shall issue\tthe Shares.",
        "Purchaser",
        "Shares",
        "first",
        "second",
    ]
    labels = [label.text if label else None for _, label in number_document(package)]
    assert labels == [None, None, None, None, "1.", "2."]


def test_a_doctype_inside_a_docx_part_is_refused_naming_the_file_and_part(tmp_path):
    path = make_zip(tmp_path, {"word/document.xml": BILLION_LAUGHS})
    with pytest.raises(DocumentError) as caught:  # every XML part is checked as the package is read
        read_package(path)
    assert str(caught.value) == (
        f"{path}!word/document.xml: XML with a DOCTYPE is refused (entity expansion)"
    )


# -- paragraph_text ------------------------------------------------------------------------------


def test_paragraph_text_joins_runs_tabs_and_breaks():
    p = para(
        "<w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        "<w:r><w:t>Section</w:t><w:tab/><w:t>1</w:t><w:br/><w:t>next</w:t><w:cr/></w:r>"
        "<w:r><w:t xml:space='preserve'>non</w:t><w:noBreakHyphen/><w:t>voting </w:t>"
        "<w:sym w:font='Symbol' w:char='F0B7'/></w:r>"
    )
    assert paragraph_text(p) == "Section\t1\nnext\nnon-voting "


def test_paragraph_text_keeps_insertions_and_drops_deletions():
    p = para(
        "<w:r><w:t>the </w:t></w:r>"
        "<w:del w:id='1' w:author='A'><w:r><w:delText>old </w:delText></w:r></w:del>"
        "<w:ins w:id='2' w:author='A'><w:r><w:t>new </w:t></w:r></w:ins>"
        "<w:moveFrom w:id='3' w:author='A'><w:r><w:t>moved </w:t></w:r></w:moveFrom>"
        "<w:r><w:t>text</w:t></w:r>"
    )
    assert paragraph_text(p) == "the new text"


def test_paragraph_text_shows_field_results_not_field_codes():
    p = para(
        "<w:r><w:t xml:space='preserve'>See Section </w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        "<w:r><w:instrText xml:space='preserve'> REF _Ref1 \\r \\h </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        "<w:r><w:t>2.1</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        "<w:fldSimple w:instr=' PAGE '><w:r><w:t>7</w:t></w:r></w:fldSimple>"
    )
    assert paragraph_text(p) == "See Section 2.17"


def test_paragraph_text_leaves_out_text_boxes_and_fallback_copies():
    p = para(
        "<w:r><w:t>Body</w:t></w:r>"
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing/></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Box</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    assert paragraph_text(p) == "Body"


def test_story_paragraphs_include_tables_in_order_but_not_text_boxes():
    root = etree.fromstring(
        f"<w:body {W}><w:p><w:r><w:t>a</w:t></w:r><w:r><w:pict><w:txbxContent>"
        "<w:p><w:r><w:t>box</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>c</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>d</w:t></w:r></w:p></w:body>"
    )
    assert [paragraph_text(p) for p in story_paragraphs(root)] == ["a", "b", "c", "d"]


def test_a_docx_round_trips_through_bytes(tmp_path):
    # read_package takes the path; the bytes it keeps are the zip entries unchanged.
    path = make_docx(tmp_path)
    package = read_package(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert package.parts["word/document.xml"] == archive.read("word/document.xml")


W_DECL = f'xmlns:w="{W_NS}"'.encode()


def _one_paragraph(text: bytes) -> bytes:
    return b"<w:document " + W_DECL + b"><w:body><w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p></w:body></w:document>"


def test_a_ten_megabyte_paragraph_is_read(tmp_path):
    """Highly compressible but legitimate: more than 10,000,000 characters in one text node, ratio over 200."""
    text = b"Purchaser shall pay. " * (11 * MIB // 21)
    package = read_package(make_zip(tmp_path, {"word/document.xml": _one_paragraph(text)}))
    assert len(package.xml("word/document.xml").find(".//{*}t").text) == len(text)


def test_xml_parts_past_their_ratio_allowance_are_refused(tmp_path):
    big = _one_paragraph(b"a" * (20 * MIB))
    with pytest.raises(DocumentError) as caught:
        read_package(make_zip(tmp_path, {"word/document.xml": big, "word/footer1.xml": big}))
    assert "word/footer1.xml: compression ratio" in str(caught.value)
    assert "zip bomb" in str(caught.value)


def test_a_huge_text_node_does_not_lift_the_nesting_limit(tmp_path):
    deep = b"<w:document " + W_DECL + b"><w:body><w:p><w:r><w:t>" + b"x" * (10 * MIB + 1) + b"</w:t></w:r></w:p>" + \
        b"<w:p>" * 300 + b"</w:p>" * 300 + b"</w:body></w:document>"
    with pytest.raises(DocumentError) as caught:
        read_package(make_zip(tmp_path, {"word/document.xml": deep}))
    assert "nested more than 256 deep" in str(caught.value)
