"""Definitions and references are kept by the text they are found in (a batch reads the same paragraphs variant
after variant): what find_definitions and find_references give is what they gave before, worked out afresh, on
the fixtures, the shared corpus when present, and generated text; and a result changed by its caller does not
change the next caller's."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.docmodel import parse
from assembler.docmodel.model import Definition, Paragraph, Reference
from assembler.memo import forget
from model_dump import corpus_files, fixture_files

DOCUMENTS = fixture_files() + corpus_files()


def definitions_as_before(paragraph: Paragraph) -> list[Definition]:
    """Definitions in one paragraph: "X" means / includes / has the meaning ..., and ("X") inline."""
    text = paragraph.text
    if "“" not in text and '"' not in text:
        return []
    found: list[Definition] = []
    means = list(parse._MEANS_RE.finditer(text))
    for i, m in enumerate(means):
        verb = m.group("verb").lower()
        term = m.group("term").strip()
        stop = means[i + 1].start() if i + 1 < len(means) else len(text)
        after = text[m.end(): stop]
        if "meaning" in verb:
            t = parse._MEANING_TARGET.match(after)
            target = t.group("target").strip() if t else None
            found.append(Definition(term, "meaning", parse._one_spaced(after), paragraph,
                                    target=target, start=m.start("term"), end=m.end("term")))
        else:
            kind = "means" if verb.startswith("mean") else "includes"
            wording = parse._one_spaced(after).lstrip(":,").strip()
            found.append(Definition(term, kind, wording, paragraph, start=m.start("term"), end=m.end("term")))
        # '"Net Income" and "Net Loss" mean', '"Holder" or "Holders" means': each quoted term is defined
        head = m.start()
        while True:
            other = parse._JOINED_TERM.search(text[:head], max(0, head - 120))
            if other is None:
                break
            found.append(Definition(other.group("term").strip(), found[-1].kind, found[-1].wording, paragraph,
                                    target=found[-1].target, start=other.start("term"), end=other.end("term")))
            head = other.start()
    for m in parse._THE_TERM_IS.finditer(text) if "The" in text else ():  # 'The "Purchase Price" is $1,000 per share.'
        if not any(d.start == m.start("term") for d in found):
            # read as an inline definition: its wording is not compared with other definitions'
            found.append(Definition(m.group("term").strip(), "inline", "", paragraph,
                                    start=m.start("term"), end=m.end("term")))
    taken = {(d.start, d.end) for d in found}
    for group in parse._INLINE_RE.finditer(text):
        inner = group.group(1)
        if "“" not in inner and '"' not in inner:
            continue
        pos = 0
        base = group.start(1)
        quoted = list(parse._QUOTED.finditer(inner))
        if not quoted or not parse._inline_lead_ok(inner[quoted[-1].end():]):
            continue  # '(as a "Risk Factor" or otherwise)': a word in quotation marks, not a definition
        for q in quoted:
            lead = inner[pos: q.start()]
            pos = q.end()
            if not parse._inline_lead_ok(lead):
                break  # '(for example, "cash" or "a note")': the rest are examples too
            start, end = base + q.start(1), base + q.end(1)
            if (start, end) in taken:
                continue
            found.append(Definition(q.group(1).strip(), "inline", "", paragraph, start=start, end=end))
    for d in found:  # '"Complying Purchaser," means': the comma closes the phrase, it is not the term's
        term = d.term.rstrip(",;:")
        if term != d.term:
            d.term, d.end = term, d.start + len(term)
    unique = {(d.term, d.start): d for d in found}
    return sorted(unique.values(), key=lambda d: d.start)


def references_as_before(paragraph: Paragraph, text: str, fields: Iterable[tuple[int, int]]) -> list[Reference]:
    """find_references' scan of a text that holds one of the words a reference starts with."""
    spans = list(fields)
    found: list[Reference] = []
    for m in parse._ref_matches(text):
        word = m.group("word").lower()
        kind = parse._KIND[word]
        if kind == "clause":
            continue
        if kind == "section" and word.startswith("paragraph") and not any(ch.isdigit() for ch in m.group("nums")):
            continue
        after = m.end()
        if parse._AFTER_STATUTE.match(text, parse._CITATION_TAIL.match(text, after).end()):
            continue
        if parse._BEFORE_STATUTE.search(text, max(0, m.start() - 12), m.start()):
            continue
        if kind in ("section", "article") and (parse._CITATION_HYPHEN.match(text, after)
                                              or parse._hyphen_citation(m.group("nums"))):
            continue  # "Section 1.704-2(g)(1)", "Section 44-130": a statute's numbering
        if kind == "schedule" and parse._FORM_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue
        if kind == "exhibit" and re.match(r"\d+\.\d", m.group("nums")):
            continue  # "Exhibit 10.1": the exhibit number of a filing, not an exhibit of this document
        if m.start() == len(text) - len(text.lstrip()) and not m.group("this") and parse._HEADING_AFTER.match(text, after):
            continue  # "Section A — Corporate Organization": a heading's own label
        direction = None
        d = parse._DIRECTION.match(text, after)
        if d:
            direction = "above" if d.group(1).endswith("above") else "below"
        local = bool(m.group("this"))
        other = parse._OTHER_DOCUMENT.match(text, after)
        other_document = other.group("doc").strip() if other else None
        nums_start = m.start("nums")
        pattern = parse._EXHIBIT_NUM if kind in ("exhibit", "schedule") else parse._ONE_NUM
        first = True
        for n in pattern.finditer(m.group("nums")):
            target = n.group(0)
            if kind not in ("exhibit", "schedule") and target in ("A", "I") and not first:
                continue
            start, end = nums_start + n.start(), nums_start + n.end()
            ref_start = m.start() if first else start
            in_field = any(fs <= start and end <= fe for fs, fe in spans)
            found.append(Reference(kind, text[ref_start:end], target, paragraph, ref_start, end,
                                   local=local, direction=direction, in_field=in_field,
                                   other_document=other_document))
            first = False
    for m in parse._CLAUSE_RE.finditer(text) if "lause" in text else ():   # "clause", "Clauses"
        if parse._AFTER_STATUTE.match(text, m.end()):
            continue
        d = parse._DIRECTION.match(text, m.end())
        direction = None if d is None else ("above" if d.group(1).endswith("above") else "below")
        first = True
        for n in parse._ONE_CLAUSE.finditer(m.group("nums")):
            start, end = m.start("nums") + n.start(), m.start("nums") + n.end()
            ref_start = m.start() if first else start
            found.append(Reference("clause", text[ref_start:end], n.group(0), paragraph, ref_start, end,
                                   local=bool(m.group("this")), direction=direction))
            first = False
    found.sort(key=lambda r: r.start)
    return found


