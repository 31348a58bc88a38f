"""Rules of the 'defs' family: defined terms across the package.

All four rules work on the definitions the document model collected (``("Term")``, ``"Term"
means ...``, ``"Term" includes ...``, ``"Term" has the meaning set forth in Section X``, ``each a
"Holder"``) over every document named together, so a glossary and the certificate it serves are
read as one vocabulary.

- ``defs.conflict``: the same term defined twice with different wording.
- ``defs.unused``: a term defined but never used outside its definitions.
- ``defs.variant``: a near miss of a multi-word defined term ("Certificate of Designation").
- ``defs.undefined``: a Title Case phrase used like a defined term but defined nowhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from assembler.check.rule import Context, Example, Finding, Rule, Severity, example
from assembler.docmodel.model import Definition, Paragraph

WORDING_KINDS = ("means", "includes")
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})


# --------------------------------------------------------------------------------------------
# Shared helpers


def _definitions(ctx: Context) -> list[Definition]:
    return [d for doc in ctx.package.documents for d in doc.definitions]


def _span(d: Definition) -> tuple[int, int]:
    """Offsets of the term in its paragraph (found in the text when the model left them unset)."""
    if d.end > d.start:
        return d.start, d.end
    at = d.paragraph.text.find(d.term)
    return (at, at + len(d.term)) if at >= 0 else (0, 0)


def _snippet(d: Definition) -> str:
    start, end = _span(d)
    return d.paragraph.text[start:end] or d.term


def _where(d: Definition) -> str:
    p = d.paragraph
    place = f"Section {p.section}" if p.section else f"paragraph {p.index + 1}"
    return f"{p.document}, {place}"


def _number_forms(word: str) -> set[str]:
    """A noun with its singular and plural: 'Holder' -> {'Holder', 'Holders'}; 'Liens' -> {'Liens', 'Lien'}."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("es") and len(word) > 4:
        forms.update({word[:-2], word[:-1]})
    elif word.endswith("s") and len(word) > 3:
        forms.add(word[:-1])
    if word.endswith("y") and len(word) > 2:
        forms.add(word[:-1] + "ies")
    return forms


def _head_index(words: list[str]) -> int:
    """The word whose number may change: the one before 'of' ('Certificate of Designations'), else the last."""
    lowered = [w.lower() for w in words]
    return lowered.index("of") - 1 if "of" in lowered[1:] else len(words) - 1


def term_forms(term: str) -> set[str]:
    """The term and its legitimate singular/plural forms."""
    words = term.split(" ")
    head = _head_index(words)
    return {" ".join(words[:head] + [form] + words[head + 1:]) for form in _number_forms(words[head])}


