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


def test_an_address_failing_across_many_names_is_locked_out(demo):
    """20 failures from one address, one per username, lock every name there."""
    for n in range(20):
        attempt(Client(), "wrong-password", username=f"guess{n}", address="10.0.0.20")
    sprayed = attempt(Client(), "slate-demo", username="ap", address="10.0.0.20")
    assert sprayed.status_code == 429
    assert b"locked for 15 minutes" in sprayed.content
    elsewhere = attempt(Client(), "slate-demo", username="ap", address="10.0.0.21")
    assert elsewhere.status_code == 302


def test_nineteen_failures_from_an_address_still_let_the_right_password_in(demo):
    """Below the address limit, someone who knows their password gets in."""
    for n in range(19):
        attempt(Client(), "wrong-password", username=f"guess{n}", address="10.0.0.22")
    assert attempt(Client(), "slate-demo", address="10.0.0.22").status_code == 302


def from_proxy(client, password, forwarded_for, username="producer"):
    """A login arriving through a proxy at 10.0.0.1 that sets X-Forwarded-For."""
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_a_forged_forwarded_for_changes_nothing_without_a_trusted_proxy(demo):
    """With no trusted proxy, a client cannot dodge the lock by naming new addresses."""
    client = Client()
    for n in range(5):
        from_proxy(client, "wrong-password", f"203.0.113.{n}")
    assert from_proxy(client, "slate-demo", "203.0.113.99").status_code == 429


def test_behind_a_trusted_proxy_people_are_told_apart(demo, settings):
    """Behind one trusted proxy, one person's lock does not lock a colleague out."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        from_proxy(Client(), "wrong-password", "198.51.100.7")
    assert from_proxy(Client(), "slate-demo", "198.51.100.7").status_code == 429
    assert from_proxy(Client(), "slate-demo", "198.51.100.8").status_code == 302


def test_behind_a_trusted_proxy_only_the_proxys_entry_counts(demo, settings):
    """Entries a client writes into X-Forwarded-For itself are not believed."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # The client wrote 192.0.2.n; the proxy appended the real 198.51.100.9.
        from_proxy(Client(), "wrong-password", f"192.0.2.{n}, 198.51.100.9")
    assert from_proxy(Client(), "slate-demo", "198.51.100.9").status_code == 429
