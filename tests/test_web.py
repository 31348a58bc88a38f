"""The web page, route by route, through its ASGI app: the same library calls as the command line."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from webtools import TestClient, csrf_of, make_workspace, stray_series_draft

from assembler.errors import TermSheetError
from assembler.termsheet import load_termsheet
from assembler.web import app as webapp
from assembler.web.app import create_app
from assembler.web.form import form_fields, leaves

SEED = "ascent-series-j.yaml"


@pytest.fixture
def ws(tmp_path) -> Path:
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def client(ws):
    with TestClient(create_app(ws, allowed_hosts=["testserver"])) as c:
        yield c


def form_of(html: str) -> dict[str, list[str]]:
    """The term-sheet form's values as a browser would post them (checked boxes only)."""
    values: dict[str, list[str]] = {}
    body = html.split('class="termsheet"', 1)[1].split("</form>", 1)[0]
    body = re.sub(r"<template.*?</template>", "", body, flags=re.S)
    for tag in re.findall(r"<input\b[^>]*>", body, flags=re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" not in tag:
                continue
            text = value.group(1) if value else "on"
        else:
            text = value.group(1) if value else ""
        values.setdefault(name.group(1), []).append(_unescape(text))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, flags=re.S):
        values.setdefault(name, []).append(_unescape(text))
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def post_form(client, url: str, values: dict[str, list[str]], **extra):
    data = [(k, v) for k, vs in values.items() for v in vs] + list(extra.items())
    data = [(k, v) for k, v in data if k != "csrf"] + [("csrf", csrf_of(client))]
    return client.post(url, content=_urlencode(data), headers={"content-type": "application/x-www-form-urlencoded"})


def edit(client, deal: str, changes: dict[str, str], then: str = "save"):
    """Open the deal's form, change the given inputs, post it."""
    values = form_of(client.get(f"/deal/{deal}").text)
    values.update({name: [value] for name, value in changes.items()})
    return post_form(client, f"/deal/{deal}", values, then=then)


def _urlencode(pairs) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)


def cli_messages(folder: Path, text: str) -> list[str]:
    """What the command line's loader says about a term sheet with this text (messages only)."""
    path = folder / "probe.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_termsheet(path)
    except TermSheetError as exc:
        return [p.message for p in exc.problems]
    finally:
        path.unlink()
    return []


# -- deals list -------------------------------------------------------------------------------


def test_deals_list_names_every_term_sheet_and_its_status(client, ws):
    page = client.get("/")
    assert page.status_code == 200
    for path in (ws / "termsheets").rglob("*.yaml"):
        deal = load_termsheet(path).deal_name
        assert deal in page.text
        assert path.relative_to(ws / "termsheets").as_posix() in page.text
    assert page.text.count("not built") >= 4
    build = post_form(client, f"/build/{SEED}", {})
    assert build.status_code == 200
    page = client.get("/")
    row = page.text.split("Ascent Series J</a>", 1)[1].split("</tr>", 1)[0]
    assert "up to date" in row and re.search(r"\d+ errors?, \d+ warnings?", row)
    (ws / "termsheets" / SEED).write_text((ws / "termsheets" / SEED).read_text().replace('"8"', '"9"'))
    row = client.get("/").text.split("Ascent Series J</a>", 1)[1].split("</tr>", 1)[0]
    assert "terms changed since the build" in row



