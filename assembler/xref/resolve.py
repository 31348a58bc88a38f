"""Cross-references by name: labels become bookmarks, references become REF fields.

Sphinx's two phases: first every anchor of every document is collected and numbered exactly as
Word will display it (docmodel.numbering); only then is each reference replaced by a REF field
whose cached result is that number. A reference to a label in another file of the package becomes
plain text with the number (Word cannot REF into another file); in a combined package file it is
a REF field like any other.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import W_NS, first_child, qn, story_paragraphs
from assembler.errors import Location, Problem, TemplateError
from assembler import memo
from assembler.xref.markers import LABEL_RE, OPEN, Marker, markers_in

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The parser of the runs `replace_refs` writes (text from a parsed document: no entities, no DTD).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
DOC_PREFIX = {"agreement": "spa", "glossary": "glo", "certificate": "cod"}


def bookmark_name(marker: Marker) -> str:
    """A hidden bookmark name (Word's own cross-references use _Ref...), unique per document label."""
    return f"_Ref_{DOC_PREFIX.get(marker.document, marker.document[:3])}_{marker.label}"[:40]


@memo.kept()
def _anchor_bookmark(label: str, document: str) -> str:
    """`bookmark_name` of the anchor *label* of *document* (kept: the two are all the name is made of)."""
    return bookmark_name(Marker("A", document, label))


@dataclass
class Story:
    """One rendered Word file: its key documents, body element, and numbering/styles roots."""

    name: str                     # file key, e.g. "agreement" or "package"
    body: etree._Element
    numbering: etree._Element | None
    styles: etree._Element | None
    template_of: dict[str, str]   # document key -> template path, for error messages
    anchors: dict[tuple[str, str], etree._Element] = field(default_factory=dict)
    engine: NumberingEngine | None = None   # reuse one engine per template (it reads numbering once)


@dataclass(frozen=True)
class Target:
    story: str
    bookmark: str
    number: str       # full-context number, as REF \w shows it ("II.D")


_T, _P, _R, _RPR = qn("w:t"), qn("w:p"), qn("w:r"), qn("w:rPr")
_ID, _NAME = qn("w:id"), qn("w:name")
_BOOKMARK_START, _BOOKMARK_END, _PPR = qn("w:bookmarkStart"), qn("w:bookmarkEnd"), qn("w:pPr")
_INSTR, _FLD_CHAR, _FLD_CHAR_TYPE = qn("w:instrText"), qn("w:fldChar"), qn("w:fldCharType")


def _text_nodes_with_markers(body):
    """The w:t elements of *body* whose text holds a marker, in document order (each text read once:
    lxml makes a new string each time a text is read)."""
    return [t for t in body.iter(_T) if (text := t.text) and OPEN in text]


def bookmark_ids_after(body) -> int:
    """The first bookmark id after every numeric w:id of *body*'s bookmarks (1 when there is none)."""
    return max([int(bid) for b in body.iter(_BOOKMARK_START) if (bid := b.get(_ID) or "").isdigit()], default=0) + 1


def _paragraph_of(node):
    while node is not None and node.tag != _P:
        node = node.getparent()
    return node


def collect_anchors(story: Story, problems: list[Problem]) -> list[etree._Element]:
    """Phase 1: strip anchor markers, remembering the paragraph each one labels. Returns the text
    nodes that still hold a marker (a reference), in document order."""
    left = []
    for t in _text_nodes_with_markers(story.body):
        text = t.text
        kept, pos = [], 0
        for start, end, marker in markers_in(text):
            if marker.kind != "A":
                continue
            kept.append(text[pos:start])
            pos = end
            if LABEL_RE.match(marker.label) and marker.key not in story.anchors:
                story.anchors[marker.key] = _paragraph_of(t)
                continue
            where = Location(story.template_of.get(marker.document, marker.document), field=f"anchor.{marker.label}")
            if not LABEL_RE.match(marker.label):
                problems.append(Problem(where, f"invalid label {marker.label!r} (use lower-case letters, digits, _)"))
            else:
                problems.append(Problem(where, f"duplicate label {marker.label!r}: it marks two paragraphs"))
        kept.append(text[pos:])
        t.text = text = "".join(kept)
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
        if OPEN in text:
            left.append(t)
    return left


def number_anchors(story: Story, problems: list[Problem], next_id: list[int]) -> dict[tuple[str, str], Target]:
    """Phase 2: number every anchored paragraph as Word will and wrap it in a bookmark."""
    if not story.anchors:
        return {}
    anchored = {id(p) for p in story.anchors.values()}
    paragraphs = []
    for p in story_paragraphs(story.body):  # a paragraph's number depends on those before it only
        paragraphs.append(p)
        if id(p) in anchored:
            anchored.discard(id(p))
            if not anchored:
                break
    engine = story.engine or NumberingEngine(story.numbering, story.styles)
    labels = engine.label_paragraphs(paragraphs)
    label_of = {id(p): lab for p, lab in zip(paragraphs, labels)}
    targets, marked = {}, []
    for key, para in story.anchors.items():
        label = label_of.get(id(para))
        if label is None:
            problems.append(Problem(
                Location(story.template_of.get(key[0], key[0]), field=f"anchor.{key[1]}"),
                f"label {key[1]!r} stands in a paragraph that has no list number"))
            continue
        name = _anchor_bookmark(key[1], key[0])
        marked.append((para, name))
        targets[key] = Target(story.name, name, label.full_context())
    add_bookmarks(marked, next_id)
    return targets


def add_bookmark(para, name: str, next_id: list[int]) -> None:
    bid = str(next_id[0])
    next_id[0] += 1
    start = para.makeelement(_BOOKMARK_START, {_ID: bid, _NAME: name})
    ppr = first_child(para, _PPR)
    if ppr is not None:
        ppr.addnext(start)
    else:
        para.insert(0, start)
    etree.SubElement(para, _BOOKMARK_END, {_ID: bid})


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]*")


