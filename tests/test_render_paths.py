"""The build's faster paths give what the code before them gave: markers made and found through memos,
the sandbox's look-up of a namespace's label, the manifest's indented JSON and the term sheet's plain
values written without the json module's round trip, a header part rendered once for the values it reads,
and docProps/core.xml filled in without a copy of its tree. The code as it was is kept here as the
reference."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
import signal
import struct
import threading
from pathlib import Path

import jinja2
import pytest
from lxml import etree
from markupsafe import Markup

from assembler import memo
from assembler.build import load_templates
from assembler.render import engine, write
from assembler.render.context import deal_values, document_context
from assembler.termsheet.load import load_termsheet
from assembler.xref import markers
from assembler.xref.markers import CLOSE, MARKER_RE, OPEN, AnchorNamespace, Marker, RefNamespace

ROOT = Path(__file__).resolve().parent.parent
SHEETS = sorted({*ROOT.glob("termsheets/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")})


# --------------------------------------------------------------------------------------------
# Markers: made and found as they were


def _old_marker(kind, document, label):
    return Markup(f"{OPEN}{kind}:{document}:{label}{CLOSE}")


def _old_find_markers(text):
    return [(m.start(), m.end(), Marker(m.group(1), m.group(2), m.group(3))) for m in MARKER_RE.finditer(text)]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["Section ", "closing", " hereof", OPEN, CLOSE, "A:agreement:", "R:glossary:", "R:certificate:x",
              "A:", ":", "é", "", "\n", "R:agreement:sale_of_stock", "Q:agreement:x", "A:Agreement:x", "x" * 3000,
              f"{OPEN}A:agreement:closing{CLOSE}", f"{OPEN}R:glossary:x_1{CLOSE}", f"{OPEN}R:certificate:{CLOSE}",
              f"{OPEN}A:agreement:Bad Label{CLOSE}", f"{OPEN}R:agreement:a{OPEN}b{CLOSE}", f"{OPEN}A:x:y:z{CLOSE}"]
    out = []
    for _ in range(count):
        out.append("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))))
    return out


def test_find_markers_as_before():
    for text in _texts(1, 3000):
        for _ in range(2):  # the second time from the memo (when the text is short enough to be kept)
            assert markers.find_markers(text) == _old_find_markers(text)
            assert list(markers.markers_in(text)) == _old_find_markers(text)
            assert type(markers.find_markers(text)) is list


def test_markers_made_as_before():
    labels = ["closing", "a", "x_1", "kind", "_x", "Ab", "", "é", "a&b", "<x>", Markup("a&amp;b"), "y" * 3000]
    for namespace, kind in ((AnchorNamespace, "A"), (RefNamespace, "R")):
        for document in ("agreement", "glossary", "certificate"):
            space = namespace(document)
            for label in labels:
                for _ in range(2):
                    made = space.__getattr__(label)
                    assert made == _old_marker(kind, document, label)
                    assert type(made) is Markup
                    assert space[label] == _old_marker(kind, document, label)
    with pytest.raises(AttributeError):
        AnchorNamespace("agreement").__getattr__("__x")
    with pytest.raises(AttributeError):
        RefNamespace("agreement")[3]


def test_memos_forgotten():
    markers.markers_in(f"{OPEN}A:agreement:zz{CLOSE}")
    AnchorNamespace("agreement").zz  # noqa: B018
    memo.forget()
    assert markers.markers_in.cache_info().currsize == 0
    assert markers._marker_of.cache_info().currsize == 0


# --------------------------------------------------------------------------------------------
# The sandbox's getattr: a namespace's label as Jinja's sandbox found it


class _OldSandbox(engine._Sandbox):
    def getattr(self, obj, attribute):
        if type(obj) is dict and type(attribute) is str and attribute not in engine._DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        return jinja2.sandbox.SandboxedEnvironment.getattr(self, obj, attribute)


def _old_environment():
    return _OldSandbox(undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=True)


def _outcome(function, *args):
    try:
        value = function(*args)
    except Exception as exc:  # noqa: BLE001 - the error is the outcome compared
        return "error", type(exc), str(exc)
    if isinstance(value, jinja2.Undefined):
        return "undefined", type(value), value._undefined_hint
    return "value", type(value), str(value)


NAMES = ["closing", "kind", "_document", "__class__", "__init__", "__getattr__", "__dict__", "__getitem__",
         "_x", "x_", "mro", "__subclasses__", "keys", "items", "get", "a", "é", "", "__", "_", 3, None]


class _Namespace(AnchorNamespace):
    pass


def test_sandbox_getattr_as_before():
    new, old = engine.make_environment(), _old_environment()
    objects = [AnchorNamespace("agreement"), RefNamespace("glossary"), _Namespace("certificate"),
               {"kind": 1, "closing": 2}, [1], "text", Markup("m")]
    for obj in objects:
        for name in NAMES:
            assert _outcome(new.getattr, obj, name) == _outcome(old.getattr, obj, name), (obj, name)


def test_template_labels_as_before():
    source = ("{{ anchor.closing }}|{{ ref.kind }}|{{ ref['x'] }}|{{ anchor.__class__ }}|{{ ref._document }}|"
              "{{ anchor.mro }}|{{ ref.closing ~ 'x' }}")
    new, old = engine.make_environment(), _old_environment()
    context = {"anchor": AnchorNamespace("agreement"), "ref": RefNamespace("glossary")}

    def render(env):
        try:
            return env.from_string(source).render(context)
        except Exception as exc:  # noqa: BLE001
            return type(exc), str(exc)

    assert render(new) == render(old)


# --------------------------------------------------------------------------------------------
# Rendering: the same bytes for every term sheet (the templates rendered as they are, twice)


def _sheet_values(path) -> dict:
    """The deal values of a term sheet (the seed's for a fixture that does not load)."""
    try:
        return deal_values(load_termsheet(path))
    except Exception:  # noqa: BLE001 - a fixture made to fail
        return deal_values(load_termsheet(ROOT / "termsheets" / "ascent-series-j.yaml"))


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_render_as_before(path):
    values = _sheet_values(path)
    for key, template in load_templates().items():
        context = document_context(values, key)
        old = _old_environment()
        for name, (compiled, prepared) in template._compiled.items():
            expected = old.from_string(prepared).render(context)
            for _ in range(2):
                assert template._render_part(name, context, listing=False) == \
                    engine._unescape(expected.encode("utf-8"))


# --------------------------------------------------------------------------------------------
# The render's time limit: the same handler and timer set, and put back


@contextlib.contextmanager
def _old_time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise engine._TooLong()

    previous = signal.signal(signal.SIGALRM, expire)
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_timer[0]:
            signal.setitimer(signal.ITIMER_REAL, *old_timer)


def _own_handler(signum, frame):
    raise KeyError("own")


def _limited(limit, seconds: float, body: str, before_handler, before_timer: float):
    """What a body run under *limit* gives: its outcome, and the handler and timer left."""
    signal.signal(signal.SIGALRM, before_handler)
    signal.setitimer(signal.ITIMER_REAL, before_timer)
    seen = {}
    try:
        with limit(seconds):
            seen["inside"] = (signal.getsignal(signal.SIGALRM) is not before_handler,
                              0 < signal.getitimer(signal.ITIMER_REAL)[0] <= seconds)
            if body == "raise":
                raise ValueError("body")
            if body == "slow":
                while True:
                    pass
        outcome = "done"
    except BaseException as exc:  # noqa: BLE001 - the outcome compared
        outcome = type(exc).__name__
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    handler = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    return outcome, seen, handler, (left > 0, left <= max(before_timer, 0))


@pytest.mark.parametrize("body", ["pass", "raise", "slow"])
@pytest.mark.parametrize("before_handler", [signal.SIG_DFL, signal.SIG_IGN, _own_handler])
@pytest.mark.parametrize("before_timer", [0, 30.0])
def test_time_limit_as_before(body, before_handler, before_timer):
    if body == "slow" and before_timer:
        before_timer = 30.0
    new = _limited(engine._time_limit, 0.05, body, before_handler, before_timer)
    old = _limited(_old_time_limit, 0.05, body, before_handler, before_timer)
    assert new == old
    assert new[0] == {"pass": "done", "raise": "ValueError", "slow": "_TooLong"}[body]


def test_time_limit_off_the_main_thread():
    results = []

    def run():
        with engine._time_limit(0.01):  # no limit there (only the main thread may set a handler)
            results.append(signal.getitimer(signal.ITIMER_REAL)[0])

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert results == [0]
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


# --------------------------------------------------------------------------------------------
# A header rendered once for the values it reads: what rendering it each time gave

HEADER_SOURCES = [
    "{% if draft %}Draft of {{ draft.date }} – Version {{ draft.version }} – {{ draft.document_id }}{% endif %}",
    "{{ draft }}",
    "{{ draft.items }}",
    "{{ draft['items'] }}",
    "{{ draft.date.upper }}",
    '{{ "x".upper }}',
    "{{ lipsum }}",
    "{{ self }}",
    "{{ draft|upper }}",
    "{{ draft.date ~ 'x' }}",
    "{% if draft is defined %}a{% endif %}",
    "{{ draft.version == '1' }}|{{ draft.version < 3 }}",
    "{{ missing }}",
    "{% if missing %}x{% endif %}",
    "{{ anchor.closing }}",
    "{{ draft.date if draft else 'none' }}",
    "{{ draft[0] }}",
    "{{ draft.date[0] }}",
    "{{ (draft or company).name }}",
    "{% if not draft and company.name %}{{ company.name }}{% elif draft %}{{ draft.nested.x }}{% endif %}",
    "{% for x in draft %}{{ x }}{% endfor %}",
    "{% set y = draft %}{{ y }}",
    "{{ draft.get }}",
    "{{ company.signatory.name }} {{ company['signatory']['title'] }}",
]

_DRAFTS = [None, {"date": "May 1, 2024", "version": "1", "document_id": "D-1"},
           {"date": "May 1, 2024", "version": 1, "document_id": "D-1"},
           {"date": "May 1, 2024", "version": True, "document_id": "D-1"},
           {"date": "x", "version": 0.0, "document_id": "D"}, {"date": "x", "version": -0.0, "document_id": "D"},
           {"date": Markup("<b>"), "version": "1", "document_id": "D"}, {"date": "<b>&", "version": "2"},
           {"items": "i", "date": ["a", "b"], "nested": {"x": "y"}, "version": "3", "document_id": ""},
           {"nested": {"x": 1}}, {1: "a"}, {"date": "a\tb\nc", "version": "1", "document_id": "D"}, "draft", 0, 1, True, [], ["a"], {}, ("a",)]
_COMPANIES = [{"name": "Acme", "signatory": {"name": "A", "title": "CEO"}}, {"name": ""}, None]


def _contexts():
    rng = random.Random(5)
    base = document_context({}, "agreement")
    for _ in range(400):
        context = dict(base)
        if rng.random() < 0.9:
            context["draft"] = rng.choice(_DRAFTS)
        context["company"] = rng.choice(_COMPANIES)
        yield context


def _render_outcome(render, *args):
    try:
        return "ok", render(*args)
    except Exception as exc:  # noqa: BLE001 - the error is the outcome compared
        return "error", type(exc), str(exc)


@pytest.mark.parametrize("index", range(len(HEADER_SOURCES)))
def test_kept_header_as_before(index):
    template = engine.Template(ROOT / "templates" / "agreement.docx")
    source = f'<w:hdr xmlns:w="{engine.qn("w:p")[1:].split("}")[0]}"><w:p><w:r><w:t>{HEADER_SOURCES[index]}</w:t></w:r></w:p></w:hdr>'
    name = "word/header1.xml"
    code = template._env.compile(source)
    template._compiled[name] = (template._env.template_class.from_code(template._env, code,
                                                                     template._env.make_globals(None), None), source)
    template._reads[name] = engine._reads(template._env, source)
    for context in _contexts():
        for listing in (False, True):
            expected = _render_outcome(template._render_part, name, context, listing)
            assert _render_outcome(template._render_other, name, context, listing) == expected
            assert _render_outcome(template._render_other, name, context, listing) == expected


@pytest.mark.parametrize("source", ["{{ draft.items }}", "{{ draft['items'] }}", "{{ draft.date.upper }}",
                                    '{{ "x".upper }}', "{{ lipsum }}", "{{ self }}", "{{ draft|upper }}",
                                    "{{ draft[0] }}", "{{ (draft or company).name }}", "{{ draft.get }}",
                                    "{% for x in draft %}{{ x }}{% endfor %}", "{% set y = draft %}{{ y }}"])
def test_header_not_kept(source):
    """A part whose output may hold a method or function (printed with its address), or that does more than
    print and test values, is rendered every time."""
    env = engine.make_environment()
    reads = engine._reads(env, source)
    contexts = [{"draft": {"date": "a", "items": "i"}, "company": {"name": "x"}}, {"draft": "text", "company": None}]
    assert all(engine._values_read(reads, context) is None for context in contexts)


def test_header_kept():
    env = engine.make_environment()
    reads = engine._reads(env, HEADER_SOURCES[0])
    assert engine._values_read(reads, {"draft": None}) == engine._values_read(reads, {"draft": None}) is not None
    keys = {engine._values_read(reads, {"draft": d}) for d in _DRAFTS[:4]}
    assert len(keys) == 4 and None not in keys  # "1", 1 and True kept apart
    assert all(engine._values_read(reads, {"draft": d}) is None for d in _DRAFTS[4:7])  # floats, Markup not kept


# --------------------------------------------------------------------------------------------
# The zip written from headers made with each entry: the bytes written before


def _old_write_zip(entries):
    by_name = {e.name: e for e in entries}
    order = write.zip_order(by_name)
    out = io.BytesIO()
    central = []
    for name in order:
        e = by_name[name]
        raw = name.encode("utf-8")
        flags = 0x800 if not raw.isascii() else 0
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, write._DOS_TIME, write._DOS_DATE,
                              e.crc, len(e.deflated), e.size, len(raw), 0))
        out.write(raw)
        out.write(e.deflated)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, write._DOS_TIME,
                                   write._DOS_DATE, e.crc, len(e.deflated), e.size, len(raw), 0, 0, 0, 0,
                                   0o644 << 16, offset) + raw)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def test_write_zip_as_before():
    rng = random.Random(9)
    names = ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/é.xml", "docProps/core.xml", "a",
             "Z", "word/media/image1.png", "ü/ß", "x" * 300]
    for _ in range(500):
        entries = []
        for name in rng.sample(names, rng.randrange(0, len(names) + 1)):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 2000)))
            entries.append(write.ZipEntry.of(name, data, level=rng.choice([1, 6])))
        if entries and rng.random() < 0.3:  # a name twice: the last entry stands
            entries.append(write.ZipEntry.of(entries[0].name, b"again"))
        assert write.write_zip(entries) == _old_write_zip(entries)
        assert write.write_zip(iter(entries)) == _old_write_zip(entries)
    for path in sorted((ROOT / "templates").glob("*.docx")):
        template = engine.Template(path)
        assert write.write_zip(template._static.values()) == _old_write_zip(template._static.values())
        for entry in template._static.values():  # the entries the template cache gives back
            again = write.ZipEntry(entry.name, entry.crc, entry.size, entry.deflated)
            assert again == entry and hash(again) == hash(entry) and again.local == entry.local


