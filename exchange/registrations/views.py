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

from exchange.core import limits, spreadsheets
from exchange.core.permissions import Role, role_required, staff_required
from exchange.errors import DomainError
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.forms_util import required, submit
from exchange.partners.services import get_institution, list_institutions
from exchange.registrations import import_files, importer, privacy, queries, residence, services
from exchange.registrations import participants as people
from exchange.registrations.access import (
    can_see_participant,
    get_consent_or_404,
    get_participant_or_404,
    get_registration_or_404,
)
from exchange.registrations.forms import (
    ConsentForm,
    ImportForm,
    ParticipantForm,
    RegisterForm,
)
from exchange.registrations.models import (
    Participant,
    Registration,
    RegistrationStatus,
)

bp = Blueprint("registrations", __name__)

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)


# --- participants ---------------------------------------------------------------------------


@bp.get("/participants/")
@everyone_logged_in
def participants():
    q = request.args.get("q", "").strip()[:100]
    per_page = current_app.config["ITEMS_PER_PAGE"]
    if q:  # a common name matches thousands: the page reads up to itself, counts up to a cap
        page = queries.search_page(current_user, q, None, per_page)
    else:
        page = db.paginate(
            queries.participants_query(current_user), per_page=per_page, error_out=False
        )
    return render_template("registrations/participants.html", page=page, q=q)


def _participant_form(**kwargs) -> ParticipantForm:
    institutions = list_institutions() if current_user.is_staff else None
    return ParticipantForm(institutions=institutions, **kwargs)


def _save_participant(form: ParticipantForm, item: Participant | None = None) -> Participant:
    """The person's fields, then the section "Citizenship and residence"."""
    if item is None:
        item = people.create_participant(
            form.values(), institution=_form_institution(form), by=current_user
        )
    else:
        people.update_participant(
            item,
            form.values(),
            by=current_user,
            institution=_form_institution(form) if current_user.is_staff else None,
        )
    residence.update_residence(item, form.residence_values(), by=current_user)
    return item


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
    # a new pupil of an Olsztyn school is most often Polish; city hall chooses the school
    olsztyn_school = (
        current_user.role is Role.SCHOOL and not current_user.institution.partner_city_id
    )
    form = _participant_form(citizenship="PL") if olsztyn_school else _participant_form()
    sent = submit(form, lambda: _save_participant(form))
    if sent.done:
        participant = sent.result
        flash(_("%(name)s is added.", name=participant.full_name), "success")
        return redirect(url_for(".participant", participant_id=participant.id))
    return render_template(
        "registrations/participant_form.html", form=form, participant=None
    ), sent.status


@bp.get("/participants/<int:participant_id>")
@everyone_logged_in
def participant(participant_id: int):
    item = get_participant_or_404(participant_id, current_user)
    return _participant_page(item, ConsentForm())


def _participant_page(item: Participant, consent_form: ConsentForm, status: int = 200):
    registrations = db.session.scalars(
        queries.my_registrations_query(current_user).where(Registration.participant_id == item.id)
    ).all()
    return render_template(
        "registrations/participant.html",
        participant=item,
        registrations=registrations,
        positions=queries.waiting_positions(registrations),
        consent_form=consent_form,
    ), status


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@everyone_logged_in
def edit_participant(participant_id: int):
    item = get_participant_or_404(participant_id, current_user)
    form = _participant_form(obj=item)
    sent = submit(form, lambda: _save_participant(form, item))
    if sent.done:
        flash(_("%(name)s is saved.", name=item.full_name), "success")
        return redirect(url_for(".participant", participant_id=item.id))
    return render_template(
        "registrations/participant_form.html", form=form, participant=item
    ), sent.status


@bp.post("/participants/<int:participant_id>/delete")
@everyone_logged_in
def delete_participant(participant_id: int):
    item = get_participant_or_404(participant_id, current_user)
    name = item.full_name
    try:
        people.delete_participant(item, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".participant", participant_id=participant_id))
    db.session.commit()
    flash(_("%(name)s is removed.", name=name), "success")
    return redirect(url_for(".participants"))


