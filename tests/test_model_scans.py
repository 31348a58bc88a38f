"""The document model's reader looks for references and definitions a cheaper way than before and finds the
same: references tried only where one may start, "The "X" is" definitions only in text that holds "The"."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.docmodel.labels import stories
from assembler.docmodel.ooxml import W_NS, first_child, qn, read_package, story_paragraphs
from assembler.docmodel.parse import (_ALNUM, _B, _BOOKMARK, _BR, _CR, _FLDCHAR, _FLDSIMPLE, _INSTR, _INSTR_ATTR, _NBH,
                                      _OFF, _PTAB, _R, _REF_RE, _RPR, _SKIP, _T, _TAB, _THE_TERM_IS, _U, _VAL,
                                      _FieldState, _ref_matches, _Scan, _walk)

W = f'xmlns:w="{W_NS}"'
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"   # beside the repository, if there
DOCUMENTS = (sorted(FIXTURES.glob("seed-*.docx")) + sorted((FIXTURES / "word-saved").glob("*.docx"))
             + sorted(CORPUS.glob("*/*.docx")))


def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in matches]


def texts_of(path: Path) -> list[str]:
    out = []
    for _part, root in stories(read_package(path)):
        for p in story_paragraphs(root):
            scan = _Scan()
            _walk(p, scan, [], False)
            out.append(scan.text)
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_references_are_the_patterns_matches_in_real_documents(path):
    for text in texts_of(path):
        assert spans(_ref_matches(text)) == spans(_REF_RE.finditer(text))
        if _THE_TERM_IS.search(text):
            assert "The" in text


WORDS = st.sampled_from(["Section", "Sections", "SECTION", "Subsection", "Article", "ARTICLES", "paragraph",
                         "Paragraphs", "Exhibit", "EXHIBITS", "Schedule", "SCHEDULES", "clause", "Clauses", "this",
                         "This", "thisSection", "xSection", "éSection", "_Section", "1", "2.1", "IV", "A", "(a)", "(ii)",
                         "and", "or", "through", "-", "–", ",", " ", "  ", "\n", "\t", ".", "’", "The", "“X”", "is"])


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS, max_size=30).map("".join), st.lists(WORDS, max_size=30).map(" ".join))
def test_references_are_the_patterns_matches_in_any_text(joined, spaced):
    for text in (joined, spaced):
        assert spans(_ref_matches(text)) == spans(_REF_RE.finditer(text))
        if _THE_TERM_IS.search(text):
            assert "The" in text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "1", "_", "é", "²", "٣", " ", ".", "(", "•", "\u00a0", "Ⅳ"]), max_size=8).map("".join))
def test_a_letter_or_digit_is_what_isalnum_says(text):
    assert bool(_ALNUM.search(text)) == any(ch.isalnum() for ch in text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["w:pPr", "w:rPr", "w:r", "w:pStyle", "w:b"]), max_size=5),
       st.sampled_from(["w:pPr", "w:rPr", "w:pStyle", "w:b"]))
def test_the_first_child_with_a_tag_is_the_first_one_in_order(tags, wanted):
    element = etree.fromstring(f"<w:p {W}>" + "".join(f"<{t}/>" for t in tags) + "</w:p>")
    assert first_child(element, qn(wanted)) is next(element.iterchildren(qn(wanted)), None)



def emphasised_as_before(run) -> bool:
    rpr = next(run.iterchildren(_RPR), None)
    return rpr is not None and any(
        (child.tag == _B and child.get(_VAL, "true").lower() not in _OFF)
        or (child.tag == _U and child.get(_VAL, "single").lower() not in _OFF) for child in rpr)


def walk_as_before(element, scan, stack, emphasised) -> None:
    """The walk as it was, each run's emphasis read before its content (the reference), for the tags whose
    handling changed; fields and bookmarks as the walk reads them."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in (_T, _NBH):
            scan.add((child.text or "") if tag == _T else "-", emphasised)
        elif tag == _R:
            walk_as_before(child, scan, stack, emphasised_as_before(child))
        elif tag in (_TAB, _PTAB, _BR, _CR):
            scan.add("\t" if tag in (_TAB, _PTAB) else "\n", False)
        elif tag in (_FLDCHAR, _INSTR, _BOOKMARK):
            _walk_one(child, scan, stack)
        elif tag == _FLDSIMPLE:
            start = scan.pos
            walk_as_before(child, scan, stack, emphasised)
            scan.fields.append(((child.get(_INSTR_ATTR) or "").strip(), start, scan.pos))
        elif len(child):
            walk_as_before(child, scan, stack, emphasised)


