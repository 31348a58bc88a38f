"""Paths of the reading made shorter, each compared with the code it replaced (kept here as the reference): _walk
reads a run of one w:t (after its properties if any) without walking into it, on the fixtures, the shared corpus
when present, built documents and made-up runs; the paragraph limit is not counted in a main part too short to
pass it, with the same refusals as before; package_of parses a part whose bytes parsed before only when it is used,
with the same errors and trees as before."""

from __future__ import annotations

from lxml import etree

from assembler.docmodel import parse
from assembler.docmodel import ooxml
from assembler.docmodel.ooxml import first_child, package_of, read_package, story_paragraphs
from assembler.docmodel.labels import stories
from model_dump import ROOT, corpus_files, fixture_files

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def emphasised_as_before(run) -> bool:
    """parse._emphasised before its properties were read apart."""
    rpr = first_child(run, parse._RPR)
    if rpr is None:
        return False
    for child in rpr:
        if child.tag == parse._B and child.get(parse._VAL, "true").lower() not in parse._OFF:
            return True
        if child.tag == parse._U and child.get(parse._VAL, "single").lower() not in parse._OFF:
            return True
    return False


def walk_as_before(element, scan, stack, emphasised) -> None:
    """parse._walk before runs were read in place: every w:r walked into."""
    for child in element:
        tag = child.tag
        if tag == parse._T:
            text = child.text
            if text:
                if emphasised.__class__ is not bool:
                    emphasised = emphasised_as_before(emphasised)
                scan.add(text, emphasised)
        elif tag == parse._R:
            walk_as_before(child, scan, stack, child)
        elif tag in parse._SKIP:
            continue
        elif tag == parse._TAB or tag == parse._PTAB:
            scan.add("\t", False)
        elif tag == parse._BR or tag == parse._CR:
            scan.add("\n", False)
        elif tag == parse._NBH:
            if emphasised.__class__ is not bool:
                emphasised = emphasised_as_before(emphasised)
            scan.add("-", emphasised)
        elif tag == parse._FLDCHAR:
            kind = child.get(parse._FLDTYPE)
            if kind == "begin":
                stack.append(parse._FieldState())
            elif kind == "separate" and stack:
                top = stack[-1]
                top.separated, top.start, top.scan = True, scan.pos, scan
            elif kind == "end" and stack:
                top = stack.pop()
                if top.scan is scan:
                    scan.fields.append(("".join(top.instr).strip(), top.start, scan.pos))
        elif tag == parse._INSTR:
            if stack and not stack[-1].separated:
                stack[-1].instr.append(child.text or "")
        elif tag == parse._FLDSIMPLE:
            start = scan.pos
            walk_as_before(child, scan, stack, emphasised)
            scan.fields.append(((child.get(parse._INSTR_ATTR) or "").strip(), start, scan.pos))
        elif tag == parse._BOOKMARK:
            name = child.get(parse._NAME)
            if name:
                scan.bookmarks.append(name)
        elif len(child):
            walk_as_before(child, scan, stack, emphasised)


def _scans(paragraphs, walk) -> list[tuple]:
    out = []
    stack: list = []      # one stack for the story, as read_document keeps it
    for p in paragraphs:
        scan = parse._Scan()
        walk(p, scan, stack, False)
        out.append((scan.text, scan.pos, list(scan.fields), list(scan.emphasis), list(scan.bookmarks)))
    out.append([(list(f.instr), f.separated, f.start) for f in stack])
    return out


def _assert_same(package) -> int:
    count = 0
    for _part, root in stories(package):
        paragraphs = list(story_paragraphs(root))
        assert _scans(paragraphs, parse._walk) == _scans(paragraphs, walk_as_before)
        count += len(paragraphs)
    return count


def test_documents_scan_as_before():
    assert sum(_assert_same(read_package(path)) for path in fixture_files() + corpus_files()) > 100


def test_built_documents_scan_as_before(tmp_path):
    from assembler.build import DOCUMENTS, build
    for i, sheet in enumerate(sorted(ROOT.glob("termsheets/**/*.yaml"))[:4]):
        built = build(sheet, out_dir=tmp_path / f"v{i}")
        for spec in DOCUMENTS:
            path = tmp_path / f"v{i}" / spec.output
            assert _assert_same(package_of(path, built.sources[path])) > 10


_PROPS = ["", "<w:rPr/>", "<w:rPr><w:b/></w:rPr>", "<w:rPr><w:b w:val='0'/></w:rPr>",
          "<w:rPr><w:u w:val='none'/><w:b w:val='off'/></w:rPr>", "<w:rPr><w:sz w:val='2'/><w:u/></w:rPr>",
          "<w:rPr><w:i/><w:u w:val='double'/></w:rPr>"]
_BODIES = ["<w:t>text</w:t>", "<w:t/>", "<w:t xml:space='preserve'> a </w:t>", "<w:tab/>", "<w:br/>",
           "<w:noBreakHyphen/>", "<!--c--><w:t>x</w:t>", "<w:t>x</w:t><!--c-->", "<?pi x?><w:t>y</w:t>",
           "<w:t>a</w:t><w:t>b</w:t>", "<w:fldChar w:fldCharType='begin'/>", "<w:instrText> REF x </w:instrText>",
           "<w:fldChar w:fldCharType='separate'/>", "<w:fldChar w:fldCharType='end'/>", "<w:delText>d</w:delText>",
           "<w:bookmarkStart w:name='b'/><w:t>z</w:t>", "<w:rPr><w:b/></w:rPr>"]


