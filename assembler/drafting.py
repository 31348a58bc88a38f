"""Draft a Word document from outline text: the templates and the checker's test documents.

One paragraph per line, ``CODE|text``. Codes: T title, C centred, B body, N body without indent,
1-4 numbered levels (I. / A. / 1. / (a)), R recital (A., B.), D glossary definition, S signature
line, J paragraph-level Jinja tag, H body text in Word's "heading 2" style (as many forms set their
clauses), PB page break, SIG signature pages (a new page and section whose footer is the legend given),
COVER end of a cover page (its own section, with no page number), TOC a table of contents (the
field, which the build fills, and the end of its section, paged i, ii...). Inline: **bold**, __underline__,
//italic//. Straight quotes become typographic ones outside Jinja tags.

With ``literal=True`` the list labels are typed into the text ("II.<tab>") instead of being
Word's automatic numbering, as in agreements filed on EDGAR.
"""

from __future__ import annotations

import re

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, Twips

from assembler.docmodel.numbering import format_number

FONT = "Times New Roman"
LEVEL_FORMATS = [("upperRoman", "%1."), ("upperLetter", "%2."), ("decimal", "%3."), ("lowerLetter", "(%4)")]

# (left indent, hanging indent) of each level in twentieths of a point: a half inch for "I." and
# "A.", shallower below so that a "(a)" paragraph keeps most of the line (2.0" then 2.5" at 0.5" steps
# left a 4" column).
LEVEL_INDENTS = [(720, 720), (1440, 720), (2016, 576), (2448, 432)]


def level_style_id(prefix: str, level: int) -> str:
    return f"{prefix}Level{level}"


def abstract_num_xml(abstract_id: int, nsid: str, levels: list[tuple[str, str, str | None]]) -> str:
    """A w:abstractNum whose levels are (numFmt, lvlText, linked paragraph style id)."""
    lvls = []
    for ilvl, (fmt, text, style) in enumerate(levels):
        left, hanging = LEVEL_INDENTS[ilvl]
        pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
        lvls.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{left}"/></w:tabs>'
            f'<w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
        )
    return (
        f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:nsid w:val="{nsid}"/>'
        f'<w:multiLevelType w:val="multilevel"/>{"".join(lvls)}</w:abstractNum>'
    )


def set_numbering(doc, abstracts: list[str], nums: list[tuple[int, int]]) -> None:
    """Replace the numbering part with the given abstractNums and w:num (numId, abstractNumId)."""
    body = "".join(abstracts) + "".join(
        f'<w:num w:numId="{n}"><w:abstractNumId w:val="{a}"/></w:num>' for n, a in nums
    )
    part = doc.part.numbering_part
    part._element = parse_xml(f"<w:numbering {nsdecls('w')}>{body}</w:numbering>")


