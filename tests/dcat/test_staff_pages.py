"""The staff harvest pages: who may see and run what, adding a source, run now, reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.dcat import services
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.models import HarvestRun, HarvestSource
from tests.dcat.sources import dcat_catalog, dcat_dataset
from tests.dcat.support import FakeSite, Reply
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _source(
    department: Department, url: str = "https://county.example/catalog.ttl", slug: str = "county"
) -> HarvestSource:
    return services.harvest_source_create(
        actor=None,
        name=slug.title(),
        url=url,
        source_type=HarvestType.DCAT,
        department_id=department.pk,
        slug=slug,
    )


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/staff/harvest/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.DEPARTMENT_STAFF, Role.MODERATOR])
def test_other_roles_are_refused(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], role: Role
) -> None:
    client = signed_in_client(make_user(role, department=DepartmentFactory()))

    assert client.get("/staff/harvest/").status_code == 403


def test_a_publisher_sees_only_their_departments_sources(
    publisher: User, signed_in_client: Callable[[User], Client], open_data: Department
) -> None:
    mine = _source(open_data, slug="mine")
    theirs = _source(DepartmentFactory(), slug="theirs")
    client = signed_in_client(publisher)

    page = client.get("/staff/harvest/").content.decode()

    assert "Mine" in page and "Theirs" not in page
    assert client.get(f"/staff/harvest/{mine.pk}/").status_code == 200
    assert client.get(f"/staff/harvest/{theirs.pk}/").status_code == 404
    assert client.post(f"/staff/harvest/{theirs.pk}/run/").status_code == 404


def test_an_administrator_sees_every_source(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    _source(DepartmentFactory(), slug="anywhere")

    page = signed_in_client(make_user(Role.ADMINISTRATOR)).get("/staff/harvest/").content.decode()

    assert "Anywhere" in page


def test_a_publisher_adds_a_source(
    publisher: User, signed_in_client: Callable[[User], Client], open_data: Department
) -> None:
    response = signed_in_client(publisher).post(
        "/staff/harvest/",
        {
            "name": "County data",
            "url": "https://county.example/catalog.ttl",
            "source_type": "dcat",
            "department": str(open_data.pk),
            "interval_hours": "12",
        },
    )

    source = HarvestSource.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/harvest/{source.pk}/"
    assert (source.slug, source.interval_hours, source.department_id) == ("county-data", 12, open_data.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "ftp://county.example/x", "must start with http:// or https://"),
        ("source_type", "oai", "Select a valid choice"),
        ("interval_hours", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_source_input_is_shown_on_the_form(
    publisher: User,
    signed_in_client: Callable[[User], Client],
    open_data: Department,
    field: str,
    value: str,
    message: str,
) -> None:
    data = {
        "name": "County",
        "url": "https://county.example/",
        "source_type": "ckan",
        "department": str(open_data.pk),
        "interval_hours": "24",
        field: value,
    }

    response = signed_in_client(publisher).post("/staff/harvest/", data)

    assert response.status_code == 400 and message in response.content.decode()
    assert not HarvestSource.objects.exists()


def test_a_publisher_cannot_add_a_source_for_another_department(
    publisher: User, signed_in_client: Callable[[User], Client]
) -> None:
    other = DepartmentFactory()
    response = signed_in_client(publisher).post(
        "/staff/harvest/",
        {
            "name": "X",
            "url": "https://x.example/",
            "source_type": "ckan",
            "department": str(other.pk),
            "interval_hours": "1",
        },
    )

    assert response.status_code == 400 and not HarvestSource.objects.exists()


def test_run_now_harvests_and_the_report_is_shown(
    publisher: User,
    signed_in_client: Callable[[User], Client],
    open_data: Department,
    site: FakeSite,
    run_tasks: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels")))
    source = _source(open_data, url=site.url + "/catalog.ttl")
    client = signed_in_client(publisher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/harvest/{source.pk}/run/")
    run_tasks()

    assert response.status_code == 302
    run = HarvestRun.objects.get()
    assert (run.status, run.created, run.started_by_id) == (HarvestStatus.SUCCEEDED, 1, publisher.pk)
    page = client.get(f"/staff/harvest/runs/{run.pk}/").content.decode()
    assert "<strong>Succeeded</strong>" in page and "Done: 1 created" in page
    assert client.get(f"/staff/harvest/{source.pk}/").status_code == 200


def test_a_failed_run_report_names_the_problem(
    publisher: User, signed_in_client: Callable[[User], Client], open_data: Department, site: FakeSite
) -> None:
    site.routes["/catalog.ttl"] = Reply(b"this is { not turtle")
    run = services.harvest_run(source_id=_source(open_data, url=site.url + "/catalog.ttl").pk)

    page = signed_in_client(publisher).get(f"/staff/harvest/runs/{run.pk}/").content.decode()

    assert "The harvest failed" in page and "not valid Turtle RDF" in page


def test_a_publisher_changes_and_deactivates_a_source(
    publisher: User, signed_in_client: Callable[[User], Client], open_data: Department
) -> None:
    source = _source(open_data)

    response = signed_in_client(publisher).post(
        f"/staff/harvest/{source.pk}/",
        {"name": "County (new)", "url": "https://county.example/v2/catalog.ttl", "interval_hours": "0"},
    )

    source.refresh_from_db()
    assert response.status_code == 302
    assert (source.name, source.url, source.interval_hours, source.is_active) == (
        "County (new)",
        "https://county.example/v2/catalog.ttl",
        0,
        False,
    )


def test_a_bad_change_is_shown_and_nothing_is_saved(
    publisher: User, signed_in_client: Callable[[User], Client], open_data: Department
) -> None:
    source = _source(open_data)

    response = signed_in_client(publisher).post(
        f"/staff/harvest/{source.pk}/",
        {"name": "County", "url": "ftp://x.example/", "interval_hours": "1", "is_active": "on"},
    )

    source.refresh_from_db()
    assert response.status_code == 400 and "must start with http:// or https://" in response.content.decode()
    assert source.url == "https://county.example/catalog.ttl"
