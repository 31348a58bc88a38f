"""The document model the consistency pass works on: paragraphs that know where they are.

Built by `assembler.docmodel.parse` from any .docx (numbered by Word or with typed labels). Plain
data: no XML parsing here, only what was read out of it, plus the lxml element of each paragraph
so that a report can anchor a comment on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    element: Any = None           # the lxml w:p element (not compared, not printed)

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


@dataclass(eq=False)
class RefField:
    """A REF field: its bookmark, switches and cached text."""

    bookmark: str
    instruction: str
    cached: str
    paragraph: Paragraph


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

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.part == "body"]


@dataclass(eq=False)
class Package:
    """Documents named together on one command line: cross-document rules apply among them."""

    documents: list[Document] = field(default_factory=list)
