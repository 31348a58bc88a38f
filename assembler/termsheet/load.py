"""Read a term sheet from YAML into a :class:`~assembler.termsheet.model.TermSheet`.

The YAML is read with a subclass of ``yaml.SafeLoader`` (no arbitrary objects), composed here so
that every mapping key and value keeps its line and column. Every problem is reported at once,
each located as ``FILE:LINE:COLUMN: field.path: message`` (1-based), sorted by line.

Unquoted YAML numbers with a decimal point are read as exact ``Decimal`` values (never floats), so
``par_value: 0.0001`` keeps every digit as written.

A term sheet may say ``extends: base.yaml`` (a path relative to its own file; chains allowed) and
override any field of the base: mappings merge deeply, lists and single values replace. Every
recorded spot carries the file it was written in, so a problem is reported in the base file for
an inherited value and in the variant for an overridden one.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import difflib
import hashlib
import os
import pickle
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import yaml

from assembler.errors import Location, Problem, TermSheetError, one_line
from assembler.memo import Kept, kept
from assembler.safeio import kind_of, read_input
from assembler.termsheet.fields import ListOf, Model, ModelErrors, OrNone
from assembler.termsheet.model import ERROR_TYPE, TermSheet, describe_value, format_loc

__all__ = ["load_termsheet", "termsheet_json_schema", "MAX_BYTES"]

#: Largest term sheet read, in bytes. A real one is a few kilobytes.
MAX_BYTES = 1_000_000
#: Largest number of YAML nodes visited (aliases counted each time they are used).
MAX_NODES = 100_000
#: Longest path a term sheet may give in ``extends:``.
MAX_BASE_PATH = 4096
#: Longest chain of ``extends:`` followed (a variant, its base, the base's base...).
MAX_EXTENDS = 16
#: The top-level key naming the base term sheet; not a model field.
EXTENDS = "extends"

Path_ = tuple[str | int, ...]


# Marks and spots are named tuples, not frozen dataclasses: a load makes one of each for every value
# and key (about 150 marks and 75 spots for a deal), and a tuple is made in a third of the time.
class _Mark(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based
    file: str  # the file the mark is in (a base term sheet for an inherited value)


class _Spot(NamedTuple):
    key: _Mark  # where the field name is (for a list item: the item itself)
    value: _Mark  # where the value starts
    scalar: bool  # the value is a single value, not a mapping or list


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads YAML floats as exact Decimals."""


def _construct_decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "").lower()
    sign = -1 if text.startswith("-") else 1
    if text[:1] in "+-":
        text = text[1:]
    if text == ".inf":
        return Decimal(sign) * Decimal("Infinity")
    if text == ".nan":
        return Decimal("NaN")
    if ":" in text:  # YAML 1.1 base 60, e.g. 1:30.5
        value = Decimal(0)
        for part in text.split(":"):
            value = value * 60 + Decimal(part)
        return sign * value
    return sign * Decimal(text)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # e.g. 2015-02-30: keep the text; the model reports it at its field
        return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"

