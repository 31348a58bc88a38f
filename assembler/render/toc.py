"""The agreement's table of contents: a real Word TOC field whose entries and page numbers are right
when the file opens.

The template holds the field with a placeholder (see ``drafting.add_toc_field``). The build fills it
in two steps:

1. :func:`fill` marks each article and section heading (the bold or underlined words that open a
   level 1 or level 2 paragraph) with a ``_Toc`` bookmark and a TC field ("II. Purchase and Sale",
   level 1), and puts in the field's place one entry paragraph for each: its number as Word shows
   it, a tab, the heading, a dotted tab and a PAGEREF field to the bookmark, all one hyperlink, as
   Word writes a TOC with ``\\h``. The headings are run into their paragraphs' text, so the TOC is
   built from TC fields (``\\f``), not outline levels: Word's own update (F9) then lists the same
   headings instead of whole paragraphs.
2. :func:`page_numbers` lays the document out with LibreOffice, reads the PDF's pages and finds the
   page on which each heading stands, as its footer numbers it; :func:`set_pages` writes those
   numbers into the PAGEREF fields. Only digits change, in right-aligned tabs, so the layout holds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from assembler.docmodel.ooxml import qn
from assembler.errors import DocumentError, Location, Problem
from assembler.xref.resolve import add_bookmark, bookmark_ids_after, field_runs, fld_char, make_run, text_element

TOC_INSTRUCTION = ' TOC \\f \\l "1-2" \\h \\z '
HEADING_STYLES = {"SPALevel1": 1, "SPALevel2": 2}
_P, _R, _T, _PPR, _RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:pPr"), qn("w:rPr")
_INSTR, _FLD = qn("w:instrText"), qn("w:fldChar")
_WANT = " ".join(TOC_INSTRUCTION.split())  # the instruction as `placeholder` compares it


@dataclass
class Entry:
    level: int
    label: str          # as Word shows it, e.g. "II." or "A."
    heading: str        # e.g. "Purchase and Sale"
    bookmark: str       # _Toc...
    page: etree._Element | None = None  # the w:t holding the PAGEREF field's cached page number


def placeholder(body) -> list[etree._Element]:
    """The paragraphs the template's TOC field spans (the build's own field, however Word left its
    result: one placeholder paragraph or a table of entries); none when the body has no such field."""
    for instr in body.iter(_INSTR):
        text = instr.text or ""
        # "TOC" is a word of the instruction: a text without it cannot be the instruction (most are REF fields)
        if "TOC" not in text or " ".join(text.split()) != _WANT:
            continue
        first = instr.getparent().getparent()
        if first.tag != _P:
            return []
        spanned, depth = [], 0
        for p in [first, *first.itersiblings(_P)]:
            spanned.append(p)
            for fld in p.iter(_FLD):
                kind = fld.get(qn("w:fldCharType"))
                depth += kind == "begin"
                depth -= kind == "end"
                if depth == 0 and kind == "end":
                    return spanned
        return spanned[:1]
    return []


def _style(p) -> str | None:
    ppr = p.find(_PPR)
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val")) if style is not None else None


def _formatted(run) -> bool:
    rpr = run.find(_RPR)
    return rpr is not None and (rpr.find(qn("w:b")) is not None or rpr.find(qn("w:u")) is not None)


def _heading_runs(p) -> list:
    """The bold or underlined runs that open *p* (its run-in heading), skipping bookmarks and empty runs."""
    runs = []
    for child in p:
        if child.tag == _PPR or child.tag in (qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
            continue
        if child.tag == _R and len(child) == sum(c.tag in (_T, _RPR) for c in child) \
                and not "".join(t.text or "" for t in child.iter(_T)):
            continue  # an empty run (where a template's anchor was)
        if child.tag != _R or not _formatted(child) or child.find(_T) is None:
            break
        runs.append(child)
    return runs


def fill(body, engine, where: str = "agreement") -> list[Entry]:
    """Put the table of contents in place of the template's TOC field (see the module docstring).

    *engine*: the agreement's NumberingEngine, for the labels as Word shows them; *where*: the
    template, named in an error. Returns the entries, whose page numbers :func:`set_pages` fills;
    none when the body has no TOC field."""
    spanned = placeholder(body)
    if not spanned:
        return []
    holder = spanned[0]
    paragraphs = list(body.iter(_P))
    labels = dict(zip(map(id, paragraphs), engine.label_paragraphs(paragraphs)))
    next_id = [bookmark_ids_after(body)]
    entries: list[Entry] = []
    after = False
    for p in paragraphs:
        if p is holder:
            after = True
            continue
        level = HEADING_STYLES.get(_style(p))
        label = labels.get(id(p))
        runs = _heading_runs(p) if after and level and label is not None else []
        heading = "".join(t.text or "" for r in runs for t in r.iter(_T)).strip().rstrip(".").strip()
        if not heading:
            continue
        bookmark = f"_Toc{next_id[0]:09d}"
        add_bookmark(p, bookmark, next_id)
        for r in reversed(field_runs(None, f' TC "{label.text} {heading}" \\l {level} ', None)):
            runs[-1].addnext(r)  # after the heading: the TC field shows nothing
        entries.append(Entry(level, label.text, heading, bookmark))
    if not entries:
        raise DocumentError(Problem(Location(where, field="table of contents"),
                                    "no article or section heading (a bold or underlined opening of a level 1 or "
                                    "level 2 paragraph) follows the table of contents field: nothing to list"))
    new = [_entry_paragraph(e) for e in entries]
    begin, instruction, end = field_runs(None, TOC_INSTRUCTION, None)  # around all the entries
    new[0].find(_PPR).addnext(begin)
    begin.addnext(instruction)
    instruction.addnext(make_run(None, fld_char("separate")))
    new[-1].append(end)
    for p in new:
        holder.addprevious(p)
    for p in spanned:
        p.getparent().remove(p)
    return entries


def _entry_paragraph(entry: Entry) -> etree._Element:
    """One line: the label, a tab, the heading, a tab and a PAGEREF field, all a hyperlink."""
    p = etree.Element(_P)
    style = etree.SubElement(etree.SubElement(p, _PPR), qn("w:pStyle"))
    style.set(qn("w:val"), f"TOC{entry.level}")
    link = etree.SubElement(p, qn("w:hyperlink"))
    link.set(qn("w:anchor"), entry.bookmark)
    link.set(qn("w:history"), "1")
    link.extend([make_run(None, text_element(entry.label)), make_run(None, etree.Element(qn("w:tab"))),
                 make_run(None, text_element(entry.heading)), make_run(None, etree.Element(qn("w:tab")))])
    page = field_runs(None, f" PAGEREF {entry.bookmark} \\h ", "0")
    entry.page = page[3].find(_T)
    link.extend(page)
    return p


def set_pages(entries: list[Entry], pages: list[str]) -> None:
    for entry, page in zip(entries, pages, strict=True):
        entry.page.text = page


# ---------------------------------------------------------------------------------------------
# Page numbers, from LibreOffice's layout


def _tools() -> tuple[str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if not soffice or not pdftotext:
        raise DocumentError(Problem(Location("table_of_contents"),
                                    "the table of contents needs LibreOffice and pdftotext to number its pages "
                                    "(apt-get install libreoffice-writer-nogui poppler-utils); install them, or "
                                    "leave table_of_contents out"))
    return soffice, pdftotext


def _pages_of(docx: bytes, where: str) -> list[str]:
    """The text of each page of *docx* as LibreOffice lays it out."""
    soffice, pdftotext = _tools()
    with tempfile.TemporaryDirectory(prefix="assembler-toc-") as tmp:
        tmp = Path(tmp)
        source = tmp / "agreement.docx"
        source.write_bytes(docx)
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(tmp), str(source)],
                           check=True, capture_output=True, timeout=300)
            text = subprocess.run([pdftotext, "-layout", str(tmp / "agreement.pdf"), "-"], check=True,
                                  capture_output=True, timeout=120).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError) as exc:
            raise DocumentError(Problem(Location(where, field="table of contents"),
                                        f"LibreOffice could not lay the agreement out to number its pages: {exc}"
                                        )) from None
    return text.split("\f")


def _footer_number(page: str) -> str | None:
    """The arabic page number at the foot of *page* (None on a cover, TOC or signature page)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[-1] if lines and lines[-1].isdigit() else None


def page_numbers(docx: bytes, entries: list[Entry], where: str = "agreement") -> list[str]:
    """The page number (as its footer shows it) of each entry's heading, in LibreOffice's layout."""
    pages = _pages_of(docx, where)
    found, at = [], 0
    for entry in entries:
        pattern = re.compile(r"(?m)^\s*" + re.escape(entry.label) + r"\s+" +
                             r"\s+".join(map(re.escape, entry.heading.split())) + r"\.")
        while at < len(pages) and not (_footer_number(pages[at]) and pattern.search(pages[at])):
            at += 1
        if at == len(pages):
            raise DocumentError(Problem(Location(where, field="table of contents"),
                                        f"cannot find the heading {entry.label} {entry.heading} in the laid-out "
                                        "agreement to number its page"))
        found.append(_footer_number(pages[at]))
    return found
