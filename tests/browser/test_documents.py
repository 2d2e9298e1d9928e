"""The documents pages in headless Chromium: axe-core finds nothing on any of them, verification
works without JavaScript, and a resident sees the exchanges about them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.demo import demo_load as accounts_demo
from cityhall.accounts.models import Department, User
from cityhall.documents.demo import demo_load as documents_demo
from cityhall.documents.models import Document, ExchangeRequest
from tests.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_city(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    accounts_demo(lambda line: None)
    documents_demo(lambda line: None)


def sign_in(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def _file(document: Document) -> bytes:
    version = document.versions.get(number=document.current_version)
    with version.file.open("rb") as handle:
        return bytes(handle.read())


def test_the_public_pages_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], demo_city: None
) -> None:
    document = Document.objects.get(title="Ordinance 2026-03 on street trading")
    for path, heading in [
        ("/documents/", "Document registry"),
        (f"/documents/{document.pk}/", document.title),
        ("/documents/verify/", "Check a document"),
        ("/documents/keys/", "Signing keys"),
    ]:
        page.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() == heading, path
        assert_accessible(page)


def test_verification_works_without_javascript_and_reports_a_changed_byte(
    page_without_javascript: Any, demo_city: None, assert_accessible: Callable[[Any], None]
) -> None:
    page = page_without_javascript
    document = Document.objects.get(title="Budget 2026, as adopted")
    content = _file(document)
    page.goto("/documents/verify/")
    page.get_by_label("The file").set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    page.get_by_role("button", name="Check").click()
    assert "Genuine: this file is version 1" in page.get_by_role("status").inner_text()

    changed = content.replace(b"Budget", b"Budgel", 1)
    page.goto(f"/documents/verify/?document={document.pk}")
    page.get_by_label("The file").set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": changed}
    )
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_role("status").inner_text()
    assert "does not match the registered version" in verdict and "differs from version 1" in verdict


def test_the_verdict_is_accessible(
    page: Any, assert_accessible: Callable[[Any], None], demo_city: None
) -> None:
    document = Document.objects.get(title="Council meeting minutes, 9 February 2026")
    page.goto("/documents/verify/")
    page.get_by_label("The file").set_input_files(
        {"name": "m.pdf", "mimeType": "application/pdf", "buffer": _file(document)}
    )
    page.get_by_role("button", name="Check").click()
    page.get_by_role("status").wait_for()
    assert_accessible(page)


def test_the_staff_pages_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User], demo_city: None
) -> None:
    works = Department.objects.get(slug="public-works")
    sign_in(page, make_user(Role.DEPARTMENT_STAFF, works, email="works@example.org"))
    document = Document.objects.get(title="Tender evaluation: street lighting renewal")
    exchange = ExchangeRequest.objects.get(to_department=works)
    for path in [
        "/staff/documents/",
        f"/staff/documents/{document.pk}/",
        "/staff/documents/keys/",
        "/staff/exchange/",
        f"/staff/exchange/{exchange.pk}/",
        "/staff/exchange/log/",
    ]:
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_accessible(page)
    page.goto(f"/staff/exchange/{exchange.pk}/")
    page.get_by_label("Provide the data").check()
    page.get_by_label("Permits held").fill("RW-2026-0117 (demo value)")
    page.get_by_label("Registered address").fill("12 Mill Lane (demo value)")
    page.get_by_role("button", name="Sign and send the answer").click()
    assert "The answer is signed and sent." in page.get_by_role("status").first.inner_text()


def test_the_resident_sees_the_exchanges_about_them(
    page: Any, assert_accessible: Callable[[Any], None], demo_city: None
) -> None:
    resident = User.objects.get(email="resident@demo.example")
    resident.set_password(TEST_PASSWORD)
    resident.save(update_fields=["password"])
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(resident.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto("/account/privacy/")
    section = page.get_by_role("heading", name="Exchanges between agencies about you")
    assert section.is_visible()
    assert page.get_by_text("Assessing a housing benefit claim").first.is_visible()
    assert_accessible(page)
