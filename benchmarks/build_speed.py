"""Build speed against its baselines, measured side by side in one run; exit 1 when a target is missed.

    python benchmarks/build_speed.py [--runs 7] [--batch 1000] [--batch-runs 3] [--jobs 2] [--variants 50] [--importtime]

Figures are CPU time (user + system, from wait4 or getrusage) and peak resident memory; each line
shows the machine's load average when it was taken. Every process timed is a fresh interpreter.

1. Cold build: `assembler build` of the sample deal into a fresh folder (check included, and
   --no-check) against a plain docxtpl script that renders the same three templates with the same
   context (read from a JSON file this benchmark writes first, so the script pays only docxtpl's
   own cost) and saves them. Runs alternate, the median of --runs is kept. The template cache is
   warm (a warm-up run fills it, as any earlier build on the machine would); one run with an empty
   cache is shown for information. Target: cold build, check included, at most 1.0x the script.
2. Warm rendering in one process: the toolkit's build_package against DocxTemplate(...).render +
   save per document, over --variants variants (information).
3. Batch: `assembler batch` of --batch variants with -j --jobs in a fresh process, --batch-runs
   times: CPU per document of the whole process tree (target 8 ms), wall time (target: 15 s per
   1,000 variants), the parent's resident memory growth from 10% to 100% of the variants (target:
   under 1 KiB per variant) and the peak RSS of the parent and of each worker, for each run; the
   targets are judged on the medians of the runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "termsheets" / "ascent-series-j.yaml"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

TARGET_COLD_RATIO = 1.0
TARGET_BATCH_MS_PER_DOCUMENT = 8.0
TARGET_BATCH_SECONDS_PER_1000 = 15.0
TARGET_PARENT_GROWTH_BYTES = 1024

#: The baseline: plain docxtpl over the same templates and context, nothing else.
PLAIN_SCRIPT = r'''
import json, sys
from docxtpl import DocxTemplate
from markupsafe import Markup


class Labels:  # what the toolkit's anchor/ref namespaces print: a marker per label
    def __init__(self, kind, document):
        self.kind, self.document = kind, document

    def __getattr__(self, label):
        if label.startswith("__"):
            raise AttributeError(label)
        return Markup("\ue000%s:%s:%s\ue001" % (self.kind, self.document, label))

    __getitem__ = __getattr__


data = json.load(open(sys.argv[1], encoding="utf-8"))
for key, template, output in data["documents"]:
    context = dict(data["values"], anchor=Labels("A", key), ref=Labels("R", key),
                   ref_agreement=Labels("R", "agreement"), ref_glossary=Labels("R", "glossary"),
                   ref_certificate=Labels("R", "certificate"))
    tpl = DocxTemplate(template)
    tpl.render(context, autoescape=True)
    tpl.save(sys.argv[2] + "/" + output)
'''

#: `assembler batch` run in a fresh process, reporting the parent's RSS as variants finish and each
#: worker's peak RSS (written by the worker, per process id, after each of its tasks).
BATCH_SCRIPT = r'''
import json, os, resource, sys
sys.path.insert(0, sys.argv[4])
from assembler import batch

stats_dir, samples = sys.argv[3], []
original = batch._build_task


def _build_task(*args, **kwargs):
    result = original(*args, **kwargs)
    with open(os.path.join(stats_dir, str(os.getpid())), "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    return result


_build_task.__qualname__, _build_task.__module__ = original.__qualname__, original.__module__
batch._build_task = _build_task


def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Progress:
    def write(self, text):
        if text.startswith("["):
            samples.append(rss())

    def flush(self):
        pass

    def isatty(self):
        return False


summary = batch.run_batch([sys.argv[1]], int(sys.argv[5]), sys.argv[2], progress=Progress())
print(json.dumps({"ok": summary.ok, "failed": summary.failed, "samples": samples,
                  "parent_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


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


def run_child(argv: list[str], env: dict | None = None) -> tuple[float, int, int, bytes]:
    """Run *argv*; (CPU seconds of it and its reaped children, peak RSS in KiB, exit code, stdout)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, out.read()


