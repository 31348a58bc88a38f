"""Rules of the 'enum' family: typed enumerations, "(a) ..., (b) ... and (c) ...", and ranges of them.

An enumerator is a typed label in parentheses written in the running text, or the typed label of a
paragraph: lower-case letters (a), (b) ... (z), (aa); lower-case roman numerals (i), (ii) ...;
digits (1), (2) ...; capital letters (A), (B) .... "(i)", "(v)" and "(x)" are a letter or a roman
numeral, whichever continues the list in progress. Labels that are part of a citation or a
cross-reference are not enumerators: "Section 4(a)(2)", "Rule 501(a)", "clause (b) above",
"paragraphs (a) and (c)".

``enum.sequence``: a list that skips a label ("(a) ..., (c) ..."), repeats one ("(b) ..., (b) ..."),
starts anywhere but at the first label ("(b)" with no "(a)" before it in the paragraph or at the end
of the paragraph before), or has a first item only ("(i)" and no "(ii)"; the next paragraph may
carry the list on). ``enum.range``: "clauses (b) through (d)" when an item inside the range does not
exist in the section the reference stands in (its two ends are xref.missing's), or the range runs
backwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Document, Paragraph
from assembler.docmodel.parse import is_toc_entry
from assembler.memo import kept

_ROMANS = ("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx xxi xxii xxiii xxiv xxv").split()
ROMAN = {r: i + 1 for i, r in enumerate(_ROMANS)}

TOKEN = re.compile(r"\((?P<v>[a-z]{1,2}|[ivxl]{1,6}|[A-Z]|\d{1,2})\)")
# a label chained to a citation or a reference: "4(a)", "(a)(2)", "Section 2(b)"
_GLUED = re.compile(r"[\w).’'\]]$")
# The words a citation or reference names a label with ("clause (b)", "Sections 2(a) and (b)"), each with its
# optional plural or hyphen, and the words that join its labels ("(a), (b) and (c)", "(a) through (d)").
_REFERRING_WORDS = ("[Cc]lauses?", "[Ii]tems?", "[Pp]aragraphs?", "[Ss]ub-?paragraphs?", "[Ss]ub-?sections?",
                    "[Ss]ections?", "[Ss]ub-?clauses?", "[Aa]rticles?", "[Rr]ules?", "[Pp]rongs?", "[Ll]ines?",
                    "[Bb]oxe?s?", "[Ss]teps?", "[Pp]arts?", "[Ss]ubparts?", "[Pp]oints?")
_JOINERS = (",", r"\band\b", r"\bor\b", r"\bthrough\b", r"\bto\b", "[-–]")
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                 "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
                 "million billion").split()


def _backwards(piece: str) -> str:
    """A piece of pattern (literals, "x?", "[Aa]", "\\b") that matches the reverse of what *piece* matches."""
    atoms = re.findall(r"\[[^\]]*\][?]?|\\b|.[?]?", piece)
    return "".join(reversed(atoms))


# Read backwards from the end of the text before a label: a label referred to follows one of the words above and
# perhaps other labels ("Section 2(a) and "), a figure follows its number in words ("three (3)"). Matched at the
# start of the reversed text, these find what \b(?:words)\s*(?:\(label\)\s*(?:joiner)?\s*)*$ and
# \b(?:number words)\s*$ find searched forwards, without trying every place of the text.
_REFERRING_BACKWARDS = re.compile(
    r"(?:\s*(?:" + "|".join(map(_backwards, _JOINERS)) + r")?\s*\)[A-Za-z0-9]{1,6}\()*\s*"
    r"(?:" + "|".join(map(_backwards, _REFERRING_WORDS)) + r")\b")
_NUMBER_WORD_BACKWARDS = re.compile(r"\s*(?:" + "|".join(w[::-1] for w in _NUMBER_WORDS) + r")\b", re.IGNORECASE)
_AFTER_REFERENCE = re.compile(r"\s*(?:above|below|hereof|of\s+(?:this|the|that|such|Section|Article)|thereof"
                              r"|herein|hereunder|\s*through|\s*to\s+\()", re.IGNORECASE)
SCHEMES = ("letter", "roman", "digit", "upper", "ROMAN")


@dataclass
class Token:
    text: str                 # "(b)"
    start: int
    candidates: dict[str, int]  # scheme -> value


def _candidates(v: str) -> dict[str, int]:
    if v.isdigit():
        return {"digit": int(v)}
    if v.isupper():
        return {"upper": ord(v) - ord("A") + 1}
    out: dict[str, int] = {}
    if len(v) == 1 or len(set(v)) == 1:
        out["letter"] = (len(v) - 1) * 26 + ord(v[0]) - ord("a") + 1
    if v in ROMAN:
        out["roman"] = ROMAN[v]
    return out


def _is_reference(text: str, start: int, end: int) -> bool:
    """Whether the label at text[start:end] is cited or referred to rather than enumerated."""
    before = text[max(0, start - 80):start]
    backwards = before[::-1]
    if text[start + 1].isdigit() and _NUMBER_WORD_BACKWARDS.match(backwards):
        return True               # "three (3)": a figure after its words
    # a match of _GLUED is its last character, or the one before a final line break: only those are tried
    return bool(_GLUED.search(before, max(0, len(before) - 2))
                or _REFERRING_BACKWARDS.match(backwards, len(backwards) - len(before.rstrip()))
                or _AFTER_REFERENCE.match(text, end))


def tokens(text: str) -> list[Token]:
    """Enumerators written in *text*, citations and references left out (none without a parenthesis, as _tokens
    gives: looked for here, which costs less than the memo's look-up)."""
    if "(" not in text:
        return []
    return [Token(label, start, dict(candidates)) for label, start, candidates in _tokens(text)]


@kept()
def _tokens(text: str) -> tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...]:
    """(label, where it starts, its candidates) for each enumerator in *text*; kept for recent texts."""
    if "(" not in text:
        return ()
    found = []
    for m in TOKEN.finditer(text):
        cands = _candidates(m.group("v"))
        if not cands or _is_reference(text, m.start(), m.end()):
            continue
        if text[m.end():m.end() + 1] == "(":
            continue              # "(a)(2)": a citation
        found.append((m.group(0), m.start(), tuple(cands.items())))
    return tuple(found)


