"""Roster exports (CSV and XLSX). Notes on health and diet only when asked for explicitly."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from exchange import clock
from exchange.registrations.queries import Roster
from exchange.spreadsheets import new_workbook


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


def _csv_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def roster_csv(roster: Roster, include_notes: bool) -> str:
    header, rows = roster_table(roster, include_notes)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def roster_xlsx(roster: Roster, include_notes: bool) -> bytes:
    header, rows = roster_table(roster, include_notes)
    workbook, sheet = new_workbook()
    sheet.title = _("Roster")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        letter = get_column_letter(index)
        width = max([len(str(title))] + [len(str(row[index - 1])) for row in rows[:200]])
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 50)
        for cell in sheet[letter][1:]:
            if index == 4:
                cell.number_format = "yyyy-mm-dd"
            elif index == 10:
                cell.number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
