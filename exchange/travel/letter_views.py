"""Invitation letters (their settings, issuing one, downloading it again) and the group
leader's emergency sheet.

The views of travel's blueprint (``views.bp``), kept apart so that ``views.py`` stays readable;
``create_app`` imports this module with the blueprint.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.bounds import MAX_INT
from exchange.core.downloads import attachment
from exchange.core.permissions import admin_required, staff_required
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.travel import emergency, letter_pdf, letters
from exchange.travel.access import emergency_group, get_letter_or_404
from exchange.travel.forms import LetterForm, LetterSettingsForm
from exchange.travel.views import bp, everyone_logged_in


@bp.route("/letters/settings", methods=["GET", "POST"])
@admin_required
def letter_settings():
    settings = letters.letter_settings()
    form = LetterSettingsForm(obj=settings)
    sent = submit(form, lambda: letters.save_letter_settings(form.values(), by=current_user))
    if sent.done:
        flash(_("The letter settings are saved."), "success")
        return redirect(url_for(".letter_settings"))
    return render_template("travel/letter_settings.html", form=form), sent.status


@bp.route("/exchanges/<int:exchange_id>/letters/new", methods=["GET", "POST"])
@staff_required
def create_letter(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    guests = letters.guest_choices(exchange)
    form = LetterForm(registrations=guests)
    if request.method == "GET" and not form.purpose.data:
        form.purpose.data = exchange.title
    sent = submit(form, lambda: letters.issue_letter(exchange, form.values(), by=current_user))
    if sent.done:
        flash(_("Letter %(reference)s is issued.", reference=sent.result.reference), "success")
        return redirect(url_for(".exchange_travel", exchange_id=exchange.id))
    return render_template(
        "travel/letter_form.html", exchange=exchange, form=form, guests=guests
    ), sent.status


@bp.get("/letters/<int:letter_id>.pdf")
@staff_required
def letter_download(letter_id: int):
    letter = get_letter_or_404(letter_id)
    get_exchange_or_404(letter.exchange_id, current_user)
    body = letter_pdf.letter_pdf(letter, letters.letter_guests(letter))
    audit.record("export", "invitation_letter", letter.id, detail="invitation-letter.pdf")
    db.session.commit()
    return attachment(body, "pdf", f"invitation-letter-{letter.id}")


@bp.get("/exchanges/<int:exchange_id>/emergency-sheet.pdf")
@everyone_logged_in
def emergency_sheet(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    requested = request.args.get("group", type=int)
    if requested is not None and not 1 <= requested <= MAX_INT:
        requested = 0  # no such institution: an empty sheet for staff, 404 for a school
    group = emergency_group(current_user, requested)
    sheet = emergency.emergency_sheet(exchange, current_user, group)
    body = emergency.emergency_sheet_pdf(sheet)
    audit.record(
        "export",
        "exchange",
        exchange.id,
        detail=f"emergency-sheet group={group if group is not None else 'all'}",
    )
    db.session.commit()
    suffix = f"-group-{group}" if group is not None else ""
    return attachment(body, "pdf", f"emergency-sheet-exchange-{exchange.id}{suffix}")
