"""Rules of the 'parties' family: the parties' names and defined roles, read from the document itself.

The parties are read from the preamble (the opening paragraphs, up to the first numbered
paragraph or the recitals): each entity name ("Ascent Solar Technologies, Inc.", "Global Ichiban
Limited") with the role it is defined as ("Company", "Purchaser"). Signature blocks ("COMPANY:"
over "ASCENT SOLAR TECHNOLOGIES, INC.") are read too. No term sheet is needed.

``parties.name``: the name of a party written otherwise anywhere in the file: "Ascent Solar
Technology, Inc." for "Ascent Solar Technologies, Inc.", "Global Ichiban Ltd." for "Global Ichiban
Limited". Case, spacing and the comma before the suffix do not count (signature blocks are in
capitals); another word, another spelling or another suffix does.
``parties.role``: a party's name given the role defined for another party, in a later definition
("Global Ichiban Limited (the "Company")") or in a signature block ("COMPANY:" over the purchaser).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assembler.check.rule import Context, Finding, Rule, Severity, example
from assembler.docmodel.model import Document, Paragraph
from assembler.memo import kept

_SUFFIX = (r"(?:(?i:Inc|Corp|Ltd|Co|Pte\.?\s+Ltd|S\.A|N\.A|B\.V|L\.P|L\.L\.C|L\.L\.P)\."
           r"|(?i:Incorporated|LLC|LLP|LP|GmbH|AG|plc|Pty\s+Ltd|Pte\s+Ltd)\b"
           r"|(?:Limited|LIMITED|Corporation|CORPORATION)\b(?![ \u00a0]+[A-Z][A-Za-z]))")
_WORD = r"(?:[A-Z][\w'’.-]*|[0-9][\w'’-]*)"
_JOIN = r"(?:[ \u00a0]+(?:&|of|of[ \u00a0]+the|de|du|von|van|OF)(?=[ \u00a0]))?[ \u00a0]+"
NAME = re.compile(rf"(?<![\w'’.-]){_WORD}(?:{_JOIN}{_WORD}){{0,7}}?,?[ \u00a0]+{_SUFFIX}")
_LEADING = re.compile(r"^(?:(?:The|THE|This|THIS|Each|EACH|Such|Any|WHEREAS|Whereas|By|BY|Name|Between|BETWEEN"
                      r"|And|AND|Dear|To|TO|Re|RE|From|FROM|Attn)[ \u00a0,:]+)+")
ROLE_AFTER = re.compile(r"(?P<tail>[^()“”\"\n;]{0,160}?)\(\s*(?:each|together|collectively)?\s*,?\s*"
                        r"(?:the\s+|this\s+)?[“\"](?P<role>[A-Z][^”\"]{0,40})[”\"]")
LABEL = re.compile(r"^\s*(?P<role>[A-Z][A-Za-z ]{1,30}?)\s*:\s*(?P<rest>.*)$")
_OPENING_END = re.compile(r"^\s*(?:W\s*I\s*T\s*N\s*E\s*S\s*S\s*E\s*T\s*H|RECITALS?|Recitals?|BACKGROUND|Background"
                          r"|WHEREAS)\b")


@dataclass
class Party:
    name: str                     # as written in the preamble
    role: str | None              # "Company", "Purchaser"
    paragraph: Paragraph


@dataclass
class Mention:
    text: str
    start: int
    paragraph: Paragraph


@kept()
def normal(name: str) -> str:
    """Case, spaces, the comma before the suffix and a final period do not count; kept for recent names."""
    text = re.sub(r"[\s\u00a0]+", " ", name).strip().lower()
    return re.sub(r",(?= )", "", text).rstrip(".")


# what every name NAME reads must contain (a fast test before the regular expression)
_HINTS = ("Inc.", "INC.", "Incorporated", "INCORPORATED", "Ltd", "LTD", "Limited", "LIMITED", "LLC", "L.L.C", "LP",
          "L.P.", "LLP", "L.L.P", "Corp.", "CORP.", "Corporation", "CORPORATION", "Co.", "CO.", "GmbH", "AG", "plc",
          "PLC", "S.A.", "N.A.", "B.V.", "Pte", "PTE", "Pty", "PTY")


_HINT = re.compile("|".join(map(re.escape, _HINTS)))


def names_in(p: Paragraph) -> Iterator[Mention]:
    for text, start in _names(p.text):
        yield Mention(text, start, p)


@kept()
def _names(text: str) -> tuple[tuple[str, int], ...]:
    """(name, where it starts) for every entity's name in *text*; kept for recent texts."""
    if not _HINT.search(text):
        return ()
    found = []
    for m in NAME.finditer(text):
        name = m.group(0)
        lead = _LEADING.match(name)
        start = m.start()
        if lead:
            name, start = name[lead.end():], start + lead.end()
        if not re.match(_WORD, name) or not re.search(r"[A-Za-z]{2}", name.split()[0]):
            continue
        found.append((name, start))
    return tuple(found)