def _bounded(alternatives: Iterable[str], flags: int = 0) -> re.Pattern:
    body = "|".join(sorted((re.escape(a) for a in alternatives), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", flags)


# --------------------------------------------------------------------------------------------
# defs.conflict


def _normal(text: str | None) -> str:
    text = " ".join((text or "").translate(QUOTES).split()).lower()
    text = re.sub(r"[;,]?\s*(?:and|or)$", "", text)
    return text.rstrip(" .;:,")


def find_conflicts(ctx: Context) -> Iterable[Finding]:
    by_term: dict[str, list[Definition]] = defaultdict(list)
    for d in _definitions(ctx):
        by_term[d.term].append(d)
    for term, defs in by_term.items():
        worded = [d for d in defs if d.kind in WORDING_KINDS]
        if worded:
            first = worded[0]
            key = (first.kind, _normal(first.wording))
            for d in worded[1:]:
                if (d.kind, _normal(d.wording)) != key:
                    yield ctx.finding(
                        CONFLICT, d.paragraph, _snippet(d),
                        f"“{term}” is defined here with different wording from its definition in "
                        f"{_where(first)}; a term must have one meaning across the documents.")
        pointers = [d for d in defs if d.kind == "meaning"]
        if pointers:
            first = pointers[0]
            for d in pointers[1:]:
                if _normal(d.target) != _normal(first.target):
                    yield ctx.finding(
                        CONFLICT, d.paragraph, _snippet(d),
                        f"“{term}” is said here to have the meaning set forth in {d.target or 'another place'}, "
                        f"but {_where(first)} points to {first.target or 'another place'}.")



_GLOSSARY_TRADING_DAY = ("D|\"Trading Day\" means any day on which the Common Stock is traded on the Trading "
                         "Market; provided that it will not include any day on which the Common Stock is (a) "
                         "scheduled to trade for less than 5 hours, or (b) suspended from trading.")
_CERTIFICATE_TRADING_DAY = ("4|\"Trading Day\" means any day on which the Common Stock is traded on the Trading "
                            "Market; provided that it shall not include any day on which the Common Stock is (i) "
                            "scheduled to trade for less than 5 hours, or (ii) suspended from trading.")

CONFLICT = Rule(
    code="defs.conflict",
    name="conflicting-definitions",
    severity=Severity.ERROR,
    description="A term defined twice with different wording, within a document or across the package.",
    find=find_conflicts,
    fails=(
        example("D|\"Commission\" means the U.S. Securities and Exchange Commission.",
                "D|\"Commission\" means the Securities and Exchange Commission of the United States.",
                "B|The Commission may act.", note="two wordings in one document"),
        Example((("glossary.docx", (_GLOSSARY_TRADING_DAY, "B|Each Trading Day counts.")),
                 ("certificate.docx", ("1|**Terms.**", "2|__Definitions.__", _CERTIFICATE_TRADING_DAY))),
                note="the seed: glossary and certificate word Trading Day differently"),
        example("D|\"Closing\" has the meaning set forth in Section II.D.",
                "D|\"Closing\" has the meaning set forth in Section II.C.",
                "B|Each Closing counts.", note="two pointers to different sections"),
    ),
    passes=(
        Example((("glossary.docx", (_GLOSSARY_TRADING_DAY, "B|Each Trading Day counts.")),
                 ("certificate.docx", ("1|**Terms.**", "2|__Definitions.__",
                                       "4|" + _GLOSSARY_TRADING_DAY[2:]))),
                note="the same definition in glossary and certificate"),
        example("D|\"Commission\" means the U.S. Securities and Exchange Commission.",
                "D|'Commission' means the U.S.   Securities and Exchange Commission",
                "B|The Commission may act.", note="quote style, spacing and final period do not matter"),
        example("1|**Purchase and Sale.**",
                "2|__Closing.__ The sale will take place in six (6) closings (each, a \"Closing\").",
                "D|\"Closing\" has the meaning set forth in Section I.A.",
                note="an inline definition and a glossary pointer"),
    ),
)


# --------------------------------------------------------------------------------------------
# defs.unused


def _defining_spans(defs: Iterable[Definition]) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for d in defs:
        start, end = _span(d)
        spans[id(d.paragraph)].append((start, end))
    return spans


def _used(pattern: re.Pattern, paragraphs: list[Paragraph], spans: dict[int, list[tuple[int, int]]]) -> bool:
    for p in paragraphs:
        own = spans.get(id(p), ())
        for m in pattern.finditer(p.text):
            if not any(m.start() < end + 1 and start - 1 < m.end() for start, end in own):
                return True
    return False


def find_unused(ctx: Context) -> Iterable[Finding]:
    if not ctx.config.report_unused:
        return
    by_term: dict[str, list[Definition]] = defaultdict(list)
    for d in _definitions(ctx):
        by_term[d.term].append(d)
    paragraphs = list(ctx.paragraphs())
    for term, defs in by_term.items():
        if not term.strip():
            continue
        pattern = _bounded(term_forms(term))
        if not _used(pattern, paragraphs, _defining_spans(defs)):
            first = next((d for d in defs if d.kind != "meaning"), defs[0])
            yield ctx.finding(UNUSED, first.paragraph, _snippet(first),
                              f"“{term}” is defined but never used in the documents; use it or delete the "
                              f"definition.")


UNUSED = Rule(
    code="defs.unused",
    name="unused-definition",
    severity=Severity.WARNING,
    description="A term defined but never used anywhere in the package.",
    find=find_unused,
    fails=(
        example("D|\"GAAP\" means U.S. generally accepted accounting principles.",
                "D|\"Liens\" means a lien, charge or security interest.",
                "B|Company has no Liens.", note="GAAP is never used"),
    ),
    passes=(
        example("B|This Agreement is made by the Company and each holder (each a \"Holder\" and collectively, "
                "the \"Holders\").",
                "D|\"Liens\" means a lien, charge or security interest.",
                "D|\"Closing\" has the meaning set forth in Section I.A.",
                "B|No Lien shall attach to any Holder's shares; Holders vote at the Closings.",
                note="singular, plural and possessive uses count"),
        Example((("glossary.docx", ("D|\"Preferred Shares\" means shares of Series J Preferred Stock.",)),
                 ("agreement.docx", ("B|Purchaser will buy the Preferred Shares at $1,000 per Preferred Share.",))),
                note="a use in another document of the package counts"),
        example("D|\"GAAP\" means U.S. generally accepted accounting principles.",
                config={"report_unused": False}, note="switched off in the configuration"),
    ),
)


# --------------------------------------------------------------------------------------------
# defs.variant


def _variant_body(term: str) -> str:
    """Every number and capitalisation of the term's words (to be matched case-insensitively)."""
    words = term.split(" ")
    parts = []
    for i, word in enumerate(words):
        if word.lower() not in ("of", "and", "the", "or", "for", "to", "in") and \
                (i == len(words) - 1 or i == _head_index(words)):
            parts.append("(?:" + "|".join(sorted(map(re.escape, _number_forms(word)), key=len, reverse=True)) + ")")
        else:
            parts.append(re.escape(word))
    return r"\s+".join(parts)


def find_variants(ctx: Context) -> Iterable[Finding]:
    defs = _definitions(ctx)
    # A no-break space inside a term ("Series J") is a space: compare with spaces throughout.
    terms = sorted({" ".join(d.term.split()) for d in defs if len(d.term.split()) >= 2},
                   key=lambda t: (-len(t), t))
    if not terms:
        return
    allowed: set[str] = set()
    for d in defs:
        allowed |= {" ".join(form.split()) for form in term_forms(" ".join(d.term.split()))}
    each = [(term, re.compile(_variant_body(term), re.IGNORECASE)) for term in terms]
    anywhere = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms)
                          + r")(?![A-Za-z0-9])", re.IGNORECASE)
    for p in ctx.paragraphs():
        for m in anywhere.finditer(p.text):
            found = " ".join(m.group(0).split())
            if found in allowed or found == found.lower() or found == found.upper():
                continue
            term = next(t for t, pattern in each if pattern.fullmatch(m.group(0)))
            yield ctx.finding(
                VARIANT, p, m.group(0),
                f"“{m.group(0)}” is a variant of the defined term “{term}”; use the term exactly as defined.")


