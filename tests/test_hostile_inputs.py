"""Any input to any command: a located one-line error (exit 2) at once, never an internal error or a wait.

Each class of the hostile-input issue has a test here that holds the class (every command, every
part), not one case: damaged zip data, XML lxml rejects, non-files, term-sheet values, `extends:`
outside the term sheet's folders, and templates (sandbox, resource limits, parts a lawyer's Word
writes).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from assembler.cli import main
from examples import SEED_TERMSHEET
from test_hostile import legit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SEED_DOCX = ROOT / "tests" / "fixtures" / "seed-numbered.docx"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def survives_every_command(capsys, path: Path, tmp_path: Path, part: str) -> None:
    """Every document command on *path* (damaged in *part*) gives a result or a one-line error naming it."""
    for argv in doc_commands(path, tmp_path):
        code, out, err = run(capsys, *argv)
        assert code in (0, 1, 2) and "internal error" not in err, (part, argv, err)
        if code == 2:
            assert str(path) in err and len(err.strip().splitlines()) == 1, err


def refused(capsys, argv: list, *words: str, lines: int | None = 1) -> str:
    """`assembler ARGV` exits 2 at once with short one-line messages holding every word."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (code, out, err)
    got = err.rstrip("\n").split("\n")
    if lines is not None:
        assert len(got) == lines, err
    assert all(len(line) <= 600 for line in got), err
    assert "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word.lower() in err.lower(), (word, err)
    return err


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_zip(path: Path, parts: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if data is not None:
                z.writestr(name, data)
    return path


def with_part(src: Path, dst: Path, name: str, data: bytes | None) -> Path:
    return write_zip(dst, {**parts_of(src), name: data})


def doc_commands(path: Path, tmp_path: Path) -> list[list]:
    """Every command that reads a .docx the user names, over *path*."""
    return [["check", path], ["check", path, "--format", "json"], ["dump", path],
            ["redline", SEED_DOCX, path, "-o", tmp_path / "r1.docx"],
            ["redline", path, SEED_DOCX, "-o", tmp_path / "r2.docx"],
            ["check", path, "--annotate", tmp_path / "annotated"]]


def template_dir(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / f"templates-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(TEMPLATES, folder, dirs_exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


def build_argv(tmp_path: Path, templates: Path, *extra) -> list:
    return ["build", SEED_TERMSHEET, "--templates", templates, "-o", tmp_path / "out", "--no-check", *extra]


# ---------------------------------------------------------------------------------------------
# Damaged zip data: every read of every part, every command


def flip_inside(path: Path, dst: Path, part: str) -> Path:
    """*path* with bytes flipped inside the deflated data of *part*."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(info.compress_size // 3, info.compress_size // 3 + 8):
        data[start + offset] ^= 0x5A
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/numbering.xml",
                                  "word/settings.xml", "[Content_Types].xml"])
def test_a_flipped_byte_in_any_part_is_damage_naming_file_and_part(capsys, tmp_path, part):
    source = legit(tmp_path)
    if part not in parts_of(source) or zipfile.ZipFile(source).getinfo(part).compress_size < 40:
        pytest.skip(f"{part} too small to damage in the middle")
    damaged = flip_inside(source, tmp_path / "damaged.docx", part)
    for argv in doc_commands(damaged, tmp_path):
        err = refused(capsys, argv, str(damaged), part)
        assert "damaged" in err or "malformed" in err or "size differs" in err, err
    folder = template_dir(tmp_path, "glossary.docx", flip_inside(TEMPLATES / "glossary.docx",
                                                                 tmp_path / "g.docx", "word/document.xml").read_bytes())
    refused(capsys, build_argv(tmp_path, folder), "glossary.docx", "word/document.xml")


def test_truncated_and_entry_deleted_files(capsys, tmp_path):
    source = legit(tmp_path)
    blob = source.read_bytes()
    for n, cut in enumerate((len(blob) // 2, len(blob) - 30, 100)):
        short = tmp_path / f"short{n}.docx"
        short.write_bytes(blob[:cut])
        for argv in doc_commands(short, tmp_path):
            refused(capsys, argv, str(short))
    for part in parts_of(source):
        dropped = with_part(source, tmp_path / "dropped.docx", part, None)
        survives_every_command(capsys, dropped, tmp_path, part)


# ---------------------------------------------------------------------------------------------
# XML lxml rejects, in every part, through every command


HOSTILE_XML = {
    "undefined entity": lambda x: x.replace(b"<w:t>", b"<w:t>&nope;", 1) if b"<w:t>" in x
    else x.replace(b"/>", b" a='&nope;'/>", 1),
    "external entity": lambda x: re.sub(rb"(<\?xml[^>]*\?>)", rb'\1<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                                        x, count=1),
    "entity in attribute": lambda x: re.sub(rb"(<\?xml[^>]*\?>)", rb'\1<!DOCTYPE r [<!ENTITY e "x">]>', x,
                                            count=1).replace(b"/>", b' z="&e;"/>', 1),
    "malformed": lambda x: x[: len(x) * 2 // 3],
    "NUL": lambda x: x.replace(b">", b">\x00", 2),
}
XML_PARTS = ["word/document.xml", "word/numbering.xml", "word/styles.xml", "word/footnotes.xml",
             "word/comments.xml", "word/settings.xml", "word/_rels/document.xml.rels", "_rels/.rels"]


@pytest.mark.parametrize("kind", sorted(HOSTILE_XML))
def test_xml_that_lxml_rejects_is_a_located_error_from_every_command(capsys, tmp_path, kind):
    source = legit(tmp_path)
    parts = parts_of(source)
    parts.setdefault("word/footnotes.xml", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    parts.setdefault("word/comments.xml", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    for part in XML_PARTS:
        hostile = write_zip(tmp_path / "hostile.docx", {**parts, part: HOSTILE_XML[kind](parts[part])})
        for argv in doc_commands(hostile, tmp_path):
            err = refused(capsys, argv, f"{hostile}!{part}")
            assert ("malformed XML" in err and re.search(r"!\S+:\d+", err)) or "DOCTYPE" in err, err


@pytest.mark.parametrize("part", ["word/document.xml", "word/settings.xml", "word/styles.xml", "_rels/.rels"])
def test_hostile_xml_in_a_template_part_is_a_located_template_error(capsys, tmp_path, part):
    for kind, edit in HOSTILE_XML.items():
        source = TEMPLATES / "certificate.docx"
        data = with_part(source, tmp_path / "c.docx", part, edit(parts_of(source)[part])).read_bytes()
        err = refused(capsys, build_argv(tmp_path, template_dir(tmp_path, "certificate.docx", data)),
                      f"certificate.docx!{part}")
        assert "XML" in err or "DOCTYPE" in err, (kind, err)


def test_check_annotate_works_on_packages_check_accepts(capsys, tmp_path):
    source = legit(tmp_path)
    parts = parts_of(source)
    rels = parts["word/_rels/document.xml.rels"]
    outside = rels.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                           b'officeDocument/2006/relationships/footer" Target="../../outside.xml"/></Relationships>')
    variants = {
        "no-content-types.docx": {**parts, "[Content_Types].xml": None},
        "outside.docx": {**parts, "word/_rels/document.xml.rels": outside},
        "unread-part.docx": {**parts, "word/webSettings.xml": None, "word/fontTable.xml": None},
    }
    for name, content in variants.items():
        path = write_zip(tmp_path / name, content)
        code, _, err = run(capsys, "check", path)
        assert code in (0, 1), err
        code, _, err = run(capsys, "check", path, "--annotate", tmp_path / "notes")
        assert code in (0, 1), (name, err)
        assert (tmp_path / "notes" / name).exists()
        assert run(capsys, "check", tmp_path / "notes" / name)[0] in (0, 1)


def test_unsafe_part_names_are_refused(capsys, tmp_path):
    source = legit(tmp_path)
    for name in ("../evil.xml", "/abs.xml", "word/../../x.xml", "a\\b.xml"):
        path = write_zip(tmp_path / "slip.docx", {**parts_of(source), name: b"<x/>"})
        refused(capsys, ["check", path], str(path), "unsafe part name")
        folder = template_dir(tmp_path, "glossary.docx",
                              write_zip(tmp_path / "g.docx", {**parts_of(TEMPLATES / "glossary.docx"),
                                                              name: b"<x/>"}).read_bytes())
        refused(capsys, build_argv(tmp_path, folder), "glossary.docx", "unsafe part name")


def test_a_damaged_name_gives_a_short_printable_line(capsys, tmp_path):
    source = legit(tmp_path)
    name = "word/" + "\x01\x7f\u2028" * 10_000 + ".xml"
    path = write_zip(tmp_path / "long-name.docx", {**parts_of(source), name: b"\xff" * 10})
    err = refused(capsys, ["check", path], str(path))
    assert len(err) < 700 and "\u2028" not in err and "\x01" not in err


# ---------------------------------------------------------------------------------------------
# Non-files as any command's input or output


@pytest.fixture
def non_files(tmp_path):
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    return {"FIFO": fifo, "empty": empty, "directory": folder, "device": Path("/dev/zero")}


def test_non_files_as_inputs_fail_at_once(capsys, tmp_path, non_files):
    for kind, path in non_files.items():
        for argv in doc_commands(path, tmp_path):
            refused(capsys, argv, str(path), kind if kind != "device" else "device")
        refused(capsys, ["check", SEED_DOCX, "--termsheet", path], str(path))
        if kind != "empty":  # an empty configuration is no settings
            refused(capsys, ["check", SEED_DOCX, "--config", path], str(path))
        refused(capsys, ["build", path, "-o", tmp_path / "o"], str(path))
        refused(capsys, ["build", SEED_TERMSHEET, "--templates", path, "-o", tmp_path / "o"], str(path), lines=None)
        if kind != "directory":
            folder = template_dir(tmp_path, "agreement.docx", b"")
            (folder / "agreement.docx").unlink()
            os.symlink(path, folder / "agreement.docx")
            refused(capsys, build_argv(tmp_path, folder), str(path))


def test_non_files_as_outputs_fail_at_once(capsys, tmp_path, non_files):
    for kind in ("FIFO", "directory", "device"):
        target = non_files[kind]
        refused(capsys, ["redline", SEED_DOCX, legit(tmp_path), "-o", target], str(target))
    refused(capsys, ["schema", "-o", non_files["FIFO"]], str(non_files["FIFO"]))
    out = tmp_path / "o"
    out.write_text("a file where the output folder goes")
    refused(capsys, ["build", SEED_TERMSHEET, "-o", out, "--no-check"], str(out), lines=None)
    assert out.read_text() == "a file where the output folder goes"


# ---------------------------------------------------------------------------------------------
# Term-sheet values


def sheet_with(tmp_path: Path, text_edit) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(text_edit(SEED_TERMSHEET.read_text(encoding="utf-8")), encoding="utf-8",
                    errors="surrogatepass")
    return path


@pytest.mark.parametrize("field, value, words", [
    ("deal_name", r'"Deal\0Name"', ["deal_name", "control"]),
    ("deal_name", r'"Deal \ud800"', ["deal_name", "surrogate"]),
    ("deal_name", r'"Deal \u000b"', ["deal_name", "control"]),
    ("conversion_price", "1e308", ["conversion_price", "out of range"]),
    ("conversion_price", "1e-308", ["conversion_price", "out of range"]),
    ("dividend_rate", "1" + "0" * 400, ["dividend_rate", "out of range"]),
    ("conversion_price", '"' + "9" * 300 + '"', ["conversion_price", "out of range"]),
    ("conversion_price", '"0.' + "1" * 300 + '"', ["conversion_price", "out of range"]),
    ("conversion_price", '"1e400"', ["conversion_price", "out of range"]),
    ("conversion_price", ".nan", ["conversion_price", "finite"]),
    ("effective_date", "9999-12-31", ["effective_date", "year"]),
])
def test_hostile_term_sheet_values_are_located_at_their_field(capsys, tmp_path, field, value, words):
    sheet = sheet_with(tmp_path, lambda t: re.sub(rf"(?m)^{field}:.*$", lambda m: f"{field}: {value}", t, count=1))
    line = next(n for n, text in enumerate(sheet.read_text(encoding="utf-8", errors="surrogatepass").splitlines(), 1)
                if text.startswith(f"{field}:"))
    for argv in (["build", sheet, "-o", tmp_path / "o", "--no-check"], ["check", SEED_DOCX, "--termsheet", sheet]):
        err = refused(capsys, argv, f"{sheet}:{line}:", *words)
        assert "template" not in err


def test_many_closings_are_a_located_error_and_a_long_name_works(capsys, tmp_path):
    closings = "".join("  - {date: 2015-09-18, shares: 1}\n" for _ in range(10_000))
    sheet = sheet_with(tmp_path, lambda t: re.sub(r"closings:.*?\n\n", lambda m: "closings:\n" + closings + "\n",
                                                  t, count=1, flags=re.S))
    refused(capsys, ["build", sheet, "-o", tmp_path / "o"], str(sheet), "closings", "too many items")
    long_name = "Ascent " + "Long " * 1000
    sheet = sheet_with(tmp_path, lambda t: t.replace("deal_name: Ascent Series J", f"deal_name: {long_name}"))
    code, out, err = run(capsys, "build", sheet, "-o", tmp_path / "o2", "--no-check")
    assert code == 0, err
    assert len([p for p in (tmp_path / "o2").iterdir()]) == 1


def test_extends_refuses_non_files_and_outside_paths_without_echoing_them(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deal = tmp_path / "deals"
    deal.mkdir()
    os.mkfifo(deal / "pipe.yaml")
    (deal / "folder.yaml").mkdir()
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "secret.yaml").write_text("root: $6$hash-that-must-not-show\n", encoding="utf-8")
    (deal / "notes.yaml").write_text("alice: $6$another-hash\n", encoding="utf-8")
    cases = {"pipe.yaml": "FIFO", "folder.yaml": "directory", "/etc/passwd": "not a .yaml",
             "/proc/self/environ": "not a .yaml", str(secret / "secret.yaml"): "outside",
             "notes.yaml": "not a term sheet", "a\\0b.yaml": "NUL"}
    monkeypatch.chdir(deal)
    for target, words in cases.items():
        sheet = deal / "variant.yaml"
        sheet.write_text(f'extends: "{target}"\nseries: K\n', encoding="utf-8")
        for argv in (["build", sheet, "-o", tmp_path / "o"], ["batch", sheet, "-o", tmp_path / "b", "-j", "1"]):
            code, out, err = run(capsys, *argv)
            assert code == 2, (target, out, err)
            text = out + err + "".join(p.read_text(errors="replace") for p in (tmp_path / "b").glob("batch-summary*"))
            assert "hash" not in text and "root:" not in text, text
            assert words.lower() in text.lower() and "variant.yaml:1:" in text, (target, text)


def test_extends_reaches_the_folder_assembler_runs_in_only_when_the_term_sheet_lies_inside_it(
        capsys, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "variants").mkdir(parents=True)
    shutil.copy(SEED_TERMSHEET, project / "base.yaml")
    sheet = project / "variants" / "v.yaml"
    sheet.write_text("extends: ../base.yaml\nseries: K\n", encoding="utf-8")
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    monkeypatch.chdir(project)  # the project holds the variant: its base is reachable
    code, out, err = run(capsys, "build", sheet, "-o", tmp_path / "o", "--no-check")
    assert code == 0, err
    # run from a folder that does not hold the term sheet, that folder gives it nothing
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SEED_TERMSHEET, elsewhere / "base.yaml")
    downloaded = tmp_path / "downloads" / "v.yaml"
    downloaded.parent.mkdir()
    downloaded.write_text(f"extends: {elsewhere / 'base.yaml'}\nseries: K\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    refused(capsys, ["build", downloaded, "-o", tmp_path / "o2", "--no-check"], "outside")


def test_extends_from_a_named_library_folder(capsys, tmp_path, monkeypatch):
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(SEED_TERMSHEET, library / "base.yaml")
    deal = tmp_path / "deals"
    deal.mkdir()
    monkeypatch.chdir(deal)
    sheet = deal / "v.yaml"
    sheet.write_text(f"extends: {library / 'base.yaml'}\nseries: K\n", encoding="utf-8")
    refused(capsys, ["build", sheet, "-o", tmp_path / "o", "--no-check"], "outside")
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    code, out, err = run(capsys, "build", sheet, "-o", tmp_path / "o", "--no-check", "--library", library)
    assert code == 0, err


# ---------------------------------------------------------------------------------------------
# Templates: a sandbox, resource limits, and any .docx Word or LibreOffice saves


def template_with_tag(tmp_path: Path, tag: str) -> Path:
    """The templates, with the agreement's first {{ series_name }} replaced by *tag*."""
    parts = parts_of(TEMPLATES / "agreement.docx")
    escaped = tag.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
    assert b"{{ series_name }}" in parts["word/document.xml"]
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"{{ series_name }}", escaped, 1)
    return template_dir(tmp_path, "agreement.docx", write_zip(tmp_path / "a.docx", parts).read_bytes())


@pytest.mark.parametrize("tag", [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ joiner.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ series_name.__class__ }}",
    "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    "{{ '{0.__class__.__mro__}'.format(series_name) }}",
    "{{ series_name|attr('__class__') }}",
    "{{ self.__init__.__globals__ }}",
])
def test_a_template_reaches_only_its_values(capsys, tmp_path, monkeypatch, tag):
    monkeypatch.chdir(tmp_path)
    err = refused(capsys, build_argv(tmp_path, template_with_tag(tmp_path, tag)), "agreement.docx",
                  "template error in paragraph")
    assert "unsafe" in err or "undefined" in err or "security" in err.lower(), err
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("tag", [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ 'x' * 2000000000 }}",
    "{{ 2 ** 10000000 }}",
    "{{ '%999999999d' % 1 }}",
    "{{ 'x'|center(2000000000) }}",
    "{{ 'x'.ljust(2000000000) }}",
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",
])
def test_template_resource_limits(capsys, tmp_path, tag):
    refused(capsys, build_argv(tmp_path, template_with_tag(tmp_path, tag)), "agreement.docx", "template error")


