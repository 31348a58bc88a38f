"""Undefined single-word roles, and operative text in heading styles: two reaches of defs.undefined.

A capitalised word naming a party's role ("Buyer", "Issuer", "Licensee") used in the running text
like a defined term, where no document of the package defines it, is reported once per document:
a form copied from another deal leaves its roles behind. Only role nouns are read (the list
below): a single capitalised word is otherwise too often a name, a sentence start or a heading.

Many forms put their operative text in heading styles (each numbered clause a "Heading 2" with
its whole text); such a paragraph is read like any other. A heading style on a heading ("Term &
Termination") still is one. Terms that a form defines by labelling a value or a blank ("Subscription
Period" in a key-terms table, "PROVIDER:" on a cover page) count as defined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from assembler.check.rule import Context, Finding, Rule
from assembler.docmodel.model import Document, Paragraph
from assembler.memo import kept

ROLE_WORDS = frozenset("""
Buyer Buyers Seller Sellers Issuer Issuers Purchaser Purchasers Investor Investors Holder Holders Lender Lenders
Borrower Borrowers Licensor Licensors Licensee Licensees Customer Customers Provider Providers Vendor Vendors
Supplier Suppliers Client Clients Contractor Contractors Consultant Consultants Employee Employees Employer
Landlord Tenant Tenants Lessor Lessee Discloser Recipient Recipients Guarantor Guarantors Subscriber Subscribers
Stockholder Stockholders Shareholder Shareholders Assignor Assignee Acquirer Acquiror Grantor Grantee Pledgor
Pledgee Obligor Obligors Distributor Distributors Reseller Resellers Processor Subprocessor Subprocessors
Controller Sponsor Underwriter Underwriters Placement Agent Escrow Mortgagor Mortgagee Franchisor Franchisee
Debtor Creditor Creditors Optionee Optionor Warrantholder Noteholder Noteholders Partner Partners Indemnitor
Indemnitee Indemnitees Transferor Transferee Transferees Licensee Publisher Developer Manufacturer Servicer
""".split()) - {"Placement", "Escrow", "Partners", "Partner"}



def _initials_first(words: Iterable[str], not_after: str) -> str:
    """An alternation of *words* standing after no character of the class *not_after*, grouped by first letter:
    the letter, then the look-behind, then the rest of the words (the longest first), so that the engine
    skips ahead to the next such letter instead of trying the look-behind and every word at every place."""
    rests: dict[str, list[str]] = {}
    for word in sorted(words, key=lambda w: (-len(w), w)):
        rests.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{re.escape(c)}(?<![{not_after}]{re.escape(c)})(?:{'|'.join(r)})" for c, r in rests.items())


# a role noun standing as a capitalised word of its own (not after a letter, digit, apostrophe, hyphen or
# period, not followed by a letter, digit or hyphen)
ROLE = re.compile("(" + _initials_first(ROLE_WORDS, r"\w’'\-.") + r")(?![\w\-])")
QUOTED = re.compile(r"[\"“][^\"“”]{0,200}[\"”]")
_CAPITALISED_NEIGHBOUR = re.compile(r"[A-Z][\w’'-]*[ \u00a0]*$")
_OPERATIVE = re.compile(r"[a-z][,;]?\s+[a-z]+\s+[a-z]+\b.*[.;:]")


_LABEL = re.compile(r"^(?P<label>[A-Z][\w’'&/-]*(?:[ \u00a0]+(?:[A-Z][\w’'&/-]*|of|and|the|for|to|in|&)){0,5})"
                    r"[ \u00a0]*(?::.*)?$")
_SMALL = frozenset("of and the for to in &".split())
TITLE_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
# a cover page's variable: a table cell or line that is only its name ("Effective Date", "{IF x}Use
# Limitations") or its name then a colon ("Target Uptime: [__]%")
_MARK_OPENERS = "{*[(_"      # the first character of every match of _FIELD_MARKS
_FIELD_MARKS = re.compile(r"\{[^{}]*\}|\*\*|\[\s*[xX✓]?\s*\]|\(\s*[xX✓]?\s*\)|__")
_LABEL_LINE = re.compile(rf"^\s*({TITLE_WORD}(?:[ \u00a0](?:{TITLE_WORD}|of|and|the|or|for|to))*?)\s*(?::|$)")


def cover_labels(paragraphs: Iterable[Paragraph]) -> set[str]:
    """Terms a form defines by labelling a blank or a value: "Subscription Period" in a key-terms table,
    "PROVIDER: {company_name}" on a cover page, "Target Uptime: [__]%", "{IF x}Use Limitations", each a
    paragraph of its own; and the titles of sections."""
    out: set[str] = set()
    for p in paragraphs:
        out.update(labels_in(p.text, p.heading, p.number is not None))
    return out


def labels_in(text: str, heading: str | None, numbered: bool) -> tuple[str, ...]:
    """The labels of cover_labels that one paragraph gives."""
    out: list[str] = []
    if heading:                   # a section title cited as a caption, "Section 12 (General Terms)"
        out.append(heading.split("\t")[0].strip())
    marked = "{" in text or "*" in text or "[" in text or "(" in text or "_" in text   # _MARK_OPENERS
    cleaned = (_FIELD_MARKS.sub(" ", text) if marked else text).strip()
    if len(cleaned) <= 200:
        m = _LABEL_LINE.match(cleaned)
        if m and len(m.group(1).split()) >= 2:
            out.append(" ".join(m.group(1).split()))
    text = text.strip()
    if not text or numbered:
        return tuple(out)
    m = _LABEL.match(text)
    if m is None or (":" not in text and text != m.group("label")):
        return tuple(out)
    label = m.group("label")
    if label.isupper():
        label = " ".join(w if w.lower() in _SMALL else w.capitalize() for w in label.split())
    out.extend((label, label + "s", label[:-1] if label.endswith("s") else label))
    return tuple(out)


def operative(p: Paragraph) -> bool:
    """Whether a paragraph in a heading style holds running text (a clause, not a heading)."""
    return operative_text(p.text or "", p.heading)


def operative_text(text: str, heading: str | None) -> bool:
    """Whether a paragraph's *text* under its run-in *heading* holds running text (see operative)."""
    text = text.strip()
    if heading and text.startswith(heading):
        text = text[len(heading):].lstrip(" .:\t\u00a0")
    return len(text.split()) >= 8 and bool(_OPERATIVE.search(text))


