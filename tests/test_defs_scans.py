"""The defined-term rules' scans done a cheaper way find what they found before: the package's text joined and
lower-cased once a check and cut per document, the incorporation test reading those cuts, a term's word
runs and variant patterns kept once a term, a paragraph's scans kept in bounded memos keyed by its text,
a definition's wording made normal only where another definition is compared with it. Each test keeps the
scan as it was as its reference, and runs on the fixtures, on the corpus beside the repository when
present, and on generated text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.check.rule import Config, Context, Finding
from assembler.check.rules.defs import (_DEFINITIONS_OF, _HEADING_SMALL, _HEADING_WORD, _INCORPORATES,
                                        _INCORPORATES_WORDS, _LOWER, _RUNS_ON, BRACKETS, PHRASE, QUOTES, RUN,
                                        RULES, _facts, _incorporates_terms, _Lowered, _normal, _phrases_in,
                                        _FORMS, _KNOWN, _PLACES, _VARIANTS_IN, VARIANT, _Found, _package_text, _sentence_start,
                                        _spaced_forms, _term_then_words, _variants_pattern,
                                        _variant_body,
                                        _Variants, _word_runs, term_forms)
from assembler.check.rules.terms import (_FIELD_MARKS, _LABEL, _LABEL_LINE, _MARK_OPENERS, _OPERATIVE, _SMALL,
                                         QUOTED, ROLE, cover_labels, masked_text, roles_in)
from assembler.docmodel.model import Paragraph
from assembler.docmodel.parse import load_documents
from assembler.memo import KEPT_LENGTH as KEPT_TEXT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"   # beside the repository, if there
DOCUMENTS = (sorted(FIXTURES.glob("seed-*.docx")) + sorted((FIXTURES / "word-saved").glob("*.docx"))
             + sorted(CORPUS.glob("*/*.docx")))
# packages of several documents: the fixtures together, and the corpus's folders each as one package
PACKAGES = [DOCUMENTS[:3]] + [sorted(folder.glob("*.docx")) for folder in sorted(CORPUS.glob("*")) if folder.is_dir()]

def pieces(*words: str, size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(words)), max_size=size).map("".join)


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
@given(st.lists(st.lists(st.sampled_from(["Net", "Income", "", "of", "A", "\u00a0", "Amount"]),
                         max_size=7).map(" ".join), max_size=6),
       st.integers(min_value=1, max_value=5))
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


# the scans of one paragraph as they were, worked out from the paragraph each time (the references)

def cover_labels_as_before(paragraphs) -> set[str]:
    out: set[str] = set()
    for p in paragraphs:
        if p.heading:
            out.add(p.heading.split("\t")[0].strip())
        marked = any(c in p.text for c in _MARK_OPENERS)
        cleaned = (_FIELD_MARKS.sub(" ", p.text) if marked else p.text).strip()
        if len(cleaned) <= 200:
            m = _LABEL_LINE.match(cleaned)
            if m and len(m.group(1).split()) >= 2:
                out.add(" ".join(m.group(1).split()))
        text = p.text.strip()
        if not text or p.number is not None:
            continue
        m = _LABEL.match(text)
        if m is None or (":" not in text and text != m.group("label")):
            continue
        label = m.group("label")
        if label.isupper():
            label = " ".join(w if w.lower() in _SMALL else w.capitalize() for w in label.split())
        out.update((label, label + "s", label[:-1] if label.endswith("s") else label))
    return out


def masked_as_before(p) -> str:
    text = p.text
    if '"' in text or "“" in text:
        text = QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    if p.heading and text.startswith(p.heading):
        text = " " * len(p.heading) + text[len(p.heading):]
    return text


def operative_as_before(p) -> bool:
    text = (p.text or "").strip()
    if p.heading and text.startswith(p.heading):
        text = text[len(p.heading):].lstrip(" .:\t\u00a0")
    return len(text.split()) >= 8 and bool(_OPERATIVE.search(text))


def heading_as_before(p) -> bool:
    text = p.text.strip()
    style = (p.style or "").lower()
    if any(s in style for s in ("title", "signature", "toc")) or "heading" in style and not operative_as_before(p):
        return True
    if not _LOWER.search(text):
        return True
    return len(text) < 120 and not _RUNS_ON.search(text) and \
        all(w[:1].isupper() or w.lower() in _HEADING_SMALL for w in _HEADING_WORD.findall(text))


def quoted_names_as_before(paragraphs) -> set[str]:
    out = set()
    for p in paragraphs:
        naming = "definition" in p.text
        for m in QUOTED.finditer(p.text):
            if naming and _DEFINITIONS_OF.search(p.text, max(0, m.start() - 200), m.start()):
                continue
            name = " ".join(m.group(0)[1:-1].split())
            if RUN.fullmatch(name):
                out.add(name)
    return out


def phrases_as_before(p) -> tuple:
    text = masked_as_before(p)
    if "[" in text:
        text = BRACKETS.sub(lambda m: " " * len(m.group(0)), text)
    return text, tuple((m.start(), m.end(), m.group(0)) for m in PHRASE.finditer(text))


def roles_as_before(p) -> tuple:
    return tuple((m.start(), m.end(), m.group(1)) for m in ROLE.finditer(masked_as_before(p)))


def same_scans(paragraphs) -> None:
    for p in paragraphs:
        introduced = cover_labels_as_before([p]) | quoted_names_as_before([p])
        heading, facts = _facts(p.text, p.heading, p.style, p.number is not None)
        assert (heading, set(facts)) == (heading_as_before(p), introduced), p.text
        assert _phrases_in(p.text, p.heading) == (masked_as_before(p),) + phrases_as_before(p), p.text
        assert masked_text(p) == masked_as_before(p), p.text
        assert roles_in(masked_text(p)) == roles_as_before(p), p.text
    assert cover_labels(paragraphs) == cover_labels_as_before(paragraphs)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_kept_paragraph_scans_are_the_scans_as_they_were_on_real_documents(path):
    paragraphs = [p for doc in load_documents([path]).documents for p in doc.paragraphs]
    same_scans(paragraphs)
    same_scans(paragraphs)          # the second time from the memos


PARAGRAPH = pieces("Net", " Income", " Buyer", " Buyers", " of", " the", "Section 2 ", "“Safe Harbor”", '"Fund"',
                   " definitions of ", "[Drafting note: X Y]", "{IF x}", "**", "( x )", "__", ": ", ".", " ",
                   "\u00a0", "PROVIDER", " Term", "é", "Issuer", "; ", "shall pay the fees", "x" * 30, size=24)


@settings(max_examples=300, deadline=None)
@given(PARAGRAPH, st.sampled_from([None, "", "Net", "Fees.", "PROVIDER"]),
       st.sampled_from([None, "Normal", "heading 2", "Title", "TOC 1"]), st.booleans())
def test_kept_paragraph_scans_are_the_scans_as_they_were_on_any_text(text, heading, style, numbered):
    p = Paragraph("a.docx", "body", 0, text, style=style, heading=heading, number="1." if numbered else None)
    same_scans([p])
    same_scans([p])


def test_a_long_text_is_worked_out_each_time_not_kept():
    text = "Net Income of the Buyer. " * (KEPT_TEXT // 10)
    _phrases_in.cache_clear()
    assert _phrases_in(text, None) == _phrases_in.fresh(text, None)
    assert _phrases_in.cache_info().currsize == 0
    _phrases_in(text[:KEPT_TEXT], None)
    assert _phrases_in.cache_info().currsize == 1


KEPT = (_facts, _phrases_in, roles_in, _PLACES, _VARIANTS_IN, _KNOWN, _FORMS)


def defined_term_findings(paths):
    ctx = Context(load_documents(paths), None, Config())
    return sorted((f for rule in RULES for f in rule.find(ctx)), key=Finding.sort_key)


def test_defined_term_findings_are_the_same_with_the_memos_empty_and_full():
    packages = [[path] for path in DOCUMENTS[:3]] + [DOCUMENTS[:2]]
    fresh = []
    for paths in packages:
        for memo in KEPT:
            memo.cache_clear()
        fresh.append(defined_term_findings(paths))
    assert [defined_term_findings(paths) for paths in reversed(packages)] == fresh[::-1]
    assert all(memo.cache_info().currsize for memo in KEPT[:3]) and _PLACES.entries and _VARIANTS_IN.entries \
        and _KNOWN.entries and _FORMS.entries


def normal_as_before(text):
    text = " ".join((text or "").translate(QUOTES).split()).lower()
    text = re.sub(r"[;,]?\s*(?:and|or)$", "", text)
    return text.rstrip(" .;:,")


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.none(), pieces("and", "or", "AND", "Or", "cand", "\n", " ", "  ", ";", ",", ".", ":", "“x”", "x",
                                   "\u00a0", "ſ", size=10)))
def test_a_definitions_normal_wording_is_what_it_was(text):
    assert _normal(text) == normal_as_before(text)


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_the_forms_a_variant_may_take_are_what_they_were(paths):
    for doc in load_documents(paths).documents:
        for d in doc.definitions:
            expected = {" ".join(form.split()) for form in term_forms(" ".join(d.term.split()))}
            assert _spaced_forms(d.term) == expected
            assert _spaced_forms(d.term) == expected


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_variants_from_kept_places_are_the_alternations_matches(paths):
    texts = [p.text for paragraphs in package_paragraphs(paths) for p in paragraphs]
    terms = sorted({"Common Stock", "Certificate of Designations", "Limited Partner", "Standard Terms",
                    "Confidential Information", "Effective Date", "Service Provider"}, key=lambda t: (-len(t), t))
    reference = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms)
                           + r")(?![A-Za-z0-9])", re.IGNORECASE)
    expected = [(i, m.start(), m.group(0)) for i, text in enumerate(texts) for m in reference.finditer(text)]

    def found(terms):
        return [(i, m.start(), m.group(0)) for i, m in _Variants(terms).find_all(texts, _Lowered(texts))]
    _PLACES.cache_clear()
    assert found(terms) == expected                      # none kept yet
    assert found(terms) == expected                      # all kept (but the long texts)
    for key in list(_PLACES.entries)[::2]:
        del _PLACES.entries[key]
    assert found(terms) == expected                      # some kept
    fewer = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms[2:])
                       + r")(?![A-Za-z0-9])", re.IGNORECASE)
    assert found(terms[2:]) == [(i, m.start(), m.group(0)) for i, text in enumerate(texts)
                                for m in fewer.finditer(text)]      # other first words: other places


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(VARIANT_TERMS), min_size=1, max_size=4, unique=True),
       pieces("Common", "STOCK", "stocks", "Certificate", " of ", "designations", "Limited", " ", "\t", "\u00a0",
              "Partners", "\u212aelvin", "ß", "é", "Σ", "1", "-", "U.S.", "securities", "Act", "A", "shares", size=14))
def test_a_lower_case_variant_pattern_matches_where_the_case_insensitive_one_does(terms, text):
    if len(text.lower()) != len(text):
        return                                      # (such a text is read by the alternation)
    pattern = _variants_pattern(tuple(terms))
    insensitive = re.compile("(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms) + ")(?![A-Za-z0-9])",
                             re.IGNORECASE)
    for at in range(len(text) + 1):
        found, expected = pattern.match(text.lower(), at), insensitive.match(text, at)
        assert (found and found.span()) == (expected and expected.span()), (text, at)


def variants_as_before(ctx):
    """defs.variant as it was before a paragraph's variants were kept (the reference)."""
    from assembler.check.rules.defs import _definitions

    defs = _definitions(ctx)
    terms = sorted({" ".join(d.term.split()) for d in defs if len(d.term.split()) >= 2 and d.term != d.term.upper()},
                   key=lambda t: (-len(t), t))
    if not terms:
        return
    allowed: set[str] = set()
    for d in defs:
        allowed.update(_spaced_forms(d.term))
    paragraphs = list(ctx.paragraphs())
    joined = _package_text(ctx)
    for i, m in _Variants(terms).find_all(joined.texts, joined):
        p = paragraphs[i]
        found = " ".join(m.group(0).split())
        if found in allowed or found == found.lower() or found == found.upper():
            continue
        if _sentence_start(p.text[max(0, m.start() - 80):m.start()]) and \
                found[:1].lower() + found[1:] in allowed:
            continue
        if "[" in p.text and any(b.start() <= m.start() < b.end() for b in BRACKETS.finditer(p.text)):
            continue
        if _term_then_words(found, allowed):
            continue
        term = m.term if isinstance(m, _Found) else \
            next(t for t in terms if re.fullmatch(_variant_body(t), m.group(0), re.IGNORECASE))
        yield ctx.finding(
            VARIANT, p, m.group(0),
            f"“{m.group(0)}” is a variant of the defined term “{term}”; use the term exactly as defined.")


