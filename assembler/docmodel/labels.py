"""Every paragraph's displayed list label, and the check of the engine against Word's own numbers.

A Word-saved file carries Word's numbers twice: the cached result of each REF field (``\\w``,
``\\r``, ``\\n``) and the number at the head of each TOC entry. :func:`verify` computes what the
numbering engine says each of those should show and lists every disagreement, so a user can see
why a cross-reference finding was made and a developer can measure the engine against Word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from assembler.docmodel.fields import iter_fields
from assembler.docmodel.numbering import ListLabel, NumberingEngine
from assembler.docmodel.ooxml import Package, paragraph_text, qn, story_paragraphs

_BOOKMARK, _NAME = qn("w:bookmarkStart"), qn("w:name")
_HYPERLINK, _ANCHOR = qn("w:hyperlink"), qn("w:anchor")
_P = qn("w:p")
_TXBX, _FALLBACK = qn("w:txbxContent"), qn("mc:Fallback")
_REF_RE = re.compile(r"^\s*REF\s+(\S+)", re.IGNORECASE)
_TOC_NUMBER = re.compile(r"^([^\t]*)\t")


@dataclass
class Labelled:
    """One ``w:p`` of one story with the label the engine gives it (None: not numbered)."""

    part: str
    index: int
    element: etree._Element
    label: ListLabel | None
    position: ListLabel | None  # where the paragraph stands in the lists: its own or the last label before it

    @property
    def text(self) -> str:
        return paragraph_text(self.element)


def stories(package: Package) -> Iterator[tuple[str, etree._Element]]:
    """Each story of a package that can hold numbered paragraphs: body, notes, headers, footers."""
    yield "body", package.body
    for part, root in (("footnotes", package.footnotes), ("endnotes", package.endnotes)):
        if root is not None:
            yield part, root
    for part in package.header_footer_parts():
        root = package.xml(part)
        if root is not None:
            yield part, root


def text_box_paragraphs(root: etree._Element) -> list[etree._Element]:
    """The ``w:p`` of every text box of a story, in order (a VML fallback copy is left out)."""
    out: list[etree._Element] = []
    for box in root.iter(_TXBX):
        if any(up.tag == _FALLBACK for up in box.iterancestors()):
            continue
        out.extend(story_paragraphs(box))
    return out


def label_package(package: Package) -> list[Labelled]:
    """Every paragraph of every story with its displayed label.

    Each story counts on its own: the body, the text boxes of the body (one story, in document
    order, as Word keeps them), footnotes, endnotes and each header and footer part.
    """
    engine = NumberingEngine(package.numbering, package.styles)
    out: list[Labelled] = []
    parts = list(stories(package))
    boxes = text_box_paragraphs(package.body)
    if boxes:
        parts.insert(1, ("textboxes", boxes))
    for part, root in parts:
        elements = list(story_paragraphs(root)) if not isinstance(root, list) else root
        position: ListLabel | None = None
        for index, (p, label) in enumerate(zip(elements, engine.label_paragraphs(elements), strict=True)):
            if label is not None:
                position = label
            out.append(Labelled(part, index, p, label, position))
    return out


# ---------------------------------------------------------------------------------------------
# What a REF field shows


def _switches(instruction: str) -> set[str]:
    return {s.lower() for s in re.findall(r"\\[a-zA-Z*]", instruction)}


def ref_result(target: ListLabel, switches: set[str], position: ListLabel | None) -> str | None:
    """The number a REF field with *switches* shows for *target*, or None when it shows text.

    *position* is the label in force where the field stands (for ``\\r``). ``\\t`` keeps the
    number without its non-numeric text ("Article 5" -> "5").
    """
    if "\\w" in switches:
        shown = target.full_context()
    elif "\\r" in switches:
        shown = target.relative_to(position)
    elif "\\n" in switches:
        shown = target.no_context()
    else:
        return None
    if "\\t" in switches:
        shown = _suppress_text(shown)
    return shown


def _suppress_text(shown: str) -> str:
    """REF ``\\t``: drop the words of a label ("Article 5" -> "5"), keep numbers and delimiters."""
    return re.sub(r"^[^\W\d_]{2,}\s+", "", shown)


# ---------------------------------------------------------------------------------------------
# Verification against cached results


@dataclass(frozen=True)
class Disagreement:
    """A REF or TOC cached result that is not the engine's label for its bookmark."""

    kind: str        # "REF" or "TOC"
    bookmark: str
    cached: str
    engine: str      # the engine's label ("" when the bookmarked paragraph is not numbered)
    part: str
    paragraph: int   # index of the paragraph holding the field or TOC entry, in its story
    instruction: str = ""


