"""The parents' consent and declaration form, one page per pupil, filled from the exchange and
the pupil's data, to print and sign: the trip, its dates and place, the pupil, the version of
the consent text (``CONSENT_TEXT_VERSION``, what a consent recorded from the signed form
carries), the leader the school chose (the trip card's) and the parents' contribution per
pupil (from the trip's accounts) when they are known, else lines to fill in, and lines for the
parent's phone during the trip, date and signature.

In Polish; in English on request (the view chooses the language).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from fpdf.enums import XPos, YPos

from exchange.core.locale import format_money
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.paperwork.eu_list import destination_line
from exchange.paperwork.models import AccountCategory, AccountLine
from exchange.paperwork.trip_card import trip_staff
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import CONSENT_TEXT_VERSION, Participant
from exchange.reports.pdf import ReportPDF

#: a line to fill in by hand
BLANK = "." * 60


def _consent_title() -> str:
    return _("Parent's consent and declaration")


def _consent_fact(pdf: ReportPDF, label: str, value: str) -> None:
    pdf.set_font(style="B")
    pdf.cell(70, 6, label)
    pdf.set_font(style="")
    pdf.multi_cell(0, 6, value or BLANK, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@dataclass(frozen=True)
class KnownFacts:
    """What the school has decided already, printed instead of a blank line."""

    leader: str = ""
    cost: str = ""


def known_facts(exchange: Exchange, institution: Institution) -> KnownFacts:
    """The leader the school chose and the parents' contribution per pupil of its accounts
    (the lines of parents' contributions, each an amount per pupil; several are added up)."""
    staff = trip_staff(exchange, institution)
    leader = staff.leader.full_name if staff is not None and staff.leader is not None else ""
    per_pupil = db.session.scalars(
        sa.select(AccountLine.unit_amount).where(
            AccountLine.exchange_id == exchange.id,
            AccountLine.institution_id == institution.id,
            AccountLine.category == AccountCategory.PARENTS,
        )
    ).all()
    cost = format_money(sum(per_pupil, Decimal("0.00"))) if per_pupil else ""
    return KnownFacts(leader=leader, cost=cost)


def _consent_page(
    pdf: ReportPDF,
    exchange: Exchange,
    cities: list[PartnerCity],
    person: Participant,
    facts: KnownFacts,
):
    pdf.add_page()
    pdf.heading(_consent_title(), 14)
    pdf.paragraph(_("Consent text version %(version)s", version=CONSENT_TEXT_VERSION))
    pdf.heading(_("The trip"), 11)
    _consent_fact(pdf, _("Trip"), exchange.title)
    _consent_fact(pdf, _("Destination"), destination_line(cities) or exchange.city)
    _consent_fact(pdf, _("Dates of the trip"),
          f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}")  # fmt: skip
    _consent_fact(pdf, _("Leader of the trip"), facts.leader)
    _consent_fact(pdf, _("Cost for the parent"), facts.cost)
    pdf.ln(2)
    pdf.heading(_("The pupil"), 11)
    _consent_fact(pdf, _("Name"), person.full_name)
    _consent_fact(pdf, _("Date of birth"), format_date(person.date_of_birth))
    _consent_fact(pdf, _("School"), person.institution.name)
    pdf.ln(2)
    pdf.heading(_("Consent and declaration"), 11)
    for text in (
        _("I consent to my child's taking part in the trip described above."),
        _("I declare that my child has no health reasons not to take part in the trip, and I "
          "have told the leader about my child's health, diet and medicines."),
        _("I undertake to pay the cost of the trip, and to cover any damage my child causes."),
        _("My child will follow the rules of the trip and the leader's and chaperones' "
          "instructions."),
        _("I consent to the processing of my child's personal data for the organisation of "
          "the trip (consent text version %(version)s).", version=CONSENT_TEXT_VERSION),
    ):  # fmt: skip
        pdf.paragraph(f"• {text}")
    _consent_fact(pdf, _("Parent's phone during the trip"), "")
    _consent_fact(pdf, _("Parent or legal guardian"), "")
    pdf.ln(14)
    y = pdf.get_y()
    pdf.cell(80, 5, BLANK[:40])
    pdf.set_x(pdf.l_margin + 100)
    pdf.cell(0, 5, BLANK)
    pdf.set_xy(pdf.l_margin, y + 5)
    pdf.cell(80, 5, _("Place and date"))
    pdf.set_x(pdf.l_margin + 100)
    pdf.cell(0, 5, _("Signature of the parent or legal guardian"))


def consent_forms_pdf(
    exchange: Exchange,
    cities: list[PartnerCity],
    people: Sequence[Participant],
    facts: KnownFacts | None = None,
) -> bytes:
    """A page for each pupil (one pupil: their form)."""
    pdf = ReportPDF(_consent_title())
    for person in people:
        _consent_page(pdf, exchange, cities, person, facts or KnownFacts())
    if not people:
        pdf.add_page()
        pdf.heading(_consent_title(), 14)
        pdf.paragraph(_("No pupil of the school holds a place on this exchange."))
    return bytes(pdf.output())
