"""The notice to the education superintendent (*zawiadomienie kuratora oświaty*) of a trip
abroad: a letter from the head teacher with the country and length of stay, the programme, the
leader and chaperones and the pupils with their ages, and the trip card attached. The addressee
comes from the settings (``SUPERINTENDENT_ADDRESS``), the sender from the institution record.

A school is reminded on its dashboard when a trip abroad starts within ``NOTICE_DAYS`` days and
its notice has not been produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from exchange import clock
from exchange.exchanges.models import Direction, Exchange, ExchangeStatus, exchange_partner
from exchange.extensions import db
from exchange.paperwork.models import TripStaff
from exchange.paperwork.trip_card import HOME_COUNTRY, TripCard, school_holds_place
from exchange.paperwork.trip_exports import REGULATION, SIGNATURE_LINE, draw_card
from exchange.partners.models import PartnerCity
from exchange.reports.exports import ReportPDF

#: a school is reminded this many days before a trip abroad starts
NOTICE_DAYS = 14


def addressee() -> str:
    """The superintendent's address from the settings (``SUPERINTENDENT_ADDRESS``)."""
    return current_app.config["SUPERINTENDENT_ADDRESS"]


def notice_pdf(card: TripCard) -> bytes:
    exchange, school = card.exchange, card.institution
    title = _("Notice of a trip abroad: %(exchange)s", exchange=exchange.title)
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.paragraph("\n".join(filter(None, (school.name, school.address, school.contact_email,
                                         school.contact_phone))))  # fmt: skip
    pdf.paragraph(_("Olsztyn, %(date)s", date=format_date(clock.today(), "long")))
    pdf.set_x(pdf.l_margin + 95)
    pdf.multi_cell(0, 5, addressee())
    pdf.ln(6)
    pdf.heading(_("Notice of a school trip abroad"), 13)
    pdf.paragraph(_(
        "Under the regulation of the Minister of National Education of 25 May 2018 on school "
        "tourism (%(regulation)s), %(school)s gives notice of a trip abroad organised for its "
        "pupils.", regulation=REGULATION, school=school.name))  # fmt: skip
    pdf.data_table(
        [_("Item"), _("Details")],
        [
            [_("Country"), card.countries],
            [_("Destination"), card.destination],
            [_("Length of stay"),
             _("%(start)s – %(end)s (%(days)d days)", start=format_date(exchange.start_date),
               end=format_date(exchange.end_date), days=exchange.days)],
            [_("Trip leader"), card.leader.full_name if card.leader else "—"],
            [_("Chaperones"), ", ".join(p.full_name for p in card.chaperones) or "—"],
            [_("Number of pupils"), str(len(card.pupils))],
        ],
        [False, False],
        col_widths=[55, 125],
    )  # fmt: skip
    pdf.heading(_("Programme of the stay"), 11)
    pdf.data_table(
        [_("Day"), _("Time"), _("Place"), _("Programme")],
        [[format_date(item.day), f"{item.start_time:%H:%M}", item.place, item.activity]
         for item in exchange.programme],
        [False, False, False, False],
        col_widths=[30, 20, 50, 80],
    )  # fmt: skip
    pdf.heading(_("Pupils taking part"), 11)
    pdf.data_table(
        [_("No."), _("Last name"), _("First name"), _("Age")],
        [[str(number), person.last_name, person.first_name, str(card.age(person))]
         for number, person in enumerate(card.pupils, start=1)],
        [True, False, False, True],
        col_widths=[12, 70, 70, 28],
    )  # fmt: skip
    pdf.paragraph(_("Attached: the trip card."))
    pdf.ln(6)
    pdf.paragraph(_("Head teacher (stamp and signature)"))
    pdf.paragraph(SIGNATURE_LINE)
    draw_card(pdf, card)
    return bytes(pdf.output())


# --- the reminder ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeDue:
    exchange_id: int
    title: str
    start_date: date


def notices_due(institution_id: int | None, today: date) -> list[NoticeDue]:
    """The trips abroad of the school (with people holding a place) that start within
    ``NOTICE_DAYS`` days, today included, whose notice has not been produced: one query."""
    if institution_id is None:
        return []
    abroad = (
        sa.select(exchange_partner.c.exchange_id)
        .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
        .where(exchange_partner.c.exchange_id == Exchange.id, PartnerCity.country != HOME_COUNTRY)
        .exists()
    )
    noticed = (
        sa.select(TripStaff.id)
        .where(
            TripStaff.exchange_id == Exchange.id,
            TripStaff.institution_id == institution_id,
            TripStaff.notice_produced_at.is_not(None),
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(Exchange.id, Exchange.title, Exchange.start_date)
        .where(
            Exchange.direction == Direction.OUTGOING,
            Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)),
            Exchange.start_date >= today,
            Exchange.start_date <= today + timedelta(days=NOTICE_DAYS),
            abroad,
            school_holds_place(institution_id),
            ~noticed,
        )
        .order_by(Exchange.start_date, Exchange.id)
    )
    return [NoticeDue(row.id, row.title, row.start_date) for row in rows]
