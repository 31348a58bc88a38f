""".docx -> document model: paragraphs with their place, labels, numbers, definitions, references, fields.

Two stages, as Pandoc's .docx reader: a close-to-OOXML scan of each paragraph (visible text, field
result spans, emphasised runs, bookmarks), then a mapping to `assembler.docmodel.model`. Numbers
come from Word's numbering (`numbering.NumberingEngine`) or from labels typed into the text
("II.", "(c)", "Section 2.1", "ARTICLE IV"), inferred with an outline stack; both forms of one
document give the same numbers ("II.D", "III.B.6", "I.G.5(a)", "2.1(a)").

Every read goes through `ooxml.read_package`, so broken or hostile input is one DocumentError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from lxml import etree

from assembler.docmodel import model
from assembler.docmodel.fields import bookmarks
from assembler.docmodel.labels import stories
from assembler.docmodel.model import Definition, Document, Package, Paragraph, RefField, Reference
from assembler.docmodel.numbering import ListLabel, NumberingEngine
from assembler.docmodel.ooxml import (Source, first_child, package_of, parse_xml, qn, read_package,
                                      story_paragraphs)
from assembler.docmodel.ooxml import Package as Parts
from assembler.memo import keep, kept, remember

__all__ = ["load_documents", "read_document", "literal_label", "find_definitions", "find_references",
           "auto_number"]

# ---------------------------------------------------------------------------------------------
# Stage 1: scan one w:p


_T, _TAB, _PTAB, _BR, _CR, _NBH = (qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr"),
                                  qn("w:noBreakHyphen"))
_P, _R, _RPR = qn("w:p"), qn("w:r"), qn("w:rPr")
_FLDCHAR, _INSTR, _FLDSIMPLE = qn("w:fldChar"), qn("w:instrText"), qn("w:fldSimple")
_FLDTYPE, _INSTR_ATTR, _VAL, _NAME = qn("w:fldCharType"), qn("w:instr"), qn("w:val"), qn("w:name")
_B, _U = qn("w:b"), qn("w:u")
_BOOKMARK = qn("w:bookmarkStart")
_SKIP = frozenset(qn(t) for t in ("w:pPr", "w:rPr", "w:del", "w:moveFrom", "w:delText", "w:delInstrText",
                                  "w:txbxContent", "w:footnoteReference", "w:endnoteReference",
                                  "mc:Fallback", "w:sym"))
_REVISION_TAGS = tuple(qn(t) for t in ("w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rPrChange",
                                       "w:pPrChange"))
_OFF = ("0", "false", "off", "none")


class _FieldState:
    """A complex field being read: instruction pieces, and where its result starts."""

    __slots__ = ("instr", "separated", "start", "scan")

    def __init__(self) -> None:
        self.instr: list[str] = []
        self.separated = False
        self.start = -1
        self.scan: _Scan | None = None


class _Scan:
    """What one paragraph shows: its text, the result span of each field, its emphasised runs."""

    __slots__ = ("out", "pos", "fields", "emphasis", "bookmarks")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pos = 0
        self.fields: list[tuple[str, int, int]] = []      # (instruction, start, end) of each result
        self.emphasis: list[tuple[int, int]] = []         # spans of bold or underlined text
        self.bookmarks: list[str] = []

    def add(self, text: str, emphasised: bool) -> None:
        if not text:
            return
        if emphasised:
            if self.emphasis and self.emphasis[-1][1] == self.pos:
                self.emphasis[-1] = (self.emphasis[-1][0], self.pos + len(text))
            else:
                self.emphasis.append((self.pos, self.pos + len(text)))
        self.out.append(text)
        self.pos += len(text)

    @property
    def text(self) -> str:
        return "".join(self.out)


def _emphasised(run: etree._Element) -> bool:
    rpr = first_child(run, _RPR)
    return rpr is not None and _emphasis_in(rpr)


def _emphasis_in(rpr: etree._Element) -> bool:
    """Whether run properties *rpr* make the run's text bold or underlined."""
    for child in rpr:
        if child.tag == _B and child.get(_VAL, "true").lower() not in _OFF:
            return True
        if child.tag == _U and child.get(_VAL, "single").lower() not in _OFF:
            return True
    return False


def _walk(element: etree._Element, scan: _Scan, stack: list[_FieldState],
          emphasised: bool | etree._Element) -> None:
    """Read what *element* shows into *scan*. *emphasised* says whether its text is bold or underlined, or is
    the run whose properties say so, read when text is met (most runs of a field hold none). Comments and
    processing instructions (whose tag is not a string) match no tag below and hold nothing."""
    for child in element:
        tag = child.tag
        if tag == _T:
            text = child.text
            if text:
                if emphasised.__class__ is not bool:
                    emphasised = _emphasised(emphasised)
                scan.add(text, emphasised)
        elif tag == _R:
            count = len(child)     # most runs hold one w:t, after their properties if any: read here
            last = child[count - 1] if count and count <= 2 else None
            if last is not None and last.tag == _T and (count == 1 or child[0].tag == _RPR):
                text = last.text
                if text:
                    scan.add(text, count == 2 and _emphasis_in(child[0]))
            else:
                _walk(child, scan, stack, child)
        elif tag in _SKIP:
            continue
        elif tag == _TAB or tag == _PTAB:
            scan.add("\t", False)
        elif tag == _BR or tag == _CR:
            scan.add("\n", False)
        elif tag == _NBH:
            if emphasised.__class__ is not bool:
                emphasised = _emphasised(emphasised)
            scan.add("-", emphasised)
        elif tag == _FLDCHAR:
            kind = child.get(_FLDTYPE)
            if kind == "begin":
                stack.append(_FieldState())
            elif kind == "separate" and stack:
                top = stack[-1]
                top.separated, top.start, top.scan = True, scan.pos, scan
            elif kind == "end" and stack:
                top = stack.pop()
                if top.scan is scan:
                    scan.fields.append(("".join(top.instr).strip(), top.start, scan.pos))
        elif tag == _INSTR:
            if stack and not stack[-1].separated:
                stack[-1].instr.append(child.text or "")
        elif tag == _FLDSIMPLE:
            start = scan.pos
            _walk(child, scan, stack, emphasised)
            scan.fields.append(((child.get(_INSTR_ATTR) or "").strip(), start, scan.pos))
        elif tag == _BOOKMARK:
            name = child.get(_NAME)
            if name:
                scan.bookmarks.append(name)
        elif len(child):
            _walk(child, scan, stack, emphasised)


