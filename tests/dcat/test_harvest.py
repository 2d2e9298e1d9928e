"""Harvesting DCAT-AP catalogues and CKAN sites served by a local HTTP server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cityhall.accounts.models import Department
from cityhall.catalog import facade as catalog
from cityhall.catalog.models import Dataset
from cityhall.dcat import ckan, services
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.models import HarvestRun, HarvestSource
from tests.dcat.sources import EU, as_rdf_xml, ckan_package, ckan_search, dcat_catalog, dcat_dataset
from tests.dcat.support import FakeSite, Reply

pytestmark = pytest.mark.django_db


def _source(
    site: FakeSite, department: Department, *, kind: str = HarvestType.DCAT, path: str = "/catalog.ttl"
) -> HarvestSource:
    return services.harvest_source_create(
        actor=None,
        name="County",
        url=site.url + path,
        source_type=kind,
        department_id=department.pk,
        slug="county",
    )


def _titles(source: str = "county") -> dict[str, str]:
    return {
        d.identifier: d.title for d in Dataset.objects.filter(harvest_source=source).exclude(state="deleted")
    }


def test_a_dcat_turtle_catalogue_is_harvested_into_published_datasets(
    site: FakeSite, open_data: Department
) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels"), dcat_dataset("bus-stops")))
    source = _source(site, open_data)

    run = services.harvest_run(source_id=source.pk)

    assert (run.status, run.created, run.failed) == (HarvestStatus.SUCCEEDED, 2, 0)
    record = catalog.dataset_record(
        Dataset.objects.get(identifier="https://county.example/dataset/river-levels").pk
    )
    assert record is not None
    assert record.state == "published" and record.harvest_source == "county"
    assert record.title["en"] == "River Levels"
    assert record.themes == ("ENVI",) and record.frequency == "DAILY"
    assert record.license_id == "CC-BY-4.0"
    assert record.publisher_id == open_data.pk
    assert [d.access_url for d in record.distributions] == ["https://county.example/files/river-levels.csv"]


def test_re_harvesting_the_same_catalogue_changes_nothing(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels"), dcat_dataset("bus-stops")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    before = {d.pk: (d.version_number, d.metadata_modified) for d in Dataset.objects.all()}

    run = services.harvest_run(source_id=source.pk)

    assert (run.created, run.updated, run.unchanged, run.removed) == (0, 0, 2, 0)
    assert {d.pk: (d.version_number, d.metadata_modified) for d in Dataset.objects.all()} == before


def test_changes_at_the_source_update_and_removals_are_marked(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels"), dcat_dataset("bus-stops")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    site.routes["/catalog.ttl"] = Reply(
        dcat_catalog(dcat_dataset("river-levels", title="River levels (new)"))
    )

    run = services.harvest_run(source_id=source.pk)

    assert (run.created, run.updated, run.removed) == (0, 1, 1)
    assert _titles() == {"https://county.example/dataset/river-levels": "River levels (new)"}
    gone = Dataset.objects.get(identifier="https://county.example/dataset/bus-stops")
    assert gone.state == "deleted"


def test_rdf_xml_catalogues_are_harvested_too(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.rdf"] = Reply(
        as_rdf_xml(dcat_catalog(dcat_dataset("river-levels"))), "application/rdf+xml"
    )

    run = services.harvest_run(source_id=_source(site, open_data, path="/catalog.rdf").pk)

    assert (run.status, run.created) == (HarvestStatus.SUCCEEDED, 1)


def test_hydra_paging_is_followed(site: FakeSite, open_data: Department) -> None:
    second = site.url + "/catalog.ttl?page=2"
    site.routes["/catalog.ttl"] = lambda query: Reply(
        dcat_catalog(dcat_dataset("b"))
        if query.get("page") == ["2"]
        else dcat_catalog(dcat_dataset("a"), next_page=second, this_page=site.url + "/catalog.ttl")
    )

    run = services.harvest_run(source_id=_source(site, open_data).pk)

    assert run.created == 2
    assert set(_titles()) == {"https://county.example/dataset/a", "https://county.example/dataset/b"}


def test_a_ckan_site_is_paged_with_sort_by_id_rows_and_start(
    site: FakeSite, open_data: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ckan, "ROWS", 2)
    site.routes["/api/3/action/package_search"] = ckan_search([ckan_package(n) for n in range(5)])

    run = services.harvest_run(source_id=_source(site, open_data, kind=HarvestType.CKAN, path="/").pk)

    assert (run.status, run.created) == (HarvestStatus.SUCCEEDED, 5)
    searches = [r for r in site.requests if "package_search" in r]
    assert all("sort=id+asc" in r and "rows=2" in r for r in searches)
    assert [r.split("start=")[1].split("&")[0] for r in searches] == ["0", "2", "4"]
    dataset = Dataset.objects.get(name="county-dataset-3")
    assert dataset.license_id == "CC-BY-4.0" and dataset.themes == ["ENVI"] and dataset.frequency == "MONTHLY"
    assert dataset.identifier == f"{site.url}/dataset/00000000-0000-0000-0000-000000000003"


def test_a_ckan_re_harvest_is_idempotent_and_marks_removals(site: FakeSite, open_data: Department) -> None:
    packages = [ckan_package(n) for n in range(3)]
    site.routes["/api/3/action/package_search"] = ckan_search(packages)
    source = _source(site, open_data, kind=HarvestType.CKAN, path="/")
    services.harvest_run(source_id=source.pk)
    assert services.harvest_run(source_id=source.pk).unchanged == 3

    site.routes["/api/3/action/package_search"] = ckan_search(packages[:2])
    run = services.harvest_run(source_id=source.pk)

    assert (run.unchanged, run.removed) == (2, 1)
    assert Dataset.objects.get(name="county-dataset-2").state == "deleted"


# --- Bad input --------------------------------------------------------------------------------


def _harvest_good_then(
    site: FakeSite, open_data: Department, bad: Reply
) -> tuple[HarvestRun, dict[str, Any]]:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels"), dcat_dataset("bus-stops")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    before = {d.pk: (d.title, d.state, d.version_number) for d in Dataset.objects.all()}
    site.routes["/catalog.ttl"] = bad
    return services.harvest_run(source_id=source.pk), before


def _state() -> dict[Any, Any]:
    return {d.pk: (d.title, d.state, d.version_number) for d in Dataset.objects.all()}


def test_broken_turtle_fails_the_run_and_keeps_the_previous_data(
    site: FakeSite, open_data: Department
) -> None:
    run, before = _harvest_good_then(
        site, open_data, Reply(b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> dcat:x .")
    )

    assert run.status == HarvestStatus.FAILED
    assert "not valid Turtle RDF" in run.error and "/catalog.ttl" in run.error
    assert (run.created, run.updated, run.removed) == (0, 0, 0)
    assert _state() == before
    assert "Failed:" in run.log


def test_broken_rdf_xml_fails_the_run(site: FakeSite, open_data: Department) -> None:
    run, before = _harvest_good_then(site, open_data, Reply(b"<rdf:RDF><unclosed>", "application/rdf+xml"))

    assert run.status == HarvestStatus.FAILED and "not valid RDF/XML RDF" in run.error
    assert _state() == before


def test_an_unreachable_source_fails_the_run(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    before = _state()
    HarvestSource.objects.filter(pk=source.pk).update(
        url="http://127.0.0.1:9/catalog.ttl"
    )  # nothing listens on 9

    run = services.harvest_run(source_id=source.pk)

    assert run.status == HarvestStatus.FAILED
    assert "could not be reached" in run.error and "127.0.0.1:9" in run.error
    assert _state() == before


def test_an_http_error_from_the_source_fails_the_run(site: FakeSite, open_data: Department) -> None:
    run, before = _harvest_good_then(site, open_data, Reply(b"oops", "text/plain", 500))

    assert run.status == HarvestStatus.FAILED and "HTTP status 500" in run.error
    assert _state() == before


def test_an_empty_answer_after_a_full_one_removes_nothing(site: FakeSite, open_data: Department) -> None:
    run, before = _harvest_good_then(site, open_data, Reply(dcat_catalog()))

    assert run.status == HarvestStatus.FAILED and "listed no datasets" in run.error
    assert _state() == before


def test_a_ckan_error_answer_fails_the_run_with_its_message(site: FakeSite, open_data: Department) -> None:
    site.routes["/api/3/action/package_search"] = ckan_search([ckan_package(1)])
    source = _source(site, open_data, kind=HarvestType.CKAN, path="/")
    services.harvest_run(source_id=source.pk)
    before = _state()
    body = {"success": False, "error": {"__type": "Search Query Error", "message": "Invalid sort field"}}
    site.routes["/api/3/action/package_search"] = Reply(json.dumps(body).encode(), "application/json", 409)

    run = services.harvest_run(source_id=source.pk)

    assert run.status == HarvestStatus.FAILED
    assert "Search Query Error: Invalid sort field" in run.error
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html><body>Welcome</body></html>", "did not answer with JSON"),
        (b'{"hello": "world"}', "not a CKAN Action API answer"),
        (b'{"success": true, "result": {"count": 1}}', "without a list of results"),
    ],
)
def test_ckan_garbage_fails_the_run(
    site: FakeSite, open_data: Department, body: bytes, expected: str
) -> None:
    site.routes["/api/3/action/package_search"] = Reply(body, "application/json")

    run = services.harvest_run(source_id=_source(site, open_data, kind=HarvestType.CKAN, path="/").pk)

    assert run.status == HarvestStatus.FAILED and expected in run.error
    assert Dataset.objects.count() == 0


def test_an_unknown_licence_skips_that_dataset_only_and_keeps_its_previous_version(
    site: FakeSite, open_data: Department
) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels"), dcat_dataset("bus-stops")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    site.routes["/catalog.ttl"] = Reply(
        dcat_catalog(
            dcat_dataset("river-levels", title="Renamed", licence="https://example.org/my-own-licence"),
            dcat_dataset("bus-stops", title="Bus stops (new)"),
        )
    )

    run = services.harvest_run(source_id=source.pk)

    assert (run.status, run.failed, run.updated, run.removed) == (HarvestStatus.PARTIAL, 1, 1, 0)
    [problem] = run.item_errors
    assert problem["identifier"] == "https://county.example/dataset/river-levels"
    assert (
        "https://example.org/my-own-licence" in problem["message"] and "does not know" in problem["message"]
    )
    titles = _titles()
    assert titles["https://county.example/dataset/river-levels"] == "River Levels"  # untouched
    assert titles["https://county.example/dataset/bus-stops"] == "Bus stops (new)"


def test_an_unknown_ckan_licence_is_reported(site: FakeSite, open_data: Department) -> None:
    site.routes["/api/3/action/package_search"] = ckan_search(
        [ckan_package(1), ckan_package(2, license_id="my-city-licence")]
    )

    run = services.harvest_run(source_id=_source(site, open_data, kind=HarvestType.CKAN, path="/").pk)

    assert (run.status, run.created, run.failed) == (HarvestStatus.PARTIAL, 1, 1)
    assert "my-city-licence" in run.item_errors[0]["message"]


def test_every_run_keeps_its_report(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("a")))
    source = _source(site, open_data)
    services.harvest_run(source_id=source.pk)
    site.routes["/catalog.ttl"] = Reply(b"garbage {")
    services.harvest_run(source_id=source.pk)

    runs = list(HarvestRun.objects.filter(source=source).order_by("started_at"))

    assert [r.status for r in runs] == [HarvestStatus.SUCCEEDED, HarvestStatus.FAILED]
    assert all(r.finished_at and r.log for r in runs)
    source.refresh_from_db()
    assert source.last_success_at == runs[0].started_at


def test_a_second_run_while_one_is_running_is_refused(site: FakeSite, open_data: Department) -> None:
    source = _source(site, open_data)
    HarvestRun.objects.create(source=source, started_at=source.created_at, status=HarvestStatus.RUNNING)
    HarvestRun.objects.filter(source=source).update(started_at=source.created_at)

    with pytest.raises(services.ServiceError, match="already running"):
        services.harvest_run(source_id=source.pk)


def test_the_eu_licence_iri_of_the_source_is_understood(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("x", licence=f"{EU}licence/ODC_BL")))

    services.harvest_run(source_id=_source(site, open_data).pk)

    assert Dataset.objects.get().license_id == "ODbL-1.0"


def test_an_incremental_ckan_run_asks_only_for_changes_and_removes_nothing(
    site: FakeSite, open_data: Department
) -> None:
    packages = [ckan_package(n) for n in range(3)]
    site.routes["/api/3/action/package_search"] = ckan_search(packages)
    source = services.harvest_source_create(
        actor=None,
        name="County",
        url=site.url,
        source_type=HarvestType.CKAN,
        department_id=open_data.pk,
        slug="county",
        incremental=True,
    )
    first = services.harvest_run(source_id=source.pk)
    site.routes["/api/3/action/package_search"] = ckan_search(packages[:1])
    site.requests.clear()

    second = services.harvest_run(source_id=source.pk)

    assert (first.full, first.created) == (True, 3)
    assert (second.full, second.unchanged, second.removed) == (False, 1, 0)
    assert all("fq=metadata_modified" in r for r in site.requests)
    assert Dataset.objects.exclude(state="deleted").count() == 3


def test_a_dataset_the_catalog_refuses_is_reported_and_nothing_of_it_is_half_written(
    site: FakeSite, open_data: Department
) -> None:
    bad = ckan_package(2)
    bad["resources"][0]["url"] = "javascript:alert(1)"
    site.routes["/api/3/action/package_search"] = ckan_search([ckan_package(1), bad])

    run = services.harvest_run(source_id=_source(site, open_data, kind=HarvestType.CKAN, path="/").pk)

    assert (run.status, run.created, run.failed) == (HarvestStatus.PARTIAL, 1, 1)
    assert run.item_errors[0]["title"] == "County dataset 2"
    assert not Dataset.objects.filter(name="county-dataset-2").exists()
