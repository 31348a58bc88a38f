"""Rules that look for their matches a cheaper way than before find the same matches: defs.variant without
one large alternation (each first word looked for in all the text at once), figures and proofing looking
back from a match instead of searching the paragraph from its start, defs.unused looking for each term's
forms in the whole text instead of every first word in each paragraph, defs.undefined with patterns that
skip ahead to a capital, patterns with look-aheads, possessive quantifiers or a narrower search that
find what the patterns as they were found; and the tests that let a rule leave a paragraph unsearched pass
every paragraph where its patterns match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.check.casefold import may_hold
from assembler.check.rules.defs import (_DEFINITIONS_OF, _INCORPORATES, _INCORPORATES_WORDS, PHRASE, RUN,
                                        _incorporates,
                                        _incorporates_terms, _span, _used_terms, _variant_body, _Variants,
                                        term_forms)
from assembler.check.rules.enumerations import _GLUED, RANGE, may_hold_range
from assembler.check.rules.figures import (_WORD, AGGREGATE_SHARES, AGGREGATE_SUM, FIGURE_FIRST, PAIR, PER_CLOSING,
                                           SCHEDULE_ITEM, _digit_before, _words_before_a_figure)
from assembler.check.rules.leftovers import PLACEHOLDER, TAG, may_hold_placeholder, may_hold_tag
from assembler.check.rules.parties import _HINT, _HINTS
from assembler.check.rules.proofing import FORM_LABEL, REPEATED, _form_label_before
from assembler.check.rules.series import DESIGNATES, MENTION
from assembler.check.rules.terms import _FIELD_MARKS, _MARK_OPENERS, ROLE, ROLE_WORDS
from assembler.check.rules.termsheet import _SAME_LENGTH, _norm
from assembler.docmodel.model import Definition, Paragraph
from assembler.docmodel.parse import load_documents

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"   # beside the repository, if there
DOCUMENTS = (sorted(FIXTURES.glob("seed-*.docx")) + sorted((FIXTURES / "word-saved").glob("*.docx"))
             + sorted(CORPUS.glob("*/*.docx")))

TERMS = sorted({"Certificate of Designations", "Common Stock", "Preferred Shares", "Non-Voting Stock",
                "U.S. Securities Act", "Limited Partner", "Limited Partnership Agreement", "A Shares",
                "Fund Expenses", "Series J Preferred Stock", "Kelvin Units"}, key=lambda t: (-len(t), t))
TEXTS = [
    "The certificate of Designation and the COMMON stock; Common Stocks of the Preferred Share.",
    "Each limited partners' Limited Partnership Agreements; non-voting stocks and Non-Voting Stock.",
    "éCommon stock, xCommon stock, (Common stock), “Common stock”, 1Common stock, _Common stock",
    "a shares of A Share; u.s. securities acts; Series\u00a0J preferred stocks",
    "\u212aelvin units and ſeries j preferred stock and İ or ı next to Common stock",   # odd case folds
    "fund\texpenses\nFund  Expenses",
    "",
]


def alternation(terms: list[str]) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms)
                      + r")(?![A-Za-z0-9])", re.IGNORECASE)


def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in matches]


def test_variants_match_the_alternation():
    variants, reference = _Variants(TERMS), alternation(TERMS)
    for text in TEXTS:
        assert spans(variants.finditer(text)) == spans(reference.finditer(text)), text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Common", "common", "Stock", "stocks", "of", "Certificate", "Designations",
                                 "designation", "Limited", "Partner", "partners", "Non-Voting", "U.S.", "A",
                                 "Shares", "é", "(", "“", ",", "\u212a", "ſ", "x", "1", "-", "Fund", "Expenses"]),
                max_size=30),
       st.lists(st.sampled_from([" ", "  ", "\t", "", "\u00a0"]), max_size=30))
def test_variants_match_the_alternation_on_any_text(words, gaps):
    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    assert spans(_Variants(TERMS).finditer(text)) == spans(alternation(TERMS).finditer(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Common", "common", "Stock", "stocks", "of", "Certificate", "Designations",
                                          "Limited", "Partner", "partners", "Non-Voting", "U.S.", "A", "Shares", "é",
                                          "(", "\u212a", "ſ", "İ", "x", "1", "-", "Fund", "Expenses", "\x00"]),
                         max_size=12).map(" ".join), max_size=6))
def test_variants_in_many_texts_are_each_texts_alternation_matches(texts):
    reference = alternation(TERMS)
    expected = [(i, m.start(), m.end(), m.group(0)) for i, text in enumerate(texts) for m in reference.finditer(text)]
    assert [(i, m.start(), m.end(), m.group(0)) for i, m in _Variants(TERMS).find_all(texts)] == expected


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_variants_are_the_alternations_matches_in_real_documents(path):
    package = load_documents([path])
    texts = [p.text for doc in package.documents for p in doc.paragraphs]
    terms = sorted({" ".join(d.term.split()) for doc in package.documents for d in doc.definitions
                    if len(d.term.split()) >= 2} | set(TERMS), key=lambda t: (-len(t), t))
    reference = alternation(terms)
    expected = [(i, m.start(), m.group(0)) for i, text in enumerate(texts) for m in reference.finditer(text)]
    assert [(i, m.start(), m.group(0)) for i, m in _Variants(terms).find_all(texts)] == expected


def pieces(*words: str, size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(words)), max_size=size).map("".join)


AROUND = pieces(*"1 .,\t\n\u00a0\u0663²aB:_", "By", "Its", "Name", "Title", size=60)


@settings(max_examples=300, deadline=None)
@given(AROUND, st.integers(min_value=0, max_value=60))
def test_a_digit_before_is_what_the_pattern_finds(text, at):
    at = min(at, len(text))
    assert _digit_before(text, at) == bool(re.search(r"\d[.,]?\s*$", text[:at]))


@settings(max_examples=300, deadline=None)
@given(pieces(*" \t\n\u00a0:_.(", "By", "Its", "Per", "Name", "Date", "x" * 20, "A very long label of words",
              size=40),
       st.integers(min_value=0, max_value=2000))
def test_a_form_label_before_is_what_the_pattern_finds(text, at):
    at = min(at, len(text))
    assert _form_label_before(text, at) == bool(FORM_LABEL.search(text[:at]))


def used_terms_by_one_pass(terms, paragraphs) -> set[str]:
    """defs.unused's scan as it was: one pass of every first word over each paragraph (the reference)."""
    by_first = {}
    for term in terms:
        for form in term_forms(term):
            by_first.setdefault(form.split(" ")[0], []).append((form, term))
    if not by_first:
        return set()
    # every place where a first word stands (overlapping ones too), the longest one there
    starts = re.compile(r"(?<![A-Za-z0-9])(?=(" + "|".join(sorted(map(re.escape, by_first), key=len, reverse=True))
                        + r")(?![A-Za-z0-9]))")
    used = set()
    for p in paragraphs:
        text = p.text
        for at, first in ((m.start(), m.group(1)) for m in starts.finditer(text)):
            for form, term in by_first[first]:
                end = at + len(form)
                if term in used or not text.startswith(form, at) or (end < len(text) and text[end].isalnum()):
                    continue
                own = [_span(d) for d in terms[term] if d.paragraph is p]
                if not any(at < e + 1 and s - 1 < end for s, e in own):
                    used.add(term)
    return used


