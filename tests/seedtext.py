"""The seed text (tests/fixtures/seed/source.txt) as the tests compare against it.

The seed is the normalised text of the source agreement: lowercase, punctuation set apart by
spaces, figures masked as ``{num}``, list labels as ``{enum}``, page numbers on lines of their own.
:func:`tokens` brings any text to that form, so that a phrase of ours and a phrase of the seed can
be compared word for word, and :func:`departures` lists every place where a text departs from it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "fixtures" / "seed" / "source.txt"

_PAGE_LINE = re.compile(r"^(\d+|\{num\}|exhibit 1-\d+|exhibit \{num\})$")
# Amounts written in words and figures ("Three Million Dollars ($3,000,000)"): the seed masks the
# figure and has no words, so the words are set aside and the figure compared.
_NUMBER_WORDS = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                 r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                 r"ninety|hundred|thousand|million|billion|dollars?|and|cents?)")
_WORDS_AND_FIGURES = rf"\b{_NUMBER_WORDS}(?:[ -]{_NUMBER_WORDS})* \((\$?)\d[\d,.]*\)"
_TOKEN = re.compile(rf"(?P<wf>{_WORDS_AND_FIGURES})|(?P<num>\{{num\}})|(?P<enum>\{{enum\}})|(?P<mark>\*\*|__|//)"
                    r"|(?P<fig>\d[\d,]*(?:\.\d+)?)|(?P<punct>[$%/,.;:()\"\u201c\u201d])|(?P<word>[^\s$%/,.;:()\"\u201c\u201d\[\]*_]+)",
                    re.I)


def spans(text: str) -> list[tuple[str | None, str]]:
    """(token as the seed writes it, the text it stands for) for each token of *text*.

    A comma after a figure goes with the figure: the seed's masking took it (``{num}`` for
    "18," in "September 18, 2015"). Outline markup (``**``, ``__``, ``//``) and signature-line
    underscores have no token (None): the seed has neither.
    """
    out: list[tuple[str | None, str]] = []
    for m in _TOKEN.finditer(text.replace("\u00a0", " ")):
        kind, original = m.lastgroup, m.group(0)
        if kind == "enum":
            continue
        if kind == "mark":
            out.append((None, original))
            continue
        if kind == "wf":
            if m.group(2):
                out.append(("$", ""))
            out.append(("{num}", original))
        elif kind in ("num", "fig"):
            out.append(("{num}", original))
        elif kind == "punct":
            token = '"' if original in "\u201c\u201d" else original
            if token == "," and out and out[-1][0] == "{num}":
                out[-1] = ("{num}", out[-1][1] + ",")
                continue
            out.append((token, original))
        else:
            out.append((original.lower().replace("\u2019", "'"), original))
    return out


def tokens(text: str) -> list[str]:
    """*text* as the seed writes it: lowercase words and punctuation, every figure ``{num}``."""
    return [token for token, _original in spans(text) if token is not None]


def source_lines() -> list[str]:
    """The seed's lines without the page numbers and page footers."""
    lines = (line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not _PAGE_LINE.match(line)]


def seed_tokens() -> list[str]:
    return [t for line in source_lines() for t in tokens(line)]


def contains(haystack: list[str], needle: list[str]) -> bool:
    """Whether *needle* occurs as a run of tokens in *haystack*."""
    n = len(needle)
    if not n:
        return True
    first = needle[0]
    return any(haystack[i:i + n] == needle for i, t in enumerate(haystack) if t == first)


@dataclass(frozen=True)
class Departure:
    seed: tuple[str, ...]        # the seed's tokens, one token of context either side
    ours: tuple[str, ...]        # ours, with the same context

    def __str__(self) -> str:
        return f"[{' '.join(self.seed)}] -> [{' '.join(self.ours)}]"


def departures(paragraphs: list[str]) -> list[Departure]:
    """Every place where *paragraphs* (our text, in order) depart from the seed, word by word."""
    a = seed_tokens()
    b = [t for p in paragraphs for t in tokens(p)]
    found = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            found.append(Departure(tuple(a[max(i1 - 1, 0):i2 + 1]), tuple(b[max(j1 - 1, 0):j2 + 1])))
    return found
