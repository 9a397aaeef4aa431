"""Login protection: throttled guessing and strong passwords."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

LOGIN = reverse("login")


def attempt(client, password, username="producer", address="10.0.0.7"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_lock_the_login_for_a_while(demo):
    """After 5 wrong passwords, even the right one is refused with a clear message."""
    client = Client()
    for _ in range(4):
        assert attempt(client, "wrong-password").status_code == 200
    locked = attempt(client, "wrong-password")
    assert locked.status_code == 429
    assert b"locked for 15 minutes" in locked.content
    again = attempt(client, "slate-demo")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(demo):
    """Someone else's failures elsewhere do not lock you out."""
    client = Client()
    for _ in range(5):
        attempt(client, "wrong-password", address="10.0.0.8")
    response = attempt(Client(), "slate-demo", address="10.0.0.9")
    assert response.status_code == 302
    other_user = attempt(Client(), "slate-demo", username="ap", address="10.0.0.8")
    assert other_user.status_code == 302


def test_a_success_resets_the_count(demo):
    """Four misses, a success, then four more misses still lets you in."""
    client = Client()
    for _ in range(4):
        attempt(client, "wrong-password")
    assert attempt(client, "slate-demo").status_code == 302
    client = Client()
    for _ in range(4):
        attempt(client, "wrong-password")
    assert attempt(client, "slate-demo").status_code == 302


@pytest.mark.parametrize("password", ["short-pass1", "password1234", "123456789012"])
def test_weak_passwords_are_refused(db, password):
    """Passwords shorter than 12 characters, common or all digits are refused."""
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_is_accepted(db):
    """A 12+ character uncommon passphrase passes the validators."""
    validate_password("clapper-board-at-dawn")
