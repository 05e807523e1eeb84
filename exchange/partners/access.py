"""Loading partner cities and institutions for a page, or answering 404.

Partner cities are public; institutions are for city hall, which the views' guards check.
"""

from __future__ import annotations

from flask import abort

from exchange.partners import services
from exchange.partners.models import Institution, PartnerCity


def get_partner_or_404(slug: str) -> PartnerCity:
    partner = services.get_partner_by_slug(slug)
    if partner is None:
        abort(404)
    return partner


def get_institution_or_404(institution_id: int) -> Institution:
    institution = services.get_institution(institution_id)
    if institution is None:
        abort(404)
    return institution