def write_plain_inputs(tmp: Path) -> Path:
    """The context of each document as JSON, for the plain docxtpl script."""
    from assembler.build import DOCUMENTS, TEMPLATES_DIR
    from assembler.render.context import deal_values
    from assembler.termsheet import load_termsheet

    data = {"values": deal_values(load_termsheet(SEED)),
            "documents": [(s.key, str(TEMPLATES_DIR / s.template), s.output) for s in DOCUMENTS]}
    path = tmp / "context.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def cold(tmp: Path, runs: int, env: dict) -> tuple[dict, bool]:
    context = write_plain_inputs(tmp)
    script = tmp / "plain_docxtpl.py"
    script.write_text(PLAIN_SCRIPT, encoding="utf-8")
    counter = iter(range(10**6))

    def fresh() -> str:
        folder = tmp / f"cold-{next(counter)}"
        folder.mkdir()
        return str(folder)

    commands = {
        "assembler build": lambda: [sys.executable, "-m", "assembler", "build", str(SEED), "-o", fresh()],
        "assembler build --no-check": lambda: [sys.executable, "-m", "assembler", "build", str(SEED), "-o",
                                               fresh(), "--no-check"],
        "plain docxtpl script": lambda: [sys.executable, str(script), str(context), fresh()],
    }
    for make in commands.values():  # warm-up: bytecode written, template cache filled
        code = run_child(make(), env)[2]
        if code not in (0, 1):
            print(f"  {make()[1:4]} failed with exit code {code}")
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, make in commands.items():
            cpu, rss, _code, _out = run_child(make(), env)
            results[name].append((cpu, rss))
    empty_cache = dict(env, ASSEMBLER_CACHE_DIR=str(tmp / "empty-cache"))
    cpu_empty, rss_empty, _code, _out = run_child(commands["assembler build"](), empty_cache)
    medians = {name: (statistics.median(c for c, _ in rows), statistics.median(r for _, r in rows))
               for name, rows in results.items()}
    base_cpu, base_rss = medians["plain docxtpl script"]
    print(f"cold build, median of {runs} alternating runs ({load()}):")
    for name, (cpu, rss) in medians.items():
        print(f"  {name:28} {1000 * cpu:6.0f} ms CPU  {rss / 1024:5.1f} MB RSS   "
              f"{cpu / base_cpu:4.2f}x the plain script")
    print(f"  {'assembler build, empty cache':28} {1000 * cpu_empty:6.0f} ms CPU  {rss_empty / 1024:5.1f} MB RSS   "
          f"{cpu_empty / base_cpu:4.2f}x (one run, templates compiled)")
    ratio = medians["assembler build"][0] / base_cpu
    ok = ratio <= TARGET_COLD_RATIO
    print(f"  target: assembler build (check included) <= {TARGET_COLD_RATIO:.1f}x the plain script: "
          f"{ratio:.2f}x {'met' if ok else 'MISSED'}")
    return medians, ok


def warm(tmp: Path, variants: int) -> None:
    """The toolkit's in-process render against plain docxtpl, per document (information only)."""
    from docxtpl import DocxTemplate

    from assembler.build import DOCUMENTS, TEMPLATES_DIR, build_package
    from assembler.render.context import build_context
    from assembler.termsheet import load_termsheet

    sheets = [load_termsheet(p) for p in write_variants(tmp / "warm", variants)]
    build_package(sheets[0])
    start = time.process_time()
    for ts in sheets:
        build_package(ts)
    ours = time.process_time() - start
    start = time.process_time()
    for ts in sheets:
        for spec in DOCUMENTS:
            tpl = DocxTemplate(TEMPLATES_DIR / spec.template)
            tpl.render(build_context(ts, spec.key), autoescape=True)
            tpl.save(io.BytesIO())
    base = time.process_time() - start
    docs = 3 * len(sheets)
    print(f"warm rendering in one process, {len(sheets)} variants ({load()}):")
    print(f"  toolkit build_package       {1000 * ours / docs:6.2f} ms CPU/document")
    print(f"  plain docxtpl render+save   {1000 * base / docs:6.2f} ms CPU/document   "
          f"toolkit {ours / base:4.2f}x of it")