VARIANT = Rule(
    code="defs.variant",
    name="variant-of-defined-term",
    severity=Severity.ERROR,
    description="A variant form of a multi-word defined term (\"Certificate of Designation\" for "
                "\"Certificate of Designations\", different capitalisation).",
    find=find_variants,
    fails=(
        example("B|This Certificate of Designations (this \"Certificate of Designations\") fixes the terms.",
                "B|Dividends accrue in accordance with the terms of this Certificate of Designation.",
                note="singular of the plural in 'Certificate of Designations'"),
        example("B|The common stock of the Company (\"Common Stock\") is listed.",
                "B|Holders of Common stock may vote; see the certificate of Designations.",
                "B|The \"Certificate of Designations\" is attached.",
                note="capitalisation variants"),
    ),
    passes=(
        example("B|This Certificate of Designations (this \"Certificate of Designations\") fixes the terms.",
                "B|The sale will take place in six (6) closings (each, a \"Closing\"); at the Closings the "
                "Holders' rights under the Certificates of Designations attach.",
                "B|The Purchaser buys the Preferred Shares (\"Preferred Shares\") at $1,000 per Preferred Share; "
                "the Corporation's common stock (\"Common Stock\") and the COMMON STOCK are listed.",
                "B|Each Preferred Share's price is stated in the Transaction Documents (\"Transaction Documents\"); "
                "any Transaction Document controls.",
                note="legitimate plurals, singulars, possessives, lower and upper case"),
        example("B|The Corporation designates its Series\u00a0J Preferred Stock (the \"Series\u00a0J Preferred "
                "Stock\").",
                "B|Each share of Series J Preferred Stock and of Series\u00a0J Preferred Stock votes.",
                note="a no-break space in a term counts as a space"),
    ),
)


