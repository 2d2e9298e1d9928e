"""/api/v1/: one error shape for every failure, one pagination, a checked-in OpenAPI document."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client, override_settings

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import api_token_create

pytestmark = pytest.mark.django_db
OPENAPI_FILE = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"


def assert_error_shape(body: dict[str, object], status: int, code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"status", "code", "message", "fields"}
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"].endswith(".")


@pytest.fixture
def admin_api(make_user: Callable[..., User]) -> Client:
    _token, secret = api_token_create(actor=None, user=make_user(Role.ADMINISTRATOR), name="t")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_unknown_routes_answer_in_the_error_shape() -> None:
    response = Client().get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert_error_shape(response.json(), 404, "not_found")


def test_a_wrong_method_answers_in_the_error_shape() -> None:
    response = Client().delete("/api/v1/ping")
    assert response.status_code == 405
    assert_error_shape(response.json(), 405, "method_not_allowed")


def test_malformed_json_is_named_and_nothing_is_written(admin_api: Client) -> None:
    response = admin_api.post(
        "/api/v1/accounts/departments",
        '{"slug": "parks", "name": ',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), 400, "malformed_json")
    assert not Department.objects.exists()


def test_a_body_that_is_not_json_is_refused(admin_api: Client) -> None:
    response = admin_api.post(
        "/api/v1/accounts/departments", "slug=parks&name=Parks", content_type="text/plain"
    )
    assert response.status_code == 415
    assert_error_shape(response.json(), 415, "unsupported_media_type")
    assert "text/plain" in response.json()["error"]["message"]


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_an_oversized_body_is_refused_before_it_is_read(admin_api: Client) -> None:
    payload = json.dumps({"slug": "parks", "name": "x" * 5000})
    response = admin_api.post("/api/v1/accounts/departments", payload, content_type="application/json")
    assert response.status_code == 413
    assert_error_shape(response.json(), 413, "body_too_large")
    assert not Department.objects.exists()


def test_invalid_fields_are_each_named(admin_api: Client) -> None:
    response = admin_api.post(
        "/api/v1/accounts/departments", {"slug": "Not A Slug!"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert_error_shape(body, 422, "validation_error")
    locations = {field["location"] for field in body["error"]["fields"]}
    assert {"body.payload.slug", "body.payload.name"} <= locations
    assert not Department.objects.exists()


def test_a_business_rule_refusal_is_a_clear_error_and_writes_nothing(admin_api: Client) -> None:
    Department.objects.create(slug="parks", name="Parks")
    response = admin_api.post(
        "/api/v1/accounts/departments",
        {"slug": "parks", "name": "Parks again"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), 400, "duplicate")
    assert Department.objects.count() == 1


def test_lists_follow_the_one_pagination_convention(admin_api: Client) -> None:
    for n in range(5):
        Department.objects.create(slug=f"d{n}", name=f"Department {n}")
    first = admin_api.get("/api/v1/accounts/departments?page_size=2").json()
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (5, 1, 2, 2)
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = admin_api.get("/api/v1/accounts/departments?page=3&page_size=2").json()
    assert len(last["items"]) == 1 and last["next"] is None


def test_a_page_size_over_the_limit_is_refused() -> None:
    response = Client().get("/api/v1/accounts/departments?page_size=1000")
    assert response.status_code == 422
    assert_error_shape(response.json(), 422, "validation_error")


def test_list_endpoints_use_a_bounded_number_of_queries(
    admin_api: Client, django_assert_max_num_queries: Callable[[int], object]
) -> None:
    for n in range(30):
        Department.objects.create(slug=f"d{n}", name=f"Department {n}")
    with django_assert_max_num_queries(6):  # type: ignore[attr-defined]
        assert admin_api.get("/api/v1/accounts/departments?page_size=30").status_code == 200


def test_the_openapi_document_matches_the_checked_in_copy() -> None:
    served = Client().get("/api/v1/openapi.json").json()
    checked_in = json.loads(OPENAPI_FILE.read_text())
    assert served == checked_in, (
        "The API changed: review the change, then run `make openapi` to update docs/api/openapi.json."
    )


def test_interactive_docs_load_nothing_from_a_cdn() -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page


def _example_path(route: str) -> str:
    """A concrete path for a route, each converter replaced by a value it accepts."""
    uuid = "01a1fdc6-9c59-7eb9-a7f4-becf229f2d38"
    samples = {"uuid": uuid, "uuidstr": uuid, "int": "7", "path": "a/b.csv"}
    return re.sub(
        r"<(?:(\w+):)?\w+>", lambda match: samples.get(match.group(1) or "str", "some-thing"), route
    )


def test_grouping_the_api_routes_resolves_every_path_as_the_flat_list_did() -> None:
    """The API's routes are grouped by first segment so a call does not try ~250 patterns; every path
    must still reach the same view with the same arguments, and every name still reverses."""
    from django.urls import URLResolver, reverse
    from django.urls.resolvers import RegexPattern

    from cityhall.core.api import urls_grouped
    from config.api import api

    flat, app_name, namespace = api.urls
    grouped, *_ = urls_grouped((flat, app_name, namespace))
    assert len(grouped) < 30 < len(flat)
    flat_resolver = URLResolver(RegexPattern(r"^/"), flat)
    grouped_resolver = URLResolver(RegexPattern(r"^/"), grouped)
    for pattern in flat:
        path = "/" + _example_path(str(pattern.pattern))
        expected, got = flat_resolver.resolve(path), grouped_resolver.resolve(path)
        assert (got.func, got.args, got.kwargs, got.url_name) == (
            expected.func,
            expected.args,
            expected.kwargs,
            expected.url_name,
        ), path
    assert reverse(f"{namespace}:api-root") == "/api/v1/"
    names = [p.name for p in flat if p.name and "<" not in str(p.pattern)]
    assert all(reverse(f"{namespace}:{name}").startswith("/api/v1/") for name in names)
