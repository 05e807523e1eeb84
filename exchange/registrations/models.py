"""Participants (often minors), their parental consent and their registrations for exchanges."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from exchange import clock
from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.partners.models import Institution

if TYPE_CHECKING:
    from exchange.auth.models import User

ADULT_AGE = 18


class Gender(LabelledEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_STATED = "not_stated"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.FEMALE: _l("Female"),
            cls.MALE: _l("Male"),
            cls.OTHER: _l("Other"),
            cls.NOT_STATED: _l("Not stated"),
        }


class Diet(LabelledEnum):
    """A dietary need a host family can meet (or a guest has)."""

    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    GLUTEN_FREE = "gluten_free"
    LACTOSE_FREE = "lactose_free"
    NUT_FREE = "nut_free"
    HALAL = "halal"
    KOSHER = "kosher"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.VEGETARIAN: _l("Vegetarian"),
            cls.VEGAN: _l("Vegan"),
            cls.GLUTEN_FREE: _l("Gluten-free"),
            cls.LACTOSE_FREE: _l("Lactose-free"),
            cls.NUT_FREE: _l("Nut-free"),
            cls.HALAL: _l("Halal"),
            cls.KOSHER: _l("Kosher"),
        }


def split_codes(text: str) -> frozenset[str]:
    """The codes of a comma-separated column (languages, diets)."""
    return frozenset(code for code in (part.strip() for part in text.split(",")) if code)


def diets_of(text: str) -> frozenset[Diet]:
    return frozenset(Diet(code) for code in split_codes(text) if code in Diet._value2member_map_)


class ParticipantRole(LabelledEnum):
    PUPIL = "pupil"
    TEACHER = "teacher"
    DOCTOR = "doctor"
    COUNCILLOR = "councillor"
    ARTIST = "artist"
    ATHLETE = "athlete"
    EXHIBITOR = "exhibitor"
    STAFF = "staff"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PUPIL: _l("Pupil"),
            cls.TEACHER: _l("Teacher or chaperone"),
            cls.DOCTOR: _l("Doctor"),
            cls.COUNCILLOR: _l("Councillor"),
            cls.ARTIST: _l("Artist"),
            cls.ATHLETE: _l("Athlete or coach"),
            cls.EXHIBITOR: _l("Craftsman or exhibitor"),
            cls.STAFF: _l("Staff"),
        }


class ResidenceDocumentKind(LabelledEnum):
    """The paper that lets someone who is not an EU citizen live in Poland (the EU list of
    travellers for school trips names it)."""

    RESIDENCE_CARD = "residence_card"
    TEMPORARY_PROTECTION = "temporary_protection"
    VISA = "visa"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.RESIDENCE_CARD: _l("Residence card (karta pobytu)"),
            cls.TEMPORARY_PROTECTION: _l("Temporary protection certificate (PESEL UKR)"),
            cls.VISA: _l("Visa"),
            cls.OTHER: _l("Other residence document"),
        }


class ConsentMethod(LabelledEnum):
    PAPER = "paper"
    EMAIL = "email"
    ELECTRONIC = "electronic"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PAPER: _l("Paper form"),
            cls.EMAIL: _l("E-mail"),
            cls.ELECTRONIC: _l("Electronic"),
        }


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CONFIRMED: _l("Confirmed"),
            cls.WAITLISTED: _l("On the waiting list"),
            cls.WITHDRAWN: _l("Withdrawn"),
            cls.CANCELLED: _l("Cancelled"),
            cls.ATTENDED: _l("Attended"),
            cls.NO_SHOW: _l("Did not come"),
        }


#: registrations that hold a place
HOLDING_PLACE = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
#: registrations that count against the exchange (a place or a waiting-list position)
ACTIVE = (*HOLDING_PLACE, RegistrationStatus.WAITLISTED)


def age_on(date_of_birth: date, day: date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


#: letters that carry their mark in the letter itself, so Unicode does not decompose them
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})
#: characters a name's folded half keeps (the length of the name columns)
NAME_KEY_HALF = 100


def _fold(name: str) -> str:
    """A name as it is compared: without marks (ą→a, ł→l, ó→o, ż→z…), case or repeated
    spaces, and as letters of one width (NFKD). Cut at the name columns' length: a letter may
    unfold into several, and the key column must hold the result."""
    text = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())[:NAME_KEY_HALF]


def name_key(first_name: str, last_name: str) -> str:
    """What two participants of the same name have in common however each was typed:
    "Łukasz  Żak" and "lukasz zak" have the same key. The halves are joined by a control
    character, which no name holds (the forms and the import refuse them)."""
    return f"{_fold(last_name)}\x1f{_fold(first_name)}"


def search_names(first_name: str, last_name: str) -> tuple[str, str]:
    """The name as the participants list searches it, folded as ``name_key`` is: "last
    first" and "first last" (``Participant.search_last_first``, ``search_first_last``)."""
    first, last = _fold(first_name), _fold(last_name)
    return f"{last} {first}".strip(), f"{first} {last}".strip()


