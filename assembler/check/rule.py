"""A rule is a value: code, name, severity, description, the function that finds, and its examples.

Rules are registered explicitly, module by module (see `assembler.check.registry`). Every rule
carries documents that must fail and documents that must pass; the tests build each example with
typed labels and with Word's automatic numbering, and fail any rule that has no examples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from assembler.docmodel.model import Document, Package, Paragraph


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One defect at one place. `snippet` is the exact offending text as it stands in the document."""

    code: str
    rule: str
    severity: Severity
    file: str
    part: str
    paragraph: int
    section: str | None
    snippet: str
    message: str
    offset: int = -1              # where the snippet starts in the paragraph's text (-1: the paragraph)

    def sort_key(self):
        return (self.file, self.part != "body", self.part, self.paragraph, self.offset, self.code, self.snippet,
                self.message)


@dataclass(frozen=True)
class Example:
    """An example package: documents as drafting outlines (see assembler.drafting), optional term sheet.

    `documents` is a tuple of (file name, outline lines). `termsheet` holds overrides applied to the
    seed term sheet (nested dicts, lists replace) when the example is checked with --termsheet;
    None means the check runs without a term sheet. `config` overrides the check configuration.
    """

    documents: tuple[tuple[str, tuple[str, ...]], ...]
    termsheet: dict | None = None
    config: dict | None = None
    note: str = ""


def example(*lines: str, name: str = "agreement.docx", termsheet: dict | None = None,
            config: dict | None = None, note: str = "") -> Example:
    """A one-document example."""
    return Example(((name, tuple(lines)),), termsheet, config, note)


@dataclass
class Config:
    """What a user may configure: allowed other series, terms never to report, rules' strictness."""

    allowed_series: set[str] = field(default_factory=set)      # e.g. {"A"} for an existing senior series
    known_terms: set[str] = field(default_factory=set)         # capitalised terms never reported as undefined
    report_unused: bool = True
    report_undefined: bool = True

    @classmethod
    def from_dict(cls, data: dict | None) -> Config:
        cfg = cls()
        for key, value in (data or {}).items():
            current = getattr(cfg, key)
            setattr(cfg, key, set(value) if isinstance(current, set) else value)
        return cfg


_PARAGRAPHS = object()     # Context._made's key of the package's paragraphs, which no rule's key equals


@dataclass
class Context:
    """What every rule sees: the package, the term sheet (or None) and the configuration."""

    package: Package
    termsheet: Any = None
    config: Config = field(default_factory=Config)
    _made: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        """What *make* gives, made once per check for *key*: work several rules share."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def paragraphs(self) -> Iterator[Paragraph]:
        """Every paragraph of every document of the package (all stories), in order: listed once a check (its
        rules read the package, never change it; a list's iterator costs a fifth of a generator's)."""
        listed = self._made.get(_PARAGRAPHS)
        if listed is None:
            listed = self._made[_PARAGRAPHS] = [p for doc in self.package.documents for p in doc.paragraphs]
        return iter(listed)

    def finding(self, rule: Rule, paragraph: Paragraph, snippet: str, message: str,
                severity: Severity | None = None, offset: int = -1) -> Finding:
        """A finding of *rule* in *paragraph*; give *offset* so that each occurrence is its own finding."""
        return Finding(rule.code, rule.name, severity or rule.severity, paragraph.document, paragraph.part,
                       paragraph.index, paragraph.section, snippet, message, offset)


@dataclass(frozen=True)
class Rule:
    code: str                     # dotted; also the --select/--ignore key ("xref.missing")
    name: str                     # short kebab-case name ("missing-cross-reference")
    severity: Severity
    description: str
    find: Callable[[Context], Iterable[Finding]]
    fails: tuple[Example, ...]
    passes: tuple[Example, ...]


def selected(rules: Iterable[Rule], select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """Rules whose code equals or lies under a selected code, minus the ignored ones."""
    def under(code: str, keys: list[str]) -> bool:
        return any(code == k or code.startswith(k + ".") for k in keys)

    chosen = [r for r in rules if not select or under(r.code, select)]
    return [r for r in chosen if not ignore or not under(r.code, ignore)]


def documents_of(ctx: Context) -> list[Document]:
    return ctx.package.documents