def _label_token(p: Paragraph) -> Token | None:
    label = (p.label or "").strip()
    m = TOKEN.fullmatch(label)
    if not m:
        return None
    return Token(label, -1, _candidates(m.group("v")))


def _typed_label(p: Paragraph) -> Token | None:
    """The typed label of a paragraph as a list item: "(c)", "C.", "3.", "II."."""
    token = _label_token(p)
    if token is not None:
        return token
    m = re.fullmatch(r"([A-Z]{1,5}|\d{1,3})\.", (p.label or "").strip())
    if m is None:
        return None
    v = m.group(1)
    if v.isdigit():
        return Token(m.group(0), -1, {"digit": int(v)})
    cands: dict[str, int] = {}
    if len(v) == 1:
        cands["upper"] = ord(v) - ord("A") + 1
    if v.lower() in ROMAN:
        cands["ROMAN"] = ROMAN[v.lower()]
    return Token(m.group(0), -1, cands) if cands else None


@dataclass
class Item:
    token: Token
    scheme: str
    value: int


def _sequence(toks: list[Token]) -> Iterator[tuple[str, Item, Item | None]]:
    """(problem, item, previous item of its list) for each token out of order in *toks*.

    Problems: "skip", "repeat", "start". Lists of different schemes interleave (a nested "(i)" inside "(a)").
    """
    last: dict[str, int] = {}
    items: dict[str, Item] = {}
    for t in toks:
        c = t.candidates
        # continue a list in progress, else start one, else the most likely list's defect
        cont = [s for s in SCHEMES if s in c and last.get(s) == c[s] - 1]
        if cont:
            scheme = cont[0]
        elif any(v == 1 for v in c.values()):
            scheme = next(s for s in SCHEMES if c.get(s) == 1)
        else:
            open_ = [s for s in SCHEMES if s in c and s in last]
            scheme = open_[0] if open_ else ("letter" if "letter" in c and "roman" in c and c["letter"] < 9
                                             else next(s for s in SCHEMES if s in c))
            prev = items.get(scheme)
            value = c[scheme]
            if prev is None:
                yield "start", Item(t, scheme, value), None
            elif value == prev.value:
                yield "repeat", Item(t, scheme, value), prev
            elif prev.value < value <= prev.value + 3:
                yield "skip", Item(t, scheme, value), prev
            # anything else: another list, not ours to judge
        value = c[scheme]
        last[scheme] = value
        items[scheme] = Item(t, scheme, value)