def defs(found) -> list[tuple]:
    return [(d.term, d.kind, d.wording, d.paragraph, d.target, d.start, d.end) for d in found]


def refs(found) -> list[tuple]:
    return [(r.kind, r.text, r.target, r.paragraph, r.start, r.end, r.local, r.direction, r.in_field,
             r.other_document) for r in found]


def same_as_before(para: Paragraph, fields=()) -> None:
    assert defs(parse.find_definitions(para)) == defs(definitions_as_before(para))
    if any(w in para.text for w in ("ection", "rticle", "xhibit", "chedule", "lause", "aragraph", "ECTION",
                                    "RTICLE", "XHIBIT", "CHEDULE")):
        assert refs(parse.find_references(para, fields)) == refs(references_as_before(para, para.text, fields))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_definitions_and_references_are_as_before_in_real_documents(path):
    forget()
    document = parse.read_document(path)
    for para in document.paragraphs * 2:       # the second time from what is kept
        same_as_before(para)
    assert defs(document.definitions) == defs(d for p in document.paragraphs
                                              if p.part in ("body", "footnotes", "endnotes")
                                              for d in definitions_as_before(p))


def test_fields_are_part_of_what_is_kept():
    para = Paragraph("d", "body", 0, "as set out in Section 2.1 above")
    for fields in ((), ((14, 25),), ((0, 3),), [[14, 25]], ((14, 25),)):
        same_as_before(para, fields)
    assert [r.in_field for r in parse.find_references(para, ((14, 25),))] == [True]
    assert [r.in_field for r in parse.find_references(para, ())] == [False]


def test_a_result_changed_by_its_caller_leaves_the_next_one_alone():
    text = '“Purchaser,” means each holder (the “Holder”) under Section 2.1 and Exhibit A.'
    first, second = Paragraph("d", "body", 0, text), Paragraph("d", "body", 1, text)
    found = parse.find_definitions(first)
    found[0].term = "changed"
    found.clear()
    references = parse.find_references(first)
    references[0].target = "changed"
    assert defs(parse.find_definitions(second)) == defs(definitions_as_before(second))
    assert refs(parse.find_references(second)) == refs(references_as_before(second, text, ()))
    assert all(d.paragraph is second for d in parse.find_definitions(second))


