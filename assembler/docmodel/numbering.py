"""Word's list-label engine: the label Word displays before each numbered paragraph.

Implements ECMA-376 Part 1 §17.9 as Word applies it (see design/WORD-FACTS.md): paragraph and
style ``w:numPr``, ``w:num`` -> ``w:abstractNum`` (through ``w:numStyleLink``), counters shared
per abstractNum, ``w:startOverride`` on first use of a num, ``w:lvlRestart``, ``w:isLgl`` and the
``w:lvlText`` / ``w:numFmt`` substitution. Works on any .docx, ours or other people's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from operator import itemgetter

from lxml import etree

from assembler.docmodel.ooxml import first_child, qn, story_paragraphs
from assembler.memo import keep, kept

MAX_LEVELS = 9

_VAL = qn("w:val")
_PPR = qn("w:pPr")
_NUMPR = qn("w:numPr")
_NUMID = qn("w:numId")
_ILVL = qn("w:ilvl")
_PSTYLE = qn("w:pStyle")
_BASED_ON = qn("w:basedOn")
_LVL = qn("w:lvl")
_START = qn("w:start")
_NUMFMT = qn("w:numFmt")
_LVLTEXT = qn("w:lvlText")
_LVLRESTART = qn("w:lvlRestart")
_ISLGL = qn("w:isLgl")
_ABSTRACT_NUM = qn("w:abstractNum")
_ABSTRACT_NUM_ID = qn("w:abstractNumId")
_NUM = qn("w:num")
_NUM_ID_ATTR = qn("w:numId")
_LVL_OVERRIDE = qn("w:lvlOverride")
_START_OVERRIDE = qn("w:startOverride")
_NUM_STYLE_LINK = qn("w:numStyleLink")
_STYLE_LINK = qn("w:styleLink")
_STYLE = qn("w:style")
_STYLE_ID = qn("w:styleId")
_TYPE = qn("w:type")
_DEFAULT = qn("w:default")
_ALT = qn("mc:AlternateContent")
_FALLBACK = qn("mc:Fallback")

_SECT_PR = qn("w:sectPr")
_T, _TAB, _DRAWING, _OBJECT, _PICT = qn("w:t"), qn("w:tab"), qn("w:drawing"), qn("w:object"), qn("w:pict")

_PLACEHOLDER = re.compile(r"%([1-9])")


# ---------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class ListLabel:
    """The label Word displays for one numbered ``w:p``, with what REF switches need."""

    text: str
    ilvl: int
    num_id: str
    abstract_id: str
    counters: tuple[int, ...]
    level_texts: tuple[str, ...]
    # For each level 0..ilvl, the levels its w:lvlText refers to (``%1.%2`` -> (0, 1)).
    level_refs: tuple[tuple[int, ...], ...] = field(default=(), repr=False)
    # For each level 0..ilvl, the serial number of the paragraph that last set that counter
    # (-1: never used); identifies the position in the list for ``relative_to``.
    path: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def _context(self, floor: int) -> str:
        """Own labels of levels floor..ilvl, parents a level's lvlText includes not repeated."""
        parts: list[str] = []
        level = self.ilvl
        while level >= floor:
            parts.append(self.level_texts[level])
            refs = self.level_refs[level] if level < len(self.level_refs) else ()
            lowest = min(refs, default=level)
            level = min(lowest, level) - 1
        return _drop_trailing_period("".join(reversed(parts)))

    def full_context(self) -> str:
        """REF ``\\w``: the number with all superior levels, e.g. "II.D" or "III.B.6"."""
        return self._context(0)

    def no_context(self) -> str:
        """REF ``\\n``: the paragraph's own label without its trailing period, e.g. "D"."""
        return _drop_trailing_period(self.text)

    def relative_to(self, other: ListLabel | None) -> str:
        """REF ``\\r``: the number less the superior levels it shares with ``other``'s position."""
        if other is None or other.abstract_id != self.abstract_id:
            return self.full_context()
        shared = 0
        limit = min(self.ilvl, other.ilvl + 1)
        while shared < limit and self._same_at(other, shared):
            shared += 1
        return self._context(shared)

    def _same_at(self, other: ListLabel, level: int) -> bool:
        if self.path and other.path:
            # a level skipped in both (never used since its parent) is shared context too
            return self.path[level] == other.path[level]
        return self.counters[level] == other.counters[level]


_new = object.__new__


