"""The host family sheets as XLSX and PDF: one family's guests, or the full list of an exchange.

What a family needs: their guest, arrival and departure, diets, allergies and medical notes,
and the phone of the guests' leader for emergencies.
"""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from exchange.core import spreadsheets
from exchange.hosting.queries import SheetLine
from exchange.reports.exports import ReportPDF


def _header() -> list[str]:
    return [
        _("Family"), _("School"), _("Address"), _("Phone"), _("Guest"), _("Guest's school"),
        _("Gender"), _("Age"), _("Arrival"), _("Departure"), _("Diets"),
        _("Allergic to animals"), _("Dietary needs"), _("Medical notes"),
        _("Guests' leader"), _("Leader's phone"),
    ]  # fmt: skip


def _leader(line: SheetLine) -> tuple[str, str]:
    leader = line.leader
    if leader is None:
        return "", ""
    return leader.full_name, leader.phone or leader.emergency_contact_phone


def _sheet_rows(lines: list[SheetLine]) -> list[list[object]]:
    rows = []
    for line in lines:
        guest, family, exchange = line.guest, line.family, line.exchange
        rows.append(
            [
                family.family_name,
                family.institution.name,
                family.address,
                family.phone,
                guest.full_name,
                guest.institution.name,
                guest.gender.label,
                guest.age_on(exchange.start_date),
                exchange.start_date,
                exchange.end_date,
                ", ".join(diet.label for diet in sorted(guest.diet_set)),
                _("Yes") if guest.allergic_to_animals else _("No"),
                guest.dietary_notes,
                guest.medical_notes,
                *_leader(line),
            ]  # fmt: skip
        )
    return rows


def sheet_xlsx(title: str, lines: list[SheetLine]) -> bytes:
    formats: list[str | None] = [None] * 8 + [spreadsheets.DATE_FORMAT] * 2 + [None] * 6
    return spreadsheets.workbook_bytes([(title, _header(), _sheet_rows(lines), formats)])


def sheet_pdf(title: str, lines: list[SheetLine]) -> bytes:
    """A page per family: the family, then each guest with what the family needs to know."""
    pdf = ReportPDF(title)
    by_family: dict[int, list[SheetLine]] = {}
    for line in lines:
        by_family.setdefault(line.family.id, []).append(line)
    if not by_family:
        pdf.add_page()
        pdf.heading(title, 14)
        pdf.paragraph(_("No guest is placed with a family."))
    for family_lines in by_family.values():
        family = family_lines[0].family
        pdf.add_page()
        pdf.heading(title, 14)
        pdf.heading(f"{family.family_name} · {family.institution.name}", 12)
        pdf.paragraph(f"{family.address} · {family.phone}")
        for line in family_lines:
            guest, exchange = line.guest, line.exchange
            leader_name, leader_phone = _leader(line)
            pdf.heading(f"{guest.full_name} ({guest.institution.name})", 11)
            facts = [
                (_("Exchange"), exchange.title),
                (_("Arrival"), format_date(exchange.start_date)),
                (_("Departure"), format_date(exchange.end_date)),
                (_("Gender"), guest.gender.label),
                (_("Age"), str(guest.age_on(exchange.start_date))),
                (_("Diets"), ", ".join(diet.label for diet in sorted(guest.diet_set)) or "—"),
                (_("Allergic to animals"), _("Yes") if guest.allergic_to_animals else _("No")),
                (_("Dietary needs"), guest.dietary_notes or "—"),
                (_("Medical notes"), guest.medical_notes or "—"),
                (_("Guests' leader"), leader_name or "—"),
                (_("Leader's phone"), leader_phone or "—"),
            ]
            pdf.data_table(
                [_("What"), _("Details")],
                [[label, value] for label, value in facts],
                [False, False],
                [pdf.epw * 0.3, pdf.epw * 0.7],
            )
    return bytes(pdf.output())
