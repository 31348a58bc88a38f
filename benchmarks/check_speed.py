"""How fast is `assembler check`, each figure beside its baseline measured in the same run?

1. Long documents against the floor. The floor is what any reader of a .docx must do: open the zip,
   read every part and lxml-parse every XML part (the check's reader parses all of them: document,
   styles, numbering, notes, headers, footers, comments, relationships). The check is `check_paths`:
   the same reading, the document model and every rule, each run with the memos the check keeps from one
   document to the next emptied first, as in a fresh process. Documents: the Word-saved 75-page ILPA
   model LPA at 1x and repeated --repeat times, and the seed agreement drafted with Word numbering
   to --paragraphs paragraphs. Target: the check within 5x the floor.
2. A cold check, in fresh processes: what `assembler build` adds when it checks the three documents
   it has just written (import of the check, reading, every rule with the term sheet), against a
   plain docxtpl script rendering the same three templates with the same values (the whole
   process: interpreter, import, render, save). Target: at most 1.0x the script.

CPU time (process_time, getrusage for child processes), median of --runs runs; the machine's load
beside each figure. Exits 1 when a target is missed.

    python benchmarks/check_speed.py [--repeat 8] [--paragraphs 1500] [--runs 5] [--cold-runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_scaling import DEFAULT as LPA, cold as fresh, copy_word, floor, repeated, timed  # noqa: E402

from assembler.check.runner import check_paths  # noqa: E402

SEED = ROOT / "tests" / "fixtures" / "seed"
SEED_SHEET = ROOT / "termsheets" / "ascent-series-j.yaml"
MAX_FLOOR_RATIO = 5.0
MAX_COLD_RATIO = 1.0

# the three templates rendered by docxtpl alone, with the values the toolkit computes (cross-reference
# markers left empty: plain docxtpl has none)
PLAIN_SCRIPT = """
import json, sys
from docxtpl import DocxTemplate
class Empty:
    def __getattr__(self, name):
        return ""
    __getitem__ = __getattr__
for template, context, out in json.load(open(sys.argv[1])):
    for key in ("anchor", "ref", "ref_agreement", "ref_glossary", "ref_certificate"):
        context[key] = Empty()
    tpl = DocxTemplate(template)
    tpl.render(context, autoescape=True)
    tpl.save(out)
