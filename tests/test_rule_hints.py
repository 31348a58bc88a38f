"""Rules that look for a character or words a paragraph must hold before asking a memo of its text: figures.words
(a pair holds a parenthesis), enumerations.tokens (so does every enumerator), termsheet.amount ("$"),
termsheet.rate ("%") and termsheet.date ("day of", ", 1" or ", 2"); termsheet.party's signature blocks pass over a
paragraph without a colon where no entity's name is expected; parties.name and parties.role fetch the names of
each paragraph from a mapping fetched once a document. Each is compared with the rule as it was (kept
here as the reference) on the fixtures, on the shared corpus when it is there, on built variants and on generated
text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_text_rule_scans import DOCUMENTS, pieces

from assembler.check.rule import Config, Context
from assembler.check.rules import enumerations, figures, parties, termsheet
from assembler.check.rules.parties import (LABEL, NAMES, ROLE_AFTER, ROLES, _mentions_by_paragraph, _opening,
                                           _parties_of, _party_named, _similar, normal)
from assembler.check.rules.enumerations import Token, _tokens
from assembler.check.rules.figures import WORDS, _pairs_kept, _show, find_other_forms
from assembler.check.rules.termsheet import (SIGN_BLOCK, SIGN_LINE, _BLANK, _amount_values, _dates, _dates_stated, _Found, _money, _paragraphs,
                                             _percent, _rates_named, _words, facts, _amounts_named,
                                             _fold, _looks_like_name, _norm)
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


def signature_blocks_as_before(ctx, f):
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


def signature_blocks(ctx):
    return termsheet._signature_blocks(ctx, facts(ctx.termsheet)) if ctx.termsheet is not None else ()


def signature_blocks_before(ctx):
    return signature_blocks_as_before(ctx, facts(ctx.termsheet)) if ctx.termsheet is not None else ()


def _mentions(ctx, p):
    """names_in(p), read once per check for both rules of the family (as the rules read it before)."""
    return _mentions_by_paragraph(ctx).get(id(p), ())


def find_names_as_before(ctx):
    for doc in ctx.package.documents:
        known = _parties_of(ctx, doc)
        if not known:
            continue
        exact = {normal(x.name) for x in known}
        for p in doc.paragraphs:
            for mention in _mentions(ctx, p):
                if normal(mention.text) in exact:
                    continue
                near = [x for x in known if _similar(mention.text, x.name)]
                if not near:
                    continue
                party = near[0]
                role = f" (“{party.role}”)" if party.role else ""
                yield ctx.finding(NAMES, p, mention.text,
                                  f"“{mention.text}” is not the name of the party{role}, which the preamble gives "
                                  f"as “{party.name}”.", offset=mention.start)


def find_roles_as_before(ctx):
    for doc in ctx.package.documents:
        known = [x for x in _parties_of(ctx, doc) if x.role]
        if len(known) < 2:
            continue
        roles = {x.role.lower(): x for x in known}
        opening = {id(p) for p in _opening(doc)}
        body = doc.paragraphs
        for i, p in enumerate(body):
            # a later definition: "Global Ichiban Limited (the "Company")"
            if id(p) not in opening:
                for mention in _mentions(ctx, p):
                    party = _party_named(known, mention.text)
                    m = ROLE_AFTER.match(p.text, mention.start + len(mention.text))
                    if party is None or m is None or len(m.group("tail")) > 60:
                        continue
                    role = m.group("role").strip()
                    other = roles.get(role.lower())
                    if other is not None and other is not party:
                        yield ctx.finding(
                            ROLES, p, p.text[mention.start:m.end()] + "”",
                            f"{party.name} is defined as “{role}”, the role the preamble gives {other.name}; "
                            f"the preamble defines {party.name} as “{party.role}”.", offset=mention.start)
            # a signature block: "COMPANY:" over a party's name
            label = LABEL.match(p.text) if ":" in p.text else None      # every label ends with a colon
            if label is None or label.group("role").strip().lower() not in roles:
                continue
            role_party = roles[label.group("role").strip().lower()]
            candidates = [p] if label.group("rest").strip() else []
            candidates += [q for q in body[i + 1:i + 4] if q.part == p.part and q.text.strip()][:2]
            for q in candidates:
                text = label.group("rest") if q is p else q.text
                party = next((x for x in known if normal(x.name) in normal(text)), None)
                if party is None:
                    continue
                if party is not role_party:
                    yield ctx.finding(
                        ROLES, q, party.name if q is not p else p.text.strip(),
                        f"The signature block for “{label.group('role').strip()}” names {party.name}, which the "
                        f"preamble defines as “{party.role}”; “{role_party.role}” is {role_party.name}.",
                        offset=-1)
                break


PAIRS = [(figures.find_words, find_words_as_before), (termsheet._amounts, amounts_as_before),
         (termsheet._rates, rates_as_before), (termsheet._date_findings, dates_as_before),
         (signature_blocks, signature_blocks_before), (parties.find_names, find_names_as_before),
         (parties.find_roles, find_roles_as_before)]


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

    rules = figures.RULES + termsheet.RULES + enumerations.RULES + parties.RULES
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
