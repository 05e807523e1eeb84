"""Host families of Olsztyn schools, and where the guests of incoming youth exchanges stay."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange import clock
from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.partners.models import Institution
from exchange.registrations.models import (
    ConsentMethod,
    Diet,
    Gender,
    Participant,
    diets_of,
    split_codes,
)

if TYPE_CHECKING:
    from exchange.auth.models import User

ANONYMOUS_FAMILY_NAME = "Anonymised"


class AcceptedGuests(LabelledEnum):
    GIRLS = "girls"
    BOYS = "boys"
    EITHER = "either"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.GIRLS: _l("Girls"),
            cls.BOYS: _l("Boys"),
            cls.EITHER: _l("Girls or boys"),
        }


class HostFamily(TimestampMixin, Model):
    """A family of an Olsztyn school's community who offers beds to guests of exchanges.

    Only the school that registered it (and city hall) sees it; its data is processed on the
    family's consent, and erased when the family asks or when its host child's data is.
    """

    __tablename__ = "host_family"
    __table_args__ = (
        sa.CheckConstraint("guest_beds >= 1 AND guest_beds <= 10", name="guest_beds_range"),
        sa.CheckConstraint(
            "available_from IS NULL OR available_until IS NULL "
            "OR available_until >= available_from",
            name="availability_in_order",
        ),
        sa.CheckConstraint(
            "host_child_age IS NULL OR host_child_age BETWEEN 0 AND 25", name="host_child_age_range"
        ),
        sa.Index("ix_host_family_institution_name", "institution_id", "family_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the Olsztyn school whose community the family belongs to
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="RESTRICT")
    )
    family_name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    guest_beds: Mapped[int] = mapped_column(default=1)
    #: comma-separated ISO 639-1 codes
    languages: Mapped[str] = mapped_column(sa.String(60), default="")
    has_pets: Mapped[bool] = mapped_column(default=False)
    smoking: Mapped[bool] = mapped_column(default=False)
    #: the diets the family can cook for: comma-separated ``Diet`` values
    diets: Mapped[str] = mapped_column(sa.String(120), default="")
    accepts: Mapped[AcceptedGuests] = mapped_column(default=AcceptedGuests.EITHER)
    #: the family's own child, if any: a pupil of the school (a participant) or just the facts
    host_child_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    host_child_age: Mapped[int | None]
    host_child_gender: Mapped[Gender | None]
    host_child_class: Mapped[str] = mapped_column(sa.String(40), default="")
    #: None: no limit on that side
    available_from: Mapped[date | None]
    available_until: Mapped[date | None]
    consent_given_on: Mapped[date]
    consent_method: Mapped[ConsentMethod]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: when the family's personal data was erased; it is never matched again
    anonymised_at: Mapped[datetime | None] = mapped_column(index=True)

    institution: Mapped[Institution] = relationship()
    host_child: Mapped[Participant | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def diet_set(self) -> frozenset[Diet]:
        return diets_of(self.diets)

    @property
    def language_set(self) -> frozenset[str]:
        return split_codes(self.languages)

    @property
    def has_host_child(self) -> bool:
        return self.host_child_id is not None or self.host_child_age is not None

    def __repr__(self) -> str:
        return f"<HostFamily {self.id}>"


class HostingPlan(Model):
    """The coordinator's choices for matching one incoming youth exchange."""

    __tablename__ = "hosting_plan"

    exchange_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchange.id", ondelete="CASCADE"), primary_key=True
    )
    #: Olsztyn pupils visit back: every host family needs a host child registered for it
    reciprocal: Mapped[bool] = mapped_column(default=False)
    #: spread the guests of one partner school over the host schools
    spread_schools: Mapped[bool] = mapped_column(default=True)
    suggested_at: Mapped[datetime | None]

    exchange: Mapped[Exchange] = relationship()


class HostPlacement(Model):
    """A guest of an exchange staying with a host family: suggested, or set by hand."""

    __tablename__ = "host_placement"
    __table_args__ = (sa.UniqueConstraint("exchange_id", "guest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    guest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[int] = mapped_column(
        sa.ForeignKey("host_family.id", ondelete="CASCADE"), index=True
    )
    #: kept as it is by a new suggestion
    pinned: Mapped[bool] = mapped_column(default=False)
    placed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    placed_at: Mapped[datetime] = mapped_column(default=clock.now)

    exchange: Mapped[Exchange] = relationship()
    guest: Mapped[Participant] = relationship()
    family: Mapped[HostFamily] = relationship()

    def __repr__(self) -> str:
        return f"<HostPlacement {self.id}>"
