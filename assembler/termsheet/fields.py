"""Models declared field by field, and the validator that walks data against them.

A model is a plain class; each field is a class attribute naming its kind, its default (none: the
field is required) and its description::

    class Signatory(Model):
        name = Field(Text)
        title = Field(Text, description="As printed under the signature line.")

A kind is a :class:`Value` (a function that checks one value and returns it converted, and its JSON
Schema), another model, :class:`ListOf` a kind, or :class:`OrNone` a kind. Validation walks the data
and collects every error with its location, in the order pydantic reports them (the models were
pydantic's; their messages and locations are kept): each declared field in turn (missing, or its
value's errors), then every field given that is not declared, in the order given. A model's
:meth:`Model.cross_check` runs once all its fields are valid, as a list's ``check`` does once all
its items are. The errors are records with pydantic's keys (``type``, ``loc``, ``msg``, ``input``,
``ctx``) and types (``missing``, ``extra_forbidden``, ``model_type``, ``list_type``, ...); a check
reports its own as one ``termsheet`` error with a list of ``(relative location, message)`` pairs
(:func:`fail`). :meth:`Model.model_validate` raises them as a ``pydantic_core.ValidationError``,
imported only then.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from types import GeneratorType
from typing import Any

__all__ = ["ERROR_TYPE", "Field", "Invalid", "ListOf", "Model", "ModelErrors", "OrNone", "Value", "fail",
           "format_loc"]

#: Error type of every problem raised by a check (:func:`fail`).
ERROR_TYPE = "termsheet"

Loc = tuple[str | int, ...]
Error = dict[str, Any]

_BAD = object()  # what a kind returns for a value it refused (its errors are recorded)
_REQUIRED = object()
#: What a list field takes besides lists (pydantic's lax mode): never text, bytes or a mapping.
_LIST_LIKE = (list, tuple, set, frozenset, deque, range, GeneratorType, type({}.keys()), type({}.values()))


class Invalid(Exception):
    """A value refused by a check: one or more ``(relative location, message)`` problems."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        self.detail = "; ".join((f"{format_loc(loc)}: {message}" if loc else message) for loc, message in problems)
        super().__init__(self.detail)


class ModelErrors(Exception):
    """Every error found validating a model's data, as records (see the module's docstring)."""

    def __init__(self, title: str, errors: list[Error]) -> None:
        self.title = title
        self.errors = errors
        super().__init__(f"{len(errors)} validation error(s) for {title}")


def fail(problems: list[tuple[Loc, str]] | str) -> Invalid:
    """The error for one or more problems: a message (about the value being checked) or a list of
    ``(location relative to the value being checked, message)`` pairs."""
    if isinstance(problems, str):
        problems = [((), problems)]
    return Invalid([(tuple(loc), message) for loc, message in problems])


