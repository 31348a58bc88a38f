"""The document model the consistency pass works on: paragraphs that know where they are.

Built by `assembler.docmodel.parse` from any .docx (numbered by Word or with typed labels). Plain
data: no XML parsing here, only what was read out of it, plus the lxml element of each paragraph
so that a report can anchor a comment on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SWITCH = re.compile(r"\\[a-zA-Z*]")
_PREFIX = re.compile(r"^(?:ARTICLE|Article|SECTION|Section|Sections|Articles)\s+")
_DOT_PAREN = re.compile(r"\.(?=\()")
_UPPER_PAREN = re.compile(r"\(([A-Z0-9]+)\)")
_ANY_PAREN = re.compile(r"\(([A-Za-z0-9]+)\)")
_TRAILING_PAREN = re.compile(r"^(.+?)(\([A-Za-z0-9]+\))$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMANS = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
           "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass(eq=False)
class Paragraph:
    """One w:p of one story (part) of one document."""

    document: str                 # file name as given on the command line
    part: str                     # "body", "footnotes", "endnotes", "word/footer1.xml", ...
    index: int                    # 0-based index of the paragraph within its part
    text: str                     # visible text, without the list label (typed or automatic)
    label: str | None = None      # the label as displayed: "II.", "(a)", "Section 2.1", "ARTICLE IV"
    number: str | None = None     # outline number in full context: "II.D", "III.B.6", "2.1(a)"; None if unnumbered
    level: int | None = None      # outline depth of a numbered paragraph: 0 article, 1 section, 2 subsection, 3 clause
    literal: bool = False         # label typed as text rather than computed by Word's numbering
    heading: str | None = None    # run-in or stand-alone heading of this paragraph ("Closing")
    section: str | None = None    # number of the innermost numbered paragraph containing this one ("II.D")
    section_heading: str | None = None
    style: str | None = None      # paragraph style name
    element: Any = field(default=None, repr=False)  # the lxml w:p element (not compared, not printed)
    exhibit: str | None = None    # the exhibit this paragraph belongs to ("1", "2"); None in the main document
    parent: Paragraph | None = field(default=None, repr=False)  # the numbered paragraph one outline level up
    list_label: Any = field(default=None, repr=False)  # numbering.ListLabel of a Word-numbered paragraph

    @property
    def ancestors(self) -> list[Paragraph]:
        """This numbered paragraph and the numbered paragraphs above it, innermost first."""
        out: list[Paragraph] = []
        node: Paragraph | None = self
        while node is not None and len(out) < 32:
            out.append(node)
            node = node.parent
        return out

    @property
    def displayed(self) -> str:
        """Label and text as a reader sees them."""
        return f"{self.label} {self.text}" if self.label else self.text


@dataclass(eq=False)
class Definition:
    """A defined term: ("Term"), "Term" means ..., "Term" has the meaning set forth in Section X, each a "Holder"."""

    term: str
    kind: str                     # "means" | "includes" | "meaning" | "inline"
    wording: str                  # text after "means"/"includes" (normalised spaces); "" for inline
    paragraph: Paragraph
    target: str | None = None     # for kind "meaning": the reference text, e.g. "Section II.D"
    start: int = 0                # offset of the term in paragraph.text
    end: int = 0


@dataclass(eq=False)
class Reference:
    """A textual cross-reference: 'Section III.B.6', 'this Section 6', 'Article IV', 'Exhibit 2', 'clause (c) above'."""

    kind: str                     # "section" | "article" | "exhibit" | "schedule" | "clause"
    text: str                     # exactly as in the document: "Section IV.G", "this Section 6"
    target: str                   # the designation: "IV.G", "6", "2", "(c)"
    paragraph: Paragraph
    start: int                    # offsets of text in paragraph.text
    end: int
    local: bool = False           # "this Section ..."
    direction: str | None = None  # "above" | "below" | None
    in_field: bool = False        # the number is the cached result of a REF field
    other_document: str | None = None  # "the Purchase Agreement" in "Section 4.1 of the Purchase Agreement"


@dataclass(eq=False)
class RefField:
    """A REF field: its bookmark, switches and cached text."""

    bookmark: str
    instruction: str
    cached: str
    paragraph: Paragraph
    start: int = 0                # offsets of the cached result in paragraph.text (0, 0 if it spans paragraphs)
    end: int = 0

    @property
    def switches(self) -> set[str]:
        """Lower-cased switches of the instruction: {"\\w", "\\h"}."""
        return {s.lower() for s in _SWITCH.findall(self.instruction)}


@dataclass(eq=False)
class Document:
    """One .docx read for checking."""

    path: str
    name: str
    paragraphs: list[Paragraph] = field(default_factory=list)       # every story, body first
    outline: dict[str, Paragraph] = field(default_factory=dict)     # full number -> paragraph ("II.D")
    definitions: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    ref_fields: list[RefField] = field(default_factory=list)
    bookmarks: dict[str, Paragraph | None] = field(default_factory=dict)
    comments: int = 0             # w:comment elements in the comments part
    revisions: int = 0            # w:ins / w:del / w:moveFrom / w:moveTo / pPrChange... in the body
    exhibit: str | None = None    # "1", "2" when the document is (or opens with) "Exhibit N"
    literal_numbering: bool = False
    # Outline of each part of a combined file, keyed by Paragraph.exhibit (None: the main document).
    # `outline` is the outline of the document's first part.
    outlines: dict[str | None, dict[str, Paragraph]] = field(default_factory=dict)
    exhibits: dict[str, Paragraph] = field(default_factory=dict)   # "2" -> its "Exhibit 2" title paragraph
    schedules: dict[str, Paragraph] = field(default_factory=dict)  # "1" -> its "Schedule 1" title paragraph
    # Labels typed at the start of Word-numbered paragraphs ("Section D — Financial and Tax", "D.4 Tax
    # returns"), per part of the file as `outlines`: a reference may use them instead of Word's numbers.
    aliases: dict[str | None, dict[str, Paragraph]] = field(default_factory=dict)
    _extent: dict[int, tuple[int, int]] | None = field(default=None, repr=False, compare=False)

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.part == "body"]

    def subtree(self, top: Paragraph) -> list[Paragraph]:
        """*top* and every body paragraph within it (numbered descendants and the text under them)."""
        if self._extent is None:
            self._extent = _extents(self.paragraphs)
        span = self._extent.get(id(top))
        return self.paragraphs[span[0]: span[1]] if span else [top]

    def outline_of(self, paragraph: Paragraph | None) -> dict[str, Paragraph]:
        """The outline of the part of the file *paragraph* stands in (the first part if None)."""
        if paragraph is None or paragraph.part != "body":
            return self.outline
        return self.outlines.get(paragraph.exhibit, {})

    def section_of(self, paragraph: Paragraph) -> Paragraph | None:
        """The innermost numbered paragraph containing *paragraph* (itself if numbered)."""
        if paragraph.number is not None:
            return paragraph
        if paragraph.section is None:
            return None
        return self.outline_of(paragraph).get(paragraph.section)

    def resolve(self, target: str, from_paragraph: Paragraph | None = None, local: bool = False,
                outline: dict[str, Paragraph] | None = None, kind: str = "section") -> Paragraph | None:
        """The paragraph numbered *target* ("III.B.6", "Article IV", "2.1(a)"); None if there is none.

        *local* ("this Section 3") resolves against the sections containing *from_paragraph*: one of
        them must be numbered *target* in full or end with it. A trailing clause such as "(a)" that
        is not a paragraph of its own resolves to its section when that section's text has it.
        """
        if outline is None:
            outline = self.outline_of(from_paragraph)
        article = kind == "article" or target.strip().lower().startswith("article")
        key = normalise_number(target)
        if not key:
            return None
        if local:
            section = self.section_of(from_paragraph) if from_paragraph is not None else None
            for node in section.ancestors if section is not None else ():
                number = node.number or ""
                if number == key or number_components(number)[-1:] == [key]:
                    return node
            alias = self.aliases.get(from_paragraph.exhibit, {}).get(key) if from_paragraph is not None else None
            if alias is not None and section is not None and alias in section.ancestors:
                return alias
            if "." not in key and "(" not in key:
                return None
        found = lookup_number(outline, key, article=article)
        if found is None and from_paragraph is not None and from_paragraph.part == "body":
            aliases = self.aliases.get(from_paragraph.exhibit)
            if aliases:
                found = lookup_number(aliases, key)
        return found


def _extents(paragraphs: list[Paragraph]) -> dict[int, tuple[int, int]]:
    """(start, end) index of each numbered body paragraph's subtree, in one pass."""
    extent: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Paragraph, int]] = []
    exhibit: object = ()
    end = len(paragraphs)
    for i, para in enumerate(paragraphs):
        if para.part != "body":
            end = i
            break
        if para.exhibit != exhibit:
            while stack:
                top, start = stack.pop()
                extent[id(top)] = (start, i)
            exhibit = para.exhibit
        if para.number is None:
            continue
        chain = {id(p) for p in para.ancestors}
        while stack and id(stack[-1][0]) not in chain:
            top, start = stack.pop()
            extent[id(top)] = (start, i)
        stack.append((para, i))
    while stack:
        top, start = stack.pop()
        extent[id(top)] = (start, end)
    return extent