# ---------------------------------------------------------------------------------------------
# Typed labels

_SMALL_ROMAN = frozenset("ivxlcdm")
_LABEL_RE = re.compile(
    r"""^[ \t]*(?:
        (?P<article>(?:ARTICLE|Article)[ \t]+(?P<art>[IVXLCDM]+|\d+))\.?
      | (?P<section>(?:SECTION|Section)[ \t]+(?P<sec>\d+(?:\.\d+)*))\.?
      | (?P<dd>\d+(?:\.\d+)+)\.?
      | (?P<plain>[IVXLCDM]+|[A-Z]|\d{1,3})\.
      | \((?P<paren>[a-z]{1,4}|[A-Z]|\d{1,3})\)
    )(?P<sep>[\t ]+|$)""",
    re.X,
)
# Outline ranks: a label pops every open level of equal or deeper rank.
_RANK = {"article": 0, "RU": 1, "LU": 2, "D": 3, "LL": 10, "PU": 11, "RL": 12, "PD": 13}


def _letter_value(text: str) -> int:
    """a=1 .. z=26, aa=27 (Word repeats the letter)."""
    return (len(text) - 1) * 26 + ord(text[0].lower()) - ord("a") + 1


def _roman_value(text: str) -> int | None:
    return model._roman_value(text.upper())


def literal_label(text: str) -> tuple[str, str, list[tuple[str, int]], str] | None:
    """(label, designation, candidate (kind, value) pairs, rest of text) of a typed label; None if none.

    "II.\\tPurchase" -> ("II.", "II", [("RU", 2)], "Purchase"); "(i) x" -> ("(i)", "(i)", [LL 9, RL 1], "x").
    """
    m = _LABEL_RE.match(text)
    if m is None:
        return None
    rest = text[m.end():]
    label = text[: m.end("sep")].strip() if m.group("sep") else text.strip()
    label = text[: m.start("sep")].strip()
    if m.group("article") or m.group("section"):
        if rest[:1].islower():  # "Section 5 of the Agreement ..." is a sentence, not a label
            return None
        if m.group("article"):
            art = m.group("art")
            value = int(art) if art.isdigit() else (_roman_value(art) or 0)
            return label, art, [("article", value)], rest
        sec = m.group("sec")
        kind = "D" if "." not in sec else f"DD{sec.count('.')}"
        return label, sec, [(kind, int(sec.rsplit(".", 1)[-1]))], rest
    if m.group("dd"):
        dd = m.group("dd")
        return label, dd, [(f"DD{dd.count('.')}", int(dd.rsplit('.', 1)[-1]))], rest
    if not rest.strip():
        return None  # a label with nothing after it ("A.") is not a paragraph label
    plain = m.group("plain")
    if plain is not None:
        if plain.isdigit():
            return label, plain, [("D", int(plain))], rest
        cands: list[tuple[str, int]] = []
        roman = _roman_value(plain)
        if len(plain) == 1:
            if plain in "IVX":  # C., D., L., M. are letters: no outline counts to 100
                cands.append(("RU", roman))
            cands.append(("LU", _letter_value(plain)))
        elif roman is not None:
            cands.append(("RU", roman))
        else:
            return None
        return label, plain, cands, rest
    paren = m.group("paren")
    if paren.isdigit():
        return label, f"({paren})", [("PD", int(paren))], rest
    if paren.isupper():
        return label, f"({paren})", [("PU", _letter_value(paren))], rest
    cands = []
    roman = _roman_value(paren) if set(paren) <= set("ivx") else None
    repeated = len(set(paren)) == 1
    if roman is not None and len(paren) > 1:
        cands.append(("RL", roman))
        if repeated:
            cands.append(("LL", _letter_value(paren)))
    elif roman is not None:
        cands += [("LL", _letter_value(paren)), ("RL", roman)]
    elif repeated:
        cands.append(("LL", _letter_value(paren)))
    else:
        return None
    return label, f"({paren})", cands, rest


def _rank(kind: str) -> int:
    if kind.startswith("DD"):
        return 3 + int(kind[2:])
    return _RANK[kind]


