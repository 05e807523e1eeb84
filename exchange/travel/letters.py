"""Invitation letters for guests who need a visa: the settings (letterhead, signatory,
reference pattern), issuing a letter with the next reference number of its year, and the
letters of an exchange. The PDF is drawn in ``letter_pdf.py``.

Every service takes the acting user (``by``), refuses with a ``DomainError`` naming the
field, and flushes; the request commits.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from exchange import clock
from exchange.auth.models import User
from exchange.db import lock_for_update
from exchange.errors import DomainError
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.partners.models import Institution
from exchange.registrations.models import Participant, Registration
from exchange.travel.models import (
    IdentityDocument,
    InvitationLetter,
    LetterGuest,
    LetterLanguage,
    LetterSettings,
)
from exchange.travel.queries import place_holders

SETTINGS_ID = 1
#: the letterhead and signatory fields a letter keeps as they were when it was issued
LETTERHEAD_FIELDS = (
    "office_name",
    "address",
    "phone",
    "email",
    "website",
    "signatory_name",
    "signatory_position",
)
PATTERN_FIELDS = frozenset({"number", "year"})

# --- settings -------------------------------------------------------------------------------


def letter_settings() -> LetterSettings:
    """The settings row, or (until an admin saves them) the defaults, not yet in the database."""
    settings = db.session.get(LetterSettings, SETTINGS_ID)
    if settings is not None:
        return settings
    defaults = LetterSettings(id=SETTINGS_ID)
    for column in LetterSettings.__table__.columns:
        if column.default is not None and getattr(defaults, column.key) is None:
            value = column.default.arg
            if not callable(value):
                setattr(defaults, column.key, value)
    return defaults


@dataclass
class SettingsValues:
    office_name: str
    address: str
    phone: str
    email: str
    website: str
    signatory_name: str
    signatory_position: str
    reference_pattern: str


SETTINGS_FIELDS = tuple(SettingsValues.__dataclass_fields__)


def format_reference(pattern: str, number: int, year: int) -> str:
    return pattern.format(number=number, year=year)


def check_pattern(pattern: str) -> None:
    """A pattern names ``{number}`` (and may name ``{year}``), and nothing else."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name}
        format_reference(pattern, 1, 2000)
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        raise DomainError(
            _l("Write {number} and {year} where the number and the year go."),
            "reference_pattern",
        ) from error
    if "number" not in names or not names <= PATTERN_FIELDS:
        raise DomainError(
            _l("Write {number} and {year} where the number and the year go."),
            "reference_pattern",
        )


def save_letter_settings(values: SettingsValues, *, by: User) -> LetterSettings:
    check_pattern(values.reference_pattern.strip())
    settings = letter_settings()
    for name, value in asdict(values).items():
        setattr(settings, name, (value or "").strip())
    db.session.add(settings)
    db.session.flush()
    return settings


# --- who may be invited ---------------------------------------------------------------------


def guest_choices(exchange: Exchange) -> list[Registration]:
    """The exchange's registered participants (holding a place) of partner institutions."""
    return [
        registration
        for registration in place_holders(exchange)
        if registration.participant.institution.partner_city_id is not None
    ]


# --- issuing --------------------------------------------------------------------------------


@dataclass
class LetterValues:
    participant_ids: list[int]
    language: LetterLanguage
    purpose: str
    costs: str


def _check_letter(exchange: Exchange, values: LetterValues) -> None:
    allowed = {registration.participant_id for registration in guest_choices(exchange)}
    if not values.participant_ids:
        raise DomainError(_l("Choose at least one guest."), "guests")
    if not set(values.participant_ids) <= allowed:
        raise DomainError(
            _l("Only registered guests of partner institutions can be invited."), "guests"
        )
    if not values.purpose.strip():
        raise DomainError(_l("Say what the visit is for."), "purpose")
    if not values.costs.strip():
        raise DomainError(_l("Say who pays for what."), "costs")


def _lock_settings() -> LetterSettings:
    """The settings row, locked for the rest of the transaction: letters are numbered one at
    a time. The first letter ever saves the default settings (a concurrent first letter waits
    for it on the primary key, then finds the row)."""
    settings = db.session.get(LetterSettings, SETTINGS_ID)
    if settings is None:
        try:
            with db.session.begin_nested():
                settings = letter_settings()
                db.session.add(settings)
            return settings
        except IntegrityError:
            settings = db.session.get(LetterSettings, SETTINGS_ID, populate_existing=True)
            if settings is None:  # pragma: no cover - the row was there a moment ago
                raise
    lock_for_update(db.session, settings)
    return settings


def _next_sequence(year: int) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(InvitationLetter.sequence)).where(InvitationLetter.year == year)
    )
    return (last or 0) + 1


def issue_letter(exchange: Exchange, values: LetterValues, *, by: User) -> InvitationLetter:
    """Issue a letter with the next reference number of the year.

    The settings row is locked first (before anything is written), so two letters issued at
    the same moment get consecutive numbers; the unique (year, sequence) and reference are
    the last guard."""
    _check_letter(exchange, values)
    settings = _lock_settings()
    issued_on = clock.today()
    sequence = _next_sequence(issued_on.year)
    letter = InvitationLetter(
        exchange_id=exchange.id,
        year=issued_on.year,
        sequence=sequence,
        reference=format_reference(settings.reference_pattern, sequence, issued_on.year),
        issued_on=issued_on,
        language=values.language,
        purpose=values.purpose.strip(),
        costs=values.costs.strip(),
        letterhead={name: getattr(settings, name) for name in LETTERHEAD_FIELDS},
        issued_by_id=by.id,
        guests=[LetterGuest(participant_id=item) for item in dict.fromkeys(values.participant_ids)],
    )
    db.session.add(letter)
    db.session.flush()
    return letter


# --- reading --------------------------------------------------------------------------------


def letters_of(exchange: Exchange) -> list[InvitationLetter]:
    """The exchange's letters, the latest first, with their guests and who issued them."""
    return list(
        db.session.scalars(
            sa.select(InvitationLetter)
            .options(
                selectinload(InvitationLetter.guests).joinedload(LetterGuest.participant),
                joinedload(InvitationLetter.issued_by),
            )
            .where(InvitationLetter.exchange_id == exchange.id)
            .order_by(InvitationLetter.year.desc(), InvitationLetter.sequence.desc())
        )
    )


@dataclass
class LetterGuestLine:
    participant: Participant
    document: IdentityDocument | None


def letter_guests(letter: InvitationLetter) -> list[LetterGuestLine]:
    """The letter's guests with their institutions and identity documents, by name."""
    guests = list(
        db.session.scalars(
            sa.select(Participant)
            .join(LetterGuest, LetterGuest.participant_id == Participant.id)
            .options(joinedload(Participant.institution).joinedload(Institution.partner_city))
            .where(LetterGuest.letter_id == letter.id)
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )
    documents = {
        document.participant_id: document
        for document in db.session.scalars(
            sa.select(IdentityDocument).where(
                IdentityDocument.participant_id.in_([guest.id for guest in guests])
            )
        )
    }
    return [LetterGuestLine(guest, documents.get(guest.id)) for guest in guests]
