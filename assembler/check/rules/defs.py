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
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate, count
from os.path import commonprefix
from types import MappingProxyType

from assembler.check.casefold import ODD_CASE, lower_case
from assembler.check.rule import Context, Example, Finding, Rule, Severity, example
from assembler.check.rules.terms import (QUOTED, TITLE_WORD, labels_in, mask_text, masked_text,
                                         operative_text, undefined_roles, used_as_term)
from assembler.docmodel.model import Definition, Paragraph
from assembler.docmodel.places import document_title, place_of
from assembler.memo import KEPT_LENGTH, Kept, kept

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


def _where(ctx: Context, d: Definition, here: Paragraph | None = None) -> str:
    """The other definition's place: its document's title and its section ("the Glossary of Defined Terms,
    Exhibit 1 (...), “Trading Day”"), never a file path."""
    document = ctx.package.document_of(d.paragraph)
    if document is None:
        return f"Section {d.paragraph.section}" if d.paragraph.section else "another document"
    place = place_of(d.paragraph, document)
    if here is not None and here.document == d.paragraph.document:
        return f"this document ({place})"
    return f"{document_title(document)}, {place}"


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


@kept(4096, longest=None)
def term_forms(term: str) -> frozenset[str]:
    """The term and its legitimate singular/plural forms; a term with a parenthetical option ("Majority (or
    other specified percentage) in Interest") is also used without it. (Worked out once a term: several
    rules ask.)"""
    if "(" in term:
        bare = " ".join(re.sub(r"\([^()]*\)", " ", term).split())
        if bare and bare != term:
            return term_forms(bare) | {term}
    words = term.split(" ")
    head = _head_index(words)
    return frozenset(" ".join(words[:head] + [form] + words[head + 1:]) for form in _number_forms(words[head]))



# --------------------------------------------------------------------------------------------
# defs.conflict


_JOINING_END = re.compile(r"[;,]?\s*(?:and|or)$")


def _normal(text: str | None) -> str:
    text = " ".join((text or "").translate(QUOTES).split()).lower()
    if text.endswith(("and", "or")):     # where _JOINING_END can match: the text holds no line break
        text = _JOINING_END.sub("", text)
    return text.rstrip(" .;:,")


def find_conflicts(ctx: Context) -> Iterable[Finding]:
    by_term: dict[str, list[Definition]] = defaultdict(list)
    for d in _definitions(ctx):
        by_term[d.term].append(d)
    for term, defs in by_term.items():
        worded = [d for d in defs if d.kind in WORDING_KINDS]
        if len(worded) > 1:
            first = worded[0]
            key = (first.kind, _normal(first.wording))
            for d in worded[1:]:
                if (d.kind, _normal(d.wording)) != key:
                    yield ctx.finding(
                        CONFLICT, d.paragraph, _snippet(d),
                        f"“{term}” is defined here with different wording from its definition in "
                        f"{_where(ctx, first, d.paragraph)}; a term must have one meaning across the documents.")
        pointers = [d for d in defs if d.kind == "meaning"]
        if len(pointers) > 1:
            first = pointers[0]
            target = _normal(first.target)
            for d in pointers[1:]:
                if _normal(d.target) != target:
                    yield ctx.finding(
                        CONFLICT, d.paragraph, _snippet(d),
                        f"“{term}” is said here to have the meaning set forth in {d.target or 'another place'}, "
                        f"but {_where(ctx, first, d.paragraph)} points to {first.target or 'another place'}.")



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


def _longer_keys(keys: Iterable[str]) -> dict[str, list[str]]:
    """Each key with the other keys that begin with it ("Non" -> ["Non-Voting"]): the keys that would stand
    in its place where both start."""
    ordered = sorted(set(keys))
    longer: dict[str, list[str]] = {}
    for i, key in enumerate(ordered):
        out = longer[key] = []
        for other in ordered[i + 1:]:
            if not other.startswith(key):
                break
            out.append(other)
    return longer


_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


class _Joined:
    """Texts joined by *separator* (by default a line break, which no term or word looked for holds), to search
    them all at once, and which text a place of the joined text falls in."""

    def __init__(self, texts: list[str], separator: str = "\n") -> None:
        self.text = separator.join(texts)
        self.starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def index(self, at: int) -> int:
        """The index of the text that place *at* of the joined text falls in."""
        return bisect_right(self.starts, at) - 1


