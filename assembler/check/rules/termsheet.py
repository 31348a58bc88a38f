"""Rules of the 'termsheet' family: the documents agree with the deal's term sheet.

With ``--termsheet`` every party name, amount, price, par value, rate, limitation, date, governing
law and venue that the documents state *in a context that names it* ("aggregate sum of $X",
"at a price of $X per", "par value $X per share", "more than X%", "laws of the State of X",
"by and between X, a Delaware corporation", "Name: X" in a signature block) must be the sheet's
value, formatted as the templates print it (assembler.render.words). A value that is none of the
sheet's is reported as belonging to another deal. Without a term sheet these rules find nothing.
Precision first: a figure in no recognised context is left to the figures family, and the series
designation is checked against the sheet by the series family.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Paragraph
from assembler.memo import kept


def _words():
    """The templates' number and date formats (imported when a message needs them)."""
    from assembler.render import words  # noqa: PLC0415

    return words

# ------------------------------------------------------------------------------------------------
# Text helpers

_SAME_LENGTH = {"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u2011": "-", "\u2013": "-", "\t": " ",
                "\n": " "}


@kept()
def _norm(text: str) -> str:
    """Straight quotes and plain spaces, one character for one, so offsets stay valid (what translating by
    _SAME_LENGTH gives, a replacement a character the text holds: none maps to another that is replaced). Kept
    for recent texts."""
    for old, new in _SAME_LENGTH.items():
        if old in text:
            text = text.replace(old, new)
    return text


@kept()
def _fold(text: str) -> str:
    return " ".join(_norm(text).replace(",", " , ").split()).casefold().replace(" , ", ", ").strip(" ,.")


MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d)")
PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?%")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}}),\s*(\d{{4}})\b")
DAY_OF = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)\s+day\s+of\s+({_MONTHS}),?\s+(\d{{4}})\b")
# "Three Million Dollars (" / "eight percent (" just before a figure: words and figures.
_NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                r"ninety|hundred|thousand|million|billion|trillion|tenths?|hundredths?|thousandths?)")
_WORDS = rf"{_NUMBER_WORD}(?:-{_NUMBER_WORD})*(?:\s+(?:and\s+)?{_NUMBER_WORD}(?:-{_NUMBER_WORD})*)*"
_MONEY_WORDS = re.compile(rf"\b{_WORDS}\s+(?:Dollars?|Cents?)(?:\s+and\s+{_WORDS}\s+Cents?)?\s*\(\s*$",
                          re.IGNORECASE)
_PERCENT_WORDS = re.compile(rf"\b{_WORDS}\s+percent\s*\(\s*$", re.IGNORECASE)

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
    "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming",
)  # fmt: skip


def _amount(match: re.Match) -> Decimal | None:
    try:
        return Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def _date(month: str, day: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), _MONTHS.split("|").index(month) + 1, int(day))
    except ValueError:
        return None


def _before(text: str, start: int, width: int = 160) -> str:
    return text[max(0, start - width):start]


def _sentence_before(text: str, start: int) -> str:
    """Text from the start of the sentence that holds *start* up to it."""
    head = text[:start]
    cut = max(head.rfind(". "), head.rfind("; "))
    return head[cut + 2:] if cut >= 0 else head


# ------------------------------------------------------------------------------------------------
# The sheet's values, formatted as the templates print them


@dataclass(frozen=True)
class Facts:
    company: str
    company_state: str
    purchaser: str
    chain: tuple[str, ...]
    signatories: dict[str, tuple[str, str]]        # "company"/"purchaser" -> (name, title)
    purchase_amount: Decimal
    closing_amounts: tuple[Decimal, ...]
    price: Decimal
    conversion_price: Decimal
    original_issue_price: Decimal
    preferred_par: Decimal
    common_par: Decimal
    dividend_rate: Decimal
    limitation: Decimal
    maximum: Decimal
    effective_date: dt.date
    closing_dates: tuple[dt.date, ...]
    board_meeting_date: dt.date
    execution_date: dt.date
    law_state: str
    venue: str


