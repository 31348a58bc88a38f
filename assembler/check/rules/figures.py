"""Rules of the 'figures' family: words against figures, and the arithmetic a document states.

``figures.words`` reads every "words (figure)" pair: money ("Three Million Dollars
($3,000,000)", "... Dollars and Fifty Cents ($1,000.50)"), counts ("three thousand (3,000)
shares", "sixty-one (61) days") and percentages ("eight percent (8%)", "four and ninety-nine
hundredths percent (4.99%)"). The words are the forms num2words writes, in any case, with or
without "and" and commas. Figures written as digits in words ("1.5 million") are not read.

``figures.arithmetic`` checks the sums the purchase agreement states: the aggregate purchase
sum against shares x price, each closing's payment against its shares x price, and the shares
bought over the closings against the aggregate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from assembler.check.casefold import may_hold_kept
from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Paragraph
from assembler.memo import kept

# --------------------------------------------------------------------------------------------
# Number words

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_FRACTIONS = {"tenth": 10, "hundredth": 100, "thousandth": 1000, "ten-thousandth": 10000}

_WORD = "(?:" + "|".join(sorted([*_UNITS, *_TENS, "hundred", *_SCALES], key=len, reverse=True)) + ")"
_TOKEN = rf"{_WORD}(?:-{_WORD})*"
PHRASE = rf"{_TOKEN}(?:,?\s+(?:and\s+)?{_TOKEN})*"
_FRACTION = r"(?:ten-)?(?:tenths?|hundredths?|thousandths?)"


def words_value(text: str) -> int | None:
    """'One Hundred Twenty-Three Thousand Four Hundred Fifty-Six' -> 123456; None if not a number."""
    tokens = [t for t in re.split(r"[\s,-]+", text.lower()) if t and t != "and"]
    if not tokens:
        return None
    total, current, seen = 0, 0, False
    for token in tokens:
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in _SCALES:
            total += (current or 1) * _SCALES[token]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _fraction_value(words: str, denominator: str) -> Decimal | None:
    numerator = words_value(words)
    base = denominator.lower().rstrip("s")
    if numerator is None or base not in _FRACTIONS:
        return None
    return Decimal(numerator) / _FRACTIONS[base]


def _figure(text: str) -> Decimal | None:
    try:
        return Decimal(re.sub(r"[\s$,%]", "", text))
    except InvalidOperation:
        return None


def _show(value: Decimal, money: bool = False, percent: bool = False) -> str:
    if value == value.to_integral_value():
        text = f"{int(value):,}"
    else:
        whole, _, frac = format(value.normalize(), "f").partition(".")
        text = f"{int(whole):,}.{frac.ljust(2, '0') if money else frac}"
    return ("$" if money else "") + text + ("%" if percent else "")


# "Three Million Dollars ($3,000,000)", "... Dollars and Fifty Cents ($1,000.50)", "Fifty Cents ($0.50)",
# "eight percent (8%)", "four and ninety-nine hundredths percent (4.99%)", "three thousand (3,000)".
# (every match opens with a number word followed by a hyphen, a comma or white space: the look-aheads only
# spare the alternatives at the other places)
PAIR = re.compile(
    rf"(?<![\w-])(?=[befhmnostz])(?={_WORD}[\s,-])(?:"
    rf"(?P<dollars>{PHRASE})\s+Dollars?(?:\s+and\s+(?P<cents>{PHRASE})\s+Cents?)?"
    rf"|(?P<cents_only>{PHRASE})\s+Cents?"
    rf"|(?P<pct>{PHRASE})(?:\s+and\s+(?P<pct_frac>{PHRASE})\s+(?P<denom>{_FRACTION}))?\s+(?:percent|per\s+cent)"
    rf"|(?P<count>{PHRASE})"
    rf")\s+\((?P<figure>\$?\s?\d[\d,]*(?:\.\d+)?\s?%?)\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pair:
    """A value written in words and in figures."""

    kind: str              # "money" | "percent" | "count"
    words: Decimal | None
    figure: Decimal | None
    text: str
    start: int
    end: int


_FIGURE_IN_PARENS = re.compile(r"\(\$?\s?\d")


def _digit_before(text: str, at: int) -> bool:
    """Whether a digit, then perhaps "." or ",", then only white space stands before *at* (what
    `\\d[.,]?\\s*$` finds in the text up to it), looked for backwards from *at*."""
    at_digit = at
    while at_digit > 0 and text[at_digit - 1].isspace():
        at_digit -= 1
    if at_digit > 0 and text[at_digit - 1] in ".,":
        at_digit -= 1
        if at_digit > 0 and text[at_digit - 1].isdecimal():
            return True
        at_digit += 1
    return at_digit > 0 and text[at_digit - 1].isdecimal()


# the word that stands last before a pair's figure: a number word, "Dollars", "Cents" or "percent"
_LAST_WORD = re.compile(rf"(?:{_WORD}|dollars?|cents?|percent)", re.IGNORECASE)


def _figures_after_words(text: str) -> Iterator[int]:
    """Where each figure in parentheses opens that has, before it, white space and before that a whole word that
    may end a pair's words ("Dollars", "percent", "twelve"): where every PAIR match ends. Looked for back from
    each figure, so that a paragraph of clause numbers ("(1)") is not searched for pairs."""
    for m in _FIGURE_IN_PARENS.finditer(text):
        end = m.start()
        while end > 0 and text[end - 1].isspace():
            end -= 1
        start = end
        while start > 0 and end - start <= 12 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1             # the word (\w+) before the white space; none of those words is longer
        if end < m.start() and _LAST_WORD.fullmatch(text, start, end):
            yield m.start()


def _words_before_a_figure(text: str) -> bool:
    """Whether some figure in parentheses has the last word of a pair's words before it (see _figures_after_words)."""
    return next(_figures_after_words(text), None) is not None