class _Lowered(_Joined):
    """Texts joined by _UNREAD, with the lower case of the whole, which is the texts' lower cases joined (the
    separator is neither cased nor skipped by a case rule): joined so, from lower cases other rules read too
    (kept for recent texts), and each made on a text alone (lower-casing a text of narrow characters is
    quicker than lower-casing it in a wider whole)."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__(texts, _UNREAD)
        self.texts = texts
        self.lower = _UNREAD.join(map(lower_case, texts))

    def part(self, first: int, count: int) -> _Lowered:
        """Texts *first* to *first* + *count* - 1 joined and lower-cased: cut out of these where lower-casing
        kept every length (each character then lower-cased to one, in its place)."""
        if count == 0 or len(self.lower) != len(self.text):
            return _Lowered(self.texts[first:first + count])
        part = _Lowered.__new__(_Lowered)
        start = self.starts[first]
        end = self.starts[first + count] - 1 if first + count < len(self.texts) else len(self.text)
        part.texts = self.texts[first:first + count]
        part.text, part.lower = self.text[start:end], self.lower[start:end]
        part.starts = [at - start for at in self.starts[first:first + count]]
        return part


def _package_text(ctx: Context) -> _Lowered:
    """Every paragraph's text of the package joined and lower-cased, once a check (defs.variant and
    defs.undefined both search it)."""
    return ctx.once("defs: package text", lambda: _Lowered([p.text for p in ctx.paragraphs()]))


_FORMS = Kept(64)    # a package's defined terms -> (each term's forms, the longer first words of each first word)


def _forms_and_longer(terms: frozenset[str]) -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]]:
    """Each term's forms (sorted), and each first word of a form with the longer first words that begin with it
    (_longer_keys): made of the set of terms alone, and kept for it (a batch's variants define the same terms
    but for a few, the series letter's, which come back)."""
    found = _FORMS.get(terms)
    if found is None:
        forms_of = {term: tuple(sorted(term_forms(term))) for term in terms}
        longer = _longer_keys(form.split(" ")[0] for forms in forms_of.values() for form in forms)
        found = (MappingProxyType(forms_of), MappingProxyType({key: tuple(keys) for key, keys in longer.items()}))
        _FORMS.put(terms, found)
    return found


def _used_terms(terms: dict[str, list[Definition]], paragraphs: list[Paragraph]) -> set[str]:
    """The terms used somewhere outside their own definitions. A term's forms are looked for in the text of all
    paragraphs (joined by line breaks, which no term holds) until one use is found: a place after no ASCII
    letter or digit, followed by no letter or digit, where no longer first word of another term's form stands
    (a first word stands where it is followed by no ASCII letter or digit: "Non-Voting" takes the place of
    "Non"), outside the term's own definitions in its paragraph. The forms are found where the beginning they
    share stands ("Limited Partner" for "Limited Partners", "Limited Partner"), one search a term."""
    forms_of, longer = _forms_and_longer(frozenset(terms))
    if not longer:
        return set()
    joined = _Joined([p.text for p in paragraphs])
    text, offsets = joined.text, joined.starts
    size = len(text)

    def taken(at: int, key: str) -> bool:   # a longer first word stands at *at*
        end = at + len(key)
        return text.startswith(key, at) and (end == size or text[end] not in _ASCII_ALNUM)

    def used_at(at: int, term: str, form: str) -> bool:
        end = at + len(form)
        if not text.startswith(form, at) or (at > 0 and text[at - 1] in _ASCII_ALNUM) or \
                (end < size and text[end].isalnum()) or any(taken(at, key) for key in longer[form.split(" ")[0]]):
            return False
        i = joined.index(at)
        start = at - offsets[i]
        own = [_span(d) for d in terms[term] if d.paragraph is paragraphs[i]]
        return not any(start < e + 1 and s - 1 < end - offsets[i] for s, e in own)

    def used(term: str, forms: list[str]) -> bool:
        shared = commonprefix(forms)
        for look_for in [shared] if len(shared) >= 3 else forms:
            at = text.find(look_for)
            while at >= 0:
                if any(used_at(at, term, form) for form in forms):
                    return True
                at = text.find(look_for, at + 1)
        return False

    return {term for term, forms in forms_of.items() if used(term, forms)}


def find_unused(ctx: Context) -> Iterable[Finding]:
    if not ctx.config.report_unused:
        return
    by_term: dict[str, list[Definition]] = defaultdict(list)
    for d in _definitions(ctx):
        if d.term.strip():
            by_term[d.term].append(d)
    used = _used_terms(by_term, list(ctx.paragraphs()))
    # '"European Economic Area" or "EEA" means': the defined alternatives are used when one of them is
    together: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for d in _definitions(ctx):
        if d.kind != "inline":
            together[(id(d.paragraph), d.kind, d.wording)].add(d.term)
    for group in together.values():
        if len(group) > 1 and group & used:
            used |= group
    for term, defs in by_term.items():
        if term not in used:
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
        example("B|Each holder (each a \"Holder\" and collectively, the \"Released Parties\") signs.",
                "B|No Holder may assign.", note="one of two inline definitions never used"),
    ),
    passes=(
        example("B|This Agreement is made by the Company and each holder (each a \"Holder\" and collectively, "
                "the \"Holders\").",
                "D|\"Liens\" means a lien, charge or security interest.",
                "D|\"Closing\" has the meaning set forth in Section I.A.",
                "B|No Lien shall attach to any Holder's shares; Holders vote at the Closings.",
                note="singular, plural and possessive uses count"),
        example("D|\"European Economic Area\" or \"EEA\" means the member states of the European Union.",
                "D|\"Protected Health Information\" or \"PHI\" has the meaning given to it under HIPAA.",
                "B|Data stays in the EEA; PHI is protected.", note="one of two alternative names of a term is used"),
        example("D|\"Majority (or other specified percentage) in Interest\" means a resolution of the Investors.",
                "B|A Majority in Interest may remove the General Partner.",
                note="a term defined with a parenthetical option, used without it"),
        Example((("glossary.docx", ("D|\"Preferred Shares\" means shares of Series J Preferred Stock.",)),
                 ("agreement.docx", ("B|Purchaser will buy the Preferred Shares at $1,000 per Preferred Share.",))),
                note="a use in another document of the package counts"),
        example("D|\"GAAP\" means U.S. generally accepted accounting principles.",
                config={"report_unused": False}, note="switched off in the configuration"),
    ),
)


# --------------------------------------------------------------------------------------------
# defs.variant


def _variant_parts(term: str) -> list[list[str]]:
    """The term's words, each with the forms it may take: every number of the word whose number may change."""
    words = term.split(" ")
    parts = []
    for i, word in enumerate(words):
        if word.lower() not in ("of", "and", "the", "or", "for", "to", "in") and \
                (i == len(words) - 1 or i == _head_index(words)):
            parts.append(sorted(_number_forms(word), key=len, reverse=True))
        else:
            parts.append([word])
    return parts


def _variant_body(term: str, lower: bool = False) -> str:
    """Every number and capitalisation of the term's words (to be matched case-insensitively; or in lower case,
    against a lower-case text, with *lower*). A word's forms, in order, are written after the beginning they
    all share ("designation(?:s|)"): the same alternatives, fewer characters for the pattern compiler to read."""
    def alternatives(forms: list[str]) -> str:
        if lower:
            forms = [form.lower() for form in forms]
        if len(forms) == 1:
            return re.escape(forms[0])
        shared = commonprefix(forms)
        return re.escape(shared) + "(?:" + "|".join(re.escape(form[len(shared):]) for form in forms) + ")"
    return r"\s+".join(map(alternatives, _variant_parts(term)))




