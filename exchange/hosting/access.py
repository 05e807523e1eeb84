"""Who sees which host families: the only place this rule is written.

City hall (admins and coordinators) sees every family; a school representative only the
families of their own school. A family of another school answers 404, and the attempt goes
into the audit log, as for participants. Matching and its exports are city hall's (the views'
guards say so).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from exchange.audit import services as audit
from exchange.auth.models import User, Viewer, is_staff
from exchange.extensions import db
from exchange.hosting.models import HostFamily


def families_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    if is_staff(viewer):
        return sa.true()
    if isinstance(viewer, User) and viewer.is_authenticated and viewer.institution_id:
        return HostFamily.institution_id == viewer.institution_id
    return sa.false()


def get_family_or_404(family_id: int, viewer: Viewer) -> HostFamily:
    family = db.session.scalar(
        sa.select(HostFamily)
        .options(joinedload(HostFamily.institution), joinedload(HostFamily.host_child))
        .where(HostFamily.id == family_id, families_visible_to(viewer))
    )
    if family is None:
        if db.session.get(HostFamily, family_id) is not None:
            audit.record_now("access_denied", "host_family", family_id)
        abort(404)
    return family
