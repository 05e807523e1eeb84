"""Travel legs and who travels on them, identity documents, rooms and who sleeps in them."""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.auth.models import User
from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.registrations.models import Participant, Registration


class LegDirection(LabelledEnum):
    OUTBOUND = "outbound"
    RETURN = "return"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.OUTBOUND: _l("Outward journey"), cls.RETURN: _l("Return journey")}


class TravelMode(LabelledEnum):
    BUS = "bus"
    TRAIN = "train"
    PLANE = "plane"
    CAR = "car"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.BUS: _l("Bus"),
            cls.TRAIN: _l("Train"),
            cls.PLANE: _l("Plane"),
            cls.CAR: _l("Car"),
        }


class TravelLeg(TimestampMixin, Model):
    """One part of a group's journey: out or back, by one means, between two places.

    Times are the local times at each place, as the ticket prints them (a flight from Warsaw
    to Chicago crosses seven time zones; nobody wants them converted)."""

    __tablename__ = "travel_leg"
    __table_args__ = (
        sa.CheckConstraint("arrival_date >= departure_date", name="dates_in_order"),
        sa.Index("ix_travel_leg_exchange_departure", "exchange_id", "departure_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    direction: Mapped[LegDirection]
    mode: Mapped[TravelMode]
    carrier: Mapped[str] = mapped_column(sa.String(120), default="")
    #: flight, train or coach number; a car's registration plate
    number: Mapped[str] = mapped_column(sa.String(40), default="")
    departure_place: Mapped[str] = mapped_column(sa.String(200))
    departure_date: Mapped[date]
    departure_time: Mapped[time]
    arrival_place: Mapped[str] = mapped_column(sa.String(200))
    arrival_date: Mapped[date]
    arrival_time: Mapped[time]

    exchange: Mapped[Exchange] = relationship()
    travellers: Mapped[list[LegTraveller]] = relationship(
        back_populates="leg", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return f"{self.departure_place} → {self.arrival_place}"

    def __repr__(self) -> str:
        return f"<TravelLeg {self.id}>"


class LegTraveller(Model):
    """A registered participant travelling on a leg."""

    __tablename__ = "leg_traveller"
    __table_args__ = (sa.UniqueConstraint("leg_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(sa.ForeignKey("travel_leg.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )

    leg: Mapped[TravelLeg] = relationship(back_populates="travellers")
    registration: Mapped[Registration] = relationship()


class DocumentKind(LabelledEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.PASSPORT: _l("Passport"), cls.ID_CARD: _l("Identity card")}


class IdentityDocument(TimestampMixin, Model):
    """The document a person crosses borders with. The number is seen only by city hall and
    the person's own school, never in reports or logs, and deleted when the person's data is
    anonymised or erased (the whole row goes)."""

    __tablename__ = "identity_document"
    __table_args__ = (sa.CheckConstraint("length(issuing_country) = 2", name="country_alpha2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[DocumentKind]
    number: Mapped[str] = mapped_column(sa.String(40))
    #: ISO 3166-1 alpha-2
    issuing_country: Mapped[str] = mapped_column(sa.String(2))
    expires_on: Mapped[date]

    participant: Mapped[Participant] = relationship()

    @property
    def masked_number(self) -> str:
        """The number as lists show it to whoever may not read it: its last two characters."""
        return mask(self.number)

    def __repr__(self) -> str:
        return f"<IdentityDocument {self.id}>"


def mask(number: str) -> str:
    return "•••" + number[-2:] if len(number) > 4 else "•••"


class RoomKind(LabelledEnum):
    HOTEL = "hotel"
    HOSTEL = "hostel"
    SPORTS_HALL = "sports_hall"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.HOTEL: _l("Hotel"),
            cls.HOSTEL: _l("Hostel"),
            cls.SPORTS_HALL: _l("Sports hall"),
            cls.OTHER: _l("Other"),
        }


class Room(TimestampMixin, Model):
    """A room (or a hall) with beds where participants of an exchange sleep."""

    __tablename__ = "room"
    __table_args__ = (
        sa.CheckConstraint("beds >= 1", name="beds_positive"),
        sa.UniqueConstraint("exchange_id", "accommodation", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    kind: Mapped[RoomKind]
    #: the hotel, hostel or hall
    accommodation: Mapped[str] = mapped_column(sa.String(200))
    #: the room's number or name
    name: Mapped[str] = mapped_column(sa.String(40))
    beds: Mapped[int]

    exchange: Mapped[Exchange] = relationship()
    occupants: Mapped[list[RoomAssignment]] = relationship(
        back_populates="room", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return f"{self.accommodation}, {self.name}"

    def __repr__(self) -> str:
        return f"<Room {self.id}>"


class RoomAssignment(Model):
    """A registered participant's bed in a room: one room per registration."""

    __tablename__ = "room_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("room.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )

    room: Mapped[Room] = relationship(back_populates="occupants")
    registration: Mapped[Registration] = relationship()


class TravellingGuardian(Model):
    """An adult on an exchange who is a minor's parent or legal guardian: the only adult the
    minor may share a room with."""

    __tablename__ = "travelling_guardian"
    __table_args__ = (sa.UniqueConstraint("exchange_id", "minor_id", "guardian_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    minor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )

    minor: Mapped[Participant] = relationship(foreign_keys=[minor_id])
    guardian: Mapped[Participant] = relationship(foreign_keys=[guardian_id])


# --- invitation letters ---------------------------------------------------------------------


class LetterLanguage(LabelledEnum):
    POLISH = "pl"
    ENGLISH = "en"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.POLISH: _l("Polish"), cls.ENGLISH: _l("English")}


class LetterSettings(TimestampMixin, Model):
    """The letterhead, the signatory and the reference pattern of invitation letters: one row
    (id 1), which an admin edits; until then the defaults below, Olsztyn's City Hall."""

    __tablename__ = "letter_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    office_name: Mapped[str] = mapped_column(sa.String(200), default="Urząd Miasta Olsztyna")
    address: Mapped[str] = mapped_column(
        sa.String(300), default="pl. Jana Pawła II 1, 10-101 Olsztyn"
    )
    phone: Mapped[str] = mapped_column(sa.String(40), default="+48 89 527 31 11")
    email: Mapped[str] = mapped_column(sa.String(254), default="boi@olsztyn.eu")
    website: Mapped[str] = mapped_column(sa.String(300), default="https://www.olsztyn.eu")
    signatory_name: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_position: Mapped[str] = mapped_column(
        sa.String(200), default="Prezydent Olsztyna / Mayor of Olsztyn"
    )
    #: ``{number}`` and ``{year}`` are filled in, e.g. OA-IV.0123.{number}.{year}
    reference_pattern: Mapped[str] = mapped_column(
        sa.String(80), default="OA-IV.0123.{number}.{year}"
    )


class InvitationLetter(Model):
    """An issued invitation letter: its reference is the next number of its year, never two
    letters the same. The letterhead and the signatory are kept as they were on the day."""

    __tablename__ = "invitation_letter"
    __table_args__ = (
        sa.UniqueConstraint("year", "sequence"),
        sa.CheckConstraint("sequence >= 1", name="sequence_positive"),
        sa.Index("ix_invitation_letter_exchange_issued", "exchange_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    year: Mapped[int]
    sequence: Mapped[int]
    reference: Mapped[str] = mapped_column(sa.String(120), unique=True)
    issued_on: Mapped[date]
    language: Mapped[LetterLanguage]
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    #: who pays for what, as the letter says it
    costs: Mapped[str] = mapped_column(sa.Text, default="")
    #: the letterhead and the signatory when it was issued (LetterSettings' fields)
    letterhead: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    exchange: Mapped[Exchange] = relationship()
    issued_by: Mapped[User | None] = relationship()
    guests: Mapped[list[LetterGuest]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="LetterGuest.id"
    )

    def __repr__(self) -> str:
        return f"<InvitationLetter {self.id}>"


class LetterGuest(Model):
    """A person a letter invites. Erasing the person removes them from the letter; an
    anonymised person's letter names nobody (it is drawn from the person's current data)."""

    __tablename__ = "letter_guest"
    __table_args__ = (sa.UniqueConstraint("letter_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitation_letter.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )

    letter: Mapped[InvitationLetter] = relationship(back_populates="guests")
    participant: Mapped[Participant] = relationship()