def list_label(text: str, ilvl: int, num_id: str, abstract_id: str, counters: tuple[int, ...],
               level_texts: tuple[str, ...], level_refs: tuple[tuple[int, ...], ...], path: tuple[int, ...]) -> ListLabel:
    """`ListLabel(text=text, ilvl=ilvl, ...)`, each field given: the same value, its fields set in the same order,
    at a quarter of the cost (a frozen dataclass's __init__ sets each field through object.__setattr__; a batch
    labels some hundred paragraphs a variant, twice)."""
    label = _new(ListLabel)
    fields = label.__dict__
    fields["text"] = text
    fields["ilvl"] = ilvl
    fields["num_id"] = num_id
    fields["abstract_id"] = abstract_id
    fields["counters"] = counters
    fields["level_texts"] = level_texts
    fields["level_refs"] = level_refs
    fields["path"] = path
    return label


def _drop_trailing_period(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


# ---------------------------------------------------------------------------------------------
# Level definitions


@dataclass(frozen=True, slots=True)
class Level:
    """One ``w:lvl``: start, numFmt, lvlText (pre-split), lvlRestart, isLgl, pStyle."""

    ilvl: int
    start: int = 0
    num_fmt: str = "decimal"
    lvl_text: str = ""
    restart: int | None = None
    is_lgl: bool = False
    pstyle: str | None = None
    pieces: tuple[str | int, ...] = ()
    refs: tuple[int, ...] = ()


#: Word's w:ST_DecimalNumber is a 32-bit signed integer; a value beyond it is not a number Word reads.
_INT_RANGE = 2 ** 31


def _int(element: etree._Element | None, default: int | None = None) -> int | None:
    """The ``w:val`` of *element* as a number; *default* when absent or not a 32-bit number."""
    return default if element is None else _int_attr(element.get(_VAL, ""), default)


def _int_attr(text: str, default: int | None) -> int | None:
    """An integer attribute (w:ilvl): *default* when it is not a 32-bit number."""
    if len(text) > 12:
        return default
    try:
        value = int(text)
    except ValueError:
        return default
    return value if -_INT_RANGE <= value < _INT_RANGE else default


def _on(element: etree._Element | None) -> bool:
    """A ``w:ST_OnOff`` toggle: present and not "0"/"false"/"off"."""
    if element is None:
        return False
    return element.get(_VAL, "true").lower() not in ("0", "false", "off")


def _split_lvl_text(text: str) -> tuple[tuple[str | int, ...], tuple[int, ...]]:
    pieces: list[str | int] = []
    refs: list[int] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > pos:
            pieces.append(text[pos : match.start()])
        level = int(match.group(1)) - 1
        pieces.append(level)
        refs.append(level)
        pos = match.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return tuple(pieces), tuple(sorted(set(refs)))


def parse_level(lvl: etree._Element, ilvl: int | None = None) -> Level:
    """A :class:`Level` from a ``w:lvl`` element (omitted ``w:start`` means 0, per §17.9.26)."""
    if ilvl is None:
        ilvl = _int_attr(lvl.get(_ILVL, "0"), -1)
    num_fmt = None
    start = restart = None
    text = ""
    is_lgl = False
    pstyle = None
    for child in lvl:
        tag = child.tag
        if tag == _START:
            start = _int(child, 0)
        elif tag == _NUMFMT:
            num_fmt = child.get(_VAL)
        elif tag == _ALT and num_fmt is None:
            fallback = child.find(_FALLBACK)
            fmt = fallback.find(_NUMFMT) if fallback is not None else None
            if fmt is not None:
                num_fmt = fmt.get(_VAL)
        elif tag == _LVLTEXT:
            text = child.get(_VAL, "")
        elif tag == _LVLRESTART:
            restart = _int(child)
        elif tag == _ISLGL:
            is_lgl = _on(child)
        elif tag == _PSTYLE:
            pstyle = child.get(_VAL)
    pieces, refs = _split_lvl_text(text)
    return Level(
        ilvl=ilvl,
        start=start if start is not None else 0,
        num_fmt=num_fmt or "decimal",
        lvl_text=text,
        restart=restart,
        is_lgl=is_lgl,
        pstyle=pstyle,
        pieces=pieces,
        refs=refs,
    )


class _NumDef:
    """One resolved ``w:num``: its counting abstractNum, effective levels, all precomputed."""

    __slots__ = (
        "num_id", "abstract_id", "levels", "start_overrides", "starts", "resets", "refs",
        "templates", "getters", "_texts", "_shown",
    )  # fmt: skip

    def __init__(
        self,
        num_id: str,
        abstract_id: str,
        levels: tuple[Level | None, ...],
        start_overrides: tuple[int, ...],
    ):
        self.num_id = num_id
        self.abstract_id = abstract_id
        self.levels = levels
        self.start_overrides = start_overrides  # levels restarted on first use, ascending
        self.starts = tuple(level.start if level is not None else 0 for level in levels)
        self.refs = tuple(level.refs if level is not None else () for level in levels)
        # resets[i]: deeper levels that restart when level i is used (w:lvlRestart).
        self.resets = tuple(
            tuple(
                j
                for j in range(i + 1, MAX_LEVELS)
                if levels[j] is None
                or levels[j].restart is None
                or (levels[j].restart != 0 and i < levels[j].restart)
            )
            for i in range(MAX_LEVELS)
        )
        # templates[k]: lvlText pieces, each a literal or (level, numFmt) with isLgl applied.
        self.templates = tuple(_template(level, levels) for level in levels)
        self.getters = tuple(_getter(refs) for refs in self.refs)
        self._texts: dict[tuple[int, object], str] = {}
        self._shown: dict[tuple, tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]] = {}

    def shown(self, ilvl: int, state: list[int | None]) -> tuple[tuple[str, ...], tuple[int, ...],
                                                                 tuple[tuple[int, ...], ...]]:
        """(own label, displayed counter, referenced levels) of levels 0..ilvl for the counters *state*
        (None: a level not used since its restart), memoised."""
        key = (ilvl, *state)
        found = self._shown.get(key)
        if found is None:
            shown = [v if v is not None else s for v, s in zip(state, self.starts)]
            found = (tuple([self.text(k, shown) for k in range(ilvl + 1)]), tuple(shown[: ilvl + 1]),
                     self.refs[: ilvl + 1])
            keep(self._shown, key, found, _MAX_TEXTS)
        return found

    def text(self, k: int, shown: list[int]) -> str:
        """Own label of level k for the displayed counters (memoised per referenced values)."""
        key = (k, self.getters[k](shown))
        text = self._texts.get(key)
        if text is None:
            text = "".join(piece if isinstance(piece, str) else format_number(shown[piece[0]], piece[1])
                           for piece in self.templates[k])
            keep(self._texts, key, text, _MAX_TEXTS)
        return text


