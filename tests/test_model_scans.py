"""The document model's reader looks for references and definitions a cheaper way than before and finds the
same: references tried only where one may start, "The "X" is" definitions only in text that holds "The"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.docmodel.labels import stories
from assembler.docmodel.ooxml import read_package, story_paragraphs
from assembler.docmodel.parse import _REF_RE, _THE_TERM_IS, _ref_matches, _Scan, _walk

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
