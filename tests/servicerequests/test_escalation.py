"""A report in an emergency category becomes an incident for the emergency managers (issue 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.alerts.contracts import IncidentSeverity, IncidentStatus
from cityhall.alerts.models import Incident
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.servicerequests.models import ServiceRequest, ServiceRequestUpdate, ServiceType, Visibility
from cityhall.servicerequests.services import (
    new_reference,
    service_request_escalate,
    service_type_create,
)
from tests.factories import DepartmentFactory
from tests.servicerequests.conftest import OLD_TOWN

pytestmark = pytest.mark.django_db


@pytest.fixture
def flooding(roads: Department) -> ServiceType:
    return service_type_create(
        actor=None,
        code="FLOOD",
        name="Flooding",
        department_id=roads.pk,
        is_emergency=True,
        incident_type="flood",
    )


def report(service_type: ServiceType, **fields: Any) -> ServiceRequest:
    return ServiceRequest.objects.create(
        reference=new_reference(),
        service_type=service_type,
        department_id=service_type.department_id,
        latitude=OLD_TOWN[0],
        longitude=OLD_TOWN[1],
        address="Bridge Street",
        description="Water up to the doors of the houses",
        **fields,
    )


def test_an_emergency_report_opens_one_incident_with_its_place_and_story(
    flooding: ServiceType, roads_staff: User
) -> None:
    stored = report(flooding)
    incident, created = service_request_escalate(
        actor=roads_staff, request_id=stored.pk, severity=IncidentSeverity.SEVERE, text="Three houses."
    )
    assert created
    saved = Incident.objects.get(pk=incident.id)
    assert saved.kind == "flood"
    assert saved.severity == "severe"
    assert saved.status == IncidentStatus.REPORTED
    assert saved.source_service_request == stored.pk
    assert "Bridge Street" in saved.title
    assert saved.latitude == pytest.approx(OLD_TOWN[0])
    note = ServiceRequestUpdate.objects.get(request=stored)
    assert note.visibility == Visibility.INTERNAL
    assert incident.code in note.description and "Three houses." in note.description
    assert AuditEvent.objects.filter(action="service_request.escalate", object_id=str(stored.pk)).exists()


def test_escalating_twice_returns_the_same_incident(flooding: ServiceType, roads_staff: User) -> None:
    stored = report(flooding)
    first, _ = service_request_escalate(actor=roads_staff, request_id=stored.pk)
    again, created = service_request_escalate(actor=roads_staff, request_id=stored.pk)
    assert not created and again.id == first.id
    assert Incident.objects.count() == 1
    assert ServiceRequestUpdate.objects.filter(request=stored).count() == 1


def test_an_ordinary_category_cannot_be_escalated(pothole: ServiceType, roads_staff: User) -> None:
    stored = report(pothole)
    with pytest.raises(ServiceError, match="not an emergency category"):
        service_request_escalate(actor=roads_staff, request_id=stored.pk)
    assert not Incident.objects.exists()
    assert not ServiceRequestUpdate.objects.exists()


def test_staff_of_another_department_cannot_escalate(
    flooding: ServiceType, make_user: Callable[..., User]
) -> None:
    outsider = make_user(Role.DEPARTMENT_STAFF, DepartmentFactory())
    stored = report(flooding)
    with pytest.raises(PermissionDeniedError):
        service_request_escalate(actor=outsider, request_id=stored.pk)
    assert not Incident.objects.exists()


def test_the_staff_page_offers_escalation_only_for_emergency_categories(
    flooding: ServiceType,
    pothole: ServiceType,
    roads_staff: User,
    signed_in_client: Callable[[User], Client],
    make_user: Callable[..., User],
) -> None:
    client = signed_in_client(roads_staff)
    ordinary = report(pothole)
    ordinary_page = client.get(f"/staff/requests/{ordinary.reference}/").content.decode()
    assert "Escalate to an incident" not in ordinary_page
    urgent = report(flooding)
    url = f"/staff/requests/{urgent.reference}/"
    assert "Escalate to an incident" in client.get(url).content.decode()
    response = client.post(url, {"action": "escalate", "escalate-severity": "extreme", "escalate-text": ""})
    assert response.status_code == 302
    incident = Incident.objects.get(source_service_request=urgent.pk)
    assert incident.severity == "extreme"
    page = client.get(url).content.decode()
    assert incident.code in page and "Escalate to an incident" not in page
    manager = signed_in_client(make_user(Role.EMERGENCY_MANAGER, DepartmentFactory()))
    assert incident.code in manager.get("/staff/incidents/").content.decode()
    bad = client.post(url, {"action": "escalate", "escalate-severity": "apocalyptic"})
    assert bad.status_code == 400
    assert Incident.objects.count() == 1