def format_loc(loc: Loc) -> str:
    """``('closings', 2, 'date')`` -> ``closings[3].date`` (list positions count from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _run(check: Callable[[Any], Any], value: Any, loc: Loc, errors: list[Error]) -> Any:
    """``check(value)``, or _BAD with its error recorded. Other exceptions than these propagate."""
    try:
        return check(value)
    except Invalid as exc:
        errors.append({"type": ERROR_TYPE, "loc": loc, "msg": exc.detail, "input": value,
                       "ctx": {"detail": exc.detail, "problems": exc.problems}})
    except ValueError as exc:
        errors.append({"type": "value_error", "loc": loc, "msg": f"Value error, {exc}", "input": value,
                       "ctx": {"error": exc}})
    except AssertionError as exc:
        errors.append({"type": "assertion_error", "loc": loc, "msg": f"Assertion failed, {exc}",
                       "input": value, "ctx": {"error": exc}})
    return _BAD


# --------------------------------------------------------------------------------------------
# Kinds


class Value:
    """One value: *check* returns it converted or raises :func:`fail`; *schema* is its JSON Schema."""

    titled = True  # its field's JSON Schema carries a title

    def __init__(self, check: Callable[[Any], Any], schema: dict[str, Any]) -> None:
        self.check = check
        self.schema = schema

    def validate(self, value: Any, loc: Loc, errors: list[Error]) -> Any:
        return _run(self.check, value, loc, errors)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return dict(self.schema)


class ListOf:
    """A list of *item*; *check* (optional) sees the converted list once every item is valid."""

    titled = True

    def __init__(self, item: Any, check: Callable[[list[Any]], list[Any]] | None = None) -> None:
        self.item = item
        self.check = check

    def validate(self, value: Any, loc: Loc, errors: list[Error]) -> Any:
        if not isinstance(value, _LIST_LIKE) and not isinstance(value, Iterator):
            errors.append({"type": "list_type", "loc": loc, "msg": "Input should be a valid list", "input": value})
            return _BAD
        items = [self.item.validate(item, loc + (index,), errors) for index, item in enumerate(value)]
        if any(item is _BAD for item in items):
            return _BAD
        return items if self.check is None else _run(self.check, items, loc, errors)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"items": self.item.json_schema(defs), "type": "array"}


class OrNone:
    """*kind*, or nothing (``None``)."""

    def __init__(self, kind: Any) -> None:
        self.kind = kind
        self.titled = kind.titled

    def validate(self, value: Any, loc: Loc, errors: list[Error]) -> Any:
        return None if value is None else self.kind.validate(value, loc, errors)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [self.kind.json_schema(defs), {"type": "null"}]}


class Field:
    """A model's field: its kind, its default (or *default_factory*; neither: required) and description."""

    def __init__(self, kind: Any, *, default: Any = _REQUIRED, default_factory: Callable[[], Any] | None = None,
                 description: str | None = None) -> None:
        self.kind = kind
        self.default = default
        self.default_factory = default_factory
        self.description = description
        self.name = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED and self.default_factory is None

    def make_default(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        schema = self.kind.json_schema(defs)
        if self.kind.titled:
            schema["title"] = self.name.title().replace("_", " ")
        if self.description is not None:
            schema["description"] = self.description
        if self.default is not _REQUIRED:
            schema["default"] = self.default
        return schema


# --------------------------------------------------------------------------------------------
# Models


class Model:
    """Base of the models: fields declared as :class:`Field` class attributes, values frozen."""

    #: The declared fields, in order (set for each subclass).
    model_fields: dict[str, Field] = {}
    #: JSON Schema title and description of the model (default: its name and its docstring).
    schema_title: str | None = None
    schema_description: str | None = None
    titled = False  # a field holding a model is a reference, without a title

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}
        for name, field in fields.items():
            field.name = name
            delattr(cls, name)  # the value lives on the instance
        cls.model_fields = {**cls.model_fields, **fields}

    def __init__(self, **data: Any) -> None:
        self.__dict__.update(type(self).model_validate(data).__dict__)

    def cross_check(self) -> None:
        """Checks between fields, run once every field is valid: raise :func:`fail` to refuse."""

    # -- validation

    @classmethod
    def validate(cls, data: Any, loc: Loc = (), errors: list[Error] | None = None) -> Any:
        """*data* as an instance. Called with no *errors* list: raises :class:`ModelErrors`, listing
        every error; with one: records its errors there and returns _BAD for refused data."""
        if errors is None:
            found: list[Error] = []
            result = cls.validate(data, loc, found)
            if found:
                raise ModelErrors(cls.__name__, found)
            return result
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict) and not isinstance(data, Mapping):  # a dict is one (asked without the ABC)
            errors.append({"type": "model_type", "loc": loc, "input": data, "ctx": {"class_name": cls.__name__},
                           "msg": f"Input should be a valid dictionary or instance of {cls.__name__}"})
            return _BAD
        values: dict[str, Any] = {}
        before = len(errors)
        for name, field in cls.model_fields.items():
            if name in data:
                values[name] = field.kind.validate(data[name], loc + (name,), errors)
            elif field.required:
                errors.append({"type": "missing", "loc": loc + (name,), "msg": "Field required", "input": data})
            else:
                values[name] = field.make_default()
        for key, value in data.items():
            if not isinstance(key, str):
                errors.append({"type": "invalid_key", "loc": loc + (key,), "msg": "Keys should be strings",
                               "input": key})
            elif key not in cls.model_fields:
                errors.append({"type": "extra_forbidden", "loc": loc + (key,),
                               "msg": "Extra inputs are not permitted", "input": value})
        if len(errors) > before:
            return _BAD
        model = cls.__new__(cls)
        model.__dict__.update(values)
        return _run(lambda _data: model.cross_check() or model, data, loc, errors)

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        """*data* as an instance; raises ``pydantic_core.ValidationError`` listing every error."""
        try:
            return cls.validate(data)
        except ModelErrors as exc:
            raise validation_error(exc) from None

    # -- values

    def model_dump(self, *, mode: str = "python", warnings: bool = True) -> dict[str, Any]:
        """The field values as plain data: models as dicts, lists as lists (Python values kept)."""
        if mode != "python":
            raise ValueError(f"model_dump supports mode='python' only, not {mode!r}")
        return {name: _dump(self.__dict__[name]) for name in self.model_fields}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__[name] for name in self.model_fields))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self.model_fields)
        return f"{type(self).__name__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: '{name}' cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: '{name}' cannot be deleted")

    # -- JSON Schema

    @classmethod
    def model_json_schema(cls, mode: str = "validation") -> dict[str, Any]:
        """The JSON Schema of the data this model validates (pydantic's layout: the models under
        ``$defs``, keys sorted but the properties in field order)."""
        if mode != "validation":
            raise ValueError(f"model_json_schema supports mode='validation' only, not {mode!r}")
        defs: dict[str, Any] = {}
        schema = cls._object_schema(defs)
        if defs:
            schema["$defs"] = defs
        return _sorted_schema(schema)

    @classmethod
    def json_schema(cls, defs: dict[str, Any]) -> dict[str, Any]:
        """A reference to this model's schema, which is added to *defs*."""
        if cls.__name__ not in defs:
            defs[cls.__name__] = {}  # taken: a model that refers back to it stops here
            defs[cls.__name__] = cls._object_schema(defs)
        return {"$ref": f"#/$defs/{cls.__name__}"}

    @classmethod
    def _object_schema(cls, defs: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"additionalProperties": False}
        doc = cls.schema_description or cls.__dict__.get("__doc__")
        if doc:
            schema["description"] = inspect.cleandoc(doc)
        schema["properties"] = {name: field.json_schema(defs) for name, field in cls.model_fields.items()}
        required = [name for name, field in cls.model_fields.items() if field.required]
        if required:
            schema["required"] = required
        schema["title"] = cls.schema_title or cls.__name__
        schema["type"] = "object"
        return schema


