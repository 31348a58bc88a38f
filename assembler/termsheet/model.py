"""Typed model of a term sheet (the YAML file under ``termsheets/``).

Each model declares its fields with :mod:`assembler.termsheet.fields` and forbids unknown ones.
Values are checked with messages written for the lawyer or paralegal who keeps the term sheet, not
for a programmer. Checks that involve more than one field collect every failure and raise them
together as one ``termsheet`` error whose context carries the list of ``(relative location,
message)`` pairs; :mod:`assembler.termsheet.load` unpacks them into one located problem each.

Derived values (purchase amount, amount per closing, total shares over the closings) are computed
properties: they are never typed in the YAML.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from assembler.termsheet.fields import ERROR_TYPE, Field, ListOf, Loc, Model, OrNone, Value, fail, format_loc

__all__ = [
    "ERROR_TYPE",
    "EXEMPTIONS",
    "BeneficialOwnership",
    "Certificate",
    "Closing",
    "Company",
    "DraftLegend",
    "GoverningLaw",
    "Lookback",
    "MandatoryRedemption",
    "Notices",
    "Preferred",
    "Purchase",
    "Purchaser",
    "Signatory",
    "TermSheet",
    "Trading",
    "describe_value",
    "fail",
    "format_loc",
]

#: The securities-law exemptions the templates know how to draft.
EXEMPTIONS: tuple[str, ...] = ("section_4_2", "rule_506", "regulation_s")


# --------------------------------------------------------------------------------------------
# Messages


def describe_value(value: Any) -> str:
    """How a received value is quoted back in a message: ``'abc'``, ``12.5``, ``a list``."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a value of type {type(value).__name__}"


# --------------------------------------------------------------------------------------------
# Value types


def _check_text(value: Any) -> str:
    if not isinstance(value, str):
        if isinstance(value, (bool, int, float, Decimal, _dt.date)):
            if isinstance(value, _dt.date):
                kind = "date"
            elif isinstance(value, bool):
                kind = "true/false value"
            else:
                kind = "number"
            raise fail(
                f"must be text, got {describe_value(value)} (YAML read it as a {kind}; "
                "put the value in quotes to keep it as written)"
            )
        raise fail(f"must be text, got {describe_value(value)}")
    text = value.strip()
    if not text:
        raise fail("must not be empty")
    if text.isascii() and text.isprintable():  # printable ASCII: no control (Cc) or private-use (Co) character
        return text
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise fail(
                f"must not contain control characters such as line breaks or tabs "
                f"(found U+{ord(ch):04X})"
            )
        if category == "Co":
            raise fail(
                f"must not contain private-use character U+{ord(ch):04X} "
                "(these are reserved for the document renderer)"
            )
    return text


#: Text: stripped, not empty, one line.
Text = Value(_check_text, {"type": "string", "minLength": 1})

_NUMBER_TEXT = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?$")


def _to_decimal(
    value: Any, *, what: str, example: str, prefix: str = "", suffix: str = ""
) -> Decimal:
    if isinstance(value, bool):
        raise fail(f"must be {what} such as {example}, got {describe_value(value)}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip()
        if prefix and text.startswith(prefix):
            text = text[len(prefix):].strip()
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)].strip()
        if not text or not _NUMBER_TEXT.match(text) or text in {"+", "-", ".", "+.", "-."}:
            raise fail(f"must be {what} such as {example}, got {describe_value(value)}")
        try:
            result = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern above already excludes it
            raise fail(f"must be {what} such as {example}, got {describe_value(value)}") from None
    else:
        raise fail(f"must be {what} such as {example}, got {describe_value(value)}")
    if not result.is_finite():
        raise fail(f"must be {what} such as {example}, got {describe_value(value)}")
    return result


def _money(value: Any) -> Decimal:
    amount = _to_decimal(value, what="an amount in dollars", example='"1000.00"', prefix="$")
    if amount <= 0:
        raise fail(f"must be greater than zero, got {describe_value(value)}")
    return amount


def _rate(value: Any) -> Decimal:
    rate = _to_decimal(value, what="a percentage", example='"8" or "4.99"', suffix="%")
    if rate < 0 or rate > 100:
        raise fail(f"must be a percentage from 0 to 100, got {describe_value(value)}")
    return rate


