"""Participants, consents, import, registering, my registrations, rosters and their export."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.permissions import Role, role_required, staff_required
from exchange.errors import DomainError
from exchange.exchanges import services as exchange_services
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.forms_util import attach_error
from exchange.partners.services import get_institution, list_institutions
from exchange.registrations import exports, importer, privacy, services
from exchange.registrations.forms import (
    ConsentForm,
    ImportForm,
    ParticipantForm,
    RegisterForm,
    RosterExportForm,
)
from exchange.registrations.models import (
    ConsentRecord,
    Participant,
    Registration,
    RegistrationStatus,
)

bp = Blueprint("registrations", __name__)

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)
school_required = role_required(Role.SCHOOL)


# --- loaders: one per model, each applying the user's scope (others answer 404) -------------


def _not_found(model, object_type: str, object_id: int):
    """404 — and when the object exists but belongs to another school, an audit event: someone
    changed a number in the URL."""
    if db.session.get(model, object_id) is not None:
        audit.record_now("access_denied", object_type, object_id)
    abort(404)


def get_participant_or_404(participant_id: int) -> Participant:
    participant = services.get_participant(participant_id, current_user)
    if participant is None:
        _not_found(Participant, "participant", participant_id)
    return participant


def get_registration_or_404(registration_id: int) -> Registration:
    registration = services.get_registration(registration_id, current_user)
    if registration is None:
        _not_found(Registration, "registration", registration_id)
    return registration


def get_consent_or_404(consent_id: int) -> ConsentRecord:
    consent = services.get_consent(consent_id, current_user)
    if consent is None:
        _not_found(ConsentRecord, "consent", consent_id)
    return consent


def get_visible_exchange_or_404(exchange_id: int) -> Exchange:
    exchange = exchange_services.get_exchange(exchange_id)
    if exchange is None or (
        current_user.role is Role.SCHOOL and exchange.status is ExchangeStatus.DRAFT
    ):
        abort(404)
    return exchange


# --- participants ---------------------------------------------------------------------------


@bp.get("/participants/")
@everyone_logged_in
def participants():
    q = request.args.get("q", "").strip()[:100]
    page = db.paginate(
        services.participants_query(current_user, q=q),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template("registrations/participants.html", page=page, q=q)


def _participant_form(**kwargs) -> ParticipantForm:
    institutions = list_institutions() if current_user.is_staff else None
    return ParticipantForm(institutions=institutions, **kwargs)


def _form_institution(form: ParticipantForm):
    if current_user.role is Role.SCHOOL:
        return current_user.institution
    institution = get_institution(form.institution_id.data)
    if institution is None:
        abort(404)
    return institution


@bp.route("/participants/new", methods=["GET", "POST"])
@everyone_logged_in
def create_participant():
    form = _participant_form()
    if form.validate_on_submit():
        try:
            participant = services.create_participant(
                form.values(), institution=_form_institution(form), by=current_user
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=participant.full_name), "success")
            return redirect(url_for(".participant", participant_id=participant.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registrations/participant_form.html", form=form, participant=None
    ), status


@bp.get("/participants/<int:participant_id>")
@everyone_logged_in
def participant(participant_id: int):
    item = get_participant_or_404(participant_id)
    return _participant_page(item, ConsentForm())


def _participant_page(item: Participant, consent_form: ConsentForm, status: int = 200):
    registrations = db.session.scalars(
        services.my_registrations_query(current_user).where(Registration.participant_id == item.id)
    ).all()
    return render_template(
        "registrations/participant.html",
        participant=item,
        registrations=registrations,
        positions=services.waiting_positions(registrations),
        consent_form=consent_form,
    ), status


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@everyone_logged_in
def edit_participant(participant_id: int):
    item = get_participant_or_404(participant_id)
    form = _participant_form(obj=item)
    if form.validate_on_submit():
        try:
            services.update_participant(item, form.values(), by=current_user)
            if current_user.is_staff:
                item.institution = _form_institution(form)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=item.full_name), "success")
            return redirect(url_for(".participant", participant_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registrations/participant_form.html", form=form, participant=item
    ), status


@bp.post("/participants/<int:participant_id>/delete")
@everyone_logged_in
def delete_participant(participant_id: int):
    item = get_participant_or_404(participant_id)
    name = item.full_name
    try:
        services.delete_participant(item, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".participant", participant_id=participant_id))
    db.session.commit()
    flash(_("%(name)s is removed.", name=name), "success")
    return redirect(url_for(".participants"))


@bp.post("/participants/<int:participant_id>/consents")
@everyone_logged_in
def record_consent(participant_id: int):
    item = get_participant_or_404(participant_id)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            services.record_consent(
                item,
                guardian_name=form.guardian_name.data,
                given_on=form.given_on.data,
                method=form.method.data,
                text_version=form.text_version.data,
                by=current_user,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The consent is recorded."), "success")
            return redirect(url_for(".participant", participant_id=item.id))
    return _participant_page(item, form, 422)


@bp.post("/consents/<int:consent_id>/withdraw")
@everyone_logged_in
def withdraw_consent(consent_id: int):
    consent = get_consent_or_404(consent_id)
    try:
        withdrawn = services.withdraw_consent(consent, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The consent is withdrawn, and with it %(num)d registration.",
                "The consent is withdrawn, and with it %(num)d registrations.",
                len(withdrawn),
            ),
            "success",
        )
    return redirect(url_for(".participant", participant_id=consent.participant_id))


# --- import ---------------------------------------------------------------------------------


@bp.route("/participants/import", methods=["GET", "POST"])
@school_required
def import_participants():
    form = ImportForm()
    row_errors: list[importer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = importer.read_rows(upload.filename, upload.read())
            created = importer.import_participants(
                rows, institution=current_user.institution, by=current_user
            )
        except importer.ImportRowsError as error:
            db.session.rollback()
            row_errors = error.errors
            form.form_errors.append(
                _("Nothing was imported: correct the rows below and upload the file again.")
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d participant is imported.",
                    "%(num)d participants are imported.",
                    len(created),
                ),
                "success",
            )
            return redirect(url_for(".participants"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registrations/import.html", form=form, row_errors=row_errors, max_rows=importer.MAX_ROWS
    ), status


@bp.get("/participants/import/template.<fmt>")
@school_required
def import_template(fmt: str):
    if fmt == "xlsx":
        return Response(
            importer.template_xlsx(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": "attachment; filename=participants-template.xlsx"},
        )
    if fmt == "csv":
        return Response(
            importer.template_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=participants-template.csv"},
        )
    abort(404)


# --- registering ----------------------------------------------------------------------------


@bp.route("/exchanges/<int:exchange_id>/register", methods=["GET", "POST"])
@everyone_logged_in
def register(exchange_id: int):
    exchange = get_visible_exchange_or_404(exchange_id)
    # a page at a time: staff would otherwise get every institution's people in one list (the
    # form posts back to the same page, so its choices are the page's)
    page = db.paginate(
        services.registrable_participants_query(exchange, current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"] * 4,
        error_out=False,
    )
    candidates = page.items
    form = RegisterForm(participants=candidates)
    if form.validate_on_submit():
        chosen = [item for item in candidates if item.id in set(form.participants.data)]
        try:
            results = services.register_many(exchange, chosen, by=current_user)
        except services.BatchRefused as refused:
            db.session.rollback()
            form.form_errors.extend([_("Nobody was registered:"), *refused.problems])
        else:
            db.session.commit()
            confirmed = sum(1 for item in results if item.status is RegistrationStatus.CONFIRMED)
            flash(
                _("%(confirmed)d confirmed, %(waiting)d on the waiting list.",
                  confirmed=confirmed, waiting=len(results) - confirmed),
                "success",
            )  # fmt: skip
            return redirect(url_for(".my_registrations"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registrations/register.html",
        exchange=exchange,
        form=form,
        candidates=candidates,
        page=page,
    ), status


@bp.get("/registrations/")
@everyone_logged_in
def my_registrations():
    page = db.paginate(
        services.my_registrations_query(current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
        count=False,
    )
    # counted on the registrations alone: the page's joins would make staff (who see all
    # 300,000 at 25 years) wait 150 ms for the same number
    page.total = services.count_registrations(current_user)
    return render_template(
        "registrations/my_registrations.html",
        page=page,
        positions=services.waiting_positions(page.items),
    )


@bp.post("/registrations/<int:registration_id>/withdraw")
@everyone_logged_in
def withdraw(registration_id: int):
    registration = get_registration_or_404(registration_id)
    name = registration.participant.full_name
    exchange_id = registration.exchange_id
    try:
        promoted = services.withdraw(registration, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".my_registrations"))
    db.session.commit()
    flash(_("%(name)s is withdrawn.", name=name), "success")
    if promoted is not None and current_user.is_staff:
        flash(_("The first person on the waiting list now has the place."), "info")
    if current_user.is_staff:
        return redirect(url_for(".roster", exchange_id=exchange_id))
    return redirect(url_for(".my_registrations"))


# --- coordinators: roster, attendance, export -----------------------------------------------


@bp.get("/exchanges/<int:exchange_id>/roster")
@staff_required
def roster(exchange_id: int):
    exchange = get_visible_exchange_or_404(exchange_id)
    return render_template(
        "registrations/roster.html",
        roster=services.roster(exchange),
        exchange=exchange,
        export_form=RosterExportForm(request.args),
    )


@bp.post("/registrations/<int:registration_id>/attendance")
@staff_required
def mark_attendance(registration_id: int):
    registration = get_registration_or_404(registration_id)
    try:
        services.mark_attendance(registration, request.form.get("attended") == "1", by=current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for(".roster", exchange_id=registration.exchange_id))


@bp.get("/exchanges/<int:exchange_id>/roster.<fmt>")
@staff_required
def export_roster(exchange_id: int, fmt: str):
    exchange = get_visible_exchange_or_404(exchange_id)
    include_notes = RosterExportForm(request.args).include_notes.data
    if fmt not in ("csv", "xlsx"):
        abort(404)
    data = services.roster(exchange)
    if fmt == "csv":
        body, mimetype = exports.roster_csv(data, include_notes), "text/csv"
    else:
        body = exports.roster_xlsx(data, include_notes)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


# --- access requests and erasure (GDPR) -----------------------------------------------------


@bp.get("/participants/<int:participant_id>/export.json")
@everyone_logged_in
def export_person(participant_id: int):
    item = get_participant_or_404(participant_id)
    data = privacy.export_person(item, by=current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=participant-{item.id}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/participants/<int:participant_id>/erase")
@staff_required
def erase_person(participant_id: int):
    item = get_participant_or_404(participant_id)
    privacy.erase(item, by=current_user)
    db.session.commit()
    flash(_("The personal data is erased; the counts in the reports stay."), "success")
    return redirect(url_for(".participant", participant_id=item.id))
