"""Roster exports (CSV and XLSX). Notes on health and diet only when asked for explicitly."""

from __future__ import annotations

from flask_babel import gettext as _

from exchange import clock
from exchange.core import spreadsheets
from exchange.registrations.queries import Roster


def roster_table(roster: Roster, include_notes: bool) -> tuple[list[str], list[list[object]]]:
    start = roster.exchange.start_date
    header = [
        _("Institution"), _("Last name"), _("First name"), _("Date of birth"), _("Age"),
        _("Gender"), _("Country"), _("Role"), _("Status"), _("Registered at"),
    ]  # fmt: skip
    if include_notes:
        header += [_("Dietary needs"), _("Medical notes")]
    rows = []
    for group in roster.institutions:
        for registration in group.registrations:
            participant = registration.participant
            row: list[object] = [
                group.institution.name,
                participant.last_name,
                participant.first_name,
                participant.date_of_birth,
                participant.age_on(start),
                participant.gender.label,
                participant.country,
                participant.role.label,
                registration.status.label,
                registration.registered_at.astimezone(clock.CITY_TIMEZONE).replace(tzinfo=None),
            ]
            if include_notes:
                row += [participant.dietary_notes, participant.medical_notes]
            rows.append(row)
    return header, rows


def roster_csv(roster: Roster, include_notes: bool) -> str:
    return spreadsheets.csv_text(*roster_table(roster, include_notes))


def roster_xlsx(roster: Roster, include_notes: bool) -> bytes:
    header, rows = roster_table(roster, include_notes)
    number_formats = [None, None, None, spreadsheets.DATE_FORMAT, None, None, None, None, None,
                      spreadsheets.DATETIME_FORMAT]  # fmt: skip
    return spreadsheets.workbook_bytes([(_("Roster"), header, rows, number_formats)])
