"""The render context: every value a template may print, formatted once from the term sheet.

Templates never format numbers themselves; they print the strings computed here, so a figure and
its words always come from one value.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from assembler.render import words
from assembler.xref.markers import AnchorNamespace, RefNamespace

#: The JOBS Act (Pub. L. 112-106, enacted April 5, 2012) redesignated Section 4(2) of the Securities
#: Act as Section 4(a)(2); an agreement cites the section as numbered on its own date.
JOBS_ACT_ENACTED = _dt.date(2012, 4, 5)


def section_4_2_cite(on: _dt.date) -> str:
    return "Section 4(a)(2)" if on >= JOBS_ACT_ENACTED else "Section 4(2)"


def series_name(letter: str) -> str:
    """'Series J Preferred Stock', with a no-break space so that "Series" and its letter stay on one line."""
    return f"Series\u00a0{letter} Preferred Stock"


def _counted(n: int, unit: str) -> str:
    """'one year', 'two years' - a period in words, as the seed writes look-back periods."""
    return f"{words.cardinal_words(n)} {unit}{'' if n == 1 else 's'}"


def build_context(ts, document: str) -> dict[str, Any]:
    """The Jinja context for one document of the package (*document* names its own labels)."""
    return document_context(deal_values(ts), document)


def document_context(values: dict[str, Any], document: str) -> dict[str, Any]:
    """*values* plus the label namespaces of *document* (computed once, shared by the three documents)."""
    return {**values,
            "anchor": AnchorNamespace(document),
            "ref": RefNamespace(document),
            "ref_agreement": RefNamespace("agreement"),
            "ref_glossary": RefNamespace("glossary"),
            "ref_certificate": RefNamespace("certificate")}


def deal_values(ts) -> dict[str, Any]:
    """Every value of the deal, formatted once for printing."""
    price = ts.purchase.price_per_share
    items = []
    for index, closing in enumerate(ts.closings, 1):
        items.append({
            "date": words.long_date(closing.date),
            "shares_words": words.shares_words(closing.shares),
            "amount_words": words.money_words(closing.shares * price),
            "roman": words.lower_roman(index),
        })
    share_counts = {c.shares for c in ts.closings}
    bo = ts.beneficial_ownership
    cert = ts.certificate
    tz = ts.notices.time_zone
    return {
        "deal_name": ts.deal_name,
        "effective_date": words.long_date(ts.effective_date),
        "company": {
            "name": ts.company.name,
            "state": ts.company.state,
            "entity_type": ts.company.entity_type,
            "signatory": {"name": ts.company.signatory.name, "title": ts.company.signatory.title},
        },
        "purchaser": {
            "name": ts.purchaser.name,
            "us_person": ts.purchaser.us_person,
            "signature_chain": list(ts.purchaser.signature_chain),
            "signatory": {"name": ts.purchaser.signatory.name, "title": ts.purchaser.signatory.title},
        },
        "series": ts.series,
        "series_name": series_name(ts.series),
        "purchase": {
            "amount_words": words.money_words(ts.purchase.shares * price),
            "shares_words": words.shares_words(ts.purchase.shares),
            "price": words.money(price),
        },
        "closings": {
            "count": len(items),
            "count_words": f"{words.cardinal_words(len(items))} ({len(items)})",
            "equal": len(share_counts) == 1,
            "schedule": items,
        },
        "exemption": {
            "section_4_2": "section_4_2" in ts.exemptions,
            "rule_506": "rule_506" in ts.exemptions,
            "regulation_s": "regulation_s" in ts.exemptions,
            "section_4_2_cite": section_4_2_cite(ts.effective_date),
        },
        "redemption": {
            "enabled": ts.mandatory_redemption.enabled,
            "anniversary": words.ordinal_words(ts.mandatory_redemption.term_years or 1),
        },
        "ownership": {
            "limitation": words.percent(bo.limitation),
            "maximum": words.percent(bo.maximum),
            "notice_days": words.shares_words(bo.notice_days),
            "effective_day": words.ordinal(bo.notice_days),
        },
        "preferred": {
            "par_value": words.money(ts.preferred.par_value),
            "original_issue_price": words.money(ts.preferred.original_issue_price),
            "designated_words": words.shares_words(ts.preferred.shares_designated),
            "authorized_words": words.shares_words(ts.preferred.authorized_preferred_shares),
        },
        "common_par": words.money(ts.common_stock_par_value),
        "dividend_rate": words.percent(ts.dividend_rate),
        "conversion_price": words.money(ts.conversion_price),
        "certificate": {
            "board_meeting_date": words.long_date(cert.board_meeting_date),
            "dgcl_section": str(cert.dgcl_section),
            "execution_day": words.day_ordinal(cert.execution_date),
            "execution_month_year": f"{cert.execution_date:%B}, {cert.execution_date.year}",
        },
        "governing_law": {"state": ts.governing_law.state, "venue": ts.governing_law.venue},
        "notices": {
            "cutoff": f"{ts.notices.cutoff_time} {tz} time",
            "cutoff_short": ts.notices.cutoff_time,
            "late_cutoff": f"{ts.notices.late_cutoff_time} {tz} time",
        },
        "trading": {
            "minimum_hours": str(ts.trading.minimum_hours),
            "markets": words.join_or(list(ts.trading.markets)),
        },
        "cover_page": ts.cover_page,
        "table_of_contents": ts.table_of_contents,
        "draft": None if ts.draft is None else {
            "date": words.long_date(ts.draft.date),
            "version": str(ts.draft.version),
            "document_id": ts.draft.document_id,
        },
        "lookback": {
            "public_reports_filed": _counted(ts.lookback.public_reports_filed_years, "year"),
            "public_reports_definition": _counted(ts.lookback.public_reports_definition_years, "year"),
            "listing_notice": f"{words.cardinal_words(ts.lookback.listing_notice_months)} "
                              f"({ts.lookback.listing_notice_months}) months",
        },
    }