def definitions_by_term(package) -> dict:
    out = {}
    for doc in package.documents:
        for d in doc.definitions:
            if d.term.strip():
                out.setdefault(d.term, []).append(d)
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_used_terms_are_the_one_pass_scans_on_real_documents(path):
    package = load_documents([path])
    terms = definitions_by_term(package)
    paragraphs = [p for doc in package.documents for p in doc.paragraphs]
    assert _used_terms(terms, paragraphs) == used_terms_by_one_pass(terms, paragraphs)


USED_TERMS = ["Non", "Non-Voting Stock", "Holder", "U.S.", "U.S", "Lien", "Partner", "Limited Partner", "A",
              "Fund Expenses", "Common Stock", "Stock"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Non", "Non-Voting", "Stock", "Stocks", "Holder", "Holders", "xHolder",
                                 "Holderé", "U.S.", "U.S", "Liens", "Lien", "Partner", "Limited", "A", "Ab",
                                 "Fund", "Expenses", "Expense", "Common", "é", "-", "(", "\n", "1"]),
                max_size=25),
       st.lists(st.sampled_from([" ", "", "  ", "\t"]), max_size=25),
       st.lists(st.integers(min_value=0, max_value=len(USED_TERMS) - 1), min_size=1, max_size=6),
       st.integers(min_value=0, max_value=3))
def test_used_terms_are_the_one_pass_scans_on_any_text(words, gaps, chosen, defined_in):
    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    paragraphs = [Paragraph("a.docx", "body", i, line) for i, line in enumerate(text.split("\n"))]
    paragraphs.append(Paragraph("a.docx", "body", len(paragraphs), ""))
    terms = {}
    for n in chosen:
        term = USED_TERMS[n]
        home = paragraphs[defined_in % len(paragraphs)]
        at = home.text.find(term)
        terms.setdefault(term, []).append(Definition(term, "inline", "", home, start=max(at, 0),
                                                     end=max(at, 0) + len(term) if at >= 0 else 0))
    assert _used_terms(terms, paragraphs) == used_terms_by_one_pass(terms, paragraphs)