def test_variant_findings_are_as_before_with_paragraphs_kept_across_packages():
    """Each document alone, then the packages, then the documents again: the same texts checked with other sets
    of defined terms, from the kept variants of their paragraphs and afresh."""
    runs = [[path] for path in DOCUMENTS] + PACKAGES + [[path] for path in reversed(DOCUMENTS)]
    _VARIANTS_IN.cache_clear()
    found = 0
    for paths in runs:
        package = load_documents(paths)
        new = list(VARIANT.find(Context(package, None, Config())))
        assert new == list(variants_as_before(Context(package, None, Config()))), paths
        found += len(new)
    assert found and _VARIANTS_IN.entries


def _package_of(texts: list[str], terms: list[str]):
    from assembler.docmodel.model import Definition, Document, Package

    doc = Document(path="a.docx", name="a.docx")
    doc.paragraphs = [Paragraph(document="a.docx", part="body", index=i, text=t) for i, t in enumerate(texts)]
    doc.definitions = [Definition(term=t, kind="inline", wording="", paragraph=doc.paragraphs[0]) for t in terms]
    return Package([doc])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VARIANT_TERMS + ["Fund", "this Safe", "COMMON STOCK", "Series\u00a0J Preferred Stock"]),
                min_size=1, max_size=5, unique=True),
       st.lists(st.lists(st.sampled_from(["Common", "stock", "Stocks", "certificate", "of", "Designation", "limited",
                                          "partners", "Non-voting", "u.s.", "securities", "acts", "a", "shares", "Fund",
                                          "expenses", "Series", "j", "Preferred", "(", "é", "1", "[", "]", ".", "This",
                                          "Safe", "İ", "\u00a0", "x" * 1990]),
                         max_size=12).map(" ".join), min_size=1, max_size=4))
