"""The group leader's emergency sheet: a PDF to carry, so it works without a phone.

Every traveller of a group (one institution's people with a place on the exchange) with their
date of birth, emergency contact, the parent's phone and a travelling guardian's, medical and
dietary notes, allergies, identity document number and where they sleep (host family or
room); and the
numbers to call at the destination: the partner city's for a trip abroad, Poland's and the city
office's for an exchange in Olsztyn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload

from exchange import clock
from exchange.auth.models import Viewer
from exchange.exchanges.models import Direction, Exchange
from exchange.extensions import db
from exchange.hosting.models import HostPlacement
from exchange.partners.models import Institution
from exchange.registrations.models import Participant, Registration
from exchange.reports.pdf import FONT, ReportPDF
from exchange.travel.access import travellers_visible_to
from exchange.travel.letters import letter_settings
from exchange.travel.models import IdentityDocument, Room, RoomAssignment, TravellingGuardian
from exchange.travel.queries import place_holders

#: Poland's numbers, for exchanges in Olsztyn
POLAND_NUMBERS = "112 · 999 ambulance / pogotowie · 997 police / policja · 998 fire / straż"


@dataclass
class SheetLine:
    participant: Participant
    document: IdentityDocument | None
    guardian_phones: list[str]
    #: the host family (name, address, phone) or the room
    stay: str


@dataclass
class SheetGroup:
    institution: Institution
    lines: list[SheetLine]


@dataclass
class EmergencySheet:
    exchange: Exchange
    groups: list[SheetGroup]
    #: the destination's emergency numbers, one line per place
    numbers: list[str]


def group_choices(exchange: Exchange, viewer: Viewer) -> list[Institution]:
    """The groups (institutions) of the exchange's travellers ``viewer`` may see."""
    seen: dict[int, Institution] = {}
    for registration in place_holders(exchange, travellers_visible_to(viewer)):
        seen.setdefault(
            registration.participant.institution_id, registration.participant.institution
        )
    return sorted(seen.values(), key=lambda item: item.name)


def _numbers(exchange: Exchange) -> list[str]:
    # the settings are read for every sheet, so a sheet runs the same statements either way
    settings = letter_settings()
    if exchange.direction is Direction.INCOMING:
        office = ", ".join(filter(None, (settings.office_name, settings.phone)))
        return [f"{_('Poland')}: {POLAND_NUMBERS}", _("City office: %(office)s", office=office)]
    return [
        f"{partner.local_name}: {partner.emergency_numbers or '112'}"
        for partner in sorted(exchange.partners, key=lambda item: item.name)
    ]


@dataclass
class _TravellerDetails:
    document: IdentityDocument | None = None
    room: Room | None = None
    guardian_phones: list[str] = field(default_factory=list)


def _traveller_details(
    exchange: Exchange, registrations: list[Registration]
) -> dict[int, _TravellerDetails]:
    """Registration id → the person's document, room and travelling guardians' phones: one
    statement (a row per guardian)."""
    guardian = aliased(Participant)
    rows = db.session.execute(
        sa.select(Registration.id, IdentityDocument, Room, guardian.phone)
        .outerjoin(IdentityDocument, IdentityDocument.participant_id == Registration.participant_id)
        .outerjoin(RoomAssignment, RoomAssignment.registration_id == Registration.id)
        .outerjoin(Room, Room.id == RoomAssignment.room_id)
        .outerjoin(
            TravellingGuardian,
            sa.and_(
                TravellingGuardian.exchange_id == exchange.id,
                TravellingGuardian.minor_id == Registration.participant_id,
            ),
        )
        .outerjoin(guardian, guardian.id == TravellingGuardian.guardian_id)
        .where(Registration.id.in_([registration.id for registration in registrations]))
        .order_by(Registration.id, TravellingGuardian.id)
    )
    details: dict[int, _TravellerDetails] = defaultdict(_TravellerDetails)
    for registration_id, document, room, phone in rows:
        item = details[registration_id]
        item.document, item.room = document, room
        if phone and phone not in item.guardian_phones:
            item.guardian_phones.append(phone)
    return details


def _families(exchange: Exchange, people: list[int]) -> dict[int, str]:
    """Participant id → the host family they stay with: name, address, phone."""
    placements = db.session.scalars(
        sa.select(HostPlacement)
        .options(joinedload(HostPlacement.family))
        .where(HostPlacement.exchange_id == exchange.id, HostPlacement.guest_id.in_(people))
    )
    return {
        placement.guest_id: "\n".join(
            filter(
                None,
                (
                    _("Family %(name)s", name=placement.family.family_name),
                    placement.family.address,
                    placement.family.phone,
                ),
            )
        )
        for placement in placements
    }


