"""`assembler batch`: build and check many term sheets in parallel worker processes.

Two phases, both in the worker pool:

1. every term sheet is loaded (following ``extends:``; several a task) only to learn its deal
   name; the parent then names each variant's output folder, in input order, so two deals with
   one name never share a folder (``deal``, ``deal-2``, ...) and a rerun picks the same names;
2. one task per variant loads it again (a worker that loaded the same bytes in phase 1 has kept
   it: see `load_termsheet`), builds it (the three documents, no combined package, no PDF) into
   its folder and checks it; the worker returns a small :class:`VariantResult`, never a document
   or a term sheet, and only a few tasks are queued at a time, so the parent's memory does not
   grow with the number of variants.

A variant that fails keeps its located error in the summary and the batch goes on. The summary is
written as ``batch-summary.csv`` and ``batch-summary.json`` in the output root: input order, no
timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import gc
import glob
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from assembler.build import DOCUMENTS, TEMPLATES_DIR, build, slugify
from assembler.errors import AssemblerError, Location, OutputError, Problem
from assembler.render.write import atomic_write
from assembler.termsheet import load_termsheet

__all__ = ["VariantResult", "BatchSummary", "expand_paths", "assign_folders", "run_batch",
           "format_table", "exit_code", "main", "SUMMARY_CSV", "SUMMARY_JSON", "SUMMARY_VERSION"]

SUMMARY_CSV = "batch-summary.csv"
SUMMARY_JSON = "batch-summary.json"
#: Version of the layout of ``batch-summary.json``; raised when a field changes meaning.
SUMMARY_VERSION = 1
TERMSHEET_SUFFIXES = (".yaml", ".yml")
#: Longest internal-error text kept in the summary.
MAX_INTERNAL_MESSAGE = 300

OK = "ok"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class VariantResult:
    """One variant's outcome: what the worker sends back (a few hundred bytes, never a document)."""

    termsheet: str                      # the term sheet file, as found from the given paths
    status: str                         # "ok" or "failed"
    output: str = ""                    # its folder, relative to the output root ("" if none)
    deal_name: str = ""                 # "" when the term sheet did not load
    errors: int = 0                     # findings of the check, by severity
    warnings: int = 0
    infos: int = 0
    problems: tuple[str, ...] = ()      # located errors (failed) or error findings' codes (ok)
    files: tuple[str, ...] = ()         # file names written into the folder

    @property
    def message(self) -> str:
        return "; ".join(self.problems)