def test_variant_findings_of_any_texts_and_terms_are_as_before(terms, texts):
    """Any texts (some too long to be kept) with any defined terms, checked twice (the second time from the kept
    variants), and across examples the same texts with other terms: what the rule found before."""
    for chosen in (terms, terms[:1], terms[::-1][:2], VARIANT_TERMS, terms):
        package = _package_of(["Definitions."] + texts, chosen)
        expected = list(variants_as_before(Context(package, None, Config())))
        for _ in range(2):
            assert list(VARIANT.find(Context(package, None, Config()))) == expected


def known_as_before(defs_terms, labels, configured):
    """The known forms and their word runs as defs.undefined made them each check (the reference)."""
    known = ({t for term in defs_terms for t in term_forms(term)} | {t for label in labels for t in term_forms(label)}
             | set(configured))
    return known, word_runs_as_before(known, 4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VARIANT_TERMS + ["Purchaser", "Company", "Series\u00a0B Preferred Stock", "Net Income",
                                                 "Limited  Partner", "Fund"]), max_size=6),
       st.sets(st.sampled_from(["Provider", "Customer", "Subscription Period", "Effective Date"]), max_size=3),
       st.sets(st.sampled_from(["CIIAA", "Safe Harbor", "Known Term Here"]), max_size=2))
