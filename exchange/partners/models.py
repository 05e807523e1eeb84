"""Partner cities and the institutions (on both sides) that take part in exchanges."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.extensions import Model


class PartnerKind(LabelledEnum):
    PARTNERSHIP = "partnership"
    COOPERATION_AGREEMENT = "cooperation_agreement"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PARTNERSHIP: _l("Partnership"),
            cls.COOPERATION_AGREEMENT: _l("Cooperation agreement"),
        }


class PartnerStatus(LabelledEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ACTIVE: _l("Active"),
            cls.SUSPENDED: _l("Suspended"),
            cls.ENDED: _l("Ended"),
        }


class PartnerCity(TimestampMixin, Model):
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
    #: the name in Polish where Polish has its own ("Łuck" for Lutsk, "Prowincja Perugia");
    #: None where Polish writes ``name`` (Rovaniemi, Châteauroux…)
    name_pl: Mapped[str | None] = mapped_column(sa.String(120))
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
    #: the numbers to call in an emergency there, as the group leader's sheet prints them
    emergency_numbers: Mapped[str] = mapped_column(sa.String(200), default="")

    institutions: Mapped[list[Institution]] = relationship(back_populates="partner_city")

    def name_in(self, language: str | None) -> str:
        """The name as ``language`` ("pl", "en") writes it."""
        return self.name_pl if language == "pl" and self.name_pl else self.name

    @hybrid_property
    def local_name(self) -> str:
        """The name in the current language: what every page, export and report shows."""
        return self.name_in(current_language())

    @local_name.inplace.expression
    @classmethod
    def _local_name_expression(cls) -> sa.ColumnElement[str]:
        # no bound parameter: PostgreSQL groups by it as by the column itself
        if current_language() == "pl":
            return sa.func.coalesce(cls.name_pl, cls.name)
        return cls.name  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<PartnerCity {self.slug}>"


def current_language() -> str | None:
    """The language of the request (or of a ``force_locale`` block), None outside one."""
    locale = get_locale()
    return locale.language if locale is not None else None


class InstitutionKind(LabelledEnum):
    SCHOOL = "school"
    UNIVERSITY = "university"
    HEALTHCARE = "healthcare"
    CULTURE = "culture"
    SPORTS_CLUB = "sports_club"
    BUSINESS = "business"
    PUBLIC_AUTHORITY = "public_authority"
    NGO = "ngo"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.SCHOOL: _l("School"),
            cls.UNIVERSITY: _l("University"),
            cls.HEALTHCARE: _l("Hospital or clinic"),
            cls.CULTURE: _l("Cultural institution or artistic group"),
            cls.SPORTS_CLUB: _l("Sports club"),
            cls.BUSINESS: _l("Business or craft"),
            cls.PUBLIC_AUTHORITY: _l("Public authority"),
            cls.NGO: _l("Non-governmental organisation"),
        }


class SchoolLevel(LabelledEnum):
    """A level of school: what a youth exchange is for, and what a school teaches (a school
    may teach several). Here, below both institutions and exchanges, so both may use it."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    VOCATIONAL = "vocational"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PRIMARY: _l("Primary school"),
            cls.SECONDARY: _l("Secondary school"),
            cls.VOCATIONAL: _l("Vocational school"),
        }


class Institution(TimestampMixin, Model):
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
    #: the school levels it teaches (none for an institution that is not a school)
    level_rows: Mapped[list[InstitutionLevel]] = relationship(
        cascade="all, delete-orphan", order_by="InstitutionLevel.level", passive_deletes=True
    )

    @property
    def city_name(self) -> str:
        return self.partner_city.local_name if self.partner_city else "Olsztyn"

    @property
    def school_levels(self) -> list[SchoolLevel]:
        """The levels it teaches, in the order of ``SchoolLevel``."""
        taught = {row.level for row in self.level_rows}
        return [level for level in SchoolLevel if level in taught]

    def set_school_levels(self, levels: Iterable[SchoolLevel]) -> None:
        """Teach exactly ``levels``: rows of levels no longer taught go, new ones come; the
        rows of the levels kept stay as they are."""
        wanted = set(levels)
        self.level_rows = [row for row in self.level_rows if row.level in wanted] + [
            InstitutionLevel(level=level)
            for level in SchoolLevel
            if level in wanted and level not in {row.level for row in self.level_rows}
        ]

    def __repr__(self) -> str:
        return f"<Institution {self.id}>"


class InstitutionLevel(Model):
    """One school level an institution teaches: a row per institution and level.

    A table rather than a multi-value column: the same on SQLite and PostgreSQL, each value
    checked by the enum's constraint, and "institutions teaching this level" is an indexed
    ``EXISTS`` (the registration-opened e-mail, a school's dashboard).
    """

    __tablename__ = "institution_level"

    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[SchoolLevel] = mapped_column(primary_key=True, index=True)


def teaches(
    institution_id: int | None | sa.ColumnElement[int | None] | Mapped[int | None],
    level: SchoolLevel | sa.ColumnElement | Mapped[SchoolLevel | None],
) -> sa.Exists:
    """The institution (an id or a column) teaches the level (a value or a column): a
    condition for queries."""
    return (
        sa.select(InstitutionLevel.institution_id)
        .where(InstitutionLevel.institution_id == institution_id, InstitutionLevel.level == level)
        .exists()
    )
