"""Where a paragraph stands, named as a lawyer names it.

"Section 9.4", "Exhibit 1 (Glossary of Defined Terms), “Purchase Amount”", "Recital B", "preamble",
"cover page", "signature page", "footnote 3 to Section 14.2", "footer". Never a file path and never
a bare "-". Each document's index (footnote anchors, signature page, definitions) is built once.
"""

from __future__ import annotations

import re

from lxml import etree

from assembler.docmodel.model import Document, Package, Paragraph
from assembler.docmodel.ooxml import qn
from assembler.docmodel.parse import NOTE_TAGS
from assembler.memo import keep, remember

_FOOTNOTE = NOTE_TAGS
_ID = qn("w:id")
_SIGNATURE_START = re.compile(r"^\s*(?:IN\s+WITNESS\s+WHEREOF|\[?Signature\s+[Pp]age)", re.IGNORECASE)
_SIGNATURE_LINE = re.compile(r"^\s*(?:By|Name|Title|Its|Signature|Date)\s*:", re.IGNORECASE)
_DEFINITION_START = re.compile(r"^\s*\[?\s*(?:\([a-z0-9]+\)\s*)?[“\"]")
_TITLE_STYLE = re.compile(r"title", re.IGNORECASE)
_COVER = re.compile(r"\bCover\s+Page\b")


class _Index:
    """What naming needs of one document, computed once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        body = [p for p in document.paragraphs if p.part == "body"]
        self.position = {id(p): i for i, p in enumerate(body)}
        self.body = body
        self.first_number = next((i for i, p in enumerate(body) if p.number is not None), len(body))
        # titles of the exhibits and schedules in the file, in order: (position, "Schedule 1 (Partner Commitments)")
        self.titles = sorted((self.position[id(p)], self._title_name(word, key, p))
                             for word, table in (("Exhibit", document.exhibits), ("Schedule", document.schedules))
                             for key, p in table.items() if id(p) in self.position)
        start = next((i for i, p in enumerate(body) if _SIGNATURE_START.match(p.text)), None)
        end = next((t for t, _ in self.titles if start is not None and t > start), len(body))
        self.signature = range(start, end) if start is not None else range(0)
        self.cover = any(_COVER.search(p.text) for p in body[: max(self.first_number, 1)])
        self.recitals = self._recitals()
        self.definition_at: dict[int, str] = {}   # paragraph that opens with a definition -> its term
        for d in document.definitions:
            if _DEFINITION_START.fullmatch(d.paragraph.text[: d.start]):
                self.definition_at.setdefault(id(d.paragraph), d.term)
        self.anchors = self._anchors()

    def _recitals(self) -> range:
        """Positions of the recitals: after a RECITALS (or WHEREAS) line, the paragraphs lettered A., B., ...
        in one list, up to the first paragraph numbered otherwise."""
        body = self.body
        start = next((i for i, p in enumerate(body[:200]) if re.match(r"^\s*(?:RECITALS|Recitals|WHEREAS)\b",
                                                                         p.text) and p.number is None), None)
        if start is None:
            return range(0)
        end, first, expected = len(body), None, "A"
        for i in range(start + 1, len(body)):
            p = body[i]
            if p.number is None:
                continue
            label = (p.label or "").strip().rstrip(".)").lstrip("(")
            list_id = p.list_label.abstract_id if p.list_label is not None else None
            if first is None:
                first = list_id
            if label != expected or list_id != first:
                end = i
                break
            expected = chr(ord(expected) + 1)
        return range(start, end)

    def _anchors(self) -> dict[tuple[str, str], tuple[int, Paragraph]]:
        """(part, note id) -> (note number as displayed, body paragraph holding its reference mark)."""
        out: dict[tuple[str, str], tuple[int, Paragraph]] = {}
        counters = {"footnotes": 0, "endnotes": 0}
        for p in self.body:
            if p.element is None:
                continue
            for part, (_note, ref_tag) in _FOOTNOTE.items():
                for ref in p.element.iter(ref_tag):
                    counters[part] += 1
                    out.setdefault((part, ref.get(_ID, "")), (counters[part], p))
        return out

    def _title_name(self, word: str, key: str, title: Paragraph) -> str:
        """'Exhibit 1 (Glossary of Defined Terms)': the designation and the name on the title or under it."""
        own = re.sub(r"^\s*\S+\s+\S+?[.:]?\s*[-–—:]?\s*", "", title.text).strip()
        at = self.position[id(title)]
        following = [p.text.strip() for p in self.body[at + 1: at + 4]]
        name = own if own and len(own) < 90 else next((t for t in following if t and len(t) < 90), None)
        if name and name.isupper():
            name = name.title()
        return f"{word} {key} ({name})" if name else f"{word} {key}"

    def part_name(self, at: int) -> str | None:
        """The exhibit or schedule the body paragraph at *at* stands in."""
        name = None
        for position, title in self.titles:
            if position > at:
                break
            name = title
        return name

    def definition_of(self, paragraph: Paragraph) -> tuple[Paragraph, str, str | None] | None:
        """(definition paragraph, term, clause) when *paragraph* is a definition or an item of one."""
        term = self.definition_at.get(id(paragraph))
        if term is not None:
            return paragraph, term, None
        at = self.position.get(id(paragraph))
        label = (paragraph.label or "").strip()
        if at is None or not label.startswith("("):
            return None
        for back in range(at - 1, max(-1, at - 40), -1):
            p = self.body[back]
            term = self.definition_at.get(id(p))
            if term is not None:
                return p, term, label
            if not (p.label or "").strip().startswith("(") and not p.text.lstrip().startswith("("):
                return None
        return None


_INDEXES: dict[int, tuple[Document, _Index]] = {}
remember(_INDEXES.clear)


def _index(document: Document) -> _Index:
    cached = _INDEXES.get(id(document))
    if cached is None or cached[0] is not document:
        cached = (document, _Index(document))
        keep(_INDEXES, id(document), cached, 33)
    return cached[1]


_NAMED = re.compile(r"^[A-Za-z]{2,}[ \u00a0]")


def section_name(number: str, level: int | None = None, article: bool = False) -> str:
    """'Article IV' for a top-level roman number (or any top-level number with *article*), 'Section 9' and
    'Section II.D' otherwise; a number that names itself ('Exhibit I', numbered by a list whose level reads
    "Exhibit %1") as it stands."""
    if _NAMED.match(number):
        return number
    top = level == 0 and "." not in number and "(" not in number
    return f"Article {number}" if top and (article or not number.isdigit()) else f"Section {number}"


def document_title(document: Document) -> str:
    """The document's title as its first page shows it ("Securities Purchase Agreement"), else its file name."""
    for p in document.paragraphs[:12]:
        if p.part != "body":
            break
        text = " ".join(p.text.split())
        if text and (_TITLE_STYLE.search(p.style or "") or (len(text) < 90 and text.upper() == text
                                                             and any(c.isalpha() for c in text))):
            return text.title() if text.isupper() else text
    return document.name


