"""Word fields (REF, PAGE, ...) and bookmarks, read from any story of a .docx.

A complex field is ``w:fldChar begin`` · ``w:instrText``… · ``w:fldChar separate`` · result runs ·
``w:fldChar end``, possibly spanning paragraphs; a simple field is ``w:fldSimple w:instr``.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from lxml import etree

from assembler.docmodel.ooxml import qn

_REF_RE = re.compile(r"^\s*REF\s+(\S+)(.*)$", re.IGNORECASE)
_P, _R, _T, _FLD, _INSTR, _SIMPLE = (qn("w:p"), qn("w:r"), qn("w:t"), qn("w:fldChar"), qn("w:instrText"),
                                     qn("w:fldSimple"))
_DEL = qn("w:del")
_BOOKMARK_START, _NAME = qn("w:bookmarkStart"), qn("w:name")


@dataclass
class Field:
    """One field: its instruction, its cached result text, and the paragraph where it begins."""

    instruction: str
    result: str
    paragraph: etree._Element

    @property
    def kind(self) -> str:
        """The field type, upper-case: 'REF', 'PAGE', 'HYPERLINK'..."""
        parts = self.instruction.split()
        return parts[0].upper() if parts else ""

    @property
    def ref_bookmark(self) -> str | None:
        """The bookmark a REF field points to, or None for other fields."""
        m = _REF_RE.match(self.instruction)
        return m.group(1) if m else None

    @property
    def switches(self) -> set[str]:
        return {s.lower() for s in re.findall(r"\\[a-zA-Z*]", self.instruction)}


def iter_fields(root: etree._Element) -> list[Field]:
    """Every field in *root* (a story), outermost and nested, in document order."""
    fields: list[Field] = []
    stack: list[dict] = []
    for el in root.iter(_FLD, _INSTR, _T, _SIMPLE):
        if _inside_deletion(el):
            continue
        tag = el.tag
        if tag == _SIMPLE:
            result = "".join(t.text or "" for t in el.iter(_T))
            fields.append(Field(el.get(qn("w:instr")) or "", result, _paragraph(el)))
        elif tag == _FLD:
            kind = el.get(qn("w:fldCharType"))
            if kind == "begin":
                stack.append({"instr": [], "result": [], "in_result": False, "p": _paragraph(el)})
            elif kind == "separate" and stack:
                stack[-1]["in_result"] = True
            elif kind == "end" and stack:
                f = stack.pop()
                fields.append(Field("".join(f["instr"]).strip(), "".join(f["result"]), f["p"]))
                if stack and stack[-1]["in_result"]:
                    stack[-1]["result"].append("".join(f["result"]))
        elif tag == _INSTR and stack and not stack[-1]["in_result"]:
            stack[-1]["instr"].append(el.text or "")
        elif tag == _T and stack and stack[-1]["in_result"]:
            stack[-1]["result"].append(el.text or "")
    return fields


def _inside_deletion(el) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == _DEL:
            return True
        parent = parent.getparent()
    return False


def _paragraph(el):
    while el is not None and el.tag != _P:
        el = el.getparent()
    return el


def bookmarks(root: etree._Element, known: Container[str] = ()) -> dict[str, etree._Element]:
    """Bookmark name -> the paragraph where it starts (the first, when a name repeats); the names in *known*
    left out (a reader that has placed most bookmarks already looks for no paragraph of theirs)."""
    found: dict[str, etree._Element] = {}
    for b in root.iter(_BOOKMARK_START):
        name = b.get(_NAME)
        if name and name not in found and name not in known:
            p = _paragraph(b)
            if p is None:  # a bookmarkStart between paragraphs marks the next one
                p = b.getnext() if b.getnext() is not None and b.getnext().tag == _P else None
            found[name] = p
    return found
