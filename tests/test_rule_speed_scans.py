"""Rule scans made cheaper find what they found before: defs.variant takes a variant's term from the pattern that
found it instead of matching every term again and writes a word's forms after the beginning they share;
defs.undefined's PHRASE never gives back what a repetition took; the package's lower case and may_hold's are
made from the lower cases kept for recent texts; figures.words reads a pair's words back from its figure by a
pattern where they are ASCII; leftovers.repeated finds two same runs of letters by a pattern; and cheap tests
are written out instead of going through a generator. Each is compared with the scan as it was (kept here as
the reference) on the fixtures, on the shared corpus when it is there, and on generated text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_text_rule_scans import DOCUMENTS, pieces

from assembler.check.casefold import ODD_CASE, may_hold
from assembler.check.rule import Config, Context
from assembler.check.rules import defs, figures, proofing
from assembler.check.rules import terms
from assembler.check.rules.terms import TITLE_WORD
from assembler.docmodel.parse import load_documents
from assembler.memo import forget


# ---------------------------------------------------------------------------------------------
# defs.undefined: PHRASE with possessive repetitions

PHRASE_AS_BEFORE = re.compile(rf"[A-Z](?<![\w.’'-][A-Z])[a-z]+(?:-[A-Z][a-z]+)*(?:[ \u00a0](?:{TITLE_WORD}))+"
                              rf"(?![\w-])(?![ \u00a0][A-Z][a-z])")


def phrases(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_phrases_in_real_documents_are_those_found_before(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            assert phrases(defs.PHRASE, p.text) == phrases(PHRASE_AS_BEFORE, p.text), p.text


@settings(max_examples=1500, deadline=None)
@given(pieces("Net", "Income", "Amount", "A", "B", "of", "the", "x", "-", "-Bar", "-baz", " ", "\u00a0", "  ", "\t",
              "’", "'", ".", "_", "1", "é", "É", "Ab", "aB", "(", "\n", "ABC", "İ", "ſ", "\u212a", size=24))
def test_phrases_in_any_text_are_those_found_before(text):
    assert phrases(defs.PHRASE, text) == phrases(PHRASE_AS_BEFORE, text)
    for at in range(len(text) + 1):      # matched from every place, as a search from there would start
        new, old = defs.PHRASE.match(text, at), PHRASE_AS_BEFORE.match(text, at)
        assert (new and new.span()) == (old and old.span()), (text, at)


# ---------------------------------------------------------------------------------------------
# defs.variant: a variant's term

def term_as_before(terms: list[str], found: str) -> str:
    """The term of a variant as it was looked up: the first term, in order, whose variants match it whole."""
    return next(t for t in terms if re.fullmatch(defs._variant_body(t), found, re.IGNORECASE))


def variants_terms(terms: list[str], texts: list[str]) -> list[tuple[int, int, str, str]]:
    """(text, start, variant, its term as the variant came with it) of every variant, and the same with the term
    looked up as before."""
    out = []
    for i, m in defs._Variants(terms).find_all(texts):
        term = m.term if isinstance(m, defs._Found) else term_as_before(terms, m.group(0))
        assert term == term_as_before(terms, m.group(0)), (texts[i], m.group(0))
        out.append((i, m.start(), m.group(0), term))
    return out


def in_order(terms) -> list[str]:
    """Terms in defs.variant's order: the longest first."""
    return sorted(terms, key=lambda t: (-len(t), t))


def multi_word_terms(ctx: Context) -> set[str]:
    """The terms defs.variant looks for variants of."""
    return {" ".join(d.term.split()) for d in defs._definitions(ctx)
            if len(d.term.split()) >= 2 and d.term != d.term.upper()}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_term_of_each_variant_in_real_documents_is_the_one_looked_up_before(path):
    ctx = Context(load_documents([path]), None, Config())
    texts = [p.text for p in ctx.paragraphs()]
    terms = in_order(multi_word_terms(ctx) | set(TERMS))
    forget()
    first = variants_terms(terms, texts)
    assert variants_terms(terms, texts) == first          # the second time from the memos


