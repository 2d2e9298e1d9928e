"""DatasetRecord -> DCAT-AP 3 RDF, validated with pyshacl against the official 3.0.1 shapes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from cityhall.dcat import rdf
from cityhall.dcat.vocab import HYDRA
from tests.dcat.support import make_distribution, make_record, shacl_report

BASE = "https://data.aldermere.example"


@pytest.fixture(autouse=True)
def _base(settings: object) -> None:
    settings.CITYHALL_BASE_URL = BASE  # type: ignore[attr-defined]


def _page(total: int, page: int = 1, size: int = 100) -> rdf.CatalogPage:
    return rdf.CatalogPage(url=f"{BASE}/catalog.ttl", page=page, page_size=size, total=total, query={})


def representative() -> list:  # type: ignore[type-arg]
    full = make_record()
    minimal = make_record(
        name="budget",
        identifier="budget",
        title={"en": "Budget"},
        description={"en": "The city budget."},
        contact_name="",
        contact_email="",
        themes=("ECON",),
        keywords=(),
        temporal_start=None,
        temporal_end=None,
        spatial="",
        frequency="",
        conforms_to=(),
        landing_page="",
        issued=None,
        version="",
        distributions=(
            make_distribution(download_url=None, byte_size=None, checksum_sha256=None, media_type=""),
        ),
    )
    harvested = make_record(
        name="river-levels",
        identifier="https://data.county.example/dataset/river-levels",
        harvest_source="county",
        spatial="https://sws.geonames.org/2643743/",
        license_id="ODbL-1.0",
        distributions=(
            make_distribution(format="GeoJSON", media_type="application/geo+json", license_id="ODbL-1.0"),
        ),
    )
    no_files = make_record(name="plans", identifier="plans", distributions=(), license_id="notspecified")
    queryable = make_record(
        name="counts", identifier="counts", distributions=(make_distribution(datastore_active=True),)
    )
    return [full, minimal, harvested, no_files, queryable]


def test_a_representative_catalogue_conforms_to_the_official_shapes() -> None:
    graph = rdf.catalog_graph(
        representative(), page=_page(4), title="Aldermere open data", description="All data"
    )

    conforms, report = shacl_report(graph)

    assert conforms, report


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_every_format_round_trips_to_the_same_graph(fmt: str) -> None:
    graph = rdf.catalog_graph(
        representative(), page=_page(4), title="Aldermere open data", description="All data"
    )
    parser = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}[fmt]

    parsed = Graph().parse(data=rdf.serialize(graph, fmt), format=parser)

    assert isomorphic(parsed, graph)
    assert shacl_report(parsed)[0]


def test_dates_are_typed_literals_which_the_shapes_do_not_check() -> None:
    record = make_record()
    graph = rdf.dataset_graph(record)
    node = rdf.dataset_iri(record)

    assert graph.value(node, DCTERMS.modified).datatype == XSD.dateTime  # type: ignore[union-attr]
    assert graph.value(node, DCTERMS.issued).datatype == XSD.dateTime  # type: ignore[union-attr]
    period = graph.value(node, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate).datatype == XSD.date  # type: ignore[union-attr]
    assert str(graph.value(period, DCAT.startDate)) == "2020-01-01"


def test_iris_come_from_the_configured_base_and_a_harvested_dataset_keeps_its_own() -> None:
    own = make_record()
    harvested = make_record(identifier="https://data.county.example/dataset/x", harvest_source="county")

    assert str(rdf.dataset_iri(own)) == f"{BASE}/dataset/{own.id}"
    assert str(rdf.dataset_iri(harvested)) == "https://data.county.example/dataset/x"
    distribution = own.distributions[0]
    assert (
        str(rdf.distribution_iri(own, distribution)) == f"{BASE}/dataset/{own.id}/resource/{distribution.id}"
    )


def test_eu_vocabularies_are_used_for_theme_frequency_rights_format_and_licence() -> None:
    record = make_record()
    graph = rdf.dataset_graph(record)
    node = rdf.dataset_iri(record)
    eu = "http://publications.europa.eu/resource/authority/"

    assert URIRef(eu + "data-theme/ENVI") in set(graph.objects(node, DCAT.theme))
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(eu + "frequency/MONTHLY")
    assert graph.value(node, DCTERMS.accessRights) == URIRef(eu + "access-right/PUBLIC")
    assert URIRef(eu + "language/SPA") in set(graph.objects(node, DCTERMS.language))
    distribution = graph.value(node, DCAT.distribution)
    assert graph.value(distribution, DCTERMS["format"]) == URIRef(eu + "file-type/CSV")
    assert graph.value(distribution, DCTERMS.license) == URIRef(eu + "licence/CC_BY_4_0")
    assert graph.value(distribution, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/csv"
    )


def test_titles_and_descriptions_carry_language_tags() -> None:
    record = make_record()
    graph = rdf.dataset_graph(record)
    titles = {(str(t), t.language) for t in graph.objects(rdf.dataset_iri(record), DCTERMS.title)}  # type: ignore[attr-defined]

    assert titles == {("Air quality", "en"), ("Calidad del aire", "es")}


def test_hydra_paging_on_a_middle_page() -> None:
    records = [make_record(id=uuid.uuid4()) for _ in range(2)]
    graph = rdf.catalog_graph(records, page=_page(total=5, page=2, size=2), title="T", description="D")
    view = URIRef(f"{BASE}/catalog.ttl?page=2")

    assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
    assert (view, RDF.type, HYDRA.PagedCollection) in graph
    assert graph.value(view, HYDRA.next) == URIRef(f"{BASE}/catalog.ttl?page=3")
    assert graph.value(view, HYDRA.nextPage) == URIRef(f"{BASE}/catalog.ttl?page=3")
    assert graph.value(view, HYDRA.previous) == URIRef(f"{BASE}/catalog.ttl?page=1")
    assert graph.value(view, HYDRA.last) == URIRef(f"{BASE}/catalog.ttl?page=3")
    assert int(graph.value(view, HYDRA.totalItems)) == 5  # type: ignore[arg-type]
    assert int(graph.value(view, HYDRA.itemsPerPage)) == 2  # type: ignore[arg-type]
    assert (URIRef(f"{BASE}/catalog"), RDF.type, DCAT.Catalog) in graph


def test_the_last_page_has_no_next_link() -> None:
    graph = rdf.catalog_graph(
        [make_record()], page=_page(total=3, page=3, size=1), title="T", description="D"
    )
    view = URIRef(f"{BASE}/catalog.ttl?page=3")

    assert graph.value(view, HYDRA.next) is None
    assert graph.value(view, HYDRA.nextPage) is None


def test_an_empty_catalogue_is_still_valid() -> None:
    graph = rdf.catalog_graph([], page=_page(total=0), title="T", description="D")

    assert shacl_report(graph)[0]


def test_an_unknown_file_format_is_left_out_rather_than_invented() -> None:
    record = make_record(distributions=(make_distribution(format="Weird stuff", media_type="not a type"),))
    graph = rdf.dataset_graph(record)
    distribution = graph.value(rdf.dataset_iri(record), DCAT.distribution)

    assert graph.value(distribution, DCTERMS["format"]) is None
    assert graph.value(distribution, DCAT.mediaType) is None
    assert shacl_report(graph)[0]


def test_a_naive_datetime_is_read_as_utc() -> None:
    record = make_record(modified=dt.datetime(2025, 1, 2, 3, 4, 5))
    graph = rdf.dataset_graph(dataclasses.replace(record))

    assert str(graph.value(rdf.dataset_iri(record), DCTERMS.modified)).startswith("2025-01-02T03:04:05")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "ttl"),
        ("application/rdf+xml", "rdf"),
        ("application/ld+json", "jsonld"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None),
        ("text/html;q=0.5, text/turtle", "ttl"),
        ("text/turtle;q=0.2, text/html", None),
        ("", None),
        ("*/*", None),
    ],
)
def test_content_negotiation(accept: str, expected: str | None) -> None:
    assert rdf.negotiate(accept) == expected


def test_the_shacl_check_is_not_vacuous_a_broken_dataset_fails_it() -> None:
    graph = rdf.dataset_graph(make_record(description={}))

    conforms, report = shacl_report(graph)

    assert not conforms and "description" in report