def masked_text(p: Paragraph) -> str:
    """The paragraph's text with quoted phrases and its run-in heading blanked out (offsets kept)."""
    return mask_text(p.text, p.heading)


def mask_text(text: str, heading: str | None) -> str:
    """masked_text of a paragraph's text and heading."""
    if '"' in text or "“" in text:
        text = QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    if heading and text.startswith(heading):
        text = " " * len(heading) + text[len(heading):]
    return text


def used_as_term(doc: Document, p: Paragraph, phrase: str) -> bool:
    """In a heading-style paragraph, a phrase counts as a term only if the document uses it again: a name
    cited once ("Specially Designated Nationals") is a title or a proper noun."""
    if "heading" not in (p.style or "").lower():
        return True
    cache = doc.__dict__.setdefault("_full_text", {})
    if "text" not in cache:
        cache["text"] = "\n".join(q.text for q in doc.paragraphs)
    counted = cache.setdefault("again", {})
    if phrase not in counted:
        counted[phrase] = cache["text"].count(phrase) >= 2
    return counted[phrase]


_LABEL_ONLY = re.compile(r"\s*(?:[A-Z]{1,2}\.?\d+(?:\.\d+)*\.?|\(?[a-z0-9]{1,4}[.)])?\s*")


def undefined_roles(ctx: Context, rule: Rule, known: set[str], skip: Callable[[Paragraph], bool],
                    sentence_start: Callable[[str], bool],
                    borrows_terms: Callable[[Document], bool] = lambda doc: False,
                    masked: Callable[[Paragraph], str] = masked_text) -> Iterator[Finding]:
    """A role noun used as a defined term that no document of the package defines, in a package that defines
    the roles of its parties (else the roles are defined elsewhere: an addendum, a form's standard terms).
    A document that *borrows_terms* from an instrument the check does not have (standard terms it
    incorporates) is left alone. *masked*: a paragraph's masked_text (the caller's, if it keeps them)."""
    if not any(w in known for w in ROLE_WORDS):
        return                        # roles defined elsewhere (an addendum, a form's standard terms)
    for doc in ctx.package.documents:
        if borrows_terms(doc):
            continue
        reported: set[str] = set()
        for p in doc.paragraphs:
            if skip(p) or not may_name_a_role(p.text):
                continue
            text = masked(p)
            for start, end, word in roles_in(text):
                if word in reported or word in known:
                    continue
                singular = word[:-1] if word.endswith("s") else word
                if singular in known or singular + "s" in known:
                    continue
                before, after = text[max(0, start - 80):start], text[end:end + 3]
                if sentence_start(before) or _CAPITALISED_NEIGHBOUR.search(before) or \
                        _LABEL_ONLY.fullmatch(text, 0, start) or \
                        re.match(r"[ \u00a0]+[A-Z]", after):
                    continue          # a sentence start, or a word of a longer name (defs.undefined's)
                reported.add(word)
                yield ctx.finding(
                    rule, p, word,
                    f"“{word}” is capitalised like a defined term but is not defined in any of the documents; "
                    f"define it, use the defined role, or add it to known_terms in the check configuration.",
                    offset=start)


def may_name_a_role(text: str) -> bool:
    """Whether *text* holds one of "er", "or", "ee", "ent" and "der" (which holds "er"), looked for one by one
    without a generator's cost: a paragraph without them is not searched for role nouns."""
    return "er" in text or "or" in text or "ee" in text or "ent" in text


@kept(1024)
def roles_in(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, word) of every match of ROLE in a (masked) text."""
    return tuple((m.start(), m.end(), m.group(1)) for m in ROLE.finditer(text))
