"""The papers of a trip, per exchange and sending school. Each subject's views live in their own
module (``<subject>_views.py``) and join this blueprint; ``create_app`` imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("paperwork", __name__)
