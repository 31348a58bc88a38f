"""Template rendering with docxtpl's tag handling and Jinja: strict, autoescaped, compiled once.

Plain docxtpl re-reads the .docx, re-patches and re-compiles the Jinja source of every part on
every render, then re-compresses every part on save. A `Template` does the per-file work once per
process: it reads the zip, runs docxtpl's `patch_xml` (which makes Word's split runs and `{%p %}`
paragraph tags into Jinja) and compiles each templated part, parses numbering and styles, and
compresses every part that rendering does not change. A render is then: run the compiled Jinja,
parse the result, and (in `pack`) compress the parts that changed.
"""

from __future__ import annotations

import _signal
import copy
import hashlib
import io
import re
import signal
import threading
import types
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.sandbox
from jinja2 import nodes
from lxml import etree

from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import (W_STRICT_NS, Source, count_paragraphs, max_paragraphs, parse_xml, qn,
                                      read_parts)
from assembler.errors import DocumentError, Location, Problem, TemplateError, one_line
from assembler.memo import Kept
from assembler.safeio import MAX_DOCX_BYTES, read_input
from assembler.render import cache
from assembler.render.write import FIXED_TIMESTAMP, ZipEntry, write_ordered, zip_order
from assembler.xref.markers import AnchorNamespace, RefNamespace

_TAG_TEXT = re.compile(r"<[^>]+>")
_LISTING = re.compile(rb"<w:t[ >][^<]*[\t\n\a\f]")
_TEMPLATED = (b"{{", b"{%", b"{#")
MAIN = "word/document.xml"
CORE = "docProps/core.xml"
APP = "docProps/app.xml"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


