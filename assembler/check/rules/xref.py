"""Rules of the 'xref' family: cross-references that lead nowhere, or somewhere they should not.

Sphinx's order: every document of the package is read and numbered first (docmodel.parse), and only
then is each reference resolved — against its own part of the file, or, for a glossary without an
outline of its own, against the package document that has one (the agreement).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assembler.check.rule import Context, Example, Finding, Rule, Severity, example
from assembler.docmodel.model import (
    Definition, Document, Package, Paragraph, RefField, Reference, lookup_number, normalise_number,
    number_components,
)
from assembler.docmodel.parse import find_references, is_toc_entry
from assembler.docmodel.places import section_name
from assembler.memo import keep, remember

_ERROR_TEXT = re.compile(
    r"Error!\s*(?:Reference source not found|Bookmark not defined|No text of specified style in document|"
    r"Unknown switch argument|Not a valid bookmark(?: self-reference)?)\.?"
)
_FIRST_PARAGRAPH = re.compile(r"\b(?:first|opening|introductory)\s+paragraph\b|\bpreamble\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _finding(ctx: Context, rule: Rule, para: Paragraph, snippet: str, message: str,
             offset: int | None = None) -> Finding:
    """A finding located at *offset* in the paragraph (found from the snippet if not given)."""
    if offset is None or offset < 0:
        offset = para.text.find(snippet)
    return ctx.finding(rule, para, snippet, message, offset=offset)


def _positions(package: Package) -> dict[int, int]:
    """Document order of every paragraph (body first), for 'above' and 'below'."""
    return {id(p): i for d in package.documents for i, p in enumerate(d.paragraphs)}


def _subtree(document: Document, top: Paragraph) -> list[Paragraph]:
    """*top* and every paragraph within it: numbered descendants and the unnumbered text under them."""
    return document.subtree(top)


_CHILDREN: dict[int, tuple[dict[str, Paragraph], dict[int, list[Paragraph]]]] = {}
remember(_CHILDREN.clear)


def _children(outline: dict[str, Paragraph], parent: Paragraph | None) -> list[Paragraph]:
    """The numbered paragraphs of *outline* directly under *parent* (indexed once per outline)."""
    cached = _CHILDREN.get(id(outline))
    if cached is None or cached[0] is not outline:
        index: dict[int, list[Paragraph]] = {}
        for p in outline.values():
            index.setdefault(id(p.parent), []).append(p)
        cached = (outline, index)
        keep(_CHILDREN, id(outline), cached, 65)
    return cached[1].get(id(parent), [])


def _describe(number: str | None, level: int | None) -> str:
    if number is None:
        return "the document"
    return section_name(number, level, article=level == 0)


def _join(parts: list[str]) -> str:
    return "".join(p if p.startswith("(") or i == 0 else "." + p for i, p in enumerate(parts))


def _scheme(component: str) -> str:
    if component.startswith("("):
        return "clause"
    if component.isdigit():
        return "decimal"
    if all(ch in "IVXLCDM" for ch in component) and component not in ("C", "D", "L", "M"):
        return "roman"
    return "letter" if component.isalpha() else "other"


def _explain_missing(outline: dict[str, Paragraph], key: str, kind: str) -> str:
    """Why *key* is not in *outline*: the last sibling there is, or the numbering the document uses."""
    parts = number_components(key)
    if not outline:
        return "the document has no numbered sections"
    for cut in range(len(parts) - 1, 0, -1):
        parent = lookup_number(outline, _join(parts[:cut]), article=cut == 1 and kind == "article")
        if parent is None:
            continue
        kids = _children(outline, parent)
        if not kids:
            return f"{_describe(parent.number, parent.level)} has no subdivisions"
        last = kids[-1]
        return f"{_describe(parent.number, parent.level)} ends at {_describe(last.number, last.level)}"
    tops = [p for p in outline.values() if p.parent is None and p.number and p.level == 0
            and _scheme(number_components(p.number)[0]) == _scheme(number_components(key)[0])]
    if tops:  # same numbering, but the article (or top section) is not there
        last = tops[-1]
        head = parts[0]
        noun = "article" if _describe(last.number, 0).startswith("Article") else "section"
        lead = "" if len(parts) == 1 else f"there is no {_describe(head, 0)}; "
        if len(tops) == 1:
            return f"{lead}the only {noun} is {_describe(last.number, 0)}"
        return f"{lead}the last {noun} is {_describe(last.number, 0)}"
    sample = next((p for p in outline.values() if p.number and len(number_components(p.number)) == len(parts)),
                  None) or next(p for p in outline.values() if p.number)
    return (f"the reference uses another numbering scheme; this document numbers its sections "
            f"in the form {_describe(sample.number, sample.level)}")


def _main_outline(package: Package) -> tuple[Document, dict[str, Paragraph]] | None:
    outlines = package.outlines()
    return (outlines[0][0], outlines[0][2]) if outlines else None


def _outline_for(package: Package, paragraph: Paragraph) -> tuple[Document | None, dict[str, Paragraph]]:
    """The outline *paragraph*'s references are read against (its own, or the agreement's)."""
    document = package.document_of(paragraph)
    if document is not None:
        own = document.outline_of(paragraph)
        if own:
            return document, own
    main = _main_outline(package)
    return (main[0], main[1]) if main else (document, {})


def _where(document: Document | None, own: Document | None) -> str:
    return "" if document is None or document is own else f" in {document.name}"


def _field_spans(document: Document) -> dict[int, list[RefField]]:
    spans: dict[int, list[RefField]] = {}
    for f in document.ref_fields:
        spans.setdefault(id(f.paragraph), []).append(f)
    return spans


def _in_live_field(ref: Reference, fields: list[RefField], document: Document) -> bool:
    """The reference's number is the cached result of a REF field to an existing bookmark."""
    return any(f.start <= ref.start < f.end or ref.start <= f.start < ref.end
               for f in fields if document.bookmarks.get(f.bookmark) is not None)


