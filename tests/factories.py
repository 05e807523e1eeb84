"""Factories: objects with sensible defaults, committed, for tests."""

from __future__ import annotations

import itertools

from exchange.auth.models import Role, User
from exchange.auth.passwords import hash_password
from exchange.extensions import db
from exchange.partners.models import Institution, InstitutionKind, PartnerCity

PASSWORD = "correct horse battery staple"  # noqa: S105
_numbers = itertools.count(1)


def institution(**values) -> Institution:
    number = next(_numbers)
    values.setdefault("name", f"School no. {number}")
    values.setdefault("kind", InstitutionKind.SCHOOL)
    item = Institution(**values)
    db.session.add(item)
    db.session.commit()
    return item


def user(role: str | Role = Role.COORDINATOR, password: str | None = PASSWORD, **values) -> User:
    number = next(_numbers)
    role = Role(role)
    values.setdefault("email", f"user{number}@example.org")
    values.setdefault("full_name", f"User {number}")
    if role is Role.SCHOOL and "institution" not in values:
        values["institution"] = institution()
    item = User(role=role, password_hash=hash_password(password) if password else None, **values)
    db.session.add(item)
    db.session.commit()
    return item


def partner(**values) -> PartnerCity:
    number = next(_numbers)
    values.setdefault("name", f"Partner {number}")
    values.setdefault("slug", f"partner-{number}")
    values.setdefault("country", "DE")
    values.setdefault("year_signed", 2000)
    item = PartnerCity(**values)
    db.session.add(item)
    db.session.commit()
    return item
