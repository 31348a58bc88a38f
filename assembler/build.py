"""`assembler build`: term sheet -> context -> rendered XML -> resolved references -> .docx files."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assembler import manifest, outdir
from assembler.docmodel.numbering import NumberingEngine
from assembler.errors import DocumentError, Location, OutputError, Problem
from assembler.render.context import deal_values, document_context, series_name
from assembler.render.engine import load_template
from assembler.render import toc
from assembler.render.write import atomic_write, docx_bytes
from assembler.termsheet import load_termsheet
from assembler.xref.resolve import Story, resolve

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    template: str
    output: str
    title: str


DOCUMENTS = (
    DocumentSpec("agreement", "agreement.docx", "securities-purchase-agreement.docx",
                 "Securities Purchase Agreement"),
    DocumentSpec("glossary", "glossary.docx", "exhibit-1-glossary-of-defined-terms.docx",
                 "Exhibit 1 - Glossary of Defined Terms"),
    DocumentSpec("certificate", "certificate.docx", "exhibit-2-certificate-of-designations.docx",
                 "Exhibit 2 - Certificate of Designations"),
)
PACKAGE_OUTPUT = "deal-package.docx"


@dataclass
class BuildResult:
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)     # key -> written path
    pdfs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)         # outputs actually (re)written this time
    up_to_date: bool = False                                  # inputs unchanged: nothing was written
    changes: list[str] = field(default_factory=list)         # term-sheet fields changed since the last build
    kept: dict[str, Path] = field(default_factory=dict)       # hand-edited outputs kept aside (--force)
    redlines: dict[str, tuple[Path, list[str]]] = field(default_factory=dict)  # name -> (file, summary)
    checked: list[str] = field(default_factory=list)         # files the consistency pass read
    findings: list | None = None                              # None when the check was not run
    package: object = None                                    # the checked document model
    termsheet: object = None                                  # the validated term sheet built from
    # each document rendered this time, in memory (path -> ooxml.Source: its parts as written): the
    # check reads them from here, not back from disk; run_check lets go of them
    sources: dict[Path, object] = field(default_factory=dict)


def slugify(name: str) -> str:
    """A safe folder name from a deal name: ASCII letters, digits and dashes, never empty or '..'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:80].strip("-") or "deal"


def _story(key: str, doc, template_of: dict[str, str]) -> Story:
    """A python-docx Document (the combined package) as a Story for reference resolution."""
    part = doc.part
    try:
        numbering = part.numbering_part.element
    except NotImplementedError:
        numbering = None
    return Story(key, doc.element.body, numbering, doc.styles.element, template_of)


def document_subject(ts) -> str:
    """The subject property of every output: the financing (the issuer and the series)."""
    return f"{series_name(ts.series)} of {ts.company.name}"


def build_package(ts, templates_dir: Path = TEMPLATES_DIR, combined: bool = False) -> dict[str, bytes]:
    """The bytes of each output file: the three documents, and with *combined* the package file."""
    return render_package(ts, templates_dir, combined)[0]


def load_templates(templates_dir: Path = TEMPLATES_DIR) -> dict:
    """The three documents' templates (key -> Template), each read once per process (see load_template)."""
    return {s.key: load_template(templates_dir / s.template) for s in DOCUMENTS}


