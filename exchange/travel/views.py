"""Travel legs and their travellers, identity documents, rooms and the rooming list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.bounds import MAX_INT
from exchange.core.downloads import attachment
from exchange.core.permissions import Role, role_required, staff_required
from exchange.errors import DomainError
from exchange.exchanges.access import get_exchange_or_404
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.forms_util import required, submit
from exchange.registrations.access import get_participant_or_404
from exchange.travel import exports, queries, rooms, services
from exchange.travel.access import get_document, get_leg_or_404, get_room_or_404
from exchange.travel.emergency import group_choices
from exchange.travel.forms import (
    DocumentForm,
    GuardianForm,
    LegForm,
    OccupantForm,
    RoomForm,
    TravellersForm,
)
from exchange.travel.letters import letters_of
from exchange.travel.models import TravelLeg

bp = Blueprint("travel", __name__)

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)


# --- the journey ----------------------------------------------------------------------------


@bp.get("/exchanges/<int:exchange_id>/travel")
@everyone_logged_in
def exchange_travel(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return render_template(
        "travel/travel.html",
        exchange=exchange,
        overview=queries.travel_overview(exchange, current_user),
        letters=letters_of(exchange) if current_user.is_staff else [],
        groups=group_choices(exchange, current_user),
    )


def _leg_page(exchange: Exchange, form: LegForm, leg: TravelLeg | None, status: int):
    return render_template("travel/leg_form.html", exchange=exchange, form=form, leg=leg), status


@bp.route("/exchanges/<int:exchange_id>/legs/new", methods=["GET", "POST"])
@staff_required
def create_leg(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = LegForm()
    sent = submit(form, lambda: services.create_leg(exchange, form.values(), by=current_user))
    if sent.done:
        flash(_("The leg is added."), "success")
        return redirect(url_for(".leg_travellers", leg_id=sent.result.id))
    return _leg_page(exchange, form, None, sent.status)


@bp.route("/legs/<int:leg_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_leg(leg_id: int):
    leg = get_leg_or_404(leg_id)
    form = LegForm(obj=leg)
    sent = submit(form, lambda: services.update_leg(leg, form.values(), by=current_user))
    if sent.done:
        flash(_("The leg is saved."), "success")
        return redirect(url_for(".exchange_travel", exchange_id=leg.exchange_id))
    return _leg_page(leg.exchange, form, leg, sent.status)


@bp.post("/legs/<int:leg_id>/delete")
@staff_required
def delete_leg(leg_id: int):
    leg = get_leg_or_404(leg_id)
    exchange_id = leg.exchange_id
    services.delete_leg(leg, by=current_user)
    db.session.commit()
    flash(_("The leg is removed."), "success")
    return redirect(url_for(".exchange_travel", exchange_id=exchange_id))


@bp.route("/legs/<int:leg_id>/travellers", methods=["GET", "POST"])
@staff_required
def leg_travellers(leg_id: int):
    leg = get_leg_or_404(leg_id)
    registrations = queries.place_holders(leg.exchange)
    form = TravellersForm(registrations=registrations)
    if request.method == "GET":
        form.travellers.data = queries.leg_traveller_ids(leg)
    sent = submit(
        form,
        lambda: services.set_travellers(leg, form.travellers.data or [], by=current_user),
    )
    if sent.done:
        flash(_("The travellers are saved."), "success")
        return redirect(url_for(".exchange_travel", exchange_id=leg.exchange_id))
    return render_template(
        "travel/travellers.html", leg=leg, exchange=leg.exchange, form=form
    ), sent.status


@bp.get("/legs/<int:leg_id>/manifest.<fmt>")
@staff_required
def manifest(leg_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    leg = get_leg_or_404(leg_id)
    exchange = get_exchange_or_404(leg.exchange_id, current_user)
    overview = queries.travel_overview(exchange, current_user)
    if fmt == "pdf":
        body = exports.manifest_pdf(overview, leg)
    else:
        body = exports.manifest_xlsx(overview, leg)
    audit.record("export", "travel_leg", leg.id, detail=f"manifest.{fmt}")
    db.session.commit()
    return attachment(body, fmt, f"manifest-leg-{leg.id}")


# --- identity documents ---------------------------------------------------------------------


@bp.route("/participants/<int:participant_id>/identity-document", methods=["GET", "POST"])
@everyone_logged_in
def identity_document(participant_id: int):
    participant = get_participant_or_404(participant_id, current_user)
    document = get_document(participant)
    form = DocumentForm(obj=document)
    sent = submit(form, lambda: services.save_document(participant, form.values(), by=current_user))
    if sent.done:
        flash(_("The identity document is saved."), "success")
        return redirect(url_for("registrations.participant", participant_id=participant.id))
    return render_template(
        "travel/document_form.html", participant=participant, document=document, form=form
    ), sent.status


@bp.post("/participants/<int:participant_id>/identity-document/delete")
@everyone_logged_in
def delete_identity_document(participant_id: int):
    participant = get_participant_or_404(participant_id, current_user)
    if services.delete_document(participant, by=current_user):
        db.session.commit()
        flash(_("The identity document is removed."), "success")
    return redirect(url_for("registrations.participant", participant_id=participant.id))


# --- rooms ----------------------------------------------------------------------------------


def _rooms_page(exchange: Exchange, room_form: RoomForm | None = None, status: int = 200):
    overview = queries.rooming_overview(exchange)
    return render_template(
        "travel/rooms.html",
        exchange=exchange,
        overview=overview,
        room_form=room_form or RoomForm(formdata=None),
        occupant_form=OccupantForm(formdata=None, registrations=overview.without_bed),
        guardian_form=GuardianForm(formdata=None, registrations=overview.place_holders),
    ), status


@bp.get("/exchanges/<int:exchange_id>/rooms")
@staff_required
def exchange_rooms(exchange_id: int):
    return _rooms_page(get_exchange_or_404(exchange_id, current_user))


@bp.post("/exchanges/<int:exchange_id>/rooms")
@staff_required
def create_room(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = RoomForm()
    sent = submit(form, lambda: rooms.create_room(exchange, form.values(), by=current_user))
    if sent.done:
        flash(_("The room is added."), "success")
        return redirect(url_for(".exchange_rooms", exchange_id=exchange.id))
    return _rooms_page(exchange, form, sent.status)


@bp.post("/rooms/<int:room_id>/delete")
@staff_required
def delete_room(room_id: int):
    room = get_room_or_404(room_id)
    exchange_id = room.exchange_id
    rooms.delete_room(room, by=current_user)
    db.session.commit()
    flash(_("The room is removed."), "success")
    return redirect(url_for(".exchange_rooms", exchange_id=exchange_id))


def _posted_id(name: str) -> int | None:
    """An id from a button's hidden field: None unless it is a number an id column holds."""
    value = request.form.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_INT else None