class _Outline:
    """The stack of open levels while typed labels are read: picks kinds, levels and full numbers."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, str, Paragraph]] = []  # (kind, value, full number, paragraph)

    def reset(self) -> None:
        self.stack.clear()

    def _choose(self, cands: list[tuple[str, int]]) -> tuple[str, int]:
        if len(cands) == 1:
            return cands[0]
        open_kinds = {entry[0]: entry[1] for entry in self.stack}
        best = None
        for kind, value in cands:  # the next sibling of an open level; the deeper level wins
            if open_kinds.get(kind) == value - 1:
                if best is None or _rank(kind) > _rank(best[0]):
                    best = (kind, value)
        if best is not None:
            return best
        for kind, value in cands:  # the first item of a new level
            if value == 1 and kind not in open_kinds:
                return kind, value
        for kind, value in cands:
            if kind in open_kinds:
                return kind, value
        return cands[0]

    def push(self, designation: str, cands: list[tuple[str, int]], paragraph: Paragraph) -> tuple[str, int]:
        """Place a labelled paragraph: (full number, level)."""
        kind, value = self._choose(cands)
        rank = _rank(kind)
        while self.stack and _rank(self.stack[-1][0]) >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        own = designation.rstrip(".")
        if kind == "article" or kind.startswith("DD") or parent is None:
            number = own
        elif own.startswith("("):
            number = parent[2] + own
        elif kind == "D" and parent[0] == "article":
            number = own
        else:
            number = f"{parent[2]}.{own}"
        paragraph.parent = parent[3] if parent else None
        self.stack.append((kind, value, number, paragraph))
        return number, len(self.stack) - 1


# ---------------------------------------------------------------------------------------------
# Word numbering

_NUMBER_PREFIX = re.compile(r"^(?:ARTICLE|Article|SECTION|Section|PART|Part)\s+")


def auto_number(label: ListLabel) -> str | None:
    """Full number of a Word-numbered paragraph in the typed-label form: "II.D", "I.G.5(a)".

    A level skipped in the hierarchy (a clause "(d)" directly under Section 10.2.3.2, with the
    levels between never used) is left out, as a reader names it: "10.2.3.2(d)".
    """
    texts, refs_of, path, level = label.level_texts, label.level_refs, label.path, label.ilvl
    key = (texts, refs_of, level)
    whole = min(path, default=0) >= 0    # no level skipped: the number follows from the texts
    if whole:
        number = _AUTO_NUMBERS.get(key, "")
        if number != "":
            return number
    parts: list[str] = []
    while level >= 0:
        parts.append(texts[level])
        refs = refs_of[level] if level < len(refs_of) else ()
        lowest = min(refs) if refs else level
        level = (lowest if lowest < level else level) - 1
        while 0 <= level < len(path) and path[level] < 0:
            level -= 1
    number = _joined(reversed(parts))
    if whole:
        keep(_AUTO_NUMBERS, key, number, 4096)
    return number


def _joined(texts: Iterable[str]) -> str | None:
    """The full number the level texts of a label make, outermost first: "ARTICLE IV.", "(a)" -> "IV(a)"."""
    number = ""
    for part in texts:
        part = _number_part(part)
        if not part:
            continue
        if not number or part.startswith("("):
            number += part
        else:
            number += "." + part
    if not number or not _ALNUM.search(number):
        return None  # bullets and empty levels number nothing
    return number


#: Full numbers of labels with no level skipped, by their level texts, references and level.
_AUTO_NUMBERS: dict[tuple, str | None] = {}
remember(_AUTO_NUMBERS.clear)
_ALNUM = re.compile(r"[^\W_]")    # a letter or digit (what str.isalnum says)


@kept(4096, longest=None)
def _number_part(text: str) -> str:
    """A level's text as a part of a full number: "ARTICLE IV." -> "IV", "(a)" -> "(a)" (a few texts repeat)."""
    return _NUMBER_PREFIX.sub("", text.strip()).rstrip(".").strip()


# ---------------------------------------------------------------------------------------------
# Headings

_SMALL_WORDS = frozenset("a an and as at by for from in into of on or per the to under upon with without "
                         "regarding vs. v.".split())
_RUN_IN = re.compile(r"^(.{1,120}?)[.:](?=\s|$)")
_WORD = re.compile(r"[^\s;,/]+")


def _title_cased(text: str, limit: int = 8) -> bool:
    words = _WORD.findall(text)
    if not words or len(words) > limit or "“" in text or '"' in text:
        return False
    if not words[0][:1].isupper() and not words[0][:1].isdigit():
        return False
    for word in words:
        head = word.lstrip("(&-–")[:1]
        if not head or head.isupper() or head.isdigit() or word.lower() in _SMALL_WORDS:
            continue
        if not head.isalpha():
            continue
        return False
    return True


def _heading(text: str, emphasis: list[tuple[int, int]], offset: int) -> str | None:
    """Run-in heading of a numbered paragraph's text (label already stripped)."""
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    for start, end in emphasis:
        start -= offset
        end -= offset
        if end <= lead:
            continue
        if start <= lead and end > lead:
            head = text[lead:end].strip().rstrip(".:").strip()
            if head and len(head.split()) <= 12:
                return head
        break
    m = _RUN_IN.match(stripped)
    if m and _title_cased(m.group(1)):
        return m.group(1).strip()
    if stripped and len(stripped) <= 80 and _title_cased(stripped.rstrip(".:")):
        return stripped.rstrip(".:").strip()
    return None


@kept()
def _heading_of(text: str, emphasis: tuple[tuple[int, int], ...]) -> str | None:
    """`_heading(text, emphasis, 0)`, which depends on the text and its emphasised spans alone: kept for recent
    texts (a batch reads the same numbered paragraphs variant after variant)."""
    return _heading(text, list(emphasis), 0)


# ---------------------------------------------------------------------------------------------
# Definitions

