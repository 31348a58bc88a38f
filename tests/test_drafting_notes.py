"""templates/DRAFTING-NOTES.md records every departure from the source, and every row is true.

Each row quotes the source's words and ours. The source's words must stand in the source
(tests/fixtures/seed/source.txt) and ours in the documents built from the sample term sheet (or,
for language that only other terms produce, from the variant that produces it); and every place
where the sample deal's documents depart from the source, word by word, must be covered by a row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assembler.build import DOCUMENTS, build_package
from assembler.termsheet import load_termsheet
from conftest import write_termsheet
from examples import SEED_TERMSHEET
from inspect_docx import inspect
from seedtext import SOURCE, contains, departures, seed_tokens, tokens

NOTES = Path(__file__).resolve().parent.parent / "templates" / "DRAFTING-NOTES.md"
KINDS = {"defect fix", "editorial", "substantive"}
ROW = re.compile(r"^\| (\d+) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \|$")


def rows() -> list[tuple[int, str, str, str, str, str]]:
    found = []
    for line in NOTES.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            found.append((int(m.group(1)), *m.groups()[1:]))
    return found


def paragraphs(folder: Path, overrides: dict | None) -> list[str]:
    """The text of the three documents built from the sample term sheet with *overrides*."""
    path = write_termsheet(folder, overrides) if overrides is not None else SEED_TERMSHEET
    out = build_package(load_termsheet(path))
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for spec in DOCUMENTS:
        target = folder / spec.output
        target.write_bytes(out[spec.output])
        texts += [p.text for p in inspect(target).paragraphs if p.text.strip()]
    return texts


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> list[str]:
    return paragraphs(tmp_path_factory.mktemp("sample"), None)


@pytest.fixture(scope="module")
def ours(sample, tmp_path_factory) -> list[list[str]]:
    """Our words: the sample deal, a U.S. purchaser without Regulation S, and closings of different
    sizes without mandatory redemption."""
    us = paragraphs(tmp_path_factory.mktemp("us"), {
        "purchaser": {"us_person": True, "name": "Rocky Mountain Capital Partners, L.P.",
                      "signature_chain": ["RMCP GP, LLC, its general partner"],
                      "signatory": {"title": "Managing Member"}},
        "exemptions": ["section_4_2", "rule_506"]})
    other = paragraphs(tmp_path_factory.mktemp("other"), {
        "closings": [{"date": "2015-09-18", "shares": 1000}, {"date": "2015-10-18", "shares": 1500},
                     {"date": "2015-11-18", "shares": 500}],
        "mandatory_redemption": {"enabled": False}})
    return [[t for p in texts for t in tokens(p)] for texts in (sample, us, other)]


def test_the_notes_are_numbered_rows_of_a_known_kind():
    found = rows()
    assert len(found) > 50
    assert [r[0] for r in found] == list(range(1, len(found) + 1))
    for number, _where, _seed, _ours, kind, why in found:
        assert kind in KINDS, (number, kind)
        assert why.strip(), number


def test_every_row_quotes_the_source_as_it_stands():
    source = seed_tokens()
    for number, where, seed, _ours, _kind, _why in rows():
        assert contains(source, tokens(seed)), f"row {number} ({where}): not in {SOURCE.name}: {seed}"


def test_every_row_quotes_our_documents_as_they_stand(ours):
    for number, where, _seed, text, _kind, _why in rows():
        assert any(contains(doc, tokens(text)) for doc in ours), f"row {number} ({where}): not in ours: {text}"


def test_every_departure_from_the_source_is_on_record(sample):
    recorded = [(tokens(seed), tokens(text)) for _n, _w, seed, text, _k, _y in rows()]
    missing = [str(d) for d in departures(sample)
               if not any(contains(s, list(d.seed)) and contains(o, list(d.ours)) for s, o in recorded)]
    assert not missing, "departures from the source with no row in DRAFTING-NOTES.md:\n" + "\n".join(missing)


def test_a_departure_with_no_row_is_caught(sample):
    edited = [p.replace("Company has the requisite corporate power", "Company has the corporate power")
              for p in sample]
    recorded = [(tokens(seed), tokens(text)) for _n, _w, seed, text, _k, _y in rows()]
    new = [d for d in departures(edited)
           if not any(contains(s, list(d.seed)) and contains(o, list(d.ours)) for s, o in recorded)]
    assert [str(d) for d in new] == ["[the requisite corporate] -> [the corporate]"]