TERMS = ["Common Stock", "Certificate of Designations", "Limited Partner", "Limited Partners", "Limited Partnership",
         "Non-Voting Stock", "U.S. Securities Act", "A Shares", "A Share Class", "Fund Expenses", "Fund Expense Cap",
         "Series J Preferred Stock", "Series J Preferred", "Kelvin Units", "Holder Notice", "Holders Notice"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TERMS), min_size=1, max_size=8, unique=True),
       st.lists(pieces("Common", "STOCK", "stocks", "Certificate", " of ", "designations", "Limited", " ", "\t",
                       "\u00a0", "Partners", "partnership", "\u212aelvin", "units", "ſeries", "İ", "é", "1", "-",
                       "U.S.", "securities", "Act", "A", "shares", "class", "Fund", "expense", "cap", "Series", "J",
                       "preferred", "holder", "holders", "notice", "(", ",", "'", size=16), max_size=4))
def test_the_term_of_each_variant_in_any_text_is_the_one_looked_up_before(terms, texts):
    variants_terms(in_order(terms), texts)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_rule_names_the_term_looked_up_before(path):
    ctx = Context(load_documents([path]), None, Config())
    terms = in_order(multi_word_terms(ctx))
    for finding in defs.find_variants(ctx):
        assert f"defined term “{term_as_before(terms, finding.snippet)}”" in finding.message


# ---------------------------------------------------------------------------------------------
# lower cases joined from the lower cases kept for recent texts

CASED = st.lists(pieces("Σ", "ΑΣ", "σ", "ς", "İ", "ı", "ſ", "ß", "ﬁ", "ǅ", "\u0345", "'", ".", "Common", "STOCK", " ",
                        "\n", "\x00", "é", "x", "1", size=10), max_size=6)


@settings(max_examples=500, deadline=None)
@given(CASED)
def test_the_joined_lower_case_is_the_lower_case_of_the_joined_texts(texts):
    forget()
    for _ in range(2):                  # the second time from the memo
        joined = defs._Lowered(texts)
        assert joined.lower == joined.text.lower()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_joined_lower_case_of_real_documents_is_the_lower_case_of_the_joined_texts(path):
    joined = defs._Lowered([p.text for doc in load_documents([path]).documents for p in doc.paragraphs])
    assert joined.lower == joined.text.lower()


def may_hold_as_before(text: str, *words: str) -> bool:
    """casefold.may_hold as it was: the text lower-cased each time."""
    if any(c in text for c in ODD_CASE):
        return True
    lower = text.lower()
    return any(w in lower for w in words)


@settings(max_examples=300, deadline=None)
@given(CASED, st.lists(st.sampled_from(["common", "stock", "σ", "i", "s", "ss", "fi", "x1"]), max_size=3))
def test_may_hold_is_as_before(texts, words):
    for text in texts:
        assert may_hold(text, *words) == may_hold_as_before(text, *words)
        assert may_hold(text, *words) == may_hold_as_before(text, *words)      # the lower case kept


# ---------------------------------------------------------------------------------------------
# figures.words: a pair's words read back from its figure

def words_start_as_before(text: str, end: int, first: int) -> int:
    """Where a pair's words begin, as it was found: one character after another, back from *end*."""
    start = end
    while start > first and figures._in_words(text[start - 1]):
        start -= 1
    return start


def pair_matches_as_before(text: str) -> list[tuple[int, int, str]]:
    """figures._pair_matches as it was (its words read back one character after another)."""
    out, searched = [], 0
    for paren in figures._figures_after_words(text):
        start = words_start_as_before(text, paren, searched)
        close = text.find(")", paren)
        end = len(text) if close < 0 else close + 1
        for m in figures.PAIR.finditer(text, start, end):
            if m.start() >= searched:
                searched = m.end()
                out.append((m.start(), m.end(), m.group(0)))
    return out