def emergency_sheet(exchange: Exchange, viewer: Viewer, group: int | None) -> EmergencySheet:
    """The sheet of one group (an institution id), or of every group ``viewer`` may see."""
    visible = travellers_visible_to(viewer)
    if group is not None:
        visible = sa.and_(
            visible, Registration.participant.has(Participant.institution_id == group)
        )
    registrations = place_holders(exchange, visible)
    details = _traveller_details(exchange, registrations)
    families = _families(exchange, [registration.participant_id for registration in registrations])
    groups: dict[int, SheetGroup] = {}
    for registration in registrations:
        person = registration.participant
        item = details[registration.id]
        stay = families.get(person.id) or (
            _("Room: %(room)s", room=item.room.title) if item.room else ""
        )
        # the parent's phone the school keeps first, then those of guardians travelling along
        phones = [person.parent_phone] if person.parent_phone else []
        phones += [phone for phone in item.guardian_phones if phone not in phones]
        line = SheetLine(person, item.document, phones, stay)
        group_of = groups.setdefault(person.institution_id, SheetGroup(person.institution, []))
        group_of.lines.append(line)
    return EmergencySheet(
        exchange=exchange,
        groups=sorted(groups.values(), key=lambda item: item.institution.name),
        numbers=_numbers(exchange),
    )


# --- the PDF --------------------------------------------------------------------------------


class SheetPDF(ReportPDF):
    """A landscape page with the confidentiality note and the creation time on every page."""

    def __init__(self, title: str) -> None:
        super().__init__(title, orientation="landscape")
        self.made_at = format_datetime(clock.now(), "short")

    def header(self) -> None:
        self.set_font(FONT, "B", 8)
        self.set_text_color(160, 0, 0)
        self.cell(
            self.epw / 2,
            5,
            _("Confidential — personal data. Keep it safe, destroy it after the trip."),
        )
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=8)
        self.cell(self.epw / 2, 5, _("Created %(when)s", when=self.made_at), align="R")
        self.ln(7)
        self.set_font(FONT, size=9)


def _health(person: Participant) -> str:
    parts = []
    if person.allergic_to_animals:
        parts.append(_("Allergic to animals"))
    diets = ", ".join(str(diet.label) for diet in sorted(person.diet_set, key=lambda d: d.value))
    for label, text in (
        (_("Medical"), person.medical_notes),
        (_("Diet"), ", ".join(filter(None, (diets, person.dietary_notes)))),
    ):
        if text.strip():
            parts.append(f"{label}: {text.strip()}")
    return "\n".join(parts)


def _row(index: int, line: SheetLine) -> list[str]:
    person = line.participant
    contact = "\n".join(
        filter(None, (person.emergency_contact_name, person.emergency_contact_phone))
    )
    document = line.document
    return [
        str(index),
        f"{person.last_name}, {person.first_name}",
        format_date(person.date_of_birth),
        contact,
        "\n".join(line.guardian_phones),
        _health(person),
        f"{document.kind.label}\n{document.number}" if document else "",
        line.stay,
    ]


def emergency_sheet_pdf(sheet: EmergencySheet) -> bytes:
    exchange = sheet.exchange
    title = _("Emergency sheet: %(exchange)s", exchange=exchange.title)
    pdf = SheetPDF(title)
    header = [
        _("No."), _("Full name"), _("Date of birth"), _("Emergency contact"), _("Guardian's phone"),
        _("Medical notes, diet, allergies"), _("Document"), _("Host family or room"),
    ]  # fmt: skip
    widths: list[float] = [10, 40, 26, 40, 30, 55, 28, 48]
    groups: list[SheetGroup | None] = list(sheet.groups) or [None]
    for group in groups:
        pdf.add_page()
        pdf.heading(title, 13)
        pdf.paragraph(
            f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}"
            + (f" · {exchange.city}" if exchange.city else "")
        )
        pdf.set_font(FONT, "B", 11)
        pdf.paragraph(_("Emergency numbers"))
        pdf.set_font(FONT, size=10)
        for line in sheet.numbers:
            pdf.paragraph(line)
        if group is None:
            pdf.paragraph(_("Nobody has a place yet."))
            continue
        pdf.heading(_("Group: %(institution)s", institution=group.institution.name), 11)
        pdf.data_table(
            header,
            [_row(index, line) for index, line in enumerate(group.lines, start=1)],
            [True, *[False] * (len(header) - 1)],
            col_widths=widths,
        )
        pdf.paragraph(ngettext("%(num)d traveller.", "%(num)d travellers.", len(group.lines)))
    return bytes(pdf.output())
