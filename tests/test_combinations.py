"""Every combination of the term sheet's switches gives a package a lawyer could send.

Exemptions (every non-empty subset) x U.S. person x closings (one, equal, unequal) x mandatory
redemption x series letter: each valid combination is built in-process and must have zero findings
from the consistency pass (the certificate also alone, as it is filed), no empty or doubled words
where a condition opened or closed, and the language the terms call for present or absent. Each
invalid combination is refused with a located term-sheet error saying why.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from assembler.build import DOCUMENTS, build_package, render_package
from assembler.check.runner import check_paths
from assembler.errors import TermSheetError
from assembler.termsheet import load_termsheet
from assembler.termsheet.model import EXEMPTIONS
from conftest import write_termsheet
from inspect_docx import inspect

AGREEMENT, GLOSSARY, CERTIFICATE = (spec.output for spec in DOCUMENTS)

SUBSETS = [list(c) for n in range(1, len(EXEMPTIONS) + 1) for c in itertools.combinations(EXEMPTIONS, n)]
CLOSINGS = {
    "one": [{"date": "2015-09-18", "shares": 3000}],
    "equal": [{"date": "2015-09-18", "shares": 1000}, {"date": "2015-10-18", "shares": 1000},
              {"date": "2015-11-18", "shares": 1000}],
    "unequal": [{"date": "2015-09-18", "shares": 1000}, {"date": "2015-10-18", "shares": 1500},
                {"date": "2015-11-18", "shares": 500}],
}
US_PURCHASER = {"name": "Rocky Mountain Capital Partners, L.P.", "us_person": True,
                "signature_chain": ["RMCP GP, LLC, its general partner"],
                "signatory": {"name": "Dana Whitfield", "title": "Managing Member"}}
COMBINATIONS = list(itertools.product(SUBSETS, (False, True), CLOSINGS, (True, False), ("J", "K")))


def combo_id(combo) -> str:
    exemptions, us, closings, redemption, series = combo
    return "-".join(["+".join(exemptions), "us" if us else "nonus", closings,
                     "redeem" if redemption else "noredeem", series])


def overrides(combo) -> dict:
    exemptions, us, closings, redemption, series = combo
    data = {"exemptions": exemptions, "closings": CLOSINGS[closings], "series": series,
            "mandatory_redemption": {"enabled": redemption, "term_years": 1}}
    if us:
        data["purchaser"] = US_PURCHASER
    return data


def valid(combo) -> bool:
    exemptions, us, *_ = combo
    return not (us and "regulation_s" in exemptions)


VALID = [c for c in COMBINATIONS if valid(c)]
INVALID = [c for c in COMBINATIONS if not valid(c)]

# Text that only a condition opened or closed in the wrong place produces.
BROKEN = [
    (re.compile(r"\b(\w+) \1\b", re.I), "a doubled word"),
    (re.compile(r"  "), "a double space"),
    (re.compile(r" [,.;:)]"), "a space before punctuation"),
    (re.compile(r"\( |\(\)"), "an empty or open parenthesis"),
    (re.compile(r"[,;] ?[,;.]|\.\.(?!\.)"), "doubled punctuation"),
    (re.compile(r"\b(to|of|and|or|the|a|an|by|as|in|for|with|under) ?[.;]"), "a word with nothing after it"),
    (re.compile(r"\b(and|or) (and|or)\b", re.I), "two conjunctions"),
    (re.compile(r"\bpursuant to (as|and|or|pursuant)\b", re.I), "a dangling 'pursuant to'"),
]


def text_defects(text: str) -> list[str]:
    found = []
    for line in text.split("\n"):
        for pattern, what in BROKEN:
            m = pattern.search(line)
            if m:
                found.append(f"{what}: …{line[max(0, m.start() - 40):m.end() + 40]}…")
    return found


def build_combination(combo, folder: Path):
    path = write_termsheet(folder, overrides(combo))
    ts = load_termsheet(path)
    out = folder / "out"
    out.mkdir()
    files, outputs = {}, render_package(ts)
    for name, data in outputs[0].items():
        (out / name).write_bytes(data)
        files[name] = out / name
    return ts, files, {files[name]: parts for name, parts in outputs[1].items()}


@pytest.mark.parametrize("combo", VALID, ids=combo_id)
def test_every_valid_combination_reads_right(combo, tmp_path):
    exemptions, us, closings, redemption, series = combo
    ts, files, sources = build_combination(combo, tmp_path)
    paths = [files[spec.output] for spec in DOCUMENTS]
    _package, findings = check_paths(paths, ts)
    assert not findings, [f"{f.code} {f.section}: {f.message}" for f in findings]
    # what a build checks: the same documents from memory, with the same findings
    assert check_paths(paths, ts, sources=sources)[1] == findings
    _package, alone = check_paths([files[CERTIFICATE]], ts)   # the certificate is filed on its own
    assert not alone, [f"{f.code} {f.section}: {f.message}" for f in alone]

    docs = {name: inspect(path) for name, path in files.items()}
    for name, doc in docs.items():
        assert not text_defects(doc.text), (name, text_defects(doc.text))
        assert set(re.findall(r"\bSeries\s([A-Z])\b", doc.text)) == {series}, name
        for bookmark, cached, _where in doc.refs:
            assert cached and cached == doc.bookmark_numbers[bookmark], (name, bookmark, cached)
    spa, cod = docs[AGREEMENT].text, docs[CERTIFICATE].text

    recital = docs[AGREEMENT].paragraph_containing("The offer and sale of the Securities").text
    assert recital.startswith("The offer and sale of the Securities provided for herein are being made ")
    assert ("Section 4(a)(2) of the Act as a transaction by an issuer not involving any public offering"
            in recital) == ("section_4_2" in exemptions)
    assert "Section 4(2)" not in spa                    # renumbered by the JOBS Act in April 2012
    assert ("as a private placement of restricted securities pursuant to Rule 506 of Regulation D" in recital) \
        == ("rule_506" in exemptions)
    assert ("private placement" in recital) == ("rule_506" in exemptions)
    assert ("as an offshore transaction pursuant to Regulation S" in recital) == ("regulation_s" in exemptions)

    status = docs[AGREEMENT].paragraph_containing("Purchaser Status.").text
    assert ("Regulation S" in spa) == ("regulation_s" in exemptions)
    assert ("U.S. Person" in status) == ("regulation_s" in exemptions)
    assert "“restricted securities”" in status                          # always acknowledged
    assert "Company will refuse to register any transfer of the Securities not made" in status
    assert "will bear a legend" in status
    assert ("for investment for its own account and not with a view to" in status) \
        == ("regulation_s" not in exemptions)
    assert ("7701(a)(30)" in status) == (not us)

    assert ("redeemable" in spa) == redemption
    assert ("or redeemed" in spa) == redemption
    assert ("Redemption Price" in cod) == redemption
    assert ("a single closing (the “Closing”)" in spa) == (closings == "one")
    assert ("initial Closing" in spa) == (closings != "one")
    assert ("for the number of Preferred Shares set forth below" in spa) == (closings == "unequal")

    limits = docs[AGREEMENT].paragraph_containing("Ownership Restrictions.").text
    assert "more than 4.99% (or such other percentage, not exceeding 9.99%," in limits


@pytest.mark.parametrize("combo", INVALID, ids=combo_id)
def test_every_invalid_combination_is_a_located_termsheet_error(combo, tmp_path):
    path = write_termsheet(tmp_path, overrides(combo))
    with pytest.raises(TermSheetError) as err:
        load_termsheet(path)
    text = str(err.value)
    assert "exemptions[" in text and "regulation_s (offshore transactions) can be claimed only when the " \
        "purchaser is not a U.S. person" in text, text


def test_the_combinations_cover_every_switch():
    assert len(SUBSETS) == 7 and len(COMBINATIONS) == 168
    assert len(VALID) == 120 and len(INVALID) == 48
    # A non-U.S. purchaser without Regulation S is a valid private placement, drafted as one.
    assert (["section_4_2", "rule_506"], False, "one", True, "J") in VALID


def test_section_4_2_is_cited_as_numbered_on_the_agreements_date(tmp_path):
    ts, files, _sources = build_combination((["section_4_2"], False, "one", True, "J"), tmp_path / "a")
    assert "Section 4(a)(2) of the Act" in inspect(files[AGREEMENT]).text
    early = {"effective_date": "2011-09-18", "closings": [{"date": "2011-09-19", "shares": 3000}],
             "exemptions": ["section_4_2"],
             "certificate": {"board_meeting_date": "2011-09-17", "execution_date": "2011-09-18"}}
    path = write_termsheet(tmp_path / "b", early)
    out = build_package(load_termsheet(path))
    (tmp_path / "b" / AGREEMENT).write_bytes(out[AGREEMENT])
    text = inspect(tmp_path / "b" / AGREEMENT).text
    assert "Section 4(2) of the Act" in text and "4(a)(2)" not in text


# --- a representative subset through LibreOffice ---------------------------------------------------

PDF_COMBINATIONS = [
    (["rule_506"], True, "unequal", False, "K"),
    (["regulation_s"], False, "one", True, "J"),
    (["section_4_2", "rule_506"], False, "equal", False, "J"),
]


@pytest.mark.parametrize("combo", PDF_COMBINATIONS, ids=combo_id)
def test_the_pdf_shows_the_numbers_of_the_fields(combo, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    _ts, files, _sources = build_combination(combo, tmp_path)
    agreement = files[AGREEMENT]
    with tempfile.TemporaryDirectory(prefix="assembler-lo-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(agreement)], capture_output=True, timeout=300, check=True)
    pdf = tmp_path / (agreement.stem + ".pdf")
    assert pdf.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    doc = inspect(agreement)
    for _bookmark, cached, where in doc.refs:
        assert f"Section {cached}" in flat.replace("\u00a0", " "), (cached, doc.paragraphs[where].text[:80])
    recital = doc.paragraph_containing("The offer and sale of the Securities").text
    assert re.sub(r"\s+", " ", recital.replace("\u00a0", " "))[:150] in flat.replace("\u00a0", " ")
