"""The term-sheet form: its fields from the term sheet's JSON Schema, and the YAML written back.

The form is generated from :func:`assembler.termsheet.termsheet_json_schema` (the schema of the
model that validates a term sheet), so a field added to the model appears on the page without
touching it. Validation is never done here: the edited YAML is written to a hidden file beside the
term sheet and read by :func:`assembler.termsheet.load_termsheet`, exactly as the command line
reads it; its located problems are shown next to the fields they name.

Saving rewrites only the values that changed, in the file's own YAML (ruamel.yaml round trip),
so comments, key order and the ``extends:`` line stay as the user wrote them. In a variant, a
value set back to what its base says is removed, so only what differs from the base is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from assembler.errors import AssemblerError, Location, Problem, TermSheetError
from assembler.termsheet import load_termsheet, termsheet_json_schema
from assembler.termsheet.load import EXTENDS, MAX_BYTES, MAX_EXTENDS
from assembler.termsheet.model import format_loc

#: How each kind of value is entered.
KINDS = ("text", "date", "money", "percent", "integer", "boolean", "choices", "lines", "group", "rows")
_WORDS = {"us": "U.S.", "dgcl": "DGCL", "id": "ID"}


@dataclass
class FormField:
    """One input (or a group of inputs) of the form."""

    path: tuple[str | int, ...]
    kind: str
    label: str
    description: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    pattern: str = ""
    children: list[FormField] = field(default_factory=list)  # a group's fields, or a row's fields

    @property
    def name(self) -> str:
        """The form input's name: the dotted path the command line's messages use."""
        return format_loc(self.path)

    def row_name(self, index: int, child: FormField) -> str:
        """The input name of *child* in row *index* (0-based): ``closings[1].date``."""
        return format_loc(self.path + (index,) + child.path[-1:])


def _label(name: str) -> str:
    words = [_WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _kind(prop: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The kind of input for a schema property (and the property without a null alternative)."""
    options = prop.get("anyOf")
    if options:
        real = [o for o in options if o.get("type") != "null"]
        if len(real) == 1:  # optional value
            merged = {**prop, **real[0]}
            merged.pop("anyOf", None)
            return _kind(merged)
        numbers = [o for o in real if o.get("type") == "number"]
        if numbers and numbers[0].get("maximum") == 100:
            return "percent", prop
        if numbers:
            return "money", prop
        return "text", prop
    kind = prop.get("type")
    if "$ref" in prop:
        return "group", prop
    if kind == "boolean":
        return "boolean", prop
    if kind == "integer":
        return "integer", prop
    if kind == "string" and prop.get("format") == "date":
        return "date", prop
    if kind == "array":
        items = prop.get("items", {})
        if "enum" in items:
            return "choices", prop
        if "$ref" in items:
            return "rows", prop
        return "lines", prop
    return "text", prop


def form_fields(schema: dict[str, Any] | None = None) -> list[FormField]:
    """The form's fields, in the model's order (``extends`` is not a field of the form)."""
    schema = schema or termsheet_json_schema()
    defs = schema.get("$defs", {})

    def ref(prop: dict[str, Any]) -> dict[str, Any]:
        return defs[prop["$ref"].rsplit("/", 1)[-1]]

    def walk(obj: dict[str, Any], path: tuple) -> list[FormField]:
        out = []
        required = set(obj.get("required", ()))
        for name, prop in obj.get("properties", {}).items():
            if not path and name == EXTENDS:
                continue
            kind, prop = _kind(prop)
            here = path + (name,)
            f = FormField(here, kind, _label(name), prop.get("description", ""), name in required,
                          pattern=prop.get("pattern", ""))
            if kind == "group":
                sub = ref(prop)
                f.description = f.description or sub.get("description", "")
                f.children = walk(sub, here)
            elif kind == "rows":
                sub = ref(prop["items"])
                f.description = f.description or sub.get("description", "")
                f.children = walk(sub, here)
            elif kind == "choices":
                f.choices = tuple(prop["items"]["enum"])
            # The form writes YAML itself: advice on quoting values in the file is not for it.
            f.description = re.sub(r"\s*\(quote it\)\.?", "", f.description)
            if "quoted string" in f.description:
                f.description = ""
            if not f.description:
                f.description = {"money": "Dollars, e.g. 1000.00.", "percent": "Percent, e.g. 4.99.",
                                 "date": "A calendar date.", "lines": "One a line."}.get(kind, "")
            out.append(f)
        return out

    return walk(schema, ())