_OQ, _CQ = "“\"", "”\""
_TERM = rf"[{_OQ}](?P<term>[^{_OQ}{_CQ}\n]{{1,100}}?)[{_CQ}]"
_MEANS_RE = re.compile(
    _TERM + r"\s+(?:(?:shall|will|is\s+to|shall\s+be\s+deemed\s+to)\s+)?"
    r"(?P<verb>means?|includes?|(?:has|have|shall\s+have|will\s+have)\s+the\s+(?:respective\s+)?meanings?)\b"
)
_MEANING_TARGET = re.compile(
    r"^\s*(?:(?:set\s+forth|given|ascribed|assigned|specified|provided|defined|attributed)\s+)?"
    r"(?:(?:to\s+(?:it|such\s+term|them|that\s+term))\s+)?(?:in|under|by)\s+(?P<target>.+?)"
    r"(?:[.;,](?=\s|$)|$)"
)
_THE_TERM_IS = re.compile(r"(?:^|(?<=[.;:]\s))\s*(?:\([a-z0-9]{1,4}\)\s*)?The\s+" + _TERM
                          + r"\s+(?:is|are|shall\s+be|will\s+be)\b")
_JOINED_TERM = re.compile(_TERM + r"\s*,?\s*(?:and|or|and/or)?\s*$")
_INLINE_RE = re.compile(r"\(([^()]{0,240})\)")
_QUOTED = re.compile(rf"[{_OQ}]([^{_OQ}{_CQ}\n]{{1,100}}?)[{_CQ}]")
_INLINE_WORDS = frozenset(
    "the this a an each and or collectively individually together together, hereinafter herein such "
    "respectively referred to as any one all of them, party parties".replace(",", "").split()
)


def _one_spaced(text: str) -> str:
    """*text* with each run of white space one space, none at either end (what a \\s+ pattern replaced by
    a space and stripped gives: both mean what str.isspace says)."""
    return " ".join(text.split())


def _inline_lead_ok(lead: str) -> bool:
    words = [w.strip(",;") for w in lead.split()]
    return all(not w or w.lower() in _INLINE_WORDS for w in words)


def find_definitions(paragraph: Paragraph) -> list[Definition]:
    """Definitions in one paragraph: "X" means / includes / has the meaning ..., and ("X") inline."""
    text = paragraph.text
    if "“" not in text and '"' not in text:
        return []
    return [Definition(term, kind, wording, paragraph, target=target, start=start, end=end)
            for term, kind, wording, target, start, end in _definitions_in(text)]


@kept()
def _definitions_in(text: str) -> tuple[tuple[str, str, str, str | None, int, int], ...]:
    """(term, kind, wording, target, start, end) of each definition find_definitions finds in *text* (which
    depends on nothing else: a batch reads the same paragraphs variant after variant), worked out on
    Definitions of no paragraph."""
    found: list[Definition] = []
    means = list(_MEANS_RE.finditer(text))
    for i, m in enumerate(means):
        verb = m.group("verb").lower()
        term = m.group("term").strip()
        stop = means[i + 1].start() if i + 1 < len(means) else len(text)
        after = text[m.end(): stop]
        if "meaning" in verb:
            t = _MEANING_TARGET.match(after)
            target = t.group("target").strip() if t else None
            found.append(Definition(term, "meaning", _one_spaced(after), None,
                                    target=target, start=m.start("term"), end=m.end("term")))
        else:
            kind = "means" if verb.startswith("mean") else "includes"
            wording = _one_spaced(after).lstrip(":,").strip()
            found.append(Definition(term, kind, wording, None, start=m.start("term"), end=m.end("term")))
        # '"Net Income" and "Net Loss" mean', '"Holder" or "Holders" means': each quoted term is defined
        head = m.start()
        while True:
            other = _JOINED_TERM.search(text[:head], max(0, head - 120))
            if other is None:
                break
            found.append(Definition(other.group("term").strip(), found[-1].kind, found[-1].wording, None,
                                    target=found[-1].target, start=other.start("term"), end=other.end("term")))
            head = other.start()
    for m in _THE_TERM_IS.finditer(text) if "The" in text else ():  # 'The "Purchase Price" is $1,000 per share.'
        if not any(d.start == m.start("term") for d in found):
            # read as an inline definition: its wording is not compared with other definitions'
            found.append(Definition(m.group("term").strip(), "inline", "", None,
                                    start=m.start("term"), end=m.end("term")))
    taken = {(d.start, d.end) for d in found}
    for group in _INLINE_RE.finditer(text):
        inner = group.group(1)
        if "“" not in inner and '"' not in inner:
            continue
        pos = 0
        base = group.start(1)
        quoted = list(_QUOTED.finditer(inner))
        if not quoted or not _inline_lead_ok(inner[quoted[-1].end():]):
            continue  # '(as a "Risk Factor" or otherwise)': a word in quotation marks, not a definition
        for q in quoted:
            lead = inner[pos: q.start()]
            pos = q.end()
            if not _inline_lead_ok(lead):
                break  # '(for example, "cash" or "a note")': the rest are examples too
            start, end = base + q.start(1), base + q.end(1)
            if (start, end) in taken:
                continue
            found.append(Definition(q.group(1).strip(), "inline", "", None, start=start, end=end))
    for d in found:  # '"Complying Purchaser," means': the comma closes the phrase, it is not the term's
        term = d.term.rstrip(",;:")
        if term != d.term:
            d.term, d.end = term, d.start + len(term)
    unique = {(d.term, d.start): d for d in found}
    return tuple((d.term, d.kind, d.wording, d.target, d.start, d.end)
                 for d in sorted(unique.values(), key=lambda d: d.start))


# ---------------------------------------------------------------------------------------------
# References

