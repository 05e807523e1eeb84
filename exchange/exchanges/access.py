"""Who may read which exchange: the only place this rule is written.

Staff (admins and coordinators) read every exchange; school representatives every exchange
but drafts; visitors who are not logged in only public exchanges that are not drafts.
``visible_to`` is the rule as a query condition, ``can_read`` for one exchange, and
``get_exchange_or_404`` the loader every page uses.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import joinedload, selectinload

from exchange.auth.models import Viewer, is_staff
from exchange.exchanges.models import Exchange, ExchangeStatus, ProgrammeItem
from exchange.extensions import db
from exchange.partners.models import Institution


def visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The exchanges ``viewer`` may read, as a condition."""
    if is_staff(viewer):
        return sa.true()
    not_draft = Exchange.status != ExchangeStatus.DRAFT
    if viewer.is_authenticated:
        return not_draft
    return sa.and_(not_draft, Exchange.is_public.is_(True))


def can_read(exchange: Exchange, viewer: Viewer) -> bool:
    if is_staff(viewer):
        return True
    if exchange.status is ExchangeStatus.DRAFT:
        return False
    return bool(viewer.is_authenticated or exchange.is_public)


def get_exchange(exchange_id: int) -> Exchange | None:
    """One exchange with everything its pages show: partners, programme and institutions
    (whoever asks: check ``can_read``, or use ``get_exchange_or_404``)."""
    return db.session.scalar(
        sa.select(Exchange)
        .options(
            selectinload(Exchange.partners),
            selectinload(Exchange.programme),
            joinedload(Exchange.olsztyn_institution).joinedload(Institution.partner_city),
            joinedload(Exchange.partner_institution).joinedload(Institution.partner_city),
            joinedload(Exchange.coordinator),
        )
        .where(Exchange.id == exchange_id)
    )


def get_exchange_or_404(exchange_id: int, viewer: Viewer) -> Exchange:
    """The exchange, if ``viewer`` may read it: a draft is not found for a school."""
    exchange = get_exchange(exchange_id)
    if exchange is None or not can_read(exchange, viewer):
        abort(404)
    return exchange


def get_public_exchange_or_404(exchange_id: int) -> Exchange:
    """A public exchange that is not a draft, for its public page: what a visitor who is not
    logged in may read, whoever asks (a draft or an internal exchange is not found)."""
    exchange = get_exchange(exchange_id)
    if exchange is None or not can_read(exchange, AnonymousUserMixin()):
        abort(404)
    return exchange


def get_programme_item_or_404(exchange: Exchange, item_id: int) -> ProgrammeItem:
    """An item of this exchange's programme (an item of another exchange is not found)."""
    item = next((item for item in exchange.programme if item.id == item_id), None)
    if item is None:
        abort(404)
    return item
