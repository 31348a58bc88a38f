"""Plain lxml helpers for WordprocessingML: namespaces, a hardened parser, a safe .docx reader.

Everything that reads a .docx goes through :func:`read_package` and :func:`parse_xml`, so every
hostile or broken input surfaces as one :class:`~assembler.errors.DocumentError` with a location.
"""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from assembler.errors import DocumentError, Location, Problem, one_line
from assembler.memo import keep, remember
from assembler.safeio import MAX_DOCX_BYTES, read_input

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

NSMAP: dict[str, str] = {
    "w": W_NS,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": PKG_REL_NS,
}

MAIN_DOCUMENT = "word/document.xml"

# Zip-bomb limits.
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECK_MIN_SIZE = 10 * 1024 * 1024
# XML compresses well (a 10 MB paragraph of one repeated sentence is a ratio of 1,000): XML parts may have
# any ratio while they inflate to at most this much in all; past it the ratio limit applies to them too.
RATIO_FREE_XML = 32 * 1024 * 1024
MAX_ENTRIES = 10_000
_CHUNK = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def qn(tag: str) -> str:
    """Clark name of a prefixed tag: ``qn("w:p")`` -> ``"{http://...main}p"``."""
    prefix, _, local = tag.partition(":")
    return f"{{{NSMAP[prefix]}}}{local}"


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)
# A paragraph of more than 10,000,000 characters is one text node longer than libxml2 reads by default; such
# a part (up to HUGE_TEXT_PART bytes) is read again with that limit lifted, and its nesting held to the
# default parser's (256 levels).
_HUGE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                               huge_tree=True, remove_comments=False)
HUGE_TEXT_PART = 64 * 1024 * 1024
MAX_DEPTH = 256


def _depth_exceeds(root: etree._Element, most: int) -> bool:
    depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > most:
            return True
    return False


def _looks_like_doctype(data: bytes) -> bool:
    """Whether raw XML bytes carry a DOCTYPE declaration (UTF-8 or UTF-16)."""
    head = data[:65536]
    if b"<!" in head and b"<!DOCTYPE" in head.upper():   # most parts hold no "<!": no copy made in upper case
        return True
    return "<!DOCTYPE".encode("utf-16-le") in head or "<!DOCTYPE".encode("utf-16-be") in head


