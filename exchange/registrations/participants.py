"""Participants and their parents' consent: the fields and rules of a person, shared by the
form, the importer and the CLI. (Registering them is ``services.py``.)

Write services take the object they act on, a typed input (``ParticipantValues``,
``ConsentValues``), then ``by=`` the acting user.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from exchange import clock
from exchange.auth.models import User
from exchange.extensions import db
from exchange.partners.countries import country_codes
from exchange.partners.models import Institution
from exchange.registrations.models import (
    ACTIVE,
    ADULT_AGE,
    ConsentMethod,
    ConsentRecord,
    Diet,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    age_on,
    name_key,
)
from exchange.registrations.services import RegistrationError


@dataclass
class ParticipantValues:
    """A participant's fields, as the form, the importer or a caller give them."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    gender: Gender | str | None = None
    country: str = "PL"
    role: ParticipantRole | str | None = None
    email: str = ""
    phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    dietary_notes: str = ""
    medical_notes: str = ""
    #: ``Diet`` values: a list (the form) or comma-separated text (an imported cell)
    diets: str | list[str] = ""
    allergic_to_animals: bool = False
    languages: str = ""
    school_class: str = ""
    parent_phone: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ParticipantValues:
        """The values of a mapping (an imported row) by field name."""
        return cls(**{name: values[name] for name in PARTICIPANT_FIELDS if name in values})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARTICIPANT_FIELDS}


PARTICIPANT_FIELDS = tuple(f.name for f in dataclasses.fields(ParticipantValues))


def clean_participant_values(
    values: ParticipantValues, today: date | None = None
) -> ParticipantValues:
    """Check and normalise a participant's fields; raise RegistrationError naming the field."""
    today = today or clock.today()
    cleaned: dict[str, Any] = {}
    for name, value in values.as_dict().items():
        cleaned[name] = value.strip() if isinstance(value, str) else value
    for name in ("first_name", "last_name"):
        if not cleaned[name]:
            raise RegistrationError(_l("This field is required."), field=name)
    born = cleaned["date_of_birth"]
    if not isinstance(born, date):
        raise RegistrationError(_l("Give the date of birth."), field="date_of_birth")
    if born > today or born.year < 1900:
        raise RegistrationError(
            _l("The date of birth must be a real date in the past."), field="date_of_birth"
        )
    cleaned["country"] = (cleaned["country"] or "PL").upper()
    if cleaned["country"] not in country_codes():
        raise RegistrationError(_l("Choose a country from the list."), field="country")
    cleaned["diets"] = clean_diets(cleaned["diets"])
    cleaned["languages"] = clean_languages(cleaned["languages"] or "")
    cleaned["allergic_to_animals"] = bool(cleaned["allergic_to_animals"])
    cleaned["gender"] = Gender(cleaned["gender"] or Gender.NOT_STATED)
    cleaned["role"] = ParticipantRole(cleaned["role"] or ParticipantRole.PUPIL)
    for name in PARTICIPANT_FIELDS:
        if cleaned[name] is None:
            cleaned[name] = ""
    minor = age_on(born, today) < ADULT_AGE
    if minor and not (cleaned["emergency_contact_name"] and cleaned["emergency_contact_phone"]):
        missing = "emergency_contact_name"
        if cleaned["emergency_contact_name"]:
            missing = "emergency_contact_phone"
        raise RegistrationError(
            _l("A minor needs an emergency contact: a name and a phone number."), field=missing
        )
    if not minor and not (cleaned["email"] or cleaned["phone"]):
        raise RegistrationError(
            _l("Give an e-mail address or a phone number for an adult participant."),
            field="email",
        )
    return ParticipantValues(**cleaned)


_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def clean_languages(text: str, field: str = "languages") -> str:
    """Language codes as the column keeps them: lower case, comma-separated, sorted."""
    codes = {code for code in re.split(r"[\s,;]+", text.strip().lower()) if code}
    if any(not _LANGUAGE.match(code) for code in codes):
        raise RegistrationError(
            _l("Give languages as two-letter codes separated by commas, e.g. de, en."),
            field=field,
        )
    return ",".join(sorted(codes))