def _clause_spans(document: Document) -> dict[int, list[tuple[int, int]]]:
    """Spans of the clause references of each paragraph (their "(c)" is not the clause itself)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for r in document.references:
        if r.kind == "clause":
            spans.setdefault(id(r.paragraph), []).append((r.start, r.end))
    return spans


def _clause_found(document: Document, ref: Reference,
                  clause_spans: dict[int, list[tuple[int, int]]]) -> list[tuple[Paragraph, int]]:
    """Where clause *ref.target* ("(c)") stands: in the same paragraph, or among the paragraphs of its section."""
    token = ref.target
    hits: list[tuple[Paragraph, int]] = []
    para = ref.paragraph
    taken = clause_spans.get(id(para), [])
    start = para.text.find(token)
    while start >= 0:
        if not any(s <= start < e for s, e in taken):
            hits.append((para, start))
        start = para.text.find(token, start + 1)
    if hits:
        return hits
    section = document.section_of(para)
    scopes = section.ancestors[:2] if section is not None else []
    for scope in scopes:
        for p in _subtree(document, scope):
            if p is para:
                continue
            if p.label == token or (p.number or "").endswith(token):
                hits.append((p, 0))
            elif token in p.text:
                hits.append((p, p.text.find(token)))
        if hits:
            return hits
    return hits


# ---------------------------------------------------------------------------------------------
# xref.missing


def _find_missing(ctx: Context) -> Iterator[Finding]:
    package = ctx.package
    # Exhibits are checked when the package holds a main document and exhibits: a document checked
    # alone says nothing about the exhibits that were not named with it.
    has_main = any(None in d.outlines for d in package.documents)
    has_exhibits = has_main and any(d.exhibits for d in package.documents)
    has_outline = bool(package.outlines())
    has_schedules = any(d.schedules for d in package.documents)
    for document in package.documents:
        fields = _field_spans(document)
        clause_spans = _clause_spans(document)
        for ref in document.references:
            para = ref.paragraph
            if ref.kind in ("section", "article"):
                if ref.in_field and _in_live_field(ref, fields.get(id(para), []), document):
                    continue  # the field's own target decides; xref.misdirected compares its text
                if not has_outline and not ref.local:
                    continue  # a glossary checked without the agreement it refers to
                if package.resolve(ref.target, para, ref.local, kind=ref.kind) is not None:
                    continue
                if ref.other_document:
                    continue  # "of the Registration Rights Agreement": perhaps not in the package
                yield _finding(ctx, MISSING, para, ref.text, _missing_message(package, document, ref), ref.start)
            elif ref.kind == "exhibit":
                if has_exhibits and package.exhibit(ref.target) is None:
                    present = sorted({e for d in package.documents for e in d.exhibits})
                    yield _finding(ctx, MISSING, para, ref.text,
                                      f"Exhibit {ref.target} is not in the package (it has "
                                      f"{_and('Exhibit ' + e for e in present)})", ref.start)
            elif ref.kind == "schedule":
                if has_main and has_schedules and package.schedule(ref.target) is None:
                    yield _finding(ctx, MISSING, para, ref.text, f"Schedule {ref.target} is not in the package",
                                   ref.start)
            elif ref.kind == "clause":
                of_definition = _OF_DEFINITION.match(para.text, ref.end)
                if of_definition:
                    found = _clause_in_definition(package, of_definition.group("term"), ref.target)
                    if found is False:
                        yield _finding(ctx, MISSING, para, ref.text,
                                       f"the definition of “{of_definition.group('term')}” has no clause "
                                       f"{ref.target}", ref.start)
                    continue
                if not _clause_found(document, ref, clause_spans):
                    yield _finding(ctx, MISSING, para, ref.text,
                                      f"there is no clause {ref.target} in {_describe(para.section, None)}"
                                      if para.section else f"there is no clause {ref.target} here", ref.start)
        for f in document.ref_fields:
            if f.bookmark not in document.bookmarks:
                snippet = f.cached or f.instruction
                yield _finding(ctx, MISSING, f.paragraph, snippet,
                                  f"the cross-reference field points to bookmark {f.bookmark}, which does "
                                  "not exist; Word shows “Error! Reference source not found.” when fields update",
                                  f.start if f.cached else -1)
        for para in document.paragraphs:
            if "Error!" not in para.text:
                continue
            own = fields.get(id(para), [])
            for m in _ERROR_TEXT.finditer(para.text):
                if any(f.start <= m.start() < f.end for f in own):
                    continue  # inside a REF field: reported with the field
                yield _finding(ctx, MISSING, para, m.group(0),
                                  "a broken cross-reference: Word could not find its target", m.start())


_OF_DEFINITION = re.compile(r"(?:\s*(?:,|or|and)\s*(?:clauses?\s+)?\([a-zA-Z0-9]{1,5}\))*\s+(?:of|in)\s+the\s+definitions?\s+of\s+(?:the\s+term\s+)?[“\"]?"
                            r"(?P<term>[A-Z][\w’'-]*(?:\s+(?:of\s+|the\s+)*[A-Z][\w’'-]*)*)")


def _clause_in_definition(package: Package, term: str, clause: str) -> bool | None:
    """Whether the definition of *term* has *clause*: in its own paragraph or in the items that follow it
    before the next definition. None when the package does not define *term*."""
    for document in package.documents:
        starts = {id(d.paragraph) for d in document.definitions}
        for d in document.definitions:
            if d.kind == "meaning" or not _same_term(d.term, term):
                continue
            paragraphs = document.paragraphs
            at = next((i for i, p in enumerate(paragraphs) if p is d.paragraph), None)
            if at is None:
                continue
            if clause in d.paragraph.text[d.end:]:
                return True
            level = d.paragraph.level
            for p in paragraphs[at + 1:at + 40]:
                item = p.text.lstrip().startswith("(") if p.number is None else (level is None or p.level > level)
                if id(p) in starts or not item:
                    break
                if p.text.lstrip().startswith(clause) or (p.label or "").strip().rstrip(".") == clause:
                    return True
            return False
    return None


def _and(items) -> str:
    items = list(items)
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _missing_message(package: Package, document: Document, ref: Reference) -> str:
    para = ref.paragraph
    key = normalise_number(ref.target)
    word = "Article" if ref.kind == "article" else "Section"
    if ref.local:
        section = document.section_of(para)
        if section is None:
            return f"{ref.text} does not exist: the reference stands outside any numbered section"
        if "." not in key and "(" not in key:
            return (f"{ref.text} does not exist: the reference stands in "
                    f"{_describe(section.number, section.level)}, which is not within a Section {key}")
        outline = document.outline_of(para)
        return f"{word} {key} does not exist: {_explain_missing(outline, key, ref.kind)}"
    target_doc, outline = _outline_for(package, para)
    where = _where(target_doc, document)
    return f"{word} {key} does not exist{where}: {_explain_missing(outline, key, ref.kind)}"


MISSING = Rule(
    code="xref.missing",
    name="missing-cross-reference",
    severity=Severity.ERROR,
    description=("A reference to a section, article, exhibit or schedule that does not exist — including "
                 "“this Section 6” outside any Section 6, another document's numbering, a glossary pointing "
                 "past the agreement's outline — a REF field to a missing bookmark, or Word's "
                 "“Error! Reference source not found.”"),
    find=_find_missing,
    fails=(
        example(
            "T|Certificate of Designations",
            "1|Terms of Preferred Stock.",
            "2|Dividends. Dividends are payable upon each conversion pursuant to Section IV.G.",
            "2|Conversion.",
            "3|Mechanics. The Holder may convert at any time.",
            note="Section IV.G in a certificate whose only article is I",
        ),
        example(
            "T|Securities Purchase Agreement",
            "1|Purchase and Sale.",
            "2|Purchase Amount. Purchaser will pay the purchase price.",
            "2|Closing. The closing takes place as set forth in Section II.D.",
            "1|Covenants.",
            "2|Reservation. Company shall reserve shares.",
            note="Section II.D when Article II ends at Section II.B",
        ),
        example(
            "T|Certificate of Designations",
            "1|Terms.",
            "2|Limitations.",
            "3|The Holder may change the limitation provisions of this Section 6 on notice.",
            note="local reference: “this Section 6” inside Section I.B.1",
        ),
        example(
            "T|Certificate of Designations",
            "1|Terms.",
            "2|Designation. The Preferred Stock will be designated Series J.",
            "2|Dividends. Dividends are payable as provided in this Section II.A.",
            note="local reference to a section the document does not have",
        ),
        example(
            "T|Agreement",
            "1|Definitions.",
            "1|Purchase and Sale.",
            "2|Closing. Subject to the conditions set forth in Section 2.1(a), the closing will occur.",
            note="a reference in another document's numbering scheme (2.1 in a I./A./1. document)",
        ),
        example(
            "T|Agreement",
            "1|Definitions.",
            "1|Covenants.",
            "B|The covenants of Article IV survive each closing.",
            note="Article IV in a document with Articles I and II",
        ),
        example(
            "T|Agreement",
            "1|Purchase and Sale.",
            "2|Closing. The conditions set forth in Error! Reference source not found. must be satisfied.",
            note="Word's error text for a broken REF field",
        ),
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Securities Purchase Agreement",
                    "1|Purchase and Sale.",
                    '2|Purchase Amount. Purchaser will pay $3,000,000 (the "Purchase Amount").',
                    "2|Closing. The closing takes place in Boulder.",
                )),
                ("glossary.docx", (
                    "C|Exhibit 1",
                    "T|Glossary of Defined Terms",
                    '''D|"Purchase Amount" has the meaning set forth in Section I.A.1.''',
                )),
            ),
            note="a glossary pointing below the agreement's outline (Section I.A has no subsections)",
        ),
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Securities Purchase Agreement",
                    "1|Purchase and Sale.",
                    "2|Deliveries. Company delivers the certificate in the form attached as Exhibit 3.",
                )),
                ("glossary.docx", (
                    "C|Exhibit 1",
                    "T|Glossary of Defined Terms",
                    '''D|"Act" means the Securities Act of 1933.''',
                )),
            ),
            note="Exhibit 3 when the package holds Exhibit 1 only",
        ),
        example(
            "T|Agreement",
            "1|Definitions.",
            '2|Terms. "Removal Conduct" means (i) fraud or (ii) gross negligence.',
            "1|Removal.",
            "2|Notice. The conduct described in clause (iv) of the definition of “Removal Conduct” suffices.",
            note="a clause of a definition that the definition does not have",
        ),
    ),
    passes=(
        example(
            "T|Agreement",
            "1|Allocations.",
            "2|Gain. Regulations Sections 1.704-2(g)(1) and 1.704-2(i)(5), Code Section 705(a)(2)(B) and "
            "Sections 17-402(a)(4)-(5) of the Act, Section 4(a)(2) of the Securities Act, Rule 506(b) of "
            "Regulation D, Section 1202 of the Code, IRC §1202, Cal. Corp. Code §25102, Section 2-207 of the "
            "UCC, Sections 704(b) and (c) of the Code, Section 3(42) of ERISA, DGCL Section 243(a) and "
            "Kan. Stat. Section 44-130 apply, as do Internal Revenue Service Form 1065, Schedule K-1.",
            "2|Filing. This agreement was filed as Exhibit 10.1 to the Company's Current Report on Form 8-K.",
            note="statute, regulation and code citations and filing labels are not internal references",
        ),
        example(
            "T|Request List",
            "1|Section A — Corporate Organization",
            "2|A.1 Certificate of incorporation and bylaws.",
            "1|Section B — Financial and Tax",
            "2|B.1 Tax returns for the past 6 years (Section A); see also Section A.1 and this Section B.",
            note="a heading's own typed label is not a reference to itself; typed labels may be referred to",
        ),
        example(
            "T|Agreement",
            "1|Definitions.",
            '2|Terms. "Removal Conduct" means (i) fraud or (ii) gross negligence.',
            "1|Removal.",
            "2|Notice. The conduct described in clause (i) or clause (ii) of the definition of “Removal Conduct” "
            "suffices; so does the conduct in clause (c) of the definition of “Cause”.",
            note="clauses of a definition elsewhere; a definition outside the package is not checked",
        ),
        example(
            "T|Certificate of Designations",
            "B|The resolutions were adopted under Section 151 of the Delaware General Corporation Law.",
            "1|Terms.",
            "2|Dividends. Dividends are payable upon conversion pursuant to Section I.B.2.",
            "2|Conversion.",
            "3|Mechanics. The Holder may convert at any time, subject to Section I.C.1(a).",
            "3|Holder Conversion. Any adjustment under this Section I.B.2 is effective on the date set forth "
            "in this Section 2.",
            "2|Limitations.",
            "3|Beneficial ownership is determined under Section 13(d) of the Exchange Act and Rule 13d-3.",
            "4|the Holder may waive this limitation under this Section I.C.1;",
            "4|a U.S. person as defined in Section 7701(a)(30) of the U.S. Internal Revenue Code.",
            note="internal references that exist; statutory citations are not cross-references",
        ),
        example(
            "T|Agreement",
            "B|The offer is made under Section 4(2) of the Act and Rule 506 of Regulation D.",
            "1|Purchase and Sale.",
            "2|Deliveries. Company delivers (a) this Agreement, (b) the certificate and (c) the opinion.",
            "2|Closing. Upon delivery of the items in clauses (a) and (b) of Section I.A above, the closing "
            "occurs; Article I governs and Exhibit 2 is attached.",
            note="inline clauses, an article, and an exhibit when the package holds no exhibits",
        ),
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Securities Purchase Agreement",
                    "1|Purchase and Sale.",
                    '2|Purchase Amount. Purchaser will pay $3,000,000 (the "Purchase Amount").',
                    "2|Deliveries. Company delivers the certificate attached as Exhibit 2.",
                    "3|this Agreement; and",
                )),
                ("glossary.docx", (
                    "C|Exhibit 1",
                    "T|Glossary of Defined Terms",
                    '''D|"Purchase Amount" has the meaning set forth in Section I.A.''',
                    '''D|"Agreement" means the agreement to which this glossary is Exhibit 1.''',
                )),
                ("certificate.docx", (
                    "C|Exhibit 2",
                    "T|Certificate of Designations",
                    "1|Terms.",
                    "2|Dividends. As set forth in Section I.B.",
                    "2|Conversion.",
                )),
            ),
            note="a glossary resolves against the agreement; exhibits present in the package",
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# xref.misdirected


def _term_key(term: str) -> str:
    """Terms with the same key are the same term ("Holder", "Holders", "holders")."""
    return term.strip().lower().rstrip("s")


def _same_term(a: str, b: str) -> bool:
    return _term_key(a) == _term_key(b)


class _Definitions:
    """Every defining (not pointing) definition of a package, indexed once by term."""

    def __init__(self, package: Package) -> None:
        self.by_key: dict[tuple[int, str], list[Definition]] = {}
        for document in package.documents:
            for d in document.definitions:
                if d.kind != "meaning":
                    self.by_key.setdefault((id(document), _term_key(d.term)), []).append(d)

    def of(self, document: Document, term: str) -> list[Definition]:
        return self.by_key.get((id(document), _term_key(term)), [])


def _defines(index: _Definitions, document: Document, top: Paragraph, term: str) -> bool:
    """Whether the section *top* defines *term*: a definition read there, or the term in quotation
    marks, however the sentence around it is built ("(each such closing, a “Subsequent Closing”)",
    "shall be an “Excused Limited Partner”")."""
    subtree = _subtree(document, top)
    inside = {id(p) for p in subtree}
    if any(id(d.paragraph) in inside for d in index.of(document, term)):
        return True
    quoted = re.compile(rf"[“\"]{re.escape(term.strip())}s?[”\"]", re.IGNORECASE)
    return any(quoted.search(p.text) for p in subtree)


def _defined_where(index: _Definitions, package: Package, term: str,
                   prefer: Document | None) -> Paragraph | None:
    documents = ([prefer] if prefer is not None else []) + [d for d in package.documents if d is not prefer]
    for document in documents:
        for d in index.of(document, term):
            if d.paragraph.number is not None:
                return d.paragraph
            if d.paragraph.section is not None:
                return document.section_of(d.paragraph)
    return None


def _find_misdirected(ctx: Context) -> Iterator[Finding]:
    package = ctx.package
    order = _positions(package)
    index = _Definitions(package)
    for document in package.documents:
        yield from _meaning_targets(ctx, package, document, index)
        yield from _directions(ctx, package, document, order)
        yield from _fields(ctx, document)


def _meaning_targets(ctx: Context, package: Package, document: Document,
                     index: _Definitions) -> Iterator[Finding]:
    """"X" has the meaning set forth in Section Y, where Section Y does not define X."""
    for definition in document.definitions:
        if definition.kind != "meaning" or not definition.target:
            continue
        para = definition.paragraph
        target_text = definition.target
        refs = [r for r in find_references(_probe(para, target_text)) if r.kind in ("section", "article")]
        if refs:
            ref = refs[0]
            if ref.other_document:
                continue  # "Section 4.1 of the Purchase Agreement": not this package's outline, perhaps
            target = package.resolve(ref.target, para, ref.local, kind=ref.kind)
            if target is None:
                continue  # xref.missing reports it
            owner = package.document_of(target)
            if owner is None or _defines(index, owner, target, definition.term):
                continue
            where = _defined_where(index, package, definition.term, owner)
            named = _describe(target.number, target.level)
            snippet = _snippet(para, ref.text, definition)
            if where is not None and where.number is not None:
                message = (f"“{definition.term}” is defined in {_describe(where.number, where.level)}, "
                           f"not in {named}")
            elif target.heading and _same_term(target.heading, definition.term):
                message = (f"{named} is headed “{target.heading}” but does not define “{definition.term}” "
                           f"(nothing there reads (the “{definition.term}”) or “{definition.term}” means)")
            else:
                message = f"{named} does not define “{definition.term}”"
            yield _finding(ctx, MISDIRECTED, para, snippet, message, para.text.find(snippet, definition.end))
        elif _FIRST_PARAGRAPH.search(target_text):
            opening = _opening_paragraphs(package, document, para)
            if not opening:
                continue
            owner = package.document_of(opening[0])
            if owner is None:
                continue
            ids = {id(p) for p in opening}
            if any(id(d.paragraph) in ids for d in index.of(owner, definition.term)):
                continue
            where = _defined_where(index, package, definition.term, owner)
            place = (f"in {_describe(where.number, where.level)}" if where is not None and where.number
                     else "elsewhere" if where is not None else "nowhere in the package")
            yield _finding(ctx, MISDIRECTED, para, target_text,
                              f"the first paragraph does not define “{definition.term}”; it is defined {place}",
                              para.text.find(target_text, definition.end))


def _probe(para: Paragraph, text: str) -> Paragraph:
    return Paragraph(document=para.document, part=para.part, index=para.index, text=text,
                     section=para.section, exhibit=para.exhibit)


def _snippet(para: Paragraph, ref_text: str, definition: Definition) -> str:
    return ref_text if ref_text in para.text else definition.target or definition.term


def _opening_paragraphs(package: Package, document: Document, para: Paragraph) -> list[Paragraph]:
    """The unnumbered opening paragraphs of the main document the glossary belongs to."""
    main = _main_outline(package)
    owner = main[0] if main else document
    key = None
    if owner is document and para.exhibit is not None and None in owner.outlines:
        key = None
    elif main:
        key = next((k for k, o in owner.outlines.items() if o is main[1]), None)
    out = []
    for p in owner.paragraphs:
        if p.part != "body" or p.exhibit != key or is_toc_entry(p):
            continue
        if p.number is not None:
            break
        if p.text.strip():
            out.append(p)
    return out


def _directions(ctx: Context, package: Package, document: Document, order: dict[int, int]) -> Iterator[Finding]:
    """"Section N above" where Section N comes later (or "below" where it came earlier)."""
    clause_spans = _clause_spans(document)
    for ref in document.references:
        if ref.direction is None:
            continue
        para = ref.paragraph
        here = order.get(id(para))
        if ref.kind == "clause":
            hits = _clause_found(document, ref, clause_spans)
            if not hits:
                continue
            same = [pos for p, pos in hits if p is para]
            if same:
                before = any(pos < ref.start for pos in same)
                after = any(pos > ref.start for pos in same)
            else:
                before = any(order[id(p)] < here for p, _ in hits)
                after = any(order[id(p)] > here for p, _ in hits)
            wrong = (ref.direction == "above" and not before) or (ref.direction == "below" and not after)
            if wrong:
                where = "after" if ref.direction == "above" else "before"
                yield _finding(ctx, MISDIRECTED, para, _with_direction(para, ref),
                                  f"clause {ref.target} stands {where} this reference, not {ref.direction} it",
                                  ref.start)
            continue
        if ref.kind not in ("section", "article") or ref.other_document:
            continue
        target = package.resolve(ref.target, para, ref.local, kind=ref.kind)
        if target is None or target.document != para.document or target.exhibit != para.exhibit:
            continue
        there = order.get(id(target))
        if target is para:
            continue
        enclosing = document.section_of(para)
        if target is enclosing or target in (enclosing.ancestors if enclosing else []):
            if ref.direction == "below":  # the section the reference stands in began above it
                yield _finding(ctx, MISDIRECTED, para, _with_direction(para, ref),
                               f"{_describe(target.number, target.level)} is the section this reference stands "
                               "in, which begins above it, not below; another section is probably meant",
                               ref.start)
            continue
        if ref.direction == "above" and there > here:
            yield _finding(ctx, MISDIRECTED, para, _with_direction(para, ref),
                              f"{_describe(target.number, target.level)} comes after this reference, not above it",
                              ref.start)
        elif ref.direction == "below" and there < here:
            yield _finding(ctx, MISDIRECTED, para, _with_direction(para, ref),
                              f"{_describe(target.number, target.level)} comes before this reference, not below it",
                              ref.start)


def _with_direction(para: Paragraph, ref: Reference) -> str:
    m = re.match(r"\s*(?:hereof\s+)?(?:above|below)", para.text[ref.end:])
    return para.text[ref.start: ref.end + (m.end() if m else 0)]


def _expected(document: Document, f: RefField, target: Paragraph, switches: set[str]) -> list[str] | None:
    """The texts Word would show for REF field *f* (its *switches*) to *target*; None when it shows no number."""
    label = target.list_label
    if "\\w" in switches:
        wanted = [target.number] if target.number else []
        if label is not None:
            wanted.insert(0, label.full_context())
        return wanted
    if "\\r" in switches:
        if label is not None:
            position = document.section_of(f.paragraph)
            other = position.list_label if position is not None else None
            return [label.relative_to(other)]
        if target.number:
            return [_relative(target.number, document.section_of(f.paragraph))]
        return []
    if "\\n" in switches:
        if label is not None:
            return [label.no_context()]
        return [target.label.rstrip(".")] if target.label else []
    return None


def _relative(number: str, position: Paragraph | None) -> str:
    parts = number_components(number)
    here = number_components(position.number) if position is not None and position.number else []
    shared = 0
    while shared < len(parts) - 1 and shared < len(here) and parts[shared] == here[shared]:
        shared += 1
    rest = parts[shared:]
    return "".join(p if p.startswith("(") or i == 0 else "." + p for i, p in enumerate(rest))


def _fields(ctx: Context, document: Document) -> Iterator[Finding]:
    """REF fields whose cached result is an error or not the number of their target."""
    refs_of: dict[int, list[Reference]] = {}
    for ref in document.references:
        refs_of.setdefault(id(ref.paragraph), []).append(ref)
    for f in document.ref_fields:
        target = document.bookmarks.get(f.bookmark)
        if f.bookmark not in document.bookmarks or target is None:
            continue
        snippet, offset = _field_snippet(refs_of.get(id(f.paragraph), []), f)
        if "Error!" in f.cached:
            yield _finding(ctx, MISDIRECTED, f.paragraph, snippet,
                              f"the cross-reference field to bookmark {f.bookmark} shows an error; update "
                              f"fields (its target is {_describe(target.number, target.level)})", offset)
            continue
        switches = f.switches
        expected = _expected(document, f, target, switches)
        if expected is None:
            continue
        shown = f.cached.strip()
        if "\\p" in switches:
            shown = re.sub(r"\s+(?:above|below)$", "", shown)
        if not expected:
            yield _finding(ctx, MISDIRECTED, f.paragraph, snippet,
                              f"the cross-reference field shows “{shown}” but its bookmark {f.bookmark} marks "
                              "a paragraph without a number", offset)
            continue
        if shown in expected or normalise_number(shown) in {normalise_number(e) for e in expected}:
            continue
        yield _finding(ctx, MISDIRECTED, f.paragraph, snippet,
                          f"the cross-reference shows “{shown}” but its target is now "
                          f"{_describe(target.number, target.level)} (“{expected[0]}”); update fields", offset)


def _field_snippet(references: list[Reference], f: RefField) -> tuple[str, int]:
    """The reference text around a field ("Section II.B") among its paragraph's *references*, else its
    cached text, and its offset."""
    for ref in references:
        if ref.start <= f.start < ref.end + 1 and f.end <= ref.end + 1:
            return ref.text, ref.start
    return (f.cached, f.start) if f.cached else (f.instruction, -1)


MISDIRECTED = Rule(
    code="xref.misdirected",
    name="misdirected-cross-reference",
    severity=Severity.ERROR,
    description=("A reference whose target exists but is evidently not the one meant: a glossary sending "
                 "the reader to a section that does not define the term; “above” or “below” pointing the "
                 "wrong way; a REF field whose cached text is not its target's number or shows an error."),
    find=_find_misdirected,
    fails=(
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Securities Purchase Agreement",
                    "1|Purchase and Sale.",
                    '2|Purchase Amount. Purchaser will pay $3,000,000 (the "Purchase Amount").',
                    "2|Closing. The closing takes place in Boulder.",
                )),
                ("glossary.docx", (
                    "C|Exhibit 1",
                    "T|Glossary of Defined Terms",
                    '''D|"Purchase Amount" has the meaning set forth in Section I.B.''',
                )),
            ),
            note="the glossary sends the reader to Section I.B; the term is defined in Section I.A",
        ),
        example(
            "T|Securities Purchase Agreement",
            "1|Purchase and Sale.",
            "2|Conditions. All conditions set forth in Section I.C above must be satisfied.",
            "2|Deliveries. Company delivers this Agreement.",
            "2|Closing. The closing occurs on the Effective Date.",
            note="“above” pointing to a section that comes later",
        ),
        example(
            "T|Securities Purchase Agreement",
            "1|Purchase and Sale.",
            "2|Deliveries. Company delivers this Agreement.",
            "2|Closing. Once the documents listed in Section I.A below are delivered, the closing occurs.",
            note="“below” pointing back",
        ),
        example(
            "T|Securities Purchase Agreement",
            "1|Representations and Warranties.",
            "2|Acknowledgments Regarding Purchaser. Company acknowledges that:",
            "3|Purchaser makes no representations other than those set forth in Section I.A below; and",
            "3|Purchaser is not acting as an advisor to Company.",
            "2|Representations of Purchaser. Purchaser represents as follows.",
            note="“below” pointing to the section the reference stands in (the seed's Section III.C below)",
        ),
        example(
            "T|Securities Purchase Agreement",
            '''B|This Agreement (this "Agreement") is made by Ascent Solar Technologies, Inc. ("Company").''',
            "1|Purchase and Sale.",
            '''2|Closing. The closing (the "Closing") occurs on the Effective Date.''',
            '''B|"Purchaser" has the meaning set forth in the first paragraph of this Agreement.''',
            note="the opening paragraph does not define the term the glossary line sends the reader to",
        ),
    ),
    passes=(
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Securities Purchase Agreement",
                    '''B|This Agreement (this "Agreement") is made by Company ("Company") '''
                    '''and Purchaser ("Purchaser").''',
                    "1|Purchase and Sale.",
                    '2|Purchase Amount. Purchaser will pay $3,000,000 (the "Purchase Amount").',
                    "2|Closing. The closings (each, a \"Closing\") follow the conditions in Section I.A above.",
                    "3|Material Permits. Company holds all permits (\"Material Permits\").",
                )),
                ("glossary.docx", (
                    "C|Exhibit 1",
                    "T|Glossary of Defined Terms",
                    '''D|"Purchase Amount" has the meaning set forth in Section I.A.''',
                    '''D|"Closing" has the meaning set forth in Section I.B.''',
                    '''D|"Material Permits" has the meaning set forth in Section I.B.''',
                    '''D|"Purchaser" has the meaning set forth in the first paragraph of the Agreement.''',
                )),
            ),
            note="each glossary target defines its term (in the section or a subsection of it)",
        ),
        Example(
            documents=(
                ("agreement.docx", (
                    "T|Limited Partnership Agreement",
                    '1|Definitions. "Subsequent Closing" has the meaning set forth in Section 2.1. "Excused '
                    'Partner" has the meaning set forth in Section 2.2. "Term" has the meaning set forth in '
                    "Section 2.3 (Term).",
                    "1|Closings.",
                    '2|The General Partner may hold further closings (each such closing, a “Subsequent Closing”).',
                    "2|A Limited Partner that does not participate shall be an “Excused Partner”.",
                    "2|Term. The Fund continues for ten years (such period being referred to as the “Term”).",
                )),
            ),
            note="terms defined in quotation marks however the sentence around them is built (a real LPA)",
        ),
        example(
            "T|Securities Purchase Agreement",
            "1|Purchase and Sale.",
            "2|Deliveries. Company delivers this Agreement.",
            "2|Conditions. The documents listed in Section I.A above must be delivered.",
            "2|Closing. The conditions in Section I.B above and the provisions of Section II.A below.",
            "1|Covenants.",
            "2|Reservation. Company shall reserve shares.",
            note="“above” and “below” pointing the right way",
        ),
    ),
)


RULES = (MISSING, MISDIRECTED)