def test_deals_list_names_each_variants_base_as_the_loader_reads_it(client, ws):
    """"variant of BASE" under each variant (a broken one too), from the loader's reading of
    ``extends:``, which for every way of writing it agrees with the round-trip reading of the form."""
    from assembler.termsheet.load import declared_base
    from assembler.web.form import base_named, base_of, read_yaml

    variants = ws / "termsheets" / "variants"
    (variants / "broken.yaml").write_text("extends: ../ascent-series-j.yaml\nseries: jj\n")
    (variants / "quoted.yaml").write_text("# a comment\n'extends':  \"  us-purchaser.yaml \"\ndeal_name: Q\n")
    (variants / "blank.yaml").write_text("extends: ''\ndeal_name: Blank\n")
    (variants / "listed.yaml").write_text("extends: [a.yaml]\ndeal_name: Listed\n")
    page = client.get("/").text
    sheets = sorted((ws / "termsheets").rglob("*.yaml"))
    shown = 0
    for path in sheets:
        base = base_named(path, declared_base(path))
        assert base == base_of(path, read_yaml(path)) == base_named(path, declared_base(path)), path  # kept too
        row = page.split(f'href="/deal/{path.relative_to(ws / "termsheets").as_posix()}"', 1)[1].split("</tr>", 1)[0]
        if base is not None and base.is_file():
            assert f"variant of {base.relative_to(ws / 'termsheets').as_posix()}" in row, path
            shown += 1
        else:
            assert "variant of" not in row, path
    assert shown >= 4  # the repository's variants, the broken one and the quoted one