@dataclass
class BatchSummary:
    """Every variant's result, in input order, and where the summary files were written."""

    out_root: Path
    results: list[VariantResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(r.status == OK for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.status != OK for r in self.results)


# --------------------------------------------------------------------------------------------
# Inputs and output folders


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def expand_paths(paths: Iterable[str]) -> list[tuple[str, str | None]]:
    """Term sheet files named by ``paths`` (files, globs, folders), in order, each once.

    Each entry is ``(file, problem)``; ``problem`` is set for an argument that names nothing
    (the batch reports it as a failed variant and goes on). A folder gives its ``*.yaml`` and
    ``*.yml`` files, recursively, sorted, skipping hidden files and folders; a glob its matching
    files, sorted.
    """
    found: list[tuple[str, str | None]] = []
    seen: set[str] = set()

    def add(file: str, problem: str | None = None) -> None:
        key = os.path.realpath(file) if problem is None else f"\0{file}"
        if key not in seen:
            seen.add(key)
            found.append((file, problem))

    for arg in paths:
        arg = os.fspath(arg)
        if os.path.isdir(arg):
            matches = []
            for dirpath, dirnames, filenames in os.walk(arg):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                matches += [os.path.join(dirpath, f) for f in filenames
                            if not f.startswith(".") and f.lower().endswith(TERMSHEET_SUFFIXES)]
            if not matches:
                add(arg, "folder holds no term sheet (*.yaml, *.yml)")
            for file in sorted(matches):
                add(file)
        elif os.path.exists(arg) or not _is_glob(arg):
            add(arg)  # a missing file is reported by the loader, located at the file
        else:
            matches = sorted(m for m in glob.glob(arg, recursive=True) if os.path.isfile(m))
            if not matches:
                add(arg, "no file matches this pattern")
            for file in matches:
                add(file)
    return found


def assign_folders(deal_names: Iterable[str | None]) -> list[str | None]:
    """A distinct, safe folder name for each deal name, in order: the slug, then slug-2, slug-3...

    ``None`` (a variant that did not load) gets no folder and takes no name.
    """
    taken: set[str] = set()
    names: list[str | None] = []
    for deal_name in deal_names:
        if deal_name is None:
            names.append(None)
            continue
        base = slugify(deal_name)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names.append(name)
    return names


def _contained(out_root: Path, name: str) -> Path:
    """``out_root / name``, refused unless it resolves to a folder directly inside ``out_root``."""
    root = out_root.resolve()
    folder = (root / name).resolve()
    if folder.parent != root or name in ("", ".", "..") or os.sep in name or "/" in name:
        raise OutputError(Problem(Location(str(out_root / name)),
                                  "output folder would be outside the output root; refused"))
    return folder


# --------------------------------------------------------------------------------------------
# Worker tasks (module-level functions: they are pickled by name)


def _internal(exc: BaseException, stage: str = "") -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    where = f" during the {stage}" if stage else ""
    return f"internal error{where}: {text}"[:MAX_INTERNAL_MESSAGE]


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the batch process ends, even by kill -9 (Linux), so no worker outlives it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


#: A worker's garbage collector looks for cycles among young objects after this many more are made
#: than freed (Python's default is 700): a variant makes and frees many, and a collection costs the
#: more often it runs; a cycle only waits a little longer to be freed.
WORKER_GC_THRESHOLD = 2000


def _start_worker(parent: int) -> None:
    """A worker's start: it ends with the batch process (`_die_with_parent`); what it inherited from
    that process (imported modules) is left out of its garbage collections, which it would otherwise
    walk each time, and young objects are collected less often (WORKER_GC_THRESHOLD)."""
    _die_with_parent(parent)
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _name_task(file: str) -> tuple[str | None, tuple[str, ...]]:
    """Phase 1: ``(deal name, ())``, or ``(None, problems)`` if the term sheet does not load."""
    try:
        return load_termsheet(file).deal_name, ()
    except AssemblerError as exc:
        return None, tuple(str(p) for p in exc.problems)
    except Exception as exc:  # noqa: BLE001 - a bug must not end the batch
        return None, (_internal(exc, "load"),)


def _name_tasks(files: tuple[str, ...]) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """Phase 1 for several term sheets in one task (each `_name_task`'s outcome, in order): a load is
    short, so a task per term sheet would cost the parent about as much as the load costs the worker."""
    return tuple(_name_task(file) for file in files)


def _build_task(file: str, out_root: str, name: str, templates_dir: str, force: bool = False) -> VariantResult:
    """Phase 2: build ``file`` into ``out_root/name`` (manifest, hand-edit protection and redlines
    as `assembler build`), check it, return the counts."""
    base = VariantResult(file, FAILED, name)
    stage = "build"
    try:
        folder = _contained(Path(out_root), name)
        built = build(Path(file), out_dir=folder, templates_dir=Path(templates_dir), force=force)
        termsheet = built.termsheet
        base = replace(base, deal_name=termsheet.deal_name)
        written = list(built.files)  # every output of the variant, rewritten this time or not
        stage = "check"
        from assembler.check.runner import check_paths

        _package, findings = check_paths([folder / spec.output for spec in DOCUMENTS], termsheet,
                                         sources=built.sources)
        by_severity = Counter(getattr(f.severity, "value", str(f.severity)) for f in findings)
        error_codes = Counter(f.code for f in findings
                              if getattr(f.severity, "value", str(f.severity)) == "error")
        del _package, findings
        problems = tuple(f"{code} x{count}" if count > 1 else code
                         for code, count in sorted(error_codes.items()))
        return VariantResult(file, OK, name, termsheet.deal_name, by_severity.get("error", 0),
                             by_severity.get("warning", 0), by_severity.get("info", 0),
                             problems, tuple(written))
    except AssemblerError as exc:
        return replace(base, problems=tuple(str(p) for p in exc.problems))
    except Exception as exc:  # noqa: BLE001 - a bug must not end the batch
        return replace(base, problems=(_internal(exc, stage),))


def _compact(result: VariantResult) -> VariantResult:
    """*result* as the parent keeps it: the status and file names every variant repeats are one
    string each (each result comes back from a worker as new strings), so a batch's memory grows
    only by what is particular to each variant."""
    return replace(result, status=sys.intern(result.status), files=tuple(sys.intern(f) for f in result.files))


# --------------------------------------------------------------------------------------------
# Progress


class _Progress:
    """``[#####.....] 37/100 ok 35 failed 2`` on one line (TTY), else a line per variant."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = self.ok = self.failed = 0
        try:
            self.tty = bool(stream is not None and stream.isatty())
        except (AttributeError, ValueError, OSError):
            self.tty = False
        if self.tty:
            self._bar()

    def _bar(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} ok {self.ok} failed {self.failed}")
        self.stream.flush()

    def update(self, result: VariantResult) -> None:
        self.done += 1
        if result.status == OK:
            self.ok += 1
        else:
            self.failed += 1
        if self.stream is None:
            return
        if self.tty:
            self._bar()
            return
        width = len(str(self.total))
        if result.status == OK:
            detail = (f"{result.termsheet} -> {result.output} "
                      f"(errors {result.errors}, warnings {result.warnings})")
        else:
            detail = result.problems[0] if result.problems else result.termsheet
            if not detail.startswith(result.termsheet):  # e.g. located in a base term sheet
                detail = f"{result.termsheet}: {detail}"
            if len(result.problems) > 1:
                detail += f" (+{len(result.problems) - 1} more)"
        self.stream.write(f"[{self.done:>{width}}/{self.total}] {result.status:<6} {detail}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------------------------
# The batch


def run_batch(paths: list[str], jobs: int | None, out_root: Path, *,
              progress: TextIO | None = sys.stderr,
              templates_dir: Path = TEMPLATES_DIR, force: bool = False) -> BatchSummary:
    """Build and check every term sheet named by ``paths`` with ``jobs`` worker processes.

    Never raises for a bad variant: each one's outcome is in the returned summary, which is also
    written to ``out_root`` as CSV and JSON.
    """
    out_root = Path(out_root)
    inputs = expand_paths(paths)
    total = len(inputs)
    bar = _Progress(progress, total)
    results: list[VariantResult | None] = [None] * total

    def finish(index: int, result: VariantResult) -> None:
        results[index] = _compact(result)
        bar.update(result)

    for index, (file, problem) in enumerate(inputs):
        if problem is not None:
            finish(index, VariantResult(file, FAILED, problems=(f"{file}: {problem}",)))

    todo = [i for i in range(total) if results[i] is None]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    try:
        if todo:
            _import_before_forking()
            with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                     initargs=(os.getpid(),)) as pool:
                # Phase 1: learn every deal name (in parallel, NAMES_PER_TASK term sheets a task).
                deal_names: list[str | None] = [None] * total
                chunks = [todo[k:k + NAMES_PER_TASK] for k in range(0, len(todo), NAMES_PER_TASK)]

                def named(chunk: int, outcomes: tuple[tuple[str | None, tuple[str, ...]], ...]) -> None:
                    for i, (deal_names[i], problems) in zip(chunks[chunk], outcomes):
                        if deal_names[i] is None:
                            finish(i, VariantResult(inputs[i][0], FAILED, problems=problems))

                _run_bounded(pool, _name_tasks,
                             [(c, (tuple(inputs[i][0] for i in chunk),)) for c, chunk in enumerate(chunks)],
                             workers * IN_FLIGHT_PER_WORKER, named,
                             lambda c, exc: tuple((None, (_internal(exc),)) for _ in chunks[c]))
                # The parent names the folders, in input order: stable across reruns.
                names = assign_folders(deal_names)
                # Phase 2: load, build and check each variant that loaded.
                _run_bounded(
                    pool, _build_task,
                    [(i, (inputs[i][0], str(out_root), names[i], str(templates_dir), force))
                     for i in todo if names[i] is not None],
                    workers * IN_FLIGHT_PER_WORKER, finish,
                    lambda i, exc: VariantResult(inputs[i][0], FAILED, names[i] or "",
                                                 deal_names[i] or "", problems=(_internal(exc),)))
    finally:
        bar.close()

    summary = BatchSummary(out_root, [r for r in results if r is not None])
    summary.files = write_summary(summary)
    return summary


def _import_before_forking() -> None:
    """Import the check here, once, when the workers are forked from this process: each then starts
    with it imported instead of importing it for its first variant. An import that fails is left to
    the workers, which report it for each variant as they did."""
    import multiprocessing

    if multiprocessing.get_start_method() == "fork":
        try:
            import assembler.check.runner  # noqa: F401
        except Exception:  # noqa: BLE001 - the workers meet it again and report it
            pass


#: Tasks queued per worker process; more would only hold their arguments in the parent.
IN_FLIGHT_PER_WORKER = 4
#: Term sheets a phase-1 task loads for their deal names.
NAMES_PER_TASK = 16


def _run_bounded(pool: ProcessPoolExecutor, fn, tasks: list[tuple[int, tuple]], limit: int,
                 done: Callable[[int, object], None], on_error: Callable[[int, BaseException], object]) -> None:
    """Run ``fn(*args)`` for each ``(index, args)``, at most ``limit`` queued at once.

    ``done(index, result)`` is called as each finishes (ties in input order); a task whose worker
    failed gets ``on_error(index, exc)`` as its result.
    """
    queue = iter(tasks)
    running: dict[Future, int] = {}

    def submit_next() -> None:
        for index, args in queue:
            try:
                running[pool.submit(fn, *args)] = index
                return
            except (BrokenProcessPool, RuntimeError) as exc:  # the pool is broken or shut down
                done(index, on_error(index, RuntimeError(f"a worker process ended unexpectedly ({exc})")))

    for _ in range(limit):
        submit_next()
    while running:
        finished, _pending = wait_futures(running, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=running.__getitem__):
            index = running.pop(future)
            done(index, _outcome(future, lambda exc, index=index: on_error(index, exc)))
            submit_next()


def _outcome(future: Future, on_error):
    """The future's result, or ``on_error(exc)`` if the worker process itself failed."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return on_error(RuntimeError(f"a worker process ended unexpectedly ({exc})"))
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
        return on_error(exc)


# --------------------------------------------------------------------------------------------
# Summary: files, table, exit code

CSV_FIELDS = ("termsheet", "status", "output", "deal_name", "errors", "warnings", "infos",
              "message")


def _row(result: VariantResult) -> dict[str, object]:
    return {"termsheet": result.termsheet, "status": result.status, "output": result.output,
            "deal_name": result.deal_name, "errors": result.errors, "warnings": result.warnings,
            "infos": result.infos, "message": result.message}


def summary_csv(summary: BatchSummary) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in summary.results:
        writer.writerow(_row(result))
    return buf.getvalue()


def summary_json(summary: BatchSummary) -> str:
    """Version, totals, then each variant in input order; ``output`` is relative to this file."""
    data = {
        "version": SUMMARY_VERSION,
        "totals": {
            "variants": len(summary.results),
            "ok": summary.ok,
            "failed": summary.failed,
            "errors": sum(r.errors for r in summary.results),
            "warnings": sum(r.warnings for r in summary.results),
            "infos": sum(r.infos for r in summary.results),
        },
        "exit_code": exit_code(summary),
        "variants": [
            {**_row(r), "problems": list(r.problems), "files": list(r.files)}
            for r in summary.results
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_summary(summary: BatchSummary) -> list[Path]:
    """``batch-summary.csv`` and ``batch-summary.json`` in the output root, written atomically."""
    paths = [summary.out_root / SUMMARY_CSV, summary.out_root / SUMMARY_JSON]
    atomic_write(paths[0], summary_csv(summary).encode("utf-8"))
    atomic_write(paths[1], summary_json(summary).encode("utf-8"))
    return paths


def exit_code(summary: BatchSummary) -> int:
    """0: all built, no error findings; 1: some error finding; 2: some variant failed to build."""
    if summary.failed:
        return 2
    if any(r.errors for r in summary.results):
        return 1
    return 0


def format_table(summary: BatchSummary) -> str:
    """The on-screen table: one row per variant, then the totals and where the summary is."""
    header = ("variant", "status", "output", "errors", "warnings", "message")
    rows = []
    for r in summary.results:
        message = r.problems[0] if r.problems else ""
        if r.status != OK and len(r.problems) > 1:
            message += f" (+{len(r.problems) - 1} more)"
        elif r.status == OK and r.problems:
            message = "error findings: " + ", ".join(r.problems)
        output = str(summary.out_root / r.output) if r.output and r.status == OK else "-"
        rows.append((r.termsheet, r.status, output, str(r.errors) if r.status == OK else "-",
                     str(r.warnings) if r.status == OK else "-", message))
    widths = [max([len(header[c])] + [len(row[c]) for row in rows]) for c in range(5)]
    numeric = {3, 4}

    def line(cells) -> str:
        parts = [cell.rjust(widths[c]) if c in numeric else cell.ljust(widths[c])
                 for c, cell in enumerate(cells[:5])]
        return ("  ".join(parts) + "  " + cells[5]).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths) + ("-" * 7,))]
    out += [line(row) for row in rows]
    errors = sum(r.errors for r in summary.results)
    warnings = sum(r.warnings for r in summary.results)
    out.append("")
    out.append(f"{len(summary.results)} variant(s): {summary.ok} ok, {summary.failed} failed; "
               f"findings: {errors} error(s), {warnings} warning(s)")
    if summary.files:
        out.append("summary: " + ", ".join(str(p) for p in summary.files))
    return "\n".join(out) + "\n"


def main(paths: list[str], jobs: int | None = None, out_root: str | os.PathLike[str] = "output",
         *, out: TextIO | None = None, progress: TextIO | None = None, force: bool = False) -> int:
    """Run the batch, print the table on ``out`` (stdout), return the exit code."""
    out = out if out is not None else sys.stdout
    progress = progress if progress is not None else sys.stderr
    if jobs is not None and jobs < 1:
        out.write(f"assembler: -j must be at least 1, got {jobs}\n")
        return 2
    summary = run_batch(list(paths), jobs, Path(out_root), progress=progress, force=force)
    out.write(format_table(summary))
    return exit_code(summary)