def add_bookmarks(marked: list[tuple[etree._Element, str]], next_id: list[int]) -> None:
    """`add_bookmark` for each (paragraph, name) in turn; the bookmarks' elements made by parsing them
    at once (making an element with namespaced attributes one by one costs several times more)."""
    if not all(_PLAIN_NAME.fullmatch(name) for _para, name in marked):
        for para, name in marked:
            add_bookmark(para, name, next_id)
        return
    if not marked:
        return
    xml = []
    for _para, name in marked:
        bid = str(next_id[0])
        next_id[0] += 1
        xml.append(f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/><w:bookmarkEnd w:id="{bid}"/>')
    made = etree.fromstring(f"{_FRAGMENT}{''.join(xml)}</w:p>".encode("utf-8"), _PARSER)
    for (para, _name), start, end in zip(marked, made[0::2], made[1::2]):
        ppr = first_child(para, _PPR)
        if ppr is not None:
            ppr.addnext(start)
        else:
            para.insert(0, start)
        para.append(end)


def make_run(rpr, *children) -> etree._Element:
    r = etree.Element(_R)
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    for child in children:
        r.append(child)
    return r


def text_element(value: str) -> etree._Element:
    t = etree.Element(_T)
    t.text = value
    if value != value.strip() or "  " in value:
        t.set(XML_SPACE, "preserve")
    return t


def fld_char(kind: str) -> etree._Element:
    return etree.Element(_FLD_CHAR, {_FLD_CHAR_TYPE: kind})


def field_runs(rpr, instruction: str, cached: str | None) -> list[etree._Element]:
    """The runs of a complex field: begin, *instruction*, then (unless *cached* is None, as for a
    TC field, which shows nothing) separate and the cached result; end."""
    instr = etree.Element(_INSTR)
    instr.text = instruction
    instr.set(XML_SPACE, "preserve")
    runs = [make_run(rpr, fld_char("begin")), make_run(rpr, instr)]
    if cached is not None:
        runs += [make_run(rpr, fld_char("separate")), make_run(rpr, text_element(cached))]
    return runs + [make_run(rpr, fld_char("end"))]


def ref_field_instruction(bookmark: str) -> str:
    """The instruction of a REF field to *bookmark* (full context, hyperlinked)."""
    return f" REF {bookmark} \\w \\h "


def _escaped(text: str) -> str:
    """*text* as XML character data (a carriage return kept as one, not read as a line break)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _text_xml(value: str) -> str:
    """`text_element(value)` as XML."""
    space = ' xml:space="preserve"' if value != value.strip() or "  " in value else ""
    return f"<w:t{space}>{_escaped(value)}</w:t>"


_FRAGMENT = f'<w:p xmlns:w="{W_NS}">'


def replace_refs(story: Story, targets: dict[tuple[str, str], Target], problems: list[Problem],
                 marked: list[etree._Element] | None = None) -> None:
    """Phase 3: each reference marker becomes a REF field (same file) or plain text (other file).
    *marked*: the text nodes holding a marker, as `collect_anchors` left them (by default looked for).

    The runs that replace a marked run (each with a copy of its properties) are written as XML and
    parsed at once, which is much faster than making them element by element."""
    for t in _text_nodes_with_markers(story.body) if marked is None else marked:
        run = t.getparent()
        rpr = first_child(run, _RPR)
        head = "<w:r>" if rpr is None else "<w:r>" + etree.tostring(rpr, encoding="unicode")  # tail too, as copied
        runs = []
        for child in run:
            if child.tag == _RPR:
                continue
            if child is not t:
                runs.append(f"{head}{etree.tostring(child, encoding='unicode')}</w:r>")
                continue
            text, pos = t.text, 0
            for start, end, marker in markers_in(text):
                if start > pos:
                    runs.append(f"{head}{_text_xml(text[pos:start])}</w:r>")
                pos = end
                target = targets.get(marker.key)
                if target is None:
                    doc = marker.document
                    where = Location(story.template_of.get(doc, doc), field=f"ref.{marker.label}")
                    problems.append(Problem(where, f"reference to unknown label {marker.label!r}"
                                            + ("" if doc in story.template_of else f" in the {doc}")))
                    continue
                if target.story == story.name:
                    instruction = _escaped(ref_field_instruction(target.bookmark))
                    runs.append(f'{head}<w:fldChar w:fldCharType="begin"/></w:r>'
                                f'{head}<w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
                                f'{head}<w:fldChar w:fldCharType="separate"/></w:r>'
                                f'{head}{_text_xml(target.number)}</w:r>'
                                f'{head}<w:fldChar w:fldCharType="end"/></w:r>')
                else:
                    runs.append(f"{head}{_text_xml(target.number)}</w:r>")
            if pos < len(text):
                runs.append(f"{head}{_text_xml(text[pos:])}</w:r>")
        if runs:
            for new in etree.fromstring(f"{_FRAGMENT}{''.join(runs)}</w:p>".encode("utf-8"), _PARSER):
                run.addprevious(new)
        run.getparent().remove(run)


def resolve(stories: list[Story]) -> None:
    """Turn every anchor and reference in *stories* into bookmarks and REF fields, or raise."""
    problems: list[Problem] = []
    marked = [collect_anchors(story, problems) for story in stories]
    targets: dict[tuple[str, str], Target] = {}
    for story in stories:
        next_id = [bookmark_ids_after(story.body)]
        for key, target in number_anchors(story, problems, next_id).items():
            targets.setdefault(key, target)
    for story, nodes in zip(stories, marked):
        replace_refs(story, targets, problems, nodes)
    if problems:
        raise TemplateError(sorted(set(problems), key=str))
