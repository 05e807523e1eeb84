"""Who may produce which school's trip papers: the only place this rule is written.

City hall (admins and coordinators) produces the papers of every Olsztyn school that sends
people on an exchange; a school representative only their own school's. Another school's
papers are not found (404), and the attempt goes into the audit log, as for any record of
another school.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from exchange.audit import services as audit
from exchange.auth.models import User, Viewer, is_staff
from exchange.extensions import db
from exchange.partners.models import Institution


def can_see_school_papers(viewer: Viewer, institution_id: int) -> bool:
    if is_staff(viewer):
        return True
    return (
        isinstance(viewer, User)
        and viewer.is_authenticated
        and viewer.institution_id == institution_id
    )


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
    if not can_see_school_papers(viewer, institution.id):
        audit.record_now("access_denied", "institution", institution.id, detail="trip papers")
        abort(404)
    return institution
