"""CKAN's exact envelopes, error types and status codes over plain HTTP (Django's test client)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.services import api_token_create
from cityhall.catalog.models import Dataset

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def test_both_routes_answer_with_the_envelope_and_no_redirect(make_dataset: Any) -> None:
    dataset = make_dataset()
    for path in ("/api/3/action/package_show", "/api/action/package_show"):
        response = Client().get(path, {"id": dataset.name})
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and body["result"]["name"] == dataset.name
        assert body["help"].endswith("/api/3/action/help_show?name=package_show")
    assert Client().get("/api/3").json() == {"version": 3}


def test_an_unknown_action_is_a_bare_400_string() -> None:
    response = Client().get("/api/3/action/frobnicate")
    assert response.status_code == 400
    assert response.json() == "Bad request: Action name not known: frobnicate"


def test_a_write_action_over_get_is_refused() -> None:
    response = Client().get("/api/3/action/package_create", {"name": "x"})
    assert response.status_code == 400
    assert (
        response.json() == "Bad request: JSON Error: Invalid request. Please use POST method for your request"
    )


def test_a_body_that_is_not_a_json_object_is_refused() -> None:
    response = Client().post("/api/3/action/package_search", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400 and response.json().startswith("Bad request: JSON Error:")


def test_error_types_and_status_codes(make_dataset: Any, publisher: Any) -> None:
    _token, secret = api_token_create(actor=None, user=publisher, name="t")
    missing = Client().get("/api/3/action/package_show", {"id": "nothing-here"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {"__type": "Not Found Error", "message": "Not found: Dataset not found"}

    bad_query = Client().get("/api/3/action/package_search", {"fq": "colour:blue"})
    assert bad_query.status_code == 400 and bad_query.json()["error"]["__type"] == "Search Query Error"
    assert bad_query.json()["error"]["message"].startswith("Search Query is invalid")

    anonymous = _post(Client(), "/api/3/action/package_create", {"name": "abc"})
    assert anonymous.status_code == 403 and anonymous.json()["error"]["__type"] == "Authorization Error"
    assert anonymous.json()["error"]["message"].startswith("Access denied")

    invalid = _post(
        Client(),
        "/api/action/package_create",
        {"name": "A B", "owner_org": "environment"},
        Authorization=secret,
    )
    assert invalid.status_code == 409
    error = invalid.json()["error"]
    assert (
        error["__type"] == "Validation Error" and isinstance(error["name"], list) and "message" not in error
    )

    bad_token = _post(
        Client(), "/api/action/package_create", {"name": "abc"}, Authorization="chk_not_a_real_token"
    )
    assert bad_token.status_code == 403


def test_tokens_are_accepted_in_each_header_form(publisher: Any, publisher_department: Any) -> None:
    _token, secret = api_token_create(actor=None, user=publisher, name="t")
    for index, headers in enumerate(
        [{"Authorization": secret}, {"X-CKAN-API-Key": secret}, {"Authorization": f"Bearer {secret}"}]
    ):
        response = _post(
            Client(),
            "/api/3/action/package_create",
            {"name": f"set-{index}", "owner_org": "environment", "license_id": "CC0-1.0"},
            **headers,
        )
        assert response.status_code == 200, response.content
    assert Dataset.objects.count() == 3


def test_rows_are_capped_and_values_from_get_are_coerced(make_dataset: Any) -> None:
    make_dataset()
    response = Client().get(
        "/api/3/action/package_search",
        {
            "rows": "5000",
            "facet.field": '["tags","license_id"]',
            "facet.limit": "-1",
            "include_private": "true",
        },
    )
    body = response.json()["result"]
    assert body["count"] == 1 and body["facets"]["license_id"] == {"CC-BY-4.0": 1}
    assert body["search_facets"]["license_id"]["items"][0]["display_name"].startswith("Creative Commons")
    not_a_number = Client().get("/api/3/action/package_search", {"rows": "many"})
    assert not_a_number.status_code == 409 and not_a_number.json()["error"]["rows"] == ["Invalid integer"]


def test_include_private_shows_the_callers_department_only(make_dataset: Any, publisher: Any) -> None:
    make_dataset(private=True)
    _token, secret = api_token_create(actor=None, user=publisher, name="t")
    assert (
        Client().get("/api/3/action/package_search", {"include_private": "true"}).json()["result"]["count"]
        == 0
    )
    own = Client(headers={"Authorization": secret}).get(
        "/api/3/action/package_search", {"include_private": "true"}
    )
    assert own.json()["result"]["count"] == 1
    without = Client(headers={"Authorization": secret}).get("/api/3/action/package_search")
    assert without.json()["result"]["count"] == 0


def test_search_results_take_a_bounded_number_of_queries(
    make_dataset: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(12):
        make_dataset(csv=True)
    with django_assert_max_num_queries(12):
        body = Client().get("/api/3/action/package_search", {"rows": "100", "facet.field": '["tags"]'}).json()
    assert len(body["result"]["results"]) == 12


def test_metadata_modified_has_one_naive_utc_format(make_dataset: Any) -> None:
    import re

    make_dataset()
    package = Client().get("/api/3/action/package_search").json()["result"]["results"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", package["metadata_modified"])


def test_datastore_actions_are_routed_to_the_datastore(monkeypatch: Any) -> None:
    from cityhall.catalog.contracts import CkanActionError
    from cityhall.datastore import facade as datastore

    calls: list[Any] = []

    def run(name: str, data: dict[str, Any], user: Any) -> dict[str, Any]:
        calls.append((name, data, user))
        if data.get("resource_id") == "missing":
            raise CkanActionError("Not Found Error", "Not found: Resource was not found.", status=404)
        return {"records": [], "total": 0}

    monkeypatch.setattr(datastore, "DATASTORE_ACTIONS", frozenset({"datastore_search", "datastore_create"}))
    monkeypatch.setattr(datastore, "ckan_datastore_action", run)
    found = Client().get("/api/3/action/datastore_search", {"resource_id": "abc", "limit": "5"})
    assert found.status_code == 200 and found.json()["result"] == {"records": [], "total": 0}
    assert calls == [("datastore_search", {"resource_id": "abc", "limit": "5"}, None)]
    missing = _post(Client(), "/api/action/datastore_search", {"resource_id": "missing"})
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"
    assert Client().get("/api/3/action/datastore_create").status_code == 400


def test_cors_preflight_allows_the_token_headers() -> None:
    response = Client().options("/api/3/action/package_create")
    assert response.status_code == 204
    assert "X-CKAN-API-Key" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Origin"] == "*"