_NUM = r"(?:\d+|[IVXLCDM]+|[A-Z])(?:\.(?:\d+|[A-Za-z]+))*(?:\([A-Za-z0-9]{1,5}\))*(?![A-Za-z0-9’'])"
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|through|to)\s+|\s*[-–]\s*)"
_REF_RE = re.compile(
    rf"\b(?P<this>[Tt]his\s+)?(?P<word>Sections?|SECTIONS?|Articles?|ARTICLES?|Subsections?|[Pp]aragraphs?|"
    rf"Exhibits?|EXHIBITS?|Schedules?|SCHEDULES?|[Cc]lauses?)\s+"
    rf"(?P<nums>{_NUM}(?:{_SEP}(?:Section\s+)?{_NUM})*)"
)
_CLAUSE_NUM = r"\([a-z]{1,4}\)|\([ivx]+\)|\(\d{1,3}\)|\([A-Z]\)"
_CLAUSE_RE = re.compile(
    rf"\b(?P<this>[Tt]his\s+)?[Cc]lauses?\s+(?P<nums>(?:{_CLAUSE_NUM})(?:{_SEP}(?:{_CLAUSE_NUM}))*)"
)
_ONE_NUM = re.compile(_NUM)
_ONE_CLAUSE = re.compile(_CLAUSE_NUM)
_EXHIBIT_NUM = re.compile(r"[0-9]+(?:-[0-9]+)?|[A-Z](?:-[0-9]+)?")
_STATUTE_NAME = (r"(?:Act|Code|Law|Laws|Regulations?|Rules?|Statutes?|DGCL|GCL|ERISA|IRC|UCC|U\.S\.C\.|C\.F\.R\."
                 r"|Constitution|Treaty|Convention)")
_AFTER_STATUTE = re.compile(
    r"\s*(?:thereof|thereunder|of\s+the\s+(?:Act|Code)\b|of\s+(?:the\s+)?Regulation|of\s+Regulations?\b"
    r"|(?:of|under|in|to)\s+(?:the\s+)?(?:[A-Z][\w.&,'’-]*\s+){0,8}?" + _STATUTE_NAME + r"(?![\w-])"
    r"|of\s+(?:Title|Chapter)\b)"
)
# "Code Section 83", "Regulations Section 1.704-2(g)(1)", "DGCL Section 243(a)", "Kan. Stat. Section 44-130":
# the section of a statute, named just before the reference word.
_BEFORE_STATUTE = re.compile(r"(?:\b(?:Code|Regulations?|Regs?\.|DGCL|GCL|ERISA|IRC|UCC|U\.S\.C\.|C\.F\.R\.|"
                             r"Stats?\.|Treas\.)|\bAct)\s*$")
# what may follow a citation before "of the Act": "Sections 17-402(a)(4)-(5) of the Act", "Sections 704(b) and (c)"
_CITATION_TAIL = re.compile(r"(?:-\d[\w.]*(?:\([A-Za-z0-9]{1,5}\))*|\s*(?:[-–,]|and|or|through|to)?\s*"
                            r"\([A-Za-z0-9]{1,5}\))*")
# "Section 1.704-2(g)(1)": a hyphen joined to a number that goes on is part of one citation, not a range
_CITATION_HYPHEN = re.compile(r"-\d")
# "Internal Revenue Service Form 1065, Schedule K-1": a schedule of a government form
_FORM_BEFORE = re.compile(r"\bForms?\s+\d[\w-]*,?\s*$")
# "Section A — Corporate Organization" at the start of a paragraph: the heading's own label
_HEADING_AFTER = re.compile(r"\s*(?:[—–:]|-\s|\.\s)\s*[A-Z]")
# "Section 4.1 of the Purchase Agreement": a section of another instrument of the package.
_OTHER_DOCUMENT = re.compile(
    r"\s*(?:of|in|under)\s+(?P<doc>(?:the|that|such|each)\s+(?:[A-Z][\w&’'-]*\s*){1,8})"
)
_DIRECTION = re.compile(r"\s*(above|below|hereof\s+above|hereof\s+below)\b")
_KIND = {"section": "section", "sections": "section", "subsection": "section", "subsections": "section",
         "paragraph": "section", "paragraphs": "section", "article": "article", "articles": "article",
         "exhibit": "exhibit", "exhibits": "exhibit", "schedule": "schedule", "schedules": "schedule",
         "clause": "clause", "clauses": "clause"}


def _hyphen_citation(nums: str) -> bool:
    """"1.704-2(g)(1)": numbers joined by a bare hyphen that cannot be the two ends of a range (a range
    joins numbers of one depth: "2.1-2.3")."""
    pieces = list(_ONE_NUM.finditer(nums))
    for left, right in zip(pieces, pieces[1:]):
        if nums[left.end():right.start()] != "-":
            continue
        a, b = left.group(0), right.group(0)
        if a.count(".") != b.count(".") or ("(" in b) != ("(" in a):
            return True
    return False


# where a match of _REF_RE may start: its first letter after no word character, the rest of its reference word
# (or "this") after it; the letters first, so that the engine skips ahead to the next such letter
_REF_START = re.compile(r"(?:T(?=his\s)|t(?=his\s)|S(?=ection|ECTION|ubsection|chedule|CHEDULE)|A(?=rticle|RTICLE)"
                        r"|P(?=aragraph)|p(?=aragraph)|E(?=xhibit|XHIBIT)|C(?=lause)|c(?=lause))(?<!\w.)")


# where a match of _CLAUSE_RE may start, as _REF_START for _REF_RE
_CLAUSE_START = re.compile(r"(?:T(?=his\s)|t(?=his\s)|C(?=lause)|c(?=lause))(?<!\w.)")


def _ref_matches(text: str) -> Iterator[re.Match]:
    """What _REF_RE.finditer(text) finds, tried only where a match may start."""
    return _matches(_REF_RE, _REF_START, text)


def _clause_matches(text: str) -> Iterator[re.Match]:
    """What _CLAUSE_RE.finditer(text) finds, tried only where a match may start."""
    return _matches(_CLAUSE_RE, _CLAUSE_START, text)


