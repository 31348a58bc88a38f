"""The document model read from the fixtures is, field by field, the model the reader gave when
tests/fixtures/model-digest.json was written (``python tests/model_dump.py --digest``): every paragraph's
text, style, label, Word list label, number, level, heading, section, exhibit and parent, and every
document's references, definitions, REF fields, bookmarks, outlines, aliases, exhibits and schedules."""

from __future__ import annotations

import hashlib
import json

import pytest

import model_dump
from assembler.docmodel.parse import load_documents
from model_dump import DIGEST, ROOT, digest, dump_document, dump_files, fixture_files

EXPECTED = json.loads(DIGEST.read_text(encoding="utf-8"))


def differences(dump: dict, expected: dict) -> list[str]:
    """What differs between a document's dump and its expected digest: each field, each paragraph."""
    got = digest(dump)
    out = [f"{k}: {got.get(k)} != {v}" for k, v in expected.items() if k != "paragraphs" and got.get(k) != v]
    if len(got["paragraphs"]) != len(expected["paragraphs"]):
        out.append(f"{len(got['paragraphs'])} paragraphs, {len(expected['paragraphs'])} expected")
    for i, (a, b) in enumerate(zip(got["paragraphs"], expected["paragraphs"])):
        if a != b:
            out.append(f"paragraph {i}: {dump['paragraphs'][i]}")
            if len(out) > 10:
                break
    return out


def test_every_fixture_has_a_digest():
    assert sorted(EXPECTED["fixtures"]) == sorted(str(p.relative_to(ROOT)) for p in fixture_files())


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_the_model_of_a_fixture_is_unchanged(path):
    (dump,) = dump_files([path])
    assert differences(dump, EXPECTED["fixtures"][str(path.relative_to(ROOT))]) == []


def test_a_field_changed_is_seen():
    path = fixture_files()[0]
    (document,) = load_documents([path]).documents
    expected = EXPECTED["fixtures"][str(path.relative_to(ROOT))]
    assert differences(dump_document(document), expected) == []
    numbered = next(p for p in document.paragraphs if p.number)
    numbered.section_heading = (numbered.section_heading or "") + "x"
    assert differences(dump_document(document), expected) != []
    document.paragraphs[-1].parent = document.paragraphs[0]
    document.references.pop()
    found = differences(dump_document(document), expected)
    assert any(line.startswith("references:") for line in found)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    hashes, from_files, in_memory = model_dump.sample_dumps(tmp_path_factory.mktemp("sample") / "out")
    if hashes != EXPECTED["sample"]["files"]:
        pytest.skip("the templates build other files than when the digest was written: write it again")
    return from_files, in_memory


def test_the_model_of_the_sample_package_is_unchanged(sample):
    from_files, _ = sample
    for dump in from_files:
        name = dump["path"].rsplit("/", 1)[-1]
        assert differences(dump, EXPECTED["sample"]["documents"][name]) == [], name


def test_a_package_read_from_memory_is_the_package_read_from_its_files(sample):
    from_files, in_memory = sample
    assert [d["path"] for d in in_memory] == [d["path"] for d in from_files]
    for a, b in zip(in_memory, from_files):
        assert digest(a) == digest(b), a["path"]


def test_the_model_of_the_long_agreement_is_unchanged(tmp_path):
    path = model_dump.long_agreement(tmp_path)
    if hashlib.sha256(path.read_bytes()).hexdigest() != EXPECTED["long"]["file"]:
        pytest.skip("the seed text drafts another file than when the digest was written: write it again")
    (dump,) = dump_files([path])
    assert differences(dump, EXPECTED["long"]["document"]) == []
