"""One error type per failure kind; each carries a location a user can act on.

Every error that reaches the command line is printed as ``location: message`` lines and ends the
process with exit code 2 (unusable input). Nothing here ever prints a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and optionally line/column (1-based) and a field path."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.field:
            text += f": {self.field}"
        return text


@dataclass(frozen=True)
class Problem:
    """One located problem."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class AssemblerError(Exception):
    """Base of every expected failure: bad input the user can fix. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(Location("assembler"), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TermSheetError(AssemblerError):
    """The term sheet is not valid YAML, has a wrong field, or its values disagree."""


class TemplateError(AssemblerError):
    """A template cannot be rendered: bad tag, unknown variable, unknown or duplicate label."""


class DocumentError(AssemblerError):
    """A .docx cannot be read: not a zip, not Word, too large, hostile XML."""


class OutputError(AssemblerError):
    """An output cannot be written."""
