from __future__ import annotations

import hashlib
import json
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from exchange import clock
from exchange.auth import privacy, services, sessions, signals
from exchange.auth.access import get_user_or_404
from exchange.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    SetPasswordForm,
    UserForm,
)
from exchange.auth.models import User, normalise_email
from exchange.core.permissions import Role, admin_required, is_safe_next, public, staff_required
from exchange.errors import DomainError
from exchange.extensions import db, limiter
from exchange.forms_util import required, submit
from exchange.partners.services import get_institution, list_institutions

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _next_url() -> str | None:
    target = request.values.get("next")
    return target if is_safe_next(target) else None


# --- rate limits ----------------------------------------------------------------------------
# Counted in the storage of RATELIMIT_STORAGE_URI. The e-mail in a key is hashed: the storage
# (Redis in production) holds no addresses. Keys read the parsed form only: a body that is not
# a form is refused before any view (``exchange.core.security``), so it cannot get a bucket of
# its own.


def _submitted_email_key() -> str:
    email = normalise_email(request.form.get("email", ""))
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


def _submitted_email_and_address_key() -> str:
    return f"{_submitted_email_key()}|address:{request.remote_addr}"


def _config_limit(name: str):
    return lambda: current_app.config[name]


def _login_failed(response: Response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT_PER_ACCOUNT"),
    key_func=_submitted_email_and_address_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT_PER_ACCOUNT_GLOBAL"),
    key_func=_submitted_email_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT_PER_IP"), methods=["POST"], deduct_when=_login_failed
)
def login():
    """Log in. Only failures count towards the limits, so people who type well never wait.

    An account's tries are counted per client address, so a stranger who uses them up does
    not lock the owner out, and for all addresses together with a higher cap.
    """
    if current_user.is_authenticated:
        return redirect(_next_url() or url_for("site.dashboard"))
    form = LoginForm()

    def log_in() -> User | None:
        user = services.authenticate(required(form.email.data), required(form.password.data))
        if user is not None:
            sessions.start(user)
            target = request.values.get("next")
            if target and not is_safe_next(target):
                signals.redirect_refused.send(user, target=target)
        return user

    # committed either way: a failure keeps its audit trail (and a password rehash)
    sent = submit(form, log_in)
    if sent.done and sent.result is not None:
        return redirect(_next_url() or url_for("site.dashboard"))
    if sent.done:
        form.form_errors.append(_("The e-mail address or password is wrong."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), sent.status


@bp.post("/logout")
def logout():
    sessions.logout()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("site.index"))


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
    sent = submit(
        form,
        lambda: services.create_user(
            email=required(form.email.data),
            full_name=required(form.full_name.data),
            role=form.role.data,
            institution=_user_form_institution(form),
            password=form.password.data,
        ),
    )
    if sent.done:
        flash(_("The account for %(name)s is created.", name=sent.result.full_name), "success")
        return redirect(url_for(".users"))
    return render_template("auth/user_form.html", form=form, user=None), sent.status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user, institutions=list_institutions())

    sent = submit(
        form,
        lambda: services.update_user(
            user,
            by=current_user,
            email=required(form.email.data),
            full_name=required(form.full_name.data),
            role=form.role.data,
            institution=_user_form_institution(form),
            password=form.password.data or None,
            keep=sessions.current(),  # a new own password ends the others, not this one
        ),
    )
    if sent.done:
        flash(_("The account of %(name)s is saved.", name=user.full_name), "success")
        return redirect(url_for(".users"))
    return render_template("auth/user_form.html", form=form, user=user), sent.status


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
    sent = submit(
        form,
        lambda: services.invite_school_representative(
            email=required(form.email.data),
            full_name=required(form.full_name.data),
            institution=_user_form_institution(form),
            by=current_user,
            link_for=_invitation_link,
        ),
    )
    if sent.done:
        user, token = sent.result
        # shown once, on this page, and never stored: so no redirect here
        return render_template("auth/invitation_link.html", user=user, token=token)
    return render_template("auth/invite_school.html", form=form), sent.status


def _invitation_link(token: str) -> str | None:
    return _public_url(".accept_invitation", token=token)


@bp.post("/school-accounts/<int:user_id>/invitation")
@staff_required
def renew_invitation(user_id: int):
    user = get_user_or_404(user_id)
    if user.role is not Role.SCHOOL and not current_user.is_admin:
        abort(404)
    try:
        token = services.invite(user, by=current_user, link_for=_invitation_link)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".school_accounts" if user.role is Role.SCHOOL else ".users"))
    db.session.commit()
    return render_template("auth/invitation_link.html", user=user, token=token)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm()

    def accept() -> User:
        user = services.accept_invitation(invitation, required(form.password.data))
        sessions.start(user)
        user.last_login_at = clock.now()
        return user

    sent = submit(form, accept)
    if sent.done:
        flash(_("Your password is set. Welcome, %(name)s!", name=sent.result.full_name), "success")
        return redirect(url_for("site.dashboard"))
    return render_template(
        "auth/accept_invitation.html", form=form, user=invitation.user
    ), sent.status