def batch(tmp: Path, n: int, jobs: int, env: dict, runs: int = 1) -> bool:
    """*runs* batches of the same *n* variants, each a fresh process writing into a fresh folder; each
    run's figures, then the targets judged on their medians (one run of a shared machine moves by a
    sixth or more)."""
    sheets = tmp / "batch-sheets"
    write_variants(sheets, n)
    script = tmp / "batch_run.py"
    script.write_text(BATCH_SCRIPT, encoding="utf-8")
    docs = 3 * n
    wall_target = TARGET_BATCH_SECONDS_PER_1000 * n / 1000
    figures = []   # (CPU ms per document, wall s, parent growth B per variant) of each run
    for run in range(1, runs + 1):
        stats = tmp / f"batch-stats-{run}"
        stats.mkdir()
        start = time.perf_counter()
        cpu, _tree_rss, code, out = run_child([sys.executable, str(script), str(sheets), str(tmp / f"batch-out-{run}"),
                                               str(stats), str(ROOT), str(jobs)], env)
        wall = time.perf_counter() - start
        try:
            report = json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            print(f"batch: the run failed (exit {code})")
            return False
        per_doc = 1000 * cpu / docs
        samples = report["samples"]
        first = samples[max(0, len(samples) // 10 - 1)] if samples else 0
        growth = (samples[-1] - first) / max(1, len(samples) - len(samples) // 10) if samples else 0
        workers = sorted(int(p.read_text()) for p in stats.iterdir())
        figures.append((per_doc, wall, growth))
        print(f"batch run {run} of {runs}: {n} variants ({docs} documents, built and checked), -j {jobs}, "
              f"{report['ok']} ok, {report['failed']} failed ({load()}):")
        print(f"  CPU of the process tree     {per_doc:6.2f} ms/document")
        print(f"  wall                        {wall:6.1f} s")
        print(f"  parent RSS growth           {growth:6.0f} B/variant   (RSS {first / 2**20:.1f} MB at 10%, "
              f"{(samples[-1] if samples else 0) / 2**20:.1f} MB at 100%)")
        print(f"  peak RSS                    parent {report['parent_peak_kb'] / 1024:.1f} MB; workers "
              + ", ".join(f"{kb / 1024:.1f}" for kb in workers) + " MB")
    per_doc, wall, growth = (statistics.median(f[i] for f in figures) for i in range(3))
    checks = [per_doc <= TARGET_BATCH_MS_PER_DOCUMENT, wall <= wall_target, growth <= TARGET_PARENT_GROWTH_BYTES]

    def spread(i: int, unit: str, digits: int) -> str:
        return "" if runs == 1 else f" (runs {min(f[i] for f in figures):.{digits}f} to {max(f[i] for f in figures):.{digits}f}{unit})"

    print(f"batch, median of {runs} run{'s' if runs > 1 else ''}:")
    print(f"  CPU of the process tree     {per_doc:6.2f} ms/document   target {TARGET_BATCH_MS_PER_DOCUMENT:.0f} ms: "
          f"{per_doc / TARGET_BATCH_MS_PER_DOCUMENT:4.2f}x {'met' if checks[0] else 'MISSED'}{spread(0, ' ms', 2)}")
    print(f"  wall                        {wall:6.1f} s            target {wall_target:.1f} s: "
          f"{wall / wall_target:4.2f}x {'met' if checks[1] else 'MISSED'}{spread(1, ' s', 1)}")
    print(f"  parent RSS growth           {growth:6.0f} B/variant   target < {TARGET_PARENT_GROWTH_BYTES} B: "
          f"{'met' if checks[2] else 'MISSED'}{spread(2, ' B', 0)}")
    return all(checks)


def importtime(tmp: Path, env: dict, top: int = 12) -> None:
    """The modules a cold `assembler build` spends most import time in (self time, one run)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "assembler", "build", str(SEED), "-o",
                           str(tmp / "importtime")], capture_output=True, text=True, env=env, cwd=ROOT)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[0].split(":")[1].strip().isdigit():
            rows.append((int(parts[0].split(":")[1]), int(parts[1]), parts[2].rstrip()))
    total = sum(r[0] for r in rows)
    print(f"python -X importtime -m assembler build: {len(rows)} modules, {total / 1000:.0f} ms in imports "
          f"({load()}); most self time:")
    for own, cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"  {own / 1000:6.1f} ms self {cumulative / 1000:7.1f} ms cumulative  {name.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold runs of each command (median kept)")
    parser.add_argument("--variants", type=int, default=50, help="variants of the warm comparison (0: skip)")
    parser.add_argument("--batch", type=int, default=1000, help="variants built and checked by `batch` (0: skip)")
    parser.add_argument("--batch-runs", type=int, default=3, help="batches run, each in a fresh process (median judged)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports of a cold build")
    args = parser.parse_args()
    # As installed: each module's .pyc cached (an environment that forbids writing them would make
    # every cold start recompile the toolkit's source, which no user's machine does).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    ok = True
    with tempfile.TemporaryDirectory(prefix="assembler-bench-") as tmp:
        tmp = Path(tmp)
        env.setdefault("ASSEMBLER_CACHE_DIR", str(tmp / "template-cache"))
        _medians, cold_ok = cold(tmp, args.runs, env)
        ok &= cold_ok
        if args.importtime:
            importtime(tmp, env)
        if args.variants:
            warm(tmp, args.variants)
        if args.batch:
            ok &= batch(tmp, args.batch, args.jobs, env, max(1, args.batch_runs))
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"this benchmark: {own.ru_utime + own.ru_stime:.1f} s CPU; {'all targets met' if ok else 'a target was missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
