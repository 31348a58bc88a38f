"""A .docx as reviewable text: one paragraph a line, with its style, list number and tags.

`assembler dump FILE` prints it; as a git textconv driver it makes template diffs readable:
    git config diff.docx.textconv "assembler dump"   and   *.docx diff=docx  in .gitattributes
"""

from __future__ import annotations

from pathlib import Path

from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import paragraph_text, qn, read_package, story_paragraphs


def _style_names(styles) -> dict[str, str]:
    if styles is None:
        return {}
    return {s.get(qn("w:styleId")): (s.find(qn("w:name")).get(qn("w:val")) if s.find(qn("w:name")) is not None
                                      else s.get(qn("w:styleId")))
            for s in styles.iter(qn("w:style"))}


def dump_docx(path: Path) -> str:
    """The text of every story of *path*: body (with list numbers), then headers and footers."""
    package = read_package(path)
    names = _style_names(package.styles)
    lines: list[str] = []
    paragraphs = list(story_paragraphs(package.body))
    labels = NumberingEngine(package.numbering, package.styles).label_paragraphs(paragraphs)
    for p, label in zip(paragraphs, labels):
        style_el = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style = names.get(style_el.get(qn("w:val")), style_el.get(qn("w:val"))) if style_el is not None else "Normal"
        number = f"{label.text} " if label is not None else ""
        text = paragraph_text(p)
        if p.find(f".//{qn('w:br')}[@{qn('w:type')}='page']") is not None:
            text += "[page break]"
        lines.append(f"[{style}] {number}{text}".rstrip())
    for part_name in package.header_footer_parts():
        root = package.xml(part_name)
        if root is None:
            continue
        for p in story_paragraphs(root):
            text = paragraph_text(p)
            fields = [f.get(qn("w:instr")).strip() for f in p.iter(qn("w:fldSimple"))]
            suffix = "".join(f" {{{f}}}" for f in fields)
            lines.append(f"[{part_name}] {text}{suffix}".rstrip())
    return "\n".join(lines) + "\n"