def paragraph_style(doc, style_id: str, name: str, *, base="Normal", align=None, bold=False,
                    keep_next=False, space_after=12, num: tuple[int, int] | None = None,
                    first_line=None, left=None, caps=False, size=None):
    styles = doc.styles
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = styles[base]
    style.quick_style = True
    pf = style.paragraph_format
    pf.space_after = Pt(space_after)
    pf.space_before = Pt(0)
    if align is not None:
        pf.alignment = align
    if keep_next:
        pf.keep_with_next = True
    if first_line is not None:
        pf.first_line_indent = first_line
    if left is not None:
        pf.left_indent = left
    font = style.font
    font.bold = bold or None
    if caps:
        font.all_caps = True
    if size:
        font.size = Pt(size)
    if num is not None:
        ppr = style.element.get_or_add_pPr()
        ppr.insert(0, parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'))
    return style


OWN_STYLES = ("DocTitle", "Centered", "BodyPara", "SignatureLine", "JinjaTag", "Recital", "Definition")


def prune_styles(doc, keep: set[str]) -> None:
    """Drop the styles nobody uses from python-docx's default template (hundreds of table and list
    styles and latent-style entries): keep the defaults, our own styles, *keep*, and what they name."""
    root = doc.styles.element
    styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    wanted = [sid for sid, s in styles.items()
              if s.get(qn("w:default")) == "1" or sid in keep or sid in OWN_STYLES or "Level" in sid]
    kept: set[str] = set()
    while wanted:
        sid = wanted.pop()
        if sid in kept or sid not in styles:
            continue
        kept.add(sid)
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = styles[sid].find(qn(tag))
            if ref is not None:
                wanted.append(ref.get(qn("w:val")))
    for sid, style in styles.items():
        if sid not in kept:
            root.remove(style)
    latent = root.find(qn("w:latentStyles"))
    if latent is not None:
        root.remove(latent)


def base_document(level_prefix: str | None, numbered: bool = True):
    doc = Document()
    # Drop the parts of python-docx's default template a legal document has no use for: a
    # thumbnail of some other document, Word 2010's duplicate styles, custom XML.
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            del doc.part.rels[rid]
    # Strip the sample content python-docx's default template carries.
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        rfonts.attrib.pop(qn(attr), None)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    just = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph_style(doc, "DocTitle", "Document Title", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
                    keep_next=True, caps=True, size=12)
    paragraph_style(doc, "Centered", "Centered", align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    paragraph_style(doc, "BodyPara", "Body Paragraph", align=just, first_line=Inches(0.5))
    paragraph_style(doc, "SignatureLine", "Signature Line", space_after=0, keep_next=True,
                    left=Inches(2.25))  # 4.25" wide: "ROCKY MOUNTAIN CAPITAL PARTNERS, L.P." on one line
    paragraph_style(doc, "JinjaTag", "Template Tag", space_after=0)
    abstracts, nums = [], []
    if level_prefix:
        levels = [(fmt, text, level_style_id(level_prefix, i + 1))
                  for i, (fmt, text) in enumerate(LEVEL_FORMATS)]
        abstracts.append(abstract_num_xml(1, "5A0B1C01" if level_prefix == "SPA" else "5A0B1C02", levels))
        nums.append((1, 1))
        for i in range(4):
            left, hanging = LEVEL_INDENTS[i]
            style = paragraph_style(doc, level_style_id(level_prefix, i + 1), f"{level_prefix} Level {i + 1}",
                                    align=just, num=(1, i) if numbered else None,
                                    left=None if numbered else Twips(left),
                                    first_line=None if numbered else Twips(-hanging))
            if i == 0:  # articles are headings: in the navigation pane and a table of contents
                style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
        abstracts.append(abstract_num_xml(2, "5A0B1C03", [("upperLetter", "%1.", "Recital")]))
        nums.append((2, 2))
        paragraph_style(doc, "Recital", "Recital", align=just, num=(2, 0) if numbered else None)
    set_numbering(doc, abstracts, nums)
    paragraph_style(doc, "Definition", "Glossary Definition", align=just, first_line=Inches(0.5))
    prune_styles(doc, keep={"Header", "Footer", "HeaderChar", "FooterChar", "CommentText", "CommentReference"})
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    return doc


INLINE = re.compile(r"(\*\*.+?\*\*|__[^_].*?__|//.+?//|\+\+.+?\+\+|\^\^.+?\^\^)")
REVISION_AUTHOR, REVISION_DATE = "Reviewer", "2000-01-01T00:00:00Z"


TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")


def typeset_quotes(text: str) -> str:
    """Straight quotes to typographic ones, outside Jinja tags: "Agreement" -> “Agreement”."""
    tags = TAG.findall(text)
    masked = TAG.sub("\x00", text)
    masked = re.sub(r'(^|[\s(\[])"', "\\1“", masked)
    masked = masked.replace('"', "”").replace("'", "’")
    pieces = masked.split("\x00")
    return "".join(p + (tags[i] if i < len(tags) else "") for i, p in enumerate(pieces))


def add_runs(paragraph, text: str) -> None:
    """Runs for *text*: **bold**, __underline__, //italic//, ++tracked insertion++, ^^Word comment^^
    (the comment is anchored on the paragraph's runs so far)."""
    text = typeset_quotes(text)
    for piece in INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("++"):
            run = paragraph.add_run(piece[2:-2])
            ins = parse_xml(f'<w:ins {nsdecls("w")} w:id="{900 + len(paragraph.runs)}" '
                            f'w:author="{REVISION_AUTHOR}" w:date="{REVISION_DATE}"/>')
            run._r.addprevious(ins)
            ins.append(run._r)
        elif piece.startswith("^^"):
            runs = paragraph.runs or [paragraph.add_run("")]
            comment = paragraph.part.document.add_comment(runs, text=piece[2:-2], author=REVISION_AUTHOR,
                                                          initials="R")
            comment._comment_elm.set(qn("w:date"), REVISION_DATE)
        elif piece.startswith("**"):
            paragraph.add_run(piece[2:-2]).bold = True
        elif piece.startswith("__"):
            paragraph.add_run(piece[2:-2]).underline = True
        elif piece.startswith("//"):
            paragraph.add_run(piece[2:-2]).italic = True
        else:
            paragraph.add_run(piece)


def add_footer(section, before_page: str, fmt: str | None = None) -> None:
    """The page-number footer of *section* ("Exhibit 1-" *before_page*), numbering restarting at 1
    (in Word's number format *fmt*, e.g. lowerRoman; arabic by default)."""
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if before_page:
        para.add_run(before_page)
    para._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    sect_pr = section._sectPr
    fmt_attr = f' w:fmt="{fmt}"' if fmt else ""
    pg = parse_xml(f'<w:pgNumType {nsdecls("w")}{fmt_attr} w:start="1"/>')
    cols = sect_pr.find(qn("w:cols"))
    if cols is not None:
        cols.addprevious(pg)
    else:
        sect_pr.append(pg)


def add_legend_footer(section, legend: str) -> None:
    """The footer of a signature-page section: the legend, centred in italics, and no page number."""
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run(legend).italic = True


# The table of contents: the entries' styles (Word's own "toc 1" and "toc 2": the label, a tab,
# the heading, a dotted tab to the page number at the right margin) and the field the build fills.
TOC_LEVELS = ((1, 0, 720), (2, 720, 720))  # (level, left indent, hanging indent) in twips


def add_toc_field(doc) -> None:
    """A TOC field over the agreement's TC entries (levels 1 and 2), to be filled by the build."""
    from assembler.render.toc import TOC_INSTRUCTION
    from assembler.xref.resolve import field_runs

    ids = {s.style_id for s in doc.styles}
    for level, left, hanging in TOC_LEVELS:
        if f"TOC{level}" in ids:
            continue
        style = paragraph_style(doc, f"TOC{level}", f"toc {level}", space_after=6, left=Twips(left + hanging),
                                first_line=Twips(-hanging))
        style.element.get_or_add_pPr().append(parse_xml(
            f'<w:tabs {nsdecls("w")}><w:tab w:val="left" w:pos="{left + hanging}"/>'
            f'<w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs>'))
    para = doc.add_paragraph(style=doc.styles["toc 1"])
    para._p.extend(field_runs(None, TOC_INSTRUCTION, "[The table of contents is made when the agreement is built.]"))


def _literal_label(counters: list[int], level: int) -> str:
    fmt, text = LEVEL_FORMATS[level - 1]
    return text.replace(f"%{level}", format_number(counters[level - 1], fmt))


def add_header(section, text: str) -> None:
    """A header from *section* on: *text* right-aligned in small type (e.g. a template's draft legend)."""
    header = section.header
    header.is_linked_to_previous = False     # its own, so that it stays when a cover section is left out
    para = header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para.add_run(text).font.size = Pt(8)


def draft_document(lines: list[str], *, prefix: str | None = "SPA", footer: str = "", title: str = "",
                   literal: bool = False, source: str = "<draft>", header: str = ""):
    """A python-docx Document drafted from outline *lines* (see the module docstring)."""
    doc = base_document(prefix, numbered=not literal)
    style_for = {"T": "DocTitle", "C": "Centered", "B": "BodyPara", "N": "Normal", "R": "Recital",
                 "D": "Definition", "S": "SignatureLine", "J": "JinjaTag"}
    if prefix:
        style_for.update({str(i): level_style_id(prefix, i) for i in range(1, 5)})
    styles_by_id = {s.style_id: s for s in doc.styles}
    counters = [0, 0, 0, 0]
    recital = 0
    kinds: list[tuple[str, str]] = [("main", "")]  # each section: main text, cover page or signature pages
    section_start = 0  # index of the current section's first paragraph
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        code, _, text = line.partition("|")
        if code == "PB":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        if code == "H" and "Heading2" not in styles_by_id:  # made only when used: other drafts keep their bytes
            styles_by_id["Heading2"] = paragraph_style(doc, "Heading2", "heading 2", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            style_for["H"] = "Heading2"
        if code == "SIG":
            doc.add_section(WD_SECTION.NEW_PAGE)
            section_start = len(doc.paragraphs)
            kinds.append(("legend", text))
            continue
        if code == "COVER":
            # The title a third of the way down the page, by spacing that Word and LibreOffice both
            # honour (LibreOffice 7 ignores a section's vertical alignment).
            cover = [p for p in doc.paragraphs[section_start:] if p.style.style_id != "JinjaTag"]
            if cover:
                cover[0].paragraph_format.space_before = Inches(2.5)
            doc.add_section(WD_SECTION.NEW_PAGE)
            section_start = len(doc.paragraphs)
            kinds[-1] = ("cover", "")
            kinds.append(("main", ""))
            continue
        if code == "TOC":
            add_toc_field(doc)
            doc.add_section(WD_SECTION.NEW_PAGE)
            section_start = len(doc.paragraphs)
            kinds[-1] = ("toc", "")
            kinds.append(("main", ""))
            continue
        if code not in style_for:
            raise ValueError(f"{source}:{lineno}: unknown paragraph code {code!r}")
        para = doc.add_paragraph(style=styles_by_id[style_for[code]])
        if literal and code in "1234" and prefix:
            level = int(code)
            counters[level - 1] += 1
            for deeper in range(level, 4):
                counters[deeper] = 0
            para.add_run(_literal_label(counters, level) + "\t")
        elif literal and code == "R":
            recital += 1
            para.add_run(format_number(recital, "upperLetter") + ".\t")
        add_runs(para, text)
        stripped = re.sub(r"\{\{ anchor\.\w+ \}\}", "", text)
        if code in "1234" and re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__)", stripped):
            para.paragraph_format.keep_with_next = True
    for section, (kind, text) in zip(doc.sections, kinds):
        if kind == "main":
            add_footer(section, footer)
            if header:
                add_header(section, header)
        elif kind == "legend":
            add_legend_footer(section, text)
        elif kind == "toc":
            add_footer(section, "", fmt="lowerRoman")
            if header:
                add_header(section, header)
        else:                                   # a cover page: no page number
            section.footer.is_linked_to_previous = False
    props = doc.core_properties
    props.title = title
    for attr in ("author", "last_modified_by", "comments", "keywords", "subject", "category"):
        setattr(props, attr, "")
    return doc
