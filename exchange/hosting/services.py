"""Host families: registering them, their rules, and taking them out (deleting, erasing).

Write services take the object they act on, a typed input (``FamilyValues``), then ``by=`` the
acting user; they raise ``HostingError`` naming the field, and flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from exchange import clock
from exchange.auth.models import User
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.hosting.models import (
    AcceptedGuests,
    HostFamily,
    HostPlacement,
)
from exchange.partners.models import Institution
from exchange.registrations.models import (
    ConsentMethod,
    Gender,
    Participant,
    ParticipantRole,
)
from exchange.registrations.participants import clean_diets, clean_languages

MAX_BEDS = 10


class HostingError(DomainError):
    """A rule of host families or matching refused the operation."""


@dataclass
class FamilyValues:
    """A host family's fields, as the form or a caller give them."""

    family_name: str = ""
    address: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    guest_beds: int | None = 1
    languages: str = ""
    has_pets: bool = False
    smoking: bool = False
    diets: str | list[str] = ""
    accepts: AcceptedGuests | str = AcceptedGuests.EITHER
    host_child_id: int | None = None
    host_child_age: int | None = None
    host_child_gender: Gender | str | None = None
    host_child_class: str = ""
    available_from: date | None = None
    available_until: date | None = None
    #: the family agreed to the processing of its data (on ``consent_given_on``)
    consent: bool = False
    consent_given_on: date | None = None
    consent_method: ConsentMethod | str = ConsentMethod.PAPER
    notes: str = ""
    #: filled in by ``clean_family_values``: the host child's participant
    host_child: Participant | None = field(default=None, repr=False)


def _required(text: str, name: str) -> str:
    text = (text or "").strip()
    if not text:
        raise HostingError(_l("This field is required."), field=name)
    return text


def clean_family_values(
    values: FamilyValues, institution: Institution, today: date | None = None
) -> dict:
    """The family's columns, checked; ``HostingError`` names the field of the first problem."""
    today = today or clock.today()
    if institution.partner_city_id is not None:
        raise HostingError(_l("Host families belong to Olsztyn schools."), field="institution_id")
    beds = values.guest_beds
    if beds is None or not 1 <= beds <= MAX_BEDS:
        raise HostingError(
            _l("A family offers from 1 to %(most)d guest beds.", most=MAX_BEDS), field="guest_beds"
        )
    starts, ends = values.available_from, values.available_until
    if starts and ends and ends < starts:
        raise HostingError(
            _l("The last day of availability is before the first."), field="available_until"
        )
    if not values.consent:
        raise HostingError(
            _l("A family is registered only with its consent to the processing of its data."),
            field="consent",
        )
    given_on = values.consent_given_on
    if given_on is None:
        raise HostingError(_l("Give the day the family consented."), field="consent_given_on")
    if given_on > today:
        raise HostingError(_l("Consent cannot be given in the future."), field="consent_given_on")
    columns = {
        "family_name": _required(values.family_name, "family_name"),
        "address": _required(values.address, "address"),
        "contact_name": (values.contact_name or "").strip(),
        "phone": _required(values.phone, "phone"),
        "email": (values.email or "").strip(),
        "guest_beds": beds,
        "languages": clean_languages(values.languages or ""),
        "has_pets": bool(values.has_pets),
        "smoking": bool(values.smoking),
        "diets": clean_diets(values.diets),
        "accepts": AcceptedGuests(values.accepts or AcceptedGuests.EITHER),
        "available_from": starts,
        "available_until": ends,
        "consent_given_on": given_on,
        "consent_method": ConsentMethod(values.consent_method or ConsentMethod.PAPER),
        "notes": (values.notes or "").strip(),
    }
    columns.update(_host_child(values, institution, today))
    return columns


def _host_child(values: FamilyValues, institution: Institution, today: date) -> dict:
    """The host child's columns: a pupil of the school (whose age and gender are taken when
    not given), or only the facts given, or nobody."""
    child = None
    if values.host_child_id is not None:
        child = db.session.get(Participant, values.host_child_id)
        if (
            child is None
            or child.institution_id != institution.id
            or child.role is not ParticipantRole.PUPIL
            or child.anonymised_at is not None
        ):
            raise HostingError(_l("Choose a pupil of the family's school."), field="host_child_id")
    age = values.host_child_age
    gender = Gender(values.host_child_gender) if values.host_child_gender else None
    if child is not None:
        age = child.age_on(today) if age is None else age
        gender = gender or child.gender
    if age is not None and not 0 <= age <= 25:
        raise HostingError(_l("Give the host child's age in years."), field="host_child_age")
    if (gender or (values.host_child_class or "").strip()) and age is None:
        raise HostingError(_l("Give the host child's age in years."), field="host_child_age")
    return {
        "host_child": child,
        "host_child_age": age,
        "host_child_gender": gender,
        "host_child_class": (values.host_child_class or "").strip() if age is not None else "",
    }


def create_family(values: FamilyValues, *, institution: Institution, by: User) -> HostFamily:
    family = HostFamily(
        **clean_family_values(values, institution), institution=institution, created_by_id=by.id
    )
    db.session.add(family)
    db.session.flush()
    return family


def update_family(family: HostFamily, values: FamilyValues, *, by: User) -> HostFamily:
    if family.anonymised_at is not None:
        raise HostingError(_l("This family's data was erased; register the family anew."))
    for name, value in clean_family_values(values, family.institution).items():
        setattr(family, name, value)
    db.session.flush()
    return family


def placement_count(family: HostFamily) -> int:
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HostPlacement)
        .where(HostPlacement.family_id == family.id)
    )
    return count or 0


def delete_family(family: HostFamily, *, by: User) -> None:
    """Remove a family that never hosted anyone (one that did is erased instead, so the
    exchanges keep their placements)."""
    if placement_count(family):
        raise HostingError(
            _l("This family has guests in a matching: ask city hall to erase its data instead.")
        )
    db.session.delete(family)
    db.session.flush()
