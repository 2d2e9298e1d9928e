"""B4: procurement needs across departments, contracts against the smart-city checklist, OCDS releases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cityhall.core.errors import ServiceError
from cityhall.operating import services
from cityhall.operating.selectors.procurement import contract_checklist
from tests.factories import DepartmentFactory
from tests.operating.conftest import adopt_principles

pytestmark = pytest.mark.django_db
TENDER_STATUSES = {"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}
CONTRACT_STATUSES = {"pending", "active", "cancelled", "terminated"}


@pytest.fixture
def contract(today: dt.date, make_project: Callable[..., Any]) -> Any:
    roads, digital = DepartmentFactory(slug="roads"), DepartmentFactory(slug="digital")
    need = services.procurement_need_create(
        actor=None,
        reference="PN-1",
        title="Traffic signals",
        category="goods",
        department_ids=[roads.pk, digital.pk],
        estimated_value=Decimal("2400000"),
        outcomes_sought="Shorter bus journeys.",
        project_id=make_project().pk,
    )
    supplier = services.supplier_create(
        actor=None,
        name="Signalwise Ltd",
        identifier_scheme="GB-COH",
        identifier="0987",
        country="gb",
        is_sme=True,
    )
    return services.contract_create(
        actor=None,
        need_id=need.pk,
        supplier_id=supplier.pk,
        reference="C-1",
        title="Signals",
        value=Decimal("2250000"),
        starts_on=today,
        ends_on=today + dt.timedelta(days=700),
        signed_on=today,
    )


def test_a_contract_starts_only_when_the_checklist_is_answered(contract: Any) -> None:
    with pytest.raises(ServiceError, match=r"still open: Open data.*Intellectual property"):
        services.contract_set_status(actor=None, contract_id=contract.pk, status="active")
    for item, status in [
        ("open_data", "met"),
        ("open_standards", "partly_met"),
        ("exit_and_lock_in", "not_met"),
        ("intellectual_property", "met"),
    ]:
        services.contract_check_clause(actor=None, contract_id=contract.pk, item=item, status=status)
    checklist = contract_checklist(contract)
    assert checklist.complete and checklist.lock_in_risk
    assert (
        services.contract_set_status(actor=None, contract_id=contract.pk, status="active").status == "active"
    )


def test_going_to_tender_needs_the_principles_assessed(db: Any) -> None:
    adopt_principles("A9")
    need = services.procurement_need_create(actor=None, reference="PN-2", title="Sensors", category="goods")
    services.procurement_need_set_status(actor=None, need_id=need.pk, status="planned")
    with pytest.raises(
        ServiceError, match="PN-2 has not been assessed against the adopted principle\\(s\\) A9"
    ):
        services.procurement_need_set_status(actor=None, need_id=need.pk, status="tendering")
    from cityhall.operating.models import DeliveryPrinciple

    services.principle_assess(
        actor=None,
        principle_id=DeliveryPrinciple.objects.get(code="A9").pk,
        procurement_need_id=need.pk,
        score=3,
        rationale="Open standards required in the specification.",
    )
    assert (
        services.procurement_need_set_status(actor=None, need_id=need.pk, status="tendering").status
        == "tendering"
    )


def test_the_ocds_release_package_describes_each_contracting_process(contract: Any, settings: Any) -> None:
    settings.OCDS_OCID_PREFIX = "ocds-a1b2c3"
    package = Client().get("/api/v1/operating/procurement/releases").json()
    assert package["version"] == "1.1"
    assert package["uri"].endswith("/api/v1/operating/procurement/releases")
    release = package["releases"][0]
    assert release["ocid"] == f"ocds-a1b2c3-{contract.need_id}"
    assert release["id"].startswith(release["ocid"] + "-")
    assert release["tag"] == ["award", "contract"]
    assert release["initiationType"] == "tender"
    assert release["date"].endswith("Z")
    assert release["tender"]["status"] in TENDER_STATUSES
    assert release["tender"]["mainProcurementCategory"] == "goods"
    assert release["tender"]["value"] == {"amount": 2400000.0, "currency": "EUR"}
    assert release["planning"]["budget"]["projectID"] == "PRJ-01"
    roles = {party["id"]: party["roles"] for party in release["parties"]}
    assert roles["buyer"] == ["buyer", "procuringEntity"]
    supplier_id = release["awards"][0]["suppliers"][0]["id"]
    assert roles[supplier_id] == ["supplier", "payee"]
    supplier = next(party for party in release["parties"] if party["id"] == supplier_id)
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "0987", "legalName": "Signalwise Ltd"}
    assert supplier["details"] == {"scale": "sme"}
    (awarded,) = release["contracts"]
    assert awarded["status"] in CONTRACT_STATUSES
    assert awarded["awardID"] == release["awards"][0]["id"]
    assert awarded["period"]["startDate"].endswith("T00:00:00Z")
    assert Client().get("/city/data/procurement-ocds.json").json()["releases"][0]["ocid"] == release["ocid"]


def test_a_supplier_is_rated_from_1_to_5(contract: Any) -> None:
    with pytest.raises(ServiceError, match="from 1 \\(poor\\) to 5"):
        services.supplier_rate(actor=None, supplier_id=contract.supplier_id, rating=9, notes="")
    assert (
        services.supplier_rate(
            actor=None, supplier_id=contract.supplier_id, rating=4, notes="On time."
        ).performance_rating
        == 4
    )
