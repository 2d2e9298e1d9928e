"""Real pages in headless Chromium: sign-up, sign-in, languages, staff MFA, keyboard and no-JS use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from tests.browser.conftest import last_email_link
from tests.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PASSPHRASE = "seven quiet bridges over the river"


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_the_home_page_is_accessible(page: Any, assert_accessible: Callable[[Any], None]) -> None:
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome to")
    assert_accessible(page)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_resident_signs_up_verifies_the_email_and_signs_in(
    page: Any, assert_accessible: Callable[[Any], None], run_tasks: Callable[[], None]
) -> None:
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("new.resident@example.org")
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_accessible(page)

    run_tasks()
    assert [message.to for message in mail.outbox] == [["new.resident@example.org"]]
    page.goto(last_email_link(r"http://[^\s]+/accounts/confirm-email/[^\s]+"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    sign_in(page, "new.resident@example.org", PASSPHRASE)
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Sign out").is_visible()
    assert User.objects.get(email="new.resident@example.org").emailaddress_set.get().verified


def test_sign_up_mistakes_are_summarised_and_linked_to_their_fields(
    page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("short")
    page.get_by_role("button", name="Sign Up").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert_accessible(page)


def test_switching_to_arabic_turns_the_page_right_to_left(
    page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    assert_accessible(page)
    page.get_by_label("اللغة").select_option("es")
    page.get_by_role("button", name="تغيير اللغة").click()
    page.wait_for_load_state()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "es",
        "ltr",
    ]
    assert_accessible(page)


def test_staff_sign_in_with_an_authenticator_code(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.COUNCIL_CLERK, email="clerk@example.org")
    sign_in(page, user.email, TEST_PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.goto("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff area"
    assert_accessible(page)


def test_staff_without_a_second_factor_set_one_up_before_anything_else(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.DATA_PUBLISHER, mfa=False)
    sign_in(page, user.email, TEST_PASSWORD)
    page.wait_for_url("**/accounts/reauthenticate/**")  # changing a factor needs a fresh password
    assert_accessible(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.goto("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff area"


def test_the_token_page_is_accessible_and_shows_a_new_token_once(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User]
) -> None:
    user = make_user()
    sign_in(page, user.email, TEST_PASSWORD)
    page.goto("/account/tokens/")
    assert_accessible(page)
    page.get_by_label("Token name").fill("budget script")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("chk_")
    assert_accessible(page)
    page.reload()
    assert page.locator("#new-token").count() == 0


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/no/such/page/"])
def test_other_public_pages_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], path: str
) -> None:
    page.goto(path)
    assert_accessible(page)


def test_signing_in_works_without_javascript(
    page_without_javascript: Any, make_user: Callable[..., User]
) -> None:
    user = make_user()
    sign_in(page_without_javascript, user.email, TEST_PASSWORD)
    page_without_javascript.wait_for_url("**/")
    assert page_without_javascript.get_by_role("link", name="Sign out").is_visible()
