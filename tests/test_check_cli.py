"""`assembler check` as a user runs it: reports, selection, configuration, annotation, exit codes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from docx import Document

from assembler.check.rule import Finding, Severity
from assembler.drafting import draft_document
from assembler.render.write import save_docx
from assembler.report.annotate import COMMENT_DATE, annotate_document
from assembler.report.json import FINDING_KEYS, SCHEMA
from conftest import run_cli
from examples import SEED_TERMSHEET

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed-numbered.docx"


def small(tmp_path: Path, *lines: str, name: str = "small.docx") -> Path:
    path = tmp_path / name
    save_docx(draft_document(list(lines), prefix="SPA", source=name), path)
    return path


CLEAN = ("T|Securities Purchase Agreement", "1|**Definitions.** Words have their ordinary meaning.")
DIRTY = CLEAN + ("1|**Sale.** Company sells shares of Series K Preferred Stock and of Series J Preferred Stock "
                 "as designated in the Series J Preferred Stock certificate, and Series J Preferred Stock only.",)


def test_json_report_follows_the_documented_schema():
    proc = run_cli("check", str(SEED), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert list(report) == ["schema", "files", "summary", "findings"]
    assert report["schema"] == SCHEMA == "assembler.check/1"
    assert report["files"] == [str(SEED)]
    assert list(report["summary"]) == ["error", "warning", "info"]
    assert report["findings"]
    for f in report["findings"]:
        assert tuple(f) == FINDING_KEYS
        assert f["severity"] in ("error", "warning", "info") and f["part"] and f["snippet"]
        assert isinstance(f["paragraph"], int) and f["paragraph"] >= 0
    counts = {s: sum(f["severity"] == s for f in report["findings"]) for s in ("error", "warning", "info")}
    assert counts == report["summary"]


def test_text_report_groups_by_document_and_ends_with_a_summary(tmp_path):
    a, b = small(tmp_path, *CLEAN, name="a.docx"), small(tmp_path, *DIRTY, name="b.docx")
    proc = run_cli("check", str(a), str(b), "--select", "series")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == str(b)                      # a.docx has no finding, so no heading
    assert any("error  series" in line for line in lines)
    assert "«Series K Preferred Stock»" in proc.stdout
    assert lines[-1].startswith("1 finding in 2 files: 1 error, 0 warnings, 0 info")


def test_a_clean_document_exits_0(tmp_path):
    proc = run_cli("check", str(small(tmp_path, *CLEAN)), "--select", "series,termsheet",
                   "--termsheet", str(SEED_TERMSHEET))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "no findings in 1 file\n"


def test_select_and_ignore_take_prefixes():
    selected = json.loads(run_cli("check", str(SEED), "--format", "json", "--select", "series").stdout)
    assert {f["code"] for f in selected["findings"]} == {"series"}
    ignored = json.loads(run_cli("check", str(SEED), "--format", "json", "--ignore", "series,defs").stdout)
    codes = {f["code"].split(".")[0] for f in ignored["findings"]}
    assert codes and not codes & {"series", "defs"}


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_code_exits_2_listing_the_codes(option):
    proc = run_cli("check", str(SEED), option, "xref.nonsense")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "xref.nonsense" in proc.stderr and "termsheet.amount" in proc.stderr and "Traceback" not in proc.stderr


def test_configuration_allows_another_series(tmp_path):
    config = tmp_path / "check.yaml"
    config.write_text("allowed_series: [G]\nreport_unused: false\n", encoding="utf-8")
    report = json.loads(run_cli("check", str(SEED), "--format", "json", "--config", str(config)).stdout)
    assert not [f for f in report["findings"] if f["code"] == "series"]


@pytest.mark.parametrize("text,message", [
    ("allowed_series: G\n", "list"), ("colour: blue\n", "unknown setting"), ("[unclosed\n", "YAML"),
    ("report_unused: maybe\n", "true or false"),
])
def test_a_bad_configuration_exits_2(tmp_path, text, message):
    config = tmp_path / "check.yaml"
    config.write_text(text, encoding="utf-8")
    proc = run_cli("check", str(SEED), "--config", str(config))
    assert proc.returncode == 2 and message in proc.stderr and str(config) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_bad_term_sheet_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("deal_name: [\n", encoding="utf-8")
    proc = run_cli("check", str(SEED), "--termsheet", str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr and "Traceback" not in proc.stderr


def comments_of(path: Path) -> list:
    return list(Document(str(path)).comments)


def test_annotate_writes_a_commented_copy_per_finding(tmp_path):
    out = tmp_path / "annotated"
    first = run_cli("check", str(SEED), "--format", "json", "--annotate", str(out))
    report = json.loads(first.stdout)
    copy = out / SEED.name
    assert copy.exists() and f"wrote {copy}" in first.stderr
    comments = comments_of(copy)
    assert len(comments) == len(report["findings"])
    assert all(c.author == "assembler check" and c.initials == "AC" for c in comments)
    assert {c.timestamp.replace(tzinfo=None) for c in comments} == {COMMENT_DATE}
    assert any("series" in c.text and "Series G Preferred Stock" in c.text for c in comments)
    again = tmp_path / "again"
    run_cli("check", str(SEED), "--annotate", str(again))
    assert (again / SEED.name).read_bytes() == copy.read_bytes()


def test_annotate_anchors_the_comment_on_the_offending_run(tmp_path):
    doc = small(tmp_path, *DIRTY)
    run_cli("check", str(doc), "--select", "series", "--annotate", str(tmp_path / "out"))
    with zipfile.ZipFile(tmp_path / "out" / doc.name) as z:
        xml = z.read("word/document.xml").decode()
    assert xml.count("<w:commentRangeStart") == 1 and "Series K" in xml.split("<w:commentRangeStart")[1]


def test_annotate_never_overwrites_an_input(tmp_path):
    doc = small(tmp_path, *DIRTY)
    before = doc.read_bytes()
    proc = run_cli("check", str(doc), "--annotate", str(tmp_path))
    assert proc.returncode == 2 and "overwrite" in proc.stderr and proc.stdout == ""
    assert doc.read_bytes() == before


def test_a_finding_outside_the_body_is_commented_on_the_first_paragraph(tmp_path):
    doc = small(tmp_path, *CLEAN)
    finding = Finding("leftovers.placeholder", "placeholder", Severity.WARNING, str(doc), "word/footer1.xml", 0,
                      None, "[●]", "a placeholder is left")
    annotate_document(doc, tmp_path / "out.docx", [finding])
    (comment,) = comments_of(tmp_path / "out.docx")
    assert "in word/footer1.xml" in comment.text and "[●]" in comment.text


def test_build_prints_the_check_and_honours_no_check(tmp_path):
    checked = run_cli("build", str(SEED_TERMSHEET), "-o", str(tmp_path / "a"))
    assert checked.returncode == 0 and "no findings in 3 files" in checked.stdout
    unchecked = run_cli("build", str(SEED_TERMSHEET), "-o", str(tmp_path / "b"), "--no-check")
    assert unchecked.returncode == 0 and "findings" not in unchecked.stdout


def test_a_baseline_records_the_findings_and_a_later_turn_shows_only_new_ones(tmp_path):
    first = small(tmp_path, *DIRTY, name="draft.docx")
    baseline = tmp_path / "accepted.json"
    proc = run_cli("check", str(first), "--select", "series", "--format", "json", "--baseline", str(baseline))
    assert proc.returncode == 1 and "wrote" in proc.stderr
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert recorded["schema"] == "assembler.baseline/1"
    assert [e["snippet"] for e in recorded["accepted"]] == ["Series K Preferred Stock"]

    # the counterparty's next turn: paragraphs added above, and one new defect below
    turn = tmp_path / "turn"
    turn.mkdir()
    second = small(turn, CLEAN[0], "1|**Recitals.** The parties wish to agree.", "1|**Purpose.** As stated.",
                   *CLEAN[1:], DIRTY[-1][2:] and DIRTY[-1], "1|**Other.** Also Series L Preferred Stock.",
                   name="draft.docx")
    proc = run_cli("check", str(second), "--select", "series", "--format", "json", "--baseline", str(baseline))
    snippets = [f["snippet"] for f in json.loads(proc.stdout)["findings"]]
    assert snippets == ["Series L Preferred Stock"], proc.stdout
    assert "1 accepted findings" in proc.stderr
    assert json.loads(baseline.read_text(encoding="utf-8")) == recorded   # an existing baseline is not rewritten


@pytest.mark.parametrize("content", ["not json", '{"schema": "other"}', '{"schema": "assembler.baseline/1", '
                                     '"accepted": [{"code": 1}]}'])
def test_a_file_that_is_not_a_baseline_exits_2_with_a_located_message(tmp_path, content):
    baseline = tmp_path / "accepted.json"
    baseline.write_text(content, encoding="utf-8")
    proc = run_cli("check", str(small(tmp_path, *CLEAN)), "--baseline", str(baseline))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and str(baseline) in proc.stderr and "Traceback" not in proc.stderr


def test_places_are_named_as_a_lawyer_names_them(tmp_path):
    from assembler.docmodel.parse import load_documents
    from assembler.docmodel.places import place_in

    path = small(tmp_path, "T|Securities Purchase Agreement",
                 "B|This Agreement is made by the Company and the Purchaser.",
                 "N|RECITALS", "R|The Company wishes to sell.", "R|The Purchaser wishes to buy.",
                 "1|**Purchase and Sale.**", "2|__Closing.__ The closing takes place.",
                 "B|IN WITNESS WHEREOF, the parties sign.", "S|By: ____________", "B|Name: Jane Doe",
                 "C|Exhibit 1", "T|Glossary of Defined Terms", 'D|"Purchase Amount" means $3,000,000.')
    package = load_documents([path])
    names = {p.text.strip()[:12]: place_in(package, p) for p in package.documents[0].paragraphs if p.text.strip()}
    assert names["This Agreeme"] == "preamble"
    assert names["The Purchase"] == "Recital B"
    assert names["Closing. The"] == "Section I.A"
    assert names["Name: Jane D"] == "signature page"
    assert names["“Purchase Am"] == "Exhibit 1 (Glossary of Defined Terms), “Purchase Amount”"
    assert "-" not in names.values()


def _with_footnote(path: Path, note_text: str) -> Path:
    """*path* with a footnote, whose mark stands at the end of the document's last paragraph."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    at = body.rfind("</w:p>")
    parts["word/document.xml"] = (body[:at] + '<w:r><w:footnoteReference w:id="2"/></w:r>' + body[at:]).encode()
    parts["word/footnotes.xml"] = (f'<w:footnotes {w}><w:footnote w:id="2"><w:p><w:r><w:t>{note_text}</w:t></w:r>'
                                   '</w:p></w:footnote></w:footnotes>').encode()
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'footnotes" Target="footnotes.xml"/></Relationships>')).encode()
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.footnotes+xml"/></Types>')).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_footnote_finding_is_placed_and_commented_at_the_footnote_mark(tmp_path):
    doc = _with_footnote(small(tmp_path, *CLEAN, "1|**Sale.** Company sells the shares."),
                         "The price is [___] per share.")
    proc = run_cli("check", str(doc), "--select", "leftovers.placeholders", "--annotate", str(tmp_path / "out"))
    assert "footnote 1 to Article II" in proc.stdout, proc.stdout
    with zipfile.ZipFile(tmp_path / "out" / doc.name) as z:
        comments, body = z.read("word/comments.xml").decode(), z.read("word/document.xml").decode()
    assert "[in footnote 1]" in comments
    assert body.count("commentRangeStart") == 1
    assert body.find("commentRangeStart") < body.find("footnoteReference") < body.find("commentRangeEnd")