#: Labels a list definition keeps for reuse (an engine may serve many documents built from one template).
_MAX_TEXTS = 20_000


def _getter(refs: tuple[int, ...]):
    if not refs:
        return lambda shown: None
    return itemgetter(*refs)


def _template(level: Level | None, levels: tuple[Level | None, ...]) -> tuple:
    """Pieces of a level's lvlText: literals and (level, numFmt) pairs (isLgl: decimal)."""
    if level is None:
        return ()
    if level.num_fmt == "bullet":
        return (level.lvl_text,) if level.lvl_text else ()
    pieces: list[str | tuple[int, str]] = []
    for piece in level.pieces:
        if isinstance(piece, str):
            pieces.append(piece)
            continue
        ref = levels[piece]
        fmt = ref.num_fmt if ref is not None else "decimal"
        if level.is_lgl and fmt != "none":
            fmt = "decimal"
        if fmt == "bullet":
            fmt = "none"
        pieces.append((piece, fmt))
    return tuple(pieces)


# ---------------------------------------------------------------------------------------------
# Number formats

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip


#: Largest counter written in roman numerals or letters; past it Word's own forms stop making sense
#: (MMMM..., a letter repeated thousands of times) and the label is the decimal number.
MAX_ROMAN = 3999
MAX_LETTERS = 26 * 30


