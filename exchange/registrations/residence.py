"""Citizenship and residence: who needs the EU list of travellers for school trips (Council
Decision 94/795/JHA) to travel to an EU partner city, and who needs a visa and a passport to
leave the EU.

A pupil who is not an EU citizen but lives in Poland (many Ukrainian pupils in Olsztyn) travels
to Offenburg or Perugia on the school's certified list instead of a visa; the list does not
help on a trip outside the EU (Kaliningrad, Lutsk, Richmond). A citizenship left empty is
unknown: nobody is assumed to be Polish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from exchange.auth.models import User
from exchange.extensions import db
from exchange.partners.countries import country_codes
from exchange.registrations.models import Participant, ParticipantRole, ResidenceDocumentKind
from exchange.registrations.services import RegistrationError

#: the member states of the European Union (ISO 3166-1 alpha-2)
EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def is_non_eu_citizen(citizenship: str) -> bool:
    """A known citizenship of a country outside the EU (unknown is not)."""
    return bool(citizenship) and citizenship.upper() not in EU_MEMBERS


def all_in_eu(countries: Iterable[str]) -> bool:
    """Every country of a trip is an EU member (an empty trip is not)."""
    codes = [code.upper() for code in countries]
    return bool(codes) and all(code in EU_MEMBERS for code in codes)


def needs_visa_warning(participant: Participant, trip_countries: Iterable[str]) -> bool:
    """A pupil who is not an EU citizen, on a trip that leaves the EU: the EU list of
    travellers does not apply, a passport and a visa may be needed."""
    return (
        participant.role is ParticipantRole.PUPIL
        and is_non_eu_citizen(participant.citizenship)
        and not all_in_eu(trip_countries)
    )


@dataclass
class ResidenceValues:
    """The section "Citizenship and residence" of the participant form."""

    citizenship: str = ""
    place_of_birth: str = ""
    residence_document_kind: str = ""
    residence_document_number: str = ""
    residence_document_expires_on: date | None = None


def clean_residence_values(values: ResidenceValues) -> ResidenceValues:
    """Check and normalise; raise RegistrationError naming the field."""
    citizenship = (values.citizenship or "").strip().upper()
    if citizenship and citizenship not in country_codes():
        raise RegistrationError(_l("Choose a country from the list."), field="citizenship")
    kind = (values.residence_document_kind or "").strip()
    if kind and kind not in ResidenceDocumentKind._value2member_map_:
        raise RegistrationError(
            _l("Choose a kind of document from the list."), field="residence_document_kind"
        )
    number = (values.residence_document_number or "").strip()
    if number and not kind:
        raise RegistrationError(
            _l("Say what kind of document this number belongs to."),
            field="residence_document_kind",
        )
    return ResidenceValues(
        citizenship=citizenship,
        place_of_birth=(values.place_of_birth or "").strip(),
        residence_document_kind=kind,
        residence_document_number=number,
        residence_document_expires_on=values.residence_document_expires_on if kind else None,
    )


def update_residence(participant: Participant, values: ResidenceValues, *, by: User) -> None:
    """Save the person's citizenship, place of birth and residence document."""
    cleaned = clean_residence_values(values)
    participant.citizenship = cleaned.citizenship
    participant.place_of_birth = cleaned.place_of_birth
    kind = cleaned.residence_document_kind
    participant.residence_document_kind = ResidenceDocumentKind(kind) if kind else None
    participant.residence_document_number = cleaned.residence_document_number
    participant.residence_document_expires_on = cleaned.residence_document_expires_on
    db.session.flush()