def clean_diets(value: str | list[str] | None, field: str = "diets") -> str:
    """Diets as the column keeps them, from a list or comma-separated text."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value or ())
    codes = {str(item).strip().lower() for item in items if str(item).strip()}
    if any(code not in Diet._value2member_map_ for code in codes):
        values = ", ".join(member.value for member in Diet)
        raise RegistrationError(_l("Use one of: %(values)s.", values=values), field=field)
    return ",".join(code for code in Diet if code in codes)


# --- duplicates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """A candidate who is somebody already there: ``index`` is their place among the
    candidates; ``earlier`` the index of an earlier candidate they repeat, or None when they
    are a participant of the institution already."""

    index: int
    earlier: int | None = None


def find_duplicates(
    candidates: Sequence[ParticipantValues], *, institution_id: int, ignore_id: int | None = None
) -> list[Duplicate]:
    """The rule against doubles, for the form and the import alike: a person is the same as
    another of the same institution with the same name (``models.name_key``: ignoring case,
    marks such as ą, ł or ó, and repeated spaces) and the same date of birth. One query for
    any number of candidates; ``ignore_id`` is the participant being edited."""
    if not candidates:
        return []
    keys = [(name_key(c.first_name, c.last_name), c.date_of_birth) for c in candidates]
    query = sa.select(Participant.name_key, Participant.date_of_birth).where(
        Participant.institution_id == institution_id,
        Participant.name_key.in_({key for key, _born in keys}),
    )
    if ignore_id is not None:
        query = query.where(Participant.id != ignore_id)
    there = {(key, born) for key, born in db.session.execute(query)}
    first_seen: dict[tuple[str, date | None], int] = {}
    duplicates = []
    for index, key in enumerate(keys):
        if key in there:
            duplicates.append(Duplicate(index))
        elif key in first_seen:
            duplicates.append(Duplicate(index, earlier=first_seen[key]))
        else:
            first_seen[key] = index
    return duplicates


def already_there_message(values: ParticipantValues) -> str:
    born = values.date_of_birth
    return str(
        _l("%(name)s, born %(born)s, is already a participant of this institution.",
           name=f"{values.first_name} {values.last_name}",
           born=format_date(born) if born else "")
    )  # fmt: skip


def refuse_duplicate(
    values: ParticipantValues, *, institution_id: int, ignore_id: int | None = None
) -> None:
    """RegistrationError (next to the first name) when the person is there already."""
    if find_duplicates([values], institution_id=institution_id, ignore_id=ignore_id):
        raise RegistrationError(already_there_message(values), field="first_name")


def create_participant(
    values: ParticipantValues, *, institution: Institution, by: User
) -> Participant:
    """Add a person to an institution, unless they are one of its participants already."""
    cleaned = clean_participant_values(values)
    refuse_duplicate(cleaned, institution_id=institution.id)
    participant = Participant(**cleaned.as_dict(), institution=institution, created_by_id=by.id)
    db.session.add(participant)
    db.session.flush()
    return participant


def create_participants(
    batch: Sequence[ParticipantValues], *, institution: Institution, by: User
) -> list[Participant]:
    """Add several people at once (the import), all or none: a RegistrationError when one of
    them is there already or comes twice (the import reports these by row before)."""
    cleaned = [clean_participant_values(values) for values in batch]
    duplicates = find_duplicates(cleaned, institution_id=institution.id)
    if duplicates:
        raise RegistrationError(already_there_message(cleaned[duplicates[0].index]))
    participants = [
        Participant(**values.as_dict(), institution=institution, created_by_id=by.id)
        for values in cleaned
    ]
    db.session.add_all(participants)
    db.session.flush()
    return participants


def update_participant(
    participant: Participant,
    values: ParticipantValues,
    *,
    by: User,
    institution: Institution | None = None,
) -> Participant:
    """Save new values; with ``institution`` (city hall only), move the person to it. Refused
    when it would make the person a double of another of the institution's participants."""
    cleaned = clean_participant_values(values)
    refuse_duplicate(
        cleaned,
        institution_id=institution.id if institution else participant.institution_id,
        ignore_id=participant.id,
    )
    for name, value in cleaned.as_dict().items():
        setattr(participant, name, value)
    if institution is not None:
        participant.institution = institution
    db.session.flush()
    return participant


def delete_participant(participant: Participant, *, by: User) -> None:
    """Remove a participant who holds no place and is on no waiting list."""
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.participant_id == participant.id, Registration.status.in_(ACTIVE))
    )
    if active:
        raise RegistrationError(
            _l("%(name)s is registered for an exchange: withdraw the registration first.",
               name=participant.full_name)
        )  # fmt: skip
    db.session.execute(sa.delete(Registration).where(Registration.participant_id == participant.id))
    db.session.delete(participant)
    db.session.flush()


# --- consent --------------------------------------------------------------------------------


@dataclass
class ConsentValues:
    """A parent's or guardian's consent, as the form or the importer give it."""

    guardian_name: str
    given_on: date
    method: ConsentMethod
    text_version: str


def check_consent(values: ConsentValues, *, born: date, today: date | None = None) -> None:
    """The rules of a consent, for the form and the import alike; RegistrationError names the
    field."""
    today = today or clock.today()
    if not values.guardian_name.strip():
        raise RegistrationError(_l("Give the parent's or guardian's name."), field="guardian_name")
    if not values.text_version.strip():
        raise RegistrationError(_l("Give the version of the consent text."), field="text_version")
    if values.given_on > today:
        raise RegistrationError(_l("Consent cannot be given in the future."), field="given_on")
    if values.given_on < born:
        raise RegistrationError(
            _l("Consent cannot be dated before the participant was born."), field="given_on"
        )


def record_consent(
    participant: Participant,
    values: ConsentValues,
    *,
    by: User,
    today: date | None = None,
) -> ConsentRecord:
    check_consent(values, born=participant.date_of_birth, today=today)
    guardian_name, given_on = values.guardian_name, values.given_on
    method, text_version = values.method, values.text_version
    consent = ConsentRecord(
        participant=participant,
        guardian_name=guardian_name.strip(),
        given_on=given_on,
        method=ConsentMethod(method),
        text_version=text_version.strip(),
        recorded_by_id=by.id,
    )
    db.session.add(consent)
    db.session.flush()
    return consent