def test_templates_a_lawyer_edits(capsys, tmp_path):
    parts = parts_of(TEMPLATES / "glossary.docx")
    table = (b'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/>'
             b'<w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>Closing</w:t></w:r></w:p></w:tc>'
             b'<w:tc><w:p><w:r><w:t>{{ series_name }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    doc = parts["word/document.xml"]
    with_table = doc.replace(b"<w:body>", b"<w:body>" + table, 1)
    no_grid = with_table.replace(b'<w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid>', b"")
    styles16 = parts["word/styles.xml"].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for name, edited in {"table": {"word/document.xml": with_table}, "no-grid": {"word/document.xml": no_grid},
                         "utf-16": {"word/styles.xml": styles16.encode("utf-16")}}.items():
        folder = template_dir(tmp_path, "glossary.docx",
                              write_zip(tmp_path / f"{name}.docx", {**parts, **edited}).read_bytes())
        out = tmp_path / f"out-{name}"
        code, _, err = run(capsys, "build", SEED_TERMSHEET, "--templates", folder, "-o", out, "--package")
        assert code in (0, 1), (name, err)
        glossary = next(out.glob("*/exhibit-1-*.docx"))
        assert run(capsys, "dump", glossary)[0] == 0
        if name != "utf-16":
            assert "Series\u00a0J".encode() in parts_of(glossary)["word/document.xml"]  # a no-break space in the series
    strict = {**parts, "word/document.xml": doc.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                                        b"http://purl.oclc.org/ooxml/wordprocessingml/main")}
    folder = template_dir(tmp_path, "glossary.docx", write_zip(tmp_path / "strict.docx", strict).read_bytes())
    refused(capsys, build_argv(tmp_path, folder), "glossary.docx", "Strict")