@kept(4096, longest=None)
def _first_words(term: str) -> tuple[str, ...]:
    """Every form of the term's first word, in lower case."""
    return tuple(form.lower() for form in _variant_parts(term)[0])


@kept(64, longest=None)
def _first_word_places(firsts: tuple[str, ...]) -> re.Pattern:
    """Where one of *firsts* (the longest first) stands: the character before it (not a letter or digit), then
    the word before white space; grouped by initial, so that a place costs one test an initial."""
    initials: dict[str, list[str]] = defaultdict(list)
    for first in firsts:
        initials[first[:1]].append(re.escape(first[1:]))
    return re.compile(r"[^A-Za-z0-9](?=(" + "|".join(
        f"{re.escape(c)}(?:{'|'.join(rests)})" for c, rests in initials.items()) + r")\s)")


@kept(1024, longest=None)
def _variants_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """Every variant of *terms*, the first in order at a place, matched in a lower-case text where it starts (as
    the case-insensitive pattern matches the text, when its lower case is letter for letter ASCII-comparable;
    a case-sensitive pattern compiles in about half the time). Each term's variants are a group of their own:
    a match's `lastindex` is one more than the index of its term."""
    return re.compile("(?:" + "|".join(f"({_variant_body(t, lower=True)})" for t in terms) + ")(?![A-Za-z0-9])")


class _Found:
    """A variant found in a text: the part of re.Match its readers use (start, end, group), and the term it is a
    variant of."""

    __slots__ = ("_text", "_start", "_end", "term")

    def __init__(self, text: str, start: int, end: int, term: str) -> None:
        self._text, self._start, self._end, self.term = text, start, end, term

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, index: int = 0) -> str:
        assert index == 0
        return self._text[self._start:self._end]


_FIRST_WORDS = Kept(64)      # the first words looked for -> a serial number (never given again)
_PLACES = Kept(1024)         # (a text, the serial number of the first words) -> where they stand in it
_serials = count()


class _Variants:
    """Every variant of the terms in texts, as one case-insensitive alternation of them all would find it in
    each text (leftmost, the first term in order at a place, one match after another), without that
    alternation: each term's first word (every form of it, in lower case) is looked for in the lower-case
    texts joined by a character that is neither white space nor a letter or digit; where one stands after
    no ASCII letter or digit and before white space (one at most stands at a place: first words hold no
    white space), the terms with that first word are tried, by one alternation of them in order. A text
    whose lower case is not letter for letter ASCII-comparable (its length changes, or it holds a character
    that matches an ASCII letter only case-insensitively), or terms not all ASCII, go to the alternation."""

    def __init__(self, terms: list[str]) -> None:
        self._terms = terms
        self._patterns: dict[str, tuple[re.Pattern, tuple[str, ...]]] = {}
        self._any: re.Pattern | None = None
        self._by_first: dict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(terms):
            for first in _first_words(term):
                self._by_first[first].append(i)
        self._ascii = all(t.isascii() for t in terms)
        self._firsts = tuple(sorted(self._by_first, key=lambda f: (-len(f), f)))
        self._starts = _first_word_places(self._firsts)

    def _pattern(self, first: str) -> tuple[re.Pattern, tuple[str, ...]]:
        """The pattern of the terms with the first word *first*, and those terms in its order."""
        pattern = self._patterns.get(first)
        if pattern is None:
            terms = tuple(self._terms[i] for i in self._by_first[first])
            pattern = self._patterns[first] = (_variants_pattern(terms), terms)
        return pattern

    def _places(self, joined: _Lowered) -> list[tuple[tuple[int, str], ...]]:
        """(offset, first word) of every place where a first word stands in each of the joined texts, whose
        lower case is letter for letter theirs. A text's places depend on it alone (the separator is no
        letter, digit or white space): they are kept for texts up to KEPT_LENGTH characters (a batch checks the
        same paragraphs in many variants), and the texts not kept are searched together."""
        serial = _FIRST_WORDS.get(self._firsts)
        if serial is None:
            serial = next(_serials)
            _FIRST_WORDS.put(self._firsts, serial)
        texts = joined.texts
        out = [_PLACES.get((text, serial)) for text in texts]
        missing = [i for i, places in enumerate(out) if places is None]
        if missing:
            if len(missing) == len(texts):
                lower, starts = joined.lower, joined.starts
            else:
                pieces = [joined.lower[joined.starts[i]:joined.starts[i] + len(texts[i])] for i in missing]
                lower, starts = _UNREAD.join(pieces), list(accumulate((len(t) + 1 for t in pieces[:-1]), initial=0))
            found: list[list[tuple[int, str]]] = [[] for _ in missing]
            for m in self._starts.finditer(_UNREAD + lower):
                j = bisect_right(starts, m.start()) - 1
                found[j].append((m.start() - starts[j], m.group(1)))
            for j, i in enumerate(missing):
                out[i] = tuple(found[j])
                if len(texts[i]) <= KEPT_LENGTH:
                    _PLACES.put((texts[i], serial), out[i])
        return out

    def _alternation(self) -> re.Pattern:
        if self._any is None:
            self._any = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{_variant_body(t)})" for t in self._terms)
                                   + r")(?![A-Za-z0-9])", re.IGNORECASE)
        return self._any

    def finditer(self, text: str) -> Iterator[re.Match | _Found]:
        for _, m in self.find_all([text]):
            yield m

    def find_all(self, texts: list[str], joined: _Lowered | None = None) -> Iterator[tuple[int, re.Match | _Found]]:
        """(index of the text, match) for every variant in *texts*, text by text, in order; *joined*: the texts
        joined and lower-cased, if already at hand."""
        if joined is None:
            joined = _Lowered(texts)
        whole, lower = joined.text, joined.lower
        if not self._ascii:
            yield from ((i, m) for i, text in enumerate(texts) for m in self._alternation().finditer(text))
            return
        if len(lower) == len(whole) and not any(c in whole for c in ODD_CASE):
            # (no character's lower case is shorter than it): every text is read where its first words stand
            patterns, starts = self._patterns, joined.starts
            for i, (text, places) in enumerate(zip(texts, self._places(joined))):
                done, offset = 0, starts[i]
                for at, first in places:
                    if at >= done:
                        pattern, terms = patterns.get(first) or self._pattern(first)
                        found = pattern.match(lower, offset + at)
                        if found is not None:
                            done = found.end() - offset
                            yield i, _Found(text, at, done, terms[found.lastindex - 1])
            return
        odd = [len(t.lower()) != len(t) or any(c in t for c in ODD_CASE) for t in texts]
        lower = _UNREAD.join(_UNREAD * len(t) if o else t.lower() for t, o in zip(texts, odd))
        places = [(m.start(), m.group(1)) for m in self._starts.finditer(_UNREAD + lower)]
        patterns = self._patterns
        at_place = 0
        offset = done = 0
        for i, text in enumerate(texts):
            end = offset + len(text)
            if odd[i]:
                for m in self._alternation().finditer(text):
                    yield i, m
            while at_place < len(places) and places[at_place][0] < end:
                at, first = places[at_place]
                at_place += 1
                if at >= done and not odd[i]:
                    pattern, terms = patterns.get(first) or self._pattern(first)
                    m = pattern.match(lower, at)
                    if m is not None:
                        done = m.end()
                        yield i, _Found(text, at - offset, done - offset, terms[m.lastindex - 1])
            offset = end + 1