def _dump(value: Any) -> Any:
    if isinstance(value, Model):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return value


def _sorted_schema(value: Any, parent: str | None = None) -> Any:
    """Keys sorted at every level, except a model's properties (field order) and defaults."""
    if isinstance(value, dict):
        keys = value if parent in ("properties", "default") else sorted(value)
        return {key: _sorted_schema(value[key], key) for key in keys}
    if isinstance(value, list):
        return [_sorted_schema(item, parent) for item in value]
    return value


def validation_error(exc: ModelErrors) -> Exception:
    """*exc*'s errors as a ``pydantic_core.ValidationError`` (as a ValueError when pydantic is not
    installed: nothing in the toolkit itself needs it)."""
    try:
        from pydantic_core import PydanticCustomError, ValidationError
    except ImportError:  # pragma: no cover - pydantic is installed with the test extra
        return ValueError(f"{exc}: " + "; ".join(f"{format_loc(e['loc'])}: {e['msg']}" for e in exc.errors))
    line_errors = []
    for error in exc.errors:
        kind = error["type"]
        if kind == ERROR_TYPE:
            kind = PydanticCustomError(ERROR_TYPE, "{detail}", error["ctx"])
        line = {"type": kind, "loc": error["loc"], "input": error["input"]}
        if "ctx" in error and error["type"] != ERROR_TYPE:
            line["ctx"] = error["ctx"]
        line_errors.append(line)
    return ValidationError.from_exception_data(exc.title, line_errors)