def place_of(paragraph: Paragraph, document: Document | None) -> str:
    """Where *paragraph* stands, as a lawyer would say it."""
    if document is None:
        return f"Section {paragraph.section}" if paragraph.section else "the document"
    index = _index(document)
    part = paragraph.part
    if part in _FOOTNOTE:
        note_tag = _FOOTNOTE[part][0]
        note = paragraph.element.getparent() if paragraph.element is not None else None
        while note is not None and note.tag != note_tag:
            note = note.getparent()
        found = index.anchors.get((part, note.get(_ID, ""))) if isinstance(note, etree._Element) else None
        word = "footnote" if part == "footnotes" else "endnote"
        if found is None:
            return word
        number, anchor = found
        return f"{word} {number} to {place_of(anchor, document)}"
    if part != "body":
        return "header" if "header" in part else "footer" if "footer" in part else part
    at = index.position.get(id(paragraph), 0)
    exhibit = index.part_name(at)
    prefix = f"{exhibit}, " if exhibit else ""
    if at in index.signature:
        return f"{prefix}signature page"
    if _SIGNATURE_LINE.match(paragraph.text) and at > index.first_number:
        return f"{prefix}signature page"
    if at in index.recitals:
        section = document.section_of(paragraph)
        letter = (section.label or "").strip().rstrip(".)").lstrip("(") if section is not None else ""
        return f"Recital {letter}" if letter else "recitals"
    definition = index.definition_of(paragraph)
    if definition is not None:
        opening, term, clause = definition
        where = f"“{term}”" + (f", clause {clause}" if clause else "")
        if exhibit:
            return f"{prefix}{where}"
        owner = document.section_of(opening) if opening.number is None else opening.parent
        while owner is not None and (owner.label or "").strip().startswith("("):
            owner = owner.parent  # an unnumbered definition after the clauses of the one before it
        if owner is not None and owner.number:
            return f"{section_name(owner.number, owner.level)}, {where}"
        return where
    if paragraph.section and not exhibit:
        section = document.section_of(paragraph)
        return section_name(paragraph.section, section.level if section is not None else None)
    if paragraph.section and paragraph.exhibit:
        return prefix + section_name(paragraph.section)
    if exhibit:
        return exhibit
    return "cover page" if index.cover else "preamble"


def place_in(package: Package | None, paragraph: Paragraph) -> str:
    return place_of(paragraph, package.document_of(paragraph) if package is not None else None)
