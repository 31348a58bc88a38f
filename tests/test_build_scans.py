"""The build's scans of a rendered body find what the code before them found: the text nodes holding a
marker (each text read once), the TOC field's placeholder (a text without "TOC" skipped before it is
normalised) and the first free bookmark id. The code as it was is kept here as the reference."""

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
