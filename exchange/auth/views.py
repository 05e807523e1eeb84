from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from exchange.auth import services
from exchange.auth.forms import InvitationForm, LoginForm, SetPasswordForm, UserForm
from exchange.auth.models import Role, User
from exchange.auth.permissions import admin_required, is_safe_next, public, staff_required
from exchange.db import utcnow
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.forms_util import attach_error
from exchange.partners.services import get_institution, list_institutions

bp = Blueprint("auth", __name__)


def _next_url() -> str | None:
    target = request.values.get("next")
    return target if is_safe_next(target) else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_next_url() or url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # keeps a password rehash / audit trail, never half a change
            form.form_errors.append(_("The e-mail address or password is wrong."))
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session at login: nothing from before carries over
        login_user(user)
        db.session.commit()
        return redirect(_next_url() or url_for("core.dashboard"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


def get_user_or_404(user_id: int) -> User:
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/")
@admin_required
def users():
    return render_template("auth/users.html", users=services.list_users())


def _user_form_institution(form: UserForm):
    if form.institution_id.data is None:
        return None
    institution = get_institution(form.institution_id.data)
    if institution is None:
        abort(404)
    return institution


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserForm(institutions=list_institutions(), password_required=True)
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                institution=_user_form_institution(form),
                password=form.password.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The account for %(name)s is created.", name=user.full_name), "success")
            return redirect(url_for(".users"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user, institutions=list_institutions())
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                by=current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                institution=_user_form_institution(form),
                password=form.password.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The account of %(name)s is saved.", name=user.full_name), "success")
            return redirect(url_for(".users"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/user_form.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_user_active(user_id: int):
    user = get_user_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, by=current_user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".users"))
    db.session.commit()
    if active:
        flash(_("The account of %(name)s is active again.", name=user.full_name), "success")
    else:
        flash(_("The account of %(name)s is deactivated.", name=user.full_name), "success")
    return redirect(url_for(".users"))


# --- school representatives and their invitations --------------------------------------------


@bp.get("/school-accounts/")
@staff_required
def school_accounts():
    return render_template("auth/school_accounts.html", users=services.list_school_accounts())


@bp.route("/school-accounts/new", methods=["GET", "POST"])
@staff_required
def invite_school():
    form = InvitationForm(institutions=list_institutions())
    if form.validate_on_submit():
        try:
            user, token = services.invite_school_representative(
                email=form.email.data,
                full_name=form.full_name.data,
                institution=_user_form_institution(form),
                by=current_user,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            # shown once, on this page, and never stored: so no redirect here
            return render_template("auth/invitation_link.html", user=user, token=token)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/invite_school.html", form=form), status


@bp.post("/school-accounts/<int:user_id>/invitation")
@staff_required
def renew_invitation(user_id: int):
    user = get_user_or_404(user_id)
    if user.role is not Role.SCHOOL and not current_user.is_admin:
        abort(404)
    token = services.invite(user, by=current_user)
    db.session.commit()
    return render_template("auth/invitation_link.html", user=user, token=token)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(invitation, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            session.clear()
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Your password is set. Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(url_for("core.dashboard"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/accept_invitation.html", form=form, user=invitation.user), status