def _in_words(ch: str) -> bool:
    """Whether *ch* may stand in a pair's words: a letter (the case-insensitive pattern's letters are letters,
    "ſ" and the Kelvin sign too), white space, a comma or a hyphen."""
    return ch.isalpha() or ch.isspace() or ch == "," or ch == "-"


# the ASCII characters that _in_words takes: the letters, the white space (str.isspace: \x1c-\x1f too), "," and "-"
_ASCII_IN_WORDS = re.compile(r"[A-Za-z\t\n\x0b\x0c\r\x1c-\x1f ,\-]*")


def _words_start(text: str, end: int, first: int) -> int:
    """Where the characters that may stand in a pair's words (_in_words) that stand last before *end* begin, at
    *first* at the earliest: read backwards, the ASCII ones by the pattern, any other one by _in_words. Read in
    a window before *end* that widens only while the words fill it, so that the cost is the words' length,
    not the distance back to *first* (a long paragraph of figures without pairs keeps *first* at its start)."""
    window = 64
    while True:
        low = max(first, end - window)
        back = text[low:end][::-1]
        at = 0
        while True:
            at = _ASCII_IN_WORDS.match(back, at).end()
            if at < len(back) and not back[at].isascii() and _in_words(back[at]):
                at += 1
            else:
                break
        if at < len(back) or low == first:
            return end - at
        window *= 4


def _pair_matches(text: str) -> Iterator[re.Match]:
    """What PAIR.finditer finds in *text*, searched only before the figures that have words before them: a pair's
    words are letters, white space, commas and hyphens up to the parenthesis of its figure, and its figure closes
    at the first ")" after it."""
    searched = 0                          # where the last match ended: no match starts before
    for paren in _figures_after_words(text):
        start = _words_start(text, paren, searched)
        close = text.find(")", paren)
        end = len(text) if close < 0 else close + 1
        for m in PAIR.finditer(text, start, end):
            if m.start() >= searched:
                searched = m.end()
                yield m


def pairs(text: str) -> Iterator[Pair]:
    for m in _pair_matches(text):
        if _digit_before(text, m.start()):
            continue                       # "1.5 million (1,500,000)": digits in words are not read
        figure = _figure(m.group("figure"))
        if m.group("dollars") is not None or m.group("cents_only") is not None:
            kind = "money"
            dollars = words_value(m.group("dollars")) if m.group("dollars") else 0
            cents = words_value(m.group("cents") or m.group("cents_only") or "zero")
            value = None if dollars is None or cents is None else Decimal(dollars) + Decimal(cents) / 100
        elif m.group("pct") is not None:
            kind = "percent"
            whole = words_value(m.group("pct"))
            value = None if whole is None else Decimal(whole)
            if value is not None and m.group("pct_frac"):
                frac = _fraction_value(m.group("pct_frac"), m.group("denom"))
                value = None if frac is None else value + frac
        else:
            kind = "count"
            value = words_value(m.group("count"))
            value = None if value is None else Decimal(value)
        yield Pair(kind, value, figure, m.group(0), m.start(), m.end())


