"""Password rules: long enough, not the e-mail, not on the list of common passwords."""

from __future__ import annotations

from importlib import resources

import pytest

from exchange.auth.services import (
    MIN_PASSWORD_LENGTH,
    UserError,
    check_password_rules,
    common_passwords,
)
from tests.helpers import login_as, post_form


def test_the_list_is_shipped_with_the_package_and_is_long():
    assert resources.files("exchange.auth").joinpath("common_passwords.txt").is_file()
    assert len(common_passwords()) >= 5000
    assert all(password == password.lower() for password in common_passwords())


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "PASSWORD1234",
        "Qwertyuiop123",
        "123456789012",
        "1q2w3e4r5t6y",
        "zaq12wsxcde3",
        "iloveyou1234",
        "Olsztyn12345",
        "polska123456",
        "kochamcie123",
        "passwordpassword",
        "correct horse battery staple",
        "Correct Horse Battery Staple",
        "correcthorsebatterystaple",
    ],
)
def test_common_passwords_are_refused_whatever_their_case(password):
    with pytest.raises(UserError) as refused:
        check_password_rules(password, "someone@example.org")
    assert refused.value.field == "password"
    assert "most common passwords" in str(refused.value)


@pytest.mark.parametrize(
    "password", ["a long enough password", "Mazurian lakes at dawn 7", "kx8!Tq-2Lm#pW9"]
)
def test_uncommon_long_passwords_are_accepted(password):
    check_password_rules(password, "someone@example.org")


def test_short_passwords_and_the_email_are_refused():
    with pytest.raises(UserError, match=str(MIN_PASSWORD_LENGTH)):
        check_password_rules("Ab1!xyz", "someone@example.org")
    with pytest.raises(UserError, match="e-mail"):
        check_password_rules("Someone@Example.org", "someone@example.org")


def test_common_password_message_is_shown_next_to_the_field(client, admin):
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {"full_name": "X", "email": "x@example.org", "role": "coordinator",
         "password": "Welcome12345"},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="error" id="password-error">This password is on a list' in page
