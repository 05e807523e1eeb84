"""Rules and queries for partner cities and institutions; the seed of the city's published list."""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from exchange.core.permissions import Actor
from exchange.db import escape_like
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.partners.countries import country_codes
from exchange.partners.models import (
    Institution,
    InstitutionKind,
    PartnerCity,
    PartnerKind,
    PartnerStatus,
    SchoolLevel,
)

log = logging.getLogger(__name__)


class PartnerError(DomainError):
    pass


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "partner"


# --- partner cities -------------------------------------------------------------------------


def list_partners(order: Literal["agreement", "name"] = "agreement") -> list[PartnerCity]:
    """Every partner city: in the order of the agreements (the city's history, as the home
    page and the list show them), or by name (choices in a form)."""
    name = PartnerCity.local_name
    keys = (name,) if order == "name" else (PartnerCity.year_signed, name)
    return list(db.session.scalars(sa.select(PartnerCity).order_by(*keys)))


def get_partner_by_slug(slug: str) -> PartnerCity | None:
    return db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == slug))


def get_partner(partner_id: int) -> PartnerCity | None:
    return db.session.get(PartnerCity, partner_id)


@dataclass
class PartnerValues:
    """A partner city's fields, as the form gives them."""

    name: str = ""
    name_pl: str = ""
    country: str = ""
    region: str = ""
    kind: PartnerKind | None = None
    year_signed: int | None = None
    status: PartnerStatus | None = None
    status_note: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    description: str = ""
    emergency_numbers: str = ""


PARTNER_FIELDS = tuple(f.name for f in dataclasses.fields(PartnerValues))


def _check_partner(values: dict, partner: PartnerCity | None) -> None:
    country = values["country"]
    if country not in country_codes():
        raise PartnerError(_l("Choose a country from the list."), field="country")
    same_name = db.session.scalar(
        sa.select(PartnerCity).where(sa.func.lower(PartnerCity.name) == values["name"].lower())
    )
    if same_name is not None and same_name is not partner:
        raise PartnerError(_l("A partner city with this name already exists."), field="name")
    if values["status"] is not PartnerStatus.ACTIVE and not values["status_note"].strip():
        raise PartnerError(
            _l("Say why the partnership is suspended or ended."), field="status_note"
        )


#: path segments of /partners/… that are pages, not partners
RESERVED_SLUGS = frozenset({"new"})


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, number = base, 2
    while slug in RESERVED_SLUGS or db.session.scalar(
        sa.select(PartnerCity.id).where(PartnerCity.slug == slug)
    ):
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_partner(values: PartnerValues, *, by: Actor) -> PartnerCity:
    cleaned = _clean_partner_values(values)
    _check_partner(cleaned, None)
    partner = PartnerCity(slug=_unique_slug(cleaned["name"]), **cleaned)
    db.session.add(partner)
    db.session.flush()
    log.info("partner city %s added by user %s", partner.id, by.id)
    return partner


def update_partner(partner: PartnerCity, values: PartnerValues, *, by: Actor) -> PartnerCity:
    cleaned = _clean_partner_values(values)
    _check_partner(cleaned, partner)
    for name, value in cleaned.items():
        setattr(partner, name, value)
    db.session.flush()
    log.info("partner city %s updated by user %s", partner.id, by.id)
    return partner


def _clean_partner_values(values: PartnerValues) -> dict[str, Any]:
    cleaned = {name: getattr(values, name) for name in PARTNER_FIELDS}
    for name, value in cleaned.items():
        if isinstance(value, str):
            cleaned[name] = value.strip()
        elif value is None and name not in {"kind", "status", "year_signed"}:
            cleaned[name] = ""
    cleaned["country"] = (cleaned["country"] or "").upper()
    # no Polish name of its own: Polish writes the name as it is
    cleaned["name_pl"] = cleaned["name_pl"] or None
    cleaned["kind"] = PartnerKind(cleaned["kind"] or PartnerKind.PARTNERSHIP)
    cleaned["status"] = PartnerStatus(cleaned["status"] or PartnerStatus.ACTIVE)
    return cleaned


# --- institutions ---------------------------------------------------------------------------


def get_institution(institution_id: int) -> Institution | None:
    return db.session.scalar(
        sa.select(Institution)
        .options(joinedload(Institution.partner_city), selectinload(Institution.level_rows))
        .where(Institution.id == institution_id)
    )


def list_institutions(active_only: bool = True) -> list[Institution]:
    query = sa.select(Institution).order_by(Institution.name)
    if active_only:
        query = query.where(Institution.active.is_(True))
    return list(db.session.scalars(query))


@dataclass
class InstitutionFilter:
    q: str = ""
    kind: InstitutionKind | None = None
    #: a partner city's id, 0 for Olsztyn, None for every city
    city: int | None = None


def institutions_query(filters: InstitutionFilter) -> sa.Select:
    query = (
        sa.select(Institution)
        .options(joinedload(Institution.partner_city), selectinload(Institution.level_rows))
        .order_by(Institution.name, Institution.id)
    )
    if filters.q:
        query = query.where(Institution.name.ilike(f"%{escape_like(filters.q)}%", escape="\\"))
    if filters.kind is not None:
        query = query.where(Institution.kind == filters.kind)
    if filters.city == 0:
        query = query.where(Institution.partner_city_id.is_(None))
    elif filters.city is not None:
        query = query.where(Institution.partner_city_id == filters.city)
    return query


@dataclass
class InstitutionValues:
    """An institution's fields, as the form gives them; ``partner_city`` None is Olsztyn."""

    name: str = ""
    kind: InstitutionKind | None = None
    partner_city: PartnerCity | None = None
    address: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    #: the school levels it teaches; kept for schools only
    school_levels: list[SchoolLevel] = dataclasses.field(default_factory=list)


