"""The web shell without a browser: languages, headers, error pages, weight, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_home_page_declares_its_language_and_direction() -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_arabic_pages_read_right_to_left() -> None:
    html = Client(headers={"Accept-Language": "ar"}).get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "تخطَّ إلى المحتوى الرئيسي" in html or "تخط إلى المحتوى الرئيسي" in html


def test_spanish_pages_are_translated() -> None:
    html = Client(headers={"Accept-Language": "es"}).get("/").content.decode()
    assert '<html lang="es" dir="ltr">' in html
    assert "Saltar al contenido principal" in html


def test_the_language_switcher_works_without_javascript() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="es"' in client.get("/").content.decode()


def test_every_page_has_a_skip_link_and_landmarks() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html


def test_security_headers_are_set() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_home_page_is_light() -> None:
    html = Client().get("/").content
    css = Path(finders.find("web/site.css")).read_bytes()
    icon = Path(finders.find("web/favicon.svg")).read_bytes()
    assert len(html) + len(css) + len(icon) < 100 * 1024


def test_pages_load_nothing_from_other_hosts() -> None:
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        html = Client().get(path).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], f"{path} loads {external}"


def test_an_unknown_page_is_a_helpful_html_404() -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_form_sent_without_its_csrf_token_gets_a_clear_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a", "password": "b"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_an_oversized_form_post_gets_an_html_413() -> None:
    big = "x" * (settings.MAX_REQUEST_BODY_BYTES + 1)
    response = Client().post("/accounts/login/", {"login": big}, HTTP_ACCEPT="text/html")
    assert response.status_code == 413
    assert "the limit is" in response.content.decode()


def test_failed_sign_in_names_the_problem_in_an_error_summary() -> None:
    response = Client().post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong one"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in html


def test_signup_shows_each_field_error_linked_from_the_summary() -> None:
    response = Client().post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "short", "password2": "short"}
    )
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html


def test_public_names_follow_the_readers_language() -> None:
    from django.core.management import call_command

    call_command("demo", stdout=__import__("io").StringIO())
    arabic = Client(headers={"Accept-Language": "ar"}).get("/").content.decode()
    spanish = Client(headers={"Accept-Language": "es"}).get("/").content.decode()
    assert "الأشغال العامة" in arabic and "ضفة النهر" in arabic
    assert "Obras Públicas" in spanish and "Ribera" in spanish


def test_json_responses_get_a_policy_that_allows_nothing() -> None:
    """API answers are never rendered as pages: they get a fixed policy (built once, not per response)
    that still has object-src, base-uri and frame-ancestors, as every response must."""
    response = Client().get("/api/v1/voting/polls")
    assert response["Content-Type"].startswith("application/json")
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    page = Client().get("/")
    assert "default-src 'self'" in page["Content-Security-Policy"]