if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser: a fast path for plain ASCII term sheets (see
        :func:`_fast_document`); its constructors are the Python ones of :class:`_Loader`."""

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            """The tag of a node without one: what ``Resolver.resolve`` gives (a SafeLoader has no path
            resolvers), each first character's implicit resolvers and the wildcard ones joined once, and the
            tag of recent plain texts kept (dates, amounts and names repeat from one term sheet to the next)."""
            if kind is yaml.ScalarNode:
                return (_implicit_tag(value) or self.DEFAULT_SCALAR_TAG) if implicit[0] else self.DEFAULT_SCALAR_TAG
            return yaml.CSafeLoader.resolve(self, kind, value, implicit)

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            """What ``BaseConstructor.construct_object`` gives: a text node (most of a term sheet) is its
            text, as ``construct_yaml_str`` gives it, without the general constructor's bookkeeping (a
            scalar is never under construction when asked for, and its text is the same object each time)."""
            if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
                return node.value
            return yaml.CSafeLoader.construct_object(self, node, deep)

        def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
            """What ``SafeConstructor.construct_mapping`` gives, a text key taken as hashable without asking
            ``collections.abc.Hashable`` (a Python call each time)."""
            if not isinstance(node, yaml.MappingNode):
                return yaml.CSafeLoader.construct_mapping(self, node, deep)
            self.flatten_mapping(node)
            construct = self.construct_object
            mapping = {}
            for key_node, value_node in node.value:
                key = construct(key_node, deep=deep)
                if type(key) is not str and not isinstance(key, collections.abc.Hashable):
                    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                            "found unhashable key", key_node.start_mark)
                mapping[key] = construct(value_node, deep=deep)
            return mapping

    _FastLoader.yaml_constructors = _Loader.yaml_constructors
    if _Loader.yaml_constructors.get(_STR_TAG) is not yaml.SafeLoader.construct_yaml_str:  # pragma: no cover
        del _FastLoader.construct_object
    # Checked once here: a loader class with path resolvers, or whose implicit resolvers are not the
    # ones joined below, keeps Resolver.resolve.
    _RESOLVERS = _FastLoader.yaml_implicit_resolvers
    _WILDCARD = tuple(_RESOLVERS.get(None, []))
    _IMPLICIT = {first: tuple(resolvers + list(_WILDCARD)) for first, resolvers in _RESOLVERS.items()}
    if _FastLoader.yaml_path_resolvers or _Loader.yaml_implicit_resolvers is not _RESOLVERS:  # pragma: no cover
        del _FastLoader.resolve
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None


@kept()
def _implicit_tag(value: str) -> str | None:
    """The tag the implicit resolvers give the plain scalar *value* (None: none does, so text), kept by
    the text: the resolvers are fixed (see above), so the text alone determines it, and a tag is a string."""
    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return tag
    return None


#: Text the libyaml fast path takes: printable ASCII and line feeds, nothing PyYAML's reader refuses.
_FAST_TEXT = re.compile(r"[\x20-\x7e\n]*\Z")
#: Deepest nesting the fast path takes (libyaml's composer recurses in C, without Python's limit).
_FAST_DEPTH = 64


class _TooLarge(Exception):
    pass


class _Unwatched(Exception):
    """A watching walk met a mapping it would flatten, or a key that is not a single value."""


_new_tuple = tuple.__new__


def _mark(mark: yaml.Mark, file: str) -> _Mark:
    return _new_tuple(_Mark, (mark.line + 1, mark.column + 1, file))


class _Walker:
    """Records where every field is, and finds duplicate and non-text keys."""

    def __init__(self, loader: _Loader, file: str, watch: bool = False) -> None:
        self.loader = loader
        self.file = file
        # Watching (the fast path): also note an empty plain scalar (`empty`), and raise _Unwatched
        # rather than walk a mapping with merge (<<) or value (=) keys or a key that is not a scalar.
        self.watch = watch
        self.empty = False
        self.spots: dict[Path_, _Spot] = {}
        self.problems: list[tuple[_Mark, str, str]] = []  # (mark, field path, message)
        self.visited = 0

    def walk(self, node: yaml.Node, path: Path_, key_mark: _Mark, value_mark: _Mark | None = None) -> None:
        """Record *node* (at *path*, its field name at *key_mark*; *value_mark*: its own start's mark, when
        already made) and everything under it."""
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooLarge
        file = self.file
        if value_mark is None:
            value_mark = _mark(node.start_mark, file)
        scalar = isinstance(node, yaml.ScalarNode)
        # A later occurrence wins, as it does in the loaded data (merge keys, duplicates).
        self.spots[path] = _new_tuple(_Spot, (key_mark, value_mark, scalar))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, _Mark] = {}
            # Without merge (<<) or value (=) keys, flattening leaves the mapping as it is: its
            # values are walked under the keys (the same objects) and marks found here.
            flat = True
            walked = []
            construct = self.loader.construct_object
            watch = self.watch
            for key_node, value_node in node.value:
                tag = key_node.tag
                if tag == _MERGE_TAG or tag == _VALUE_TAG:
                    flat = False
                if not isinstance(key_node, yaml.ScalarNode):
                    if watch:
                        raise _Unwatched
                    continue
                if watch:
                    if not flat:
                        raise _Unwatched
                    if key_node.value == "" and not key_node.style:
                        self.empty = True
                if tag == _MERGE_TAG:
                    continue
                key = construct(key_node, deep=True)
                here = _mark(key_node.start_mark, file)
                walked.append((key, here, value_node))
                if not isinstance(key, str):
                    self.problems.append(
                        (here, format_loc(path), f"field name {describe_value(key)} must be text "
                         "(YAML read it as a number, date or true/false value)")
                    )
                elif key in seen:
                    first = seen[key]
                    self.problems.append(
                        (here, format_loc(path),
                         f"duplicate field '{key}' (first given at line {first.line}); "
                         "give each field once")
                    )
                else:
                    seen[key] = here
            if flat:
                for key, here, value_node in walked:
                    if isinstance(key, str):
                        if isinstance(value_node, yaml.ScalarNode):
                            self._scalar(value_node, path + (key,), here, _mark(value_node.start_mark, file))
                        else:
                            self.walk(value_node, path + (key,), here)
                return
            self.loader.flatten_mapping(node)  # resolve YAML merge keys (<<) like the loader does
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = construct(key_node, deep=True)
                if isinstance(key, str):
                    self.walk(value_node, path + (key,), _mark(key_node.start_mark, file))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                here = _mark(item.start_mark, file)  # an item is placed where it starts, its key and value alike
                if isinstance(item, yaml.ScalarNode):
                    self._scalar(item, path + (index,), here, here)
                else:
                    self.walk(item, path + (index,), here, here)

    def _scalar(self, node: yaml.ScalarNode, path: Path_, key_mark: _Mark, value_mark: _Mark) -> None:
        """What `walk` does for a single value (a scalar node), as it does it."""
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooLarge
        if self.watch and node.value == "" and not node.style:
            self.empty = True
        self.spots[path] = _new_tuple(_Spot, (key_mark, value_mark, True))


def _syntax_problem(file: str, text: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        return Problem(
            Location(file, line, column),
            f"YAML syntax error: character U+{exc.character:04X} is not allowed in a term sheet"
            if isinstance(exc.character, int)
            else f"YAML syntax error: {exc.reason}",
        )
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        message = f"YAML syntax error: {exc.problem}"
        if exc.context:
            context = exc.context
            if exc.context_mark is not None and exc.context_mark.line != mark.line:
                context += f" that started at line {exc.context_mark.line + 1}"
            message += f" ({context})"
        if "'\\t'" in str(exc.problem):
            message += "; indent with spaces, not tabs"
        return Problem(Location(file, mark.line + 1, mark.column + 1), message)
    return Problem(Location(file), f"YAML syntax error: {exc}")


# --------------------------------------------------------------------------------------------
# Turning the model's errors into located problems


def _unwrap(kind: Any) -> Any:
    """*kind* without its "or nothing" (a model, a list or a value kind)."""
    while isinstance(kind, OrNone):
        kind = kind.kind
    return kind


def _model_at(loc: Path_) -> type[Model] | None:
    """The model class whose fields are allowed at ``loc`` (None if not a model)."""
    current: Any = TermSheet
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            if isinstance(current, ListOf):
                current = current.item
                continue
            return None
        if isinstance(current, type) and issubclass(current, Model):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.kind
            continue
        return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, Model):
        return current
    return None


class _Locator:
    def __init__(self, spots: dict[Path_, _Spot], root: _Mark) -> None:
        self.spots = spots
        self.root = root

    def at_value(self, loc: Path_) -> tuple[_Mark, Path_]:
        """Where the value at ``loc`` is (or the nearest enclosing field that exists)."""
        if loc in self.spots:
            spot = self.spots[loc]
            if spot.scalar or (loc and isinstance(loc[-1], int)):
                return spot.value, loc
            return spot.key, loc
        return self.at_field(loc[:-1]) if loc else (self.root, ())

    def at_field(self, loc: Path_) -> tuple[_Mark, Path_]:
        """Where the field named by ``loc`` is written (its key), for missing-field errors."""
        while loc and loc not in self.spots:
            loc = loc[:-1]
        if not loc:
            return self.root, ()
        return self.spots[loc].key, loc

    def at_key(self, loc: Path_) -> _Mark:
        spot = self.spots.get(loc)
        return spot.key if spot else self.at_field(loc[:-1])[0]

    def problem(self, mark: _Mark, loc: Path_, message: str) -> Problem:
        location = Location(mark.file, mark.line, mark.column, format_loc(loc) or None)
        return Problem(location, message)


def _plain_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a group of fields (a mapping), got {describe_value(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list, got {describe_value(value)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, got {describe_value(value)}"
    if kind == "too_short":
        return "must not be empty"
    message = str(error.get("msg", "is not valid"))
    message = re.sub(r"^(Value error|Assertion failed), ", "", message)
    return message[:1].lower() + message[1:] + f", got {describe_value(value)}"


def _did_you_mean(loc: Path_) -> str | None:
    """The allowed field name closest to the unknown field at ``loc``, if one is close."""
    model = _model_at(loc[:-1])
    if model is None:
        return None
    close = difflib.get_close_matches(str(loc[-1]), sorted(model.model_fields), n=1, cutoff=0.6)
    return close[0] if close else None


def _problems_from(errors: list[dict[str, Any]], locator: _Locator) -> list[Problem]:
    problems: list[Problem] = []
    # A misspelt field is reported once, as "unknown field ... (did you mean ...?)", not also
    # as the missing field it was meant to be.
    suggested: set[Path_] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            close = _did_you_mean(loc)
            if close:
                suggested.add(loc[:-1] + (close,))
    for error in errors:
        loc: Path_ = tuple(error["loc"])
        kind = error["type"]
        if kind == "missing":
            if loc in suggested:
                continue
            mark, _where = locator.at_field(loc[:-1])
            message = f"missing required field '{loc[-1]}'"
            problems.append(locator.problem(mark, loc[:-1], message))
        elif kind == "extra_forbidden":
            name = loc[-1]
            parent = loc[:-1]
            model = _model_at(parent)
            allowed = sorted(model.model_fields) if model else []
            close = _did_you_mean(loc)
            if model is not None and isinstance(getattr(model, str(name), None), property):
                message = (
                    f"'{name}' is computed by the toolkit and must not be typed in the term sheet"
                )
            elif close:
                message = f"unknown field '{name}' (did you mean '{close}'?)"
            elif allowed:
                message = f"unknown field '{name}' (fields allowed here: {', '.join(allowed)})"
            else:
                message = f"unknown field '{name}'"
            problems.append(locator.problem(locator.at_key(loc), parent, message))
        elif kind == ERROR_TYPE and "problems" in (error.get("ctx") or {}):
            for relative, message in error["ctx"]["problems"]:
                full = loc + tuple(relative)
                mark, _where = locator.at_value(full)
                problems.append(locator.problem(mark, full, message))
        else:
            mark, _where = locator.at_value(loc)
            problems.append(locator.problem(mark, loc, _plain_message(error)))
    return problems


# --------------------------------------------------------------------------------------------
# Reading one file, and following `extends:`


@dataclass
class _Document:
    """One YAML file read: its data, where each value is, and its duplicate/non-text keys."""

    file: str
    data: dict[Any, Any]
    spots: dict[Path_, _Spot]
    root: _Mark
    problems: list[Problem]


def _read_bytes(file: str) -> bytes:
    """The bytes of the term sheet *file*; raise its read errors."""
    return read_input(file, limit=MAX_BYTES, what="term sheet file", error=TermSheetError, empty_ok=True,
                      missing="term sheet not found")


def _read_document(file: str, raw: bytes) -> _Document:
    """Compose one YAML file, *file*, whose bytes are *raw* (no validation); raise its syntax errors."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise TermSheetError(
            Problem(Location(file, line, column), "the term sheet is not UTF-8 text "
                    "(save it as UTF-8)")
        ) from None

    return _compose_document(file, text)