#: a folded name, compared character by character ("C") on PostgreSQL whatever the database's
#: collation, as SQLite compares: the search reads a range of names that begin with the words
#: typed ("kowal" ≤ name ≤ "kowal" + the last character), which a language's collation orders
#: otherwise
_SEARCH_NAME = sa.String(2 * NAME_KEY_HALF + 1).with_variant(
    sa.String(2 * NAME_KEY_HALF + 1, collation="C"), "postgresql"
)


class Participant(TimestampMixin, Model):
    """A person who takes part in exchanges, always belonging to one institution."""

    __tablename__ = "participant"
    __table_args__ = (
        sa.CheckConstraint("length(country) = 2", name="country_alpha2"),
        sa.CheckConstraint("length(citizenship) IN (0, 2)", name="citizenship_alpha2"),
        sa.Index("ix_participant_institution_name", "institution_id", "last_name", "first_name"),
        # the participants list (staff see everyone) is paged in this order
        sa.Index("ix_participant_name", "last_name", "first_name", "id"),
        # the duplicate check looks a person up by institution, folded name and date of birth
        sa.Index("ix_participant_name_key", "institution_id", "name_key", "date_of_birth"),
        # the search by name: a trigram index on PostgreSQL (any part of the name), a B-tree on
        # SQLite (the beginning of the last name, or of the first name below)
        sa.Index(
            "ix_participant_search_last_first",
            "search_last_first",
            postgresql_using="gin",
            postgresql_ops={"search_last_first": "gin_trgm_ops"},
        ),
        sa.Index("ix_participant_search_first_last", "search_first_last", "id"),
        # … and, on PostgreSQL, the beginning of the last name in order (the trigram index
        # has none): a search's first page is read from the two B-trees
        sa.Index("ix_participant_search_last_first_order", "search_last_first", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    #: the name as duplicates are found (``name_key``); kept up to date as the name changes
    name_key: Mapped[str] = mapped_column(sa.String(2 * NAME_KEY_HALF + 1))
    #: the name as it is searched (``search_names``), kept up to date as the name changes
    search_last_first: Mapped[str] = mapped_column(_SEARCH_NAME)
    search_first_last: Mapped[str] = mapped_column(_SEARCH_NAME)
    date_of_birth: Mapped[date]
    gender: Mapped[Gender] = mapped_column(default=Gender.NOT_STATED)
    #: country of residence, ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="RESTRICT")
    )
    role: Mapped[ParticipantRole] = mapped_column(default=ParticipantRole.PUPIL)
    #: contact for adults
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: emergency contact for minors
    emergency_contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: a parent's phone for a pupil's trip papers: protected as the emergency contact is (shown
    #: where it is shown, in the access export, removed by anonymisation, never in reports)
    parent_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: a pupil's class at school ("3b"), for the trip card and the participant list
    school_class: Mapped[str] = mapped_column(sa.String(20), default="")
    #: visible only to coordinators and the participant's own school
    dietary_notes: Mapped[str] = mapped_column(sa.Text, default="")
    medical_notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: what a host family must meet: diets (comma-separated ``Diet`` values) and an allergy to
    #: animals (never placed with pets); visible as the notes are
    diets: Mapped[str] = mapped_column(sa.String(120), default="")
    allergic_to_animals: Mapped[bool] = mapped_column(default=False)
    #: languages spoken, comma-separated ISO 639-1 codes ("de,en")
    languages: Mapped[str] = mapped_column(sa.String(60), default="")
    #: citizenship, ISO 3166-1 alpha-2; "" while unknown (never assumed to be Polish). With the
    #: place of birth and the residence document it is what the EU list of travellers for
    #: school trips asks; seen, like the notes, only by city hall and the person's own school
    citizenship: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    place_of_birth: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    residence_document_kind: Mapped[ResidenceDocumentKind | None]
    residence_document_number: Mapped[str] = mapped_column(
        sa.String(40), default="", server_default=""
    )
    residence_document_expires_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: when the personal data was removed (retention period over, or erasure on request)
    anonymised_at: Mapped[datetime | None]

    institution: Mapped[Institution] = relationship()
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="participant",
        cascade="all, delete-orphan",
        order_by="ConsentRecord.recorded_at.desc()",
    )
    registrations: Mapped[list[Registration]] = relationship(back_populates="participant")

    @validates("first_name", "last_name")
    def _keep_name_key(self, attribute: str, value: str) -> str:
        first = value if attribute == "first_name" else self.first_name
        last = value if attribute == "last_name" else self.last_name
        self.name_key = name_key(first or "", last or "")
        self.search_last_first, self.search_first_last = search_names(first or "", last or "")
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    @property
    def diet_set(self) -> frozenset[Diet]:
        return diets_of(self.diets)

    @property
    def language_set(self) -> frozenset[str]:
        return split_codes(self.languages)

    def is_minor_on(self, day: date) -> bool:
        return self.age_on(day) < ADULT_AGE

    def __repr__(self) -> str:
        return f"<Participant {self.id}>"


#: the version of the consent text the app prints on the parents' consent form today; a
#: consent recorded from that form carries it
CONSENT_TEXT_VERSION = "2026-01"


class ConsentRecord(Model):
    """A parent's or guardian's consent for a minor to take part in exchanges."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    guardian_name: Mapped[str] = mapped_column(sa.String(200))
    given_on: Mapped[date]
    method: Mapped[ConsentMethod]
    #: which text the guardian agreed to, e.g. "2026-01"
    text_version: Mapped[str] = mapped_column(sa.String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    withdrawn_at: Mapped[datetime | None]

    participant: Mapped[Participant] = relationship(back_populates="consents")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None


class Registration(Model):
    """A participant's place (or waiting-list position) in an exchange."""

    __tablename__ = "registration"
    __table_args__ = (
        sa.UniqueConstraint("exchange_id", "participant_id"),
        sa.Index("ix_registration_exchange_status", "exchange_id", "status", "registered_at"),
        # the confirmed places (a few thousand among all the years' registrations: once an
        # exchange is over they become attended or no-show), for the dashboard's "attendance
        # not marked". Partial, so that no other query (the report's) is drawn to it
        sa.Index(
            "ix_registration_confirmed",
            "exchange_id",
            sqlite_where=sa.text("status = 'confirmed'"),
            postgresql_where=sa.text("status = 'confirmed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    #: the participant's institution when registering (quotas and rosters group by it)
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[RegistrationStatus]
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: first come, first served: the waiting list is ordered by this
    registered_at: Mapped[datetime] = mapped_column(default=clock.now)
    status_changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=clock.now)

    exchange: Mapped[Exchange] = relationship()
    participant: Mapped[Participant] = relationship(back_populates="registrations")
    institution: Mapped[Institution] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"
