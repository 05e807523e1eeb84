"""The EU list of travellers for school trips (Council Decision 94/795/JHA), per exchange and
sending school: the pupils who are not EU citizens but live in Poland travel on it, certified
by the competent authority, to an EU partner city instead of with a visa.

The list applies only to an outgoing trip whose every destination is in the EU and outside
Poland; on a trip that leaves the EU (Kaliningrad, Lutsk, Richmond) the roster warns instead.
A pupil whose citizenship is not recorded is not listed: the page counts them, so the school
can fill it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from exchange.core import spreadsheets
from exchange.exchanges.models import Direction, Exchange, exchange_partner
from exchange.extensions import db
from exchange.partners.countries import country_name
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import (
    HOLDING_PLACE,
    Participant,
    ParticipantRole,
    Registration,
)
from exchange.registrations.residence import all_in_eu, is_non_eu_citizen
from exchange.reports.pdf import ReportPDF

HOME_COUNTRY = "PL"


def destinations(exchange: Exchange) -> list[PartnerCity]:
    """The partner cities of the exchange, by name."""
    return list(
        db.session.scalars(
            sa.select(PartnerCity)
            .join(exchange_partner, exchange_partner.c.partner_city_id == PartnerCity.id)
            .where(exchange_partner.c.exchange_id == exchange.id)
            .order_by(PartnerCity.name)
        )
    )


def eu_list_applies(exchange: Exchange, cities: list[PartnerCity]) -> bool:
    """An outgoing trip to partner cities all in the EU, abroad."""
    countries = [city.country.upper() for city in cities]
    return (
        exchange.direction is Direction.OUTGOING
        and all_in_eu(countries)
        and any(code != HOME_COUNTRY for code in countries)
    )


def holding_places(exchange: Exchange, institution: Institution) -> list[Registration]:
    """The registrations of the school's people holding a place on the exchange, by name,
    with their person and school."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.participant)
            .options(joinedload(Registration.participant).joinedload(Participant.institution))
            .where(
                Registration.exchange_id == exchange.id,
                Registration.status.in_(HOLDING_PLACE),
                Participant.institution_id == institution.id,
            )
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )


def travelling(exchange: Exchange, institution: Institution) -> list[Participant]:
    """The school's people holding a place on the exchange, by name."""
    return [registration.participant for registration in holding_places(exchange, institution)]


def participant_with_school(participant_id: int) -> Participant | None:
    """A person with their school, for their consent form (the caller has checked access)."""
    return db.session.scalar(
        sa.select(Participant)
        .options(joinedload(Participant.institution))
        .where(Participant.id == participant_id)
    )


@dataclass
class EuList:
    exchange: Exchange
    institution: Institution
    cities: list[PartnerCity]
    applies: bool
    #: the school's registered adults, who accompany the pupils
    teachers: list[Participant] = field(default_factory=list)
    #: pupils who are not EU citizens: the list itself
    pupils: list[Participant] = field(default_factory=list)
    #: pupils whose citizenship is not recorded (not listed)
    unknown: list[Participant] = field(default_factory=list)


def build_eu_list(exchange: Exchange, institution: Institution) -> EuList:
    cities = destinations(exchange)
    result = EuList(exchange, institution, cities, eu_list_applies(exchange, cities))
    for person in travelling(exchange, institution):
        if person.role is ParticipantRole.PUPIL:
            if is_non_eu_citizen(person.citizenship):
                result.pupils.append(person)
            elif not person.citizenship:
                result.unknown.append(person)
        elif not person.is_minor_on(exchange.start_date):
            result.teachers.append(person)
    return result


def destination_line(cities: list[PartnerCity]) -> str:
    return ", ".join(f"{city.name} ({country_name(city.country)})" for city in cities)


def _document(person: Participant) -> str:
    if person.residence_document_kind is None:
        return ""
    parts = [person.residence_document_kind.label, person.residence_document_number]
    if person.residence_document_expires_on:
        parts.append(
            _("valid until %(day)s", day=format_date(person.residence_document_expires_on))
        )
    return ", ".join(part for part in parts if part)


