"""The defined-term rules' scans done a cheaper way find what they found before: the package's text joined and
lower-cased once a check and cut per document, the incorporation test reading those cuts. Each test keeps
the scan as it was as its reference, and runs on the fixtures, on the corpus beside the repository when
present, and on generated text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.check.rules.defs import (_INCORPORATES, _INCORPORATES_WORDS, _incorporates_terms, _Lowered, _variant_body,
                                        _Variants, _word_runs, term_forms)
from assembler.docmodel.model import Paragraph
from assembler.docmodel.parse import load_documents

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"   # beside the repository, if there
DOCUMENTS = (sorted(FIXTURES.glob("seed-*.docx")) + sorted((FIXTURES / "word-saved").glob("*.docx"))
             + sorted(CORPUS.glob("*/*.docx")))
# packages of several documents: the fixtures together, and the corpus's folders each as one package
PACKAGES = [DOCUMENTS[:3]] + [sorted(folder.glob("*.docx")) for folder in sorted(CORPUS.glob("*")) if folder.is_dir()]

TEXTS = st.lists(st.lists(st.sampled_from(["Σ", "ΑΣ", "σ", "İ", "ı", "ſ", "ß", "ﬁ", "Common", "Stock", "amendment",
                                           "Incorporates", "standard", "\n", " ", "x", "é", "Standard Terms", ". ",
                                           "This Amendment amends the", "posted at", "Capitalized terms not defined ",
                                           "have the meanings given"]),
                          max_size=8).map("".join), max_size=6)


def package_paragraphs(paths: list[Path]) -> list[list[Paragraph]]:
    return [doc.paragraphs for doc in load_documents(paths).documents]


def incorporates_as_before(paragraphs: list[Paragraph]) -> bool:
    """The incorporation test as it was: a paragraph holding one of the words and matching the pattern."""
    return any(any(w in p.text.lower() for w in _INCORPORATES_WORDS) and bool(_INCORPORATES.search(p.text))
               for p in paragraphs)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=6))
def test_a_cut_of_the_joined_texts_is_those_texts_joined(texts, first, count):
    first, count = min(first, len(texts)), min(count, len(texts) - min(first, len(texts)))
    part, fresh = _Lowered(texts).part(first, count), _Lowered(texts[first:first + count])
    assert (part.texts, part.text, part.lower, part.starts) == (fresh.texts, fresh.text, fresh.lower, fresh.starts)
    assert fresh.lower == "\x00".join(t.lower() for t in fresh.texts)


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_each_documents_cut_is_its_texts_joined_and_incorporates_as_before(paths):
    documents = package_paragraphs(paths)
    joined, first = _Lowered([p.text for paragraphs in documents for p in paragraphs]), 0
    for paragraphs in documents:
        part = joined.part(first, len(paragraphs))
        assert part.lower == _Lowered([p.text for p in paragraphs]).lower
        assert _incorporates_terms(paragraphs, part) == incorporates_as_before(paragraphs)
        first += len(paragraphs)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_paragraphs_incorporate_terms_as_before_from_a_joined_text(texts):
    paragraphs = [Paragraph("a.docx", "body", i, t) for i, t in enumerate(texts)]
    joined = _Lowered(["Common Stock"] + texts + ["x"])
    assert _incorporates_terms(paragraphs, joined.part(1, len(texts))) == incorporates_as_before(paragraphs)
    assert _incorporates_terms(paragraphs) == incorporates_as_before(paragraphs)


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_variants_in_the_package_text_are_those_found_text_by_text(paths):
    texts = [p.text for paragraphs in package_paragraphs(paths) for p in paragraphs]
    terms = sorted({"Common Stock", "Certificate of Designations", "Limited Partner", "Standard Terms",
                    "Confidential Information", "Effective Date"}, key=lambda t: (-len(t), t))
    variants = _Variants(terms)
    expected = [(i, m.start(), m.group(0)) for i, text in enumerate(texts) for m in variants.finditer(text)]
    assert [(i, m.start(), m.group(0)) for i, m in variants.find_all(texts, _Lowered(texts))] == expected


def word_runs_as_before(terms, most: int) -> set[str]:
    """_word_runs as it was: every run worked out again for every term."""
    out: set[str] = set()
    for term in terms:
        if " " not in term:
            continue
        words = term.split(" ")
        for i in range(len(words) - 1):
            for j in range(i + 2, min(len(words), i + most) + 1):
                out.add(" ".join(words[i:j]))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Net", "Income", "", "of", "A", "\u00a0", "Amount"]), max_size=7).map(" ".join),
                max_size=6), st.integers(min_value=1, max_value=5))
def test_word_runs_are_the_runs_worked_out_again(terms, most):
    assert _word_runs(terms, most) == word_runs_as_before(terms, most)
    assert _word_runs(terms, most) == word_runs_as_before(terms, most)       # the second time from the cache


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_known_word_runs_of_real_documents_are_the_runs_worked_out_again(paths):
    terms = {form for doc in load_documents(paths).documents for d in doc.definitions for form in term_forms(d.term)}
    assert _word_runs(terms, 4) == word_runs_as_before(terms, 4)


VARIANT_TERMS = ["Common Stock", "Certificate of Designations", "Limited Partner", "Limited Partners",
                 "Non-Voting Stock", "U.S. Securities Act", "A Shares", "Fund Expenses", "Series J Preferred Stock"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VARIANT_TERMS), min_size=1, max_size=5, unique=True),
       st.lists(st.sampled_from(["Common", "stock", "Stocks", "certificate", "of", "Designation", "limited",
                                 "partners", "Non-voting", "u.s.", "securities", "acts", "a", "shares", "Fund",
                                 "expenses", "Series", "j", "Preferred", "(", "é", "1"]), max_size=20).map(" ".join))
def test_variants_of_any_terms_are_the_alternations_matches_each_time(terms, text):
    terms = sorted(terms, key=lambda t: (-len(t), t))
    reference = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms)
                           + r")(?![A-Za-z0-9])", re.IGNORECASE)
    expected = [(m.start(), m.group(0)) for m in reference.finditer(text)]
    for _ in range(2):     # the second time from the caches of patterns
        assert [(m.start(), m.group(0)) for m in _Variants(terms).finditer(text)] == expected