# joins the lower-case texts, and stands for a text read by the alternation: neither white space nor a letter
# or digit, and in no term
_UNREAD = "\x00"


def _term_then_words(found: str, allowed: set[str]) -> bool:
    """Whether *found* is a defined term followed by ordinary lower-case words ("Fund expense")."""
    words = found.split(" ")
    for cut in range(len(words) - 1, 0, -1):
        head, rest = " ".join(words[:cut]), words[cut:]
        if head in allowed and all(w == w.lower() for w in rest):
            return True
    return False


@kept(4096, longest=None)
def _spaced_forms(term: str) -> frozenset[str]:
    """The forms of a term written with its white space as single spaces."""
    return frozenset(" ".join(form.split()) for form in term_forms(" ".join(term.split())))


_TERM_SETS = Kept(64)         # a package's defined terms (a frozenset) -> a serial number (never given again)
_VARIANTS_IN = Kept(4096)     # (a text, the serial number of the terms) -> the variants reported in it


def find_variants(ctx: Context) -> Iterable[Finding]:
    defs = _definitions(ctx)
    # a term defined in an all-capitals legend ("U.S. SECURITIES ACT") is written in ordinary case elsewhere;
    # a no-break space inside a term ("Series J") is a space: compare with spaces throughout
    terms = sorted({" ".join(d.term.split()) for d in defs if len(d.term.split()) >= 2 and d.term != d.term.upper()},
                   key=lambda t: (-len(t), t))
    if not terms:
        return
    # what a paragraph's variants are depends on its text and the set of defined terms alone (the terms looked
    # for and the forms allowed are made of it): kept for texts up to KEPT_LENGTH characters, as a batch checks
    # the same paragraphs with the same terms in variant after variant
    defined = frozenset(d.term for d in defs)
    serial = _TERM_SETS.get(defined)
    if serial is None:
        serial = next(_serials)
        _TERM_SETS.put(defined, serial)
    paragraphs = list(ctx.paragraphs())
    found = [_VARIANTS_IN.get((p.text, serial)) for p in paragraphs]
    missing = [i for i, variants in enumerate(found) if variants is None]
    if missing:
        texts = [paragraphs[i].text for i in missing]
        made = _variants_in(texts, _package_text(ctx) if len(missing) == len(paragraphs) else None, terms, defs)
        for i, text, variants in zip(missing, texts, made):
            found[i] = variants
            if len(text) <= KEPT_LENGTH:
                _VARIANTS_IN.put((text, serial), variants)
    for p, variants in zip(paragraphs, found):
        for snippet, term in variants:
            yield ctx.finding(
                VARIANT, p, snippet,
                f"“{snippet}” is a variant of the defined term “{term}”; use the term exactly as defined.")


def _variants_in(texts: list[str], joined: _Lowered | None, terms: list[str],
                 defs: list[Definition]) -> list[tuple[tuple[str, str], ...]]:
    """For each text, (the variant, its term) of every variant of *terms* reported in it, in order; *joined*:
    the texts joined and lower-cased, if at hand."""
    allowed: set[str] = set()
    for d in defs:
        allowed.update(_spaced_forms(d.term))
    out: list[list[tuple[str, str]]] = [[] for _ in texts]
    for i, m in _Variants(terms).find_all(texts, joined):
        text = texts[i]
        found = " ".join(m.group(0).split())
        if found in allowed or found == found.lower() or found == found.upper():
            continue
        if _sentence_start(text[max(0, m.start() - 80):m.start()]) and \
                found[:1].lower() + found[1:] in allowed:
            continue  # "This Safe" opening a sentence, where "this Safe" is defined
        if "[" in text and any(b.start() <= m.start() < b.end() for b in BRACKETS.finditer(text)):
            continue  # "[Repurchase price per share]": a drafting instruction, not a use of the term
        if _term_then_words(found, allowed):
            continue  # "items of Fund expense": the defined "Fund", then an ordinary word
        # a variant found where its first word stands comes with its term: the first in order whose variants match
        # there, which is the first whose variants match the variant whole (an earlier one that did would have
        # matched there); a match of the alternation has its term looked up
        term = m.term if isinstance(m, _Found) else \
            next(t for t in terms if re.fullmatch(_variant_body(t), m.group(0), re.IGNORECASE))
        out[i].append((m.group(0), term))
    return [tuple(variants) for variants in out]


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
                "B|Each investor signs this safe (this \"this Safe\"). This Safe converts; this Safe's terms apply.",
                "B|THE SHARES ARE NOT REGISTERED UNDER THE U.S. SECURITIES ACT (THE \"U.S. SECURITIES ACT\"); the "
                "U.S. Securities Act applies.",
                "B|The Repurchase Price (the \"Repurchase Price\") is [Repurchase price per share].",
                "B|The fund (the \"Fund\") pays the \"Fund Expenses\"; items of Fund expense are allocated.",
                note="legitimate plurals, singulars, possessives, lower and upper case"),
        example("B|The Corporation designates its Series\u00a0J Preferred Stock (the \"Series\u00a0J Preferred "
                "Stock\").",
                "B|Each share of Series J Preferred Stock and of Series\u00a0J Preferred Stock votes.",
                note="a no-break space in a term counts as a space"),
    ),
)