def pupil_table(eu_list: EuList, *, printed: bool = False) -> tuple[list[str], list[list]]:
    """The header and rows of the pupils; ``printed``: every cell as text, for the PDF."""
    header = [
        _("No."), _("Last name"), _("First name"), _("Date of birth"), _("Place of birth"),
        _("Nationality"), _("Residence document"),
    ]  # fmt: skip
    rows = [
        [
            index,
            person.last_name,
            person.first_name,
            format_date(person.date_of_birth) if printed else person.date_of_birth,
            person.place_of_birth,
            country_name(person.citizenship),
            _document(person),
        ]
        for index, person in enumerate(eu_list.pupils, start=1)
    ]
    if printed:
        rows = [[str(value) for value in row] for row in rows]
    return header, rows


def _eu_list_title() -> str:
    return _("List of travellers for school trips within the European Union")


def eu_list_pdf(eu_list: EuList) -> bytes:
    exchange, school = eu_list.exchange, eu_list.institution
    pdf = ReportPDF(_eu_list_title(), orientation="landscape")
    pdf.add_page()
    pdf.heading(_eu_list_title(), 14)
    pdf.paragraph(_("Council Decision 94/795/JHA of 30 November 1994"))
    facts = [
        (_("School"), school.name),
        (_("Address of the school"), school.address),
        (_("Destination"), destination_line(eu_list.cities)),
        (_("Dates of the trip"),
         f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}"),
        (_("Accompanying teachers"),
         ", ".join(f"{person.first_name} {person.last_name}" for person in eu_list.teachers)),
    ]  # fmt: skip
    pdf.data_table([_("Trip"), ""], [[label, value] for label, value in facts], [False, False],
                   col_widths=[60, 200])  # fmt: skip
    header, rows = pupil_table(eu_list, printed=True)
    pdf.heading(_("Pupils who are not citizens of a member state of the European Union"), 11)
    pdf.data_table(
        header,
        rows,
        [True, *[False] * (len(header) - 1)],
        col_widths=[10, 35, 35, 25, 35, 30, 90],
    )
    _certification(pdf)
    return bytes(pdf.output())


def _certification(pdf: ReportPDF) -> None:
    """The space for the certifying authority: its stamp, a signature and the date."""
    if pdf.get_y() > pdf.h - 65:
        pdf.add_page()
    pdf.ln(2)
    pdf.heading(_("Certification by the competent authority"), 10)
    pdf.paragraph(
        _("The authority certifies that the pupils listed above are residents of Poland and "
          "may re-enter its territory.")
    )  # fmt: skip
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, 120, 35)
    pdf.set_xy(pdf.l_margin + 2, top + 2)
    pdf.cell(0, 5, _("Stamp of the authority"))
    pdf.set_xy(pdf.l_margin + 140, top + 20)
    pdf.cell(0, 5, "....................................................")
    pdf.set_xy(pdf.l_margin + 140, top + 26)
    pdf.cell(0, 5, _("Date, signature"))
    pdf.set_y(top + 40)


def eu_list_xlsx(eu_list: EuList) -> bytes:
    exchange, school = eu_list.exchange, eu_list.institution
    facts_rows = [
        [_("School"), school.name],
        [_("Address of the school"), school.address],
        [_("Destination"), destination_line(eu_list.cities)],
        [
            _("Dates of the trip"),
            f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}",
        ],
        *[[_("Accompanying teacher"), f"{p.first_name} {p.last_name}"] for p in eu_list.teachers],
    ]
    header, rows = pupil_table(eu_list)
    formats = [spreadsheets.INTEGER_FORMAT, None, None, spreadsheets.DATE_FORMAT, None, None, None]
    return spreadsheets.workbook_bytes(
        [
            (_("Trip"), [_("Trip"), ""], facts_rows, [None, None]),
            (_("Pupils"), header, rows, formats),
        ]
    )
