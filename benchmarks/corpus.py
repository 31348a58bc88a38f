"""What does `assembler check` say about agreements it has never seen?

Checks every .docx under the given folders, each file on its own (no term sheet, default
configuration), counts its pages with LibreOffice (PDF conversion in a fresh profile, then
pdfinfo; cached by the file's sha256), and writes a Markdown report a person can audit: a table
of findings by document and code with findings per 10 pages, then every finding with its place
and its context. A file the check cannot read, or a crash, is listed as such; the script never
stops at one document.

    python benchmarks/corpus.py DIR... [-o output/corpus-report.md] [--no-pages]

Prints the summary table (documents, pages, findings, findings per 10 pages, processor seconds per check:
the check runs on one core, and processor time is not inflated by other work on a shared machine).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.check.runner import check_paths  # noqa: E402
from assembler.errors import AssemblerError  # noqa: E402
from assembler.report.common import excerpt, paragraph_of  # noqa: E402
from assembler.report.common import place  # noqa: E402

CACHE = ROOT / "output" / "corpus-pages.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_pages(files: list[Path]) -> dict[Path, int | None]:
    """Pages of each file as LibreOffice lays it out (None when LibreOffice or pdfinfo is missing)."""
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    out: dict[Path, int | None] = {}
    todo = []
    for f in files:
        key = _sha(f)
        if key in cache:
            out[f] = cache[key]
        else:
            todo.append((f, key))
    soffice, pdfinfo = shutil.which("soffice"), shutil.which("pdfinfo")
    if todo and soffice and pdfinfo:
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp) / "profile"
            pdfs = Path(tmp) / "pdf"
            pdfs.mkdir()
            names = {}
            for i, (f, key) in enumerate(todo):  # same-named files in different folders: copy under an index
                copy = Path(tmp) / f"{i:04d}.docx"
                shutil.copyfile(f, copy)
                names[copy.stem] = (f, key)
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                            "--outdir", str(pdfs), *(str(Path(tmp) / f"{s}.docx") for s in names)],
                           capture_output=True, timeout=1800, check=False)
            for stem, (f, key) in names.items():
                pdf = pdfs / f"{stem}.pdf"
                if not pdf.exists():
                    continue
                info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=False).stdout
                pages = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
                out[f] = cache[key] = pages
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(cache, indent=1, sort_keys=True))
    for f in files:
        out.setdefault(f, None)
    return out


def check_one(path: Path):
    """(package, findings, processor seconds, error text or None) for one file."""
    started = time.process_time()  # processor time of this process: fair on a machine shared with others
    try:
        package, findings = check_paths([path])
        return package, findings, time.process_time() - started, None
    except AssemblerError as exc:
        return None, [], time.process_time() - started, "unusable input: " + "; ".join(map(str, exc.problems))
    except Exception:  # noqa: BLE001 - a crash is what this benchmark is there to find
        return None, [], time.process_time() - started, "CRASH\n" + traceback.format_exc()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "output" / "corpus-report.md")
    ap.add_argument("--no-pages", action="store_true", help="do not count pages with LibreOffice")
    args = ap.parse_args(argv)

    files = sorted({f for d in args.dirs for f in (sorted(d.rglob("*.docx")) if d.is_dir() else [d])})
    pages = {f: None for f in files} if args.no_pages else count_pages(files)
    rows, details, codes, problems = [], [], Counter(), []
    total_pages, total_findings, slowest = 0, 0, (0.0, None)
    for f in files:
        package, findings, seconds, error = check_one(f)
        if error:
            problems.append((f, error))
        by_code = Counter(x.code for x in findings)
        codes.update(by_code)
        n = len(findings)
        total_findings += n
        p = pages[f]
        total_pages += p or 0
        slowest = max(slowest, (seconds, f.name))
        rows.append((f, p, n, by_code, seconds, error))
        if findings:
            details.append(f"\n### {f.name}\n")
            for x in findings:
                para = paragraph_of(package, x)
                context = excerpt(para.text, x.snippet, offset=x.offset) if para is not None else x.snippet
                details.append(f"- **{x.code}** at {place(x, package)}: {x.message}  \n  > {context}")

    all_codes = sorted(codes)
    head = ["document", "pages", "findings", "per 10 pages", "CPU s", *all_codes]
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f, p, n, by_code, seconds, error in rows:
        per10 = f"{10 * n / p:.1f}" if p else "?"
        table.append("| " + " | ".join([f.name + (" (ERROR)" if error else ""), str(p or "?"), str(n), per10,
                                        f"{seconds:.2f}", *(str(by_code.get(c, "")) for c in all_codes)]) + " |")
    per10 = f"{10 * total_findings / total_pages:.2f}" if total_pages else "?"
    table.append("| " + " | ".join(["**total**", str(total_pages), str(total_findings), per10, "",
                                    *(str(codes[c]) for c in all_codes)]) + " |")

    report = ["# assembler check on the corpus", "",
              f"{len(files)} documents, {total_pages} pages, {total_findings} findings "
              f"({per10} per 10 pages); slowest check {slowest[0]:.2f} s ({slowest[1]}).", "", *table]
    if problems:
        report += ["", "## Unreadable files and crashes", ""]
        report += [f"- {f}: ```{e}```" for f, e in problems]
    report += ["", "## Every finding, in context", *details, ""]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(report), encoding="utf-8")

    print("\n".join(table))
    print(f"\n{len(files)} documents, {total_pages} pages, {total_findings} findings ({per10} per 10 pages), "
          f"{len(problems)} unreadable or crashed; slowest check {slowest[0]:.2f} s ({slowest[1]})")
    print(f"report: {args.output}")
    return 1 if any(e.startswith("CRASH") for _, e in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
