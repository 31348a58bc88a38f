"""Findings before and after a change: the check's output over the corpus, the seed fixtures and
the sample package, saved once and compared later.

    python benchmarks/findings_identity.py --save FILE     # before the change
    python benchmarks/findings_identity.py --compare FILE  # after it: exit 1 on any difference

Each document is checked alone, and the seed fixtures and the sample package also with the sample
term sheet, by `assembler check --format json` in a subprocess (the command a user runs). The
corpus folder defaults to ../shared/corpus; --corpus names another.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "termsheets" / "ascent-series-j.yaml"


def runs(corpus: Path, package: Path) -> list[tuple[str, list[str]]]:
    docs = sorted(corpus.glob("*/*.docx")) + sorted((ROOT / "tests" / "fixtures").glob("seed-*.docx"))
    built = sorted(package.glob("*/*.docx"))
    out = [(p.relative_to(p.parent.parent).as_posix(), [str(p)]) for p in docs]
    out += [(f"{p.name} + term sheet", [str(p), "--termsheet", str(SHEET)])
            for p in sorted((ROOT / "tests" / "fixtures").glob("seed-*.docx"))]
    out.append(("sample package + term sheet", [*map(str, built), "--termsheet", str(SHEET)]))
    return out


def snapshot(corpus: Path) -> dict[str, list]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "assembler", "build", str(SHEET), "-o", tmp, "--no-check"],
                       check=True, capture_output=True, cwd=ROOT)
        result = {}
        for name, args in runs(corpus, Path(tmp)):
            proc = subprocess.run([sys.executable, "-m", "assembler", "check", "--format", "json", *args],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode not in (0, 1):
                result[name] = [f"exit {proc.returncode}: {proc.stderr.strip()[:300]}"]
                continue
            findings = json.loads(proc.stdout)["findings"]
            for f in findings:  # the temporary folder's name is not part of a finding
                f["file"] = Path(f["file"]).name
            result[name] = findings
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    now = snapshot(args.corpus)
    total = sum(len(v) for v in now.values())
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"saved {total} findings over {len(now)} runs to {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for name in differ:
        old, new = before.get(name, []), now.get(name, [])
        print(f"DIFFERENT {name}: {len(old)} findings before, {len(new)} now")
        for f in new:
            if f not in old:
                print(f"  + {f}")
        for f in old:
            if f not in new:
                print(f"  - {f}")
    print(f"{total} findings over {len(now)} runs; {len(differ)} runs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