@dataclass
class Verification:
    """How many cached results were compared, and those that disagree."""

    checked: int
    disagreements: list[Disagreement]
    skipped: int = 0  # REF fields to a missing bookmark or without a number switch

    @property
    def agreed(self) -> int:
        return self.checked - len(self.disagreements)


def _bookmarked(package: Package, labelled: list[Labelled]) -> dict[str, Labelled]:
    """Bookmark name -> the labelled paragraph where it starts (between paragraphs: the next one)."""
    by_element = {id(item.element): item for item in labelled}
    found: dict[str, Labelled] = {}
    for _part, root in stories(package):
        for b in root.iter(_BOOKMARK):
            name = b.get(_NAME)
            if not name or name in found:
                continue
            holder = next((up for up in b.iterancestors(_P)), None)
            if holder is None:
                holder = next((sib for sib in b.itersiblings(_P)), None)
            if holder is not None and id(holder) in by_element:
                found[name] = by_element[id(holder)]
    return found


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def verify(package: Package) -> Verification:
    """Compare every REF field's and TOC entry's cached number with the engine's label."""
    labelled = label_package(package)
    targets = _bookmarked(package, labelled)
    where = {id(item.element): item for item in labelled}
    checked = skipped = 0
    out: list[Disagreement] = []
    for part, root in stories(package):
        for f in iter_fields(root):
            m = _REF_RE.match(f.instruction)
            holder = where.get(id(f.paragraph))
            if not m or holder is None:
                continue  # not a REF field, or one in a text box's fallback copy (not displayed)
            name = m.group(1)
            target = targets.get(name)
            switches = _switches(f.instruction)
            if target is None or not switches & {"\\w", "\\r", "\\n"}:
                skipped += 1
                continue
            checked += 1
            engine = ref_result(target.label, switches, holder.position) if target.label else ""
            cached = f.result
            if "\\p" in switches:
                cached = re.sub(r"\s+(?:above|below)$", "", cached.strip())
            if engine is None or _normalise(cached) != _normalise(engine):
                out.append(Disagreement("REF", name, cached, engine or "", part, holder.index, f.instruction))
    for item in labelled:
        for link in item.element.iter(_HYPERLINK):
            anchor = link.get(_ANCHOR) or ""
            if not anchor.startswith("_Toc"):
                continue
            target = targets.get(anchor)
            m = _TOC_NUMBER.match(item.text)
            if target is None or m is None:
                continue
            checked += 1
            cached = m.group(1)
            engine = target.label.text if target.label else ""
            if _normalise(cached) != _normalise(engine):
                out.append(Disagreement("TOC", anchor, cached, engine, item.part, item.index))
            break
    return Verification(checked, out, skipped)


# ---------------------------------------------------------------------------------------------
# Reports


def _excerpt(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_labels(labelled: list[Labelled], every: bool = False) -> str:
    """One line a paragraph: story and paragraph number, displayed label, full context, text excerpt."""
    lines = []
    for item in labelled:
        label = item.label
        if label is None and not every:
            continue
        own = label.text if label else ""
        full = label.full_context() if label else ""
        lines.append(f"{item.part}:{item.index + 1}\t{own}\t{full}\t{_excerpt(item.text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_verification(path: str, result: Verification) -> str:
    """The verification summary and each disagreement (bookmark, Word's cached text, engine's label)."""
    lines = [f"{path}: {result.checked} cached numbers compared (REF fields and TOC entries): "
             f"{result.agreed} agree with the engine, {len(result.disagreements)} disagree"
             + (f"; {result.skipped} REF fields show text or point to no bookmark" if result.skipped else "")]
    for d in result.disagreements:
        switches = f" {' '.join(sorted(_switches(d.instruction)))}" if d.instruction else ""
        engine = f"“{d.engine}”" if d.engine else "no number (the bookmarked paragraph is not numbered)"
        lines.append(f"  {d.part} paragraph {d.paragraph + 1}: {d.kind} {d.bookmark}{switches}: "
                     f"Word shows “{d.cached}”, the engine {engine}")
    return "\n".join(lines) + "\n"