INSTITUTION_FIELDS = tuple(
    f.name for f in dataclasses.fields(InstitutionValues) if f.name != "school_levels"
)


def create_institution(values: InstitutionValues, *, by: Actor) -> Institution:
    institution = Institution(**_clean_institution_values(values))
    institution.set_school_levels(_levels(values))
    db.session.add(institution)
    db.session.flush()
    log.info("institution %s added by user %s", institution.id, by.id)
    return institution


def update_institution(
    institution: Institution, values: InstitutionValues, *, by: Actor
) -> Institution:
    for name, value in _clean_institution_values(values).items():
        setattr(institution, name, value)
    institution.set_school_levels(_levels(values))
    db.session.flush()
    log.info("institution %s updated by user %s", institution.id, by.id)
    return institution


def set_institution_active(institution: Institution, active: bool, *, by: Actor) -> None:
    institution.active = active
    db.session.flush()
    log.info("institution %s active=%s by user %s", institution.id, active, by.id)


def _levels(values: InstitutionValues) -> set[SchoolLevel]:
    """The levels to keep: a hospital or a club teaches none, whatever the form said (a school
    whose kind is changed loses its levels)."""
    if values.kind is not InstitutionKind.SCHOOL:
        return set()
    return {SchoolLevel(level) for level in values.school_levels}


def _clean_institution_values(values: InstitutionValues) -> dict:
    cleaned = {}
    for name in INSTITUTION_FIELDS:
        value = getattr(values, name)
        cleaned[name] = value.strip() if isinstance(value, str) else value
    for name in ("address", "contact_email", "contact_phone"):
        cleaned[name] = cleaned[name] or ""
    if not cleaned["name"]:
        raise PartnerError(_l("Give the institution's name."), field="name")
    return cleaned


# --- seed -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedPartner:
    slug: str
    name: str
    country: str
    year_signed: int
    kind: PartnerKind = PartnerKind.PARTNERSHIP
    region: str = ""
    status_note: str = ""
    website: str = ""
    #: where Polish has its own name for the city
    name_pl: str | None = None

    @property
    def emergency_numbers(self) -> str:
        return EMERGENCY_NUMBERS.get(self.country, "112")


#: the numbers to call in an emergency, by country: what the group leader's sheet prints
EMERGENCY_NUMBERS = {
    "FI": "112",
    "FR": "112 · Ambulance (SAMU) 15 · Police 17 · Fire 18",
    "DE": "112 (ambulance, fire) · Police 110",
    "RU": "112 · Police 102 · Ambulance 103",
    "US": "911",
    "UA": "112 · Fire 101 · Police 102 · Ambulance 103",
    "SE": "112",
    "IT": "112 · Ambulance 118",
}


#: The city's published list ("Olsztyn's partner cities", olsztyn.eu)
SEED_PARTNERS = (
    SeedPartner(
        "rovaniemi", "Rovaniemi", "FI", 1976, region="Lapland", website="https://www.rovaniemi.fi"
    ),
    SeedPartner(
        "chateauroux",
        "Châteauroux",
        "FR",
        1991,
        region="Centre-Val de Loire",
        website="https://www.chateauroux-metropole.fr",
    ),
    SeedPartner(
        "gelsenkirchen",
        "Gelsenkirchen",
        "DE",
        1992,
        region="North Rhine-Westphalia",
        website="https://www.gelsenkirchen.de",
    ),
    SeedPartner("kaliningrad", "Kaliningrad", "RU", 1993, region="Kaliningrad Oblast"),
    SeedPartner(
        "richmond", "Richmond", "US", 1995, region="Virginia", website="https://www.rva.gov"
    ),
    SeedPartner("lutsk", "Lutsk", "UA", 1997, region="Volyn Oblast", name_pl="Łuck"),
    SeedPartner(
        "offenburg",
        "Offenburg",
        "DE",
        1999,
        region="Baden-Württemberg",
        website="https://www.offenburg.de",
    ),
    SeedPartner(
        "halmstad",
        "Halmstad",
        "SE",
        2003,
        kind=PartnerKind.COOPERATION_AGREEMENT,
        region="Halland",
        website="https://www.halmstad.se",
    ),
    SeedPartner(
        "perugia",
        "Province of Perugia",
        "IT",
        2004,
        kind=PartnerKind.COOPERATION_AGREEMENT,
        name_pl="Prowincja Perugia",
        region="Umbria",
        status_note=(
            "Olsztyn signed the agreement as the representative of Warmia, together with the "
            "Olsztyński, Braniewski and Lidzbarski District Governor's Offices."
        ),
    ),
)


def seed_partners() -> list[PartnerCity]:
    """Add the partners of the city's published list that are missing; change nothing else.

    Partners are matched by their slug, so running the seed again, or after an admin edited a
    partner, adds nothing and overwrites nothing.
    """
    existing = set(db.session.scalars(sa.select(PartnerCity.slug)))
    added = []
    for seed in SEED_PARTNERS:
        if seed.slug in existing:
            continue
        partner = PartnerCity(
            slug=seed.slug,
            name=seed.name,
            name_pl=seed.name_pl,
            country=seed.country,
            region=seed.region,
            kind=seed.kind,
            year_signed=seed.year_signed,
            status=PartnerStatus.ACTIVE,
            status_note=seed.status_note,
            website=seed.website,
            emergency_numbers=seed.emergency_numbers,
        )
        db.session.add(partner)
        added.append(partner)
    db.session.flush()
    return added
