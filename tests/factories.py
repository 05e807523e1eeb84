"""Factories: one per model, objects with sensible defaults, committed; and the form data of a
valid exchange."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, time, timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.auth.models import User
from exchange.auth.passwords import hash_password
from exchange.core.permissions import Role
from exchange.documents import storage
from exchange.documents.models import Document, FileType
from exchange.documents.models import DocumentKind as AttachmentKind
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    Profession,
    ProgrammeItem,
    SchoolLevel,
)
from exchange.extensions import db
from exchange.paperwork.models import (
    AccountCategory,
    AccountLine,
    InsurancePolicy,
    TripChaperone,
    TripStaff,
)
from exchange.partners.models import Institution, InstitutionKind, PartnerCity
from exchange.registrations.models import (
    ConsentMethod,
    ConsentRecord,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from exchange.travel.models import (
    DocumentKind,
    IdentityDocument,
    InvitationLetter,
    LegDirection,
    LegTraveller,
    LetterGuest,
    LetterLanguage,
    Room,
    RoomAssignment,
    RoomKind,
    TravelLeg,
    TravellingGuardian,
    TravelMode,
)

PASSWORD = "correct horse battery staple"  # noqa: S105
_numbers = itertools.count(1)


def institution(levels=(), **values) -> Institution:
    """An institution (a school unless told); ``levels``: the school levels it teaches."""
    number = next(_numbers)
    values.setdefault("name", f"School no. {number}")
    values.setdefault("kind", InstitutionKind.SCHOOL)
    item = Institution(**values)
    item.set_school_levels(SchoolLevel(level) for level in levels)
    db.session.add(item)
    db.session.commit()
    return item


def user(role: str | Role = Role.COORDINATOR, password: str | None = PASSWORD, **values) -> User:
    number = next(_numbers)
    role = Role(role)
    values.setdefault("email", f"user{number}@example.org")
    values.setdefault("full_name", f"User {number}")
    if role is Role.SCHOOL and "institution" not in values:
        values["institution"] = institution()
    item = User(role=role, password_hash=hash_password(password) if password else None, **values)
    db.session.add(item)
    db.session.commit()
    return item


def partner(**values) -> PartnerCity:
    number = next(_numbers)
    values.setdefault("name", f"Partner {number}")
    values.setdefault("slug", f"partner-{number}")
    values.setdefault("country", "DE")
    values.setdefault("year_signed", 2000)
    item = PartnerCity(**values)
    db.session.add(item)
    db.session.commit()
    return item


#: the kind-specific values that make each kind valid
KIND_VALUES = {
    ExchangeKind.YOUTH: {"school_level": SchoolLevel.SECONDARY},
    ExchangeKind.PROFESSIONAL: {
        "profession": Profession.DOCTORS,
        "host_institution": "City Hospital",
    },
    ExchangeKind.COUNCILLORS: {"topic": "Participatory budgeting"},
    ExchangeKind.ARTISTIC: {"ensemble": "Youth Choir", "performances": "Two concerts"},
    ExchangeKind.SPORTS: {"discipline": "Volleyball", "event_name": "Twin Towns Cup"},
    ExchangeKind.TRADE_FAIR: {
        "fair_name": "Oberrhein Messe",
        "stand": "Hall 3, B12",
        "exhibitor_trades": "amber, honey",
    },
}


def some_partner() -> PartnerCity:
    """A partner city: the first one there is, or a new one."""
    partner = db.session.scalar(sa.select(PartnerCity).order_by(PartnerCity.id).limit(1))
    if partner is None:
        number = next(_numbers)
        partner = PartnerCity(
            name=f"Partnerstadt {number}", slug=f"partnerstadt-{number}", country="DE",
            year_signed=1990,
        )  # fmt: skip
        db.session.add(partner)
    return partner


def exchange(
    partners=(),
    *,
    start: date | None = None,
    days: int = 5,
    kind: ExchangeKind = ExchangeKind.YOUTH,
    status: ExchangeStatus = ExchangeStatus.REGISTRATION_OPEN,
    commit: bool = True,
    **values,
) -> Exchange:
    """A valid exchange of ``kind``, open for registration, starting in 60 days, for ``days``
    days, with the first partner city there is, unless told otherwise."""
    number = next(_numbers)
    start = start or clock.today() + timedelta(days=60)
    values.setdefault("title", f"Exchange {number}")
    values.setdefault("direction", Direction.OUTGOING)
    values.setdefault("end_date", start + timedelta(days=days - 1))
    values.setdefault("city", "Offenburg")
    for name, value in KIND_VALUES[kind].items():
        values.setdefault(name, value)
    item = Exchange(kind=kind, status=status, start_date=start, **values)
    item.partners = list(partners) or [some_partner()]
    db.session.add(item)
    if commit:
        db.session.commit()
    return item


def programme_item(exchange: Exchange, day: date | None = None, **values) -> ProgrammeItem:
    values.setdefault("start_time", time(9))
    values.setdefault("end_time", time(11))
    values.setdefault("activity", "Welcome at the town hall")
    item = ProgrammeItem(exchange_id=exchange.id, day=day or exchange.start_date, **values)
    db.session.add(item)
    db.session.commit()
    return item


def participant(institution=None, *, minor: bool = True, consent: bool = True, **values):
    """A pupil of 15 with a guardian's consent (or an adult teacher with ``minor=False``)."""
    number = next(_numbers)
    today = clock.today()
    values.setdefault("first_name", f"Ola{number}")
    values.setdefault("last_name", f"Kowalska{number}")
    values.setdefault("date_of_birth", date(today.year - 15 if minor else today.year - 40, 1, 15))
    values.setdefault("role", ParticipantRole.PUPIL if minor else ParticipantRole.TEACHER)
    values.setdefault("country", "PL")
    if minor:
        values.setdefault("emergency_contact_name", "Anna Kowalska")
        values.setdefault("emergency_contact_phone", "+48 600 100 200")
    else:
        values.setdefault("email", f"teacher{number}@example.org")
    item = Participant(institution=institution or globals()["institution"](), **values)
    if minor and consent:
        item.consents.append(
            ConsentRecord(
                guardian_name="Anna Kowalska",
                given_on=today,
                method=ConsentMethod.PAPER,
                text_version="2026-01",
            )
        )
    db.session.add(item)
    db.session.commit()
    return item