def parse_xml(data: bytes, part_name: str) -> etree._Element:
    """Root element of one XML part; DOCTYPEs and malformed XML raise ``DocumentError``."""
    refused = "XML with a DOCTYPE is refused (entity expansion)"
    if _looks_like_doctype(data):
        raise DocumentError(Problem(Location(part_name), refused))
    try:
        try:
            root = etree.fromstring(data, parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            if "Text node too long" not in str(exc) or len(data) > HUGE_TEXT_PART:
                raise
            root = etree.fromstring(data, parser=_HUGE_PARSER)
            if _depth_exceeds(root, MAX_DEPTH):
                raise DocumentError(Problem(Location(part_name), f"malformed XML: elements nested more than "
                                                                 f"{MAX_DEPTH} deep")) from None
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        msg = one_line(getattr(exc, "msg", None) or str(exc), 200)
        raise DocumentError(Problem(Location(part_name, line=line), f"malformed XML: {msg}")) from None
    except (etree.LxmlError, ValueError) as exc:
        raise DocumentError(Problem(Location(part_name), f"malformed XML: {one_line(str(exc), 200)}")) from None
    if root is None:
        raise DocumentError(Problem(Location(part_name), "empty XML part"))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DocumentError(Problem(Location(part_name), refused))
    return root


class Package:
    """A read .docx: its part names mapped to bytes, XML parsed lazily and cached."""

    def __init__(self, path: str | Path, parts: dict[str, bytes]):
        self.path = Path(path)
        self.parts = parts
        self._xml: dict[str, etree._Element | None] = {}
        self._doc_rels: list[tuple[str, str]] | None = None
        self._main: str | None = None

    def _where(self, part_name: str) -> str:
        return f"{self.path}!{part_name}"

    def xml(self, part_name: str) -> etree._Element | None:
        """Parsed root of a part (cached); ``None`` if the package has no such part."""
        if part_name not in self._xml:
            data = self.parts.get(part_name)
            self._xml[part_name] = None if data is None else parse_xml(data, self._where(part_name))
        return self._xml[part_name]

    @property
    def main_part(self) -> str:
        """Name of the main document part (``officeDocument`` in ``_rels/.rels``)."""
        if self._main is None:
            main = MAIN_DOCUMENT
            for rel_type, target in _relationships(self, "_rels/.rels", ""):
                if rel_type == "officeDocument" and target in self.parts:
                    main = target
                    break
            self._main = main
        return self._main

    def document_relationships(self) -> list[tuple[str, str]]:
        """(type suffix, part name) of each internal relationship of the main document part."""
        if self._doc_rels is None:
            main = self.main_part
            folder, name = posixpath.split(main)
            rels = posixpath.join(folder, "_rels", name + ".rels")
            self._doc_rels = _relationships(self, rels, folder)
        return self._doc_rels

    def related_part(self, rel_type: str, default: str) -> str | None:
        """Name of the part the main document relates to as *rel_type* (*default* when it has no
        relationships at all); None if there is none. The part itself may be missing."""
        for kind, target in self.document_relationships():
            if kind == rel_type:
                return target
        return default if not self.document_relationships() else None

    def _related(self, rel_type: str, default: str) -> etree._Element | None:
        name = self.related_part(rel_type, default)
        return None if name is None else self.xml(name)

    @property
    def document(self) -> etree._Element:
        """Root ``w:document`` of the main part; Strict OOXML is refused."""
        root = self.xml(self.main_part)
        if root is None:
            raise DocumentError(
                Problem(Location(str(self.path)), f"no main document part ({MAIN_DOCUMENT})")
            )
        if root.tag == f"{{{W_STRICT_NS}}}document":
            raise DocumentError(
                Problem(
                    Location(str(self.path)),
                    "Strict Open XML is not supported; save it as a Word Document (.docx)",
                )
            )
        if root.tag != qn("w:document"):
            raise DocumentError(
                Problem(Location(self._where(self.main_part)), f"root is not w:document: {root.tag}")
            )
        return root

    @property
    def body(self) -> etree._Element:
        """The ``w:body`` of the main document."""
        body = self.document.find(qn("w:body"))
        if body is None:
            raise DocumentError(Problem(Location(self._where(self.main_part)), "no w:body"))
        return body

    @property
    def numbering(self) -> etree._Element | None:
        """Root ``w:numbering`` (numbering.xml); ``None`` if the document has no lists part."""
        return self._related("numbering", "word/numbering.xml")

    @property
    def styles(self) -> etree._Element | None:
        """Root ``w:styles`` (styles.xml); ``None`` if absent."""
        return self._related("styles", "word/styles.xml")

    @property
    def footnotes(self) -> etree._Element | None:
        """Root ``w:footnotes``; ``None`` if absent."""
        return self._related("footnotes", "word/footnotes.xml")

    @property
    def endnotes(self) -> etree._Element | None:
        """Root ``w:endnotes``; ``None`` if absent."""
        return self._related("endnotes", "word/endnotes.xml")

    @property
    def comments(self) -> etree._Element | None:
        """Root ``w:comments``; ``None`` if absent."""
        return self._related("comments", "word/comments.xml")

    def header_footer_parts(self) -> list[str]:
        """Names of the header and footer parts, in the order of the document's relationships."""
        return [
            target
            for kind, target in self.document_relationships()
            if kind in ("header", "footer") and target in self.parts
        ]


CONTENT_TYPES = "[Content_Types].xml"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_TYPE_OF_RELATIONSHIP = {
    "officeDocument": _MAIN_TYPE, "styles": _WML + "styles+xml", "settings": _WML + "settings+xml",
    "numbering": _WML + "numbering+xml", "footnotes": _WML + "footnotes+xml", "endnotes": _WML + "endnotes+xml",
    "comments": _WML + "comments+xml", "header": _WML + "header+xml", "footer": _WML + "footer+xml",
    "fontTable": _WML + "fontTable+xml", "webSettings": _WML + "webSettings+xml",
    "theme": "application/vnd.openxmlformats-officedocument.theme+xml",
    "core-properties": "application/vnd.openxmlformats-package.core-properties+xml",
    "extended-properties": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
}


def consistent_parts(package: Package) -> dict[str, bytes]:
    """The package's parts made whole for a writer that follows every relationship (python-docx):
    each relationship to a part that is not in the package dropped, a missing content-types part
    made, every XML part it touches parsed through :func:`parse_xml` (so damage is located here)."""
    parts = dict(package.parts)
    typed: dict[str, str] = {package.main_part: _MAIN_TYPE}  # part -> content type its relationship implies
    for name in [n for n in parts if n.endswith(".rels")]:
        root = package.xml(name)
        if root is None:
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        changed = False
        for rel in list(root.iter(f"{{{PKG_REL_NS}}}Relationship")):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                          else posixpath.join(folder, target))
            kind = _TYPE_OF_RELATIONSHIP.get((rel.get("Type") or "").rsplit("/", 1)[-1])
            if resolved not in parts or not rel.get("Id") or not rel.get("Type") or \
                    (kind and typed.setdefault(resolved, kind) != kind):  # one part, two roles (a loop)
                rel.getparent().remove(rel)
                changed = True
        if changed:
            parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if not any(kind == "officeDocument" and target == package.main_part
               for kind, target in _relationships(package, "_rels/.rels", "")):
        parts["_rels/.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL_NS}">'
            '<Relationship Id="rIdMain" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{package.main_part}"/></Relationships>').encode()
    types = package.xml(CONTENT_TYPES) if CONTENT_TYPES in parts else None
    if types is None or types.tag != f"{{{_CT_NS}}}Types":
        types = etree.fromstring(
            f'<Types xmlns="{_CT_NS}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'.encode())
    overrides = {o.get("PartName"): o for o in types.iter(f"{{{_CT_NS}}}Override")}
    typed[package.main_part] = _MAIN_TYPE
    for part, kind in typed.items():
        if "/" + part not in overrides or part == package.main_part:
            override = overrides.get("/" + part)
            if override is None:
                override = etree.SubElement(types, f"{{{_CT_NS}}}Override", PartName="/" + part)
            override.set("ContentType", kind)
    parts[CONTENT_TYPES] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    return parts