def _matches(pattern: re.Pattern, starts: re.Pattern, text: str) -> Iterator[re.Match]:
    """What *pattern*.finditer(text) finds, tried only where *starts* finds that a match may start (a pattern
    of no empty match: each match is tried after the last one found)."""
    done = 0
    for start in starts.finditer(text):
        if start.start() >= done:
            m = pattern.match(text, start.start())
            if m is not None:
                done = m.end()
                yield m


def find_references(paragraph: Paragraph, fields: Iterable[tuple[int, int]] = ()) -> list[Reference]:
    """Cross-references in one paragraph; statutory citations ("Section 4(2) of the Act") left out."""
    text = paragraph.text
    if not ("ection" in text or "rticle" in text or "xhibit" in text or "chedule" in text or "lause" in text
            or "aragraph" in text or "ECTION" in text or "RTICLE" in text or "XHIBIT" in text or "CHEDULE" in text):
        return []   # none of the words a reference starts with
    return _references(paragraph, text, fields)


def _references(paragraph: Paragraph, text: str, fields: Iterable[tuple[int, int]]) -> list[Reference]:
    """find_references' scan of a text that holds one of the words a reference starts with."""
    return [Reference(kind, ref_text, target, paragraph, start, end, local=local, direction=direction,
                      in_field=in_field, other_document=other_document)
            for kind, ref_text, target, start, end, local, direction, in_field, other_document
            in _references_in(text, tuple(tuple(span) for span in fields))]


@kept()
def _references_in(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple, ...]:
    """(kind, text, target, start, end, local, direction, in_field, other document) of each reference
    _references finds in *text* whose REF field results span *spans*, worked out on References of no paragraph."""
    found: list[Reference] = []
    for m in _ref_matches(text):
        word = m.group("word").lower()
        kind = _KIND[word]
        if kind == "clause":
            continue
        if kind == "section" and word.startswith("paragraph") and not any(ch.isdigit() for ch in m.group("nums")):
            continue
        after = m.end()
        if _AFTER_STATUTE.match(text, _CITATION_TAIL.match(text, after).end()):
            continue
        if _BEFORE_STATUTE.search(text, max(0, m.start() - 12), m.start()):
            continue
        if kind in ("section", "article") and (_CITATION_HYPHEN.match(text, after)
                                              or _hyphen_citation(m.group("nums"))):
            continue  # "Section 1.704-2(g)(1)", "Section 44-130": a statute's numbering
        if kind == "schedule" and _FORM_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue
        if kind == "exhibit" and re.match(r"\d+\.\d", m.group("nums")):
            continue  # "Exhibit 10.1": the exhibit number of a filing, not an exhibit of this document
        if m.start() == len(text) - len(text.lstrip()) and not m.group("this") and _HEADING_AFTER.match(text, after):
            continue  # "Section A — Corporate Organization": a heading's own label
        direction = None
        d = _DIRECTION.match(text, after)
        if d:
            direction = "above" if d.group(1).endswith("above") else "below"
        local = bool(m.group("this"))
        other = _OTHER_DOCUMENT.match(text, after)
        other_document = other.group("doc").strip() if other else None
        nums_start = m.start("nums")
        pattern = _EXHIBIT_NUM if kind in ("exhibit", "schedule") else _ONE_NUM
        first = True
        for n in pattern.finditer(m.group("nums")):
            target = n.group(0)
            if kind not in ("exhibit", "schedule") and target in ("A", "I") and not first:
                continue
            start, end = nums_start + n.start(), nums_start + n.end()
            ref_start = m.start() if first else start
            in_field = any(fs <= start and end <= fe for fs, fe in spans)
            found.append(Reference(kind, text[ref_start:end], target, None, ref_start, end,
                                   local=local, direction=direction, in_field=in_field,
                                   other_document=other_document))
            first = False
    for m in _clause_matches(text) if "lause" in text else ():   # "clause", "Clauses"
        if _AFTER_STATUTE.match(text, m.end()):
            continue
        d = _DIRECTION.match(text, m.end())
        direction = None if d is None else ("above" if d.group(1).endswith("above") else "below")
        first = True
        for n in _ONE_CLAUSE.finditer(m.group("nums")):
            start, end = m.start("nums") + n.start(), m.start("nums") + n.end()
            ref_start = m.start() if first else start
            found.append(Reference("clause", text[ref_start:end], n.group(0), None, ref_start, end,
                                   local=bool(m.group("this")), direction=direction))
            first = False
    found.sort(key=lambda r: r.start)
    return tuple((r.kind, r.text, r.target, r.start, r.end, r.local, r.direction, r.in_field, r.other_document)
                 for r in found)


# ---------------------------------------------------------------------------------------------
# Stage 2: the document

_TITLE_RE = re.compile(r"^\s*(?P<word>EXHIBIT|Exhibit|SCHEDULE|Schedule)\s+(?P<id>[0-9]+|[A-Z])\s*"
                       r"(?:[.:]?\s*$|[-–—:]\s+\S.{0,100}$)")
_REF_INSTR = re.compile(r"^\s*REF\s+(\S+)", re.IGNORECASE)


def _style_names(styles_root) -> dict[str, str]:
    names: dict[str, str] = {}
    if styles_root is None:
        return names
    for style in styles_root.iter(qn("w:style")):
        sid = style.get(qn("w:styleId"))
        name = style.find(qn("w:name"))
        if sid:
            names[sid] = name.get(_VAL) if name is not None and name.get(_VAL) else sid
    return names


def is_toc_entry(para) -> bool:
    """A table of contents line (Word's "toc 1".. styles): it repeats a heading and its label."""
    return (para.style or "").lower().startswith("toc")