WORDS = st.sampled_from(["“", "”", '"', "Purchaser", "Holder", "Net Loss", "means", "mean", "includes", "has the meaning",
                         "have the respective meanings", "set forth in", "The", "is", "shall be", "(", ")", "the",
                         "collectively", "and", "or", ",", ";", ".", ":", " ", "  ", "\n", "Section", "Sections",
                         "Article", "Exhibit", "Schedule", "clause", "paragraph", "2.1", "(a)", "IV", "A-1", "this",
                         "above", "below", "of the Act", "of the Purchase Agreement", "Code", "Form 1065,", "10.1",
                         "1.704-2(g)(1)", "through", "—", "x" * 30])


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS, max_size=30).map(" ".join), st.lists(WORDS, max_size=30).map("".join),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=2))
def test_definitions_and_references_are_as_before_in_any_text(spaced, joined, fields):
    for text in (spaced, joined, spaced, joined):
        same_as_before(Paragraph("d", "body", 0, text), fields)


# ---------------------------------------------------------------------------------------------
# Clause references tried only where one may start

def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in matches]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_clause_references_are_the_patterns_matches_in_real_documents(path):
    for para in parse.read_document(path).paragraphs:
        assert spans(parse._clause_matches(para.text)) == spans(parse._CLAUSE_RE.finditer(para.text))


CLAUSE_WORDS = st.sampled_from(["clause", "clauses", "Clause", "Clauses", "CLAUSE", "xclause", "_clause", "éclause",
                                "this", "This", "thisclause", "(a)", "(ii)", "(iv)", "(12)", "(B)", "(aa)", "and", "or",
                                "through", "to", "-", "–", ",", " ", "  ", "\t", "\n", ".", "above", "x"])


@settings(max_examples=500, deadline=None)
@given(st.lists(CLAUSE_WORDS, max_size=30).map("".join), st.lists(CLAUSE_WORDS, max_size=30).map(" ".join))
def test_clause_references_are_the_patterns_matches_in_any_text(joined, spaced):
    for text in (joined, spaced):
        assert spans(parse._clause_matches(text)) == spans(parse._CLAUSE_RE.finditer(text))
        same_as_before(Paragraph("d", "body", 0, text))


@pytest.mark.parametrize("text", ["under this clause (a) above", "This Clause (ii) and (iii)", "thisclause (a)",
                                  "xthis clause (b)", "this  clauses (a)-(c) below", "clause (d), this clause (e)"])
def test_each_way_a_clause_reference_starts_is_read_as_before(text):
    assert spans(parse._clause_matches(text)) == spans(parse._CLAUSE_RE.finditer(text))
    same_as_before(Paragraph("d", "body", 0, text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["Closing", "Payment Terms", ".", ":", " ", "  ", "the", "Purchase", "of", "and",
                                 "(a)", "Section 2.1", "x" * 90, "\t", "Notices.", "CLOSING"]), max_size=12).map("".join),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=3))
def test_a_numbered_paragraphs_heading_is_as_before_in_any_text(text, emphasis):
    """The run-in heading kept by text and emphasised spans is what _heading works out afresh."""
    emphasis = [(min(a, b), max(a, b)) for a, b in emphasis]
    for _ in range(2):    # the second time kept
        assert parse._heading_of(text, tuple(emphasis)) == parse._heading(text, emphasis, 0)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_numbered_paragraphs_headings_are_as_before_in_real_documents(path):
    """Each numbered body paragraph's heading, read with the headings kept, is what _heading works out afresh
    from the paragraph's text and its emphasised runs (as the reader gave them)."""
    seen = []
    kept_heading = parse._heading_of

    def spy(text, emphasis):
        seen.append((text, emphasis))
        return kept_heading(text, emphasis)

    forget()
    try:
        parse._heading_of = spy
        first = parse.read_document(path)
        second = parse.read_document(path)      # the headings kept
    finally:
        parse._heading_of = kept_heading
    assert [p.heading for p in first.paragraphs] == [p.heading for p in second.paragraphs]
    assert all(kept_heading(text, emphasis) == parse._heading(text, list(emphasis), 0) for text, emphasis in seen)
    numbered = [p for p in second.paragraphs if p.part == "body" and p.list_label is not None and p.number]
    assert len(seen) == 2 * len(numbered)
