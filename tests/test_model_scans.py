"""The document model's reader looks for references and definitions a cheaper way than before and finds the
same: references tried only where one may start, "The "X" is" definitions only in text that holds "The"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.docmodel.labels import stories
from assembler.docmodel.ooxml import W_NS, first_child, qn, read_package, story_paragraphs
from assembler.docmodel.parse import _ALNUM, _REF_RE, _THE_TERM_IS, _ref_matches, _Scan, _walk

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