def test_known_terms_are_as_before_for_any_terms(terms, labels, configured):
    from assembler.check.rules.defs import _known_terms

    expected = known_as_before(terms, labels, configured)
    for _ in range(2):    # the second time kept
        known, runs = _known_terms(frozenset(terms), frozenset(labels), frozenset(configured))
        assert (set(known), set(runs)) == expected


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_known_terms_of_real_packages_are_as_before(paths):
    from assembler.check.rules.defs import _known_terms

    package = load_documents(paths)
    for doc in package.documents:      # each document's terms, then the package's: other keys, some kept
        for documents in ([doc], package.documents):
            terms = [x.term for document in documents for x in document.definitions]
            labels = {t for d in documents for p in d.paragraphs for t in _facts.fresh(p.text, p.heading, p.style,
                                                                                       p.number is not None)[1]}
            known, runs = _known_terms(frozenset(terms), frozenset(labels), frozenset({"CIIAA"}))
            assert (set(known), set(runs)) == known_as_before(terms, labels, {"CIIAA"})


def forms_and_longer_as_before(terms):
    """_used_terms' forms of each term and longer first words, as it made them each check (the reference)."""
    from assembler.check.rules.defs import _longer_keys

    forms_of = {term: sorted(term_forms(term)) for term in terms}
    return forms_of, _longer_keys(form.split(" ")[0] for forms in forms_of.values() for form in forms)


def same_forms_and_longer(terms) -> None:
    from assembler.check.rules.defs import _forms_and_longer

    expected_forms, expected_longer = forms_and_longer_as_before(terms)
    for _ in range(2):    # the second time kept
        forms_of, longer = _forms_and_longer(frozenset(terms))
        assert {t: list(f) for t, f in forms_of.items()} == expected_forms
        assert {k: list(v) for k, v in longer.items()} == expected_longer
        assert all(type(f) is tuple for f in (*forms_of.values(), *longer.values()))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VARIANT_TERMS + ["Non", "Non-Voting", "Company", "Series\u00a0B Preferred Stock",
                                                 "Limited", "Fund", "Net Income", "A"]), max_size=8))
def test_forms_and_longer_first_words_are_as_before_for_any_terms(terms):
    same_forms_and_longer(terms)


@pytest.mark.parametrize("paths", PACKAGES, ids=lambda paths: paths[0].parent.name)
def test_forms_and_longer_first_words_of_real_packages_are_as_before(paths):
    package = load_documents(paths)
    for documents in [[doc] for doc in package.documents] + [package.documents]:
        same_forms_and_longer({d.term for doc in documents for d in doc.definitions if d.term.strip()})