#: Longest text a template may make by repeating or padding (characters), and longest rendered part.
MAX_VALUE_CHARS = 1_000_000
MAX_RENDERED_CHARS = 64 * 1024 * 1024
#: Longest a template may run (seconds, per part rendered); a real one takes milliseconds.
MAX_RENDER_SECONDS = 5.0
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\*|\d{4,})|%[-#0 +]*\d*\.(\*|\d{4,})")


#: What ``getattr`` finds on a plain dict (its methods and object's); any other name is one of its keys.
_DICT_ATTRIBUTES = frozenset(dir(dict))
#: The label namespaces (``anchor``, ``ref``), and what ``getattr`` finds on them by itself; any other name
#: not starting with "_" is a label, which their ``__getattr__`` makes into a marker.
_NAMESPACES = (AnchorNamespace, RefNamespace)
_NAMESPACE_ATTRIBUTES = frozenset(dir(AnchorNamespace)) | frozenset(dir(RefNamespace))


class _Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox (a template reaches only the values it is given: no attribute walks to globals,
    no dunder attributes, no unsafe callables) with bounds on what a template can make: repetition,
    powers, printf padding and call arguments stay small, so no tag allocates gigabytes."""

    intercepted_binops = frozenset({"*", "**", "%", "//", "+"})

    def getattr(self, obj, attribute):
        """Jinja's sandboxed ``obj.attribute``; a plain dict's key (a name no dict attribute has) and a
        namespace's label at once."""
        if type(attribute) is str:
            kind = type(obj)
            if kind is dict and attribute not in _DICT_ATTRIBUTES:
                try:  # a plain dict has no such attribute: the sandbox would look the key up
                    return obj[attribute]
                except (TypeError, LookupError):
                    return self.undefined(obj=obj, name=attribute)
            if kind in _NAMESPACES and attribute not in _NAMESPACE_ATTRIBUTES and not attribute.startswith("_"):
                # no such attribute: the sandbox would call __getattr__ and find its marker safe
                return obj.__getattr__(attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_VALUE_CHARS:
                    raise jinja2.sandbox.SecurityError(f"repetition makes more than {MAX_VALUE_CHARS:,} items")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
                raise jinja2.sandbox.SecurityError("number too large")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                    right * max(left.bit_length(), 1) > 4096:
                raise jinja2.sandbox.SecurityError("number too large")
        elif operator == "%" and isinstance(left, str):
            if _PRINTF_WIDTH.search(left):
                raise jinja2.sandbox.SecurityError("format width too large")
        elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if len(left) + len(right) > MAX_VALUE_CHARS:
                raise jinja2.sandbox.SecurityError(f"text longer than {MAX_VALUE_CHARS:,} characters")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > MAX_VALUE_CHARS:
                raise jinja2.sandbox.SecurityError("number too large for a call")
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_VALUE_CHARS:
            raise jinja2.sandbox.SecurityError(f"a call made more than {MAX_VALUE_CHARS:,} items")
        return result


def _bounded_filter(name, function):
    """A padding filter (center, indent, format, wordwrap...) that refuses a huge width or result."""
    def bounded(*args, **kwargs):
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and abs(value) > 10_000:
                raise jinja2.sandbox.SecurityError(f"{name}: width too large")
        if name == "format" and args and isinstance(args[0], str) and _PRINTF_WIDTH.search(args[0]):
            raise jinja2.sandbox.SecurityError("format width too large")
        result = function(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_VALUE_CHARS:
            raise jinja2.sandbox.SecurityError(f"{name}: result longer than {MAX_VALUE_CHARS:,} characters")
        return result
    for attr in ("jinja_pass_arg",):
        if hasattr(function, attr):
            setattr(bounded, attr, getattr(function, attr))
    return bounded


def make_environment() -> jinja2.Environment:
    """The Jinja environment every template renders in: sandboxed, missing values are errors, values are
    escaped."""
    env = _Sandbox(undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=True)
    for name in ("center", "indent", "format", "wordwrap", "truncate", "filesizeformat", "urlize"):
        env.filters[name] = _bounded_filter(name, env.filters[name])
    return env


class _TooLong(Exception):
    pass


def _expire(signum, frame):
    raise _TooLong()


class _time_limit:  # noqa: N801 - used as the context manager it replaced
    """Stop a render that runs longer than *seconds* (main thread only; elsewhere no limit).

    A class rather than a generator, and the signal module's own `_signal.signal` rather than its wrapper
    (which makes the handlers it returns into enums, raising and catching a ValueError for a function): the
    same handler and timer set and put back, at a fraction of the cost, for every part of every render."""

    __slots__ = ("seconds", "armed", "previous", "old_timer")

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self) -> None:
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if self.armed:
            self.previous = _signal.signal(signal.SIGALRM, _expire)
            self.old_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc_info) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _signal.signal(signal.SIGALRM, self.previous)
            if self.old_timer[0]:
                signal.setitimer(signal.ITIMER_REAL, *self.old_timer)


def _template_line(exc: BaseException) -> int | None:
    """The template line an exception was raised at (Jinja's rewritten frames), if any."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(exc: BaseException, source: str, lineno: int | None = None) -> str:
    """A Jinja error with the text of the paragraph it happened in (XML line numbers mean nothing)."""
    lineno = lineno or getattr(exc, "lineno", None) or _template_line(exc)
    where = ""
    if lineno:
        lines = source.splitlines()
        if 0 < lineno <= len(lines):
            text = _TAG_TEXT.sub("", lines[lineno - 1]).strip()
            if text:
                where = f" in paragraph “{text[:120]}”"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"template error{where}: {one_line(message, 200)}"


#: docxtpl's escaped braces, in the order they are made plain, each with a byte it cannot be found without.
_ESCAPED_BRACES = ((b"{_{", b"{{", b"{"), (b"}_}", b"}}", b"}"), (b"{_%", b"{%", b"{"), (b"%_}", b"%}", b"}"))
_PARAGRAPH_OPENINGS = (b"<w:p ", b"<w:p>")


def _unescape(xml: bytes) -> bytes:
    """A rendered part without the line breaks `Template._compile` put before paragraphs, and with
    docxtpl's escaped braces ({_{ and the like) made plain. The patterns are ASCII, so replacing them
    in the UTF-8 bytes is replacing them in the text; a search for one byte is far cheaper than one
    for a pattern, so the lines are split at line breaks and a pattern is looked for only where its
    brace stands."""
    lines = xml.split(b"\n")
    if len(lines) > 1:  # a line break followed by a paragraph's opening tag goes
        xml = b"".join([lines[0], *(line if line.startswith(_PARAGRAPH_OPENINGS) else b"\n" + line
                                    for line in lines[1:])])
    for escaped, plain, brace in _ESCAPED_BRACES:
        if brace in xml:
            xml = xml.replace(escaped, plain)
    return xml


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
        self.blob = read_input(self.path, limit=MAX_DOCX_BYTES, what="Word template (.docx)", error=TemplateError)
        self.sha256 = hashlib.sha256(self.blob).hexdigest()
        self._env = make_environment()
        self._docxtpl_object = None
        self._compiled: dict[str, tuple[jinja2.Template, str]] = {}
        entry = cache.load(self.sha256)  # this very template, checked and compiled by an earlier process
        if entry is not None and MAIN in entry["parts"] and MAIN in entry["codes"] \
                and set(entry["static"]) == set(entry["parts"]) - set(entry["codes"]) - {CORE}:
            self.parts, codes = entry["parts"], entry["codes"]
            self._check_length()
            static = {name: ZipEntry(name, *value) for name, value in entry["static"].items()}
        else:
            self._read_and_check()
            codes = {}
            for name, data in self.parts.items():
                if name.endswith(".xml") and name.startswith("word/") and any(t in data for t in _TEMPLATED):
                    codes[name] = self._compile(data.decode("utf-8"))
            if MAIN not in codes:
                codes[MAIN] = self._compile(self.parts[MAIN].decode("utf-8"))
            static = {name: ZipEntry.of(name, data) for name, data in self.parts.items()
                      if name not in codes and name != CORE}
            cache.store(self.sha256, codes, self.parts,
                        {name: (e.crc, e.size, e.deflated) for name, e in static.items()})
        globals_ = self._env.make_globals(None)
        for name, (code, prepared) in codes.items():
            self._compiled[name] = (self._env.template_class.from_code(self._env, code, globals_, None), prepared)
        self.numbering = self._parse_part("word/numbering.xml")
        self.styles = self._parse_part("word/styles.xml")
        self.numbering_engine = NumberingEngine(self.numbering, self.styles)
        self._core = self._parse_part(CORE)
        self._static = static
        self._entries = Kept(_KEPT, remembered=False)     # (part name, bytes) -> ZipEntry
        self._apps = Kept(_KEPT, remembered=False)        # company -> app.xml
        self._rendered = Kept(_KEPT, remembered=False)    # (part, listing, values it reads) -> rendered bytes
        # what each part other than the main one reads (see `_reads`), worked out at its second render: a
        # build renders a part once, and parsing it again (Jinja's lexer made first) would cost its cold start
        self._reads: dict[str, tuple | None] = {}
        self._rendered_once: set[str] = set()

    def _read_and_check(self) -> None:
        """The template's parts, out of the archive, each XML part checked (see `_check_parts`)."""
        try:
            self.parts = read_parts(self.path, self.blob)
        except DocumentError as exc:
            raise TemplateError(exc.problems) from None
        if MAIN not in self.parts:
            raise TemplateError(Problem(Location(self.name), f"not a Word .docx file (no {MAIN})"))
        self._check_length()
        self._check_parts()

    def _check_length(self) -> None:
        """The paragraph limit (which may differ from one run to the next) holds."""
        paragraphs = count_paragraphs(self.parts[MAIN])
        if paragraphs > max_paragraphs():
            raise TemplateError(Problem(Location(self.name), f"{paragraphs:,} paragraphs, more than the limit of "
                                                             f"{max_paragraphs():,} for a template"))

    def _where(self, name: str) -> str:
        return f"{self.name}!{name}"

    def _check_parts(self) -> None:
        """Every XML part parsed safely (no DOCTYPE or entity, well-formed, located errors); a part in
        another encoding (UTF-16) stored as UTF-8, so it renders and is copied as Word reads it."""
        for name, data in list(self.parts.items()):
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            try:
                root = parse_xml(data, self._where(name))
            except DocumentError as exc:
                raise TemplateError(exc.problems) from None
            if name == MAIN and root.tag == f"{{{W_STRICT_NS}}}document":
                raise TemplateError(Problem(Location(self.name), "Strict Open XML is not supported; save the "
                                                                 "template as a Word Document (.docx)"))
            if name == MAIN and root.tag != qn("w:document"):
                raise TemplateError(Problem(Location(self._where(name)), "the main part is not a Word document"))
            encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
            if encoding not in ("UTF-8", "UTF8"):
                self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _parse_part(self, name: str):
        data = self.parts.get(name)
        return parse_xml(data, self._where(name)) if data else None

    @property
    def _docxtpl(self):
        """docxtpl's template, for its tag patching, listing and table fixing (imported when needed)."""
        if self._docxtpl_object is None:
            from docxtpl import DocxTemplate

            self._docxtpl_object = DocxTemplate(io.BytesIO(self.blob))
        return self._docxtpl_object

    def _compile(self, xml: str) -> tuple[types.CodeType, str]:
        """A part's Jinja source (docxtpl's patching, one paragraph a line) compiled to Python code."""
        prepared = re.sub(r"<w:p([ >])", r"\n<w:p\1", self._docxtpl.patch_xml(xml))
        try:
            return self._env.compile(prepared), prepared
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(Problem(Location(self.name), _describe(exc, prepared))) from None

    def _render_part(self, name: str, context: dict, listing: bool = True) -> bytes:
        """The rendered XML of part *name*, UTF-8 encoded."""
        compiled, prepared = self._compiled[name]
        chunks, size = [], 0
        try:
            with _time_limit(MAX_RENDER_SECONDS):
                for chunk in compiled.generate(context):
                    size += len(chunk)
                    if size > MAX_RENDERED_CHARS:
                        raise jinja2.sandbox.SecurityError(f"the rendered part is longer than "
                                                           f"{MAX_RENDERED_CHARS:,} characters")
                    chunks.append(chunk)
            xml = "".join(chunks)
        except jinja2.UndefinedError as exc:
            raise TemplateError(Problem(Location(self.name), f"unknown value: {one_line(exc.message, 200)}")) from None
        except _TooLong as exc:
            raise TemplateError(Problem(Location(self.name), _describe(
                RuntimeError(f"the template ran longer than {MAX_RENDER_SECONDS:g} s (a loop too long?)"),
                prepared, _template_line(exc)))) from None
        except MemoryError:
            raise TemplateError(Problem(Location(self.name), "the template needs more memory than there is "
                                                             "(a value or loop too large)")) from None
        except RecursionError:
            raise TemplateError(Problem(Location(self.name), "the template nests too deeply")) from None
        except Exception as exc:  # noqa: BLE001 - whatever the template's code raises is the template's error
            raise TemplateError(Problem(Location(self.name), _describe(exc, prepared))) from None
        data = _unescape(xml.encode("utf-8"))
        if listing and _LISTING.search(data):  # a value with a tab or line break: docxtpl makes it Word markup
            data = self._docxtpl.resolve_listing(data.decode("utf-8")).encode("utf-8")
        return data

    def _render_other(self, name: str, context: dict, listing: bool) -> bytes:
        """`_render_part` for a part other than the main one; a part that only prints and tests values
        (a header: no filter, call, loop or assignment) is rendered once for the values it reads (kept
        by them: see `_values_read`)."""
        if name not in self._reads:
            if name not in self._rendered_once:
                self._rendered_once.add(name)
                return self._render_part(name, context, listing)
            self._reads[name] = _reads(self._env, self._compiled[name][1])
        key = _values_read(self._reads[name], context)
        if key is None:
            return self._render_part(name, context, listing)
        key = (name, listing, key)
        data = self._rendered.get(key)
        if data is None:
            data = self._render_part(name, context, listing)
            self._rendered.put(key, data)
        return data

    def render_tree(self, context: dict, listing: bool | None = None) -> Rendered:
        """Render every templated part; the main part comes back parsed, ready for references.

        *listing*: whether a value may hold tabs or line breaks that docxtpl must turn into Word
        markup; None looks through the context to find out."""
        if listing is None:
            listing = _has_listing_characters(context)
        main = self._render_part(MAIN, context, listing)
        try:
            root = parse_xml(main, self._where(MAIN))
        except DocumentError as exc:
            detail = exc.problems[0].message if exc.problems else "malformed"
            raise TemplateError(Problem(Location(self.name), f"the rendered document is not valid XML "
                                                             f"({one_line(detail, 200)}); a tag probably splits "
                                                             "a Word element")) from None
        if b"<w:tbl" in main:
            root = self._fix_tables(root)
        parts = {name: self._render_other(name, context, listing) for name in self._compiled if name != MAIN}
        return Rendered(self, root, parts)

    def _fix_tables(self, root: etree._Element) -> etree._Element:
        """docxtpl's column fix for tables whose rows gained cells (``{%tc %}``); a table it cannot
        fix (no grid, a column without a width) is left as Word wrote it."""
        try:
            return self._docxtpl.fix_tables(etree.tostring(root))
        except Exception:  # noqa: BLE001 - docxtpl's fix is best effort; the unfixed table is valid
            return root

    def pack(self, rendered: Rendered, title: str | None = None, *, subject: str | None = None,
             company: str | None = None, date: str | None = None) -> bytes:
        """The reproducible .docx bytes of *rendered*: unchanged parts reuse their compressed form.

        *title*, *subject* and *company* fill the document properties; *date* (ISO 8601, UTC) pins
        the created, modified and printed dates (by default 2000-01-01)."""
        return self.pack_parts(rendered, title, subject=subject, company=company, date=date)[0]

    def pack_parts(self, rendered: Rendered, title: str | None = None, *, subject: str | None = None,
                   company: str | None = None, date: str | None = None) -> tuple[bytes, Source]:
        """`pack`'s bytes, and what reading the file back would give, without reading it: the parts
        the archive holds (the very bytes stored, in the archive's order), the main part's tree (the
        rendered one, which those bytes serialise) and the parts that are the template's own
        (checked when the template was read)."""
        changed = {}
        if company is not None and APP in self.parts:
            changed[APP] = self._app_xml(company)
        changed[MAIN] = etree.tostring(rendered.document, xml_declaration=True, encoding="UTF-8", standalone=True)
        changed.update(rendered.parts)
        if self._core is not None:
            changed[CORE] = self._core_xml(title, subject, date)
        entries = dict(self._static)
        entries.update((name, self._entry(name, data)) for name, data in changed.items())
        order = zip_order(entries)
        parts = {name: changed[name] if name in changed else self.parts[name] for name in order}
        return write_ordered([entries[name] for name in order]), Source(parts, {MAIN: rendered.document},
                                                                        frozenset(parts).difference(changed))

    def _entry(self, name: str, data: bytes) -> ZipEntry:
        """*data* deflated as a part written on every render; a small part that renders the same for
        many deals (a header, the company's app.xml) is deflated once (kept by its bytes)."""
        if name in (MAIN, CORE) or len(data) > _SMALL_PART:
            return ZipEntry.of(name, data, level=1)
        key = (name, data)
        entry = self._entries.get(key)
        if entry is None:
            entry = ZipEntry.of(name, data, level=1)
            self._entries.put(key, entry)
        return entry

    def _app_xml(self, company: str) -> bytes:
        """docProps/app.xml with <Company> set to *company* (kept by company)."""
        data = self._apps.get(company)
        if data is None:
            data = _app_xml(self.parts[APP], company)
            self._apps.put(company, data)
        return data

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


#: The Jinja nodes of a part whose output is a function of the values it reads (see `_reads`).
_PURE_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem,
               nodes.Const, nodes.If, nodes.CondExpr, nodes.Not, nodes.And, nodes.Or, nodes.Compare, nodes.Operand)