def render_package(ts, templates_dir: Path = TEMPLATES_DIR, combined: bool = False,
                   templates: dict | None = None) -> tuple[dict[str, bytes], dict]:
    """`build_package`'s bytes, and each of the three documents in memory (name -> ooxml.Source:
    its parts exactly as the archive holds them; see Template.pack_parts). *templates*: those of
    *templates_dir* already loaded (`load_templates`)."""
    template_of = {s.key: str(templates_dir / s.template) for s in DOCUMENTS}
    if templates is None:
        templates = load_templates(templates_dir)
    values = deal_values(ts)
    contexts = {s.key: document_context(values, s.key) for s in DOCUMENTS}
    # The term sheet refuses control characters, so no value holds a tab or line break to convert.
    rendered = {key: templates[key].render_tree(contexts[key], listing=False) for key in templates}
    if combined:  # the package combines the same renders, taken before their references are resolved
        from docx import Document

        from assembler.render.package import combine

        docs = {key: Document(io.BytesIO(templates[key].pack(r, company=ts.company.name)))
                for key, r in rendered.items()}
    resolve([Story(key, r.body, r.template.numbering, r.template.styles, template_of,
                   engine=r.template.numbering_engine) for key, r in rendered.items()])
    pages = {}  # the table of contents, when the term sheet asks for one: page numbers from LibreOffice
    for key, r in rendered.items():
        entries = toc.fill(r.body, r.template.numbering_engine, template_of[key])
        if entries:
            pages[key] = toc.page_numbers(templates[key].pack(r), entries, template_of[key])
            toc.set_pages(entries, pages[key])
    subject, dated = document_subject(ts), dt.datetime.combine(ts.effective_date, dt.time())
    packed = {spec.output: templates[spec.key].pack_parts(rendered[spec.key], f"{spec.title} ({ts.deal_name})",
                                                          subject=subject, company=ts.company.name,
                                                          date=f"{ts.effective_date.isoformat()}T00:00:00Z")
              for spec in DOCUMENTS}
    out = {name: data for name, (data, _source) in packed.items()}
    if combined:
        package = combine(docs["agreement"], [(k, docs[k]) for k in ("glossary", "certificate")])
        story = _story("package", package, template_of)
        resolve([story])
        if "agreement" in pages:  # the agreement opens the package: its pages are numbered alike
            toc.set_pages(toc.fill(story.body, NumberingEngine(story.numbering, story.styles)), pages["agreement"])
        package.core_properties.title = f"Deal package ({ts.deal_name})"
        package.core_properties.subject = subject
        out[PACKAGE_OUTPUT] = docx_bytes(package, dated)
    return out, {name: source for name, (_data, source) in packed.items()}


def build(termsheet: Path, out_root: Path | None = None, *, combined: bool = False, pdf: bool = False,
          templates_dir: Path = TEMPLATES_DIR, check: bool = False, force: bool = False,
          out_dir: Path | None = None) -> BuildResult:
    """Load, render and write a deal package; every file is complete before any is replaced.

    Beside the outputs, manifest.json records what went in and what came out. A rebuild with
    unchanged inputs writes nothing; an output edited since the last build stops the build unless
    *force* (the edited copy is then kept beside the new one); an output that changed gets a
    redline against its previous version under redlines/. The outputs go to *out_dir*, by default
    *out_root*/<deal name>.
    """
    ts = load_termsheet(termsheet)
    out_dir = Path(out_dir) if out_dir is not None else Path(out_root or "output") / slugify(ts.deal_name)
    loaded = load_templates(templates_dir)
    templates = {spec.template: loaded[spec.key].sha256 for spec in DOCUMENTS}
    try:
        sheet_bytes = Path(termsheet).read_bytes()
    except OSError:
        sheet_bytes = b""
    inputs = manifest.inputs_of(sheet_bytes, ts, templates)
    names = [spec.output for spec in DOCUMENTS] + ([PACKAGE_OUTPUT] if combined else [])
    with outdir.locked(out_dir):
        outdir.remove_stale_temporaries(out_dir)
        result = _write_build(ts, out_dir, inputs, names, templates_dir, combined, force, loaded)
    if pdf:
        convert_to_pdf(list(result.files.values()), out_dir, result)
    if check:
        run_check(result, ts)
    return result


