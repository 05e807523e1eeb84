"""Host families (schools register their own), the matching of an exchange, the family sheets."""

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
from flask_login import current_user

from exchange import clock
from exchange.audit import services as audit
from exchange.core import spreadsheets
from exchange.core.permissions import Role, role_required, staff_required
from exchange.errors import DomainError
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.forms_util import attach_error, submit
from exchange.hosting import exports, placements, privacy, queries, services
from exchange.hosting.access import get_family_or_404
from exchange.hosting.forms import FamilyForm, PinForm, PlaceForm, PlanForm
from exchange.partners.services import get_institution

bp = Blueprint("hosting", __name__)

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)


# --- host families --------------------------------------------------------------------------


@bp.get("/host-families/")
@everyone_logged_in
def families():
    schools = queries.olsztyn_schools() if current_user.is_staff else []
    school_id = request.args.get("school", type=int) if schools else None
    if school_id is not None and school_id not in {school.id for school in schools}:
        school_id = None
    page = db.paginate(
        queries.families_query(current_user, school_id),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template("hosting/families.html", page=page, schools=schools, school_id=school_id)


def _family_institution(form: FamilyForm):
    if not current_user.is_staff:
        return current_user.institution
    institution = get_institution(form.institution_id.data)
    if institution is None:
        abort(404)
    return institution


@bp.route("/host-families/new", methods=["GET", "POST"])
@everyone_logged_in
def create_family():
    if current_user.is_staff:
        form = FamilyForm(institutions=queries.olsztyn_schools())
    else:
        form = FamilyForm(pupils=queries.pupils_of(current_user.institution_id))
    sent = submit(
        form,
        lambda: services.create_family(
            form.values(), institution=_family_institution(form), by=current_user
        ),
    )
    if sent.done:
        flash(_("The %(name)s family is added.", name=sent.result.family_name), "success")
        return redirect(url_for(".family", family_id=sent.result.id))
    return render_template("hosting/family_form.html", form=form, family=None), sent.status


@bp.get("/host-families/<int:family_id>")
@everyone_logged_in
def family(family_id: int):
    item = get_family_or_404(family_id, current_user)
    lines = queries.sheet_lines(family=item) if current_user.is_staff else []
    return render_template("hosting/family.html", family=item, lines=lines)


@bp.route("/host-families/<int:family_id>/edit", methods=["GET", "POST"])
@everyone_logged_in
def edit_family(family_id: int):
    item = get_family_or_404(family_id, current_user)
    if item.anonymised_at is not None:
        abort(404)
    form = FamilyForm(obj=item, consent=True, pupils=queries.pupils_of(item.institution_id))
    sent = submit(form, lambda: services.update_family(item, form.values(), by=current_user))
    if sent.done:
        flash(_("The %(name)s family is saved.", name=item.family_name), "success")
        return redirect(url_for(".family", family_id=item.id))
    return render_template("hosting/family_form.html", form=form, family=item), sent.status


@bp.post("/host-families/<int:family_id>/delete")
@everyone_logged_in
def delete_family(family_id: int):
    item = get_family_or_404(family_id, current_user)
    name = item.family_name
    try:
        services.delete_family(item, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".family", family_id=family_id))
    db.session.commit()
    flash(_("The %(name)s family is removed.", name=name), "success")
    return redirect(url_for(".families"))


@bp.get("/host-families/<int:family_id>/export.json")
@everyone_logged_in
def export_family(family_id: int):
    item = get_family_or_404(family_id, current_user)
    data = privacy.export_family(item, by=current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=host-family-{item.id}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/host-families/<int:family_id>/erase")
@staff_required
def erase_family(family_id: int):
    item = get_family_or_404(family_id, current_user)
    if item.anonymised_at is None:
        privacy.erase_family(item, by=current_user)
        db.session.commit()
    flash(_("The family's personal data is erased."), "success")
    return redirect(url_for(".family", family_id=item.id))


def _file(body: bytes, fmt: str, name: str) -> Response:
    mimetype = spreadsheets.XLSX_MIMETYPE if fmt == "xlsx" else "application/pdf"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={name}.{fmt}",
            "Cache-Control": "no-store",
        },
    )


def _sheet(title: str, lines: list[queries.SheetLine], fmt: str) -> bytes:
    return exports.sheet_xlsx(title, lines) if fmt == "xlsx" else exports.sheet_pdf(title, lines)


