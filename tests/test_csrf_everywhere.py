"""Every state-changing form carries a CSRF token, and the server refuses forms without one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent / "cityhall"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/account/tokens/",
    "/account/privacy/",
    "/staff/residents/",
]


def test_every_post_form_in_our_templates_includes_the_csrf_token() -> None:
    missing = []
    for template in ROOT.rglob("templates/**/*.html"):
        for body in POST_FORM.findall(template.read_text()):
            if "{% csrf_token %}" not in body:
                missing.append(str(template.relative_to(ROOT)))
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_rendered_post_form_carries_a_token(
    path: str, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    html = signed_in_client(make_user(Role.DEPARTMENT_STAFF)).get(path).content.decode()
    forms = POST_FORM.findall(html)
    assert all('name="csrfmiddlewaretoken"' in form for form in forms)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/tokens/", {"name": "x", "expires_in_days": "30"}),
        ("/account/privacy/requests/", {"kind": "erasure", "details": "all"}),
        (
            "/staff/residents/",
            {"form": "in_person", "person-email": "a@example.org", "person-document": "ID"},
        ),
        ("/accounts/logout/", {}),
    ],
)
def test_a_form_without_its_token_is_refused(
    path: str, data: dict[str, str], make_user: Callable[..., User]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.DEPARTMENT_STAFF))
    response = client.post(path, data)
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