# --------------------------------------------------------------------------------------------
# defs.undefined

_TITLE_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
RUN = re.compile(rf"(?<![\w.’'-])(?:{_TITLE_WORD})(?:[ \u00a0](?:{_TITLE_WORD}))*"
                 rf"(?![\w-])(?![ \u00a0][A-Z][a-z])")  # maximal runs only
QUOTED = re.compile(r"[\"“][^\"“”]{0,200}[\"”]")
ENTITY_AFTER = re.compile(r"^,?\s*(?:Inc|Ltd|LLC|L\.L\.C|Corp|Co|L\.P|LP|LLP|N\.A|S\.A|PLC|plc|GmbH|AG|B\.V)\b")
OF_LINK = re.compile(r"(?:[A-Z][\w’'-]*\s+of(?:\s+the)?\s+$)")
OF_AFTER = re.compile(r"^\s+of(?:\s+the)?\s+[A-Z]")
PROPER = set("""
Act Acts Code Law Laws Rule Rules Regulation Regulations Exchange Commission State States Court Courts Inc Ltd
Limited Llc Corporation Company Companies Market Markets Stock Secretary Board Officer Officers Director Directors
Chief President Vice Chairman Assistant Treasurer Executive United Internal Revenue Delaware Nevada Colorado
Texas California New York County City District Federal Street Avenue Road Suite Floor Bank Trust Group Holdings
Partners Fund Agreement Agreements Certificate Certificates Exhibit Exhibits Schedule Schedules Annex Appendix
Section Sections Article Articles Glossary Series Eastern Pacific Central Mountain Time Standard Daylight
January February March April May June July August September October November December Monday Tuesday Wednesday
Thursday Friday Saturday Sunday Dollars Dollar Cents Cent Mr Mrs Ms Dr Esq Nasdaq Amex Nyse Otc Street Plaza
Department Treasury Service Services Government Republic Kingdom China Hong Kong Singapore Cayman Islands British
Virgin Island Mr Signature Page Title Name By
""".split())
NUMBER_WORDS = set("""one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
billion first second third fourth fifth sixth""".split())


def _is_heading(p: Paragraph) -> bool:
    text = p.text.strip()
    style = (p.style or "").lower()
    if any(s in style for s in ("title", "heading", "signature", "toc")):
        return True
    if not re.search(r"[a-z]", text):
        return True
    return len(text) < 120 and not re.search(r"[.;:,]\s*\S*[a-z]\S*\s+[a-z]", text) and \
        all(w[:1].isupper() or w.lower() in ("of", "and", "the", "or", "to", "for", "in", "a", "an", "on", "by")
            for w in re.findall(r"[A-Za-z][\w’'-]*", text))


def _strings(value, out: set[str]) -> set[str]:
    """Every text value of a term sheet (names, venue, ...), whatever its model."""
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            _strings(v, out)
    elif hasattr(value, "model_dump"):
        _strings(value.model_dump(), out)
    return out