@bp.get("/host-families/<int:family_id>/guests.<fmt>")
@staff_required
def family_sheet(family_id: int, fmt: str):
    """The family's guests in exchanges not over yet."""
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    item = get_family_or_404(family_id, current_user)
    lines = queries.sheet_lines(family=item, since=clock.today())
    body = _sheet(_("Guests of the %(name)s family", name=item.family_name), lines, fmt)
    audit.record("export", "host_family", item.id, detail=f"guests.{fmt}")
    db.session.commit()
    return _file(body, fmt, f"host-family-{item.id}")


# --- matching -------------------------------------------------------------------------------


def _matching_page(exchange, plan_form=None, place_error: DomainError | None = None):
    if not placements.is_hosting_exchange(exchange):
        return render_template("hosting/matching.html", exchange=exchange, matching=None)
    view = queries.matching_of(exchange)
    plan = placements.plan_of(exchange)
    plan_form = plan_form or PlanForm(
        formdata=None, reciprocal=plan.reciprocal, spread_schools=plan.spread_schools
    )
    return render_template(
        "hosting/matching.html",
        exchange=exchange,
        matching=view,
        plan=plan,
        plan_form=plan_form,
        families=sorted(view.problem.families.values(), key=lambda f: f.family_name),
        place_error=place_error,
    )


@bp.get("/exchanges/<int:exchange_id>/hosting")
@staff_required
def matching(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return _matching_page(exchange)


@bp.post("/exchanges/<int:exchange_id>/hosting/rules")
@staff_required
def save_plan(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = PlanForm()
    sent = submit(
        form,
        lambda: placements.save_plan(
            exchange,
            reciprocal=form.reciprocal.data,
            spread_schools=form.spread_schools.data,
            by=current_user,
        ),
    )
    if sent.done:
        flash(_("The matching rules are saved. Make a new suggestion to apply them."), "success")
        return redirect(url_for(".matching", exchange_id=exchange.id))
    return _matching_page(exchange, plan_form=form), sent.status


@bp.post("/exchanges/<int:exchange_id>/hosting/suggest")
@staff_required
def suggest(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    try:
        result = placements.make_suggestion(exchange, by=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".matching", exchange_id=exchange_id))
    db.session.commit()
    flash(
        _(
            "Suggested: %(placed)d guests placed, %(unplaced)d without a family.",
            placed=len(result.placements),
            unplaced=len(result.unplaced),
        ),
        "success",
    )
    return redirect(url_for(".matching", exchange_id=exchange.id))


@bp.post("/exchanges/<int:exchange_id>/hosting/place")
@staff_required
def place(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    problem = placements.load_problem(exchange)
    form = PlaceForm(families=problem.families.values())
    sent = submit(
        form,
        lambda: placements.place(
            exchange, form.guest_id.data or 0, form.family_id.data, by=current_user
        ),
    )
    if sent.done:
        flash(_("The placement is saved and pinned."), "success")
        return redirect(url_for(".matching", exchange_id=exchange.id))
    error = sent.error or DomainError(_("Choose a guest and a family from the lists."))
    if sent.error is None:
        attach_error(form, error)
    return _matching_page(exchange, place_error=error), sent.status


@bp.post("/exchanges/<int:exchange_id>/hosting/pin")
@staff_required
def pin(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = PinForm()
    sent = submit(
        form,
        lambda: placements.set_pinned(
            exchange, form.guest_id.data or 0, form.pinned.data, by=current_user
        ),
    )
    if sent.done:
        message = _("The pair is pinned.") if form.pinned.data else _("The pair is unpinned.")
        flash(message, "success")
    else:
        flash(_("Choose a guest who has a family."), "error")
    return redirect(url_for(".matching", exchange_id=exchange.id))


@bp.get("/exchanges/<int:exchange_id>/hosting/families.<fmt>")
@staff_required
def family_list(exchange_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    exchange = get_exchange_or_404(exchange_id, current_user)
    lines = queries.sheet_lines(exchange=exchange)
    body = _sheet(_("Host families: %(title)s", title=exchange.title), lines, fmt)
    audit.record("export", "exchange", exchange.id, detail=f"host families.{fmt}")
    db.session.commit()
    return _file(body, fmt, f"host-families-exchange-{exchange.id}")
