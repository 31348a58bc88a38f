"""The style id of each paragraph is read by the numbering pass, which looks at the paragraph's properties anyway,
not looked for again: it is what the reader's own look-up gave before (kept here as the reference), and the
labels are what they are without it; on the fixtures, the shared corpus when present, and generated properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.docmodel.labels import stories
from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import W_NS, first_child, qn, read_package, story_paragraphs
from model_dump import corpus_files, fixture_files

DOCUMENTS = fixture_files() + corpus_files()
W = f'xmlns:w="{W_NS}"'


def style_as_before(p: etree._Element) -> str | None:
    """The style id the reader looked up for each paragraph (before its name was looked up)."""
    ppr = first_child(p, qn("w:pPr"))
    if ppr is None:
        return None
    ps = first_child(ppr, qn("w:pStyle"))
    if ps is None:
        return None
    return ps.get(qn("w:val"))


def read_both(engine: NumberingEngine, paragraphs: list) -> tuple[list, list]:
    named: list = []
    labels = engine.label_paragraphs(paragraphs, named)
    assert labels == engine.label_paragraphs(paragraphs)
    return named, labels


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_style_ids_are_as_before_in_real_documents(path):
    package = read_package(path)
    engine = NumberingEngine(package.numbering, package.styles)
    for _part, root in stories(package):
        paragraphs = list(story_paragraphs(root))
        named, _labels = read_both(engine, paragraphs)
        assert named == [style_as_before(p) for p in paragraphs]


NUMBERING = (f'<w:numbering {W}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
             '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:pStyle w:val="Num"/></w:lvl></w:abstractNum>'
             '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>')
STYLES = (f'<w:styles {W}><w:style w:type="paragraph" w:styleId="Num"><w:pPr><w:numPr><w:numId w:val="1"/>'
          '</w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:default="1" w:styleId="Normal"/></w:styles>')
PROPERTIES = ['<w:pStyle w:val="Num"/>', '<w:pStyle w:val="Normal"/>', "<w:pStyle/>", '<w:pStyle w:val=""/>',
              '<w:pStyle w:val="Missing"/>', "<w:sectPr/>", '<w:numPr><w:numId w:val="1"/><w:ilvl w:val="0"/></w:numPr>',
              '<w:numPr><w:numId w:val="0"/></w:numPr>', "<w:jc/>", "<!-- note -->", "<w:rPr><w:b/></w:rPr>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.lists(st.sampled_from(PROPERTIES), max_size=4), max_size=2), st.booleans()),
                min_size=1, max_size=6))
def test_style_ids_are_as_before_for_any_properties(paragraphs):
    body = "".join(
        "<w:p>" + "".join(f"<w:pPr>{''.join(props)}</w:pPr>" for props in pprs)
        + ('<w:r><w:t>text</w:t></w:r>' if text else "") + "</w:p>"
        for pprs, text in paragraphs)
    root = etree.fromstring(f"<w:body {W}>{body}</w:body>")
    engine = NumberingEngine(etree.fromstring(NUMBERING), etree.fromstring(STYLES))
    elements = list(root)
    named, _labels = read_both(engine, elements)
    assert named == [style_as_before(p) for p in elements]
