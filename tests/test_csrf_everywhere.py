"""Every form, sent without the session's CSRF token, is refused (400) and changes nothing.

Walked from the URL map and the table of ``test_authorization``: every endpoint that accepts
POST, by every role the table allows to use it, logged in, so the refusal is the token's and
not the login's or the role's. The form carries values that would change something (deactivate,
withdraw, erase, log out, switch the language…), and afterwards every table is as it was,
no preference cookie is set and the user is still logged in.
"""

from __future__ import annotations

import pytest

from exchange.auth.models import User
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, reset_limits
from tests.test_authorization import (
    ALLOW,
    CSRF_REFUSED,
    RULES,
    build_world,
    cases,
    changed_tables,
    endpoints_in,
    fill,
    snapshot,
)

#: what a forged form from another site might send: enough for many of the forms to pass
FORGED = {
    "active": "0",
    "attended": "1",
    "reason": "Cancelled by a forged form",
    "language": "pl",
    "contrast": "high",
    "text_size": "large",
    "next": "/dashboard",
    "email": "mallory@example.org",
    "full_name": "Mallory",
    "role": "admin",
    "current_password": factories.PASSWORD,
    "password": "Mallory's own long password 2026",
    "confirm": "Mallory's own long password 2026",
    "name": "Mallorytown",
    "title": "Forged exchange",
    "first_name": "Mallory",
    "last_name": "Forged",
    "date_of_birth": "1980-01-01",
    "country": "PL",
    "gender": "not_stated",
    "guardian_name": "Mallory",
    "given_on": "2026-01-01",
    "method": "paper",
    "text_version": "forged",
    "activity": "Forged visit",
    "start_time": "09:00",
}

#: cookies a refused form must not set (the session cookie may be refreshed)
PREFERENCE_COOKIES = ("lang=", "contrast=", "text_size=")

POST_ENDPOINTS = [endpoint for endpoint, method in RULES if method == "POST"]


def test_every_post_endpoint_is_walked(app):
    in_map = {endpoint for endpoint, method in endpoints_in(app.url_map) if method == "POST"}
    assert set(POST_ENDPOINTS) == in_map


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_a_form_without_the_token_is_refused_and_changes_nothing(client, endpoint: str):
    app = client.application
    path = endpoints_in(app.url_map).get((endpoint, "POST"))
    if path is None:
        pytest.skip("no such endpoint: see test_every_post_endpoint_is_walked")
    allowed = [
        case
        for case in cases(RULES[(endpoint, "POST")], path)
        if case.expected == ALLOW and case.role != "anonymous"
    ]
    assert allowed, f"no logged-in role may POST to {endpoint}: nothing to check"
    wrong = []
    for case in allowed:
        reset_limits()
        world = build_world()
        visitor = app.test_client()
        login_as(visitor, db.session.get(User, world.users[case.role]))
        url = fill(path, endpoint, case, world)
        before = snapshot()

        response = visitor.post(url, data=FORGED)

        problems = []
        if response.status_code != 400 or CSRF_REFUSED not in response.get_data(as_text=True):
            problems.append(f"answered {response.status_code}, not the CSRF refusal")
        if changed := changed_tables(before, snapshot()):
            problems.append(f"changed {changed}")
        cookies = " ".join(response.headers.getlist("Set-Cookie"))
        if any(cookie in cookies for cookie in PREFERENCE_COOKIES):
            problems.append(f"set a cookie: {cookies}")
        if visitor.get("/dashboard").status_code != 200:
            problems.append("the user is no longer logged in")
        if problems:
            wrong.append(f"POST {url} as {case}: {'; '.join(problems)}")
    assert not wrong, "\n".join(wrong)
