"""The build's scans of a rendered body find what the code before them found: the text nodes holding a
marker (each text read once), the TOC field's placeholder (a text without "TOC" skipped before it is
normalised) and the first free bookmark id; and a document packs into the same bytes with its parts put
in order once. The code as it was is kept here as the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.build import DOCUMENTS, TEMPLATES_DIR
from assembler.docmodel.ooxml import W_NS, qn
from assembler.render import engine, toc
from assembler.render.context import deal_values, document_context
from assembler.render.write import ZipEntry, write_zip, zip_order
from assembler.termsheet import load_termsheet
from assembler.xref import resolve
from assembler.xref.markers import OPEN

ROOT = Path(__file__).resolve().parent.parent
SHEETS = [ROOT / "termsheets" / "ascent-series-j.yaml", *sorted((ROOT / "termsheets" / "variants").glob("*.yaml"))]


# --------------------------------------------------------------------------------------------
# The code as it was


def _old_text_nodes_with_markers(body):
    return [t for t in body.iter(qn("w:t")) if t.text and OPEN in t.text]


def _old_placeholder(body):
    want = " ".join(toc.TOC_INSTRUCTION.split())
    for instr in body.iter(qn("w:instrText")):
        if " ".join((instr.text or "").split()) != want:
            continue
        first = instr.getparent().getparent()
        if first.tag != qn("w:p"):
            return []
        spanned, depth = [], 0
        for p in [first, *first.itersiblings(qn("w:p"))]:
            spanned.append(p)
            for fld in p.iter(qn("w:fldChar")):
                kind = fld.get(qn("w:fldCharType"))
                depth += kind == "begin"
                depth -= kind == "end"
                if depth == 0 and kind == "end":
                    return spanned
        return spanned[:1]
    return []


def _old_next_bookmark_id(body):
    existing = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart"))
                if (b.get(qn("w:id")) or "").isdigit()]
    return max(existing, default=0) + 1


def _outcome(fn, *args):
    try:
        return "value", fn(*args)
    except Exception as exc:  # noqa: BLE001 - the same error, or the same value
        return "error", type(exc), str(exc)


# --------------------------------------------------------------------------------------------
# Rendered bodies of every sample term sheet


def _bodies(sheet: Path) -> list:
    values = deal_values(load_termsheet(sheet))
    return [engine.load_template(TEMPLATES_DIR / s.template).render_tree(document_context(values, s.key),
                                                                         listing=False).body
            for s in DOCUMENTS]


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_rendered_bodies_scan_as_before(sheet):
    for body in _bodies(sheet):
        assert resolve._text_nodes_with_markers(body) == _old_text_nodes_with_markers(body)
        assert resolve.bookmark_ids_after(body) == _old_next_bookmark_id(body)
        assert toc.placeholder(body) == _old_placeholder(body)


# --------------------------------------------------------------------------------------------
# Bodies of every shape

TEXTS = st.lists(st.sampled_from(["TOC", "toc", "T", "OC", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\\f", "\\l",
                                  '"1-2"', "\\h", "\\z", "REF", "_Ref_spa_x", "\\w", OPEN, "\ue001", "x", "é"]),
                max_size=14).map("".join)
IDS = st.one_of(st.none(), st.sampled_from(["", "0", "7", "007", "12", "-1", "+3", " 4", "4 ", "x", "²", "٣", "1e3"]))


def _instr(text):
    return f'<w:instrText xml:space="preserve">{_escape(text)}</w:instrText>' if text is not None else "<w:instrText/>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


SPACE = st.lists(st.sampled_from([" ", "\t", "\n", "\r", "\u00a0", "\u2003"]), min_size=1, max_size=2).map("".join)
#: The TOC instruction's words with any whitespace between and around them.
SPACED_OUT = st.lists(SPACE, min_size=7, max_size=7).map(
    lambda gaps: "".join(gap + word for gap, word in zip(gaps, [*toc.TOC_INSTRUCTION.split(), ""])))
PARAGRAPH = st.tuples(
    st.one_of(st.none(), TEXTS, st.just(toc.TOC_INSTRUCTION), SPACED_OUT),
    st.lists(st.sampled_from(["begin", "separate", "end", None]), max_size=3),
    st.one_of(st.none(), TEXTS),
    st.lists(IDS, max_size=2),
    st.booleans())


def _body(paragraphs) -> etree._Element:
    xml = []
    for instr, kinds, text, ids, in_table in paragraphs:
        fields = "".join(f'<w:r><w:fldChar w:fldCharType="{k}"/></w:r>' if k else "<w:r><w:fldChar/></w:r>"
                         for k in kinds)
        marks = "".join(f'<w:bookmarkStart w:id="{_escape(i)}" w:name="b"/>' if i is not None
                        else '<w:bookmarkStart w:name="b"/>' for i in ids)
        t = f"<w:t>{_escape(text)}</w:t>" if text is not None else "<w:t/>"
        p = f"<w:p>{marks}{fields}<w:r>{_instr(instr)}</w:r><w:r>{t}</w:r></w:p>"
        xml.append(f"<w:tbl><w:tr><w:tc>{p}</w:tc></w:tr></w:tbl>" if in_table else p)
    return etree.fromstring(f'<w:body xmlns:w="{W_NS}">{"".join(xml)}</w:body>'.encode())


@settings(max_examples=400, deadline=None)
@given(st.lists(PARAGRAPH, max_size=6))
def test_bodies_of_every_shape_scan_as_before(paragraphs):
    """Instruction texts with and without the TOC instruction (spaced out, other whitespace, a TOC of
    another kind), fields nested or unbalanced, texts with stray marker characters, bookmark ids
    missing, empty, padded, signed or of digits int() refuses."""
    body = _body(paragraphs)
    assert resolve._text_nodes_with_markers(body) == _old_text_nodes_with_markers(body)
    assert _outcome(resolve.bookmark_ids_after, body) == _outcome(_old_next_bookmark_id, body)
    assert toc.placeholder(body) == _old_placeholder(body)


# --------------------------------------------------------------------------------------------
# Packing: the entries put in their order once (pack_parts and write_zip)


def _old_write_zip(entries):
    import struct

    by_name = {e.name: e for e in entries}
    out, central, offset = [], [], 0
    for name in zip_order(by_name):
        e = by_name[name]
        out.append(e.local)
        out.append(e.deflated)
        head, raw = e.central
        central.append(head + struct.pack("<I", offset) + raw)
        offset += len(e.local) + len(e.deflated)
    size = sum(map(len, central))
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, offset, 0)
    return b"".join([*out, *central, end])


def _old_pack_parts(self, rendered, title=None, *, subject=None, company=None, date=None):
    changed = {}
    if company is not None and engine.APP in self.parts:
        changed[engine.APP] = self._app_xml(company)
    changed[engine.MAIN] = etree.tostring(rendered.document, xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
    changed.update(rendered.parts)
    if self._core is not None:
        changed[engine.CORE] = self._core_xml(title, subject, date)
    entries = dict(self._static)
    entries.update((name, self._entry(name, data)) for name, data in changed.items())
    parts = {name: changed[name] if name in changed else self.parts[name] for name in zip_order(entries)}
    return _old_write_zip(entries.values()), (parts, {engine.MAIN: rendered.document},
                                              frozenset(parts).difference(changed))


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_documents_pack_as_before(sheet):
    ts = load_termsheet(sheet)
    values = deal_values(ts)
    for s in DOCUMENTS:
        template = engine.load_template(TEMPLATES_DIR / s.template)
        r = template.render_tree(document_context(values, s.key), listing=False)
        for args in ((), (f"{s.title} ({ts.deal_name})",)):
            for extra in ({}, {"subject": "S & <s>", "company": ts.company.name, "date": "2024-01-02T00:00:00Z"}):
                data, source = template.pack_parts(r, *args, **extra)
                old_data, (parts, parsed, checked) = _old_pack_parts(template, r, *args, **extra)
                assert data == old_data
                assert list(source.parts.items()) == list(parts.items())
                assert source.parsed == parsed and source.checked == checked


NAMES = st.lists(st.sampled_from(["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/x.rels",
                                  "docProps/core.xml", "docProps/app.xml", "word/header1.xml", "a", "B", "é.xml",
                                  "word/media/image1.png", "customXml/item1.xml"]), unique=True, max_size=12)


@settings(max_examples=200, deadline=None)
@given(NAMES, st.binary(max_size=64))
def test_archives_are_written_as_before(names, data):
    entries = [ZipEntry.of(name, data + name.encode(), level=1 + len(name) % 9) for name in names]
    assert write_zip(reversed(entries)) == write_zip(entries) == _old_write_zip(entries)
