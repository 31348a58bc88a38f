"""Cross-references with a caption, and cross-references into another part of the same file.

``xref.caption``: "Section II.C (Deliveries)" when Section II.C is headed "Conditions". Captions
match when they have the same words, whatever the case, punctuation, "&" for "and" or plural;
a caption that is a shortened heading ("Confidentiality" for "Confidentiality Obligations") matches.

``xref.part``: "Section 5.4 of the Standard Terms" when the Standard Terms are in the same file.
A file holds several parts when its numbering starts again at 1 (an order form's standard terms,
a service level agreement after the agreement); a part is named by the title just before its
first numbered paragraph and by the terms it defines as itself ('"Standard Terms" means these
...'). A reference naming a part is looked up in that part only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Document, Paragraph, Reference, lookup_number, normalise_number
from assembler.memo import kept

CAPTION = re.compile(r"[ \u00a0]*\((?P<caption>[A-Z][^()\n]{1,100}?)\)")
_NOT_CAPTION = re.compile(r"^(?:[A-Z]|[IVXLC]+|\d+)$|^(?:as\s|if\s|or\s|and\s|each\s|the\s)|\d{4}")
_SELF = re.compile(r"^(?:these|this)\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Parts of a file

@dataclass(eq=False)
class Part:
    """A run of the body whose numbering starts at 1: its names and its own outline."""

    names: set[str] = field(default_factory=set)   # normalised: "standard terms", "sla"
    title: str | None = None
    outline: dict[str, Paragraph] = field(default_factory=dict)
    paragraphs: list[Paragraph] = field(default_factory=list)


def _key(name: str) -> str:
    name = re.sub(r"^(?:the|these|this|that|such|each)\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", name).strip(" .,;:").lower()


def _top_value(number: str) -> int | None:
    head = re.split(r"[.(]", number, maxsplit=1)[0]
    if head.isdigit():
        return int(head)
    from assembler.docmodel.model import _roman_value
    return _roman_value(head)


def _title_before(body: list[Paragraph], i: int) -> str | None:
    """The title standing just before (or just after an empty first item of) the paragraph at *i*."""
    for j in list(range(i - 1, max(-1, i - 4), -1)) + [i + 1]:
        if not 0 <= j < len(body):
            continue
        p = body[j]
        text = p.text.strip()
        if not text or p.number is not None and j != i + 1:
            continue
        if len(text) <= 80 and not text.endswith((".", ";", ",")) and text[:1].isupper() and p.number is None:
            return text
        if p.number is None:
            return None
    return None


def parts(doc: Document) -> list[Part]:
    """The parts of *doc*'s body (one part when its numbering never starts again)."""
    body = [p for p in doc.paragraphs if p.part == "body"]
    out: list[Part] = []
    current: Part | None = None
    top: int | None = None
    for i, p in enumerate(body):
        if p.number is not None and "." not in p.number and "(" not in p.number:
            value = _top_value(p.number)
            if value is not None and (current is None or top is not None and value <= top and value <= 1):
                current = Part()
                title = _title_before(body, i)
                if title:
                    current.title = title
                    current.names.add(_key(title))
                out.append(current)
            if value is not None:
                top = value
        if current is None:
            continue
        current.paragraphs.append(p)
        if p.number is not None:
            current.outline.setdefault(p.number, p)
    for d in doc.definitions:
        if d.kind in ("means", "includes") and _SELF.match(d.wording):
            for part in out:
                if any(q is d.paragraph for q in part.paragraphs):
                    part.names.add(_key(d.term))
    return out


def part_named(doc: Document, name: str | None, cache: dict) -> Part | None:
    """The part of *doc* called *name* ("the Standard Terms"); None if the file has no such part."""
    if not name:
        return None
    if id(doc) not in cache:
        cache[id(doc)] = parts(doc)
    found = cache[id(doc)]
    if len(found) < 2:
        return None
    key = _key(name)
    named = [p for p in found if key in p.names]
    return named[0] if len(named) == 1 else None


def _resolve(ctx: Context, doc: Document, ref: Reference, cache: dict) -> tuple[Paragraph | None, Part | None]:
    part = part_named(doc, ref.other_document, cache)
    if part is not None:
        return lookup_number(part.outline, normalise_number(ref.target), article=ref.kind == "article"), part
    if ref.other_document:
        return None, None
    return ctx.package.resolve(ref.target, ref.paragraph, ref.local, kind=ref.kind), None


# ---------------------------------------------------------------------------------------------
# Captions

_WORD = re.compile(r"[a-z0-9]+")


@kept()
def _words(text: str) -> tuple[str, ...]:
    """The words of a caption or heading, lower-cased and singular; kept for recent texts (a heading is
    compared with every caption that refers to it)."""
    text = text.split("\t")[0].lower().replace("&", " and ")
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                 for w in _WORD.findall(text))


def captions_agree(caption: str, heading: str) -> bool:
    a, b = _words(caption), _words(heading)
    if not a or not b:
        return True
    return a == b or set(a) <= set(b) or set(b) <= set(a)


def _headed(outline: dict[str, Paragraph], caption: str, index: dict) -> Paragraph | None:
    """The section of *outline* headed *caption*; *index* caches each outline's headings."""
    if id(outline) not in index:
        headings: dict[tuple[str, ...], Paragraph] = {}
        for p in outline.values():
            if p.heading:
                headings.setdefault(_words(p.heading), p)
        index[id(outline)] = headings
    return index[id(outline)].get(_words(caption))