def test_a_template_part_inflating_to_gigabytes_is_refused(capsys, tmp_path):
    parts = parts_of(TEMPLATES / "glossary.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        z.writestr("word/media/zeros.bin", b"\0" * (64 * 1024 * 1024))
    folder = template_dir(tmp_path, "glossary.docx", buf.getvalue())
    refused(capsys, build_argv(tmp_path, folder), "glossary.docx", "zip bomb")


def test_messages_are_single_bounded_lines_even_from_the_yaml_reader(capsys, tmp_path):
    sheet = tmp_path / "nul.yaml"
    sheet.write_bytes(SEED_TERMSHEET.read_bytes().replace(b"deal_name: Ascent", b"deal_name: A\x00scent"))
    refused(capsys, ["build", sheet, "-o", tmp_path / "o"], str(sheet))
    data = yaml.safe_load(SEED_TERMSHEET.read_text(encoding="utf-8"))
    assert data["deal_name"] == "Ascent Series J"


# ---------------------------------------------------------------------------------------------
# Numbering values out of range: bounded work, a sensible label


def test_out_of_range_numbering_values_give_sensible_labels():
    from assembler.docmodel.numbering import format_number

    assert format_number(1999, "upperRoman") == "MCMXCIX"
    assert format_number(10 ** 12, "upperRoman") == str(10 ** 12)
    assert format_number(10 ** 12, "lowerLetter") == str(10 ** 12)
    assert format_number(27, "lowerLetter") == "aa"
    assert format_number(-5, "upperRoman") == "-5"


NUMBERING_EDITS = {
    "huge start on roman": [(rb'<w:start w:val="\d+"/>', b'<w:start w:val="1000000000000"/>'),
                            (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="upperRoman"/>')],
    "start beyond 32 bits on letters": [(rb'<w:start w:val="\d+"/>', b'<w:start w:val="99999999999999999999"/>'),
                                        (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="lowerLetter"/>')],
    "2^31-1 start on letters": [(rb'<w:start w:val="\d+"/>', b'<w:start w:val="2147483647"/>'),
                                (rb'<w:numFmt w:val="\w+"/>', b'<w:numFmt w:val="upperLetter"/>')],
    "negative start": [(rb'<w:start w:val="\d+"/>', b'<w:start w:val="-7"/>')],
    "ilvl 99": [(rb'w:ilvl="\d+"', b'w:ilvl="99"'), (rb'<w:ilvl w:val="\d+"/>', b'<w:ilvl w:val="99"/>')],
    "ilvl not a number": [(rb'w:ilvl="\d+"', b'w:ilvl="x"'), (rb'<w:ilvl w:val="\d+"/>', b'<w:ilvl w:val="1e9"/>')],
    "placeholder %99": [(rb'<w:lvlText w:val="[^"]*"/>', b'<w:lvlText w:val="%1.%9.%99%0"/>')],
}


@pytest.mark.parametrize("kind", sorted(NUMBERING_EDITS))
def test_crafted_numbering_is_bounded_work(capsys, tmp_path, kind):
    parts = parts_of(SEED_DOCX)
    for name in ("word/numbering.xml", "word/document.xml"):
        for pattern, repl in NUMBERING_EDITS[kind]:
            parts[name] = re.sub(pattern, repl, parts[name])
    path = write_zip(tmp_path / "numbering.docx", parts)
    for argv in doc_commands(path, tmp_path):
        code, out, err = run(capsys, *argv)
        assert code in (0, 1), (kind, argv, err)
    dump = run(capsys, "dump", path)[1]
    if kind == "2^31-1 start on letters":  # letters past zz...z (30 times) are shown as the number
        assert "2147483647" in dump


def test_thousands_of_levels_and_style_link_cycles(capsys, tmp_path):
    parts = parts_of(SEED_DOCX)
    levels = b"".join(b'<w:lvl w:ilvl="%d"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
                      b'<w:lvlText w:val="%%1."/></w:lvl>' % i for i in range(20_000))
    numbering = re.sub(rb"(<w:abstractNum [^>]*>)", lambda m: m.group(1) + levels, parts["word/numbering.xml"], count=1)
    numbering = re.sub(rb"(<w:abstractNum [^>]*>)", lambda m: m.group(1) + b'<w:numStyleLink w:val="Cyc"/>', numbering)
    styles = parts["word/styles.xml"].replace(
        b"</w:styles>", b'<w:style w:type="numbering" w:styleId="Cyc"><w:name w:val="Cyc"/><w:pPr><w:numPr>'
        b'<w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>')
    path = write_zip(tmp_path / "levels.docx", {**parts, "word/numbering.xml": numbering, "word/styles.xml": styles})
    for argv in doc_commands(path, tmp_path):
        code, out, err = run(capsys, *argv)
        assert code in (0, 1), (argv, err)


# ---------------------------------------------------------------------------------------------
# Size: a paragraph limit with a flag to raise it; redline within a cost bound


def many_paragraphs(tmp_path: Path, n: int, text: bytes = b"Clause %d refers to Section I.A.") -> Path:
    parts = parts_of(SEED_DOCX)
    body = b"".join(b"<w:p><w:r><w:t>" + (text % i if b"%d" in text else text) + b"</w:t></w:r></w:p>"
                    for i in range(n))
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + body, 1)
    return write_zip(tmp_path / f"p{n}.docx", parts)


def test_a_document_past_the_paragraph_limit_is_refused_at_once_unless_raised(capsys, tmp_path):
    path = many_paragraphs(tmp_path, 30_000)
    for argv in doc_commands(path, tmp_path):
        refused(capsys, argv, str(path), "30,", "--max-paragraphs")
    code, out, err = run(capsys, "dump", path, "--max-paragraphs", "40000")
    assert code == 0 and out.count("\n") > 30_000


def test_redline_replaces_stretches_past_the_cost_bound_and_says_so(capsys, tmp_path, monkeypatch):
    import assembler.redline as redline

    old = many_paragraphs(tmp_path, 400, b"Old clause %d about payment.")
    new = many_paragraphs(tmp_path, 401, b"New wording %d of the covenant.")
    monkeypatch.setattr(redline, "MAX_ALIGNMENT_COST", 1_000)
    monkeypatch.setattr(redline, "MAX_PAIRINGS", 1_000)
    code, out, err = run(capsys, "redline", old, new, "-o", tmp_path / "r.docx")
    assert code == 0, err
    assert "too large or too different to compare word by word" in out
    from assembler.docmodel.ooxml import read_package

    body = read_package(tmp_path / "r.docx").body
    accepted = [t for t in redline.accept_all(body) if t]
    rejected = [t for t in redline.reject_all(body) if t]
    from assembler.docmodel.ooxml import paragraph_text, story_paragraphs

    assert accepted == [t for t in map(paragraph_text, story_paragraphs(read_package(new).body)) if t]
    assert rejected == [t for t in map(paragraph_text, story_paragraphs(read_package(old).body)) if t]


def test_deeply_nested_xml_in_any_part_is_refused_naming_the_file(capsys, tmp_path):
    deep = b"<?xml version='1.0'?>" + b"<w:a xmlns:w='x'>" * 5000 + b"</w:a>" * 5000
    source = legit(tmp_path)
    for part in ("word/styles.xml", "word/settings.xml", "docProps/core.xml", "word/fontTable.xml"):
        if part not in parts_of(source):
            continue
        path = with_part(source, tmp_path / "deep.docx", part, deep)
        survives_every_command(capsys, path, tmp_path, part)


def test_a_template_past_the_paragraph_limit_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSEMBLER_MAX_PARAGRAPHS", "50")
    refused(capsys, build_argv(tmp_path, template_dir(tmp_path, "glossary.docx",
                                                     (TEMPLATES / "glossary.docx").read_bytes())),
            "glossary.docx", "paragraphs, more than the limit of 50")


def test_annotate_a_package_whose_relationships_all_point_at_the_document(capsys, tmp_path):
    """Found by benchmarks/hostile.py: core properties related to the main part sent python-docx
    into endless recursion."""
    source = legit(tmp_path)
    rels = re.sub(rb'Target="[^"]*"', b'Target="word/document.xml"', parts_of(source)["_rels/.rels"])
    path = with_part(source, tmp_path / "loop.docx", "_rels/.rels", rels)
    code, _, err = run(capsys, "check", path, "--annotate", tmp_path / "notes")
    assert code in (0, 1), err
    assert run(capsys, "check", tmp_path / "notes" / "loop.docx")[0] in (0, 1)


def test_redline_of_a_paragraph_of_thousands_of_runs(capsys, tmp_path):
    """Found by benchmarks/hostile.py: each deleted word was joined onto one ever longer w:delText."""
    import assembler.redline as redline
    from assembler.docmodel.ooxml import paragraph_text, read_package, story_paragraphs

    parts = parts_of(SEED_DOCX)
    runs = b"<w:p>" + b"".join(b"<w:r><w:t>w%d </w:t></w:r>" % i for i in range(5_000)) + b"</w:p>"
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + runs, 1)
    many = write_zip(tmp_path / "runs.docx", parts)
    code, out, err = run(capsys, "redline", many, SEED_DOCX, "-o", tmp_path / "r.docx")
    assert code == 0, err
    body = read_package(tmp_path / "r.docx").body
    old_texts = [paragraph_text(p) for p in story_paragraphs(read_package(many).body)]
    assert [t for t in redline.reject_all(body) if t] == [t for t in old_texts if t]
    texts = [t.text for t in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}delText")]
    assert max(len(t or "") for t in texts) <= redline.MAX_JOINED_TEXT + 20


def test_redline_of_a_huge_paragraph_compares_it_whole_and_keeps_every_word(capsys, tmp_path):
    """Found by benchmarks/hostile.py: a 10 MB paragraph (now read, not refused) made millions of word
    objects and a child count on every append; the redline took minutes and a gigabyte."""
    import assembler.redline as redline
    from assembler.docmodel.ooxml import paragraph_text, read_package, story_paragraphs

    parts = parts_of(SEED_DOCX)
    sentence = b"Purchaser shall pay. "
    huge = b"<w:p><w:r><w:t>" + sentence * (redline.MAX_TOKENIZED_TEXT // len(sentence) + 10) + b"</w:t></w:r></w:p>"
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + huge, 1)
    big = write_zip(tmp_path / "huge.docx", parts)
    words = 3 * (redline.MAX_TOKENIZED_TEXT // len(sentence) + 10)
    for old, new, verb in ((big, SEED_DOCX, "deleted"), (SEED_DOCX, big, "inserted")):
        code, out, err = run(capsys, "redline", old, new, "-o", tmp_path / f"{verb}.docx")
        assert code == 0, err
        assert f"{verb} ({words} words)" in out, out  # every word counted, though compared whole
        assert "too large or too different to compare word by word" in out
        body = read_package(tmp_path / f"{verb}.docx").body
        for resolved, source in ((redline.reject_all(body), old), (redline.accept_all(body), new)):
            assert [t for t in resolved if t] == [t for t in map(paragraph_text, story_paragraphs(read_package(source).body)) if t]
