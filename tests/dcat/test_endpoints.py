"""/catalog.ttl|rdf|jsonld and /dataset/<id>.ttl|rdf|jsonld over HTTP, validated with the official shapes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from cityhall.accounts.models import Department
from cityhall.catalog import services as catalog_services
from cityhall.catalog.models import Dataset
from cityhall.dcat import facade, rdf, services
from cityhall.dcat.contracts import HarvestType
from cityhall.dcat.vocab import HYDRA
from tests.dcat.sources import dcat_catalog, dcat_dataset
from tests.dcat.support import FakeSite, Reply, shacl_report

pytestmark = pytest.mark.django_db
BASE = "https://data.aldermere.example"
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


@pytest.fixture(autouse=True)
def _base(settings: Any) -> None:
    settings.CITYHALL_BASE_URL = BASE


@pytest.fixture
def make_dataset(open_data: Department, media_root: Any) -> Callable[..., Dataset]:
    counter = {"n": 0}

    def _make(*, state: str = "published", files: bool = True, **fields: Any) -> Dataset:
        counter["n"] += 1
        metadata: dict[str, Any] = {
            "name": f"dataset-{counter['n']}",
            "title": f"Dataset {counter['n']}",
            "description": "Readings of the city's sensors.",
            "department_id": str(open_data.pk),
            "themes": ["ENVI", "TRAN"],
            "keywords": ["air quality", "traffic"],
            "license_id": "CC-BY-4.0",
            "contact_name": "Open data team",
            "contact_email": "opendata@aldermere.example",
            "frequency": "MONTHLY",
            "access_rights": "PUBLIC",
            "spatial": "POINT(-1.5 52.1)",
            "landing_page": "https://aldermere.example/data",
        }
        metadata.update(fields)
        dataset = catalog_services.dataset_create(actor=None, metadata=metadata, state=state)
        if files:
            csv = b"month,count\n2025-01,3\n"
            catalog_services.distribution_create(
                actor=None,
                dataset=dataset,
                name="Counts",
                description="Monthly counts.",
                upload=io.BytesIO(csv),
                upload_name="counts.csv",
                upload_size=len(csv),
            )
            catalog_services.distribution_create(
                actor=None,
                dataset=dataset,
                name="Live API",
                url="https://api.aldermere.example/counts",
                format="JSON",
            )
        dataset.refresh_from_db()
        return dataset

    return _make


def _graph(response: Any, fmt: str = "ttl") -> Graph:
    return Graph().parse(data=response.content, format=PARSERS[fmt])


def test_the_catalogue_of_own_and_harvested_datasets_conforms_to_the_official_shapes(
    make_dataset: Callable[..., Dataset], site: FakeSite, open_data: Department
) -> None:
    make_dataset()
    make_dataset(title="Budget 2025", themes=["ECON"], spatial="", frequency="ANNUAL")
    make_dataset(files=False, keywords=[])
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("river-levels")))
    source = services.harvest_source_create(
        actor=None,
        name="County",
        url=site.url + "/catalog.ttl",
        source_type=HarvestType.DCAT,
        department_id=open_data.pk,
    )
    assert services.harvest_run(source_id=source.pk).created == 1

    response = Client().get("/catalog.ttl")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/turtle")
    graph = _graph(response)
    conforms, report = shacl_report(graph)
    assert conforms, report
    datasets = set(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))
    assert len(datasets) == 4
    assert URIRef("https://county.example/dataset/river-levels") in datasets


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_every_catalogue_format_parses_and_conforms(make_dataset: Callable[..., Dataset], fmt: str) -> None:
    make_dataset()

    response = Client().get(f"/catalog.{fmt}")

    assert response["Content-Type"].startswith(rdf.FORMATS[fmt][1])
    assert shacl_report(_graph(response, fmt))[0]


def test_drafts_private_and_deleted_datasets_never_appear(make_dataset: Callable[..., Dataset]) -> None:
    public = make_dataset()
    draft = make_dataset(state="draft")
    private = make_dataset(private=True)
    deleted = make_dataset(state="deleted")

    text = Client().get("/catalog.ttl").content.decode()

    assert str(public.pk) in text
    for hidden in (draft, private, deleted):
        assert str(hidden.pk) not in text
        assert Client().get(f"/dataset/{hidden.pk}.ttl").status_code == 404


def test_the_catalogue_is_paged_with_hydra(
    make_dataset: Callable[..., Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rdf, "PAGE_SIZE", 2)
    for _ in range(5):
        make_dataset(files=False)

    first = _graph(Client().get("/catalog.ttl"))
    third = _graph(Client().get("/catalog.ttl?page=3"))

    view = URIRef(f"{BASE}/catalog.ttl?page=1")
    assert first.value(view, HYDRA.next) == URIRef(f"{BASE}/catalog.ttl?page=2")
    assert first.value(view, HYDRA.last) == URIRef(f"{BASE}/catalog.ttl?page=3")
    assert int(first.value(view, HYDRA.totalItems)) == 5  # type: ignore[arg-type]
    assert len(set(first.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))) == 2
    assert len(set(third.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))) == 1
    assert third.value(URIRef(f"{BASE}/catalog.ttl?page=3"), HYDRA.next) is None
    assert Client().get("/catalog.ttl?page=4").status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "two"])
def test_a_bad_page_number_is_a_clear_400(page: str) -> None:
    response = Client().get(f"/catalog.ttl?page={page}")

    assert response.status_code == 400 and b"whole number" in response.content


def test_modified_since_filters_and_a_bad_value_is_a_400(make_dataset: Callable[..., Dataset]) -> None:
    make_dataset()

    assert Client().get("/catalog.ttl?modified_since=2999-01-01").content.count(b"dcat:Dataset") == 0
    assert (
        str(Dataset.objects.get().pk).encode()
        in Client().get("/catalog.ttl?modified_since=2000-01-01").content
    )
    assert Client().get("/catalog.ttl?modified_since=yesterday").status_code == 400


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_one_dataset_in_each_format_by_id_and_by_name(make_dataset: Callable[..., Dataset], fmt: str) -> None:
    dataset = make_dataset()

    by_id = Client().get(f"/dataset/{dataset.pk}.{fmt}")
    by_name = Client().get(f"/dataset/{dataset.name}.{fmt}")

    assert by_id.status_code == by_name.status_code == 200
    assert by_id.content == by_name.content
    graph = _graph(by_id, fmt)
    assert (URIRef(f"{BASE}/dataset/{dataset.pk}"), None, None) in graph
    assert len(set(graph.objects(URIRef(f"{BASE}/dataset/{dataset.pk}"), DCAT.distribution))) == 2
    assert shacl_report(graph)[0]


def test_an_unchanged_dataset_answers_304(make_dataset: Callable[..., Dataset]) -> None:
    dataset = make_dataset()
    first = Client().get(f"/dataset/{dataset.pk}.ttl")

    again = Client().get(f"/dataset/{dataset.pk}.ttl", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_content_negotiation_through_the_facade(make_dataset: Callable[..., Dataset], rf: Any) -> None:
    dataset = make_dataset()
    request = rf.get(f"/dataset/{dataset.pk}", HTTP_ACCEPT="application/ld+json")

    fmt = facade.requested_rdf_format(request)
    response = facade.dataset_rdf_response(request, dataset.pk, fmt or "")

    assert fmt == "jsonld"
    assert response["Content-Type"].startswith("application/ld+json") and response["Vary"] == "Accept"
    assert facade.requested_rdf_format(rf.get("/", HTTP_ACCEPT="text/html,*/*;q=0.8")) is None
    assert facade.dataset_rdf_links(dataset.pk)[0] == ("text/turtle", f"/dataset/{dataset.pk}.ttl")


def test_an_unknown_dataset_is_404() -> None:
    assert Client().get("/dataset/00000000-0000-0000-0000-000000000000.ttl").status_code == 404
    assert Client().get("/dataset/no-such-name.rdf").status_code == 404
