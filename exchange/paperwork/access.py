"""Who reaches which papers of a trip: the only place these rules are written.

City hall (admins and coordinators) reaches every sending school's papers; a school
representative only their own institution's. Another school's papers are not found (404), and
an attempt on an existing one goes into the audit log (someone changed a number in the URL).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from exchange.auth.models import User, Viewer, is_staff
from exchange.extensions import db
from exchange.paperwork.models import AccountLine, InsurancePolicy
from exchange.partners.models import Institution

# a school reaching for another's records: 404, and the attempt in the audit log, as there
from exchange.registrations.access import _not_found

# --- insurance and the trip's accounts ------------------------------------------------------


def own_institution_id(viewer: Viewer) -> int | None:
    """The institution a school representative acts for; None for city hall (every school)."""
    if is_staff(viewer):
        return None
    if isinstance(viewer, User) and viewer.is_authenticated and viewer.institution_id:
        return viewer.institution_id
    abort(404)


def get_sending_school_or_404(institution_id: int, viewer: Viewer) -> Institution:
    """The institution whose insurance or accounts ``viewer`` works on: any for city hall, only
    their own for a school representative."""
    own = own_institution_id(viewer)
    if own is not None and own != institution_id:
        _not_found(Institution, "institution", institution_id)
    institution = db.session.get(Institution, institution_id)
    if institution is None:
        abort(404)
    return institution


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