# --------------------------------------------------------------------------------------------
# defs.undefined

RUN = re.compile(rf"(?<![\w.’'-])(?:{TITLE_WORD})(?:[ \u00a0](?:{TITLE_WORD}))*"
                 rf"(?![\w-])(?![ \u00a0][A-Z][a-z])")  # maximal runs only
# the runs of two or more words: RUN's matches less its one-word ones (no run starts inside a word, so
# leaving those out moves no other match); the capital first, then the look-behind, lets the engine skip
# ahead to the next capital. Every repetition is possessive (never given back): what follows a run of letters
# is never a letter, what follows the "-Word" parts never "-", and the words given back would leave white
# space and a Title Case word next, which the last look-ahead refuses; so giving back never finds a match,
# and the engine is spared trying it at each capitalised word that another does not follow
_TITLE_WORD_HELD = r"[A-Z][a-z]++(?:-[A-Z][a-z]++)*+"     # TITLE_WORD, possessive
PHRASE = re.compile(rf"[A-Z](?<![\w.’'-][A-Z])[a-z]++(?:-[A-Z][a-z]++)*+(?:[ \u00a0](?:{_TITLE_WORD_HELD}))++"
                    rf"(?![\w-])(?![ \u00a0][A-Z][a-z])")
ENTITY_AFTER = re.compile(r"^,?\s*(?:Inc|Ltd|LLC|L\.L\.C|Corp|Co|L\.P|LP|LLP|N\.A|S\.A|PLC|plc|GmbH|AG|B\.V)\b")
OF_LINK = re.compile(r"(?:[A-Z][\w’'-]*\s+(?:of|for|by)(?:\s+the)?\s+$)")
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
Virgin Island Mr Signature Page Title Name By Statute Statutes
""".split())
NUMBER_WORDS = set("""one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
billion first second third fourth fifth sixth""".split())


_LOWER = re.compile(r"[a-z]")
_RUNS_ON = re.compile(r"[.;:,]\s*\S*[a-z]\S*\s+[a-z]")
_HEADING_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_HEADING_SMALL = frozenset(("of", "and", "the", "or", "to", "for", "in", "a", "an", "on", "by"))


def _heading_text(text: str, style: str | None, heading: str | None) -> bool:
    """Whether a paragraph of this text, style and run-in heading is a heading: a title, signature or contents
    style, a heading style without running text, no lower-case letter, or a short line of capitalised words."""
    style = (style or "").lower()
    if "title" in style or "signature" in style or "toc" in style or \
            "heading" in style and not operative_text(text, heading):
        return True
    text = text.strip()
    if not _LOWER.search(text):
        return True
    return len(text) < 120 and not _RUNS_ON.search(text) and \
        all(w[:1].isupper() or w.lower() in _HEADING_SMALL for w in _HEADING_WORD.findall(text))


def _word_runs(terms: Iterable[str], most: int) -> set[str]:
    """Every run of two to *most* consecutive space-separated words of the terms: "Net Income Amount" gives
    "Net Income", "Income Amount", "Net Income Amount" (a phrase of two to *most* words lies inside a term as
    a whole run of its words exactly when it is one of these)."""
    out: set[str] = set()
    for term in terms:
        if " " in term:
            out.update(_runs_of(term, most))
    return out


@kept(8192, longest=None)
def _runs_of(term: str, most: int) -> tuple[str, ...]:
    """A term's runs of two to *most* consecutive space-separated words (see _word_runs)."""
    words = term.split(" ")
    return tuple(" ".join(words[i:j]) for i in range(len(words) - 1)
                 for j in range(i + 2, min(len(words), i + most) + 1))


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


_DETERMINERS = frozenset("The This These That Those Such Each Any No Neither Either All Every Both A An Our Its Their "
                         "Your".split())
# a proper name runs on: "Health Insurance Portability and Accountability Act", "Best Practices for Limited
# and General Partners", "Protecting Americans from Tax Hikes Act"
NAME_GOES_ON = re.compile(r"^\s+(?:and|for|from|on|to|in|&)\s+((?:[A-Z][\w’'-]*\s*){1,6})")
ACRONYM_BEFORE = re.compile(r"\b[A-Z]{2,}\s+(?:(?:[A-Z][\w-]*\s+){1,4}(?:and|&)\s+)?$")  # "ILPA Reporting Template"
# "Bonterms Mutual NDA", "Common Paper BAA"; "Serious Adverse Event (SAE)": a name and its abbreviation
ACRONYM_AFTER = re.compile(r"^(?:\s+[A-Z]{2,}\b|\s*\([A-Z]{2,}s?\))")
EXAMPLES_BEFORE = re.compile(r"\((?:e\.g\.|i\.e\.|for\s+example|such\s+as)[^()]*$")  # "(e.g., Black Duck, FOSSA)": names
DEFINED_ELSEWHERE = re.compile(r"^\s*,?\s*as\s+(?:defined|used)\s+in\b")  # "Confidential Information as defined in the CIIAA"
BRACKETS = re.compile(r"\[[^\[\]]*\]")   # a drafting note or an option: "[Drafting note: fill in the Key Terms.]"
# the title of a cited section or form, in parentheses after its number: "Section 14.5 (Tax Distributions)",
# "Section 10.1 (Removal/Termination Notice)", "IRS Form 8886 (Reportable Transaction Disclosure Statement)"
TITLE_BEFORE = re.compile(r"(?:\d[\w.-]*(?:\([\w]{1,5}\))*|[A-Z]{2,})\s*\([^()]{0,40}$")
TITLE_AFTER = re.compile(r"^[^()]{0,40}\)")
_OPENING_QUOTES = "“\"‘'"
QUOTE_AFTER = re.compile(r"\s*[”\"’']")   # matched where the phrase ends


