"""One error type per failure kind; each carries a location a user can act on.

Every error that reaches the command line is printed as ``location: message`` lines and ends the
process with exit code 2 (unusable input). Nothing here ever prints a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest message line printed: a located problem is one line of at most this many characters.
MAX_MESSAGE = 600
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """*text* as one printable line of at most *limit* characters (control characters escaped)."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii")
                        if m.group() not in "\n\r" else " ", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        return one_line(f"{one_line(str(self.location), MAX_MESSAGE // 2)}: {self.message}")


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