def test_new_deal_writes_a_variant_that_extends_its_base(client, ws):
    response = client.post("/deals/new", data={"csrf": csrf_of(client), "base": "variants/us-purchaser.yaml",
                                               "file": "Series L", "deal_name": "Ascent Series L"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/deal/variants/series-l.yaml")
    created = client.get(response.headers["location"]).text
    assert "Created <code>termsheets/variants/series-l.yaml</code>: it extends <code>variants/us-purchaser.yaml" \
        in created and "set here" in created
    written = ws / "termsheets" / "variants" / "series-l.yaml"
    data = yaml.safe_load(written.read_text())
    assert data == {"extends": "us-purchaser.yaml", "deal_name": "Ascent Series L"}
    ts = load_termsheet(written)
    assert ts.deal_name == "Ascent Series L" and ts.purchaser.us_person is True
    again = client.post("/deals/new", data={"csrf": csrf_of(client), "base": SEED, "file": "other",
                                            "deal_name": "Ascent Series L"})
    assert again.status_code == 422 and "output/ascent-series-l" in again.text
    assert not (ws / "termsheets" / "other.yaml").exists()


# -- term-sheet form --------------------------------------------------------------------------


def test_form_has_an_input_for_every_field_of_the_model(client):
    html = client.get(f"/deal/{SEED}").text
    for f in leaves(form_fields()):
        if f.kind == "rows":
            for child in f.children:
                assert f'name="{f.row_name(0, child)}"' in html
        else:
            assert f'name="{f.name}"' in html, f.name
        if f.kind not in ("choices", "rows"):
            assert f'for="f-{f.name}"' in html or f.kind == "rows"  # every input has its label
    assert 'type="date"' in html and 'class="affix money"' in html and 'class="affix percent"' in html


def test_form_fields_follow_the_schema():
    from assembler.termsheet import termsheet_json_schema

    schema = termsheet_json_schema()
    schema["properties"]["closing_place"] = {"type": "string", "description": "Where the closing happens."}
    schema["properties"]["escrow"] = {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
    fields = {f.name: f for f in leaves(form_fields(schema))}
    assert fields["closing_place"].kind == "text"
    assert fields["closing_place"].description == "Where the closing happens."
    assert fields["escrow"].kind == "boolean"
    kinds = {f.name: f.kind for f in leaves(form_fields())}
    assert kinds["effective_date"] == "date" and kinds["purchase.price_per_share"] == "money"
    assert kinds["dividend_rate"] == "percent" and kinds["exemptions"] == "choices"
    assert kinds["closings"] == "rows" and kinds["trading.markets"] == "lines"
    assert kinds["purchase.shares"] == "integer" and kinds["purchaser.us_person"] == "boolean"
    assert "extends" not in kinds


def test_saving_changes_only_the_changed_values_and_keeps_comments(client, ws):
    path = ws / "termsheets" / SEED
    before = path.read_text()
    response = edit(client, SEED, {"purchase.price_per_share": "1250.00",
                                   "preferred.original_issue_price": "1250.00"})
    assert response.status_code == 200, response.text
    assert "Saved: preferred.original_issue_price, purchase.price_per_share" in response.text
    after = path.read_text()
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert [b for _a, b in changed] == [
        '  original_issue_price: "1250.00"     # illustrative',
        '  price_per_share: "1250.00"          # illustrative',
    ]
    ts = load_termsheet(path)
    assert str(ts.purchase.price_per_share) == "1250.00"
    again = post_form(client, f"/deal/{SEED}", form_of(response.text), then="save")
    assert "Nothing changed; nothing written." in again.text and path.read_text() == after


def test_closings_rows_added_and_removed(client, ws):
    path = ws / "termsheets" / SEED
    values = form_of(client.get(f"/deal/{SEED}").text)
    for key in [k for k in values if k.startswith("closings[")]:
        del values[key]
    dates = ["2015-09-18", "2015-10-02", "2015-10-16", "2015-10-30"]
    for i, day in enumerate(dates, 1):
        values[f"closings[{i}].date"] = [day]
        values[f"closings[{i}].shares"] = ["750"]
    response = post_form(client, f"/deal/{SEED}", values, then="save")
    assert response.status_code == 200, response.text
    ts = load_termsheet(path)
    assert [c.shares for c in ts.closings] == [750] * 4
    text = path.read_text()
    assert "  - {date: 2015-09-18, shares: 750}" in text and "# dates and share counts illustrative" in text
    assert "2015-11-13" not in text


def test_a_variant_keeps_only_what_differs_from_its_base(client, ws):
    variant = ws / "termsheets" / "variants" / "us-purchaser.yaml"
    base_text = (ws / "termsheets" / SEED).read_text()
    values = form_of(client.get("/deal/variants/us-purchaser.yaml").text)
    values["conversion_price"] = ["0.20"]
    assert post_form(client, "/deal/variants/us-purchaser.yaml", values, then="save").status_code == 200
    text = variant.read_text()
    assert text.startswith("# Variant: the Series J deal") and "extends: ../ascent-series-j.yaml" in text
    assert 'conversion_price: "0.20"' in text and "dividend_rate" not in text
    assert (ws / "termsheets" / SEED).read_text() == base_text
    # the base's value again: the line goes
    assert edit(client, "variants/us-purchaser.yaml", {"conversion_price": "0.15"}).status_code == 200
    assert "conversion_price" not in variant.read_text()
    assert str(load_termsheet(variant).conversion_price) == "0.15"


def test_bad_values_are_shown_next_to_their_fields_and_nothing_is_written(client, ws):
    path = ws / "termsheets" / SEED
    before = path.read_bytes()
    response = edit(client, SEED, {"purchase.price_per_share": "abc", "closings[2].date": "2015-02-30",
                                   "dividend_rate": "140"}, then="build")
    assert response.status_code == 422
    assert path.read_bytes() == before
    assert not list((ws / "termsheets").glob(".*"))  # the probe file is gone
    assert not (ws / "output").exists()  # and nothing was built
    text = before.decode().replace('price_per_share: "1000.00"', 'price_per_share: "abc"')
    text = text.replace("{date: 2015-10-02, shares: 500}", '{date: "2015-02-30", shares: 500}')
    text = text.replace('dividend_rate: "8"', 'dividend_rate: "140"')
    expected = cli_messages(ws / "termsheets", text)
    assert len(expected) == 3
    import html as htmllib

    page = htmllib.unescape(response.text)
    for message in expected:
        assert message in page
    price_field = page.split('id="f-purchase.price_per_share"', 1)[1].split("</div>", 1)[0]
    assert [m for m in expected if "dollars" in m][0] in price_field
    closing = page.split('id="f-closings[2].date"', 1)[1].split("</div>", 1)[0]
    assert [m for m in expected if "calendar date" in m][0] in closing
    rate = page.split('id="f-dividend_rate"', 1)[1].split("</div>", 1)[0]
    assert [m for m in expected if "percentage" in m][0] in rate
    assert 'aria-invalid="true"' in page and "Not saved: 3 problems" in page
    assert re.search(rf"termsheets/{SEED}:\d+:\d+: dividend_rate: must be a percentage", page)
    assert str(ws) not in page  # files are named from the workspace
    assert 'value="abc"' in page  # what the user typed stays in the form


# -- build ------------------------------------------------------------------------------------


def test_build_shows_documents_findings_and_downloads(client, ws):
    response = post_form(client, f"/build/{SEED}", {})
    assert response.status_code == 200, response.text
    out = ws / "output" / "ascent-series-j"
    links = re.findall(r'href="/files/([^"]+)"', response.text)
    for name in ("securities-purchase-agreement.docx", "exhibit-1-glossary-of-defined-terms.docx",
                 "exhibit-2-certificate-of-designations.docx", "deal-package.docx"):
        assert f"output/ascent-series-j/{name}" in links
        download = client.get(f"/files/output/ascent-series-j/{name}")
        assert download.status_code == 200 and download.content == (out / name).read_bytes()
        assert "attachment" in download.headers["content-disposition"]
    assert "Findings" in response.text
    again = post_form(client, f"/build/{SEED}", {})
    assert "Up to date" in again.text


def test_rebuild_after_a_change_lists_fields_sections_and_redlines(client, ws):
    post_form(client, f"/build/{SEED}", {})
    response = edit(client, SEED, {"conversion_price": "0.20"}, then="build")
    assert response.status_code == 200, response.text
    assert "conversion_price: &#34;0.15&#34; -&gt; &#34;0.20&#34;" in response.text
    redlines = re.findall(r'href="/files/(output/ascent-series-j/redlines/[^"]+)"', response.text)
    assert redlines
    body = client.get(f"/files/{redlines[0]}").content
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("word/document.xml").decode()
    assert "<w:ins " in xml and "0.20" in xml


def test_a_hand_edited_output_is_never_overwritten_silently(client, ws):
    post_form(client, f"/build/{SEED}", {})
    out = ws / "output" / "ascent-series-j"
    edited = out / "securities-purchase-agreement.docx"
    from docx import Document

    doc = Document(str(edited))
    doc.add_paragraph("A rider added by hand.")
    doc.save(str(edited))
    edited_bytes = edited.read_bytes()
    edit(client, SEED, {"dividend_rate": "9"})
    response = post_form(client, f"/build/{SEED}", {})
    assert response.status_code == 409
    assert "output/ascent-series-j/securities-purchase-agreement.docx" in response.text
    assert edited.read_bytes() == edited_bytes
    assert "outputs hand-edited" in client.get("/").text
    forced = post_form(client, f"/build/{SEED}", {}, force="keep")
    assert forced.status_code == 200
    kept = out / "securities-purchase-agreement.edited.docx"
    assert kept.read_bytes() == edited_bytes and "securities-purchase-agreement.edited.docx" in forced.text


def test_two_builds_of_one_deal_at_once_run_one_after_the_other(ws):
    import threading

    app = create_app(ws, allowed_hosts=["testserver"])
    results = []

    def one():
        with TestClient(app) as c:
            results.append(post_form(c, f"/build/{SEED}", {}).status_code)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200, 200]
    from assembler import manifest

    out = ws / "output" / "ascent-series-j"
    recorded = manifest.read_manifest(out)["outputs"]
    for name, digest in recorded.items():
        assert manifest.sha256((out / name).read_bytes()) == digest
    assert not list(out.glob("*.edited*"))


# -- check a draft ----------------------------------------------------------------------------


def upload(client, files, **fields):
    data = {"csrf": csrf_of(client), **fields}
    return client.post("/check", data=data, files=[("files", f) for f in files])


def test_check_a_draft_shows_findings_and_the_annotated_copy(client, ws, tmp_path):
    draft = stray_series_draft(tmp_path / "their-turn.docx")
    response = upload(client, [("their-turn.docx", draft.read_bytes(), "application/octet-stream")],
                      termsheet=SEED)
    assert response.status_code == 200, response.text
    assert "<mark>Series G Preferred Stock</mark>" in response.text
    assert "their-turn.docx" in response.text and "Section" in response.text
    link = re.search(r'href="/files/(\.assembler-web/checks/[0-9a-f-]+/their-turn\.docx)"', response.text).group(1)
    annotated = client.get(f"/files/{link}")
    assert annotated.status_code == 200
    with zipfile.ZipFile(io.BytesIO(annotated.content)) as z:
        assert "Series G" in z.read("word/comments.xml").decode()
    assert not any((ws / ".assembler-web" / "tmp").iterdir())  # the upload itself is gone
    filtered = upload(client, [("their-turn.docx", draft.read_bytes(), "application/octet-stream")],
                      termsheet=SEED, ignore="series")
    assert "<mark>Series G Preferred Stock</mark>" not in filtered.text
    unknown = upload(client, [("their-turn.docx", draft.read_bytes(), "application/octet-stream")], select="nope")
    assert unknown.status_code == 422 and "unknown rule code nope" in unknown.text


def test_uploads_only_docx_within_the_limits(client, monkeypatch, tmp_path):
    draft = stray_series_draft(tmp_path / "d.docx").read_bytes()
    response = upload(client, [("notes.doc", b"\xd0\xcf\x11\xe0", "application/msword")])
    assert response.status_code == 400 and "only Word .docx files" in response.text
    response = upload(client, [("evil.docx", b"this is not a zip", "application/octet-stream")])
    assert response.status_code == 422
    message = re.search(r'<div class="messages" role="alert" id="messages">\s*<ul><li>(.*?)</li>', response.text)
    assert message and "evil.docx" in message.group(1) and "/" not in message.group(1).split(":")[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * 20_000_000 + b">")
    response = upload(client, [("bomb.docx", bomb.getvalue(), "application/octet-stream")])
    assert response.status_code == 422 and "bomb.docx" in response.text
    assert client.get("/").status_code == 200  # still serving
    monkeypatch.setattr(webapp, "MAX_UPLOAD_BYTES", 10_000)
    response = upload(client, [("big.docx", draft + b"\0" * 20_000, "application/octet-stream")])
    assert response.status_code == 413
    monkeypatch.setattr(webapp, "MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
    monkeypatch.setattr(webapp, "MAX_UPLOAD_FILES", 2)
    response = upload(client, [(f"d{i}.docx", draft, "application/octet-stream") for i in range(3)])
    assert response.status_code == 400 and "Too many files" in response.text
    response = upload(client, [("../../escape.docx", draft, "application/octet-stream")])
    assert response.status_code == 200 and not (tmp_path / "escape.docx").exists()


# -- variants ---------------------------------------------------------------------------------


def test_variants_build_every_sheet_and_a_broken_one_does_not_stop_them(client, ws):
    (ws / "termsheets" / "variants" / "broken.yaml").write_text("extends: ../ascent-series-j.yaml\nseries: jj\n")
    response = client.post("/variants", data={"csrf": csrf_of(client), "folder": "variants"},
                           follow_redirects=False)
    assert response.status_code == 303
    job = response.headers["location"]
    deadline = time.monotonic() + 120
    while True:
        state = client.get(job + ".json").json()
        if state["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert state["finished"] and state["total"] == 4 and state["done"] == 4
    assert state["ok"] == 3 and state["failed"] == 1
    page = client.get(job).text
    assert "Summary: 3 built, 1 failed" in page
    assert "broken.yaml" in page and "must be a single capital letter" in page
    assert (ws / "output" / "batch-summary.json").exists()
    summary = json.loads((ws / "output" / "batch-summary.json").read_text())
    assert summary["totals"] == {**summary["totals"], "ok": 3, "failed": 1}


# -- safety -----------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(client, ws):
    path = ws / "termsheets" / SEED
    before = path.read_bytes()
    values = form_of(client.get(f"/deal/{SEED}").text)
    values["deal_name"] = ["Hijacked"]
    data = [(k, v) for k, vs in values.items() for v in vs if k != "csrf"]
    for extra in ([], [("csrf", "wrong-token-wrong-token")]):
        response = client.post(f"/deal/{SEED}", data=dict(data + extra))
        assert response.status_code == 403
    assert client.post(f"/build/{SEED}").status_code in (403, 411)
    assert client.post("/check", files=[("files", ("a.docx", b"x"))]).status_code == 403
    assert path.read_bytes() == before and not (ws / "output").exists()


@pytest.mark.parametrize("url", [
    "/files/termsheets/ascent-series-j.yaml", "/files/../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd",
    "/files/output/../termsheets/ascent-series-j.yaml", "/files//etc/passwd", "/files/output/%00x",
    "/files/output/link/passwd", "/deal/../../../etc/passwd", "/deal/%2e%2e/%2e%2e/etc/passwd",
    "/deal/variants/../../outside.yaml", "/deal/nope.yaml", "/files/.assembler-web/tmp/x",
])
def test_paths_outside_what_the_page_may_touch_are_refused(client, ws, url, tmp_path):
    (ws / "output").mkdir(exist_ok=True)
    os.symlink("/etc", ws / "output" / "link")
    (tmp_path / "outside.yaml").write_text("deal_name: outside\n")
    response = client.get(url)
    assert response.status_code == 404
    assert "root:" not in response.text and "deal_name: outside" not in response.text


def test_a_token_is_required_on_every_request_when_set(ws):
    with TestClient(create_app(ws, token="s3cret-token", allowed_hosts=["testserver"])) as c:
        assert c.get("/").status_code == 401
        assert c.get("/static/style.css").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
        entry = c.get("/deal/ascent-series-j.yaml?token=s3cret-token", follow_redirects=False)
        assert entry.status_code == 303 and entry.headers["location"] == "/deal/ascent-series-j.yaml"
        assert c.get("/").status_code == 200  # the cookie set on entry
    with TestClient(create_app(ws, token="s3cret-token", allowed_hosts=["testserver"])) as other:
        assert other.post("/build/ascent-series-j.yaml").status_code == 401


def test_requests_for_another_host_name_are_refused(ws):
    with TestClient(create_app(ws, allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://127.0.0.1") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "attacker.example"}).status_code == 400
        assert c.get("/", headers={"host": "localhost:8000"}).status_code == 200
        assert c.get("/", headers={"host": "127.0.0.1.attacker.example"}).status_code == 400
    with TestClient(create_app(ws, allowed_hosts=["[::1]"]), base_url="http://[::1]:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "[::2]:8000"}).status_code == 400


def test_pages_carry_security_headers_and_load_nothing_from_elsewhere(client):
    for url in ("/", f"/deal/{SEED}", "/check", "/variants"):
        response = client.get(url)
        assert response.status_code == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        for ref in re.findall(r'(?:src|href)="([^"]+)"', response.text):
            assert ref.startswith(("/", "#", "data:")), ref
    assert client.get("/static/app.js").status_code == 200


def test_serve_refuses_an_outside_address_without_a_token(ws, capsys, monkeypatch):
    from assembler.cli import main

    monkeypatch.delenv("ASSEMBLER_TOKEN", raising=False)
    assert main(["serve", "--workspace", str(ws), "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--host: 0.0.0.0 is reachable from other machines" in err
    assert main(["serve", "--workspace", str(ws / "missing")]) == 2
    assert "workspace folder not found" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 2


def test_a_variant_shows_which_values_it_sets_and_which_come_from_its_base(client):
    html = client.get("/deal/variants/us-purchaser.yaml").text
    label = lambda name: html.split(f'for="f-{name}"', 1)[1].split("</label>", 1)[0]  # noqa: E731
    assert "set here" in label("deal_name") and "set here" in label("purchaser.name")
    assert "from base" in label("dividend_rate") and "from base" in label("company.name")
    assert "from base" not in client.get(f"/deal/{SEED}").text


def test_values_yaml_would_misread_are_written_so_they_read_back_as_typed(client, ws):
    path = ws / "termsheets" / "variants" / "us-purchaser.yaml"
    response = edit(client, "variants/us-purchaser.yaml", {
        "company.signatory.title": "Yes", "governing_law.venue": "2015", "notices.time_zone": "null: or # not",
        "trading.markets": "the OTC Markets\nNo",
        "closings[6].shares": "400", "closings[5].shares": "600"})
    assert response.status_code == 200, response.text
    ts = load_termsheet(path)
    assert ts.company.signatory.title == "Yes" and ts.governing_law.venue == "2015"
    assert ts.notices.time_zone == "null: or # not" and list(ts.trading.markets) == ["the OTC Markets", "No"]
    assert [c.shares for c in ts.closings][-2:] == [600, 400]
    data = yaml.safe_load(path.read_text())
    assert data["company"] == {"signatory": {"title": "Yes"}}  # only the changed value, under its groups
    assert [c["shares"] for c in data["closings"]] == [500, 500, 500, 500, 600, 400]  # the variant's own list
    assert load_termsheet(ws / "termsheets" / SEED).closings[4].shares == 500  # the base is untouched


def test_turning_redemption_off_drops_its_term(client, ws):
    path = ws / "termsheets" / SEED
    values = form_of(client.get(f"/deal/{SEED}").text)
    del values["mandatory_redemption.enabled"]
    values["mandatory_redemption.term_years"] = [""]
    assert post_form(client, f"/deal/{SEED}", values, then="save").status_code == 200
    ts = load_termsheet(path)
    assert ts.mandatory_redemption.enabled is False and ts.mandatory_redemption.term_years is None
    assert "term_years" not in path.read_text()


def test_a_term_sheet_that_does_not_load_is_shown_with_its_located_error(client, ws):
    broken = ws / "termsheets" / "broken.yaml"
    broken.write_text("deal_name: Broken\ncompany: [unclosed\n")
    page = client.get("/deal/broken.yaml")
    assert page.status_code == 200
    assert re.search(r"termsheets/broken\.yaml:\d+:\d+", page.text)
    assert "term sheet has errors" in client.get("/").text
    response = post_form(client, "/deal/broken.yaml", form_of(page.text), then="save")
    assert response.status_code == 422 and broken.read_text() == "deal_name: Broken\ncompany: [unclosed\n"
    assert post_form(client, "/build/broken.yaml", {}).status_code == 422


def test_an_upload_without_a_stated_length_is_refused(client):
    body = iter([b"--x\r\n", b"content-disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--x--\r\n"])
    response = client.post("/check", content=body, headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 411


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_build_with_pdfs_links_them(client, ws):
    response = post_form(client, f"/build/{SEED}", {}, pdf="1")
    assert response.status_code == 200
    pdfs = re.findall(r'href="/files/(output/ascent-series-j/[^"]+\.pdf)"', response.text)
    assert len(pdfs) == 4
    assert client.get(f"/files/{pdfs[0]}").content.startswith(b"%PDF")


def test_serve_with_a_token_prints_the_address_that_carries_it(ws, capsys, monkeypatch):
    import uvicorn

    from assembler.cli import main

    started = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: started.append(self.config))
    monkeypatch.setenv("ASSEMBLER_TOKEN", "from-the-environment")
    assert main(["serve", "--workspace", str(ws), "--host", "0.0.0.0", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert "http://0.0.0.0:8123/?token=from-the-environment" in out
    assert started[0].host == "0.0.0.0" and started[0].port == 8123


def test_a_run_of_every_variant_waits_for_builds_and_holds_them_off(ws):
    import threading

    from assembler.web.workspace import BuildGate

    gate, events = BuildGate(), []
    build = gate.build()
    build.__enter__()
    batch = threading.Thread(target=lambda: (gate.batch().__enter__(), events.append("batch in")))
    batch.start()
    time.sleep(0.2)
    assert events == []  # a build is running: the batch waits
    build.__exit__(None, None, None)
    batch.join(5)
    assert events == ["batch in"]
    later = threading.Thread(target=lambda: (gate.build().__enter__(), events.append("build in")))
    later.start()
    time.sleep(0.2)
    assert events == ["batch in"]  # the batch holds builds off
    gate._leave(batch=True)
    later.join(5)
    assert events == ["batch in", "build in"]


def test_a_bug_answers_500_and_the_server_keeps_serving(ws, monkeypatch):
    app = create_app(ws, allowed_hosts=["testserver"])
    with TestClient(app, raise_server_exceptions=False) as c:
        original = app.state.workspace.status
        monkeypatch.setattr(app.state.workspace, "status", lambda *a, **k: 1 / 0)
        response = c.get("/")
        assert response.status_code == 500 and "Internal error (ZeroDivisionError" in response.text
        monkeypatch.setattr(app.state.workspace, "status", original)
        assert c.get("/").status_code == 200


def test_a_token_that_is_not_ascii_is_refused_cleanly(ws):
    with TestClient(create_app(ws, token="s3cret-token", allowed_hosts=["testserver"])) as c:
        assert c.get("/?token=%C3%A9t%C3%A9").status_code == 401
        assert c.get("/", headers={"authorization": "Bearer \u00e9t\u00e9".encode()}).status_code == 401


def test_only_the_latest_check_results_are_kept(client, ws, tmp_path, monkeypatch):
    monkeypatch.setattr(webapp, "KEEP_CHECKS", 1)
    draft = stray_series_draft(tmp_path / "d.docx").read_bytes()
    for _ in range(3):
        assert upload(client, [("d.docx", draft, "application/octet-stream")]).status_code == 200
    assert len(list((ws / ".assembler-web" / "checks").iterdir())) == 2  # the one kept and the newest


def test_one_command_starts_the_page(ws):
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    env.pop("ASSEMBLER_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "assembler", "serve", "--port", str(port)], cwd=ws, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"assembler: serving {ws.resolve()} at http://127.0.0.1:{port}/ (Ctrl+C to stop)"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200 and "Ascent Series J" in response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_a_form_filled_in_before_another_save_is_refused_and_loses_nothing(client, ws):
    variant = ws / "termsheets" / "variants" / "us-purchaser.yaml"
    stale = form_of(client.get("/deal/variants/us-purchaser.yaml").text)
    assert edit(client, SEED, {"dividend_rate": "9"}).status_code == 200  # the base, saved in another tab
    before = variant.read_bytes()
    stale["conversion_price"] = ["0.20"]
    response = post_form(client, "/deal/variants/us-purchaser.yaml", stale, then="save")
    assert response.status_code == 409 and "was changed after this page was opened" in response.text
    assert variant.read_bytes() == before
    assert str(load_termsheet(variant).dividend_rate) == "9"  # the other tab's change stands
    fresh = edit(client, "variants/us-purchaser.yaml", {"conversion_price": "0.20"})
    assert fresh.status_code == 200 and 'conversion_price: "0.20"' in variant.read_text()


def test_a_deal_with_many_closings_saves(client, ws):
    import datetime as dt

    values = form_of(client.get(f"/deal/{SEED}").text)
    for key in [k for k in values if k.startswith("closings[")]:
        del values[key]
    start = dt.date(2015, 9, 18)
    for i in range(1, 301):
        values[f"closings[{i}].date"] = [(start + dt.timedelta(days=i - 1)).isoformat()]
        values[f"closings[{i}].shares"] = ["10"]
    response = post_form(client, f"/deal/{SEED}", values, then="save")
    assert response.status_code == 200, response.text[:500]
    ts = load_termsheet(ws / "termsheets" / SEED)
    assert len(ts.closings) == 300 and ts.closings_total_shares == ts.purchase.shares


def test_a_workspace_whose_folders_lead_outside_it_is_refused_at_start(ws, tmp_path, capsys):
    from assembler.cli import main

    shutil.move(str(ws / "termsheets"), str(tmp_path / "elsewhere"))
    os.symlink(tmp_path / "elsewhere", ws / "termsheets")
    assert main(["serve", "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "leads outside the workspace" in err
