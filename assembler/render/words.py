"""Values in words and figures, as legal drafting writes them.

All functions are pure and deterministic (no locale): ``money_words(Decimal("3000000"))`` is
always ``"Three Million Dollars ($3,000,000)"``. Number words are English, in the American
drafting style: no "and" inside a number and no commas ("one thousand two hundred thirty-four",
not "one thousand, two hundred and thirty-four"). They are the words ``num2words`` writes in
English with "and" and commas taken out (the scale names up to centillion included), made here
so that a build does not load that library; a test compares the two over many numbers.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

__all__ = [
    "cardinal_words",
    "day_ordinal",
    "join_and",
    "join_or",
    "long_date",
    "lower_roman",
    "money",
    "money_words",
    "number",
    "ordinal",
    "ordinal_words",
    "percent",
    "percent_words",
    "roman",
    "shares_words",
]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Helpers


def _decimal(value: Any) -> Decimal:
    """``value`` as a finite Decimal; floats go through ``str`` so 0.15 stays 0.15."""
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        result = Decimal(value.strip())
    else:
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def _whole(value: Any, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        else:
            raise TypeError(f"expected a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"expected a whole number of at least {minimum}, got {value}")
    return value


def _plain(value: Decimal) -> str:
    """Digits without exponent or trailing zeros: 8 -> '8', 4.990 -> '4.99', 100 -> '100'."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value, "f").rstrip("0").rstrip(".")


def _group(digits: str) -> str:
    """'3000000.5' -> '3,000,000.5' (commas in the whole part only)."""
    whole, dot, fraction = digits.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    return f"{sign}{int(whole):,}{dot}{fraction}"


_LOW = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _scale_names() -> tuple[str, ...]:
    """The name of each power of a thousand: thousand, million, billion ... centillion (10**303)."""
    units = ("", "un", "duo", "tre", "quattuor", "quin", "sex", "sept", "octo", "novem")
    tens = ("dec", "vigint", "trigint", "quadragint", "quinquagint", "sexagint", "septuagint", "octogint",
            "nonagint")
    stems = ("m", "b", "tr", "quadr", "quint", "sext", "sept", "oct", "non",
             *(u + t for t in tens for u in units), "cent")
    return ("", "thousand", *(stem + "illion" for stem in stems))