#: (a .rels part's bytes, base folder) -> its relationships, for the packages a process reads from one template:
#: at most _RELATIONSHIPS_MOST (the oldest dropped first), none of a part larger than _RELATIONSHIPS_MAX_BYTES.
_RELATIONSHIPS: dict[tuple[bytes, str], tuple[tuple[str, str], ...]] = {}
_RELATIONSHIPS_MOST = 32
remember(_RELATIONSHIPS.clear)
_RELATIONSHIPS_MAX_BYTES = 64 * 1024


def _relationships(package: Package, rels_part: str, base: str) -> list[tuple[str, str]]:
    """(type suffix, resolved part name) of each internal ``Relationship`` in a .rels part (read once for
    the same bytes when the package has not parsed the part already)."""
    data = package.parts.get(rels_part)
    if data is None or rels_part in package._xml or len(data) > _RELATIONSHIPS_MAX_BYTES:
        return _read_relationships(package, rels_part, base)
    key = (data, base)
    found = _RELATIONSHIPS.get(key)
    if found is None:
        found = tuple(_read_relationships(package, rels_part, base))
        keep(_RELATIONSHIPS, key, found, _RELATIONSHIPS_MOST)
    return list(found)


def _read_relationships(package: Package, rels_part: str, base: str) -> list[tuple[str, str]]:
    root = package.xml(rels_part)
    if root is None:
        return []
    found: list[tuple[str, str]] = []
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        rel_type = (rel.get("Type") or "").rsplit("/", 1)[-1]
        if target.startswith("/"):
            name = target.lstrip("/")
        else:
            name = posixpath.join(base, target) if base else target
        found.append((rel_type, posixpath.normpath(name)))
    return found


def _fail(path: str | Path, message: str) -> DocumentError:
    return DocumentError(Problem(Location(str(path)), message))


def _safe_name(name: str) -> str:
    """A part name as it may appear in a message: printable, short."""
    return one_line(name, 120)


def _unsafe_part_name(name: str) -> bool:
    """A zip entry name no Word package holds and no writer may copy: absolute, '..', backslash, NUL."""
    return (not name or name.startswith("/") or "\\" in name or "\0" in name or ":" in name.split("/")[0]
            or any(seg in ("..", ".") for seg in name.split("/")))


def read_package(path: str | Path, blob: bytes | None = None) -> Package:
    """Read a .docx into a :class:`Package`, refusing non-files, .doc, non-zips, damage and zip bombs.

    This is the one reader of .docx files: every command (and every template) comes through it, so
    any damage is one ``DocumentError`` naming the file and, where it lies in one, the part.
    *blob*: the file's bytes, already in memory (*path* then only names it)."""
    path = Path(path)
    if blob is None:
        blob = read_input(path, limit=MAX_DOCX_BYTES, what=".docx file", error=DocumentError)
    return package_of(path, Source(read_parts(path, blob)))


