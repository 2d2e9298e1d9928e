"""Staff may use a passkey (WebAuthn) as their second factor; checked with Chromium's virtual
authenticator, through allauth's own pages under Cityhall's Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from tests.browser.test_pages import sign_in
from tests.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_staff_member_adds_a_passkey_and_signs_in_with_it(
    page: Any, settings: Any, make_user: Callable[..., User], assert_accessible: Callable[[Any], None]
) -> None:
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test server is http://localhost
    user = make_user(Role.EMERGENCY_MANAGER)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    sign_in(page, user.email, TEST_PASSWORD)
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.goto("/accounts/2fa/webauthn/add/")
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/**")
    assert_accessible(page)
    page.get_by_label("Name").fill("Laptop key")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(lambda url: "/webauthn/add" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    # Next time: password, then the passkey instead of the authenticator code.
    page.context.clear_cookies()
    sign_in(page, user.email, TEST_PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/2fa/authenticate" not in url)
    page.goto("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff area"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
