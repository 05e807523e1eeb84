"""The paperwork's tables, a section per subject (trip card and notice; EU list of travellers)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import TimestampMixin
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.partners.models import Institution
from exchange.registrations.models import Participant

# --- trip card and the superintendent's notice


class TripStaff(TimestampMixin, Model):
    """A sending school's trip in an exchange: the leader (*kierownik*) and the chaperones
    (*opiekunowie*) it chose from its registered adults, and when it produced the notice to
    the education superintendent. One row per exchange and school."""

    __tablename__ = "trip_staff"
    __table_args__ = (sa.UniqueConstraint("exchange_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    leader_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    #: when the notice to the education superintendent was last produced (None: never)
    notice_produced_at: Mapped[datetime | None]

    exchange: Mapped[Exchange] = relationship()
    institution: Mapped[Institution] = relationship()
    leader: Mapped[Participant | None] = relationship()
    chaperones: Mapped[list[TripChaperone]] = relationship(
        back_populates="trip", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<TripStaff {self.id}>"


class TripChaperone(Model):
    """An adult of the school who accompanies its pupils on the trip."""

    __tablename__ = "trip_chaperone"
    __table_args__ = (sa.UniqueConstraint("trip_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(sa.ForeignKey("trip_staff.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )

    trip: Mapped[TripStaff] = relationship(back_populates="chaperones")
    participant: Mapped[Participant] = relationship()