def _compose_document(file: str, text: str) -> _Document:
    """Compose the YAML *text* of *file*, each value with its position; raise its syntax errors."""
    loader = None
    try:
        try:
            fast = _fast_document(file, text)
            if fast is not None:
                return fast
            loader = _Loader(text)
            node = loader.get_single_node()
            if node is None:
                raise TermSheetError(
                    Problem(Location(file), "the term sheet is empty; expected field: value lines")
                )
            if not isinstance(node, yaml.MappingNode):
                kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
                raise TermSheetError(
                    Problem(
                        Location(file, node.start_mark.line + 1, node.start_mark.column + 1),
                        f"the term sheet must be a set of 'field: value' lines, got {kind}",
                    )
                )
            walker = _Walker(loader, file)
            walker.walk(node, (), _mark(node.start_mark, file))
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise TermSheetError(_syntax_problem(file, text, exc)) from None
        except _TooLarge:
            raise TermSheetError(
                Problem(Location(file), "the term sheet has too many values (check for YAML "
                        "aliases that repeat large parts of the file)")
            ) from None
        except (ValueError, TypeError, OverflowError) as exc:  # a value YAML cannot construct
            raise TermSheetError(Problem(Location(file), f"YAML value error: {exc}")) from None
        except RecursionError:
            raise TermSheetError(
                Problem(Location(file), "the term sheet is nested too deeply")
            ) from None
    finally:
        if loader is not None:
            loader.dispose()

    # Duplicate or non-text keys are reported together with every other problem.
    problems = [
        Problem(Location(mark.file, mark.line, mark.column, field or None), message)
        for mark, field, message in walker.problems
    ]
    return _Document(file, data, walker.spots, _mark(node.start_mark, file), problems)