@dataclass(frozen=True)
class Source:
    """A .docx's parts already out of their archive (a build's own, as it writes them): *parsed*,
    the root of each part already parsed from those very bytes (or made as they serialise);
    *checked*, the parts known to parse (a template's, checked when the template was read)."""

    parts: dict[str, bytes]
    parsed: dict[str, etree._Element] = field(default_factory=dict)
    checked: frozenset[str] = frozenset()


def package_of(path: str | Path, source: Source) -> Package:
    """A :class:`Package` of parts in memory (*path* names the file they are or will be), read with
    the same checks as `read_package`: every XML part parsed, except those *source* has parsed or
    knows to parse (those are parsed when used)."""
    package = Package(Path(path), source.parts)
    _check_size(package)
    package._xml.update(source.parsed)
    for name, data in package.parts.items():  # every XML part, read or not by the command: the same errors everywhere
        if not name.endswith((".xml", ".rels")) or name in source.checked or name in package._xml:
            continue
        small = len(data) <= _PARSED_MAX_BYTES
        if small and data in _PARSED:
            continue    # these bytes parsed before: they parse again, when used
        package.xml(name)
        if small:
            keep(_PARSED, data, True, _PARSED_MOST)
    return package


#: The bytes of XML parts package_of has parsed with no error (parse_xml's outcome depends on the bytes alone; the
#: part name only names an error), so that a part a batch writes alike in every variant (docProps/app.xml) is
#: parsed only when used: at most _PARSED_MOST (the oldest dropped first), none larger than _PARSED_MAX_BYTES.
_PARSED: dict[bytes, bool] = {}
_PARSED_MOST = 64
remember(_PARSED.clear)
_PARSED_MAX_BYTES = 64 * 1024


#: Most paragraphs in a document read (a 1,000-page agreement has about 15,000); raise it with
#: --max-paragraphs or ASSEMBLER_MAX_PARAGRAPHS. Past it, check, dump and redline would take minutes.
MAX_PARAGRAPHS = 25_000
MAX_PARAGRAPHS_ENV = "ASSEMBLER_MAX_PARAGRAPHS"


def max_paragraphs() -> int:
    try:
        return max(1, int(os.environ.get(MAX_PARAGRAPHS_ENV, "")))
    except ValueError:
        return MAX_PARAGRAPHS


def count_paragraphs(xml: bytes) -> int:
    """Paragraphs in a part's XML, counted without parsing it."""
    return xml.count(b"<w:p>") + xml.count(b"<w:p ")


def _check_size(package: Package) -> None:
    """Refuse a document with more paragraphs than the limit, before any parsing."""
    xml = package.parts.get(package.main_part, b"")
    limit = max_paragraphs()
    if len(xml) // 5 <= limit:
        return  # each paragraph counted is 5 bytes at least ("<w:p>", "<w:p "): not past the limit, uncounted
    count = count_paragraphs(xml)
    if count > limit:
        raise _fail(package.path, f"{count:,} paragraphs, more than the limit of {limit:,}; "
                                  "raise it with --max-paragraphs N if this document is meant to be that long")