CAPITALS = pieces("Alpha", "Beta", "Buyer", "Buyers", "Holder", "Mc", "Donald", "Non", "-", "Voting", "é", "x", "1", " ",
                  " ", "\u00a0", ".", "’", "'", "(", "Placement", "Agent", "A", "Issuer", size=40)


@settings(max_examples=300, deadline=None)
@given(CAPITALS)
def test_phrases_are_the_runs_of_two_words_or_more(text):
    expected = [(m.start(), m.group(0)) for m in RUN.finditer(text) if len(m.group(0).split()) >= 2]
    assert [(m.start(), m.group(0)) for m in PHRASE.finditer(text)] == expected


@settings(max_examples=300, deadline=None)
@given(CAPITALS)
def test_roles_are_the_capitalised_words_that_are_roles(text):
    words = re.compile(r"(?<![\w’'\-.])([A-Z][a-z]+)(?![\w\-])")     # every capitalised word, as before
    expected = [(m.start(), m.group(1)) for m in words.finditer(text) if m.group(1) in ROLE_WORDS]
    assert [(m.start(), m.group(1)) for m in ROLE.finditer(text)] == expected


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_phrases_and_roles_are_the_old_scans_on_real_documents(path):
    words = re.compile(r"(?<![\w’'\-.])([A-Z][a-z]+)(?![\w\-])")
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            runs = [(m.start(), m.group(0)) for m in RUN.finditer(p.text) if len(m.group(0).split()) >= 2]
            assert [(m.start(), m.group(0)) for m in PHRASE.finditer(p.text)] == runs
            roles = [(m.start(), m.group(1)) for m in words.finditer(p.text) if m.group(1) in ROLE_WORDS]
            assert [(m.start(), m.group(1)) for m in ROLE.finditer(p.text)] == roles


NUMBERS = pieces("one", "Twenty", "-", "five", " ", "  ", "\t", ",", "and", "Dollars", "Cents", "percent", "per cent",
                 "x", "_", "é", "ſix", "İ", "(", ")", "($", "(1", "1", "0,000", "%", ".5", "hundredths", "$", "12",
                 "ſeven", "SEVEN", "thousand", "$", "§", size=40)