_LABEL_BEFORE = re.compile(r"\((?:[a-z]{1,4}|\d{1,2})\)$")


def _sentence_start(before: str) -> bool:
    """Whether a phrase after *before* opens a sentence, clause item or paragraph."""
    b = before.rstrip(" \t\u00a0\"“”’'")
    return not b or b[-1] in ".;:!?•●\t" or _LABEL_BEFORE.search(b[-8:]) is not None


def find_undefined(ctx: Context) -> Iterable[Finding]:
    if not ctx.config.report_undefined:
        return
    defs = _definitions(ctx)
    known = {t for d in defs for t in term_forms(d.term)} | set(ctx.config.known_terms)
    inside_known = " | ".join(f" {t} " for t in known)
    names = _strings(ctx.termsheet, set()) if ctx.termsheet is not None else set()
    for doc in ctx.package.documents:
        reported: set[str] = set()
        for p in doc.paragraphs:
            if _is_heading(p):
                continue
            text = QUOTED.sub(lambda m: " " * len(m.group(0)), p.text)
            if p.heading and text.startswith(p.heading):
                text = " " * len(p.heading) + text[len(p.heading):]
            for m in RUN.finditer(text):
                phrase = m.group(0)
                words = phrase.split()
                if not 2 <= len(words) <= 4 or phrase in reported:
                    continue
                before, after = text[max(0, m.start() - 80):m.start()], text[m.end():m.end() + 40]
                if _sentence_start(before) or ENTITY_AFTER.match(after) or OF_LINK.search(before) \
                        or OF_AFTER.match(after):
                    continue
                if any(w in PROPER or w.lower() in NUMBER_WORDS for w in words):
                    continue
                if all(w in known for w in words) or f" {phrase} " in inside_known or any(
                        " ".join(words[i:j]) in known for i in range(len(words)) for j in range(i + 2, len(words) + 1)):
                    continue
                if any(phrase in name for name in names):
                    continue
                reported.add(phrase)
                yield ctx.finding(
                    UNDEFINED, p, phrase,
                    f"“{phrase}” is capitalised like a defined term but is not defined in any of the documents; "
                    f"define it, write it in lower case, or add it to known_terms in the check configuration.")


UNDEFINED = Rule(
    code="defs.undefined",
    name="undefined-term",
    severity=Severity.WARNING,
    description="A capitalised multi-word term used like a defined term but defined nowhere in the package.",
    find=find_undefined,
    fails=(
        example("D|\"Conversion Price\" means $0.15 per share of Common Stock.",
                "B|Dividends shall be payable by way of inclusion in the Conversion Amount on each Conversion "
                "Date at the Conversion Price.",
                note="the seed's Conversion Amount and Conversion Date"),
    ),
    passes=(
        example("T|Securities Purchase Agreement",
                "B|This Securities Purchase Agreement is made by Ascent Solar Technologies, Inc., a Delaware "
                "corporation, under the Securities Exchange Act of 1934 and the Internal Revenue Code, with the "
                "Secretary of State of the State of Delaware and the Chief Executive Officer, as set forth in the "
                "Glossary of Defined Terms; Three Million Dollars ($3,000,000) on September 18, 2015.",
                "1|**Purchase Amount.** Material Adverse Effect aside, the \"Purchase Amount\" is stated.",
                "B|The \"Conversion Price\" means $0.15; an \"accredited investor\" as defined in Rule 501(a).",
                note="titles, party names, laws, officers, headings, sentence starts and defined terms"),
        example("B|Dividends are included in the Conversion Amount on each conversion.",
                config={"known_terms": ["Conversion Amount"]}, note="a known term in the configuration"),
        example("B|Dividends are included in the Conversion Amount on each conversion.",
                config={"report_undefined": False}, note="switched off in the configuration"),
    ),
)

RULES: tuple[Rule, ...] = (CONFLICT, UNUSED, VARIANT, UNDEFINED)
