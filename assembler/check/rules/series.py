"""Rules of the 'series' family: a preferred-stock series other than the one the deal is about.

The designated series is the term sheet's when a term sheet is given; otherwise the series the
package itself designates most often (``(the "Series J Preferred Stock")``, a title "... of
Series J Preferred Stock", "designated as the Corporation's Series J Preferred Stock"), and
failing any designation, the series mentioned most often. Other series a document may mention
legitimately (an existing senior series) are listed in the configuration, ``allowed_series``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assembler.check.casefold import may_hold_kept
from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Paragraph
from assembler.memo import kept

# "Series G Preferred Stock", "Series G Convertible Preferred", "Series G Holders", "Series G Shares".
_AFTER = r"(?:(?:Convertible|Redeemable|Cumulative|Participating|Senior|Junior)\s+)*" \
         r"(?:Preferred(?:\s+(?:Stock|Shares?))?|Holders?|Shares?|Stock)\b"
MENTION = re.compile(
    r"\bSeries\s+(?P<letter>[A-Z](?:-\d+)?)(?![\w-])(?:\s+" + _AFTER + r")?",
    re.IGNORECASE,
)
# "shares of Series G", and the seed's garbled "shares s series g": a bare letter after shares.
SHARES_OF = re.compile(r"\bshares\s+(?:of|s)\s+(?:the\s+)?$", re.IGNORECASE)
DESIGNATES = re.compile(
    r"(?:[\"“]\s*Series\s+(?P<a>[A-Z](?:-\d+)?)\s+Preferred\b[^\"”]*[\"”]"
    r"|Rights\s+and\s+Limitations\s+of\s+Series\s+(?P<b>[A-Z](?:-\d+)?)\b"
    r"|designated\s+as\s+(?:the\s+)?(?:\w+[’']s\s+)?Series\s+(?P<c>[A-Z](?:-\d+)?)\b)",
    re.IGNORECASE,
)


def _letter(match: re.Match, text: str) -> str | None:
    """The series letter of a mention, or None when the match is not a series designation."""
    letter = match.group("letter")
    tail = match.group(0)[len("Series") + 1:].strip()
    has_suffix = tail.upper() != letter.upper()
    lowercase_text = match.group(0) == match.group(0).lower()
    if letter == "a" or (letter.islower() and not lowercase_text):
        return None                        # "series a ..." is an article; "Series g" is odd, skip
    if not has_suffix and not SHARES_OF.search(text[:match.start()]):
        return None                        # a bare "Series G" needs "shares of" before it
    return letter.upper()


@kept()
def mentions(text: str) -> tuple[tuple[str, re.Match], ...]:
    """(letter, match) for every series designation in *text*; kept for recent texts."""
    return tuple((letter, m) for m in MENTION.finditer(text) if (letter := _letter(m, text)))


def _naming_series(ctx: Context) -> list[tuple[Paragraph, tuple[tuple[str, re.Match], ...]]]:
    """The paragraphs that may name a series (every designation and mention does), each with its mentions;
    read once per check."""
    def read():
        return [(p, mentions(p.text)) for p in ctx.paragraphs() if may_hold_kept(p.text, "series")]
    return ctx.once("series paragraphs", read)


def _normal(value: str) -> str:
    value = str(value).strip().upper()
    return value[len("SERIES "):].strip() if value.startswith("SERIES ") else value


def designated_series(ctx: Context) -> tuple[str | None, str]:
    """The series the package is about, and where that came from ("term sheet" / "documents")."""
    if ctx.termsheet is not None and getattr(ctx.termsheet, "series", None):
        return _normal(ctx.termsheet.series), "term sheet"
    designations: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for p, named in _naming_series(ctx):
        for m in DESIGNATES.finditer(p.text):
            letter = m.group("a") or m.group("b") or m.group("c")
            if letter.isupper() or p.text == p.text.lower():
                designations[letter.upper()] += 1
        for letter, _m in named:
            counts[letter] += 1
    for counter in (designations, counts):
        ranked = counter.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0], "documents"
    return None, ""


def find_series(ctx: Context) -> Iterable[Finding]:
    series, source = designated_series(ctx)
    if series is None:
        return
    allowed = {_normal(s) for s in ctx.config.allowed_series} | {series}
    where = "the term sheet names" if source == "term sheet" else "the documents designate"
    for p, named in _naming_series(ctx):
        for letter, m in named:
            if letter in allowed:
                continue
            snippet = m.group(0).rstrip()
            yield ctx.finding(
                SERIES, p, snippet,
                f"“{snippet}” refers to Series {letter}, but {where} Series {series} Preferred Stock. "
                f"If Series {letter} is meant (for example an existing senior series), list it in the "
                f"check configuration under allowed_series.", offset=m.start())


SERIES = Rule(
    code="series",
    name="wrong-series",
    severity=Severity.ERROR,
    description="A preferred-stock series other than the one the documents designate (or the term sheet names).",
    find=find_series,
    fails=(
        example(
            "T|Certificate of Designations of Preferences, Rights and Limitations of Series J Preferred Stock",
            "1|**Terms.**",
            "2|__Designation.__ The series of Preferred Stock will be designated as the Corporation's "
            "Series J Preferred Stock (the \"Series J Preferred Stock\").",
            "2|__Conversion.__ The Holder shall not be required to deliver the original certificates for the "
            "Series G Preferred Stock in order to effect a conversion hereunder.",
            note="a stray Series G in a Series J certificate"),
        example(
            "1|**Terms.**",
            "2|__Designation.__ The series will be designated as the Series J Preferred Stock "
            "(the \"Series J Preferred Stock\").",
            "2|__Limitations.__ Such lesser percentage as may be stated in a Holder's securities purchase "
            "agreement for the initial purchase of shares s series g preferred stock.",
            note="the seed's garbled lowercase 'shares s series g'"),
        example(
            "B|Purchaser will purchase shares of Series G Preferred Stock (the \"Series G Preferred Stock\").",
            "B|Each share of Series G Preferred Stock has a par value of $0.0001.",
            termsheet={},
            note="the term sheet names Series J; the document says Series G throughout"),
    ),
    passes=(
        example(
            "T|Certificate of Designations of Preferences, Rights and Limitations of Series J Preferred Stock",
            "1|**Terms.**",
            "2|__Designation.__ The series of Preferred Stock will be designated as the Corporation's "
            "Series J Preferred Stock (the \"Series J Preferred Stock\"), issuable in one or more series "
            "of Preferred Stock.",
            "2|__Ranking.__ The Series J Preferred Stock ranks pari passu with the Common Stock.",
            note="one series throughout"),
        example(
            "1|**Terms.**",
            "2|__Designation.__ The series will be designated as the Series J Preferred Stock "
            "(the \"Series J Preferred Stock\").",
            "2|__Ranking.__ The Series J Preferred Stock ranks junior to the Series A Preferred Stock.",
            config={"allowed_series": ["A"]},
            note="an existing senior series allowed in the configuration"),
        example(
            "B|Purchaser will purchase shares of Series J Preferred Stock.",
            "B|The Board may issue a series of Preferred Stock from time to time in one or more series.",
            termsheet={},
            note="the series the term sheet names"),
    ),
)

RULES: tuple[Rule, ...] = (SERIES,)
