from __future__ import annotations

import pytest
import sqlalchemy as sa

from exchange.auth.models import User
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form


def test_login_page_has_labelled_fields_and_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">Email</label>' in page
    assert '<label for="password">Password</label>' in page
    assert ">Log in</button>" in page


def test_login_with_right_password_opens_the_dashboard(client, coordinator):
    response = post_form(
        client, "/login", {"email": coordinator.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "Welcome, Cora Ord" in client.get("/dashboard").get_data(as_text=True)
    assert db.session.get(User, coordinator.id).last_login_at is not None


def test_email_is_case_insensitive_at_login(client, coordinator):
    response = post_form(
        client, "/login", {"email": "  COORD@Example.org ", "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_message(client, coordinator):
    response = post_form(client, "/login", {"email": coordinator.email, "password": "wrong"})
    assert response.status_code == 401
    assert "The e-mail address or password is wrong." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_unknown_email_gets_the_same_answer(client):
    response = post_form(client, "/login", {"email": "nobody@example.org", "password": "x" * 12})
    assert response.status_code == 401
    assert "The e-mail address or password is wrong." in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client):
    user = factories.user(active=False)
    response = post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 401


def test_invited_user_without_password_cannot_log_in(client):
    user = factories.user(password=None)
    response = post_form(client, "/login", {"email": user.email, "password": ""})
    assert response.status_code == 422
    response = post_form(client, "/login", {"email": user.email, "password": "anything-long"})
    assert response.status_code == 401


def test_passwords_are_stored_as_argon2id_hashes(app_context, coordinator):
    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == coordinator.id))
    assert stored.startswith("$argon2id$")
    assert factories.PASSWORD not in stored


def test_production_hash_parameters_follow_owasp(app):
    from exchange.config import ProductionConfig

    assert ProductionConfig.PASSWORD_HASH_MEMORY_KIB >= 19 * 1024
    assert ProductionConfig.PASSWORD_HASH_TIME_COST >= 2


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "http:/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_to_another_site_is_ignored(client, coordinator, target):
    response = post_form(
        client,
        f"/login?next={target}",
        {"email": coordinator.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_next_to_a_local_path_is_followed(client, coordinator):
    response = post_form(
        client,
        "/login?next=/institutions/?q=school",
        {"email": coordinator.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/institutions/?q=school"


def test_protected_page_sends_to_login_with_next(client):
    response = client.get("/institutions/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_post(client, coordinator):
    login_as(client, coordinator)
    assert client.get("/logout").status_code == 405
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_renews_the_session(client, coordinator):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login_as(client, coordinator)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_people_logging_in_at_the_same_instant_all_get_in(app, app_context):
    """Twelve log-ins at once, each in its own request and database connection, right and
    wrong passwords mixed: none answers 503 (SQLite refused the writes of all but one)."""
    import threading

    from tests.helpers import csrf_token

    emails = [factories.user().email for _ in range(3)]
    db.session.remove()
    start = threading.Barrier(12)
    statuses: list[int] = []

    def log_in(number: int) -> None:
        with app.app_context():
            client = app.test_client()
            form = {
                "csrf_token": csrf_token(client),
                "email": emails[number % 3],
                "password": factories.PASSWORD if number % 4 else "not the password",
            }
            start.wait(timeout=30)
            statuses.append(client.post("/login", data=form).status_code)
            db.session.remove()

    threads = [threading.Thread(target=log_in, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] * 9 + [401] * 3