def test_the_ascii_characters_of_a_pairs_words_are_those_in_words_takes():
    for code in range(128):
        ch = chr(code)
        assert bool(figures._ASCII_IN_WORDS.fullmatch(ch)) == figures._in_words(ch), repr(ch)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_pairs_in_real_documents_are_those_found_before(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            assert [(m.start(), m.end(), m.group(0)) for m in figures._pair_matches(p.text)] == \
                pair_matches_as_before(p.text)


@settings(max_examples=1000, deadline=None)
@given(pieces("one", "Hundred", " ", "\u00a0", "\x1c", "\t", ",", "-", "é", "ſ", "\u212a", "²", "½", "_", "1", ".",
              ";", "(", ")", "(5)", "(1,000)", "Dollars", "percent", "twelve", "and", "x", size=24),
       st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_words_start_and_pairs_are_as_before(text, end, first):
    end = min(end, len(text))
    assert figures._words_start(text, end, first) == words_start_as_before(text, end, first)
    assert [(m.start(), m.end(), m.group(0)) for m in figures._pair_matches(text)] == pair_matches_as_before(text)


@pytest.mark.parametrize("run", [0, 1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 5000])
@pytest.mark.parametrize("before", ["", "x1", "é;", ";" * 300])
def test_words_start_of_long_words_is_as_before(run, before):
    """Words longer than the first windows _words_start reads (letters, accented ones, spaces, at the window's
    edges), at a text's start and after other characters."""
    words = ("twelve hundré ſeven, " * (run // 20 + 1))[:run]
    text = before + words + " (12)"
    end = len(text) - 5
    for first in (0, len(before), len(before) + run // 2, end):
        assert figures._words_start(text, end, first) == words_start_as_before(text, end, first)


def test_may_hold_knows_every_odd_case_character():
    for c in ODD_CASE:
        assert may_hold(f"a {c} b", "zzz") and may_hold_as_before(f"a {c} b", "zzz")
    assert not may_hold("a b", "zzz")


# ---------------------------------------------------------------------------------------------
# defs.variant: a word's forms written after the beginning they share

def variant_body_as_before(term: str, lower: bool = False) -> str:
    """defs._variant_body as it was: each form of a word written whole."""
    def escaped(form: str) -> str:
        return re.escape(form.lower() if lower else form)
    return r"\s+".join(escaped(forms[0]) if len(forms) == 1 else "(?:" + "|".join(map(escaped, forms)) + ")"
                       for forms in defs._variant_parts(term))


def same_matches_everywhere(new: re.Pattern, old: re.Pattern, text: str) -> None:
    for at in range(len(text) + 1):
        found, expected = new.match(text, at), old.match(text, at)
        assert (found and found.span()) == (expected and expected.span()), (new.pattern, text, at)


BODY_TEXT = pieces("Certificate", "certificates", " of ", "Designation", "designations", "ses", "Shar", "e", "s", "es",
                   "A", " ", "\t", "\u00a0", "Partner", "PARTNERS", "Limited", "ies", "y", "Compan", "\u212a", "ß", "İ",
                   "ſ", "1", "-", size=14)
BODY_TERMS = ["Certificate of Designations", "A Shares", "Limited Partners", "Company Party", "Non-Voting Stock",
              "Kelvin Unit", "Series J Preferred Stock", "Majority (or other) in Interest", "U.S. Securities Act",
              "Straße Holdings", "İstanbul Holders", "Holder of Record"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(BODY_TERMS), BODY_TEXT)
def test_a_terms_variant_body_matches_as_before(term, text):
    for flags, lower in ((re.IGNORECASE, False), (0, True)):
        same_matches_everywhere(re.compile(defs._variant_body(term, lower) + r"(?![A-Za-z0-9])", flags),
                                re.compile(variant_body_as_before(term, lower) + r"(?![A-Za-z0-9])", flags),
                                text.lower() if lower else text)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_variant_bodies_of_real_terms_match_as_before(path):
    ctx = Context(load_documents([path]), None, Config())
    terms = in_order(multi_word_terms(ctx))
    texts = [p.text for p in ctx.paragraphs()]
    for lower, flags in ((True, 0), (False, re.IGNORECASE)):
        new = re.compile("|".join(f"({defs._variant_body(t, lower)})" for t in terms) or "x^", flags)
        old = re.compile("|".join(f"({variant_body_as_before(t, lower)})" for t in terms) or "x^", flags)
        for text in texts + [" ".join(terms), " ".join(terms).upper(), " ".join(terms).lower()]:
            text = text.lower() if lower else text
            assert [(m.span(), m.lastindex) for m in new.finditer(text)] == \
                [(m.span(), m.lastindex) for m in old.finditer(text)]


# ---------------------------------------------------------------------------------------------
# leftovers.repeated: two same runs of letters found by a pattern

def may_repeat_as_before(lower: str) -> bool:
    """proofing.may_repeat as it was: the runs split apart and compared pair by pair."""
    runs = lower.encode("utf-8", "surrogatepass").translate(proofing._LETTERS_ONLY).split()
    return any(a == b for a, b in zip(runs, runs[1:]))


@settings(max_examples=1500, deadline=None)
@given(pieces("the", "th", "e", "a", " ", "  ", "\u00a0", "\t", "\n", ",", ".", "é", "ß", "1", "-", "’", "ab", "b",
              "\ud800", "x" * 30, size=16))
def test_may_repeat_is_as_before(text):
    lower = text.lower()
    assert proofing.may_repeat(lower) == may_repeat_as_before(lower)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_may_repeat_in_real_documents_is_as_before(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            lower = p.text.lower()
            assert proofing.may_repeat(lower) == may_repeat_as_before(lower), p.text


# ---------------------------------------------------------------------------------------------
# defs.undefined: the paragraphs searched for role nouns

@settings(max_examples=500, deadline=None)
@given(pieces("e", "r", "o", "n", "t", "d", "E", "R", "x", " ", "é", "Buyer", "Licensee", "Agent", "Holder", size=8))
def test_the_paragraphs_that_may_name_a_role_are_as_before(text):
    assert terms.may_name_a_role(text) == any(w in text for w in ("er", "or", "ee", "ent", "der"))


def paragraphs_as_before(ctx: Context):
    """Context.paragraphs as it was, a generator over the documents (the reference)."""
    for doc in ctx.package.documents:
        yield from doc.paragraphs


def test_a_checks_paragraphs_are_the_documents_paragraphs_in_order():
    """The paragraphs listed once a check are every document's, in order, by identity, each call a fresh
    iterator (two read side by side, one after another read), and each check lists its own package's."""
    # the repository's own documents (the shared corpus may be absent): the two seed fixtures together, the
    # Word-saved LPA alone, the first again
    packages = [load_documents(DOCUMENTS[:2]), load_documents(DOCUMENTS[2:3]), load_documents(DOCUMENTS[:1])]
    for package in packages:
        ctx = Context(package, None, Config())
        expected = [id(p) for p in paragraphs_as_before(ctx)]
        assert len(expected) > 50
        for _ in range(3):
            assert [id(p) for p in ctx.paragraphs()] == expected
            assert id(next(ctx.paragraphs())) == expected[0]     # an iterator, as the generator was
        together = list(zip(ctx.paragraphs(), ctx.paragraphs(), strict=True))
        assert [(id(a), id(b)) for a, b in together] == [(i, i) for i in expected]
        assert [id(p) for p in Context(package, None, Config()).paragraphs()] == expected
    assert Context(packages[0]).paragraphs() is not Context(packages[0]).paragraphs()
