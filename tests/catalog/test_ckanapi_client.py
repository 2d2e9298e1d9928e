"""The real ckanapi client from PyPI against the live server: reads, writes, errors, harvest paging."""

from __future__ import annotations

import io
from typing import Any

import ckanapi
import pytest

from cityhall.accounts.services import api_token_create
from cityhall.catalog.models import Dataset, DatasetState

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(publisher: Any) -> str:
    _token, secret = api_token_create(actor=None, user=publisher, name="ckanapi")
    return secret


@pytest.fixture
def ckan(live_server: Any, token: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(live_server.url, apikey=token)


@pytest.fixture
def anonymous(live_server: Any) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(live_server.url)


def test_status_and_licence_list(anonymous: Any) -> None:
    status = anonymous.action.status_show()
    assert status["ckan_version"].startswith("2.") and "cityhall" in status["extensions"]
    ids = {license["id"] for license in anonymous.action.license_list()}
    assert {"CC-BY-4.0", "CC0-1.0", "ODbL-1.0"} <= ids


def test_reads_of_a_published_dataset(anonymous: Any, make_dataset: Any, publisher_department: Any) -> None:
    dataset = make_dataset(csv=True, keywords=["air quality", "pm10"], themes=["ENVI", "HEAL"])
    make_dataset(state=DatasetState.DRAFT)

    assert anonymous.action.package_list() == [dataset.name]
    package = anonymous.action.package_show(id=dataset.name)
    assert package["id"] == str(dataset.pk) and package["organization"]["name"] == "environment"
    assert {t["name"] for t in package["tags"]} == {"air quality", "pm10"}
    assert {g["name"] for g in package["groups"]} == {"envi", "heal"}
    resource = package["resources"][0]
    assert (
        resource["url"].startswith("http")
        and resource["url_type"] == "upload"
        and resource["format"] == "CSV"
    )
    assert anonymous.action.resource_show(id=resource["id"])["hash"] == resource["hash"]
    assert anonymous.action.organization_show(id="environment")["package_count"] == 1
    assert "environment" in anonymous.action.organization_list()
    assert (
        anonymous.action.group_show(id="envi", include_datasets=True)["packages"][0]["name"] == dataset.name
    )
    assert "envi" in anonymous.action.group_list()
    assert anonymous.action.tag_list() == ["air quality", "pm10"]
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.package_show(id="no-such-dataset")


def test_package_search_with_query_filters_facets_and_get_only(live_server: Any, make_dataset: Any) -> None:
    from tests.factories import DepartmentFactory

    parks = DepartmentFactory(slug="parks", name="Parks")
    make_dataset(title="Air quality hourly", keywords=["air"], csv=True)
    make_dataset(title="Street trees", keywords=["trees"], department=parks, themes=["ENVI"])
    make_dataset(title="Tree planting budget", keywords=["trees", "budget"], themes=["ECON"])
    client = ckanapi.RemoteCKAN(live_server.url, get_only=True)

    result = (
        client.action.package_search(q="tree*", facet_field=None)
        if False
        else client.action.package_search(q="tree", **{"facet.field": ["organization", "tags", "res_format"]})
    )
    assert result["count"] == 2
    assert result["facets"]["organization"] == {"environment": 1, "parks": 1}
    assert result["facets"]["tags"]["trees"] == 2
    names = {item["name"] for item in result["search_facets"]["organization"]["items"]}
    assert names == {"environment", "parks"}

    assert client.action.package_search(fq="organization:parks")["count"] == 1
    assert client.action.package_search(fq="-organization:parks")["count"] == 2
    assert client.action.package_search(fq="tags:trees +groups:econ")["count"] == 1
    assert client.action.package_search(fq="organization:parks OR res_format:CSV")["count"] == 2
    assert client.action.package_search(fq='tags:("air" OR "budget")')["count"] == 2
    assert (
        client.action.package_search(fq="metadata_modified:[2000-01-01T00:00:00.000000Z TO *]")["count"] == 3
    )
    assert client.action.package_search(fq="metadata_modified:[* TO NOW-1DAY]")["count"] == 0
    assert (
        client.action.package_search(rows=1, start=2, sort="title_string asc")["results"][0]["title"]
        == "Tree planting budget"
    )


def test_bad_fq_is_a_search_query_error(anonymous: Any) -> None:
    with pytest.raises(ckanapi.SearchQueryError) as error:
        anonymous.action.package_search(fq="favourite_colour:blue")
    assert "favourite_colour" in str(error.value)


def test_harvester_paging_returns_every_dataset_exactly_once(live_server: Any, make_dataset: Any) -> None:
    import requests

    created = {str(make_dataset().pk) for _ in range(23)}
    seen: list[str] = []
    start = 0
    while True:
        response = requests.get(
            f"{live_server.url}/api/3/action/package_search",
            params={
                "rows": 10,
                "start": start,
                "sort": "id asc",
                "fq": "metadata_modified:[2000-01-01T00:00:00.000Z TO *]",
            },
            timeout=10,
        )
        results = response.json()["result"]["results"]
        if not results:
            break
        seen += [package["id"] for package in results]
        start += 10
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created
    assert seen == sorted(seen)


def test_writes_create_update_patch_upload_and_delete(
    ckan: Any, publisher_department: Any, media_root: Any
) -> None:
    package = ckan.action.package_create(
        name="bike-counts",
        title="Bike counts",
        notes="Bicycles counted per day.",
        owner_org="environment",
        license_id="cc-by",
        tags=[{"name": "bicycles"}],
        groups=[{"name": "tran"}],
        extras=[{"key": "source", "value": "counters"}],
        resources=[{"url": "https://counters.example/bikes.json", "name": "Live counts"}],
    )
    assert package["state"] == "active" and package["license_id"] == "CC-BY-4.0"
    assert package["resources"][0]["format"] == "JSON"

    resource = ckan.action.resource_create(
        package_id="bike-counts", name="Daily counts", upload=io.BytesIO(b"day,count\n2025-01-01,310\n")
    )
    assert resource["size"] == len(b"day,count\n2025-01-01,310\n") and resource["url_type"] == "upload"

    patched = ckan.action.package_patch(id="bike-counts", title="Bicycle counts")
    assert patched["title"] == "Bicycle counts" and len(patched["resources"]) == 2

    resource = ckan.action.resource_update(id=resource["id"], name="Counts per day")
    assert resource["name"] == "Counts per day"

    full = ckan.action.package_show(id="bike-counts")
    full["resources"] = [r for r in full["resources"] if r["name"] == "Counts per day"]
    updated = ckan.action.package_update(**full)
    assert [r["name"] for r in updated["resources"]] == ["Counts per day"]

    ckan.action.resource_delete(id=resource["id"])
    ckan.action.package_delete(id="bike-counts")
    assert Dataset.objects.get(name="bike-counts").state == DatasetState.DELETED
    assert Dataset.objects.get(name="bike-counts").versions.count() >= 5


def test_an_unknown_licence_is_a_validation_error_naming_it(ckan: Any, publisher_department: Any) -> None:
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_create(name="x-data", owner_org="environment", license_id="made-up-licence")
    assert "made-up-licence" in error.value.error_dict["license_id"][0]
    assert not Dataset.objects.filter(name="x-data").exists()


def test_a_file_over_the_limit_is_refused_and_nothing_is_written(
    ckan: Any, make_dataset: Any, settings: Any
) -> None:
    dataset = make_dataset()
    settings.CATALOG_UPLOAD_MAX_BYTES = 5
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.resource_create(package_id=dataset.name, name="big", upload=io.BytesIO(b"0123456789"))
    assert "limit" in error.value.error_dict["upload"][0]
    assert dataset.distributions.count() == 0


def test_writes_without_a_token_are_refused(anonymous: Any, publisher_department: Any) -> None:
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_create(name="sneaky", owner_org="environment")
    assert not Dataset.objects.filter(name="sneaky").exists()


def test_a_publisher_of_another_department_cannot_change_a_dataset(
    live_server: Any, make_dataset: Any, make_user: Any
) -> None:
    from cityhall.accounts.contracts import Role
    from tests.factories import DepartmentFactory

    dataset = make_dataset()
    outsider = make_user(Role.DATA_PUBLISHER, department=DepartmentFactory())
    _token, secret = api_token_create(actor=None, user=outsider, name="x")
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(live_server.url, apikey=secret).action.package_patch(
            id=dataset.name, title="Mine now"
        )