def _mentions_by_paragraph(ctx: Context) -> dict[int, list[Mention]]:
    """The names in each paragraph of the package that names any (names_in), read once per check for both rules of
    the family."""
    def read() -> dict[int, list[Mention]]:
        found = {}
        for p in ctx.paragraphs():
            names = _names(p.text)
            if names:
                found[id(p)] = [Mention(text, start, p) for text, start in names]
        return found
    return ctx.once("party mentions", read)


def _opening(doc: Document) -> list[Paragraph]:
    out = []
    for p in doc.body:
        if p.number is not None or _OPENING_END.match(p.text):
            break
        if p.text.strip():
            out.append(p)
        if len(out) >= 6:
            break
    return out


def _signed(doc: Document) -> list[Party]:
    """The parties of the signature blocks: a role label ("PURCHASER:") over an entity's name."""
    found: list[Party] = []
    body = doc.body
    for i, p in enumerate(body):
        label = LABEL.match(p.text) if ":" in p.text else None      # every label ends with a colon
        if label is None or len(label.group("role").split()) > 3 or not label.group("role").isupper():
            continue
        following = [label.group("rest")] + [q.text for q in body[i + 1:i + 3]]
        for text in following:
            mention = next(names_in(Paragraph(p.document, p.part, p.index, text)), None)
            if mention is not None:
                if not any(normal(x.name) == normal(mention.text) for x in found):
                    found.append(Party(mention.text, label.group("role").strip().title(), p))
                break
    return found


def parties(doc: Document) -> list[Party]:
    """The parties named and defined in the preamble of *doc*; else those of its signature blocks."""
    found: list[Party] = []
    for p in _opening(doc):
        mentions = list(names_in(p))
        for i, mention in enumerate(mentions):
            end = mention.start + len(mention.text)
            limit = mentions[i + 1].start if i + 1 < len(mentions) else len(p.text)
            m = ROLE_AFTER.match(p.text[:limit], end)
            role = m.group("role").strip() if m else None
            if not any(normal(x.name) == normal(mention.text) for x in found):
                found.append(Party(mention.text, role, p))
    return [x for x in found if x.role is not None] or found or _signed(doc)


def _parties_of(ctx: Context, doc: Document) -> list[Party]:
    """parties(doc), read once per check for both rules of the family."""
    return ctx.once(("parties", id(doc)), lambda: parties(doc))


def _similar(a: str, b: str) -> bool:
    na, nb = normal(a), normal(b)
    if na == nb:
        return False
    wa, wb = na.split(), nb.split()
    if wa[0] != wb[0]:
        return False
    if len(wa) > 1 and len(wb) > 1 and wa[1] != wb[1] and difflib.SequenceMatcher(None, wa[1], wb[1]).ratio() < 0.8:
        return False
    return difflib.SequenceMatcher(None, na, nb).ratio() >= 0.75


