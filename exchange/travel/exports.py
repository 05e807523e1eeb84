"""The manifest of a leg (for the carrier) and the rooming list (for the hotel), as XLSX and
PDF. Identity document numbers never appear in full: a manifest shows the last two
characters, enough to match a passport at the door, useless to anyone who finds the list."""

from __future__ import annotations

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from exchange.core import spreadsheets
from exchange.partners.countries import country_name
from exchange.reports.exports import ReportPDF
from exchange.travel.models import TravelLeg
from exchange.travel.queries import RoomingOverview, TravelOverview
from exchange.travel.rooms import LEADER_ROLES

# --- manifest -------------------------------------------------------------------------------


def _leg_line(leg: TravelLeg) -> str:
    return " · ".join(
        filter(
            None,
            (
                leg.direction.label,
                leg.mode.label,
                " ".join(filter(None, (leg.carrier, leg.number))),
                f"{leg.departure_place} {format_date(leg.departure_date)} "
                f"{leg.departure_time:%H:%M}",
                f"{leg.arrival_place} {format_date(leg.arrival_date)} {leg.arrival_time:%H:%M}",
            ),
        )
    )


def manifest_table(overview: TravelOverview, leg: TravelLeg) -> tuple[list[str], list[list]]:
    header = [
        _("No."), _("Last name"), _("First name"), _("Date of birth"), _("Institution"),
        _("Document"), _("Issued by"), _("Valid until"), _("Number (end)"),
    ]  # fmt: skip
    rows = []
    for index, traveller in enumerate(overview.on_leg.get(leg.id, []), start=1):
        person, document = traveller.participant, traveller.document
        rows.append(
            [
                index,
                person.last_name,
                person.first_name,
                person.date_of_birth,
                person.institution.name,
                document.kind.label if document else "",
                country_name(document.issuing_country) if document else "",
                document.expires_on if document else None,
                document.masked_number if document else "",
            ]
        )
    return header, rows


_MANIFEST_FORMATS = [None, None, None, spreadsheets.DATE_FORMAT, None, None, None,
                     spreadsheets.DATE_FORMAT, None]  # fmt: skip


def manifest_xlsx(overview: TravelOverview, leg: TravelLeg) -> bytes:
    header, rows = manifest_table(overview, leg)
    return spreadsheets.workbook_bytes([(_("Manifest"), header, rows, _MANIFEST_FORMATS)])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


def manifest_pdf(overview: TravelOverview, leg: TravelLeg) -> bytes:
    title = _("Manifest: %(exchange)s", exchange=overview.exchange.title)
    pdf = ReportPDF(title, orientation="landscape")
    pdf.add_page()
    pdf.heading(title, 14)
    pdf.paragraph(_leg_line(leg))
    header, rows = manifest_table(overview, leg)
    pdf.data_table(
        header,
        [[_cell(value) for value in row] for row in rows],
        [True, *[False] * (len(header) - 1)],
    )
    pdf.paragraph(ngettext("%(num)d traveller.", "%(num)d travellers.", len(rows)))
    return bytes(pdf.output())


# --- rooming list ---------------------------------------------------------------------------


def rooming_table(overview: RoomingOverview) -> tuple[list[str], list[list]]:
    header = [
        _("Accommodation"), _("Room"), _("Beds"), _("Last name"), _("First name"),
        _("Gender"), _("Age group"), _("Institution"),
    ]  # fmt: skip
    start = overview.exchange.start_date
    rows = []
    for room in overview.rooms:
        if not overview.occupants[room.id]:
            rows.append([room.accommodation, room.name, room.beds, "", "", "", "", ""])
        for registration in overview.occupants[room.id]:
            person = registration.participant
            if person.is_minor_on(start):
                group = _("Minor")
            elif person.role in LEADER_ROLES:
                group = _("Group leader")
            else:
                group = _("Adult")
            rows.append(
                [
                    room.accommodation,
                    room.name,
                    room.beds,
                    person.last_name,
                    person.first_name,
                    person.gender.label,
                    group,
                    person.institution.name,
                ]
            )
    return header, rows


def rooming_xlsx(overview: RoomingOverview) -> bytes:
    header, rows = rooming_table(overview)
    formats = [None, None, spreadsheets.INTEGER_FORMAT, None, None, None, None, None]
    return spreadsheets.workbook_bytes([(_("Rooming list"), header, rows, formats)])


def rooming_pdf(overview: RoomingOverview) -> bytes:
    exchange = overview.exchange
    title = _("Rooming list: %(exchange)s", exchange=exchange.title)
    pdf = ReportPDF(title, orientation="landscape")
    pdf.add_page()
    pdf.heading(title, 14)
    pdf.paragraph(f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}")
    header, rows = rooming_table(overview)
    pdf.data_table(
        header,
        [[_cell(value) for value in row] for row in rows],
        [False, False, True, False, False, False, False, False],
    )
    return bytes(pdf.output())