@kept()
def _pairs_kept(text: str) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
    """The pairs of *text*: figures before their words and ordinals (`other_pairs`), then words before their figures
    (`pairs`); kept for recent texts."""
    return tuple(other_pairs(text)), tuple(pairs(text))


def find_words(ctx: Context) -> Iterable[Finding]:
    for p in ctx.paragraphs():
        if "(" not in p.text:
            continue          # every pair holds a parenthesis (other_pairs and pairs find none without one)
        others, ours = _pairs_kept(p.text)
        yield from find_other_forms(ctx, p, others)
        for pair in ours:
            if pair.words is None or pair.figure is None or pair.words == pair.figure:
                continue
            money, pct = pair.kind == "money", pair.kind == "percent"
            words_text = pair.text[: pair.text.rindex("(")].strip()
            yield ctx.finding(
                WORDS, p, pair.text,
                f"The words and the figure disagree: “{words_text}” is "
                f"{_show(pair.words, money, pct)}, but the figure says {_show(pair.figure, money, pct)}.")


# Figures before their words, "12 (twelve) months", "5% (five percent)", and ordinals, "second (2nd)",
# "30th (thirtieth)".

_ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_ORDINALS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split())})
_ORDINALS.update({"hundredth": 100, "thousandth": 1000, "millionth": 10**6})
_ORDINAL_WORD = "(?:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
ORDINAL_PHRASE = rf"(?:{PHRASE}[\s-]+)?{_ORDINAL_WORD}"
_ORDINAL_FIGURE = r"\d{1,4}(?:st|nd|rd|th)"
ORDINAL_PAIR = re.compile(
    rf"(?<![\w-])(?:(?P<w1>{ORDINAL_PHRASE})\s+\((?P<f1>{_ORDINAL_FIGURE})\)"
    rf"|(?P<f2>{_ORDINAL_FIGURE})\s+\((?P<w2>{ORDINAL_PHRASE})\))(?![\w-])",
    re.IGNORECASE)
FIGURE_FIRST = re.compile(
    rf"(?=[$\d])(?<![\w.,$§-])(?P<figure>\$\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?%?)\s+"
    rf"\((?P<words>{PHRASE})(?P<unit>\s+(?:percent|per\s+cent|Dollars?))?\)",
    re.IGNORECASE)
_ORDINAL_HINT = re.compile(r"\d(?:st|nd|rd|th)\b", re.IGNORECASE)
_FIGURE_HINT = re.compile(r"\d%?\s+\([A-Za-z]")
# a parenthesis opening on a number, in figures or words, or an ordinal: every ORDINAL_PAIR and FIGURE_FIRST
# holds one ("(2nd)", "(second)", "(twelve)"); and on a number word: every FIGURE_FIRST (a literal character first,
# which the engine skips ahead to)
_OPENS_ON_A_NUMBER = re.compile(rf"\((?=[\dbefhmnostz])(?:\d|{_WORD}|{_ORDINAL_WORD})", re.IGNORECASE)
_OPENS_ON_WORDS = re.compile(rf"\((?=[befhmnostz]){_WORD}", re.IGNORECASE)   # the letters the words open with
_CITED_BEFORE = re.compile(r"(?:Section|Sections|Article|Rule|Clause|Item|Schedule|Exhibit|Part|Chapter|Title|No\.|§)"
                           r"\s*$", re.IGNORECASE)