def _fast_document(file: str, text: str) -> _Document | None:
    """The document read with libyaml's parser, or None to read it with PyYAML's own.

    Taken only for printable ASCII text nested less than _FAST_DEPTH deep, and only when the whole
    read succeeds with a mapping at the top: anything else (an error of any kind, an empty file, a
    list) is read again by the Python path, so its messages and results are the Python path's. Too
    many values (_TooLarge) is raised at once: walking the same nodes again would find as many.
    libyaml and PyYAML give the same nodes and start marks for such text; only start marks are used.

    An empty value is placed differently by the two parsers: the walk that records the spots looks for
    one as it goes (it then reaches every node, as `_has_empty_plain_scalar` does), unless it meets a
    mapping to flatten or a key that is not a single value, or too many nodes: then the nodes, still
    as composed, are looked through first, and walked again, as before."""
    if _FastLoader is None or not _FAST_TEXT.match(text) or _depth_bound(text) >= _FAST_DEPTH:
        return None
    loader = None
    try:
        loader = _FastLoader(text)
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return None
        walker = _Walker(loader, file, watch=True)
        try:
            walker.walk(node, (), _mark(node.start_mark, file))
        except _Unwatched:  # nothing flattened yet: walked as before, once the empty values are looked for
            if _has_empty_plain_scalar(node):
                return None
            walker = _Walker(loader, file)
            walker.walk(node, (), _mark(node.start_mark, file))
        except _TooLarge:
            if _has_empty_plain_scalar(node):
                return None
            raise
        if walker.empty:  # placed differently by the two parsers
            return None
        data = loader.construct_document(node)
    except _TooLarge:  # the same nodes, so the same verdict: not walked twice
        raise
    except Exception:  # noqa: BLE001 - the Python path reads it again and reports what it finds
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if walker.problems:
        return None
    return _Document(file, data, walker.spots, _mark(node.start_mark, file), [])