def _quote_before(text: str, start: int) -> bool:
    """Whether an opening quotation mark, then only white space, stands before *start*."""
    at = start
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at > 0 and text[at - 1] in _OPENING_QUOTES
# "[ ] Neither Input nor Output", "( x ) Non-Renewal Notice Date:", "- There are no Increased Claims"
MARK_BEFORE = re.compile(r"(?:^|\s)(?:\[\s*[xX✓]?\s*\]|\(\s*[xX✓]?\s*\)|[-–—*•])\s*$")
# "Capitalized terms not defined in this Cover Page have the meanings given in the Bonterms Mutual NDA",
# "This Order Form incorporates ... the Common Paper Cloud Service Agreement Standard Terms": the document
# takes its definitions from another instrument, which the check does not have.
_INCORPORATION = (   # the alternatives of _INCORPORATES, each with the word it opens with (in lower case)
    ("capitali", r"capitali[sz]ed\s+terms\s+(?:used\s+)?(?:but\s+)?not\s+(?:otherwise\s+)?defined\b[^.]{0,80}"
                 r"\bmeanings?\s+(?:given|set\s+forth|ascribed|assigned)"),
    ("incorporat", r"\bincorporates?\b[^.]{0,200}\bStandard\s+Terms\b"),
    ("incorporat", r"\bincorporates\s+(?:and\s+is\s+governed\s+by\s+|by\s+reference\s+)?the\s+(?:[A-Z][\w-]*\s+){0,6}"
                   r"(?:Agreement|Terms|NDA)\b"),
    ("standard", r"\bStandard\s+Terms\b[^.]{0,80}\b(?:posted|available)\s+at\b"),
    ("amendment", r"\bAmendment\s+(?:hereby\s+)?(?:amends|modifies)\s+(?:the|that\s+certain)\b"),
)
_INCORPORATES = re.compile("|".join(pattern for _word, pattern in _INCORPORATION), re.IGNORECASE)
# the alternatives that open with each word
_INCORPORATES_AT = {word: re.compile("|".join(p for w, p in _INCORPORATION if w == word), re.IGNORECASE)
                    for word in dict(_INCORPORATION)}


_DEFINITIONS_OF = re.compile(r"\bdefinitions?\s+of\b")


def _quoted_in(text: str) -> tuple[str, ...]:
    """Title Case names written in quotation marks in a paragraph's text ('the “Safe Harbor” described in'):
    introduced."""
    out = []
    naming = "definition" in text         # what _DEFINITIONS_OF needs
    for m in QUOTED.finditer(text):
        if naming and _DEFINITIONS_OF.search(text, max(0, m.start() - 200), m.start()):
            continue  # 'modify the definitions of “Tax Exempt Partner”' names a definition, it does not make one
        name = " ".join(m.group(0)[1:-1].split())
        if RUN.fullmatch(name):
            out.append(name)
    return tuple(out)


# each alternative of _INCORPORATES holds one of these words: a paragraph without any is not searched
_INCORPORATES_WORDS = ("capitali", "incorporat", "standard", "amendment")


def _incorporates(text: str, lower: str) -> bool:
    """Whether _INCORPORATES matches in *text* (*lower* its lower case), tried only where a word one of its
    alternatives opens with stands in the lower case: where a match can start, when the lower case is
    letter for letter the text's and holds no character that matches a letter only case-insensitively."""
    if len(lower) != len(text) or any(c in text for c in ODD_CASE):
        return bool(_INCORPORATES.search(text))
    for word, pattern in _INCORPORATES_AT.items():
        at = lower.find(word)
        while at >= 0:
            if pattern.match(text, at):
                return True
            at = lower.find(word, at + 1)
    return False


def _incorporates_terms(paragraphs: list[Paragraph], joined: _Lowered | None = None) -> bool:
    """Whether a paragraph holding one of _INCORPORATES_WORDS (in lower case) takes the document's terms from
    another instrument. The words are looked for in the lower-case text of all paragraphs at once (*joined*,
    their texts joined and lower-cased, if at hand), when lower-casing changes no length."""
    if joined is None:
        joined = _Lowered([p.text for p in paragraphs])
    texts, lower = joined.texts, joined.lower
    if len(lower) != len(joined.text):
        return any(any(w in t.lower() for w in _INCORPORATES_WORDS) and _incorporates(t, t.lower()) for t in texts)
    if any(c in joined.text for c in ODD_CASE):
        holding: set[int] = set()
        for word in _INCORPORATES_WORDS:
            at = lower.find(word)
            while at >= 0:
                holding.add(joined.index(at))
                at = lower.find(word, at + 1)
        return any(_incorporates(texts[i], texts[i].lower()) for i in sorted(holding))
    # where a word stands, its alternatives tried in the joined text up to the end of the word's own text (a
    # separator is no word character: the text's start reads as it does alone)
    whole, starts = joined.text, joined.starts
    for word, pattern in _INCORPORATES_AT.items():
        at = lower.find(word)
        while at >= 0:
            i = joined.index(at)
            if pattern.match(whole, at, starts[i] + len(texts[i])):
                return True
            at = lower.find(word, at + 1)
    return False