def test_made_up_runs_scan_as_before():
    runs = [f"<w:r>{props}{body}</w:r>" for props in _PROPS for body in _BODIES]
    runs += [f"<w:r><w:t>x</w:t>{props}</w:r>" for props in _PROPS]      # properties after the text
    runs += ["<w:r/>", "<w:r><w:rPr><w:b/></w:rPr></w:r>", "<w:r><w:b/><w:t>x</w:t></w:r>"]
    paragraphs = []
    for i, run in enumerate(runs):
        for other in (runs[(i * 7 + 3) % len(runs)], runs[(i * 13 + 5) % len(runs)]):
            paragraphs.append(f"<w:p xmlns:w='{W}'><w:pPr/>{run}{other}<w:ins>{run}</w:ins>"
                              f"<w:fldSimple w:instr=' PAGE '>{other}</w:fldSimple></w:p>")
    elements = [etree.fromstring(p) for p in paragraphs]
    assert _scans(elements, parse._walk) == _scans(elements, walk_as_before)
    for p in elements:    # each on its own too (a field left open goes on to the next paragraph above)
        assert _scans([p], parse._walk) == _scans([p], walk_as_before)


def check_size_as_before(package) -> None:
    """ooxml._check_size before a short main part was let through uncounted."""
    count = ooxml.count_paragraphs(package.parts.get(package.main_part, b""))
    limit = ooxml.max_paragraphs()
    if count > limit:
        raise ooxml._fail(package.path, f"{count:,} paragraphs, more than the limit of {limit:,}; "
                                        "raise it with --max-paragraphs N if this document is meant to be that long")


def _outcome(check, package) -> str | None:
    try:
        check(package)
    except ooxml.DocumentError as exc:
        return str(exc)
    return None


def test_paragraph_limit_as_before(monkeypatch):
    bodies = [b"", b"<w:p>", b"<w:p >", b"<w:p/>", b"<w:pPr>", b"<w:p>" * 7, b"<w:p " * 8 + b"x",
              b"<w:p><w:p >" * 5, b"<w:p>" * 20 + b"12345", b"<w:p x='1'/>" * 9, b"<w:pPr/>" * 30]
    bodies += [b"<w:p>" * n + b"." * pad for n in range(0, 14) for pad in range(0, 11)]
    outcomes = set()
    for limit in ("1", "2", "3", "5", "8", "10", "13", "14", "25000", "", "x", "0"):
        monkeypatch.setenv(ooxml.MAX_PARAGRAPHS_ENV, limit)
        for body in bodies:
            for main in ("word/document.xml", None):
                parts = {"word/document.xml": body} if main else {"other.xml": body}
                package = ooxml.Package("x.docx", parts)
                before = _outcome(check_size_as_before, package)
                assert _outcome(ooxml._check_size, package) == before
                outcomes.add(before is None)
    assert outcomes == {True, False}


def package_of_as_before(path, source):
    """ooxml.package_of before the bytes of parts parsed with no error were kept."""
    package = ooxml.Package(ooxml.Path(path), source.parts)
    ooxml._check_size(package)
    package._xml.update(source.parsed)
    for name in package.parts:
        if name.endswith((".xml", ".rels")) and name not in source.checked:
            package.xml(name)
    return package


def _read(read, parts, parsed=None, checked=frozenset()):
    """What a read of *parts* gives: its error, or each part's tree as text (parsed when asked, as a reader does)."""
    try:
        package = read("x.docx", ooxml.Source(dict(parts), dict(parsed or {}), checked))
    except ooxml.DocumentError as exc:
        return str(exc), None
    trees = {}
    for name in parts:
        if name.endswith((".xml", ".rels")):
            try:
                root = package.xml(name)
                trees[name] = None if root is None else etree.tostring(root)
            except ooxml.DocumentError as exc:    # a part known to parse (checked) that does not
                trees[name] = str(exc)
    return None, trees


_GOOD = [b"<a/>", b"<?xml version='1.0'?><a><b>x</b></a>", f"<w:p xmlns:w='{W}'><w:r/></w:p>".encode(),
         b"<a>" + b"y" * 70000 + b"</a>"]
_BAD = [b"", b"<a>", b"<!DOCTYPE a><a/>", b"<a></b>", b"not xml", b"<a>" + b"y" * 70000]


def test_package_reads_as_before():
    from assembler.memo import forget
    forget()
    names = ["word/document.xml", "docProps/app.xml", "word/_rels/document.xml.rels", "media/x.png"]
    cases = []
    for i, good in enumerate(_GOOD):
        for j, other in enumerate(_GOOD + _BAD):
            parts = {names[0]: f"<w:document xmlns:w='{W}'><w:body/></w:document>".encode(),
                     names[1]: good, names[2]: other, names[3]: other}
            cases.append((parts, None, frozenset()))
            cases.append((parts, None, frozenset({names[2]})))
            cases.append((parts, {names[1]: etree.fromstring(b"<made/>")}, frozenset()))
            cases.append(({names[1]: other, names[2]: good, "x.xml": good}, None, frozenset()))
    seen = set()
    for _round in range(3):      # kept bytes met again, a second and a third time
        for parts, parsed, checked in cases:
            before = _read(package_of_as_before, parts, parsed, checked)
            assert _read(ooxml.package_of, parts, parsed, checked) == before
            seen.add(before[0] is None)
    assert seen == {True, False} and ooxml._PARSED