def _has_empty_plain_scalar(root: yaml.Node) -> bool:
    """Whether any value is left empty (``key:`` with nothing after it), or the nodes are too many."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            return True
        if isinstance(node, yaml.ScalarNode):
            if node.value == "" and not node.style:
                return True
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        else:
            stack += node.value
    return False


def _depth_bound(text: str) -> int:
    """At least the deepest nesting of the YAML *text*: its widest indentation plus every flow
    bracket and block-sequence dash (a generous bound, counted without parsing)."""
    indent = max((len(line) - len(line.lstrip(" -?:")) for line in text.split("\n")), default=0)
    return indent + text.count("[") + text.count("{")


def _merge(base: dict[Any, Any], over: dict[Any, Any], path: Path_,
           replaced: set[Path_]) -> dict[Any, Any]:
    """``over`` laid on ``base``: mappings merge deeply, anything else replaces.

    Every path of ``base`` whose value was replaced is added to ``replaced``. Neither input is
    changed (YAML aliases may share objects between places).
    """
    out = dict(base)
    for key, value in over.items():
        here = path + (key,)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _merge(base[key], value, here, replaced)
        else:
            out[key] = value
            if key in base:
                replaced.add(here)
    return out


def _merge_spots(base: dict[Path_, _Spot], over: dict[Path_, _Spot],
                 replaced: set[Path_]) -> dict[Path_, _Spot]:
    """Spots of the merged data: the base's, less what was replaced, then the variant's on top."""
    kept = {
        path: spot for path, spot in base.items()
        if not any(path[:n] in replaced for n in range(1, len(path) + 1))
    }
    kept.update(over)  # a mapping written in both is placed where the variant wrote it
    return kept


def _resolve(file: str, chain: list[str], raw: bytes | None = None,
             read: list[tuple[str, str, bytes]] | None = None) -> tuple[_Document, list[str]]:
    """``file`` (whose bytes are *raw*, when already read) read with every ``extends:`` followed;
    the files read, variant first. *read*, if given, gets each file's name, real path and bytes.

    ``chain`` holds the real paths of the files already being resolved (for cycle detection), this
    file's last. The result's ``data`` has no ``extends`` key; its root is the variant's.
    """
    if raw is None:
        raw = _read_bytes(file)
    if read is not None:
        read.append((file, chain[-1], raw))
    doc = _read_document(file, raw)
    files = [file]
    if EXTENDS not in doc.data:
        return doc, files
    target = doc.data.pop(EXTENDS)
    spot = doc.spots.pop((EXTENDS,))
    for path in [p for p in doc.spots if p[:1] == (EXTENDS,)]:
        del doc.spots[path]

    def fail(message: str) -> TermSheetError:
        mark = spot.value
        return TermSheetError(
            doc.problems + [Problem(Location(file, mark.line, mark.column, EXTENDS), message)]
        )

    if not isinstance(target, str) or not target.strip():
        raise fail("must be the path of the base term sheet (relative to this file), "
                   f"got {describe_value(target)}")
    if "\0" in target or len(target) > MAX_BASE_PATH:
        raise fail("the base term sheet's path holds a NUL character or is too long")
    base_file = os.path.normpath(os.path.join(os.path.dirname(file), target.strip()))
    real = os.path.realpath(base_file)
    if real in chain:
        names = [os.path.basename(f) for f in chain[chain.index(real):]]
        cycle = " -> ".join(names + [os.path.basename(real)])
        raise fail(f"'{target}' extends back to a term sheet that extends it (cycle: {cycle})")
    if len(chain) >= MAX_EXTENDS:
        raise fail(f"too many levels of 'extends' (at most {MAX_EXTENDS})")
    shown = one_line(target, 120)
    if not os.path.exists(base_file):
        raise fail(f"base term sheet '{shown}' not found (looked for {one_line(base_file, 200)})")
    mode = os.stat(base_file).st_mode
    if not stat.S_ISREG(mode):
        raise fail(f"base term sheet '{shown}' is {kind_of(mode)}, not a term sheet file")
    if os.path.splitext(base_file)[1].lower() not in (".yaml", ".yml"):
        raise fail(f"base term sheet '{shown}' is not a .yaml file; refused")
    roots = allowed_roots(chain[0])
    if not any(_inside(real, root) for root in roots):
        raise fail(f"base term sheet '{shown}' is outside the term sheet's folder and the library folders; "
                   "refused (name its folder with --library DIR)")
    if not _looks_like_termsheet(base_file):
        raise fail(f"base term sheet '{shown}' is not a term sheet (no term-sheet field in it); refused "
                   "without reading it further")

    base, base_files = _resolve(base_file, chain + [real], read=read)
    replaced: set[Path_] = set()
    data = _merge(base.data, doc.data, (), replaced)
    spots = _merge_spots(base.spots, doc.spots, replaced)
    merged = _Document(file, data, spots, doc.root, doc.problems + base.problems)
    return merged, files + base_files


#: Environment variable listing the library folders (os.pathsep-separated) a base may come from.
LIBRARY_ENV = "ASSEMBLER_LIBRARY"
_FIELD_LINE = re.compile(r"^(?:%s)\s*:" % "|".join(sorted([*TermSheet.model_fields, EXTENDS])), re.M)


def use_libraries(folders) -> None:
    """Name *folders* as libraries a base term sheet may come from, for this process and its workers."""
    previous = [p for p in os.environ.get(LIBRARY_ENV, "").split(os.pathsep) if p]
    added = [str(f) for f in folders if str(f) not in previous]
    if added:
        os.environ[LIBRARY_ENV] = os.pathsep.join(previous + added)


def _inside(real: str, root: str) -> bool:
    """Whether the real path *real* is *root* or lies in its tree."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def allowed_roots(top: str) -> list[str]:
    """Folders a base term sheet may lie in: the top term sheet's folder tree, the folder assembler
    runs in when the term sheet lies in it (the project a variant and its base share, as
    termsheets/variants/x.yaml extends termsheets/base.yaml), and every library folder named
    (``--library``, or ``ASSEMBLER_LIBRARY``)."""
    roots = [os.path.dirname(top) or "."]
    cwd = os.path.realpath(os.getcwd())
    if cwd != os.sep and _inside(os.path.realpath(top), cwd):
        roots.append(cwd)
    roots += [p for p in os.environ.get(LIBRARY_ENV, "").split(os.pathsep) if p]
    return [os.path.realpath(r) for r in roots]