@kept(1024)
def _facts(text: str, heading: str | None, style: str | None, numbered: bool) -> tuple[bool, tuple[str, ...]]:
    """Whether a paragraph is a heading, and the terms it introduces (its cover labels, the names it quotes)."""
    quoted = _quoted_in(text) if '"' in text or "“" in text else ()
    return _heading_text(text, style, heading), labels_in(text, heading, numbered) + quoted


@kept(1024)
def _phrases_in(text: str, heading: str | None) -> tuple[str, str, tuple[tuple[int, int, str], ...]]:
    """A paragraph's masked text; that text with its drafting notes blanked out; and (start, end, phrase) of
    every match of PHRASE in the latter."""
    masked = blanked = mask_text(text, heading)
    if "[" in blanked:
        blanked = BRACKETS.sub(lambda m: " " * len(m.group(0)), blanked)
    return masked, blanked, tuple((m.start(), m.end(), m.group(0)) for m in PHRASE.finditer(blanked))


def _name_goes_on(after: str) -> bool:
    m = NAME_GOES_ON.match(after)
    return bool(m) and any(w.strip(",.;:") in PROPER for w in m.group(1).split())


def _known_or_name(words: list[str], known: set[str], inside_known: set[str]) -> bool:
    """Whether a phrase is a name (a proper noun or a number in it) or known: each word a term, the phrase a run
    of a term's words, or a run of two or more of its words a term."""
    if any(w in PROPER or w.lower() in NUMBER_WORDS for w in words):
        return True
    return all(w in known for w in words) or " ".join(words) in inside_known or any(
        " ".join(words[i:j]) in known for i in range(len(words)) for j in range(i + 2, len(words) + 1))


_KNOWN = Kept(64)    # (defined terms, labels introduced, terms configured known) -> (known forms, their word runs)


