"""/api/v1/catalog/: search with pagination and facets, reads, writes by data publishers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityhall.accounts.contracts import Role
from tests.catalog.conftest import CSV
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_search_is_paginated_and_filtered(make_dataset: Any) -> None:
    make_dataset(title="Noise levels", keywords=["noise"])
    make_dataset(title="Noise complaints", keywords=["noise", "complaints"])
    make_dataset(title="Budget", keywords=["budget"])

    body = Client().get("/api/v1/catalog/datasets", {"q": "noise", "page_size": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1 and body["next"]
    filtered = Client().get("/api/v1/catalog/datasets", {"fq": "tags:complaints"}).json()
    assert [item["title"] for item in filtered["items"]] == ["Noise complaints"]
    facets = Client().get("/api/v1/catalog/datasets/facets", {"q": "noise"}).json()
    assert {"value": "noise", "count": 2} in facets["facets"]["tags"]
    bad = Client().get("/api/v1/catalog/datasets", {"fq": "colour:red"})
    assert bad.status_code == 400 and "colour" in bad.json()["error"]["message"]


def test_one_dataset_and_its_history(make_dataset: Any) -> None:
    dataset = make_dataset(csv=True)
    body = Client().get(f"/api/v1/catalog/datasets/{dataset.name}").json()
    assert body["id"] == str(dataset.pk) and body["distributions"][0]["byte_size"] == len(CSV)
    history = Client().get(f"/api/v1/catalog/datasets/{dataset.pk}/history").json()
    assert history[0]["changes"][0]["field"] == "distribution"
    assert Client().get("/api/v1/catalog/datasets/nothing").status_code == 404


def test_drafts_are_not_public(make_dataset: Any) -> None:
    dataset = make_dataset(state="draft")
    assert Client().get(f"/api/v1/catalog/datasets/{dataset.name}").status_code == 404


def test_a_publisher_creates_uploads_and_publishes(
    api_client: Any, publisher: Any, publisher_department: Any, media_root: Any
) -> None:
    client = api_client(publisher)
    created = client.post(
        "/api/v1/catalog/datasets",
        {
            "name": "noise",
            "title": "Noise",
            "description": "Night noise.",
            "publisher": "environment",
            "themes": ["ENVI"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "draft"
    upload = client.post(
        "/api/v1/catalog/datasets/noise/distributions",
        {"name": "Readings", "file": SimpleUploadedFile("noise.csv", CSV, content_type="text/csv")},
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["format"] == "CSV"
    published = client.post(
        "/api/v1/catalog/datasets/noise/state", {"state": "published"}, content_type="application/json"
    )
    assert published.json()["state"] == "published"
    patched = client.patch(
        "/api/v1/catalog/datasets/noise", {"keywords": ["night"]}, content_type="application/json"
    )
    assert patched.json()["keywords"] == ["night"]


def test_an_unknown_licence_is_a_422_naming_the_field(
    api_client: Any, publisher: Any, publisher_department: Any
) -> None:
    response = api_client(publisher).post(
        "/api/v1/catalog/datasets",
        {"name": "x-data", "title": "X", "publisher": "environment", "license_id": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["location"] == "body.payload.license_id"


def test_others_cannot_write(api_client: Any, make_user: Any, make_dataset: Any) -> None:
    dataset = make_dataset()
    outsider = make_user(Role.DATA_PUBLISHER, department=DepartmentFactory())
    response = api_client(outsider).patch(
        f"/api/v1/catalog/datasets/{dataset.name}", {"title": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Client().post("/api/v1/catalog/datasets", {}, content_type="application/json").status_code == 401
