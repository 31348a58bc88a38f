"""The web page's workspace: a folder of term sheets and their builds, and what the page may touch.

Every path the page reads or writes goes through :meth:`Workspace.inside`: it must resolve (links
followed) to a place inside the workspace, else the request is refused. Builds of one deal are
serialised by a lock per output folder, so two tabs building the same deal run one after the other.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assembler import manifest
from assembler.batch import TERMSHEET_SUFFIXES, expand_paths
from assembler.build import DOCUMENTS, TEMPLATES_DIR, slugify
from assembler.errors import AssemblerError, Location, OutputError, Problem
from assembler.render.engine import load_template
from assembler.termsheet import load_termsheet

PRIVATE = ".assembler-web"


class BuildGate:
    """Builds of single deals run side by side (each deal under its own lock); a run of every
    variant of a folder waits for them to finish and holds the others off until it is done."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._builds = 0
        self._batch = False

    def build(self):
        return _Held(self, batch=False)

    def batch(self):
        return _Held(self, batch=True)

    def _enter(self, batch: bool) -> None:
        with self._cond:
            if batch:
                self._cond.wait_for(lambda: not self._batch and not self._builds)
                self._batch = True
            else:
                self._cond.wait_for(lambda: not self._batch)
                self._builds += 1

    def _leave(self, batch: bool) -> None:
        with self._cond:
            if batch:
                self._batch = False
            else:
                self._builds -= 1
            self._cond.notify_all()


class _Held:
    def __init__(self, gate: BuildGate, batch: bool) -> None:
        self.gate, self.is_batch = gate, batch

    def __enter__(self):
        self.gate._enter(self.is_batch)
        return self

    def __exit__(self, *exc) -> None:
        self.gate._leave(self.is_batch)


class Refused(Exception):
    """A request names a path outside what the page may touch (HTTP 404: nothing to see)."""


@dataclass
class DealStatus:
    """One term sheet as the deals list shows it."""

    id: str                                  # path relative to the term-sheet folder, '/'-separated
    path: Path
    deal_name: str = ""
    extends: str = ""
    out_dir: Path | None = None
    state: str = "not built"                 # not built | up to date | terms changed | hand-edited | invalid
    built: float | None = None               # manifest time
    edited: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    findings: dict[str, int] | None = None   # per severity, for the last build