def _known_terms(terms: frozenset[str], labels: frozenset[str],
                 configured: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The forms of the defined *terms* and *labels*, and the *configured* known terms; and their runs of two to
    four words. Made of these three sets alone: kept for them (a batch checks the same templates, whose terms
    differ from one variant to the next only in a few, the series letter, which come back)."""
    key = (terms, labels, configured)
    found = _KNOWN.get(key)
    if found is None:
        known = frozenset({t for term in terms for t in term_forms(term)}
                          | {t for label in labels for t in term_forms(label)} | configured)
        found = (known, frozenset(_word_runs(known, 4)))
        _KNOWN.put(key, found)
    return found


def find_undefined(ctx: Context) -> Iterable[Finding]:
    if not ctx.config.report_undefined:
        return
    defs = _definitions(ctx)
    headings: dict[int, bool] = {}
    labels: set[str] = set()
    for p in ctx.paragraphs():
        headings[id(p)], introduced = _facts(p.text, p.heading, p.style, p.number is not None)
        labels.update(introduced)
    known, inside_known = _known_terms(frozenset(d.term for d in defs), frozenset(labels),
                                       frozenset(ctx.config.known_terms))
    joined, first, borrowing = _package_text(ctx), 0, set()
    for doc in ctx.package.documents:
        if _incorporates_terms(doc.paragraphs, joined.part(first, len(doc.paragraphs))):
            borrowing.add(id(doc))
        first += len(doc.paragraphs)
    names: set[str] | None = None     # the term sheet's texts, read when a phrase gets that far (few do)
    masks: dict[int, str] = {}
    looked_up: dict[str, bool] = {}

    def heading(p: Paragraph) -> bool:  # read by both loops
        return headings[id(p)]

    def masked(p: Paragraph) -> str:    # read by both loops: worked out once a paragraph
        text = masks.get(id(p))
        if text is None:
            text = masks[id(p)] = masked_text(p)
        return text

    for doc in ctx.package.documents:
        if id(doc) in borrowing:
            continue
        reported: set[str] = set()
        for p in doc.paragraphs:
            if p.part.startswith("word/") or heading(p):
                continue  # headers and footers hold titles and names, not operative text
            masks[id(p)], text, phrases = _phrases_in(p.text, p.heading)
            for opens, end, phrase in phrases:   # one word is not a phrase, with or without a determiner
                start = opens
                words = phrase.split()
                if words[0] in _DETERMINERS:  # "This Order Form", "The General Cap Amount": the term follows
                    start += len(words[0]) + 1
                    words = words[1:]
                    phrase = " ".join(words)
                if not 2 <= len(words) <= 4 or phrase in reported:
                    continue
                # the look-ups first (once a phrase), then the patterns around the phrase (each test only rules
                # it out)
                ruled_out = looked_up.get(phrase)
                if ruled_out is None:
                    ruled_out = looked_up[phrase] = _known_or_name(words, known, inside_known)
                if ruled_out:
                    continue
                opening = text[max(0, opens - 80):opens]
                before, after = text[max(0, start - 80):start], text[end:end + 60]
                if _sentence_start(opening) or ENTITY_AFTER.match(after) or OF_LINK.search(before) \
                        or OF_AFTER.match(after) or _name_goes_on(after) or MARK_BEFORE.search(opening) \
                        or DEFINED_ELSEWHERE.match(after) or EXAMPLES_BEFORE.search(before):
                    continue
                if ACRONYM_BEFORE.search(before) or ACRONYM_AFTER.match(after) or \
                        (TITLE_BEFORE.search(before) and TITLE_AFTER.match(after)) or \
                        (_quote_before(p.text, start) and QUOTE_AFTER.match(p.text, end)):
                    continue
                if names is None:
                    names = _strings(ctx.termsheet, set()) if ctx.termsheet is not None else set()
                if any(phrase in name for name in names) or not used_as_term(doc, p, phrase):
                    continue
                reported.add(phrase)
                yield ctx.finding(
                    UNDEFINED, p, phrase,
                    f"“{phrase}” is capitalised like a defined term but is not defined in any of the documents; "
                    f"define it, write it in lower case, or add it to known_terms in the check configuration.",
                    offset=start)
    yield from undefined_roles(ctx, UNDEFINED, known, heading, _sentence_start,
                               lambda doc: id(doc) in borrowing, masked)



# defs.undefined also reads operative text set in heading styles, and single-word roles (see rules.terms)
_PARTIES = ("B|This Agreement is made by Ascent Solar Technologies, Inc. (\"Company\") and Global Ichiban Limited "
            "(\"Purchaser\") for shares of Series J Preferred Stock (the \"Preferred Shares\").")
_REACH_FAILS = (
    example(_PARTIES, "H|Payment. Company shall deliver the Preferred Shares against payment of the Conversion "
            "Amount, and the Conversion Amount is due at the Closing.",
            note="operative text in a heading style"),
    example(_PARTIES, "B|Company shall deliver the Preferred Shares to the Buyer at the Closing.",
            note="a role the agreement never defines (Buyer for Purchaser)"),
    example(_PARTIES, "B|Company shall deliver the Preferred Shares.",
            "B|Purchaser shall pay, and the Issuer shall issue, the Preferred Shares.", note="Issuer"),
)
_REACH_PASSES = (
    example(_PARTIES, "H|Payment Terms", "H|Payment. Company shall deliver the Preferred Shares to Purchaser "
            "under the Office of Foreign Assets Control rules, as Section 1 (Payment Terms) says.",
            "B|Buyer. A buyer of Preferred Shares from Purchaser is bound; Buyers Club Inc. is not.",
            note="headings, a name cited once, a sentence start and a name"),
    example("B|The Agreement between the parties governs this addendum.",
            "B|Customer shall pay the fees and Provider shall provide the service.",
            note="roles defined in another instrument: this one defines no party"),
    example("N|Provider: Ascent Solar Technologies, Inc.", "N|Customer: Global Ichiban Limited",
            "N|Subscription Period: 12 months", "N|Company: Ascent",
            "B|During the Subscription Period, Provider shall serve Customer.",
            note="cover-page labels define the terms"),
    example("B|This Order Form incorporates and is governed by the Framework Terms and the Common Paper Cloud "
            "Service Agreement Standard Terms.", "N|Customer: Global Ichiban Limited",
            "B|The fees are set out in the pricing plans available at Provider’s pricing page.",
            note="a role taken from the standard terms the form incorporates"),
)

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
        example("D|\"ERISA Partner\" means a Partner subject to ERISA.",
                "B|No amendment may modify the definitions of “ERISA Partner” or “Tax Exempt Partner”.",
                "B|Any ERISA Partner or Tax Exempt Partner may withdraw.",
                note="a term named in quotation marks as a definition to modify, but never defined"),
    ) + _REACH_FAILS,
    passes=(
        example("T|Securities Purchase Agreement",
                "B|This Securities Purchase Agreement is made by Ascent Solar Technologies, Inc., a Delaware "
                "corporation, under the Securities Exchange Act of 1934 and the Internal Revenue Code, with the "
                "Secretary of State of the State of Delaware and the Chief Executive Officer, as set forth in the "
                "Glossary of Defined Terms; Three Million Dollars ($3,000,000) on September 18, 2015.",
                "1|**Purchase Amount.** Material Adverse Effect aside, the \"Purchase Amount\" is stated.",
                "B|The \"Conversion Price\" means $0.15; an \"accredited investor\" as defined in Rule 501(a).",
                note="titles, party names, laws, officers, headings, sentence starts and defined terms"),
        example("B|“Net Income” and “Net Loss” means the Fund's taxable income or loss under the Health Insurance "
                "Portability and Accountability Act of 1996 and the Protecting Americans from Tax Hikes Act.",
                "B|Net Income is allocated under Section 14.5 (Tax Distributions) and Section 10.1 (Removal/"
                "Termination Notice), on IRS Form 8886 (Reportable Transaction Disclosure Statement), as the ILPA "
                "Reporting Template and the Bonterms Mutual NDA say; see “Safe Harbor” in the notice.",
                "B|The Safe Harbor election is made. Confidential Information as defined in the CIIAA is kept.",
                "B|[ ] Neither Input nor Output may identify Customer [Drafting note: fill in the Key Terms.]",
                "B|General Cap Amount",
                "B|- The General Cap Amount is $1,000; a Serious Adverse Event (SAE) is reported.",
                "B|Reports from scanning tools (e.g., Black Duck, FOSSA or Snyk Code) are provided.",
                note="statute names, section and form titles, names with acronyms, quoted names, check boxes, "
                     "drafting notes, a cover page's variables, “X” and “Y” mean"),
        example("B|Capitalized terms not defined in this Cover Page have the meanings given in the Bonterms "
                "Mutual NDA.",
                "B|The Purpose and the Confidentiality Period apply from the Effective Date.",
                note="a cover page that takes its definitions from standard terms the check does not have"),
        example("B|The \"Purchase Price\" is $1,000 per share; \"Net Income\" or \"Net Profit\" means income.",
                "B|Purchaser pays the Purchase Price, less any Net Profit, on the date stated.",
                note="definitions written “The “X” is” and ““X” or “Y” means”"),
        example("B|This Amendment modifies the Master Services Agreement between the parties.",
                "B|Credits apply as the Service Credits did, from the Effective Date.",
                note="an amendment takes its terms from the agreement it amends"),
        example("B|Dividends are included in the Conversion Amount on each conversion.",
                config={"known_terms": ["Conversion Amount"]}, note="a known term in the configuration"),
        example("B|Dividends are included in the Conversion Amount on each conversion.",
                config={"report_undefined": False}, note="switched off in the configuration"),
    ) + _REACH_PASSES,
)

RULES: tuple[Rule, ...] = (CONFLICT, UNUSED, VARIANT, UNDEFINED)
