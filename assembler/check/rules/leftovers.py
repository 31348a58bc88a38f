"""Rules of the 'leftovers' family: what must not survive into a document that goes out.

Unrendered template tags, drafting placeholders, Word comments and tracked changes. Brackets that
belong in a final agreement ("[Signature page follows]", "[Signature Page to ...]", "[Reserved]",
"[Intentionally Omitted]", "[sic]") and signature lines ("By: ______") are not placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Document, Paragraph

# Private-use characters the renderer uses as markers (see assembler.xref.markers).
MARKERS = "\ue000\ue001"

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{\{|\{%|\ue000[^\ue000\ue001]{0,80}\ue001|[\ue000\ue001]",
                 re.DOTALL)

PLACEHOLDER = re.compile(
    r"\$\s?\[[^\[\]\n]{0,40}\]"                     # $[●], $[___], $[amount]
    r"|\[\s*[●•◼■▪]+\s*\]"                         # [●] [•]
    r"|\[[^\[\]\n]{0,40}_{2,}[^\[\]\n]{0,40}\]"     # [___], [Name: ______]; the innermost of nested brackets
    r"|\[\s*(?:TBD|TBA|TBC)\s*\]"
    r"|T(?<![\w-]T)B[DA](?![\w-])"                 # TBD, TBA: a whole word (its look-behind after its "T")
    r"|\[(?P<bracketed>[A-Z][^\[\]\n]{1,120})\]"    # [Bracketed text]
)   # every alternative opens with a character ("$", "[", "T"), which the engine skips ahead to

LEGAL_BRACKETS = re.compile(
    r"(?:signature\s+pages?\s+(?:follows?|to\b.*)|reserved|intentionally\s+(?:omitted|left\s+blank|deleted)"
    r"|(?:the\s+)?remainder\s+of\s+(?:this\s+)?page\s+(?:is\s+)?(?:intentionally\s+)?(?:left\s+)?blank.*"
    r"|page\s+intentionally\s+left\s+blank|sic|emphasis\s+(?:added|supplied)|omitted|deleted"
    r"|(?:[A-Z]|[IVX]+))\.?",
    re.IGNORECASE,
)


def may_hold_tag(text: str) -> bool:
    """Whether TAG may match: every tag opens with a brace or is a marker."""
    return "{" in text or "\ue000" in text or "\ue001" in text      # MARKERS, each looked for directly


def may_hold_placeholder(text: str) -> bool:
    """Whether PLACEHOLDER may match: every placeholder is bracketed or a TBD, TBA."""
    return "[" in text or "TB" in text


def find_tags(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        if not may_hold_tag(p.text):
            continue
        for m in TAG.finditer(p.text):
            snippet = m.group(0)
            if snippet[0] in MARKERS:
                message = ("A renderer marker (private-use characters U+E000/U+E001) was left in the text; the "
                           "cross-reference or anchor it stood for was never resolved.")
            else:
                message = (f"The template tag “{snippet}” was never filled in; the document was not rendered "
                           "completely.")
            yield ctx.finding(TAGS, p, snippet, message)


def find_placeholders(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        if not may_hold_placeholder(p.text):
            continue
        for m in PLACEHOLDER.finditer(p.text):
            inner = m.group("bracketed")
            if inner is not None and LEGAL_BRACKETS.fullmatch(inner.strip()):
                continue
            snippet = m.group(0)
            yield ctx.finding(PLACEHOLDERS, p, snippet,
                              f"The placeholder “{snippet}” is still in the text; fill it in or delete it.")


def _anchor(doc: Document) -> Paragraph:
    body = doc.body or doc.paragraphs
    return body[0] if body else Paragraph(doc.name, "body", 0, "")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def find_comments(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        if doc.comments > 0:
            text = _plural(doc.comments, "comment", "comments")
            yield ctx.finding(COMMENTS, _anchor(doc), text,
                              f"The document still carries {text}; resolve and delete them before it goes out.")


def find_revisions(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        if doc.revisions > 0:
            text = _plural(doc.revisions, "tracked change", "tracked changes")
            yield ctx.finding(REVISIONS, _anchor(doc), text,
                              f"The document still carries {text}; accept or reject them before it goes out.")


_CLEAN = (
    "T|Securities Purchase Agreement",
    "1|**Definitions.** Capitalized terms have the meanings set forth in the Glossary.",
    "C|//[Signature page follows]//",
    "S|By: ______________________________",
    "S|Name: Victor Lee",
    "C|//[Signature Page to Securities Purchase Agreement]//",
)

TAGS = Rule(
    code="leftovers.tags",
    name="unrendered-template-tag",
    severity=Severity.ERROR,
    description="A template tag ({{ ... }}, {% ... %}, {# ... #}) or renderer marker left in the text.",
    find=find_tags,
    fails=(
        example("B|Purchaser will purchase {{ purchase.amount_words }} in shares of Preferred Stock.",
                note="an expression tag"),
        example("B|Dividends shall be payable {% if redemption.enabled %}(x) upon any redemption.",
                note="a statement tag"),
        example("B|The Closing shall occur on the date set forth in Section \ue000R:spa:closing\ue001 above.",
                note="private-use markers of an unresolved reference"),
    ),
    passes=(example(*_CLEAN, "B|Braces such as {this} and a single { are not template tags.",
                    note="a clean document"),),
)

PLACEHOLDERS = Rule(
    code="leftovers.placeholders",
    name="placeholder",
    severity=Severity.ERROR,
    description="A drafting placeholder ([●], [___], TBD, [Bracketed text]) left in the text.",
    find=find_placeholders,
    fails=(
        example("B|Purchaser will purchase $[●] in shares of Preferred Stock.", note="$[●]"),
        example("B|The Closing shall occur on [___], 2015.", note="[___]"),
        example("B|The conversion price is TBD.", note="TBD"),
        example("B|This Agreement is made by [Name of Purchaser] (\"Purchaser\").", note="[Bracketed text]"),
        example("B|The dividend rate is [•] per annum.", note="[•]"),
    ),
    passes=(
        example(*_CLEAN, "C|//[Reserved]//", "B|The word [sic] and an alteration \"[T]he Company\" are quotations.",
                note="signature-page brackets, [Reserved], signature lines"),
    ),
)

COMMENTS = Rule(
    code="leftovers.comments",
    name="comments-left",
    severity=Severity.ERROR,
    description="Word comments still in the file.",
    find=find_comments,
    fails=(example(*_CLEAN, "B|Purchaser will purchase the Preferred Shares.^^Confirm the amount.^^",
                   note="a document with a Word comment"),),
    passes=(example(*_CLEAN, note="no comments"),),
)

REVISIONS = Rule(
    code="leftovers.revisions",
    name="tracked-changes-left",
    severity=Severity.ERROR,
    description="Tracked changes (insertions, deletions, moves, formatting changes) still in the file.",
    find=find_revisions,
    fails=(example(*_CLEAN, "B|Purchaser will purchase the ++Preferred ++Shares.",
                   note="a document with a tracked insertion"),),
    passes=(example(*_CLEAN, note="no tracked changes"),),
)

RULES: tuple[Rule, ...] = (TAGS, PLACEHOLDERS, COMMENTS, REVISIONS)
