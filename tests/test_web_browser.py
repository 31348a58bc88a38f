"""The web page end to end in a real browser: Debian's Chromium driven by Playwright.

The server is the real one (uvicorn) on a free loopback port over a temporary workspace; the
browser is started with every background network feature off, so no request leaves the machine.
Screenshots of each step are written to the test's temporary folder.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from webtools import make_workspace, stray_series_draft

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED = "ascent-series-j.yaml"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Chromium is not installed (apt-get install chromium; .ci/run does)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from assembler.web.app import create_app

    ws = make_workspace(tmp_path_factory.mktemp("browser") / "ws")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(ws, allowed_hosts=["127.0.0.1"], jobs=2)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", ws
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server, tmp_path):
    base, _ws = server
    context = browser.new_context(viewport={"width": 1366, "height": 850}, accept_downloads=True, base_url=base)
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url))
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    expected_status = "Failed to load resource: the server responded with a status of 4"  # a refused form
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith(expected_status)
          else None)
    yield pg
    context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"errors in the page: {errors}"


def shot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def document_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def download(page, link_text: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text, exact=True).first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_change_price_and_closings_then_build_and_download(page, server, tmp_path):
    from assembler.render.context import deal_values
    from assembler.termsheet import load_termsheet

    base, ws = server
    page.goto("/")
    page.get_by_role("button", name="Build Ascent Series J", exact=True).click()
    page.wait_for_selector("text=Built Ascent Series J")
    page.goto(f"/deal/{SEED}")
    page.get_by_label("Price per share").fill("1250.00")
    page.get_by_label("Original issue price").fill("1250.00")
    closings = page.locator('[data-rows="closings"]')
    closings.get_by_role("button", name="Remove row 6").click()
    for i in range(1, 6):
        closings.locator(f'input[name="closings[{i}].shares"]').fill("600")
    assert closings.locator(".total-shares").inner_text() == "3,000 of 3,000"
    assert closings.locator("tbody tr.row").nth(0).locator(".payment").inner_text() == "$750,000.00"
    assert closings.locator(".total-payment").inner_text() == "$3,750,000.00"
    shot(page, tmp_path, "1-form-edited")
    page.get_by_role("button", name="Save and build").click()
    page.wait_for_selector("text=Built Ascent Series J")
    shot(page, tmp_path, "2-built")
    assert "purchase.price_per_share" in page.locator("#changes-h + ul").inner_text()

    ts = load_termsheet(ws / "termsheets" / SEED)
    assert [c.shares for c in ts.closings] == [600] * 5 and str(ts.purchase.price_per_share) == "1250.00"
    values = deal_values(ts)
    agreement = document_text(download(page, "Securities Purchase Agreement", tmp_path))
    expected = [values["purchase"]["amount_words"], values["purchase"]["price"],
                *[c["amount_words"] for c in values["closings"]["schedule"]]]
    for text in expected:
        assert text in agreement, text
    new_total, old_total = f"{1250 * 3000:,}", f"{1000 * 3000:,}"  # shares x price, after and before
    assert f"(${new_total})" in values["purchase"]["amount_words"] and f"(${old_total})" not in agreement

    redline = download(page, "securities-purchase-agreement.redline.docx", tmp_path)
    with zipfile.ZipFile(io.BytesIO(redline)) as z:
        xml = z.read("word/document.xml").decode()
    import re

    inserted = " ".join(re.findall(r"<w:ins\b.*?</w:ins>", xml, flags=re.S))
    deleted = " ".join(re.findall(r"<w:del\b.*?</w:del>", xml, flags=re.S))
    assert new_total in inserted and old_total in deleted


def test_a_bad_value_shows_its_error_next_to_the_field_and_nothing_is_written(page, server, tmp_path):
    from assembler.errors import TermSheetError
    from assembler.termsheet import load_termsheet

    base, ws = server
    path = ws / "termsheets" / "variants" / "us-purchaser.yaml"
    before = path.read_bytes()
    page.goto("/deal/variants/us-purchaser.yaml")
    page.get_by_label("Dividend rate").fill("140")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#messages")
    shot(page, tmp_path, "3-error")
    assert path.read_bytes() == before
    probe = path.parent / "probe.yaml"
    probe.write_text(before.decode() + 'dividend_rate: "140"\n')
    with pytest.raises(TermSheetError) as caught:
        load_termsheet(probe)
    probe.unlink()
    message = caught.value.problems[0].message
    field = page.locator(".field", has=page.locator("#f-dividend_rate"))
    assert message in field.locator(".error").inner_text()
    assert page.locator("#f-dividend_rate").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-dividend_rate").input_value() == "140"


def test_check_a_draft_with_a_stray_series(page, server, tmp_path):
    draft = stray_series_draft(tmp_path / "counterparty-turn.docx")
    page.goto("/check")
    page.get_by_label("Word files (.docx)").set_input_files(str(draft))
    page.get_by_label("Against a deal's term sheet").select_option(SEED)
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("mark")
    shot(page, tmp_path, "4-check")
    finding = page.locator(".finding", has=page.locator("mark", has_text="Series G Preferred Stock"))
    assert finding.count() >= 1 and "series" in finding.first.inner_text()
    annotated = download(page, "counterparty-turn.docx", tmp_path)
    with zipfile.ZipFile(io.BytesIO(annotated)) as z:
        assert "Series G" in z.read("word/comments.xml").decode()


def test_variants_page_finishes_with_its_summary(page, server, tmp_path):
    base, ws = server
    page.goto("/variants")
    page.get_by_label("Folder").select_option("variants")
    page.get_by_role("button", name="Build all").click()
    page.wait_for_selector("text=Summary:", timeout=120_000)
    shot(page, tmp_path, "5-variants")
    progress = page.locator("#job-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "3"
    rows = page.locator("table.summary tbody tr")
    assert rows.count() == 3 and page.locator("table.summary").inner_text().count("ok") >= 3


LABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => !el.closest('template'))
    .filter((el) => !((el.labels && el.labels.length) || el.getAttribute('aria-label')
                     || (el.tagName === 'BUTTON' && el.textContent.trim())
                     || (el.closest('fieldset') && el.type === 'checkbox' && el.closest('label'))))
    .map((el) => el.name || el.id || el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("url", ["/", f"/deal/{SEED}", "/deal/variants/us-purchaser.yaml", "/check", "/variants"])
def test_every_control_has_a_label_and_the_keyboard_reaches_the_content(page, url):
    page.goto(url)
    assert page.evaluate(LABELLED) == []
    page.evaluate("document.getElementById('main').append(Object.assign(document.createElement('input'), {name: 'x'}))")
    assert page.evaluate(LABELLED) == ["x"]  # the check sees an input without a label
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