@settings(max_examples=500, deadline=None)
@given(NUMBERS)
def test_a_pair_has_its_words_before_its_figure(text):
    if PAIR.search(text):
        assert _words_before_a_figure(text)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_figures_tests_pass_every_paragraph_their_patterns_match(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            if PAIR.search(p.text):
                assert _words_before_a_figure(p.text)
            if AGGREGATE_SUM.search(p.text) or AGGREGATE_SHARES.search(p.text):
                assert may_hold(p.text, "aggregate")
            if PER_CLOSING.search(p.text) or SCHEDULE_ITEM.search(p.text):
                assert may_hold(p.text, "payment")
            if MENTION.search(p.text) or DESIGNATES.search(p.text):
                assert may_hold(p.text, "series")
            if TAG.search(p.text):
                assert may_hold_tag(p.text)
            if PLACEHOLDER.search(p.text):
                assert may_hold_placeholder(p.text)
            if RANGE.search(p.text):
                assert may_hold_range(p.text)


@settings(max_examples=300, deadline=None)
@given(pieces("Series", "SERIES", "ſeries", "serİes", " ", "G", "a", "Preferred", "\"", "designated as", "[", "]",
              "TBD", "TBA", "x", "_", "●", "{", "}", "%", "#", "\ue000", "\ue001", "$", size=25))
def test_the_leftovers_and_series_tests_pass_every_text_their_patterns_match(text):
    if MENTION.search(text) or DESIGNATES.search(text):
        assert may_hold(text, "series")
    if TAG.search(text):
        assert may_hold_tag(text)
    if PLACEHOLDER.search(text):
        assert may_hold_placeholder(text)


@settings(max_examples=300, deadline=None)
@given(pieces("clauses", "Clause", "Items", "item", "paragraphs", "Sub-paragraphs", "subclause", "Subsection", " ",
              "(a)", "(b)", "(iv)", "(12)", "(C)", "through", "to", "-", "–", "x", size=20))
def test_the_range_test_passes_every_text_the_pattern_matches(text):
    if RANGE.search(text):
        assert may_hold_range(text)


@settings(max_examples=500, deadline=None)
@given(pieces("a", "A", "g", "G", "r", "e", "t", "i", "İ", "ı", "s", "S", "ſ", "\u212a", "k", "é", "ß", " ", size=20),
       st.sampled_from(["aggregate", "payment", "is", "kit", "sis", "gig"]))
def test_may_hold_is_true_wherever_a_case_insensitive_pattern_matches(text, word):
    if re.search(word, text, re.IGNORECASE):
        assert may_hold(text, word)


@settings(max_examples=300, deadline=None)
@given(pieces("“", "”", "‘", "’", "\u00a0", "\u2011", "\u2013", "\t", "\n", '"', "'", " ", "-", "a", "Inc.", "LLC", "Co",
              ".", "Limited", "LTD", "é", size=30))
def test_the_termsheet_normal_text_and_the_party_hints_are_what_they_were(text):
    assert _norm(text) == text.translate(str.maketrans(_SAME_LENGTH))
    assert bool(_HINT.search(text)) == any(h in text for h in _HINTS)


@settings(max_examples=300, deadline=None)
@given(pieces("a", ")", ".", "’", "]", " ", "\n", "(", "4", "_", "é", size=8))
def test_a_glued_label_is_found_in_the_last_two_characters(before):
    assert bool(_GLUED.search(before, max(0, len(before) - 2))) == bool(_GLUED.search(before))



@settings(max_examples=500, deadline=None)
@given(pieces("the", "th", "e", "a", " ", "  ", "\u00a0", "\t", "’", "'", "-", "x", "é", "1", "_", "(", size=30))
def test_repeated_words_are_what_the_backtracking_pattern_found(text):
    backtracking = re.compile(r"(?<![\w’'-])([a-z]+)[ \u00a0]+\1(?![\w’'-])")
    assert spans(REPEATED.finditer(text)) == spans(backtracking.finditer(text))



@settings(max_examples=500, deadline=None)
@given(pieces("This ", "Amendment ", "amends ", "modifies ", "hereby ", "the ", "that certain ", "Standard Terms ",
              "posted ", "available ", "at ", "incorporates ", "Capitalized terms not defined ", "have the meanings given",
              "ſ", "İ", "ı", "Order Form ", "NDA", "Agreement", ". ", "x", size=20))
def test_a_paragraph_incorporates_terms_as_before(text):
    assert _incorporates(text, text.lower()) == bool(_INCORPORATES.search(text))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_paragraphs_incorporate_terms_as_before_in_real_documents(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            assert _incorporates(p.text, p.text.lower()) == bool(_INCORPORATES.search(p.text))


@settings(max_examples=500, deadline=None)
@given(NUMBERS)
def test_pairs_are_what_the_patterns_without_look_aheads_found(text):
    pair = re.compile(PAIR.pattern.replace(rf"(?=[befhmnostz])(?={_WORD}[\s,-])", "", 1), re.IGNORECASE)
    figure_first = re.compile(FIGURE_FIRST.pattern.replace("(?=[$\\d])", "", 1), re.IGNORECASE)
    assert pair.pattern != PAIR.pattern and figure_first.pattern != FIGURE_FIRST.pattern
    assert spans(PAIR.finditer(text)) == spans(pair.finditer(text))
    assert spans(FIGURE_FIRST.finditer(text)) == spans(figure_first.finditer(text))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_a_document_takes_its_terms_from_another_instrument_as_before(path):
    for doc in load_documents([path]).documents:
        before = any(any(w in p.text.lower() for w in _INCORPORATES_WORDS) and _INCORPORATES.search(p.text)
                     for p in doc.paragraphs)
        assert _incorporates_terms(doc.paragraphs) == before
        for p in doc.paragraphs:      # each paragraph alone, too
            assert _incorporates_terms([p]) == (any(w in p.text.lower() for w in _INCORPORATES_WORDS)
                                                and bool(_INCORPORATES.search(p.text)))


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces("This ", "Amendment ", "amends ", "the ", "Standard Terms ", "posted ", "at ", "incorporates ",
                       "Capitalized terms not defined ", "have the meanings given", "ſ", "İ", "NDA", ". ", "x",
                       size=12), max_size=4))
def test_paragraphs_take_their_terms_from_another_instrument_as_before(texts):
    paragraphs = [Paragraph("a.docx", "body", i, t) for i, t in enumerate(texts)]
    before = any(any(w in t.lower() for w in _INCORPORATES_WORDS) and _INCORPORATES.search(t) for t in texts)
    assert _incorporates_terms(paragraphs) == before


@settings(max_examples=300, deadline=None)
@given(pieces("{", "}", "x", "*", "[", "]", "(", ")", "_", " ", "✓", "X", "a", "definition", "definitions of", size=20))
def test_the_cover_label_and_quoted_name_tests_pass_every_text_the_patterns_match(text):
    if _FIELD_MARKS.search(text):
        assert any(c in text for c in _MARK_OPENERS)
    if _DEFINITIONS_OF.search(text):
        assert "definition" in text