def registration(
    exchange: Exchange, participant: Participant, status=RegistrationStatus.CONFIRMED
) -> Registration:
    item = Registration(
        exchange_id=exchange.id,
        participant_id=participant.id,
        institution_id=participant.institution_id,
        status=status,
    )
    db.session.add(item)
    db.session.commit()
    return item


def travel_leg(exchange: Exchange, travellers=(), **values) -> TravelLeg:
    """An outward coach on the exchange's first day, with these registrations on board."""
    values.setdefault("direction", LegDirection.OUTBOUND)
    values.setdefault("mode", TravelMode.BUS)
    values.setdefault("carrier", "PKS Olsztyn")
    values.setdefault("departure_place", "Olsztyn")
    values.setdefault("departure_date", exchange.start_date)
    values.setdefault("departure_time", time(6))
    values.setdefault("arrival_place", exchange.city or "Offenburg")
    values.setdefault("arrival_date", exchange.start_date)
    values.setdefault("arrival_time", time(20))
    item = TravelLeg(exchange_id=exchange.id, **values)
    item.travellers = [LegTraveller(registration_id=r.id) for r in travellers]
    db.session.add(item)
    db.session.commit()
    return item


def room(exchange: Exchange, occupants=(), **values) -> Room:
    number = next(_numbers)
    values.setdefault("kind", RoomKind.HOSTEL)
    values.setdefault("accommodation", "Youth hostel")
    values.setdefault("name", f"Room {number}")
    values.setdefault("beds", 4)
    item = Room(exchange_id=exchange.id, **values)
    item.occupants = [RoomAssignment(registration_id=r.id) for r in occupants]
    db.session.add(item)
    db.session.commit()
    return item


def travelling_guardian(
    exchange: Exchange, minor: Participant, guardian: Participant
) -> TravellingGuardian:
    item = TravellingGuardian(exchange_id=exchange.id, minor_id=minor.id, guardian_id=guardian.id)
    db.session.add(item)
    db.session.commit()
    return item


def identity_document(participant: Participant, **values) -> IdentityDocument:
    """A passport valid for five more years."""
    values.setdefault("kind", DocumentKind.PASSPORT)
    values.setdefault("number", f"EA{next(_numbers):07d}")
    values.setdefault("issuing_country", "PL")
    values.setdefault("expires_on", clock.today() + timedelta(days=5 * 365))
    item = IdentityDocument(participant_id=participant.id, **values)
    db.session.add(item)
    db.session.commit()
    return item


def form_data(partner_list, kind: ExchangeKind = ExchangeKind.YOUTH, **overrides) -> dict:
    """What the browser sends for a valid new exchange of ``kind``."""
    start = clock.today() + timedelta(days=90)
    data = {
        "title": "Lakes and forests: youth exchange in Offenburg",
        "kind": kind.value,
        "direction": "outgoing",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=6)).isoformat(),
        "partners": [str(partner.id) for partner in partner_list],
        "venue": "Oken-Gymnasium",
        "city": "Offenburg",
        "description": "A week of workshops.",
        "olsztyn_institution_id": "",
        "partner_institution_id": "",
        "coordinator_id": "",
        "capacity": "30",
        "institution_quota": "10",
        "registration_opens": (start - timedelta(days=60)).isoformat(),
        "registration_closes": (start - timedelta(days=20)).isoformat(),
        "min_age": "15",
        "max_age": "19",
        "minors_per_adult": "10",
        "budget_planned": "24000.00",
        "budget_actual": "",
        "currency": "PLN",
        "funding_source": "erasmus_plus",
        "is_public": "y",
    }
    for name, value in KIND_VALUES[kind].items():
        data[name] = str(value.value if hasattr(value, "value") else value)
    data.update(overrides)
    return data