_SCALES = _scale_names()
#: The first number too large to write in words (a thousand centillion).
_TOO_LARGE = 1000 ** len(_SCALES)
_ORDINALS = {"one": "first", "two": "second", "three": "third", "four": "fourth", "five": "fifth",
             "six": "sixth", "seven": "seventh", "eight": "eighth", "nine": "ninth", "ten": "tenth",
             "eleven": "eleventh", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_LOW[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        words.append(_TENS[rest // 10] + (f"-{_LOW[rest % 10]}" if rest % 10 else ""))
    elif rest or not hundreds:
        words.append(_LOW[rest])
    return " ".join(words)


@lru_cache(maxsize=4096)
def _words(n: int) -> str:
    """Lowercase cardinal words, American style: 'one thousand two hundred thirty-four'."""
    if n < 0:
        return "minus " + _words(-n)
    if n >= _TOO_LARGE:
        raise OverflowError(f"abs({n}) must be less than {_TOO_LARGE}.")
    if n == 0:
        return "zero"
    groups, scale = [], 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            groups.append(_below_thousand(group) + (f" {_SCALES[scale]}" if scale else ""))
        scale += 1
    return " ".join(reversed(groups))


def _ordinal_words(n: int) -> str:
    """'twenty-one' -> 'twenty-first', 'one hundred' -> 'one hundredth'."""
    head, _space, last = _words(n).rpartition(" ")
    before, _dash, word = last.rpartition("-")
    word = _ORDINALS.get(word) or (word[:-1] + "ieth" if word.endswith("y") else word + "th")
    return (f"{head} " if head else "") + (f"{before}-" if before else "") + word


def _title(text: str) -> str:
    """'thirty-four thousand' -> 'Thirty-Four Thousand'."""
    return " ".join(
        "-".join(part.capitalize() for part in word.split("-")) for word in text.split()
    )


def _cents(amount: Decimal) -> int:
    """Cents of a non-negative amount with at most two decimals."""
    return int((amount - amount.to_integral_value(rounding=ROUND_FLOOR)) * 100)


def _has_sub_cents(amount: Decimal) -> bool:
    return amount * 100 != (amount * 100).to_integral_value()


# --------------------------------------------------------------------------------------------
# Money


def money(amount: Any) -> str:
    """Dollars in figures.

    Whole dollars without cents (``$3,000,000``); cents only when non-zero (``$1,000.50``);
    every significant decimal of a sub-cent amount such as a par value (``$0.0001``).
    """
    value = _decimal(amount)
    if value < 0:
        raise ValueError(f"money amounts must not be negative, got {amount!r}")
    if value == value.to_integral_value():
        return f"${int(value):,}"
    if not _has_sub_cents(value):
        return "$" + _group(format(value.quantize(Decimal("0.01")), "f"))
    return "$" + _group(_plain(value))


def money_words(amount: Any) -> str:
    """Dollars in words and figures: ``Three Million Dollars ($3,000,000)``.

    With cents: ``One Thousand Dollars and Fifty Cents ($1,000.50)``. Amounts with a fraction
    of a cent (par values) have no sensible words: ``ValueError``; use :func:`money`.
    """
    value = _decimal(amount)
    if value < 0:
        raise ValueError(f"money amounts must not be negative, got {amount!r}")
    if _has_sub_cents(value):
        raise ValueError(f"{money(value)} has a fraction of a cent; write it in figures only")
    dollars = int(value.to_integral_value(rounding=ROUND_FLOOR))
    cents = _cents(value)
    dollar_words = f"{_title(_words(dollars))} {'Dollar' if dollars == 1 else 'Dollars'}"
    cent_words = f"{_title(_words(cents))} {'Cent' if cents == 1 else 'Cents'}"
    if cents and dollars:
        text = f"{dollar_words} and {cent_words}"
    elif cents:
        text = cent_words
    else:
        text = dollar_words
    return f"{text} ({money(value)})"


# --------------------------------------------------------------------------------------------
# Counts


def number(n: Any) -> str:
    """A count in figures with thousands separators: ``3,000``."""
    if isinstance(n, Decimal) or isinstance(n, float):
        return _group(_plain(_decimal(n)))
    value = _whole(n, minimum=-(10**30))
    return f"{value:,}"


def shares_words(n: Any) -> str:
    """A share count in lowercase words and figures: ``three thousand (3,000)``."""
    value = _whole(n)
    return f"{_words(value)} ({value:,})"


def cardinal_words(n: Any) -> str:
    """``12`` -> ``twelve``."""
    return _words(_whole(n))


def ordinal(n: Any) -> str:
    """``61`` -> ``61st``."""
    value = _whole(n, minimum=1)
    return f"{value}{_ordinal_words(value)[-2:]}"


def ordinal_words(n: Any) -> str:
    """``1`` -> ``first``; ``21`` -> ``twenty-first``."""
    return _ordinal_words(_whole(n, minimum=1))


# --------------------------------------------------------------------------------------------
# Percentages


def percent(value: Any) -> str:
    """``Decimal("4.99")`` -> ``4.99%``; ``8`` -> ``8%``."""
    d = _decimal(value)
    if d < 0:
        raise ValueError(f"percentages must not be negative, got {value!r}")
    return _group(_plain(d)) + "%"


def percent_words(value: Any) -> str:
    """``eight percent (8%)``; ``four and ninety-nine hundredths percent (4.99%)``."""
    d = _decimal(value)
    if d < 0:
        raise ValueError(f"percentages must not be negative, got {value!r}")
    digits = _plain(d)
    whole_text, _dot, fraction_text = digits.partition(".")
    whole = int(whole_text)
    if not fraction_text:
        words = _words(whole)
    else:
        numerator = int(fraction_text)
        denominator = _ordinal_words(10 ** len(fraction_text))
        if denominator.startswith("one "):
            denominator = denominator[len("one "):]
        denominator = denominator.replace(" ", "-")  # ten-thousandth, hundred-thousandth
        fraction = f"{_words(numerator)} {denominator}{'' if numerator == 1 else 's'}"
        words = fraction if whole == 0 else f"{_words(whole)} and {fraction}"
    return f"{words} percent ({percent(d)})"


# --------------------------------------------------------------------------------------------
# Dates


def long_date(d: _dt.date) -> str:
    """``2015-09-18`` -> ``September 18, 2015`` (independent of the locale)."""
    if not isinstance(d, _dt.date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def day_ordinal(d: _dt.date) -> str:
    """``2015-09-18`` -> ``18th`` (as in "this 18th day of September, 2015")."""
    if not isinstance(d, _dt.date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return ordinal(d.day)


# --------------------------------------------------------------------------------------------
# Roman numerals


_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(n: Any) -> str:
    """``4`` -> ``IV`` (1 to 3999)."""
    value = _whole(n, minimum=1)
    if value > 3999:
        raise ValueError(f"roman numerals go up to 3999, got {value}")
    parts = []
    for amount, letters in _ROMAN:
        count, value = divmod(value, amount)
        parts.append(letters * count)
    return "".join(parts)


def lower_roman(n: Any) -> str:
    """``2`` -> ``ii``, for inline lists: (i), (ii), (iii)."""
    return roman(n).lower()


# --------------------------------------------------------------------------------------------
# Lists


def _items(items: Iterable[Any]) -> list[str]:
    if isinstance(items, str):
        raise TypeError("expected a list of items, got a single string")
    result = [str(item) for item in items]
    if not result:
        raise ValueError("cannot join an empty list")
    return result


def join_and(items: Iterable[Any]) -> str:
    """``a``; ``a and b``; ``a, b and c`` (no comma before "and")."""
    parts = _items(items)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def join_or(items: Iterable[Any]) -> str:
    """``a``; ``a or b``; ``a, b, or c`` (serial comma before "or", as the seed agreement)."""
    parts = _items(items)
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return f"{parts[0]} or {parts[1]}"
    return ", ".join(parts[:-1]) + ", or " + parts[-1]
