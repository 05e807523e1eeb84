"""Loading accounts for a page, or answering 404. Accounts are managed by city hall only,
which the views' guards check (``admin_required``, ``staff_required``)."""

from __future__ import annotations

from flask import abort

from exchange.auth import services
from exchange.auth.models import User


def get_user_or_404(user_id: int) -> User:
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    return user