def _looks_like_termsheet(file: str) -> bool:
    """Whether *file* has at least one top-level term-sheet field (so nothing else is ever echoed)."""
    try:
        raw = read_input(file, limit=MAX_BYTES, what="term sheet file", error=TermSheetError, empty_ok=True)
    except TermSheetError:
        return True  # the read error itself is reported, by name, when the base is read
    return bool(_FIELD_LINE.search(raw.decode("utf-8", "replace")))


# --------------------------------------------------------------------------------------------
# Public API


def load_termsheet(path: str | os.PathLike[str]) -> TermSheet:
    """Read, check and return the term sheet at ``path``, following ``extends:`` if it has one.

    Raises :class:`~assembler.errors.TermSheetError` listing every problem found, each located
    at ``FILE:LINE:COLUMN`` with the dotted field path, in the file where the value was written.
    """
    file = os.fspath(path)
    chain = [os.path.realpath(file)]
    raw = _read_bytes(file)
    key = (file, _digest(raw))
    kept = _LOADED.get(key)
    if kept is not None and _still_true(kept, chain[0]):
        return pickle.loads(kept.termsheet)
    read: list[tuple[str, str, bytes]] = []
    doc, files = _resolve(file, chain, raw, read)
    termsheet = _validate(doc, files)
    try:
        pickled = pickle.dumps(termsheet, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return termsheet  # a term sheet's values all pickle; one that did not would only go unkept
    if len(pickled) <= LOADED_MOST_BYTES:
        bases = tuple((name, real, _digest(data)) for name, real, data in read[1:])
        _LOADED.put(key, _Loaded(pickled, chain[0], tuple(allowed_roots(chain[0])) if bases else (), bases))
    return termsheet


def _digest(data: bytes) -> bytes:
    """The SHA-256 of a term sheet's bytes: what a kept load is known by (the bytes themselves, up to
    MAX_BYTES each, would make the memo hold as much as a thousand such files)."""
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class _Loaded:
    """A term sheet loaded, and what else its load depended on: the real path of its file and, when
    it extends a base, the folders a base could come from and each base's name, real path and digest."""

    termsheet: bytes                         # pickled
    real: str
    roots: tuple[str, ...]
    bases: tuple[tuple[str, str, bytes], ...]  # (name, real path, `_digest` of its bytes)


def _still_true(kept: _Loaded, real: str) -> bool:
    """Whether loading the file (of real path *real*, its bytes unchanged) would give *kept* again:
    the same real path, and for a variant the same folders allowed and the same bases."""
    if kept.real != real:
        return False
    if not kept.bases:
        return True
    if tuple(allowed_roots(real)) != kept.roots:
        return False
    for base_file, base_real, digest in kept.bases:
        try:
            if os.path.realpath(base_file) != base_real or _digest(_read_bytes(base_file)) != digest:
                return False
        except (OSError, ValueError, TermSheetError):
            return False
    return True


#: Term sheets loaded lately, each kept (pickled: every load gives its caller an object of its own) by
#: its file's name and the digest of its bytes, so that loading the same bytes again is unpickling
#: them. A batch loads each variant twice, first for its deal name, then to build it; the second
#: load, often in the same worker process, finds it here. What else the load depended on is checked again each time
#: (see `_still_true`). At most LOADED_KEPT, each of at most LOADED_MOST_BYTES pickled (a deal's term
#: sheet is about 2 KB; one larger, made so by long values, is loaded afresh each time): a long-running
#: process (the web page, a worker) holds at most 32 MB of them.
LOADED_KEPT = 1024
LOADED_MOST_BYTES = 32 * 1024
_LOADED = Kept(LOADED_KEPT)


def _validate(doc: _Document, files: list[str]) -> TermSheet:
    """The term sheet *doc* (read from *files*) holds, checked; raise every problem found."""
    locator = _Locator(doc.spots, doc.root)
    problems = list(doc.problems)
    data, screened = _screened(doc.data, locator)
    if screened:  # values no field can hold never reach the model
        raise TermSheetError(_sorted(problems + screened, files))
    try:
        termsheet = TermSheet.validate(data)
    except ModelErrors as exc:
        problems.extend(_problems_from(exc.errors, locator))
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:  # a value a check cannot compute with
        mark = locator.root
        problems.append(Problem(Location(mark.file, mark.line, mark.column),
                                f"a value cannot be used ({one_line(str(exc), 150)})"))
    if problems:
        raise TermSheetError(_sorted(problems, files))
    return termsheet


def declared_base(path: str | os.PathLike[str]) -> str | None:
    """What the term sheet at ``path`` gives as its ``extends:`` when that is a text (None when it gives
    none, or something else), as the loader reads it, so what a build would follow; nothing followed or
    validated. Raises :class:`~assembler.errors.TermSheetError` when the file is not readable YAML.
    Kept by the digest of the file's bytes (the web page's deals list asks of every term sheet at
    every view; the file is read each time)."""
    file = os.fspath(path)
    raw = _read_bytes(file)
    key = _digest(raw)
    kept = _DECLARED.get(key)
    if kept is None:
        target = _read_document(file, raw).data.get(EXTENDS)
        kept = (target if isinstance(target, str) else None,)
        if len(kept[0] or "") <= MAX_BASE_PATH:    # a longer one is refused as a base anyway: not kept
            _DECLARED.put(key, kept)
    return kept[0]


#: declared_base's answers, each in a tuple of one, by the digest of the file's bytes (at most this many).
_DECLARED = Kept(LOADED_KEPT)


#: Bounds no real term sheet comes near: longest text, most items in a list, digits of a number.
MAX_TEXT = 10_000
MAX_ITEMS = 1_000
MAX_DIGITS = 30
MAX_EXPONENT = 30
YEARS = (1900, 2199)
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NUMBER_TEXT = re.compile(r"\s*[-+]?[$]?[\d,_]*\.?\d*(?:[eE][-+]?\d+)?\s*%?\s*")


def _number_problem(value: Decimal | int) -> str | None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "must be a finite number"
        sign, digits, exponent = value.as_tuple()
        if len(digits) > MAX_DIGITS or abs(exponent) > MAX_EXPONENT or value.adjusted() > MAX_DIGITS:
            return f"number out of range (at most {MAX_DIGITS} digits, no exponent beyond {MAX_EXPONENT})"
    elif abs(value) >= 10 ** MAX_DIGITS:
        return f"number out of range (at most {MAX_DIGITS} digits)"
    return None


def _screened(data: Any, locator: _Locator) -> tuple[Any, list[Problem]]:
    """*data* without the mapping entries whose key is not text (already reported), and the values no
    term-sheet field can hold, located at their field: text with control characters, lone surrogates or
    NULs, text or lists beyond any real deal, numbers out of range, dates outside 1900-2199. (When there
    are any, the data given back is not all of *data*: only the problems are used then.)"""
    found: list[tuple[Path_, str]] = []
    data = _screen_values(data, (), found)
    problems = []
    for where, message in found:  # located only once found (a term sheet that passes has none)
        mark, loc = locator.at_value(where)
        problems.append(locator.problem(mark, loc if loc == where else where, message))
    return data, problems


def _screen_values(data: Any, path: Path_, found: list[tuple[Path_, str]]) -> Any:
    """*data* (at *path*) without its non-text keys; each value in it no field can hold added to *found*,
    with its message, in order (a list of too many items is not looked into)."""
    if isinstance(data, dict):
        return {key: _screen_values(value, path + (key,), found) for key, value in data.items()
                if isinstance(key, str)}
    if isinstance(data, list):
        if len(data) > MAX_ITEMS:
            found.append((path, f"too many items ({len(data):,}; at most {MAX_ITEMS:,})"))
            return data
        return [_screen_values(value, path + (index,), found) for index, value in enumerate(data)]
    message = _value_problem(data)
    if message is not None:
        found.append((path, message))
    return data


def _value_problem(data: Any) -> str | None:
    """Why the single value *data* (not a mapping or list) cannot be a term sheet's, or None."""
    if isinstance(data, bool) or data is None:
        return None
    if isinstance(data, str):
        if len(data) > MAX_TEXT:
            return f"text too long ({len(data):,} characters; at most {MAX_TEXT:,})"
        bad = _BAD_CHARS.search(data)
        if bad:
            char = bad.group().encode("unicode_escape", "backslashreplace").decode("ascii")
            return (f"must not contain control characters, NULs or lone surrogates (found {char} at "
                    f"character {bad.start() + 1})")
        if _NUMBER_TEXT.fullmatch(data) and any(c.isdigit() for c in data):
            digits = sum(c.isdigit() for c in data)
            exponent = re.search(r"[eE]([-+]?\d+)", data)
            if digits > MAX_DIGITS or (exponent and abs(int(exponent.group(1)[:6])) > MAX_EXPONENT):
                return (f"number out of range (at most {MAX_DIGITS} digits, no exponent beyond "
                        f"{MAX_EXPONENT})")
        return None
    if isinstance(data, (int, Decimal)):
        return _number_problem(data)
    if isinstance(data, float):
        return None if data == data and abs(data) < 1e30 else "number out of range"
    if isinstance(data, (dt.date,)):
        year = data.year
        return None if YEARS[0] <= year <= YEARS[1] else f"year {year} out of range ({YEARS[0]}-{YEARS[1]})"
    if isinstance(data, bytes):
        return "must be text or a number, not binary data"
    return None


def _sorted(problems: list[Problem], files: list[str]) -> list[Problem]:
    """By file (the variant first, then its bases in order), then line and column."""
    order = {name: index for index, name in enumerate(files)}

    def key(p: Problem) -> tuple[int, str, int, int]:
        loc = p.location
        return (order.get(loc.file, len(order)), loc.file, loc.line or 0, loc.column or 0)

    return sorted(problems, key=key)


def termsheet_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a term sheet, for YAML editors."""
    schema = TermSheet.model_json_schema(mode="validation")
    result: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Assembler term sheet",
    }
    result.update({k: v for k, v in schema.items() if k != "title"})
    result["properties"] = {
        EXTENDS: {
            "type": "string",
            "title": "Extends",
            "description": "Path of a base term sheet, relative to this file. Its fields are "
                           "used unless given here: mappings merge deeply, lists and single "
                           "values replace.",
        },
        **result.get("properties", {}),
    }
    return result
