"""The roles, and the guards of every view: a login unless it is marked ``@public``; roles by
decorator. Every feature's views use them, so they sit in core, below the features."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeGuard, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from exchange.enums import LabelledEnum

F = TypeVar("F", bound=Callable[..., Any])


class Actor(Protocol):
    """Whoever does something, for the services of features below ``auth`` (which cannot name
    its ``User``): a user, known by id."""

    @property
    def id(self) -> int: ...


class Role(LabelledEnum):
    """What a user may do; the column ``User.role`` holds one."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SCHOOL = "school"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ADMIN: _l("Administrator"),
            cls.COORDINATOR: _l("Coordinator"),
            cls.SCHOOL: _l("School representative"),
        }


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def require_login() -> Any:
    """``before_request``: log-in is the default, so a forgotten decorator cannot open a page."""
    if is_public_endpoint(request.endpoint) or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to users with one of ``roles``; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


staff_required = role_required(Role.ADMIN, Role.COORDINATOR)
admin_required = role_required(Role.ADMIN)


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """True for a path on this site only: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
