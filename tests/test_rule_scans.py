"""Rules that look for their matches a cheaper way than before find the same matches: defs.variant and
defs.unused without one large alternation, figures and proofing looking back from a match instead of
searching the paragraph from its start."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.check.rules.defs import _Starts, _variant_body, _Variants
from assembler.check.rules.figures import _digit_before
from assembler.check.rules.proofing import FORM_LABEL, _form_label_before

TERMS = sorted({"Certificate of Designations", "Common Stock", "Preferred Shares", "Non-Voting Stock",
                "U.S. Securities Act", "Limited Partner", "Limited Partnership Agreement", "A Shares",
                "Fund Expenses", "Series J Preferred Stock", "Kelvin Units"}, key=lambda t: (-len(t), t))
TEXTS = [
    "The certificate of Designation and the COMMON stock; Common Stocks of the Preferred Share.",
    "Each limited partners' Limited Partnership Agreements; non-voting stocks and Non-Voting Stock.",
    "éCommon stock, xCommon stock, (Common stock), “Common stock”, 1Common stock, _Common stock",
    "a shares of A Share; u.s. securities acts; Series\u00a0J preferred stocks",
    "\u212aelvin units and ſeries j preferred stock and İ or ı next to Common stock",   # odd case folds
    "fund\texpenses\nFund  Expenses",
    "",
]


def alternation(terms: list[str]) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in terms)
                      + r")(?![A-Za-z0-9])", re.IGNORECASE)


def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in matches]


def test_variants_match_the_alternation():
    variants, reference = _Variants(TERMS), alternation(TERMS)
    for text in TEXTS:
        assert spans(variants.finditer(text)) == spans(reference.finditer(text)), text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Common", "common", "Stock", "stocks", "of", "Certificate", "Designations",
                                 "designation", "Limited", "Partner", "partners", "Non-Voting", "U.S.", "A",
                                 "Shares", "é", "(", "“", ",", "\u212a", "ſ", "x", "1", "-", "Fund", "Expenses"]),
                max_size=30),
       st.lists(st.sampled_from([" ", "  ", "\t", "", "\u00a0"]), max_size=30))
def test_variants_match_the_alternation_on_any_text(words, gaps):
    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    assert spans(_Variants(TERMS).finditer(text)) == spans(alternation(TERMS).finditer(text))


def test_starts_are_the_alternations_places_and_keys():
    keys = ["Common", "Non", "Non-Voting", "U.S.", "U.S", "A", "Limited", "Lim"]
    bounded = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
                         + r")(?![A-Za-z0-9])")
    starts = _Starts(keys, r"(?![A-Za-z0-9])")
    for text in ["Non-Voting Non Nonx U.S. U.S A Ab éCommon Limited Lim Lim-", "ANon", "A", ""] + TEXTS:
        expected = []
        pos = 0
        while (m := bounded.search(text, pos)) is not None:   # every place, also inside a longer match
            expected.append((m.start(), m.group(0)))
            pos = m.start() + 1
        assert list(starts.find(text)) == expected, text


def pieces(*words: str, size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(words)), max_size=size).map("".join)


AROUND = pieces(*"1 .,\t\n\u00a0\u0663²aB:_", "By", "Its", "Name", "Title", size=60)


@settings(max_examples=300, deadline=None)
@given(AROUND, st.integers(min_value=0, max_value=60))
def test_a_digit_before_is_what_the_pattern_finds(text, at):
    at = min(at, len(text))
    assert _digit_before(text, at) == bool(re.search(r"\d[.,]?\s*$", text[:at]))


@settings(max_examples=300, deadline=None)
@given(pieces(*" \t\n\u00a0:_.(", "By", "Its", "Per", "Name", "Date", "x" * 20, "A very long label of words",
              size=40),
       st.integers(min_value=0, max_value=2000))
def test_a_form_label_before_is_what_the_pattern_finds(text, at):
    at = min(at, len(text))
    assert _form_label_before(text, at) == bool(FORM_LABEL.search(text[:at]))