def read_parts(path: Path, blob: bytes) -> dict[str, bytes]:
    """The parts of the .docx bytes *blob* (read from *path*), each checked and bounded."""
    if blob[:8] == _OLE_MAGIC:
        if _ENCRYPTED_MARK in blob[: 4 * _CHUNK]:
            raise _fail(path, "a password-protected (encrypted) .docx; remove the password first")
        raise _fail(path, "a Word 97-2003 .doc file, not .docx; save it as .docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
    except Exception:  # noqa: BLE001 - any failure to read the directory is damage, whatever the error type
        raise _fail(path, "not a Word .docx file (not a zip archive)") from None

    with archive:
        infos = archive.infolist()
        _check_bomb(path, infos)
        parts: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            if _unsafe_part_name(name):
                raise _fail(path, f"{_safe_name(name)}: unsafe part name in the zip archive; refused")
            if name in parts:
                raise _fail(path, f"{_safe_name(name)}: duplicate part in the zip archive")
            data = _read_bounded(path, archive, info, MAX_TOTAL_UNCOMPRESSED - total)
            total += len(data)
            parts[name] = data
    probe = Package(path, parts)
    if probe.main_part not in parts:
        raise _fail(path, f"not a Word .docx file (no {MAIN_DOCUMENT} in the archive)")
    return parts


def _check_bomb(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse archives whose declared sizes or compression ratios are implausible for Word."""
    if len(infos) > MAX_ENTRIES:
        raise _fail(path, f"too many zip entries ({len(infos)} > {MAX_ENTRIES}); refused")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _fail(
            path,
            f"uncompressed size {total // (1024 * 1024)} MiB exceeds "
            f"{MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MiB; refused (zip bomb?)",
        )
    free = RATIO_FREE_XML
    for info in infos:
        if info.file_size > RATIO_CHECK_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                if info.filename.endswith(".xml") and info.file_size <= free:
                    free -= info.file_size
                    continue
                raise _fail(
                    path,
                    f"{_safe_name(info.filename)}: compression ratio {ratio:.0f} exceeds {MAX_RATIO} "
                    f"(XML parts may exceed it up to {RATIO_FREE_XML // (1024 * 1024)} MiB in all); "
                    "refused (zip bomb?)",
                )


def _read_bounded(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Bytes of one entry, read in chunks and stopped as soon as they exceed the declared size.

    Any failure of the decompressor or the archive (a flipped byte gives zlib's "invalid distance
    too far back", a bad CRC, a truncated entry...) is damage to that part, named as such."""
    name = _safe_name(info.filename)
    limit = min(info.file_size, budget)
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    raise _fail(path, f"{name}: decompresses beyond its declared size; refused (zip bomb?)")
                chunks.append(chunk)
    except DocumentError:
        raise
    except RuntimeError:  # encrypted entry
        raise _fail(path, f"{name}: cannot be read (an encrypted zip entry)") from None
    except NotImplementedError:  # unsupported compression method
        raise _fail(path, f"{name}: cannot be read (unsupported zip compression)") from None
    except Exception as exc:  # noqa: BLE001 - zlib.error, BadZipFile, EOFError, struct.error...: damage
        reason = one_line(str(exc), 100) or type(exc).__name__
        raise _fail(path, f"{name}: damaged zip entry ({reason})") from None
    if got != info.file_size:
        raise _fail(path, f"{name}: size differs from the zip directory; damaged archive")
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Text

_T = qn("w:t")
_TAB = qn("w:tab")
_PTAB = qn("w:ptab")
_BR = qn("w:br")
_CR = qn("w:cr")
_NBH = qn("w:noBreakHyphen")
_P = qn("w:p")

# Subtrees whose content is not part of the paragraph's visible text.
_SKIP = frozenset(
    {
        qn("w:pPr"),
        qn("w:rPr"),
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:delText"),
        qn("w:delInstrText"),
        qn("w:instrText"),
        qn("w:txbxContent"),
        qn("w:footnoteReference"),
        qn("w:endnoteReference"),
        qn("mc:Fallback"),
        qn("w:sym"),
    }
)


def first_child(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child of *element* with *tag*; None if there is none. Properties (``w:pPr``, ``w:rPr``,
    ``w:pStyle``) come first where Word writes them, so the first child is looked at before the others are
    searched (``iterchildren(tag)`` costs more than the look)."""
    count = len(element)
    if not count:
        return None
    first = element[0]
    if first.tag == tag:
        return first
    if count <= 3:     # a run of one text, a paragraph of two runs: looked at one by one
        for i in range(1, count):
            child = element[i]
            if child.tag == tag:
                return child
        return None
    return next(element.iterchildren(tag), None)


def paragraph_text(p: etree._Element) -> str:
    """Visible text of a ``w:p``: inserted text and field results in, deletions and codes out."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(element: etree._Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == _T:
            if child.text:
                out.append(child.text)
        elif tag == _TAB or tag == _PTAB:
            out.append("\t")
        elif tag == _BR or tag == _CR:
            out.append("\n")
        elif tag == _NBH:
            out.append("-")
        elif len(child):
            _collect(child, out)


def story_paragraphs(root: etree._Element) -> Iterator[etree._Element]:
    """Each ``w:p`` of one story in document order, tables included, text boxes left out."""
    stack = [iter(root)]
    skip = (qn("w:txbxContent"), qn("mc:Fallback"), qn("w:pPr"), qn("w:rPr"))
    while stack:
        for child in stack[-1]:
            tag = child.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            if tag == _P:
                yield child
            elif len(child):
                stack.append(iter(child))
                break
        else:
            stack.pop()