def _flash_refusal(error: DomainError) -> None:
    for message in error.messages:
        flash(message, "error")


@bp.post("/rooms/<int:room_id>/occupants")
@staff_required
def add_occupant(room_id: int):
    room = get_room_or_404(room_id)
    form = OccupantForm(registrations=queries.place_holders(room.exchange))
    sent = submit(
        form,
        lambda: rooms.add_occupant(
            room,
            _registration(room.exchange, required(form.registration.data)),
            by=current_user,
        ),
    )
    if sent.done:
        flash(_("The bed is given."), "success")
    elif sent.error is not None:
        _flash_refusal(sent.error)
    else:
        flash(_("Choose a person."), "error")
    return redirect(url_for(".exchange_rooms", exchange_id=room.exchange_id))


def _registration(exchange: Exchange, registration_id: int):
    holders = {item.id: item for item in queries.place_holders(exchange)}
    if registration_id not in holders:
        abort(404)
    return holders[registration_id]


@bp.post("/rooms/<int:room_id>/occupants/remove")
@staff_required
def remove_occupant(room_id: int):
    room = get_room_or_404(room_id)
    registration_id = _posted_id("registration_id")
    if registration_id is not None and rooms.remove_occupant(
        room, registration_id, by=current_user
    ):
        db.session.commit()
        flash(_("The bed is free."), "success")
    return redirect(url_for(".exchange_rooms", exchange_id=room.exchange_id))


@bp.post("/exchanges/<int:exchange_id>/guardians")
@staff_required
def add_guardian(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = GuardianForm(registrations=queries.place_holders(exchange))
    sent = submit(
        form,
        lambda: rooms.add_guardian(
            exchange,
            _registration(exchange, required(form.minor_id.data)),
            _registration(exchange, required(form.guardian_id.data)),
            by=current_user,
        ),
    )
    if sent.done:
        flash(_("The parent or guardian is recorded."), "success")
    elif sent.error is not None:
        _flash_refusal(sent.error)
    else:
        flash(_("Choose a minor and their parent or guardian."), "error")
    return redirect(url_for(".exchange_rooms", exchange_id=exchange.id))


@bp.post("/exchanges/<int:exchange_id>/guardians/remove")
@staff_required
def remove_guardian(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    link_id = _posted_id("link_id")
    if rooms.remove_guardian(exchange, link_id, by=current_user):
        db.session.commit()
        flash(_("The parent or guardian is no longer recorded."), "success")
    return redirect(url_for(".exchange_rooms", exchange_id=exchange.id))


@bp.get("/exchanges/<int:exchange_id>/rooming.<fmt>")
@staff_required
def rooming_list(exchange_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    exchange = get_exchange_or_404(exchange_id, current_user)
    overview = queries.rooming_overview(exchange)
    body = exports.rooming_pdf(overview) if fmt == "pdf" else exports.rooming_xlsx(overview)
    audit.record("export", "exchange", exchange.id, detail=f"rooming.{fmt}")
    db.session.commit()
    return attachment(body, fmt, f"rooming-exchange-{exchange.id}")
