"""Insurance and the trip's accounts of a sending school, per exchange: the views join the
paperwork blueprint (``views.bp``); ``create_app`` imports this module.

City hall works on every school's; a school representative on their own institution's only
(another school's: 404).
"""

from __future__ import annotations

import io

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core import spreadsheets
from exchange.core.permissions import Role, role_required
from exchange.exchanges.access import get_exchange_or_404
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.paperwork import accounts as account_services
from exchange.paperwork import insurance, money_exports
from exchange.paperwork.access import (
    get_account_line_or_404,
    get_policy_or_404,
    get_sending_school_or_404,
)
from exchange.paperwork.money_forms import LineForm, PolicyForm
from exchange.paperwork.views import bp
from exchange.partners.models import Institution

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)
PDF_MIMETYPE = "application/pdf"


MIMETYPES = {"pdf": PDF_MIMETYPE, "xlsx": spreadsheets.XLSX_MIMETYPE}


def _paper(body: bytes, fmt: str, filename: str) -> Response:
    """A produced paper as a download that no cache keeps (it names people)."""
    response = send_file(
        io.BytesIO(body), MIMETYPES[fmt], as_attachment=True, download_name=f"{filename}.{fmt}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- insurance ------------------------------------------------------------------------------


@bp.get("/exchanges/<int:exchange_id>/insurance")
@everyone_logged_in
def insurance_overview(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return render_template(
        "paperwork/insurance_overview.html",
        exchange=exchange,
        schools=insurance.insurance_overview(exchange, current_user),
        abroad=insurance.is_trip_abroad(exchange),
    )


def _policy_page(exchange: Exchange, institution: Institution, form: PolicyForm, policy, status):
    return render_template(
        "paperwork/insurance_form.html",
        exchange=exchange,
        institution=institution,
        form=form,
        policy=policy,
    ), status


@bp.route(
    "/exchanges/<int:exchange_id>/insurance/<int:institution_id>/new", methods=["GET", "POST"]
)
@everyone_logged_in
def create_policy(exchange_id: int, institution_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    institution = get_sending_school_or_404(institution_id, current_user)
    places = insurance.school_places(exchange, institution.id)
    form = PolicyForm(registrations=places)
    if request.method == "GET":
        form.valid_from.data, form.valid_to.data = exchange.start_date, exchange.end_date
        form.covers_nnw.data = True
        form.covers_kl.data = insurance.is_trip_abroad(exchange)
    sent = submit(
        form,
        lambda: insurance.create_policy(exchange, institution, form.values(), by=current_user),
        check=lambda: insurance.check_policy(form.values()),
    )
    if sent.done:
        flash(_("The policy is saved."), "success")
        return redirect(url_for(".insurance_overview", exchange_id=exchange.id))
    return _policy_page(exchange, institution, form, None, sent.status)


@bp.route("/insurance/<int:policy_id>/edit", methods=["GET", "POST"])
@everyone_logged_in
def edit_policy(policy_id: int):
    policy = get_policy_or_404(policy_id, current_user)
    exchange = get_exchange_or_404(policy.exchange_id, current_user)
    places = insurance.school_places(exchange, policy.institution_id)
    form = PolicyForm(obj=policy, registrations=places)
    if request.method == "GET":
        form.insured_ids.data = insurance.policy_registration_ids(policy)
    sent = submit(
        form,
        lambda: insurance.update_policy(policy, form.values(), by=current_user),
        check=lambda: insurance.check_policy(form.values()),
    )
    if sent.done:
        flash(_("The policy is saved."), "success")
        return redirect(url_for(".insurance_overview", exchange_id=exchange.id))
    return _policy_page(exchange, policy.institution, form, policy, sent.status)


@bp.post("/insurance/<int:policy_id>/delete")
@everyone_logged_in
def delete_policy(policy_id: int):
    policy = get_policy_or_404(policy_id, current_user)
    exchange_id = policy.exchange_id
    insurance.delete_policy(policy, by=current_user)
    db.session.commit()
    flash(_("The policy is removed."), "success")
    return redirect(url_for(".insurance_overview", exchange_id=exchange_id))


@bp.get("/insurance/<int:policy_id>/insured.xlsx")
@everyone_logged_in
def insured_list(policy_id: int):
    policy = get_policy_or_404(policy_id, current_user)
    get_exchange_or_404(policy.exchange_id, current_user)
    body = money_exports.insured_xlsx(policy, insurance.insured_people(policy))
    audit.record("export", "insurance_policy", policy.id, detail="insured.xlsx")
    db.session.commit()
    return _paper(body, "xlsx", f"insured-policy-{policy.id}")


# --- the trip's accounts --------------------------------------------------------------------


def _accounts_page(exchange: Exchange, institution: Institution, form: LineForm, status: int):
    return render_template(
        "paperwork/accounts_page.html",
        exchange=exchange,
        institution=institution,
        accounts=account_services.accounts_for(exchange, institution),
        form=form,
    ), status


@bp.route("/exchanges/<int:exchange_id>/accounts/<int:institution_id>", methods=["GET", "POST"])
@everyone_logged_in
def accounts(exchange_id: int, institution_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    institution = get_sending_school_or_404(institution_id, current_user)
    form = LineForm()
    sent = submit(
        form,
        lambda: account_services.add_line(exchange, institution, form.values(), by=current_user),
        check=lambda: account_services.check_line(form.values()),
    )
    if sent.done:
        flash(_("The line is added."), "success")
        return redirect(request.path)
    return _accounts_page(exchange, institution, form, sent.status)


@bp.route("/account-lines/<int:line_id>/edit", methods=["GET", "POST"])
@everyone_logged_in
def edit_account_line(line_id: int):
    line = get_account_line_or_404(line_id, current_user)
    exchange = get_exchange_or_404(line.exchange_id, current_user)
    form = LineForm(obj=line)
    sent = submit(
        form,
        lambda: account_services.update_line(line, form.values(), by=current_user),
        check=lambda: account_services.check_line(form.values()),
    )
    back = url_for(".accounts", exchange_id=exchange.id, institution_id=line.institution_id)
    if sent.done:
        flash(_("The line is saved."), "success")
        return redirect(back)
    return render_template(
        "paperwork/accounts_line_form.html", exchange=exchange, line=line, form=form, back=back
    ), sent.status


@bp.post("/account-lines/<int:line_id>/delete")
@everyone_logged_in
def delete_account_line(line_id: int):
    line = get_account_line_or_404(line_id, current_user)
    back = url_for(".accounts", exchange_id=line.exchange_id, institution_id=line.institution_id)
    account_services.delete_line(line, by=current_user)
    db.session.commit()
    flash(_("The line is removed."), "success")
    return redirect(back)


@bp.get("/exchanges/<int:exchange_id>/accounts/<int:institution_id>.<fmt>")
@everyone_logged_in
def accounts_export(exchange_id: int, institution_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    exchange = get_exchange_or_404(exchange_id, current_user)
    institution = get_sending_school_or_404(institution_id, current_user)
    found = account_services.accounts_for(exchange, institution)
    export = money_exports.accounts_pdf if fmt == "pdf" else money_exports.accounts_xlsx
    body = export(found)
    audit.record("export", "exchange", exchange.id, detail=f"accounts-{institution.id}.{fmt}")
    db.session.commit()
    return _paper(body, fmt, f"accounts-exchange-{exchange.id}-{institution.id}")