def leaves(fields: list[FormField]) -> list[FormField]:
    """Every field holding a value (groups flattened; rows and lists are one value each)."""
    out = []
    for f in fields:
        out.extend(leaves(f.children) if f.kind == "group" else [f])
    return out


# --------------------------------------------------------------------------------------------
# Reading the YAML as written (for display and for writing back)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def read_yaml(path: Path) -> CommentedMap:
    """The term sheet as ruamel round-trip data; a located TermSheetError when it cannot be read."""
    where = Location(str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TermSheetError(Problem(where, f"cannot read the term sheet: {exc.strerror or exc}")) from None
    if len(raw) > MAX_BYTES:
        raise TermSheetError(Problem(where, f"the term sheet is larger than {MAX_BYTES:,} bytes"))
    try:
        data = _yaml().load(raw.decode("utf-8-sig"))
    except (YAMLError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise TermSheetError(Problem(where, f"not valid YAML: {str(exc).splitlines()[0]}")) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise TermSheetError(Problem(where, "the term sheet must be a set of 'field: value' lines"))
    return data


def base_of(path: Path, data: Mapping[Any, Any]) -> Path | None:
    """The base term sheet *data* (read from *path*) names with ``extends:``, or None."""
    return base_named(path, data.get(EXTENDS))


def base_named(path: Path, target: Any) -> Path | None:
    """The base term sheet the term sheet *path* names with ``extends: TARGET``, or None."""
    if not isinstance(target, str) or not target.strip():
        return None
    return Path(os.path.normpath(path.parent / target.strip()))


def merged_values(path: Path, depth: int = 0) -> dict[str, Any]:
    """The values as written, with the bases' values under them (display only: the loader decides)."""
    data = read_yaml(path)
    base = base_of(path, data)
    own = {k: v for k, v in data.items() if k != EXTENDS}
    if base is None or depth >= MAX_EXTENDS or not base.is_file():
        return own
    return _merge(merged_values(base, depth + 1), own)


def revision(path: Path) -> str:
    """A fingerprint of the term sheet and every base it extends: a form posted against another
    revision was filled in from values that have changed since."""
    import hashlib

    digest, seen = hashlib.sha256(), set()
    current: Path | None = path
    while current is not None and current.is_file() and current not in seen and len(seen) <= MAX_EXTENDS:
        seen.add(current)
        raw = current.read_bytes()
        digest.update(hashlib.sha256(raw).digest())
        try:
            current = base_of(current, read_yaml(current))
        except TermSheetError:
            current = None
    return digest.hexdigest()[:32]


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return out


_ABSENT = object()


def _get(data: Any, path: tuple, missing: Any = None) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return missing
        data = data[part]
    return data


def own_fields(fields: list[FormField], path: Path) -> set[str]:
    """Names of the leaf fields the file itself sets (in a variant, the rest comes from its base)."""
    data = read_yaml(path)
    return {f.name for f in leaves(fields) if _get(data, f.path, _ABSENT) is not _ABSENT}


def shown(f: FormField, value: Any) -> Any:
    """A value as the form shows it: text, a bool, a list of choices, or rows of texts."""
    if f.kind == "boolean":
        return bool(value) if isinstance(value, bool) else False
    if f.kind == "choices":
        return [str(v) for v in value] if isinstance(value, list) else []
    if f.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else ""
    if f.kind == "rows":
        rows = value if isinstance(value, list) else []
        return [{c.path[-1]: shown(c, r.get(c.path[-1]) if isinstance(r, dict) else None) for c in f.children}
                for r in rows]
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_values(fields: list[FormField], data: dict) -> dict[str, Any]:
    """Input name -> shown value, for every leaf field."""
    return {f.name: shown(f, _get(data, f.path)) for f in leaves(fields)}


# --------------------------------------------------------------------------------------------
# The posted form


_ROW = re.compile(r"^(?P<list>[A-Za-z_.]+)\[(?P<n>\d{1,4})\]\.(?P<field>[A-Za-z_]+)$")
MAX_ROWS = 500


def parse_form(fields: list[FormField], form) -> dict[str, Any]:
    """Input name -> posted value, shaped as :func:`form_values` gives them (a starlette FormData)."""
    out: dict[str, Any] = {}
    for f in leaves(fields):
        if f.kind == "boolean":
            out[f.name] = form.get(f.name) in ("on", "true", "1")
        elif f.kind == "choices":
            out[f.name] = [v for v in form.getlist(f.name) if v in f.choices]
        elif f.kind == "lines":
            out[f.name] = "\n".join(line.strip() for line in str(form.get(f.name, "")).splitlines() if line.strip())
        elif f.kind == "rows":
            rows: dict[int, dict[str, str]] = {}
            for key, value in form.multi_items():
                m = _ROW.match(key)
                if m and m["list"] == f.name and int(m["n"]) <= MAX_ROWS:
                    rows.setdefault(int(m["n"]), {})[m["field"]] = str(value).strip()
            names = [c.path[-1] for c in f.children]
            out[f.name] = [{n: rows[i].get(n, "") for n in names} for i in sorted(rows)]
        else:
            out[f.name] = str(form.get(f.name, "")).strip()
    return out


def _plain_reads_as_text(text: str) -> bool:
    import yaml

    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def _typed(f: FormField, value: Any, like: Any = None) -> Any:
    """A shown value as YAML data of the field's kind (quoted where YAML would misread it)."""
    if f.kind == "boolean":
        return bool(value)
    if f.kind == "choices":
        seq = CommentedSeq(value)
        if isinstance(like, CommentedSeq) and like.fa.flow_style():
            seq.fa.set_flow_style()
        elif not isinstance(like, CommentedSeq):
            seq.fa.set_flow_style()
        return seq
    if f.kind == "lines":
        return CommentedSeq([_typed_text(v) for v in value.splitlines()])
    if f.kind == "integer" and re.fullmatch(r"\d{1,15}", value):
        return int(value)
    if f.kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return DoubleQuotedScalarString(value)
    if f.kind in ("money", "percent"):
        return DoubleQuotedScalarString(value)
    return _typed_text(value)


def _typed_text(value: str) -> Any:
    return value if value and _plain_reads_as_text(value) else DoubleQuotedScalarString(value)


def _set(data: CommentedMap, path: tuple, value: Any, order: dict[tuple, list[str]] | None = None) -> None:
    """Set the value at *path*, making the groups on the way; a new key goes where the model puts it."""
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if part in data:
            if last:
                data[part] = value
                return
            if not isinstance(data[part], CommentedMap):
                data[part] = CommentedMap()
        else:
            siblings = (order or {}).get(path[:depth], [])
            earlier = set(siblings[:siblings.index(part)]) if part in siblings else set(siblings)
            at = max((i + 1 for i, key in enumerate(data) if key in earlier or key == EXTENDS), default=0)
            data.insert(at, part, value if last else CommentedMap())
            if last:
                return
        data = data[part]


def model_order(fields: list[FormField]) -> dict[tuple, list[str]]:
    """For each group's path, its fields' names in the model's order."""
    order: dict[tuple, list[str]] = {}

    def walk(group: list[FormField], path: tuple) -> None:
        order[path] = [str(f.path[-1]) for f in group]
        for f in group:
            if f.kind == "group":
                walk(f.children, f.path)

    walk(fields, ())
    return order


def _delete(data: CommentedMap, path: tuple) -> None:
    chain = [data]
    for part in path[:-1]:
        child = chain[-1].get(part)
        if not isinstance(child, CommentedMap):
            return
        chain.append(child)
    chain[-1].pop(path[-1], None)
    for depth in range(len(path) - 1, 0, -1):  # a mapping left empty goes too
        if not chain[depth]:
            chain[depth - 1].pop(path[depth - 1], None)


def _set_rows(data: CommentedMap, f: FormField, rows: list[dict[str, str]], old_rows: list) -> None:
    """Closings and the like: rows changed in place (keeping their comments and flow style)."""
    current = _get(data, f.path)
    if not isinstance(current, CommentedSeq) or current is None:
        current = CommentedSeq()
        _set(data, f.path, current)
    flow = any(isinstance(r, CommentedMap) and r.fa.flow_style() for r in current) or not len(current)
    by_name = {c.path[-1]: c for c in f.children}
    for index, row in enumerate(rows):
        if index < len(current) and isinstance(current[index], CommentedMap):
            item = current[index]
            before = old_rows[index] if index < len(old_rows) else {}
            for key, value in row.items():
                if before.get(key) != value:
                    if value == "" and not by_name[key].required:
                        item.pop(key, None)
                    else:
                        item[key] = _typed(by_name[key], value)
        else:
            item = CommentedMap((k, _typed(by_name[k], v)) for k, v in row.items()
                                if v != "" or by_name[k].required)
            if flow:
                item.fa.set_flow_style()
            if index < len(current):
                current[index] = item
            else:
                current.append(item)
    del current[len(rows):]


def apply_changes(path: Path, fields: list[FormField], posted: dict[str, Any]) -> tuple[str, list[str]]:
    """The new YAML text of *path* with the posted values, and the names of the fields changed.

    Only values that differ from what the file (with its bases) says are touched. In a variant a
    value equal to its base's is removed rather than repeated.
    """
    data = read_yaml(path)
    before = form_values(fields, merged_values(path))
    base = base_of(path, data)
    base_values = form_values(fields, merged_values(base)) if base is not None and base.is_file() else None
    changed = []
    order = model_order(fields)
    for f in leaves(fields):
        new = posted.get(f.name)
        if new is None or new == before.get(f.name):
            continue
        changed.append(f.name)
        if base_values is not None and new == base_values.get(f.name):
            _delete(data, f.path)
        elif f.kind == "rows":
            if _get(data, f.path) is None and base_values is not None:  # inherited list: the variant's own copy
                _set(data, f.path, CommentedSeq(), order)
                _set_rows(data, f, new, [])
            else:
                _set_rows(data, f, new, before.get(f.name) or [])
        elif new in ("", []) and not f.required and f.kind not in ("lines", "choices"):
            _delete(data, f.path)
        else:
            _set(data, f.path, _typed(f, new, _get(data, f.path)), order)
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue(), changed


def new_variant_text(base_name: str, deal_name: str) -> str:
    """A variant term sheet: ``extends:`` the base beside it, with its own deal name."""
    data = CommentedMap([(EXTENDS, base_name), ("deal_name", _typed_text(deal_name))])
    data.yaml_set_start_comment(f"Variant of {base_name}: only what differs from it is written here.")
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def validate_text(path: Path, text: str):
    """Load *text* as the term sheet at *path* would be loaded (a hidden file beside it, then
    removed). Returns the term sheet; raises the loader's TermSheetError with *path*'s name."""
    probe = path.parent / f".{path.name}.{secrets.token_hex(6)}.check.yaml"
    try:
        with open(probe, "x", encoding="utf-8") as handle:
            handle.write(text)
        return load_termsheet(probe)
    except AssemblerError as exc:
        raise type(exc)([Problem(Location(str(path) if p.location.file == str(probe) else p.location.file,
                                          p.location.line, p.location.column, p.location.field), p.message)
                         for p in exc.problems]) from None
    finally:
        try:
            probe.unlink()
        except FileNotFoundError:
            pass


def field_of(problem: Problem, names: set[str]) -> str | None:
    """The form input a problem belongs to: its field path, or the nearest enclosing one."""
    name = problem.location.field
    while name:
        if name in names:
            return name
        trimmed = re.sub(r"(\[\d+\]|\.[^.\[\]]+)$", "", name)
        if trimmed == name:
            break
        name = trimmed
    return None


def all_names(fields: list[FormField]) -> set[str]:
    """Every input name and group name of the form (for placing messages)."""
    names: set[str] = set()
    for f in fields:
        names.add(f.name)
        if f.kind == "group":
            names |= all_names(f.children)
    return names