#: (numbering part's bytes, styles part's bytes) -> (style names, numbering engine) of the packages read, so
#: that documents built from one template (a batch) build them once: at most _SHARED_MOST (the oldest
#: dropped first), none of parts larger than _SHARED_MAX_BYTES.
_SHARED: dict[tuple[bytes | None, bytes | None], tuple[dict[str, str], NumberingEngine]] = {}
_SHARED_MOST = 6
remember(_SHARED.clear)
_SHARED_MAX_BYTES = 1024 * 1024


def _definitions(package: Parts, source: Source | None) -> tuple[dict[str, str], NumberingEngine]:
    """Style names (style id -> name) and the numbering engine of *package*'s styles and numbering parts,
    built once for the same bytes; neither is changed by its users. What is kept holds no tree a caller
    can reach: a tree given in *source* is parsed again from its bytes."""
    parts = (package.related_part("numbering", "word/numbering.xml"), package.related_part("styles", "word/styles.xml"))
    key = tuple(None if name is None else package.parts.get(name) for name in parts)
    shared = _SHARED.get(key)
    if shared is not None:
        return shared
    numbering, styles = (_own_tree(package, name, source) for name in parts)
    shared = _style_names(styles), NumberingEngine(numbering, styles)
    if sum(len(data) for data in key if data is not None) <= _SHARED_MAX_BYTES:
        keep(_SHARED, key, shared, _SHARED_MOST)
    return shared


def _own_tree(package: Parts, name: str | None, source: Source | None) -> etree._Element | None:
    """The parsed part *name* (damage located as any read's), a tree of this read's own."""
    tree = None if name is None else package.xml(name)
    if tree is not None and source is not None and name in source.parsed:
        tree = parse_xml(package.parts[name], f"{package.path}!{name}")
    return tree


def read_document(path: str | Path, source: Source | None = None) -> Document:
    """Read one .docx into a :class:`Document` (DocumentError for unusable input); *source*: its
    parts, already in memory (a build checking what it has just written to *path*)."""
    path_str = str(path)
    package = read_package(path) if source is None else package_of(path, source)
    document = Document(path=path_str, name=Path(path).name)
    names, engine = _definitions(package, source)
    fields_of: dict[int, list[tuple[str, int, int]]] = {}
    bookmark_elements: dict[str, Paragraph] = {}
    emphasis_of: dict[int, list[tuple[int, int]]] = {}

    for part, root in stories(package):
        elements = list(story_paragraphs(root))
        first = len(document.paragraphs)
        named: list[str | None] = []    # the style id each paragraph names
        labels: list[ListLabel | None] = engine.label_paragraphs(elements, named)  # each story counts on its own
        stack: list[_FieldState] = []
        for index, (p, label, style_id) in enumerate(zip(elements, labels, named)):
            scan = _Scan()
            _walk(p, scan, stack, False)
            para = Paragraph(document=path_str, part=part, index=index, text=scan.text,
                             style=None if style_id is None else names.get(style_id, style_id), element=p)
            document.paragraphs.append(para)
            if scan.fields:
                fields_of[id(para)] = scan.fields
            for name in scan.bookmarks:
                bookmark_elements.setdefault(name, para)
            if label is not None and part != "body":
                para.label = label.text  # shown, not part of the outline
            if part == "body":
                para.list_label = label
                if scan.emphasis:
                    emphasis_of[id(para)] = scan.emphasis
                _body_paragraph(para, scan)
        # bookmarks that start between paragraphs (or out of the walk's sight): mark the paragraph they are in or next to
        unplaced = bookmarks(root, bookmark_elements)
        if unplaced:
            element_of = {id(para.element): para for para in document.paragraphs[first:]}
            for name, element in unplaced.items():
                if element is not None and id(element) in element_of:
                    bookmark_elements[name] = element_of[id(element)]
    _outline(document, fields_of, emphasis_of)
    _tie_notes(document)
    document.bookmarks = dict(bookmark_elements)
    for para in document.paragraphs:
        spans = fields_of.get(id(para), ())
        for instr, start, end in spans:
            m = _REF_INSTR.match(instr)
            if m:
                document.ref_fields.append(RefField(m.group(1), instr, para.text[start:end], para, start, end))
        if para.part in ("body", "footnotes", "endnotes"):
            document.definitions.extend(find_definitions(para))
            if para.part == "body" and _TITLE_RE.match(para.text):
                continue  # "Exhibit 2" as the title of the exhibit
            document.references.extend(find_references(para, [(s, e) for i, s, e in spans
                                                               if _REF_INSTR.match(i)] if spans else ()))
    comments = package.comments
    document.comments = 0 if comments is None else sum(1 for _ in comments.iter(qn("w:comment")))
    revisions = 0
    for root in (package.body, package.footnotes, package.endnotes):
        if root is not None:
            revisions += sum(1 for _ in root.iter(*_REVISION_TAGS))
    document.revisions = revisions
    return document


def _body_paragraph(para: Paragraph, scan: _Scan) -> None:
    """Label, number and heading from Word's numbering (typed labels are placed by _outline)."""
    label = para.list_label
    if label is None:
        return
    para.label = label.text
    number = auto_number(label)
    if number is not None:
        para.number = number
        para.level = label.ilvl
        para.heading = _heading_of(para.text, tuple(scan.emphasis))


_ID = qn("w:id")
NOTE_TAGS = {"footnotes": (qn("w:footnote"), qn("w:footnoteReference")),
          "endnotes": (qn("w:endnote"), qn("w:endnoteReference"))}