def normalise_number(target: str) -> str:
    """'Section II.D.' -> 'II.D'; 'I.G.5.(a)' -> 'I.G.5(a)'; 'ARTICLE IV' -> 'IV'."""
    key = _PREFIX.sub("", target.strip()).strip().rstrip(".")
    return _DOT_PAREN.sub("", key)


def number_components(number: str) -> list[str]:
    """'I.G.5(a)' -> ['I', 'G', '5', '(a)']; '2.1(a)' -> ['2', '1', '(a)']."""
    return re.findall(r"\([^()]*\)|[^.()]+", number)


def _roman_value(text: str) -> int | None:
    if not text or any(ch not in _ROMAN_VALUES for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def lookup_number(outline: dict[str, Paragraph], key: str, article: bool = False) -> Paragraph | None:
    """*key* in *outline*, trying equivalent spellings ("II(A)(1)", inline clauses; for an *article*
    "4" for "IV" and back)."""
    found = outline.get(key)
    if found is not None:
        return found
    dotted = _UPPER_PAREN.sub(r".\1", key).lstrip(".")
    if dotted != key and dotted in outline:
        return outline[dotted]
    lettered = _ANY_PAREN.sub(r".\1", key).lstrip(".")   # "4.2(a)" for a list that shows "4.2" / "a."
    if lettered not in (key, dotted) and lettered in outline:
        return outline[lettered]
    if article:
        if key.isdigit() and int(key) < len(_ROMANS) and _ROMANS[int(key)] in outline:
            return outline[_ROMANS[int(key)]]
        value = _roman_value(key)
        if value is not None and str(value) in outline:
            return outline[str(value)]
    match = _TRAILING_PAREN.match(key)
    if match:  # "Section 4.2(b)": clause (b) written inline in Section 4.2
        base = lookup_number(outline, match.group(1))
        if base is not None and _has_inline_clause(base, match.group(2)):
            return base
    return None


def _has_inline_clause(paragraph: Paragraph, clause: str) -> bool:
    if clause in paragraph.text:
        return True
    return False


@dataclass(eq=False)
class Package:
    """Documents named together on one command line: cross-document rules apply among them."""

    documents: list[Document] = field(default_factory=list)

    def document_of(self, paragraph: Paragraph) -> Document | None:
        """The document *paragraph* belongs to."""
        for document in self.documents:
            if document.path == paragraph.document:
                return document
        return None

    def outlines(self) -> list[tuple[Document, str | None, dict[str, Paragraph]]]:
        """Every non-empty outline of the package: main documents first, then exhibits, file order."""
        found = [(d, key, o) for d in self.documents for key, o in d.outlines.items() if o]
        return sorted(found, key=lambda item: (item[1] is not None or item[0].exhibit is not None))

    def resolve(self, target: str, from_paragraph: Paragraph, local: bool = False,
                kind: str = "section") -> Paragraph | None:
        """Resolve a section number as the document where *from_paragraph* stands would mean it.

        A part of the package without an outline of its own (a glossary) refers to the outline of
        the package document that has one (the agreement first).
        """
        document = self.document_of(from_paragraph)
        if document is not None and document.outline_of(from_paragraph):
            return document.resolve(target, from_paragraph, local, kind=kind)
        if local:
            return None
        for other, _key, outline in self.outlines():
            found = other.resolve(target, None, False, outline=outline, kind=kind)
            if found is not None:
                return found
        return None

    def exhibit(self, designation: str) -> Paragraph | None:
        """The title paragraph of Exhibit *designation* anywhere in the package."""
        for document in self.documents:
            if designation in document.exhibits:
                return document.exhibits[designation]
        return None

    def schedule(self, designation: str) -> Paragraph | None:
        for document in self.documents:
            if designation in document.schedules:
                return document.schedules[designation]
        return None
