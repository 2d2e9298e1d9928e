"""B5, B6, B13, B14: interoperability matrix, glossary, asset inventory, API registry."""

from __future__ import annotations

from typing import Any

import pytest

from cityhall.core.errors import ServiceError
from cityhall.operating import services
from cityhall.operating.models import ApiService
from cityhall.operating.selectors.architecture import duplication_report, interoperability_matrix

pytestmark = pytest.mark.django_db


def test_the_matrix_has_a_row_per_layer_and_a_cell_per_domain(db: Any) -> None:
    mobility = services.interoperability_domain_create(actor=None, name="Mobility")
    services.interoperability_cell_set(
        actor=None, layer="technical", domain_id=mobility.pk, status="adopted", standard="GTFS-Realtime"
    )
    again = services.interoperability_cell_set(
        actor=None, layer="technical", domain_id=mobility.pk, status="adopting", standard="GTFS-Realtime 2"
    )
    matrix = interoperability_matrix()
    assert [layer for layer, _label, _cells in matrix.rows] == [
        "technical",
        "semantic",
        "organisational",
        "legal",
    ]
    assert matrix.rows[0][2] == [again] and matrix.rows[1][2] == [None]


def test_an_adopted_standard_must_be_named(db: Any) -> None:
    domain = services.interoperability_domain_create(actor=None, name="Sensors")
    with pytest.raises(ServiceError, match="Name the standard"):
        services.interoperability_cell_set(
            actor=None, layer="semantic", domain_id=domain.pk, status="adopted"
        )
    services.interoperability_cell_set(
        actor=None,
        layer="semantic",
        domain_id=domain.pk,
        status="barrier",
        barrier="Each vendor names pollutants.",
    )


def test_glossary_terms_map_to_the_smart_city_concept_model(db: Any) -> None:
    place = services.term_create(
        actor=None, label="District", definition="A named area.", sccm_concept="PLACE"
    )
    term = services.term_create(
        actor=None,
        label="Ward",
        definition="An electoral area.",
        sccm_concept="PLACE",
        broader_id=place.pk,
        alt_labels=["Electoral ward", " "],
    )
    assert term.alt_labels == ["Electoral ward"] and term.broader == place
    with pytest.raises(ServiceError, match="ISO/IEC 30182 concept"):
        services.term_create(actor=None, label="X", definition="x", sccm_concept="WIDGET")


def test_only_public_data_without_personal_data_can_be_open(db: Any) -> None:
    with pytest.raises(ServiceError, match="Only public data without personal data can be open data"):
        services.data_asset_create(
            actor=None, name="Permits", classification="public", sharing="open", contains_personal_data=True
        )
    asset = services.data_asset_create(
        actor=None,
        name="Bus stops",
        classification="public",
        sharing="open",
        catalog_datasets=["bus-stops", ""],
    )
    assert asset.catalog_datasets == ["bus-stops"]


def test_systems_with_the_same_capability_are_reported_as_duplication(db: Any) -> None:
    services.it_system_create(actor=None, name="PermitPro", capability="Permit case management")
    services.it_system_create(actor=None, name="StreetWorks", capability="permit  case management")
    services.it_system_create(actor=None, name="Ledger", capability="Finance")
    report = duplication_report()
    assert [sorted(system.name for system in item.systems) for item in report] == [
        ["PermitPro", "StreetWorks"]
    ]


def test_the_registry_lists_cityhalls_own_apis_from_its_openapi_document(db: Any) -> None:
    services.api_registry_sync(actor=None)
    operating = ApiService.objects.get(name="Cityhall operating API")
    assert operating.is_cityhall and operating.base_url == "/api/v1/operating"
    assert operating.operation_count > 50
    assert operating.specification_url == "/api/v1/openapi.json"
    count = ApiService.objects.count()
    services.api_registry_sync(actor=None)
    assert ApiService.objects.count() == count
