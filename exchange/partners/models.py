"""Partner cities and the institutions (on both sides) that take part in exchanges."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import TimestampMixin
from exchange.extensions import db


class PartnerKind(enum.StrEnum):
    PARTNERSHIP = "partnership"
    COOPERATION_AGREEMENT = "cooperation_agreement"

    @property
    def label(self) -> str:
        return str(_PARTNER_KIND_LABELS[self])


_PARTNER_KIND_LABELS = {
    PartnerKind.PARTNERSHIP: _l("Partnership"),
    PartnerKind.COOPERATION_AGREEMENT: _l("Cooperation agreement"),
}


class PartnerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return str(_PARTNER_STATUS_LABELS[self])


_PARTNER_STATUS_LABELS = {
    PartnerStatus.ACTIVE: _l("Active"),
    PartnerStatus.SUSPENDED: _l("Suspended"),
    PartnerStatus.ENDED: _l("Ended"),
}


class PartnerCity(TimestampMixin, db.Model):
    """A city (or region) with which Olsztyn has signed a partnership or cooperation agreement."""

    __tablename__ = "partner_city"
    __table_args__ = (
        sa.CheckConstraint("length(country) = 2", name="country_alpha2"),
        sa.CheckConstraint("year_signed BETWEEN 1900 AND 2100", name="year_signed_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable URL key; never changes after creation, so links and calendar feeds keep working
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: ISO 3166-1 alpha-2, upper case
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    region: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[PartnerKind] = mapped_column(default=PartnerKind.PARTNERSHIP)
    year_signed: Mapped[int]
    status: Mapped[PartnerStatus] = mapped_column(default=PartnerStatus.ACTIVE, index=True)
    status_note: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")

    institutions: Mapped[list[Institution]] = relationship(back_populates="partner_city")

    def __repr__(self) -> str:
        return f"<PartnerCity {self.slug}>"


class InstitutionKind(enum.StrEnum):
    SCHOOL = "school"
    UNIVERSITY = "university"
    HEALTHCARE = "healthcare"
    CULTURE = "culture"
    SPORTS_CLUB = "sports_club"
    BUSINESS = "business"
    PUBLIC_AUTHORITY = "public_authority"
    NGO = "ngo"

    @property
    def label(self) -> str:
        return str(_INSTITUTION_KIND_LABELS[self])


_INSTITUTION_KIND_LABELS = {
    InstitutionKind.SCHOOL: _l("School"),
    InstitutionKind.UNIVERSITY: _l("University"),
    InstitutionKind.HEALTHCARE: _l("Hospital or clinic"),
    InstitutionKind.CULTURE: _l("Cultural institution or artistic group"),
    InstitutionKind.SPORTS_CLUB: _l("Sports club"),
    InstitutionKind.BUSINESS: _l("Business or craft"),
    InstitutionKind.PUBLIC_AUTHORITY: _l("Public authority"),
    InstitutionKind.NGO: _l("Non-governmental organisation"),
}


class Institution(TimestampMixin, db.Model):
    """A school, hospital, club, company… in Olsztyn or in one of the partner cities."""

    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[InstitutionKind] = mapped_column(index=True)
    #: None means the institution is in Olsztyn
    partner_city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner_city.id", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)

    partner_city: Mapped[PartnerCity | None] = relationship(back_populates="institutions")

    @property
    def city_name(self) -> str:
        return self.partner_city.name if self.partner_city else "Olsztyn"

    def __repr__(self) -> str:
        return f"<Institution {self.id}>"