class Workspace:
    def __init__(self, root: Path, termsheets: Path | None = None, output: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.termsheets = (termsheets or self.root / "termsheets").resolve()
        self.output = (output or self.root / "output").resolve()
        self.private = self.root / PRIVATE
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.gate = BuildGate()
        self._findings: dict[tuple, dict[str, int]] = {}
        for folder in (self.termsheets, self.output):
            try:
                self._within(folder, self.root)
            except Refused:
                raise AssemblerError(Problem(Location(str(folder)), f"leads outside the workspace {self.root}; "
                                             "the page reads and writes only inside it")) from None

    @staticmethod
    def _within(path: Path, root: Path) -> Path:
        resolved = Path(os.path.realpath(path))
        if resolved != root and root not in resolved.parents:
            raise Refused(str(path))
        return resolved

    def inside(self, relative: str, root: Path | None = None) -> Path:
        """``root / relative``, refused unless it stays inside *root* (default: the workspace)."""
        root = root or self.root
        if not relative or "\0" in relative or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
            raise Refused(relative)
        parts = relative.replace("\\", "/").split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise Refused(relative)
        return self._within(root.joinpath(*parts), root)

    def download(self, relative: str) -> Path:
        """A file the page may hand out: under the output folder or the page's own check results."""
        path = self.inside(relative)
        if not any(path == r or r in path.parents for r in (self.output, (self.private / "checks").resolve())):
            raise Refused(relative)
        if not path.is_file():
            raise Refused(relative)
        return path

    def sheet(self, deal_id: str) -> Path:
        """The term sheet named by *deal_id* (a path inside the term-sheet folder)."""
        path = self.inside(deal_id, self.termsheets)
        if path.suffix.lower() not in TERMSHEET_SUFFIXES or not path.is_file():
            raise Refused(deal_id)
        return path

    def describe(self, problem: Problem) -> str:
        """A located problem as the command line prints it, its file named from the workspace."""
        loc = problem.location
        return str(Problem(Location(self.shorten(loc.file), loc.line, loc.column, loc.field), problem.message))

    def shorten(self, text: str) -> str:
        """*text* with the workspace's own path left out (``termsheets/deal.yaml``, not ``/home/...``)."""
        return text.replace(str(self.root) + os.sep, "")

    def relative(self, path: Path) -> str:
        return Path(os.path.realpath(path)).relative_to(self.root).as_posix()

    def deal_id(self, path: Path) -> str:
        return Path(os.path.realpath(path)).relative_to(self.termsheets).as_posix()

    def sheets(self) -> list[Path]:
        if not self.termsheets.is_dir():
            return []
        return [Path(f) for f, problem in expand_paths([str(self.termsheets)]) if problem is None]

    def folders(self) -> list[str]:
        """The term-sheet folder and its sub-folders holding term sheets, as ids ('' is the top)."""
        found = {self.deal_id(p.parent) if p.parent != self.termsheets else "" for p in self.sheets()}
        return sorted(found | {""})

    def lock(self, out_dir: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(str(out_dir), threading.Lock())

    def private_dir(self, *parts: str) -> Path:
        folder = self.private.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder

    # ----------------------------------------------------------------------------------------

    def status(self, path: Path, with_findings: bool = True) -> DealStatus:
        st = DealStatus(self.deal_id(path), path)
        try:
            from assembler.termsheet.load import declared_base
            from assembler.web.form import base_named

            base = base_named(path, declared_base(path))  # the loader's reading: ruamel's costs ~10 ms a sheet
            st.extends = self.deal_id(base) if base is not None and base.is_file() else ""
        except (AssemblerError, ValueError):
            pass
        try:
            ts = load_termsheet(path)
        except AssemblerError as exc:
            st.state, st.problems = "invalid", [self.describe(p) for p in exc.problems]
            return st
        st.deal_name = ts.deal_name
        st.out_dir = self.output / slugify(ts.deal_name)
        try:
            previous = manifest.read_manifest(st.out_dir)
        except OutputError as exc:
            st.state, st.problems = "invalid", [self.describe(p) for p in exc.problems]
            return st
        if previous is None:
            return st
        st.built = (st.out_dir / manifest.MANIFEST).stat().st_mtime
        templates = {s.template: load_template(TEMPLATES_DIR / s.template).sha256 for s in DOCUMENTS}
        inputs = manifest.inputs_of(path.read_bytes(), ts, templates)
        names = sorted(n for n in previous.get("outputs", {}) if (st.out_dir / n).exists())
        plan = manifest.plan_rebuild(st.out_dir, previous, inputs, names)
        st.edited, st.changes = plan.edited, plan.changes
        if plan.edited:
            st.state = "hand-edited"
        elif plan.up_to_date or (not plan.changes and all(previous.get(k) == v for k, v in inputs.items()
                                                          if k != "termsheet_sha256")):
            st.state = "up to date"
        else:
            st.state = "terms changed"
        if with_findings:
            st.findings = self.findings_of(st.out_dir, previous, ts)
        return st

    def findings_of(self, out_dir: Path, previous: dict, ts) -> dict[str, int] | None:
        """Finding counts of the documents of the last build (cached by their hashes)."""
        from assembler.check.runner import check_paths
        from assembler.report.common import summary

        paths = [out_dir / s.output for s in DOCUMENTS]
        if not all(p.is_file() for p in paths):
            return None
        key = (str(out_dir), tuple(previous.get("outputs", {}).get(s.output) for s in DOCUMENTS))
        if key not in self._findings:
            try:
                _package, findings = check_paths(paths, ts)
            except AssemblerError:
                return None
            self._findings[key] = summary(findings)
        return self._findings[key]

    def new_variant(self, base_id: str, file_name: str, deal_name: str) -> Path:
        """Write ``file_name`` beside the base term sheet: ``extends:`` the base, with its own deal name."""
        base = self.sheet(base_id)
        stem = slugify(file_name.removesuffix(".yaml").removesuffix(".yml")) if file_name.strip() else ""
        where = Location(file_name or "new term sheet", field="file")
        if not stem or stem == "deal" and not file_name.strip():
            raise AssemblerError(Problem(where, "give the new term sheet a file name"))
        if not deal_name.strip():
            raise AssemblerError(Problem(Location(stem + ".yaml", field="deal_name"),
                                         "give the new deal a name"))
        target = base.parent / f"{stem}.yaml"
        if target.exists():
            raise AssemblerError(Problem(Location(self.relative(target), field="file"), "already exists; "
                                         "choose another name"))
        taken = {slugify(s.deal_name) for s in (self.status(p, with_findings=False) for p in self.sheets())
                 if s.deal_name}
        if slugify(deal_name) in taken:
            raise AssemblerError(Problem(Location(self.relative(target), field="deal_name"),
                                         f"another term sheet already builds into output/{slugify(deal_name)}; "
                                         "choose a different deal name"))
        from assembler.web.form import new_variant_text, validate_text

        text = new_variant_text(base.name, deal_name.strip())
        validate_text(target, text)
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
        return target
