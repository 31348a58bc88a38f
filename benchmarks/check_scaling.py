"""Does `assembler check` stay linear on a long real agreement?

Takes a Word-saved agreement (default: the 75-page ILPA model LPA in tests/fixtures/word-saved/),
repeats its body 1x, 4x, 16x and 32x in one document, and times in one process, side by side:
- the floor: unzip every part and parse every XML part (what any reader must do);
- the check: `check_paths` (parse into the document model + every rule), each run with the memos
  the check keeps from one document to the next emptied first (`cold`), as in a fresh process.
Prints, for each size, the paragraphs, the pages (the original's page count times the repeat),
both times, the time per page and the ratio to the floor. Exits 1 when the time per page grows by
more than 30% from 1x to 32x or when the whole check is more than 5x the floor.

    python benchmarks/check_scaling.py [FILE.docx] [--pages 75] [--repeats 1,4,16,32] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.check.runner import check_paths  # noqa: E402
from assembler.docmodel.ooxml import MAX_PARAGRAPHS_ENV, qn  # noqa: E402
try:
    from assembler.memo import forget  # noqa: E402
except ImportError:       # a version that keeps nothing from one document to the next (run for a before figure)
    def forget() -> None:
        pass

DEFAULT = ROOT / "tests" / "fixtures" / "word-saved" / "ilpa-model-lpa-whole-of-fund.docx"
MAX_GROWTH = 1.30   # time per page at the largest repeat / at 1x
MAX_FLOOR_RATIO = 5.0


def repeated(source: Path, times: int, target: Path) -> int:
    """Write *source* with its body content repeated *times* times; return the paragraph count.

    Each copy after the first ends every paragraph that has text with a word of its own (`copy_word`), so
    that no paragraph's text is read twice: the check keeps results for texts it has read, and a long
    agreement does not repeat itself word for word."""
    with zipfile.ZipFile(source) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(qn("w:body"))
    content = [child for child in body if child.tag != qn("w:sectPr")]
    final = body.find(qn("w:sectPr"))
    for copy in range(1, times):
        for child in content:
            child = _copy(child)
            _mark(child, copy_word(copy))
            if final is not None:
                final.addprevious(child)
            else:
                body.append(child)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return sum(1 for _ in body.iter(qn("w:p")))


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def copy_word(copy: int) -> str:
    """A lower-case word naming copy number *copy* (1: "copyb", 2: "copyc", ... 26: "copyba")."""
    letters = ""
    while True:
        copy, rest = divmod(copy, 26)
        letters = chr(ord("a") + rest) + letters
        if not copy:
            return "copy" + letters


def _mark(element, word: str) -> None:
    """End the text of every paragraph in *element* that has text with " " + *word*."""
    for p in element.iter(qn("w:p")):
        texts = [t for t in p.iter(qn("w:t")) if t.text]
        if texts:
            texts[-1].text += " " + word


def floor(path: Path) -> None:
    """Unzip every part and parse every XML part: the least any check must do."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.endswith((".xml", ".rels")):
                etree.fromstring(data)


def cold() -> None:
    """Empty what the check keeps from one document to the next (assembler.memo) and Python's cache of
    patterns, so that a timed check starts as one in a fresh process does, not with what the last one kept."""
    forget()
    re.purge()


def timed(fn, runs: int, before=None) -> float:
    """The median CPU time of *runs* calls of *fn*, each after a call of *before* (not timed)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--pages", type=int, default=75, help="pages of the original (LibreOffice PDF)")
    parser.add_argument("--repeats", default="1,4,16,32")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    repeats = [int(r) for r in args.repeats.split(",")]
    os.environ[MAX_PARAGRAPHS_ENV] = str(10**7)   # 32x the LPA is past the default limit of paragraphs read
    rows = []
    with tempfile.TemporaryDirectory(prefix="assembler-scaling-") as tmp:
        check_paths([args.file])  # warm-up: imports, regular expressions
        for k in repeats:
            path = Path(tmp) / f"x{k}.docx"
            paragraphs = repeated(args.file, k, path)
            base = timed(lambda p=path: floor(p), args.runs)
            check = timed(lambda p=path: check_paths([p]), args.runs, cold)
            rows.append((k, paragraphs, args.pages * k, base, check))
    print(f"{'repeat':>6} {'paragraphs':>10} {'pages':>6} {'floor ms':>9} {'check ms':>9} {'ms/page':>8} "
          f"{'x floor':>8}")
    for k, paragraphs, pages, base, check in rows:
        print(f"{k:>6} {paragraphs:>10} {pages:>6} {base * 1000:>9.0f} {check * 1000:>9.0f} "
              f"{check * 1000 / pages:>8.2f} {check / base:>8.1f}")
    first, last = rows[0], rows[-1]
    growth = (last[4] / last[2]) / (first[4] / first[2])
    worst = max(check / base for *_, base, check in rows)
    print(f"time per page, {last[0]}x against {first[0]}x: {growth:.2f}x (target at most {MAX_GROWTH:.2f}x); "
          f"check against the floor: at most {worst:.1f}x (target at most {MAX_FLOOR_RATIO:.0f}x)")
    missed = []
    if growth > MAX_GROWTH:
        missed.append("the check grows faster than linear")
    if worst > MAX_FLOOR_RATIO:
        missed.append("the check is more than 5x the unzip+parse floor")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
