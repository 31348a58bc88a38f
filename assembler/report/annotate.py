"""`--annotate DIR`: a copy of each checked document with a Word comment anchored at each finding.

python-docx writes comments in the body only; a finding in a header, footer or footnote gets its
comment on the first body paragraph, saying where it is. Comment dates are pinned, and files are
written atomically and reproducibly. An input file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from assembler.check.rule import Finding, Severity
from assembler.docmodel.ooxml import consistent_parts, parse_xml, read_package, story_paragraphs
from assembler.docmodel.parse import NOTE_TAGS
from assembler.errors import DocumentError, Location, OutputError, Problem, one_line
from assembler.render.write import save_docx

AUTHOR, INITIALS = "assembler check", "AC"
COMMENT_DATE = dt.datetime(2000, 1, 1, 0, 0, 0)


def comment_text(f: Finding, elsewhere: bool = False, where: str = "") -> str:
    where = f" [in {where}]" if where else f" [in {f.part}, paragraph {f.paragraph + 1}]" if elsewhere else ""
    section = f" (section {f.section})" if f.section else ""
    return f"{Severity(f.severity).value.upper()} {f.code}{section}{where}: {f.message} — “{f.snippet}”"


def _runs_for(paragraph: DocxParagraph, snippet: str, occurrence: int = 0) -> list[Run]:
    """The direct runs covering the *occurrence*-th *snippet* in *paragraph*; all runs when it cannot be placed."""
    runs = [Run(r, paragraph) for r in paragraph._p.findall(qn("w:r"))]
    if not runs:
        return [paragraph.add_run("")]
    spans, pos = [], 0
    for run in runs:
        text = run.text
        spans.append((pos, pos + len(text)))
        pos += len(text)
    joined = "".join(r.text for r in runs)
    at = -1
    for _ in range(occurrence + 1 if snippet else 0):
        found = joined.find(snippet, at + 1)
        if found < 0:
            break
        at = found
    if at < 0:
        return runs
    end = at + len(snippet)
    chosen = [r for r, (s, e) in zip(runs, spans) if s < end and e > at]
    return chosen or runs


def _note_anchors(doc, body_paragraphs: list) -> dict[tuple[str, int], tuple[object, str]]:
    """(part, paragraph index) of each footnote/endnote paragraph -> (body w:p holding its reference mark,
    "footnote N")."""
    marks: dict[tuple[str, str], tuple[object, int]] = {}
    counters = {"footnotes": 0, "endnotes": 0}
    for p in body_paragraphs:
        for part, (_note, ref_tag) in NOTE_TAGS.items():
            for ref in p.iter(ref_tag):
                counters[part] += 1
                marks.setdefault((part, ref.get(qn("w:id"), "")), (p, counters[part]))
    out: dict[tuple[str, int], tuple[object, str]] = {}
    if not marks:
        return out
    for package_part in doc.part.package.iter_parts():
        part = str(package_part.partname).rsplit("/", 1)[-1].removesuffix(".xml")
        if part not in NOTE_TAGS:
            continue
        root = parse_xml(package_part.blob, str(package_part.partname))
        for index, p in enumerate(story_paragraphs(root)):
            note = p.getparent()
            while note is not None and note.tag != NOTE_TAGS[part][0]:
                note = note.getparent()
            found = marks.get((part, note.get(qn("w:id"), ""))) if note is not None else None
            if found is not None:
                out[(part, index)] = (found[0], f"{part[:-1]} {found[1]}")
    return out
def _open(source: Path):
    """*source* as a python-docx Document, read through the one safe reader (same errors as check)."""
    package = read_package(source)
    parts = consistent_parts(package)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    try:
        return open_docx(io.BytesIO(buf.getvalue()))
    except Exception as exc:  # noqa: BLE001 - python-docx refuses a package check could read
        raise DocumentError(Problem(Location(str(source)), "cannot be annotated (its package structure is "
                                                           f"not one Word writes: {one_line(str(exc), 150)})")) from None


def annotate_document(source: Path, target: Path, findings: list[Finding]) -> bytes:
    """Write *source* with one comment per finding to *target*; return the bytes written."""
    doc = _open(source)
    body = doc.element.body
    paragraphs = list(story_paragraphs(body))
    first = paragraphs[0] if paragraphs else doc.add_paragraph()._p
    anchors = _note_anchors(doc, paragraphs) if any(f.part in NOTE_TAGS for f in findings) else {}
    seen: dict[tuple[str, int, str], int] = {}
    for f in sorted(findings, key=Finding.sort_key):
        anchor = anchors.get((f.part, f.paragraph))
        if anchor is not None:  # a footnote's finding: on the paragraph holding the footnote's mark
            para = DocxParagraph(anchor[0], doc._body)
            comment = doc.add_comment(_runs_for(para, ""), text=comment_text(f, where=anchor[1]), author=AUTHOR,
                                      initials=INITIALS)
            comment._comment_elm.set(qn("w:date"), COMMENT_DATE.strftime("%Y-%m-%dT%H:%M:%SZ"))
            continue
        in_body = f.part == "body" and 0 <= f.paragraph < len(paragraphs)
        key = (f.part, f.paragraph, f.snippet)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        p = paragraphs[f.paragraph] if in_body else first
        if p is None:
            continue
        para = DocxParagraph(p, doc._body)
        runs = _runs_for(para, f.snippet, occurrence) if in_body else _runs_for(para, "")
        comment = doc.add_comment(runs, text=comment_text(f, elsewhere=not in_body), author=AUTHOR,
                                  initials=INITIALS)
        comment._comment_elm.set(qn("w:date"), COMMENT_DATE.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return save_docx(doc, target)


def annotation_targets(files: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Input -> annotated copy; refuses a copy that would replace an input or collide with another."""
    out_dir = Path(out_dir)
    targets: dict[Path, Path] = {}
    inputs = {Path(f).resolve() for f in files}
    seen: dict[Path, Path] = {}
    for f in files:
        target = out_dir / Path(f).name
        resolved = target.resolve()
        if resolved in inputs:
            raise OutputError(Problem(Location(str(target)), "--annotate would overwrite an input file; "
                                      "choose another folder"))
        if resolved in seen:
            raise OutputError(Problem(Location(str(target)), f"--annotate: {f} and {seen[resolved]} have "
                                      "the same name; check them in separate runs"))
        seen[resolved] = Path(f)
        targets[Path(f)] = target
    return targets


def annotate(files: list[Path], findings: list[Finding], out_dir: Path) -> list[Path]:
    """Annotated copies of *files* in *out_dir* (each file, with or without findings)."""
    targets = annotation_targets(files, out_dir)
    written = []
    for f in files:
        own = [x for x in findings if x.file in (str(f), Path(f).name)]
        annotate_document(Path(f), targets[Path(f)], own)
        written.append(targets[Path(f)])
    return written
