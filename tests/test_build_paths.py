"""The build's faster paths make what the code before them made: reference resolution, the rendered
parts' clean-up, the sandbox's attribute look-up and the deflated parts a template keeps. The code
as it was is kept here as the reference. (benchmarks/build_identity.py compares whole builds, byte
for byte, with an earlier version's.)"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jinja2.sandbox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembler.build import DOCUMENTS, TEMPLATES_DIR
from assembler.docmodel.numbering import NumberingEngine
from assembler.docmodel.ooxml import qn, story_paragraphs
from assembler.errors import Location, Problem, TemplateError
from assembler.render import engine
from assembler.render.context import deal_values, document_context
from assembler.termsheet import load_termsheet
from assembler.xref import resolve as new
from assembler.xref.markers import LABEL_RE, OPEN, Marker, find_markers

ROOT = Path(__file__).resolve().parent.parent
SHEETS = [ROOT / "termsheets" / "ascent-series-j.yaml", *sorted((ROOT / "termsheets" / "variants").glob("*.yaml"))]
TEMPLATE_OF = {s.key: str(TEMPLATES_DIR / s.template) for s in DOCUMENTS}


# --------------------------------------------------------------------------------------------
# xref.resolve as it was


def _old_text_nodes_with_markers(body):
    return [t for t in body.iter(qn("w:t")) if t.text and OPEN in t.text]


def _old_paragraph_of(node):
    while node is not None and node.tag != qn("w:p"):
        node = node.getparent()
    return node


def _old_collect_anchors(story, problems):
    for t in _old_text_nodes_with_markers(story.body):
        text = t.text
        kept, pos = [], 0
        for start, end, marker in find_markers(text):
            if marker.kind != "A":
                continue
            kept.append(text[pos:start])
            pos = end
            where = Location(story.template_of.get(marker.document, marker.document), field=f"anchor.{marker.label}")
            if not LABEL_RE.match(marker.label):
                problems.append(Problem(where, f"invalid label {marker.label!r} (use lower-case letters, digits, _)"))
            elif marker.key in story.anchors:
                problems.append(Problem(where, f"duplicate label {marker.label!r}: it marks two paragraphs"))
            else:
                story.anchors[marker.key] = _old_paragraph_of(t)
        kept.append(text[pos:])
        t.text = "".join(kept)
        if t.text != t.text.strip():
            t.set(new.XML_SPACE, "preserve")


def _old_number_anchors(story, problems, next_id):
    if not story.anchors:
        return {}
    paragraphs = list(story_paragraphs(story.body))
    engine_ = story.engine or NumberingEngine(story.numbering, story.styles)
    labels = engine_.label_paragraphs(paragraphs)
    label_of = {id(p): lab for p, lab in zip(paragraphs, labels)}
    targets = {}
    for key, para in story.anchors.items():
        marker = Marker("A", *key)
        label = label_of.get(id(para))
        if label is None:
            problems.append(Problem(
                Location(story.template_of.get(key[0], key[0]), field=f"anchor.{key[1]}"),
                f"label {key[1]!r} stands in a paragraph that has no list number"))
            continue
        name = new.bookmark_name(marker)
        _old_add_bookmark(para, name, next_id)
        targets[key] = new.Target(story.name, name, label.full_context())
    return targets


def _old_add_bookmark(para, name, next_id):
    bid = str(next_id[0])
    next_id[0] += 1
    start = etree.Element(qn("w:bookmarkStart"))
    start.set(qn("w:id"), bid)
    start.set(qn("w:name"), name)
    end = etree.Element(qn("w:bookmarkEnd"))
    end.set(qn("w:id"), bid)
    ppr = para.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        para.insert(0, start)
    para.append(end)


def _old_make_run(rpr, *children):
    r = etree.Element(qn("w:r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    for child in children:
        r.append(child)
    return r


def _old_text_element(value):
    t = etree.Element(qn("w:t"))
    t.text = value
    if value != value.strip() or "  " in value:
        t.set(new.XML_SPACE, "preserve")
    return t


def _old_fld_char(kind):
    f = etree.Element(qn("w:fldChar"))
    f.set(qn("w:fldCharType"), kind)
    return f


def _old_field_runs(rpr, instruction, cached):
    instr = etree.Element(qn("w:instrText"))
    instr.text = instruction
    instr.set(new.XML_SPACE, "preserve")
    runs = [_old_make_run(rpr, _old_fld_char("begin")), _old_make_run(rpr, instr)]
    if cached is not None:
        runs += [_old_make_run(rpr, _old_fld_char("separate")), _old_make_run(rpr, _old_text_element(cached))]
    return runs + [_old_make_run(rpr, _old_fld_char("end"))]


def _old_replace_refs(story, targets, problems):
    for t in _old_text_nodes_with_markers(story.body):
        run = t.getparent()
        rpr = run.find(qn("w:rPr"))
        new_runs = []
        for child in run:
            if child.tag == qn("w:rPr"):
                continue
            if child is not t:
                new_runs.append(_old_make_run(rpr, copy.deepcopy(child)))
                continue
            pos = 0
            for start, end, marker in find_markers(t.text):
                if start > pos:
                    new_runs.append(_old_make_run(rpr, _old_text_element(t.text[pos:start])))
                pos = end
                target = targets.get(marker.key)
                if target is None:
                    doc = marker.document
                    where = Location(story.template_of.get(doc, doc), field=f"ref.{marker.label}")
                    problems.append(Problem(where, f"reference to unknown label {marker.label!r}"
                                            + ("" if doc in story.template_of else f" in the {doc}")))
                    continue
                if target.story == story.name:
                    new_runs.extend(_old_field_runs(rpr, f" REF {target.bookmark} \\w \\h ", target.number))
                else:
                    new_runs.append(_old_make_run(rpr, _old_text_element(target.number)))
            if pos < len(t.text):
                new_runs.append(_old_make_run(rpr, _old_text_element(t.text[pos:])))
        for new_run in new_runs:
            run.addprevious(new_run)
        run.getparent().remove(run)


def _old_resolve(stories):
    problems = []
    for story in stories:
        _old_collect_anchors(story, problems)
    targets = {}
    for story in stories:
        existing = [int(b.get(qn("w:id"))) for b in story.body.iter(qn("w:bookmarkStart"))
                    if (b.get(qn("w:id")) or "").isdigit()]
        next_id = [max(existing, default=0) + 1]
        for key, target in _old_number_anchors(story, problems, next_id).items():
            targets.setdefault(key, target)
    for story in stories:
        _old_replace_refs(story, targets, problems)
    if problems:
        raise TemplateError(sorted(set(problems), key=str))


# --------------------------------------------------------------------------------------------
# Reference resolution


def rendered(sheet: Path) -> dict:
    ts = load_termsheet(sheet)
    values = deal_values(ts)
    return {s.key: engine.load_template(TEMPLATES_DIR / s.template).render_tree(document_context(values, s.key),
                                                                                   listing=False)
            for s in DOCUMENTS}


def outcome(resolver, documents: dict) -> tuple[dict[str, bytes], list[str] | None]:
    """The serialised bodies after *resolver* ran on copies of *documents*, and its problems."""
    bodies = {key: copy.deepcopy(r.document).find(qn("w:body")) for key, r in documents.items()}
    stories = [new.Story(key, body, r.template.numbering, r.template.styles, TEMPLATE_OF,
                         engine=r.template.numbering_engine) for (key, r), body in zip(documents.items(), bodies.values())]
    try:
        resolver(stories)
        problems = None
    except TemplateError as exc:
        problems = [str(p) for p in exc.problems]
    return {key: etree.tostring(body) for key, body in bodies.items()}, problems


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_references_resolve_as_before(sheet):
    documents = rendered(sheet)
    before, after = outcome(_old_resolve, documents), outcome(new.resolve, documents)
    assert after == before and after[1] is None


SEED_DOCUMENTS = rendered(SHEETS[0])
MARKERS = st.sampled_from([f"{OPEN}A:agreement:extra{OPEN}", f"{OPEN}A:agreement:extra\ue001",
                           "\ue000A:agreement:Bad-Label\ue001", "\ue000A:glossary:twice\ue001",
                           "\ue000R:agreement:extra\ue001", "\ue000R:agreement:nowhere\ue001",
                           "\ue000R:certificate:extra\ue001", "\ue000R:elsewhere:x\ue001", OPEN, " ", "  ",
                           "text", "\ue001"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(SEED_DOCUMENTS)), st.integers(0, 10_000),
                          st.lists(MARKERS, max_size=4).map("".join), st.booleans()), max_size=6))
def test_references_resolve_as_before_with_markers_anywhere(edits):
    """Markers put into any text node (before or after its text): labels invalid, repeated or in an
    unnumbered paragraph, references to labels nowhere, stray marker characters."""
    documents = {}
    for key, r in SEED_DOCUMENTS.items():
        documents[key] = engine.Rendered(r.template, copy.deepcopy(r.document), r.parts)
    for key, index, text, before in edits:
        nodes = list(documents[key].document.iter(qn("w:t")))
        t = nodes[index % len(nodes)]
        t.text = text + (t.text or "") if before else (t.text or "") + text
    assert outcome(new.resolve, documents) == outcome(_old_resolve, documents)


RUN_PROPERTIES = st.sampled_from(["", "<w:rPr><w:b/></w:rPr>", "<w:rPr>\n  <w:i/> <w:sz w:val=\"24\"/></w:rPr>\n ",
                                  '<w:rPr><w:rFonts w:ascii="A &amp; B"/><!-- note --></w:rPr>'])
RUN_CHILDREN = st.sampled_from(["<w:tab/>", "<w:tab/>\n  ", "<w:br/>", "<!-- c -->", "<?pi x?>", "<w:t>plain</w:t> "])
RUN_TEXT = st.lists(st.sampled_from(["\ue000R:agreement:one\ue001", "\ue000R:agreement:two\ue001",
                                     "\ue000R:glossary:three\ue001", "\ue000R:agreement:none\ue001", "\ue000",
                                     "a & b", "<c>", "d > e", "\r", "\t", " ", "  ", "x", "\u00a0", "é"]),
                    min_size=1, max_size=6).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(RUN_PROPERTIES, st.lists(RUN_CHILDREN, max_size=2), RUN_TEXT, st.lists(RUN_CHILDREN,
                                                                                                    max_size=2)),
                min_size=1, max_size=4))
def test_references_replace_runs_as_before(runs):
    """Runs of every shape: properties or none (with comments, whitespace after them), other children
    before and after the marked text, text needing escapes, references to this file, another, none."""
    from xml.sax.saxutils import escape

    xml = "".join(f"<w:r>{rpr}{''.join(before)}<w:t>{escape(text).replace(chr(13), '&#13;')}</w:t>{''.join(after)}"
                  f"</w:r>" for rpr, before, text, after in runs)
    body = etree.fromstring(f'<w:body xmlns:w="{new.W_NS}"><w:p>{xml}</w:p></w:body>'.encode())
    targets = {("agreement", "one"): new.Target("agreement", "_Ref_spa_one", "1.2(a)"),
               ("agreement", "two"): new.Target("agreement", "_Ref_spa_two", "A & B <2>"),
               ("glossary", "three"): new.Target("glossary", "_Ref_glo_three", " 3 ")}
    results = []
    for replace in (_old_replace_refs, new.replace_refs):
        story = new.Story("agreement", copy.deepcopy(body), None, None, TEMPLATE_OF)
        problems = []
        replace(story, targets, problems)
        results.append((etree.tostring(story.body), problems))
    assert results[1] == results[0]


# --------------------------------------------------------------------------------------------
# A rendered part's clean-up


def _old_clean(template, xml: str, listing: bool) -> bytes:
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if listing and re.search(r"<w:t[ >][^<]*[\t\n\a\f]", xml):
        xml = template._docxtpl.resolve_listing(xml)
    return xml.encode("utf-8")


TEXT = st.lists(st.sampled_from(["{_{", "}_}", "{_%", "%_}", "{{", "_", "{", "}", "%", "\n<w:p ", "\n<w:p>",
                                 "<w:p ", "\n", "\t", "\f", "\a", "é", "\u00a0", "\ue000", "😀", "x", " "]),
                max_size=12).map("".join)


@settings(max_examples=80, deadline=None)
@given(TEXT, TEXT, st.booleans())
def test_rendered_parts_are_cleaned_as_before(name, purchaser, listing):
    ts = load_termsheet(SHEETS[0])
    values = deal_values(ts)
    values = {**values, "deal_name": name, "purchaser": {**values["purchaser"], "name": purchaser}}
    for spec in DOCUMENTS:
        template = engine.load_template(TEMPLATES_DIR / spec.template)
        context = document_context(values, spec.key)
        for part, (compiled, _prepared) in template._compiled.items():
            expected = _old_clean(template, "".join(compiled.generate(context)), listing)
            assert template._render_part(part, context, listing) == expected


# --------------------------------------------------------------------------------------------
# The sandbox's attribute look-up


class _Dict(dict):
    pass


class _Object:
    name = "attribute"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return f"got {name}"


OBJECTS = [{"name": "a", "items": "key", "keys": 1, "__class__": "key", "mro": 2, 3: "three"}, {}, _Dict(name="a"),
           _Object(), "text", [1, 2], {"nested": {"name": "b"}}]
NAMES = ["name", "items", "keys", "values", "get", "__class__", "__init__", "mro", "missing", "nested", "upper",
         "format", "_private", "__len__", "fromkeys", "copy", "pop", "clear", "update", "setdefault"]


def _same(left, right) -> bool:
    if isinstance(left, jinja2.Undefined) or isinstance(right, jinja2.Undefined):
        return type(left) is type(right) and left._undefined_name == right._undefined_name \
            and left._undefined_obj is right._undefined_obj and left._undefined_hint == right._undefined_hint
    if callable(left) and callable(right):
        return getattr(left, "__self__", None) is getattr(right, "__self__", None) and \
            getattr(left, "__name__", None) == getattr(right, "__name__", None)
    return left == right and type(left) is type(right)


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("name", NAMES)
def test_the_sandbox_finds_what_jinjas_finds(obj, name):
    env = engine.make_environment()
    assert _same(env.getattr(obj, name), jinja2.sandbox.SandboxedEnvironment.getattr(env, obj, name))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES + ["x", "y"]), st.integers()), st.sampled_from(NAMES + ["x", "z"]))
def test_the_sandbox_finds_what_jinjas_finds_in_any_dict(obj, name):
    env = engine.make_environment()
    assert _same(env.getattr(obj, name), jinja2.sandbox.SandboxedEnvironment.getattr(env, obj, name))


# --------------------------------------------------------------------------------------------
# Deflated parts and app.xml kept by the template


def test_kept_parts_pack_the_same_bytes_and_stay_bounded():
    template = engine.load_template(TEMPLATES_DIR / "agreement.docx")
    r = SEED_DOCUMENTS["agreement"]
    packs = []
    for round_ in range(2):
        for i in range(engine._KEPT + 5):
            if round_ == 0:  # nothing kept: each part deflated afresh
                template._entries.clear()
                template._apps.clear()
            packs.append(template.pack_parts(r, f"Title {i}", subject="S", company=f"Company {i % 40}",
                                             date="2015-09-18T00:00:00Z"))
        assert len(template._entries) <= engine._KEPT and len(template._apps) <= engine._KEPT
    half = len(packs) // 2
    for (fresh, fresh_source), (kept, kept_source) in zip(packs[:half], packs[half:]):
        assert kept == fresh and kept_source.parts == fresh_source.parts
    app = engine._app_xml(template.parts[engine.APP], "Company 3")
    assert template._app_xml("Company 3") == app and isinstance(app, bytes)


# --------------------------------------------------------------------------------------------
# The term sheet's walk (where each field is, duplicate and non-text keys)


def _old_walk(self, node, path, key_mark) -> None:
    """`_Walker.walk` as it was: keys constructed and marked again after the mapping is flattened."""
    import yaml

    from assembler.termsheet.load import _MERGE_TAG, MAX_NODES, _mark, _Spot, _TooLarge, describe_value, format_loc

    self.visited += 1
    if self.visited > MAX_NODES:
        raise _TooLarge
    scalar = isinstance(node, yaml.ScalarNode)
    self.spots[path] = _Spot(key_mark, _mark(node.start_mark, self.file), scalar)
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.loader.construct_object(key_node, deep=True)
            here = _mark(key_node.start_mark, self.file)
            if not isinstance(key, str):
                self.problems.append((here, format_loc(path), f"field name {describe_value(key)} must be text "
                                      "(YAML read it as a number, date or true/false value)"))
            elif key in seen:
                first = seen[key]
                self.problems.append((here, format_loc(path), f"duplicate field '{key}' (first given at line "
                                      f"{first.line}); give each field once"))
            else:
                seen[key] = here
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.loader.construct_object(key_node, deep=True)
            if isinstance(key, str):
                _old_walk(self, value_node, path + (key,), _mark(key_node.start_mark, self.file))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _old_walk(self, item, path + (index,), _mark(item.start_mark, self.file))


def walked(text: str, walk) -> tuple:
    """What a walk of the YAML *text* records (spots and problems, or the error it raises), and the data."""
    from assembler.termsheet.load import _Loader, _mark, _Walker

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        walker = _Walker(loader, "sheet.yaml")
        try:
            walk(walker, node, (), _mark(node.start_mark, "sheet.yaml"))
            data = repr(loader.construct_document(node))
        except Exception as exc:  # noqa: BLE001 - the same error either way
            return type(exc).__name__, str(exc), walker.spots, walker.problems
        return walker.spots, walker.problems, data
    finally:
        loader.dispose()


YAML_CASES = [
    "a: 1\nb: {c: 2, d: [3, {e: 4}]}\n",
    "a: 1\na: 2\n1: x\ntrue: y\n2015-01-01: z\n",
    "base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n  z: 4\nagain: *b\n",
    "base: &b {x: 1}\nmore: &m {w: 2}\nover: {<<: [*b, *m], x: 5}\nalias: *b\n",
    "list: &l [1, {a: 2}]\nthere: *l\nmap: {? [1, 2] : v, k: {<<: {q: 1}}}\n",
    "a: {b: {c: {d: {e: {f: 1}}}}}\nx: [[[[1]]]]\n",
    "m: &m {a: 1, a: 2}\nn: {<<: *m, <<: {b: 3}}\n",
]


@pytest.mark.parametrize("text", YAML_CASES)
def test_the_term_sheet_walk_records_what_it_did(text):
    from assembler.termsheet.load import _Walker

    assert walked(text, _Walker.walk) == walked(text, _old_walk)


def test_the_term_sheet_walk_records_what_it_did_for_every_generated_case():
    from termsheet_cases import FIXTURE, apply, decode, to_yaml

    from assembler.termsheet.load import _Walker

    recorded = __import__("json").loads(FIXTURE.read_text(encoding="utf-8"))
    bases = {name: decode(data) for name, data in recorded["bases"].items()}
    sheets = [SHEETS[0].read_text(encoding="utf-8")] + [
        to_yaml(apply(bases[case["base"]], case["edits"])) for case in recorded["cases"][::7]]
    for text in sheets:
        assert walked(text, _Walker.walk) == walked(text, _old_walk)
