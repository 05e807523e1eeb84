from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.core.permissions import admin_required, public, staff_required
from exchange.extensions import db
from exchange.forms_util import required, submit
from exchange.partners import services
from exchange.partners.access import get_institution_or_404, get_partner_or_404
from exchange.partners.forms import InstitutionFilterForm, InstitutionForm, PartnerForm
from exchange.partners.models import InstitutionKind

bp = Blueprint("partners", __name__)


# --- partner cities -------------------------------------------------------------------------


@bp.get("/partners/")
@public
def partners():
    return render_template("partners/list.html", partners=services.list_partners())


@bp.route("/partners/new", methods=["GET", "POST"])
@admin_required
def create_partner():
    form = PartnerForm()
    sent = submit(form, lambda: services.create_partner(form.values(), by=current_user))
    if sent.done:
        partner = sent.result
        flash(_("%(name)s is added to the partner cities.", name=partner.local_name), "success")
        return redirect(url_for("exchanges.partner", slug=partner.slug))
    return render_template("partners/form.html", form=form, partner=None), sent.status


@bp.route("/partners/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit_partner(slug: str):
    partner = get_partner_or_404(slug)
    form = PartnerForm(obj=partner)
    sent = submit(form, lambda: services.update_partner(partner, form.values(), by=current_user))
    if sent.done:
        flash(_("%(name)s is saved.", name=partner.local_name), "success")
        return redirect(url_for("exchanges.partner", slug=partner.slug))
    return render_template("partners/form.html", form=form, partner=partner), sent.status


# --- institutions ---------------------------------------------------------------------------


@bp.get("/institutions/")
@staff_required
def institutions():
    partners = services.list_partners()
    form = InstitutionFilterForm(request.args, partners=partners)
    filters = services.InstitutionFilter()
    if form.validate():
        filters.q = (form.q.data or "").strip()
        if form.kind.data:
            filters.kind = InstitutionKind(form.kind.data)
        if form.city.data:
            filters.city = int(form.city.data)
    page = db.paginate(
        services.institutions_query(filters),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template("partners/institutions.html", page=page, form=form)


def _institution_values(form: InstitutionForm) -> services.InstitutionValues:
    partner = None
    if form.partner_city_id.data is not None:
        partner = services.get_partner(form.partner_city_id.data)
        if partner is None:
            abort(404)
    return services.InstitutionValues(
        name=required(form.name.data),
        kind=form.kind.data,
        partner_city=partner,
        address=form.address.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        school_levels=list(form.school_levels.data or []),
    )


@bp.route("/institutions/new", methods=["GET", "POST"])
@staff_required
def create_institution():
    form = InstitutionForm(partners=services.list_partners())
    sent = submit(
        form, lambda: services.create_institution(_institution_values(form), by=current_user)
    )
    if sent.done:
        flash(_("%(name)s is added.", name=sent.result.name), "success")
        return redirect(url_for(".institutions"))
    return render_template(
        "partners/institution_form.html", form=form, institution=None
    ), sent.status


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_institution(institution_id: int):
    institution = get_institution_or_404(institution_id)
    form = InstitutionForm(obj=institution, partners=services.list_partners())
    sent = submit(
        form,
        lambda: services.update_institution(
            institution, _institution_values(form), by=current_user
        ),
    )
    if sent.done:
        flash(_("%(name)s is saved.", name=institution.name), "success")
        return redirect(url_for(".institutions"))
    return render_template(
        "partners/institution_form.html", form=form, institution=institution
    ), sent.status


@bp.post("/institutions/<int:institution_id>/active")
@staff_required
def set_institution_active(institution_id: int):
    institution = get_institution_or_404(institution_id)
    active = request.form.get("active") == "1"
    services.set_institution_active(institution, active, by=current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s is active again.", name=institution.name), "success")
    else:
        flash(_("%(name)s is archived.", name=institution.name), "success")
    return redirect(url_for(".institutions"))
