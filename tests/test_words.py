"""Values in words and figures (assembler.render.words)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assembler.render import words as w


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("3000000"), "$3,000,000"),
        (Decimal("3000000.00"), "$3,000,000"),
        (Decimal("1000.00"), "$1,000"),
        (Decimal("1000.5"), "$1,000.50"),
        (Decimal("1000.50"), "$1,000.50"),
        (Decimal("0.0001"), "$0.0001"),
        (Decimal("0.00010"), "$0.0001"),
        (Decimal("0.15"), "$0.15"),
        (Decimal("0.01"), "$0.01"),
        (Decimal("1234.5678"), "$1,234.5678"),
        (Decimal("0"), "$0"),
        (500000, "$500,000"),
    ],
)
def test_money(amount, expected):
    assert w.money(amount) == expected


def test_money_rejects_negative_and_non_finite():
    with pytest.raises(ValueError):
        w.money(Decimal("-1"))
    with pytest.raises(ValueError):
        w.money(Decimal("NaN"))
    with pytest.raises(TypeError):
        w.money(True)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("3000000"), "Three Million Dollars ($3,000,000)"),
        (Decimal("1000.50"), "One Thousand Dollars and Fifty Cents ($1,000.50)"),
        (Decimal("1000.00"), "One Thousand Dollars ($1,000)"),
        (Decimal("500000.00"), "Five Hundred Thousand Dollars ($500,000)"),
        (Decimal("1"), "One Dollar ($1)"),
        (Decimal("1.01"), "One Dollar and One Cent ($1.01)"),
        (Decimal("0.50"), "Fifty Cents ($0.50)"),
        (Decimal("0"), "Zero Dollars ($0)"),
        (
            Decimal("1234567.89"),
            "One Million Two Hundred Thirty-Four Thousand Five Hundred Sixty-Seven Dollars "
            "and Eighty-Nine Cents ($1,234,567.89)",
        ),
    ],
)
def test_money_words(amount, expected):
    assert w.money_words(amount) == expected


def test_money_words_refuses_fractions_of_a_cent():
    with pytest.raises(ValueError, match="fraction of a cent"):
        w.money_words(Decimal("0.0001"))


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (3000, "three thousand (3,000)"),
        (1, "one (1)"),
        (500, "five hundred (500)"),
        (1_000_000, "one million (1,000,000)"),
        (1234, "one thousand two hundred thirty-four (1,234)"),
        (25_000_000, "twenty-five million (25,000,000)"),
    ],
)
def test_shares_words(n, expected):
    assert w.shares_words(n) == expected


def test_shares_words_rejects_non_counts():
    with pytest.raises(ValueError):
        w.shares_words(-1)
    with pytest.raises(TypeError):
        w.shares_words(1.5)
    with pytest.raises(TypeError):
        w.shares_words(True)


def test_number():
    assert w.number(3000) == "3,000"
    assert w.number(1_000_000) == "1,000,000"
    assert w.number(7) == "7"
    assert w.number(Decimal("2500.50")) == "2,500.5"


@pytest.mark.parametrize(
    ("value", "figures", "in_words"),
    [
        (Decimal("8"), "8%", "eight percent (8%)"),
        (Decimal("8.00"), "8%", "eight percent (8%)"),
        (Decimal("4.99"), "4.99%", "four and ninety-nine hundredths percent (4.99%)"),
        (Decimal("9.99"), "9.99%", "nine and ninety-nine hundredths percent (9.99%)"),
        (Decimal("100"), "100%", "one hundred percent (100%)"),
        (Decimal("0.5"), "0.5%", "five tenths percent (0.5%)"),
        (Decimal("1.01"), "1.01%", "one and one hundredth percent (1.01%)"),
        (Decimal("2.125"), "2.125%", "two and one hundred twenty-five thousandths percent (2.125%)"),
    ],
)
def test_percent(value, figures, in_words):
    assert w.percent(value) == figures
    assert w.percent_words(value) == in_words


def test_dates():
    assert w.long_date(dt.date(2015, 9, 18)) == "September 18, 2015"
    assert w.long_date(dt.date(2016, 1, 1)) == "January 1, 2016"
    assert w.day_ordinal(dt.date(2015, 9, 18)) == "18th"
    assert w.day_ordinal(dt.date(2015, 10, 1)) == "1st"
    assert w.day_ordinal(dt.date(2015, 10, 2)) == "2nd"
    assert w.day_ordinal(dt.date(2015, 10, 3)) == "3rd"
    assert w.day_ordinal(dt.date(2015, 10, 11)) == "11th"
    assert w.day_ordinal(dt.date(2015, 10, 22)) == "22nd"
    with pytest.raises(TypeError):
        w.long_date("2015-09-18")


def test_ordinals_and_cardinals():
    assert w.ordinal(61) == "61st"
    assert w.ordinal(12) == "12th"
    assert w.ordinal(113) == "113th"
    assert w.ordinal_words(1) == "first"
    assert w.ordinal_words(21) == "twenty-first"
    assert w.ordinal_words(101) == "one hundred first"
    assert w.cardinal_words(12) == "twelve"
    assert w.cardinal_words(61) == "sixty-one"
    assert w.cardinal_words(0) == "zero"
    with pytest.raises(ValueError):
        w.ordinal(0)


def test_roman():
    assert [w.lower_roman(i) for i in range(1, 11)] == [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
    ]  # fmt: skip
    assert w.roman(14) == "XIV"
    assert w.roman(40) == "XL"
    assert w.roman(1994) == "MCMXCIV"
    assert w.roman(3999) == "MMMCMXCIX"
    for bad in (0, 4000):
        with pytest.raises(ValueError):
            w.roman(bad)


def test_join():
    assert w.join_and(["a"]) == "a"
    assert w.join_and(["a", "b"]) == "a and b"
    assert w.join_and(["a", "b", "c"]) == "a, b and c"
    assert w.join_or(["a"]) == "a"
    assert w.join_or(["a", "b"]) == "a or b"
    assert (
        w.join_or(
            ["the OTC Markets", "the NASDAQ Stock Market", "NYSE Amex", "the New York Stock Exchange"]
        )
        == "the OTC Markets, the NASDAQ Stock Market, NYSE Amex, or the New York Stock Exchange"
    )
    with pytest.raises(ValueError):
        w.join_and([])
    with pytest.raises(TypeError):
        w.join_or("abc")


def _num2words_american(text: str) -> str:
    """num2words' English with "and" and commas taken out: the style the toolkit writes."""
    return " ".join(word for word in text.replace(",", "").split() if word != "and")


