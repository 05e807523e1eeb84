"""Who may produce which of a sending school's papers: the only place this rule is written.

City hall (admins and coordinators) produces the papers of every Olsztyn school that sends
people on an exchange; a school representative only their own school's. Another school's
papers are not found (404), and the attempt goes into the audit log, as for any record of
another school. The papers hold children's citizenship and residence documents: shown in full,
like identity documents, only to city hall and the person's own school.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from exchange.audit import services as audit
from exchange.auth.models import User, Viewer, is_staff
from exchange.exchanges.access import get_exchange_or_404
from exchange.exchanges.models import Direction, Exchange
from exchange.extensions import db
from exchange.paperwork.models import AccountLine, InsurancePolicy
from exchange.partners.models import Institution

# a school reaching for another's records: 404, and the attempt in the audit log, as there
from exchange.registrations.access import _not_found, get_registration_or_404
from exchange.registrations.models import Registration


def may_produce_school_papers(viewer: Viewer, institution_id: int) -> bool:
    """City hall, or the representative of that school."""
    if is_staff(viewer):
        return True
    return (
        isinstance(viewer, User)
        and viewer.is_authenticated
        and viewer.institution_id == institution_id
    )


def get_eu_papers_trip_or_404(
    exchange_id: int, institution_id: int, viewer: Viewer
) -> tuple[Exchange, Institution]:
    """An outgoing exchange the viewer may read and a school whose papers they may produce
    (the EU list of travellers, the consent forms)."""
    exchange = get_exchange_or_404(exchange_id, viewer)
    if not may_produce_school_papers(viewer, institution_id):
        if db.session.get(Institution, institution_id) is not None:
            audit.record_now("access_denied", "institution", institution_id)
        abort(404)
    institution = db.session.get(Institution, institution_id)
    if institution is None or exchange.direction is not Direction.OUTGOING:
        abort(404)
    return exchange, institution


def get_consent_form_registration_or_404(registration_id: int, viewer: Viewer) -> Registration:
    """A registration for an outgoing exchange, whose person the viewer may see."""
    registration = get_registration_or_404(registration_id, viewer)
    if registration.exchange.direction is not Direction.OUTGOING:
        abort(404)
    return registration


def get_sending_school_or_404(institution_id: int, viewer: Viewer) -> Institution:
    """An Olsztyn institution (no partner city) whose trip papers the viewer may produce:
    city hall any, a school its own."""
    institution = db.session.scalar(
        sa.select(Institution).where(
            Institution.id == institution_id, Institution.partner_city_id.is_(None)
        )
    )
    if institution is None:
        abort(404)
    if not may_produce_school_papers(viewer, institution.id):
        audit.record_now("access_denied", "institution", institution.id, detail="trip papers")
        abort(404)
    return institution


# --- insurance and the trip's accounts ------------------------------------------------------


def own_institution_id(viewer: Viewer) -> int | None:
    """The institution a school representative acts for; None for city hall (every school)."""
    if is_staff(viewer):
        return None
    if isinstance(viewer, User) and viewer.is_authenticated and viewer.institution_id:
        return viewer.institution_id
    abort(404)


def money_visible_to(model: type[InsurancePolicy] | type[AccountLine], viewer: Viewer):
    """The policies or account lines ``viewer`` may read, as a condition."""
    own = own_institution_id(viewer)
    return sa.true() if own is None else model.institution_id == own


def get_policy_or_404(policy_id: int, viewer: Viewer) -> InsurancePolicy:
    policy = db.session.scalar(
        sa.select(InsurancePolicy)
        .options(joinedload(InsurancePolicy.exchange), joinedload(InsurancePolicy.institution))
        .where(InsurancePolicy.id == policy_id, money_visible_to(InsurancePolicy, viewer))
    )
    if policy is None:
        _not_found(InsurancePolicy, "insurance_policy", policy_id)
    return policy


def get_account_line_or_404(line_id: int, viewer: Viewer) -> AccountLine:
    line = db.session.scalar(
        sa.select(AccountLine)
        .options(joinedload(AccountLine.exchange), joinedload(AccountLine.institution))
        .where(AccountLine.id == line_id, money_visible_to(AccountLine, viewer))
    )
    if line is None:
        _not_found(AccountLine, "account_line", line_id)
    return line
