"""Build outputs before and after a change: every byte the build writes and every part it keeps in
memory, over many term sheets, saved once and compared later.

    python benchmarks/build_identity.py --save FILE     # before the change
    python benchmarks/build_identity.py --compare FILE  # after it: exit 1 on any difference

The term sheets: those in termsheets/ (and its variants), --variants of build_speed's variants, and
every generated case of tests/fixtures/termsheet-cases.json the loader accepts (or refuses: its
problems are recorded too). Each is built into a fresh folder; the seed and a few variants also as
a combined package, and a sequence of variants into one folder (rebuilds: redlines, up to date,
--force over a hand edit). Recorded per build: the SHA-256 of every file in the folder (the
manifest included), the build's result (files written, notes, changes, redline summaries) and its
in-memory sources (each part's bytes in order, each parsed tree serialised, the parts known
checked), or the located problems of a build that fails.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import identity  # (beside this script)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _digest(p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _sources(sources: dict, folder: Path) -> dict:
    from lxml import etree

    out = {}
    for path, source in sources.items():
        out[Path(path).relative_to(folder).as_posix()] = {
            "parts": [[name, _digest(data)] for name, data in source.parts.items()],
            "parsed": {name: _digest(etree.tostring(tree)) for name, tree in source.parsed.items()},
            "checked": sorted(source.checked)}
    return out


def build_once(sheet: Path, folder: Path, tmp: Path, **options) -> dict:
    """One build of *sheet* into *folder*: what it wrote and kept, or what it refused."""
    from assembler.build import build
    from assembler.errors import AssemblerError

    try:
        result = build(sheet, out_dir=folder, **options)
    except AssemblerError as exc:
        return {"problems": [str(p).replace(str(tmp), "TMP") for p in exc.problems],
                "files": _files(folder) if folder.exists() else {}}
    return {"files": _files(folder), "written": sorted(result.written), "up_to_date": result.up_to_date,
            "notes": [n.replace(str(tmp), "TMP") for n in result.notes], "changes": result.changes,
            "kept": sorted(result.kept), "redlines": {k: v[1] for k, v in sorted(result.redlines.items())},
            "sources": _sources(result.sources, folder)}


def snapshot(variants: int, cases: bool) -> dict[str, dict]:
    from build_speed import write_variants

    result: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sheets = sorted((ROOT / "termsheets").rglob("*.yaml"))
        made = write_variants(tmp / "variants", variants)
        for sheet in [*sheets, *made]:
            key = sheet.relative_to(ROOT).as_posix() if sheet.is_relative_to(ROOT) else sheet.name
            result[key] = build_once(sheet, tmp / "out" / key, tmp)
        for sheet in [sheets[0], *made[:3]]:
            key = sheet.name + " combined"
            result[key] = build_once(sheet, tmp / "out" / key, tmp, combined=True)
        folder = tmp / "out" / "rebuilds"
        for step, sheet in enumerate([made[0], made[1], made[1], made[2], made[0]]):
            result[f"rebuild {step}: {sheet.name}"] = build_once(sheet, folder, tmp)
        (folder / "securities-purchase-agreement.docx").write_bytes(b"edited by hand")
        result["rebuild over an edit"] = build_once(made[3], folder, tmp)
        result["rebuild over an edit, forced"] = build_once(made[3], folder, tmp, force=True)
        if cases:
            from termsheet_cases import FIXTURE, apply, decode, to_yaml

            recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
            bases = {name: decode(data) for name, data in recorded["bases"].items()}
            for number, case in enumerate(recorded["cases"]):
                sheet = tmp / "cases" / f"case-{number:04d}.yaml"
                sheet.parent.mkdir(parents=True, exist_ok=True)
                sheet.write_text(to_yaml(apply(bases[case["base"]], case["edits"])), encoding="utf-8")
                result[f"case {number}"] = build_once(sheet, tmp / "out" / f"case-{number:04d}", tmp)
    return result


def main() -> int:
    parser = identity.parser(__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=60)
    parser.add_argument("--no-cases", action="store_true", help="leave out the generated term-sheet cases")
    args = parser.parse_args()
    import os

    import assembler

    os.chdir(ROOT)  # the library folder term sheets extend from is the working folder's termsheets/
    print(f"assembler from {Path(assembler.__file__).parent}", file=sys.stderr)
    now = snapshot(args.variants, not args.no_cases)
    built = sum("problems" not in v for v in now.values())

    def show(key: str, old: dict, new: dict) -> None:
        fields = sorted(f for f in old.keys() | new.keys() if old.get(f) != new.get(f))
        print(f"DIFFERENT {key}: {', '.join(fields)}")
        for f in fields[:3]:
            print(f"  before {f}: {json.dumps(old.get(f))[:400]}")
            print(f"  now    {f}: {json.dumps(new.get(f))[:400]}")

    return identity.save_or_compare(args, now, f"{len(now)} builds ({built} made, {len(now) - built} refused)",
                                    "differ", show, {})

if __name__ == "__main__":
    sys.exit(main())