def _limit_percent(value: Any) -> Decimal:
    rate = _to_decimal(value, what="a percentage", example='"4.99"', suffix="%")
    if rate <= 0 or rate > 100:
        raise fail(
            f"must be a percentage greater than 0 and at most 100, got {describe_value(value)}"
        )
    return rate


_MONEY_SCHEMA = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "string", "pattern": r"^\s*\$?\s*(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?\s*$"},
    ],
    "description": "Dollars, written as a quoted string to keep every decimal, e.g. \"1000.00\".",
}
_PERCENT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^\s*(\d+)?(\.\d+)?\s*%?\s*$"},
    ],
    "description": "Percent, e.g. \"8\" for 8% or \"4.99\" for 4.99%.",
}

#: Dollars (prices, par values, conversion price): Decimal > 0, kept exactly as written.
Money = Value(_money, _MONEY_SCHEMA)
#: A rate in percent from 0 to 100.
Rate = Value(_rate, _PERCENT_SCHEMA)
#: A limit in percent, greater than 0 and at most 100.
LimitPercent = Value(_limit_percent, _PERCENT_SCHEMA)


def _count(value: Any) -> int:
    number: Any = value
    if isinstance(value, bool):
        raise fail(f"must be a whole number, got {describe_value(value)}")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+|\d{1,3}(,\d{3})+", text):
            number = int(text.replace(",", ""))
        else:
            raise fail(f"must be a whole number, got {describe_value(value)}")
    elif isinstance(value, (float, Decimal)):
        if isinstance(value, float):
            number = Decimal(str(value))
        if not number.is_finite() or number != number.to_integral_value():
            raise fail(f"must be a whole number, got {describe_value(value)}")
        number = int(number)
    elif not isinstance(value, int):
        raise fail(f"must be a whole number, got {describe_value(value)}")
    if number <= 0:
        raise fail(f"must be greater than zero, got {describe_value(value)}")
    return number


#: A share count or other count of units: int > 0.
Count = Value(_count, {"type": "integer", "minimum": 1})


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        raise fail(
            f"must be a date written as YYYY-MM-DD without a time, got {describe_value(value)}"
        )
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return _dt.date.fromisoformat(text)
            except ValueError:
                raise fail(f"is not a real calendar date: {describe_value(value)}") from None
    raise fail(f"must be a date written as YYYY-MM-DD, got {describe_value(value)}")


#: A date without a time.
Date = Value(_date, {"type": "string", "format": "date"})


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise fail(f"must be true or false, got {describe_value(value)}")


#: true or false.
Flag = Value(_flag, {"type": "boolean"})


def _series(value: Any) -> str:
    if not isinstance(value, str):
        raise fail(f"must be a single capital letter from A to Z, got {describe_value(value)}")
    text = value.strip()
    if len(text) == 1 and "A" <= text <= "Z":
        return text
    if len(text) == 1 and "a" <= text <= "z":
        raise fail(
            f"must be a single capital letter from A to Z, got {describe_value(value)} "
            f"(write '{text.upper()}')"
        )
    raise fail(f"must be a single capital letter from A to Z, got {describe_value(value)}")


#: A series letter, A to Z.
SeriesLetter = Value(_series, {"type": "string", "pattern": "^[A-Z]$"})


