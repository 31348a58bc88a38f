"""How fast is `assembler check` on a real 50+ page agreement?

Drafts the seed package (tests/fixtures/seed/*.txt) with Word automatic numbering, its agreement
body repeated until the document holds about --paragraphs paragraphs, into a temporary folder;
then times `check_paths` (parse + every rule, with the seed term sheet) over --runs runs in one
process and prints the median. The page count comes from LibreOffice's PDF when `soffice` is
installed, else from an estimate (about 3,000 characters of text a page).

    python benchmarks/check_speed.py [--paragraphs 1500] [--runs 15] [--no-pdf]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.check.runner import check_paths  # noqa: E402
from assembler.drafting import draft_document  # noqa: E402
from assembler.render.package import combine  # noqa: E402
from assembler.render.write import save_docx  # noqa: E402
from assembler.termsheet import load_termsheet  # noqa: E402

SEED = ROOT / "tests" / "fixtures" / "seed"
CHARS_PER_PAGE = 3000


def outline(name: str) -> list[str]:
    return [line for line in (SEED / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def long_agreement(paragraphs: int) -> list[str]:
    """The seed agreement's articles repeated (signature pages once, at the end) to *paragraphs* lines."""
    lines = outline("agreement.txt")
    first = next(i for i, line in enumerate(lines) if line.startswith("1|"))
    end = next(i for i, line in enumerate(lines) if line.startswith("C|//[Signature page"))
    head, articles, tail = lines[:first], lines[first:end], lines[end:]
    body: list[str] = []
    while len(head) + len(body) + len(tail) < paragraphs:
        body.extend(articles)
    return head + body + tail


def write_document(folder: Path, paragraphs: int) -> tuple[Path, int, int]:
    agreement = draft_document(long_agreement(paragraphs), prefix="SPA", source="agreement")
    glossary = draft_document(outline("glossary.txt"), prefix=None, footer="Exhibit 1-", source="glossary")
    certificate = draft_document(outline("certificate.txt"), prefix="COD", source="certificate")
    doc = combine(agreement, [("glossary", glossary), ("certificate", certificate)])
    path = folder / "long-agreement.docx"
    save_docx(doc, path)
    chars = sum(len(p.text) for p in doc.paragraphs)
    return path, len(doc.paragraphs), chars


def pdf_pages(path: Path) -> int | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as profile:
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "pdf", "--outdir", str(path.parent), str(path)], capture_output=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None
    pdf = path.with_suffix(".pdf")
    if not pdf.exists():
        return None
    data = pdf.read_bytes()
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    return max(counts) if counts else len(re.findall(rb"/Type\s*/Page\b", data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-pdf", action="store_true", help="estimate the pages instead of asking LibreOffice")
    args = parser.parse_args()
    ts = load_termsheet(ROOT / "termsheets" / "ascent-series-j.yaml")
    with tempfile.TemporaryDirectory(prefix="assembler-bench-") as tmp:
        path, paragraphs, chars = write_document(Path(tmp), args.paragraphs)
        pages = None if args.no_pdf else pdf_pages(path)
        how = "pages (LibreOffice PDF)" if pages else "pages (estimated)"
        pages = pages or round(chars / CHARS_PER_PAGE)
        check_paths([path], ts)                                   # warm-up: imports, regex compilation
        times, findings = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            _package, findings = check_paths([path], ts)
            times.append(time.perf_counter() - start)
        size = path.stat().st_size
    print(f"document: {paragraphs} paragraphs, {chars:,} characters, {size / 1024:.0f} KiB, {pages} {how}")
    print(f"check (parse + all rules, with term sheet): median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {args.runs} runs; "
          f"{len(findings)} findings")


if __name__ == "__main__":
    main()