def _reads(env: jinja2.Environment, source: str) -> tuple | None:
    """What a part's output depends on, when only on the values it reads: (the names it reads, the
    look-ups it makes: (name, key, key...) for ``name.key.key``); None for a part with any other node
    (a filter, call, loop or assignment may print what differs from one render to the next) or a
    look-up by a computed key."""
    try:
        ast = env.parse(source)
    except Exception:  # noqa: BLE001 - a part compiled already; any doubt renders it each time
        return None
    names, chains = set(), set()
    for node in ast.find_all(nodes.Node):
        if type(node) not in _PURE_NODES or (type(node) is nodes.Name and node.ctx != "load"):
            return None
        if type(node) is nodes.Name:
            if node.name in env.globals or node.name in _JINJA_NAMES:
                return None  # a function or Jinja's own object, printed with its address
            names.add(node.name)
        elif type(node) in (nodes.Getattr, nodes.Getitem):
            keys, inner = [], node
            while type(inner) in (nodes.Getattr, nodes.Getitem):
                key = inner.attr if type(inner) is nodes.Getattr else inner.arg
                if type(key) is nodes.Const:
                    key = key.value
                if type(key) is not str:
                    return None
                keys.append(key)
                inner = inner.node
            if type(inner) is not nodes.Name:
                return None  # a look-up into a constant or an expression: a method, say
            chains.add((inner.name, *reversed(keys)))
    return tuple(sorted(names)), tuple(sorted(chains))