def host_family(institution=None, **values):
    """A family of an Olsztyn school with one bed, who accepts girls or boys, consented today."""
    from exchange.hosting.models import HostFamily

    number = next(_numbers)
    values.setdefault("family_name", f"Nowak{number}")
    values.setdefault("address", f"ul. Kopernika {number}, 10-001 Olsztyn")
    values.setdefault("phone", "+48 600 200 300")
    values.setdefault("languages", "pl,en")
    values.setdefault("consent_given_on", clock.today())
    values.setdefault("consent_method", ConsentMethod.PAPER)
    item = HostFamily(institution=institution or globals()["institution"](), **values)
    db.session.add(item)
    db.session.commit()
    return item


def document(
    exchange: Exchange,
    participant: Participant | None = None,
    *,
    data: bytes = b"%PDF-1.4\n%%EOF\n",
    name: str = "programme.pdf",
    by: User | None = None,
) -> Document:
    """A PDF of the exchange (a programme), or a participant's signed consent form, written
    to the app's DOCUMENTS_DIR as an upload would be."""
    stored_name, _path = storage.write(db.session(), data)
    item = Document(
        exchange_id=exchange.id,
        participant_id=participant.id if participant else None,
        kind=AttachmentKind.CONSENT if participant else AttachmentKind.PROGRAMME,
        original_name=name,
        stored_name=stored_name,
        file_type=FileType.PDF,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=by.id if by else None,
    )
    db.session.add(item)
    db.session.commit()
    return item


def insurance_policy(exchange: Exchange, institution: Institution, **values) -> InsurancePolicy:
    """An accident (NNW) and medical-costs (KL) policy for the exchange's dates."""
    number = next(_numbers)
    values.setdefault("insurer", "PZU SA")
    values.setdefault("policy_number", f"NNW-KL/{number}")
    values.setdefault("covers_nnw", True)
    values.setdefault("covers_kl", True)
    values.setdefault("valid_from", exchange.start_date)
    values.setdefault("valid_to", exchange.end_date)
    item = InsurancePolicy(exchange_id=exchange.id, institution_id=institution.id, **values)
    db.session.add(item)
    db.session.commit()
    return item


def trip_staff(
    exchange: Exchange, institution: Institution, leader=None, chaperones=()
) -> TripStaff:
    """A sending school's leader and chaperones for the trip."""
    item = TripStaff(
        exchange_id=exchange.id,
        institution_id=institution.id,
        leader_id=leader.id if leader else None,
    )
    item.chaperones = [TripChaperone(participant_id=person.id) for person in chaperones]
    db.session.add(item)
    db.session.commit()
    return item


def account_line(
    exchange: Exchange,
    institution: Institution,
    category: AccountCategory = AccountCategory.TRANSPORT,
    unit_amount: str = "100.00",
    quantity: int = 1,
    **values,
) -> AccountLine:
    """A line of the school's trip accounts; ``amount`` is ``unit_amount × quantity``."""
    from decimal import Decimal

    unit = Decimal(unit_amount)
    item = AccountLine(
        exchange_id=exchange.id,
        institution_id=institution.id,
        category=category,
        side=category.side,
        unit_amount=unit,
        quantity=quantity,
        amount=unit * quantity,
        **values,
    )
    db.session.add(item)
    db.session.commit()
    return item


def invitation_letter(exchange: Exchange, guests=(), **values) -> InvitationLetter:
    """A letter of the current year (a number of its own unless told), in English, with these
    participants."""
    today = clock.today()
    values.setdefault("year", today.year)
    values.setdefault("sequence", next(_numbers))
    values.setdefault("reference", f"OA-IV.0123.{values['sequence']}.{values['year']}")
    values.setdefault("issued_on", today)
    values.setdefault("language", LetterLanguage.ENGLISH)
    values.setdefault("purpose", exchange.title)
    values.setdefault("costs", "The city covers accommodation and board.")
    values.setdefault("letterhead", {"office_name": "Urząd Miasta Olsztyna"})
    item = InvitationLetter(exchange_id=exchange.id, **values)
    item.guests = [LetterGuest(participant_id=person.id) for person in guests]
    db.session.add(item)
    db.session.commit()
    return item
