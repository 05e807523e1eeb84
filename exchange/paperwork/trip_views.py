"""A sending school's trip papers: the page that lists them (with the choice of the leader and
the chaperones), the trip card, the participant list and the notice to the superintendent.
City hall reaches every Olsztyn school's papers; a school only its own (another's: 404)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.downloads import attachment
from exchange.core.permissions import Role, role_required
from exchange.exchanges.access import get_exchange_or_404
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.paperwork import notice, trip_exports, trip_services
from exchange.paperwork.access import get_sending_school_or_404
from exchange.paperwork.trip_card import TripCard, is_abroad, sending_schools, trip_card
from exchange.paperwork.trip_forms import TripStaffForm
from exchange.paperwork.views import bp

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)
LANGUAGES = ("pl", "en")


def _load(exchange_id: int, institution_id: int) -> TripCard:
    exchange = get_exchange_or_404(exchange_id, current_user)
    institution = get_sending_school_or_404(institution_id, current_user)
    return trip_card(exchange, institution)


def _language() -> str:
    """The papers are Polish unless English is asked for (``?lang=en``)."""
    language = request.args.get("lang", "pl")
    return language if language in LANGUAGES else "pl"


def _logged(body: bytes, fmt: str, stem: str, paper: str, card: TripCard) -> Response:
    """The paper as a download, once the audit log has who produced which paper, for which
    exchange and school (no personal data)."""
    exchange_id, institution_id = card.exchange.id, card.institution.id
    audit.record("export", "exchange", exchange_id, detail=f"{paper}; institution {institution_id}")
    db.session.commit()
    return attachment(body, fmt, f"{stem}-{exchange_id}-{institution_id}")


@bp.get("/exchanges/<int:exchange_id>/paperwork")
@everyone_logged_in
def trip_schools(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    if not current_user.is_staff:
        return redirect(
            url_for(".trip_paperwork", exchange_id=exchange.id,
                    institution_id=current_user.institution_id)
        )  # fmt: skip
    return render_template(
        "paperwork/trip_schools.html", exchange=exchange, schools=sending_schools(exchange)
    )


def _paperwork_page(exchange: Exchange, card: TripCard, form: TripStaffForm, status: int):
    return render_template(
        "paperwork/trip_paperwork.html",
        exchange=exchange,
        card=card,
        form=form,
        abroad=is_abroad(exchange),
    ), status


@bp.route("/exchanges/<int:exchange_id>/paperwork/<int:institution_id>", methods=["GET", "POST"])
@everyone_logged_in
def trip_paperwork(exchange_id: int, institution_id: int):
    card = _load(exchange_id, institution_id)
    form = TripStaffForm(adults=card.adults)
    if request.method == "GET":
        form.leader_id.data = card.leader.id if card.leader else None
        form.chaperone_ids.data = [person.id for person in card.chaperones]
    sent = submit(
        form,
        lambda: trip_services.set_staff(card, form.values(), by=current_user),
        check=lambda: trip_services.check_staff(card, form.values()),
    )
    if sent.done:
        flash(_("The leader and the chaperones are saved."), "success")
        return redirect(
            url_for(".trip_paperwork", exchange_id=exchange_id, institution_id=institution_id)
        )
    return _paperwork_page(card.exchange, card, form, sent.status)


@bp.get("/exchanges/<int:exchange_id>/trip-card/<int:institution_id>.pdf")
@everyone_logged_in
def trip_card_pdf(exchange_id: int, institution_id: int):
    card = _load(exchange_id, institution_id)
    language = _language()
    with force_locale(language):
        body = trip_exports.trip_card_pdf(card)
    return _logged(body, "pdf", "trip-card", f"trip card ({language})", card)


@bp.get("/exchanges/<int:exchange_id>/participant-list/<int:institution_id>.<fmt>")
@everyone_logged_in
def participant_list(exchange_id: int, institution_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    card = _load(exchange_id, institution_id)
    language = _language()
    with force_locale(language):
        if fmt == "pdf":
            body = trip_exports.participant_list_pdf(card)
        else:
            body = trip_exports.participant_list_xlsx(card)
    return _logged(body, fmt, "participant-list", f"participant list {fmt} ({language})", card)


@bp.get("/exchanges/<int:exchange_id>/superintendent-notice/<int:institution_id>.pdf")
@everyone_logged_in
def superintendent_notice(exchange_id: int, institution_id: int):
    card = _load(exchange_id, institution_id)
    if not card.abroad:
        abort(404)  # only a trip abroad is notified
    language = _language()
    with force_locale(language):
        body = notice.notice_pdf(card)
    trip_services.record_notice(card, by=current_user)
    return _logged(body, "pdf", "notice", f"superintendent notice ({language})", card)
