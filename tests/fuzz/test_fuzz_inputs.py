"""Property-based fuzzing of the term-sheet loader and the .docx reader (Hypothesis).

The properties: any bytes given as a term sheet, and any mutation of a real .docx (byte flips,
truncation, a deleted entry, an XML edit), end in a result or an AssemblerError whose every line
is a short located message; never another exception. CI runs a small budget; run a large one by
hand with ``HYPOTHESIS_PROFILE=deep python -m pytest tests/fuzz``. Every failing example found
becomes a regression case in ``REGRESSIONS`` below (and the fix's own test).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assembler.check.runner import check_paths
from assembler.docmodel.ooxml import read_package
from assembler.dump import dump_docx
from assembler.errors import AssemblerError, MAX_MESSAGE
from assembler.termsheet import load_termsheet

ROOT = Path(__file__).resolve().parents[2]
SEED_SHEET = (ROOT / "termsheets" / "ascent-series-j.yaml").read_bytes()
FIXTURE = (ROOT / "tests" / "fixtures" / "seed-literal.docx").read_bytes()

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("deep", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def located(exc: AssemblerError, name: str) -> None:
    for problem in exc.problems:
        line = str(problem)
        assert "\n" not in line and len(line) <= MAX_MESSAGE, line
        assert name in line, line


# ---------------------------------------------------------------------------------------------
# Term sheets


@st.composite
def mutated_sheet(draw) -> bytes:
    data = bytearray(SEED_SHEET)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "value"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at: at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        else:
            lines = bytes(data).split(b"\n")
            n = draw(st.integers(0, len(lines) - 1))
            key = lines[n].split(b":", 1)[0]
            value = draw(st.sampled_from([b"1e308", b"1e-308", b"1" + b"0" * 400, b'"\\ud800"', b'"a\\0b"', b".nan",
                                          b"9999-12-31", b"[]", b"{}", b"&a [*a, *a]", b'"' + b"9" * 300 + b'"',
                                          b"!!binary AAAA", b"-1", b"null"]))
            lines[n] = key + b": " + value
            data = bytearray(b"\n".join(lines))
    return bytes(data)


REGRESSIONS_SHEETS = [
    SEED_SHEET.replace(b"deal_name: Ascent", b'deal_name: "A\\0scent"'),  # a NUL: was exit 3 (ReaderError)
    SEED_SHEET.replace(b"deal_name: Ascent", b"deal_name: A\x00scent"),    # a raw NUL byte
    SEED_SHEET.replace(b"notice_days: 61", b"notice_days: 1" + b"0" * 400),  # was OverflowError
]


@given(mutated_sheet())
@example(REGRESSIONS_SHEETS[0])
@example(REGRESSIONS_SHEETS[1])
@example(REGRESSIONS_SHEETS[2])
def test_any_term_sheet_loads_or_is_a_located_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("sheet") / "deal.yaml"
    path.write_bytes(data)
    try:
        load_termsheet(path)
    except AssemblerError as exc:
        located(exc, str(path))


# ---------------------------------------------------------------------------------------------
# .docx files


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


@st.composite
def mutated_docx(draw) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "delete", "xml"]))
    if kind == "flip":
        data = bytearray(FIXTURE)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "truncate":
        return FIXTURE[: draw(st.integers(0, len(FIXTURE) - 1))]
    entries = _entries(FIXTURE)
    n = draw(st.integers(0, len(entries) - 1))
    if kind == "delete":
        return _zip(entries[:n] + entries[n + 1:])
    name, xml = entries[n]
    at = draw(st.integers(0, len(xml)))
    edit = draw(st.sampled_from([b"&undefined;", b"<", b"<!DOCTYPE x [<!ENTITY e 'x'>]>", b"\x00", b"]]>",
                                 b'<w:p><w:pPr><w:numPr><w:ilvl w:val="99"/><w:numId w:val="1"/></w:numPr></w:pPr></w:p>',
                                 b'<w:start w:val="1000000000000"/>', b"", b"\xff\xfe"]))
    cut = draw(st.integers(0, 20))
    return _zip(entries[:n] + [(name, xml[:at] + edit + xml[at + cut:])] + entries[n + 1:])


@given(mutated_docx())
def test_any_mutated_docx_reads_or_is_a_located_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("docx") / "mutated.docx"
    path.write_bytes(data)
    try:
        read_package(path)
        dump_docx(path)
        check_paths([path])
    except AssemblerError as exc:
        located(exc, str(path))


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
def test_regression_a_flipped_byte_in_a_deflated_part(tmp_path, part):
    """Found by the harness: zlib's 'invalid distance too far back' escaped as an internal error."""
    data = bytearray(FIXTURE)
    with zipfile.ZipFile(io.BytesIO(FIXTURE)) as z:
        info = z.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path = tmp_path / "flipped.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(AssemblerError) as caught:
        read_package(path)
    located(caught.value, str(path))
    assert part in str(caught.value)