def _name(scheme: str, value: int) -> str:
    if scheme == "letter":
        return "(" + chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) + ")"
    if scheme == "roman":
        return f"({_ROMANS[value - 1]})" if value <= len(_ROMANS) else f"({value})"
    if scheme == "upper":
        return f"({chr(ord('A') + value - 1)})"
    if scheme == "ROMAN":
        return f"{_ROMANS[value - 1].upper()}." if value <= len(_ROMANS) else f"{value}."
    return f"({value})"


def _first_of_next(paragraphs: list[Paragraph], i: int) -> Token | None:
    """The first enumerator of the paragraph after *i* (its typed or Word label, else its text)."""
    for p in paragraphs[i + 1:i + 2]:
        return _label_token(p) or next(iter(tokens(p.text)), None)
    return None


def _last_of_previous(paragraphs: list[Paragraph], i: int) -> list[Token]:
    if i == 0:
        return []
    p = paragraphs[i - 1]
    toks = tokens(p.text)
    label = _label_token(p)
    return ([label] if label else []) + toks


def find_sequence(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        paragraphs = doc.paragraphs
        for i, p in enumerate(paragraphs):
            toks = tokens(p.text)
            if not toks:
                continue
            own = _label_token(p)
            context = ([own] if own else [])
            for problem, item, prev in _sequence(context + toks):
                if item.token.start < 0:
                    continue
                if problem == "start":
                    before = [t for t in _last_of_previous(paragraphs, i) if item.scheme in t.candidates]
                    if before and before[-1].candidates[item.scheme] == item.value - 1:
                        continue      # the list runs on from the paragraph before
                    if item.value > 3:
                        continue      # a label far into a list: a quotation of another list, not ours
                    message = (f"The list starts at {item.token.text}: there is no {_name(item.scheme, 1)} before it.")
                elif problem == "repeat":
                    message = f"The list has {item.token.text} twice."
                else:
                    missing = ", ".join(_name(item.scheme, v) for v in range(prev.value + 1, item.value))
                    message = f"The list skips {missing}: {prev.token.text} is followed by {item.token.text}."
                yield ctx.finding(SEQUENCE, p, item.token.text, message, offset=item.token.start)
            yield from _lone(ctx, paragraphs, i, own, toks)
        yield from _typed_paragraphs(ctx, paragraphs)


def _typed_paragraphs(ctx: Context, paragraphs: list[Paragraph]) -> Iterator[Finding]:
    """Paragraphs whose labels are typed: each run of siblings in order, as Word numbering would be."""
    groups: dict[tuple[int, int | None], list[tuple[Paragraph, Token]]] = {}
    position = {id(p): i for i, p in enumerate(paragraphs)}
    for p in paragraphs:
        if not p.literal or p.part != "body" or is_toc_entry(p):
            continue  # a table of contents repeats the labels of the paragraphs it lists
        token = _typed_label(p)
        if token is not None:
            groups.setdefault((id(p.parent), p.level), []).append((p, token))
    for items in groups.values():
        by_token = {id(t): p for p, t in items}
        for problem, item, prev in _sequence([t for _, t in items]):
            p = by_token[id(item.token)]
            if problem == "start":
                before = [t for t in _last_of_previous(paragraphs, position[id(p)]) if item.scheme in t.candidates]
                if item.value > 3 or before and before[-1].candidates[item.scheme] == item.value - 1:
                    continue          # far into a list, or carried on from the text before
                message = f"The paragraphs' labels start at {item.token.text}: there is no {_name(item.scheme, 1)}."
            elif problem == "repeat":
                message = f"Two paragraphs here are labelled {item.token.text}."
            else:
                missing = ", ".join(_name(item.scheme, v) for v in range(prev.value + 1, item.value))
                message = (f"The paragraphs' labels skip {missing}: {prev.token.text} is followed by "
                           f"{item.token.text}.")
            yield ctx.finding(SEQUENCE, p, item.token.text, message)


def _lone(ctx: Context, paragraphs: list[Paragraph], i: int, own: Token | None,
          toks: list[Token]) -> Iterator[Finding]:
    """A list with a first item and no second one, in this paragraph or the next."""
    p = paragraphs[i]
    for scheme in ("roman", "letter", "digit", "upper"):
        values = [t.candidates.get(scheme) for t in toks]
        firsts = [t for t in toks if t.candidates.get(scheme) == 1]
        if len(firsts) != 1 or 2 in values:
            continue
        first = firsts[0]
        if scheme == "roman" and any(t.candidates.get("letter") == 8 for t in toks):
            continue                  # "(h), (i)": the letter
        if scheme == "letter" and "roman" in first.candidates:
            continue
        if own is not None and own.candidates.get(scheme) is not None:
            continue
        following = _first_of_next(paragraphs, i)
        if following is not None and following.candidates.get(scheme) == 2:
            continue                  # the list runs on into the next paragraph
        yield ctx.finding(SEQUENCE, p, first.text,
                          f"The list has {first.text} and no {_name(scheme, 2)}: a first item with no second.",
                          offset=first.start)


# ---------------------------------------------------------------------------------------------
# Ranges: "clauses (b) through (d)"

RANGE = re.compile(
    r"\b(?:[Cc]lauses?|[Ii]tems?|[Pp]aragraphs?|[Ss]ub-?paragraphs?|[Ss]ub-?clauses?)\s+"
    r"(?P<a>\([a-z]{1,2}|\([ivxl]{1,6}|\(\d{1,2}|\([A-Z])\)\s*(?:through|to|[-–])\s*(?P<b>\([a-z]{1,2}|\([ivxl]{1,6}"
    r"|\(\d{1,2}|\([A-Z])\)")
# a part of every word a range opens with ("clauses", "Items", "sub-paragraphs", "Subclause")
_RANGE_WORDS = ("lause", "tem", "aragraph")
# what joins a range's two labels: a pattern that opens with a character, which the engine skips ahead to
_RANGE_JOIN = re.compile(r"\)\s*(?:through|to|[-–])\s*\(")


def may_hold_range(text: str) -> bool:
    """Whether RANGE may match: two labels joined ("(b) through (d)") and one of the words a range opens with."""
    return _RANGE_JOIN.search(text) is not None and any(w in text for w in _RANGE_WORDS)


def _available(doc: Document, p: Paragraph) -> list[Token]:
    """Every enumerator in the section *p* stands in: paragraph labels and labels in the text."""
    section = doc.section_of(p)
    scope = doc.subtree(section) if section is not None else [p]
    out: list[Token] = []
    for q in scope:
        label = _label_token(q)
        if label is not None:
            out.append(label)
        out += tokens(q.text)
    return out


def find_ranges(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        for p in doc.paragraphs:
            if not may_hold_range(p.text):
                continue
            for m in RANGE.finditer(p.text):
                a, b = m.group("a") + ")", m.group("b") + ")"
                ca, cb = _candidates(a[1:-1]), _candidates(b[1:-1])
                schemes = [s for s in SCHEMES if s in ca and s in cb]
                if not schemes:
                    continue
                if len(schemes) > 1:   # "(i) through (v)": roman unless both are plain letters in order
                    schemes = ["roman"] if ca.get("roman", 0) < cb.get("roman", 0) else ["letter"]
                scheme = schemes[0]
                lo, hi = ca[scheme], cb[scheme]
                if hi <= lo:
                    yield ctx.finding(RANGES, p, m.group(0), f"The range {a} through {b} runs backwards.",
                                      offset=m.start())
                    continue
                present = {t.candidates[scheme] for t in _available(doc, p) if scheme in t.candidates}
                if lo not in present or hi not in present:
                    continue          # an end that does not exist is xref.missing's
                gaps = [v for v in range(lo + 1, hi) if v not in present]
                if gaps:
                    missing = ", ".join(_name(scheme, v) for v in gaps)
                    yield ctx.finding(RANGES, p, m.group(0),
                                      f"{m.group(0)} takes in {missing}, which the list does not have.",
                                      offset=m.start())


# ---------------------------------------------------------------------------------------------

_GOOD = ("1|**Covenants.**",
         "2|__Delivery.__ At the Closing, Company shall (a) deliver the Preferred Shares, (b) pay the fees of "
         "(i) its counsel and (ii) its transfer agent, and (c) file the Certificate of Designations under "
         "Section 4(a)(2) of the Securities Act and Rule 506(b) of Regulation D.",
         "2|__Survival.__ The obligations in clauses (a) through (c) of Section I.A survive the Closing, "
         "and clause (b) above applies to each Closing.")

SEQUENCE = Rule(
    code="enum.sequence",
    name="enumeration-sequence",
    severity=Severity.WARNING,
    description="A typed list that skips or repeats a label, starts past the first, or has a first item only.",
    find=find_sequence,
    fails=(
        example("B|Company shall (a) deliver the Preferred Shares and (c) file the Certificate.",
                note="(a), (c): skips (b)"),
        example("B|Company shall (a) deliver the Preferred Shares, (b) pay the fees and (b) file the Certificate.",
                note="(b) twice"),
        example("B|Company shall (b) deliver the Preferred Shares and (c) file the Certificate.",
                note="starts at (b)"),
        example("B|Company shall pay (i) the fees of its counsel and the costs of filing.",
                note="(i) and no (ii)"),
        example("B|At the Closing, Company shall:", "N|(a)\tdeliver the Preferred Shares;",
                "N|(c)\tfile the Certificate of Designations.", note="typed paragraph labels (a), (c)"),
        example("N|1.\tPurchase and Sale.", "N|2.\tClosing.", "N|2.\tConditions.",
                note="typed paragraph labels 1, 2, 2"),
    ),
    passes=(
        example(*_GOOD, note="lists nested and in order; citations and references"),
        example("B|Company shall (a) deliver the Preferred Shares;",
                "B|(b) pay the fees; and", "B|(c) file the Certificate.",
                note="a list carried on over paragraphs"),
        example("B|The items are (f), (g), (h), (i) and (j) of the schedule; see (x) and (y) too.",
                note="(h), (i): the letter, not the roman numeral"),
        example("N|1.\tPurchase and Sale.", "N|(a)\tthe Preferred Shares;", "N|(b)\tthe Warrants.",
                "N|2.\tClosing.", "N|(a)\tthe Closing Date.", note="typed paragraph labels in order, nested"),
    ),
)

RANGES = Rule(
    code="enum.range",
    name="enumeration-range",
    severity=Severity.WARNING,
    description="A range of items (\"clauses (b) through (d)\") that takes in an item the list does not have, "
                "or runs backwards.",
    find=find_ranges,
    fails=(
        example("1|**Covenants.**",
                "2|__Delivery.__ Company shall (a) deliver the Preferred Shares, (b) pay the fees, (d) file the "
                "Certificate and (e) give notice. The obligations in clauses (b) through (e) survive the Closing.",
                note="(c) does not exist"),
        example("1|**Covenants.**",
                "2|__Delivery.__ Company shall (a) deliver the Preferred Shares, (b) pay the fees and (c) file the "
                "Certificate. The obligations in clauses (c) through (a) survive the Closing.",
                note="runs backwards"),
    ),
    passes=(example(*_GOOD, note="a range of items that all exist"),),
)

RULES: tuple[Rule, ...] = (SEQUENCE, RANGES)
