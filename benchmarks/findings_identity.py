"""Findings before and after a change: the check's output over the corpus, the seed fixtures and
the sample package, saved once and compared later.

    python benchmarks/findings_identity.py --save FILE     # before the change
    python benchmarks/findings_identity.py --compare FILE  # after it: exit 1 on any difference

Each document is checked alone, and the seed fixtures and the sample package also with the sample
term sheet, by `assembler check --format json` in a subprocess (the command a user runs). The
corpus folder defaults to ../shared/corpus; --corpus names another.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import identity  # (beside this script)

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
    parser = identity.parser(__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    now = snapshot(args.corpus)
    total = sum(len(v) for v in now.values())

    def show(name: str, old: list, new: list) -> None:
        print(f"DIFFERENT {name}: {len(old)} findings before, {len(new)} now")
        for f in new:
            if f not in old:
                print(f"  + {f}")
        for f in old:
            if f not in new:
                print(f"  - {f}")

    return identity.save_or_compare(args, now, f"{total} findings over {len(now)} runs", "runs differ", show, [])

if __name__ == "__main__":
    sys.exit(main())
