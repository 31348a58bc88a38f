"""Template rendering with docxtpl's tag handling and Jinja: strict, autoescaped, compiled once.

Plain docxtpl re-reads the .docx, re-patches and re-compiles the Jinja source of every part on
every render, then re-compresses every part on save. A `Template` does the per-file work once per
process: it reads the zip, runs docxtpl's `patch_xml` (which makes Word's split runs and `{%p %}`
paragraph tags into Jinja) and compiles each templated part, parses numbering and styles, and
compresses every part that rendering does not change. A render is then: run the compiled Jinja,
parse the result, and (in `pack`) compress the parts that changed.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from lxml import etree

from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import qn
from assembler.errors import Location, Problem, TemplateError
from assembler.render.write import FIXED_TIMESTAMP, ZipEntry, write_zip

_TAG_TEXT = re.compile(r"<[^>]+>")
_LISTING = re.compile(r"<w:t[ >][^<]*[\t\n\a\f]")
_TEMPLATED = (b"{{", b"{%", b"{#")
MAIN = "word/document.xml"
CORE = "docProps/core.xml"
APP = "docProps/app.xml"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def make_environment() -> jinja2.Environment:
    """The Jinja environment every template renders in: missing values are errors, values are escaped."""
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=True)


def _describe(exc: jinja2.TemplateError, source: str) -> str:
    """A Jinja error with the text of the paragraph it happened in (XML line numbers mean nothing)."""
    lineno = getattr(exc, "lineno", None)
    where = ""
    if lineno:
        lines = source.splitlines()
        if 0 < lineno <= len(lines):
            text = _TAG_TEXT.sub("", lines[lineno - 1]).strip()
            if text:
                where = f" in paragraph “{text[:120]}”"
    return f"template error{where}: {exc.message or exc}"


def _has_listing_characters(value, depth: int = 0) -> bool:
    """Whether any text in the context holds a tab, line break or page break docxtpl must convert."""
    if isinstance(value, str):
        return any(ch in value for ch in "\t\n\a\f")
    if depth > 8:
        return True
    if isinstance(value, dict):
        return any(_has_listing_characters(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_listing_characters(v, depth + 1) for v in value)
    return False


@dataclass
class Rendered:
    """One rendered document: the parsed main part, and the other parts that rendering changed."""

    template: Template
    document: etree._Element
    parts: dict[str, bytes]

    @property
    def body(self) -> etree._Element:
        return self.document.find(qn("w:body"))


class Template:
    """One .docx template, read and compiled once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = str(path)
        try:
            self.blob = self.path.read_bytes()
            archive = zipfile.ZipFile(io.BytesIO(self.blob))
            self.parts = {info.filename: archive.read(info) for info in archive.infolist()}
        except OSError as exc:
            raise TemplateError(Problem(Location(self.name), f"cannot read template: {exc.strerror}")) from None
        except zipfile.BadZipFile:
            raise TemplateError(Problem(Location(self.name), "not a Word .docx file (not a zip archive)")) from None
        if MAIN not in self.parts:
            raise TemplateError(Problem(Location(self.name), "not a Word .docx file (no word/document.xml)"))
        self.sha256 = hashlib.sha256(self.blob).hexdigest()
        self._env = make_environment()
        self._docxtpl = DocxTemplate(io.BytesIO(self.blob))  # for its tag patching and listing helpers
        self._compiled: dict[str, tuple[jinja2.Template, str]] = {}
        for name, data in self.parts.items():
            if name.endswith(".xml") and name.startswith("word/") and any(t in data for t in _TEMPLATED):
                self._compiled[name] = self._compile(data.decode("utf-8"))
        if MAIN not in self._compiled:
            self._compiled[MAIN] = self._compile(self.parts[MAIN].decode("utf-8"))
        self.numbering = self._parse_part("word/numbering.xml")
        self.styles = self._parse_part("word/styles.xml")
        self.numbering_engine = NumberingEngine(self.numbering, self.styles)
        core = self.parts.get(CORE)
        self._core = etree.fromstring(core) if core else None
        self._static = {name: ZipEntry.of(name, data) for name, data in self.parts.items()
                        if name not in self._compiled and name != CORE}

    def _parse_part(self, name: str):
        data = self.parts.get(name)
        return etree.fromstring(data) if data else None

    def _compile(self, xml: str) -> tuple[jinja2.Template, str]:
        prepared = re.sub(r"<w:p([ >])", r"\n<w:p\1", self._docxtpl.patch_xml(xml))
        try:
            return self._env.from_string(prepared), prepared
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(Problem(Location(self.name), _describe(exc, prepared))) from None

    def _render_part(self, name: str, context: dict, listing: bool = True) -> str:
        compiled, prepared = self._compiled[name]
        try:
            xml = compiled.render(context)
        except jinja2.UndefinedError as exc:
            raise TemplateError(Problem(Location(self.name), f"unknown value: {exc.message}")) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(Problem(Location(self.name), _describe(exc, prepared))) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise TemplateError(Problem(Location(self.name), f"cannot render: {exc}")) from None
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if listing and _LISTING.search(xml):  # a value with a tab or line break: docxtpl makes it Word markup
            xml = self._docxtpl.resolve_listing(xml)
        return xml

    def render_tree(self, context: dict, listing: bool | None = None) -> Rendered:
        """Render every templated part; the main part comes back parsed, ready for references.

        *listing*: whether a value may hold tabs or line breaks that docxtpl must turn into Word
        markup; None looks through the context to find out."""
        if listing is None:
            listing = _has_listing_characters(context)
        main = self._render_part(MAIN, context, listing)
        try:
            if "<w:tbl" in main:
                root = self._docxtpl.fix_tables(main)
            else:
                root = etree.fromstring(main.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise TemplateError(Problem(Location(self.name), f"the rendered document is not valid XML ({exc}); "
                                                              "a tag probably splits a Word element")) from None
        parts = {name: self._render_part(name, context, listing).encode("utf-8")
                 for name in self._compiled if name != MAIN}
        return Rendered(self, root, parts)

    def pack(self, rendered: Rendered, title: str | None = None, *, subject: str | None = None,
             company: str | None = None, date: str | None = None) -> bytes:
        """The reproducible .docx bytes of *rendered*: unchanged parts reuse their compressed form.

        *title*, *subject* and *company* fill the document properties; *date* (ISO 8601, UTC) pins
        the created, modified and printed dates (by default 2000-01-01)."""
        entries = dict(self._static)
        if company is not None and APP in self.parts:
            entries[APP] = ZipEntry.of(APP, _app_xml(self.parts[APP], company), level=1)
        entries[MAIN] = ZipEntry.of(MAIN, etree.tostring(rendered.document, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True), level=1)
        for name, data in rendered.parts.items():
            entries[name] = ZipEntry.of(name, data, level=1)
        if self._core is not None:
            entries[CORE] = ZipEntry.of(CORE, self._core_xml(title, subject, date), level=1)
        return write_zip(entries.values())

    def _core_xml(self, title: str | None, subject: str | None = None, date: str | None = None) -> bytes:
        core = copy.deepcopy(self._core)
        for tag, value in ((f"{{{_DC}}}title", title), (f"{{{_DC}}}subject", subject)):
            if value is not None:
                el = core.find(tag)
                if el is None:
                    el = etree.SubElement(core, tag)
                el.text = value
        for tag in (f"{{{_DCTERMS}}}created", f"{{{_DCTERMS}}}modified", f"{{{_CP}}}lastPrinted"):
            el = core.find(tag)
            if el is not None:
                el.text = date or FIXED_TIMESTAMP
        return etree.tostring(core, xml_declaration=True, encoding="UTF-8", standalone=True)


def _app_xml(data: bytes, company: str) -> bytes:
    """docProps/app.xml with <Company> set to *company*."""
    root = etree.fromstring(data)
    el = root.find(f"{{{_EP}}}Company")
    if el is None:
        el = etree.SubElement(root, f"{{{_EP}}}Company")
    el.text = company
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_TEMPLATES: dict[Path, tuple[int, int, Template]] = {}


def load_template(path: Path) -> Template:
    """The process-wide compiled template for *path*, read again only when the file changed."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(Problem(Location(str(path)), f"cannot read template: {exc.strerror}")) from None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _TEMPLATES.get(path)
    if cached is not None and cached[:2] == key:
        return cached[2]
    template = Template(path)
    _TEMPLATES[path] = (*key, template)
    return template
