"""Hostile and broken inputs through `assembler check`: a clear one-line error or a result, in bounded time."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from assembler.drafting import draft_document
from assembler.render.write import save_docx
from conftest import run_cli

TIMEOUT = 60


def legit(tmp_path: Path, name: str = "legit.docx", paragraphs: int = 20) -> Path:
    lines = ["T|Securities Purchase Agreement"]
    lines += [f"{1 + i % 3}|Paragraph {i} of the agreement refers to Section I." for i in range(paragraphs)]
    path = tmp_path / name
    save_docx(draft_document(lines, prefix="SPA", source=name), path)
    return path


def rewrite(src: Path, dst: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None,
            compression=zipfile.ZIP_DEFLATED) -> Path:
    """A copy of the zip *src* with parts replaced (None drops them) and parts added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for item in zin.infolist():
            data = replace.get(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return dst


def refused(path: Path, *words: str) -> None:
    """`assembler check PATH` exits 2 with one line naming PATH (a hang fails at run_cli's TIMEOUT;
    how long each class takes is measured by benchmarks/hostile.py, not here)."""
    proc = run_cli("check", str(path), timeout=TIMEOUT)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]


def test_not_a_zip(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("just some text, not Word", encoding="utf-8")
    refused(path, "not a zip")


def test_a_doc_renamed_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    refused(path, ".doc")


def test_a_missing_file_and_a_directory(tmp_path):
    refused(tmp_path / "absent.docx", "no such file")
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    refused(folder, "directory")


def test_a_zip_bomb_by_ratio_is_refused_fast(tmp_path):
    path = rewrite(legit(tmp_path), tmp_path / "bomb.docx", {}, None)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/zeros.bin", b"\0" * (64 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    refused(path, "zip bomb")


def test_a_zip_bomb_by_declared_size_is_refused_fast(tmp_path):
    path = rewrite(legit(tmp_path), tmp_path / "huge.docx", {})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/media/huge.bin", "w", force_zip64=True) as out:
            chunk = b"\0" * (8 * 1024 * 1024)
            for _ in range(66):                      # 528 MiB, a few hundred KiB compressed
                out.write(chunk)
    assert path.stat().st_size < 4 * 1024 * 1024
    refused(path, "zip bomb")


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize("xml", [LAUGHS, EXTERNAL, LAUGHS.decode().encode("utf-16")],
                         ids=["billion-laughs", "external-entity", "billion-laughs-utf16"])
def test_entities_in_the_xml_are_refused(tmp_path, xml):
    path = rewrite(legit(tmp_path), tmp_path / "entities.docx", {"word/document.xml": xml})
    refused(path, "DOCTYPE")


def test_malformed_xml(tmp_path):
    path = rewrite(legit(tmp_path), tmp_path / "broken.docx", {"word/document.xml": b"<w:document><w:body>"})
    refused(path, "malformed XML")


def test_a_50_mb_document_gives_a_result_in_bounded_time(tmp_path):
    base = legit(tmp_path, paragraphs=1000)
    path = rewrite(base, tmp_path / "big.docx", {}, {"word/media/scan.bin": os.urandom(48 * 1024 * 1024)})
    assert path.stat().st_size > 50 * 1000 * 1000
    proc = run_cli("check", str(path), "--format", "json", timeout=TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_document_without_a_numbering_part_works(tmp_path):
    base = legit(tmp_path)
    with zipfile.ZipFile(base) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    rels = _drop_element(rels, "Relationship", "numbering")
    types = _drop_element(types, "Override", "numbering")
    path = rewrite(base, tmp_path / "plain.docx", {"word/numbering.xml": None,
                                                    "word/_rels/document.xml.rels": rels.encode(),
                                                    "[Content_Types].xml": types.encode()})
    with zipfile.ZipFile(path) as z:
        assert "word/numbering.xml" not in z.namelist()
    proc = run_cli("check", str(path), timeout=TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout


def _drop_element(xml: str, tag: str, needle: str) -> str:
    """*xml* without the self-closing <tag .../> elements that mention *needle*."""
    out, pos = io.StringIO(), 0
    while True:
        start = xml.find(f"<{tag} ", pos)
        if start < 0:
            out.write(xml[pos:])
            return out.getvalue()
        end = xml.find("/>", start) + 2
        out.write(xml[pos:start])
        if needle not in xml[start:end]:
            out.write(xml[start:end])
        pos = end