def find_names(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        known = _parties_of(ctx, doc)
        if not known:
            continue
        exact = {normal(x.name) for x in known}
        mentions = _mentions_by_paragraph(ctx)      # names_in(p) of each paragraph, read once a check
        for p in doc.paragraphs:
            for mention in mentions.get(id(p), ()):
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


def _party_named(known: list[Party], text: str) -> Party | None:
    for x in known:
        if normal(x.name) == normal(text):
            return x
    return None


def find_roles(ctx: Context) -> Iterable[Finding]:
    for doc in ctx.package.documents:
        known = [x for x in _parties_of(ctx, doc) if x.role]
        if len(known) < 2:
            continue
        roles = {x.role.lower(): x for x in known}
        opening = {id(p) for p in _opening(doc)}
        body = doc.paragraphs
        mentions = _mentions_by_paragraph(ctx)      # names_in(p) of each paragraph, read once a check
        for i, p in enumerate(body):
            # a later definition: "Global Ichiban Limited (the "Company")"
            if id(p) not in opening:
                for mention in mentions.get(id(p), ()):
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


# ---------------------------------------------------------------------------------------------

_PREAMBLE = ("B|This Securities Purchase Agreement (this \"Agreement\") is made as of September 18, 2015, by and "
             "between Ascent Solar Technologies, Inc., a Delaware corporation (\"Company\"), and Global Ichiban "
             "Limited (\"Purchaser\").")
_SIGNATURES = ("B|IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date.",
               "S|**COMPANY:**", "S|**ASCENT SOLAR TECHNOLOGIES, INC.**", "S|By: ______________________________",
               "S|Name: Victor Lee", "S|**PURCHASER:**", "S|**GLOBAL ICHIBAN LIMITED**",
               "S|By: LT Asia Management Ltd.", "S|Name: Ashley Ong")
_BODY = "1|**Purchase and Sale.** Company shall sell the Preferred Shares to Purchaser."

NAMES = Rule(
    code="parties.name",
    name="party-name-variant",
    severity=Severity.ERROR,
    description="A party's name written otherwise than in the preamble (\"Ascent Solar Technology, Inc.\").",
    find=find_names,
    fails=(
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY,
                "B|Notices to Company go to Ascent Solar Technology, Inc., 12300 Grant Street.",
                note="Technology for Technologies"),
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY, *_SIGNATURES[:6], "S|**GLOBAL ICHIBAN LTD.**",
                *_SIGNATURES[7:], note="Ltd. for Limited in the signature block"),
        example("T|Securities Purchase Agreement", "B|The parties agree as follows.", _BODY,
                "B|Notices to Purchaser go to Global Ichiban Ltd., Hong Kong.", *_SIGNATURES,
                note="no preamble: the signature blocks name the parties"),
    ),
    passes=(
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY,
                "B|Notices to Company go to Ascent Solar Technologies Inc., 12300 Grant Street, with a copy to "
                "Ascent Holdings Corp. and to Global Markets Limited.",
                *_SIGNATURES, note="capitals, the comma before Inc. and other entities"),
    ),
)

ROLES = Rule(
    code="parties.role",
    name="party-role",
    severity=Severity.ERROR,
    description="A party given another party's defined role: in a later definition or in a signature block.",
    find=find_roles,
    fails=(
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY, *_SIGNATURES[:1], "S|**PURCHASER:**",
                "S|**ASCENT SOLAR TECHNOLOGIES, INC.**", *_SIGNATURES[3:5], "S|**COMPANY:**",
                *_SIGNATURES[6:], note="signature blocks under each other's role"),
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY,
                "B|Global Ichiban Limited (the \"Company\") shall deliver the funds.",
                note="the purchaser defined as the Company"),
    ),
    passes=(
        example("T|Securities Purchase Agreement", _PREAMBLE, _BODY,
                "B|Global Ichiban Limited (the \"Purchaser\") shall deliver the funds.",
                *_SIGNATURES, note="roles as the preamble defines them"),
    ),
)

RULES: tuple[Rule, ...] = (NAMES, ROLES)
