"""Rate limits a view counts itself, to refuse with its own page rather than the shared 429."""

from __future__ import annotations

import math

from flask import current_app
from limits import parse

from exchange import clock
from exchange.extensions import limiter


def wait_before(limit: str, *key: str) -> int:
    """Count one attempt against ``limit`` (``"5 per minute"``) for ``key``, in the storage of
    the app's other limits: 0 when the attempt is allowed, else the seconds to wait."""
    item = parse(limit)
    # under the prefix of the app's other keys: one Redis may serve several sites
    keys = (current_app.config["RATELIMIT_KEY_PREFIX"], *key)
    if limiter.limiter.hit(item, *keys):
        return 0
    reset = limiter.limiter.get_window_stats(item, *keys).reset_time
    return max(1, math.ceil(reset - clock.now().timestamp()))


def amount(limit: str) -> int:
    """How many attempts ``limit`` allows in its window."""
    return parse(limit).amount