def _roman(n: int) -> str:
    if n > MAX_ROMAN:
        return str(n)
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    """a..z, then aa..zz, aaa..: the letter repeated, as Word does."""
    if n > MAX_LETTERS:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _cardinal(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {_cardinal(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{_cardinal(thousands)} thousand" + (f" {_cardinal(rest)}" if rest else "")


def _ordinal_text(n: int) -> str:
    words = _cardinal(n)
    head, sep, last = words.rpartition("-" if "-" in words.split(" ")[-1] else " ")
    if not sep:
        head, last = "", words
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@kept(4096, longest=None)
def format_number(n: int, num_fmt: str) -> str:
    """One counter in a ``w:numFmt`` (unknown formats and values out of range: decimal)."""
    if num_fmt == "decimal":
        return str(n)
    if num_fmt == "none":
        return ""
    if n <= 0:
        return "0" if num_fmt == "decimalZero" else str(n)
    if num_fmt == "upperRoman":
        return _roman(n)
    if num_fmt == "lowerRoman":
        return _roman(n).lower()
    if num_fmt == "upperLetter":
        return _letters(n).upper()
    if num_fmt == "lowerLetter":
        return _letters(n)
    if num_fmt == "decimalZero":
        return f"{n:02d}"
    if num_fmt == "ordinal":
        return _ordinal(n)
    if num_fmt == "cardinalText" and n < 1_000_000:
        words = _cardinal(n)
        return words[0].upper() + words[1:]
    if num_fmt == "ordinalText" and n < 1_000_000:
        words = _ordinal_text(n)
        return words[0].upper() + words[1:]
    return str(n)


# ---------------------------------------------------------------------------------------------
# Engine


class _Styles:
    """Paragraph and numbering ``w:style`` entries of styles.xml, reduced to what lists need."""

    def __init__(self, styles_root: etree._Element | None):
        self.based_on: dict[str, str] = {}
        self.num_pr: dict[str, tuple[str | None, int | None]] = {}
        self.numbering_styles: dict[str, str] = {}  # numbering style id -> numId
        self.default_paragraph: str | None = None
        self.paragraph_ids: set[str] = set()
        if styles_root is None:
            return
        for style in styles_root.iter(_STYLE):
            style_id = style.get(_STYLE_ID)
            if style_id is None:
                continue
            kind = style.get(_TYPE, "paragraph")
            ppr = style.find(_PPR)
            num_pr = _read_num_pr(ppr)
            if kind == "numbering":
                if num_pr is not None and num_pr[0] is not None:
                    self.numbering_styles[style_id] = num_pr[0]
                continue
            if kind != "paragraph":
                continue
            self.paragraph_ids.add(style_id)
            if _on_attr(style.get(_DEFAULT)) and self.default_paragraph is None:
                self.default_paragraph = style_id
            based = style.find(_BASED_ON)
            if based is not None and based.get(_VAL):
                self.based_on[style_id] = based.get(_VAL)
            if num_pr is not None:
                self.num_pr[style_id] = num_pr


def _holds_nothing(p: etree._Element) -> bool:
    """Whether a ``w:p`` has no content but its properties: no run text, tab, drawing or object."""
    for child in p:
        if child.tag == _PPR:
            continue
        for el in child.iter(_T, _TAB, _DRAWING, _OBJECT, _PICT):
            if el.tag != _T or el.text:
                return False
    return True


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")


def _read_num_pr(ppr: etree._Element | None) -> tuple[str | None, int | None] | None:
    """(numId, ilvl) of a ``w:pPr/w:numPr``; ``None`` if there is no numPr."""
    if ppr is None:
        return None
    num_pr = ppr.find(_NUMPR)
    if num_pr is None:
        return None
    num_id = ilvl = None
    for child in num_pr:
        if child.tag == _NUMID:
            num_id = child.get(_VAL)
        elif child.tag == _ILVL:
            ilvl = _int(child, 0)
    return num_id, ilvl


class NumberingEngine:
    """Labels paragraphs as Word does, from numbering.xml and styles.xml roots (either may be None)."""

    def __init__(self, numbering_root: etree._Element | None, styles_root: etree._Element | None):
        self._styles = _Styles(styles_root)
        self._abstract: dict[str, etree._Element] = {}
        self._abstract_by_style_link: dict[str, str] = {}
        self._num_abstract: dict[str, str] = {}
        self._num_elements: dict[str, etree._Element] = {}
        if numbering_root is not None:
            for child in numbering_root:
                if child.tag == _ABSTRACT_NUM:
                    aid = child.get(_ABSTRACT_NUM_ID)
                    if aid is None:
                        continue
                    self._abstract.setdefault(aid, child)
                    link = child.find(_STYLE_LINK)
                    if link is not None and link.get(_VAL):
                        self._abstract_by_style_link.setdefault(link.get(_VAL), aid)
                elif child.tag == _NUM:
                    nid = child.get(_NUM_ID_ATTR)
                    ref = child.find(_ABSTRACT_NUM_ID)
                    if nid is None or ref is None or ref.get(_VAL) is None:
                        continue
                    self._num_abstract.setdefault(nid, ref.get(_VAL))
                    self._num_elements.setdefault(nid, child)
        self._abstract_levels: dict[str, tuple[Level | None, ...]] = {}
        self._nums: dict[str, _NumDef | None] = {}
        self._style_cache: dict[str | None, tuple[str, int | None, tuple[str, ...]] | None] = {}
        self._pstyle_level: dict[tuple[str, str], int] | None = None

    # -- definitions -------------------------------------------------------------------------

    def _resolve_abstract(self, abstract_id: str) -> str | None:
        """The abstractNum that really holds the levels, following ``w:numStyleLink`` (no cycles)."""
        seen: set[str] = set()
        current = abstract_id
        while current not in seen:
            seen.add(current)
            element = self._abstract.get(current)
            if element is None:
                return None
            link = element.find(_NUM_STYLE_LINK)
            if link is None or not link.get(_VAL):
                return current
            style_id = link.get(_VAL)
            target = None
            num_id = self._styles.numbering_styles.get(style_id)
            if num_id is not None:
                target = self._num_abstract.get(num_id)
            if target is None or target in seen:
                target = self._abstract_by_style_link.get(style_id)
            if target is None:
                return None
            current = target
        return None

    def _levels_of(self, abstract_id: str) -> tuple[Level | None, ...]:
        levels = self._abstract_levels.get(abstract_id)
        if levels is None:
            found: list[Level | None] = [None] * MAX_LEVELS
            for lvl in self._abstract[abstract_id].iter(_LVL):
                level = parse_level(lvl)
                if 0 <= level.ilvl < MAX_LEVELS and found[level.ilvl] is None:
                    found[level.ilvl] = level
            levels = self._abstract_levels[abstract_id] = tuple(found)
        return levels

    def _num(self, num_id: str) -> _NumDef | None:
        """The resolved ``w:num`` (levels with its ``w:lvlOverride``s applied); None if unusable."""
        if num_id in self._nums:
            return self._nums[num_id]
        abstract_ref = self._num_abstract.get(num_id)
        if abstract_ref is None:
            return None   # not kept: only the lists the part defines are (an engine may serve many documents)
        result = None
        abstract_id = self._resolve_abstract(abstract_ref) if abstract_ref is not None else None
        if abstract_id is not None:
            levels = list(self._levels_of(abstract_id))
            restarts: list[int] = []
            for override in self._num_elements[num_id].iter(_LVL_OVERRIDE):
                try:
                    ilvl = int(override.get(_ILVL, ""))
                except ValueError:
                    continue
                if not 0 <= ilvl < MAX_LEVELS:
                    continue
                lvl = override.find(_LVL)
                if lvl is not None:
                    replaced = parse_level(lvl, ilvl)
                    base = levels[ilvl]
                    # Word ignores w:lvlRestart inside an override's w:lvl (MS-OI29500 17.9.11).
                    restart = base.restart if base is not None else None
                    levels[ilvl] = replace(replaced, restart=restart)
                start = _int(override.find(_START_OVERRIDE))
                if start is not None:
                    base = levels[ilvl] or Level(ilvl=ilvl)
                    levels[ilvl] = replace(base, start=start)
                    restarts.append(ilvl)
            result = _NumDef(num_id, abstract_id, tuple(levels), tuple(sorted(set(restarts))))
        self._nums[num_id] = result
        return result

    def _level_for_pstyle(self, num: _NumDef, chain: tuple[str, ...]) -> int | None:
        """ilvl of the abstractNum level whose ``w:pStyle`` names a style of the chain."""
        for style_id in chain:
            for level in num.levels:
                if level is not None and level.pstyle == style_id:
                    return level.ilvl
        return None

    def _style_numbering(self, style_id: str | None) -> tuple[str, int | None, tuple[str, ...]] | None:
        """(numId, ilvl or None, style chain) from a paragraph style's numPr, following basedOn."""
        if style_id in self._style_cache:
            return self._style_cache[style_id]
        styles = self._styles
        chain: list[str] = []
        num_id = None
        ilvl = None
        current = style_id
        while current is not None and current not in chain:
            chain.append(current)
            num_pr = styles.num_pr.get(current)
            if num_pr is not None:
                if ilvl is None and num_pr[1] is not None:
                    ilvl = num_pr[1]
                if num_pr[0] is not None:
                    num_id = num_pr[0]
                    break
            current = styles.based_on.get(current)
        result = (num_id, ilvl, tuple(chain)) if num_id is not None else None
        self._style_cache[style_id] = result
        return result

    # -- labelling ---------------------------------------------------------------------------

    def _numbering_of(self, p: etree._Element, styles: list[str | None] | None = None) -> tuple[_NumDef, int] | None:
        """(num, ilvl) that numbers a ``w:p``, from its own pPr or its style; None if unnumbered. *styles*, if
        given, takes the style id the paragraph names (the w:val of its first pPr's first pStyle; None if none),
        read on the way so that a reader needing it does not look for it again."""
        ppr = first_child(p, _PPR)
        style_id = None
        num_id = None
        ilvl = None
        named = styles is None     # whether the style id is given to *styles* (or not wanted)
        if ppr is not None:
            for child in ppr:
                tag = child.tag
                if tag == _PSTYLE:
                    style_id = child.get(_VAL)
                    if not named:
                        styles.append(style_id)
                        named = True
                elif tag == _SECT_PR and _holds_nothing(p):
                    # an empty paragraph that only carries a section break shows no number and
                    # does not count (Common Paper forms: "8.4" in the text, as Word and LibreOffice show)
                    if not named:
                        pstyle = first_child(ppr, _PSTYLE)
                        styles.append(None if pstyle is None else pstyle.get(_VAL))
                    return None
                elif tag == _NUMPR:
                    for item in child:
                        if item.tag == _NUMID:
                            num_id = item.get(_VAL)
                        elif item.tag == _ILVL:
                            ilvl = _int(item, 0)
        if not named:
            styles.append(None)
        if style_id is None or style_id not in self._styles.paragraph_ids:
            style_id = self._styles.default_paragraph
        if num_id is None or ilvl is None:
            from_style = self._style_numbering(style_id)
            if num_id is None:
                if from_style is None:
                    return None
                num_id = from_style[0]
                if num_id == "0":
                    return None
                if ilvl is None:
                    ilvl = from_style[1]
                if ilvl is None:
                    num = self._num(num_id)
                    if num is None:
                        return None
                    ilvl = self._level_for_pstyle(num, from_style[2])
            elif from_style is not None:
                ilvl = from_style[1]
        if num_id == "0" or num_id is None:
            return None
        num = self._num(num_id)
        if num is None:
            return None
        if ilvl is None:
            ilvl = 0
        if not 0 <= ilvl < MAX_LEVELS or num.levels[ilvl] is None:
            return None
        return num, ilvl

    def label_paragraphs(self, paragraphs: Iterable[etree._Element],
                         styles: list[str | None] | None = None) -> list[ListLabel | None]:
        """The label of each ``w:p`` of one story, in document order (fresh counters per call); *styles*, if
        given, takes the style id each paragraph names (None if none)."""
        counters: dict[str, list[int | None]] = {}
        paths: dict[str, list[int]] = {}
        used: set[str] = set()
        out: list[ListLabel | None] = []
        for serial, p in enumerate(paragraphs):
            found = self._numbering_of(p, styles)
            if found is None:
                out.append(None)
                continue
            num, ilvl = found
            aid = num.abstract_id
            state = counters.get(aid)
            if state is None:
                state = counters[aid] = [None] * MAX_LEVELS
                paths[aid] = [-1] * MAX_LEVELS
            path = paths[aid]
            if num.num_id not in used:
                used.add(num.num_id)
                # an override restarts its level when the level used is that level or one above;
                # the levels above the one used keep counting (WORD-FACTS: startOverride)
                for k in num.start_overrides:
                    if k >= ilvl:
                        state[k] = None
                        path[k] = -1
            current = state[ilvl]
            state[ilvl] = num.starts[ilvl] if current is None else current + 1
            path[ilvl] = serial
            for deeper in num.resets[ilvl]:
                state[deeper] = None
                path[deeper] = -1
            texts, shown, refs = num.shown(ilvl, state)
            out.append(list_label(texts[ilvl], ilvl, num.num_id, aid, shown, texts, refs, tuple(path[: ilvl + 1])))
        return out


def number_document(package) -> list[tuple[etree._Element, ListLabel | None]]:
    """Each body ``w:p`` of a :class:`~assembler.docmodel.ooxml.Package` with its list label."""
    engine = NumberingEngine(package.numbering, package.styles)
    paragraphs = list(story_paragraphs(package.body))
    return list(zip(paragraphs, engine.label_paragraphs(paragraphs), strict=True))
