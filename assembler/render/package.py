"""Combine the agreement and its exhibits into one Word file, each exhibit in its own section.

Each exhibit keeps its own list numbering (its abstractNums and nums are copied under new ids,
with a deterministic nsid), its own styles, and its own footer in a new section whose page
numbers restart at 1.
"""

from __future__ import annotations

import copy
import hashlib

from docx.enum.section import WD_SECTION

from assembler.docmodel.ooxml import qn


def _max_id(root, tag: str, attr: str) -> int:
    return max((int(e.get(qn(attr))) for e in root.iter(qn(tag)) if (e.get(qn(attr)) or "").isdigit()),
               default=0)


def _merge_numbering(target_doc, source_doc, key: str) -> dict[str, str]:
    """Copy *source_doc*'s numbering definitions into *target_doc*; return old numId -> new numId."""
    src = source_doc.part.numbering_part.element
    dst = target_doc.part.numbering_part.element
    abs_offset = _max_id(dst, "w:abstractNum", "w:abstractNumId")
    num_offset = _max_id(dst, "w:num", "w:numId")
    abstract_map, num_map = {}, {}
    first_num = dst.find(qn("w:num"))
    for abstract in src.findall(qn("w:abstractNum")):
        new = copy.deepcopy(abstract)
        old_id = abstract.get(qn("w:abstractNumId"))
        new_id = str(int(old_id) + abs_offset)
        abstract_map[old_id] = new_id
        new.set(qn("w:abstractNumId"), new_id)
        nsid = new.find(qn("w:nsid"))
        if nsid is not None:
            nsid.set(qn("w:val"), hashlib.sha1(f"{key}:{new_id}".encode()).hexdigest()[:8].upper())
        if first_num is not None:
            first_num.addprevious(new)
        else:
            dst.append(new)
    for num in src.findall(qn("w:num")):
        new = copy.deepcopy(num)
        old_id = num.get(qn("w:numId"))
        new_id = str(int(old_id) + num_offset)
        num_map[old_id] = new_id
        new.set(qn("w:numId"), new_id)
        ref = new.find(qn("w:abstractNumId"))
        ref.set(qn("w:val"), abstract_map.get(ref.get(qn("w:val")), ref.get(qn("w:val"))))
        dst.append(new)
    return num_map


def _remap_num_ids(root, num_map: dict[str, str]) -> None:
    for num_id in root.iter(qn("w:numId")):
        val = num_id.get(qn("w:val"))
        if val in num_map:
            num_id.set(qn("w:val"), num_map[val])


def _merge_styles(target_doc, source_doc, num_map: dict[str, str]) -> None:
    """Copy the styles *target_doc* lacks; numbered styles point at the copied numbering."""
    dst = target_doc.styles.element
    have = {s.get(qn("w:styleId")) for s in dst.findall(qn("w:style"))}
    for style in source_doc.styles.element.findall(qn("w:style")):
        if style.get(qn("w:styleId")) in have:
            continue
        new = copy.deepcopy(style)
        _remap_num_ids(new, num_map)
        dst.append(new)


def combine(agreement, exhibits: list[tuple[str, object]]):
    """Append each (key, Document) exhibit to *agreement* in a new section; returns *agreement*."""
    for key, exhibit in exhibits:
        num_map = _merge_numbering(agreement, exhibit, key)
        _merge_styles(agreement, exhibit, num_map)
        section = agreement.add_section(WD_SECTION.NEW_PAGE)
        body = agreement.element.body
        sect_pr = body.find(qn("w:sectPr"))
        for child in list(exhibit.element.body):
            if child.tag == qn("w:sectPr"):
                continue
            moved = copy.deepcopy(child)
            _remap_num_ids(moved, num_map)
            sect_pr.addprevious(moved)
        footer = section.footer
        footer.is_linked_to_previous = False
        footer_el = footer._element
        for child in list(footer_el):
            footer_el.remove(child)
        for child in exhibit.sections[0].footer._element:
            footer_el.append(copy.deepcopy(child))
        _restart_page_numbers(section._sectPr)
    return agreement


def _restart_page_numbers(sect_pr) -> None:
    """Each exhibit's pages count from 1 ("Exhibit 1-1"), whatever section came before it."""
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = sect_pr.makeelement(qn("w:pgNumType"), {})
        following = [sect_pr.find(qn(t)) for t in ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                                   "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                                                   "w:docGrid", "w:printerSettings", "w:sectPrChange")]
        following = [el for el in following if el is not None]
        if following:
            following[0].addprevious(pg)
        else:
            sect_pr.append(pg)
    pg.set(qn("w:start"), "1")