def test_zip_entry_fields():
    entry = write.ZipEntry.of("a.xml", b"<a/>")
    assert repr(entry).startswith("ZipEntry(name='a.xml', crc=") and "local" not in repr(entry)
    assert [f.name for f in dataclasses.fields(entry) if f.init] == ["name", "crc", "size", "deflated"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.local = b""


def test_anchor_bookmark_as_before():
    from assembler.xref import resolve

    rng = random.Random(13)
    for _ in range(3000):
        document = rng.choice(["agreement", "glossary", "certificate", "package", "x", "", "é" * 5])
        label = "".join(rng.choice("ab_1é") for _ in range(rng.randrange(0, 60)))
        for _ in range(2):
            assert resolve._anchor_bookmark(label, document) == resolve.bookmark_name(Marker("A", document, label))


# --------------------------------------------------------------------------------------------
# Anchors numbered and bookmarked as before (the bookmarks' elements made by one parse)


def _numbered(template, context, extra: list[tuple[int, str]]):
    """A rendered document's story, with anchors added to some paragraphs (index, label)."""
    from assembler.docmodel.ooxml import story_paragraphs
    from assembler.xref import resolve

    rendered = template.render_tree(context, listing=False)
    body = rendered.body
    paragraphs = list(story_paragraphs(body))
    for index, label in extra:
        para = paragraphs[index % len(paragraphs)]
        if label == "-ppr" and para.find(resolve._PPR) is not None:
            para.remove(para.find(resolve._PPR))
            continue
        run = etree.SubElement(para, resolve._R)
        etree.SubElement(run, resolve._T).text = f"x{OPEN}A:agreement:{label}{CLOSE}"
    return resolve.Story("agreement", body, template.numbering, template.styles, {"agreement": "a.docx"},
                         engine=template.numbering_engine)


@pytest.mark.parametrize("path", SHEETS[:8], ids=lambda p: p.name)
def test_number_anchors_as_before(path):
    """As the code before (test_build_paths keeps it: every paragraph labelled, each bookmark made alone)."""
    from test_build_paths import _old_number_anchors

    from assembler.xref import resolve

    values = _sheet_values(path)
    rng = random.Random(path.name)
    for key, template in load_templates().items():
        context = document_context(values, key)
        for trial in range(6):
            extra = [(rng.randrange(200), rng.choice(["extra_a", "extra_b", "-ppr", "Bad", "x" * 50]))
                     for _ in range(trial * 2)]
            outcomes = []
            for number in (resolve.number_anchors, _old_number_anchors):
                story = _numbered(template, context, extra)
                problems = []
                resolve.collect_anchors(story, problems)
                next_id = [7]
                targets = number(story, problems, next_id)
                outcomes.append((etree.tostring(story.body.getroottree()), targets, problems, next_id))
            assert outcomes[0] == outcomes[1]


def test_add_bookmarks_as_before():
    from assembler.xref import resolve

    for names in (["_Ref_spa_a", "_Ref_spa_b"], ["_Ref_x", 'odd "name" & <more>'], [], ["a"] * 3):
        trees, ids = [], []
        for new in (True, False):
            root = etree.fromstring(f'<w:body xmlns:w="{resolve.W_NS}"><w:p><w:pPr/><w:r/></w:p><w:p/>'
                                    f'<w:p><w:r/>tail</w:p></w:body>')
            marked = [(root[i % 3], name) for i, name in enumerate(names)] + [(root[0], n) for n in names[:1]]
            next_id = [3]
            if new:
                resolve.add_bookmarks(marked, next_id)
            else:
                for para, name in marked:
                    resolve.add_bookmark(para, name, next_id)
            trees.append(etree.tostring(root))
            ids.append(next_id)
        assert trees[0] == trees[1] and ids[0] == ids[1]


@pytest.mark.parametrize("index", range(len(HEADER_SOURCES)))
def test_header_read_at_its_second_render_as_before(index):
    """A part's reads are worked out at its second render, not when the template is loaded (a build renders
    each part once): the first, second and third renders are each what `_render_part` gives."""
    template = engine.Template(ROOT / "templates" / "agreement.docx")
    assert template._reads == {}
    source = f'<w:hdr xmlns:w="{engine.qn("w:p")[1:].split("}")[0]}"><w:p><w:r><w:t>{HEADER_SOURCES[index]}</w:t></w:r></w:p></w:hdr>'
    name = "word/header1.xml"
    code = template._env.compile(source)
    template._compiled[name] = (template._env.template_class.from_code(template._env, code,
                                                                     template._env.make_globals(None), None), source)
    for n, context in enumerate(_contexts()):
        expected = _render_outcome(template._render_part, name, context, False)
        assert _render_outcome(template._render_other, name, context, False) == expected
        assert (name in template._reads) == (n > 0)
    assert template._reads[name] == engine._reads(template._env, source)
