"""`assembler build`: term sheet -> context -> rendered XML -> resolved references -> .docx files."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assembler.render.context import build_context
from assembler.render.engine import load_template
from assembler.render.package import combine
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


def slugify(name: str) -> str:
    """A safe folder name from a deal name: ASCII letters, digits and dashes, never empty or '..'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:80].strip("-") or "deal"


def _story(key: str, doc, template_of: dict[str, str]) -> Story:
    part = doc.part
    numbering = part.numbering_part.element if _has_numbering(part) else None
    return Story(key, doc.element.body, numbering, doc.styles.element, template_of)


def _has_numbering(part) -> bool:
    try:
        part.numbering_part
    except NotImplementedError:
        return False
    return True


def render_documents(ts, templates_dir: Path) -> dict[str, object]:
    """Render the three templates for *ts* (markers still unresolved)."""
    rendered = {}
    for spec in DOCUMENTS:
        template = load_template(templates_dir / spec.template)
        rendered[spec.key] = template.render(build_context(ts, spec.key))
    return rendered


def build_package(ts, templates_dir: Path = TEMPLATES_DIR, combined: bool = False) -> dict[str, bytes]:
    """The bytes of each output file: the three documents, and with *combined* the package file."""
    template_of = {s.key: str(templates_dir / s.template) for s in DOCUMENTS}
    docs = render_documents(ts, templates_dir)
    stories = [_story(spec.key, docs[spec.key], template_of) for spec in DOCUMENTS]
    resolve(stories)
    for spec in DOCUMENTS:
        docs[spec.key].core_properties.title = f"{spec.title} ({ts.deal_name})"
    out = {spec.output: docx_bytes(docs[spec.key]) for spec in DOCUMENTS}
    if combined:
        again = render_documents(ts, templates_dir)
        package = combine(again["agreement"], [(k, again[k]) for k in ("glossary", "certificate")])
        resolve([_story("package", package, template_of)])
        package.core_properties.title = f"Deal package ({ts.deal_name})"
        out[PACKAGE_OUTPUT] = docx_bytes(package)
    return out


def build(termsheet: Path, out_root: Path | None = None, *, combined: bool = False, pdf: bool = False,
          templates_dir: Path = TEMPLATES_DIR) -> BuildResult:
    """Load, render and write a deal package; every file is complete before any is replaced."""
    ts = load_termsheet(termsheet)
    outputs = build_package(ts, templates_dir, combined)
    out_dir = Path(out_root or "output") / slugify(ts.deal_name)
    result = BuildResult(out_dir)
    for name, data in outputs.items():
        path = out_dir / name
        atomic_write(path, data)
        result.files[name] = path
    if pdf:
        convert_to_pdf(list(result.files.values()), out_dir, result)
    return result


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
