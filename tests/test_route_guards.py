"""Guards over every route the platform serves, so each new module is covered without new tests:
anonymous visitors change nothing except through the few public forms listed here, staff and
account pages send them to sign in, and no route answers junk with a server error."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Public writes: each is deliberate and has its own tests.
PUBLIC_POST = [
    r"^/accounts/(login|signup|password/reset|password/reset/key/.*|confirm-email/.*|logout)/$",
    r"^/accounts/2fa/authenticate/$",
    r"^/i18n/setlang/$",
    r"^/identity/o/api/(token|revoke|device/code|introspect|userinfo|clients)$",
    r"^/identity/o/(authorize|device|logout)$",
    r"^/open311/v2/.*",  # Open311 allows anonymous reports by design (GeoReport v2)
    r"^/alerts/subscribe/.*|^/alerts/unsubscribe/.*|^/alerts/subscriptions/.*",
    r"^/report/.*|^/requests/.*",
    r"^/api/(3/)?action/.*",  # CKAN Action API: read actions answer POST; writes need an API token
    r"^/documents/verify.*",  # public signature verification takes a file or a hash
]
# Read-only views of libraries that answer any method without changing anything.
READ_ONLY_ANY_METHOD = [r"^/api/v1/(docs|openapi\.json)$"]
SKIP = [r"^/static/", r"^/media/", r"^/admin/", r"/events$|/stream$"]  # admin has its own login; SSE streams
SAMPLES = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "x", "str": "x", "path": "x"}


def concrete_paths() -> Iterator[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
                continue
            path = prefix + route
            path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), path)
            path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path).lstrip("^").rstrip("$").replace("\\.", ".")
            if "(" in path or "[" in path:
                continue  # a raw regex route that cannot be filled blindly
            yield "/" + path

    seen = set()
    for path in walk(get_resolver().url_patterns, ""):
        if path not in seen and not any(re.search(skip, path) for skip in SKIP):
            seen.add(path)
            yield path


PATHS = sorted(concrete_paths())


def test_the_route_list_is_not_empty() -> None:
    assert "/account/privacy/" in PATHS and "/staff/" in PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitors_cannot_write(path: str) -> None:
    response = Client().post(path, {"junk": "value"})
    public = any(re.search(rule, path) for rule in PUBLIC_POST + READ_ONLY_ANY_METHOD)
    assert response.status_code < 500, f"{path} answered {response.status_code} to junk"
    if not public:
        assert response.status_code not in (200, 201, 202, 204), f"anonymous POST to {path} succeeded"


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in PATHS if p.startswith(("/staff/", "/account/"))])
def test_staff_and_account_pages_turn_anonymous_visitors_away(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (302, 401, 403, 404, 405)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_no_route_fails_on_a_plain_get(path: str) -> None:
    assert Client().get(path).status_code < 500
