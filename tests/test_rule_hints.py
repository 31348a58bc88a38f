"""Rules that look for a character or words a paragraph must hold before asking a memo of its text: figures.words
(a pair holds a parenthesis), enumerations.tokens (so does every enumerator), termsheet.amount ("$"),
termsheet.rate ("%") and termsheet.date ("day of", ", 1" or ", 2"). Each is compared with the rule as it was (kept
here as the reference) on the fixtures, on the shared corpus when it is there, on built variants and on generated
text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_text_rule_scans import DOCUMENTS, pieces

from assembler.check.rule import Config, Context
from assembler.check.rules import enumerations, figures, termsheet
from assembler.check.rules.enumerations import Token, _tokens
from assembler.check.rules.figures import WORDS, _pairs_kept, _show, find_other_forms
from assembler.check.rules.termsheet import (_amount_values, _dates, _dates_stated, _Found, _money, _paragraphs,
                                             _percent, _rates_named, _words, facts, _amounts_named)
from assembler.docmodel.parse import load_documents
from assembler.memo import forget
from assembler.termsheet import load_termsheet

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "termsheets" / "ascent-series-j.yaml"


# ---------------------------------------------------------------------------------------------
# The rules as they were


def tokens_as_before(text):
    return [Token(label, start, dict(candidates)) for label, start, candidates in _tokens(text)]


def find_words_as_before(ctx):
    for p in ctx.paragraphs():
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


def amounts_as_before(ctx):
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.amount")
    for p, text in _paragraphs(ctx):
        for what, start, end, value in _amounts_named(text):
            allowed = _amount_values(f, what)
            if value not in allowed:
                found.add(p, start, p.text[start:end],
                          f"{what} {_words().money(value)} is not the term sheet's ({_money(allowed)}); "
                          "a figure from another deal?")
    yield from found.items


def rates_as_before(ctx):
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.rate")
    for p, text in _paragraphs(ctx):
        for what, start, end, value in _rates_named(text):
            allowed = (f.limitation,) if what == "beneficial ownership limitation" else \
                (f.maximum,) if what == "maximum beneficial ownership limitation" else (f.dividend_rate,)
            if value not in allowed:
                found.add(p, start, p.text[start:end],
                          f"{what} {_words().percent(value)} is not the term sheet's ({_percent(allowed)})")
    yield from found.items


def dates_as_before(ctx):
    if ctx.termsheet is None:
        return
    f = facts(ctx.termsheet)
    found = _Found(ctx, "termsheet.date")
    allowed_for = {"closing date": f.closing_dates, "effective date": (f.effective_date,),
                   "board meeting date": (f.board_meeting_date,)}
    for p, text in _paragraphs(ctx):
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


PAIRS = [(figures.find_words, find_words_as_before), (termsheet._amounts, amounts_as_before),
         (termsheet._rates, rates_as_before), (termsheet._date_findings, dates_as_before)]


def same_findings(package, sheet) -> int:
    """Each rule's findings, in order, with those of the rule as it was (fresh memos and kept ones); how many."""
    count = 0
    for new, old in PAIRS:
        for fresh in (True, False):
            if fresh:
                forget()
            expected = list(old(Context(package, sheet, Config())))
            assert list(new(Context(package, sheet, Config()))) == expected, new.__name__
            count += len(expected)
    for doc in package.documents:
        for p in doc.paragraphs:
            assert enumerations.tokens(p.text) == tokens_as_before(p.text), p.text
    return count


@pytest.fixture(scope="module")
def seed_sheet():
    return load_termsheet(SEED)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_real_documents_find_what_they_found_before(path, seed_sheet):
    package = load_documents([path])
    same_findings(package, None)
    same_findings(package, seed_sheet)


def test_built_variants_find_what_they_found_before(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import build_speed  # noqa: PLC0415
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from assembler.build import DOCUMENTS as BUILT, build  # noqa: PLC0415

    seed = load_termsheet(SEED)
    found = 0
    for i, path in enumerate(build_speed.write_variants(tmp_path / "sheets", 4)):
        built = build(path, out_dir=tmp_path / f"v{i}")
        package = load_documents([tmp_path / f"v{i}" / s.output for s in BUILT], built.sources)
        found += same_findings(package, built.termsheet)
        found += same_findings(package, seed)        # another deal's sheet: findings to compare
    assert found > 0


@settings(max_examples=1500, deadline=None)
@given(pieces("(", ")", "a", "i", "ii", "1", "2nd", "$", "%", "5", ",", " ", "day of", ", 1", ", 2", "twelve",
              "Section", "and", "(b)", "September 18, 2015", "\u00a0", "İ", size=24))
def test_tokens_of_any_text_are_as_before(text):
    assert enumerations.tokens(text) == tokens_as_before(text)


def example_packages(tmp_path):
    """(package, term sheet) of every example of the families' rules, typed and Word-numbered."""
    from examples import build_example, termsheet_with  # noqa: PLC0415

    rules = figures.RULES + termsheet.RULES + enumerations.RULES
    for r, rule in enumerate(rules):
        for e, ex in enumerate(rule.fails + rule.passes):
            for literal in (True, False):
                folder = tmp_path / f"{r}-{e}-{literal}"
                paths = build_example(ex, folder, literal)
                sheet = termsheet_with(ex.termsheet, folder) if ex.termsheet is not None else None
                yield load_documents(paths), sheet


def test_the_rules_examples_find_what_they_found_before(tmp_path):
    found = sum(same_findings(package, sheet) for package, sheet in example_packages(tmp_path))
    assert found > 0


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_a_paragraph_passed_over_holds_nothing_the_rules_read(path):
    for doc in load_documents([path]).documents:
        for p in doc.paragraphs:
            text = termsheet._norm(p.text)
            if "(" not in p.text:
                assert _pairs_kept(p.text) == ((), ()) and _tokens(p.text) == ()
            if "$" not in text:
                assert _amounts_named(text) == ()
            if "%" not in text:
                assert _rates_named(text) == ()
            if "day of" not in text and ", 1" not in text and ", 2" not in text:
                assert _dates_stated(text) == ()