def facts(ts) -> Facts:
    price = ts.purchase.price_per_share
    return Facts(
        company=ts.company.name,
        company_state=ts.company.state,
        purchaser=ts.purchaser.name,
        chain=tuple(ts.purchaser.signature_chain),
        signatories={"company": (ts.company.signatory.name, ts.company.signatory.title),
                     "purchaser": (ts.purchaser.signatory.name, ts.purchaser.signatory.title)},
        purchase_amount=price * ts.purchase.shares,
        closing_amounts=tuple(c.shares * price for c in ts.closings),
        price=price,
        conversion_price=ts.conversion_price,
        original_issue_price=ts.preferred.original_issue_price,
        preferred_par=ts.preferred.par_value,
        common_par=ts.common_stock_par_value,
        dividend_rate=ts.dividend_rate,
        limitation=ts.beneficial_ownership.limitation,
        maximum=ts.beneficial_ownership.maximum,
        effective_date=ts.effective_date,
        closing_dates=tuple(c.date for c in ts.closings),
        board_meeting_date=ts.certificate.board_meeting_date,
        execution_date=ts.certificate.execution_date,
        law_state=ts.governing_law.state,
        venue=ts.governing_law.venue,
    )


def _money(values) -> str:
    return " or ".join(dict.fromkeys(_words().money(v) for v in values))


def _percent(values) -> str:
    return " or ".join(dict.fromkeys(_words().percent(v) for v in values))


def _dates(values) -> str:
    return ", ".join(dict.fromkeys(_words().long_date(v) for v in values))


# ------------------------------------------------------------------------------------------------
# Walking the package


def _paragraphs(ctx: Context) -> list[tuple[Paragraph, str]]:
    """(paragraph, normalised text) of every non-empty paragraph, computed once per check."""
    cached = getattr(ctx, "_termsheet_texts", None)
    if cached is None:
        cached = [(p, _norm(p.text)) for doc in ctx.package.documents for p in doc.paragraphs if p.text]
        ctx._termsheet_texts = cached
    return cached


def _strip_words(pattern: re.Pattern, before: str) -> str:
    """*before* without the words of a words-and-figures pair ("Three Million Dollars (")."""
    return pattern.sub("", before[-160:]) if before.rstrip().endswith("(") else before


class _Found:
    """Findings of one rule, one per (paragraph, offset): two patterns never report one value twice."""

    def __init__(self, ctx: Context, rule_code: str):
        self.ctx, self.code, self.seen, self.items = ctx, rule_code, set(), []

    def add(self, p: Paragraph, start: int, snippet: str, message: str) -> None:
        key = (id(p), start)
        if key in self.seen or not snippet.strip():
            return
        self.seen.add(key)
        rule = RULE_BY_CODE[self.code]
        self.items.append(self.ctx.finding(rule, p, snippet, message))


# ------------------------------------------------------------------------------------------------
# termsheet.party

_COMPANY_LABELS = ("Company", "Corporation", "Issuer")
_PURCHASER_LABELS = ("Purchaser", "Buyer", "Investor", "Subscriber")
PARTY_LABEL = re.compile(r'\(\s*(?:the\s+)?"(' + "|".join(_COMPANY_LABELS + _PURCHASER_LABELS) + r')"\s*\)')
_ENTITY = r"(?:corporation|limited liability company|limited partnership|company|exempted company|" \
          r"business company|partnership|trust|limited)"
DESCRIPTOR = re.compile(r",?\s+an?\s+(?P<state>[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)*)\s+" + _ENTITY + r",?\s*$")
BETWEEN = re.compile(r"\bbetween\s+(?P<name>[A-Z][^()\"]{1,120}?),\s+an?\s+"
                     r"(?P<state>[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)?)\s+" + _ENTITY + r"\b")