@bp.post("/participants/<int:participant_id>/consents")
@everyone_logged_in
def record_consent(participant_id: int):
    item = get_participant_or_404(participant_id, current_user)
    form = ConsentForm()
    sent = submit(form, lambda: people.record_consent(item, form.values(), by=current_user))
    if sent.done:
        flash(_("The consent is recorded."), "success")
        return redirect(url_for(".participant", participant_id=item.id))
    return _participant_page(item, form, 422)


@bp.post("/consents/<int:consent_id>/withdraw")
@everyone_logged_in
def withdraw_consent(consent_id: int):
    consent = get_consent_or_404(consent_id, current_user)
    try:
        result = services.withdraw_consent(consent, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(
            ngettext(
                "The consent is withdrawn, and with it %(num)d registration.",
                "The consent is withdrawn, and with it %(num)d registrations.",
                len(result.withdrawn),
            ),
            "success",
        )
        flash_moved_up(result.promoted)
        db.session.commit()
    return redirect(url_for(".participant", participant_id=consent.participant_id))


# --- import ---------------------------------------------------------------------------------


@bp.route("/participants/import", methods=["GET", "POST"])
@everyone_logged_in
def import_participants():
    form = ImportForm(institutions=list_institutions() if current_user.is_staff else None)
    limit = current_app.config["IMPORT_RATE_LIMIT"]

    def import_file() -> importer.ImportResult:
        institution = _import_institution(form)
        wait = limits.wait_before(limit, "import", str(current_user.id))
        if wait:
            raise _ImportsTooSoon(wait, limits.amount(limit))
        upload = form.file.data
        rows = import_files.read_rows(upload.filename, upload.read(import_files.MAX_FILE_BYTES + 1))
        return importer.import_participants(
            rows, institution=institution, by=current_user, skip_existing=form.skip_existing.data
        )

    sent = submit(form, import_file)
    if sent.done:
        flash(
            ngettext(
                "%(num)d participant is imported.",
                "%(num)d participants are imported.",
                len(sent.result.participants),
            ),
            "success",
        )
        if sent.result.skipped:
            flash(
                ngettext(
                    "%(num)d row is skipped: its person is a participant already.",
                    "%(num)d rows are skipped: their people are participants already.",
                    len(sent.result.skipped),
                ),
                "info",
            )
        return redirect(url_for(".participants"))
    if isinstance(sent.error, _ImportsTooSoon):
        return _import_page(form, [], 429, {"Retry-After": str(sent.error.wait)})
    row_errors = sent.error.errors if isinstance(sent.error, importer.ImportRowsError) else []
    return _import_page(form, row_errors, sent.status)


def _import_institution(form: ImportForm):
    """The institution chosen on the form (staff), or the school's own; a school that sends
    another institution's id (the form has no such field for it) is answered 404."""
    if not current_user.is_staff:
        sent_id = request.form.get("institution_id", "")
        if sent_id not in ("", str(current_user.institution_id)):
            abort(404)
        return current_user.institution
    institution = get_institution(form.institution_id.data)
    if institution is None:
        abort(404)
    return institution


class _ImportsTooSoon(DomainError):
    """The school started too many imports in the last minute."""

    def __init__(self, wait: int, count: int) -> None:
        super().__init__(
            _("At most %(count)d imports can be started per minute. Please wait a minute, "
              "then try again.", count=count)
        )  # fmt: skip
        self.wait = wait


def _import_page(form: ImportForm, row_errors: list, status: int, headers: dict | None = None):
    page = render_template(
        "registrations/import.html",
        form=form,
        row_errors=row_errors,
        max_rows=import_files.MAX_ROWS,
    )
    return page, status, headers or {}


@bp.get("/participants/import/template.<fmt>")
@everyone_logged_in
def import_template(fmt: str):
    if fmt == "xlsx":
        return Response(
            importer.template_xlsx(),
            mimetype=spreadsheets.XLSX_MIMETYPE,
            headers={"Content-Disposition": "attachment; filename=participants-template.xlsx"},
        )
    if fmt == "csv":
        return Response(
            importer.template_csv(),
            mimetype=spreadsheets.CSV_MIMETYPE,
            headers={"Content-Disposition": "attachment; filename=participants-template.csv"},
        )
    abort(404)


# --- registering ----------------------------------------------------------------------------


@bp.route("/exchanges/<int:exchange_id>/register", methods=["GET", "POST"])
@everyone_logged_in
def register(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    # a page at a time: staff would otherwise get every institution's people in one list (the
    # form posts back to the same page, so its choices are the page's)
    page = db.paginate(
        queries.registrable_participants_query(exchange, current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"] * 4,
        error_out=False,
    )
    candidates = page.items
    form = RegisterForm(participants=candidates)
    sent = submit(
        form,
        lambda: services.register_many(
            exchange,
            [item for item in candidates if item.id in set(required(form.participants.data))],
            by=current_user,
        ),
    )
    if sent.done:
        results = sent.result
        confirmed = sum(1 for item in results if item.status is RegistrationStatus.CONFIRMED)
        flash(
            _("%(confirmed)d confirmed, %(waiting)d on the waiting list.",
              confirmed=confirmed, waiting=len(results) - confirmed),
            "success",
        )  # fmt: skip
        return redirect(url_for(".my_registrations"))
    return render_template(
        "registrations/register.html",
        exchange=exchange,
        form=form,
        candidates=candidates,
        page=page,
    ), sent.status


@bp.get("/registrations/")
@everyone_logged_in
def my_registrations():
    page = db.paginate(
        queries.my_registrations_query(current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
        count=False,
    )
    # counted on the registrations alone: the page's joins would make staff (who see all
    # 300,000 at 25 years) wait 150 ms for the same number
    page.total = queries.count_registrations(current_user)
    return render_template(
        "registrations/my_registrations.html",
        page=page,
        positions=queries.waiting_positions(page.items),
    )


def flash_moved_up(promoted: list[Registration]) -> None:
    """Say who moved up to a freed place: by name to whoever may see them, and to a school
    only that someone did when they are another school's."""
    names = [
        item.participant.full_name
        for item in promoted
        if can_see_participant(current_user, item.participant)
    ]
    others = len(promoted) - len(names)
    if len(names) == 1:
        flash(
            _("%(name)s moved up from the waiting list and has the freed place.", name=names[0]),
            "info",
        )
    elif names:
        flash(
            _("Moved up from the waiting list to the freed places: %(names)s.",
              names=", ".join(names)),
            "info",
        )  # fmt: skip
    if others:
        flash(
            ngettext(
                "The next person on the waiting list has the freed place.",
                "The next %(num)d people on the waiting list have the freed places.",
                others,
            ),
            "info",
        )


@bp.post("/registrations/<int:registration_id>/withdraw")
@everyone_logged_in
def withdraw(registration_id: int):
    registration = get_registration_or_404(registration_id, current_user)
    name, row = registration.participant.full_name, roster_row(registration)
    try:
        result = services.withdraw(registration, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".my_registrations"))
    flash(_("%(name)s is withdrawn.", name=name), "success")
    flash_moved_up(result.promoted)  # before the commit expires the names
    db.session.commit()
    if current_user.is_staff:
        return redirect(row)
    return redirect(url_for(".my_registrations"))


def roster_row(registration: Registration) -> str:
    """The registration's row on its exchange's roster (a local address)."""
    return url_for(
        ".roster", exchange_id=registration.exchange_id, _anchor=f"registration-{registration.id}"
    )


# --- access requests and erasure (GDPR) -----------------------------------------------------


@bp.get("/participants/<int:participant_id>/export.json")
@everyone_logged_in
def export_person(participant_id: int):
    item = get_participant_or_404(participant_id, current_user)
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
    item = get_participant_or_404(participant_id, current_user)
    privacy.erase(item, by=current_user)
    db.session.commit()
    flash(_("The personal data is erased; the counts in the reports stay."), "success")
    return redirect(url_for(".participant", participant_id=item.id))