def find_captions(ctx: Context) -> Iterable[Finding]:
    cache: dict = {}
    index: dict = {}
    for doc in ctx.package.documents:
        for ref in doc.references:
            if ref.kind not in ("section", "article"):
                continue
            text = ref.paragraph.text
            m = CAPTION.match(text, ref.end)
            if m is None or _NOT_CAPTION.search(m.group("caption")):
                continue
            caption = m.group("caption").strip()
            target, part = _resolve(ctx, doc, ref, cache)
            if target is None or not target.heading or target is ref.paragraph:
                continue
            heading = target.heading.split("\t")[0].strip()
            if captions_agree(caption, heading):
                continue
            word = "Article" if ref.kind == "article" else "Section"
            message = f"{word} {target.number} is headed “{heading}”, not “{caption}”"
            elsewhere = _headed(part.outline if part else doc.outline_of(target), caption, index)
            if elsewhere is not None and elsewhere is not target:
                message += f"; “{elsewhere.heading}” is {word} {elsewhere.number}"
            yield ctx.finding(CAPTIONS, ref.paragraph, text[ref.start:m.end()], message + ".", offset=ref.start)


# ---------------------------------------------------------------------------------------------
# References into another part of the file

def find_part_references(ctx: Context) -> Iterable[Finding]:
    cache: dict = {}
    for doc in ctx.package.documents:
        for ref in doc.references:
            if ref.kind not in ("section", "article") or not ref.other_document:
                continue
            part = part_named(doc, ref.other_document, cache)
            if part is None:
                continue
            key = normalise_number(ref.target)
            if lookup_number(part.outline, key, article=ref.kind == "article") is not None:
                continue
            name = ref.other_document.strip()
            tops = [n for n in part.outline if "." not in n and "(" not in n]
            extent = f" (they run from {tops[0]} to {tops[-1]})" if len(tops) > 1 else ""
            yield ctx.finding(PARTS, ref.paragraph, ref.text,
                              f"{name[:1].upper() + name[1:]} in this file have no Section {key}{extent}.",
                              offset=ref.start)


# ---------------------------------------------------------------------------------------------

_AGREEMENT = (
    "1|**Purchase and Sale.**",
    "2|__Purchase Amount.__ Company shall sell the Preferred Shares to Purchaser.",
    "2|__Deliveries.__ Company shall deliver this Agreement and the Certificate.",
    "2|__Conditions.__ The deliveries in Section I.B (Deliveries) are conditions of each Closing.",
)

_ORDER_FORM = (
    "T|Order Form",
    "B|This Order Form incorporates the Standard Terms below. Modifying Section 2.1 of the Standard Terms, "
    "Fees are payable in advance.",
    "C|Standard Terms",
    "N|1.\tFees and Payment",
    "N|1.1\tFees. Customer shall pay the Fees.",
    "N|1.2\tTaxes. \"Standard Terms\" means these standard terms, and Fees exclude taxes.",
    "N|2.\tConfidentiality",
    "N|2.1\tUse. The Recipient shall use Confidential Information only under this Agreement.",
    "C|Service Level Terms",
    "N|1.\tUptime",
    "N|1.1\tTarget. \"SLA\" means these service level terms; see Section 2.1 (Use) of the Standard Terms.",
)

CAPTIONS = Rule(
    code="xref.caption",
    name="caption-mismatch",
    severity=Severity.ERROR,
    description="A cross-reference whose caption in parentheses is not the heading of the section it names.",
    find=find_captions,
    fails=(
        example(*_AGREEMENT, "2|__Closing.__ The Closing is subject to the conditions of Section I.C (Deliveries).",
                note="Section I.C is headed Conditions"),
        example(*_ORDER_FORM[:-1],
                "N|1.1\tTarget. \"SLA\" means these service level terms; see Section 2.1 (Fees) of the Standard Terms.",
                note="a caption into another part of the file"),
    ),
    passes=(
        example(*_AGREEMENT, "B|Under Section I.A (purchase amounts) and Section I (Purchase & Sale) and "
                             "Section 4(a)(2) (as amended) of the Securities Act.",
                note="captions that agree in case, '&' and plural; a parenthesis that is not a caption"),
        example(*_ORDER_FORM, note="a caption looked up in the part the reference names"),
    ),
)

PARTS = Rule(
    code="xref.part",
    name="missing-reference-into-part",
    severity=Severity.ERROR,
    description="A reference to a section of another part of the same file (\"Section 5.4 of the Standard "
                "Terms\") that the part does not have.",
    find=find_part_references,
    fails=(
        example(*[line.replace("Section 2.1 of", "Section 5.4 of") for line in _ORDER_FORM],
                note="the Standard Terms have no Section 5.4"),
        example(*[line.replace("Section 2.1 (Use) of", "Section 1.3 of") for line in _ORDER_FORM],
                note="Section 1.3 is not in the Standard Terms"),
    ),
    passes=(example(*_ORDER_FORM, note="sections that the named part has"),),
)

RULES: tuple[Rule, ...] = (CAPTIONS, PARTS)
