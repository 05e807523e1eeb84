"""The invitation letter as PDF, in the letter's own language (Polish or English, whatever the
language of the page that asks for it): the letterhead and the signatory as they were on the
day it was issued, the guests with their dates of birth and document numbers, the exchange's
dates, place and purpose, and who pays for what."""

from __future__ import annotations

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf.enums import XPos, YPos

from exchange.reports.pdf import FONT, ReportPDF
from exchange.travel.letters import LetterGuestLine
from exchange.travel.models import InvitationLetter


def _place(letter: InvitationLetter) -> str:
    exchange = letter.exchange
    return ", ".join(filter(None, (exchange.venue, exchange.city or "Olsztyn")))


def _guest_rows(guests: list[LetterGuestLine], language: str) -> list[list[str]]:
    rows = []
    for index, line in enumerate(guests, start=1):
        person, document = line.participant, line.document
        institution = person.institution
        partner = institution.partner_city
        rows.append(
            [
                str(index),
                f"{person.last_name}, {person.first_name}",
                format_date(person.date_of_birth),
                f"{document.kind.label} {document.number}" if document else _("not known"),
                ", ".join(
                    filter(None, (institution.name, partner.name_in(language) if partner else ""))
                ),
            ]
        )
    return rows


def letter_pdf(letter: InvitationLetter, guests: list[LetterGuestLine]) -> bytes:
    language = letter.language.value
    with force_locale(language):
        return _draw(letter, guests, language)


def _draw(letter: InvitationLetter, guests: list[LetterGuestLine], language: str) -> bytes:
    head = letter.letterhead
    exchange = letter.exchange
    pdf = ReportPDF(_("Invitation letter %(reference)s", reference=letter.reference))
    pdf.add_page()
    # the letterhead
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 7, head.get("office_name", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, head.get("address", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    contacts = " · ".join(
        filter(
            None,
            (
                _("phone %(phone)s", phone=head["phone"]) if head.get("phone") else "",
                head.get("email", ""),
                head.get("website", ""),
            ),
        )
    )
    pdf.cell(0, 5, contacts, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + pdf.epw, pdf.get_y() + 1)
    pdf.ln(5)
    pdf.cell(pdf.epw / 2, 5, _("Reference: %(reference)s", reference=letter.reference))
    pdf.cell(
        pdf.epw / 2,
        5,
        _("Olsztyn, %(date)s", date=format_date(letter.issued_on, "long")),
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(8)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, _("INVITATION"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.ln(4)
    dates = {
        "start": format_date(exchange.start_date, "long"),
        "end": format_date(exchange.end_date, "long"),
    }
    if len(guests) == 1:
        invites = _(
            "The City of Olsztyn, Poland, invites the following person to Olsztyn from "
            "%(start)s to %(end)s:",
            **dates,
        )
    else:
        invites = _(
            "The City of Olsztyn, Poland, invites the following persons to Olsztyn from "
            "%(start)s to %(end)s:",
            **dates,
        )
    pdf.paragraph(invites)
    pdf.data_table(
        [_("No."), _("Full name"), _("Date of birth"), _("Identity document"), _("Institution")],
        _guest_rows(guests, language),
        [True, False, False, False, False],
        col_widths=[10, 44, 28, 44, 64],
    )
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, _("Exchange"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.paragraph(exchange.title)
    for label, text in (
        (_("Dates"), f"{format_date(exchange.start_date, 'long')} – "
                     f"{format_date(exchange.end_date, 'long')}"),
        (_("Place"), _place(letter)),
        (_("Purpose of the visit"), letter.purpose),
        (_("Costs"), letter.costs),
    ):  # fmt: skip
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=10)
        pdf.paragraph(text)
    pdf.ln(2)
    pdf.paragraph(
        _(
            "We kindly ask the consular authorities of the Republic of Poland to issue the "
            "visas the guests need for this visit."
        )
    )
    pdf.ln(14)
    signatory = head.get("signatory_name", "")
    pdf.set_x(pdf.l_margin + pdf.epw / 2)
    pdf.multi_cell(
        pdf.epw / 2,
        5,
        "\n".join(filter(None, (signatory, head.get("signatory_position", "")))),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