"""

# what the check costs inside `assembler build`, which has already imported the command line and read
# the term sheet when it checks
COLD_CHECK = """
import sys, time
import assembler.cli
from assembler.termsheet import load_termsheet
termsheet = load_termsheet(sys.argv[1])
start = time.process_time()
from assembler.check.runner import run_rules
from assembler.docmodel.parse import load_documents
imported = time.process_time()
package = load_documents(sys.argv[2:])
read = time.process_time()
run_rules(package, termsheet)
done = time.process_time()
print(imported - start, read - imported, done - read)
"""


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def child_cpu(argv: list[str], env: dict) -> tuple[float, str]:
    """CPU time (user + system) of one child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed: {result.stderr.strip()[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result.stdout


def outline(name: str) -> list[str]:
    return [line for line in (SEED / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def long_agreement(paragraphs: int) -> list[str]:
    """The seed agreement's articles repeated (signature pages once, at the end) to *paragraphs* lines; each
    line of a copy after the first ends with a word of its own, so that no paragraph's text is read twice
    (see check_scaling.repeated)."""
    lines = outline("agreement.txt")
    first = next(i for i, line in enumerate(lines) if line.startswith("1|"))
    end = next(i for i, line in enumerate(lines) if line.startswith("C|//[Signature page"))
    head, articles, tail = lines[:first], lines[first:end], lines[end:]
    body: list[str] = []
    copy = 0
    while len(head) + len(body) + len(tail) < paragraphs:
        body.extend(articles if not copy else [f"{line} {copy_word(copy)}" for line in articles])
        copy += 1
    return head + body + tail


def write_seed_agreement(folder: Path, paragraphs: int) -> tuple[Path, int]:
    """The seed package (agreement, glossary, certificate) in one file, Word-numbered, the agreement long."""
    from assembler.drafting import draft_document  # noqa: PLC0415
    from assembler.render.package import combine  # noqa: PLC0415
    from assembler.render.write import save_docx  # noqa: PLC0415

    agreement = draft_document(long_agreement(paragraphs), prefix="SPA", source="agreement")
    glossary = draft_document(outline("glossary.txt"), prefix=None, footer="Exhibit 1-", source="glossary")
    certificate = draft_document(outline("certificate.txt"), prefix="COD", source="certificate")
    doc = combine(agreement, [("glossary", glossary), ("certificate", certificate)])
    path = folder / "long-agreement.docx"
    save_docx(doc, path)
    return path, len(doc.paragraphs)


def long_documents(tmp: Path, args) -> list[tuple[str, float, float]]:
    """(name, floor s, check s) for each long document."""
    docs = [("ILPA LPA x1 (75 pages)", LPA)]
    if args.repeat > 1:
        path = tmp / f"lpa-x{args.repeat}.docx"
        repeated(LPA, args.repeat, path)
        docs.append((f"ILPA LPA x{args.repeat} ({75 * args.repeat} pages)", path))
    if args.paragraphs:
        path, paragraphs = write_seed_agreement(tmp, args.paragraphs)
        docs.append((f"seed agreement, {paragraphs} paragraphs", path))
    check_paths([LPA])                            # warm-up: imports, regular expressions
    rows = []
    for name, path in docs:
        base = timed(lambda p=path: floor(p), args.runs)
        check, read = split_check(path, args.runs)
        least = timed(lambda p=path: texts_and_labels(p), args.runs, fresh)
        rows.append((name, base, check))
        print(f"  {name:<38} floor {base * 1000:8.0f} ms   check {check * 1000:8.0f} ms   "
              f"{check / base:5.1f}x floor   (read {read * 1000:.0f} ms, {read / base:.1f}x; rules "
              f"{(check - read) * 1000:.0f} ms; texts and Word labels alone {least * 1000:.0f} ms, "
              f"{least / base:.1f}x)   ({load()})", flush=True)
    return rows


def texts_and_labels(path: Path) -> tuple[list[str], list]:
    """The least a reading of the document model needs: the check's reader (every part read and parsed, as the
    floor), then each body paragraph's text and Word list label, nothing else."""
    from assembler.docmodel.numbering import NumberingEngine  # noqa: PLC0415
    from assembler.docmodel.ooxml import qn, read_package, story_paragraphs  # noqa: PLC0415

    package = read_package(path)
    paragraphs = list(story_paragraphs(package.body))
    text = qn("w:t")
    return (["".join(p.itertext(text)) for p in paragraphs],
            NumberingEngine(package.numbering, package.styles).label_paragraphs(paragraphs))


def split_check(path: Path, runs: int) -> tuple[float, float]:
    """The median CPU time of *runs* checks of *path* (as `check_paths`: reading the document model, then every
    rule), each from a cold start, and the median of the reading alone within them (the rest is the rules')."""
    from assembler.check.runner import run_rules  # noqa: PLC0415
    from assembler.docmodel.parse import load_documents  # noqa: PLC0415

    checks, reads = [], []
    for _ in range(runs):
        fresh()
        start = time.process_time()
        package = load_documents([path])
        read = time.process_time()
        run_rules(package)
        checks.append(time.process_time() - start)
        reads.append(read - start)
    return statistics.median(checks), statistics.median(reads)


def cold(tmp: Path, runs: int) -> tuple[float, float, list[float]]:
    """(plain docxtpl script s, the check in a cold build s, [import, read, rules] s), medians over *runs*."""
    from assembler.build import DOCUMENTS, TEMPLATES_DIR  # noqa: PLC0415
    from assembler.render.context import build_context  # noqa: PLC0415
    from assembler.termsheet import load_termsheet  # noqa: PLC0415

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: .pyc cached
    env["PYTHONPATH"] = str(ROOT)
    package = tmp / "package"
    subprocess.run([sys.executable, "-m", "assembler", "build", str(SEED_SHEET), "-o", str(package), "--no-check"],
                   check=True, capture_output=True, env=env, cwd=ROOT)
    built = [str(p) for p in sorted(package.glob("*/*.docx"))]
    ts = load_termsheet(SEED_SHEET)
    jobs = []
    for spec in DOCUMENTS:
        context = {k: v for k, v in build_context(ts, spec.key).items()
                   if k not in ("anchor", "ref", "ref_agreement", "ref_glossary", "ref_certificate")}
        jobs.append((str(TEMPLATES_DIR / spec.template), context, str(tmp / f"plain-{spec.key}.docx")))
    (tmp / "plain.json").write_text(json.dumps(jobs), encoding="utf-8")
    (tmp / "plain.py").write_text(PLAIN_SCRIPT, encoding="utf-8")
    (tmp / "cold.py").write_text(COLD_CHECK, encoding="utf-8")
    plain_argv = [sys.executable, str(tmp / "plain.py"), str(tmp / "plain.json")]
    cold_argv = [sys.executable, str(tmp / "cold.py"), str(SEED_SHEET), *built]
    child_cpu(plain_argv, env)                     # warm-up: .pyc files written, files in the page cache
    child_cpu(cold_argv, env)
    plain, checks, phases = [], [], []
    for _ in range(runs):                          # paired runs, one of each in turn
        plain.append(child_cpu(plain_argv, env)[0])
        parts = [float(x) for x in child_cpu(cold_argv, env)[1].split()]
        checks.append(sum(parts))
        phases.append(parts)
    return (statistics.median(plain), statistics.median(checks),
            [statistics.median(p[i] for p in phases) for i in range(3)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8, help="the LPA repeated this many times (1: only once)")
    parser.add_argument("--paragraphs", type=int, default=1500, help="the seed agreement's length (0: skip)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes for the cold check (0: skip)")
    args = parser.parse_args()
    missed = []
    with tempfile.TemporaryDirectory(prefix="assembler-check-speed-") as tmp:
        tmp = Path(tmp)
        print(f"1. long documents: the check against the unzip+parse floor, CPU, median of {args.runs} "
              f"(target at most {MAX_FLOOR_RATIO:.0f}x)")
        for name, base, check in long_documents(tmp, args):
            if check / base > MAX_FLOOR_RATIO:
                missed.append(f"{name}: the check is {check / base:.1f}x the floor (target {MAX_FLOOR_RATIO:.0f}x)")
        if args.cold_runs:
            print(f"2. cold check of the sample package in fresh processes, CPU, median of {args.cold_runs} "
                  f"(target at most {MAX_COLD_RATIO:.1f}x the plain docxtpl script)")
            plain, check, (imports, read, rules) = cold(tmp, args.cold_runs)
            print(f"  plain docxtpl script (3 templates) {plain * 1000:6.0f} ms   the check in a cold build "
                  f"{check * 1000:6.0f} ms (import {imports * 1000:.0f}, read {read * 1000:.0f}, "
                  f"rules {rules * 1000:.0f})   {check / plain:4.2f}x   ({load()})")
            if check / plain > MAX_COLD_RATIO:
                missed.append(f"the check in a cold build is {check / plain:.2f}x the plain docxtpl script "
                              f"(target {MAX_COLD_RATIO:.1f}x)")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