def _numbers_to_compare() -> list[int]:
    import random

    rng = random.Random(20261202)
    numbers = list(range(0, 2000)) + [rng.randrange(10 ** k) for k in range(4, 40) for _ in range(60)]
    numbers += [10 ** k + d for k in range(0, 306) for d in (-1, 0, 1)]  # every scale name
    numbers += [int(digit * k) for digit in "19" for k in range(1, 306, 11)]
    return [n for n in numbers if n >= 0]


def test_number_words_are_num2words_in_american_style():
    """The toolkit's own number words against num2words (English), the library they replace:
    cardinals, ordinals in words and in figures, over every number below 2,000, random numbers of
    up to 40 digits and the powers of ten up to the largest scale name (centillion)."""
    from num2words import num2words

    for n in _numbers_to_compare():
        assert w.cardinal_words(n) == _num2words_american(num2words(n, lang="en")), n
        if n >= 1:
            assert w.ordinal_words(n) == _num2words_american(num2words(n, lang="en", to="ordinal")), n
            assert w.ordinal(n) == num2words(n, lang="en", to="ordinal_num"), n


def test_number_words_stop_where_num2words_does():
    from num2words import num2words

    too_large = 10 ** 306
    assert w.cardinal_words(too_large - 1).startswith("nine hundred ninety-nine centillion ")
    for library in (lambda n: num2words(n, lang="en"), w.cardinal_words):
        with pytest.raises(OverflowError, match=r"must be less than 10{306}".replace("10{306}", str(too_large))):
            library(too_large)


def test_a_build_does_not_load_num2words(tmp_path):
    """The number words are the toolkit's own: a build renders every amount without the library."""
    import subprocess
    import sys

    from conftest import ROOT

    script = ("import sys; from assembler.cli import main; code = main(['build', sys.argv[1], '-o', sys.argv[2]]); "
              "print('num2words' in sys.modules); raise SystemExit(code)")
    proc = subprocess.run([sys.executable, "-c", script, str(ROOT / "termsheets" / "ascent-series-j.yaml"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"
