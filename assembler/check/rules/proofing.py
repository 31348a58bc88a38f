"""Proofreading leftovers: what a proofreader strikes before a draft goes out.

``leftovers.fields``: merge fields of a form (``{company_name}``, ``{IF has_sla}``, ``{END-IF}``)
that were never filled in. ``leftovers.blanks``: a blank line ("on ________, 2015") in running
text, outside brackets; a signature or form line ("By: ______", "Name: ____") and a rule line made
of underscores alone are not blanks. ``leftovers.repeated``: a word written twice ("the the").
``leftovers.unbalanced``: a parenthesis or a typographic quotation mark opened and never closed in
its paragraph (or closed without being opened). A quotation that runs over several paragraphs
opens each of them and closes only in the last, as typesetting convention has it: that is not
unbalanced. Enumerators written with a closing parenthesis only ("a)", "(ii)", "1)") are labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assembler.check.casefold import lower_case
from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Paragraph
from assembler.memo import kept

# ---------------------------------------------------------------------------------------------
# {variable} fields

FIELD = re.compile(
    r"(?<![{\w])\{(?![{%#])\s*(?:"
    r"\$?[A-Za-z_][\w.]*"                               # {company_name}, {$a.status}
    r"|(?:IF|END-IF|ENDIF|FOR|END-FOR|ELSE|ELSEIF|ELSE-IF)\b[^{}\n]{0,80}"   # {IF has_sla}, {FOR a IN items}
    r")\s*\}(?!\})"
)


def _is_field(text: str) -> bool:
    inner = text[1:-1].strip()
    # a single plain word in braces ("{this}") is prose; a field name has an underscore, a dot, a $ or
    # is a control keyword written in capitals
    return bool(re.search(r"[_.$]", inner) or re.match(r"(?:IF|END-IF|ENDIF|FOR|END-FOR|ELSE)\b", inner)
                or re.fullmatch(r"[a-z]+[A-Z]\w*", inner))


def find_fields(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        if "{" not in p.text:
            continue
        for m in FIELD.finditer(p.text):
            if not _is_field(m.group(0)):
                continue
            yield ctx.finding(FIELDS, p, m.group(0),
                              f"The form field “{m.group(0)}” was never filled in.", offset=m.start())


# ---------------------------------------------------------------------------------------------
# Blanks

BLANK = re.compile(r"_{3,}")
# "By: ____", "Name: ____", "Title:", "Date:", "Signature:", "Email:", "Its ____", "Initials: ___"
FORM_LABEL = re.compile(r"(?:^|[\t\n]|\s{2,})[A-Z][\w .’'/()&-]{0,40}:?[ \t\u00a0]*$|(?:^|\s)(?:By|Its|Per)\s*$")
_FORM_GAP = re.compile(r"\s*(?:[\t\n]|\s{2,}|_)")
_FORM_NEXT_LABEL = re.compile(r"\s*[A-Z][\w .’'/()&-]{0,40}:")


def _form_label_before(text: str, at: int) -> bool:
    """Whether FORM_LABEL ends at *at*: searched from just before the longest label it can match (a label
    of 42 characters, its colon, the white space after it and two before it), not from the paragraph's
    start, so that a paragraph of many blanks is not read again for each."""
    space = at
    while space > 0 and text[space - 1].isspace():
        space -= 1
    return FORM_LABEL.search(text, max(0, space - 46), at) is not None


def _bracketed(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands inside [...] (reported as a placeholder)."""
    opened = text.rfind("[", 0, start)
    return opened != -1 and text.find("]", end) != -1 and text.rfind("]", opened, start) == -1


