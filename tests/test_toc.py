"""The optional table of contents: a real TOC field whose entries and page numbers are right when the
file opens, in the agreement and in the package, as LibreOffice lays the pages out."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile

import pytest

from assembler.cli import main
from assembler.docmodel.labels import verify
from assembler.docmodel.ooxml import read_package
from conftest import write_termsheet
from test_cli_build import _need_libreoffice

AGREEMENT, PACKAGE = "securities-purchase-agreement", "deal-package"
DRAFT = {"date": "2015-09-10", "version": 3, "document_id": "NY 4410938"}
# The agreement's articles and sections, in order, as the template drafts them for the seed deal.
HEADINGS = ["I. Definitions", "II. Purchase and Sale", "A. Purchase Amount", "B. Deliveries", "C. Conditions",
            "D. Closing", "III. Representations and Warranties"]


def _pages(pdf) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def _footer(page: str) -> str | None:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _toc_lines(pages: list[str]) -> list[tuple[str, str, str]]:
    """(label, heading, page) of each line of the printed table of contents."""
    out = []
    for page in pages:
        if "TABLE OF CONTENTS" not in page:
            continue
        for line in page.splitlines():
            m = re.match(r"^\s*([IVX]+\.|[A-Z]\.)\s+(.+?)\.{3,}\s*(\d+)\s*$", line)
            if m:
                out.append(m.groups())
    return out


def _shown_on(pages: list[str], label: str, heading: str, start: int) -> int:
    """The index of the first page from *start* on that opens a paragraph with LABEL HEADING."""
    pattern = re.compile(r"(?m)^\s*" + re.escape(label) + r"\s+" + r"\s+".join(map(re.escape, heading.split())) + r"\.")
    for i in range(start, len(pages)):
        if "TABLE OF CONTENTS" not in pages[i] and pattern.search(pages[i]):
            return i
    raise AssertionError(f"{label} {heading} is on no page")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    _need_libreoffice()
    tmp = tmp_path_factory.mktemp("toc")
    sheet = write_termsheet(tmp / "in", {"table_of_contents": True, "cover_page": True, "draft": DRAFT})
    code = main(["build", str(sheet), "-o", str(tmp / "out"), "--package", "--pdf"])
    assert code == 0
    return next((tmp / "out").iterdir())


@pytest.mark.parametrize("name", [AGREEMENT, PACKAGE])
def test_each_entry_shows_the_page_libreoffice_prints_its_heading_on(built, name):
    pages = _pages(built / f"{name}.pdf")
    lines = _toc_lines(pages)
    assert [f"{label} {heading}" for label, heading, _ in lines[:len(HEADINGS)]] == HEADINGS
    assert len(lines) >= 25 and lines[-1][:2] == ("N.", "Entire Agreement")
    at = 0
    for label, heading, number in lines:
        at = _shown_on(pages, label, heading, at)
        assert _footer(pages[at]) == number, f"{label} {heading}: the TOC says page {number}, it is on {_footer(pages[at])}"
    # the table of contents has its own pages (i, ii...) after the cover; the agreement counts from 1
    toc_page = next(i for i, p in enumerate(pages) if "TABLE OF CONTENTS" in p)
    assert toc_page == 1 and _footer(pages[toc_page]) == "i"
    assert "Draft of September 10, 2015" in pages[toc_page]
    assert _footer(pages[toc_page + 1]) == "1" and "SECURITIES PURCHASE AGREEMENT" in pages[toc_page + 1]


@pytest.mark.parametrize("name", [AGREEMENT, PACKAGE])
def test_the_toc_is_a_word_field_over_tc_entries_with_hyperlinked_page_references(built, name):
    xml = zipfile.ZipFile(built / f"{name}.docx").read("word/document.xml").decode()
    assert xml.count(" TOC \\f \\l &quot;1-2&quot; \\h \\z ") + xml.count(' TOC \\f \\l "1-2" \\h \\z ') == 1
    tc = re.findall(r' TC "([^"]+)" \\l (\d) ', xml.replace("&quot;", '"'))
    assert [text for text, _ in tc[:len(HEADINGS)]] == HEADINGS
    assert {level for text, level in tc} == {"1", "2"}
    anchors = re.findall(r'w:hyperlink w:anchor="(_Toc\d+)"', xml)
    assert len(anchors) == len(tc) and all(f'w:name="{a}"' in xml for a in anchors)
    assert all(f" PAGEREF {a} \\h " in xml for a in anchors)
    # every entry's number is Word's own label for the heading it links to
    result = verify(read_package(built / f"{name}.docx"))
    assert not result.disagreements and result.checked >= len(tc)


def test_the_package_with_a_toc_has_no_findings(built, capsys):
    files = [str(p) for p in sorted(built.glob("*.docx")) if p.stem != PACKAGE]
    assert main(["check", *files]) == 0, capsys.readouterr().out


def test_without_the_option_there_is_no_table_of_contents(seed_build):
    xml = zipfile.ZipFile(seed_build.files[f"{AGREEMENT}.docx"]).read("word/document.xml").decode()
    assert " TOC " not in xml and " TC " not in xml and "Table of Contents" not in xml


def test_a_toc_without_libreoffice_is_a_located_error_and_writes_nothing(tmp_path, capsys):
    sheet = write_termsheet(tmp_path / "in", {"table_of_contents": True})
    path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(tmp_path)  # neither soffice nor pdftotext here
        code = main(["build", str(sheet), "-o", str(tmp_path / "out"), "--no-check"])
    finally:
        os.environ["PATH"] = path
    err = capsys.readouterr().err
    assert code == 2 and "table_of_contents" in err and "LibreOffice" in err and len(err.strip().splitlines()) == 1
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_the_cover_title_stands_a_third_of_the_way_down_its_page_in_libreoffice(built):
    # LibreOffice 7 ignores a section's vertical alignment: the cover is spaced by its title paragraph
    html = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(built / f"{AGREEMENT}.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    first = float(re.search(r'<word xMin="[\d.]+" yMin="([\d.]+)"', html).group(1))
    assert height / 4 < first < height / 2, (first, height)


def test_a_template_whose_toc_has_no_headings_to_list_is_a_located_error(tmp_path, capsys):
    """A lawyer's template that keeps the TOC field but drops the bold and underlined headings."""
    import io
    import shutil

    from conftest import ROOT

    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("glossary.docx", "certificate.docx"):
        shutil.copy(ROOT / "templates" / name, folder / name)
    buf = io.BytesIO()
    with zipfile.ZipFile(ROOT / "templates" / "agreement.docx") as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:b/>", b"").replace(b'<w:u w:val="single"/>', b"")
            zout.writestr(info, data)
    (folder / "agreement.docx").write_bytes(buf.getvalue())
    sheet = write_termsheet(tmp_path / "in", {"table_of_contents": True})
    code = main(["build", str(sheet), "-o", str(tmp_path / "out"), "--templates", str(folder), "--no-check"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"{folder / 'agreement.docx'}: table of contents: no article or section heading"), err