def _exemptions(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise fail(f"must be a list of exemptions, got {describe_value(value)}")
    if not value:
        raise fail(
            "must list at least one exemption (allowed: " + ", ".join(EXEMPTIONS) + ")"
        )
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        name = item.strip() if isinstance(item, str) else item
        if name not in EXEMPTIONS:
            problems.append(
                ((index,), f"unknown exemption {describe_value(item)}; allowed: "
                 + ", ".join(EXEMPTIONS))
            )
        elif name in seen:
            problems.append(((index,), f"exemption '{name}' is listed more than once"))
        else:
            seen[name] = index
    if problems:
        raise fail(problems)
    return [item.strip() for item in value]


#: The exemptions claimed: a list of EXEMPTIONS, each once, at least one.
Exemptions = Value(
    _exemptions,
    {"type": "array", "items": {"enum": list(EXEMPTIONS)}, "minItems": 1, "uniqueItems": True},
)


def _non_empty(what: str):
    def check(items: list[Any]) -> list[Any]:
        if not items:
            raise fail(f"must list at least one {what}")
        return items

    return check


# --------------------------------------------------------------------------------------------
# Models


class Signatory(Model):
    """The individual who signs, and the title under which they sign."""

    name = Field(Text)
    title = Field(Text)


class Company(Model):
    """The issuer."""

    name = Field(Text, description="Legal name, e.g. Ascent Solar Technologies, Inc.")
    state = Field(Text, description="State of incorporation, e.g. Delaware.")
    entity_type = Field(Text, description="e.g. corporation.")
    signatory = Field(Signatory)


class Purchaser(Model):
    """The investor."""

    name = Field(Text)
    us_person = Field(Flag, description="True if the purchaser is a U.S. person (Regulation S).")
    signature_chain = Field(ListOf(Text), default_factory=list,
                            description="Entities signing for the purchaser, outermost first; may be empty.")
    signatory = Field(Signatory)


class Preferred(Model):
    """The series of preferred stock designated by the certificate."""

    shares_designated = Field(Count)
    par_value = Field(Money)
    original_issue_price = Field(Money)
    authorized_preferred_shares = Field(Count)


class Purchase(Model):
    """What the purchaser buys in total."""

    price_per_share = Field(Money)
    shares = Field(Count)

    @property
    def amount(self) -> Decimal:
        """Aggregate purchase price: shares x price per share."""
        return self.price_per_share * self.shares


class Closing(Model):
    """One closing: its date and the shares bought at it."""

    date = Field(Date)
    shares = Field(Count)
    _price_per_share: Decimal | None = None

    @property
    def amount(self) -> Decimal | None:
        """Price paid at this closing: shares x purchase price per share.

        Set when the closing is part of a validated :class:`TermSheet`; ``None`` for a
        closing built on its own.
        """
        if self._price_per_share is None:
            return None
        return self._price_per_share * self.shares


class MandatoryRedemption(Model):
    enabled = Field(Flag)
    term_years = Field(OrNone(Count), default=None,
                       description="Required when enabled: redemption on this anniversary.")

    def cross_check(self) -> None:
        if self.enabled and self.term_years is None:
            raise fail(
                [((), "missing required field 'term_years' (required when 'enabled' is true)")]
            )


class BeneficialOwnership(Model):
    limitation = Field(LimitPercent)
    maximum = Field(LimitPercent)
    notice_days = Field(Count)

    def cross_check(self) -> None:
        """The limitation is at most the maximum."""
        if self.limitation > self.maximum:
            raise fail(
                [
                    (
                        ("limitation",),
                        f"the limitation ({_pct(self.limitation)}) is greater than the maximum "
                        f"({_pct(self.maximum)}); it must be at most the maximum",
                    )
                ]
            )


class Certificate(Model):
    """The Certificate of Designations."""

    board_meeting_date = Field(Date)
    dgcl_section = Field(Count)
    execution_date = Field(Date)

    def cross_check(self) -> None:
        """Signed on or after the board meeting that approved it."""
        if self.execution_date < self.board_meeting_date:
            raise fail(
                [
                    (
                        ("execution_date",),
                        f"the certificate is signed ({self.execution_date.isoformat()}) before "
                        f"the board meeting that approved it "
                        f"({self.board_meeting_date.isoformat()})",
                    )
                ]
            )


class GoverningLaw(Model):
    state = Field(Text)
    venue = Field(Text)


class Notices(Model):
    cutoff_time = Field(Text, description='e.g. "5:30 p.m." (quote it).')
    late_cutoff_time = Field(Text, description='e.g. "11:59 p.m." (quote it).')
    time_zone = Field(Text)


class Trading(Model):
    minimum_hours = Field(Count)
    markets = Field(ListOf(Text, check=_non_empty("market")))


class Lookback(Model):
    listing_notice_months = Field(Count)
    public_reports_filed_years = Field(Count)
    public_reports_definition_years = Field(Count)


class DraftLegend(Model):
    """The draft legend printed in the header of every page while the documents are negotiated."""

    date = Field(Date, description="Date of this draft.")
    version = Field(Count, description="Draft number, e.g. 3.")
    document_id = Field(Text, description="The firm's document number, e.g. NY 1234567.")


class TermSheet(Model):
    """A whole term sheet. Build it with :func:`assembler.termsheet.load_termsheet`."""

    schema_title = "Term sheet"
    schema_description = (
        "Term sheet of a preferred-stock financing, read by the assembler toolkit. Derived values "
        "(purchase amount, amount per closing) are computed and must not be typed."
    )

    deal_name = Field(Text)
    effective_date = Field(Date)
    company = Field(Company)
    purchaser = Field(Purchaser)
    series = Field(SeriesLetter, description="Series letter, a single capital A-Z.")
    preferred = Field(Preferred)
    purchase = Field(Purchase)
    closings = Field(ListOf(Closing, check=_non_empty("closing")))
    exemptions = Field(Exemptions)
    dividend_rate = Field(Rate, description="Percent per annum.")
    conversion_price = Field(Money)
    mandatory_redemption = Field(MandatoryRedemption)
    beneficial_ownership = Field(BeneficialOwnership)
    common_stock_par_value = Field(Money)
    certificate = Field(Certificate)
    governing_law = Field(GoverningLaw)
    notices = Field(Notices)
    trading = Field(Trading)
    lookback = Field(Lookback)
    cover_page = Field(Flag, default=False, description="Optional: a cover page before the agreement.")
    table_of_contents = Field(
        Flag, default=False, description="Optional: a table of contents of the agreement's articles and sections, "
        "with their page numbers (laid out by LibreOffice, which the build then needs).")
    draft = Field(
        OrNone(DraftLegend), default=None, description="Optional: a draft legend in the header of every page; leave out "
        "for the execution version.")

    @property
    def closings_total_shares(self) -> int:
        """Shares bought over all the closings."""
        return sum(closing.shares for closing in self.closings)

    def cross_check(self) -> None:
        """Gives each closing the price per share, then refuses any disagreement between fields."""
        for closing in self.closings:
            object.__setattr__(closing, "_price_per_share", self.purchase.price_per_share)
        problems = self.consistency_problems()
        if problems:
            raise fail(problems)

    def consistency_problems(self) -> list[tuple[Loc, str]]:
        """Every disagreement between fields, as ``(location, message)`` pairs."""
        problems: list[tuple[Loc, str]] = []
        total = self.closings_total_shares
        if total != self.purchase.shares:
            problems.append(
                (
                    ("closings",),
                    f"the closings add up to {total:,} shares, but purchase.shares is "
                    f"{self.purchase.shares:,}; they must be equal",
                )
            )
        for index, closing in enumerate(self.closings):
            if closing.date < self.effective_date:
                problems.append(
                    (
                        ("closings", index, "date"),
                        f"closing {index + 1} ({closing.date.isoformat()}) is before the "
                        f"effective date ({self.effective_date.isoformat()})",
                    )
                )
            if index and closing.date <= self.closings[index - 1].date:
                previous = self.closings[index - 1].date
                relation = "the same day as" if closing.date == previous else "before"
                problems.append(
                    (
                        ("closings", index, "date"),
                        f"closing {index + 1} ({closing.date.isoformat()}) is {relation} "
                        f"closing {index} ({previous.isoformat()}); closing dates must be in "
                        "strictly ascending order",
                    )
                )
        if self.purchase.shares > self.preferred.shares_designated:
            problems.append(
                (
                    ("purchase", "shares"),
                    f"{self.purchase.shares:,} shares are purchased but only "
                    f"{self.preferred.shares_designated:,} are designated "
                    "(preferred.shares_designated)",
                )
            )
        if self.preferred.shares_designated > self.preferred.authorized_preferred_shares:
            problems.append(
                (
                    ("preferred", "shares_designated"),
                    f"{self.preferred.shares_designated:,} shares are designated but the "
                    f"company has only {self.preferred.authorized_preferred_shares:,} "
                    "authorized shares of preferred stock (preferred.authorized_preferred_shares)",
                )
            )
        if self.preferred.original_issue_price != self.purchase.price_per_share:
            problems.append(
                (
                    ("preferred", "original_issue_price"),
                    f"the original issue price (${self.preferred.original_issue_price}) differs "
                    f"from the purchase price per share (${self.purchase.price_per_share}); the "
                    "templates state the shares are issued at their original issue price, so "
                    "the two must be equal",
                )
            )
        first = self.closings[0].date
        if self.certificate.execution_date > first:
            problems.append(
                (
                    ("certificate", "execution_date"),
                    f"the certificate is executed ({self.certificate.execution_date.isoformat()}) after "
                    f"the first closing ({first.isoformat()}); Section II.B of the agreement requires it "
                    "executed and filed on or before the initial closing",
                )
            )
        problems.extend(self._signature_problems())
        if "regulation_s" in self.exemptions and self.purchaser.us_person:
            problems.append(
                (
                    ("exemptions", self.exemptions.index("regulation_s")),
                    "regulation_s (offshore transactions) can be claimed only when the purchaser "
                    "is not a U.S. person, but purchaser.us_person is true",
                )
            )
        if self.company.state != "Delaware":
            problems.append(
                (
                    ("company", "state"),
                    f"the Certificate of Designations is drafted under the Delaware General "
                    f"Corporation Law, so the company must be a Delaware corporation (got "
                    f"{self.company.state!r})",
                )
            )
        if self.company.entity_type != "corporation":
            problems.append(
                (
                    ("company", "entity_type"),
                    "a certificate of designations is filed by a corporation; entity_type must be "
                    f"'corporation' (got {self.company.entity_type!r})",
                )
            )
        return problems

    def _signature_problems(self) -> list[tuple[Loc, str]]:
        """Each entity in a signature chain names its capacity; each title fits the entity signed for."""
        problems: list[tuple[Loc, str]] = []
        chain = self.purchaser.signature_chain
        for index, signer in enumerate(chain):
            if signer_capacity(signer) is None:
                problems.append(
                    (
                        ("purchaser", "signature_chain", index),
                        f"{signer!r} signs for another entity, so the signature block must say in what "
                        f"capacity: write it as '{signer}, its general partner' (or its manager, its "
                        "investment manager, its attorney-in-fact...)",
                    )
                )
        parties = (
            (("company", "signatory", "title"), self.company.name, self.company.signatory.title),
            (
                ("purchaser", "signatory", "title"),
                signer_entity(chain[-1]) if chain else self.purchaser.name,
                self.purchaser.signatory.title,
            ),
        )
        for loc, entity, title in parties:
            message = title_mismatch(entity, title)
            if message:
                problems.append((loc, message))
        return problems

    def closing_amounts(self) -> list[Decimal]:
        """Price paid at each closing, in closing order."""
        return [closing.shares * self.purchase.price_per_share for closing in self.closings]


def _pct(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


# --------------------------------------------------------------------------------------------
# Signature blocks

_CAPACITY = re.compile(r",\s+(its|as)\s+\S.*$")
_FORMS = (
    ("limited partnership", re.compile(r"\b(L\.?\s?L\.?\s?L\.?\s?P\.?|L\.?\s?P\.?|limited partnership)$", re.I)),
    ("limited liability company",
     re.compile(r"\b(L\.?\s?L\.?\s?C\.?|limited liability company)$", re.I)),
    ("corporation or company limited by shares", re.compile(r"\b(Inc\.?|Incorporated|Corp\.?|Corporation|Ltd\.?|Limited|plc|S\.A\.|N\.V\.|AG)$",
                               re.I)),
)


def signer_capacity(signer: str) -> str | None:
    """'RMCP GP, LLC, its general partner' -> 'its general partner'; None when no capacity is named."""
    m = _CAPACITY.search(signer)
    return m.group(0).lstrip(", ").strip() if m else None


def signer_entity(signer: str) -> str:
    """'RMCP GP, LLC, its general partner' -> 'RMCP GP, LLC'."""
    return _CAPACITY.sub("", signer).strip()


def entity_form(name: str) -> str | None:
    """The legal form a name announces by its suffix ('Fund, L.P.' -> 'limited partnership'), or None."""
    text = name.strip().rstrip(",")
    for form, pattern in _FORMS:
        if pattern.search(text):
            return form
    return None


def title_mismatch(entity: str, title: str) -> str | None:
    """Why an individual with *title* cannot sign for *entity*, or None when nothing is wrong."""
    form = entity_form(entity)
    folded = title.lower()
    member = re.search(r"\bmember\b", folded) is not None
    partner = re.search(r"\bpartner\b", folded) is not None
    if form == "limited partnership" and not partner:
        return (f"{entity} is a limited partnership, which acts through its general partner: a "
                f"{title!r} cannot sign for it; add the general partner to the signature chain "
                "(e.g. 'XYZ GP, LLC, its general partner') and give the title the signatory holds there")
    if member and form not in (None, "limited liability company"):
        return f"{title!r} is a title in a limited liability company, but {entity} is a {form}"
    if partner and form not in (None, "limited partnership"):
        return f"{title!r} is a title in a partnership, but {entity} is a {form}"
    return None