# --- the user's own password ----------------------------------------------------------------


def _current_user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _wrong_current_password(response: Response) -> bool:
    return bool(g.get("wrong_current_password"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT_PER_ACCOUNT"),
    key_func=_current_user_key,
    methods=["POST"],
    deduct_when=_wrong_current_password,
)
def change_password():
    """Every logged-in user changes their own password here; their other sessions end."""
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()

    sent = submit(
        form,
        lambda: services.change_password(
            user,
            current_password=required(form.current_password.data),
            new_password=required(form.password.data),
            keep=sessions.current(),
        ),
    )
    if sent.done:
        flash(
            _("Your password is changed. Your other sessions, on other devices, are ended."),
            "success",
        )
        return redirect(url_for("site.dashboard"))
    if sent.error is not None:
        g.wrong_current_password = sent.error.field == "current_password"
    return render_template("auth/change_password.html", form=form), sent.status


# --- a forgotten password -------------------------------------------------------------------


def _public_url(endpoint: str, **values) -> str | None:
    """An absolute link for an e-mail, on PUBLIC_URL; None when no address can be trusted.

    Without PUBLIC_URL the link is built from the request's Host header, which the sender
    chooses: fine on a developer's machine, not in production.
    """
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    if current_app.config.get("ENV_NAME") == "production":
        log.error("PUBLIC_URL is not set: no link can be e-mailed")
        return None
    return url_for(endpoint, _external=True, **values)


def _reset_link(token: str) -> str | None:
    return _public_url(".reset_password", token=token)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(
    _config_limit("RESET_LINK_RATE_LIMIT_PER_ACCOUNT"),
    key_func=_submitted_email_key,
    methods=["POST"],
)
@limiter.limit(_config_limit("RESET_LINK_RATE_LIMIT_PER_IP"), methods=["POST"])
def forgot_password():
    """Send a one-time link. The answer is the same whether the address has an account."""
    form = ForgotPasswordForm()
    sent = submit(
        form,
        # the e-mail is queued in this transaction, for an account only, with the same work
        lambda: services.request_password_reset(required(form.email.data), link_for=_reset_link),
    )
    if sent.done:
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new "
                "password. The link works once, within an hour.",
                email=normalise_email(required(form.email.data)),
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("auth/forgot_password.html", form=form), sent.status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    reset = services.find_password_reset(token)
    if reset is None:
        return render_template("auth/reset_invalid.html"), 404
    form = SetPasswordForm()

    def reset_and_log_in() -> None:
        user = services.reset_password(reset, required(form.password.data))
        sessions.start(user)
        user.last_login_at = clock.now()

    sent = submit(form, reset_and_log_in)
    if sent.done:
        flash(_("Your new password is set. You are logged in."), "success")
        return redirect(url_for("site.dashboard"))
    return render_template("auth/reset_password.html", form=form, user=reset.user), sent.status


# --- the user's sessions --------------------------------------------------------------------


@bp.get("/account/sessions")
def account_sessions():
    """Where the user is logged in, with a way to log out anywhere."""
    return render_template(
        "auth/sessions.html",
        user_sessions=sessions.sessions_of(current_user),
        this_session=sessions.current(),
        idle_hours=int(current_app.permanent_session_lifetime.total_seconds() // 3600),
        absolute_hours=int(current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds() // 3600),
    )


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    this_session = sessions.current()
    if this_session is not None and this_session.id == session_id:
        return logout()
    if not sessions.end_session(current_user, session_id):
        abort(404)
    db.session.commit()
    flash(_("That session is ended: the device there has to log in again."), "success")
    return redirect(url_for(".account_sessions"))


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    ended = sessions.end_sessions(current_user, keep=sessions.current())
    db.session.commit()
    flash(
        ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", ended),
        "success",
    )
    return redirect(url_for(".account_sessions"))


# --- the user's own data (access requests) --------------------------------------------------


@bp.get("/account/data")
def account_data():
    """What the app holds about the user, and the download of all of it."""
    return render_template("auth/account_data.html")


def _export_response(user: User) -> Response:
    data = privacy.export_account(user, by=current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=account-{user.id}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.get("/account/data.json")
def export_own_account():
    return _export_response(current_user._get_current_object())


@bp.get("/users/<int:user_id>/export.json")
@admin_required
def export_account(user_id: int):
    """An admin answers a person's access request."""
    return _export_response(get_user_or_404(user_id))