def _write_build(ts, out_dir: Path, inputs: dict, names: list[str], templates_dir: Path, combined: bool,
                 force: bool, templates: dict | None = None) -> BuildResult:
    """The rebuild itself, with the folder locked: plan against the manifest, render, then replace
    the files as one set (recorded as unfinished until the manifest is written)."""
    unfinished = outdir.incomplete(out_dir)
    previous = manifest.read_manifest(out_dir)
    plan = manifest.plan_rebuild(out_dir, previous, inputs, names, ours=unfinished or {})
    result = BuildResult(out_dir, changes=plan.changes, termsheet=ts)
    if unfinished is not None:
        result.notes.append(outdir.unfinished_note(out_dir) + "; rebuilding every file")
    if plan.up_to_date and not force and unfinished is None:
        result.up_to_date = True
        result.files = {name: out_dir / name for name in names}
        return result
    if plan.edited and not force:
        raise OutputError([Problem(Location(str(out_dir / name)),
                                   "edited since the last build (its contents differ from manifest.json); "
                                   "not overwritten. Build again with --force to write the new version and "
                                   f"keep the edited one as {manifest.edited_copy_name(out_dir, name).name}")
                           for name in plan.edited])
    outputs, rendered = render_package(ts, templates_dir, combined, templates)
    hashes = {n: manifest.sha256(b) for n, b in outputs.items()}
    # An output of an earlier build that this one does not make (the package file, say) keeps
    # its recorded hash, so a hand edit to it is still caught next time.
    kept_hashes = {n: h for n, h in (previous or {}).get("outputs", {}).items()
                   if n not in outputs and (out_dir / n).exists()}
    # The redlines are made and written before any output is replaced, and their hashes recorded
    # with the outputs': a build killed while replacing files leaves every redline in place (the
    # next build keeps it: those files are then its own), and one killed earlier leaves the old
    # outputs, from which the next build makes the redlines again.
    redlines = make_redlines(out_dir, plan, outputs, result)
    redline_hashes = {target.relative_to(out_dir).as_posix(): manifest.sha256(data)
                      for target, data in redlines.values()}
    outdir.begin(out_dir, {**(unfinished or {}), **hashes, **redline_hashes})
    for target, data in redlines.values():
        atomic_write(target, data)
    for name in plan.edited:
        kept = manifest.edited_copy_name(out_dir, name)
        os.replace(out_dir / name, kept)
        result.kept[name] = kept
    for name, data in outputs.items():
        path = out_dir / name
        result.files[name] = path
        if plan.previous.get(name) == data and unfinished is None:
            continue
        atomic_write(path, data)
        result.written.append(name)
    result.sources = {out_dir / name: source for name, source in rendered.items()}
    # A redline an interrupted build wrote (recorded in its unfinished record) stays protected.
    carried = {n: h for n, h in (unfinished or {}).items() if n.startswith("redlines/") and n not in redline_hashes
               and _hash_of(out_dir / n) == h}
    manifest.write_manifest(out_dir, inputs, {**kept_hashes, **carried, **hashes, **redline_hashes})
    outdir.finish(out_dir)
    return result


def make_redlines(out_dir: Path, plan, outputs: dict[str, bytes], result: BuildResult) -> dict[str, tuple[Path, bytes]]:
    """redlines/<name>.redline.docx for each output that changes: the new version against the
    previous build's (or against the hand-edited copy it replaces), with a summary of the sections
    whose text changed. Returns name -> (target, bytes); nothing is written here."""
    made = {}
    folder = out_dir / "redlines"
    for name, data in outputs.items():
        if name in plan.edited:
            old = None  # the hand-edited file, still in place
        elif name in plan.previous and plan.previous[name] != data:
            old = plan.previous[name]
        else:
            continue
        target = folder / f"{Path(name).stem}.redline.docx"
        from assembler.docmodel.ooxml import read_package
        from assembler.redline import compare  # only when there is something to compare

        try:
            red, summary = compare(read_package(out_dir / name, old), read_package(out_dir / name, data))
        except DocumentError as exc:  # e.g. a hand-edited copy Word can no longer open
            result.notes.append(f"no redline for {name}: {exc}")
            continue
        made[name] = (target, red)
        result.redlines[name] = (target, summary.describe())
    return made


def _hash_of(path: Path) -> str | None:
    try:
        return manifest.sha256(path.read_bytes())
    except OSError:
        return None


def run_check(result: BuildResult, ts) -> None:
    """The consistency pass over the three documents just written, with the build's own term sheet."""
    from assembler.check.runner import check_paths

    paths = [result.files[spec.output] for spec in DOCUMENTS]
    result.checked = [str(p) for p in paths]
    result.package, result.findings = check_paths(paths, ts, sources=result.sources)
    result.sources = {}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(files: list[Path], out_dir: Path, result: BuildResult) -> None:
    """Convert *files* to PDF with LibreOffice headless, each run with its own fresh profile."""
    soffice = soffice_path()
    if soffice is None:
        result.notes.append("--pdf: LibreOffice (soffice) is not installed, so no PDF was made; "
                            "install it (e.g. apt-get install libreoffice-writer-nogui) and build again")
        return
    with tempfile.TemporaryDirectory(prefix="assembler-lo-") as profile, \
            tempfile.TemporaryDirectory(prefix="assembler-pdf-") as tmp:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", tmp, *map(str, files)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            result.notes.append("--pdf: LibreOffice did not finish within 300 s; no PDF was made")
            return
        for f in files:
            made = Path(tmp) / (f.stem + ".pdf")
            if made.exists():
                target = out_dir / made.name
                atomic_write(target, made.read_bytes())
                result.pdfs.append(target)
            else:
                result.notes.append(f"--pdf: LibreOffice made no PDF of {f.name}: {proc.stderr.strip()[:200]}")
