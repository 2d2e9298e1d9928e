"""NIST 800-63B for sessions and passwords; staff work only after a second factor."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from cityhall.accounts.contracts import Role, VerificationMethod
from cityhall.accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from cityhall.accounts.models import ResidentVerification, User
from cityhall.core.models import AuditEvent
from tests.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def age_session(client: Client, *, auth_ago: float, seen_ago: float) -> None:
    session = client.session
    now = timezone.now().timestamp()
    session[SESSION_AUTH_AT] = now - auth_ago
    session[SESSION_SEEN_AT] = now - seen_ago
    session.save()


def verified_resident(make_user: Callable[..., User]) -> User:
    user = make_user()
    ResidentVerification.objects.create(user=user, method=VerificationMethod.CENSUS, evidence="test")
    return user


def test_thirty_idle_minutes_end_a_verified_residents_session(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(verified_resident(make_user))
    age_session(client, auth_ago=31 * 60, seen_ago=31 * 60)
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_thirty_idle_minutes_end_a_staff_session(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(Role.MODERATOR))
    age_session(client, auth_ago=31 * 60, seen_ago=31 * 60)
    assert client.get("/staff/").status_code == 302


def test_an_unverified_residents_session_lasts_longer_but_not_forever(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user())
    age_session(client, auth_ago=31 * 60, seen_ago=31 * 60)
    assert client.get("/account/tokens/").status_code == 200
    age_session(client, auth_ago=3 * 3600, seen_ago=2 * 3600 + 1)
    assert client.get("/account/tokens/").status_code == 302


def test_signing_in_issues_a_new_session_id(make_user: Callable[..., User]) -> None:
    """No session fixation: an id planted before sign-in is worthless after it."""
    user = make_user()
    client = Client()
    client.get("/accounts/login/")
    client.session["planted"] = "x"
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    after = client.session.session_key
    assert before and after and before != after
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_twelve_hours_end_even_a_busy_session(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(verified_resident(make_user))
    age_session(client, auth_ago=12 * 3600 + 1, seen_ago=10)
    assert client.get("/account/tokens/").status_code == 302


def test_an_active_session_continues(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user())
    age_session(client, auth_ago=3600, seen_ago=29 * 60)
    assert client.get("/account/tokens/").status_code == 200


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.RESIDENT}))
def test_staff_without_a_second_factor_are_sent_to_set_one_up(
    role: Role, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(role, mfa=False))
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_residents_are_not_forced_into_mfa(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user())
    assert client.get("/account/tokens/").status_code == 200


def test_staff_sign_in_asks_for_the_authenticator_code(make_user: Callable[..., User]) -> None:
    user = make_user(Role.EMERGENCY_MANAGER)
    client = Client()
    step_one = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert step_one["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/staff/").status_code == 302  # not signed in yet
    step_two = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert step_two.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(user.pk)).exists()


def test_failed_sign_ins_are_audited_without_the_typed_address(
    make_user: Callable[..., User],
) -> None:
    Client().post("/accounts/login/", {"login": "someone@example.org", "password": "not the password"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert "someone@example.org" not in str(event.data) + event.object_id


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_repeated_failed_sign_ins_lock_out_even_the_right_password(
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong password here"})
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("fourteen chars", "at least 15 characters"),
        ("passwordpassword", "too common"),
        ("aldermere aldermere", "too common"),
        ("x" * 257, "longer than 256"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with override_settings(CITY_NAME="Aldermere"), pytest.raises(ValidationError) as caught:
        validate_password(password)
    messages = " ".join(caught.value.messages)
    assert reason in messages or "attackers try first" in messages


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "all lowercase with spaces ok",
        "ñandú — مرحبا بكم في المدينة",
        "z" * 64,
    ],
)
def test_long_passphrases_pass_without_composition_rules(password: str) -> None:
    validate_password(password)
