"""Copying an exchange as a new draft (last year's, on new dates), and deleting a draft.

A copy is a new exchange: it goes through the same rules (``services.create_exchange``) and is
audited like any other. A draft is the only exchange that may be deleted: no school has seen
it, and none has registered anybody (registering needs an open registration, and no exchange
goes back to being a draft), so nothing else refers to it.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.exchanges.models import Exchange, ExchangeStatus, ProgrammeItem
from exchange.exchanges.services import ExchangeError, ExchangeValues, create_exchange
from exchange.extensions import db

log = logging.getLogger(__name__)


class NotADraft(ExchangeError):
    """Only a draft may be deleted."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(
            _l(
                "Only a draft can be deleted, and this exchange is “%(status)s”: schools may "
                "have seen it or registered people. Cancel it instead.",
                status=exchange.status.label,
            )
        )


def a_year_later(day: date) -> date:
    """The same day next year (28 February for a 29th)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _moved(day: date | None, offset: timedelta) -> date | None:
    return None if day is None else day + offset


def copy_exchange(exchange: Exchange, first_day: date, *, by: User) -> Exchange:
    """A new draft like ``exchange``, starting on ``first_day``: the same details, partners and
    programme, every date (the last day, the registration window, the programme's days) moved
    by the same number of days. Registrations are not copied, nor the actual cost (it is
    last time's) or a cancellation."""
    offset = first_day - exchange.start_date
    values = dataclasses.replace(
        ExchangeValues.of(exchange),
        start_date=first_day,
        end_date=exchange.end_date + offset,
        registration_opens=_moved(exchange.registration_opens, offset),
        registration_closes=_moved(exchange.registration_closes, offset),
        budget_actual=None,
    )
    copy = create_exchange(values, by=by)
    db.session.add_all(
        ProgrammeItem(
            exchange_id=copy.id,
            day=item.day + offset,
            start_time=item.start_time,
            end_time=item.end_time,
            activity=item.activity,
            place=item.place,
        )
        for item in exchange.programme
    )
    db.session.flush()
    audit.record("copy", "exchange", copy.id, detail=f"copy of exchange {exchange.id}")
    log.info("exchange %s copied as %s by user %s", exchange.id, copy.id, by.id)
    return copy


def delete_draft(exchange: Exchange, *, by: User) -> None:
    """Delete a draft with its programme; any other exchange is refused (``NotADraft``)."""
    if exchange.status is not ExchangeStatus.DRAFT:
        raise NotADraft(exchange)
    exchange_id = exchange.id
    db.session.delete(exchange)  # its programme goes with it, each item in the audit log
    db.session.flush()
    log.info("draft exchange %s deleted by user %s", exchange_id, by.id)
