"""The trip card (*karta wycieczki*, after the regulation of 25 May 2018, Dz.U. 2018 poz. 1055)
and the participant list of a sending school, as PDF (and the list as XLSX). The caller chooses
the language (``force_locale``): Polish by default, English on request."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from exchange.core import spreadsheets
from exchange.paperwork.trip_card import TimetableRow, TripCard
from exchange.registrations.models import Participant
from exchange.reports.exports import ReportPDF

#: the line a signature goes on
SIGNATURE_LINE = "." * 60
REGULATION = "Dz.U. 2018 poz. 1055"


def _name(person: Participant | None) -> str:
    return person.full_name if person else "—"


def _timetable_when(row: TimetableRow) -> str:
    text = format_date(row.day)
    if row.start is not None:
        text += f" {row.start:%H:%M}"
        if row.end is not None:
            text += f"–{row.end:%H:%M}"
    return text


def _facts(pdf: ReportPDF, facts: list[tuple[str, str]]) -> None:
    pdf.data_table([_("Item"), _("Details")], [list(pair) for pair in facts], [False, False],
                   col_widths=[55, 125])  # fmt: skip


def draw_card(pdf: ReportPDF, card: TripCard) -> None:
    """The trip card on new pages of ``pdf``."""
    exchange = card.exchange
    pdf.add_page()
    pdf.heading(_("TRIP CARD"), 16)
    pdf.paragraph(_("Under the regulation of the Minister of National Education of 25 May 2018 "
                    "on school tourism (%(regulation)s).", regulation=REGULATION))  # fmt: skip
    pdf.paragraph(f"{card.institution.name}, {card.institution.address}".rstrip(", "))
    group = card.group
    _facts(
        pdf,
        [
            (_("Aim and programme of the trip"),
             "\n".join(filter(None, (exchange.title, exchange.description)))),
            (_("Country"), card.countries),
            (_("Route (destination)"), card.destination),
            (_("Dates"), f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}"),
            (_("Number of days"), str(exchange.days)),
            (_("Class or group"), card.classes or card.institution.name),
            (_("Number of participants"), str(group.confirmed)),
            (_("of whom minors"), str(group.minors)),
            (_("of whom adults"), str(group.adults)),
            (_("Number of pupils"), str(len(card.pupils))),
            (_("Trip leader"), _name(card.leader)),
            (_("Number of chaperones"), str(len(card.chaperones))),
            (_("Chaperones"), ", ".join(person.full_name for person in card.chaperones) or "—"),
            (_("Means of transport"), card.transport or "—"),
        ],
    )  # fmt: skip
    pdf.heading(_("Timetable"), 11)
    pdf.data_table(
        [_("Date and time"), _("Km"), _("Place"), _("Programme")],
        [[_timetable_when(row), row.km, row.place, row.programme] for row in card.timetable],
        [False, True, False, False],
        col_widths=[38, 12, 50, 80],
    )
    pdf.heading(_("DECLARATION"), 11)
    pdf.paragraph(_("I undertake to observe the safety rules for the whole duration of the "
                    "trip."))  # fmt: skip
    pdf.ln(4)
    _signature(pdf, _("Trip leader (name and signature)"), _name(card.leader))
    for person in card.chaperones:
        _signature(pdf, _("Chaperone (name and signature)"), person.full_name)
    if not card.chaperones:
        _signature(pdf, _("Chaperones (names and signatures)"), "")
    pdf.ln(2)
    _signature(pdf, _("I approve: head teacher (date, stamp and signature)"), "")
    pdf.heading(_("Annex: list of the pupils"), 11)
    pdf.data_table(
        [_("No."), _("Last name"), _("First name"), _("Class"), _("Date of birth")],
        [[str(number), person.last_name, person.first_name, person.school_class,
          format_date(person.date_of_birth)]
         for number, person in enumerate(card.pupils, start=1)],
        [True, False, False, False, False],
        col_widths=[12, 55, 50, 25, 38],
    )  # fmt: skip


def _signature(pdf: ReportPDF, label: str, name: str) -> None:
    if pdf.will_page_break(14):
        pdf.add_page()
    pdf.paragraph(f"{label}: {name}")
    pdf.paragraph(SIGNATURE_LINE)


def trip_card_pdf(card: TripCard) -> bytes:
    title = _("Trip card: %(exchange)s", exchange=card.exchange.title)
    pdf = ReportPDF(title)
    draw_card(pdf, card)
    return bytes(pdf.output())


# --- the participant list -------------------------------------------------------------------


def list_table(card: TripCard) -> tuple[list[str], list[list]]:
    header = [
        _("No."), _("Last name"), _("First name"), _("Class"), _("Date of birth"),
        _("Age on the first day"), _("Parent's phone"),
    ]  # fmt: skip
    rows = [
        [
            number,
            person.last_name,
            person.first_name,
            person.school_class,
            person.date_of_birth,
            card.age(person),
            person.parent_phone,
        ]
        for number, person in enumerate(card.pupils, start=1)
    ]
    return header, rows


_LIST_FORMATS = [spreadsheets.INTEGER_FORMAT, None, None, None, spreadsheets.DATE_FORMAT,
                 spreadsheets.INTEGER_FORMAT, None]  # fmt: skip


def participant_list_xlsx(card: TripCard) -> bytes:
    header, rows = list_table(card)
    return spreadsheets.workbook_bytes([(_("Participant list"), header, rows, _LIST_FORMATS)])


def participant_list_pdf(card: TripCard) -> bytes:
    exchange = card.exchange
    title = _("Participant list: %(exchange)s", exchange=exchange.title)
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.heading(title, 14)
    pdf.paragraph(card.institution.name)
    pdf.paragraph(f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)} · "
                  f"{card.destination}")  # fmt: skip
    header, rows = list_table(card)
    pdf.data_table(
        header,
        [[format_date(cell) if col == 4 else str(cell) for col, cell in enumerate(row)]
         for row in rows],
        [True, False, False, False, False, True, False],
        col_widths=[10, 35, 30, 15, 28, 22, 40],
    )  # fmt: skip
    pdf.paragraph(_("Trip leader: %(name)s", name=_name(card.leader)))
    chaperones = ", ".join(person.full_name for person in card.chaperones) or "—"
    pdf.paragraph(_("Chaperones: %(names)s", names=chaperones))
    return bytes(pdf.output())
