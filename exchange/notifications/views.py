"""The admins' e-mail queue and each user's e-mail settings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.permissions import admin_required
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.notifications import services
from exchange.notifications.forms import settings_form
from exchange.notifications.models import DeliveryState, Notification

bp = Blueprint("notifications", __name__)


@bp.get("/admin/email-queue")
@admin_required
def queue():
    """Every message: recipient, kind, time, state, attempts, last error; retry the failed."""
    state_name = request.args.get("state", "")
    state = DeliveryState(state_name) if state_name in set(DeliveryState) else None
    page = db.paginate(
        services.queue_query(state),
        per_page=current_app.config["ITEMS_PER_PAGE"] * 2,
        error_out=False,
    )
    return render_template(
        "notifications/queue.html", page=page, state=state, states=list(DeliveryState)
    )


@bp.post("/admin/email-queue/<int:notification_id>/retry")
@admin_required
def retry(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        abort(404)
    try:
        services.retry(notification, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".queue"))
    audit.record("email_retry", "notification", notification.id)
    db.session.commit()
    flash(_("The message will be sent again."), "success")
    return redirect(url_for(".queue"))


@bp.route("/account/email", methods=["GET", "POST"])
def settings():
    """The language of the user's e-mails and which non-essential ones they receive."""
    user = current_user._get_current_object()
    wanted = services.choices_of(user)
    kinds = list(wanted)
    form = settings_form(kinds)
    if request.method == "GET":
        form.language.data = user.language
        for kind, value in wanted.items():
            form[f"kind_{kind.value}"].data = value
    sent = submit(
        form,
        lambda: services.save_settings(
            user,
            language=form.language.data,
            wanted={kind: bool(form[f"kind_{kind.value}"].data) for kind in kinds},
            by=user,
        ),
    )
    if sent.done:
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for(".settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        kind_fields=[form[f"kind_{kind.value}"] for kind in kinds],
    ), sent.status