def find_blanks(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        text = p.text
        if "___" not in text:
            continue
        words = re.sub(r"_+", " ", text).strip()
        if not words:
            continue                      # a rule line or a signature line alone
        first, last = len(text) - len(text.lstrip()), len(text.rstrip())   # the text between white space
        for m in BLANK.finditer(text):
            if _bracketed(text, m.start(), m.end()):
                continue
            start, end = m.start(), m.end()
            nothing_before, nothing_after = start <= first, end >= last
            if _form_label_before(text, start) and (nothing_after or _FORM_GAP.match(text, end)
                                                     or _FORM_NEXT_LABEL.match(text, end)):
                continue                  # a form line: "Name: ______", "Date: ____  Title: ____"
            if len(m.group(0)) >= 20 and (nothing_before or nothing_after):
                continue                  # a rule line opening or closing the paragraph
            yield ctx.finding(BLANKS, p, m.group(0),
                              "A blank is left in the text; fill it in, or bracket it if it is a choice "
                              "left open on purpose.", offset=m.start())


# ---------------------------------------------------------------------------------------------
# Repeated words

# on the lower-cased text; possessive: a word or a space run cut short can never be followed by what follows it
REPEATED = re.compile(r"(?<![\w’'-])([a-z]++)[ \u00a0]++\1(?![\w’'-])")
# pairs that are good English: "that that", "had had", "is is" (rare but grammatical only for these)
_GRAMMATICAL = frozenset({"that", "had"})


# ASCII letters kept, every other byte of a text's UTF-8 a space: what stands between two words REPEATED reads
_LETTERS_ONLY = bytes(b if 97 <= b <= 122 else 32 for b in range(256))


# in a text of letters a-z and spaces that opens with a space: a run of letters (whole: a space before it, none
# after it), the spaces after it, and the same run (whole); found where a space stands (a literal the engine
# skips ahead to)
_SAME_RUNS = re.compile(rb" ([a-z]++) ++\1(?![a-z])")


def may_repeat(lower: str) -> bool:
    """Whether REPEATED may match in *lower*: two runs of the letters a-z, with nothing but other characters
    between them, are the same. (Its words are such runs, and only spaces stand between them.)"""
    return _SAME_RUNS.search(b" " + lower.encode("utf-8", "surrogatepass").translate(_LETTERS_ONLY)) is not None


@kept()
def repeated_words(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """(start, end, the word's start, its end) of each word written twice in *text*; kept for recent texts."""
    lower = lower_case(text)
    if len(lower) != len(text):           # a letter whose lower case is longer: keep the offsets right
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    if not may_repeat(lower):
        return ()
    found = []
    for m in REPEATED.finditer(lower):
        word = text[m.start(1):m.end(1)]
        if word.lower() in _GRAMMATICAL or len(word) == 1 and word not in "aA":
            continue
        found.append((m.start(), m.end(), m.start(1), m.end(1)))
    return tuple(found)


def find_repeated(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        for start, end, word_start, word_end in repeated_words(p.text):
            word = p.text[word_start:word_end]
            yield ctx.finding(REPEAT, p, p.text[start:end], f"The word “{word}” is written twice.", offset=start)


# ---------------------------------------------------------------------------------------------
# Unbalanced parentheses and quotation marks

_ENUMERATOR = re.compile(r"(?:^|[\s;,:])(?:[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]|\d{1,3})$")
_PAREN = re.compile(r"[()]")
_QUOTE = re.compile(r"[“”\"]")
_EMOTICON = re.compile(r"[:;]-?[()]")
_EMOTICON_OPENERS = (":(", ":)", ":-", ";(", ";)", ";-")     # what every _EMOTICON opens with
_NOT_A_PARENTHESIS = bytes(b for b in range(256) if b not in b"()")


def _balanced(text: str) -> bool:
    """Whether each parenthesis of *text* is closed after it by one: its parentheses alone (in UTF-8 no other
    character holds their bytes) come to nothing, innermost pairs taken away first. Some rounds only, so that
    a deep nesting is left to the reading one by one (False: not known balanced)."""
    parens = text.encode("utf-8", "surrogatepass").translate(None, _NOT_A_PARENTHESIS)
    for _ in range(8):
        if not parens:
            return True
        shorter = parens.replace(b"()", b"")
        if len(shorter) == len(parens):
            return False
        parens = shorter
    return not parens


@kept()
def _parens(text: str) -> tuple[int, int] | None:
    """(offset, kind) of the first unmatched parenthesis: kind 1 opened, -1 closed; None if balanced. Kept for
    recent texts.

    A closing parenthesis that closes nothing after a short label ("a)", "ii)", "3)") is an enumerator.
    """
    if any(e in text for e in _EMOTICON_OPENERS):
        text = _EMOTICON.sub("  ", text)
    if _balanced(text):
        return None
    stack: list[int] = []
    for m in _PAREN.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            if stack:
                stack.pop()
            elif not _ENUMERATOR.search(text[max(0, i - 8):i]):
                return i, -1
    return (stack[0], 1) if stack else None


@kept()
def _quotes(text: str) -> tuple[int, int] | None:
    """(offset, kind) of the first unmatched double quote (kind 1 opened, -1 closed); kept for recent texts.

    Typographic quotes have a direction; a straight one closes an open quotation or opens one.
    """
    depth, opened = 0, -1
    for m in _QUOTE.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch == "“" or ch == '"' and not depth:
            if depth:                     # “ ... “ : the first was never closed
                return opened, 1
            depth, opened = 1, i
        elif ch == "”" or ch == '"':
            if not depth:
                return i, -1
            depth = 0
    return (opened, 1) if depth else None


def _snippet(text: str, offset: int) -> str:
    start = max(0, offset - 20)
    end = min(len(text), offset + 40)
    return text[start:end].strip()


def find_unbalanced(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        paragraphs = doc.paragraphs
        for i, p in enumerate(paragraphs):
            text = p.text
            if "(" in text or ")" in text:
                bad = _parens(text)
                if bad is not None:
                    offset, kind = bad
                    yield ctx.finding(
                        UNBALANCED, p, _snippet(text, offset),
                        "A parenthesis is opened and never closed in this paragraph." if kind == 1 else
                        "A parenthesis is closed that was never opened in this paragraph.", offset=offset)
            if "“" in text or "”" in text or '"' in text:
                bad = _quotes(text)
                if bad is None:
                    continue
                offset, kind = bad
                following = paragraphs[i + 1].text.lstrip() if i + 1 < len(paragraphs) else ""
                if kind == 1 and _opens_quotation(text) and following.startswith("“") \
                        and paragraphs[i + 1].part == p.part:
                    continue              # a quotation running on into the next paragraph
                if kind == -1 and i > 0 and text.lstrip().startswith("“") is False and \
                        _continues_quotation(paragraphs, i):
                    continue
                yield ctx.finding(
                    UNBALANCED, p, _snippet(text, offset),
                    "A quotation mark is opened and never closed in this paragraph." if kind == 1 else
                    "A closing quotation mark has no opening one in this paragraph.", offset=offset)


def _opens_quotation(text: str) -> bool:
    bad = _quotes(text)
    return bad is not None and bad[1] == 1


def _continues_quotation(paragraphs: list[Paragraph], i: int) -> bool:
    """Whether paragraph *i* closes a quotation opened in the paragraphs before it."""
    previous = paragraphs[i - 1]
    return previous.part == paragraphs[i].part and _opens_quotation(previous.text)


# ---------------------------------------------------------------------------------------------

_CLEAN = (
    "T|Securities Purchase Agreement",
    "B|This Agreement (this \"Agreement\") is made by Ascent Solar Technologies, Inc. (\"Company\") and Global "
    "Ichiban Limited (\"Purchaser\"); (a) one, b) two and (ii) three.",
    "C|//[Signature page follows]//",
    "S|By: ______________________________",
    "S|Name: ____________________  Title: ____________________",
    "S|Date: ______________",
    "N|__________________________________________",
)

FIELDS = Rule(
    code="leftovers.fields",
    name="unfilled-form-field",
    severity=Severity.ERROR,
    description="A form's merge field ({company_name}, {IF has_sla}, {END-IF}) never filled in.",
    find=find_fields,
    fails=(
        example("B|This Agreement is made by {company_name} (\"Company\") and Global Ichiban Limited.",
                note="a variable"),
        example("B|{IF has_sla}The Service Level Agreement applies.{END-IF}", note="control fields"),
        example("B|Status: {$a.status}", note="a loop variable"),
    ),
    passes=(example(*_CLEAN, "B|Braces such as {this}, a set {1, 2} and a single { are not fields.",
                    note="prose braces"),),
)

BLANKS = Rule(
    code="leftovers.blanks",
    name="unfilled-blank",
    severity=Severity.ERROR,
    description="A blank (\"________\") left in running text, outside brackets.",
    find=find_blanks,
    fails=(
        example("B|The Closing shall occur on ____________, 2015 at the offices of Company.", note="a date blank"),
        example("B|Purchaser will purchase ______ Preferred Shares.", note="a count blank"),
    ),
    passes=(
        example(*_CLEAN, "B|The Closing shall occur on [___], 2015.",
                note="signature and form lines, a rule line; a bracketed blank is a placeholder, not this rule"),
    ),
)

REPEAT = Rule(
    code="leftovers.repeated",
    name="repeated-word",
    severity=Severity.WARNING,
    description="A word written twice in a row (\"the the\").",
    find=find_repeated,
    fails=(
        example("B|Purchaser will purchase the the Preferred Shares.", note="the the"),
        example("B|Company shall deliver to to Purchaser a certificate.", note="to to"),
    ),
    passes=(example(*_CLEAN, "B|Company represents that that certificate is true; the Holder had had notice; "
                    "Section 4.4 (4) and II.B. B. Lee signed.",
                    note="grammatical 'that that' and 'had had'; numbers and initials"),),
)

UNBALANCED = Rule(
    code="leftovers.unbalanced",
    name="unbalanced-punctuation",
    severity=Severity.WARNING,
    description="A parenthesis or quotation mark opened and not closed (or closed and not opened) in its paragraph.",
    find=find_unbalanced,
    fails=(
        example("B|Company (a Delaware corporation shall deliver the Preferred Shares.", note="an open parenthesis"),
        example("B|The \"Purchase Amount means Three Million Dollars.", note="an open quotation mark"),
        example("B|Company shall deliver the Preferred Shares to Purchaser).", note="a stray closing parenthesis"),
    ),
    passes=(
        example(*_CLEAN, "B|The holder may (i) convert or ii) redeem; a) first, b) second.",
                "B|The legend shall read: \"THESE SECURITIES HAVE NOT BEEN REGISTERED.",
                "B|\"THEY MAY NOT BE SOLD EXCEPT AS PERMITTED.\"",
                note="enumerators with a closing parenthesis only; a quotation over two paragraphs"),
    ),
)

RULES: tuple[Rule, ...] = (FIELDS, BLANKS, REPEAT, UNBALANCED)