_SEPARATORS = ("by and between ", "between ", ", and ", " and ", "; ", ": ")
SIGN_BLOCK = re.compile(r"^\s*(COMPANY|PURCHASER|CORPORATION|ISSUER|BUYER|INVESTOR)\s*:\s*$", re.IGNORECASE)
SIGN_LINE = re.compile(r"^\s*(By|Name|Title)\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_BLANK = re.compile(r"^[\s_./-]*$")


def _candidate(pre: str) -> tuple[int, str]:
    """Start offset and text of the party name that ends *pre*."""
    best = 0
    for sep in _SEPARATORS:
        at = pre.rfind(sep)
        if at >= 0:
            best = max(best, at + len(sep))
    sentence = max(pre.rfind(". ") + 2 if pre.rfind(". ") >= 0 else 0, 0)
    best = max(best, sentence)
    name = pre[best:].strip()
    return best + (len(pre[best:]) - len(pre[best:].lstrip())), name


def _looks_like_name(name: str) -> bool:
    return bool(name) and name[0].isupper() and len(name.split()) <= 12 and not name.startswith(("This ", "The "))


def _party(ctx: Context) -> Iterator[Finding]:
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.party")
    parties = {_fold(f.company), _fold(f.purchaser)}
    for p, text in _paragraphs(ctx):
        if '"' not in text:
            continue
        for m in PARTY_LABEL.finditer(text):
            is_company = m.group(1) in _COMPANY_LABELS
            want = f.company if is_company else f.purchaser
            pre = text[:m.start()].rstrip()
            d = DESCRIPTOR.search(pre)
            if d:
                state = d.group("state")
                if is_company and _fold(state) != _fold(f.company_state) and state in US_STATES:
                    found.add(p, d.start("state"), state,
                              f"the company is described as a {state} entity; the term sheet says "
                              f"{f.company_state}")
                pre = pre[:d.start()].rstrip()
            pre = pre.rstrip(",")
            if _fold(pre).endswith(_fold(want)):
                continue
            start, name = _candidate(pre)
            if _looks_like_name(name):
                role = "company" if is_company else "purchaser"
                found.add(p, start, name, f"the {role} is named “{name}”; the term sheet's {role} is “{want}”")
        for m in (BETWEEN.finditer(text) if "between" in text else ()):
            name = m.group("name").strip()
            if _fold(name) not in parties:
                found.add(p, m.start("name"), name,
                          f"a party “{name}” that is not the term sheet's company (“{f.company}”) or "
                          f"purchaser (“{f.purchaser}”)")
    yield from found.items
    yield from _signature_blocks(ctx, f)


def _signature_blocks(ctx: Context, f: Facts) -> Iterator[Finding]:
    from assembler.termsheet.model import signer_entity  # noqa: PLC0415 - only with a term sheet

    found = _Found(ctx, "termsheet.party")
    names = {role: _fold(v[0]) for role, v in f.signatories.items()}
    titles = {role: _fold(v[1]) for role, v in f.signatories.items()}
    entity_of = {"company": f.company, "purchaser": f.purchaser}
    by_ok = {_fold(x) for x in (*f.chain, *map(signer_entity, f.chain), f.company, f.purchaser, *(v[0] for v in f.signatories.values()))}
    for doc in ctx.package.documents:
        block: str | None = None
        expect_entity = False
        for p in doc.paragraphs:
            if p.part != "body" or not p.text:
                continue
            if p.text.lstrip()[:18].upper() == "IN WITNESS WHEREOF":
                block, expect_entity = None, False
                continue
            if not expect_entity and ":" not in p.text:
                continue        # no signature line or block label (each holds a colon, as its normal text does)
            if len(p.text) > 300:              # a clause, not a signature line
                expect_entity = False
                continue
            text = _norm(p.text).strip()
            if not text:
                continue
            m = SIGN_BLOCK.match(text)
            if m:
                block = "company" if m.group(1).upper() in ("COMPANY", "CORPORATION", "ISSUER") else "purchaser"
                expect_entity = True
                continue
            line = SIGN_LINE.match(text)
            if expect_entity and not line:
                expect_entity = False
                want = entity_of[block]
                if text == text.upper() and _fold(text) != _fold(want) and _looks_like_name(text):
                    found.add(p, p.text.find(text), text,
                              f"the {block}'s signature block names “{text}”; the term sheet's {block} is "
                              f"“{want}”")
                continue
            expect_entity = False
            if not line:
                continue
            kind, value = line.group(1).lower(), line.group("value")
            start = p.text.find(value) if value else -1
            value_clean = re.sub(r"^/s/\s*", "", value, flags=re.IGNORECASE).strip()
            if not value_clean or _BLANK.match(value_clean) or start < 0:
                continue
            folded = _fold(value_clean)
            if kind == "by" and folded not in by_ok:
                found.add(p, start, value, f"“{value}” signs, but is not in the term sheet's signature chain "
                                           f"({', '.join(f.chain) or 'empty'}) nor a signatory")
            elif kind == "name":
                ok = {names[block]} if block else set(names.values())
                if folded not in ok:
                    want = f.signatories[block][0] if block else " or ".join(v[0] for v in f.signatories.values())
                    found.add(p, start, value, f"signatory “{value}”; the term sheet's signatory is “{want}”")
            elif kind == "title":
                ok = {titles[block]} if block else set(titles.values())
                if folded not in ok:
                    want = f.signatories[block][1] if block else " or ".join(v[1] for v in f.signatories.values())
                    found.add(p, start, value, f"signatory's title “{value}”; the term sheet says “{want}”")
    yield from found.items


# ------------------------------------------------------------------------------------------------
# termsheet.amount


def _amount_named(text: str, m: re.Match) -> str | None:
    """What the context of the amount *m* names ("purchase amount", "price per share"), or None."""
    before = _before(text, m.start())
    bare = _strip_words(_MONEY_WORDS, before).rstrip()
    after = text[m.end():m.end() + 40]
    if re.search(r"aggregate (?:sum|amount|purchase price) of$", bare, re.IGNORECASE) \
            or re.search(r"\bwill purchase$", bare) or re.search(r"\bPurchase Amount\b[^.$]{0,40}(?:of|is|equal to)$", bare):
        return "purchase amount"
    if re.search(r"\b(?:wire transfer|payment) of$", bare, re.IGNORECASE):
        return "amount payable at a closing"
    if re.search(r"\bat a (?:purchase )?price of$", bare, re.IGNORECASE) and re.match(r"\s*per\b", after):
        return "price per share"
    if re.search(r"\bConversion Price\b[^.$]{0,80}\bequal to$", bare):
        return "conversion price"
    if re.search(r"\bOriginal Issue Price\b\"?[^.$]{0,40}\b(?:means|equal to|of)$", bare):
        return "original issue price"
    par_before = re.search(r"\bpar value(?: of)?$", bare, re.IGNORECASE)
    par_after = re.match(r"\s*par value\b", after, re.IGNORECASE)
    if par_before or par_after:
        window = bare[-80:] if par_before else bare[-60:]
        if re.search(r"common stock,?\s*(?:par value(?: of)?)?$", window, re.IGNORECASE):
            return "common stock par value"
        if re.search(r"preferred", window, re.IGNORECASE):
            return "preferred stock par value"
        return "par value"
    return None


def _amount_values(f: Facts, what: str) -> tuple[Decimal, ...]:
    """The sheet's values for what an amount's context names."""
    if what == "purchase amount":
        return (f.purchase_amount,)
    if what == "amount payable at a closing":
        return (*f.closing_amounts, f.purchase_amount)
    if what == "price per share":
        return (f.price,)
    if what == "conversion price":
        return (f.conversion_price,)
    if what == "original issue price":
        return (f.original_issue_price,)
    if what == "common stock par value":
        return (f.common_par,)
    if what == "preferred stock par value":
        return (f.preferred_par,)
    return (f.preferred_par, f.common_par)


@kept()
def _amounts_named(text: str) -> tuple[tuple[str, int, int, Decimal], ...]:
    """(what, start, end, value) for each amount of *text* (a normal text) whose context names what it is; kept
    for recent texts."""
    named = []
    for m in MONEY.finditer(text) if "$" in text else ():
        what, value = _amount_named(text, m), _amount(m)
        if what is not None and value is not None:
            named.append((what, m.start(), m.end(), value))
    return tuple(named)


def _amounts(ctx: Context) -> Iterator[Finding]:
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.amount")
    for p, text in _paragraphs(ctx):
        if "$" not in text:
            continue          # _amounts_named finds no amount (looked for here, at less than the memo's cost)
        for what, start, end, value in _amounts_named(text):
            allowed = _amount_values(f, what)
            if value not in allowed:
                found.add(p, start, p.text[start:end],
                          f"{what} {_words().money(value)} is not the term sheet's ({_money(allowed)}); "
                          "a figure from another deal?")
    yield from found.items


# ------------------------------------------------------------------------------------------------
# termsheet.rate


def _rates(ctx: Context) -> Iterator[Finding]:
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.rate")
    for p, text in _paragraphs(ctx):
        if "%" not in text:
            continue          # _rates_named finds no percentage (looked for here, at less than the memo's cost)
        for what, start, end, value in _rates_named(text):
            allowed = (f.limitation,) if what == "beneficial ownership limitation" else \
                (f.maximum,) if what == "maximum beneficial ownership limitation" else (f.dividend_rate,)
            if value not in allowed:
                found.add(p, start, p.text[start:end],
                          f"{what} {_words().percent(value)} is not the term sheet's ({_percent(allowed)})")
    yield from found.items


@kept()
def _rates_named(text: str) -> tuple[tuple[str, int, int, Decimal], ...]:
    """(what, start, end, value) for each percentage of *text* (a normal text) whose context names what it is (a
    beneficial ownership limitation, its maximum, the dividend rate); kept for recent texts."""
    named = []
    for m in PERCENT.finditer(text) if "%" in text else ():
        bare = _strip_words(_PERCENT_WORDS, _before(text, m.start())).rstrip()
        sentence = _sentence_before(text, m.start()).rstrip()
        if re.search(r"\bmore than(?: the lesser of \(x\))?$", bare) and "own" in sentence:
            what = "beneficial ownership limitation"
        elif re.search(r"\bin no event exceeds?$", bare):
            what = "maximum beneficial ownership limitation"
        elif re.search(r"\bdividends\b[^.%]{0,160}\brate\b[^.%]{0,120}\bof$", sentence[-300:]) \
                and re.search(r"\bof$", bare):
            what = "dividend rate"
        else:
            continue
        named.append((what, m.start(), m.end(), Decimal(m.group(1))))
    return tuple(named)


# ------------------------------------------------------------------------------------------------
# termsheet.date


def _date_findings(ctx: Context) -> Iterator[Finding]:
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.date")
    allowed_for = {"closing date": f.closing_dates, "effective date": (f.effective_date,),
                   "board meeting date": (f.board_meeting_date,)}
    for p, text in _paragraphs(ctx):
        if "day of" not in text and ", 1" not in text and ", 2" not in text:
            continue          # _dates_stated finds no date (looked for here, at less than the memo's cost)
        for what, start, end, value in _dates_stated(text):
            if what == "execution date":
                if value != f.execution_date:
                    day = f.execution_date
                    found.add(p, start, p.text[start:end],
                              f"executed on {_words().long_date(value)}; the term sheet's execution date is "
                              f"{_words().long_date(day)} (“{_words().day_ordinal(day)} day of {day:%B}, {day.year}”)")
            elif value not in allowed_for[what]:
                found.add(p, start, p.text[start:end],
                          f"{what} {_words().long_date(value)} is not the term sheet's ({_dates(allowed_for[what])})")
    yield from found.items


@kept()
def _dates_stated(text: str) -> tuple[tuple[str, int, int, dt.date], ...]:
    """(what, start, end, date) for each date *text* (a normal text) states as the execution, closing, effective or
    board meeting date, in the order they are checked; kept for recent texts."""
    stated = []
    for m in (DAY_OF.finditer(text) if "day of" in text else ()):
        day, month, year = m.groups()
        value = _date(month, day, year)
        if value is not None and re.search(r"\bthis\s+$", text[:m.start()]):
            stated.append(("execution date", m.start(), m.end(), value))
    if (", 1" not in text and ", 2" not in text) or not DATE.search(text):
        return tuple(stated)
    closing_spans = []
    for m in re.finditer(r"\bClosings?\b[^.]{0,80}?\b(?:shall|will)\s+(?:occur|take place)\s+on\b", text):
        end = text.find(". ", m.end())
        closing_spans.append((m.end(), len(text) if end < 0 else end))
    for m in DATE.finditer(text):
        value = _date(*m.groups())
        if value is None:
            continue
        before = _before(text, m.start(), 200)
        after = text[m.end():m.end() + 40]
        if any(s <= m.start() < e for s, e in closing_spans):
            what = "closing date"
        elif re.match(r'\s*\((?:the\s+)?"Effective Date"\)', after) \
                or re.search(r"\b(?:entered into|made|dated)\s+(?:as of\s+)?$", before):
            what = "effective date"
        elif re.search(r"\bheld on\s+$", before) and re.search(r"\bmeeting\b", before[-120:]):
            what = "board meeting date"
        else:
            continue
        stated.append((what, m.start(), m.end(), value))
    return tuple(stated)


# ------------------------------------------------------------------------------------------------
# termsheet.law


def _state_pattern(extra: tuple[str, ...]) -> str:
    names = sorted(set(US_STATES) | {e for e in extra if e}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _law(ctx: Context) -> Iterator[Finding]:
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.law")
    states = _state_pattern((f.law_state, f.company_state))
    laws_of = re.compile(rf"\blaws of the State of ({states})\b")
    secretary = re.compile(rf"\bSecretary of State of the State of ({states})\b")
    for p, text in _paragraphs(ctx):
        if "State of" in text and ("laws of" in text or "Secretary of State" in text):
            for m in secretary.finditer(text):
                if _fold(m.group(1)) != _fold(f.company_state):
                    found.add(p, m.start(1), m.group(1),
                              f"filing with the Secretary of State of {m.group(1)}; the company's state "
                              f"is {f.company_state}")
            for m in laws_of.finditer(text):
                state = m.group(1)
                sentence = _sentence_before(text, m.start())
                if re.search(r"\b(?:governed|construed|interpreted)\b", sentence):
                    allowed, what = (f.law_state,), "governing law"
                elif re.search(r"\b(?:organized|incorporated|existing|formed)\b", sentence):
                    allowed, what = (f.company_state,), "state of incorporation"
                else:
                    allowed, what = (f.law_state, f.company_state), "state law"
                if _fold(state) not in {_fold(a) for a in allowed}:
                    found.add(p, m.start(1), state,
                              f"{what}: the State of {state}; the term sheet says {' or '.join(allowed)}")
        for m in (re.finditer(r"\bsitting in\s+", text) if "sitting in" in text else ()):
            rest = text[m.end():]
            if not re.search(r"\bcourts?\b", _sentence_before(text, m.start())):
                continue
            if _fold(rest[:len(f.venue) + 5]).startswith(_fold(f.venue)):
                continue
            end = re.search(r"[.;]\s|[.;]?$", rest)
            venue = rest[:end.start()] if end else rest
            if venue.strip():
                found.add(p, m.end(), p.text[m.end():m.end() + len(venue)],
                          f"venue “{venue}”; the term sheet's venue is “{f.venue}”")
    yield from found.items


# ------------------------------------------------------------------------------------------------
# The rules and their examples

_OPENING = ('B|This Securities Purchase Agreement (this "Agreement") is made and entered into as of '
            'September 18, 2015 (the "Effective Date"), by and between Ascent Solar Technologies, Inc., a '
            'Delaware corporation ("Company"), and Global Ichiban Limited ("Purchaser").')
_SIGNATURES = ("B|IN WITNESS WHEREOF, the parties hereto have caused this Agreement to be duly executed.",
               "S|**PURCHASER:**", "S|**GLOBAL ICHIBAN LIMITED**", "S|By: LT Asia Management Ltd.",
               "S|By: ______________________________", "S|Name: Ashley Ong", "S|Title: Director")
_PURCHASE = ('2|__Purchase Amount.__ Company hereby agrees to sell to Purchaser for the aggregate sum of Three '
             'Million Dollars ($3,000,000) (the "Purchase Amount"), and Purchaser hereby agrees to purchase '
             'from Company, an aggregate of three thousand (3,000) Preferred Shares, at a price of $1,000 per '
             'Preferred Share.')
_CONVERSION = ('4|"Conversion Price" means a price per share of Common Stock equal to $0.15 per share of '
               'Common Stock, subject to adjustment as otherwise provided herein.')
_PAR = ('2|__Designation, Amount and Par Value.__ Each share of Series J Preferred Stock will have a par '
        'value of $0.0001 per share. The common stock, par value $0.0001 per share ("Common Stock").')
_DIVIDENDS = ('2|__Dividends.__ Holders shall be entitled to receive cumulative dividends at the rate per share '
              '(as a percentage of the Original Issue Price per share) of 8% per annum.')
_LIMITATION = ('3|At no time may the Preferred Shares be converted if Purchaser would beneficially own more than '
               'the lesser of (x) 4.99% or (y) such lesser percentage, provided that the beneficial ownership '
               'limitation in no event exceeds 9.99% of the number of shares of the Common Stock outstanding.')
_CLOSINGS = ('2|__Closing.__ Provided that all conditions have been fully satisfied, the Closings shall occur on '
             '(i) September 18, 2015, (ii) October 2, 2015, (iii) October 16, 2015, (iv) October 30, 2015, '
             '(v) November 13, 2015 and (vi) November 27, 2015. The time and date of any Closing may be changed.')
_CERT_DATES = ('B|The following resolutions were duly adopted by the Board of Directors at a special meeting of '
               'the Board of Directors held on September 17, 2015 and in accordance with the Corporation\'s '
               'Certificate of Incorporation:',
               'B|IN WITNESS WHEREOF, the undersigned has executed this Certificate of Designations this 18th day '
               'of September, 2015.')
_LAW = ('2|__Governing Law.__ This Agreement shall be governed by, and construed in accordance with, the laws of '
        'the State of Colorado. All actions and proceedings arising out of or relating to this Agreement shall be '
        'heard and determined exclusively in any state or federal court, in each case sitting in Boulder or '
        'Denver County, Colorado.')
_FILING = ('3|the Certificate of Designations, as filed with and accepted by the Secretary of State of the State '
           'of Delaware.')


def _swap(line: str, old: str, new: str) -> str:
    assert old in line, (old, line)
    return line.replace(old, new)


PARTY = Rule(
    code="termsheet.party",
    name="party-not-in-term-sheet",
    severity=Severity.ERROR,
    description="A party, signature-chain entity or signatory that is not the term sheet's.",
    find=_party,
    fails=(
        example(_OPENING, termsheet={"purchaser": {"name": "Other Fund LP"}},
                note="the purchaser named in the document is not the sheet's"),
        example(_swap(_OPENING, "Ascent Solar Technologies, Inc., a Delaware", "Borealis Power Corp., a Delaware"),
                termsheet={}, note="another deal's company, a Delaware corporation"),
        example(_swap(_OPENING, "a Delaware corporation", "a Nevada corporation"), termsheet={},
                note="the company's state of incorporation differs"),
        example(*_SIGNATURES, termsheet={"purchaser": {"signatory": {"name": "Jane Roe"}}},
                note="another signatory"),
        example(*_SIGNATURES, termsheet={"purchaser": {"signature_chain": ["Other Manager Ltd., its investment manager"]}},
                note="another entity in the signature chain"),
        example(*_swap("\n".join(_SIGNATURES), "GLOBAL ICHIBAN LIMITED", "NORTHWIND CAPITAL LTD.").split("\n"),
                termsheet={}, note="another purchaser in the signature block"),
    ),
    passes=(
        example(_OPENING, *_SIGNATURES, termsheet={}, note="the seed's parties and signatories"),
        example(_OPENING, *_SIGNATURES, termsheet=None, note="no term sheet: nothing to compare"),
        example("B|Ascent Solar Technologies, Inc., a Delaware corporation (the \"Corporation\"), does hereby "
                "certify that:", "S|By: ______________________________", "S|Name:", termsheet={},
                note="the certificate's opening; blank signature lines"),
    ),
)

AMOUNT = Rule(
    code="termsheet.amount",
    name="amount-not-in-term-sheet",
    severity=Severity.ERROR,
    description="A purchase amount, closing payment, price, conversion price, original issue price or par "
                "value that is not the term sheet's.",
    find=_amounts,
    fails=(
        example(_swap(_PURCHASE, "Three Million Dollars ($3,000,000)", "Two Million Dollars ($2,000,000)"),
                termsheet={}, note="aggregate sum of another deal"),
        example(_swap(_PURCHASE, "at a price of $1,000 per", "at a price of $900 per"), termsheet={},
                note="price per share"),
        example(_swap(_CONVERSION, "$0.15", "$0.25"), termsheet={}, note="conversion price"),
        example(_PAR, termsheet={"common_stock_par_value": "0.001"}, note="common stock par value"),
        example(_PAR, termsheet={"preferred": {"par_value": "0.01"}}, note="preferred par value"),
        example('4|"Original Issue Price" means $1,200 per share of Series J Preferred Stock.', termsheet={},
                note="original issue price"),
        example("2|__Closing.__ At each Closing, Purchaser will make payment by wire transfer of Four Hundred "
                "Thousand Dollars ($400,000) of immediately available funds.", termsheet={},
                note="a closing payment that is no closing's amount"),
    ),
    passes=(
        example(_PURCHASE, _CONVERSION, _PAR, '4|"Original Issue Price" means $1,000 per share of Series J '
                'Preferred Stock.', "2|__Closing.__ At each Closing, Purchaser will make payment by wire transfer "
                "of Five Hundred Thousand Dollars ($500,000) of immediately available funds.", termsheet={},
                note="the seed's figures"),
        example(_swap(_PURCHASE, "$3,000,000", "$2,000,000"), termsheet=None, note="no term sheet"),
        example("B|Company has filed reports showing revenue of $12,345,678 for the year.", termsheet={},
                note="a figure in no context the sheet names"),
    ),
)

RATE = Rule(
    code="termsheet.rate",
    name="rate-not-in-term-sheet",
    severity=Severity.ERROR,
    description="A dividend rate or beneficial-ownership limitation or maximum that is not the term sheet's.",
    find=_rates,
    fails=(
        example(_swap(_DIVIDENDS, "of 8% per annum", "of 10% per annum"), termsheet={}, note="dividend rate"),
        example(_swap(_LIMITATION, "(x) 4.99%", "(x) 9.99%"), termsheet={}, note="limitation"),
        example(_swap(_LIMITATION, "exceeds 9.99%", "exceeds 19.99%"), termsheet={}, note="maximum"),
        example("2|__Ownership Restrictions.__ At no time may the Preferred Shares be converted if Purchaser would "
                "beneficially own more than 9.99% of all Common Stock outstanding.", termsheet={},
                note="the agreement's limitation"),
    ),
    passes=(
        example(_DIVIDENDS, _LIMITATION, termsheet={}, note="the seed's rates"),
        example(_swap(_DIVIDENDS, "8%", "12%"), termsheet=None, note="no term sheet"),
        example("B|The Company's revenue grew by more than 15% in each year.", termsheet={},
                note="a percentage in no context the sheet names"),
    ),
)

DATES = Rule(
    code="termsheet.date",
    name="date-not-in-term-sheet",
    severity=Severity.ERROR,
    description="An effective, closing, board meeting or execution date that is not the term sheet's.",
    find=_date_findings,
    fails=(
        example(_swap(_OPENING, "September 18, 2015", "September 19, 2015"), termsheet={},
                note="effective date"),
        example(_swap(_CLOSINGS, "October 30, 2015", "October 31, 2015"), termsheet={}, note="a closing date"),
        example(_CERT_DATES[0], termsheet={"certificate": {"board_meeting_date": "2015-09-16"}},
                note="board meeting date"),
        example(_CERT_DATES[1], termsheet={"certificate": {"execution_date": "2015-09-17"}},
                note="execution date “18th day of September, 2015”"),
    ),
    passes=(
        example(_OPENING, _CLOSINGS, *_CERT_DATES, termsheet={}, note="the seed's dates"),
        example(_swap(_OPENING, "September 18, 2015", "May 1, 2016"), termsheet=None, note="no term sheet"),
        example("B|The financial statements as of December 31, 2014 fairly present the financial position.",
                termsheet={}, note="a date in no context the sheet names"),
    ),
)

LAW = Rule(
    code="termsheet.law",
    name="law-not-in-term-sheet",
    severity=Severity.ERROR,
    description="A governing law, venue or filing state that is not the term sheet's.",
    find=_law,
    fails=(
        example(_swap(_LAW, "State of Colorado", "State of New York"), termsheet={}, note="governing law"),
        example(_swap(_LAW, "Boulder or Denver County, Colorado", "New York County, New York"), termsheet={},
                note="venue"),
        example(_swap(_FILING, "State of Delaware", "State of Nevada"), termsheet={},
                note="filed in another state than the company's"),
    ),
    passes=(
        example(_LAW, _FILING, termsheet={}, note="the seed's law and venue"),
        example(_swap(_LAW, "State of Colorado", "State of New York"), termsheet=None, note="no term sheet"),
        example("3|Company is duly organized and in good standing under the laws of the jurisdiction of its "
                "incorporation.", termsheet={}, note="no state named"),
    ),
)

RULES = (PARTY, AMOUNT, RATE, DATES, LAW)
RULE_BY_CODE = {r.code: r for r in RULES}
