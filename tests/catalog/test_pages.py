"""Pages: search with facets, the dataset page (preview, downloads, history, content negotiation),
publishers, and the staff pages of data publishers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from cityhall.catalog.models import Dataset, DatasetState, Distribution
from tests.catalog.conftest import CSV

pytestmark = pytest.mark.django_db


def test_search_page_lists_results_with_facets_and_filters(make_dataset: Any) -> None:
    make_dataset(title="Air quality hourly", keywords=["air"], csv=True)
    make_dataset(title="Tree inventory", keywords=["trees"])

    page = Client().get("/dataset/", {"q": "air"}).content.decode()
    assert "Air quality hourly" in page and "Tree inventory" not in page
    assert "1 dataset found" in page and "?q=air&amp;res_format=CSV" in page
    filtered = Client().get("/dataset/", {"tags": "trees"}).content.decode()
    assert "Tree inventory" in filtered and "Air quality hourly" not in filtered and "remove" in filtered


def test_a_bad_search_says_what_was_wrong() -> None:
    page = Client().get("/dataset/", {"q": "colour:blue"})
    assert page.status_code == 200 and "colour" in page.content.decode()


def test_dataset_page_shows_metadata_preview_download_and_history(make_dataset: Any) -> None:
    dataset = make_dataset(csv=True, title_translations={"es": "Lecturas"})
    page = Client().get(f"/dataset/{dataset.name}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "First rows of Readings" in html and "<td>North</td>" in html
    assert "History" in html and "Version 2" in html
    distribution = dataset.distributions.get()
    download = Client().get(
        f"/dataset/{dataset.pk}/resource/{distribution.pk}/download/{distribution.file_name}"
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == CSV
    assert Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/dataset/{dataset.name}").status_code == 200


def test_preview_comes_from_the_datastore_when_the_file_is_loaded(
    make_dataset: Any, monkeypatch: Any
) -> None:
    from cityhall.datastore import facade as datastore

    dataset = make_dataset(csv=True)
    monkeypatch.setattr(datastore, "datastore_active_ids", lambda ids: set(ids), raising=False)
    monkeypatch.setattr(
        datastore,
        "datastore_preview",
        lambda resource_id, rows=10: (["from"], [["datastore"]]),
        raising=False,
    )
    html = Client().get(f"/dataset/{dataset.name}").content.decode()
    assert "<td>datastore</td>" in html


def test_content_negotiation_hands_rdf_to_dcat(make_dataset: Any, monkeypatch: Any) -> None:
    from cityhall.dcat import facade as dcat

    dataset = make_dataset()
    calls: list[Any] = []

    def respond(request: Any, dataset_id: Any, fmt: str) -> HttpResponse:
        calls.append((dataset_id, fmt))
        return HttpResponse("@prefix dcat: <http://www.w3.org/ns/dcat#> .", content_type="text/turtle")

    monkeypatch.setattr(dcat, "dataset_rdf_response", respond, raising=False)
    turtle = Client().get(f"/dataset/{dataset.name}", HTTP_ACCEPT="text/turtle")
    assert turtle["Content-Type"] == "text/turtle" and calls == [(dataset.pk, "ttl")]
    Client().get(f"/dataset/{dataset.name}", HTTP_ACCEPT="application/ld+json;q=0.9, text/html;q=0.5")
    assert calls[-1] == (dataset.pk, "jsonld")
    html = Client().get(f"/dataset/{dataset.name}", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert html["Content-Type"].startswith("text/html") and len(calls) == 2


def test_drafts_and_private_datasets_are_hidden_from_the_public(make_dataset: Any) -> None:
    draft = make_dataset(state=DatasetState.DRAFT)
    private = make_dataset(private=True, csv=True)
    assert Client().get(f"/dataset/{draft.name}").status_code == 404
    assert Client().get(f"/dataset/{private.name}").status_code == 404
    distribution = private.distributions.get()
    assert Client().get(f"/dataset/{private.pk}/resource/{distribution.pk}/download/x.csv").status_code == 404


def test_publisher_pages(make_dataset: Any) -> None:
    dataset = make_dataset()
    assert "Environment and Climate" in Client().get("/organization/").content.decode()
    assert dataset.title in Client().get("/organization/environment").content.decode()
    assert Client().get("/organization/nowhere").status_code == 404


def test_staff_pages_turn_away_people_without_the_permission(make_user: Any, signed_in_client: Any) -> None:
    assert Client().get("/staff/catalog/").status_code == 302
    assert signed_in_client(make_user()).get("/staff/catalog/").status_code == 403


def test_a_publisher_creates_uploads_and_publishes_through_the_pages(
    publisher: Any, signed_in_client: Any, media_root: Any
) -> None:
    client = signed_in_client(publisher)
    department = str(publisher.role_assignments.get().department_id)
    created = client.post(
        "/staff/catalog/new/",
        {
            "title": "Noise at night",
            "description": "Night noise.",
            "department": department,
            "themes": ["ENVI"],
            "license_id": "CC-BY-4.0",
            "access_rights": "PUBLIC",
            "keywords": "noise, night",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    dataset = Dataset.objects.get(name="noise-at-night")
    assert dataset.keywords == ["noise", "night"]
    upload = client.post(
        f"/staff/catalog/{dataset.pk}/distributions/new/",
        {"name": "Readings", "file": SimpleUploadedFile("noise.csv", CSV, content_type="text/csv")},
    )
    assert upload.status_code == 302
    client.post(f"/staff/catalog/{dataset.pk}/state/", {"state": "published"})
    dataset.refresh_from_db()
    assert dataset.state == DatasetState.PUBLISHED
    staff_page = client.get(f"/staff/catalog/{dataset.pk}/").content.decode()
    assert "Readings" in staff_page and "Metadata quality" in staff_page


def test_a_too_large_upload_through_the_page_shows_the_limit(
    make_dataset: Any, publisher: Any, signed_in_client: Any, settings: Any
) -> None:
    dataset = make_dataset()
    settings.CATALOG_UPLOAD_MAX_BYTES = 10
    response = signed_in_client(publisher).post(
        f"/staff/catalog/{dataset.pk}/distributions/new/",
        {"file": SimpleUploadedFile("big.csv", CSV, content_type="text/csv")},
    )
    assert response.status_code == 200 and "limit of 10 bytes" in response.content.decode()
    assert not Distribution.objects.filter(dataset=dataset).exists()


def test_staff_page_shows_the_datastore_status_and_quality_score(
    make_dataset: Any, publisher: Any, signed_in_client: Any, monkeypatch: Any
) -> None:
    from dataclasses import dataclass

    from cityhall.datastore import facade as datastore
    from cityhall.dcat import facade as dcat

    @dataclass(frozen=True)
    class Problem:
        row: int
        column: str
        message: str

    @dataclass(frozen=True)
    class Status:
        state: str
        errors: tuple[Problem, ...]

    @dataclass(frozen=True)
    class Report:
        score: int
        messages: tuple[str, ...]

    dataset = make_dataset(csv=True)
    monkeypatch.setattr(
        datastore,
        "datastore_status",
        lambda resource_id: Status("failed", (Problem(3, "count", "not a number"),)),
        raising=False,
    )
    monkeypatch.setattr(
        dcat, "dataset_quality", lambda dataset_id: Report(72, ("Add a contact point.",)), raising=False
    )
    html = signed_in_client(publisher).get(f"/staff/catalog/{dataset.pk}/").content.decode()
    assert "row 3, column count: not a number" in html and "72/100" in html and "Add a contact point." in html
