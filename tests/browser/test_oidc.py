"""Cityhall as an OpenID Connect provider, driven end to end by a real client library (authlib)."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from allauth.idp.oidc.models import Client as OIDCClient
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import BadSignatureError
from django.contrib.auth.hashers import make_password

from cityhall.accounts.contracts import AccessChannel
from cityhall.accounts.models import DataAccessLog, User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT_URI = "http://127.0.0.1:9/callback"  # nothing listens there: the browser's request is caught
CLIENT_SECRET = "library-portal-secret-value-1234"


@pytest.fixture(autouse=True)
def _loopback_http() -> Iterator[None]:
    # OAuth demands HTTPS; the test server is plain HTTP on loopback only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
        yield


@pytest.fixture
def library() -> OIDCClient:
    return OIDCClient.objects.create(
        name="Library portal",
        secret=make_password(CLIENT_SECRET),
        scopes="openid\nemail\nprofile\nresident",
        redirect_uris=REDIRECT_URI,
        grant_types="authorization_code\nrefresh_token",
        response_types="code",
        type=OIDCClient.Type.CONFIDENTIAL,
    )


def authorize_in_browser(page: Any, url: str, user: User, assert_accessible: Callable[[Any], None]) -> str:
    """The resident signs in and consents; returns the URL the provider sent the browser back to."""
    page.route("http://127.0.0.1:9/**", lambda route: route.fulfill(status=200, body="ok"))
    page.goto(url)
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/identity/o/authorize**")
    assert_accessible(page)
    assert "Library portal" in page.content()
    with page.expect_request("http://127.0.0.1:9/**") as callback:
        page.get_by_role("button", name="Authorize").click()
    return str(callback.value.url)


def test_a_city_service_signs_a_resident_in_with_pkce_and_gets_only_consented_claims(
    page: Any,
    live_server: Any,
    library: OIDCClient,
    make_user: Callable[..., User],
    assert_accessible: Callable[[Any], None],
) -> None:
    user = make_user(email="reader@example.org", full_name="Rosa Reader")
    discovery = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    assert "S256" in discovery["code_challenge_methods_supported"]
    session = OAuth2Session(
        library.id,
        CLIENT_SECRET,
        scope="openid email profile resident",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, _state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = authorize_in_browser(page, url, user, assert_accessible)

    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys)
    claims.validate()
    assert claims["iss"] == discovery["issuer"]
    assert claims["aud"] == library.id
    assert claims["nonce"] == nonce
    assert claims["sub"] == str(user.pk)
    assert claims["acr"] == "urn:cityhall:assurance:email-verified"
    userinfo = session.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["email"] == "reader@example.org"
    assert userinfo["resident_verified"] is False
    released = DataAccessLog.objects.filter(resident=user, channel=AccessChannel.OIDC)
    assert released.exists() and "Library portal" in released.first().accessor

    with pytest.raises(OAuthError) as replay:  # an authorization code works once
        session.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
    assert replay.value.error == "invalid_grant"


def test_a_wrong_code_verifier_is_refused(
    page: Any,
    live_server: Any,
    library: OIDCClient,
    make_user: Callable[..., User],
    assert_accessible: Callable[[Any], None],
) -> None:
    user = make_user()
    discovery = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        library.id,
        CLIENT_SECRET,
        scope="openid email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    url, _ = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=generate_token(48)
    )
    callback = authorize_in_browser(page, url, user, assert_accessible)
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=generate_token(48)
        )
    assert refused.value.error == "invalid_grant"


def test_a_tampered_id_token_fails_verification(
    page: Any,
    live_server: Any,
    library: OIDCClient,
    make_user: Callable[..., User],
    assert_accessible: Callable[[Any], None],
) -> None:
    user = make_user()
    discovery = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        library.id, CLIENT_SECRET, scope="openid", redirect_uri=REDIRECT_URI, code_challenge_method="S256"
    )
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier)
    callback = authorize_in_browser(page, url, user, assert_accessible)
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    header, payload, signature = token["id_token"].split(".")
    claims = json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"  # a relying party must never accept this
    forged = urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    assert jwt.decode(token["id_token"], keys)["sub"] == str(user.pk)
    with pytest.raises(BadSignatureError):
        jwt.decode(".".join([header, forged, signature]), keys)