def ordinal_value(text: str) -> int | None:
    """'second' -> 2, 'Twenty-First' -> 21, 'one hundredth' -> 100; None if not an ordinal."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not words or words[-1] not in _ORDINALS:
        return None
    last = _ORDINALS[words[-1]]
    head = words_value(" ".join(words[:-1])) if words[:-1] else 0
    if head is None:
        return None
    if last in (100, 1000, 10**6):
        return (head or 1) * last
    return head + last


def other_pairs(text: str) -> Iterator[Pair]:
    """Ordinals in words and figures, and figures followed by their words in parentheses."""
    if "(" not in text or not _OPENS_ON_A_NUMBER.search(text):
        return
    for m in ORDINAL_PAIR.finditer(text) if _ORDINAL_HINT.search(text) else ():
        words = m.group("w1") or m.group("w2")
        figure = m.group("f1") or m.group("f2")
        value = ordinal_value(words)
        yield Pair("ordinal", None if value is None else Decimal(value), Decimal(int(figure[:-2])), m.group(0),
                   m.start(), m.end())
    for m in FIGURE_FIRST.finditer(text) if _OPENS_ON_WORDS.search(text) and _FIGURE_HINT.search(text) else ():
        if _CITED_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        figure_text, unit = m.group("figure"), (m.group("unit") or "").strip().lower()
        money, pct = figure_text.startswith("$"), figure_text.endswith("%")
        if (unit.startswith("dollar") and not money) or (unit and unit[0] == "p" and not pct):
            continue
        value = words_value(m.group("words"))
        yield Pair("money" if money else "percent" if pct else "count", None if value is None else Decimal(value),
                   _figure(figure_text), m.group(0), m.start(), m.end())


def _describe_pair(pair: Pair) -> str:
    if pair.kind == "ordinal":
        return (f"The words and the figure disagree: “{pair.text}” says {_ordinal(pair.words)} in words and "
                f"{_ordinal(pair.figure)} in figures.")
    money, pct = pair.kind == "money", pair.kind == "percent"
    return (f"The figure and the words disagree: “{pair.text}” says {_show(pair.figure, money, pct)} in figures "
            f"and {_show(pair.words, money, pct)} in words.")


def _ordinal(value: Decimal) -> str:
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def find_other_forms(ctx: Context, paragraph: Paragraph, found: Iterable[Pair]) -> Iterator[Finding]:
    for pair in found:
        if pair.words is not None and pair.figure is not None and pair.words != pair.figure:
            yield ctx.finding(WORDS, paragraph, pair.text, _describe_pair(pair), offset=pair.start)


_FORMS_FAIL = (
    example("B|The Holder may not transfer the Preferred Shares for 12 (eighteen) months.", note="figure first"),
    example("B|The second (3rd) Closing shall occur on October 16, 2015.", note="ordinal"),
    example("B|Dividends accrue at 8% (nine percent) per annum.", note="percentage, figure first"),
    example("B|The lock-up lasts twelve (18) months.", note="a period in words and figures"),
)
_FORMS_PASS = (
    example("B|For 12 (twelve) months after the second (2nd) Closing, on the thirtieth (30th) day and the "
            "Twenty-First (21st) Trading Day, at 8% (eight percent) per annum and $500 (five hundred Dollars); "
            "under Section 12 (Fifteen Days) and Rule 144 (one year).",
            note="figures and ordinals that agree; a caption after a section number is not a pair"),
)


WORDS = Rule(
    code="figures.words",
    name="words-and-figures",
    severity=Severity.ERROR,
    description="An amount, share count or percentage whose words and figures disagree.",
    find=find_words,
    fails=(
        example("B|Purchaser will purchase Three Million Dollars ($3,500,000) in shares of Preferred Stock.",
                note="money"),
        example("B|An aggregate of three thousand (3,300) Preferred Shares will be issued.", note="share count"),
        example("B|Dividends accrue at eight percent (9%) per annum.", note="percentage"),
        example("B|A Holder, upon not less than sixty-one (60) days' prior notice, may increase the limitation.",
                note="days"),
        example("B|The payment is One Thousand Dollars and Fifty Cents ($1,000.05).", note="cents"),
        example("B|The limitation is four and ninety-nine hundredths percent (4.49%).", note="fractional percent"),
    ) + _FORMS_FAIL,
    passes=(
        example(
            "2|__Purchase Amount.__ Company hereby agrees to sell to Purchaser for the aggregate sum of "
            "Three Million Dollars ($3,000,000) (the \"Purchase Amount\"), and Purchaser hereby agrees to "
            "purchase from Company, an aggregate of three thousand (3,000) Preferred Shares, at a price of "
            "$1,000 per Preferred Share.",
            "B|The Certificate of Incorporation provides for twenty-five million (25,000,000) shares, "
            "$0.0001 par value per share; the limitation is four and ninety-nine hundredths percent (4.99%) "
            "and the maximum nine and ninety-nine hundredths percent (9.99%).",
            "B|Dividends accrue at eight percent (8%) per annum; notice of not less than sixty-one (61) "
            "days; One Hundred Twenty-Three Thousand Four Hundred and Fifty-Six Dollars and Fifty Cents "
            "($123,456.50); ONE THOUSAND (1,000) shares.",
            note="the templates' own sentences, in several cases and with 'and'"),
        example("B|Under Section 13(d) of the Exchange Act and Rule 501(a), Item 601(b)(21), at least 1.5 "
                "million (1,500,000) shares; the earliest of (1) the date of transmission.",
                note="section numbers, clause numbers and digits-in-words are not words-and-figures pairs"),
    ) + _FORMS_PASS,
)

# --------------------------------------------------------------------------------------------
# Arithmetic

def _money(name: str) -> str:
    """'Three Million Dollars ($3,000,000)' or '$3,000,000'; the figure in group *name*."""
    return (rf"(?P<{name}_all>(?:(?:{PHRASE})\s+Dollars?(?:\s+and\s+(?:{PHRASE})\s+Cents?)?\s+)?"
            rf"\(?\$\s?(?P<{name}>\d[\d,]*(?:\.\d+)?)\)?)")


def _count(name: str) -> str:
    """'five hundred (500)' or '500'; the figure in group *name*."""
    return rf"(?P<{name}_all>(?:{PHRASE})\s+\((?P<{name}>\d[\d,]*)\)|(?P<{name}_d>\d[\d,]*))"


AGGREGATE_SUM = re.compile(r"aggregate\s+sum\s+of\s+" + _money("sum"), re.IGNORECASE)
AGGREGATE_SHARES = re.compile(r"an\s+aggregate\s+of\s+" + _count("shares"), re.IGNORECASE)
PRICE = re.compile(r"at\s+a\s+price\s+of\s+\$\s?(?P<price>\d[\d,]*(?:\.\d+)?)\s+per\b", re.IGNORECASE)
# "make payment for five hundred (500) of the Preferred Shares ... wire transfer of Five Hundred Thousand
# Dollars ($500,000)"
PER_CLOSING = re.compile(
    r"make\s+payment\s+for\s+" + _count("shares") + r"\s+(?:of\s+the\s+)?(?:Preferred\s+)?Shares\b"
    r".{0,200}?wire\s+transfer\s+of\s+" + _money("amount"),
    re.IGNORECASE | re.DOTALL,
)
# unequal closings: "(i) September 18, 2015, for five hundred (500) Preferred Shares and a payment of ..."
SCHEDULE_ITEM = re.compile(
    r"\bfor\s+" + _count("shares") + r"\s+(?:of\s+the\s+)?(?:Preferred\s+)?Shares\s+and\s+a\s+payment\s+of\s+"
    + _money("amount"), re.IGNORECASE)
CLOSINGS_COUNT = re.compile(r"\bin\s+" + _count("n") + r"\s+closings\b", re.IGNORECASE)
EACH_CLOSING = re.compile(r"\bat\s+each\s+(?:of\s+the\s+)?closings?\b", re.IGNORECASE)
OCCUR_ON = re.compile(r"closings?\s+shall\s+occur\s+on\s+(?P<list>.*)", re.IGNORECASE | re.DOTALL)
ROMAN_ITEM = re.compile(r"\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv|xvi|xvii|xviii|xix|xx)\)")


def _group_number(m: re.Match, name: str) -> tuple[Decimal | None, str]:
    """The figure of a named count or amount, and the whole of it as written."""
    groups = m.groupdict()
    value = groups.get(name) or groups.get(name + "_d")
    if value is None:
        return None, ""
    return _figure(value), groups.get(name + "_all") or value


@dataclass
class Purchase:
    paragraph: Paragraph
    total_shares: Decimal | None
    price: Decimal | None
    total_amount: Decimal | None


def _purchase(ctx: Context) -> Purchase | None:
    """The first paragraph stating an aggregate purchase (sum, shares and/or price)."""
    for p in ctx.paragraphs():
        if not may_hold_kept(p.text, "aggregate"):
            continue                       # neither an aggregate sum nor an aggregate of shares
        s, n, pr = AGGREGATE_SUM.search(p.text), AGGREGATE_SHARES.search(p.text), PRICE.search(p.text)
        if s or n:
            return Purchase(p, _group_number(n, "shares")[0] if n else None,
                            _figure(pr.group("price")) if pr else None,
                            _group_number(s, "sum")[0] if s else None)
    return None


def _closings_stated(text: str) -> Decimal | None:
    m = CLOSINGS_COUNT.search(text)
    if m:
        return _group_number(m, "n")[0]
    occur = OCCUR_ON.search(text)
    if occur:
        items = ROMAN_ITEM.findall(occur.group("list"))
        if len(items) >= 2:
            return Decimal(len(items))
    return None


def find_arithmetic(ctx: Context) -> Iterable[Finding]:
    purchase = _purchase(ctx)
    price = None
    if purchase is not None:
        p, n, price, total = purchase.paragraph, purchase.total_shares, purchase.price, purchase.total_amount
        if n is not None and price is not None and total is not None and n * price != total:
            sum_match = AGGREGATE_SUM.search(p.text)
            yield ctx.finding(
                ARITHMETIC, p, _group_number(sum_match, "sum")[1],
                f"The aggregate sum {_show(total, money=True)} is not the number of shares times the price: "
                f"{_show(n)} shares at {_show(price, money=True)} per share make {_show(n * price, money=True)}.")
        if price is None and n and total is not None:
            price = total / n
    total_shares = purchase.total_shares if purchase else None
    for p in ctx.paragraphs():
        text = p.text
        if not may_hold_kept(text, "payment"):
            continue                       # no payment at a closing, no schedule of closings
        per = PER_CLOSING.search(text) if may_hold_kept(text, "wire") else None
        schedule = list(SCHEDULE_ITEM.finditer(text)) if may_hold_kept(text, "shares") else []
        if per:
            shares, _ = _group_number(per, "shares")
            amount, _ = _group_number(per, "amount")
            shares, shares_text = _group_number(per, "shares")
            if price is not None and shares is not None and amount is not None and shares * price != amount:
                yield ctx.finding(
                    ARITHMETIC, p, shares_text,
                    f"The payment at the closing, {_show(amount, money=True)}, is not the shares times the "
                    f"price: {_show(shares)} shares at {_show(price, money=True)} per share make "
                    f"{_show(shares * price, money=True)}.")
            closings = _closings_stated(text)
            each = EACH_CLOSING.search(text) is not None
            if total_shares is not None and shares is not None:
                if each and closings is not None and shares * closings != total_shares:
                    yield ctx.finding(
                        ARITHMETIC, p, shares_text,
                        f"{_show(closings)} closings of {_show(shares)} shares each make "
                        f"{_show(shares * closings)} shares, but the agreement sells an aggregate of "
                        f"{_show(total_shares)}.")
                elif not each and closings is None and re.search(r"\bat\s+the\s+closing\b", text, re.I) \
                        and shares != total_shares:
                    yield ctx.finding(
                        ARITHMETIC, p, shares_text,
                        f"The single closing buys {_show(shares)} shares, but the agreement sells an "
                        f"aggregate of {_show(total_shares)}.")
        if len(schedule) >= 2:
            bought = Decimal(0)
            for item in schedule:
                shares, _ = _group_number(item, "shares")
                amount, _ = _group_number(item, "amount")
                if shares is None:
                    continue
                bought += shares
                if price is not None and amount is not None and shares * price != amount:
                    yield ctx.finding(
                        ARITHMETIC, p, _group_number(item, "shares")[1],
                        f"A closing's payment, {_show(amount, money=True)}, is not its shares times the price: "
                        f"{_show(shares)} shares at {_show(price, money=True)} per share make "
                        f"{_show(shares * price, money=True)}.")
            closings = _closings_stated(text)
            if closings is not None and CLOSINGS_COUNT.search(text) and closings != len(schedule):
                yield ctx.finding(
                    ARITHMETIC, p, _group_number(CLOSINGS_COUNT.search(text), "n")[1],
                    f"The paragraph states {_show(closings)} closings but schedules {len(schedule)}.")
            if total_shares is not None and bought != total_shares:
                yield ctx.finding(
                    ARITHMETIC, p, _group_number(schedule[-1], "shares")[1],
                    f"The closings add up to {_show(bought)} shares, but the agreement sells an aggregate of "
                    f"{_show(total_shares)}.")


_PURCHASE = ("2|__Purchase Amount.__ Subject to the terms and conditions herein, Company hereby agrees to sell to "
             "Purchaser for the aggregate sum of Three Million Dollars ($3,000,000) (the \"Purchase Amount\"), and "
             "Purchaser hereby agrees to purchase from Company, an aggregate of three thousand (3,000) Preferred "
             "Shares, at a price of $1,000 per Preferred Share.")


def _closing(count: str, shares: str, amount: str, dates: int = 6) -> str:
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"][:dates]
    listed = ", ".join(f"({r}) September {i + 1}, 2015" for i, r in enumerate(romans))
    return ("2|__Closing.__ Subject to the conditions and limitations set forth in this Agreement, the purchase "
            f"and sale of the Preferred Shares will take place in {count} closings (each, a \"Closing\"). At each "
            f"Closing, Purchaser will purchase and make payment for {shares} of the Preferred Shares by payment "
            f"to Company in cash by wire transfer of {amount} of immediately available funds to an account "
            f"designated by Company. At each Closing, Company will deliver a stock certificate representing "
            f"{shares} of the Preferred Shares to Purchaser against payment therefor. Provided that all "
            f"conditions set forth in Section II.C above have been fully satisfied at or prior to each such "
            f"Closing, the Closings shall occur on {listed}.")


ARITHMETIC = Rule(
    code="figures.arithmetic",
    name="stated-arithmetic",
    severity=Severity.ERROR,
    description="Arithmetic the document states that does not hold: shares x price against the purchase amount, "
                "closings against the total.",
    find=find_arithmetic,
    fails=(
        example(_PURCHASE.replace("Three Million Dollars ($3,000,000)", "Three Million Five Hundred Thousand "
                                  "Dollars ($3,500,000)"),
                note="3,000 shares at $1,000 is not $3,500,000"),
        example("1|**Purchase and Sale.**", _PURCHASE,
                _closing("six (6)", "four hundred (400)", "Four Hundred Thousand Dollars ($400,000)"),
                note="six closings of 400 shares are not the 3,000 sold"),
        example("1|**Purchase and Sale.**", _PURCHASE,
                _closing("six (6)", "five hundred (500)", "Five Hundred Fifty Thousand Dollars ($550,000)"),
                note="500 shares at $1,000 is not $550,000"),
        example("1|**Purchase and Sale.**", _PURCHASE,
                "2|__Closing.__ The Closings shall occur on (i) September 18, 2015, for two thousand (2,000) "
                "Preferred Shares and a payment of Two Million Dollars ($2,000,000); and (ii) October 2, 2015, for "
                "five hundred (500) Preferred Shares and a payment of Five Hundred Thousand Dollars ($500,000).",
                note="unequal closings adding up to 2,500 of 3,000 shares"),
    ),
    passes=(
        example("1|**Purchase and Sale.**", _PURCHASE,
                _closing("six (6)", "five hundred (500)", "Five Hundred Thousand Dollars ($500,000)"),
                note="the template's Purchase Amount and equal Closing paragraphs"),
        example("1|**Purchase and Sale.**", _PURCHASE,
                "2|__Closing.__ Subject to the conditions and limitations set forth in this Agreement, the purchase "
                "and sale of the Preferred Shares will take place at a single closing (the \"Closing\"). At the "
                "Closing, Purchaser will purchase and make payment for three thousand (3,000) Preferred Shares by "
                "payment to Company in cash by wire transfer of Three Million Dollars ($3,000,000) of immediately "
                "available funds to an account designated by Company.",
                note="the template's single-closing paragraph"),
        example("1|**Purchase and Sale.**", _PURCHASE,
                "2|__Closing.__ The purchase and sale of the Preferred Shares will take place in two (2) closings "
                "(each, a \"Closing\"). The Closings shall occur on (i) September 18, 2015, for two thousand five "
                "hundred (2,500) Preferred Shares and a payment of Two Million Five Hundred Thousand Dollars "
                "($2,500,000); and (ii) October 2, 2015, for five hundred (500) Preferred Shares and a payment of "
                "Five Hundred Thousand Dollars ($500,000).",
                note="the template's unequal-closings paragraph"),
    ),
)

RULES: tuple[Rule, ...] = (WORDS, ARITHMETIC)
