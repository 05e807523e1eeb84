"""The roster of an exchange and what coordinators do on it: attendance (one by one or everyone
at once), moving someone up from the waiting list by hand, the export.

The views of the registrations' blueprint (``views.bp``), kept apart so that ``views.py`` stays
readable; ``create_app`` imports this module with the blueprint.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core import spreadsheets
from exchange.core.permissions import staff_required
from exchange.errors import DomainError
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.registrations import exports, queries, roster_actions, services
from exchange.registrations.access import get_registration_or_404
from exchange.registrations.forms import PromoteForm, RosterExportForm
from exchange.registrations.models import RegistrationStatus
from exchange.registrations.views import bp, roster_row


@bp.get("/exchanges/<int:exchange_id>/roster")
@staff_required
def roster(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return render_template(
        "registrations/roster.html",
        roster=queries.roster(exchange),
        exchange=exchange,
        export_form=RosterExportForm(request.args),
    )


@bp.post("/registrations/<int:registration_id>/attendance")
@staff_required
def mark_attendance(registration_id: int):
    registration = get_registration_or_404(registration_id, current_user)
    attended = request.form.get("attended") == "1"
    name, row = registration.participant.full_name, roster_row(registration)
    try:
        services.mark_attendance(registration, attended, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        if attended:
            flash(_("%(name)s is marked present.", name=name), "success")
        else:
            flash(_("%(name)s is marked absent.", name=name), "success")
    return redirect(row)


@bp.post("/exchanges/<int:exchange_id>/roster/everyone-present")
@staff_required
def mark_all_present(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    try:
        count = roster_actions.mark_all_present(exchange, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        if count:
            flash(
                ngettext(
                    "%(num)d participant is marked present.",
                    "%(num)d participants are marked present.",
                    count,
                ),
                "success",
            )
        else:
            flash(_("Everyone with a place was already marked."), "info")
    return redirect(url_for(".roster", exchange_id=exchange_id))


@bp.route("/registrations/<int:registration_id>/promote", methods=["GET", "POST"])
@staff_required
def promote(registration_id: int):
    registration = get_registration_or_404(registration_id, current_user)
    name, row = registration.participant.full_name, roster_row(registration)
    if request.method == "GET" and registration.status is not RegistrationStatus.WAITLISTED:
        flash(_("%(name)s is not on the waiting list.", name=name), "info")
        return redirect(row)
    form = PromoteForm()
    school = registration.institution.name
    sent = submit(
        form,
        lambda: roster_actions.promote_by_hand(
            registration,
            form.reason.data or "",
            add_place=bool(form.add_place.data),
            by=current_user,
        ),
    )
    if sent.done:
        check = sent.result
        flash(_("%(name)s has a place, moved up by hand.", name=name), "success")
        if check.beyond_quota:
            flash(
                _("%(school)s now holds %(count)d places, beyond its quota of %(quota)d.",
                  school=school, count=check.school_taken + 1, quota=check.quota),
                "info",
            )  # fmt: skip
        if not check.has_free_place:
            flash(_("A place was added for them: the exchange has one more place."), "info")
        return redirect(row)
    return render_template(
        "registrations/promote.html",
        registration=registration,
        form=form,
        check=roster_actions.check_place(registration),
        position=queries.waiting_position(registration),
        back=row,
    ), sent.status


@bp.get("/exchanges/<int:exchange_id>/roster.<fmt>")
@staff_required
def export_roster(exchange_id: int, fmt: str):
    exchange = get_exchange_or_404(exchange_id, current_user)
    include_notes = RosterExportForm(request.args).include_notes.data
    if fmt not in ("csv", "xlsx"):
        abort(404)
    data = queries.roster(exchange)
    body: str | bytes
    if fmt == "csv":
        body, mimetype = exports.roster_csv(data, include_notes), spreadsheets.CSV_MIMETYPE
    else:
        body = exports.roster_xlsx(data, include_notes)
        mimetype = spreadsheets.XLSX_MIMETYPE
    notes = " with notes" if include_notes else ""
    audit.record("export", "exchange", exchange.id, detail=f"roster.{fmt}{notes}")
    db.session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename=roster-exchange-{exchange.id}.{fmt}",
            "Cache-Control": "no-store",
        },
    )