def _tie_notes(document: Document) -> None:
    """A footnote's (endnote's) paragraphs stand where its reference mark stands: same section, same part."""
    if not any(p.part in NOTE_TAGS for p in document.paragraphs):
        return
    anchors: dict[tuple[str, str], Paragraph] = {}
    part_of = {ref_tag: part for part, (_note, ref_tag) in NOTE_TAGS.items()}
    holder = {id(p.element): p for p in document.paragraphs if p.part == "body" and p.element is not None}
    if holder:
        first = next(p.element for p in document.paragraphs if id(p.element) in holder)
        for ref in first.getroottree().iter(*part_of):     # both kinds of mark in one pass, in document order
            for up in ref.iterancestors(_P):
                para = holder.get(id(up))
                if para is not None:      # the body paragraph the mark stands in
                    anchors.setdefault((part_of[ref.tag], ref.get(_ID, "")), para)
                    break
    for para in document.paragraphs:
        if para.part not in NOTE_TAGS or para.element is None:
            continue
        note = para.element.getparent()
        while note is not None and note.tag != NOTE_TAGS[para.part][0]:
            note = note.getparent()
        anchor = anchors.get((para.part, note.get(_ID, ""))) if note is not None else None
        if anchor is not None:
            para.section, para.section_heading, para.exhibit = anchor.section, anchor.section_heading, anchor.exhibit


_TYPED_ALIAS = re.compile(r"^\s*(?:(?:Section|SECTION|Article|ARTICLE|Part|PART)\s+(?P<a>[A-Z0-9]{1,4}(?:\.\d+)*)"
                          r"\s*[—–:.-]\s|(?P<b>[A-Z]{1,2}\.\d+(?:\.\d+)*)\.?\s)")


def _auto_parent(last: dict[str, dict[int, Paragraph]], label: ListLabel, para: Paragraph) -> Paragraph | None:
    """The parent of a Word-numbered paragraph: the last one numbered at a level above in its list; *last*
    (abstract id -> level -> paragraph) takes *para* in, the deeper levels of its list out."""
    levels = last.get(label.abstract_id)
    if levels is None:
        levels = last[label.abstract_id] = {}
    ilvl = label.ilvl
    levels[ilvl] = para
    if len(levels) > 1:
        for key in [k for k in levels if k > ilvl]:
            del levels[key]
        for up in range(ilvl - 1, -1, -1):
            parent = levels.get(up)
            if parent is not None:
                return parent
    return None


def _outline(document: Document, fields_of, emphasis_of) -> None:
    """Typed labels, exhibits, outlines, section context, for the body paragraphs in order."""
    typed = _Outline()
    exhibit: str | None = None
    current: Paragraph | None = None
    outline: dict[str, Paragraph] = {}
    document.outlines[None] = outline
    seen_text = 0
    numbered = literal = 0
    last_auto: dict[str, dict[int, Paragraph]] = {}   # abstract id -> level -> paragraph: parents of Word numbering
    for para in document.paragraphs:
        if para.part != "body":
            continue
        text = para.text
        stripped = text.strip()
        in_toc = is_toc_entry(para)  # a table of contents entry names a title
        title = _TITLE_RE.match(text) if para.list_label is None and len(stripped) < 120 and not in_toc else None
        if title:
            word, ident = title.group("word").lower(), title.group("id")
            if word == "exhibit":
                if seen_text == 0 and document.exhibit is None and not document.exhibits:
                    document.exhibit = ident
                    del document.outlines[None]
                elif document.exhibits.get(ident) is not None or (ident == document.exhibit):
                    pass
                else:
                    typed.reset()
                    current = None
                    last_auto = {}
                exhibit = ident
                document.exhibits.setdefault(ident, para)
                outline = document.outlines.setdefault(ident, {})
            else:
                document.schedules.setdefault(ident, para)
        if stripped:
            seen_text += 1
        para.exhibit = exhibit
        if para.list_label is None and stripped:
            found = literal_label(text)
            if found is not None:
                label, designation, cands, rest = found
                offset = len(text) - len(rest)
                para.label = label
                para.text = rest.lstrip(" \t")
                offset = len(text) - len(para.text)
                number, level = typed.push(designation, cands, para)
                para.number, para.level, para.literal = number, level, True
                emphasis = [(max(s - offset, 0), e - offset) for s, e in emphasis_of.get(id(para), ())
                            if e > offset]
                para.heading = _heading(para.text, emphasis, 0)
                spans = fields_of.get(id(para))
                if spans:
                    fields_of[id(para)] = [(i, s - offset, e - offset) for i, s, e in spans if s >= offset]
        elif para.list_label is not None and para.number is not None:
            para.parent = _auto_parent(last_auto, para.list_label, para)
        if para.number is not None and in_toc:
            para.section = current.number if current is not None else None
            continue  # a numbered table-of-contents line is not a section: the text after it is not in it
        if para.number is not None:
            typed_label = _TYPED_ALIAS.match(para.text)
            if typed_label:
                document.aliases.setdefault(exhibit, {}).setdefault(
                    typed_label.group("a") or typed_label.group("b"), para)
            numbered += 1
            literal += para.literal
            outline.setdefault(para.number, para)
            current = para
        if current is not None:
            para.section = current.number
            node: Paragraph | None = current
            while node is not None and node.heading is None:
                node = node.parent
            para.section_heading = node.heading if node is not None else None
    document.literal_numbering = numbered > 0 and literal * 2 > numbered
    if document.outlines:
        document.outline = next(iter(document.outlines.values()))
    else:
        document.outline = {}
        document.outlines[None] = document.outline


def load_documents(paths: Iterable[str | Path], sources: Mapping[Path, Source] | None = None) -> Package:
    """Read every file named together as one package, in the order given; a file in *sources*
    is read from the parts given there (see `read_document`)."""
    sources = sources or {}
    return Package([read_document(path, sources.get(Path(path))) for path in paths])
