"""Template rendering with docxtpl: strict, autoescaped, and compiled once per process.

docxtpl recompiles the Jinja source of a template on every render (most of the render time).
`Template` keeps the compiled Jinja templates of each part, keyed by the part's patched XML, and
reuses them for every later render of the same file in this process.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from assembler.errors import Location, Problem, TemplateError

_TAG_TEXT = re.compile(r"<[^>]+>")


def make_environment() -> jinja2.Environment:
    """The Jinja environment every template renders in: missing values are errors, values are escaped."""
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True,
                              keep_trailing_newline=True)


class _CachingDocxTemplate(DocxTemplate):
    """DocxTemplate whose parts compile once: the compiled template is looked up by source XML."""

    def __init__(self, source, cache: dict, name: str):
        super().__init__(source)
        self._cache = cache
        self._name = name

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        key = hashlib.sha1(src_xml.encode("utf-8")).hexdigest()
        entry = self._cache.get(key)
        if entry is None:
            prepared = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            try:
                entry = (jinja_env.from_string(prepared), prepared)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(Problem(Location(self._name), _describe(exc, prepared))) from None
            self._cache[key] = entry
        compiled, prepared = entry
        self.current_rendering_part = part
        try:
            dst_xml = compiled.render(context)
        except jinja2.UndefinedError as exc:
            raise TemplateError(Problem(Location(self._name), f"unknown value: {exc.message}")) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(Problem(Location(self._name), _describe(exc, prepared))) from None
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        dst_xml = (dst_xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))
        return self.resolve_listing(dst_xml)


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


class Template:
    """One .docx template, read once; `render(context)` returns a rendered python-docx Document."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.blob = self.path.read_bytes()
        except OSError as exc:
            raise TemplateError(Problem(Location(str(path)), f"cannot read template: {exc.strerror}")) from None
        self.sha256 = hashlib.sha256(self.blob).hexdigest()
        self._env = make_environment()
        self._cache: dict = {}

    def render(self, context: dict):
        tpl = _CachingDocxTemplate(io.BytesIO(self.blob), self._cache, str(self.path))
        try:
            tpl.render(context, self._env, autoescape=True)
        except TemplateError:
            raise
        except Exception as exc:  # docxtpl raises bare exceptions for malformed tags
            raise TemplateError(Problem(Location(str(self.path)), f"cannot render: {exc}")) from None
        return tpl.docx


_TEMPLATES: dict[Path, Template] = {}


def load_template(path: Path) -> Template:
    """The process-wide compiled template for *path* (re-read when the file changed)."""
    path = Path(path).resolve()
    cached = _TEMPLATES.get(path)
    if cached is not None:
        try:
            if path.read_bytes() == cached.blob:
                return cached
        except OSError:
            pass
    template = Template(path)
    _TEMPLATES[path] = template
    return template
