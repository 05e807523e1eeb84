"""Helpers shared by the test modules."""

from __future__ import annotations

import re

#: values that differ from one response to the next though the page is the same: the CSRF token
#: (it carries a timestamp) in forms and in the layout's meta tag
_PER_REQUEST = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]*(")')


def as_seen(page: str) -> str:
    """The page with its per-request values masked, for comparing what a user sees."""
    return _PER_REQUEST.sub(r"\1…\2", page)


def mail_text(message) -> str:
    """The plain-text part of an e-mail (the HTML part says the same)."""
    return message.get_body(("plain",)).get_content()


def mail_html(message) -> str:
    return message.get_body(("html",)).get_content()


def reset_limits() -> None:
    """Forget every rate-limit count (log-in attempts, imports…).

    The in-memory storage expires its counts in a timer thread; clearing the counts while that
    thread walks them fails in the thread (a KeyError, a warning that fails the test), so wait
    for it first.
    """
    from exchange.extensions import limiter

    timer = getattr(limiter.storage, "timer", None)
    if timer is not None:
        timer.join()
    limiter.reset()
