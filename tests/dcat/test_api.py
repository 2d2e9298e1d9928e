"""/api/v1/catalog/harvest/: sources, run reports, run now, dataset quality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.catalog import services as catalog_services
from cityhall.dcat import services
from cityhall.dcat.contracts import HarvestType
from cityhall.dcat.models import HarvestRun, HarvestSource
from tests.dcat.sources import dcat_catalog, dcat_dataset
from tests.dcat.support import FakeSite, Reply
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog/harvest"


def _source(
    department: Department, url: str = "https://county.example/catalog.ttl", slug: str = "county"
) -> HarvestSource:
    return services.harvest_source_create(
        actor=None, name=slug, url=url, source_type=HarvestType.DCAT, department_id=department.pk, slug=slug
    )


def test_a_publisher_lists_their_sources_and_run_reports(
    publisher: User, api_client: Callable[[User], Client], open_data: Department, site: FakeSite
) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("a")))
    mine = _source(open_data, url=site.url + "/catalog.ttl")
    _source(DepartmentFactory(), slug="other")
    services.harvest_run(source_id=mine.pk)
    client = api_client(publisher)

    sources = client.get(f"{API}/sources").json()
    runs = client.get(f"{API}/sources/{mine.pk}/runs").json()

    assert [s["slug"] for s in sources["items"]] == ["county"]
    assert (
        runs["count"] == 1 and runs["items"][0]["created"] == 1 and runs["items"][0]["status"] == "succeeded"
    )


def test_run_now_is_queued(
    publisher: User,
    api_client: Callable[[User], Client],
    open_data: Department,
    site: FakeSite,
    run_tasks: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("a")))
    source = _source(open_data, url=site.url + "/catalog.ttl")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(publisher).post(f"{API}/sources/{source.pk}/run")
    run_tasks()

    assert response.status_code == 202 and response.json()["queued"] is True
    assert HarvestRun.objects.get().created == 1


def test_other_users_are_refused(
    make_user: Callable[..., User], api_client: Callable[[User], Client], open_data: Department
) -> None:
    source = _source(open_data)
    resident = api_client(make_user(Role.RESIDENT))
    other_publisher = api_client(make_user(Role.DATA_PUBLISHER, department=DepartmentFactory()))

    assert resident.get(f"{API}/sources").status_code == 403
    assert other_publisher.get(f"{API}/sources/{source.pk}/runs").status_code == 404
    assert other_publisher.post(f"{API}/sources/{source.pk}/run").status_code == 404
    assert Client().get(f"{API}/sources").status_code == 401


def test_the_quality_of_a_dataset(
    publisher: User, api_client: Callable[[User], Client], open_data: Department, media_root: Any
) -> None:
    dataset = catalog_services.dataset_create(
        actor=None,
        metadata={
            "name": "trees",
            "title": "Trees",
            "description": "Street trees.",
            "department_id": str(open_data.pk),
            "themes": ["ENVI"],
            "keywords": ["trees"],
            "license_id": "CC-BY-4.0",
        },
        state="draft",
    )

    body = api_client(publisher).get(f"{API}/datasets/{dataset.pk}/quality").json()

    assert body["conforms"] is True and 0 < body["score"] < 100
    assert {
        "severity": "warning",
        "path": "dcat:distribution",
        "message": "No distribution: add at least one file or link to the data.",
    } in body["messages"]
