"""Build speed: the toolkit against a plain docxtpl loop over the same templates, in one run.

    python benchmarks/build_speed.py [--variants N] [--batch N] [--jobs J]

Prints, for N deal variants: per-document render time of the toolkit (render, number, resolve
references, pack) and of plain docxtpl (`DocxTemplate(path).render(ctx)` then `save`), their
ratio; check time per package; peak Python memory at growing N (it should stay flat); the time
of a batch of variants built and checked in parallel workers; and a cold `assembler build`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.build import DOCUMENTS, TEMPLATES_DIR, build_package  # noqa: E402
from assembler.render.context import build_context  # noqa: E402
from assembler.termsheet import load_termsheet  # noqa: E402

SEED = ROOT / "termsheets" / "ascent-series-j.yaml"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def variant_data(i: int) -> dict:
    """The seed deal with purchaser, series, closings, cap and redemption varied by *i*."""
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["deal_name"] = f"Variant {i:05d}"
    data["purchaser"]["name"] = f"Fund {i:05d} Holdings Ltd."
    data["series"] = LETTERS[i % len(LETTERS)]
    n = 1 + i % 6
    first = dt.date(2015, 9, 18)
    data["closings"] = [{"date": first + dt.timedelta(days=14 * k),
                         "shares": 3000 // n + (3000 % n if k == n - 1 else 0)} for k in range(n)]
    data["beneficial_ownership"]["limitation"] = f"{4 + i % 5}.99"
    data["mandatory_redemption"]["enabled"] = bool(i % 2)
    return data


def write_variants(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"variant-{i:05d}.yaml"
        path.write_text(yaml.safe_dump(variant_data(i), sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def time_toolkit(sheets) -> float:
    start = time.perf_counter()
    for ts in sheets:
        build_package(ts)
    return time.perf_counter() - start


def time_docxtpl(sheets) -> float:
    from docxtpl import DocxTemplate

    start = time.perf_counter()
    for ts in sheets:
        for spec in DOCUMENTS:
            tpl = DocxTemplate(TEMPLATES_DIR / spec.template)
            tpl.render(build_context(ts, spec.key), autoescape=True)
            tpl.save(io.BytesIO())
    return time.perf_counter() - start


def peak_memory(sheets) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    for ts in sheets:
        build_package(ts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000, help="variants built and checked by `batch` (0: skip)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="assembler-bench-") as tmp:
        tmp = Path(tmp)
        paths = write_variants(tmp / "sheets", max(args.variants, 400))
        sheets = [load_termsheet(p) for p in paths[: args.variants]]
        build_package(sheets[0])  # compile the templates once, as any process does on its first build
        ours = time_toolkit(sheets)
        base = time_docxtpl(sheets)
        docs = 3 * len(sheets)
        print(f"variants: {len(sheets)} ({docs} documents), one process")
        print(f"  toolkit          {1000 * ours / docs:7.2f} ms/document  ({docs / ours:7.1f} documents/s)")
        print(f"  plain docxtpl    {1000 * base / docs:7.2f} ms/document  ({docs / base:7.1f} documents/s)")
        print(f"  speed-up         {base / ours:7.1f}x per core")

        from assembler.build import build
        from assembler.check.runner import check_paths

        times = []
        for ts_path in paths[:20]:
            result = build(ts_path, tmp / "out", check=False)
            files = [result.files[s.output] for s in DOCUMENTS]
            ts = load_termsheet(ts_path)
            start = time.perf_counter()
            check_paths(files, ts)
            times.append(time.perf_counter() - start)
        print(f"  check            {1000 * statistics.median(times):7.2f} ms/package (median of {len(times)})")

        all_sheets = [load_termsheet(p) for p in paths]
        for n in (50, 200, 400):
            print(f"  peak memory      {peak_memory(all_sheets[:n]) / 2**20:7.2f} MiB building {n} variants")

        if args.batch:
            from assembler.batch import run_batch

            batch_dir = tmp / "batch-sheets"
            write_variants(batch_dir, args.batch)
            start = time.perf_counter()
            summary = run_batch([str(batch_dir)], args.jobs, tmp / "batch-out", progress=None)
            elapsed = time.perf_counter() - start
            rows = getattr(summary, "rows", None) or getattr(summary, "results", [])
            ok = sum(1 for r in rows if getattr(r, "status", "") == "ok")
            print(f"batch: {args.batch} variants ({3 * args.batch} documents) built and checked with "
                  f"-j {args.jobs}: {elapsed:.1f} s ({ok} ok)")

        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for label, extra in (("with check", []), ("--no-check", ["--no-check"])):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "assembler", "build", str(SEED), "-o", str(tmp / "cold"), *extra],
                           check=False, capture_output=True, env=env, cwd=ROOT)
            print(f"cold `assembler build` ({label}): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
