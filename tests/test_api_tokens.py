from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import ApiToken, User
from cityhall.accounts.services import _TokenUses, api_token_create, api_token_revoke, api_token_uses_flush

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_created_token_is_shown_once_and_stored_only_as_a_hash(
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    response = bearer(api_token_create(actor=None, user=user, name="setup")[1]).post(
        "/api/v1/accounts/tokens", {"name": "dashboard"}, content_type="application/json"
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("chk_")
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert secret not in (stored.secret_hash, stored.prefix)
    assert bearer(secret).get("/api/v1/accounts/me").json()["email"] == user.email


def test_the_token_list_never_shows_secrets(make_user: Callable[..., User]) -> None:
    user = make_user()
    _token, secret = api_token_create(actor=None, user=user, name="one")
    body = bearer(secret).get("/api/v1/accounts/tokens").json()
    assert body["count"] == 1
    assert "secret" not in body["items"][0]
    assert secret not in str(body)


def test_a_token_acts_with_its_owners_permissions_only(make_user: Callable[..., User]) -> None:
    resident = make_user()
    _token, secret = api_token_create(actor=None, user=resident, name="script")
    response = bearer(secret).get("/api/v1/audit/events")
    assert response.status_code == 403


def test_a_revoked_token_is_refused_with_the_reason(make_user: Callable[..., User]) -> None:
    user = make_user()
    token, secret = api_token_create(actor=None, user=user, name="old")
    api_token_revoke(actor=user, token_id=token.pk)
    response = bearer(secret).get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    assert "revoked" in response.json()["error"]["message"]


def test_an_expired_token_is_refused_with_the_reason(make_user: Callable[..., User]) -> None:
    user = make_user()
    token, secret = api_token_create(actor=None, user=user, name="short", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = bearer(secret).get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_an_unknown_token_is_refused() -> None:
    response = bearer("chk_not-a-real-token").get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


def test_a_missing_token_is_refused() -> None:
    response = Client().get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_of_a_disabled_account_is_refused(make_user: Callable[..., User]) -> None:
    user = make_user()
    _token, secret = api_token_create(actor=None, user=user, name="x")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert bearer(secret).get("/api/v1/accounts/me").json()["error"]["code"] == "account_disabled"


def test_ckan_style_bare_authorization_header_is_accepted(make_user: Callable[..., User]) -> None:
    user = make_user()
    _token, secret = api_token_create(actor=None, user=user, name="ckanapi")
    response = Client(headers={"Authorization": secret}).get("/api/v1/accounts/me")
    assert response.status_code == 200


def test_owners_revoke_their_tokens_through_the_api(make_user: Callable[..., User]) -> None:
    user = make_user()
    token, secret = api_token_create(actor=None, user=user, name="to revoke")
    _other, other_secret = api_token_create(actor=None, user=user, name="worker")
    response = bearer(other_secret).post(f"/api/v1/accounts/tokens/{token.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 401


def test_nobody_revokes_someone_elses_token(make_user: Callable[..., User]) -> None:
    owner, intruder = make_user(), make_user()
    token, _secret = api_token_create(actor=None, user=owner, name="mine")
    _t, intruder_secret = api_token_create(actor=None, user=intruder, name="theirs")
    response = bearer(intruder_secret).post(f"/api/v1/accounts/tokens/{token.pk}/revoke")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_may_revoke_anyones_token(make_user: Callable[..., User]) -> None:
    owner, admin = make_user(), make_user(Role.ADMINISTRATOR)
    token, _secret = api_token_create(actor=None, user=owner, name="leaked")
    assert api_token_revoke(actor=admin, token_id=token.pk).revoked_at is not None


def test_token_pages_let_owners_create_and_revoke(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    user = make_user()
    client = signed_in_client(user)
    page = client.post("/account/tokens/", {"name": "laptop", "expires_in_days": "30"}, follow=True)
    assert page.redirect_chain == [("/account/tokens/", 302)]
    token = ApiToken.objects.get(user=user)
    assert page.context["new_secret"].startswith("chk_")
    assert client.get("/account/tokens/").context["new_secret"] is None
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_token_form_explains_a_bad_expiry(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user())
    page = client.post("/account/tokens/", {"name": "laptop", "expires_in_days": "0"})
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_token_create_command_prints_the_token_last(
    make_user: Callable[..., User], capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(email="script-owner@example.org")
    call_command("token", "create", "--user", "script-owner@example.org")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert bearer(secret).get("/api/v1/accounts/me").json()["id"] == str(user.pk)


def test_the_cityhall_console_script_wraps_manage_py() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cityhall.cli", "token", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0
    assert "--user" in completed.stdout


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as in a web request
def test_a_tokens_use_is_noted_once_a_minute_and_written_after_the_call(
    make_user: Callable[..., User],
) -> None:
    token, secret = api_token_create(actor=None, user=make_user(), name="script")
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 200
    assert not connection.in_atomic_block and connection.get_autocommit()
    api_token_uses_flush()  # or the worker thread did already
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 200
    api_token_uses_flush()
    token.refresh_from_db()
    assert token.last_used_at == first  # within a minute: not noted again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 200
    api_token_uses_flush()
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


@pytest.mark.django_db(transaction=True)
def test_the_uses_of_many_tokens_are_written_in_one_statement(make_user: Callable[..., User]) -> None:
    uses = _TokenUses(background=False)
    tokens = [api_token_create(actor=None, user=make_user(), name="script")[0] for _ in range(5)]
    when = timezone.now()
    for token in tokens:
        uses.note(token.pk, when)
    uses.note(tokens[0].pk, when)  # a token used twice is written once
    with CaptureQueriesContext(connection) as queries:
        assert uses.flush() == 5
    assert sum("UPDATE" in query["sql"] for query in queries.captured_queries) == 1
    assert set(ApiToken.objects.values_list("last_used_at", flat=True)) == {when}
    assert uses.flush() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="on SQLite a use is written by the call itself; the thread is PostgreSQL's",
)
def test_the_worker_thread_writes_the_uses_by_itself(make_user: Callable[..., User]) -> None:
    token, secret = api_token_create(actor=None, user=make_user(), name="script")
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 200
    deadline = time.monotonic() + 30  # it writes every second; the margin is for a busy machine
    while ApiToken.objects.get(pk=token.pk).last_used_at is None:
        assert time.monotonic() < deadline, "the token's use was not written by the worker thread"
        time.sleep(0.2)


def test_inside_a_transaction_a_use_is_written_at_once(make_user: Callable[..., User]) -> None:
    token, secret = api_token_create(actor=None, user=make_user(), name="script")
    assert bearer(secret).get("/api/v1/accounts/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