def _walk_one(child, scan, stack) -> None:
    """A field character, a field instruction or a bookmark, read by the walk (a copy: the walk reads its
    parent's children)."""
    holder = etree.Element(child.getparent().tag)
    holder.append(copy.deepcopy(child))
    _walk(holder, scan, stack, False)


def scans(paragraphs, walk) -> list:
    """What *walk* reads of each paragraph in turn, with the fields left open after it."""
    stack: list[_FieldState] = []
    out = []
    for p in paragraphs:
        scan = _Scan()
        walk(p, scan, stack, False)
        out.append((scan.text, scan.fields, scan.emphasis, scan.bookmarks,
                    [(f.instr, f.separated, f.start, f.scan is scan) for f in stack]))
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_walk_reads_what_it_read_in_real_documents(path):
    for _part, root in stories(read_package(path)):
        paragraphs = list(story_paragraphs(root))
        assert scans(paragraphs, _walk) == scans(paragraphs, walk_as_before)


MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
PIECES = [
    "<w:r><w:t>plain </w:t></w:r>", '<w:r><w:rPr><w:b/></w:rPr><w:t>bold</w:t><w:t xml:space="preserve"> too</w:t></w:r>',
    '<w:r><w:rPr><w:i/><w:u w:val="none"/><w:b w:val="0"/></w:rPr><w:t>not</w:t></w:r>',
    '<w:r><w:rPr><w:u/></w:rPr><w:tab/><w:t>under</w:t><w:noBreakHyphen/><w:br/></w:r>',
    '<w:r><w:noBreakHyphen/><w:rPr><w:b/></w:rPr><w:noBreakHyphen/></w:r>',
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>', '<w:r><w:instrText> REF _Ref1 \\h </w:instrText></w:r>',
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    '<w:fldSimple w:instr=" PAGE "><w:r><w:rPr><w:b/></w:rPr><w:t>7</w:t></w:r></w:fldSimple>',
    '<w:r><w:rPr><w:b/></w:rPr><w:fldSimple w:instr="SEQ"><w:t>in a run</w:t></w:fldSimple></w:r>',
    '<w:del><w:r><w:delText>gone</w:delText></w:r></w:del>', '<w:bookmarkStart w:id="1" w:name="_Ref1"/>',
    '<w:ins><w:r><w:rPr><w:b/></w:rPr><w:t>new</w:t></w:r></w:ins>', '<w:t>loose</w:t>', "<!-- a comment -->",
    '<w:hyperlink><w:r><w:rPr><w:b/></w:rPr><w:t>link</w:t></w:r><w:t>bare</w:t></w:hyperlink>',
    '<w:r><w:rPr><w:b/></w:rPr><mc:AlternateContent><mc:Choice><w:t>choice</w:t><w:r><w:t>in</w:t></w:r>'
    '<w:t>after</w:t></mc:Choice><mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent></w:r>',
    '<w:r><w:rPr><w:u w:val="single"/></w:rPr><w:sym w:char="F0"/><w:t></w:t><w:t>tag</w:t></w:r>', "<?pi x?>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=8), min_size=1, max_size=4))
def test_the_walk_reads_what_it_read_in_any_paragraphs(paragraphs):
    root = etree.fromstring(f"<w:body {W} {MC}>" + "".join(f"<w:p>{''.join(ps)}</w:p>" for ps in paragraphs)
                            + "</w:body>")
    elements = list(root)
    assert scans(elements, _walk) == scans(elements, walk_as_before)
