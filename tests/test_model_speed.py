"""Parts of the document model's reader rewritten to run faster give what they gave before: each old
version is kept here as the reference, run on the fixtures, the shared corpus when present, and generated
input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.docmodel import parse
from assembler.docmodel.model import Document, Paragraph
from assembler.docmodel.numbering import ListLabel
from assembler.docmodel.ooxml import W_NS, story_paragraphs
from model_dump import corpus_files, fixture_files

DOCUMENTS = fixture_files() + corpus_files()


# ---------------------------------------------------------------------------------------------
# Full numbers of Word-numbered paragraphs

def auto_number_as_before(label: ListLabel) -> str | None:
    parts: list[str] = []
    level = label.ilvl
    path = label.path
    while level >= 0:
        parts.append(label.level_texts[level])
        refs = label.level_refs[level] if level < len(label.level_refs) else ()
        lowest = min(refs, default=level)
        level = min(lowest, level) - 1
        while level >= 0 and level < len(path) and path[level] < 0:
            level -= 1
    return parse._joined(reversed(parts))     # unchanged: shared


def labels_of(path: Path) -> list[ListLabel]:
    return [p.list_label for p in parse.read_document(path).paragraphs if p.list_label is not None]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_full_numbers_are_as_before_in_real_documents(path):
    for label in labels_of(path) * 2:      # the second time from what is kept
        assert parse.auto_number(label) == auto_number_as_before(label)


TEXTS = st.sampled_from(["1.", "(a)", "IV.", "ARTICLE IV.", "Section 2.1", "", "•", "A", "(ii)", "2.1.3", " ", "_"])


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_full_numbers_are_as_before_for_any_label(data):
    ilvl = data.draw(st.integers(0, 8))
    texts = tuple(data.draw(st.lists(TEXTS, min_size=ilvl + 1, max_size=ilvl + 1)))
    refs = tuple(tuple(sorted(set(data.draw(st.lists(st.integers(0, 8), max_size=3))))) for _ in range(ilvl + 1))
    path = tuple(data.draw(st.lists(st.integers(-1, 5), min_size=0, max_size=ilvl + 1)))
    label = ListLabel(texts[-1], ilvl, "1", "0", (1,) * (ilvl + 1), texts, refs, path)
    assert parse.auto_number(label) == auto_number_as_before(label)
    assert parse.auto_number(label) == auto_number_as_before(label)


# ---------------------------------------------------------------------------------------------
# The words a reference needs

def may_refer_as_before(text: str) -> bool:
    return any(w in text for w in ("ection", "rticle", "xhibit", "chedule", "lause", "aragraph", "ECTION",
                                   "RTICLE", "XHIBIT", "CHEDULE"))


def references_as_before(paragraph: Paragraph, fields=()) -> list:
    return parse._references(paragraph, paragraph.text, fields) if may_refer_as_before(paragraph.text) else []


def refs(found) -> list[tuple]:
    return [(r.kind, r.text, r.target, r.start, r.end, r.local, r.direction, r.in_field, r.other_document)
            for r in found]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_references_are_as_before_in_real_documents(path):
    for para in parse.read_document(path).paragraphs:
        assert refs(parse.find_references(para)) == refs(references_as_before(para))
        if not may_refer_as_before(para.text):
            assert parse.find_references(para) == []


REFERENCE_WORDS = ["Section", "SECTION", "section", "Sections", "SECTIONS", "Subsection", "Article", "ARTICLE",
                   "article", "Articles", "Exhibit", "EXHIBIT", "EXHIBITS", "Schedule", "SCHEDULE", "SCHEDULES",
                   "clause", "Clause", "clauses", "paragraph", "Paragraph", "Paragraphs", "ection", "ECTION"]
WORDS = st.sampled_from(REFERENCE_WORDS + ["1", "2.1", "(a)", "IV", "A", "this", "and", " ", "of the Act", "above",
                                           "\t", "the", "x"])


@pytest.mark.parametrize("word", REFERENCE_WORDS)
def test_each_reference_word_is_read_as_before(word):
    for text in (f"see {word} 1 hereto", f"{word} (a) above", f"this {word} IV.", f"{word} A-1"):
        para = Paragraph("d", "body", 0, text)
        assert refs(parse.find_references(para)) == refs(references_as_before(para))


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS, max_size=8).map(" ".join), st.lists(WORDS, max_size=8).map("".join))
def test_references_are_as_before_in_any_text(spaced, joined):
    for text in (spaced, joined):
        para = Paragraph("d", "body", 0, text)
        assert refs(parse.find_references(para)) == refs(references_as_before(para))


# ---------------------------------------------------------------------------------------------
# Footnotes placed where their marks stand

def tie_notes_as_before(document) -> None:
    if not any(p.part in parse.NOTE_TAGS for p in document.paragraphs):
        return
    anchors = {}
    part_of = {ref_tag: part for part, (_note, ref_tag) in parse.NOTE_TAGS.items()}
    for para in document.paragraphs:
        if para.part == "body" and para.element is not None:
            for ref in para.element.iter(*part_of):
                anchors.setdefault((part_of[ref.tag], ref.get(parse._ID, "")), para)
    for para in document.paragraphs:
        if para.part not in parse.NOTE_TAGS or para.element is None:
            continue
        note = para.element.getparent()
        while note is not None and note.tag != parse.NOTE_TAGS[para.part][0]:
            note = note.getparent()
        anchor = anchors.get((para.part, note.get(parse._ID, ""))) if note is not None else None
        if anchor is not None:
            para.section, para.section_heading, para.exhibit = anchor.section, anchor.section_heading, anchor.exhibit


def notes(document) -> list[tuple]:
    return [(p.section, p.section_heading, p.exhibit) for p in document.paragraphs if p.part in parse.NOTE_TAGS]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_notes_stand_where_they_stood_in_real_documents(path):
    document = parse.read_document(path)
    for para in document.paragraphs:
        if para.part in parse.NOTE_TAGS:
            para.section = para.section_heading = para.exhibit = "unset"
    tie_notes_as_before(document)
    before = notes(document)
    for para in document.paragraphs:
        if para.part in parse.NOTE_TAGS:
            para.section = para.section_heading = para.exhibit = "unset"
    parse._tie_notes(document)
    assert notes(document) == before


W = f'xmlns:w="{W_NS}"'
MARKS = ['<w:r><w:footnoteReference w:id="1"/></w:r>', '<w:r><w:footnoteReference w:id="2"/></w:r>',
         '<w:r><w:endnoteReference w:id="1"/></w:r>', '<w:r><w:t>text</w:t></w:r>',
         '<w:r><w:pict><w:txbxContent><w:p><w:r><w:footnoteReference w:id="2"/></w:r></w:p></w:txbxContent></w:pict></w:r>']
BLOCKS = st.one_of(
    st.lists(st.sampled_from(MARKS), max_size=3).map(lambda rs: f"<w:p>{''.join(rs)}</w:p>"),
    st.lists(st.sampled_from(MARKS), max_size=2).map(lambda rs: f"<w:tbl><w:tr><w:tc><w:p>{''.join(rs)}</w:p>"
                                                                 "</w:tc></w:tr></w:tbl>"),
    st.just('<w:footnoteReference w:id="1"/>'))


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, max_size=6))
def test_notes_stand_where_they_stood_in_any_body(blocks):
    body = etree.fromstring(f"<w:body {W}>{''.join(blocks)}</w:body>")
    notes_root = etree.fromstring(f'<w:footnotes {W}><w:footnote w:id="1"><w:p/></w:footnote>'
                                  f'<w:footnote w:id="2"><w:p/><w:p/></w:footnote></w:footnotes>')
    ends_root = etree.fromstring(f'<w:endnotes {W}><w:endnote w:id="1"><w:p/></w:endnote></w:endnotes>')
    results = []
    for tie in (tie_notes_as_before, parse._tie_notes):
        document = Document("d", "d")
        for i, p in enumerate(story_paragraphs(body)):
            document.paragraphs.append(Paragraph("d", "body", i, "", section=str(i), element=p))
        for part, root in (("footnotes", notes_root), ("endnotes", ends_root)):
            for i, p in enumerate(story_paragraphs(root)):
                document.paragraphs.append(Paragraph("d", part, i, "", element=p))
        tie(document)
        results.append(notes(document))
    assert results[0] == results[1]


# ---------------------------------------------------------------------------------------------
# Parents of Word-numbered paragraphs

def parents_as_before(steps) -> list:
    last_auto: dict = {}
    out = []
    for step in steps:
        if step is None:
            last_auto = {}   # a new exhibit
            continue
        aid, ilvl, para = step
        last_auto[(aid, ilvl)] = para
        for key in [k for k in last_auto if k[0] == aid and k[1] > ilvl]:
            del last_auto[key]
        parent = None
        for up in range(ilvl - 1, -1, -1):
            parent = last_auto.get((aid, up))
            if parent is not None:
                break
        out.append(parent)
    return out


def parents(steps) -> list:
    last: dict = {}
    out = []
    for step in steps:
        if step is None:
            last = {}
            continue
        aid, ilvl, para = step
        label = ListLabel("1.", ilvl, "1", aid, (1,), ("1.",) * (ilvl + 1))
        out.append(parse._auto_parent(last, label, para))
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.none(), st.tuples(st.sampled_from("012"), st.integers(0, 8))), max_size=40))
def test_parents_are_as_before_in_any_lists(steps):
    steps = [None if s is None else (s[0], s[1], i) for i, s in enumerate(steps)]
    assert parents(steps) == parents_as_before(steps)


# ---------------------------------------------------------------------------------------------
# Labels of each level for the counters in force

def shown_as_before(num, ilvl: int, state: list) -> tuple:
    shown = [v if v is not None else s for v, s in zip(state, num.starts)]
    return tuple([num.text(k, shown) for k in range(ilvl + 1)]), tuple(shown[: ilvl + 1]), num.refs[: ilvl + 1]


def list_definitions() -> list:
    from assembler.docmodel.numbering import NumberingEngine
    from assembler.docmodel.ooxml import read_package

    found = []
    for path in fixture_files():
        package = read_package(path)
        engine = NumberingEngine(package.numbering, package.styles)
        found += [num for num in (engine._num(n) for n in engine._num_abstract) if num is not None]
    return found


LISTS = list_definitions()


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(LISTS), st.integers(0, 8), st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=9,
                                                           max_size=9))
def test_level_labels_are_as_before_for_any_counters(num, ilvl, state):
    if num.levels[ilvl] is None:
        return
    assert num.shown(ilvl, state) == shown_as_before(num, ilvl, state)
    assert num.shown(ilvl, state) == shown_as_before(num, ilvl, state)    # kept


# ---------------------------------------------------------------------------------------------
# The wording of a definition, one-spaced

SPACES_AS_BEFORE = re.compile(r"\s+")

WHITE = [chr(c) for c in range(0x3100) if chr(c).isspace()] + ["\u200b", "\ufeff", "\u180e"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WHITE), st.sampled_from(["a", "Term", ":", ",", "“", "é", "-"]),
                          st.characters()), max_size=30).map("".join))
def test_one_spaced_text_is_as_before(text):
    assert parse._one_spaced(text) == SPACES_AS_BEFORE.sub(" ", text).strip()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_one_spaced_texts_are_as_before_in_real_documents(path):
    for para in parse.read_document(path).paragraphs:
        assert parse._one_spaced(para.text) == SPACES_AS_BEFORE.sub(" ", para.text).strip()


# ---------------------------------------------------------------------------------------------
# The first child with a tag, among comments and processing instructions too

@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<w:pPr/>", "<w:rPr/>", "<w:r/>", "<!--c-->", "<?pi x?>", "<w:t>x</w:t>"]),
                max_size=7), st.sampled_from(["w:pPr", "w:rPr", "w:r", "w:t"]))
def test_the_first_child_with_a_tag_is_found_among_any_children(children, wanted):
    from assembler.docmodel.ooxml import first_child, qn

    element = etree.fromstring(f"<w:p {W}>" + "".join(children) + "</w:p>")
    assert first_child(element, qn(wanted)) is next(element.iterchildren(qn(wanted)), None)


# ---------------------------------------------------------------------------------------------
# A DOCTYPE found in a part's bytes

def doctype_as_before(data: bytes) -> bool:
    head = data[:65536]
    if b"<!DOCTYPE" in head.upper():
        return True
    return "<!DOCTYPE".encode("utf-16-le") in head or "<!DOCTYPE".encode("utf-16-be") in head


PIECES_OF_XML = [b"<?xml version='1.0'?>", b"<!DOCTYPE x>", b"<!doctype", b"<!DocType", b"<!", b"<", b"!", b"DOCTYPE",
                 b"<!-- c -->", b"<w:p/>", b"\x00", "<!DOCTYPE".encode("utf-16-le"), "<!doctype".encode("utf-16-be"),
                 b"x" * 1000]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES_OF_XML), max_size=12).map(b"".join), st.integers(0, 70_000))
def test_a_doctype_is_found_as_before(data, padding):
    from assembler.docmodel.ooxml import _looks_like_doctype

    for blob in (data, b" " * padding + data):
        assert _looks_like_doctype(blob) == doctype_as_before(blob)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_a_doctype_is_found_as_before_in_real_parts(path):
    from assembler.docmodel.ooxml import _looks_like_doctype, read_package

    for data in read_package(path).parts.values():
        assert _looks_like_doctype(data) == doctype_as_before(data)
