"""An independent reading of a built .docx for the tests: paragraphs with Word's numbers, fields, bookmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assembler.docmodel.fields import bookmarks, iter_fields
from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import paragraph_text, read_package, story_paragraphs


@dataclass
class Para:
    index: int
    number: str | None      # full context, as REF \w shows it ("II.D")
    text: str


@dataclass
class Inspected:
    paragraphs: list[Para]
    refs: list[tuple[str, str, int]] = field(default_factory=list)   # (bookmark, cached, paragraph index)
    bookmark_numbers: dict[str, str | None] = field(default_factory=dict)
    footer_texts: list[str] = field(default_factory=list)
    field_instructions: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def numbered(self, number: str) -> list[Para]:
        return [p for p in self.paragraphs if p.number == number]

    def paragraph_containing(self, fragment: str) -> Para:
        found = [p for p in self.paragraphs if fragment in p.text]
        assert found, f"no paragraph contains {fragment!r}"
        return found[0]


def inspect(path: Path) -> Inspected:
    package = read_package(path)
    paras = list(story_paragraphs(package.body))
    labels = NumberingEngine(package.numbering, package.styles).label_paragraphs(paras)
    index_of = {id(p): i for i, p in enumerate(paras)}
    out = Inspected([Para(i, lab.full_context() if lab else None, paragraph_text(p))
                     for i, (p, lab) in enumerate(zip(paras, labels))])
    for f in iter_fields(package.body):
        out.field_instructions.append(f.instruction)
        if f.ref_bookmark:
            out.refs.append((f.ref_bookmark, f.result, index_of.get(id(f.paragraph), -1)))
    for name, p in bookmarks(package.body).items():
        out.bookmark_numbers[name] = out.paragraphs[index_of[id(p)]].number if p is not None else None
    for part in package.header_footer_parts():
        root = package.xml(part)
        if root is not None:
            out.footer_texts.extend(paragraph_text(p) for p in story_paragraphs(root))
    return out