#: Names Jinja gives a template itself.
_JINJA_NAMES = frozenset({"self", "loop", "super", "varargs", "kwargs", "caller"})


_ABSENT = object()


def _values_read(reads: tuple | None, context: dict):
    """The values a part reads (see `_reads`), frozen, as the key its rendering is kept by; None when they
    do not determine it: a look-up into anything but a mapping or nothing (which may give a method, printed
    with its address), by a name a mapping's methods have, or a value of another kind than the plain
    strings, whole numbers, flags, None, lists and string-keyed mappings of a deal's values."""
    if reads is None or type(context) is not dict:
        return None
    names, chains = reads
    for name, *keys in chains:
        value = context.get(name, _ABSENT)
        for key in keys:
            if value is None or value is _ABSENT:
                break  # an undefined value: the same error or test each time
            if type(value) is not dict or key in _DICT_ATTRIBUTES:
                return None
            value = value.get(key, _ABSENT)
    try:
        return tuple(_frozen(context.get(name, _ABSENT)) for name in names)
    except _NotFrozen:
        return None


class _NotFrozen(Exception):
    pass


def _frozen(value):
    """*value* as a hashable key, equal only for a value of the same kinds and contents."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or value is _ABSENT:
        return kind, value
    if kind is dict:
        if any(type(key) is not str for key in value):
            raise _NotFrozen
        return kind, tuple((key, _frozen(item)) for key, item in value.items())
    if kind is list:
        return kind, tuple(_frozen(item) for item in value)
    raise _NotFrozen


#: Largest part `Template._entry` keeps deflated, and how many it keeps (and app.xml per company).
_SMALL_PART = 16 * 1024
_KEPT = 32


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
